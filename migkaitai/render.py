"""Rendering decoded records: analyze-migration.py-compatible JSON and a readable tree.

Decoding (migkaitai.stream, migkaitai.vmsd, migkaitai.ram) yields records with
offsets; this module only presents them. Device sections are written as text as their
records arrive (vmsd.write_anchor into a spool: see StateBuilder), so that memory does not
grow with the size of the state; compact arrays are written a chunk at a time.
"""
from __future__ import annotations

import json
import struct

from migkaitai import vmsd

TYPE_CHECKING = False  # typing is not imported at run time (start-up cost)
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from typing import Any, TextIO

    from migkaitai.ram import RamTracker
    from migkaitai.stream import Record

__all__ = ["StateBuilder", "TreePrinter", "dump_json", "one_line", "special_summary"]


def one_line(text: str) -> str:
    """`text` with newlines and other control characters (from names in the stream)
    escaped, so that a line stays one line and cannot drive the terminal."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def dump_json(obj: Any, out: TextIO) -> None:
    """Write JSON the way analyze-migration.py prints it (indent 4)."""
    json.dump(obj, out, indent=4, separators=(",", ": "))
    out.write("\n")


def _hex(data: bytes) -> str:
    return data.hex(" ")


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


class SpooledText:
    """A state value already written as JSON text (indented for its place in the state),
    held in memory or, past :attr:`_Spool.MEMORY` characters in all, in the spool's
    temporary file."""

    __slots__ = ("end", "spool", "start", "text")

    def __init__(self, spool: _Spool, text: str | None, start: int = 0, end: int = 0) -> None:
        self.spool = spool
        self.text = text
        self.start = start
        self.end = end

    def __len__(self) -> int:
        return len(self.text) if self.text is not None else self.end - self.start

    def copy_to(self, write: Callable[[str], object]) -> None:
        """Pass the text to ``write`` (a file's or a list's method), a piece at a time."""
        if self.text is not None:
            write(self.text)
            return
        f = self.spool.file
        f.seek(self.start)
        left = self.end - self.start
        while left > 0:
            data = f.read(min(left, 1 << 20))
            if not data:
                raise OSError("the state spool file is shorter than written")
            write(data.decode("ascii"))
            left -= len(data)

    def parsed(self) -> Any:
        """The value as JSON objects (this reads it all into memory)."""
        if self.text is not None:
            return json.loads(self.text)
        parts: list[str] = []
        self.copy_to(parts.append)
        return json.loads("".join(parts))


class _Spool:
    """Where StateBuilder keeps each section's JSON text until the state is written: in
    memory up to MEMORY characters in all, then in an anonymous temporary file, so that
    memory does not grow with the size of the output."""

    MEMORY = 1 << 20

    def __init__(self) -> None:
        self.file: Any = None
        self.held = 0  # characters of SpooledText kept in memory

    def render(self, node: vmsd.Node, extra: dict[str, str] | None) -> SpooledText:
        """The text of a section's value (nested one level: under its key in the state)."""
        sink = _SpoolSink(self)
        vmsd.write_anchor(node, sink.write, 1, extra)
        return sink.done()

    def release(self, old: Any) -> None:
        """A spooled value was replaced (a section sent again)."""
        if isinstance(old, SpooledText) and old.text is not None:
            self.held -= len(old.text)

    def close(self) -> None:
        if self.file is not None:
            self.file.close()
            self.file = None


class _SpoolSink:
    """Collects one section's text: in memory, or in the spool file once the spool's
    memory budget is spent."""

    __slots__ = ("pieces", "size", "spool", "start")

    def __init__(self, spool: _Spool) -> None:
        self.spool = spool
        self.pieces: list[str] = []
        self.size = 0
        self.start: int | None = None  # where the text starts in the file, once there

    def write(self, text: str) -> None:
        if self.start is not None:
            self.spool.file.write(text.encode("ascii"))
            return
        self.pieces.append(text)
        self.size += len(text)
        if self.size + self.spool.held > self.spool.MEMORY:
            spool = self.spool
            if spool.file is None:
                import tempfile  # only for large states: not imported at start-up

                spool.file = tempfile.TemporaryFile(  # noqa: SIM115 - closed by close()
                    prefix="migkaitai-state-")
            spool.file.seek(0, 2)
            self.start = spool.file.tell()
            spool.file.write("".join(self.pieces).encode("ascii"))
            self.pieces = []

    def done(self) -> SpooledText:
        spool = self.spool
        if self.start is None:
            spool.held += self.size
            return SpooledText(spool, "".join(self.pieces))
        end = spool.file.tell()
        return SpooledText(spool, None, self.start, end)


def _indented(value: Any, level: int) -> Iterator[str]:
    """Pieces of `json.dumps(value, indent=4)` as if nested `level` deep - the same text,
    but leaves go through the C encoder (json's indenting encoder is pure Python)."""
    if isinstance(value, SpooledText):
        parts: list[str] = []
        value.copy_to(parts.append)
        yield from parts
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
        elif isinstance(value, SpooledText):
            value.copy_to(out.write)
        else:
            out.write(indented(value, 1))
        out.write(",\n" if i + 1 < len(items) else "\n")
    out.write("}\n")


class StateBuilder:
    """Assembles `-d state` output as analyze-migration.py does: one entry per section,
    keyed "name (section_id)", in order of first appearance.

    A device section's value is written as JSON text when its record arrives (see
    :class:`SpooledText`), so that neither its decoded tree nor its text stays in memory;
    :func:`write_state` copies the texts out in key order.
    """

    def __init__(self, ram: RamTracker, io: Any) -> None:
        self.ram = ram
        self.io = io
        self.state: dict[str, Any] = {}
        self.ram_keys: list[str] = []
        self.spool = _Spool()

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
            # decoded up to where the description failed: the rest as hex
            extra = {"undecoded": self._raw(rec.raw)} if rec.raw is not None else None
            self._set(key, self.spool.render(rec.device, extra))
        elif rec.raw is not None:
            self._set(key, self._raw_payload(rec.raw))
        elif rec.special is not None:
            value = special_summary(rec)
            prev = self.state.get(key)
            if isinstance(prev, list) and isinstance(value, list):
                prev.extend(value)
            else:
                self._set(key, value)

    def _set(self, key: str, value: Any) -> None:
        self.spool.release(self.state.get(key))
        self.state[key] = value

    def _raw(self, where: tuple[int, int]) -> str:
        off, n = where
        pos = self.io.pos()
        self.io.seek(off)
        data = self.io.read_bytes(n)
        self.io.seek(pos)
        return _hex(data)

    def _raw_payload(self, where: tuple[int, int]) -> SpooledText:
        """``{"raw payload": "<hex>"}`` as its text, read and written a piece at a time."""
        off, n = where
        sink = _SpoolSink(self.spool)
        sink.write('{\n        "raw payload": "')
        pos = self.io.pos()
        self.io.seek(off)
        step = 1 << 18
        for at in range(0, n, step):
            data = self.io.read_bytes(min(step, n - at))
            sink.write((" " if at else "") + data.hex(" "))
        self.io.seek(pos)
        sink.write('"\n    }')
        return sink.done()

    def result(self) -> dict[str, Any]:
        sizes = vmsd.ram_section_sizes_anchor([(b.name, b.length) for b in self.ram.blocks.values()])
        for key in self.ram_keys:
            self.state[key] = sizes
        return self.state

    def close(self) -> None:
        """Drop the spool (the state's texts are gone after this)."""
        self.spool.close()


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
        """The nodes below `node` (as `node.walk()` yields them), one line each."""
        lines: list[str] = []
        self._children(node, ind, lines)
        if lines:
            self.out.write("".join(lines))

    def _children(self, node: vmsd.Node, pad: str, lines: list[str]) -> None:
        for n in node.children:
            if n.kind == "array" and isinstance(n.value, vmsd.StructArray):
                self._struct_array(n.value, pad, lines)
            else:
                lines.append(one_line(f"0x{n.offset:08x}  {pad}{n.label}  {n.type}"
                                      f"{_value_text(n)}") + "\n")
                if n.children:
                    self._children(n, pad + "  ", lines)
            if len(lines) > 4096:
                self.out.write("".join(lines))
                lines.clear()

    def _struct_array(self, arr: vmsd.StructArray, pad: str, lines: list[str]) -> None:
        """A compact array of structs, element by element as if each were a node: one
        %-format per element for its line and its fields' lines."""
        def esc(text: str) -> str:
            return one_line(text).replace("%", "%%")

        lay = arr.layout
        version = f" v{lay.version}" if lay.version is not None else ""
        template = "0x%08x  " + esc(f"{pad}{arr.name}") + "[%d]  " + esc(f"struct{version}")
        specs = []
        for name, typ, width, at in lay.fields:
            template += ("\n0x%08x  " + esc(f"{pad}  {name}  {typ}")
                         + f" = 0x%0{max(2, 2 * width)}x (%d)")
            specs.append((at, 1 << (8 * width - 1) if vmsd.INT_TYPES[typ][1] else 0))
        template += "\n"
        unpack = struct.Struct(">" + lay.code).unpack_from
        raw = arr.raw
        size = lay.size
        first = arr.first
        offset = arr.offset
        for i in range(len(arr)):
            off = offset + i * size
            args = [off, first + i]
            for (at, top), u in zip(specs, unpack(raw, i * size)):
                args += (off + at, u, u - 2 * top if top and u >= top else u)
            lines.append(template % tuple(args))
            if len(lines) > 4096:
                self.out.write("".join(lines))
                lines.clear()

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
    if isinstance(v, (list, vmsd.PackedInts)):
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
