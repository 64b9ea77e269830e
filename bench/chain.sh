#!/usr/bin/env bash
# A chain of N stores (default 300) that `extends` one head-office file,
# against N independent plans with the very same content (the base's text
# and the store's own in one file): `check DIR` and `build DIR` over each, in
# one run, and the ratio chain / independent per store. The base is read once
# per run (model::Bases), so a chain's store costs what an independent plan
# does. BUILD_N (default 30) sets how many are built to PDF (Typst dominates).
#
#   bash bench/chain.sh                 # release build
#   BIN=target/debug/cyberbcp bash bench/chain.sh
set -euo pipefail
cd "$(dirname "$0")/.."
n=${CHAIN_N:-300}
build_n=${BUILD_N:-30}
if [ -z "${BIN:-}" ]; then
  cargo build --release --quiet
  BIN=target/release/cyberbcp
fi
bin=$(realpath "$BIN")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

hq=tests/fixtures/chain/hq.toml
make() { # dir count
  mkdir -p "$1/chain/stores" "$1/plain"
  cp "$hq" tests/fixtures/chain/network.png "$1/chain/"
  cp tests/fixtures/chain/network.png "$1/plain/"
  local kinds=(hospital clinic)
  for i in $(seq -w 1 "$2"); do
    src=tests/fixtures/chain/stores/${kinds[$((10#$i % 2))]}.toml
    # The store's own lines with its own name; the independent plan is the
    # base's text followed by the same lines (arrays of tables append).
    own=$(grep -v '^extends = ' "$src" | sed "0,/^name = \"/s//name = \"$i /")
    { echo 'extends = "../hq.toml"'; echo "$own"; } > "$1/chain/stores/s$i.toml"
    { cat "$hq"; echo; echo "$own"; } > "$1/plain/s$i.toml"
  done
}

ms() { # command... → elapsed milliseconds
  local t0 t1
  t0=$(date +%s%N)
  "$@" >/dev/null 2>&1 || true
  t1=$(date +%s%N)
  echo $(((t1 - t0) / 1000000))
}

ratio() { # label chain_ms plain_ms count
  awk -v l="$1" -v c="$2" -v p="$3" -v n="$4" 'BEGIN {
    printf "%-28s chain %7d ms (%.2f ms/store)   independent %7d ms (%.2f ms/plan)   ratio %.3f\n",
      l, c, c / n, p, p / n, c / p }'
}

make "$work/check" "$n"
# Same answers first: the chain's matrix equals the independent plans' (names aside).
"$bin" check --color=never --today 2025-07-01 "$work/check/chain/stores" > "$work/a.out" 2>/dev/null || true
"$bin" check --color=never --today 2025-07-01 "$work/check/plain" > "$work/b.out" 2>/dev/null || true
head -n "$((n + 1))" "$work/a.out" | cut -c1-60 > "$work/a.txt"
head -n "$((n + 1))" "$work/b.out" | cut -c1-60 > "$work/b.txt"
grep -q "^$n 施設: " "$work/a.out" || { echo "the chain's check did not read $n stores"; tail -3 "$work/a.out"; exit 1; }
if ! diff -q "$work/a.txt" "$work/b.txt" >/dev/null; then
  echo "the chain and the independent plans disagree:"; diff "$work/a.txt" "$work/b.txt" | head; exit 1
fi
# Alternate the two, three rounds each, and keep the best of each.
best() { sort -n | head -1; }
c=$(for _ in 1 2 3; do ms "$bin" check --today 2025-07-01 "$work/check/chain/stores"; done | best)
p=$(for _ in 1 2 3; do ms "$bin" check --today 2025-07-01 "$work/check/plain"; done | best)
ratio "check ($n)" "$c" "$p" "$n"

# Wall-clock times on a shared machine are noisy: instruction counts
# (callgrind, when valgrind is installed) of the same two checks are not.
if command -v valgrind >/dev/null && [ "${CALLGRIND:-1}" = 1 ]; then
  m=${CALLGRIND_N:-100}
  rm -rf "$work/cg"; make "$work/cg" "$m"
  ir() { valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null |
    sed -n 's/.*Collected : \([0-9]*\).*/\1/p'; }
  c=$(ir "$bin" check --today 2025-07-01 "$work/cg/chain/stores")
  p=$(ir "$bin" check --today 2025-07-01 "$work/cg/plain")
  awk -v c="$c" -v p="$p" -v n="$m" 'BEGIN {
    printf "check (%d), instructions     chain %.0f (%.1f M/store)   independent %.0f (%.1f M/plan)   ratio %.3f\n",
      n, c, c / n / 1e6, p, p / n / 1e6, c / p }'
fi

make "$work/build" "$build_n"
c=$(ms "$bin" build --jobs 2 "$work/build/chain/stores")
p=$(ms "$bin" build --jobs 2 "$work/build/plain")
built=$(find "$work/build/chain/stores" -name '*.pdf' | wc -l)
[ "$built" -eq "$build_n" ] || { echo "only $built of $build_n stores built"; exit 1; }
ratio "build --jobs 2 ($build_n)" "$c" "$p" "$build_n"
