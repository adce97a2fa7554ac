"""`migkaitai diff A B`: what changed between two saved states.

Devices are matched by section name and instance; their decoded fields are compared by
path (values and offsets), fields and subsections present on one side only are listed,
and version differences are said. RAM is compared per block, page by page, through one
8-byte digest per page (BLAKE2b), never the pages: memory grows with the guest's page
count (8 bytes a page), not its RAM. A stream with XBZRLE pages (deltas against a page's
earlier content), and one read like a pipe (compressed), has its RAM extracted to a
temporary folder first (sparse files: the pages with data), then digested.
"""
from __future__ import annotations

import fnmatch
import hashlib
import os
from collections import namedtuple

from migkaitai import vmsd

TYPE_CHECKING = False  # typing is not imported at run time (start-up cost)
if TYPE_CHECKING:
    from typing import Any

__all__ = ["diff", "DiffResult", "DEFAULT_IGNORE"]

# Fields that change whenever a guest runs, compared only when asked (--ignore replaces
# the list, --no-default-ignore empties it): "section name/field path" patterns.
DEFAULT_IGNORE = (
    "timer/*",  # cpu_ticks_offset, cpu_clock_offset
    "kvmclock/*",
    "*/env.tsc", "*/env.tsc_*", "*/env.tsc_deadline",
    "mc146818rtc/*",  # the RTC's time
    "*/ar.tmr.overflow_time",  # the ACPI PM timer
    "hpet/*",
    "*/expire_time", "*/next_periodic_time", "*/next_alarm_time", "*/*_time",
)

FieldChange = namedtuple("FieldChange", "path a b offset_a offset_b")
DeviceDiff = namedtuple("DeviceDiff", "name instance label_a label_b version_a version_b "
                                      "changed only_a only_b")
RamDiff = namedtuple("RamDiff", "block size_a size_b pages ranges")


class DiffResult:
    """What `diff` found: `devices` (DeviceDiff of the devices that differ), `only_a` and
    `only_b` (section labels on one side only), `ram` (RamDiff of the blocks that differ),
    `ignored` (the patterns of fields left out), and the notes of both walks."""

    def __init__(self) -> None:
        self.devices: list[Any] = []
        self.only_a: list[str] = []
        self.only_b: list[str] = []
        self.ram: list[Any] = []
        self.ignored: tuple[str, ...] = ()
        self.notes: list[str] = []

    def write_text(self, out: Any, name_a: str, name_b: str) -> None:
        """The readable form (see write_diff)."""
        write_diff(self, out, name_a, name_b)

    @property
    def equal(self) -> bool:
        return not (self.devices or self.only_a or self.only_b or self.ram)

    def to_json(self) -> dict[str, Any]:
        def value(v: Any) -> Any:
            if isinstance(v, (bytes, bytearray)):
                return v.hex()
            return v

        return {
            "equal": self.equal,
            "sections_only_in_a": self.only_a,
            "sections_only_in_b": self.only_b,
            "devices": [{"name": d.name, "instance": d.instance, "a": d.label_a,
                         "b": d.label_b, "version_a": d.version_a, "version_b": d.version_b,
                         "changed": [{"path": c.path, "a": value(c.a), "b": value(c.b),
                                      "offset_a": c.offset_a, "offset_b": c.offset_b}
                                     for c in d.changed],
                         "only_in_a": d.only_a, "only_in_b": d.only_b}
                        for d in self.devices],
            "ram": [{"block": r.block, "size_a": r.size_a, "size_b": r.size_b,
                     "pages_differing": r.pages,
                     "ranges": [[s, e] for s, e in r.ranges]} for r in self.ram],
            "ignored": list(self.ignored),
        }


def _fields(node: vmsd.Node) -> dict[str, tuple[Any, int]]:
    """path -> (value, offset) of the leaves of a decoded section (paths as Device.field
    takes them: names joined by '/', '[i]' for the i-th same-named field)."""
    out: dict[str, tuple[Any, int]] = {}
    stack: list[str] = []
    for depth, n in node.walk():
        if depth == 0:
            continue
        del stack[depth - 1:]
        name = n.name if n.index is None else f"{n.name}[{n.index}]"
        stack.append(name)
        if n.children:
            continue
        value = n.value
        if isinstance(value, vmsd.PackedInts):
            value = list(value)
        elif n.kind in ("struct", "subsection", "list", "tree") and n.raw is not None:
            value = bytes(n.raw)
        out["/".join(stack)] = (value, n.offset)
    return out


class _Digests:
    """A RAM sink keeping one digest per page of each block (the final content)."""

    def __init__(self, page_size: int) -> None:
        self.page_size = page_size
        self.blocks: dict[str, bytearray] = {}
        self.sizes: dict[str, int] = {}
        self.saw_xbzrle = False
        self._zero = {0: _digest(bytes(page_size))}

    def _fill(self, fill: int) -> bytes:
        d = self._zero.get(fill)
        if d is None:
            d = self._zero[fill] = _digest(bytes([fill]) * self.page_size)
        return d

    def block(self, block: Any) -> None:
        if block.name not in self.blocks:
            n = block.length // self.page_size
            self.blocks[block.name] = bytearray(self._fill(0) * n)
            self.sizes[block.name] = block.length

    def _set(self, block: Any, addr: int, d: bytes) -> None:
        i = 8 * (addr // self.page_size)
        table = self.blocks.get(block.name)
        if table is None:
            self.block(block)
            table = self.blocks[block.name]
        table[i:i + 8] = d

    def zero(self, block: Any, addr: int, fill: int) -> None:
        self._set(block, addr, self._fill(fill))

    def page(self, block: Any, addr: int, data: Any) -> None:
        self._set(block, addr, _digest(data))

    def xbzrle(self, block: Any, addr: int, delta: Any, offset: int) -> None:
        self.saw_xbzrle = True

    def page_run(self, block: Any, addrs: Any, datas: Any) -> None:
        for addr, data in zip(addrs, datas, strict=True):
            self._set(block, addr, _digest(data))

    def zero_run(self, block: Any, addrs: Any) -> None:
        d = self._fill(0)
        for addr in addrs:
            self._set(block, addr, d)


def _digest(data: Any) -> bytes:
    return hashlib.blake2b(data, digest_size=8).digest()


def _side(source: Any, **open_kw: Any) -> tuple[_Side, _Digests]:
    """Load one side: its devices, RAM blocks and notes, and its RAM digests."""
    import tempfile

    import migkaitai
    from migkaitai.output import RamExtractor
    from migkaitai.walk import page_size_of

    with migkaitai.open(source, **open_kw) as m:
        if m._pipe_src is not None:  # (read once: its RAM is extracted as it goes by)
            with tempfile.TemporaryDirectory(prefix="migkaitai-diff-") as tmp:
                ram = RamExtractor(tmp, page_size_of(None))
                try:
                    m._first_pass([ram])
                finally:
                    ram.close()
                side = _load(m, None)
                dig = _digest_files(tmp, ram.rels, side.ram_blocks, m.page_size)
            return side, dig
        dig = _Digests(m.page_size)
        side = _load(m, dig)
        if dig.saw_xbzrle:  # deltas need the pages: extract, then digest the files
            with tempfile.TemporaryDirectory(prefix="migkaitai-diff-") as tmp:
                ram = RamExtractor(tmp, m.page_size)
                try:
                    _load(m, ram)
                finally:
                    ram.close()
                dig = _digest_files(tmp, ram.rels, side.ram_blocks, m.page_size)
    return side, dig


def _digest_files(folder: str, rels: dict[str, str], blocks: list[Any],
                  page_size: int) -> _Digests:
    """The digests of extracted RAM block files (read a page at a time)."""
    dig = _Digests(page_size)
    for b in blocks:
        dig.sizes[b.name] = b.length
        rel = rels.get(b.name)
        if rel is None:  # (no page of it came: all zero)
            dig.block(b)
            continue
        table = bytearray()
        with open(os.path.join(folder, rel), "rb") as f:
            for _ in range(b.length // page_size):
                table += _digest(f.read(page_size).ljust(page_size, b"\0"))
        dig.blocks[b.name] = table
    return dig


_Side = namedtuple("_Side", "devices ram_blocks notes")
RAW = "(raw payload)"  # the one "field" of a device section no description decodes


def _load(m: Any, sink: Any) -> _Side:
    """One walk: the device sections by (name, instance) as (label, version, fields) -
    decoded fields, or the raw payload when no description decodes them, so that those
    are compared too - the RAM blocks, and the notes (a damaged description among them:
    its devices are then compared raw)."""
    from migkaitai.ram import RamTracker

    w = m.walker(RamTracker(m.page_size, [sink]) if sink is not None else None)
    devices: dict[tuple[str, int], tuple[str, int, dict[str, tuple[Any, int]]]] = {}
    for rec in w.records():
        sec = rec.section
        if sec is None or rec.kind not in ("section_full", "section_start"):
            continue
        if rec.device is not None:
            fields = _fields(rec.device)
            if rec.raw is not None:  # (the part the description could not decode)
                fields[RAW] = (m._read_raw(*rec.raw), rec.raw[0])
        elif rec.raw is not None:
            fields = {RAW: (m._read_raw(*rec.raw), rec.raw[0])}
        else:
            continue  # (RAM and the other formats of their own)
        devices[(sec.name, sec.instance_id)] = (sec.label, sec.version_id, fields)
    notes = m._notes(w)
    problem = m.trailer_problem(w)
    if problem is not None:
        notes.append(str(problem))
    return _Side(devices, list(w.ram.blocks.values()), notes)


def _ranges(a: bytearray, b: bytearray, page_size: int) -> tuple[int, list[tuple[int, int]]]:
    """(pages that differ, their byte ranges coalesced) between two digest tables."""
    pages = 0
    ranges: list[tuple[int, int]] = []
    n = max(len(a), len(b)) // 8
    for i in range(n):
        if a[8 * i:8 * i + 8] != b[8 * i:8 * i + 8]:
            pages += 1
            start = i * page_size
            if ranges and ranges[-1][1] == start:
                ranges[-1] = (ranges[-1][0], start + page_size)
            else:
                ranges.append((start, start + page_size))
    return pages, ranges


def diff(a: Any, b: Any, *, ignore: tuple[str, ...] | list[str] = DEFAULT_IGNORE,
         **open_kw: Any) -> DiffResult:
    """Compare two saved states (anything migkaitai.open reads). `ignore`: "section
    name/field path" patterns left out."""
    side_a, dig_a = _side(a, **open_kw)
    side_b, dig_b = _side(b, **open_kw)
    result = DiffResult()
    result.ignored = tuple(ignore)
    result.notes = [f"A: {n}" for n in side_a.notes] + [f"B: {n}" for n in side_b.notes]
    devs_a, devs_b = side_a.devices, side_b.devices
    result.only_a = [d[0] for k, d in devs_a.items() if k not in devs_b]
    result.only_b = [d[0] for k, d in devs_b.items() if k not in devs_a]

    def kept(name: str, path: str) -> bool:
        full = f"{name}/{path}"
        return not any(fnmatch.fnmatchcase(full, p) for p in ignore)

    for key, (label_a, va, fa) in devs_a.items():
        if key not in devs_b:
            continue
        label_b, vb, fb = devs_b[key]
        changed = [FieldChange(p, va, fb[p][0], oa, fb[p][1])
                   for p, (va, oa) in fa.items()
                   if p in fb and fb[p][0] != va and kept(key[0], p)]
        only_a = [p for p in fa if p not in fb and kept(key[0], p)]
        only_b = [p for p in fb if p not in fa and kept(key[0], p)]
        if changed or only_a or only_b or va != vb:
            result.devices.append(DeviceDiff(key[0], key[1], label_a, label_b, va, vb,
                                             changed, only_a, only_b))
    for name in list(dig_a.blocks) + [n for n in dig_b.blocks if n not in dig_a.blocks]:
        ta, tb = dig_a.blocks.get(name, bytearray()), dig_b.blocks.get(name, bytearray())
        size_a, size_b = dig_a.sizes.get(name), dig_b.sizes.get(name)
        ps = dig_a.page_size if name in dig_a.blocks else dig_b.page_size
        pages, ranges = _ranges(ta, tb, ps)
        if pages or size_a != size_b:
            result.ram.append(RamDiff(name, size_a, size_b, pages, ranges))
    return result


def write_diff(result: DiffResult, out: Any, name_a: str, name_b: str) -> None:
    """The readable form: a unified-diff-like listing grouped by device, then RAM."""
    w = out.write
    w(f"--- {name_a}\n+++ {name_b}\n")
    for label in result.only_a:
        w(f"- section {label} (only in A)\n")
    for label in result.only_b:
        w(f"+ section {label} (only in B)\n")
    for d in result.devices:
        head = d.label_a if d.label_a == d.label_b else f"{d.label_a} / {d.label_b}"
        w(f"@@ {head} instance {d.instance}"
          + (f" version {d.version_a} -> {d.version_b}" if d.version_a != d.version_b
             else "") + "\n")
        for c in d.changed:
            if isinstance(c.a, (bytes, bytearray)) and isinstance(c.b, (bytes, bytearray)):
                i = next((k for k, (x, y) in enumerate(zip(c.a, c.b, strict=False)) if x != y),
                         min(len(c.a), len(c.b)))
                change = (f"{len(c.a)} / {len(c.b)} bytes, from byte {i}: "
                          f"{_text(c.a[i:i + 16])} -> {_text(c.b[i:i + 16])}")
            else:
                change = f"{_text(c.a)} -> {_text(c.b)}"
            w(f"  {c.path}: {change}  (at 0x{c.offset_a:x} / 0x{c.offset_b:x})\n")
        for p in d.only_a:
            w(f"- {p} (only in A)\n")
        for p in d.only_b:
            w(f"+ {p} (only in B)\n")
    for r in result.ram:
        sizes = (f"0x{r.size_a:x}" if r.size_a is not None else "absent",
                 f"0x{r.size_b:x}" if r.size_b is not None else "absent")
        w(f"@@ RAM {r.block}" + (f" size {sizes[0]} -> {sizes[1]}" if r.size_a != r.size_b
                                  else f" (0x{r.size_a:x} bytes)")
          + f": {r.pages} pages differ\n")
        for s, e in r.ranges[:64]:
            w(f"  0x{s:x}-0x{e:x}\n")
        if len(r.ranges) > 64:
            w(f"  ... {len(r.ranges) - 64} more ranges\n")
    if result.equal:
        w("(no difference")
        w(f"; fields ignored: {', '.join(result.ignored)})\n" if result.ignored else ")\n")


def _text(v: Any) -> str:
    if isinstance(v, (bytes, bytearray)):
        return v[:32].hex(" ") + (" ..." if len(v) > 32 else "")
    if isinstance(v, int) and not isinstance(v, bool):
        return f"0x{v:x}"
    if isinstance(v, list):
        return "[" + ", ".join(f"0x{x:x}" if isinstance(x, int) else str(x)
                               for x in v[:8]) + (", ...]" if len(v) > 8 else "]")
    return str(v)
