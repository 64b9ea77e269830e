#!/usr/bin/env bash
# The schema as editors use it: taplo (the engine of VS Code's "Even Better
# TOML") lints the example, the fixtures and every kind's starter against
# `cyberbcp schema`, and must reject a misspelt key and a bad enum value.
# Skips (exit 0) when taplo is not installed: `pip install taplo`.
#
#   bash scripts/taplo-lint.sh            # builds the binary with cargo
#   CYBERBCP=path/to/cyberbcp bash scripts/taplo-lint.sh
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v taplo >/dev/null 2>&1; then
  echo "taplo がないためスキップします（pip install taplo）"
  exit 0
fi
bin=${CYBERBCP:-}
if [ -z "$bin" ]; then
  cargo build --quiet --locked
  bin="${CARGO_TARGET_DIR:-target}/debug/cyberbcp"
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export RUST_LOG=warn   # taplo's info lines are noise here

"$bin" schema -o "$tmp/cyberbcp.schema.json" >/dev/null 2>&1
schema="file://$tmp/cyberbcp.schema.json"

# Starters and the written-out example carry `#:schema ./cyberbcp.schema.json`
# and the schema beside them: lint them exactly as an editor would see them.
for kind in hospital clinic pharmacy; do
  mkdir -p "$tmp/$kind"
  "$bin" init --kind "$kind" "$tmp/$kind/facility.toml" >/dev/null 2>&1
done
"$bin" init --example "$tmp/example" >/dev/null 2>&1
taplo lint "$tmp"/hospital/facility.toml "$tmp"/clinic/facility.toml \
  "$tmp"/pharmacy/facility.toml "$tmp"/example/facility.toml
echo "ok: starters (hospital, clinic, pharmacy) and init --example"

# The repository's example and fixtures, with the schema given explicitly.
taplo lint --schema "$schema" facility.example.toml tests/fixtures/*/facility.toml
echo "ok: facility.example.toml and tests/fixtures/*/facility.toml"

# What must be refused.
must_fail() {
  local what=$1 file=$2
  if taplo lint --schema "$schema" "$file" >"$tmp/out.txt" 2>&1; then
    echo "FAIL: taplo accepted $what" >&2
    exit 1
  fi
  echo "ok: rejects $what"
}
sed 's/^\[\[backups\]\]/[[backup]]/' tests/fixtures/clinic/facility.toml >"$tmp/misspelt.toml"
must_fail "a misspelt table ([[backup]])" "$tmp/misspelt.toml"
sed 's/^kind = "clinic"/kind = "clinik"/' tests/fixtures/clinic/facility.toml >"$tmp/enum.toml"
must_fail 'a bad enum (kind = "clinik")' "$tmp/enum.toml"
sed '0,/^name = /s/^name = /nmae = /' tests/fixtures/clinic/facility.toml >"$tmp/key.toml"
must_fail "a misspelt key (nmae)" "$tmp/key.toml"

# A chain (tests/fixtures/chain): the head office's base and the stores that
# `extends` it are each part of a plan, so they use the base schema (no table
# required, the same keys and values); the plan schema refuses the base.
"$bin" schema --base -o "$tmp/cyberbcp.base.schema.json" >/dev/null 2>&1
base="file://$tmp/cyberbcp.base.schema.json"
taplo lint --schema "$base" tests/fixtures/chain/hq.toml tests/fixtures/chain/stores/*.toml
mkdir -p "$tmp/chain/stores"
cp tests/fixtures/chain/hq.toml "$tmp/chain/"
"$bin" init --kind pharmacy --extends ../hq.toml "$tmp/chain/stores/new.toml" >/dev/null 2>&1
taplo lint "$tmp/chain/stores/new.toml"
echo "ok: the chain fixture and an init --extends starter against the base schema"
if taplo lint --schema "$schema" tests/fixtures/chain/hq.toml >"$tmp/out.txt" 2>&1; then
  echo "FAIL: the plan schema accepted a base without [facility]" >&2
  exit 1
fi
echo "ok: the plan schema rejects a base (no [facility])"
sed 's/^\[\[systems\]\]/[[system]]/' tests/fixtures/chain/hq.toml >"$tmp/base-misspelt.toml"
if taplo lint --schema "$base" "$tmp/base-misspelt.toml" >"$tmp/out.txt" 2>&1; then
  echo "FAIL: the base schema accepted a misspelt table ([[system]])" >&2
  exit 1
fi
echo "ok: the base schema rejects a misspelt table ([[system]])"
