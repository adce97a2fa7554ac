"""The RAM fast path: runs of CONTINUE page records read straight from a memory map.

The bulk of every RAM payload is records of one block that each continue the previous
one: PAGE|CONTINUE, ZERO|CONTINUE, XBZRLE|CONTINUE. Reading each with the generated
`ram_record` type costs a Python object per record; :meth:`FastPath.run` reads such runs
straight from a memory map of the file, with C-level passes over strided slices, and
hands the pages to the sinks. It reads exactly the records `ram_record` would (the tests
compare both on every corpus stream) and stops before anything else - another kind of
record, a bad flag, an address outside the block, the end of the map - which the
generated type then reads and, if it is wrong, reports.

The interface is narrow: :meth:`FastPath.run` returns a :class:`FastRun` (where it
stopped and what it read) and the caller (migkaitai.ram.RamTracker) updates its own
counters. The fast path keeps the resident set small (the map's pages it has read are
given back with madvise) and reports its position to a progress callback.
"""
from __future__ import annotations

import mmap
import struct
from collections import namedtuple

from migkaitai_ksy.qemu_migration import QemuMigration as K

TYPE_CHECKING = False  # typing is not imported at run time (start-up cost)
if TYPE_CHECKING:
    from typing import Any

__all__ = ["FastPath", "FastRun", "WindowFastPath", "PAGE_RUN", "ZERO_RUN", "XBZRLE_RUN"]

_F = K.RamSaveFlag
PAGE_RUN = _F.page.value | _F.continued.value  # 0x28
ZERO_RUN = _F.zero.value | _F.continued.value  # 0x22
XBZRLE_RUN = _F.xbzrle.value | _F.continued.value  # 0x60
PAGE_LOW, ZERO_LOW, XBZRLE_LOW = PAGE_RUN & 0xFF, ZERO_RUN & 0xFF, XBZRLE_RUN & 0xFF
_RUN_LOW_BYTES = frozenset((PAGE_LOW, ZERO_LOW, XBZRLE_LOW))
_BE64 = struct.Struct(">Q")
_EOS_WORD = _F.eos.value.to_bytes(8, "big")  # RAM_SAVE_FLAG_EOS, address 0
_RELEASE = 2 << 20  # bytes of the map given back at a time


_WINDOW = 4 << 20  # bytes of a pipe looked at at once (WindowFastPath)


class WindowFastPath:
    """The fast path over a pipe's first pass: each run is read from a window of the
    stream that the SpoolingReader (migkaitai.pipe) pulls and holds in memory; the
    records after the run are re-read from it by the generated type."""

    def __init__(self, reader: Any, sinks: list[Any], progress: Any = None) -> None:
        self.reader = reader
        self.sinks = sinks
        self.progress = progress

    def run(self, pos: int, block: Any, page_size: int) -> FastRun | None:
        if not self.reader.drop:
            return None  # (bytes kept in the spool: the record reader copies them)
        least = 4 * (page_size + 8)
        window = self.reader.window(pos, max(_WINDOW, least), least)
        fast = FastPath(window, self.sinks, self.progress, base=pos)
        run = fast.run(0, block, page_size)
        if run is None:
            return None
        return run._replace(end=pos + run.end)


class FastRun(namedtuple("FastRun", "end pages zeros xbzrle xbzrle_bytes eos")):
    """What one :meth:`FastPath.run` read: it stopped at `end`, having read `pages` PAGE,
    `zeros` ZERO and `xbzrle` XBZRLE records (`xbzrle_bytes` bytes of deltas), and, if
    `eos`, the RAM_SAVE_FLAG_EOS record that ends nearly every payload after a run (8
    bytes: the word 0x10; `end` is after it)."""

    __slots__ = ()


class FastPath:
    """Reads runs of CONTINUE records of one block from `view` (a memory map of the whole
    file), feeding `sinks` (see migkaitai.ram.RamSink; sinks with `page_run` and
    `zero_run` get whole runs at once). `progress`, if set, is called with the position
    while long runs are read."""

    def __init__(self, view: Any, sinks: list[Any], progress: Any = None,
                 base: int = 0) -> None:
        self.view = view
        self.sinks = sinks
        self.progress = progress
        self.base = base  # the stream offset of view[0] (a window of a pipe: WindowFastPath)
        self._can_release = hasattr(view, "madvise")
        self._released: int | None = None  # start of the mapped pages still held
        self._sink_kinds: tuple[int, bool, bool] | None = None  # (see run)

    def run(self, pos: int, block: Any, page_size: int) -> FastRun | None:
        """Read the records of `block` (a RamBlock) from `pos` on while they are
        PAGE|CONTINUE, ZERO|CONTINUE or XBZRLE|CONTINUE, feeding the sinks. Stops at the
        first other record, or where a record would be out of bounds or invalid (the
        generated type then reads or reports it); returns where and what it read, or None
        when the record at `pos` is none of these."""
        view = self.view
        if pos + 9 > len(view) or view[pos + 7] not in _RUN_LOW_BYTES:
            return None  # (the flags' low byte: addresses are aligned to 256 bytes or more)
        ps = page_size
        mask = ps - 1
        unpack = _BE64.unpack_from
        size = len(view)
        length = block.length
        sinks = self.sinks
        # sinks that take runs of pages and of zero pages (RamExtractor: one pwritev per
        # contiguous run, nothing for zero pages that stay holes); asked once per walk
        kinds = self._sink_kinds
        if kinds is None or kinds[0] != len(sinks):
            kinds = self._sink_kinds = (
                len(sinks), bool(sinks) and all(hasattr(s, "page_run") and hasattr(s, "zero_run")
                                                for s in sinks),
                any(getattr(s, "needs_page_data", True) for s in sinks))
        runs, need_data = kinds[1], kinds[2]
        pages = zeros = xbzrle = xbzrle_bytes = 0
        if self._released is None or pos < self._released:
            self._released = pos - pos % _RELEASE
        release = self._released  # mapped pages before this are given back
        # pages handed to a background writer are read a little later: keep more mapped
        lag = (8 if runs else 2) * _RELEASE
        while pos + 9 <= size:
            if pos - release >= lag:
                # keep the resident set small: the page cache keeps the data anyway
                if self._can_release:
                    view.madvise(mmap.MADV_DONTNEED, release, _RELEASE)
                release += _RELEASE
                if self.progress is not None:
                    self.progress(self.base + pos)
            low = view[pos + 7]
            if low == XBZRLE_LOW:  # RAM_SAVE_FLAG_XBZRLE | RAM_SAVE_FLAG_CONTINUE
                # the record and those like it that follow (an XBZRLE stream is little
                # else): one pass over their headers, no run test before or between them
                word = unpack(view, pos)[0]
                if word & mask != XBZRLE_RUN or word - XBZRLE_RUN + ps > length:
                    break
                n, nbytes, pos = _xbzrle_records(view, pos, size, ps, length, sinks, block,
                                                 self.base)
                if not n:
                    break
                xbzrle += n
                xbzrle_bytes += nbytes
                continue
            if (not sinks or runs) and low == PAGE_LOW:  # whole runs at once
                k = _run_length(view, pos, 8 + ps, PAGE_RUN, ps, length)
                if k:
                    if runs:
                        stride = 8 + ps
                        end = pos + k * stride
                        with memoryview(view) as mv:
                            addrs = _addresses(mv[pos:end], stride, k, PAGE_RUN, ps)
                            # the bodies, as views of the map (no copy); none for
                            # sinks that only note where pages are (report.RamMap)
                            datas = list(map(mv.__getitem__, map(
                                slice, range(pos + 8, end, stride), range(pos + stride,
                                                                          end + stride, stride)))
                                         ) if need_data else None
                            for s in sinks:
                                s.page_run(block, addrs, datas)
                            del datas  # releases the views
                    pages += k
                    pos += k * (8 + ps)
                    continue
            if (not sinks or runs) and low == ZERO_LOW:
                k = _run_length(view, pos, 9, ZERO_RUN, ps, length)
                if k and runs:
                    with memoryview(view) as mv:
                        fills = bytes(mv[pos + 8:pos + k * 9:9])
                        k -= len(fills.lstrip(b"\0"))  # a run of zero pages filled with 0
                        if k:
                            addrs = _addresses(mv[pos:pos + k * 9], 9, k, ZERO_RUN, ps)
                            for s in sinks:
                                s.zero_run(block, addrs)
                if k:
                    zeros += k
                    pos += k * 9
                    continue
            word = unpack(view, pos)[0]
            flags = word & mask
            addr = word - flags
            if flags == PAGE_RUN:  # RAM_SAVE_FLAG_PAGE | RAM_SAVE_FLAG_CONTINUE
                end = pos + 8 + ps
                if end > size or addr + ps > length:
                    break
                if sinks:
                    data = view[pos + 8:end]
                    for s in sinks:
                        s.page(block, addr, data)
                pages += 1
                pos = end
            elif flags == ZERO_RUN:  # RAM_SAVE_FLAG_ZERO | RAM_SAVE_FLAG_CONTINUE
                if addr + ps > length:
                    break
                if sinks:
                    fill = view[pos + 8]
                    for s in sinks:
                        s.zero(block, addr, fill)
                zeros += 1
                pos += 9
            else:  # (XBZRLE|CONTINUE records were taken above, by their low byte)
                break
        self._released = release
        eos = view[pos:pos + 8] == _EOS_WORD
        return FastRun(pos + 8 if eos else pos, pages, zeros, xbzrle, xbzrle_bytes, eos)


def _xbzrle_records(view: Any, pos: int, size: int, ps: int, length: int, sinks: list[Any],
                    block: Any, base: int) -> tuple[int, int, int]:
    """Read the XBZRLE|CONTINUE records of `block` from `pos` on: (how many, their delta
    bytes, where they stop). Each is a be64 address | flags, encoding (u1, valid 1),
    len_data (be16) and the delta (ram_xbzrle); a record with other flags, another
    encoding, an address outside the block or that runs past `size` stops it (the
    generated type then reads or reports it)."""
    mask = ps - 1
    top = length - ps + XBZRLE_RUN  # (address | flags of the block's last page)
    unpack = _XBZRLE_HEAD.unpack_from
    n = 0
    start = pos
    if sinks:
        while pos + 11 <= size:
            word, encoding, len_data = unpack(view, pos)
            if word & mask != XBZRLE_RUN or encoding != 1 or word > top:
                break
            end = pos + 11 + len_data
            if end > size:
                break
            delta = view[pos + 11:end]
            for s in sinks:
                s.xbzrle(block, word - XBZRLE_RUN, delta, base + pos)
            n += 1
            pos = end
        return n, pos - start - 11 * n, pos
    # counting only (-d state): the least a step can do; a header cut by the end stops
    # the unpack, a delta that runs past it is taken back after the loop
    end = pos
    try:
        while True:
            word, encoding, len_data = unpack(view, pos)
            if word & mask != XBZRLE_RUN or encoding != 1 or word > top:
                break
            end = pos
            pos += 11 + len_data
            n += 1
    except struct.error:
        pass
    if pos > size:  # the last record's delta runs past the end: it is not read here
        pos = end
        n -= 1
    return n, pos - start - 11 * n, pos


_XBZRLE_HEAD = struct.Struct(">QBH")  # ram_xbzrle's header: address | flags, encoding, len
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

