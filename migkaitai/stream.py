"""Walking a migration stream record by record with the generated Kaitai types.

The grammar (ksy/qemu_migration.ksy) says how records are framed; this module
instantiates its types one at a time on a single KaitaiStream (never the eager
top-level type), keeps the byte offset of everything it reads, and hands each
section payload to the right decoder:

* `ram` records to a :class:`migkaitai.ram.RamTracker` (one record at a time;
  page bodies are never kept);
* device (VMSD) payloads to :func:`migkaitai.vmsd.decode_section`, driven by the
  JSON description, or - without one - located by their footer and kept as
  (offset, length);
* the other self-delimiting sections (block, dirty-bitmap, spapr/htab, s390
  storage attributes and keys, vfio) to their generated payload types.

Errors of the generated code (end of stream, failed validation) become
:mod:`migkaitai.errors` exceptions naming the offset and what was being read.
"""
from __future__ import annotations

from collections import namedtuple

import kaitaistruct
from kaitaistruct import KaitaiStream
from migkaitai_ksy.qemu_migration import QemuMigration as K

from migkaitai import vmsd
from migkaitai.errors import DescriptionError, FormatError, MigkaitaiError, TruncatedError

TYPE_CHECKING = False  # typing is not imported at run time (start-up cost)
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from typing import Any, TypeVar

    T = TypeVar("T")

__all__ = ["Section", "Record", "BlockChunk", "Walker", "SPECIAL_PAYLOADS", "kaitai_call",
           "config_page_size"]

RT = K.RecordType
CMD = K.CommandType
# enum members' .value and .name are slow properties: looked up once
_KIND = {m.value: m.name for m in RT}
_EOF, _FOOTER, _CONFIGURATION, _COMMAND = (RT.eof.value, RT.section_footer.value,
                                           RT.configuration.value, RT.command.value)
_POSTCOPY_ADVISE, _PACKAGED = CMD.postcopy_advise.value, CMD.packaged.value

# Sections whose payload has a format of its own, by SaveStateEntry idstr, with the
# generated type that reads it (RAM and block are read record by record: their
# payloads hold pages and 1 MiB disk chunks).
SPECIAL_PAYLOADS: dict[str, Any] = {
    "dirty-bitmap": K.DirtyBitmapPayload,
    "spapr/htab": K.HtabPayload,
    "s390-storage_attributes": K.StattribPayload,
    "s390-skeys": K.SkeysPayload,
}


class Section:
    """A section as its START or FULL record introduced it (`offset`: that record's)."""

    __slots__ = ("instance_id", "name", "offset", "section_id", "version_id")

    def __init__(self, section_id: int, name: str, instance_id: int, version_id: int,
                 offset: int) -> None:
        self.section_id = section_id
        self.name = name
        self.instance_id = instance_id
        self.version_id = version_id
        self.offset = offset

    def __repr__(self) -> str:
        return (f"Section({self.section_id}, {self.name!r}, instance_id={self.instance_id}, "
                f"version_id={self.version_id}, offset=0x{self.offset:x})")

    @property
    def label(self) -> str:
        """analyze-migration.py's key: "name (section_id)"."""
        return f"{self.name} ({self.section_id})"


class BlockChunk(namedtuple("BlockChunk", "offset flags sector device zero")):
    """One record of the `block` section: a 1 MiB chunk of a disk (DEVICE_BLOCK, maybe
    ZERO_BLOCK: no data), PROGRESS (`sector` is then the percentage) or EOS.
    `device` is the disk's name (None but for DEVICE_BLOCK), `zero` whether ZERO_BLOCK."""

    __slots__ = ()


class Record:
    """One record of the stream.

    `kind` is the record type's name ("section_start", "command", ...); `head` the
    generated record object. For sections, `section` is the Section and, depending on
    the payload format, one of `device` (decoded VMSD tree), `raw` ((offset, length) of an
    undecoded payload), `special` (a generated payload object) is set; RAM payload
    records went to the RAM tracker (`ram_counts`: RAM records, pages, zero pages).
    `end` is the offset just after the record's payload; `depth` 1 inside PACKAGED.
    """

    __slots__ = (
        "depth",
        "device",
        "end",
        "head",
        "kind",
        "offset",
        "payload_format",
        "ram_counts",
        "raw",
        "section",
        "special",
    )

    def __init__(self, offset: int, kind: str, head: Any, depth: int = 0) -> None:
        self.offset = offset
        self.kind = kind
        self.head = head
        self.depth = depth
        self.section: Section | None = None
        self.payload_format: str | None = None
        self.device: vmsd.Node | None = None
        self.raw: tuple[int, int] | None = None
        self.special: Any = None
        self.ram_counts: tuple[int, int, int] | None = None
        self.end = 0

    def __repr__(self) -> str:
        sec = f", {self.section.label}" if self.section is not None else ""
        return f"Record(0x{self.offset:x}, {self.kind}{sec})"


def config_page_size(conf: Any) -> int:
    """The page size a configuration record implies, as the grammar's top level derives it:
    target-page-bits, else the machine type's fixed page size, else 4096."""
    if conf.target_page_bits:
        return 1 << conf.target_page_bits
    return conf.page_size_by_machine or 4096


def kaitai_call(io: KaitaiStream, what: str, ctor: Callable[..., T], *args: Any,
                section: str | None = None) -> T:
    """Instantiate a generated type at the current position, mapping its errors to ours."""
    start = io.pos()
    try:
        return ctor(*args, io)
    except EOFError:
        raise TruncatedError(
            f"stream ends at 0x{io.size():x} inside {what}", end=io.size(), offset=start,
            section=section) from None
    except kaitaistruct.ValidationFailedError as e:
        raise FormatError(f"invalid {what} ({_validation_text(e)})", offset=start,
                          section=section) from None
    except UnicodeDecodeError:
        raise FormatError(f"invalid {what} (a name that is not ASCII)", offset=start,
                          section=section) from None


def _validation_text(e: kaitaistruct.ValidationFailedError) -> str:
    """"ram_xbzrle field 0: not equal, expected 1, but got 0" from the generated error."""
    path = (e.src_path or "").replace("/types/", "").replace("/seq/", " field ")
    detail = str(e).split("validation failed: ", 1)[-1]
    return f"{path.strip('/')}: {detail}" if path else detail


class Walker:
    """Iterates over the records of the stream that starts at `start` in `io`.

    Args:
        io: a KaitaiStream over the file (seekable).
        start: offset of the QEVM magic.
        description: the loaded JSON description (or None).
        page_size: the target page size to split RAM address words with.
        ram: receives RAM records (see :class:`migkaitai.ram.RamTracker`).
        decode_devices: decode device payloads with the description (False: keep them raw).
        yield_pages: also yield each RAM page record (a RamPage) before its section's Record.
    """

    def __init__(self, io: KaitaiStream, start: int, description: Any, page_size: int,
                 ram: Any, *, decode_devices: bool = True, yield_pages: bool = False,
                 configured_page_size: bool = False) -> None:
        self.yield_pages = yield_pages
        self.progress: Any = None  # called with the position as records go (a Progress)
        # a memory map of the whole file for RamTracker's fast path (None: generated
        # types only; set by MigrationStream for regular files)
        self.fast_view: Any = None
        self.block_sinks: list[Any] = []  # receive BlockChunk + data (see migkaitai.disk)
        # Reading from a pipe (migkaitai.pipe): pass 1 has a spooler and collects
        # ram_payloads; pass 2 gets them in ram_done and skips those payloads.
        self.spooler: Any = None
        self.ram_payloads: dict[int, Any] = {}
        self.ram_done: dict[int, Any] = {}
        self.pass1_error: tuple[int, MigkaitaiError] | None = None
        self.current_offset = 0
        self.eof_end: int | None = None  # where the EOF record ends (a trailer may follow)
        # pass 1 has no description yet: the page size comes from the configuration
        self.configured_page_size = configured_page_size
        self.io = io
        self.start = start
        self.description = description
        self.page_size = page_size
        self.ram = ram
        self.decode_devices = decode_devices and description is not None
        self.devices = vmsd.devices_by_key(description) if description is not None else {}
        self.sections: dict[int, Section] = {}
        self.header: Any = None
        self.configuration: Any = None
        self.ignore_shared = False
        self.mapped_ram = False
        self.footers_seen = False
        self.notes: list[str] = []  # what could not be decoded, and why
        self.stopped_at: int | None = None

    # -- records ---------------------------------------------------------------

    def records(self) -> Iterator[Any]:
        """Yield every Record, in stream order, up to and including EOF (and RamPage
        events before their section's Record if `yield_pages`)."""
        io = self.io
        io.seek(self.start)
        try:
            raw = io.read_bytes(8)
        except EOFError:
            raw = b""  # too short: the generated type below says so
        if raw[:4] == b"QEVM" and len(raw) == 8 and raw[4:] != b"\0\0\0\3":
            v = int.from_bytes(raw[4:], "big")
            what = (" (the obsolete pre-0.13 format, which QEMU refuses to load too)"
                    if v == 2 else "")
            raise FormatError(f"expected file version 3, found {v}{what}",
                              offset=self.start + 4)
        io.seek(self.start)
        self.header = kaitai_call(io, "file header (magic QEVM, version 3)", K.FileHeader)
        try:
            yield from self._records(None, 0)
        except _Stop:
            pass
        if self.spooler is None:  # (a pipe's pass 1 leaves this to pass 2)
            self._ram_end()

    def _ram_end(self) -> None:
        """After the last record: the rest of the multifd channels, and notes on RAM."""
        feed = self.ram.channels
        if feed is not None:
            feed.feed(self.ram, None)
            rounds = feed.round
            for summ in feed.summaries():
                if summ.sync_packets != rounds:
                    self.notes.append(
                        f"multifd channel {summ.channel_id} has {summ.sync_packets} SYNC "
                        f"packets, the main stream {rounds} rounds: is it from the same "
                        f"migration?")
        note = self.ram.missing_pages_note()
        if note:
            self.notes.append(note)

    def _records(self, limit: int | None, depth: int) -> Iterator[Any]:
        io = self.io
        prev: Record | None = None
        size = io.size() if self.spooler is None else None  # a pipe's pass 1: still growing
        while True:
            off = io.pos()
            if limit is not None and off >= limit:
                if off > limit:
                    raise FormatError(
                        f"record runs 0x{off - limit:x} bytes past the end of its PACKAGED "
                        f"stream (ends at 0x{limit:x})", offset=off)
                return
            if (self.spooler.at_eof() if size is None else off >= size):
                raise TruncatedError(f"stream ends at 0x{off:x} before the EOF record",
                                     end=off, offset=off)
            self.current_offset = off
            if self.progress is not None:
                self.progress(off)
            head = kaitai_call(io, "record header", K.RecordHead)
            t = head.record_type_raw
            if not head.is_known:
                raise FormatError(
                    f"expected a record type (0x00-0x04, 0x07, 0x08 or 0x7e), found 0x{t:02x}",
                    offset=off)
            rec = Record(off, _KIND[t], head, depth)
            if t == _EOF:
                rec.end = io.pos()
                if depth == 0:
                    self.eof_end = rec.end
                yield rec
                return
            if head.is_section:
                pages = self._section(rec)
                if pages is not None:
                    if self.yield_pages:
                        yield from pages
                    else:
                        for _ in pages:
                            pass
            elif t == _FOOTER:
                self.footers_seen = True
                sid = head.section_id
                if prev is None or prev.section is None:
                    raise FormatError(f"section footer (id {sid}) that follows no section",
                                      offset=off)
                if sid != prev.section.section_id:
                    raise FormatError(
                        f"expected footer of section {prev.section.label}, found footer "
                        f"for section id {sid}", offset=off, section=prev.section.label)
            elif t == _CONFIGURATION:
                self.configuration = head.configuration
                self._capabilities(head.configuration)
                if self.configured_page_size:
                    self.page_size = self.ram.page_size = config_page_size(head.configuration)
                    for sink in self.ram.sinks:
                        sink.page_size = self.page_size
            elif t == _COMMAND and head.command.command_type_raw == _POSTCOPY_ADVISE \
                    and head.command.len_data >= 16:
                d = head.command.data
                self.ram.postcopy_summary = (d.ram_page_size_summary, d.target_page_size)
            elif t == _COMMAND and head.command.command_type_raw == _PACKAGED:
                if self.spooler is not None:
                    raise _Stop()  # pass 1 ends at the first thing that is not RAM
                n = head.command.packaged_len
                body = io.pos()
                if n > io.size() - body:
                    raise TruncatedError(
                        f"stream ends at 0x{io.size():x} inside PACKAGED data of {n} bytes",
                        end=io.size(), offset=body)
                rec.end = body
                yield rec
                for inner in self._records(body + n, depth + 1):
                    yield inner
                prev = rec
                continue
            rec.end = io.pos()
            if self.stopped_at is not None:
                yield rec  # the section whose payload could not be delimited
                raise _Stop()
            if prev is not None and prev.section is not None and self.footers_seen \
                    and t != _FOOTER:
                raise FormatError(
                    f"expected section footer (0x7e) after section {prev.section.label}, "
                    f"found record type 0x{t:02x}", offset=off, section=prev.section.label)
            yield rec
            prev = rec

    def _capabilities(self, conf: Any) -> None:
        for sub in conf.subsections:
            if sub.is_present and sub.body.name == "configuration/capabilities":
                names = {c.name for c in sub.body.capabilities.capabilities}
                self.ignore_shared = "x-ignore-shared" in names
                self.mapped_ram = "mapped-ram" in names

    # -- sections --------------------------------------------------------------

    def _section(self, rec: Record) -> Iterator[Any] | None:
        """Decode a section's payload; for RAM, return the iterator that reads it."""
        io = self.io
        head = rec.head
        if head.is_named:
            s = head.section
            sec = Section(s.section_id, s.name, s.instance_id, s.version_id, rec.offset)
            self.sections[sec.section_id] = sec
        else:
            sid = head.section_id
            if sid not in self.sections:
                raise FormatError(f"{rec.kind} for section id {sid}, which no START opened",
                                  offset=rec.offset)
            sec = self.sections[sid]
        rec.section = sec
        name = sec.name
        if self.spooler is not None and name != "ram":
            raise _Stop()  # pass 1 ends at the first thing that is not RAM
        if name == "ram":
            rec.payload_format = "ram"
            done = self.ram_done.get(rec.offset)
            if done is not None:  # pass 2: decoded in pass 1
                self.io.seek(done.end)
                rec.ram_counts = done.counts
                return None
            if self.pass1_error is not None and self.pass1_error[0] == rec.offset:
                raise self.pass1_error[1]
            return self._ram_payload(rec, sec)
        elif name == "block":
            rec.payload_format = "block"
            rec.special = self._block_payload(sec)
        elif name in SPECIAL_PAYLOADS and not (
                self.decode_devices and (name, sec.instance_id) in self.devices):
            # (s390-skeys is a FULL section that the description lists as one buffer:
            # then it is decoded like every listed device, as analyze-migration.py does.)
            rec.payload_format = name
            rec.special = kaitai_call(io, f"{name} payload", SPECIAL_PAYLOADS[name],
                                      section=sec.label)
        elif name.endswith("/vfio") and rec.kind != "section_full":
            rec.payload_format = "vfio"
            rec.special = kaitai_call(io, "vfio payload", K.VfioPayload, section=sec.label)
        else:
            rec.payload_format = "device"
            self._device(rec, sec)
        return None

    def _ram_payload(self, rec: Record, sec: Section) -> Iterator[Any]:
        from migkaitai.pipe import RamPayload

        start = self.io.pos()
        before = self.ram.counts()
        if self.spooler is not None and not self.mapped_ram:
            self.spooler.drop = True  # pass 1: keep page bodies out of the spool
        try:
            yield from self.ram.iter_payload(self, sec)
        finally:
            if self.spooler is not None:
                self.spooler.drop = False
        after = self.ram.counts()
        rec.ram_counts = (after[0] - before[0], after[1] - before[1], after[2] - before[2])
        if self.spooler is not None:
            self.ram_payloads[rec.offset] = RamPayload(start, self.io.pos(), rec.ram_counts)

    def _block_payload(self, sec: Section) -> list[BlockChunk]:
        """Block migration records one at a time up to EOS; data goes to the block sinks."""
        io = self.io
        chunks = []
        while True:
            off = io.pos()
            b = kaitai_call(io, "block migration record", K.BlockRecord, section=sec.label)
            if b.flags & ~0x0F or not b.flags:
                raise FormatError(f"unknown block migration flags 0x{b.flags:x}", offset=off,
                                  section=sec.label)
            chunk = BlockChunk(off, b.flags, b.sector, b.device_name if b.is_device_block
                               else None, b.is_zero_block)
            chunks.append(chunk)
            if b.is_device_block:
                for s in self.block_sinks:
                    s.chunk(chunk, None if b.is_zero_block else b.data)
            if b.is_eos:
                return chunks

    def _device(self, rec: Record, sec: Section) -> None:
        io = self.io
        desc = self.devices.get((sec.name, sec.instance_id)) if self.decode_devices else None
        start = io.pos()
        if desc is not None:
            try:
                rec.device = vmsd.decode_section(io, desc, sec.label)
                return
            except DescriptionError as e:
                # The description cannot describe this payload (e.g. QEMU 7.2's s390_css,
                # whose JSON gives a whole array by a NULL first element). With footers the
                # rest is still framed: keep what was decoded and the rest as raw bytes.
                end = self._find_footer(start, sec) if self.footers_seen else None
                stop = e.offset if e.offset is not None else start
                if end is None or not start <= stop <= end:
                    raise
                rec.device = e.partial if isinstance(e.partial, vmsd.Node) else None
                rec.raw = (stop, end - stop)
                self.notes.append(f"section {sec.label}: {e}; its last {end - stop} bytes "
                                  f"are shown undecoded")
                io.seek(end)
                return
        end = self._find_footer(start, sec)
        if end is None and self.footers_seen:
            raise TruncatedError(
                f"stream ends at 0x{io.size():x} inside this device payload, before its footer",
                end=io.size(), offset=start, section=sec.label)
        if end is None:
            why = ("the stream has no description" if self.description is None
                   else f"the description does not list section {sec.label}")
            self.notes.append(f"device section {sec.label} at 0x{rec.offset:x}: {why} and no "
                         f"section footer follows it, so its length is unknown; decoding "
                         f"stops there")
            self.stopped_at = rec.offset
            return
        rec.raw = (start, end - start)
        io.seek(end)

    def _find_footer(self, start: int, sec: Section) -> int | None:
        """Offset of the footer of `sec` after `start` (a scan: see the grammar's doc)."""
        needle = b"\x7e" + sec.section_id.to_bytes(4, "big")
        io = self.io
        pos = start
        size = io.size()
        chunk = 1 << 20
        while pos < size:
            io.seek(pos)
            buf = io.read_bytes(min(chunk + 4, size - pos))
            i = buf.find(needle)
            if i >= 0:
                return pos + i
            pos += chunk
        return None


class _Stop(MigkaitaiError):
    """Internal: decoding cannot go on (no description and no footers); see Walker.notes."""

    def __init__(self) -> None:
        super().__init__("decoding stopped")

