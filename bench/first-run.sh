#!/usr/bin/env bash
# A newcomer's first run (issue 24): clone this repository into a temporary
# folder and time the README's two commands there, cold (a fresh target/):
#
#   1. cargo run -- build facility.example.toml
#   2. cargo test --locked
#
# For each: wall time, CPU time (user + sys: less sensitive to other load on the
# machine than wall time) and peak memory, then the total. Target: both
# together ≤ 12 min on a 2-core machine. Takes as long as it measures (~10 min).
#
#   bash bench/first-run.sh               # clones HEAD of this repository
#   bash bench/first-run.sh --keep        # keeps the clone (and its target/timings)
#   TIMINGS=1 bash bench/first-run.sh     # also writes cargo's --timings reports
#
# Uses GNU time (/usr/bin/time, Debian package `time`). Nothing is downloaded
# other than what cargo fetches into ~/.cargo (the crates, once per machine);
# run `cargo fetch --locked` first to keep network time out of the figures.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
keep=0
[ "${1:-}" = "--keep" ] && keep=1
timings=()
[ -n "${TIMINGS:-}" ] && timings=(--timings)
[ -x /usr/bin/time ] || { echo "needs GNU time (apt-get install time)"; exit 1; }

work=$(mktemp -d)
if [ "$keep" = 0 ]; then trap 'rm -rf "$work"' EXIT; fi
git clone --quiet "$here" "$work/repo"
cd "$work/repo"
# The figures are for the default settings: nothing inherited from this shell.
unset CARGO_TARGET_DIR CARGO_BUILD_JOBS CARGO_INCREMENTAL RUSTFLAGS CARGO_PROFILE_DEV_DEBUG
(cd "$here" && cargo fetch --locked --quiet)

echo "commit $(git rev-parse --short HEAD), $(nproc) cores, $(cargo --version)"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"

# run NAME CMD...: times CMD with GNU time into $work/NAME.time, its output into $work/NAME.log.
run() {
  local name=$1
  shift
  /usr/bin/time -v -o "$work/$name.time" "$@" >"$work/$name.log" 2>&1 || {
    echo "$name failed (exit $?): last lines of $work/$name.log:"
    tail -20 "$work/$name.log"
    keep=1
    trap - EXIT
    exit 1
  }
}
# field FILE LABEL: one value from GNU time's -v report.
field() { sed -n "s/^\s*$2: //p" "$1"; }
# seconds FILE: wall seconds from "h:mm:ss" or "m:ss.ss".
seconds() {
  field "$1" "Elapsed (wall clock) time (h:mm:ss or m:ss)" |
    awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; printf "%.0f", s }'
}
cpu() { awk -v u="$(field "$1" "User time (seconds)")" -v s="$(field "$1" "System time (seconds)")" 'BEGIN { printf "%.0f", u + s }'; }
report() {
  local f=$work/$1.time
  printf '%-48s wall %5s s   CPU %5s s   peak %5s MB   (load after %s)\n' "$2" "$(seconds "$f")" "$(cpu "$f")" \
    "$(($(field "$f" "Maximum resident set size (kbytes)") / 1024))" "$(cut -d' ' -f1 /proc/loadavg)"
}

run build cargo run "${timings[@]}" -- build facility.example.toml
report build "cargo run -- build facility.example.toml"
test -s facility.example.pdf || { echo "no facility.example.pdf"; exit 1; }
run test cargo test --locked "${timings[@]}"
report test "cargo test --locked"
grep -E '^test result:' "$work/test.log" | awk '{ p += $4; f += $6; i += $8 } END { printf "  tests: %d passed, %d failed, %d ignored\n", p, f, i }'
# The suite's own run time, inside the second command (not counting its compiling).
grep -E 'finished in' "$work/test.log" | awk '{ for (i = 1; i <= NF; i++) if ($i == "in") { gsub("s", "", $(i+1)); t += $(i+1) } } END { printf "  of which running the tests: %.0f s (sum of the test binaries)\n", t }'
total_wall=$(($(seconds "$work/build.time") + $(seconds "$work/test.time")))
total_cpu=$(($(cpu "$work/build.time") + $(cpu "$work/test.time")))
printf '%-48s wall %5s s   CPU %5s s   (%d min %02d s; target ≤ 12 min)\n' "both" "$total_wall" "$total_cpu" \
  $((total_wall / 60)) $((total_wall % 60))
if [ "$keep" = 1 ]; then echo "kept: $work (logs *.log, GNU time *.time, repo/target/cargo-timings/)"; fi
