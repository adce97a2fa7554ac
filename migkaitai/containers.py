"""What users hold besides a bare stream: libvirt save images, qcow2 images with internal
snapshots, compressed streams - and what is not a stream at all.

:func:`sniff` names a file by its first bytes. Each container is opened to give the QEMU
stream inside it, in one of two shapes that migkaitai.api already reads:

* a seekable file and the offset where the stream starts (libvirt `raw` and `sparse`
  images: the stream's offsets, mapped-ram's included, are offsets in the image), or a
  seekable view of the stream (a qcow2 snapshot's VM state, read through its cluster
  map: :class:`Qcow2VmState`);
* a forward-only reader of the stream (compressed data, decompressed as it is read:
  :func:`decompressing_reader`), which the library reads like a pipe.

Framing comes from the grammars (ksy/libvirt_qemu_save.ksy, ksy/qcow2.ksy, ksy/lzop.ksy);
this module adds what a grammar cannot do: byte-order and size checks before anything is
allocated, decompression, and the cluster map.
"""
from __future__ import annotations

import io
import os
import zlib
from collections import namedtuple

from kaitaistruct import KaitaiStream, KaitaiStructError

from migkaitai.errors import FormatError, MigkaitaiError, TruncatedError, UsageError
from migkaitai.kaitai import kaitai_call

TYPE_CHECKING = False  # typing is not imported at run time (start-up cost)
if TYPE_CHECKING:
    from typing import Any

__all__ = ["sniff", "not_a_stream", "LibvirtImage", "open_libvirt", "decompressing_reader",
           "Qcow2Image", "Qcow2VmState", "COMPRESSED", "MAX_DOMAIN_XML", "read_libvirt",
           "Compressed"]

QEVM = b"QEVM"
LIBVIRT_MAGICS = {b"LibvirtQemudSave": True, b"LibvirtQemudPart": False}
QCOW2_MAGIC = b"QFI\xfb"
# magic -> format name, for compressed streams (bare, or inside a libvirt image)
COMPRESSED = {
    b"\x1f\x8b": "gzip",
    b"BZh": "bzip2",
    b"\xfd7zXZ\x00": "xz",
    b"\x28\xb5\x2f\xfd": "zstd",
    b"\x89LZO\x00\r\n\x1a\n": "lzop",
}
# libvirt's virQEMUSaveFormat (qemu_saveimage_format.h)
LIBVIRT_FORMATS = {0: "raw", 1: "gzip", 2: "bzip2", 3: "xz", 4: "lzop", 5: "zstd", 6: "sparse"}
LIBVIRT_HEADER = 92
MAX_DOMAIN_XML = 64 << 20  # XML and cookie read at most (libvirt's are a few KB)
_IN = 1 << 20  # compressed bytes read at once (4 MiB with 4 MiB out: lzma 8x slower)
_OUT = 1 << 20  # decompressed bytes made at once (at most)


def sniff(head: bytes) -> str | None:
    """The kind of file `head` (its first bytes, 16 or more) starts: "stream", "libvirt",
    "qcow2", a COMPRESSED format name, or None (unknown: maybe a stream further in)."""
    if head.startswith(QEVM):
        return "stream"
    if head[:16] in LIBVIRT_MAGICS:
        return "libvirt"
    if head.startswith(QCOW2_MAGIC):
        return "qcow2"
    for magic, name in COMPRESSED.items():
        if head.startswith(magic):
            return name
    return None


def not_a_stream(head: bytes, size: int | None) -> str | None:
    """What a file that is not a migration stream looks like, from its first bytes (up to
    64 KiB): "an ELF core dump (virsh dump, dump-guest-memory)", ... or None."""
    if head.startswith(b"\x7fELF"):
        kind = {4: "a core dump", 1: "an object file", 2: "an executable",
                3: "a shared object"}.get(head[16] if len(head) > 16 else 0, "an ELF file")
        what = " (virsh dump, dump-guest-memory)" if kind == "a core dump" else ""
        return f"this looks like {kind}{what} (ELF)"
    if head.startswith(b"KDUMP   ") or head.startswith(b"makedumpfile"):
        return "this looks like a kdump-compressed dump (virsh dump --memory-only --format kdump-*)"
    if head.startswith(b"DISKDUMP"):
        return "this looks like a diskdump memory dump"
    if head.startswith(b"QFI\xfb"):
        return "this looks like a qcow2 image"
    if head.startswith(b"vhdxfile"):
        return "this looks like a VHDX disk image"
    if head.startswith(b"KDMV"):
        return "this looks like a VMDK disk image"
    if head.startswith(b"<<< Oracle VM VirtualBox Disk Image >>>"):
        return "this looks like a VirtualBox disk image"
    if len(head) >= 0x8006 and head[0x8001:0x8006] == b"CD001":
        return "this looks like an ISO 9660 image"
    if len(head) >= 512 and head[510:512] == b"\x55\xaa":
        gpt = len(head) >= 520 and head[512:520] == b"EFI PART"
        return f"this looks like a raw disk image ({'GPT' if gpt else 'MBR'} partition table)"
    if head.startswith(b"\x89PNG") or head.startswith(b"\xff\xd8\xff") or head.startswith(b"GIF8"):
        return "this looks like an image file"
    if head.startswith(b"PK\x03\x04"):
        return "this looks like a zip archive"
    if len(head) >= 262 and head[257:262] == b"ustar":
        return "this looks like a tar archive"
    if head.lstrip().startswith(b"<"):
        return "this looks like XML or HTML text"
    if head.lstrip().startswith((b"{", b"[")):
        return "this looks like JSON text (a description? give it with --desc)"
    return None


# -- libvirt save images -------------------------------------------------------------

class LibvirtImage:
    """A libvirt save image's header and XML (ksy/libvirt_qemu_save.ksy)."""

    def __init__(self, header: Any, xml: str, cookie: str) -> None:
        f = header.fields
        self.version = f.version
        self.data_len = f.data_len
        self.was_running = f.was_running
        self.format_id = f.format.value if hasattr(f.format, "value") else int(f.format)
        self.format = LIBVIRT_FORMATS.get(self.format_id, f"unknown ({self.format_id})")
        self.cookie_offset = f.cookie_offset
        self.big_endian = header.byte_order_probe > 2
        self.stream_offset = header.len
        self.xml = xml
        self.cookie = cookie

    @property
    def domain_name(self) -> str | None:
        return _xml_element(self.xml, "name")

    @property
    def domain_uuid(self) -> str | None:
        return _xml_element(self.xml, "uuid")

    def facts(self) -> list[tuple[str, str]]:
        """(name, value) pairs for the tree and the summary."""
        return [
            ("container", "libvirt save image"),
            ("format", self.format),
            ("version", str(self.version)),
            ("byte order", "big-endian" if self.big_endian else "little-endian"),
            ("was_running", str(self.was_running)),
            ("domain", f"{self.domain_name or '?'} (uuid {self.domain_uuid or '?'})"),
            ("domain XML", f"{len(self.xml.encode())} bytes at 0x{LIBVIRT_HEADER:x}"),
            ("stream", f"at 0x{self.stream_offset:x}"
             + ("" if self.format in ("raw", "sparse") else
                f" ({self.format}-compressed; offsets below are in the decompressed stream)")),
        ]


def _xml_element(xml: str, tag: str) -> str | None:
    """The text of the first <tag> child of the root element (no parser for two names)."""
    import re

    m = re.search(rf"<{tag}>([^<]*)</{tag}>", xml)
    return m.group(1).strip() if m else None


def open_libvirt(f: Any, path: str) -> LibvirtImage:
    """Read a libvirt save image's header and XML from the start of the file `f`."""
    f.seek(0)
    return read_libvirt(f, path)


def read_libvirt(src: Any, path: str) -> LibvirtImage:
    """Read a libvirt save image's header and XML from a reader at its start (a file or
    a pipe: only the header and `data_len` bytes are read, so a pipe then gives the
    stream)."""
    from migkaitai_ksy import libvirt_qemu_save  # registers the imports (see its package)

    L = libvirt_qemu_save.LibvirtQemuSave
    head = read_exactly(src, LIBVIRT_HEADER)
    magic = head[:16]
    if magic in LIBVIRT_MAGICS and not LIBVIRT_MAGICS[magic]:
        raise FormatError("libvirt had not finished writing this save image (magic "
                          "LibvirtQemudPart: it writes the header last), so it is incomplete; "
                          "libvirt refuses to restore it too", offset=0)
    header = kaitai_call(KaitaiStream(io.BytesIO(head)),
                         "libvirt save image header (virQEMUSaveHeader)", L.ImageHeader)
    fields = header.fields
    if fields.data_len > MAX_DOMAIN_XML:
        raise FormatError(f"the libvirt header claims {fields.data_len} bytes of domain XML "
                          f"and cookie (libvirt writes a few KB and 64 KiB of padding; read "
                          f"at most {MAX_DOMAIN_XML})", offset=20)
    data = read_exactly(src, fields.data_len)
    if len(data) < fields.data_len:
        raise TruncatedError(f"the file ends at 0x{LIBVIRT_HEADER + len(data):x}, inside the "
                             f"domain XML and cookie (0x{fields.data_len:x} bytes from "
                             f"0x{LIBVIRT_HEADER:x})", offset=LIBVIRT_HEADER + len(data))
    body = kaitai_call(KaitaiStream(io.BytesIO(data)), "domain XML and cookie", L.DomainData,
                       len_xml=fields.len_xml, len_data=fields.data_len)
    return LibvirtImage(header, body.domain_xml, body.cookie)


class Compressed:
    """A bare stream in a compressed file."""

    def __init__(self, fmt: str) -> None:
        self.format = fmt

    def facts(self) -> list[tuple[str, str]]:
        return [("container", f"{self.format}-compressed stream (offsets below are in the "
                              f"decompressed stream)")]


# -- compressed data -----------------------------------------------------------------

class _Decompressing(io.RawIOBase):
    """A forward reader of the decompressed bytes of `src` (from its current position),
    read in bounded pieces: memory stays flat whatever the data expands to.

    The decompressor runs in a thread of its own, a few pieces ahead of the reader, so
    that decompressing and decoding overlap (the decompressors release the GIL while they
    work); the reader gets the pieces in order, and a fault where it lies."""

    def __init__(self, fmt: str, src: Any, base: int, path: str) -> None:
        super().__init__()
        self.fmt = fmt
        self.src = src
        self.base = base  # where the compressed data starts in `path`
        self.path = path
        self.pos = 0  # decompressed bytes returned by read()
        self._made = 0  # decompressed bytes made by the thread
        self._errors: tuple[type[Exception], ...] = ()
        self._piece = self._open()
        self._ahead: _Ahead | None = None
        self._cur: Any = b""
        self._off = 0
        self._done = False

    def _open(self) -> Any:
        """The function that gives the next piece of decompressed data (b"" at the end)."""
        if self.fmt in ("gzip", "bzip2", "xz"):
            inflate = _Inflate(self.fmt, self.src)
            self._errors = inflate.errors
            return inflate.piece
        if self.fmt == "zstd":
            zstandard = _need("zstandard", "zstd data")
            self._errors = (zstandard.ZstdError,)
            reader = zstandard.ZstdDecompressor().stream_reader(
                self.src, read_size=_IN, read_across_frames=True)
            return lambda: reader.read(_OUT)
        if self.fmt == "lzop":
            _need("lzallright", "lzop data")
            return _LzopReader(self.src, self.base, self.path).piece
        raise UsageError(f"no decompressor for {self.fmt}")

    def readable(self) -> bool:
        return True

    def _where(self) -> str:
        at = _tell(self.src)
        return f" near byte 0x{at:x} of {self.path}" if at >= 0 else ""

    def _next(self) -> bytes:
        """The next piece, made in the decompressing thread; faults as migkaitai errors
        at the decompressed offset where the good data ends."""
        try:
            data = self._piece()
        except MigkaitaiError:
            raise
        except EOFError:
            raise TruncatedError(f"the {self.fmt} data ends before its end marker{self._where()}"
                                 f" (a truncated file)", offset=self._made) from None
        except (OSError, ValueError, zlib.error, MemoryError, *self._errors) as e:  # type: ignore[misc]
            raise FormatError(f"the {self.fmt} data is corrupt{self._where()}: {e}",
                              offset=self._made) from None
        self._made += len(data[0]) if type(data) is tuple else len(data)
        return data  # type: ignore[no-any-return]

    def read(self, n: int | None = -1) -> bytes:
        data = self.read_view(n)
        return data if type(data) is bytes else bytes(data)

    def read_view(self, n: int | None = -1) -> Any:
        """Like read, but the rest of a piece comes as a view of it, not a copy."""
        if n is None or n < 0:
            n = _OUT
        cur, off = self._cur, self._off
        if off >= len(cur):
            if self._done:
                return b""
            if self._ahead is None:
                # (about 2 MiB ahead: lzop blocks are 256 KiB, the others 1 MiB)
                self._ahead = _Ahead(self._next, 8 if self.fmt == "lzop" else 2)
            try:
                cur = self._ahead.get()
            except BaseException:
                self._done = True
                raise
            if type(cur) is tuple:  # data and the check it must pass (lzop)
                cur, check = cur
                try:
                    check(cur, self.pos)
                except BaseException:
                    self._done = True
                    raise
            if not cur:
                self._done = True
                return b""
            self._cur, off = cur, 0
        # a whole piece as it is, the rest of one as a view of it: no copy
        data = cur if off == 0 and n >= len(cur) else memoryview(cur)[off:off + n]
        self._off = off + len(data)
        self.pos += len(data)
        return data  # type: ignore[no-any-return]

    def readinto(self, b: Any) -> int:
        data = self.read(len(b))
        b[:len(data)] = data
        return len(data)

    def close(self) -> None:
        if self._ahead is not None:
            self._ahead.stop()
        super().close()


class _Ahead:
    """Calls `make` in a background thread, at most `depth` results ahead of `get`: the
    results in order, then the exception `make` raised, if any (after b"" it stops)."""

    def __init__(self, make: Any, depth: int = 2) -> None:
        import queue
        import threading

        self._make = make
        self._queue: Any = queue.Queue(depth)
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="migkaitai-decompress",
                                        daemon=True)
        self._thread.start()

    def _run(self) -> None:
        item: Any
        try:
            while not self._stopping:
                item = self._make()
                self._queue.put(item)
                if not item:
                    return
        except BaseException as e:  # noqa: BLE001 - handed to the reader, raised there
            self._queue.put(e)

    def get(self) -> Any:
        item = self._queue.get()
        if isinstance(item, BaseException):
            raise item
        return item

    def stop(self) -> None:
        """Ends the thread (the reader is closed before the end of the data). A thread
        stuck in a read of a pipe that sends nothing more is left behind after a second
        (a daemon: it ends with the process) rather than hang the caller."""
        import queue
        import time

        self._stopping = True
        deadline = time.monotonic() + 1
        while self._thread.is_alive() and time.monotonic() < deadline:
            try:
                self._queue.get(timeout=0.05)  # (a put() waiting on a full queue)
            except queue.Empty:
                pass


class _Inflate:
    """gzip, bzip2 or xz data, read from `src` in pieces of _IN bytes and decompressed into
    pieces of at most _OUT bytes, member after member (concatenated files, as `gzip -dc`,
    `bzip2 -dc` and `xz -dc` read them; zero padding after a gzip member or between xz
    streams is skipped as they skip it). Their end-of-member checks (CRC-32 and size,
    CRC/CRC-64/SHA-256) are the decompressors' own."""

    MAGIC = {"gzip": b"\x1f\x8b", "bzip2": b"BZh", "xz": b"\xfd7zXZ\x00"}

    def __init__(self, fmt: str, src: Any) -> None:
        self.fmt = fmt
        self.src = src
        self.errors: tuple[type[Exception], ...] = ()
        if fmt == "xz":
            import lzma

            self.errors = (lzma.LZMAError,)
        self.dec: Any = self._new()
        self.data: Any = b""  # input not given to the decompressor yet
        self.eof = False  # src is exhausted

    def _new(self) -> Any:
        if self.fmt == "gzip":
            return zlib.decompressobj(31)
        if self.fmt == "bzip2":
            import bz2

            return bz2.BZ2Decompressor()
        import lzma

        return lzma.LZMADecompressor(lzma.FORMAT_XZ)

    def _fill(self) -> None:
        if not self.data and not self.eof:
            self.data = self.src.read(_IN)
            self.eof = not self.data

    def _next_member(self) -> bool:
        """After a member's end: whether another follows (then its decompressor is ready)."""
        magic = self.MAGIC[self.fmt]
        while True:
            if self.fmt != "bzip2":
                self.data = self.data.lstrip(b"\0")
            if len(self.data) >= len(magic) or self.eof:
                break
            more = self.src.read(_IN)
            self.eof = not more
            self.data += more
        if not self.data:
            return False
        if not self.data.startswith(magic):
            raise ValueError(f"bytes that are not {self.fmt} data follow the end of the "
                             f"{self.fmt} data")
        self.dec = self._new()
        return True

    def piece(self) -> bytes:
        dec = self.dec
        while True:
            if dec.eof:
                self.data = dec.unused_data + self.data
                if not self._next_member():
                    return b""
                dec = self.dec
            if self.fmt == "gzip":
                if not self.data:
                    self._fill()
                    if self.eof:
                        raise EOFError
                out = dec.decompress(self.data, _OUT)
                self.data = dec.unconsumed_tail  # (input held back by the _OUT bound)
            else:
                if dec.needs_input:
                    self._fill()
                    if self.eof:
                        raise EOFError
                    data, self.data = self.data, b""
                else:
                    data = b""
                out = dec.decompress(data, _OUT)
            if out:
                return out  # type: ignore[no-any-return]


class _LzopReader:
    """lzop's blocks (ksy/lzop.ksy), each LZO1X-decompressed (lzallright) and checked
    against its checksums."""

    def __init__(self, src: Any, base: int, path: str) -> None:
        from migkaitai_ksy.lzop import Lzop

        self.K = Lzop
        self.src = src
        self.base = base
        self.path = path
        self.io = KaitaiStream(src)
        magic = read_exactly(src, 9)
        if magic != b"\x89LZO\x00\r\n\x1a\n":
            raise FormatError("expected the lzop magic", offset=base)
        self.header = kaitai_call(self.io, "lzop header", Lzop.Header)
        if self.header.is_multipart:
            raise FormatError("multipart lzop files are not supported", offset=base)
        self.done = False

    def tell(self) -> int:
        return self.src.tell()  # type: ignore[no-any-return]

    def piece(self) -> Any:
        """The next block, decompressed (b"" after the last), with the check of its
        uncompressed data still to run: (data, check). The reader runs the check (in its
        own thread, while this one reads on: the checksums release the GIL) before it
        uses the data."""
        if self.done:
            return b""
        lzallright = _need("lzallright", "lzop data")

        at = _tell(self.src)
        try:
            block = self.K.Block(self.header.flags, self.io)
        except EOFError:
            raise EOFError from None
        except KaitaiStructError as e:  # a validation error: the framing
            raise FormatError(f"the lzop block at byte 0x{self.base + at:x} of {self.path} "
                              f"is corrupt ({e})") from None
        if block.len_uncompressed == 0:
            self.done = True
            return b""
        where = f"the lzop block at byte 0x{self.base + at:x} of {self.path}"
        if not block.is_stored:
            for name, want, fn in (("Adler-32", getattr(block, "adler32_compressed", None),
                                    zlib.adler32),
                                   ("CRC-32", getattr(block, "crc32_compressed", None),
                                    zlib.crc32)):
                if want is not None and fn(block.data) != want:
                    raise FormatError(f"{where} fails the {name} check of its compressed "
                                      f"data")
        if block.is_stored:
            data = block.data
        else:
            try:
                data = lzallright.LZOCompressor.decompress(
                    block.data, output_size_hint=block.len_uncompressed)
            except lzallright.LZOError as e:
                raise FormatError(f"{where} does not decompress ({e.args[0]})") from None
        if len(data) != block.len_uncompressed:
            raise FormatError(f"{where} decompresses to {len(data)} bytes, not "
                              f"{block.len_uncompressed}")
        checks = [(name, want, fn) for name, want, fn in (
            ("Adler-32", getattr(block, "adler32_uncompressed", None), zlib.adler32),
            ("CRC-32", getattr(block, "crc32_uncompressed", None), zlib.crc32))
            if want is not None]

        def check(data: Any, at: int) -> None:
            for name, want, fn in checks:
                if fn(data) != want:
                    raise FormatError(f"{where} fails its {name} check", offset=at)

        return (bytes(data), check) if checks else bytes(data)

    def close(self) -> None:
        pass


def _need(module: str, what: str) -> Any:
    """Import `module` (a pinned dependency), or say plainly that it is missing."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise UsageError(f"reading {what} needs the Python package {module}, which is not "
                         f"installed (pip install -r requirements.txt)") from None


def _tell(f: Any) -> int:
    """Where a reader is in its file, or -1 (a pipe)."""
    try:
        return f.tell()  # type: ignore[no-any-return]
    except (OSError, ValueError, AttributeError):
        return -1


def decompressing_reader(fmt: str, src: Any, base: int, path: str) -> _Decompressing:
    """A forward reader of the stream compressed in `fmt` that `src` holds from its
    current position (`base`: that position in `path`, for error messages)."""
    return _Decompressing(fmt, src, base, path)


class _Prefixed(io.RawIOBase):
    """`head` (bytes already read from `src`), then the rest of `src`."""

    def __init__(self, head: bytes, src: Any) -> None:
        super().__init__()
        self.head = head
        self.src = src

    def readable(self) -> bool:
        return True

    def read(self, n: int | None = -1) -> bytes:
        if self.head:
            if n is None or n < 0 or n >= len(self.head):
                out, self.head = self.head, b""
                return out
            out, self.head = self.head[:n], self.head[n:]
            return out
        return self.src.read(-1 if n is None else n)  # type: ignore[no-any-return]

    def readinto(self, b: Any) -> int:
        data = self.read(len(b))
        b[:len(data)] = data
        return len(data)

    def tell(self) -> int:
        return -1


def read_exactly(src: Any, n: int) -> bytes:
    """Up to `n` bytes from a forward reader (fewer only at its end)."""
    parts = []
    while n > 0:
        piece = src.read(n)
        if not piece:
            break
        parts.append(piece)
        n -= len(piece)
    return b"".join(parts)


# -- qcow2 -------------------------------------------------------------------------------

Qcow2Snapshot = namedtuple("Qcow2Snapshot", "index id name vm_state_size disk_size date_sec "
                                            "date_nsec vm_clock_nsec icount l1_offset l1_size")

_MAX_L1 = 1 << 25  # entries of one L1 table read at most (QEMU: QCOW_MAX_L1_SIZE 32 MiB)


class Qcow2Image:
    """A qcow2 image's header and snapshot table (ksy/qcow2.ksy)."""

    def __init__(self, f: Any, path: str, size: int) -> None:
        from migkaitai_ksy.qcow2 import Qcow2

        self.K = Qcow2
        self.f = f
        self.path = path
        self.size = size
        kio = KaitaiStream(f)
        self.kio = kio
        kio.seek(0)
        # the root type reads the header only (the rest are instances): L2 entries need
        # it as their _root (extended L2, cluster bits)
        self.root = root = kaitai_call(kio, "qcow2 header", Qcow2)
        self.header = h = root.header
        self.cluster_bits = h.cluster_bits
        self.cluster_size = root.cluster_size
        self.extended_l2 = root.is_extended_l2
        self.l2_bits = root.l2_bits
        self.compression = "zstd" if h.compression == 1 else "zlib"
        if h.nb_snapshots > 65536:
            raise FormatError(f"the qcow2 header claims {h.nb_snapshots} snapshots (QEMU "
                              f"allows 65536)", offset=60)
        self.snapshots: list[Qcow2Snapshot] = []
        if h.nb_snapshots and h.snapshots_offset + 40 > size:
            raise FormatError(f"the qcow2 snapshot table at 0x{h.snapshots_offset:x} lies past "
                              f"the end of the file ({size} bytes)", offset=64)
        kio.seek(h.snapshots_offset)
        for i in range(h.nb_snapshots):
            at = kio.pos()
            if at + 40 > size:
                raise FormatError(f"the qcow2 snapshot table runs past the end of the file "
                                  f"(entry {i + 1} of {h.nb_snapshots})", offset=at)
            sn = kaitai_call(kio, f"qcow2 snapshot table entry {i + 1}", Qcow2.Snapshot,
                             is_last=i == h.nb_snapshots - 1, at=at)
            ex = sn.extra_data
            self.snapshots.append(Qcow2Snapshot(
                i, sn.id, sn.name, sn.vm_state_size, getattr(ex, "disk_size", None),
                sn.date_sec, sn.date_nsec, sn.vm_clock_nsec, getattr(ex, "icount", None),
                sn.l1_table_offset, sn.l1_size))

    def facts(self) -> list[tuple[str, str]]:
        h = self.header
        return [("container", f"qcow2 (version {h.version}, clusters of {self.cluster_size} "
                              f"bytes{', extended L2' if self.extended_l2 else ''})"),
                ("disk size", str(h.size)),
                ("snapshots", str(len(self.snapshots)))]

    def vm_state_problem(self) -> str | None:
        """Why no VM state of this image can be read, if something stops it."""
        h = self.header
        if int(h.crypt_method) != 0:
            how = getattr(h.crypt_method, "name", h.crypt_method)
            return (f"the qcow2 image is encrypted ({how}): its VM state cannot be read "
                    f"without the key")
        if h.version >= 3 and h.incompatible_features & 0x4:
            return ("the qcow2 image keeps its data in an external data file, which holds "
                    "the VM state too: it cannot be read from the image alone")
        if h.version >= 3 and h.incompatible_features & ~0x1f:
            return (f"the qcow2 image has incompatible features 0x"
                    f"{h.incompatible_features & ~0x1f:x} that this reader does not know")
        return None

    def select(self, wanted: str | None) -> Qcow2Snapshot:
        """The snapshot `wanted` names (its id, else its name), or the only one with VM
        state; UsageError listing them when that is ambiguous."""
        with_state = [s for s in self.snapshots if s.vm_state_size]
        if wanted is not None:
            for key in ("id", "name"):
                hits = [s for s in self.snapshots if getattr(s, key) == wanted]
                if hits:
                    if not hits[0].vm_state_size:
                        raise FormatError(f"snapshot {wanted} of {self.path} has no VM state "
                                          f"(a disk-only snapshot)")
                    return hits[0]  # type: ignore[no-any-return]
            raise UsageError(f"{self.path} has no snapshot {wanted!r}",
                             details=self.listing())
        if not self.snapshots:
            raise FormatError(f"not a QEMU migration stream: {self.path} is a qcow2 image "
                              f"without internal snapshots, so it holds no VM state", offset=0)
        if not with_state:
            raise FormatError(f"{self.path} is a qcow2 image whose {len(self.snapshots)} "
                              f"snapshots are disk-only: none holds VM state", offset=0)
        if len(with_state) == 1:
            return with_state[0]  # type: ignore[no-any-return]
        raise UsageError(f"{self.path} holds {len(with_state)} snapshots with VM state: "
                         f"choose one with --snapshot ID|NAME", details=self.listing())

    def listing(self) -> str:
        """The snapshot table as `qemu-img snapshot -l` prints it (block/qapi.c:
        bdrv_snapshot_dump)."""
        import time

        lines = ["Snapshot list:",
                 f"{'ID':<10}{'TAG':<17}{'VM SIZE':>8}{'DATE':>20}{'VM CLOCK':>13}"
                 f"{'ICOUNT':>11}"]
        for s in self.snapshots:
            date = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(s.date_sec))
            secs = s.vm_clock_nsec // 1_000_000_000
            clock = (f"{secs // 3600:02d}:{secs // 60 % 60:02d}:{secs % 60:02d}."
                     f"{s.vm_clock_nsec // 1_000_000 % 1000:03d}")
            icount = "" if s.icount is None or s.icount < 0 else str(s.icount)
            lines.append(f"{s.id:<9} {s.name:<16} {_human(s.vm_state_size):>8}{date:>20}"
                         f"{clock:>13}{icount:>11}".rstrip())
        return "\n".join(lines)

    def vm_state(self, sn: Qcow2Snapshot) -> Qcow2VmState:
        problem = self.vm_state_problem()
        if problem:
            raise FormatError(problem, offset=0)
        disk = sn.disk_size if sn.disk_size is not None else self.header.size
        span = 1 << (self.cluster_bits + self.l2_bits)
        start = -(-disk // span) * span  # qcow2_vm_state_offset
        if sn.l1_size > _MAX_L1:
            raise FormatError(f"snapshot {sn.id} claims an L1 table of {sn.l1_size} entries "
                              f"(QEMU allows {_MAX_L1})", offset=sn.l1_offset)
        if sn.l1_offset + 8 * sn.l1_size > self.size:
            raise FormatError(f"the L1 table of snapshot {sn.id} runs past the end of the "
                              f"file", offset=sn.l1_offset)
        self.f.seek(sn.l1_offset)
        l1 = self.f.read(8 * sn.l1_size)
        return Qcow2VmState(self, l1, start, sn.vm_state_size)


def _human(n: int) -> str:
    """qemu-img's size_to_str: 1024-based, "523 KiB"."""
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if n < 1024 or unit == "PiB":
            if unit == "B":
                return f"{n} B"
            return f"{n:.3g} {unit}"
        n /= 1024  # type: ignore[assignment]
    return str(n)


class Qcow2VmState(io.RawIOBase):
    """A snapshot's VM state as a seekable file: guest offsets `start` .. `start + size`
    of the image, mapped through the snapshot's L1 table and its L2 tables; clusters not
    allocated (or reading as zeros) read as zeros, compressed ones are decompressed."""

    def __init__(self, img: Qcow2Image, l1: bytes, start: int, size: int) -> None:
        super().__init__()
        self.img = img
        self.l1 = l1
        self.start = start
        self.size = size
        self.pos = 0
        self._l2_cache: dict[int, bytes] = {}
        self._cluster_cache: tuple[int, bytes] | None = None

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.pos

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        if whence == os.SEEK_CUR:
            offset += self.pos
        elif whence == os.SEEK_END:
            offset += self.size
        if offset < 0:
            raise ValueError("negative seek position")
        self.pos = offset
        return offset

    def _l2(self, l2_offset: int) -> bytes:
        table = self._l2_cache.get(l2_offset)
        if table is None:
            img = self.img
            if l2_offset + img.cluster_size > img.size:
                raise FormatError(f"an L2 table at 0x{l2_offset:x} lies past the end of "
                                  f"{img.path}", offset=self.pos)
            img.f.seek(l2_offset)
            table = img.f.read(img.cluster_size)
            if len(self._l2_cache) > 64:
                self._l2_cache.clear()
            self._l2_cache[l2_offset] = table
        return table

    def _read_cluster_part(self, guest: int, n: int) -> bytes:
        """Up to `n` bytes at guest offset `guest`, within one cluster."""
        img = self.img
        cbits = img.cluster_bits
        csize = img.cluster_size
        within = guest & (csize - 1)
        n = min(n, csize - within)
        entry = self._l2_entry(guest >> (cbits + img.l2_bits),
                               (guest >> cbits) & ((1 << img.l2_bits) - 1))
        if entry is None:  # no L2 table: not allocated
            return bytes(n)
        if entry.is_compressed:
            return self._compressed(guest, entry)[within:within + n]
        if img.extended_l2:
            return self._subclusters(entry.host_offset, entry.allocated_subclusters,
                                     entry.zero_subclusters, within, n)
        if entry.reads_as_zeros or not entry.host_offset:
            return bytes(n)
        return self._host(entry.host_offset + within, n)

    def _l2_entry(self, l1_index: int, l2_index: int) -> Any:
        """The generated `l2_entry` for a cluster, or None when its L1 entry has no table."""
        K = self.img.K
        if l1_index * 8 + 8 > len(self.l1):
            return None
        l1e = K.L1Entry(KaitaiStream(io.BytesIO(self.l1[l1_index * 8:l1_index * 8 + 8])))
        if not l1e.l2_offset:
            return None
        table = self._l2(l1e.l2_offset)
        esize = 16 if self.img.extended_l2 else 8
        raw = table[l2_index * esize:(l2_index + 1) * esize]
        return K.L2Entry(KaitaiStream(io.BytesIO(raw)), None, self.img.root)

    def _subclusters(self, host: int, allocated: int, zeros: int, within: int,
                     n: int) -> bytes:
        """Extended L2: each of the 32 subclusters is allocated, reads as zeros, or is not
        allocated (zeros too)."""
        sub = self.img.cluster_size // 32
        out = bytearray()
        while n > 0:
            i = within // sub
            k = min(n, sub - within % sub)
            if zeros >> i & 1 or not allocated >> i & 1 or not host:
                out += bytes(k)
            else:
                out += self._host(host + within, k)
            within += k
            n -= k
        return bytes(out)

    def _host(self, off: int, n: int) -> bytes:
        img = self.img
        if n < 0 or off + n > img.size:
            raise TruncatedError(f"a cluster of the VM state at 0x{off:x} lies past the end "
                                 f"of {img.path} ({img.size} bytes)", offset=self.pos)
        img.f.seek(off)
        return img.f.read(n)  # type: ignore[no-any-return]

    def _compressed(self, guest: int, entry: Any) -> bytes:
        img = self.img
        base = guest & ~(img.cluster_size - 1)
        if self._cluster_cache is not None and self._cluster_cache[0] == base:
            return self._cluster_cache[1]
        coffset = entry.compressed_offset
        csize = entry.len_compressed
        if coffset >= img.size:
            raise FormatError(f"a compressed cluster of the VM state at 0x{coffset:x} lies past "
                              f"the end of {img.path} ({img.size} bytes)", offset=self.pos)
        raw = self._host(coffset, min(csize, img.size - coffset))
        errors: tuple[type[Exception], ...] = (zlib.error,)
        if img.compression == "zstd":
            zstandard = _need("zstandard", "zstd-compressed qcow2 clusters")
            errors = (zstandard.ZstdError,)
        try:
            if img.compression == "zstd":  # (at most a cluster: whatever the frame claims)
                data = zstandard.ZstdDecompressor().stream_reader(io.BytesIO(raw)).read(
                    img.cluster_size)
            else:
                d = zlib.decompressobj(-12)
                data = d.decompress(raw, img.cluster_size)
        except errors as ex:
            raise FormatError(f"the compressed cluster at 0x{coffset:x} of {img.path} does "
                              f"not decompress ({ex})", offset=self.pos) from None
        if len(data) < img.cluster_size:
            raise FormatError(f"the compressed cluster at 0x{coffset:x} of {img.path} "
                              f"decompresses to {len(data)} bytes, not "
                              f"{img.cluster_size}", offset=self.pos)
        data = data[:img.cluster_size]
        self._cluster_cache = (base, data)
        return data

    def readinto(self, b: Any) -> int:
        n = min(len(b), self.size - self.pos)
        if n <= 0:
            return 0
        done = 0
        while done < n:
            piece = self._read_cluster_part(self.start + self.pos, n - done)
            b[done:done + len(piece)] = piece
            done += len(piece)
            self.pos += len(piece)
        return done
