"""Rendering decoded records: analyze-migration.py-compatible JSON and a readable tree.

Decoding (migkaitai.stream, migkaitai.vmsd, migkaitai.ram) yields records with
offsets; this module only presents them.
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, TextIO

from migkaitai import vmsd
from migkaitai.ram import RamTracker
from migkaitai.stream import Record

__all__ = ["StateBuilder", "TreePrinter", "dump_json", "one_line", "special_summary"]


def one_line(text: str) -> str:
    """`text` with newlines and other control characters (from names in the stream)
    escaped, so that a line stays one line and cannot drive the terminal."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def dump_json(obj: Any, out: TextIO) -> None:
    """Write JSON the way analyze-migration.py prints it (indent 4)."""
    json.dump(obj, out, indent=4, separators=(",", ": "))
    out.write("\n")


def _hex(data: bytes) -> str:
    return " ".join(f"{b:02x}" for b in data)


def special_summary(rec: Record) -> Any:
    """JSON for a section with a format of its own (analyze-migration.py prints "" for the
    two it knows, htab and s390 storage attributes, and fails on the others)."""
    p = rec.special
    fmt = rec.payload_format
    if fmt in ("spapr/htab", "s390-storage_attributes"):
        return vmsd.SPECIAL_SECTION_ANCHOR
    if fmt == "block":
        return [
            {"flags": f"0x{b.flags:03x}", ("progress" if b.flags & 4 else "sector"): b.sector,
             **({"device": b.device} if b.device is not None else {}),
             **({"zero": True} if b.zero else {})}
            for b in p
        ]
    if fmt == "dirty-bitmap":
        out = []
        for c in p.chunks:
            item: dict[str, Any] = {"flags": f"0x{c.flags:02x}"}
            for attr in ("node_name", "bitmap_name", "granularity", "bitmap_flags",
                         "first_sector", "num_sectors", "len_buf"):
                v = getattr(c, attr, None)
                if v is not None:
                    item[attr] = v
            out.append(item)
        return out
    if fmt == "s390-skeys":
        return [{"flags": f"0x{r.flags:03x}", **({"keys": r.num_keys} if r.is_skeys else {})}
                for r in p.skeys_records]
    if fmt == "vfio":
        return [{"marker": f"0xffffffffef1{r.code:05x}",
                 **({"data_bytes": r.len_data} if r.code == 4 else {})}
                for r in p.vfio_records]
    return None


_leaf = json.JSONEncoder(ensure_ascii=True).encode  # C-accelerated for str/int/bool


class Rendered(str):
    """A state value already written as JSON text (indented for its place in the state)."""

    def parsed(self) -> Any:
        return json.loads(self)


def _indented(value: Any, level: int) -> Iterator[str]:
    """Pieces of `json.dumps(value, indent=4)` as if nested `level` deep - the same text,
    but leaves go through the C encoder (json's indenting encoder is pure Python)."""
    if isinstance(value, Rendered):
        yield value
    elif isinstance(value, dict):
        if not value:
            yield "{}"
            return
        pad = "\n" + "    " * (level + 1)
        yield "{"
        first = True
        for k, v in value.items():
            yield (pad if first else "," + pad) + _leaf(k) + ": "
            first = False
            yield from _indented(v, level + 1)
        yield "\n" + "    " * level + "}"
    elif isinstance(value, list):
        if not value:
            yield "[]"
            return
        pad = "\n" + "    " * (level + 1)
        if all(not isinstance(v, (dict, list)) for v in value):
            yield "[" + pad + ("," + pad).join(map(_leaf, value)) + "\n" + "    " * level + "]"
            return
        yield "["
        first = True
        for v in value:
            yield pad if first else "," + pad
            first = False
            yield from _indented(v, level + 1)
        yield "\n" + "    " * level + "]"
    else:
        yield _leaf(value)


def write_state(state: dict[str, Any], out: TextIO, ram_keys: list[str],
                memory: Any = None) -> None:
    """Write `-d state` JSON section by section (indent 4, like analyze-migration.py).

    With `memory` (a RamMemoryDump), each ram section's value gets a "memory" object
    streamed entry by entry after its "section sizes", as analyze-migration.py -m prints.
    """
    def indented(value: Any, level: int) -> str:
        return "".join(_indented(value, level))

    if not state:
        out.write("{}\n")
        return
    out.write("{\n")
    items = list(state.items())
    for i, (key, value) in enumerate(items):
        out.write(f"    {json.dumps(key)}: ")
        if memory is not None and key in ram_keys and isinstance(value, dict):
            out.write("{\n")
            for k, v in value.items():
                out.write(f"        {json.dumps(k)}: {indented(v, 2)},\n")
            out.write('        "memory": {')
            first = True
            for k, v in memory.entries():
                out.write(("\n" if first else ",\n") + f"            {json.dumps(k)}: {json.dumps(v)}")
                first = False
            out.write("\n        }\n    }" if not first else "}\n    }")
        else:
            out.write(indented(value, 1))
        out.write(",\n" if i + 1 < len(items) else "\n")
    out.write("}\n")


class StateBuilder:
    """Assembles `-d state` output as analyze-migration.py does: one entry per section,
    keyed "name (section_id)", in order of first appearance."""

    def __init__(self, ram: RamTracker, io: Any) -> None:
        self.ram = ram
        self.io = io
        self.state: dict[str, Any] = {}
        self.ram_keys: list[str] = []

    def add(self, rec: Record) -> None:
        sec = rec.section
        if sec is None:
            return
        key = sec.label
        if rec.payload_format == "ram":
            if key not in self.ram_keys:
                self.ram_keys.append(key)
            self.state.setdefault(key, None)
        elif rec.device is not None:
            value = vmsd.to_anchor(rec.device)
            if rec.raw is not None:  # decoded up to where the description failed
                value["undecoded"] = self._raw(rec.raw)
            # kept as its JSON text: far smaller than the objects (a 262144-entry table)
            self.state[key] = Rendered("".join(_indented(value, 1)))
        elif rec.raw is not None:
            self.state[key] = {"raw payload": self._raw(rec.raw)}
        elif rec.special is not None:
            value = special_summary(rec)
            prev = self.state.get(key)
            if isinstance(prev, list) and isinstance(value, list):
                prev.extend(value)
            else:
                self.state[key] = value

    def _raw(self, where: tuple[int, int]) -> str:
        off, n = where
        pos = self.io.pos()
        self.io.seek(off)
        data = self.io.read_bytes(n)
        self.io.seek(pos)
        return _hex(data)

    def result(self) -> dict[str, Any]:
        sizes = vmsd.ram_section_sizes_anchor([(b.name, b.length) for b in self.ram.blocks.values()])
        for key in self.ram_keys:
            self.state[key] = sizes
        return self.state


class TreePrinter:
    """A readable view: each record with its offset, type, section; decoded fields with
    offsets and values; RAM per block at the end."""

    def __init__(self, out: TextIO, io: Any) -> None:
        self.out = out
        self.io = io

    def w(self, text: str) -> None:
        self.out.write(one_line(text) + "\n")

    def header(self, start: int, path: str, size: int, desc: Any) -> None:
        self.w(f"{path}: QEMU migration stream, {size} bytes")
        if start:
            self.w(f"  stream starts at offset 0x{start:x}")
        if desc is not None and desc.offset is not None:
            self.w(f"  description: {desc.length} bytes of JSON at 0x{desc.offset:x}")
        elif desc is not None:
            self.w(f"  description: given ({desc.length} bytes)")
        else:
            self.w("  description: none")
        self.w(f"0x{start:08x}  header  QEVM version 3")

    def record(self, rec: Record) -> None:
        ind = "  " * rec.depth
        h = rec.head
        off = f"0x{rec.offset:08x}  {ind}"
        kind = rec.kind.upper()
        if rec.section is not None:
            s = rec.section
            extra = ""
            if rec.raw is not None and rec.device is None:
                extra = f"  [{rec.raw[1]} bytes, not decoded: no description]"
            elif rec.raw is not None:
                extra = (f"  [decoded up to 0x{rec.raw[0]:x}; the last {rec.raw[1]} bytes "
                         f"do not fit the description]")
            elif rec.payload_format == "device" and rec.device is None:
                extra = "  [payload length unknown (no description, no footers): stops here]"
            self.w(f"{off}{kind:<16}{s.name} (id {s.section_id}, instance {s.instance_id}, "
                   f"version {s.version_id}){extra}")
            if rec.ram_counts is not None:
                n, pages, zero = rec.ram_counts
                self.w(f"{'':12}{ind}    {n} RAM records: {pages} pages with data, {zero} zero pages")
            if rec.device is not None:
                self._node(rec.device, ind + "    ")
            elif rec.special is not None:
                self._special(rec, ind + "    ")
        elif rec.kind == "section_footer":
            self.w(f"{off}{'FOOTER':<16}id {h.section_id}")
        elif rec.kind == "configuration":
            c = h.configuration
            self.w(f"{off}{'CONFIGURATION':<16}machine {c.machine_name}")
            for sub in c.subsections:
                if not sub.is_present:
                    continue
                b = sub.body
                if b.name == "configuration/target-page-bits":
                    val = f"{b.target_page_bits} ({1 << b.target_page_bits} bytes)"
                elif b.name == "configuration/capabilities":
                    val = ", ".join(x.name for x in b.capabilities.capabilities)
                elif b.name == "configuration/uuid":
                    u = b.uuid.hex()
                    val = f"{u[:8]}-{u[8:12]}-{u[12:16]}-{u[16:20]}-{u[20:]}"
                else:
                    val = "?"
                self.w(f"{'':12}{ind}  {b.name} v{b.version_id}: {val}")
        elif rec.kind == "command":
            self.w(f"{off}{'COMMAND':<16}{command_text(h.command)}")
        else:
            self.w(f"{off}{kind}")

    def _node(self, node: vmsd.Node, ind: str) -> None:
        for depth, n in node.walk():
            if depth == 0:
                continue
            pad = ind + "  " * (depth - 1)
            self.w(f"0x{n.offset:08x}  {pad}{n.label}  {n.type}{_value_text(n)}")

    def _special(self, rec: Record, ind: str) -> None:
        value = special_summary(rec)
        if isinstance(value, list):
            for item in value:
                self.w(f"{'':12}{ind}{json.dumps(item)}")

    def ram_summary(self, ram: RamTracker) -> None:
        if not ram.blocks:
            return
        self.w("RAM blocks:")
        self.w(f"  {'block':<28} {'size':>18} {'pages sent':>11} {'zero':>8} {'bytes':>12}")
        for b in ram.blocks.values():
            self.w(f"  {b.name:<28} 0x{b.length:016x} {b.pages:>11} {b.zero_pages:>8} "
                   f"{b.bytes:>12}")


def _value_text(n: vmsd.Node) -> str:
    v = n.value
    if n.kind in ("section", "subsection", "struct", "element", "list", "tree"):
        return f" v{n.version}" if n.version is not None and n.kind != "element" else ""
    if isinstance(v, bool):
        return f" = {str(v).lower()}"
    if isinstance(v, int):
        width = max(2, 2 * n.size)
        return f" = 0x{v & ((1 << (8 * n.size)) - 1) if n.size else v:0{width}x} ({v})"
    if isinstance(v, (bytes, bytearray)):
        text = _hex(v[:32])
        return f" = {text}{' ...' if len(v) > 32 else ''} ({len(v)} bytes)"
    if isinstance(v, list):
        return " = [" + ", ".join(f"0x{x:x}" for x in v[:8]) + (", ...]" if len(v) > 8 else "]")
    if v is None:
        return " = nullptr" if n.kind == "nullptr" else ""
    return f" = {v}"


def command_text(cmd: Any) -> str:
    name = cmd.command_type.name.upper() if hasattr(cmd.command_type, "name") \
        else f"unknown ({cmd.command_type_raw})"
    d = getattr(cmd, "data", None)
    t = cmd.command_type_raw
    if t == 2:
        return f"{name} {d.value}"
    if t == 3:
        if cmd.len_data >= 16:
            return (f"{name} page sizes 0x{d.ram_page_size_summary:x}, target page "
                    f"{d.target_page_size}")
        return name
    if t == 6:
        ranges = ", ".join(f"0x{r.start:x}+0x{r.length:x}" for r in d.ranges[:4])
        more = f" (+{len(d.ranges) - 4} more)" if len(d.ranges) > 4 else ""
        return f"{name} block {d.block_name}: {len(d.ranges)} ranges {ranges}{more}"
    if t == 7:
        return f"{name} {d.len_packaged} bytes of nested stream"
    if t == 10:
        return f"{name} block {d.block_name}"
    return name if cmd.len_data == 0 else f"{name} ({cmd.len_data} bytes)"


def command_json(cmd: Any) -> dict[str, Any]:
    """A command as JSON: its QEMU name and decoded payload."""
    t = cmd.command_type_raw
    name = cmd.command_type.name.upper() if hasattr(cmd.command_type, "name") else None
    out: dict[str, Any] = {"command": name or f"unknown ({t})", "length": cmd.len_data}
    d = getattr(cmd, "data", None)
    if t == 2:
        out["value"] = d.value
    elif t == 3 and cmd.len_data >= 16:
        out.update(ram_page_size_summary=d.ram_page_size_summary,
                   target_page_size=d.target_page_size)
    elif t == 6:
        out.update(block=d.block_name, ranges=[[r.start, r.length] for r in d.ranges])
    elif t == 7:
        out["packaged_length"] = d.len_packaged
    elif t == 10:
        out["block"] = d.block_name
    elif d is not None and isinstance(d, (bytes, bytearray)) and d:
        out["data"] = _hex(d)
    return out


def record_json(r: Record) -> dict[str, Any]:
    """One record as JSON for `--format records`: offset, type, depth (1 inside PACKAGED),
    the section, the command, or the configuration, with what its payload held."""
    item: dict[str, Any] = {"offset": r.offset, "type": r.kind}
    if r.depth:
        item["depth"] = r.depth
    if r.section is not None:
        s = r.section
        item.update(section_id=s.section_id, name=s.name, instance_id=s.instance_id,
                    version_id=s.version_id, payload=r.payload_format)
        if r.ram_counts is not None:
            item["ram"] = dict(zip(("records", "pages", "zero_pages"), r.ram_counts, strict=True))
        if r.special is not None:
            item["decoded"] = special_summary(r)
        if r.raw is not None:
            item["undecoded"] = {"offset": r.raw[0], "length": r.raw[1]}
    elif r.kind == "section_footer":
        item["section_id"] = r.head.section_id
    elif r.kind == "command":
        item.update(command_json(r.head.command))
    elif r.kind == "configuration":
        c = r.head.configuration
        item["machine"] = c.machine_name
        for sub in c.subsections:
            if sub.is_present:
                b = sub.body
                if b.name == "configuration/target-page-bits":
                    item["target_page_bits"] = b.target_page_bits
                elif b.name == "configuration/capabilities":
                    item["capabilities"] = [x.name for x in b.capabilities.capabilities]
                elif b.name == "configuration/uuid":
                    item["uuid"] = b.uuid.hex()
    return item
