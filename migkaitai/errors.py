"""The one exception tree of migkaitai.

Every error the package raises on purpose is a :class:`MigkaitaiError`, so a caller (the CLI)
catches that one class, prints ``str(error)`` as a single line and exits non-zero. The message
says what was expected and where::

    expected subsection 'cpu/xsave' (0x05), found 0x7e at offset 0x1a2b (section cpu (3),
    field cpu/xsave)

``offset`` is an absolute byte offset in the stream being read; ``section`` is the section's
label (analyze-migration.py's "name (section_id)" form, or whatever the caller passed);
``field`` is the path of the field inside the section, "/"-separated, with "[i]" for array
elements. Each part is omitted from the message when unknown.

Errors about the input name the file when it is not the main stream (a multifd channel
capture, a --desc file): ``path``. Errors about the output (:class:`OutputError`: a full
disk, a read-only folder, a symbolic link planted in the output folder) name the path
written and the operating system's reason, and no offset in the input.

``partial`` carries whatever was decoded before the fault (for the VMSD decoder: the
section's :class:`migkaitai.vmsd.Node` tree so far), so output decoded before an error can
still be shown.
"""

from __future__ import annotations

__all__ = [
    "DescriptionError",
    "FormatError",
    "MigkaitaiError",
    "OutputError",
    "TruncatedError",
    "UsageError",
]


class MigkaitaiError(Exception):
    """Base class of every error migkaitai raises on purpose.

    Attributes:
        message: what was expected or went wrong, without the location.
        offset: absolute byte offset in the stream where it happened, or None.
        section: label of the section being decoded, or None.
        field: "/"-separated path of the field being decoded, or None.
        partial: what had been decoded before the error (e.g. a Node tree), or None.
        path: the input file the offset is in, when it is not the main stream, or None.
    """

    def __init__(
        self,
        message: str,
        *,
        offset: int | None = None,
        section: str | None = None,
        field: str | None = None,
        partial: object | None = None,
        path: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset
        self.section = section
        self.field = field
        self.partial = partial
        self.path = path

    def __str__(self) -> str:
        text = self.message
        if self.path is not None:
            text = f"{self.path}: {text}"
        if self.offset is not None:
            text += f" at offset 0x{self.offset:x}"
        where = []
        if self.section is not None:
            where.append(f"section {self.section}")
        if self.field:
            where.append(f"field {self.field}")
        if where:
            text += f" ({', '.join(where)})"
        return text


class FormatError(MigkaitaiError):
    """The input is broken: bytes that no QEMU writes (bad magic, bad marker, bad count...)."""


class TruncatedError(FormatError):
    """The stream ends inside something that needs more bytes.

    ``end`` is the offset where the stream (or the region being read) ends; ``needed`` how
    many bytes the item wanted; ``offset`` where the item starts. The message reads like
    "stream ends at 0x1234 inside uint32 (needs 4 bytes) at offset 0x1232 (...)".
    """

    def __init__(
        self,
        message: str,
        *,
        end: int | None = None,
        needed: int | None = None,
        offset: int | None = None,
        section: str | None = None,
        field: str | None = None,
        partial: object | None = None,
        path: str | None = None,
    ) -> None:
        super().__init__(message, offset=offset, section=section, field=field, partial=partial,
                         path=path)
        self.end = end
        self.needed = needed


class DescriptionError(FormatError):
    """The JSON description (VMDESCRIPTION) is missing, invalid, or does not match the payload.
    ``too_deep``: it is valid JSON nested deeper than can be read (not damaged)."""

    def __init__(self, message: str, *, too_deep: bool = False, **kwargs: object) -> None:
        super().__init__(message, **kwargs)  # type: ignore[arg-type]
        self.too_deep = too_deep


class UsageError(MigkaitaiError):
    """The caller asked for something impossible (bad arguments, unknown option values).
    ``details``: lines that help choose (a qcow2 image's snapshot list), or None."""

    def __init__(self, message: str, *, details: str | None = None, **kwargs: object) -> None:
        super().__init__(message, **kwargs)  # type: ignore[arg-type]
        self.details = details


class OutputError(MigkaitaiError):
    """An output could not be written: ``path`` is what was being written (or created),
    ``reason`` the operating system's word for why (or ours: a symbolic link or a FIFO in
    the output folder). The input is not at fault, so no offset is given."""

    def __init__(self, action: str, path: str, reason: str) -> None:
        super().__init__(f"{action} {path}: {reason}")
        self.path = None  # (the message names the output path; `path` is for inputs)
        self.output_path = path
        self.reason = reason
