#!/usr/bin/env python3
"""Sum a Typst timing trace (benches/pipeline.rs BENCH_TRACE) by phase.

For each event name: how many times it ran, its inclusive time (outermost
calls only, so recursion is not counted twice) and its self time (minus the
timed calls inside it). Usage: python3 bench/trace-summary.py trace.json [N]
"""
import json
import sys
from collections import defaultdict

events = json.load(open(sys.argv[1]))
top = int(sys.argv[2]) if len(sys.argv) > 2 else 25
count = defaultdict(int)
incl = defaultdict(float)
self_t = defaultdict(float)
stack = []  # (name, start, child time)
depth = defaultdict(int)
for e in events:
    if e["ph"] == "B":
        name = e["name"]
        if e.get("args"):
            name += f' {e["args"]["file"]}:{e["args"]["line"]}'
        stack.append([name, e["ts"], 0.0])
        depth[name] += 1
    elif e["ph"] == "E" and stack:
        name, start, child = stack.pop()
        dur = e["ts"] - start
        depth[name] -= 1
        count[name] += 1
        if depth[name] == 0:
            incl[name] += dur
        self_t[name] += dur - child
        if stack:
            stack[-1][2] += dur
print(f"{'phase':50} {'calls':>9} {'incl ms':>10} {'self ms':>10}")
for name in sorted(self_t, key=lambda n: -self_t[n])[:top]:
    print(f"{name:50} {count[name]:9} {incl[name] / 1000:10.1f} {self_t[name] / 1000:10.1f}")
