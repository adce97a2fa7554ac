"""Rendering decoded records; decoding (migkaitai.walk, .vmsd, .ram) never prints.

* :mod:`migkaitai.render.upstream`: the JSON that QEMU's scripts/analyze-migration.py
  prints (``-d state``, ``-m``), byte for byte where it can read the stream;
* :mod:`migkaitai.render.tree`: a readable tree with the offset of every record and field;
* :mod:`migkaitai.render.records`: every record as JSON (``--format records``).

Rendering never reads input: what a view shows of the stream's bytes (raw payloads)
is read for it by the caller and handed over (see ``upstream.StateBuilder``'s reader).
This module has what the three share.
"""
from __future__ import annotations

import json

from migkaitai_ksy.qemu_migration import QemuMigration as K

TYPE_CHECKING = False  # typing is not imported at run time (start-up cost)
if TYPE_CHECKING:
    from typing import Any, TextIO

    from migkaitai.walk import Record

__all__ = ["one_line", "dump_json", "special_summary", "command_text", "command_json",
           "hex_bytes", "SPECIAL_SECTION_VALUE"]

CMD = K.CommandType
_PING, _ADVISE, _DISCARD, _PACKAGED, _RECV_BITMAP = (
    CMD.ping.value, CMD.postcopy_advise.value, CMD.postcopy_ram_discard.value,
    CMD.packaged.value, CMD.recv_bitmap.value)
# analyze-migration.py renders spapr/htab and s390-storage_attributes as an empty string.
SPECIAL_SECTION_VALUE = ""


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


def hex_bytes(data: bytes | bytearray) -> str:
    return data.hex(" ")


def special_summary(rec: Record) -> Any:
    """JSON for a section with a format of its own (analyze-migration.py prints "" for the
    two it knows, htab and s390 storage attributes, and fails on the others)."""
    p = rec.special
    fmt = rec.payload_format
    if fmt in ("spapr/htab", "s390-storage_attributes"):
        return SPECIAL_SECTION_VALUE
    if fmt == "block":
        return [
            {"flags": f"0x{b.flags:03x}",
             ("progress" if b.flags & K.BlkMigFlag.progress.value else "sector"): b.sector,
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
                 **({"data_bytes": r.len_data} if r.code == K.VfioMigFlag.dev_data_state
                    else {})}
                for r in p.vfio_records]
    return None


def command_text(cmd: Any) -> str:
    name = cmd.command_type.name.upper() if hasattr(cmd.command_type, "name") \
        else f"unknown ({cmd.command_type_raw})"
    d: Any = getattr(cmd, "data", None)
    t = cmd.command_type_raw
    if t == _PING:
        return f"{name} {d.value}"
    if t == _ADVISE:
        if cmd.len_data >= 16:
            return (f"{name} page sizes 0x{d.ram_page_size_summary:x}, target page "
                    f"{d.target_page_size}")
        return name
    if t == _DISCARD:
        ranges = ", ".join(f"0x{r.start:x}+0x{r.length:x}" for r in d.ranges[:4])
        more = f" (+{len(d.ranges) - 4} more)" if len(d.ranges) > 4 else ""
        return f"{name} block {d.block_name}: {len(d.ranges)} ranges {ranges}{more}"
    if t == _PACKAGED:
        return f"{name} {d.len_packaged} bytes of nested stream"
    if t == _RECV_BITMAP:
        return f"{name} block {d.block_name}"
    return name if cmd.len_data == 0 else f"{name} ({cmd.len_data} bytes)"


def command_json(cmd: Any) -> dict[str, Any]:
    """A command as JSON: its QEMU name and decoded payload."""
    t = cmd.command_type_raw
    name = cmd.command_type.name.upper() if hasattr(cmd.command_type, "name") else None
    out: dict[str, Any] = {"command": name or f"unknown ({t})", "length": cmd.len_data}
    d: Any = getattr(cmd, "data", None)
    if t == _PING:
        out["value"] = d.value
    elif t == _ADVISE and cmd.len_data >= 16:
        out.update(ram_page_size_summary=d.ram_page_size_summary,
                   target_page_size=d.target_page_size)
    elif t == _DISCARD:
        out.update(block=d.block_name, ranges=[[r.start, r.length] for r in d.ranges])
    elif t == _PACKAGED:
        out["packaged_length"] = d.len_packaged
    elif t == _RECV_BITMAP:
        out["block"] = d.block_name
    elif d is not None and isinstance(d, (bytes, bytearray)) and d:
        out["data"] = hex_bytes(d)
    return out
