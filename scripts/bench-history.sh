#!/usr/bin/env bash
# Benchmark: `sealant scan --history` on a large real history, against the cost of inflating the
# same objects with git itself.
#
#   scripts/bench-history.sh [REPO]
#
# REPO is a git repository (bare or not); without it, a bare clone of laravel/framework is made
# in $BENCH_DIR (default /tmp/sealant-bench-history) and reused. Needs hyperfine
# (`apt-get install hyperfine`). Prints, as medians of interleaved runs:
#   - git cat-file --batch over the blobs sealant reads (one process), and
#     git cat-file --batch-all-objects --batch (every object in the store);
#   - sealant scan --history (every ref), and its ratio to both;
#   - a pull-request range of the last 10 commits;
#   - the peak memory of the scan and its git children together (RSS and PSS), and sealant's.
set -euo pipefail
cd "$(dirname "$0")/.."

repo=${1:-}
if [ -z "$repo" ]; then
  repo=${BENCH_DIR:-/tmp/sealant-bench-history}/framework.git
  [ -d "$repo" ] || git clone --bare https://github.com/laravel/framework "$repo"
fi
command -v hyperfine >/dev/null || { echo "bench: hyperfine is not installed (apt-get install hyperfine)" >&2; exit 2; }

cargo build --release --quiet
bin=$PWD/target/release/sealant
cd "$repo"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "repository: $repo"
echo "  commits: $(git rev-list --all | wc -l), refs: $(git for-each-ref | wc -l)"
# The blobs the history introduces, in first-seen order (what sealant reads).
git rev-list --all --topo-order --reverse |
  git diff-tree --stdin -r --root -c --no-renames --raw -z --no-abbrev |
  tr '\0' '\n' | awk '/^:/ { n = split($0, f, " "); id = f[n - 1]; if (id !~ /^0+$/ && !seen[id]++) print id }' \
  > "$work/blobs"
echo "  distinct blobs: $(wc -l < "$work/blobs")"

hyperfine -N --warmup 1 --runs 5 --export-json "$work/full.json" \
  -n 'git cat-file --batch (those blobs)' "bash -c 'git cat-file --batch < $work/blobs > /dev/null'" \
  -n 'git cat-file --batch-all-objects --batch' "bash -c 'git cat-file --batch-all-objects --batch > /dev/null'" \
  -n 'sealant scan --history' "$bin scan --history -q --fail-on never"

base=$(git rev-parse HEAD~10)
hyperfine -N --warmup 2 --runs 10 -n 'sealant scan --history HEAD~10..HEAD' \
  "$bin scan --history -q --fail-on never $base..HEAD"

python3 - "$work/full.json" <<'PY'
import json, statistics, sys
r = {x["command"]: statistics.median(x["times"]) for x in json.load(open(sys.argv[1]))["results"]}
s = r["sealant scan --history"]
for name, t in r.items():
    print(f"  {name}: {t:.2f} s (sealant / this = {s / t:.2f}x)")
PY

python3 - "$bin" <<'PY'
# Peak memory of the scan with its git children, sampled every 20 ms: resident (RSS, pages of a
# pack mapped by several children counted in each), proportional (PSS: shared pages divided
# among their users) and sealant's own.
import os, subprocess, sys, time
p = subprocess.Popen([sys.argv[1], "scan", "--history", "-q", "--fail-on", "never"], stdout=subprocess.DEVNULL)

def field(text, name):
    for line in text.splitlines():
        if line.startswith(name):
            return int(line.split()[1])
    return 0

def tree(pid):
    out, todo = [], [pid]
    while todo:
        q = todo.pop()
        out.append(q)
        try:
            for t in os.listdir(f"/proc/{q}/task"):
                todo += [int(c) for c in open(f"/proc/{q}/task/{t}/children").read().split()]
        except OSError:
            pass
    return out

own = rss = pss = 0
while p.poll() is None:
    total_rss = total_pss = 0
    for q in tree(p.pid):
        try:
            status = open(f"/proc/{q}/status").read()
            rollup = open(f"/proc/{q}/smaps_rollup").read()
        except OSError:
            continue
        total_rss += field(status, "VmRSS:")
        total_pss += field(rollup, "Pss:")
        if q == p.pid:
            own = max(own, field(status, "VmHWM:"))
    rss, pss = max(rss, total_rss), max(pss, total_pss)
    time.sleep(0.02)
print(f"  peak memory with git's children: RSS {rss / 1024:.0f} MB, PSS {pss / 1024:.0f} MB; "
      f"sealant alone {own / 1024:.0f} MB")
PY
