#!/usr/bin/env bash
# Benchmark: sealant against ripgrep (the cost of reading every byte once) on a large real tree.
#
#   scripts/bench.sh [TREE]
#
# Without TREE, builds one: `npm install` of popular frontend and backend packages into
# $BENCH_DIR (default /tmp/sealant-bench), about 1 GB in ~50k files; it is reused on later runs.
# Needs ripgrep (`apt-get install ripgrep`) on PATH.
# Prints, side by side with their references (scripts/interleave.py: warm cache, medians of
# RUNS interleaved runs, default 7, to read as ratios):
# the tree against ripgrep and sealant's peak RSS; the tree with 150 extra keyworded rules; a
# .tgz against `gzip -dc` and a zip against `unzip -p`; 200,000 empty files against ripgrep.
# BENCH_WORK keeps the generated archives and files between runs.
set -euo pipefail
cd "$(dirname "$0")/.."

tree=${1:-}
if [ -z "$tree" ]; then
  tree=${BENCH_DIR:-/tmp/sealant-bench}
  if [ ! -d "$tree/node_modules" ]; then
    mkdir -p "$tree"
    (cd "$tree" && npm init -y >/dev/null &&
      npm install --no-audit --no-fund --ignore-scripts \
        react react-dom next typescript @angular/core @angular/cli @angular/compiler \
        webpack vite esbuild aws-sdk @babel/core eslint jest lodash moment three \
        googleapis @mui/material @mui/icons-material rxjs @aws-sdk/client-s3 stripe)
  fi
fi
command -v rg >/dev/null || { echo "bench: rg is not installed (apt-get install ripgrep)" >&2; exit 2; }
runs=${RUNS:-7}
time_them() { python3 scripts/interleave.py "$runs" "$@"; }

cargo build --release --quiet
bin=$PWD/target/release/sealant
work=${BENCH_WORK:-$(mktemp -d)}
mkdir -p "$work"
echo "tree: $tree ($(du -sh "$tree" | cut -f1), $(find "$tree" -type f | wc -l) files)"
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"

# 1. The tree against ripgrep reading every byte once.
time_them "1. tree against ripgrep" \
  "rg -uuu -F -c sk_live_ $tree" \
  "$bin scan --no-ignore --quiet --fail-on never $tree"
/usr/bin/time -f "sealant peak RSS: %M KiB, wall %e s" "$bin" scan --no-ignore --quiet --fail-on never "$tree" >/dev/null || true

# 2. The same tree with 150 more keyworded rules (distinct literal prefixes, as a user
#    migrating from another scanner brings them): the prefilter's cost should not follow.
python3 - "$work/extra.toml" <<'PY'
import random, string, sys
random.seed(150)
with open(sys.argv[1], "w") as f:
    for i in range(150):
        prefix = "".join(random.choices(string.ascii_lowercase, k=3)) + random.choice("_-") + str(i) + "x"
        body = "".join(random.choices(string.ascii_letters + string.digits, k=32))
        f.write(f"""[[rule]]
id = "extra.r{i}"
title = "Extra rule {i}"
severity = "high"
keywords = ["{prefix}"]
regex = '{prefix}[0-9A-Za-z]{{32}}'
remediation = "Revoke it."
examples = ["{prefix}{body}"]

""")
PY
time_them "2. tree with 150 more rules against the default catalog" \
  "$bin scan --no-ignore --quiet --fail-on never $tree" \
  "$bin scan --no-ignore --quiet --fail-on never --rules $work/extra.toml $tree"

# 3. Archives against their decompressors: a .tgz against gzip -dc, a zip against unzip -p.
if [ ! -f "$work/tree.tgz" ]; then
  tar -C "$(dirname "$tree")" -czf "$work/tree.tgz" "$(basename "$tree")"
fi
time_them "3a. .tgz against gzip -dc" \
  "bash -c 'gzip -dc $work/tree.tgz > /dev/null'" \
  "$bin scan --quiet --fail-on never $work/tree.tgz"
if command -v zip >/dev/null && command -v unzip >/dev/null; then
  [ -f "$work/tree.zip" ] || (cd "$(dirname "$tree")" && zip -qr "$work/tree.zip" "$(basename "$tree")")
  time_them "3b. zip against unzip -p" \
    "bash -c 'unzip -p $work/tree.zip > /dev/null'" \
    "$bin scan --quiet --fail-on never $work/tree.zip"
else
  echo "bench: zip/unzip not installed (apt-get install zip unzip): zip row skipped" >&2
fi

# 4. Per-file overhead: 200,000 empty files.
if [ ! -d "$work/empty" ]; then
  mkdir -p "$work/empty"
  (cd "$work/empty" && for d in $(seq 0 199); do mkdir "$d"; (cd "$d" && touch $(seq -f "f%g" 0 999)); done)
fi
time_them "4. 200,000 empty files against ripgrep" \
  "rg -uuu -F -c sk_live_ $work/empty" \
  "$bin scan --no-ignore --quiet --fail-on never $work/empty"
