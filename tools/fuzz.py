#!/usr/bin/env python3
"""Mutation fuzzing of the migkaitai CLI with real corpus streams (`make fuzz`).

Each case takes a corpus stream, damages it the way a broken disk, a cut pipe or a
hostile producer would (truncation, bit flips, inserted or deleted bytes, length
fields forced to 0, 1, 0x7f.. or 0xff.., a changed or hostile JSON description,
duplicated or dropped records), runs `migkaitai.cli.main` on it and checks the
error contract:

* exit 0, or exit 1 with exactly one stderr line "migkaitai: error: ..." that names
  a byte offset ("at offset 0x...");
* never a traceback, never "migkaitai: internal error" (that is a bug);
* what was decoded before the fault is still printed (JSON with an "error" entry);
* -x writes nothing outside its output folder;
* no hang (> --timeout seconds) and bounded memory (peak RSS <= --max-rss-mb).

Mutations come from the stream's own structure: `stream_map()` walks the intact
stream with the API and lists record boundaries and the offsets of length and id
fields (section names, configuration name, commands, PACKAGED, RAM block names and
lengths, XBZRLE and COMPRESS_PAGE lengths, the description's be32 length), so most
cases hit a field a parser must not trust. The same mutator and contract check are
used by tests/test_mutations.py.

Every case runs in a forked child (no exec, so a case costs the decode, not an
interpreter start); `--jobs` children run at once. A child that outlives --timeout is
killed and counted as a hang; its peak RSS comes from wait4(). Cases are seeded by
(seed, index), so `--case N` replays one. Reproducers (the mutated stream, the
command line and what went wrong) go to --out, which must lie outside the repository.

    python tools/fuzz.py --cases 10000 --jobs 2 --out /tmp/migkaitai-fuzz
    python tools/fuzz.py --seed 1 --case 4711 --out /tmp/migkaitai-fuzz   # replay one
"""
from __future__ import annotations

import argparse
import io
import json
import os
import random
import re
import resource
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # corpus.py: the corpus streams, decompressed

import migkaitai  # noqa: E402
from migkaitai.cli import EXIT_OUTPUT  # noqa: E402
from migkaitai.cli import main as cli_main  # noqa: E402
from migkaitai.errors import MigkaitaiError  # noqa: E402
from migkaitai.ram import RamPage  # noqa: E402
from migkaitai.render import one_line  # noqa: E402

import corpus  # noqa: E402

__all__ = [
    "Field", "StreamMap", "stream_map", "Mutator", "MODES", "Outcome", "run_case",
    "contract_problems", "NO_DESCRIPTION",
]

ERROR_PREFIX = "migkaitai: error: "
NOTE_PREFIX = "migkaitai: note: "
OFFSET_RE = re.compile(r"\bat offset 0x[0-9a-f]+\b")
# `-d desc` on an intact stream that has no VMDESCRIPTION trailer: nothing is broken at
# any offset, so this one error names none.
NO_DESCRIPTION = "the stream has no JSON description (VMDESCRIPTION after the EOF record)"


# --------------------------------------------------------------------------------------------
# The stream's structure: where the fields are that a parser must not trust


@dataclass(frozen=True)
class Field:
    """A big-endian integer field of the stream: `width` bytes at `offset`."""

    offset: int
    width: int
    what: str  # e.g. "section name length (cpu (5))"
    length: bool  # a length (drives how much is read) rather than an id/type/flags


@dataclass
class StreamMap:
    """What `stream_map` found in an intact stream."""

    size: int
    boundaries: list[int]  # record starts and ends, the header, the description
    fields: list[Field]
    desc: tuple[int, int] | None = None  # (offset of the 0x06 marker, JSON length)
    block_names: list[tuple[int, int]] = field(default_factory=list)  # (offset, length)

    def length_fields(self) -> list[Field]:
        return [f for f in self.fields if f.length]


def stream_map(path: str | os.PathLike[str], max_per_kind: int = 12) -> StreamMap:
    """Walk the stream at `path` once and list its boundaries and fields.

    RAM page records are sampled: the first `max_per_kind` of each kind (page, zero,
    xbzrle, compressed; with and without a block name). A stream that ends early (a
    cropped seed) is mapped up to where decoding stopped.
    """
    data = Path(path).read_bytes()
    fields: list[Field] = []
    bounds: set[int] = {0, len(data)}
    names: list[tuple[int, int]] = []
    seen: Counter[tuple[str, bool]] = Counter()

    def add(off: int, width: int, what: str, length: bool) -> None:
        if off >= 0 and off + width <= len(data):
            fields.append(Field(off, width, what, length))

    with migkaitai.open(str(path)) as m:
        desc = m.description
        walker = m.walker(yield_pages=True)
        bounds.update((m.start, m.start + 8))
        try:
            for ev in walker.records():
                if isinstance(ev, RamPage):
                    _page_fields(data, ev, seen, max_per_kind, add)
                else:
                    bounds.update((ev.offset, ev.end))
                    _record_fields(data, ev, add, names)
        except MigkaitaiError:
            pass  # a cropped seed: mapped up to the fault
        blocks = list(walker.ram.blocks.values())
    if blocks:
        first = min(b.offset for b in blocks)
        add(first - 8, 8, "MEM_SIZE total (address word)", True)
    for b in blocks:
        n = data[b.offset]
        add(b.offset, 1, f"RAM block name length ({b.name})", True)
        add(b.offset + 1 + n, 8, f"RAM block used length ({b.name})", True)
        names.append((b.offset + 1, n))
    d = None
    if desc is not None and desc.offset is not None:
        d = (desc.offset, desc.length)
        add(desc.offset + 1, 4, "description length (be32)", True)
        bounds.update((desc.offset - 1, desc.offset, desc.offset + 5 + desc.length))
    return StreamMap(len(data), sorted(b for b in bounds if 0 <= b <= len(data)),
                     sorted(fields, key=lambda f: f.offset), d, names)


def _record_fields(data: bytes, rec: Any, add: Callable[..., None],
                   names: list[tuple[int, int]]) -> None:
    off, kind = rec.offset, rec.kind
    label = rec.section.label if rec.section is not None else ""
    add(off, 1, f"record type ({kind})", False)
    if kind in ("section_start", "section_full"):
        n = data[off + 5]
        add(off + 1, 4, f"section id ({label})", False)
        add(off + 5, 1, f"section name length ({label})", True)
        add(off + 6 + n, 4, f"instance id ({label})", False)
        add(off + 10 + n, 4, f"version id ({label})", False)
        names.append((off + 6, n))
    elif kind in ("section_part", "section_end", "section_footer"):
        add(off + 1, 4, f"section id ({kind})", False)
    elif kind == "configuration":
        n = int.from_bytes(data[off + 1:off + 5], "big")
        add(off + 1, 4, "configuration name length (be32)", True)
        names.append((off + 5, n))
        pos = off + 5 + n
        while pos + 2 <= len(data) and data[pos] == 0x05:  # subsections (savevm.c)
            ln = data[pos + 1]
            name = data[pos + 2:pos + 2 + ln]
            add(pos + 1, 1, "configuration subsection name length", True)
            body = pos + 2 + ln + 4
            if name == b"configuration/target-page-bits":
                add(body, 4, "target page bits", False)
                pos = body + 4
            elif name == b"configuration/capabilities":
                count = int.from_bytes(data[body:body + 4], "big")
                add(body, 4, "capability count", True)
                pos = body + 4
                for _ in range(count):
                    add(pos, 1, "capability name length", True)
                    pos += 1 + data[pos]
            elif name == b"configuration/uuid":
                pos = body + 16
            else:
                break
    elif kind == "command":
        add(off + 1, 2, "command type", False)
        add(off + 3, 2, f"command length (type {rec.head.command.command_type_raw})", True)
        if rec.head.command.command_type_raw == 7:
            add(off + 5, 4, "PACKAGED length", True)
    if rec.payload_format == "block":  # block migration: be64 sector|flags, name
        for chunk in rec.special or ():
            if chunk.device is not None:
                add(chunk.offset + 8, 1, f"block device name length ({chunk.device})", True)
                names.append((chunk.offset + 9, data[chunk.offset + 8]))


def _page_fields(data: bytes, page: RamPage, seen: Counter[tuple[str, bool]], limit: int,
                 add: Callable[..., None]) -> None:
    off = page.offset
    named = not data[off + 7] & 0x20  # RAM_SAVE_FLAG_CONTINUE clear: a block name follows
    key = (page.kind, named)
    seen[key] += 1
    if seen[key] > limit:
        return
    add(off, 8, f"RAM address word ({page.kind} page)", False)
    body = off + 8
    if named:
        add(body, 1, f"RAM record block name length ({page.kind} page)", True)
        body += 1 + data[body]
    if page.kind == "xbzrle":
        add(body, 1, "XBZRLE encoding", False)
        add(body + 1, 2, "XBZRLE length (be16)", True)
    elif page.kind == "compressed":
        add(body, 4, "COMPRESS_PAGE length (be32)", True)


# --------------------------------------------------------------------------------------------
# Mutations


def hostile_values(width: int) -> list[int]:
    """0, 1, the largest signed and the largest unsigned value of a `width`-byte field."""
    top = (1 << (8 * width)) - 1
    return [0, 1, top >> 1, top]


def put(data: bytes, f: Field, value: int) -> bytes:
    """`data` with field `f` set to `value` (big-endian, truncated to its width)."""
    v = value & ((1 << (8 * f.width)) - 1)
    return data[:f.offset] + v.to_bytes(f.width, "big") + data[f.offset + f.width:]


def with_description(data: bytes, smap: StreamMap, text: bytes) -> bytes:
    """`data` with its description JSON replaced by `text` (the be32 length follows)."""
    assert smap.desc is not None
    mark, length = smap.desc
    return data[:mark + 1] + len(text).to_bytes(4, "big") + text + data[mark + 5 + length:]


_JSON_NUMBER = re.compile(rb'("(?:size|array_len|version|instance_id|section_id|page_size|'
                          rb'index|version_id)"\s*:\s*)(-?\d+)')
_JSON_TYPE = re.compile(rb'("type"\s*:\s*)("[^"]*")')


class Mutator:
    """Damages a seed stream; every method returns (mutated bytes, what was done).

    `rng` is a random.Random; nothing else is random, so a (seed, case) pair replays.
    """

    KINDS = ("truncate", "truncate_boundary", "flip", "set_byte", "insert", "delete",
             "length", "hostile_field", "desc_length", "desc_json", "record_dup", "record_drop",
             "ram_block_resize", "stack", "packaged_nest", "desc_huge")
    WEIGHTS = (8, 8, 14, 8, 7, 7, 16, 8, 5, 7, 4, 4, 4, 4, 2, 1)

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def mutate(self, data: bytes, smap: StreamMap, kind: str | None = None
               ) -> tuple[bytes, str]:
        kind = kind or self.rng.choices(self.KINDS, self.WEIGHTS)[0]
        return getattr(self, kind)(data, smap)

    # -- where ------------------------------------------------------------------------

    def spot(self, data: bytes, smap: StreamMap) -> int:
        """An offset: mostly near a boundary or a field, sometimes anywhere."""
        r = self.rng
        roll = r.random()
        if roll < 0.4 and smap.fields:
            f = r.choice(smap.fields)
            off = f.offset + r.randrange(-2, f.width + 6)
        elif roll < 0.75:
            off = r.choice(smap.boundaries) + r.randrange(-4, 24)
        elif roll < 0.85 and smap.desc is not None:
            off = smap.desc[0] + r.randrange(0, smap.desc[1] + 5)
        else:
            off = r.randrange(len(data))
        return min(max(off, 0), max(len(data) - 1, 0))

    # -- mutations --------------------------------------------------------------------

    def truncate(self, data: bytes, smap: StreamMap) -> tuple[bytes, str]:
        at = self.rng.randrange(len(data))
        return data[:at], f"truncate at 0x{at:x}"

    def truncate_boundary(self, data: bytes, smap: StreamMap) -> tuple[bytes, str]:
        at = max(0, min(len(data), self.rng.choice(smap.boundaries) + self.rng.choice(
            (-1, 0, 0, 0, 1, 2))))
        return data[:at], f"truncate at boundary 0x{at:x}"

    def flip(self, data: bytes, smap: StreamMap) -> tuple[bytes, str]:
        buf = bytearray(data)
        done = []
        for _ in range(self.rng.choice((1, 1, 1, 2, 3, 8))):
            off = self.spot(data, smap)
            bit = self.rng.randrange(8)
            buf[off] ^= 1 << bit
            done.append(f"0x{off:x}.{bit}")
        return bytes(buf), "flip bit " + ", ".join(done)

    def set_byte(self, data: bytes, smap: StreamMap) -> tuple[bytes, str]:
        off = self.spot(data, smap)
        v = self.rng.choice((0x00, 0xff, 0x7f, 0x80, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
                             0x08, 0x7e, 0x20, self.rng.randrange(256)))
        return data[:off] + bytes([v]) + data[off + 1:], f"set byte 0x{off:x} to 0x{v:02x}"

    def insert(self, data: bytes, smap: StreamMap) -> tuple[bytes, str]:
        off = self.spot(data, smap)
        n = self.rng.choice((1, 1, 2, 3, 4, 5, 8, 16, 64))
        if self.rng.random() < 0.5:
            blob = self.rng.randbytes(n)
        else:
            blob = bytes([self.rng.choice((0, 0xff, 0x7e, 0x05))]) * n
        return data[:off] + blob + data[off:], f"insert {n} bytes {blob[:8].hex()} at 0x{off:x}"

    def delete(self, data: bytes, smap: StreamMap) -> tuple[bytes, str]:
        off = self.spot(data, smap)
        n = self.rng.choice((1, 1, 2, 3, 4, 5, 8, 16, 64))
        return data[:off] + data[off + n:], f"delete {n} bytes at 0x{off:x}"

    def length(self, data: bytes, smap: StreamMap) -> tuple[bytes, str]:
        fields = smap.length_fields()
        if not fields:
            return self.flip(data, smap)
        f = self.rng.choice(fields)
        old = int.from_bytes(data[f.offset:f.offset + f.width], "big")
        v = self.rng.choice(hostile_values(f.width) + [old + 1, old - 1, old * 2 + 1])
        return put(data, f, v), f"{f.what} at 0x{f.offset:x}: 0x{old:x} -> 0x{v:x}"

    def hostile_field(self, data: bytes, smap: StreamMap) -> tuple[bytes, str]:
        """Any mapped field (ids, types, flags, lengths) set to a hostile value."""
        f = self.rng.choice(smap.fields) if smap.fields else None
        if f is None:
            return self.flip(data, smap)
        old = int.from_bytes(data[f.offset:f.offset + f.width], "big")
        v = self.rng.choice(hostile_values(f.width) + [old ^ (1 << self.rng.randrange(
            8 * f.width)), self.rng.getrandbits(8 * f.width)])
        return put(data, f, v), f"{f.what} at 0x{f.offset:x}: 0x{old:x} -> 0x{v:x}"

    def desc_length(self, data: bytes, smap: StreamMap) -> tuple[bytes, str]:
        if smap.desc is None:
            return self.truncate_boundary(data, smap)
        mark, length = smap.desc
        f = Field(mark + 1, 4, "description length (be32)", True)
        v = self.rng.choice(hostile_values(4) + [2, length - 1, length + 1, length + 4096,
                                                 length // 2])
        return put(data, f, v), f"description length at 0x{mark + 1:x}: {length} -> 0x{v:x}"

    def desc_json(self, data: bytes, smap: StreamMap) -> tuple[bytes, str]:
        """A hostile description that still parses: numbers and types changed, the
        be32 length kept right so that the description is found."""
        if smap.desc is None:
            return self.flip(data, smap)
        mark, length = smap.desc
        text = data[mark + 5:mark + 5 + length]
        r = self.rng
        roll = r.random()
        if roll < 0.6:
            hits = list(_JSON_NUMBER.finditer(text))
            if not hits:
                return self.flip(data, smap)
            mt = r.choice(hits)
            v = r.choice((b"0", b"1", b"-1", b"2147483647", b"4294967295",
                          b"18446744073709551616", b"1e400", b"0.5", b"null", b'"x"', b"[]"))
            new = text[:mt.start(2)] + v + text[mt.end(2):]
            what = f"description {mt.group(1).decode().split(':')[0]} {mt.group(2).decode()} " \
                   f"-> {v.decode()} at 0x{mark + 5 + mt.start(2):x}"
        elif roll < 0.85:
            hits = list(_JSON_TYPE.finditer(text))
            if not hits:
                return self.flip(data, smap)
            mt = r.choice(hits)
            v = r.choice([h.group(2) for h in hits] + [b'"struct"', b'"buffer"', b'"bool"',
                                                       b'"nonexistent"', b'"unused_buffer"'])
            new = text[:mt.start(2)] + v + text[mt.end(2):]
            what = f"description type {mt.group(2).decode()} -> {v.decode()} " \
                   f"at 0x{mark + 5 + mt.start(2):x}"
        else:
            # a nested array deep enough to stress recursive code, JSON still valid
            depth = r.choice((100, 500, 900, 5000))
            new = text[:-1] + b', "x-deep": ' + b"[" * depth + b"]" * depth + b"}"
            what = f"description with an array nested {depth} deep"
        return with_description(data, smap, new), what

    def record_dup(self, data: bytes, smap: StreamMap) -> tuple[bytes, str]:
        b = smap.boundaries
        i = self.rng.randrange(len(b) - 1)
        start, end = b[i], b[min(i + self.rng.choice((1, 1, 2, 3)), len(b) - 1)]
        if end - start > 1 << 20:
            end = start + 64
        at = self.rng.choice(b)
        return (data[:at] + data[start:end] + data[at:],
                f"copy 0x{start:x}..0x{end:x} to 0x{at:x}")

    def record_drop(self, data: bytes, smap: StreamMap) -> tuple[bytes, str]:
        b = smap.boundaries
        i = self.rng.randrange(len(b) - 1)
        start, end = b[i], b[min(i + self.rng.choice((1, 1, 2)), len(b) - 1)]
        return data[:start] + data[end:], f"drop 0x{start:x}..0x{end:x}"

    def ram_block_resize(self, data: bytes, smap: StreamMap) -> tuple[bytes, str]:
        """A RAM block claims a hostile length and MEM_SIZE's total agrees, so the block
        list still adds up (a consistent liar rather than a random flip)."""
        blocks = [f for f in smap.fields if f.what.startswith("RAM block used length")]
        total = next((f for f in smap.fields if f.what.startswith("MEM_SIZE total")), None)
        if not blocks or total is None:
            return self.length(data, smap)
        f = self.rng.choice(blocks)
        old = int.from_bytes(data[f.offset:f.offset + 8], "big")
        new = self.rng.choice((0, 1 << 20, 1 << 32, 1 << 40, 1 << 43, 1 << 46, 1 << 50,
                               1 << 62, (1 << 63) - 4096))
        word = int.from_bytes(data[total.offset:total.offset + 8], "big")
        flags = word & 0xff  # RAM_SAVE_FLAG_MEM_SIZE and friends sit in the low bits
        size = (word & ~0xff) - old + new
        data = put(put(data, f, new), total, size | flags)
        return data, f"{f.what} at 0x{f.offset:x}: 0x{old:x} -> 0x{new:x}, MEM_SIZE total " \
                     f"at 0x{total.offset:x} -> 0x{size:x}"

    def packaged_nest(self, data: bytes, smap: StreamMap) -> tuple[bytes, str]:
        """PACKAGED commands nested up to 5000 deep (savevm.c qemu_savevm_send_packaged:
        be16 7, be16 4, be32 N, then N bytes of nested stream), at a record boundary."""
        depth = self.rng.choice((2, 63, 64, 65, 1000, 5000))
        inner = b""
        for _ in range(depth):
            inner = (b"\x08" + (7).to_bytes(2, "big") + (4).to_bytes(2, "big")
                     + len(inner).to_bytes(4, "big") + inner)
        at = self.rng.choice(smap.boundaries)
        return data[:at] + inner + data[at:], f"{depth} nested PACKAGED at 0x{at:x}"

    def desc_huge(self, data: bytes, smap: StreamMap) -> tuple[bytes, str]:
        """The description padded with blanks to more than the 8 MiB read by default."""
        if smap.desc is None:
            return self.length(data, smap)
        mark, length = smap.desc
        text = data[mark + 5:mark + 5 + length]
        pad = self.rng.choice((9 << 20, 20 << 20))
        return (with_description(data, smap, text[:-1] + b" " * pad + text[-1:]),
                f"description padded by {pad} bytes")

    def stack(self, data: bytes, smap: StreamMap) -> tuple[bytes, str]:
        """Two or three mutations of the kinds that keep the offsets of the map."""
        done = []
        for _ in range(self.rng.choice((2, 3))):
            data, what = self.mutate(data, smap, self.rng.choice(
                ("flip", "set_byte", "length", "hostile_field", "desc_length")))
            done.append(what)
        return data, "; ".join(done)


# --------------------------------------------------------------------------------------------
# Running a case and checking the contract

# name -> extra command-line arguments (before the file); "extract" also gets -o.
MODES: dict[str, list[str]] = {
    "state": [],
    "tree": ["--format", "tree"],
    "records": ["--format", "records"],
    "desc": ["-d", "desc"],
    "extract": ["-x"],
    "memory": ["-m"],
    "given-desc": [],  # --desc FILE (the seed's own description) is added by the caller
    # hostile output folders: symbolic links (to a victim file and a folder outside) and
    # a FIFO planted where -x writes; a file size limit of 1 MiB (ulimit -f)
    "extract-planted": ["-x"],
    "extract-fsize": ["-x"],
    "extract-readonly": ["-x"],  # the output folder exists and is immutable (chattr +i)
    # the stream through a pipe; then endless zeros after it
    "pipe": [],
    "pipe-endless": [],
    # the HTML report, into the output folder (-o FOLDER/report.html)
    "report": ["report"],
}
PIPE_MODES = ("pipe", "pipe-endless")
FSIZE_LIMIT = 1 << 20


class CaseTimeout(BaseException):
    """Raised by the in-process alarm (a BaseException: main() must not catch it)."""


@dataclass
class Outcome:
    mode: str
    argv: list[str]
    rc: int | None
    stdout: str
    stderr: str
    outdir: Path | None  # -x output folder
    workdir: Path
    seconds: float
    rss_growth_mb: float = 0.0
    exception: str | None = None  # what escaped main() (a timeout, SystemExit...)
    hostile_problems: list[str] | None = None  # what a planted file or folder suffered


def build_argv(mode: str, path: Path, workdir: Path, desc_file: Path | None = None
               ) -> tuple[list[str], Path | None]:
    argv = list(MODES[mode])
    outdir = None
    if mode.startswith("extract"):
        outdir = workdir / "out"
        argv += ["-o", str(outdir)]
    elif mode == "report":
        outdir = workdir / "out"
        outdir.mkdir(parents=True, exist_ok=True)
        argv += ["-o", str(outdir / "report.html")]
    if mode == "given-desc":
        if desc_file is None:
            raise ValueError("mode given-desc needs desc_file")
        argv += ["--desc", str(desc_file)]
    return argv + [str(path)], outdir


def run_case(data: bytes, mode: str, workdir: Path, *, timeout: float = 5.0,
             desc_file: Path | None = None, headroom_mb: int | None = None) -> Outcome:
    """Write `data` to `workdir`/case.mig and run main() on it in this process, with an
    alarm after `timeout` seconds. The current folder is `workdir`/cwd meanwhile.

    `headroom_mb`: cap the address space at its current size plus this much while the
    case runs, so that a runaway allocation fails (MemoryError, reported as an internal
    error) instead of growing the calling process (a test run) without bound.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    path = workdir / "case.mig"
    path.write_bytes(data)
    cwd = workdir / "cwd"
    cwd.mkdir(exist_ok=True)
    argv, outdir = build_argv(mode, path, workdir, desc_file)
    feeder = None
    if mode in PIPE_MODES:
        feeder = _Feeder(data, endless=mode == "pipe-endless")
        argv[-1] = f"/dev/fd/{feeder.read_fd}"
    if mode == "extract-planted":
        assert outdir is not None
        _plant(outdir, workdir)
    readonly = mode == "extract-readonly" and outdir is not None and _immutable(outdir, True)
    old_fsize = resource.getrlimit(resource.RLIMIT_FSIZE)
    out, err = io.StringIO(), io.StringIO()
    rss0 = _maxrss_mb()

    def alarm(signum: int, frame: Any) -> None:
        raise CaseTimeout(f"case ran longer than {timeout} s")

    # signals can only be handled in the main thread (pytest-xdist runs tests there too)
    timed = threading.current_thread() is threading.main_thread()
    old_handler = signal.signal(signal.SIGALRM, alarm) if timed else None
    old_dir = os.getcwd()
    old_as = resource.getrlimit(resource.RLIMIT_AS)
    rc: int | None = None
    exc = None
    t0 = time.monotonic()
    try:
        os.chdir(cwd)
        if headroom_mb is not None:
            cap = _address_space() + (headroom_mb << 20)
            if old_as[0] == resource.RLIM_INFINITY or cap < old_as[0]:
                resource.setrlimit(resource.RLIMIT_AS, (cap, old_as[1]))
        if mode == "extract-fsize":
            resource.setrlimit(resource.RLIMIT_FSIZE, (FSIZE_LIMIT, old_fsize[1]))
        if timed:
            signal.setitimer(signal.ITIMER_REAL, timeout)
        try:
            rc = cli_main(argv, stdout=out, stderr=err)
        finally:
            if timed:
                signal.setitimer(signal.ITIMER_REAL, 0)
            resource.setrlimit(resource.RLIMIT_FSIZE, old_fsize)
    except CaseTimeout as e:
        exc = f"hang: {e}"
    except SystemExit as e:  # argparse
        exc = f"SystemExit({e.code})"
    finally:
        resource.setrlimit(resource.RLIMIT_AS, old_as)
        os.chdir(old_dir)
        if timed:
            signal.signal(signal.SIGALRM, old_handler)
        if feeder is not None:
            feeder.close()
        if readonly:
            assert outdir is not None
            _immutable(outdir, False)
    hostile = _planted_problems(workdir) if mode == "extract-planted" else None
    return Outcome(mode, argv, rc, out.getvalue(), err.getvalue(), outdir, workdir,
                   time.monotonic() - t0, _maxrss_mb() - rss0, exc, hostile)


class _Feeder:
    """A pipe that a thread fills with `data` (then zeros for ever, if `endless`) until
    the reading end is closed."""

    def __init__(self, data: bytes, endless: bool) -> None:
        self.read_fd, self.write_fd = os.pipe()
        self.thread = threading.Thread(target=self._feed, args=(data, endless), daemon=True)
        self.thread.start()

    def _feed(self, data: bytes, endless: bool) -> None:
        zeros = bytes(1 << 16)
        try:
            with os.fdopen(self.write_fd, "wb") as w:
                w.write(data)
                while endless:
                    w.write(zeros)
        except (BrokenPipeError, OSError, ValueError):
            pass

    def close(self) -> None:
        try:
            os.close(self.read_fd)
        except OSError:
            pass
        self.thread.join(10)


_VICTIM = b"the victim: nothing may write here"


def _plant(outdir: Path, workdir: Path) -> None:
    """Symbolic links where -x writes (desc.json, state.json, a RAM block, a folder of
    one) to a victim file and an empty folder outside outdir, and a FIFO (pc.ram)."""
    outdir.mkdir(parents=True, exist_ok=True)
    victim = workdir / "victim"
    victim.write_bytes(_VICTIM)
    elsewhere = workdir / "elsewhere"
    elsewhere.mkdir(exist_ok=True)
    for name in ("desc.json", "state.json", "mem0", "PF0", "CPU1.DSPR"):
        os.symlink(victim, outdir / name)
    for name in ("rom@etc", "block"):
        os.symlink(elsewhere, outdir / name)
    os.mkfifo(outdir / "pc.ram")


def _immutable(folder: Path, on: bool) -> bool:
    """chattr +i / -i: a folder even root cannot write into (a read-only folder, for a
    process that runs as root as CI does). False where the file system has no such flag:
    the case then runs on a writable folder."""
    folder.mkdir(parents=True, exist_ok=True)
    r = subprocess.run(["chattr", "+i" if on else "-i", str(folder)], capture_output=True,
                       check=False)
    return r.returncode == 0


def _planted_problems(workdir: Path) -> list[str]:
    p = []
    if (workdir / "victim").read_bytes() != _VICTIM:
        p.append("wrote through a planted symbolic link")
    if any((workdir / "elsewhere").iterdir()):
        p.append("created files through a planted symbolic link to a folder")
    if not stat.S_ISFIFO(os.lstat(workdir / "out" / "pc.ram").st_mode):
        p.append("replaced a planted FIFO")
    return p


def _address_space() -> int:
    """This process's virtual size in bytes (Linux /proc; 0 where unknown)."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return 0


def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def contract_problems(o: Outcome, *, max_rss_growth_mb: float = 200.0,
                      allow_no_offset: Sequence[str] = (NO_DESCRIPTION,)) -> list[str]:
    """Everything about `o` that breaks the error contract (empty: it holds)."""
    p: list[str] = list(o.hostile_problems or [])
    if o.exception is not None:
        return [*p, o.exception]
    if "Traceback" in o.stderr or "Traceback" in o.stdout:
        p.append("traceback printed")
    if "migkaitai: internal error" in o.stderr:
        p.append("internal error: " + o.stderr.strip())
    if o.rc not in (0, 1, EXIT_OUTPUT):
        p.append(f"exit status {o.rc}")
    lines = o.stderr.splitlines()
    msg = None
    # an output error: one line naming the path (no input offset)
    if o.rc == EXIT_OUTPUT and (len(lines) != 1 or not o.stderr.startswith(ERROR_PREFIX)):
        p.append(f"output error is not one 'migkaitai: error: ' line: {o.stderr[:200]!r}")
    if o.rc == 1:
        if len(lines) != 1 or not o.stderr.endswith("\n"):
            p.append(f"expected one stderr line, got {len(lines)}")
        if o.stderr.startswith(ERROR_PREFIX):
            msg = o.stderr[len(ERROR_PREFIX):].removesuffix("\n")  # all of it, if several lines
            if not OFFSET_RE.search(msg) and msg not in allow_no_offset:
                p.append("error names no offset")
        elif "internal error" not in o.stderr:
            p.append("stderr does not start with 'migkaitai: error: '")
    elif o.rc == 0:
        bad = [ln for ln in lines if not ln.startswith(NOTE_PREFIX)]
        if bad:
            p.append(f"exit 0 with stderr that is not a note: {bad[0][:120]!r}")
    if o.rss_growth_mb > max_rss_growth_mb:
        p.append(f"peak RSS grew by {o.rss_growth_mb:.0f} MB")
    if o.rc == 0 or msg is not None:
        p += _output_problems(o, msg)
    p += _file_problems(o)
    return p


def _output_problems(o: Outcome, msg: str | None) -> list[str]:
    """What was decoded before the fault is printed, and says where it stopped."""
    before_decoding = msg is not None and (msg.startswith((
        "expected the QEVM magic", "invalid file header",  # (a pipe's first bytes)
        "expected file version",
        # (bytes before a QEVM magic that starts no complete stream: nothing decoded)
        "not a QEMU migration stream",
        "the pipe holds more than"))  # (a pipe's first pass, before any output)
        # a fault in the file header: nothing decoded, only the error (no JSON)
        or "inside file header" in msg)
    if o.mode == "desc":  # a description that parses is printed even if it is unusable
        if o.rc == 0 or o.stdout:
            return [] if _json_ok(o.stdout) else ["-d desc printed no valid JSON"]
        return []
    if before_decoding:
        return []
    if o.mode in ("state", "memory", "given-desc", *PIPE_MODES):
        doc = _json(o.stdout)
        if not isinstance(doc, dict):
            return ["stdout is not the state JSON"]
        if msg is not None and _line(doc.get("error")) != msg:
            return [f"state JSON 'error' is {doc.get('error')!r}, not the stderr message"]
        if msg is None and "error" in doc:
            return ["exit 0 but the state JSON has an 'error'"]
    elif o.mode == "records":
        doc = _json(o.stdout)
        if not isinstance(doc, list):
            return ["stdout is not the records JSON list"]
        if msg is not None and (not doc or not isinstance(doc[-1], dict)
                                or list(doc[-1]) != ["error"] or _line(doc[-1]["error"]) != msg):
            return ["records JSON does not end with the error"]
    elif o.mode == "tree":
        if not o.stdout.startswith(f"{o.argv[-1]}: QEMU migration stream"):
            return ["tree output lacks its header line"]
    elif o.mode == "report":
        assert o.outdir is not None
        page = o.outdir / "report.html"
        if not page.is_file():
            return ["report wrote no page"]
        text = page.read_text(encoding="utf-8", errors="replace")
        doc = _json(text.partition('id="report-data">')[2].partition("</script>")[0])
        if not isinstance(doc, dict):
            return ["the report's data is not JSON"]
        if msg is not None and _line(doc.get("error")) != msg:
            return ["the report's 'error' is not the stderr message"]
        if text.count("<script") != 2:
            return ["the report has other <script> elements than its own two"]
    elif o.mode == "extract" or (o.mode in ("extract-fsize", "extract-readonly")
                                 and o.rc != EXIT_OUTPUT):
        assert o.outdir is not None
        state = o.outdir / "state.json"
        if not state.is_file():
            return ["-x wrote no state.json"]
        doc = _json(state.read_text(encoding="utf-8", errors="replace"))
        if not isinstance(doc, dict):
            return ["-x state.json is not JSON"]
        if msg is not None and _line(doc.get("error")) != msg:
            return ["-x state.json 'error' is not the stderr message"]
    return []


def _file_problems(o: Outcome) -> list[str]:
    """-x writes only below its output folder; nothing else writes at all."""
    p = []
    allowed = {o.workdir / "case.mig", o.workdir / "victim", o.workdir / "elsewhere"}
    for dirpath, dirnames, filenames in os.walk(o.workdir):
        for name in filenames + [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]:
            f = Path(dirpath) / name
            if f in allowed:
                continue
            if o.outdir is None or not f.is_relative_to(o.outdir):
                p.append(f"file written outside the output folder: {f}")
    return p


def _line(error: Any) -> Any:
    """A JSON "error" as stderr shows it: the JSON keeps names from the stream as they
    are, stderr escapes their control characters (one line, no terminal escapes)."""
    return one_line(error) if isinstance(error, str) else error


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


def _json_ok(text: str) -> bool:
    return _json(text) is not None


# --------------------------------------------------------------------------------------------
# The campaign

# (corpus stream, crop to this many bytes or None, weight). Cheap streams weigh more;
# together they cover description/no description, no footers, commands and PACKAGED,
# x-ignore-shared, multifd, compress, XBZRLE, block migration, s390 payloads, 256-byte
# and 16 KiB pages, a stream at an offset and old machine types.
SEEDS: list[tuple[str, int | None, int]] = [
    ("exotic/v10.0-tricore-tc277", None, 30),
    ("exotic/v7.2-avr-mega2560", None, 20),
    ("x86/isapc-16m", None, 10),
    ("x86/pc-nodefaults-64m", None, 8),
    ("x86/pc-suppress-vmdesc", None, 5),
    ("x86/pc-no-section-footer", None, 5),
    ("x86/pc-postcopy-advise", None, 4),
    ("x86/pc-postcopy-run-release-ram", None, 4),
    ("x86/pc-validate-uuid", None, 3),
    ("x86/pc-i440fx-1.4", None, 3),
    ("qemu10/v10.0-x86_64-q35-ignore-shared", None, 4),
    ("qemu10/v10.0-x86_64-q35-multifd2-socket", None, 4),
    ("x86/pc-compress", 0x60000, 4),
    ("x86/pc-running-xbzrle", 0x1a0000, 4),
    ("x86/pc-block-migration", None, 3),
    ("other/s390x-ccw-default", None, 3),
    ("qemu10/v10.0-x86_64-q35-file-offset64k", None, 2),
]
MODE_WEIGHTS = {"state": 30, "tree": 14, "records": 8, "desc": 8, "extract": 12,
                "memory": 5, "given-desc": 7, "extract-planted": 5, "extract-fsize": 3,
                "extract-readonly": 2, "pipe": 4, "pipe-endless": 2, "report": 6}


@dataclass
class Seed:
    name: str
    data: bytes
    smap: StreamMap
    desc_file: Path | None


def load_seeds(workdir: Path, names: Sequence[str] | None = None) -> list[tuple[Seed, int]]:
    seeds = []
    for name, crop, weight in SEEDS:
        if names and name not in names:
            continue
        src = corpus.stream_file(name)
        data = src.read_bytes()
        path = src
        if crop is not None:
            data = data[:crop]
            path = workdir / f"seed-{name.replace('/', '__')}.mig"
            path.write_bytes(data)
        smap = stream_map(path)
        desc_file = None
        if smap.desc is not None:
            mark, length = smap.desc
            desc_file = workdir / f"desc-{name.replace('/', '__')}.json"
            desc_file.write_bytes(data[mark + 5:mark + 5 + length])
        seeds.append((Seed(name, data, smap, desc_file), weight))
    return seeds


def make_case(seeds: list[tuple[Seed, int]], seed: int, index: int
              ) -> tuple[Seed, str, bytes, str]:
    """The case `index` of campaign `seed`: (seed stream, mode, mutated bytes, what)."""
    rng = random.Random(f"migkaitai-fuzz:{seed}:{index}")
    s = rng.choices([s for s, _ in seeds], [w for _, w in seeds])[0]
    modes = [m for m in MODE_WEIGHTS if m != "given-desc" or s.desc_file is not None]
    mode = rng.choices(modes, [MODE_WEIGHTS[m] for m in modes])[0]
    data, what = Mutator(rng).mutate(s.data, s.smap)
    return s, mode, data, what


def _child(seed_obj: Seed, mode: str, data: bytes, workdir: Path, timeout: float,
           max_as_mb: int) -> None:
    """Runs in the forked child: one case, its verdict to workdir/result.json."""
    try:
        if max_as_mb:
            resource.setrlimit(resource.RLIMIT_AS, (max_as_mb << 20, max_as_mb << 20))
        o = run_case(data, mode, workdir, timeout=timeout * 2, desc_file=seed_obj.desc_file)
        # memory is judged by the parent from wait4(); time by the parent's watchdog
        problems = contract_problems(o, max_rss_growth_mb=float("inf"))
        tail = o.stderr[-2000:]
        (workdir / "result.json").write_text(json.dumps({
            "rc": o.rc, "problems": problems, "stderr": tail, "argv": o.argv,
            "seconds": o.seconds, "stdout_bytes": len(o.stdout),
            "error": next((ln for ln in o.stderr.splitlines()
                           if ln.startswith(ERROR_PREFIX)), None),
        }))
    except BaseException as e:  # noqa: BLE001 - the child reports everything
        try:
            (workdir / "result.json").write_text(json.dumps({
                "rc": None, "problems": [f"fuzz child failed: {type(e).__name__}: {e}"],
                "stderr": "", "argv": [], "seconds": 0, "stdout_bytes": 0, "error": None}))
        except BaseException:  # noqa: BLE001
            pass
        os._exit(3)
    os._exit(0)


@dataclass
class Running:
    index: int
    pid: int
    started: float
    workdir: Path
    seed: Seed
    mode: str
    what: str


def replay_command(r: Running, mig: Path) -> str:
    """The command line that reruns a kept reproducer."""
    args = list(MODES[r.mode])
    if r.mode == "extract":
        args += ["-o", "OUTDIR"]
    if r.mode == "given-desc":
        args += ["--desc", f"DESC.json (the description of {r.seed.name})"]
    return " ".join(["python -m migkaitai", *args, str(mig)])


def signature(problem: str) -> str:
    """A problem with its numbers blurred, to group findings."""
    return re.sub(r"0x[0-9a-f]+|\d+", "N", problem)[:160]


def campaign(args: argparse.Namespace) -> int:
    out = Path(args.out).resolve()
    if out == ROOT or out.is_relative_to(ROOT):
        print(f"fuzz: --out {out} lies inside the repository; give a folder outside it",
              file=sys.stderr)
        return 2
    out.mkdir(parents=True, exist_ok=True)
    repro = out / "reproducers"
    repro.mkdir(exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="cases-", dir=out))
    seeds = load_seeds(scratch, args.stream)
    if not seeds:
        print("fuzz: no seed streams selected", file=sys.stderr)
        return 2
    indices = [args.case] if args.case is not None else list(
        range(args.start, args.start + args.cases))
    pending = list(reversed(indices))
    running: dict[int, Running] = {}
    stats: Counter[str] = Counter()
    findings: dict[str, list[dict[str, Any]]] = {}
    peak = (0.0, None)
    slowest = (0.0, None)
    t0 = time.monotonic()
    last_report = t0

    def finish(r: Running, status: int, rusage: Any, hung: bool) -> None:
        nonlocal peak, slowest
        rss_mb = rusage.ru_maxrss / 1024 if rusage is not None else 0.0
        secs = time.monotonic() - r.started
        result: dict[str, Any] = {}
        rf = r.workdir / "result.json"
        if rf.exists():
            result = json.loads(rf.read_text())
        problems = list(result.get("problems", []))
        if hung:
            problems.append(f"hang: killed after {args.timeout} s")
        elif not result:
            sig = os.WTERMSIG(status) if os.WIFSIGNALED(status) else None
            problems.append(f"child died (signal {sig}, status {status}) without a verdict")
        if rss_mb > args.max_rss_mb:
            problems.append(f"peak RSS {rss_mb:.0f} MB > {args.max_rss_mb} MB")
        stats["cases"] += 1
        stats[f"mode {r.mode}"] += 1
        stats[f"exit {result.get('rc')}"] += 1
        if rss_mb > peak[0]:
            peak = (rss_mb, r.index)
        if secs > slowest[0]:
            slowest = (secs, r.index)
        if problems:
            stats["failing cases"] += 1
            for prob in problems:
                key = signature(prob)
                lst = findings.setdefault(key, [])
                name = f"case{r.index:06d}"
                entry = {"case": r.index, "seed": r.seed.name, "mode": r.mode,
                         "mutation": r.what, "problem": prob,
                         "replay": replay_command(r, repro / f"{name}.mig"),
                         "stderr": result.get("stderr", ""),
                         "rss_mb": round(rss_mb, 1), "seconds": round(secs, 2)}
                lst.append(entry)
                if len(lst) <= args.keep:
                    shutil.copyfile(r.workdir / "case.mig", repro / f"{name}.mig")
                    (repro / f"{name}.json").write_text(json.dumps(entry, indent=2) + "\n")
        if r.mode == "extract-readonly":  # a child killed before it undid chattr +i
            _immutable(r.workdir / "out", False)
        shutil.rmtree(r.workdir, ignore_errors=True)

    try:
        while pending or running:
            while pending and len(running) < args.jobs:
                index = pending.pop()
                seed_obj, mode, data, what = make_case(seeds, args.seed, index)
                workdir = scratch / f"c{index}"
                workdir.mkdir()
                pid = os.fork()
                if pid == 0:
                    _child(seed_obj, mode, data, workdir, args.timeout, args.max_as_mb)
                running[pid] = Running(index, pid, time.monotonic(), workdir, seed_obj, mode,
                                       what)
            time.sleep(0.002)
            for pid, r in list(running.items()):
                done, status, rusage = os.wait4(pid, os.WNOHANG)
                if done:
                    del running[pid]
                    finish(r, status, rusage, False)
                elif time.monotonic() - r.started > args.timeout:
                    os.kill(pid, signal.SIGKILL)
                    _, status, rusage = os.wait4(pid, 0)
                    del running[pid]
                    finish(r, status, rusage, True)
            now = time.monotonic()
            if now - last_report > 30 and not args.quiet:
                last_report = now
                print(f"fuzz: {stats['cases']}/{len(indices)} cases, "
                      f"{stats['failing cases']} failing, peak RSS {peak[0]:.0f} MB, "
                      f"{now - t0:.0f} s", file=sys.stderr, flush=True)
    finally:
        for pid in running:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        shutil.rmtree(scratch, ignore_errors=True)

    summary = {
        "seed": args.seed, "cases": stats["cases"], "seconds": round(time.monotonic() - t0),
        "failing_cases": stats["failing cases"],
        "peak_rss_mb": round(peak[0], 1), "peak_rss_case": peak[1],
        "slowest_seconds": round(slowest[0], 2), "slowest_case": slowest[1],
        "by_mode": {k[5:]: v for k, v in sorted(stats.items()) if k.startswith("mode ")},
        "by_exit": {k[5:]: v for k, v in sorted(stats.items()) if k.startswith("exit ")},
        "findings": [{"signature": k, "count": len(v), "examples": v[:args.keep]}
                     for k, v in sorted(findings.items(), key=lambda kv: -len(kv[1]))],
    }
    (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    print(f"fuzz: {summary['cases']} cases in {summary['seconds']} s, "
          f"{summary['failing_cases']} failing, peak RSS {summary['peak_rss_mb']} MB "
          f"(case {peak[1]}), slowest {summary['slowest_seconds']} s (case {slowest[1]})")
    print(f"fuzz: exit statuses {summary['by_exit']}")
    for f in summary["findings"]:
        ex = f["examples"][0]
        print(f"  {f['count']:5d}  {f['signature']}\n         e.g. case {ex['case']} "
              f"({ex['seed']}, {ex['mode']}): {ex['mutation']}")
    print(f"fuzz: summary and reproducers in {out}")
    return 1 if findings else 0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--cases", type=int, default=10_000, help="number of cases (10000)")
    p.add_argument("--start", type=int, default=0, help="first case index (0)")
    p.add_argument("--case", type=int, help="run only this case index (replay)")
    p.add_argument("--seed", type=int, default=1, help="campaign seed (1)")
    p.add_argument("--jobs", type=int, default=2, help="cases run at once (2)")
    p.add_argument("--timeout", type=float, default=10.0,
                   help="seconds after which a case counts as a hang (10)")
    p.add_argument("--max-rss-mb", type=float, default=200.0,
                   help="peak RSS above which a case is a finding (200)")
    p.add_argument("--max-as-mb", type=int, default=4096,
                   help="address-space limit of each case, so a runaway allocation fails "
                        "instead of exhausting the machine (4096; 0: none)")
    p.add_argument("--keep", type=int, default=3, help="reproducers kept per finding (3)")
    p.add_argument("--stream", action="append",
                   help="only this corpus stream (repeatable; default: all seeds)")
    p.add_argument("--out", default=os.path.join(tempfile.gettempdir(), "migkaitai-fuzz"),
                   help="folder for summary.json and reproducers/ (outside the repository)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress lines")
    return p.parse_args(argv)


if __name__ == "__main__":
    sys.exit(campaign(parse_args()))
