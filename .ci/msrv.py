#!/usr/bin/env python3
"""Fails when the workspace's declared rust-version is lower than what a
locked dependency declares. Clippy's incompatible_msrv lint (run with -D
warnings) covers our own code against the same declared version; together
they keep README's "Rust 1.xx or newer" honest without another toolchain."""

import json
import subprocess
import sys


def version(text):
    parts = [int(part) for part in text.split(".")]
    return tuple(parts + [0] * (3 - len(parts)))


meta = json.loads(
    subprocess.run(
        ["cargo", "metadata", "--format-version", "1", "--locked"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
)
members = set(meta["workspace_members"])
ours = {p["rust_version"] for p in meta["packages"] if p["id"] in members}
if len(ours) != 1 or None in ours:
    sys.exit(f"every workspace crate must declare the workspace rust-version, found {sorted(map(str, ours))}")
declared = ours.pop()
needs = [
    (version(p["rust_version"]), p["name"], p["version"], p["rust_version"])
    for p in meta["packages"]
    if p["id"] not in members and p.get("rust_version")
]
too_new = sorted(n for n in needs if n[0] > version(declared))
if too_new:
    for _, name, ver, rv in too_new:
        print(f"{name} {ver} needs Rust {rv}", file=sys.stderr)
    sys.exit(f"rust-version {declared} is lower than the locked dependencies need: raise it in Cargo.toml and README.md")
highest = max(needs)
print(f"rust-version {declared}: the highest dependency requirement is {highest[1]} {highest[2]} ({highest[3]})")
