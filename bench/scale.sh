#!/usr/bin/env bash
# Scale (issue 24): a facility with 5,000 devices in its ledger (CSV) and 500
# contacts, against the example, as cold processes of the release binary.
# Prints the issue's figures:
#   - the 5,000-device build: wall time and peak memory (targets ≤ 2 s, ≤ 400 MB);
#   - its ratio to the example's cold build, both timed alternately in one
#     hyperfine run (target ≤ 6×), so the machine's load weighs on both alike;
#   - 10,000 and 20,000 devices (the ledger cap) against 5,000 (≤ 2.2×, ≤ 4.5×);
#   - pages, so every row is seen to be printed.
# Then the in-process median (cargo bench --bench scale), and Typst's own floor:
# the ledger's values alone as a bare table and as plain lines.
#
#   bash bench/scale.sh            # needs hyperfine and GNU time
#   SCALE_SIZES="5000" bash bench/scale.sh   # only the 5,000-device plan
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=$PWD/target/release/cyberbcp
sizes=${SCALE_SIZES:-5000 10000 20000}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
plan() { if [ "$1" = 5000 ]; then echo target/scale/facility.toml; else echo "target/scale-$1/facility.toml"; fi; }
for n in $sizes; do SCALE_DEVICES=$n SCALE_RUNS=0 cargo bench --quiet --bench scale; done

echo "== peak memory and pages (one cold build each)"
for n in $sizes; do
  log=$(mktemp)
  /usr/bin/time -v "$bin" build "$(plan "$n")" -o "$out/$n.pdf" >"$log" 2>&1 || { cat "$log"; exit 1; }
  printf '%6s devices: %s, wall %s, peak RSS %d MB\n' "$n" \
    "$(grep -o '[0-9]* ページ' "$log" | head -1)" \
    "$(grep 'Elapsed (wall clock)' "$log" | awk '{print $NF}')" \
    $(( $(grep 'Maximum resident set size' "$log" | awk '{print $NF}') / 1024 ))
  rm -f "$log"
done

echo "== cold builds, timed alternately (hyperfine); ratios at the end"
cmds=("$bin build facility.example.toml -o $out/example.pdf")
for n in $sizes; do cmds+=("$bin build $(plan "$n") -o $out/$n.pdf"); done
hyperfine -N --warmup 1 --runs "${SCALE_RUNS:-5}" --style basic \
  --export-json "$out/times.json" "${cmds[@]}" 2>/dev/null | grep -E "Time|±" || true
python3 - "$out/times.json" $sizes <<'PY'
import json, sys
res = json.load(open(sys.argv[1]))["results"]
sizes = sys.argv[2:]
med = [r["median"] for r in res]
print(f"example (cold): {med[0]*1000:.0f} ms")
for n, m in zip(sizes, med[1:]):
    print(f"{n:>6} devices + 500 contacts: {m:.2f} s = {m/med[0]:.1f}× the example", end="")
    print(f", {m/med[1]:.2f}× the 5,000-device build" if sizes[0] == "5000" and n != "5000" else "")
PY
SCALE_RUNS=3 cargo bench --quiet --bench scale

# What Typst itself needs for the ledger's 60,000 values, with nothing else on
# the pages: the floor under the first figure above. Both read the same
# data.json (`--templates` with only a main.typ.tera; lib.typ is the built-in).
echo "== Typst's floor for the 5,000-row ledger alone (one cold build each)"
mkdir -p "$out/table" "$out/lines"
cat >"$out/table/main.typ.tera" <<'TYP'
#import "lib.typ": data, gothic
#set page(flipped: true, margin: 15mm)
#set text(font: gothic, size: 7.5pt, lang: "ja")
// 12 columns of Rust's widths, every row 22 pt: each cell laid out once.
#table(columns: data.ledger.widths.map(w => w * 1pt), rows: 22pt, inset: 4pt, ..data.ledger.rows)
TYP
cat >"$out/lines/main.typ.tera" <<'TYP'
#import "lib.typ": data, gothic
#set page(flipped: true, margin: 15mm)
#set text(font: gothic, size: 7.5pt, lang: "ja")
// The same values as one paragraph per device (no cells, no columns).
#for row in data.ledger.rows.chunks(12) { par(row.join("  ")) }
TYP
for kind in table lines; do
  /usr/bin/time -f "%e %M" -o "$out/$kind.time" "$bin" build "$(plan 5000)" --templates "$out/$kind" \
    -o "$out/$kind.pdf" >/dev/null 2>&1 || true
  read -r wall rss <"$out/$kind.time"
  case $kind in
    table) what="a bare 12-column table of the 60,000 values" ;;
    lines) what="the same values as 5,000 lines of text" ;;
  esac
  printf '  %-46s %6.2f s, peak RSS %d MB\n' "$what" "$wall" $((rss / 1024))
done

echo "== the 5,000-device plan as a Word file (issue 26: within the PDF's bounds)"
/usr/bin/time -v "$bin" build "$(plan 5000)" -o "$out/5000.docx" 2>&1 \
  | grep -E "Elapsed|Maximum resident"
