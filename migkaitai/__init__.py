"""migkaitai: read QEMU migration streams (migrate, savevm, virsh save images).

The framing of the stream is described once, in the Kaitai Struct grammar
ksy/qemu_migration.ksy; its generated parser (package ``migkaitai_ksy``) is used
record by record here. Entry points: :func:`open` (the API, :mod:`migkaitai.api`) and
``python -m migkaitai`` (the CLI, :mod:`migkaitai.cli`, a thin shell over the API).

Modules, one concern each: ``kaitai`` (the adapter to the generated types), ``pipe``
(reading a source that cannot seek), ``walk`` (records), ``ram`` and ``ram_fast`` (RAM
records; the fenced fast path), ``multifd`` (channel captures), ``description`` and
``vmsd`` (the JSON description; device payloads), ``render`` (analyze-migration.py's
JSON, the tree, the records view), ``output`` (files written, path safety), ``errors``,
``progress``.
"""
from __future__ import annotations

__version__ = "0.1.0"  # the package's version (pyproject.toml reads it from here)

from migkaitai.api import Device, MigrationStream, Snapshot, open  # noqa: A004
from migkaitai.errors import (
                              DescriptionError,
                              FormatError,
                              MigkaitaiError,
                              OutputError,
                              TruncatedError,
                              UsageError,
)
from migkaitai.render import one_line

__all__ = ["__version__", "open", "diff", "check", "MigrationStream", "Snapshot",
           "Device", "MigkaitaiError", "FormatError", "TruncatedError", "DescriptionError",
           "UsageError", "OutputError", "one_line"]


TYPE_CHECKING = False  # typing is not imported at run time (start-up cost)
if TYPE_CHECKING:
    from typing import Any


def diff(a: object, b: object, **kw: object) -> Any:
    """What changed between two saved states: a migkaitai.compare.DiffResult (see
    migkaitai.compare.diff; imported on first use, not at start-up)."""
    from migkaitai.compare import diff as _diff

    return _diff(a, b, **kw)  # type: ignore[arg-type]


def check(stream: object, against: object, **kw: object) -> Any:
    """Will `stream` load on the destination `against` describes (its -dump-vmstate schema,
    a stream saved from it, its desc.json; one or a list): a migkaitai.loadcheck.CheckResult
    (see migkaitai.loadcheck.check; imported on first use)."""
    from migkaitai.loadcheck import check as _check

    return _check(stream, against, **kw)


def __getattr__(name: str) -> Any:
    if name == "DIFF_IGNORE":  # the fields diff leaves out by default (compare.DEFAULT_IGNORE)
        from migkaitai.compare import DEFAULT_IGNORE

        return DEFAULT_IGNORE
    raise AttributeError(name)
