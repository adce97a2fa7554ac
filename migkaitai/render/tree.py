"""A readable tree: each record with its offset, kind and section; decoded fields with
their offsets, types and values; RAM per block at the end."""
from __future__ import annotations

import json
import struct

from migkaitai import vmsd
from migkaitai.render import command_text, hex_bytes, one_line, special_summary

TYPE_CHECKING = False  # typing is not imported at run time (start-up cost)
if TYPE_CHECKING:
    from typing import Any, TextIO

    from migkaitai.ram import RamTracker
    from migkaitai.walk import Record

__all__ = ["TreePrinter"]


class TreePrinter:
    """A readable view: each record with its offset, type, section; decoded fields with
    offsets and values; RAM per block at the end."""

    def __init__(self, out: TextIO) -> None:
        self.out = out

    def w(self, text: str) -> None:
        self.out.write(one_line(text) + "\n")

    def container(self, facts: list[tuple[str, str]], listing: str | None) -> None:
        """What the stream is inside (a libvirt image, a qcow2 snapshot, compression)."""
        for name, value in facts:
            self.w(f"{name}: {value}")
        if listing:
            for line in listing.splitlines():
                self.out.write("  " + line + "\n")

    def header(self, start: int, path: str, size: int, desc: Any) -> None:
        self.w(f"{path}: QEMU migration stream, {size} bytes")
        if start:
            self.w(f"  stream starts at offset 0x{start:x}")
        if desc is not None and desc.offset is not None:
            self.w(f"  description: {desc.length} bytes of JSON at 0x{desc.offset:x}")
        elif desc is not None:
            self.w(f"  description: given ({desc.length} bytes)")
        else:  # (one after the EOF record that cannot be read is the error at the end)
            self.w("  description: none found at the end of the file")
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
                self.w(f"{'':12}{ind}    {n} RAM records: {pages} pages with data, "
                       f"{zero} zero pages")
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
            for (at, top), u in zip(specs, unpack(raw, i * size), strict=True):
                args += (off + at, u, u - 2 * top if top and u >= top else u)
            lines.append(template % tuple(args))
            if len(lines) > 4096:
                self.out.write("".join(lines))
                lines.clear()

    def _special(self, rec: Record, ind: str) -> None:
        lines = special_lines(rec)
        if lines is None:
            value = special_summary(rec)
            lines = [json.dumps(item) for item in value] if isinstance(value, list) else []
        for line in lines:
            self.w(f"{'':12}{ind}{line}")

    def ram_summary(self, ram: RamTracker) -> None:
        if not ram.blocks:
            return
        ps = ram.page_size
        self.w("RAM blocks (pages: sent in full, as zero, as XBZRLE deltas, compressed; "
               "multifd: of those, from the channels given; re-sent: sends beyond one per "
               "page; unsent: no record carries them):")
        self.w(f"  {'block':<28} {'size':>18} {'full':>8} {'zero':>8} {'xbzrle':>8} "
               f"{'compr.':>7} {'multifd':>8} {'re-sent':>8} {'unsent':>8} {'bytes':>12}")
        for b in ram.blocks.values():
            e = b.encodings(ps)
            unsent = "mapped" if b.mapped_ram is not None else e["unsent"]
            self.w(f"  {b.name:<28} 0x{b.length:016x} {e['full']:>8} {e['zero']:>8} "
                   f"{e['xbzrle']:>8} {e['compressed']:>7} {e['multifd']:>8} "
                   f"{e['resent']:>8} {unsent:>8} {b.bytes:>12}")


def _flag_names(value: int, enum: Any) -> str:
    """"DEVICE_BLOCK|ZERO_BLOCK": the named bits of `value` (a generated enum of QEMU's
    flags), and what is left in hex."""
    names = [f.name.upper() for f in enum if value & f.value]
    rest = value & ~sum(f.value for f in enum)
    return "|".join(names + ([f"0x{rest:x}"] if rest else [])) or "0"


def special_lines(rec: Record) -> list[str] | None:
    """The tree's lines for a section with a format of its own: flags named, the spapr
    hash page table and s390 storage attributes summarised (the JSON shows "" for those,
    as analyze-migration.py does)."""
    from migkaitai_ksy.qemu_migration import QemuMigration as K

    p = rec.special
    fmt = rec.payload_format
    if fmt == "spapr/htab":
        if p.header < 0:
            return ["no hash page table (a radix guest)"]
        if p.header > 0:
            return [f"hash page table of 2^{p.header} bytes (its size shift)"]
        chunks = [c for c in p.chunks if not c.is_end]
        return [f"{len(chunks)} chunks: {sum(c.num_valid for c in chunks)} valid HPTEs, "
                f"{sum(c.num_invalid for c in chunks)} cleared"]
    if fmt == "s390-storage_attributes":
        recs = p.stattrib_records
        attrs = sum(r.num_attributes for r in recs if r.is_more)
        last = _flag_names(recs[-1].flags, K.StattribFlag) if recs else "-"
        return [f"{len(recs)} records: {attrs} storage attribute bytes (pages), ending {last}"]
    if fmt == "s390-skeys":
        return [f"{_flag_names(r.flags, K.SkeysFlag)}"
                + (f" {r.num_keys} keys from 0x{(r.addr_hi << 32 | r.addr_lo) & ~0xfff:x}"
                   if r.is_skeys else "") for r in p.skeys_records]
    if fmt == "block":
        return [f"{_flag_names(b.flags, K.BlkMigFlag)} "
                + (f"{b.sector}%" if b.flags & K.BlkMigFlag.progress.value else
                   f"sector {b.sector}")
                + (f" {b.device}" if b.device is not None else "") for b in p]
    if fmt == "dirty-bitmap":
        out = []
        for c in p.chunks:
            parts = [_flag_names(c.flags, K.DirtyBitmapMigFlag)]
            for attr in ("node_name", "bitmap_name", "granularity", "first_sector",
                         "num_sectors", "len_buf"):
                v = getattr(c, attr, None)
                if v is not None:
                    parts.append(f"{attr} {v}")
            out.append(", ".join(parts))
        return out
    if fmt == "vfio":
        return [(r.code.name.upper() if hasattr(r.code, "name") else f"marker {r.code}")
                + (f" ({r.len_data} bytes)" if r.code == K.VfioMigFlag.dev_data_state else "")
                for r in p.vfio_records]
    return None


def _c_string(v: bytes) -> str | None:
    """The text of a NUL-padded buffer of printable ASCII (QEMU's fixed-size strings, e.g.
    globalstate's runstate), or None."""
    text = v.split(b"\0", 1)[0]
    if not text or v[len(text):].strip(b"\0") or not all(32 <= c < 127 for c in text):
        return None
    return text.decode("ascii")


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
        text = hex_bytes(v[:32])
        string = _c_string(bytes(v))
        return (f" = {text}{' ...' if len(v) > 32 else ''} ({len(v)} bytes)"
                + (f' "{string}"' if string is not None else ""))
    if isinstance(v, (list, vmsd.PackedInts)):
        return " = [" + ", ".join(f"0x{x:x}" for x in v[:8]) + (", ...]" if len(v) > 8 else "]")
    if v is None:
        return " = nullptr" if n.kind == "nullptr" else ""
    return f" = {v}"
