"""migkaitai: read QEMU migration streams (migrate, savevm, virsh save images).

The framing of the stream is described once, in the Kaitai Struct grammar
ksy/qemu_migration.ksy; its generated parser (package ``migkaitai_ksy``) is used
record by record here. Entry points: :func:`open` (the API) and ``python -m
migkaitai`` (the CLI, :mod:`migkaitai.cli`).
"""
from migkaitai.api import Device, MigrationStream, Snapshot, open
from migkaitai.errors import (DescriptionError, FormatError, MigkaitaiError, TruncatedError,
                              UsageError)

__all__ = ["open", "MigrationStream", "Snapshot", "Device", "MigkaitaiError", "FormatError",
           "TruncatedError", "DescriptionError", "UsageError"]
