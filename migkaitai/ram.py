"""RAM: the `ram` section's records and the RAM blocks they fill.

The `ram` section's payloads (START, PARTs, END) are read here one record at a time
with the generated `ram_record` / `ram_block_entry` types, each record kind by its own
handler (:data:`RamTracker._HANDLERS`, keyed by the grammar's `ram_save_flag` enum). The
block a record belongs to carries across records (RAM_SAVE_FLAG_CONTINUE) and across
sections. Runs of CONTINUE records are read by the fast path (migkaitai.ram_fast) when
the stream is a file. Page bodies are handed to sinks (migkaitai.output) and never kept.
"""
from __future__ import annotations

import zlib
from collections import namedtuple

from kaitaistruct import KaitaiStructError
from migkaitai_ksy.qemu_migration import QemuMigration as K

from migkaitai.errors import FormatError, TruncatedError
from migkaitai.kaitai import kaitai_call

TYPE_CHECKING = False  # typing is not imported at run time (start-up cost)
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from typing import Any

    from kaitaistruct import KaitaiStream

    from migkaitai.multifd import ChannelFeed, ChannelPage
    from migkaitai.ram_fast import FastPath, FastRun

__all__ = ["RamBlock", "RamPage", "RamTracker", "RamSink", "xbzrle_decode", "xbzrle_apply",
           "RAM_VERSION",
           "PAGE_SIZES", "PageSizeSettled", "frames_with"]

F = K.RamSaveFlag
RAM_VERSION = 4  # the ram section's version_id (ram.c: register_savevm_live(..., 4, ...))
MAX_RAM_BLOCKS = 1 << 16  # in one MEM_SIZE record (QEMU: tens; each costs memory)
# Target page sizes QEMU builds (TARGET_PAGE_BITS 8 for AVR .. 16), the usual one first
PAGE_SIZES = (4096, 256, 512, 1024, 2048, 8192, 16384, 32768, 65536)
_SETTLE_WINDOW = 1 << 17  # bytes looked at (enough for 16 records of 4 KiB pages)
_SETTLE_PAGES = 8  # PAGE records that framed right: enough
_SETTLE_RECORDS = 16  # page records of any kind: enough (QEMU sends pages in order)
_MAPPED_CHUNK = 1 << 20


class RamBlock:
    """One RAM block as MEM_SIZE announced it (`offset`: of its MEM_SIZE entry), with
    what the stream sent for it: `pages` with data (PAGE, XBZRLE, COMPRESS_PAGE records,
    of which `xbzrle_pages` and `compressed_pages`), `zero_pages`, and `bytes` (page
    record payloads: bodies, deltas, zlib data). `mr_addr` is the x-ignore-shared
    address, `mapped_ram` the generated mapped_ram_header, if any."""

    __slots__ = (
        "bytes",
        "channel_pages",
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
        self.channel_pages = 0  # of pages and zero_pages: those from multifd channels
        self.pages = 0
        self.zero_pages = 0
        self.xbzrle_pages = 0
        self.compressed_pages = 0
        self.bytes = 0

    def encodings(self, page_size: int) -> dict[str, int]:
        """Its page records by encoding: full, zero, xbzrle, compressed; multifd (of those,
        from channel captures); resent (sends beyond one per page) and unsent (pages no
        record carries; 0 for mapped-ram, whose bitmap says)."""
        n = self.length // page_size
        sends = self.pages + self.zero_pages
        return {"full": self.pages - self.xbzrle_pages - self.compressed_pages,
                "zero": self.zero_pages, "xbzrle": self.xbzrle_pages,
                "compressed": self.compressed_pages, "multifd": self.channel_pages,
                "resent": max(0, sends - n),
                "unsent": 0 if self.mapped_ram is not None else max(0, n - sends)}

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
    of pages and of zero pages at once from the fast path (see output.RamExtractor).
    A sink's `page_size` is set when the stream's page size becomes known."""

    page_size: int

    def block(self, block: RamBlock) -> None: ...
    def zero(self, block: RamBlock, addr: int, fill: int) -> None: ...
    def page(self, block: RamBlock, addr: int, data: bytes) -> None: ...
    def xbzrle(self, block: RamBlock, addr: int, delta: bytes, offset: int) -> None: ...


class _Payload:
    """What reading one payload needs: the stream, the section, the capabilities."""

    __slots__ = ("ignore_shared", "io", "label", "mapped_ram")

    def __init__(self, io: KaitaiStream, label: str, ignore_shared: bool,
                 mapped_ram: bool) -> None:
        self.io = io
        self.label = label
        self.ignore_shared = ignore_shared
        self.mapped_ram = mapped_ram


class _End(Exception):
    """RAM_SAVE_FLAG_EOS: the payload ends (raised by the EOS handler)."""


class RamTracker:
    """Follows the `ram` section across its payloads: blocks, current block, counts.

    `sinks` receive blocks and pages (see RamSink); `channels` (a multifd.ChannelFeed)
    merges the pages of multifd channel captures at the RAM round boundaries."""

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
        # The stream has not said its page size (no configuration record, or one that
        # implies none): the RAM records settle it (see settle_page_size). `settled_by`
        # then says how; with `stop_when_settled`, reading stops there (PageSizeSettled).
        self.page_size_open = False
        self.page_size_settled = False  # (by settle_page_size, with `settled_by` or not)
        self.settled_by: str | None = None
        self.stop_when_settled = False

    def set_page_size(self, page_size: int) -> None:
        """The page size, once the stream says it (a pipe's configuration record)."""
        self.page_size = page_size
        for sink in self.sinks:
            sink.page_size = page_size

    def add_channel_page(self, page: ChannelPage) -> None:
        """A page that came on a multifd channel."""
        block = self.blocks.get(page.block)
        if block is None:
            raise FormatError(f"multifd channel {page.channel_id} sends a page of block "
                              f"'{page.block}', which MEM_SIZE did not announce",
                              offset=page.offset)
        block.channel_pages += 1
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
        """Why RAM contents may be incomplete: pages that went over multifd channels (not
        given, or not all of them: QEMU numbers the packets across all channels, so a
        channel left out shows as numbers no capture holds)."""
        if self.channels is not None:
            sums = [s for s in self.channels.summaries() if s.first_packet_num is not None]
            if not sums:
                return None
            lo = min(s.first_packet_num for s in sums)
            hi = max(s.last_packet_num for s in sums)
            missing = hi - lo + 1 - sum(s.packets - s.device_state_packets for s in sums)
            if missing <= 0:
                return None
            unsent = sum(max(0, b.length // self.page_size - b.pages - b.zero_pages)
                         for b in self.blocks.values())
            return (f"multifd packets {lo} to {hi} are numbered across the channels, but "
                    f"{missing} of them are in none of the {len(sums)} channel capture(s) "
                    f"given (a channel left out?): {unsent} RAM pages were not received at "
                    f"all")
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
        pages = zeros = 0
        for b in self.blocks.values():
            pages += b.pages
            zeros += b.zero_pages
        return self.records, pages, zeros

    # -- reading a payload -------------------------------------------------------

    def read_payload(self, io: KaitaiStream, sec: Any, *, ignore_shared: bool = False,
                     mapped_ram: bool = False, fast: FastPath | None = None
                     ) -> Iterator[RamPage]:
        """Read one ram payload of section `sec` (a walk.Section) from `io` up to its EOS,
        feeding the sinks and yielding each page record (data only lives until the next
        one is read). `fast`, if given, reads runs of CONTINUE records from a memory map
        (then those pages are not yielded: pass None to see every page)."""
        ps = self.page_size
        mask = ps - 1
        label = sec.label
        if sec.version_id != RAM_VERSION:
            raise FormatError(f"expected ram section version {RAM_VERSION}, found "
                              f"{sec.version_id}", offset=sec.offset, section=label)
        ctx = _Payload(io, label, ignore_shared, mapped_ram)
        handlers = self._HANDLERS
        while True:
            off = io.pos()
            if self.page_size_open and self.blocks and self._page_record_at(io, off):
                self.settle_page_size(io, off)
                ps = self.page_size
                mask = ps - 1
            if fast is not None and self.current is not None:
                # runs of CONTINUE pages; the fast path stops before any other record,
                # which the generated type then reads
                run = fast.run(off, self.current, ps)
                if run is not None:
                    off = self._count_run(run)
                    io.seek(off)
                    if run.eos:  # (read by the fast path too: no record type built)
                        self.records += 1
                        try:
                            self._on_eos(ctx, None, off - 8, 0)
                        except _End:
                            return
            rec = kaitai_call(io, "RAM record", K.RamRecord, page_size=ps,
                              ignore_shared=ignore_shared, mapped_ram=mapped_ram,
                              postcopy_page_sizes=False, with_blocks=False, section=label,
                              at=off)
            self.records += 1
            handler = handlers.get(rec.kind_flags) if rec.has_valid_flags else None
            if handler is None:
                raise FormatError(f"unknown combination of RAM flags 0x{rec.flags:x} in RAM "
                                  f"record", offset=off, section=label)
            addr = ((rec.addr_hi << 32) | rec.addr_lo) & ~mask
            try:
                page = handler(self, ctx, rec, off, addr)
            except _End:
                return
            if page is not None:
                yield page

    @staticmethod
    def _page_record_at(io: KaitaiStream, off: int) -> bool:
        """Whether the record at `off` is a page (ZERO, PAGE, XBZRLE: the flags of the low
        byte mean the same for every page size), the first record that needs the size."""
        try:
            word = io.read_bytes(8)
        except EOFError:
            return False
        finally:
            io.seek(off)
        return bool(word[7] & _PAGE_BITS)

    def settle_page_size(self, io: KaitaiStream, off: int, said: int | None = None) -> None:
        """Settle the page size the stream did not say, from the RAM records at `off`
        (or from `said`, a mapped-ram header's page_size): the one size among PAGE_SIZES
        for which the records that follow frame as QEMU writes them (see frames_with).
        Several fit only when the window holds no page with data: then the largest that
        divides the addresses of two or more pages. Else (`settled_by` None) 4096 stays,
        and the record reader says what fails, if anything.
        A file and a pipe settle it alike: the same bytes, before any page is decoded."""
        self.page_size_open = False
        self.page_size_settled = True
        if said is not None:
            size, self.settled_by = said, "the mapped-ram headers"
        else:
            raw = io._io  # (the bytes only: re-read below by the record reader)
            pulled = getattr(raw, "window", None)  # a pipe's (pipe.SpoolingReader)
            if pulled is not None:
                window = pulled(off, _SETTLE_WINDOW)
            else:
                raw.seek(off)
                window = raw.read(_SETTLE_WINDOW)
            io.seek(off)
            blocks = {b.name: b.length for b in self.blocks.values()}
            current = self.current.name if self.current is not None else None
            fits = {ps: frames_with(window, ps, blocks, current) for ps in PAGE_SIZES}
            by_pages = [ps for ps, n in fits.items() if n is not None and n[0] > 0]
            fitting = [ps for ps, n in fits.items() if n is not None]
            if by_pages:  # page bodies framed (other sizes hardly ever do)
                size = 4096 if 4096 in by_pages else max(by_pages)
                self.settled_by = "the RAM records"
            elif fitting and max(n[1] for n in fits.values() if n is not None) > 1:
                # zero pages only: their addresses are multiples of the page size, and
                # QEMU sends pages in order (the next one is one page further): a larger
                # size does not divide them all
                size = max(fitting)
                self.settled_by = "the RAM records' addresses"
            else:  # nothing to tell sizes apart (or nothing frames: the reader says why)
                size, self.settled_by = self.page_size, None
        self.set_page_size(size)
        if self.stop_when_settled:
            raise PageSizeSettled(size)

    def _count_run(self, run: FastRun) -> int:
        """Count what the fast path read; return where it stopped."""
        block = self.current
        assert block is not None
        block.pages += run.pages + run.xbzrle
        block.xbzrle_pages += run.xbzrle
        block.bytes += run.pages * self.page_size + run.xbzrle_bytes
        block.zero_pages += run.zeros
        self.records += run.pages + run.zeros + run.xbzrle
        return run.end  # type: ignore[no-any-return]

    def _page_block(self, ctx: _Payload, rec: Any, off: int, addr: int) -> RamBlock:
        """The block of a page record (named, or the current one for CONTINUE), with the
        page checked to lie inside it."""
        if rec.is_continue:
            block = self.current
            if block is None:
                raise FormatError("RAM record continues a block, but no block came before",
                                  offset=off, section=ctx.label)
        else:
            block = self.blocks.get(rec.block_name)
            if block is None:
                raise FormatError(f"RAM record names block '{rec.block_name}', which MEM_SIZE "
                                  f"did not announce", offset=off, section=ctx.label)
            self.current = block
        if addr + self.page_size > block.length:
            raise FormatError(
                f"RAM page 0x{addr:x} lies outside block '{block.name}' "
                f"(0x{block.length:x} bytes)", offset=off, section=ctx.label)
        return block

    def _on_zero(self, ctx: _Payload, rec: Any, off: int, addr: int) -> RamPage:
        block = self._page_block(ctx, rec, off, addr)
        block.zero_pages += 1
        for s in self.sinks:
            s.zero(block, addr, rec.fill_byte)
        return RamPage(block, addr, "zero", bytes([rec.fill_byte]), off)

    def _on_page(self, ctx: _Payload, rec: Any, off: int, addr: int) -> RamPage:
        block = self._page_block(ctx, rec, off, addr)
        block.pages += 1
        block.bytes += self.page_size
        for s in self.sinks:
            s.page(block, addr, rec.page_data)
        return RamPage(block, addr, "page", rec.page_data, off)

    def _on_xbzrle(self, ctx: _Payload, rec: Any, off: int, addr: int) -> RamPage:
        block = self._page_block(ctx, rec, off, addr)
        block.pages += 1
        block.xbzrle_pages += 1
        block.bytes += rec.xbzrle.len_data
        for s in self.sinks:
            s.xbzrle(block, addr, rec.xbzrle.data, off)
        return RamPage(block, addr, "xbzrle", rec.xbzrle.data, off)

    def _on_compressed(self, ctx: _Payload, rec: Any, off: int, addr: int) -> RamPage:
        block = self._page_block(ctx, rec, off, addr)
        ps = self.page_size
        block.pages += 1
        block.compressed_pages += 1
        block.bytes += rec.compressed.len_data
        try:
            data = zlib.decompressobj().decompress(rec.compressed.data, ps)
        except zlib.error as e:
            raise FormatError(f"COMPRESS_PAGE data is not zlib ({e})", offset=off,
                              section=ctx.label) from None
        if len(data) != ps:
            raise FormatError(f"COMPRESS_PAGE inflates to {len(data)} bytes, expected {ps}",
                              offset=off, section=ctx.label)
        for s in self.sinks:
            # (a sink that tells compressed pages apart: migkaitai.report.RamMap)
            getattr(s, "compressed_page", s.page)(block, addr, data)
        return RamPage(block, addr, "compressed", data, off)

    def _on_mem_size(self, ctx: _Payload, rec: Any, off: int, addr: int) -> None:
        self._mem_size(ctx, addr)

    def _on_hook(self, ctx: _Payload, rec: Any, off: int, addr: int) -> None:
        raise FormatError("RAM_SAVE_FLAG_HOOK (RDMA) record in a stream", offset=off,
                          section=ctx.label)

    def _on_multifd_flush(self, ctx: _Payload, rec: Any, off: int, addr: int) -> None:
        self.multifd_flushes += 1
        if self.channels is not None:
            self.channels.boundary(self, flush=True)

    def _on_eos(self, ctx: _Payload, rec: Any, off: int, addr: int) -> None:
        self.eos += 1
        if self.channels is not None:
            self.channels.boundary(self, flush=False)
        raise _End()

    # RAM_SAVE_FLAG_FULL (0x01) has no handler: QEMU refuses it ("Unknown combination of
    # migration flags"), and so does read_payload.
    _HANDLERS: dict[int, Callable[..., RamPage | None]] = {
        F.zero.value: _on_zero,
        F.page.value: _on_page,
        F.xbzrle.value: _on_xbzrle,
        F.compress_page.value: _on_compressed,
        F.mem_size.value: _on_mem_size,
        F.hook.value: _on_hook,
        F.multifd_flush.value: _on_multifd_flush,
        F.eos.value: _on_eos,
    }

    # -- MEM_SIZE and mapped-ram -------------------------------------------------

    def _entry_has_page_size(self, ctx: _Payload, off: int) -> bool:
        """Whether the MEM_SIZE entry at `off` carries its block's page size. postcopy-ram
        with blocks of other page sizes (hugepages) adds it to those blocks' entries, and
        which blocks do is not written anywhere: take it when the entry read with it has a
        `block_page_size` that is a power of two among the advised sizes, other than the
        target's. (Only then is an entry read twice.)"""
        summary = self.postcopy_summary
        ps = self.page_size
        if not summary or summary[0] == ps:
            return False
        io = ctx.io
        try:
            e = K.RamBlockEntry(ignore_shared=ctx.ignore_shared, mapped_ram=ctx.mapped_ram,
                                postcopy_page_sizes=True, with_data=False, total_4k_before=0,
                                _io=io)
        except (EOFError, UnicodeDecodeError, KaitaiStructError):
            return False  # the entry is broken anyway: its own read reports it
        finally:
            io.seek(off)
        bps = e.block_page_size
        return bps != ps and bps & (bps - 1) == 0 and bool(bps & summary[0])

    def _mem_size(self, ctx: _Payload, total: int) -> None:
        """Read the MEM_SIZE block list entry by entry (mapped-ram data is seeked over)."""
        io = ctx.io
        label = ctx.label
        remaining = total
        entries = 0
        while remaining > 0:
            off = io.pos()
            e = kaitai_call(io, "RAM block entry of MEM_SIZE", K.RamBlockEntry,
                            ignore_shared=ctx.ignore_shared, mapped_ram=ctx.mapped_ram,
                            postcopy_page_sizes=self._entry_has_page_size(ctx, off),
                            with_data=False, total_4k_before=0, section=label)
            if e.used_length > remaining:
                raise FormatError(
                    f"RAM block '{e.name}' of 0x{e.used_length:x} bytes exceeds the MEM_SIZE "
                    f"total left (0x{remaining:x})", offset=off, section=label)
            if e.used_length == 0:  # (QEMU's loader would loop on it for ever)
                raise FormatError(f"RAM block '{e.name}' of 0 bytes in MEM_SIZE (a RAM block "
                                  f"is never empty)", offset=off, section=label)
            entries += 1
            if entries > MAX_RAM_BLOCKS:
                raise FormatError(f"more than {MAX_RAM_BLOCKS} RAM blocks in MEM_SIZE (QEMU "
                                  f"has tens)", offset=off, section=label)
            remaining -= e.used_length
            block = RamBlock(e.name, e.used_length, off)
            if ctx.ignore_shared:
                block.mr_addr = e.mr_addr
            self.blocks[block.name] = block
            for s in self.sinks:
                s.block(block)
            if ctx.mapped_ram:
                block.mapped_ram = e.mapped_ram_header
                if e.mapped_ram_header.is_skipped:  # (shared: not in the file)
                    after = io.pos()
                    self._mapped_ram_pages(io, block, off, label)
                    io.seek(after)
                    continue
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

    def _mapped_ram_pages(self, io: KaitaiStream, block: RamBlock, off: int,
                          label: str) -> None:
        """mapped-ram: page N of the block is at pages_offset + N * page_size when bit N of
        the bitmap at bitmap_offset is set (docs/devel/migration/mapped-ram.rst). The
        bitmap is in the source host's byte order; little-endian hosts are assumed."""
        hdr = block.mapped_ram
        if self.page_size_open and hdr.page_size in PAGE_SIZES:
            self.settle_page_size(io, off, said=hdr.page_size)
        ps = self.page_size
        if hdr.page_size != ps:
            raise FormatError(f"mapped-ram block '{block.name}' has page size "
                              f"{hdr.page_size}, expected {ps}", offset=off, section=label)
        if hdr.is_skipped:
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
            addrs = range(first * ps, (first + count) * ps, ps)
            if not present:
                block.zero_pages += count
                for s in self.sinks:  # (a run at once to the sinks that take runs)
                    if hasattr(s, "zero_run"):
                        s.zero_run(block, addrs)
                    else:
                        for addr in addrs:
                            s.zero(block, addr, 0)
                continue
            block.pages += count
            block.bytes += count * ps
            if not self.sinks:
                continue
            if not any(getattr(s, "needs_page_data", True) for s in self.sinks):
                for s in self.sinks:  # (where the pages are, not what: no read)
                    if hasattr(s, "page_run"):
                        s.page_run(block, addrs, None)
                    else:
                        for addr in addrs:
                            s.page(block, addr, None)
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


class PageSizeSettled(Exception):
    """RamTracker.stop_when_settled: the page size is settled (`args[0]`)."""


_KNOWN_FLAGS = sum(f.value for f in F)
_PAGE_BITS = F.zero.value | F.page.value | F.xbzrle.value


def frames_with(data: bytes, ps: int, blocks: dict[str, int],
                current: str | None) -> tuple[int, int] | None:
    """Whether the RAM records in `data` frame with pages of `ps` bytes, read with the
    generated `ram_record` at that page size: each address word has only flags QEMU
    defines below `ps` (RAM_SAVE_FLAG_*: page-aligned addresses leave the low bits free)
    and names one kind; a record without CONTINUE names a block from MEM_SIZE (`blocks`:
    name -> length); every page lies inside its block. Returns (PAGE records, page
    records of any kind) that framed, up to a few PAGEs, EOS or the end of `data` (a
    record cut there contradicts nothing); None if one did not frame."""
    from io import BytesIO

    from kaitaistruct import KaitaiStream

    io = KaitaiStream(BytesIO(data))
    unknown = ~_KNOWN_FLAGS & (ps - 1)
    pages = records = 0
    while io.pos() + 8 <= len(data) and pages < _SETTLE_PAGES and records < _SETTLE_RECORDS:
        try:
            rec = K.RamRecord(page_size=ps, ignore_shared=False, mapped_ram=False,
                              postcopy_page_sizes=False, with_blocks=False, _io=io)
        except EOFError:
            return pages, records
        except (KaitaiStructError, UnicodeDecodeError):
            return None  # (a bad XBZRLE encoding byte, a block name that is no text)
        if rec.flags & unknown or not rec.has_valid_flags:
            return None
        if rec.is_eos:
            return pages, records
        if rec.is_multifd_flush:
            continue
        if rec.is_hook or rec.is_compress_page:
            return pages, records  # (RDMA, the obsolete COMPRESS_PAGE: not looked at)
        if not (rec.is_zero or rec.is_page or rec.is_xbzrle):
            return None
        if rec.has_block_name:
            current = rec.block_name
        length = blocks.get(current) if current is not None else None
        addr = (rec.addr_hi << 32) | (rec.addr_lo & ~(ps - 1))
        if length is None or addr + ps > length:
            return None
        records += 1
        pages += rec.is_page
    return pages, records


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


def xbzrle_decode(old: bytes, delta: bytes) -> bytes:
    """Apply an XBZRLE delta (migration/xbzrle.c) to the previous content of a page.

    The delta is a sequence of (ULEB128 zero-run length, ULEB128 literal length,
    literal bytes): runs of unchanged bytes, then replaced bytes.
    """
    out = bytearray(old)
    xbzrle_apply(out, delta)
    return bytes(out)


def xbzrle_apply(page: bytearray, delta: Any) -> None:
    """xbzrle_decode in place: apply `delta` to `page`. Raises ValueError when the delta
    is malformed (the page is then partly changed)."""
    pos = 0  # in the page
    i = 0  # in the delta
    n = len(delta)
    size = len(page)
    while i < n:
        b = delta[i]  # a zero run's length (ULEB128: one or two bytes, as a rule)
        i += 1
        if b & 0x80:
            if i < n and not delta[i] & 0x80:
                b = (b & 0x7F) | delta[i] << 7
                i += 1
            else:
                b, i = _uleb_rest(delta, i, b)
        pos += b
        if i >= n:  # a trailing zero run ends the delta
            break
        lit = delta[i]
        i += 1
        if lit & 0x80:
            lit, i = _uleb_rest(delta, i, lit)
        if pos + lit > size or i + lit > n:
            raise ValueError("XBZRLE literal runs past the page")
        page[pos:pos + lit] = delta[i:i + lit]
        pos += lit
        i += lit
    if pos > size:
        raise ValueError("XBZRLE run past the page")


def _uleb_rest(delta: Any, i: int, first: int) -> tuple[int, int]:
    """A ULEB128 length whose first byte (`first`, read) has its high bit set: (value,
    where it ends)."""
    value = first & 0x7F
    shift = 7
    n = len(delta)
    while True:
        if i >= n:
            raise ValueError("XBZRLE delta ends inside a length")
        b = delta[i]
        i += 1
        value |= (b & 0x7F) << shift
        if not b & 0x80:
            return value, i
        shift += 7
        if shift > 28:
            raise ValueError("XBZRLE length too long")


