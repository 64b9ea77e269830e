#!/usr/bin/env bash
# Cold-process timing of `cyberbcp build` (PDF and --format docx) and `cyberbcp check` on the
# example (median via hyperfine; the .docx target: within 1.5× of the PDF),
# and, when a typst CLI of the same version is on PATH, of `typst compile` on
# the very source cyberbcp generated, for reference. Then the in-process
# phase breakdown (cargo bench --bench pipeline).
#
#   bash bench/build.sh            # needs hyperfine (apt-get install hyperfine)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=target/release/cyberbcp
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$bin" build facility.example.toml -o "$out/plan.pdf" --emit-typst "$out/src" 2>/dev/null

if command -v hyperfine >/dev/null; then
  cmds=("$bin build facility.example.toml -o $out/plan.pdf" "$bin build facility.example.toml -o $out/plan.docx" "$bin check facility.example.toml")
  if command -v typst >/dev/null; then
    cmds+=("typst compile --ignore-system-fonts --font-path $out/src $out/src/main.typ $out/typst.pdf")
  fi
  hyperfine --warmup 2 --runs 15 --style basic "${cmds[@]}"
else
  echo "hyperfine not found: timing 10 cold runs with bash's time instead"
  time (for _ in $(seq 10); do "$bin" build facility.example.toml -o "$out/plan.pdf" 2>/dev/null; done)
  time (for _ in $(seq 10); do "$bin" build facility.example.toml -o "$out/plan.docx" 2>/dev/null; done)
  time (for _ in $(seq 10); do "$bin" check facility.example.toml >/dev/null; done)
fi
/usr/bin/time -v "$bin" build facility.example.toml -o "$out/plan.pdf" 2>&1 | grep -E "Maximum resident|Elapsed" || true
/usr/bin/time -v "$bin" build facility.example.toml -o "$out/plan.docx" 2>&1 | grep -E "Maximum resident|Elapsed" || true
cargo bench --quiet --bench pipeline
