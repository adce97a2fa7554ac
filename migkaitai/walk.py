"""Walking a migration stream record by record with the generated Kaitai types.

The grammar (ksy/qemu_migration.ksy) says how records are framed; this module
instantiates its types one at a time on a single KaitaiStream (never the eager
top-level type), keeps the byte offset of everything it reads, and hands each
record to the handler of its kind (:data:`Walker._HANDLERS`, keyed by the grammar's
`record_type` enum). Section payloads go on to:

* `ram` records: a :class:`migkaitai.ram.RamTracker` (one record at a time; page
  bodies are never kept);
* device (VMSD) payloads: :func:`migkaitai.vmsd.decode_section`, driven by the JSON
  description, or - without one - located by their footer and kept as (offset, length);
* the other self-delimiting sections (block, dirty-bitmap, spapr/htab, s390 storage
  attributes and keys, vfio): their generated payload types.

PACKAGED commands nest a stream inside the stream; nesting is walked with an explicit
stack, so no input can make the walk recurse.

Errors of the generated code (end of stream, failed validation) become
:mod:`migkaitai.errors` exceptions naming the offset and what was being read
(see migkaitai.kaitai).
"""
from __future__ import annotations

from collections import namedtuple

from migkaitai_ksy.qemu_migration import QemuMigration as K

from migkaitai import vmsd
from migkaitai.errors import DescriptionError, FormatError, TruncatedError
from migkaitai.kaitai import kaitai_call

TYPE_CHECKING = False  # typing is not imported at run time (start-up cost)
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from typing import Any

    from kaitaistruct import KaitaiStream

    from migkaitai.pipe import PipeState
    from migkaitai.ram import RamPage, RamTracker
    from migkaitai.ram_fast import FastPath

__all__ = ["Section", "Record", "BlockChunk", "Walker", "SPECIAL_PAYLOADS", "page_size_of",
           "MAX_PACKAGED_DEPTH", "MAX_SECTIONS"]

RT = K.RecordType
CMD = K.CommandType
# enum members' .value and .name are slow properties: looked up once
_KIND = {m.value: m.name for m in RT}
_EOF, _FOOTER, _CONFIGURATION, _COMMAND = (RT.eof.value, RT.section_footer.value,
                                           RT.configuration.value, RT.command.value)
_SECTIONS = (RT.section_start.value, RT.section_part.value, RT.section_end.value,
             RT.section_full.value)
_POSTCOPY_ADVISE, _PACKAGED = CMD.postcopy_advise.value, CMD.packaged.value
_BLK_FLAGS = sum(f.value for f in K.BlkMigFlag)  # BLK_MIG_FLAG_*: any other bit is unknown
_KNOWN_TYPES = (f"0x{_EOF:02x}-0x{_SECTIONS[-1]:02x}, 0x{_CONFIGURATION:02x}, "
                f"0x{_COMMAND:02x} or 0x{_FOOTER:02x}")  # (EOF and the sections are 0-4)
# QEMU sends one PACKAGED (postcopy); nesting is legal but never deeper than this in
# anything QEMU writes, and each level costs a little memory
MAX_PACKAGED_DEPTH = 64
# Distinct sections a stream may open: QEMU registers one per device instance and live
# section (hundreds, a few thousand for the largest guests); each costs memory for as
# long as the walk (and a state output) goes, so hostile input must not open millions.
MAX_SECTIONS = 1 << 16

# Sections whose payload has a format of its own, by SaveStateEntry idstr, with the
# generated type that reads it (RAM and block are read record by record: their
# payloads hold pages and 1 MiB disk chunks).
SPECIAL_PAYLOADS: dict[str, Any] = {
    "dirty-bitmap": K.DirtyBitmapPayload,
    "spapr/htab": K.HtabPayload,
    "s390-storage_attributes": K.StattribPayload,
    "s390-skeys": K.SkeysPayload,
}


def page_size_of(conf: Any) -> int:
    """The page size a configuration record (the generated `configuration`, or None)
    implies: the rule of the grammar's top-level `page_size` instance, which a
    record-by-record reader cannot evaluate (the top-level type parses the whole file);
    test_grammar.check_framing proves both equal on every framed corpus stream."""
    if conf is None:
        return 4096
    if conf.target_page_bits:
        return 1 << conf.target_page_bits  # type: ignore[no-any-return]
    return conf.page_size_by_machine or 4096  # type: ignore[no-any-return]


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


class _Stop(Exception):
    """Internal control flow, never seen by callers: the walk ends early (a payload that
    cannot be delimited, see Walker.notes; or a pipe's first pass reaching the end of
    what it decodes)."""


class _Level:
    """One stream being walked: the outer one, or the nested stream of a PACKAGED
    command (`limit`: where it ends)."""

    __slots__ = ("depth", "limit", "prev")

    def __init__(self, limit: int | None, depth: int) -> None:
        self.limit = limit
        self.depth = depth
        self.prev: Record | None = None


class Walker:
    """Iterates over the records of the stream that starts at `start` in `io`.

    Args:
        io: a KaitaiStream over the stream (seekable, or a pipe's SpoolingReader).
        start: offset of the QEVM magic.
        description: the loaded JSON description (or None).
        page_size: the target page size to split RAM address words with.
        ram: receives RAM records.
        decode_devices: decode device payloads with the description (False: keep them raw).
        yield_pages: also yield each RAM page record (a RamPage) before its section's Record.
        fast: the RAM fast path (a memory map of the file), or None.
        pipe: a pipe's pass state (see migkaitai.pipe), or None for a file.
        page_size_from_stream: take the page size from the configuration record when it
            comes, or else settle it from the RAM records (RamTracker.settle_page_size):
            a pipe's first pass, which has no description yet, and the probe of a file.
        ram_only: stop at the first section that is neither RAM nor self-delimiting (a
            special payload: spapr/htab, block, dirty-bitmap...), and at PACKAGED.
    """

    def __init__(self, io: KaitaiStream, start: int, description: Any, page_size: int,
                 ram: RamTracker, *, decode_devices: bool = True, yield_pages: bool = False,
                 fast: FastPath | None = None, pipe: PipeState | None = None,
                 page_size_from_stream: bool = False, ram_only: bool = False) -> None:
        self.io = io
        self.start = start
        self.description = description
        self.page_size = page_size
        self.ram = ram
        self.yield_pages = yield_pages
        self.fast = None if yield_pages else fast
        self.pipe = pipe
        self.page_size_from_stream = page_size_from_stream
        # stop at the first thing that is not RAM (a probe; a pipe's first pass, unless it
        # has a description to delimit device sections with)
        self.first_pass = pipe is not None and pipe.first_pass
        self.ram_only = ram_only or (self.first_pass and description is None)
        if page_size_from_stream:  # until a configuration record says it
            ram.page_size_open = True
        self.progress: Callable[[int], object] | None = None  # called with the position
        # device trees only for render.upstream (-d state): runs of integer fields kept
        # as vmsd.RunLeaves (see vmsd.decode_section)
        self.compact_runs = False
        self.block_sinks: list[Any] = []  # receive BlockChunk + data (output.DiskExtractor)
        self.current_offset = 0  # where the record being read starts
        self.eof_end: int | None = None  # where the EOF record ends (a trailer may follow)
        self.decode_devices = decode_devices and description is not None
        self.devices = vmsd.devices_by_key(description) if description is not None else {}
        self.plans: dict[int, Any] = {}  # (vmsd.decode_section's, for this description)
        self.sections: dict[int, Section] = {}
        self.header: Any = None
        self.configuration: Any = None
        self.ignore_shared = False
        self.mapped_ram = False
        self.footers_seen = False
        self.notes: list[str] = []  # what could not be decoded, and why
        self.unlisted: list[str] = []  # device sections the description does not list
        self.stopped_at: int | None = None

    # -- records ---------------------------------------------------------------

    def records(self) -> Iterator[Any]:
        """Yield every Record, in stream order, up to and including EOF (and RamPage
        events before their section's Record if `yield_pages`)."""
        pipe = self.pipe
        try:
            yield from self._records()
        except TruncatedError:
            # a pipe's pass 2 ran out of spool where pass 1 stopped reading, after an
            # error there (corrupt compressed data, a read error): that one is the cause
            if pipe is not None and not pipe.first_pass and pipe.error is not None:
                raise pipe.error[1] from None
            raise

    def _records(self) -> Iterator[Any]:
        io = self.io
        io.seek(self.start)
        try:
            raw = io.read_bytes(8)
        except EOFError:  # fewer than 8 bytes: those there are
            io.seek(self.start)
            raw = b""
            while len(raw) < 8:
                try:
                    raw += io.read_bytes(1)
                except EOFError:
                    break
        if raw[:4] != b"QEVM":
            found = raw[:4].hex(" ")
            if len(raw) < 4:  # (a pipe's pass 2: its pass 1 may have failed there)
                found = f"{found} and the end of the stream" if found else "an empty stream"
                raise TruncatedError(f"expected the QEVM magic (51 45 56 4d), found {found}",
                                     offset=self.start)
            raise FormatError(f"expected the QEVM magic (51 45 56 4d), found {found}",
                              offset=self.start)
        if raw[:4] == b"QEVM" and len(raw) == 8:
            v = int.from_bytes(raw[4:], "big")
            if v != K.FileVersion.current.value:
                what = (" (the obsolete pre-0.13 format, which QEMU refuses to load too)"
                        if v == K.FileVersion.obsolete_v2_refused_by_qemu.value else "")
                raise FormatError(f"expected file version {K.FileVersion.current.value}, "
                                  f"found {v}{what}", offset=self.start + 4)
        io.seek(self.start)
        self.header = kaitai_call(io, "file header (magic QEVM, version 3)", K.FileHeader)
        try:
            yield from self._walk()
        except _Stop:
            pass
        if self.pipe is None or not self.pipe.first_pass:
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
        if self.unlisted:
            n = len(self.unlisted)
            shown = ", ".join(self.unlisted[:5]) + (", ..." if n > 5 else "")
            self.notes.append(
                f"{n} device section{'s' if n > 1 else ''} ({shown}) "
                f"{'are' if n > 1 else 'is'} not in the JSON description (no entry with that "
                f"name and instance), so shown as raw payloads; a description from another "
                f"machine type or QEMU version (--desc) lists other devices")
        skipped = [b.name for b in self.ram.blocks.values()
                   if b.mapped_ram is not None and b.mapped_ram.is_skipped]
        if skipped:
            self.notes.append(
                f"RAM block{'s' if len(skipped) > 1 else ''} {', '.join(skipped)}: not in the "
                f"stream (x-ignore-shared: shared memory, which the destination maps itself); "
                f"extracted as zeros")

    def _at_end(self, off: int, size: int | None) -> bool:
        if size is None:  # a pipe's first pass: the size is known at its end only
            assert self.pipe is not None and self.pipe.spooler is not None
            return self.pipe.spooler.at_eof()
        return off >= size

    def _walk(self) -> Iterator[Any]:
        io = self.io
        first_pass = self.pipe is not None and self.pipe.first_pass
        size = None if first_pass else io.size()
        levels = [_Level(None, 0)]
        while levels:
            level = levels[-1]
            off = io.pos()
            if level.limit is not None and off >= level.limit:
                if off > level.limit:
                    raise FormatError(
                        f"record runs 0x{off - level.limit:x} bytes past the end of its "
                        f"PACKAGED stream (ends at 0x{level.limit:x})", offset=off)
                levels.pop()
                continue
            if (off >= size) if size is not None else self._at_end(off, size):
                raise TruncatedError(f"stream ends at 0x{off:x} before the EOF record",
                                     end=off, offset=off)
            self.current_offset = off
            if self.progress is not None:
                self.progress(off)
            head = kaitai_call(io, "record header", K.RecordHead, at=off)
            t = head.record_type_raw
            handler = self._HANDLERS.get(t) if head.is_known else None
            if handler is None:
                raise FormatError(f"expected a record type ({_KNOWN_TYPES}), found 0x{t:02x}",
                                  offset=off)
            rec = Record(off, _KIND[t], head, level.depth)
            pages = handler(self, rec, level)
            if t == _EOF:
                yield rec
                if level.depth == 0:
                    return
                levels.pop()  # the PACKAGED stream ends early (its record is `prev`)
                continue
            if t == _COMMAND and head.command.command_type_raw == _PACKAGED:
                yield rec
                level.prev = rec
                if len(levels) > MAX_PACKAGED_DEPTH:
                    raise FormatError(f"PACKAGED commands nested more than "
                                      f"{MAX_PACKAGED_DEPTH} deep", offset=off)
                levels.append(_Level(rec.end + head.command.packaged_len, level.depth + 1))
                continue
            if pages is not None:
                if self.yield_pages:
                    yield from pages
                else:
                    for _ in pages:
                        pass
            rec.end = io.pos()
            if self.stopped_at is not None:
                yield rec  # the section whose payload could not be delimited
                raise _Stop()
            prev = level.prev
            if prev is not None and prev.section is not None and self.footers_seen \
                    and t != _FOOTER:
                raise FormatError(
                    f"expected section footer (0x7e) after section {prev.section.label}, "
                    f"found record type 0x{t:02x}", offset=off, section=prev.section.label)
            yield rec
            level.prev = rec

    # -- one handler per record kind ---------------------------------------------

    def _on_eof(self, rec: Record, level: _Level) -> None:
        rec.end = self.io.pos()
        if level.depth == 0:
            self.eof_end = rec.end

    def _on_footer(self, rec: Record, level: _Level) -> None:
        self.footers_seen = True
        sid = rec.head.section_id
        prev = level.prev
        if prev is None or prev.section is None:
            raise FormatError(f"section footer (id {sid}) that follows no section",
                              offset=rec.offset)
        if sid != prev.section.section_id:
            raise FormatError(
                f"expected footer of section {prev.section.label}, found footer "
                f"for section id {sid}", offset=rec.offset, section=prev.section.label)

    def _on_configuration(self, rec: Record, level: _Level) -> None:
        conf = rec.head.configuration
        self.configuration = conf
        self.ignore_shared = bool(conf.has_x_ignore_shared)
        self.mapped_ram = bool(conf.has_mapped_ram)
        if self.page_size_from_stream:
            self.page_size = page_size_of(conf)
            self.ram.set_page_size(self.page_size)
            # a configuration that implies none leaves it to the RAM records
            self.ram.page_size_open = not (conf.target_page_bits or conf.page_size_by_machine)

    def _on_command(self, rec: Record, level: _Level) -> None:
        cmd = rec.head.command
        t = cmd.command_type_raw
        if t == _POSTCOPY_ADVISE and cmd.len_data >= 16:
            self.ram.postcopy_summary = (cmd.data.ram_page_size_summary,
                                         cmd.data.target_page_size)
        elif t == _PACKAGED:
            if self.ram_only or self.first_pass:
                raise _Stop()  # pass 1 ends here: the rest is spooled as it is
            io = self.io
            n = cmd.packaged_len
            body = io.pos()
            if n > io.size() - body:
                raise TruncatedError(
                    f"stream ends at 0x{io.size():x} inside PACKAGED data of {n} bytes",
                    end=io.size(), offset=body)
            rec.end = body

    def _on_section(self, rec: Record, level: _Level) -> Iterator[RamPage] | None:
        """Decode a section's payload; for RAM, return the iterator that reads it."""
        io = self.io
        head = rec.head
        if head.is_named:
            s = head.section
            sec = Section(s.section_id, s.name, s.instance_id, s.version_id, rec.offset)
            if len(self.sections) >= MAX_SECTIONS and sec.section_id not in self.sections:
                raise FormatError(f"more than {MAX_SECTIONS} sections (QEMU opens one per "
                                  f"device instance: hundreds)", offset=rec.offset)
            self.sections[sec.section_id] = sec
        else:
            sid = head.section_id
            if sid not in self.sections:
                raise FormatError(f"{rec.kind} for section id {sid}, which no START opened",
                                  offset=rec.offset)
            sec = self.sections[sid]
        rec.section = sec
        name = sec.name
        pipe = self.pipe
        if self.ram_only and name != "ram" and name not in SPECIAL_PAYLOADS and \
                not name.endswith("/vfio"):
            # pass 1 ends at the first thing that is neither RAM nor self-delimiting
            raise _Stop()
        if name == "ram":
            rec.payload_format = "ram"
            if pipe is not None and not pipe.first_pass:
                done = pipe.ram_payloads.get(rec.offset)
                if done is not None:  # pass 2: decoded in pass 1
                    io.seek(done.end)
                    rec.ram_counts = done.counts
                    return None
                if pipe.error is not None and pipe.error[0] == rec.offset:
                    raise pipe.error[1]
            return self._ram_payload(rec, sec)
        if name == "block":
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

    _HANDLERS: dict[int, Callable[..., Any]] = {
        _EOF: _on_eof,
        _FOOTER: _on_footer,
        _CONFIGURATION: _on_configuration,
        _COMMAND: _on_command,
        **dict.fromkeys(_SECTIONS, _on_section),
    }

    # -- section payloads ----------------------------------------------------------

    def _ram_payload(self, rec: Record, sec: Section) -> Iterator[RamPage]:
        start = self.io.pos()
        before = self.ram.counts()
        pipe = self.pipe
        spooler = pipe.spooler if pipe is not None and pipe.first_pass else None
        if spooler is not None:
            # pass 1: keep page bodies out of the spool (a mapped-ram block's page area
            # too: its bitmap and pages are read forward as they go by)
            spooler.drop = True
        try:
            yield from self.ram.read_payload(self.io, sec, ignore_shared=self.ignore_shared,
                                             mapped_ram=self.mapped_ram, fast=self.fast)
        finally:
            if spooler is not None:
                spooler.drop = False
        after = self.ram.counts()
        rec.ram_counts = (after[0] - before[0], after[1] - before[1], after[2] - before[2])
        if spooler is not None:
            assert pipe is not None
            pipe.add_ram_payload(rec.offset, start, self.io.pos(), rec.ram_counts)

    def _block_payload(self, sec: Section) -> list[BlockChunk]:
        """Block migration records one at a time up to EOS; data goes to the block sinks."""
        io = self.io
        chunks = []
        while True:
            off = io.pos()
            b = kaitai_call(io, "block migration record", K.BlockRecord, section=sec.label)
            if b.flags & ~_BLK_FLAGS or not b.flags:
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
                rec.device = vmsd.decode_section(io, desc, sec.label, version=sec.version_id,
                                                 plans=self.plans,
                                                 compact_runs=self.compact_runs)
                return
            except DescriptionError as e:
                # The description cannot describe this payload (e.g. QEMU 7.2's s390_css,
                # whose JSON gives a whole array by a NULL first element). With footers the
                # rest is still framed: keep what was decoded and the rest as raw bytes.
                if self.first_pass:
                    raise _Stop() from None  # (a pipe: no scan ahead; pass 2 sees to it)
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
        if self.first_pass:
            raise _Stop()  # a pipe's pass 1 with a description that does not list it
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
                              f"stops there, and the rest is not checked (the stream may be "
                              f"truncated)")
            self.stopped_at = rec.offset
            return
        rec.raw = (start, end - start)
        if self.description is not None and self.decode_devices:
            self.unlisted.append(sec.label)
        io.seek(end)

    def _find_footer(self, start: int, sec: Section) -> int | None:
        """Offset of the footer of `sec` after `start` (a scan: see the grammar's doc)."""
        needle = bytes([_FOOTER]) + sec.section_id.to_bytes(4, "big")
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
