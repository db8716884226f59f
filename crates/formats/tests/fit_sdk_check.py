#!/usr/bin/env python3
"""Decode runcoach's FIT workout files with Garmin's official FIT SDK.

Requirements: Python 3.8+ and `pip install garmin-fit-sdk` (PyPI name;
imported as `garmin_fit_sdk`). CI installs it; the Rust test
`garmin_sdk_decodes_every_file_with_the_expected_steps` in tests/fit_workout.rs
writes the files and runs this script, and skips with a note when the SDK is
missing.

Usage: fit_sdk_check.py DIR [REFERENCE.fit]

For every DIR/NAME.fit with its DIR/NAME.json (the values the encoder was asked
to write), checks that the SDK reads the file with no errors, that the header
and file CRCs are good, that file_id says a workout from manufacturer
`development`, that the workout message has the name, sport, sub-sport and
num_valid_steps, and that every workout_step message carries exactly the
expected durations, targets, intensities, names and notes. With REFERENCE.fit
(Garmin's own SDK-encoded workout), also checks that DIR/reference-like.fit
holds every field the reference holds, with the same values.
"""

import json
import math
import sys
from pathlib import Path

from garmin_fit_sdk import Decoder, Stream


def read(path):
    data = Path(path).read_bytes()
    checker = Decoder(Stream.from_byte_array(bytearray(data)))
    assert checker.is_fit(), f"{path}: not a FIT file"
    assert checker.check_integrity(), f"{path}: header or file CRC is wrong"
    decoder = Decoder(Stream.from_byte_array(bytearray(data)))
    messages, errors = decoder.read()
    assert errors == [], f"{path}: SDK errors {errors}"
    return messages


def same(a, b):
    if isinstance(a, float) or isinstance(b, float):
        return isinstance(a, (int, float)) and isinstance(b, (int, float)) and math.isclose(
            a, b, rel_tol=0, abs_tol=1e-6
        )
    return a == b


def check(fit_path, expected):
    msgs = read(fit_path)
    name = fit_path.name
    (file_id,) = msgs["file_id_mesgs"]
    assert file_id["type"] == "workout", f"{name}: file type {file_id['type']}"
    assert file_id["manufacturer"] == "development", f"{name}: {file_id}"
    assert file_id["serial_number"] == expected["serial_number"], f"{name}: {file_id}"
    assert file_id.get("time_created") is not None, f"{name}: no time_created"

    (workout,) = msgs["workout_mesgs"]
    for key in ("wkt_name", "sport", "sub_sport"):
        assert workout.get(key) == expected[key], f"{name}: workout.{key} {workout}"
    steps = msgs.get("workout_step_mesgs", [])
    want = expected["steps"]
    assert workout["num_valid_steps"] == len(want) == len(steps), (
        f"{name}: num_valid_steps {workout['num_valid_steps']}, "
        f"{len(steps)} steps, expected {len(want)}"
    )
    for got, exp in zip(steps, want):
        for key, value in exp.items():
            assert key in got and same(got[key], value), (
                f"{name}: step {exp['message_index']} {key}: got {got.get(key)!r}, "
                f"expected {value!r}\n  {got}"
            )
        # Nothing unexpected either: no name, notes or target the plan did not ask for.
        for key in ("wkt_step_name", "notes", "custom_target_speed_low"):
            if key not in exp:
                assert key not in got, f"{name}: step {exp['message_index']} has {key}: {got}"
        if exp["duration_type"] == "repeat_until_steps_cmplt":
            assert got["duration_step"] < got["message_index"], f"{name}: repeat must point back"


def compare_with_reference(reference, ours):
    ref, mine = read(reference), read(ours)
    for kind in ("file_id_mesgs", "workout_mesgs", "workout_step_mesgs"):
        assert len(ref[kind]) == len(mine[kind]), kind
        for r, o in zip(ref[kind], mine[kind]):
            for key, value in r.items():
                assert key in o and same(o[key], value), f"{kind}.{key}: {value!r} vs {o.get(key)!r}"


def main():
    folder = Path(sys.argv[1])
    files = sorted(folder.glob("*.fit"))
    assert files, f"no .fit files in {folder}"
    for fit in files:
        check(fit, json.loads(fit.with_suffix(".json").read_text()))
    if len(sys.argv) > 2:
        compare_with_reference(sys.argv[2], folder / "reference-like.fit")
        print("reference-like.fit matches Garmin's SDK-encoded reference")
    print(f"checked {len(files)} workout files")


if __name__ == "__main__":
    main()
