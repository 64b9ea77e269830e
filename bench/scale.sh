#!/usr/bin/env bash
# Scale: a facility with 5,000 devices in its ledger and 500 contacts.
# In-process time (cargo bench --bench scale, which also writes the facility to
# target/scale/), then a cold `cyberbcp build` of it (PDF, then .docx) with its peak memory.
#
#   bash bench/scale.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo bench --quiet --bench scale
cargo build --release --quiet
/usr/bin/time -v target/release/cyberbcp build target/scale/facility.toml -o target/scale/facility.pdf 2>&1 \
  | grep -E "ページ|Elapsed|Maximum resident"
# The same plan as a Word file (issue 26: within the PDF's bounds).
/usr/bin/time -v target/release/cyberbcp build target/scale/facility.toml -o target/scale/facility.docx 2>&1 \
  | grep -E "Elapsed|Maximum resident"
