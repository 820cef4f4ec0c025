#!/usr/bin/env python3
"""Times commands in interleaved rounds and prints each one's median wall time beside the
first (the reference), as a ratio. Interleaving spreads the load of a shared machine over all
commands alike, so the ratios hold even when the absolute times drift.

    scripts/interleave.py RUNS LABEL 'REFERENCE COMMAND' 'COMMAND' ...

Each round runs every command once, starting from a different one each round; one warm-up
round is not counted. Output goes to /dev/null; exit codes are ignored (a scanner exits 1
when it finds something).
"""
import shlex
import statistics
import subprocess
import sys
import time

runs, label, *commands = sys.argv[1:]
runs = int(runs)
argvs = [shlex.split(c) for c in commands]
times = [[] for _ in commands]
for round_ in range(runs + 1):
    for k in range(len(argvs)):
        i = (round_ + k) % len(argvs)
        start = time.perf_counter()
        subprocess.run(argvs[i], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if round_ > 0:
            times[i].append(time.perf_counter() - start)
ref = statistics.median(times[0])
print(f"{label} ({runs} interleaved runs, medians):")
for command, ts in zip(commands, times):
    m = statistics.median(ts)
    print(f"  {m:7.3f} s  {m / ref:5.2f}x  (min {min(ts):.3f}, max {max(ts):.3f})  {command}")
