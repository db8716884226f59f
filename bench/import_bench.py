#!/usr/bin/env python3
"""Helpers for bench/import.sh.

build OUT N      Builds OUT/export.zip, a Strava-style bulk export of about N
                 activities made from the real device files in testdata/activities with shifted times,
                 and OUT/files/{fit,gpx,tcx}/ with the same recordings unzipped
                 (for the folder import and the decoder comparison).
pydecode DIR     Decodes DIR/fit/*.fit with fitdecode and DIR/gpx/*.gpx with
                 gpxpy (parse + length + moving data) and prints JSON timings.

Shifting times, so the copies are distinct activities and not duplicates:
- GPX/TCX: every ISO 8601 time in the text is moved by the copy's offset.
- FIT: the file's records are walked (definitions, data, compressed-timestamp
  headers, developer fields, chained files) and every absolute time field is
  moved: field 253 `timestamp` in any message, `start_time` of laps and
  sessions, `time_created` of file_id, `local_timestamp` of activity. Values
  below 0x10000000 (device-relative) are left alone. Offsets are whole days,
  a multiple of 32 s, so compressed timestamps (the low 5 bits of the last
  full timestamp plus a 5-bit offset) stay consistent. The file CRC is
  recomputed. Files with only device-relative times are left out (their
  copies would be byte-identical).
- 5 % of the activities are manual CSV rows (Weight Training) without a file,
  as real exports have.
Within one copy only one file of each GPX/TCX pair of the same run is used.
"""

import csv
import datetime as dt
import gzip
import io
import json
import os
import re
import struct
import sys
import time
import zipfile

ACTIVITIES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "testdata", "activities")

FIT = [
    "fit/pf__chained-activity-settings.fit",
    "fit/pf__coros-pace2-ride-misaligned.fit",
    "fit/pf__fenix2-multisport.fit",
    "fit/pf__fenix2-run.fit",
    "fit/pf__fenix5-run-short.fit",
    "fit/pf__fenix5-walk-short.fit",
    "fit/pf__fr110-run-2013.fit",
    "fit/pf__fr920xt-triathlon-multiheader.fit",
    "fit/pf__stryd-run-devfields.fit",
    "fit/pf__wahoo-elemnt-ride-paused.fit",
    "fit/tm__edge530-ride-wide-definition.fit",
    "fit/tm__fr920xt-run-pauses-devfields.fit",
    "fit/tm__wahoo-strings-no-nul.fit",
]
GPX = [
    "gpx/gg__fr265s-10k-hr.gpx",
    "gpx/gg__fr620-50k-trail.gpx",
    "gpx/gg__fr620-5k-noHR.gpx",
    "gpx/gg__fr620-marathon-hr.gpx",
    "gpx/gp__empty-segment.gpx",
    "gpx/gp__multi-track-no-ele.gpx",
    "gpx/gp__multi-track-no-times.gpx",
    "gpx/gp__multi-track-partial-times.gpx",
]
TCX = [
    "tcx/gg__fr235-short-partial-gps.tcx",
    "tcx/tp__fr410-run-3laps.tcx",
]
TYPES = {"fit": "Run", "gpx": "Run", "tcx": "Run"}

FIT_EPOCH = 631065600  # 1989-12-31T00:00:00Z
SHIFT_DAYS = 3

CRC_TABLE = [0x0000, 0xCC01, 0xD801, 0x1400, 0xF001, 0x3C00, 0x2800, 0xE401,
             0xA001, 0x6C00, 0x7800, 0xB401, 0x5000, 0x9C01, 0x8801, 0x4400]


def fit_crc(data, crc=0):
    for byte in data:
        tmp = CRC_TABLE[crc & 0xF]
        crc = (crc >> 4) & 0x0FFF
        crc = crc ^ tmp ^ CRC_TABLE[byte & 0xF]
        tmp = CRC_TABLE[crc & 0xF]
        crc = (crc >> 4) & 0x0FFF
        crc = crc ^ tmp ^ CRC_TABLE[(byte >> 4) & 0xF]
    return crc


# (global message, field) pairs holding absolute times, besides field 253.
TIME_FIELDS = {(18, 2), (19, 2), (0, 4), (34, 5)}


def shift_fit(data, seconds):
    out = bytearray(data)
    pos = 0
    while pos + 12 <= len(out) and out[pos + 8:pos + 12] == b".FIT":
        header = out[pos]
        size = struct.unpack_from("<I", out, pos + 4)[0]
        end = pos + header + size
        if end + 2 > len(out):
            break
        p = pos + header
        defs = {}
        while p < end:
            h = out[p]
            p += 1
            if h & 0x80:  # compressed timestamp header: a data message
                local = (h >> 5) & 0x3
                kind = "data"
            elif h & 0x40:
                local = h & 0xF
                kind = "def"
            else:
                local = h & 0xF
                kind = "data"
            if kind == "def":
                arch = out[p + 1]
                fmt = ">" if arch == 1 else "<"
                glob = struct.unpack_from(fmt + "H", out, p + 2)[0]
                n = out[p + 4]
                p += 5
                fields = []
                for _ in range(n):
                    fields.append((out[p], out[p + 1]))
                    p += 3
                dev = 0
                if h & 0x20:
                    nd = out[p]
                    p += 1
                    for _ in range(nd):
                        dev += out[p + 1]
                        p += 3
                defs[local] = (fmt, glob, fields, dev)
            else:
                fmt, glob, fields, dev = defs[local]
                for num, fsize in fields:
                    if fsize == 4 and (num == 253 or (glob, num) in TIME_FIELDS):
                        v = struct.unpack_from(fmt + "I", out, p)[0]
                        if 0x10000000 <= v < 0xFFFFFFFF:
                            struct.pack_into(fmt + "I", out, p, v + seconds)
                    p += fsize
                p += dev
        crc = fit_crc(out[pos:end])
        struct.pack_into("<H", out, end, crc)
        pos = end + 2
    return bytes(out)


ISO = re.compile(rb"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})")


def shift_xml(data, seconds):
    def move(m):
        t = dt.datetime.strptime(m.group(1).decode(), "%Y-%m-%dT%H:%M:%S")
        return (t + dt.timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%S").encode()
    return ISO.sub(move, data)


def strava_date(t):
    return t.strftime("%b %-d, %Y, %-I:%M:%S %p")


def build(out, n):
    os.makedirs(out, exist_ok=True)
    for sub in ("fit", "gpx", "tcx"):
        os.makedirs(os.path.join(out, "files", sub), exist_ok=True)
    header_line = open(os.path.join(ACTIVITIES, "strava_export", "activities_constructed.csv"), encoding="utf-8").readline()
    header = next(csv.reader([header_line]))
    col = {}
    for i, name in enumerate(header):
        col.setdefault(name, i)
    sources = [(p, open(os.path.join(ACTIVITIES, p), "rb").read()) for p in FIT + GPX + TCX]
    manual = max(1, n // 20)
    files_wanted = n - manual
    rows = []
    zpath = os.path.join(out, "export.zip")
    with zipfile.ZipFile(zpath, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as z:
        k = 0
        upload = 100000
        while len(rows) < files_wanted:
            for rel, data in sources:
                if len(rows) >= files_wanted:
                    break
                seconds = k * SHIFT_DAYS * 86400
                kind = rel.split("/")[0]
                shifted = shift_fit(data, seconds) if kind == "fit" else shift_xml(data, seconds)
                base = os.path.basename(rel)
                plain = f"c{k:03d}-{base}"
                with open(os.path.join(out, "files", kind, plain), "wb") as f:
                    f.write(shifted)
                upload += 1
                if kind == "tcx":
                    entry = f"activities/{upload}.tcx"
                    z.writestr(entry, shifted)
                else:
                    entry = f"activities/{upload}.{kind}.gz"
                    z.writestr(entry, gzip.compress(shifted, compresslevel=6, mtime=0))
                row = [""] * len(header)
                row[col["Activity ID"]] = str(9_000_000 + len(rows))
                # The date Strava would show; the file's own start wins on import.
                row[col["Activity Date"]] = strava_date(dt.datetime(2020, 1, 1) + dt.timedelta(days=k))
                row[col["Activity Name"]] = f"Copy {k} of {base}"
                row[col["Activity Type"]] = TYPES[kind]
                row[col["Filename"]] = entry
                rows.append(row)
            k += 1
        for m in range(manual):
            row = [""] * len(header)
            row[col["Activity ID"]] = str(8_000_000 + m)
            row[col["Activity Date"]] = strava_date(dt.datetime(2030, 1, 1, 7, 0) + dt.timedelta(days=m))
            row[col["Activity Name"]] = "Gym"
            row[col["Activity Type"]] = "Weight Training"
            row[col["Elapsed Time"]] = "3600"
            rows.append(row)
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)
        z.writestr("activities.csv", buf.getvalue())
    print(json.dumps({"activities": len(rows), "files": len(rows) - manual, "manual": manual,
                      "copies": k, "zip_bytes": os.path.getsize(zpath)}))


def pydecode(folder):
    import fitdecode
    import gpxpy
    result = {}
    fits = sorted(os.path.join(folder, "fit", f) for f in os.listdir(os.path.join(folder, "fit")))
    t = time.perf_counter()
    frames = 0
    for path in fits:
        try:
            with fitdecode.FitReader(path, check_crc=fitdecode.CrcCheck.DISABLED) as fit:
                for frame in fit:
                    if frame.frame_type == fitdecode.FIT_FRAME_DATA:
                        frames += 1
        except Exception as e:  # noqa: BLE001 - count and go on, like an importer
            print(f"fitdecode: {path}: {e}", file=sys.stderr)
    result["fit_files"] = len(fits)
    result["fit_messages"] = frames
    result["fit_seconds"] = time.perf_counter() - t
    gpxs = sorted(os.path.join(folder, "gpx", f) for f in os.listdir(os.path.join(folder, "gpx")))
    t = time.perf_counter()
    metres = 0.0
    for path in gpxs:
        with open(path, encoding="utf-8") as f:
            g = gpxpy.parse(f)
        metres += g.length_2d()
        g.get_moving_data()
    result["gpx_files"] = len(gpxs)
    result["gpx_km"] = round(metres / 1000, 1)
    result["gpx_seconds"] = time.perf_counter() - t
    print(json.dumps(result))


if __name__ == "__main__":
    if sys.argv[1] == "build":
        build(sys.argv[2], int(sys.argv[3]))
    elif sys.argv[1] == "pydecode":
        pydecode(sys.argv[2])
    else:
        sys.exit(__doc__)
