"""What `migkaitai report` shows, collected in one walk of the stream: the summary's
facts, a map of every RAM block's pages (RamMap, a RAM sink), a map of the file (its
records as segments) and the device sections (each turned into compact JSON as it is
decoded, so that no Node tree is kept). migkaitai.render.html writes the page; this
module never writes anything.

The RAM map keeps one byte per guest page (the kind of the page's last record, and
whether it was sent more than once): 256 KiB for a 1 GiB guest of 4 KiB pages, never
the pages themselves. Cells aggregate pages (at most MAX_CELLS per block) with the
exact count of each class.
"""
from __future__ import annotations

from migkaitai.errors import MigkaitaiError, UsageError

TYPE_CHECKING = False  # typing is not imported at run time (start-up cost)
if TYPE_CHECKING:
    from typing import Any

    from migkaitai.api import MigrationStream
    from migkaitai.ram import RamBlock
    from migkaitai.walk import Record

__all__ = ["RamMap", "CLASSES", "MAX_CELLS", "collect"]

# The kinds of a page's last record (the low 3 bits of its byte in RamMap); bit 3: the
# page was sent more than once.
_NONE, _ZERO, _FULL, _XBZRLE, _COMPRESSED = range(5)
_RESENT = 8
# The classes a page is drawn as, by what the destination ends up with, in the order of
# a cell's counts: never sent; zero (its last record a zero page); sent once with its
# data; last sent as an XBZRLE delta; last sent compressed; sent several times, the last
# with its data. The pages of the last four hold data (the extraction writes them); a
# cell also counts its pages sent more than once, whatever their class.
CLASSES = ("unsent", "zero", "data", "xbzrle", "compressed", "resent")
_CLASS_OF = bytes(
    (0 if v & 7 == _NONE else
     1 if v & 7 == _ZERO else
     3 if v & 7 == _XBZRLE else
     4 if v & 7 == _COMPRESSED else
     5 if v & _RESENT else 2) if v < 16 else 0
    for v in range(256))
_IS_RESENT = bytes(1 if v & _RESENT else 0 for v in range(256))
# sending kind k: byte -> k, plus _RESENT when the page had been sent before
_SEND = {k: bytes(k | (_RESENT if v & 7 else 0) for v in range(256))
         for k in (_ZERO, _FULL, _XBZRLE, _COMPRESSED)}
MAX_CELLS = 4096  # cells per block at most: a 2^20-page block is 256 pages a cell
MAX_MAP_PAGES = 1 << 30  # pages of a block drawn at most (its map: 1 GiB of address space)
# parts (SECTION_PART, SECTION_END) of one iterative section listed as devices: the
# dirty-bitmap section of a guest with bitmaps sends 169,000 of them; the rest counted
MAX_PARTS = 64


class RamMap:
    """A RAM sink (see migkaitai.ram.RamSink) that remembers, per page, the kind of its
    last record and whether it was sent more than once. Fed runs by the fast path
    (`page_run`, `zero_run`) without the pages' bodies (`needs_page_data` False).

    The byte per page lives in an anonymous memory map: the kernel gives it memory only
    where pages were sent, so a block's size as the stream claims it costs address space,
    not memory. A block of more than MAX_MAP_PAGES pages (4 TiB of 4 KiB pages), or one
    whose map cannot be had, is not drawn (`too_large` says which, with its pages)."""

    needs_page_data = False

    def __init__(self, page_size: int) -> None:
        self.page_size = page_size
        self.pages: dict[str, Any] = {}  # block name -> its map (None: not drawn)
        self.npages: dict[str, int] = {}
        self.too_large: dict[str, int] = {}

    def block(self, block: RamBlock) -> None:
        self._new(block)

    def _new(self, block: RamBlock) -> Any:
        import mmap

        n = block.length // self.page_size
        self.npages[block.name] = n
        state = None
        if n <= MAX_MAP_PAGES:
            try:
                state = mmap.mmap(-1, max(1, n))
            except (OSError, MemoryError, OverflowError):
                pass  # (no address space left for it: not drawn, said)
        if state is None:
            self.too_large[block.name] = n
        self.pages[block.name] = state
        return state

    def _state(self, block: RamBlock) -> Any:
        state = self.pages.get(block.name)
        if self.npages.get(block.name) != block.length // self.page_size:
            # (a page size settled after the blocks were announced)
            state = self._new(block)
        return state

    def _one(self, block: RamBlock, addr: int, kind: int) -> None:
        state = self._state(block)
        i = addr // self.page_size
        if state is not None and i < self.npages[block.name]:
            state[i] = kind | (_RESENT if state[i] else 0)

    def _run(self, block: RamBlock, addrs: Any, kind: int) -> None:
        state = self._state(block)
        if state is None:
            return
        ps = self.page_size
        if isinstance(addrs, range) and addrs.step == ps and len(addrs):
            i = addrs.start // ps
            j = min(i + len(addrs), self.npages[block.name])
            if i < j:
                state[i:j] = state[i:j].translate(_SEND[kind])
        else:
            for a in addrs:
                self._one(block, a, kind)

    def zero(self, block: RamBlock, addr: int, fill: int) -> None:
        # a zero page filled with another byte (QEMU before 2.x) holds data
        self._one(block, addr, _ZERO if fill == 0 else _FULL)

    def page(self, block: RamBlock, addr: int, data: Any) -> None:
        self._one(block, addr, _FULL)

    def compressed_page(self, block: RamBlock, addr: int, data: Any) -> None:
        self._one(block, addr, _COMPRESSED)

    def xbzrle(self, block: RamBlock, addr: int, delta: Any, offset: int) -> None:
        self._one(block, addr, _XBZRLE)

    def page_run(self, block: RamBlock, addrs: Any, datas: Any) -> None:
        self._run(block, addrs, _FULL)

    def zero_run(self, block: RamBlock, addrs: Any) -> None:
        self._run(block, addrs, _ZERO)

    def classes(self, name: str) -> bytes:
        """A byte per page of block `name`: its class, an index into CLASSES."""
        return self.pages[name][:self.npages[name]].translate(_CLASS_OF)  # type: ignore[no-any-return]

    def cells(self, name: str, max_cells: int = MAX_CELLS) -> tuple[int, list[list[int]]]:
        """(pages per cell, the cells): each cell is [repeat, n0, ..., n5, resent], the
        count of its pages of each class (CLASSES) and of those sent more than once, for
        `repeat` cells in a row with the same counts (a block of one class is one entry).
        The map is read a cell at a time."""
        state = self.pages[name]
        n = self.npages[name]
        per = max(1, -(-n // max_cells))
        out: list[list[int]] = []
        last: list[int] | None = None
        k = len(CLASSES)
        unsent = bytes(per)
        for start in range(0, n, per):
            raw = state[start:min(n, start + per)]
            if raw == unsent:  # never sent (the usual cell of a big idle guest)
                counts = [0] * (k + 1)
                counts[0] = per
            else:
                cell = raw.translate(_CLASS_OF)
                first = cell[0]
                if cell.count(first) == len(cell):  # one class
                    counts = [0] * (k + 1)
                    counts[first] = len(cell)
                else:
                    counts = [cell.count(c) for c in range(k)] + [0]
                counts[k] = raw.translate(_IS_RESENT).count(1)
            if last is not None and last[1:] == counts:
                last[0] += 1
            else:
                last = [1, *counts]
                out.append(last)
        return per, out


class Entries:
    """The device entries (JSON texts, one per line) as the walk makes them: in memory up
    to 8 MiB, then in a temporary file (600 AHCI controllers make 48 MB of them), so that
    the report's memory does not grow with the device state either. Iterating reads them
    back in order."""

    def __init__(self) -> None:
        import tempfile

        self._f = tempfile.SpooledTemporaryFile(  # noqa: SIM115 - closed by close() or GC
            max_size=8 << 20, mode="w+", encoding="utf-8")
        self._n = 0

    def append(self, text: str) -> None:
        self._f.write(text)  # (JSON text: its newlines are escaped)
        self._f.write("\n")
        self._n += 1

    def __len__(self) -> int:
        return self._n

    def __iter__(self) -> Any:
        f = self._f
        f.seek(0)
        try:
            for line in f:
                yield line[:-1]
        finally:
            f.seek(0, 2)

    def __getitem__(self, i: int) -> str:
        return list(self)[i]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, (Entries, list)) and list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]

    def close(self) -> None:
        self._f.close()


def _segment_class(rec: Record) -> str:
    if rec.section is not None:
        fmt = rec.payload_format
        return "ram" if fmt == "ram" else "device" if fmt == "device" else "special"
    return {"command": "command", "configuration": "config", "eof": "eof"}.get(rec.kind,
                                                                               "other")


_KEPT = ("config", "eof")  # segments never merged with others


class FileMap:
    """The stream's records as segments [start, end, class, label, count, device]: runs
    of RAM sections (with their footers) are one segment; each device or other section
    (with its footer) is one, pointing at its entry in the device list."""

    MAX_SEGMENTS = 4000

    def __init__(self) -> None:
        self.segments: list[list[Any]] = []

    def add(self, rec: Record, device: int) -> None:
        segs = self.segments
        prev = segs[-1] if segs else None
        if rec.kind == "section_footer" and prev is not None and prev[1] == rec.offset:
            prev[1] = rec.end
            return
        cls = _segment_class(rec)
        if cls == "ram" and prev is not None and prev[2] == "ram" and prev[1] == rec.offset:
            prev[1] = rec.end
            prev[4] += 1
            prev[3] = f"ram: {prev[4]} sections"
            return
        if device < 0 and cls == "special" and prev is not None and prev[2] == cls and \
                prev[5] < 0 and prev[1] == rec.offset and rec.section is not None and \
                prev[3].startswith(rec.section.name + " "):  # parts not listed: one segment
            prev[1] = rec.end
            prev[4] += 1
            prev[3] = f"{rec.section.name} (parts not listed): {prev[4]} records"
            return
        if rec.section is not None:
            s = rec.section
            label = (f"{s.name} (instance {s.instance_id}, version {s.version_id}, "
                     f"{rec.kind})" if cls != "ram" else "ram: 1 section")
        elif rec.kind == "command":
            c = rec.head.command.command_type
            label = "command " + (c.name.upper() if hasattr(c, "name") else str(c))
        else:
            label = rec.kind
        segs.append([rec.offset, max(rec.end, rec.offset), cls, label, 1, device])

    def result(self) -> list[list[Any]]:
        """The segments; while there are too many to draw, neighbours that no device
        entry needs are merged: those of one class, then (records that alternate, such as
        RAM and dirty-bitmap parts) any whose union spans under 1/2000 of the stream,
        drawn in the class that covers most of its bytes."""
        segs = self.segments
        if len(segs) <= self.MAX_SEGMENTS or not segs:
            return segs
        limit = max(1, (segs[-1][1] - segs[0][0]) // 2000)
        out: list[list[Any]] = []
        by_class: list[dict[str, int]] = []  # bytes of each class in out[i]
        for s in segs:
            p = out[-1] if out else None
            if p is not None and p[5] < 0 and s[5] < 0 and p[1] == s[0] and (
                    p[2] == s[2] or (s[1] - p[0] <= limit and p[2] not in _KEPT and
                                     s[2] not in _KEPT)):
                p[1] = s[1]
                p[4] += s[4]
                kinds = by_class[-1]
                kinds[s[2]] = kinds.get(s[2], 0) + s[1] - s[0]
            else:
                out.append(list(s))
                by_class.append({s[2]: s[1] - s[0]})
        for p, kinds in zip(out, by_class, strict=True):
            if len(kinds) > 1 or p[4] > 1:
                p[2] = max(kinds, key=lambda k: kinds[k])
                p[3] = f"{p[4]} records (" + ", ".join(
                    f"{k}: {n} bytes" for k, n in sorted(kinds.items())) + ")"
        return out


def collect(m: MigrationStream) -> dict[str, Any]:
    """Walk `m` once and return what the report shows (see render.html.write_report): the
    summary (MigrationStream.summary's dict), the RAM map per block, the file map, the
    device entries (as JSON texts), and the fault, if the walk ended at one (`error`,
    `error_offset`: what came before it is all there)."""
    from migkaitai.api import SummaryCounter
    from migkaitai.ram import RamTracker
    from migkaitai.render.html import device_entry, more_parts_entry

    pipe = m._pipe_src is not None  # (not read yet: its RAM goes by in the first pass)
    if not pipe:
        m._need_ram_sinks("the report")  # (a pipe read before: its pages went by)
    ram_map = RamMap(m.page_size if not pipe else 4096)
    if pipe:
        m._first_pass([ram_map])
        walker = m.walker(None)
    else:
        walker = m.walker(RamTracker(m.page_size, [ram_map]))
    walker.compact_runs = True  # (the trees only become entries: runs stay bytes)
    counter = SummaryCounter()
    files = FileMap()
    devices = Entries()
    error: str | None = None
    error_offset: int | None = None
    failure: MigkaitaiError | None = None
    parts: dict[str, int] = {}  # iterative sections (dirty bitmaps...): parts seen
    names: dict[str, str] = {}
    try:
        for rec in walker.records():
            counter.add(rec)
            index = -1
            sec = rec.section
            if sec is not None and rec.payload_format != "ram" and rec.kind != \
                    "section_footer":
                n = parts[sec.label] = parts.get(sec.label, 0) + 1 \
                    if rec.kind in ("section_part", "section_end") else 0
                names[sec.label] = sec.name
                if n <= MAX_PARTS:  # (the first parts of each; a count for the rest)
                    index = len(devices)
                    devices.append(device_entry(rec, index, m._read_raw))
            files.add(rec, index)
        problem = m.trailer_problem(walker)
        if problem is not None:
            failure, error, error_offset = problem, str(problem), problem.offset
    except MigkaitaiError as e:
        if walker.header is None or isinstance(e, UsageError):
            raise  # nothing decoded, or bad usage: no report, only the error
        failure, error, error_offset = e, str(e), e.offset
    for label, n in parts.items():
        if n > MAX_PARTS:
            devices.append(more_parts_entry(len(devices), names[label], label,
                                            n - MAX_PARTS))
    summary = counter.result(m, walker, error)
    ps = walker.ram.page_size
    ram_map.page_size = ps
    blocks = []
    for b in walker.ram.blocks.values():
        note = None
        if ram_map._state(b) is not None:  # (made anew if the page size changed)
            per, cells = ram_map.cells(b.name)
        else:
            per, cells = 0, []
            note = (f"not drawn: the block claims {b.length // ps:,} pages, more than the "
                    f"{MAX_MAP_PAGES:,} a map is made for")
        blocks.append({"name": b.name, "size": b.length, "pages": b.length // ps,
                       "per_cell": per, "cells": cells, "encodings": b.encodings(ps),
                       "mapped_ram": b.mapped_ram is not None, "note": note})
    desc = m.description
    described = None
    if desc is not None and desc.offset is not None:
        described = [desc.offset, desc.offset + desc.length]
    return {"summary": summary, "page_size": ps, "classes": list(CLASSES),
            "ram": blocks, "segments": files.result(), "devices": devices,
            "description_span": described, "error": error, "error_offset": error_offset,
            "failure": failure,
            "stream_size": m.size, "stream_start": m.start}
