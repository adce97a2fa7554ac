#!/usr/bin/env bash
# Write everything that is committed under generated/ into OUTDIR (default: generated).
# `make check-generated` runs this into a temporary folder and diffs, so keep it the only
# producer of generated/.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-generated}
ksy=ksy/qemu_migration.ksy
ksc=(node tools/ksc/ksc.js)

specs=("$ksy" ksy/qemu_multifd_channel.ksy ksy/lzop.ksy ksy/libvirt_qemu_save.ksy ksy/qcow2.ksy)

rm -rf "$out/python" "$out/javascript"
for spec in "${specs[@]}"; do
    "${ksc[@]}" --target python --outdir "$out/python" "$spec"
    "${ksc[@]}" --target javascript --outdir "$out/javascript" "$spec"
done
# A regular package, installed as migkaitai_ksy (see pyproject.toml). The compiler writes a
# spec's imports as top-level imports (`import qemu_migration`: its JS API cannot set
# --python-package), so the package makes its modules importable under those names too.
cat >"$out/python/__init__.py" <<'PY'
"""Parsers generated from ksy/ by kaitai-struct-compiler (make generate). Do not edit.

libvirt_qemu_save imports its imports as top-level modules (`import qemu_migration`,
`import lzop`); they are this package's modules, registered under those names when the
package is imported (unless a module of that name is already loaded: then importing
libvirt_qemu_save fails, see migkaitai.containers)."""
import sys as _sys

from . import lzop as _lzop
from . import qemu_migration as _qemu_migration

_sys.modules.setdefault("lzop", _lzop)
_sys.modules.setdefault("qemu_migration", _qemu_migration)
PY
