"""The Python API: open a stream, walk its records, look at devices, fields and RAM.

    import migkaitai
    with migkaitai.open("mig") as m:
        snap = m.load()
        cpu = snap.device("cpu", 0)
        print(cpu.field("env.eip").value, cpu.field("env.eip").offset)
        for block in snap.ram_blocks:
            print(block.name, block.length, block.pages, block.zero_pages)

`MigrationStream.records()` is the one-pass, record-by-record view (it is what the
CLI uses); `load()` runs it once and keeps the decoded device sections (small) and
the RAM summary, never RAM contents.
"""
from __future__ import annotations

import builtins
import mmap
import os

from kaitaistruct import KaitaiStream

from migkaitai.description import (
    Description,
    diagnose_trailer,
    find_description,
    load_description_file,
)
from migkaitai.errors import DescriptionError, FormatError, MigkaitaiError, UsageError
from migkaitai.ram import ChannelFeed, RamBlock, RamPage, RamTracker
from migkaitai.stream import Record, Section, Walker, config_page_size
from migkaitai.vmsd import Node, devices_by_key

TYPE_CHECKING = False  # typing is not imported at run time (start-up cost)
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any

__all__ = ["open", "MigrationStream", "Snapshot", "Device", "find_stream_start"]

MAGIC = b"QEVM"


def find_stream_start(f: Any, size: int) -> int | None:
    """Offset of the QEVM header: at 0, else at the first page-aligned offset (4 KiB steps,
    up to 16 MiB) where `migrate file:...,offset=N` may have put it."""
    for off in range(0, min(size, 16 << 20), 4096):
        f.seek(off)
        if f.read(4) == MAGIC:
            return off
    return None


class Device:
    """A decoded device (VMSD) section: its `section` and its decoded tree `node`."""

    __slots__ = ("node", "section")

    def __init__(self, section: Section, node: Node) -> None:
        self.section = section
        self.node = node

    def __repr__(self) -> str:
        return f"Device({self.section.label})"

    @property
    def name(self) -> str:
        return self.section.name

    @property
    def instance_id(self) -> int:
        return self.section.instance_id

    def field(self, path: str) -> Node:
        """The field at `path`: names joined by '/', '[i]' for the i-th same-named field,
        e.g. "env.segs[1]/base" or "cpu/xsave" (a subsection)."""
        node = self.node
        for part in path.split("/"):
            name, idx = part, 0
            if part.endswith("]") and "[" in part:
                name, _, rest = part.rpartition("[")
                idx = int(rest[:-1])
            for c in node.children:
                if c.name != name:
                    continue
                n = len(c.value) if c.kind == "array" else 1
                if idx < n:
                    node = c.element(idx) if c.kind == "array" else c
                    break
                idx -= n
            else:
                raise KeyError(f"no field {path!r} in {self.section.label}")
        return node


class Snapshot:
    """Everything `MigrationStream.load()` decoded (RAM contents excluded): the
    `records`, `sections` by id, decoded `devices`, `ram_blocks`, the generated
    `configuration` record (or None) and the walk's `notes`."""

    def __init__(self) -> None:
        self.records: list[Record] = []
        self.sections: dict[int, Section] = {}
        self.devices: list[Device] = []
        self.ram_blocks: list[RamBlock] = []
        self.configuration: Any = None
        self.notes: list[str] = []

    def __repr__(self) -> str:
        return (f"Snapshot({len(self.records)} records, {len(self.devices)} devices, "
                f"{len(self.ram_blocks)} RAM blocks)")

    def device(self, name: str, instance_id: int = 0) -> Device:
        for d in self.devices:
            if d.name == name and d.instance_id == instance_id:
                return d
        raise KeyError(f"no device section {name!r} instance {instance_id}")

    @property
    def commands(self) -> list[Any]:
        return [r.head.command for r in self.records if r.kind == "command"]


class MigrationStream:
    """A QEMU migration stream in a file.

    Args:
        path: the file.
        description: a desc.json to use instead of the stream's own (``--desc``).
        offset: where the stream starts (default: found by its magic).
        channels: multifd channel captures whose pages complete the RAM.
    """

    def __init__(self, path: str, *, description: str | None = None,
                 offset: int | None = None, channels: list[str] | None = None) -> None:
        self.path = path
        self.channels = list(channels or [])
        try:
            self.file = builtins.open(path, "rb")
        except OSError as e:
            raise UsageError(f"cannot open {path}: {e.strerror}") from None
        self.size = os.fstat(self.file.fileno()).st_size
        self.io = KaitaiStream(self.file)
        if offset is None:
            start = find_stream_start(self.file, self.size)
            if start is None:
                head = self._peek(0, 8)
                raise FormatError(f"expected the QEVM magic (51 45 56 4d), found "
                                  f"{head.hex(' ') or 'an empty file'}", offset=0)
            offset = start
        elif offset < 0 or offset > self.size:
            raise UsageError(f"--offset {offset} lies outside the file ({self.size} bytes)")
        self.start = offset
        self.embedded: Description | None = find_description(self.file, self.size, offset)
        self.description: Description | None = (
            load_description_file(description) if description else self.embedded)
        # a description whose devices list is malformed is not used (devices stay raw)
        self.description_error: DescriptionError | None = None
        if self.description is not None:
            try:
                devices_by_key(self.description.doc)
            except DescriptionError as e:
                if e.offset is None:
                    e.offset = self.description.offset
                self.description_error = e
        self.page_size = self._page_size()
        self.pass1: Walker | None = None  # set when reading a pipe (migkaitai.pipe)
        self._map: mmap.mmap | None = None
        self.progress: Any = None  # a migkaitai.progress.Progress for long walks
        self.pass1_dump: Any = None

    def _peek(self, off: int, n: int) -> bytes:
        self.file.seek(off)
        return self.file.read(n)

    def _page_size(self) -> int:
        if self.description is not None and self.description.page_size:
            return self.description.page_size
        # No description: what the configuration says (as the grammar's top level does).
        from migkaitai_ksy.qemu_migration import QemuMigration as K

        if self._peek(self.start + 8, 1) == b"\x07":
            self.io.seek(self.start + 9)
            try:
                conf = K.Configuration(self.io)
            except Exception:  # the walk reports a broken configuration properly
                return 4096
            return config_page_size(conf)
        return 4096

    def __enter__(self) -> MigrationStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._map is not None:
            self._map.close()
        self.file.close()

    def walker(self, ram: RamTracker | None = None, *, decode_devices: bool = True,
               yield_pages: bool = False, fast: bool = True) -> Walker:
        """A Walker over this stream (see migkaitai.stream). `fast=False` reads every RAM
        record with the generated type (the fast path is for runs of CONTINUE pages)."""
        doc = self.description.doc if self.description and not self.description_error else None
        if self.pass1 is not None:  # a pipe's pass 2: RAM was decoded in pass 1
            ram = self.pass1.ram
        ram = ram or RamTracker(self.page_size)
        if self.channels and self.pass1 is None:
            ram.channels = ChannelFeed(self.channels, self.page_size)
        w = Walker(self.io, self.start, doc, self.page_size, ram,
                   decode_devices=decode_devices, yield_pages=yield_pages)
        if fast and self.size:
            if self._map is None:
                self._map = mmap.mmap(self.file.fileno(), 0, access=mmap.ACCESS_READ)
            w.fast_view = self._map
        if self.progress is not None:
            w.progress = ram.progress = self.progress
        if self.pass1 is not None:
            w.ram_done = self.pass1.ram_payloads
            w.pass1_error = self.pass1.pass1_error
        return w

    def trailer_problem(self, walker: Walker) -> DescriptionError | None:
        """After a walk: what is wrong with the description, if something is - it lists
        malformed devices, or a VMDESCRIPTION follows the EOF record but is damaged."""
        if self.description_error is not None:
            return self.description_error
        if self.embedded is None and walker.eof_end is not None:
            return diagnose_trailer(self.file, self.size, walker.eof_end)
        return None

    def pages(self, block: str | None = None) -> Iterator[RamPage]:
        """Yield the RAM page records in stream order (of one block if named). Each page's
        data is only what that record carries; see RamExtractor for the final RAM."""
        for ev in self.walker(yield_pages=True).records():
            if isinstance(ev, RamPage) and (block is None or ev.block.name == block):
                yield ev

    def records(self, ram: RamTracker | None = None) -> Iterator[Record]:
        """Yield the decoded records in stream order (one pass)."""
        return self.walker(ram).records()

    def load(self) -> Snapshot:
        """Decode the whole stream once; raises MigkaitaiError with `.partial` = the Snapshot
        decoded so far."""
        tracker = RamTracker(self.page_size)
        w = self.walker(tracker)
        snap = Snapshot()
        try:
            for rec in w.records():
                snap.records.append(rec)
                if rec.section is not None:
                    snap.sections[rec.section.section_id] = rec.section
                if rec.device is not None and rec.section is not None:
                    snap.devices.append(Device(rec.section, rec.device))
        except MigkaitaiError as e:
            e.partial = snap
            raise
        finally:
            snap.configuration = w.configuration
            snap.ram_blocks = list(tracker.blocks.values())
            snap.notes = list(w.notes)
        return snap


def open(path: str, *, description: str | None = None,  # noqa: A001 - the API's entry point
         offset: int | None = None, channels: list[str] | None = None) -> MigrationStream:
    """Open a migration stream file (see MigrationStream)."""
    return MigrationStream(path, description=description, offset=offset, channels=channels)
