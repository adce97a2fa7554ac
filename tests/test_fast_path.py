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
