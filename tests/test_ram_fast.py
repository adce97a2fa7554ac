"""RamTracker's fast path (runs of CONTINUE pages read from a memory map) must give the
same result as the generated `ram_record` type read record by record, on every stream."""
from __future__ import annotations

import hashlib
import os

import pytest

import migkaitai
from migkaitai.output import RamExtractor
from migkaitai.ram import RamTracker

import corpus


class Digest:
    """A sink that hashes every RAM event in order."""

    def __init__(self) -> None:
        self.h = hashlib.sha256()
        self.page_size = 0

    def block(self, block):
        self.h.update(f"B{block.name}:{block.length}".encode())

    def zero(self, block, addr, fill):
        self.h.update(f"Z{block.name}:{addr}:{fill}".encode())

    def page(self, block, addr, data):
        self.h.update(f"P{block.name}:{addr}".encode())
        self.h.update(bytes(data))

    def xbzrle(self, block, addr, delta, offset):
        self.h.update(f"X{block.name}:{addr}".encode() + bytes(delta))


def walk(name: str, fast: bool, sink: bool):
    with migkaitai.open(str(corpus.stream_file(name))) as m:
        d = Digest()
        tracker = RamTracker(m.page_size, [d] if sink else [])
        w = m.walker(tracker, fast=fast, decode_devices=False)
        offsets = [r.offset for r in w.records()]
        blocks = [(b.name, b.length, b.pages, b.zero_pages, b.bytes)
                  for b in tracker.blocks.values()]
        return offsets, blocks, tracker.records, tracker.eos, d.h.hexdigest()


@pytest.mark.slow
@pytest.mark.parametrize("name", corpus.valid_streams())
def test_fast_path_equals_generated_types(name):
    slow = walk(name, fast=False, sink=True)
    assert walk(name, fast=True, sink=True) == slow  # with sinks: record by record
    fast = walk(name, fast=True, sink=False)  # counting only: whole runs at once
    assert fast[:4] == slow[:4]


RUN_START = 37072  # pc-ram-random-4m: 1024 PAGE|CONTINUE records of pc.ram start here
STRIDE = 8 + 4096


@pytest.mark.parametrize("n", [0, 17, 63, 64, 100, 511, 512, 1023])
@pytest.mark.parametrize("bad", ["outside", "flag-bit"])
def test_fast_path_finds_a_bad_record_inside_a_run(tmp_path, n, bad):
    """One bad address word among 1024 good ones, at positions inside and at the edges of
    the fast path's chunks: both paths stop at that record with the same error."""
    data = bytearray(corpus.stream_file("x86/pc-ram-random-4m").read_bytes())
    at = RUN_START + n * STRIDE
    word = int.from_bytes(data[at:at + 8], "big")
    assert word & 0xFFF == 0x28 and word - 0x28 == (word - 0x28) // 4096 * 4096
    if bad == "outside":  # first page past the end of the 64 MiB block
        word = (64 << 20) | 0x28
    else:  # RAM_SAVE_FLAG_COMPRESS_PAGE (0x100) set besides PAGE|CONTINUE
        word |= 0x100
    data[at:at + 8] = word.to_bytes(8, "big")
    path = tmp_path / "bad.mig"
    path.write_bytes(data)
    errors = []
    for fast in (True, False):
        with migkaitai.open(str(path)) as m:
            w = m.walker(RamTracker(m.page_size), fast=fast, decode_devices=False)
            with pytest.raises(migkaitai.FormatError) as e:
                for _ in w.records():
                    pass
            errors.append((e.value.offset, str(e.value)))
    assert errors[0] == errors[1]
    assert errors[0][0] == at
    want = ("lies outside block 'pc.ram'" if bad == "outside"
            else "unknown combination of RAM flags 0x128")
    assert want in errors[0][1]


def extracted(name: str, outdir, fast: bool) -> dict[str, tuple]:
    """Extract `name`'s RAM with the fast path (runs of pages and zero pages handed to
    RamExtractor.page_run / zero_run) or record by record; per file: the data segments
    (SEEK_DATA .. SEEK_HOLE) with a hash of each, so holes must match too."""
    with migkaitai.open(str(corpus.stream_file(name))) as m:
        x = RamExtractor(str(outdir), m.page_size)
        w = m.walker(RamTracker(m.page_size, [x]), fast=fast, decode_devices=False)
        for _ in w.records():
            pass
        x.close()
    result = {}
    for path in sorted(outdir.rglob("*")):
        if not path.is_file():
            continue
        segments = []
        with open(path, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            pos = 0
            while pos < size:
                try:
                    start = os.lseek(f.fileno(), pos, os.SEEK_DATA)
                except OSError:  # ENXIO: only a hole is left
                    break
                end = os.lseek(f.fileno(), start, os.SEEK_HOLE)
                f.seek(start)
                segments.append((start, end, hashlib.sha256(f.read(end - start)).hexdigest()))
                pos = end
        result[str(path.relative_to(outdir))] = (size, segments)
    return result


@pytest.mark.parametrize("name", [
    "x86/pc-ram-random-4m",  # one 1024-page run
    "x86/pc-running-precopy",  # pages sent again, zero pages over data
    "x86/pc-running-xbzrle",
    "x86/pc-nodefaults-64m",
    "other/ppc64-pseries-default",  # mostly zero pages
    "other/arm-versatilepb-1kpages",  # 1 KiB pages
    "exotic/v7.2-avr-mega2560",  # 256-byte pages
    "exotic/v10.0-sparc64-sun4u",  # 8 KiB pages
    "qemu10/v10.0-x86_64-q35-background-snapshot",  # pages in write-fault order
])
@pytest.mark.slow
def test_fast_extraction_equals_record_by_record(tmp_path, name):
    fast = extracted(name, tmp_path / "fast", True)
    assert fast == extracted(name, tmp_path / "slow", False)
    assert any(segments for _, segments in fast.values())


def walk_error(path, fast: bool):
    with migkaitai.open(str(path)) as m:
        w = m.walker(RamTracker(m.page_size), fast=fast, decode_devices=False)
        try:
            for _ in w.records():
                pass
        except migkaitai.MigkaitaiError as e:
            return type(e).__name__, e.offset, str(e)
    return None


XBZRLE_AT = 1679423  # pc-running-xbzrle: an XBZRLE|CONTINUE record (0x60) amid others


@pytest.mark.parametrize("patch", ["encoding", "longer", "longest"])
def test_fast_path_xbzrle_damage(tmp_path, patch):
    """A damaged XBZRLE|CONTINUE record: the fast path stops where the generated type
    does, with the same error."""
    data = bytearray(corpus.stream_file("x86/pc-running-xbzrle").read_bytes())
    at = XBZRLE_AT
    assert data[at + 7] == 0x60 and data[at + 8] == 1
    if patch == "encoding":
        data[at + 8] = 2
    else:
        n = int.from_bytes(data[at + 9:at + 11], "big")
        data[at + 9:at + 11] = (n + 1 if patch == "longer" else 0xFFFF).to_bytes(2, "big")
    path = tmp_path / "bad.mig"
    path.write_bytes(data)
    fast = walk_error(path, True)
    assert fast is not None and fast == walk_error(path, False)
    if patch == "encoding":
        assert fast[1] == at + 8 and "RAM record" in fast[2], fast  # at its encoding byte


def extracted_with(name: str, outdir, background: bool) -> dict[str, bytes]:
    with migkaitai.open(str(corpus.stream_file(name))) as m:
        x = RamExtractor(str(outdir), m.page_size, background=background)
        w = m.walker(RamTracker(m.page_size, [x]), decode_devices=False)
        try:
            for _ in w.records():
                pass
        finally:
            x.close()
    return {str(p.relative_to(outdir)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(outdir.rglob("*")) if p.is_file()}


@pytest.mark.slow
@pytest.mark.parametrize("name", ["x86/pc-running-xbzrle", "x86/pc-running-precopy",
                                  "x86/pc-ram-random-4m"])
def test_background_writer_gives_the_same_files(tmp_path, name):
    """-x writes in a background thread: XBZRLE pages read back what was queued before,
    pages sent again land in order."""
    assert extracted_with(name, tmp_path / "bg", True) == extracted_with(name, tmp_path / "fg",
                                                                         False)


def test_background_write_error_is_raised(tmp_path):
    from migkaitai.ram import RamBlock
    x = RamExtractor(str(tmp_path), 4096, background=True)
    block = RamBlock("pc.ram", 1 << 20, 0)
    x.block(block)
    os.close(x.fds["pc.ram"])  # the next write fails with EBADF
    x.page_run(block, range(0, 8 * 4096, 4096), [bytes(4096)] * 8)
    with pytest.raises(OSError):
        x.writer.flush()
    x.writer.close()  # the error was reported once
    x.fds.clear()


def test_words_at_most_equals_max():
    """The fast path's bound check against max() of the words, near and far from it."""
    import random
    import struct

    from migkaitai.ram_fast import _words_at_most
    rnd = random.Random(7)
    for _ in range(3000):
        limit = rnd.choice([0, 0x28, 0xFFF, 1 << 31, (1 << 31) - 0x1000 + 0x28, 0x7FFFF028,
                            (64 << 30) + 0x28, rnd.randrange(1 << 40), (1 << 64) - 1])
        n = rnd.choice([1, 16, 100, 512])
        top = rnd.choice([limit + 1, max(1, limit // 2), 1 << 64])
        words = [rnd.randrange(min(top, 1 << 64)) for _ in range(n)]
        if rnd.random() < 0.3:
            words[rnd.randrange(n)] = min(limit + rnd.choice([0, 1, 0x1000]), (1 << 64) - 1)
        data = struct.pack(f">{n}Q", *words)
        assert _words_at_most(data, limit) == (max(words) <= limit), (limit, max(words))
    assert not _words_at_most(b"\0" * 8, -1)


@pytest.mark.parametrize("stride", [9, 264, 4104])
def test_words_gathers_the_record_words(stride):
    import random

    from migkaitai.ram_fast import _words
    rnd = random.Random(stride)
    n = 100
    data = bytes(rnd.randrange(256) for _ in range(n * stride + 3))
    span = memoryview(data)[3:]  # not 8-byte aligned
    want = b"".join(data[3 + i * stride:3 + i * stride + 8] for i in range(n))
    assert _words(span, stride, n) == want
