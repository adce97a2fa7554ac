"""Reading a stream from a pipe (`migkaitai -`, `migrate "exec:cat" | migkaitai -`).

A pipe cannot seek, and the JSON description that device sections need arrives last.
So a pipe is read in two passes:

1. While the stream arrives, a :class:`SpoolingReader` keeps a sparse copy of it in a
   temporary file, and the records are walked as they come. RAM payloads are decoded
   right away (their pages go to the -x / -m sinks) and left out of the copy (holes);
   what they held is kept as a summary (:class:`RamPayload`); runs of pages are read
   from a window of the pipe held in memory (ram_fast.WindowFastPath). At the first
   section that is neither RAM nor self-delimiting (a device section without --desc,
   PACKAGED, ...), the rest of the pipe is copied as it is: device state and the
   description are small.
2. The copy is then read like a file: the description is found, device sections are
   decoded, and RAM payloads are replaced by their summaries from pass 1.

The output is the same as for the same stream in a file. Page bodies are never kept
in memory nor on disk unless -x/-m asks for them (then they go to their files).
"""
from __future__ import annotations

import io
import os
from collections import namedtuple

from kaitaistruct import KaitaiStream

from migkaitai.errors import FormatError

TYPE_CHECKING = False  # typing is not imported at run time (start-up cost)
if TYPE_CHECKING:
    from typing import Any, BinaryIO

__all__ = ["SpoolingReader", "RamPayload", "PipeState", "spool_stream", "SpoolLimitError",
           "DEFAULT_SPOOL_LIMIT"]

_CHUNK = 4 << 20  # bytes asked of the source at once
# What a pipe may put in the spool besides RAM pages (device state, the description;
# block-migration disks are spooled whole; a mapped-ram block's page area is not): real
# device states take a few MB, so 1 GiB only stops what is not a stream (an endless
# producer).
DEFAULT_SPOOL_LIMIT = 1 << 30


class SpoolLimitError(FormatError):
    """A pipe would spool more than its limit (see SpoolingReader)."""
_UNKNOWN_END = 1 << 62
_RECENT = 1 << 17  # dropped bytes kept in memory (more than a record of 64 KiB pages)


class RamPayload(namedtuple("RamPayload", "start end counts")):
    """A RAM payload seen in pass 1: where it lies (`start`, `end`) and what it held
    (`counts`: RAM records, pages, zero pages)."""

    __slots__ = ()


class SpoolingReader(io.RawIOBase):
    """A forward reader over `src` that writes what it reads into `spool` (at the same
    offsets), so that reading back (peeks, second pass) works. While `drop` is set, what
    is read is not written (the spool gets a hole there). At most `limit` bytes are
    written to the spool: past that, reading raises SpoolLimitError."""

    def __init__(self, src: BinaryIO, spool: BinaryIO, limit: int = DEFAULT_SPOOL_LIMIT) -> None:
        super().__init__()
        self.src = src
        # a decompressor's pieces come as they are (see migkaitai.containers)
        self._read_src = getattr(src, "read_view", src.read)
        self.spool = spool
        self.limit = limit
        self.pos = 0
        self.got = 0  # bytes taken from src so far
        self.kept = 0  # of which written to the spool
        self.eof = False
        self._drop = False
        # the last bytes read while `drop` was set, up to `got`: a record that is read
        # again (to find its failing field, see migkaitai.kaitai) gets its real bytes
        self.recent = bytearray()
        # a window pulled ahead while `drop` was set (see `window`): ahead_at .. got
        self.ahead: Any = None
        self.ahead_at = 0
        self.ahead_spooled = False

    @property
    def drop(self) -> bool:
        """While set, what is read is not written to the spool (RAM page bodies)."""
        return self._drop

    @drop.setter
    def drop(self, value: bool) -> None:
        self._drop = value

    def _keep(self, at: int, data: Any) -> None:
        """Write `data` (at `at` in the stream) to the spool, within its limit."""
        self.kept += len(data)
        if self.kept > self.limit:
            raise SpoolLimitError(
                f"the pipe holds more than {self.limit} bytes besides RAM pages, the spool "
                f"limit (give a larger --spool-max, or read the stream from a file)",
                offset=at)
        self.spool.seek(at)
        self.spool.write(data)

    def flush_window(self) -> bytes:
        """Write what was pulled beyond the position (the window's rest, or the last
        bytes pulled while dropping) to the spool, before the rest of the pipe is copied
        as it is; return those bytes."""
        held = b""
        if self.pos < self.got:
            ahead = self.ahead
            if ahead is not None and self.ahead_at <= self.pos and \
                    self.ahead_at + len(ahead) == self.got:
                held = bytes(ahead[self.pos - self.ahead_at:])
                if self.ahead_spooled:
                    self.ahead = None
                    return held
            else:
                at = self.pos - (self.got - len(self.recent))
                if at >= 0:
                    held = bytes(self.recent[at:])
                else:
                    self.spool.seek(self.pos)
                    held = self.spool.read(self.got - self.pos)
            self._keep(self.pos, held)
        self.ahead = None
        return held

    def window(self, at: int, n: int, least: int | None = None) -> Any:
        """The bytes from `at` (the position, at most `got`) on: `n` of them, fewer at the
        end of the stream; the position is unchanged. They stay in memory until the next
        window, so that reading them again costs nothing (RAM runs: ram_fast).
        With `least`, fewer than `n` may come back: what the last window held beyond
        `at`, as it is, when that is `least` bytes or more (else topped up to `least`, a
        small copy), or else the source's next piece as it comes, not copied (maybe
        shorter than `least`): the caller reads what does not fit record by record."""
        self.pos = at
        want = n if least is None else least
        have: Any = b""
        if self.ahead is not None and self.ahead_at <= at <= self.ahead_at + len(self.ahead):
            have = memoryview(self.ahead)[at - self.ahead_at:]
        elif at < self.got:
            have = self.read(self.got - at)
            self.pos = at
        if len(have) < want and at + len(have) == self.got and not self.eof:
            if not len(have) and least is not None:
                have = self._pull(n, one=True)  # (the source's next piece, not copied)
            else:
                more = self._pull(want - len(have))
                if len(have):
                    buf = bytearray(have)
                    buf += more
                    have = buf
                else:
                    have = more
        self.ahead = have
        self.ahead_at = at
        # pulled while dropping: kept in the spool only as it is read without dropping;
        # pulled while keeping: in the spool already
        self.ahead_spooled = not self._drop
        return have

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False  # keeps KaitaiStream from asking for the size before big reads

    def tell(self) -> int:
        return self.pos

    def _pull(self, n: int, one: bool = False) -> Any:
        """`n` bytes from the source (fewer at its end), or with `one` what one read of
        it gives (the next piece of a decompressor: maybe a view, never copied)."""
        parts = []
        while n > 0 and not self.eof:
            data = self._read_src(min(n, _CHUNK))
            if not data:
                self.eof = True
                break
            if not self.drop:
                self._keep(self.got, data)
            elif len(data) <= _RECENT:  # (a page: kept for a re-read, see `recent`)
                self.recent += data
                if len(self.recent) > 2 * _RECENT:
                    del self.recent[:len(self.recent) - _RECENT]
            else:
                self.recent.clear()  # (it must end at `got`)
            self.got += len(data)
            n -= len(data)
            parts.append(data)
            if one:
                break
        if self.drop is False:
            self.recent.clear()
        return parts[0] if len(parts) == 1 else b"".join(parts)

    def read(self, n: int | None = -1) -> bytes:
        if n is None or n < 0:
            n = 1 << 62
        out = b""
        ahead = self.ahead
        if ahead is not None and self.ahead_at <= self.pos < self.ahead_at + len(ahead):
            i = self.pos - self.ahead_at
            out = bytes(ahead[i:i + n])
            if not self._drop and not self.ahead_spooled:  # (what pass 2 reads: kept now)
                self._keep(self.pos, out)
            self.pos += len(out)
            n -= len(out)
            if n == 0:
                return out
        if self.pos < self.got:
            k = min(n, self.got - self.pos)
            at = self.pos - (self.got - len(self.recent))
            if at >= 0:
                part = bytes(self.recent[at:at + k])
            else:
                self.spool.seek(self.pos)
                part = self.spool.read(k)
            out += part
            self.pos += len(part)
            n -= len(part)
        if n > 0 and self.pos == self.got:
            data = self._pull(n)
            self.pos += len(data)
            out += data
        return out

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        if whence == os.SEEK_CUR:
            offset += self.pos
        elif whence == os.SEEK_END:
            if not self.eof:
                # The size of a pipe is not known before its end. KaitaiStream.size()
                # (tell, seek to the end, tell, seek back) then sees a size too large
                # to reach; nothing is read at this position.
                self.pos = _UNKNOWN_END + offset
                return self.pos
            offset += self.got
        if offset > self.got:
            self.pos = self.got
            while self.got < offset and not self.eof:  # in bounded pieces, not kept
                self._pull(min(offset - self.got, _CHUNK))
            self.pos = min(offset, self.got)
        else:
            self.pos = offset
        return self.pos

    def at_eof(self) -> bool:
        """Whether the stream ends at the current position (may read one byte ahead)."""
        if self.pos < self.got:
            return False
        self._pull(1)
        return self.pos >= self.got

    def copy_rest(self, desc_limit: int) -> None:
        """Take what is left in the pipe into the spool, up to the end of the stream's
        description: the first VMDESCRIPTION (a 0x00 0x06 pair, the grammar's
        `vmdescription_head`, JSON that parses as a description: description.candidate)
        ends the copy, since nothing after it matters. Without one, the pipe is copied to
        its end (or the limit)."""
        from migkaitai.description import (
            EOF_THEN_MARKER,
            DescriptionError,
            candidate,
            read_head,
        )

        drop, self.drop = self.drop, False
        held: bytes | None = self.flush_window()  # (pulled already: searched first)
        pending: list[int] = []  # candidate markers (offsets of the 0x06)
        tail = b""  # the last byte of the previous piece (a pair may straddle two)
        while True:
            if held is not None:
                data, held = held, None
            elif self.eof:
                break
            else:
                data = self._pull(_CHUNK)
            buf = tail + data
            base = self.got - len(buf)
            i = buf.find(EOF_THEN_MARKER)
            while i >= 0:
                pending.append(base + i + 1)
                i = buf.find(EOF_THEN_MARKER, i + 1)
            tail = buf[-1:]
            if not pending:
                continue
            self.spool.flush()
            while pending:
                p = pending[0]
                if p + 5 > self.got:
                    break  # its head is still coming
                head = read_head(self.spool, p)
                if head is None or not 0 < head[0] <= desc_limit:
                    pending.pop(0)
                    continue
                if head[1] + head[0] > self.got:
                    break  # its JSON is still coming
                pending.pop(0)
                try:
                    found = candidate(self.spool, self.got, p, desc_limit)
                except DescriptionError:
                    found = None
                if found is not None:
                    self.drop = drop
                    return
        self.drop = drop

    def copy_trailer(self, at: int) -> None:
        """After the EOF record (ending at `at`): take the VMDESCRIPTION record into the
        spool if one follows (the grammar's `vmdescription_head`, then its JSON), and
        nothing more (a valid stream needs nothing after it; in a file, padding or a
        container's data may follow)."""
        from migkaitai.description import read_head

        self.flush_window()
        head = read_head(self, at)  # type: ignore[arg-type]
        if head is not None:
            self.seek(head[1] + head[0])


class PipeState:
    """What the two passes over a pipe share (see the module's doc).

    Pass 1 (`first_pass`) has the `spooler` and fills `ram_payloads` (by the offset of
    their section record) and, if a RAM payload was broken, `error` = (record offset,
    error), which pass 2 raises where it meets that record."""

    def __init__(self, spooler: SpoolingReader) -> None:
        self.spooler: SpoolingReader | None = spooler
        self.first_pass = True
        self.ram_payloads: dict[int, RamPayload] = {}
        self.error: tuple[int, Any] | None = None

    def add_ram_payload(self, record: int, start: int, end: int,
                        counts: tuple[int, int, int]) -> None:
        self.ram_payloads[record] = RamPayload(start, end, counts)

    def second_pass(self) -> None:
        self.first_pass = False
        self.spooler = None


def spool_stream(src: BinaryIO, spool: BinaryIO, walker_factory: Any,
                 limit: int = DEFAULT_SPOOL_LIMIT, desc_limit: int = 8 << 20,
                 start: int = 0) -> Any:
    """Pass 1: read `src` into `spool`, decoding RAM payloads on the way.

    `walker_factory(kaitai_stream, pipe_state)` makes the Walker for pass 1 (with the RAM
    sinks; the stream starts at `start`, what is before is not kept); it is returned, its
    `pipe` holding what pass 2 needs. After a fault (a bad header: input that is not a
    stream) nothing more is read (pass 2 reports it where it is, as from a file); after
    the EOF record only a VMDESCRIPTION is read;
    else the rest of the pipe is spooled up to its description (of at most `desc_limit`
    bytes), or its end, and at most `limit` bytes besides the RAM pages.
    """
    from migkaitai.errors import MigkaitaiError

    reader = SpoolingReader(src, spool, limit)
    if start:  # the bytes before the stream: read, not kept (a hole in the spool)
        reader.drop = True
        reader.seek(start)
        reader.drop = False
    state = PipeState(reader)
    walker = walker_factory(KaitaiStream(reader), state)
    try:
        for _ in walker.records():
            pass
    except MigkaitaiError as e:
        if isinstance(e, SpoolLimitError):
            raise  # an endless stream: nothing more to read
        # pass 2 raises it where it is (a bad header as from a file), with what came
        # before; what follows is not read (garbage, or an endless producer, fails at its
        # first bad byte)
        state.error = (walker.current_offset, e)
    reader.drop = False
    if state.error is None:
        if walker.eof_end is not None:
            reader.copy_trailer(walker.eof_end)
        else:
            reader.copy_rest(desc_limit)
    spool.flush()
    state.second_pass()
    return walker
