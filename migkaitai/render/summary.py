"""`--format summary`: the facts a person wants first, short enough to read at a glance
(what migkaitai.api.MigrationStream.summary collects; rendering never reads input)."""
from __future__ import annotations

TYPE_CHECKING = False  # typing is not imported at run time (start-up cost)
if TYPE_CHECKING:
    from typing import Any, TextIO

__all__ = ["write_summary"]


def _size(n: int) -> str:
    for unit, shift in (("GiB", 30), ("MiB", 20), ("KiB", 10)):
        if n >= 1 << shift:
            v = n / (1 << shift)
            return f"{v:.0f} {unit}" if v == int(v) else f"{v:.1f} {unit}"
    return f"{n} bytes"


def write_summary(s: dict[str, Any], out: TextIO) -> None:
    w = out.write
    w(f"{s['path']}: QEMU migration stream, {s['size']} bytes"
      + (f", starting at 0x{s['start']:x}" if s["start"] else "") + "\n")
    for name, value in s["container"]:
        w(f"  {name}: {value}\n")
    w(f"  machine: {s['machine'] or 'not said (no configuration record)'}\n")
    w(f"  QEMU: {s['qemu']}\n")
    if s["capabilities"]:
        w(f"  capabilities: {', '.join(s['capabilities'])}\n")
    w(f"  page size: {s['page_size']} bytes\n")
    w(f"  description: {s['description']}\n")
    w(f"  records: {s['records']} ({s['sections']} sections, {s['footers']} footers"
      + "".join(f", {n} {k}{'s' if n > 1 and k == 'command' else ''}"
                for k, n in s["other_records"].items()) + ")\n")
    if s["commands"]:
        w("  commands: " + ", ".join(f"{name} x{n}" if n > 1 else name
                                     for name, n in s["commands"].items()) + "\n")
    kinds = list(s["device_kinds"].items())  # (most instances first)
    shown = ", ".join(f"{k} x{n}" if n > 1 else k for k, n in kinds[:12])
    more = f", and {len(kinds) - 12} more kinds" if len(kinds) > 12 else ""
    w(f"  devices: {s['devices']} sections of {len(kinds)} kinds"
      + (f": {shown}{more}" if kinds else "") + "\n")
    if s["live"]:
        w("  live sections: " + ", ".join(s["live"]) + "\n")
    blocks = s["ram_blocks"]
    if blocks:
        total = sum(b["size"] for b in blocks)
        w(f"  RAM: {len(blocks)} blocks, {_size(total)}\n")
        rows = [(b["name"] + (" *" if b["mapped_ram"] else ""), _size(b["size"]), b)
                for b in blocks] + [("total (pages)", "", s["ram_totals"])]
        wn = max(28, *(len(r[0]) for r in rows))
        w(f"    {'block':<{wn}} {'size':>9} {'full':>8} {'zero':>8} {'xbzrle':>8} "
          f"{'compr.':>7} {'multifd':>8} {'re-sent':>8} {'unsent':>8}\n")
        for name, size, b in rows:
            w(f"    {name:<{wn}} {size:>9} {b['full']:>8} {b['zero']:>8} {b['xbzrle']:>8} "
              f"{b['compressed']:>7} {b['multifd']:>8} {b['resent']:>8} {b['unsent']:>8}\n")
        w("    (pages sent in full, as zero, as XBZRLE deltas, compressed; multifd: of those,\n"
          "    from the channel captures given; re-sent: sends beyond one per page, as a\n"
          "    running guest's dirty pages; unsent: pages no record carries: zero on the\n"
          "    destination, or on multifd channels not given"
          + ("; *: mapped-ram, pages as its bitmap says" if any(b["mapped_ram"] for b in blocks)
             else "") + ")\n")
    if s["error"]:
        w(f"  error: {s['error']}\n")
