"""Finding and loading the stream's JSON description (QEMU_VM_VMDESCRIPTION).

QEMU writes, after the EOF record (0x00), a 0x06 byte, a be32 length and that many
bytes of JSON. analyze-migration.py looks for "the last NUL in the final 10 MB and the
first '{' after it", which breaks when the JSON is bigger than 10 MB, when anything
follows it (padding, a container), when there is no description, and when a '{'
sits between the last NUL and the marker. Here a candidate is accepted only when all
of these hold (DESIGN.md §1):

* byte p is 0x06 and byte p-1 is 0x00 (the EOF record);
* the be32 length at p+1 fits in the file, and byte p+5 is '{';
* the JSON ends exactly at p+5+length (its last byte is '}') and parses.

The file is searched backwards from its end in bounded chunks, so memory does not
grow with the stream; JSON text never contains a NUL byte, so the last valid candidate
is the description.  The bytes are then read with the grammar's `vmdescription` type.
"""
from __future__ import annotations

from collections import namedtuple

from kaitaistruct import KaitaiStream
from migkaitai_ksy.qemu_migration import QemuMigration

from migkaitai.errors import DescriptionError

TYPE_CHECKING = False  # typing is not imported at run time (start-up cost)
if TYPE_CHECKING:
    from typing import Any, BinaryIO

__all__ = ["Description", "diagnose_trailer", "find_description", "load_description_file",
           "parse_description"]

_CHUNK = 1 << 20
# How far back from the end of the file the marker is looked for. Descriptions of
# real machines are 10 KB to a few MB; this leaves room for huge ones and for data
# appended after the stream, and keeps a stream without description from being
# scanned whole.
MAX_SEARCH = 256 << 20


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


def _candidate(f: BinaryIO, size: int, p: int) -> Description | None:
    """Check the candidate marker at p; return the description if it is one."""
    f.seek(p - 1)
    head = f.read(7)
    if len(head) < 7 or head[0] != 0 or head[1] != 6 or head[6] != ord("{"):
        return None
    length = int.from_bytes(head[2:6], "big")
    end = p + 5 + length
    if length < 2 or end > size:
        return None
    f.seek(end - 1)
    if f.read(1) != b"}":
        return None
    f.seek(p)
    try:
        rec = QemuMigration.Vmdescription(KaitaiStream(f))
    except (UnicodeDecodeError, EOFError, ValueError):
        return None
    try:
        doc = parse_description(rec.json)
    except DescriptionError:
        return None
    if not hasattr(doc, "get") or "devices" not in doc:
        return None
    return Description(p, rec.len_json, rec.json, doc)


def find_description(f: BinaryIO, size: int, start: int = 0) -> Description | None:
    """Locate the description in the seekable file `f` of `size` bytes, or None.

    `start` is where the stream begins (the QEVM magic); nothing before it is searched.
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
            i = buf.rfind(b"\x00\x06", 0, i)
            if i < 0:
                break
            found = _candidate(f, size, lo + i + 1)
            if found is not None:
                return found
        overlap = buf[:1]
        hi = lo
    return None


def diagnose_trailer(f: BinaryIO, size: int, offset: int) -> DescriptionError | None:
    """What is wrong with the VMDESCRIPTION record at `offset` (just after the EOF record)
    that find_description did not take: None if there is no 0x06 byte there at all."""
    f.seek(offset)
    head = f.read(5)
    if not head or head[0] != 6:
        return None
    if len(head) < 5:
        return DescriptionError(f"stream ends at 0x{size:x} inside the VMDESCRIPTION length",
                                offset=offset)
    length = int.from_bytes(head[1:5], "big")
    if offset + 5 + length > size:
        return DescriptionError(
            f"VMDESCRIPTION of 0x{length:x} bytes runs past the end of the file "
            f"(0x{size - offset - 5:x} bytes follow)", offset=offset)
    f.seek(offset + 5)
    first = f.read(1)
    if first != b"{":
        return DescriptionError(f"damaged VMDESCRIPTION: expected '{{' at 0x{offset + 5:x}, "
                                f"found 0x{first[0]:02x}", offset=offset)
    f.seek(offset + 5)
    text = f.read(length)  # bounded by the file (checked above)
    try:
        parse_description(text, offset + 5)
    except DescriptionError as e:
        return DescriptionError(f"damaged VMDESCRIPTION: {e.message}", offset=e.offset)
    return DescriptionError("VMDESCRIPTION is not a description (no 'devices' list)",
                            offset=offset)


def load_description_file(path: str) -> Description:
    """Load a description given by the user (`--desc`): a desc.json from `-x` or `-d desc`."""
    try:
        with open(path, "rb") as fh:
            text = fh.read()
    except OSError as e:
        raise DescriptionError(f"cannot read description file {path}: {e.strerror}") from None
    try:
        doc = parse_description(text, 0)
    except DescriptionError as e:
        raise DescriptionError(f"description file {path}: {e.message}", offset=e.offset) from None
    if not hasattr(doc, "get") or "devices" not in doc:
        raise DescriptionError(f"description file {path} has no 'devices' list")
    return Description(None, len(text), text.decode("utf-8"), doc)
