"""Disk contents of block migration (the `block` section, QEMU before 9.1).

Each DEVICE_BLOCK record carries 1 MiB (BLK_MIG_BLOCK_SIZE) of one disk at a sector
offset; with the zero-blocks capability all-zero chunks come as ZERO_BLOCK records
without data. :class:`DiskExtractor` writes each disk to `<outdir>/block/<device>`,
zero chunks as holes. The stream does not say how big a disk is: the file ends where
the last chunk ends (a disk whose size is not a multiple of 1 MiB gets the junk QEMU
sent after its end).
"""
from __future__ import annotations

import os
from collections.abc import Callable

from migkaitai.ram import open_inside, pwrite_all, safe_relative_path
from migkaitai.stream import BlockChunk

__all__ = ["DiskExtractor"]

CHUNK = 1 << 20


class DiskExtractor:
    """Block sink: writes disk chunks into sparse files under `<outdir>/block/`."""

    def __init__(self, outdir: str, on_file: Callable[[str], object] | None = None) -> None:
        self.outdir = os.path.realpath(outdir)
        self.on_file = on_file
        self.fds: dict[str, int] = {}
        self.sizes: dict[str, int] = {}

    def chunk(self, chunk: BlockChunk, data: bytes | None) -> None:
        name = chunk.device or ""
        fd = self.fds.get(name)
        if fd is None:
            rel = "block/" + safe_relative_path(name)
            fd = open_inside(self.outdir, rel, f"disk '{name}'")
            self.fds[name] = fd
            self.sizes[name] = 0
            if self.on_file:
                self.on_file(rel)
        offset = chunk.sector * 512
        end = offset + CHUNK
        if data is not None:
            pwrite_all(fd, data, offset)
        if end > self.sizes[name]:
            self.sizes[name] = end
            os.ftruncate(fd, max(end, os.fstat(fd).st_size))
        if data is None and any(os.pread(fd, CHUNK, offset)):
            pwrite_all(fd, bytes(CHUNK), offset)  # a zero chunk over data sent earlier

    def close(self) -> None:
        for fd in self.fds.values():
            os.close(fd)
        self.fds.clear()
