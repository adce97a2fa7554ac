"""multifd channels: the RAM pages of a migration with capability multifd over a socket.

With `multifd`, QEMU sends RAM pages on `multifd-channels` extra connections; the main
stream keeps the block list, the RAM EOS / MULTIFD_FLUSH markers and (7.2) the ZERO
records. A capture stores each connection as a file (`mig.ch1`, `mig.ch2`, ...). The
grammar ksy/qemu_multifd_channel.ksy describes one such file; this module reads it with
the generated types one packet at a time (`channel_init`, then `packet_head`, then the
payload that the head's `len_payload` announces), inflates zlib packets, checks what the
destination QEMU would check, and yields one :class:`ChannelPage` per page:

    with open_channels(["mig.ch1", "mig.ch2"], page_size=4096) as chans:
        for page in chans.pages():        # all channels, in the order QEMU queued them
            print(page.block, hex(page.addr), page.kind, len(page.data))
        for s in chans.summaries:
            print(s.channel_id, s.packets, s.pages, s.zero_pages, s.sync_packets)

A packet holds at most 512 KiB of pages; only the current packet's pages are in memory.
"""
from __future__ import annotations

import builtins
import heapq
import os
import zlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Self

from kaitaistruct import KaitaiStream
from migkaitai_ksy.qemu_multifd_channel import QemuMultifdChannel as K

from migkaitai.errors import FormatError, MigkaitaiError, TruncatedError, UsageError
from migkaitai.kaitai import kaitai_call

if TYPE_CHECKING:
    from migkaitai.ram import RamTracker

__all__ = ["ChannelFeed", "ChannelInit", "ChannelPacket", "ChannelPage", "ChannelSummary",
           "MultifdChannel", "MultifdChannels", "open_channels", "read_channel",
           "PACKET_FIELD_OFFSETS", "INIT_FIELD_OFFSETS"]

C = K.Compression
# Where the fields that errors point at lie, from the start of a packet (MultiFDPacketHdr_t
# and MultiFDPacket_t in migration/multifd.h, as packet_head and ram_packet_head read
# them) and of the channel (MultiFDInit_t, channel_init). The generated Python types keep
# no offsets; tests/test_multifd.py proves each against the generated parse.
PACKET_FIELD_OFFSETS = {
    "flags": 8, "pages_alloc": 12, "normal_pages": 16, "next_packet_size": 20,
    "packet_num": 24, "zero_pages": 32, "ramblock": 64, "offsets": 320,
}
INIT_FIELD_OFFSETS = {"uuid": 8, "channel_id": 24}
_P = PACKET_FIELD_OFFSETS
KNOWN_FLAGS = 0x7F  # SYNC, the compression bits, DEVICE_STATE (multifd.h, 10.0)
# How much a compressed payload may take: QEMU's receive buffer (zlib and zstd) is twice
# the packet's page bytes (multifd-zlib.c / multifd-zstd.c zbuff_len).
COMPRESSED_FACTOR = 2


@dataclass(frozen=True)
class ChannelInit:
    """The channel's MultiFDInit_t."""

    channel_id: int
    uuid: bytes
    version: int


@dataclass(frozen=True)
class ChannelPage:
    """One page a channel carries.

    `kind` is "page" (`data` = the page, inflated if the packet was compressed) or
    "zero" (QEMU 9.0+ zero-page detection: `data` is the fill byte b"\\x00", like
    migkaitai.ram.RamPage). `addr` is the byte offset in RAM block `block`; `offset`
    where the packet starts in the channel file; `packet_num` QEMU's counter across all
    channels; `sync_round` the number of SYNC packets this channel sent before this
    packet (the main stream's RAM round the page belongs to, see MultifdChannels.pages).
    """

    block: str
    addr: int
    kind: str
    data: bytes
    offset: int
    channel_id: int
    packet_num: int
    sync_round: int


@dataclass(frozen=True)
class ChannelPacket:
    """One packet: where it is, what its head says, and its pages (decoded).

    Device-state packets (QEMU 10.0, VFIO) have `device_state` = (idstr, instance_id)
    and no pages; their data (`len_payload` bytes after the head) is skipped. They carry
    no packet_num: theirs is that of the channel's RAM packet before them (or 0).
    """

    offset: int
    index: int
    packet_num: int
    flags: int
    is_sync: bool
    compression: str
    block: str
    normal_pages: int
    zero_pages: int
    len_payload: int
    pages: list[ChannelPage]
    device_state: tuple[str, int] | None = None


@dataclass
class ChannelSummary:
    """What one channel carried (complete once its pages have been read)."""

    path: str
    channel_id: int
    uuid: bytes
    page_size: int
    size: int  # of the file
    packets: int = 0
    sync_packets: int = 0
    device_state_packets: int = 0
    pages: int = 0  # pages with data (normal pages)
    zero_pages: int = 0
    payload_bytes: int = 0  # on the wire, after the packet heads
    compression: set[str] = field(default_factory=set)
    block_pages: dict[str, int] = field(default_factory=dict)  # normal + zero, per block
    first_packet_num: int | None = None
    last_packet_num: int | None = None
    packet_nums_ordered: bool = True  # never decreasing, as QEMU numbers them
    page_size_confirmed: bool = False  # some packet had pages_alloc == 512 KiB / page size
    end: int = 0  # where reading stopped; == size when the channel was read to its end

    @property
    def complete(self) -> bool:
        return self.end == self.size


class MultifdChannel:
    """One channel capture file, read packet by packet.

    Args:
        path: the file (the whole connection, from its MultiFDInit_t on).
        page_size: the target page size (the main stream's); fixes the packet head length.
        block_lengths: RAM block name -> used length (the main stream's MEM_SIZE list);
            when given, every packet's block must be one of them and every page inside it.
    """

    def __init__(self, path: str | os.PathLike[str], page_size: int = 4096, *,
                 block_lengths: Mapping[str, int] | None = None) -> None:
        if page_size < 1024 or page_size > 65536 or page_size & (page_size - 1):
            raise UsageError(f"page size {page_size} is not a power of two from 1 KiB to 64 KiB")
        self.path = os.fspath(path)
        self.page_size = page_size
        self.block_lengths = dict(block_lengths) if block_lengths is not None else None
        try:
            self.file = builtins.open(self.path, "rb")  # noqa: SIM115 - closed by close()
        except OSError as e:
            raise UsageError(f"cannot open {self.path}: {e.strerror}") from None
        self.size = os.fstat(self.file.fileno()).st_size
        self.io = KaitaiStream(self.file)
        try:
            raw = self._call("multifd channel header (MultiFDInit_t)", K.ChannelInit,
                             field="init")
        except MigkaitaiError as e:
            self.file.close()
            e.path = self.path
            raise
        self.init = ChannelInit(raw.channel_id, bytes(raw.uuid), raw.version)
        self.summary = ChannelSummary(self.path, raw.channel_id, self.init.uuid, page_size,
                                      self.size, end=self.io.pos())
        self._read_started = False

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.file.close()

    def _call(self, what: str, ctor: Any, *, field: str, **params: Any) -> Any:
        return kaitai_call(self.io, what, ctor, field=field, **params)

    def pages(self) -> Iterator[ChannelPage]:
        """Yield every page of the channel, packet after packet."""
        for packet in self.packets():
            yield from packet.pages

    def packets(self) -> Iterator[ChannelPacket]:
        """Yield every packet of the channel with its decoded pages (one pass only).
        Errors name the channel file (`path`): their offsets are in it."""
        try:
            yield from self._packets()
        except MigkaitaiError as e:
            if e.path is None:
                e.path = self.path
            raise

    def _packets(self) -> Iterator[ChannelPacket]:
        if self._read_started:
            raise UsageError(f"{self.path}: the packets of a channel can be read only once")
        self._read_started = True
        io = self.io
        s = self.summary
        ps = self.page_size
        inflater: Any = None
        method: int | None = None  # compression of the packets with pages so far
        index = 0
        while io.pos() < self.size:
            off = io.pos()
            where = f"packets[{index}]"
            head = self._call("multifd packet head", K.PacketHead, page_size=ps,
                              field=f"{where}/head")
            flags = head.flags
            if flags & ~KNOWN_FLAGS:
                raise FormatError(f"unknown multifd packet flags 0x{flags & ~KNOWN_FLAGS:x} "
                                  f"(of 0x{flags:x})", offset=off + _P["flags"],
                                  field=f"{where}/head/flags")
            n = head.len_payload
            body = io.pos()
            if n > self.size - body:
                part = ("device_state_data" if head.is_device_state else
                        "pages" if head.has_plain_pages else "compressed_pages")
                raise TruncatedError(
                    f"stream ends at 0x{self.size:x} inside the payload of {n} bytes",
                    end=self.size, needed=n, offset=body, field=f"{where}/{part}")
            comp = _method_name(head.compression_raw)
            s.packets += 1
            s.payload_bytes += n
            s.sync_packets += head.is_sync
            sync_round = s.sync_packets - head.is_sync
            if head.is_device_state:
                ds = head.device_state
                s.device_state_packets += 1
                io.seek(body + n)
                s.end = io.pos()
                yield ChannelPacket(off, index, s.last_packet_num or 0, flags, head.is_sync,
                                    comp, "", 0, 0, n, [], (ds.idstr, ds.instance_id))
                index += 1
                continue
            r = head.ram
            self._check_ram_head(head, off, where)
            num = r.packet_num
            if s.first_packet_num is None:
                s.first_packet_num = num
            elif s.last_packet_num is not None and num < s.last_packet_num:
                s.packet_nums_ordered = False
            s.last_packet_num = num
            normal, zero = r.normal_pages, r.zero_pages
            pages: list[ChannelPage] = []
            if normal:
                if method is None:
                    method = head.compression_raw
                elif head.compression_raw != method:
                    raise FormatError(
                        f"packet compressed with {comp}, but earlier packets of this channel "
                        f"with {_method_name(method)}",
                        offset=off + _P["flags"], field=f"{where}/head/flags")
                s.compression.add(comp)
                data = io.read_bytes(n)
                if head.has_compressed_pages:
                    if head.compression_raw != C.zlib.value:
                        raise MigkaitaiError(
                            f"multifd compression {comp} is not supported (none and zlib are)",
                            offset=off + _P["flags"], field=f"{where}/head/flags")
                    if inflater is None:
                        inflater = zlib.decompressobj()
                    data = _inflate(inflater, data, normal * ps, body, f"{where}/compressed_pages")
                for i in range(normal):
                    pages.append(ChannelPage(r.ramblock, r.offsets[i], "page",
                                             data[i * ps:(i + 1) * ps], off, s.channel_id, num,
                                             sync_round))
            for i in range(normal, normal + zero):
                pages.append(ChannelPage(r.ramblock, r.offsets[i], "zero", b"\x00", off,
                                         s.channel_id, num, sync_round))
            if normal or zero:
                s.block_pages[r.ramblock] = s.block_pages.get(r.ramblock, 0) + normal + zero
            s.pages += normal
            s.zero_pages += zero
            s.end = io.pos()
            yield ChannelPacket(off, index, num, flags, head.is_sync, comp, r.ramblock, normal,
                                zero, n, pages)
            index += 1
        s.end = io.pos()

    def _check_ram_head(self, head: Any, off: int, where: str) -> None:
        """What the destination checks (multifd.c multifd_ram_unfill_packet), plus the
        invariants every QEMU sender keeps."""
        r = head.ram
        ps = self.page_size
        used = r.normal_pages + r.zero_pages
        f = f"{where}/head/ram"
        if r.pages_alloc == r.max_pages:
            self.summary.page_size_confirmed = True
        elif r.pages_alloc != 0 or used:
            hint = ""
            if r.pages_alloc > 0 and 524288 % r.pages_alloc == 0:
                hint = f"; it was written for {524288 // r.pages_alloc}-byte pages"
            raise FormatError(
                f"packet allocates {r.pages_alloc} pages, but with {ps}-byte pages QEMU "
                f"allocates {r.max_pages}{hint}", offset=off + _P["pages_alloc"],
                field=f"{f}/pages_alloc")
        if r.normal_pages > r.pages_alloc:
            raise FormatError(f"packet has {r.normal_pages} normal pages, more than the "
                              f"{r.pages_alloc} it allocates", offset=off + _P["normal_pages"],
                              field=f"{f}/normal_pages")
        if r.zero_pages > r.pages_alloc - r.normal_pages:
            raise FormatError(f"packet has {r.normal_pages} normal and {r.zero_pages} zero "
                              f"pages, more than the {r.pages_alloc} it allocates",
                              offset=off + _P["zero_pages"], field=f"{f}/zero_pages")
        if r.normal_pages:
            if head.has_plain_pages and r.next_packet_size != head.len_payload:
                raise FormatError(
                    f"packet of {r.normal_pages} uncompressed pages announces "
                    f"{r.next_packet_size} bytes, not {head.len_payload}",
                    offset=off + _P["next_packet_size"], field=f"{f}/next_packet_size")
            limit = COMPRESSED_FACTOR * r.max_pages * ps
            if head.has_compressed_pages and r.next_packet_size > limit:
                raise FormatError(
                    f"compressed payload of {r.next_packet_size} bytes exceeds the {limit} "
                    f"QEMU accepts", offset=off + _P["next_packet_size"],
                    field=f"{f}/next_packet_size")
        if not used:
            return
        name = r.ramblock
        if not name:
            raise FormatError("packet with pages names no RAM block", offset=off + _P["ramblock"],
                              field=f"{f}/ramblock")
        length = None
        if self.block_lengths is not None:
            length = self.block_lengths.get(name)
            if length is None:
                raise FormatError(f"packet names RAM block '{name}', which the main stream "
                                  f"did not announce", offset=off + _P["ramblock"],
                                  field=f"{f}/ramblock")
        for i in range(used):
            addr = r.offsets[i]
            bad = addr % ps != 0 or (length is not None and addr + ps > length)
            if bad:
                inside = f" (0x{length:x} bytes)" if length is not None else ""
                raise FormatError(
                    f"page offset 0x{addr:x} is not a page of block '{name}'{inside}",
                    offset=off + _P["offsets"] + 8 * i, field=f"{f}/offsets[{i}]")


def _method_name(raw: int) -> str:
    """"zlib" for MULTIFD_FLAG_ZLIB, "unknown 0x.." for what no QEMU defines."""
    try:
        return C(raw).name
    except ValueError:
        return f"unknown 0x{raw:x}"


def _inflate(inflater: Any, data: bytes, expected: int, offset: int, field: str) -> bytes:
    """The next `expected` bytes of the channel's zlib stream, from exactly `data`."""
    try:
        out = inflater.decompress(data, expected)
        extra = inflater.decompress(inflater.unconsumed_tail, 1) \
            if inflater.unconsumed_tail else b""
    except zlib.error as e:
        raise FormatError(f"compressed pages are not the channel's zlib stream ({e})",
                          offset=offset, field=field) from None
    if extra or inflater.unconsumed_tail:
        raise FormatError(f"compressed pages inflate to more than the {expected} bytes of "
                          f"their pages", offset=offset, field=field)
    if len(out) != expected or inflater.eof:
        why = "the zlib stream ends" if inflater.eof else f"{len(out)} bytes"
        raise FormatError(f"compressed pages inflate to {why}, expected {expected} bytes",
                          offset=offset, field=field)
    return out


def read_channel(path: str | os.PathLike[str], page_size: int = 4096, *,
                 block_lengths: Mapping[str, int] | None = None) -> Iterator[ChannelPage]:
    """Yield the pages of one channel capture (see MultifdChannel)."""
    with MultifdChannel(path, page_size, block_lengths=block_lengths) as ch:
        yield from ch.pages()


class MultifdChannels:
    """All channel captures of one migration, checked against each other.

    The channels must carry the same VM uuid (also `uuid`, if given: the main stream's
    configuration/uuid) and distinct channel ids.
    """

    def __init__(self, channels: list[MultifdChannel], uuid: bytes | None = None) -> None:
        self.channels = channels
        seen: dict[int, str] = {}
        first = channels[0] if channels else None
        for ch in channels:
            want = uuid if uuid is not None else first.init.uuid  # type: ignore[union-attr]
            if ch.init.uuid != want:
                src = "the main stream" if uuid is not None else first.path  # type: ignore[union-attr]
                raise FormatError(
                    f"channel uuid {ch.init.uuid.hex()} differs from {want.hex()} of {src}",
                    offset=INIT_FIELD_OFFSETS["uuid"], field="init/uuid", path=ch.path)
            cid = ch.init.channel_id
            if cid in seen:
                raise FormatError(f"channel id {cid} is also the id of {seen[cid]}",
                                  offset=INIT_FIELD_OFFSETS["channel_id"],
                                  field="init/channel_id", path=ch.path)
            seen[cid] = ch.path

    @property
    def summaries(self) -> list[ChannelSummary]:
        return [ch.summary for ch in self.channels]

    def pages(self) -> Iterator[ChannelPage]:
        """Pages of all channels, packets merged by packet_num: the order in which the
        source queued them. A page's `sync_round` k places it after the main stream's
        k-th RAM EOS (7.2) / MULTIFD_FLUSH (9.0+) and before the next; within a round a
        page is sent at most once."""
        merged = heapq.merge(*(ch.packets() for ch in self.channels),
                             key=lambda p: p.packet_num)
        for packet in merged:
            yield from packet.pages

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        for ch in self.channels:
            ch.close()


def open_channels(paths: Iterable[str | os.PathLike[str]], page_size: int = 4096, *,
                  block_lengths: Mapping[str, int] | None = None,
                  uuid: bytes | None = None) -> MultifdChannels:
    """Open every channel capture of a migration (see MultifdChannels)."""
    channels: list[MultifdChannel] = []
    try:
        for p in paths:
            channels.append(MultifdChannel(p, page_size, block_lengths=block_lengths))
        return MultifdChannels(channels, uuid)
    except BaseException:
        for ch in channels:
            ch.close()
        raise


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
        lengths = {b.name: b.length for b in tracker.blocks.values()}
        # the page size as the main stream has it by now (a pipe learns it as it goes)
        self.page_size = tracker.page_size
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
