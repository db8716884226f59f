"""Hostile clients for bench/abuse.sh (standard library only).

slow   PORT ADDRS PER_ADDR SECONDS  sockets that send headers a line at a time,
                                    from many loopback addresses (127.0.1.x)
login  PORT ADDRS SECONDS           wrong logins for random accounts as fast as
                                    the server answers, from many addresses
rr     SECONDS CONNS PATHFILE TOKENFILE PORT...  a round-robin HTTP/1.1 client over
                                    several servers: p50/p99 and errors

Each prints one line starting with RESULT.
"""

import asyncio
import json
import random
import sys
import time


def source(i):
    # 127.0.1.1 … : every loopback address reaches the server and counts as
    # its own client for the per-address caps.
    return f"127.0.{1 + i // 250}.{1 + i % 250}"


async def slow(port, addrs, per_addr, seconds):
    opened = closed = refused = 0

    async def one(addr):
        nonlocal opened, closed, refused
        try:
            r, w = await asyncio.open_connection("127.0.0.1", port, local_addr=(addr, 0))
        except OSError:
            refused += 1
            return
        opened += 1
        w.write(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        end = time.monotonic() + seconds
        try:
            while time.monotonic() < end:
                await asyncio.sleep(2)
                w.write(b"X-Slow: 1\r\n")
                await w.drain()
                if r.at_eof():
                    raise ConnectionResetError
        except (ConnectionError, OSError):
            closed += 1
        finally:
            w.close()

    tasks = [one(source(a)) for a in range(addrs) for _ in range(per_addr)]
    await asyncio.gather(*tasks)
    print(f"RESULT sockets={len(tasks)} opened={opened} closed_by_server={closed} refused={refused}")


async def request(r, w, raw):
    w.write(raw)
    await w.drain()
    status_line = await r.readline()
    status = int(status_line.split()[1])
    length = 0
    while True:
        line = await r.readline()
        if line in (b"\r\n", b""):
            break
        k, _, v = line.decode().partition(":")
        if k.lower() == "content-length":
            length = int(v)
    await r.readexactly(length)
    return status


async def login(port, addrs, seconds):
    counts = {}
    end = time.monotonic() + seconds

    async def worker(addr):
        r = w = None
        while time.monotonic() < end:
            try:
                if w is None:
                    r, w = await asyncio.open_connection("127.0.0.1", port, local_addr=(addr, 0))
                body = json.dumps({"email": f"nobody{random.randrange(10**9)}@example.com", "password": "wrong password 123"}).encode()
                raw = (
                    b"POST /api/v1/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + f"Content-Length: {len(body)}\r\n\r\n".encode() + body
                )
                s = await request(r, w, raw)
                counts[s] = counts.get(s, 0) + 1
            except (ConnectionError, OSError, asyncio.IncompleteReadError, ValueError, IndexError):
                counts["socket"] = counts.get("socket", 0) + 1
                w = None
                await asyncio.sleep(0.05)

    await asyncio.gather(*(worker(source(a)) for a in range(addrs)))
    total = sum(counts.values())
    print("RESULT attempts=%d per_s=%.1f %s" % (total, total / seconds, " ".join(f"status_{k}={v}" for k, v in sorted(counts.items(), key=str))))


async def rr(seconds, conns, paths, tokens, ports):
    lat = []
    errors = 0
    statuses = {}
    end = time.monotonic() + seconds

    async def worker(i):
        nonlocal errors
        conns_by_port = {}
        n = i
        while time.monotonic() < end:
            port = ports[n % len(ports)]  # round robin over the servers
            n += 1
            path = random.choice(paths)
            tok, plan = random.choice(tokens)
            try:
                if port not in conns_by_port:
                    conns_by_port[port] = await asyncio.open_connection("127.0.0.1", port)
                r, w = conns_by_port[port]
                raw = f"GET {path.replace('{plan}', plan)} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {tok}\r\n\r\n".encode()
                t0 = time.perf_counter()
                s = await request(r, w, raw)
                lat.append(time.perf_counter() - t0)
                statuses[s] = statuses.get(s, 0) + 1
            except (ConnectionError, OSError, asyncio.IncompleteReadError, ValueError, IndexError):
                errors += 1
                conns_by_port.pop(port, None)

    await asyncio.gather(*(worker(i) for i in range(conns)))
    lat.sort()
    pct = lambda p: 1000 * lat[min(len(lat) - 1, int(p * len(lat)))] if lat else float("nan")
    non2xx = sum(v for k, v in statuses.items() if not 200 <= k < 300)
    print("RESULT requests=%d rps=%.1f p50_ms=%.2f p99_ms=%.2f non2xx=%d socket=%d statuses=%s" % (
        len(lat), len(lat) / seconds, pct(0.5), pct(0.99), non2xx, errors, json.dumps(statuses)))


def main():
    cmd, *a = sys.argv[1:]
    if cmd == "slow":
        asyncio.run(slow(int(a[0]), int(a[1]), int(a[2]), float(a[3])))
    elif cmd == "login":
        asyncio.run(login(int(a[0]), int(a[1]), float(a[2])))
    elif cmd == "rr":
        seconds, conns, pathfile, tokenfile, *ports = a
        paths = [l.strip() for l in open(pathfile) if l.strip()]
        # token file: "<token> <plan id>" per line
        tokens = [tuple(l.split()[:2]) for l in open(tokenfile) if l.strip()]
        asyncio.run(rr(float(seconds), int(conns), paths, tokens, [int(p) for p in ports]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
