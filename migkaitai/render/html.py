"""`migkaitai report`: one self-contained HTML page (what migkaitai.report collects).

The page needs no network: its style and script are inline (report.css, report.js beside
this module), a Content-Security-Policy forbids every other source, and the data is one
JSON block that the script reads. Names from the stream reach the page only as text
(the overview is escaped here; the script sets textContent, never HTML).

`device_entry` turns a decoded section into compact JSON as it is decoded (the walk keeps
no Node trees); `write_report` writes the page. Rendering never reads input: raw bytes a
view shows are read by the caller (`read_raw`).
"""
from __future__ import annotations

import html
import json
import os

from migkaitai import vmsd
from migkaitai.render import hex_bytes, special_summary
from migkaitai.render.summary import _size
from migkaitai.render.tree import _value_text, special_lines

TYPE_CHECKING = False  # typing is not imported at run time (start-up cost)
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, TextIO

    from migkaitai.walk import Record

__all__ = ["device_entry", "more_parts_entry", "write_report", "ARRAY_COLLAPSED", "ARRAY_SHOWN"]

ARRAY_COLLAPSED = 256  # arrays of this many elements or more start collapsed
ARRAY_SHOWN = 1024  # elements of an array put in the page (the rest: --format tree)
RAW_SHOWN = 64  # bytes of an undecoded payload shown
SPECIAL_LINES = 1000  # lines of a special section's summary shown

# a field: [label, type, value text, offset, size, children or 0, collapsed 0/1]


def _leaf_value(n: vmsd.Node) -> str:
    text = _value_text(n)
    return text[3:] if text.startswith(" = ") else text.strip()


def _node(n: vmsd.Node) -> list[Any]:
    if n.kind == "array":
        count = len(n.value)
        kids = [_node(n.element(i)) for i in range(min(count, ARRAY_SHOWN))]
        if count > ARRAY_SHOWN:
            at = n.offset + ARRAY_SHOWN * (n.size // count)
            kids.append(["...", "", f"{count - ARRAY_SHOWN} more elements (migkaitai "
                         f"--format tree lists every one)", at, 0, 0, 0])
        return [n.label, f"{n.type}[{count}]", f"{count} elements", n.offset, n.size, kids,
                1 if count >= ARRAY_COLLAPSED else 0]
    if n.children:
        return [n.label, n.type, _leaf_value(n), n.offset, n.size, _fields(n.children), 0]
    return [n.label, n.type, _leaf_value(n), n.offset, n.size, 0, 0]


def _run_entries(leaves: vmsd.RunLeaves, out: list[list[Any]]) -> None:
    """The fields of a run (a compact decode's vmsd.RunLeaves) as _node writes their
    Nodes, from one struct unpack: no Node made."""
    base = leaves.offset
    run = leaves.run
    for (name, typ, size, kind, off), v in zip(run.fields, run.struct.unpack_from(leaves.raw),
                                               strict=True):
        if kind == "bool":
            text = "true" if v else "false"
        else:
            text = "0x%0*x (%d)" % (max(2, 2 * size), v & ((1 << (8 * size)) - 1), v)
        out.append([name, typ, text, base + off, size, 0, 0])


def _fields(kids: list[Any]) -> list[list[Any]]:
    """The children, with runs of ARRAY_COLLAPSED or more same-named array elements (an
    array QEMU sends element by element) grouped under one collapsed entry."""
    out: list[list[Any]] = []
    i = 0
    while i < len(kids):
        n = kids[i]
        if type(n) is vmsd.RunLeaves:
            _run_entries(n, out)
            i += 1
            continue
        if n.index is not None and n.kind != "array":
            j = i + 1
            while j < len(kids) and type(kids[j]) is vmsd.Node and kids[j].name == n.name \
                    and kids[j].index is not None and kids[j].kind != "array":
                j += 1
            if j - i >= ARRAY_COLLAPSED:
                run = kids[i:j]
                shown = [_node(k) for k in run[:ARRAY_SHOWN]]
                if len(run) > ARRAY_SHOWN:
                    shown.append(["...", "", f"{len(run) - ARRAY_SHOWN} more elements "
                                  f"(migkaitai --format tree lists every one)",
                                  run[ARRAY_SHOWN].offset, 0, 0, 0])
                out.append([f"{n.name}[{n.index}..{kids[j - 1].index}]", f"{n.type}[{j - i}]",
                            f"{j - i} elements", n.offset, sum(k.size for k in run), shown, 1])
                i = j
                continue
        out.append(_node(n))
        i += 1
    return out


def device_entry(rec: Record, index: int, read_raw: Callable[[int, int], bytes]) -> str:
    """A section other than RAM as compact JSON: its header, its decoded fields, or a
    note (raw payload, special format)."""
    s = rec.section
    assert s is not None
    fields: list[Any] = []
    note = None
    if rec.device is not None:
        fields = _fields(rec.device.children)
        if rec.raw is not None:
            note = (f"decoded up to 0x{rec.raw[0]:x}; the last {rec.raw[1]} bytes do not "
                    f"fit the description")
    elif rec.raw is not None:
        off, length = rec.raw
        head = read_raw(off, min(length, RAW_SHOWN))
        note = (f"{length} bytes, not decoded (no description): "
                f"{hex_bytes(head)}{' ...' if length > RAW_SHOWN else ''}")
    elif rec.special is not None:
        lines = special_lines(rec)
        if lines is None:
            value = special_summary(rec)
            lines = [json.dumps(v) for v in value] if isinstance(value, list) else []
        more = len(lines) - SPECIAL_LINES
        fields = [["", "", line, rec.offset, 0, 0, 0] for line in lines[:SPECIAL_LINES]]
        if more > 0:
            fields.append(["...", "", f"{more} more lines (migkaitai --format tree)",
                           rec.offset, 0, 0, 0])
        note = f"{rec.payload_format} section"
    elif rec.payload_format == "device":
        note = "payload length unknown (no description, no footers): decoding stopped here"
    entry = {"i": index, "name": s.name, "inst": s.instance_id, "ver": s.version_id,
             "id": s.section_id, "kind": rec.kind, "fmt": rec.payload_format,
             "off": rec.offset, "size": max(0, rec.end - rec.offset), "f": fields,
             "note": note}
    return json.dumps(entry, separators=(",", ":"))


def more_parts_entry(index: int, name: str, label: str, count: int) -> str:
    """The entry that stands for the parts of an iterative section not listed."""
    entry = {"i": index, "name": name, "inst": 0, "ver": 0, "id": 0, "kind": "section_part",
             "fmt": "parts", "off": 0, "size": 0, "f": [],
             "note": f"{count} more parts of {label} are not listed (migkaitai --format tree "
                     f"lists every one)"}
    return json.dumps(entry, separators=(",", ":"))


def _asset(name: str) -> str:
    with open(os.path.join(os.path.dirname(__file__), name), encoding="utf-8") as f:
        return f.read()


def _script_json(text: str) -> str:
    """JSON text made safe inside a <script> element (no "</script>", no "<!--")."""
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _overview(data: dict[str, Any], title: str) -> str:
    s = data["summary"]
    e = html.escape
    rows: list[tuple[str, str]] = []
    rows.append(("file", f"{s['path']}: {s['size']:,} bytes"
                         + (f", the stream starts at 0x{s['start']:x}" if s["start"] else "")))
    rows += [(name, value) for name, value in s["container"]]
    rows.append(("machine", s["machine"] or "not said (no configuration record)"))
    rows.append(("QEMU", s["qemu"]))
    if s["capabilities"]:
        rows.append(("capabilities", ", ".join(s["capabilities"])))
    rows.append(("page size", f"{s['page_size']} bytes"))
    rows.append(("description", s["description"]))
    other = "".join(f", {n} {k}" for k, n in s["other_records"].items())
    rows.append(("records", f"{s['records']:,} ({s['sections']:,} sections, "
                            f"{s['footers']:,} footers{other})"))
    if s["commands"]:
        rows.append(("commands", ", ".join(f"{k} x{n}" if n > 1 else k
                                           for k, n in s["commands"].items())))
    kinds = list(s["device_kinds"].items())
    shown = ", ".join(f"{k} x{n}" if n > 1 else k for k, n in kinds[:20])
    more = f", and {len(kinds) - 20} more kinds" if len(kinds) > 20 else ""
    rows.append(("devices", f"{s['devices']} sections of {len(kinds)} kinds"
                            + (f": {shown}{more}" if kinds else "")))
    if s["live"]:
        rows.append(("live sections", ", ".join(s["live"])))
    blocks = s["ram_blocks"]
    if blocks:
        t = s["ram_totals"]
        rows.append(("RAM", f"{len(blocks)} blocks, {_size(sum(b['size'] for b in blocks))}: "
                            f"{t['full']:,} pages sent in full, {t['zero']:,} zero, "
                            f"{t['xbzrle']:,} XBZRLE, {t['compressed']:,} compressed; "
                            f"{t['resent']:,} re-sent, {t['unsent']:,} never sent"))
    out = [f'<h1>{e(title)}</h1>', '<table class="facts" id="facts"><tbody>']
    for name, value in rows:
        out.append(f"<tr><th>{e(name)}</th><td>{e(value)}</td></tr>")
    out.append("</tbody></table>")
    if data["error"]:
        where = (f" (at offset 0x{data['error_offset']:x})"
                 if data["error_offset"] is not None else "")
        out.append(f'<p class="error" id="error"><strong>Decoding stopped{e(where)}:</strong> '
                   f'{e(data["error"])}. What came before is shown below; the fault is '
                   f'marked on the file map.</p>')
    for note in s["notes"]:
        out.append(f'<p class="note">{e(note)}</p>')
    return "\n".join(out)


def write_report(data: dict[str, Any], out: TextIO, title: str | None = None) -> None:
    """Write the page for `data` (migkaitai.report.collect's dict)."""
    from migkaitai import __version__

    s = data["summary"]
    title = title or f"{os.path.basename(s['path'])}: QEMU migration stream"
    payload = {k: v for k, v in data.items() if k not in ("devices", "summary", "failure")}
    payload["path"] = s["path"]
    payload["device_count"] = s["devices"]
    head = json.dumps(payload, separators=(",", ":"))
    w = out.write
    w("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
    w('<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
      "script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:\">\n")
    w('<meta name="viewport" content="width=device-width, initial-scale=1">\n')
    w(f'<meta name="generator" content="migkaitai {html.escape(__version__)}">\n')
    w(f"<title>{html.escape(title)}</title>\n<style>\n{_asset('report.css')}</style>\n")
    w("</head>\n<body>\n<main>\n<section id=\"overview\">\n")
    w(_overview(data, title))
    w("\n</section>\n")
    w('<section id="ram"><h2>RAM</h2><p class="hint">Each cell is a run of guest pages '
      "(hover for the exact counts). Colours: the legend.</p>"
      '<div id="ram-legend" class="legend"></div><div id="ram-blocks"></div></section>\n')
    w('<section id="file"><h2>File map</h2><p class="hint">The stream from offset 0 to its '
      "end, by record kind; click a section for its place and size.</p>"
      '<div id="file-legend" class="legend"></div><div id="file-bar"></div>'
      '<div id="file-info" class="info">Click the bar.</div></section>\n')
    w('<section id="devices"><h2>Devices</h2><p><input id="device-search" type="search" '
      'placeholder="Search device and field names" aria-label="Search device and field '
      'names"> <span id="device-count"></span></p><div id="device-tree"></div></section>\n')
    w('</main>\n<div id="tip" class="tip" hidden></div>\n')
    w('<noscript><p class="note">The RAM map, file map and devices need JavaScript; the '
      "overview above is complete without it.</p></noscript>\n")
    w('<script type="application/json" id="report-data">')
    w(_script_json(head[:-1]) + ',"devices":[')
    sep = ""
    for entry in data["devices"]:  # (one at a time: they may be in a temporary file)
        w(sep + _script_json(entry))
        sep = ","
    w("]}</script>\n<script>\n")
    w(_asset("report.js"))
    w("</script>\n</body>\n</html>\n")
