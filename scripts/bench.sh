#!/usr/bin/env bash
# Benchmark: sealant against ripgrep (the cost of reading every byte once) on a large real tree.
#
#   scripts/bench.sh [TREE]
#
# Without TREE, builds one: `npm install` of popular frontend and backend packages into
# $BENCH_DIR (default /tmp/sealant-bench), about 1 GB in ~50k files; it is reused on later runs.
# Needs ripgrep (`apt-get install ripgrep`) and hyperfine (`apt-get install hyperfine`) on PATH.
# Prints wall time of each tool (hyperfine, warm cache) and sealant's peak RSS.
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
for tool in rg hyperfine; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is not installed (apt-get install ${tool/rg/ripgrep})" >&2; exit 2; }
done

cargo build --release --quiet
bin=target/release/sealant
echo "tree: $tree ($(du -sh "$tree" | cut -f1), $(find "$tree" -type f | wc -l) files)"
hyperfine --warmup 1 --runs "${RUNS:-5}" --ignore-failure \
  "rg -uuu -F -c sk_live_ $tree" \
  "$bin scan --no-ignore --quiet $tree"
/usr/bin/time -f "sealant peak RSS: %M KiB, wall %e s" "$bin" scan --no-ignore --quiet "$tree" >/dev/null || true
