#!/usr/bin/env bash
# Batch throughput: 1,000 facilities (variants of the example and the two
# fixtures) built with --jobs 1 and --jobs 2, against the same work done by one
# `cyberbcp build` process per file, two at a time (what a user would script).
# Peak memory for 100 and for 1,000 facilities shows whether it stays flat.
# Then `check` over the same folder.
#
#   bash bench/batch.sh            # needs /usr/bin/time (GNU time)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=$PWD/target/release/cyberbcp
n=${BATCH_N:-1000}

make_plans() { # dir count
  rm -rf "$1"; mkdir -p "$1/examples"
  cp examples/devices.csv examples/network.svg "$1/examples/"
  cp tests/fixtures/pharmacy/network.png "$1/"
  for i in $(seq -w 1 "$2"); do
    case $((10#$i % 3)) in
      0) src=facility.example.toml ;;
      1) src=tests/fixtures/clinic/facility.toml ;;
      *) src=tests/fixtures/pharmacy/facility.toml ;;
    esac
    # A different facility name in each (the first `name = "` is [facility]'s).
    sed "0,/^name = \"/s//name = \"$i /" "$src" > "$1/f$i.toml"
  done
}

timed() { # label command...
  local log; log=$(mktemp)
  /usr/bin/time -v "${@:2}" > /dev/null 2> "$log" || true
  local wall rss
  wall=$(grep "Elapsed (wall clock)" "$log" | awk '{print $NF}')
  rss=$(grep "Maximum resident set size" "$log" | awk '{print $NF}')
  printf '%-58s wall %8s  peak RSS %6d MB\n' "$1" "$wall" $((rss / 1024))
  rm -f "$log"
}

plans=target/bench-plans
make_plans "$plans" "$n"
out=target/bench-out
rm -rf "$out"; mkdir -p "$out"

timed "build $n facilities --jobs 1" "$bin" build "$plans" --out-dir "$out/j1" --jobs 1
timed "build $n facilities --jobs 2" "$bin" build "$plans" --out-dir "$out/j2" --jobs 2
timed "one process per file, two at a time (xargs -P2)" \
  bash -c "ls $plans/*.toml | xargs -P2 -n1 $bin build >/dev/null 2>&1"
timed "check $n facilities" "$bin" check "$plans" --format csv

small=target/bench-plans-100
make_plans "$small" 100
timed "build 100 facilities --jobs 2 (memory: compare with $n)" "$bin" build "$small" --out-dir "$out/small" --jobs 2
