#!/usr/bin/env bash
# Write everything that is committed under generated/ into OUTDIR (default: generated).
# `make check-generated` runs this into a temporary folder and diffs, so keep it the only
# producer of generated/.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-generated}
ksy=ksy/qemu_migration.ksy
ksc=(node tools/ksc/ksc.js)

rm -rf "$out/python" "$out/javascript"
"${ksc[@]}" --target python --outdir "$out/python" "$ksy"
"${ksc[@]}" --target python --outdir "$out/python" ksy/qemu_multifd_channel.ksy
# A regular package, installed as migkaitai_ksy (see pyproject.toml).
printf '"""Parsers generated from ksy/ by kaitai-struct-compiler (make generate). Do not edit."""\n' \
    >"$out/python/__init__.py"
"${ksc[@]}" --target javascript --outdir "$out/javascript" "$ksy"
"${ksc[@]}" --target javascript --outdir "$out/javascript" ksy/qemu_multifd_channel.ksy
