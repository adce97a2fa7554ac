"""Finding and loading the stream's JSON description (QEMU_VM_VMDESCRIPTION).

QEMU writes, after the EOF record (0x00), a 0x06 byte, a be32 length and that many
bytes of JSON. analyze-migration.py looks for "the last NUL in the final 10 MB and the
first '{' after it", which breaks when the JSON is bigger than 10 MB, when anything
follows it (padding, a container), when there is no description, and when a '{'
sits between the last NUL and the marker. Here a candidate is accepted only when all
of these hold (DESIGN.md §1):

* byte p is 0x06 and byte p-1 is 0x00 (the EOF record);
* the be32 length after it (the grammar's `vmdescription_head`) fits in the file, and
  the JSON it announces starts with '{';
* the JSON ends exactly where the length says (its last byte is '}') and parses.

The file is searched backwards from its end in bounded chunks, so memory does not
grow with the stream; JSON text never contains a NUL byte, so the last valid candidate
is the description.  The bytes are then read with the grammar's `vmdescription` type.
"""
from __future__ import annotations

import os
from collections import namedtuple

from kaitaistruct import KaitaiStream, ValidationFailedError
from migkaitai_ksy.qemu_migration import QemuMigration

from migkaitai.errors import DescriptionError

TYPE_CHECKING = False  # typing is not imported at run time (start-up cost)
if TYPE_CHECKING:
    from typing import Any, BinaryIO

__all__ = ["Description", "DescriptionTooLarge", "diagnose_trailer", "find_description",
           "load_description_file", "parse_description", "read_head", "candidate",
           "DEFAULT_DESC_LIMIT"]

_CHUNK = 1 << 20
EOF_THEN_MARKER = bytes([QemuMigration.RecordType.eof.value,
                          QemuMigration.RecordType.vmdescription.value])
# How far back from the end of the file the marker is looked for. Descriptions of
# real machines are 10 KB to a few MB; this leaves room for huge ones and for data
# appended after the stream, and keeps a stream without description from being
# scanned whole.
MAX_SEARCH = 256 << 20
# The largest description read (--desc-max). QEMU's are 10 to 200 KB (pc with many
# devices: 166 KB; 600 AHCI controllers: 11 MB). Entries that differ only in their names
# share their parsed objects (vmsd.load_description_json); distinct ones take about 14
# times their text in memory.
DEFAULT_DESC_LIMIT = 16 << 20


class DescriptionTooLarge(DescriptionError):
    """The description is larger than the limit the caller set (not read)."""


def _too_large(length: int, limit: int, offset: int | None, what: str) -> DescriptionTooLarge:
    return DescriptionTooLarge(f"{what} is {length} bytes, more than the {limit} read "
                               f"(--desc-max)", offset=offset)


class Description(namedtuple("Description", "offset length text doc")):
    """The JSON description of a stream.

    Attributes:
        offset: where its 0x06 marker lies (the EOF record is the byte before), or None
            for a description given from elsewhere (``--desc``).
        length: the JSON's length in bytes.
        text: the JSON text.
        doc: the parsed JSON; objects keep duplicate keys (see ``parse_description``).
    """

    __slots__ = ()

    @property
    def end(self) -> int | None:
        """Offset just past the JSON (where padding or a container's data may follow)."""
        return None if self.offset is None else self.offset + 5 + self.length

    @property
    def page_size(self) -> int | None:
        ps = self.doc.get("page_size") if hasattr(self.doc, "get") else None
        return ps if isinstance(ps, int) and ps > 0 else None


def parse_description(text: str | bytes, offset: int | None = None) -> Any:
    """Parse description JSON, keeping duplicate keys (qtailq/qlist/gtree repeat them).
    Raises DescriptionError naming the offset of the fault (`offset`: of the text)."""
    from migkaitai.vmsd import load_description_json  # one JSON loader for the package

    return load_description_json(text, offset=offset)


def read_head(f: BinaryIO, p: int) -> tuple[int, int] | None:
    """The grammar's `vmdescription_head` at `p` of `f` (a file, or a pipe's spooling
    reader): (the JSON's length, where it starts), or None when there is no 0x06 marker
    or the input ends inside the length."""
    io = KaitaiStream(f)
    io.seek(p)
    try:
        head = QemuMigration.VmdescriptionHead(_io=io)
    except (EOFError, ValidationFailedError):
        return None
    return head.len_json, io.pos()


def candidate(f: BinaryIO, size: int, p: int, limit: int) -> Description | None:
    """Check the candidate marker at p; return the description if it is one. One larger
    than `limit` raises DescriptionTooLarge."""
    f.seek(p - 1)
    if f.read(1) != bytes([QemuMigration.RecordType.eof.value]):
        return None
    found = read_head(f, p)
    if found is None:
        return None
    length, json_at = found
    end = json_at + length
    if length < 2 or end > size:
        return None
    f.seek(json_at)
    if f.read(1) != b"{":
        return None
    f.seek(end - 1)
    if f.read(1) != b"}":
        return None
    if length > limit:
        raise _too_large(length, limit, p, "the VMDESCRIPTION")
    io = KaitaiStream(f)
    io.seek(p)
    try:
        rec = QemuMigration.Vmdescription(_io=io)
    except (UnicodeDecodeError, EOFError, ValueError):
        return None
    try:
        doc = parse_description(rec.json)
    except DescriptionError:
        return None
    if not hasattr(doc, "get") or "devices" not in doc:
        return None
    return Description(p, rec.len_json, rec.json, doc)


def find_description(f: BinaryIO, size: int, start: int = 0,
                     limit: int = DEFAULT_DESC_LIMIT) -> Description | None:
    """Locate the description in the seekable file `f` of `size` bytes, or None.

    `start` is where the stream begins (the QEVM magic); nothing before it is searched.
    One of more than `limit` bytes raises DescriptionTooLarge.
    """
    lo_limit = max(start + 8, size - MAX_SEARCH)
    hi = size
    overlap = b""
    while hi > lo_limit:
        lo = max(lo_limit, hi - _CHUNK)
        f.seek(lo)
        buf = f.read(hi - lo) + overlap
        i = len(buf)
        while True:
            i = buf.rfind(EOF_THEN_MARKER, 0, i)
            if i < 0:
                break
            found = candidate(f, size, lo + i + 1, limit)
            if found is not None:
                return found
        overlap = buf[:1]
        hi = lo
    return None


def diagnose_trailer(f: BinaryIO, size: int, offset: int,
                     limit: int = DEFAULT_DESC_LIMIT) -> DescriptionError | None:
    """What is wrong with the VMDESCRIPTION record at `offset` (just after the EOF record)
    that find_description did not take: None if there is no 0x06 byte there at all."""
    f.seek(offset)
    if f.read(1) != bytes([QemuMigration.RecordType.vmdescription.value]):
        return None
    found = read_head(f, offset)
    if found is None:
        return DescriptionError(f"stream ends at 0x{size:x} inside the VMDESCRIPTION length",
                                offset=offset)
    length, json_at = found
    if json_at + length > size:
        return DescriptionError(
            f"VMDESCRIPTION of 0x{length:x} bytes runs past the end of the file "
            f"(0x{size - json_at:x} bytes follow)", offset=offset)
    f.seek(json_at)
    first = f.read(1)
    if first != b"{":
        return DescriptionError(f"damaged VMDESCRIPTION: expected '{{' at 0x{json_at:x}, "
                                f"found 0x{first[0]:02x}{_GIVE_ONE}", offset=offset)
    if length > limit:
        return _too_large(length, limit, offset, "the VMDESCRIPTION")
    f.seek(json_at)
    text = f.read(length)  # bounded by the file and the limit (checked above)
    try:
        parse_description(text, json_at)
    except DescriptionError as e:
        if e.too_deep:
            return DescriptionError(f"VMDESCRIPTION: {e.message}", offset=e.offset,
                                    too_deep=True)
        return DescriptionError(f"damaged VMDESCRIPTION: {e.message}{_GIVE_ONE}",
                                offset=e.offset)
    return DescriptionError(f"VMDESCRIPTION is not a description (no 'devices' list)"
                            f"{_GIVE_ONE}", offset=offset)


# (the devices were shown raw: a description that can be used decodes them)
_GIVE_ONE = (" (device sections are shown raw; give a description with --desc FILE, from a "
             "stream of the same QEMU version and machine type)")


def load_description_file(path: str, limit: int = DEFAULT_DESC_LIMIT) -> Description:
    """Load a description given by the user (`--desc`): a desc.json from `-x` or `-d desc`."""
    try:
        with open(path, "rb") as fh:
            text = fh.read(limit + 1)
    except OSError as e:
        raise DescriptionError(f"cannot read description file {path}: {e.strerror}") from None
    if len(text) > limit:
        raise _too_large(os.stat(path).st_size, limit, None, f"description file {path}")
    try:
        doc = parse_description(text, 0)
    except DescriptionError as e:
        raise DescriptionError(f"description file {path}: {e.message}", offset=e.offset) from None
    if not hasattr(doc, "get") or "devices" not in doc:
        raise DescriptionError(f"description file {path} has no 'devices' list")
    return Description(None, len(text), text.decode("utf-8"), doc)
