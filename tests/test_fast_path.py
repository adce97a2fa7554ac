"""RamTracker's fast path (runs of CONTINUE pages read from a memory map) must give the
same result as the generated `ram_record` type read record by record, on every stream."""
from __future__ import annotations

import hashlib

import pytest

import corpus
import migkaitai
from migkaitai.ram import RamTracker


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
        blocks = [(b.name, b.length, b.pages, b.zero_pages, b.bytes) for b in tracker.blocks.values()]
        return offsets, blocks, tracker.records, d.h.hexdigest()


@pytest.mark.parametrize("name", corpus.valid_streams())
def test_fast_path_equals_generated_types(name):
    slow = walk(name, fast=False, sink=True)
    assert walk(name, fast=True, sink=True) == slow  # with sinks: record by record
    fast = walk(name, fast=True, sink=False)  # counting only: whole runs at once
    assert fast[:3] == slow[:3]


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
    want = "lies outside block 'pc.ram'" if bad == "outside" else "unknown combination of RAM flags 0x128"
    assert want in errors[0][1]
