#!/usr/bin/env bash
# Cold-process timing of `cyberbcp check` on the example: issue 12's bar is
# ≤ 20 ms (release build). `check` reads the TOML, the ledger and the diagram,
# validates and judges the 27 items; it never builds Typst's fonts, parses a
# template or starts Typst. On a busy machine wall time is noisy, so the
# instruction count (valgrind, when installed) is printed too: it does not
# depend on the load.
#
#   bash bench/check.sh                  # release binary (builds it first)
#   PROFILE=debug bash bench/check.sh    # the dev binary as it is (no build)
set -euo pipefail
cd "$(dirname "$0")/.."
profile=${PROFILE:-release}
if [ "$profile" = release ]; then
  cargo build --release --quiet
fi
bin=${CARGO_TARGET_DIR:-target}/$profile/cyberbcp
plan=facility.example.toml
# The date pinned, so every run judges the same facts.
day=2026-11-24

if command -v hyperfine >/dev/null; then
  hyperfine -N --warmup 3 --runs 40 --style basic \
    "$bin check $plan --today $day" \
    "$bin check $plan --today $day --format json"
else
  echo "hyperfine not found (apt-get install hyperfine): 20 cold runs with bash's time"
  time (for _ in $(seq 20); do "$bin" check "$plan" --today "$day" >/dev/null; done)
fi
if command -v valgrind >/dev/null; then
  log=$(mktemp)
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" check "$plan" --today "$day" \
    >/dev/null 2>"$log" || true
  printf 'instructions (callgrind, one cold run): %s\n' \
    "$(grep -o 'refs: *[0-9,]*' "$log" | tr -s ' ' | cut -d' ' -f2)"
  rm -f "$log"
fi
