"""RAM: the `ram` section's records, RAM blocks, and extraction to sparse files.

The `ram` section's payloads (START, PARTs, END) are read here one record at a time
with the generated `ram_record` / `ram_block_entry` types. The block a record
belongs to carries across records (RAM_SAVE_FLAG_CONTINUE) and across sections.
Page bodies are handed to sinks and never kept: a :class:`RamExtractor` writes them
at their offsets into one sparse file per block (zero pages stay holes).
"""
from __future__ import annotations

import errno
import mmap
import os
import struct
import zlib
from collections import namedtuple

from migkaitai_ksy.qemu_migration import QemuMigration as K

from migkaitai.errors import FormatError, MigkaitaiError, TruncatedError

TYPE_CHECKING = False  # typing is not imported at run time (start-up cost)
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any

__all__ = ["RamBlock", "RamPage", "RamTracker", "RamSink", "RamExtractor", "safe_relative_path",
           "xbzrle_decode"]


class RamBlock:
    """One RAM block as MEM_SIZE announced it (`offset`: of its MEM_SIZE entry), with
    what the stream sent for it: `pages` with data (PAGE, XBZRLE, COMPRESS_PAGE records,
    of which `xbzrle_pages` and `compressed_pages`), `zero_pages`, and `bytes` (page
    record payloads: bodies, deltas, zlib data). `mr_addr` is the x-ignore-shared
    address, `mapped_ram` the generated mapped_ram_header, if any."""

    __slots__ = (
        "bytes",
        "compressed_pages",
        "length",
        "mapped_ram",
        "mr_addr",
        "name",
        "offset",
        "pages",
        "xbzrle_pages",
        "zero_pages",
    )

    def __init__(self, name: str, length: int, offset: int) -> None:
        self.name = name
        self.length = length
        self.offset = offset
        self.mr_addr: int | None = None
        self.mapped_ram: Any = None
        self.pages = 0
        self.zero_pages = 0
        self.xbzrle_pages = 0
        self.compressed_pages = 0
        self.bytes = 0

    def __repr__(self) -> str:
        return (f"RamBlock({self.name!r}, length=0x{self.length:x}, pages={self.pages}, "
                f"zero_pages={self.zero_pages})")

    @property
    def records(self) -> int:
        return self.pages + self.zero_pages


class RamPage(namedtuple("RamPage", "block addr kind data offset")):
    """A page record: `kind` is "zero" (`data` = the fill byte), "page" (the page),
    "compressed" (the page, inflated) or "xbzrle" (the delta against the page's previous
    content); `addr` is the offset in `block`, `offset` where the record is in the stream."""

    __slots__ = ()


class RamSink:
    """What RamTracker calls on its sinks (all offsets are within the block). A sink
    that also has `page_run(block, addrs, datas)` and `zero_run(block, addrs)` gets runs
    of pages and of zero pages at once from the fast path (see RamExtractor)."""

    def block(self, block: RamBlock) -> None: ...
    def zero(self, block: RamBlock, addr: int, fill: int) -> None: ...
    def page(self, block: RamBlock, addr: int, data: bytes) -> None: ...
    def xbzrle(self, block: RamBlock, addr: int, delta: bytes, offset: int) -> None: ...


class RamTracker:
    """Follows the `ram` section across its payloads: blocks, current block, counts."""

    def __init__(self, page_size: int, sinks: list[Any] | None = None) -> None:
        self.page_size = page_size
        self.sinks = sinks or []
        self.blocks: dict[str, RamBlock] = {}
        self.current: RamBlock | None = None
        self.records = 0
        self.eos = 0
        self.multifd_flushes = 0
        # (page size summary, target page size) from POSTCOPY_ADVISE, if one came
        self.postcopy_summary: tuple[int, int] | None = None
        self.channels: ChannelFeed | None = None  # multifd channel captures (--channel)
        self._released: int | None = None  # fast path: start of the mapped pages still held
        self.progress: Any = None  # called with the position inside long RAM payloads

    def add_channel_page(self, page: Any) -> None:
        """A page that came on a multifd channel (migkaitai.multifd.ChannelPage)."""
        block = self.blocks.get(page.block)
        if block is None:
            raise FormatError(f"multifd channel {page.channel_id} sends a page of block "
                              f"'{page.block}', which MEM_SIZE did not announce",
                              offset=page.offset)
        if page.kind == "zero":
            block.zero_pages += 1
            for s in self.sinks:
                s.zero(block, page.addr, 0)
        else:
            block.pages += 1
            block.bytes += len(page.data)
            for s in self.sinks:
                s.page(block, page.addr, page.data)

    def missing_pages_note(self) -> str | None:
        """Why RAM contents may be incomplete: pages that went over multifd channels."""
        if self.channels is not None:
            return None
        if self.multifd_flushes:
            return (f"the stream's RAM went over multifd channels ({self.multifd_flushes} "
                    f"MULTIFD_FLUSH records) that were not given: RAM pages with data are "
                    f"missing (give each channel with --channel FILE)")
        blocks = self.blocks.values()
        unsent = sum(b.length // self.page_size - b.pages - b.zero_pages for b in blocks)
        if blocks and unsent > 0 and not any(b.pages or b.mapped_ram for b in blocks):
            return (f"no RAM block got a page with data in this stream and {unsent} pages were "
                    f"not sent at all; if it was a multifd migration, they are in the channel "
                    f"captures (--channel FILE)")
        return None

    def counts(self) -> tuple[int, int, int]:
        """(RAM records, pages with data, zero pages) so far."""
        return (self.records, sum(b.pages for b in self.blocks.values()),
                sum(b.zero_pages for b in self.blocks.values()))

    def payload(self, walker: Any, sec: Any) -> None:
        """Read one ram payload (up to EOS), feeding the sinks."""
        for _ in self.iter_payload(walker, sec):
            pass

    def iter_payload(self, walker: Any, sec: Any) -> Iterator[RamPage]:
        """Read one ram payload (up to EOS), feeding the sinks and yielding each page record
        (data only lives until the next one is read)."""
        from migkaitai.stream import kaitai_call  # circular at import time

        io = walker.io
        ps = self.page_size
        mask = ps - 1
        label = sec.label
        if sec.version_id != 4:
            raise FormatError(f"expected ram section version 4, found {sec.version_id}",
                              offset=sec.offset, section=label)
        fast = walker.fast_view if not walker.yield_pages else None
        while True:
            if fast is not None and self.current is not None:
                # runs of CONTINUE pages: the fast path (see _fast_run); it stops before
                # any other record, which the generated type then reads
                io.seek(self._fast_run(fast, io.pos(), self.current))
            off = io.pos()
            rec = kaitai_call(io, "RAM record", K.RamRecord, ps, walker.ignore_shared,
                              walker.mapped_ram, False, False,
                              section=label)
            self.records += 1
            flags = rec.flags
            if not rec.has_valid_flags:
                raise FormatError(f"unknown combination of RAM flags 0x{flags:x} in RAM record",
                                  offset=off, section=label)
            addr = ((rec.addr_hi << 32) | rec.addr_lo) & ~mask
            if rec.is_mem_size:
                self._mem_size(walker, addr, label)
            if rec.is_hook:
                raise FormatError("RAM_SAVE_FLAG_HOOK (RDMA) record in a stream", offset=off,
                                  section=label)
            if rec.is_zero or rec.is_page or rec.is_xbzrle or rec.is_compress_page:
                block = self._block(rec, off, label)
                if addr + ps > block.length:
                    raise FormatError(
                        f"RAM page 0x{addr:x} lies outside block '{block.name}' "
                        f"(0x{block.length:x} bytes)", offset=off, section=label)
                if rec.is_zero:
                    block.zero_pages += 1
                    for s in self.sinks:
                        s.zero(block, addr, rec.fill_byte)
                    yield RamPage(block, addr, "zero", bytes([rec.fill_byte]), off)
                elif rec.is_page:
                    block.pages += 1
                    block.bytes += ps
                    for s in self.sinks:
                        s.page(block, addr, rec.page_data)
                    yield RamPage(block, addr, "page", rec.page_data, off)
                elif rec.is_xbzrle:
                    block.pages += 1
                    block.xbzrle_pages += 1
                    block.bytes += rec.xbzrle.len_data
                    for s in self.sinks:
                        s.xbzrle(block, addr, rec.xbzrle.data, off)
                    yield RamPage(block, addr, "xbzrle", rec.xbzrle.data, off)
                else:
                    block.pages += 1
                    block.compressed_pages += 1
                    block.bytes += rec.compressed.len_data
                    try:
                        data = zlib.decompressobj().decompress(rec.compressed.data, ps)
                    except zlib.error as e:
                        raise FormatError(f"COMPRESS_PAGE data is not zlib ({e})", offset=off,
                                          section=label) from None
                    if len(data) != ps:
                        raise FormatError(
                            f"COMPRESS_PAGE inflates to {len(data)} bytes, expected {ps}",
                            offset=off, section=label)
                    for s in self.sinks:
                        s.page(block, addr, data)
                    yield RamPage(block, addr, "compressed", data, off)
            if rec.is_multifd_flush:
                self.multifd_flushes += 1
                if self.channels is not None:
                    self.channels.boundary(self, flush=True)
            if rec.is_eos:
                self.eos += 1
                if self.channels is not None:
                    self.channels.boundary(self, flush=False)
                return

    def _fast_run(self, view: Any, pos: int, block: RamBlock) -> int:
        """Read records of `block` from `pos` while they are PAGE|CONTINUE (0x28),
        ZERO|CONTINUE (0x22) or XBZRLE|CONTINUE (0x60) - the bulk of every RAM payload -
        straight from a memory map of the file: the same records as `ram_record` parses
        (the tests compare both on every corpus stream), without a Python object per
        record. Returns where it stopped: at the first other record, or where a record
        would be out of bounds or invalid (the generated type then reports it)."""
        ps = self.page_size
        mask = ps - 1
        unpack = _BE64.unpack_from
        size = len(view)
        length = block.length
        sinks = self.sinks
        # sinks that take runs of pages and of zero pages (RamExtractor: one pwritev per
        # contiguous run, nothing for zero pages that stay holes)
        runs = bool(sinks) and all(hasattr(s, "page_run") and hasattr(s, "zero_run")
                                   for s in sinks)
        pages = zeros = xbzrle = xbzrle_bytes = 0
        if self._released is None or pos < self._released:
            self._released = pos - pos % _RELEASE
        release = self._released  # mapped pages before this are given back
        # pages handed to a background writer are read a little later: keep more mapped
        lag = (8 if runs else 2) * _RELEASE
        while pos + 9 <= size:
            if pos - release >= lag:
                # keep the resident set small: the page cache keeps the data anyway
                view.madvise(mmap.MADV_DONTNEED, release, _RELEASE)
                release += _RELEASE
                if self.progress is not None:
                    self.progress(pos)
            if not sinks or runs:  # whole runs at once
                k = _run_length(view, pos, 8 + ps, 0x28, ps, length)
                if k:
                    if runs:
                        stride = 8 + ps
                        end = pos + k * stride
                        with memoryview(view) as mv:
                            addrs = _addresses(mv[pos:end], stride, k, 0x28, ps)
                            # the bodies, as views of the map (no copy)
                            datas = list(map(mv.__getitem__, map(
                                slice, range(pos + 8, end, stride), range(pos + stride,
                                                                          end + stride, stride))))
                            for s in sinks:
                                s.page_run(block, addrs, datas)
                            del datas  # releases the views
                    pages += k
                    pos += k * (8 + ps)
                    continue
            if not sinks or runs:
                k = _run_length(view, pos, 9, 0x22, ps, length)
                if k and runs:
                    with memoryview(view) as mv:
                        fills = bytes(mv[pos + 8:pos + k * 9:9])
                        k -= len(fills.lstrip(b"\0"))  # a run of zero pages filled with 0
                        if k:
                            addrs = _addresses(mv[pos:pos + k * 9], 9, k, 0x22, ps)
                            for s in sinks:
                                s.zero_run(block, addrs)
                if k:
                    zeros += k
                    pos += k * 9
                    continue
            word = unpack(view, pos)[0]
            flags = word & mask
            addr = word - flags
            if flags == 0x28:  # RAM_SAVE_FLAG_PAGE | RAM_SAVE_FLAG_CONTINUE
                end = pos + 8 + ps
                if end > size or addr + ps > length:
                    break
                if sinks:
                    data = view[pos + 8:end]
                    for s in sinks:
                        s.page(block, addr, data)
                pages += 1
                pos = end
            elif flags == 0x22:  # RAM_SAVE_FLAG_ZERO | RAM_SAVE_FLAG_CONTINUE
                if addr + ps > length:
                    break
                if sinks:
                    fill = view[pos + 8]
                    for s in sinks:
                        s.zero(block, addr, fill)
                zeros += 1
                pos += 9
            elif flags == 0x60:  # RAM_SAVE_FLAG_XBZRLE | RAM_SAVE_FLAG_CONTINUE
                # ram_xbzrle: encoding (u1, valid 1), len_data (be16), data
                end = pos + 11 + (view[pos + 9] << 8 | view[pos + 10]) if pos + 11 <= size else 0
                if not pos < end <= size or view[pos + 8] != 1 or addr + ps > length:
                    break
                if sinks:
                    delta = view[pos + 11:end]
                    for s in sinks:
                        s.xbzrle(block, addr, delta, pos)
                xbzrle += 1
                xbzrle_bytes += end - pos - 11
                pos = end
            else:
                break
        self._released = release
        block.pages += pages + xbzrle
        block.xbzrle_pages += xbzrle
        block.bytes += pages * ps + xbzrle_bytes
        block.zero_pages += zeros
        self.records += pages + zeros + xbzrle
        return pos

    def _mapped_ram_pages(self, io: Any, block: RamBlock, off: int, label: str) -> None:
        """mapped-ram: page N of the block is at pages_offset + N * page_size when bit N of
        the bitmap at bitmap_offset is set (docs/devel/migration/mapped-ram.rst). The
        bitmap is in the source host's byte order; little-endian hosts are assumed."""
        hdr = block.mapped_ram
        ps = self.page_size
        if hdr.page_size != ps:
            raise FormatError(f"mapped-ram block '{block.name}' has page size "
                              f"{hdr.page_size}, expected {ps}", offset=off, section=label)
        if hdr.bitmap_offset == 0 and hdr.pages_offset == 0:
            return  # a shared block under x-ignore-shared: nothing in the file
        npages = block.length // ps
        nbytes = (npages + 7) // 8
        end = hdr.pages_offset + block.length
        if hdr.bitmap_offset + nbytes > io.size() or end > io.size():
            raise FormatError(f"mapped-ram block '{block.name}' lies past the end of the "
                              f"stream (0x{io.size():x})", offset=off, section=label)
        io.seek(hdr.bitmap_offset)
        bitmap = io.read_bytes(nbytes)
        for first, count, present in _runs(bitmap, npages):
            if not present:
                block.zero_pages += count
                for s in self.sinks:
                    for n in range(first, first + count):
                        s.zero(block, n * ps, 0)
                continue
            block.pages += count
            block.bytes += count * ps
            if not self.sinks:
                continue
            n = first
            while n < first + count:
                k = min(first + count - n, _MAPPED_CHUNK // ps)
                io.seek(hdr.pages_offset + n * ps)
                chunk = io.read_bytes(k * ps)
                for i in range(k):
                    page = chunk[i * ps:(i + 1) * ps]
                    for s in self.sinks:
                        s.page(block, (n + i) * ps, page)
                n += k

    def _block(self, rec: Any, off: int, label: str) -> RamBlock:
        if rec.is_continue:
            if self.current is None:
                raise FormatError("RAM record continues a block, but no block came before",
                                  offset=off, section=label)
            return self.current
        block = self.blocks.get(rec.block_name)
        if block is None:
            raise FormatError(f"RAM record names block '{rec.block_name}', which MEM_SIZE "
                              f"did not announce", offset=off, section=label)
        self.current = block
        return block

    def _mem_size(self, walker: Any, total: int, label: str) -> None:
        """Read the MEM_SIZE block list entry by entry (mapped-ram data is seeked over)."""
        from migkaitai.stream import kaitai_call

        io = walker.io
        remaining = total
        while remaining > 0:
            off = io.pos()
            e = kaitai_call(io, "RAM block entry of MEM_SIZE", K.RamBlockEntry,
                            walker.ignore_shared, walker.mapped_ram, False, False, 0,
                            section=label)
            ps = self.page_size
            if self.postcopy_summary and self.postcopy_summary[0] != ps:
                # postcopy-ram with blocks of other page sizes (hugepages): such a block's
                # entry carries its page size; which blocks do is not written anywhere, so
                # take the entry with it when that value is one of the advised sizes.
                io.seek(off)
                alt = kaitai_call(io, "RAM block entry of MEM_SIZE", K.RamBlockEntry,
                                  walker.ignore_shared, walker.mapped_ram, True, False, 0,
                                  section=label)
                bps = alt.block_page_size
                if bps != ps and bps & (bps - 1) == 0 and bps & self.postcopy_summary[0]:
                    e = alt
                else:
                    io.seek(off)
                    e = kaitai_call(io, "RAM block entry of MEM_SIZE", K.RamBlockEntry,
                                    walker.ignore_shared, walker.mapped_ram, False, False, 0,
                                    section=label)
            if e.used_length > remaining:
                raise FormatError(
                    f"RAM block '{e.name}' of 0x{e.used_length:x} bytes exceeds the MEM_SIZE "
                    f"total left (0x{remaining:x})", offset=off, section=label)
            remaining -= e.used_length
            block = RamBlock(e.name, e.used_length, off)
            if walker.ignore_shared:
                block.mr_addr = e.mr_addr
            self.blocks[block.name] = block
            for s in self.sinks:
                s.block(block)
            if walker.mapped_ram:
                block.mapped_ram = e.mapped_ram_header
                nxt = e.ofs_next
                if nxt > io.size():
                    raise FormatError(
                        f"mapped-ram block '{e.name}' data ends at 0x{nxt:x}, past the end of "
                        f"the stream (0x{io.size():x})", offset=off, section=label)
                try:
                    self._mapped_ram_pages(io, block, off, label)
                except EOFError:
                    raise TruncatedError(f"stream ends inside the data of mapped-ram block "
                                         f"'{block.name}'", offset=off, section=label) from None
                io.seek(nxt)


class ChannelFeed:
    """Merges pages of multifd channel captures into the RAM as the main stream goes.

    A channel page of round k (the number of SYNC packets its channel sent before it)
    is applied at the end of the main stream's round k: at the (k+1)-th MULTIFD_FLUSH
    (QEMU 9.0+) or, in streams without them (7.2), the (k+1)-th RAM EOS. Within a round
    QEMU sends a page once, so its order against the round's other records is free.
    """

    def __init__(self, paths: list[str], page_size: int) -> None:
        self.paths = paths
        self.page_size = page_size
        self.channels: Any = None
        self.pages: Iterator[Any] | None = None
        self.pending: Any = None
        self.round = 0
        self.by_flush = False

    def _open(self, tracker: RamTracker) -> None:
        from migkaitai.multifd import open_channels

        lengths = {b.name: b.length for b in tracker.blocks.values()}
        self.channels = open_channels(self.paths, self.page_size, block_lengths=lengths)
        self.pages = self.channels.pages()
        self.pending = next(self.pages, None)

    def boundary(self, tracker: RamTracker, flush: bool) -> None:
        if flush:
            self.by_flush = True
        elif self.by_flush:
            return
        self.round += 1
        self.feed(tracker, self.round)

    def feed(self, tracker: RamTracker, upto: int | None) -> None:
        """Apply the pages of rounds before `upto` (all of them if None)."""
        if self.channels is None:
            if not tracker.blocks:
                return
            self._open(tracker)
        assert self.pages is not None
        while self.pending is not None and (upto is None or self.pending.sync_round < upto):
            tracker.add_channel_page(self.pending)
            self.pending = next(self.pages, None)

    def summaries(self) -> list[Any]:
        return list(self.channels.summaries) if self.channels is not None else []

    def close(self) -> None:
        if self.channels is not None:
            self.channels.close()


_MAPPED_CHUNK = 1 << 20
_BE64 = struct.Struct(">Q")
_RELEASE = 2 << 20
_IOV_MAX = 1024


def _runs(bitmap: bytes, npages: int) -> Iterator[tuple[int, int, bool]]:
    """(first page, count, set) runs of a little-endian bitmap (bit n = byte n//8, bit n%8)."""
    start, cur = 0, None
    for n in range(npages):
        bit = bool(bitmap[n >> 3] >> (n & 7) & 1)
        if bit is not cur:
            if cur is not None:
                yield start, n - start, cur
            start, cur = n, bit
    if cur is not None:
        yield start, npages - start, cur


_RUN_CHUNK = 512  # records looked at at once by _run_length
_FLAG_TABLES: dict[int, bytes] = {}
_BELOW = [bytes(range(v)) for v in range(256)]  # _BELOW[v]: the byte values below v


def _run_length(view: Any, pos: int, stride: int, flags: int, ps: int, length: int) -> int:
    """How many records from `pos` on (at most _RUN_CHUNK) have exactly `flags` and an
    address inside the block, when records are `stride` bytes apart: C-level passes over
    strided byte slices instead of a Python step per record. 0 when fewer than 16."""
    n = min(_RUN_CHUNK, (len(view) - pos) // stride)
    if n < 16 or view[pos + 7] != flags or view[pos + 15 * stride + 7] != flags:
        return 0  # not a run (cheap tests first: XBZRLE streams ask at every record)
    span = memoryview(view)[pos:pos + n * stride]
    try:
        words = _words(span, stride, n)
        # the word's low byte holds the flags' low byte (addresses are page aligned)
        k = n - len(words[7::8].lstrip(bytes([flags])))
        hi = (ps - 1) >> 8  # flag bits that sit in byte 6 of the word must be clear
        if k and hi:
            table = _FLAG_TABLES.get(hi)
            if table is None:
                table = _FLAG_TABLES[hi] = bytes(1 if v & hi else 0 for v in range(256))
            bad = words[6:8 * k:8].translate(table).find(b"\x01")
            if bad >= 0:
                k = bad
        if k and not _words_at_most(words[:8 * k], length - ps + flags):
            return 0  # an address outside the block: the record-by-record path says where
        return k
    finally:
        span.release()


def _words(span: Any, stride: int, n: int) -> bytes:
    """The 8-byte big-endian words that start the `n` records of `span` (`stride` bytes
    apart), one after the other: one strided copy of 8-byte items when `stride` is a
    multiple of 8 (page records), else one per byte of the word (zero-page records)."""
    if stride % 8 == 0:
        with span[:n * stride].cast("Q") as items:
            return bytes(items[::stride // 8])
    out = bytearray(8 * n)
    for j in range(8):
        out[j::8] = span[j:n * stride:stride]
    return bytes(out)


def _words_at_most(words: bytes, limit: int) -> bool:
    """Whether every big-endian 64-bit word of `words` is at most `limit`, mostly without
    an int per word: the bytes above `limit`'s first non-zero byte must be 0 in every word
    (one pass per byte), and when that byte is below `limit`'s in every word, all are
    below; else (near the top of the block) the words are compared one by one."""
    if limit < 0:
        return False
    if limit >= 1 << 64:
        return True
    lim = limit.to_bytes(8, "big")
    n = len(words) // 8
    t = 0
    while t < 7 and lim[t] == 0:
        if words[t::8].count(0) != n:
            return False  # a word with a non-zero byte where `limit` has 0: above it
        t += 1
    if not words[t::8].translate(None, _BELOW[lim[t]]):  # every byte below lim[t]
        return True
    return max(struct.unpack(f">{n}Q", words)) <= limit


def _addresses(span: Any, stride: int, k: int, flags: int, ps: int) -> range | list[int]:
    """The page addresses of the `k` records of `span` (words = address | `flags`): a
    range when they ascend page by page (the usual case: one write per run), else a list."""
    words = struct.unpack(f">{k}Q", _words(span, stride, k))
    first = words[0]
    if words == tuple(range(first, first + k * ps, ps)):
        return range(first - flags, first - flags + k * ps, ps)
    return [w - flags for w in words]


def xbzrle_decode(old: bytes, delta: bytes) -> bytes:
    """Apply an XBZRLE delta (migration/xbzrle.c) to the previous content of a page.

    The delta is a sequence of (ULEB128 zero-run length, ULEB128 literal length,
    literal bytes): runs of unchanged bytes, then replaced bytes.
    """
    out = bytearray(old)
    pos = 0  # in the page
    i = 0  # in the delta
    n = len(delta)

    def uleb() -> int:
        nonlocal i
        value = shift = 0
        while True:
            if i >= n:
                raise ValueError("XBZRLE delta ends inside a length")
            b = delta[i]
            i += 1
            value |= (b & 0x7F) << shift
            if not b & 0x80:
                return value
            shift += 7
            if shift > 28:
                raise ValueError("XBZRLE length too long")

    while i < n:
        pos += uleb()
        if i >= n:  # a trailing zero run ends the delta
            break
        lit = uleb()
        if pos + lit > len(out) or i + lit > n:
            raise ValueError("XBZRLE literal runs past the page")
        out[pos:pos + lit] = delta[i:i + lit]
        pos += lit
        i += lit
    if pos > len(out):
        raise ValueError("XBZRLE run past the page")
    return bytes(out)


_NAME_MAX = 255


def safe_relative_path(name: str) -> str:
    """A relative path for a RAM block name that cannot leave the output folder.

    '/'-separated parts are kept as folders (like analyze-migration.py:
    "/rom@etc/acpi/tables" becomes "rom@etc/acpi/tables"); empty parts are dropped;
    '.', '..', NUL, control characters, '%' and '\\' are percent-escaped; a part too long
    for a file name is cut and ends with '~' and a hash of the whole part.
    """
    parts = []
    for part in name.split("/"):
        if not part:
            continue
        esc = "".join(
            f"%{ord(c):02X}" if (ord(c) < 0x20 or c in "%\\\x7f") else c for c in part)
        if esc in (".", ".."):
            esc = esc.replace(".", "%2E")
        if len(esc.encode()) > _NAME_MAX:  # too long for a file name once escaped
            import hashlib  # rarely needed: not imported at start-up

            digest = hashlib.sha256(part.encode("utf-8", "surrogateescape")).hexdigest()[:16]
            esc = esc.encode()[:_NAME_MAX - 17].decode("utf-8", "ignore") + "~" + digest
        parts.append(esc)
    return "/".join(parts) or "%00"


def open_inside(outdir: str, rel: str, what: str, offset: int | None = None) -> int:
    """Create (truncate) `outdir/rel` for writing and return its descriptor, refusing to
    leave `outdir` (a symbolic link among the folders) or to follow a symbolic link."""
    path = os.path.join(outdir, rel)
    parent = os.path.dirname(path)
    try:
        os.makedirs(parent, exist_ok=True)
    except OSError as e:
        raise MigkaitaiError(f"cannot create {parent} for {what}: {e.strerror}",
                             offset=offset) from None
    if os.path.commonpath([os.path.realpath(parent), outdir]) != outdir:
        raise MigkaitaiError(f"{what} would be written outside {outdir} (a symbolic link "
                             f"in the way)", offset=offset)
    try:
        return os.open(path, os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW
                       | getattr(os, "O_CLOEXEC", 0), 0o644)
    except OSError as e:
        if e.errno == errno.ELOOP:
            raise MigkaitaiError(f"refusing to write {what} through the symbolic link "
                                 f"{path}", offset=offset) from None
        raise MigkaitaiError(f"cannot write {path}: {e.strerror}", offset=offset) from None


class PageBits:
    """One bit per page of a block, allocated in 4 KiB pieces as pages are touched: a
    block that claims a huge length costs nothing until pages of it arrive."""

    _PIECE = 1 << 15  # bits per piece

    def __init__(self) -> None:
        self.pieces: dict[int, bytearray] = {}

    def get(self, n: int) -> bool:
        piece = self.pieces.get(n >> 15)
        return piece is not None and bool(piece[(n & 0x7FFF) >> 3] & (1 << (n & 7)))

    def set(self, n: int, value: bool = True) -> None:
        piece = self.pieces.get(n >> 15)
        if piece is None:
            if not value:
                return
            piece = self.pieces[n >> 15] = bytearray(self._PIECE >> 3)
        i = (n & 0x7FFF) >> 3
        if value:
            piece[i] |= 1 << (n & 7)
        else:
            piece[i] &= ~(1 << (n & 7)) & 0xFF

    def any_set(self, first: int, count: int) -> bool:
        """Whether a bit of pages first .. first + count - 1 is set (only the pieces
        allocated in that range are looked at)."""
        end = first + count
        lo, hi = first >> 15, (end - 1) >> 15
        if hi - lo >= len(self.pieces):
            keys = sorted(k for k in self.pieces if lo <= k <= hi)
        else:
            keys = [k for k in range(lo, hi + 1) if k in self.pieces]
        for key in keys:
            piece = self.pieces[key]
            i = max(first, key << 15) - (key << 15)  # bits i .. j - 1 of this piece
            j = min(end, (key + 1) << 15) - (key << 15)
            while i < j and i & 7:
                if piece[i >> 3] >> (i & 7) & 1:
                    return True
                i += 1
            while j > i and j & 7:
                j -= 1
                if piece[j >> 3] >> (j & 7) & 1:
                    return True
            if i < j and piece.count(0, i >> 3, j >> 3) != (j - i) >> 3:
                return True
        return False

    def set_range(self, first: int, count: int) -> None:
        end = first + count
        while first < end:
            if first & 7 or end - first < 8:
                self.set(first)
                first += 1
                continue
            piece = self.pieces.get(first >> 15)
            if piece is None:
                piece = self.pieces[first >> 15] = bytearray(self._PIECE >> 3)
            lo = (first & 0x7FFF) >> 3
            whole = min((end - first) >> 3, len(piece) - lo)
            piece[lo:lo + whole] = b"\xff" * whole
            first += whole << 3


def _pwritev_all(fd: int, datas: list[Any], offset: int, done: int | None = None) -> None:
    """pwritev (unless `done` bytes are written already), then the rest buffer by buffer
    after a short write (a disk that fills up part-way): what stopped it (ENOSPC, EFBIG)
    is raised, not a file silently cut short."""
    if done is None:
        done = os.pwritev(fd, datas, offset)
    if done == sum(map(len, datas)):  # bytes, or memoryviews of bytes: len is their size
        return
    for data in datas:
        with memoryview(data) as view:
            if done >= view.nbytes:
                done -= view.nbytes
                offset += view.nbytes
                continue
            at, done = done, 0
            while at < view.nbytes:
                w = os.pwrite(fd, view[at:], offset + at)
                if w <= 0:
                    raise OSError(errno.EIO, "a write made no progress")
                at += w
            offset += view.nbytes


def pwrite_all(fd: int, data: Any, offset: int) -> None:
    """os.pwrite of all of `data` (see _pwritev_all): one call, no list, when it is whole."""
    done = os.pwrite(fd, data, offset)
    if done != len(data):
        _pwritev_all(fd, [data], offset, done)


class _Writer:
    """One thread that runs write calls in the order given (pwrite and pwritev release
    the GIL, so the kernel's copying overlaps the reading of the stream). At most DEPTH
    calls wait; the first OSError is raised (once) in the caller's thread at the next
    submit, flush or close, and later calls are dropped."""

    DEPTH = 3

    def __init__(self) -> None:
        import queue  # -x only: not imported at start-up
        import threading

        self.queue: Any = queue.Queue(self.DEPTH)
        self.error: OSError | None = None
        self.reported = False
        self.thread = threading.Thread(target=self._run, name="migkaitai-writer", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while True:
            item = self.queue.get()
            if item is None:
                self.queue.task_done()
                return
            if self.error is None:
                try:
                    item[0](*item[1:])
                except OSError as e:
                    self.error = e
            del item  # the page views it holds
            self.queue.task_done()

    def _raise(self) -> None:
        if self.error is not None and not self.reported:
            self.reported = True
            raise self.error

    def submit(self, *call: Any) -> None:
        self._raise()
        self.queue.put(call)

    def flush(self) -> None:
        self.queue.join()
        self._raise()

    def close(self) -> None:
        if self.thread.is_alive():
            self.queue.put(None)
            self.thread.join()
        self._raise()


class RamExtractor:
    """Writes each RAM block to `<outdir>/<safe name>` as a sparse file of its length.

    Zero pages are holes; a zero page that replaces data written earlier (a running
    guest) is written as zeros, which takes one bit per guest page to know. XBZRLE
    deltas are applied to the page's previous content, read back from the file.

    With `background`, writes go through a :class:`_Writer` thread (in order), so that
    the kernel copies pages while the stream is read on; :meth:`close` waits for them.
    """

    def __init__(self, outdir: str, page_size: int, on_file: Any = None,
                 background: bool = False) -> None:
        self.outdir = os.path.realpath(outdir)
        self.page_size = page_size
        self.on_file = on_file
        self.fds: dict[str, int] = {}
        self.written: dict[str, PageBits] = {}  # bit per page: holds data
        self.writer = _Writer() if background else None

    def _pwrite(self, fd: int, data: Any, offset: int) -> None:
        # one page: queued only behind pending writes (order), else written at once (a
        # hand-over to the thread costs more than the write)
        if self.writer is not None and self.writer.queue.unfinished_tasks:
            self.writer.submit(pwrite_all, fd, data, offset)
        else:
            pwrite_all(fd, data, offset)

    def _pwritev(self, fd: int, datas: list[Any], offset: int) -> None:
        if self.writer is not None:
            self.writer.submit(_pwritev_all, fd, datas, offset)
        else:
            _pwritev_all(fd, datas, offset)

    def block(self, block: RamBlock) -> None:
        rel = safe_relative_path(block.name)
        fd = open_inside(self.outdir, rel, f"RAM block '{block.name}'", block.offset)
        old = self.fds.pop(block.name, None)
        if old is not None:
            if self.writer is not None:
                self.writer.flush()
            os.close(old)
        self.fds[block.name] = fd
        try:
            os.ftruncate(fd, block.length)
        except OSError as e:
            raise FormatError(f"RAM block '{block.name}' claims 0x{block.length:x} bytes, "
                              f"more than a file can hold here ({e.strerror})",
                              offset=block.offset) from None
        self.written[block.name] = PageBits()
        if self.on_file:
            self.on_file(rel)

    def zero(self, block: RamBlock, addr: int, fill: int) -> None:
        n = addr // self.page_size
        bits = self.written[block.name]
        if fill == 0 and not bits.get(n):
            return  # still a hole
        bits.set(n, bool(fill))
        self._pwrite(self.fds[block.name], bytes([fill]) * self.page_size, addr)

    def page(self, block: RamBlock, addr: int, data: bytes) -> None:
        self.written[block.name].set(addr // self.page_size)
        self._pwrite(self.fds[block.name], data, addr)

    def page_run(self, block: RamBlock, addrs: range | list[int], datas: list[Any]) -> None:
        """Pages at `addrs` (a range when contiguous; else ascending or not) with their
        bodies (memoryviews): written with one pwritev per run of contiguous addresses."""
        fd = self.fds[block.name]
        bits = self.written[block.name]
        ps = self.page_size
        i, n = 0, len(addrs)
        if isinstance(addrs, range):
            for i in range(0, n, _IOV_MAX):
                j = min(n, i + _IOV_MAX)
                self._pwritev(fd, datas[i:j], addrs[i])
                bits.set_range(addrs[i] // ps, j - i)
            return
        while i < n:
            j = i + 1
            while j < n and j - i < _IOV_MAX and addrs[j] == addrs[j - 1] + ps:
                j += 1
            self._pwritev(fd, datas[i:j], addrs[i])
            bits.set_range(addrs[i] // ps, j - i)
            i = j

    def zero_run(self, block: RamBlock, addrs: range | list[int]) -> None:
        """Zero pages (fill 0) at `addrs`: holes, unless a page held data before."""
        bits = self.written[block.name]
        ps = self.page_size
        if isinstance(addrs, range) and not bits.any_set(addrs.start // ps, len(addrs)):
            return
        for addr in addrs:
            self.zero(block, addr, 0)

    def xbzrle(self, block: RamBlock, addr: int, delta: bytes, offset: int) -> None:
        fd = self.fds[block.name]
        if self.writer is not None and self.writer.queue.unfinished_tasks:
            self.writer.flush()  # the page's previous content may still be on its way
        old = os.pread(fd, self.page_size, addr)
        try:
            new = xbzrle_decode(old, delta)
        except ValueError as e:
            raise FormatError(f"bad XBZRLE delta ({e})", offset=offset) from None
        self.written[block.name].set(addr // self.page_size)
        # written here, not queued: nothing is pending after the flush, and the next
        # XBZRLE record would otherwise wait for the writer thread to wake up
        pwrite_all(fd, new, addr)

    def close(self) -> None:
        """Wait for the writes, close the files; a write's error is raised here (or at
        the next write) when it ran in the background."""
        try:
            if self.writer is not None:
                self.writer.close()
        finally:
            for fd in self.fds.values():
                os.close(fd)
            self.fds.clear()


class RamMemoryDump:
    """RAM contents for `-m`, as analyze-migration.py lists them: one entry per page, keyed
    "<block> (0x<addr:016x>)", in order of each page's first record, with its final
    content: space-separated hex, or "Filled with 0x00" when its last record was a zero
    page. Pages go to sparse files in a temporary folder (a RamExtractor) and the order
    to a spool file, so memory stays small: two bits per guest page sent.
    """

    def __init__(self, tmpdir: str, page_size: int) -> None:
        self.page_size = page_size
        self.extractor = RamExtractor(tmpdir, page_size)
        self.order = open(os.path.join(tmpdir, ".order"), "w+b")  # noqa: SIM115
        self.names: list[str] = []
        self.index: dict[str, int] = {}
        self.seen: dict[str, PageBits] = {}
        self.zero_last: dict[str, PageBits] = {}

    def block(self, block: RamBlock) -> None:
        self.extractor.block(block)
        if block.name not in self.index:
            self.index[block.name] = len(self.names)
            self.names.append(block.name)
        self.seen[block.name] = PageBits()
        self.zero_last[block.name] = PageBits()

    def _mark(self, block: RamBlock, addr: int, zero: bool) -> None:
        n = addr // self.page_size
        seen = self.seen[block.name]
        if not seen.get(n):
            seen.set(n)
            self.order.write(self.index[block.name].to_bytes(4, "big") + n.to_bytes(8, "big"))
        self.zero_last[block.name].set(n, zero)

    def zero(self, block: RamBlock, addr: int, fill: int) -> None:
        self.extractor.zero(block, addr, fill)
        self._mark(block, addr, True)

    def page(self, block: RamBlock, addr: int, data: bytes) -> None:
        self.extractor.page(block, addr, data)
        self._mark(block, addr, False)

    def xbzrle(self, block: RamBlock, addr: int, delta: bytes, offset: int) -> None:
        self.extractor.xbzrle(block, addr, delta, offset)
        self._mark(block, addr, False)

    def entries(self) -> Iterator[tuple[str, str]]:
        """(key, value) for every page, in order of first appearance."""
        self.order.flush()
        self.order.seek(0)
        ps = self.page_size
        while True:
            chunk = self.order.read(12 * 4096)
            if not chunk:
                return
            for i in range(0, len(chunk), 12):
                name = self.names[int.from_bytes(chunk[i:i + 4], "big")]
                n = int.from_bytes(chunk[i + 4:i + 12], "big")
                key = f"{name} (0x{n * ps:016x})"
                if self.zero_last[name].get(n):
                    yield key, "Filled with 0x00"
                else:
                    data = os.pread(self.extractor.fds[name], ps, n * ps)
                    yield key, data.hex(" ")

    def close(self) -> None:
        self.extractor.close()
        self.order.close()
