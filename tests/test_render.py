"""Compact arrays (migkaitai.vmsd PackedInts/StructArray) and the text renderers: the JSON
state written straight from the tree (upstream.write_upstream, upstream.StateBuilder) and
the tree view (tree.TreePrinter) must print exactly what the element-by-element path prints."""

from __future__ import annotations

import io
import json
import struct

import pytest
from kaitaistruct import KaitaiStream

from migkaitai import render, vmsd
from migkaitai.cli import main
from migkaitai.errors import DescriptionError, TruncatedError
from migkaitai.render import tree, upstream
from migkaitai.render.upstream import to_upstream, write_upstream
from migkaitai.vmsd import (
    Node,
    PackedInts,
    StructArray,
    decode_section,
    load_description_json,
)

import corpus


def device(fields: list, subsections: list | None = None, name: str = "test") -> object:
    obj: dict = {"name": name, "instance_id": 0, "vmsd_name": name, "version": 1,
                 "fields": fields}
    if subsections is not None:
        obj["subsections"] = subsections
    return load_description_json(json.dumps(obj))


def field(name: str, typ: str, size: int, **extra: object) -> dict:
    return {"name": name, **extra, "type": typ, "size": size}


def struct_array(name: str, fields: list, count: int, subsections: list | None = None,
                 vmsd_name: str = "test/elem", size: int | None = None) -> dict:
    sdesc: dict = {"vmsd_name": vmsd_name, "version": 3, "fields": fields}
    if subsections is not None:
        sdesc["subsections"] = subsections
    if size is None:
        size = sum(f["size"] * f.get("array_len", 1) for f in fields)
    return field(name, "struct", size, array_len=count, struct=sdesc)


def decode(desc: object, payload: bytes, prefix: bytes = b"\xaa" * 3) -> Node:
    ks = KaitaiStream(io.BytesIO(prefix + payload))
    ks.seek(len(prefix))
    return decode_section(ks, desc, "test (1)")


def element_path(monkeypatch: pytest.MonkeyPatch, desc: object, payload: bytes) -> Node:
    """The same payload decoded without compact struct arrays (one node per element)."""
    with monkeypatch.context() as m:
        m.setattr(vmsd, "COMPACT_STRUCT_ARRAY", 1 << 62)
        return decode(desc, payload)


def upstream_text(node: Node, level: int, extra: dict | None = None) -> str:
    parts: list[str] = []
    write_upstream(node, parts.append, level, extra)
    return "".join(parts)


def expected_text(node: Node, level: int, extra: dict | None = None) -> str:
    value = to_upstream(node)
    value.update(extra or {})
    return json.dumps(value, indent=4, separators=(",", ": ")).replace("\n", "\n" + "    " * level)


def tree_text(node: Node) -> str:
    out = io.StringIO()
    tree.TreePrinter(out)._node(node, "    ")
    return out.getvalue()


def tree_via_walk(node: Node) -> str:
    """TreePrinter's lines as the generic walk gives them."""
    return "".join(render.one_line(f"0x{n.offset:08x}  {'    ' + '  ' * (d - 1)}{n.label}  "
                                   f"{n.type}{tree._value_text(n)}") + "\n"
                   for d, n in node.walk() if d)


def facts(node: Node) -> list[tuple]:
    return [(d, n.label, n.type, n.kind, n.offset, n.size, n.value, n.raw, n.version,
             n.vmsd_name) for d, n in node.walk()]


# ---------------------------------------------------------------------------------------------
# Compact integer arrays

def test_packed_ints_is_a_sequence_of_the_values():
    values = [0, -1, 0x7FFF, -0x8000] * 100
    raw = struct.pack(f">{len(values)}h", *values)
    desc = device([field("a", "int16", 2, array_len=len(values)), field("b", "bool", 1,
                                                                          array_len=300)])
    node = decode(desc, raw + bytes([0, 2] * 150))
    a, b = node.children
    assert (a.kind, a.label, a.index, a.offset, a.size) == ("array", "a[0..399]", 0, 3, 800)
    assert isinstance(a.value, PackedInts) and len(a.value) == 400
    assert list(a.value) == values and a.value == values and a.value[:5] == values[:5]
    assert (a.value[1], a.value[-1], a.value[3:1]) == (-1, -0x8000, [])
    with pytest.raises(IndexError):
        a.value[400]
    e = a.element(3)
    assert (e.label, e.kind, e.offset, e.size, e.value, e.raw) == ("a[3]", "int", 9, 2,
                                                                  -0x8000, b"\x80\x00")
    assert list(b.value)[:4] == [False, True, False, True] and b.element(1).value is True


@pytest.mark.parametrize("typ, width, values", [
    ("uint64", 8, list(range(5000))),  # chunks and a remainder
    ("uint32", 4, [-1, 1] * 150),  # 0xffffffff: unsigned, no "(-1)"
    ("int32", 4, [5, -1, 7, -(1 << 31)] * 75),  # negatives: "0x... (-n)"
    ("int8", 1, [1] * 4096 + [-3] * 10),  # a negative in the second chunk only
    ("uint8 equal", 1, [-1, 2] * 200),  # analyze-migration.py prints it as signed
    ("int64 equal", 8, [-2] * 256),
    ("bool", 1, [0, 1, 2] * 100),
])
@pytest.mark.parametrize("level", [0, 1, 3])
def test_compact_array_text_is_json_dumps_of_to_upstream(typ, width, values, level):
    code = {1: "b", 2: "h", 4: "i", 8: "q"}[width]
    raw = struct.pack(f">{len(values)}{code}", *values) if typ != "bool" else bytes(values)
    # the array, then a same-named field (appended to its list) and another field
    desc = device([field("a", typ, width, array_len=len(values)), field("a", "uint8", 1),
                   field("z", "uint16", 2)])
    node = decode(desc, raw + b"\x07\x00\x01")
    assert node.children[0].kind == "array"
    assert upstream_text(node, level) == expected_text(node, level)
    assert tree_text(node) == tree_via_walk(node)


def test_upstream_text_extra_entries_and_groups():
    sub = {"vmsd_name": "test/sub", "version": 1, "fields": [field("s", "uint8", 1)]}
    desc = device([field("x", "uint16", 2), field("cap", "capability", 4),
                   field("x", "int8", 1), field("test/sub", "uint8", 1),
                   field("buf", "buffer", 3), field("t", "timer", 8)], [sub])
    payload = (b"\x00\x01" + b"\x03\xc3\xa9z" + b"\xff" + b"\x09" + b"abc" + b"\xff" * 8
               + b"\x05\x08test/sub\x00\x00\x00\x01" + b"\x02")
    node = decode(desc, payload)
    for extra in (None, {"undecoded": "00 01"}, {"x": "replaced"}):
        for level in (0, 1, 2):
            assert upstream_text(node, level, extra) == expected_text(node, level, extra)


# ---------------------------------------------------------------------------------------------
# Compact arrays of structs

FIELDS = [field("server", "uint32", 4), field("prio", "int8", 1), field("w", "int64 equal", 8),
          field("u", "uint16 equal", 2)]


def struct_payload(n: int, negative_at: tuple[int, ...] = ()) -> bytes:
    out = bytearray()
    for i in range(n):
        neg = i in negative_at
        out += struct.pack(">IbqH", i * 7, -5 if neg else i % 100, -i if neg else i << 40,
                           (i * 3) & 0xFFFF)
    return bytes(out)


@pytest.mark.parametrize("n, negative_at", [(256, ()), (1000, (3, 999)), (2000, (1500,))])
def test_struct_array_matches_the_element_path(monkeypatch, n, negative_at):
    desc = device([field("before", "uint8", 1), struct_array("irqs", FIELDS, n),
                   field("after", "uint8", 1)])
    payload = b"\x01" + struct_payload(n, negative_at) + b"\x02"
    node = decode(desc, payload)
    arr = node.children[1]
    assert (arr.kind, arr.type, arr.label, arr.offset, arr.size) == (
        "array", "struct", f"irqs[0..{n - 1}]", 4, 15 * n)
    assert isinstance(arr.value, StructArray) and len(arr.value) == n
    slow = element_path(monkeypatch, desc, payload)
    assert len(slow.children) == n + 2
    assert facts(node) == facts(slow)
    assert to_upstream(node) == to_upstream(slow)
    for level in (0, 1, 2):
        assert upstream_text(node, level) == expected_text(slow, level)
    assert tree_text(node) == tree_text(slow) == tree_via_walk(slow)
    e = arr.element(n - 1)
    assert (e.label, e.version, e.vmsd_name, e.child("u").offset) == (
        f"irqs[{n - 1}]", 3, "test/elem", 4 + 15 * (n - 1) + 13)


@pytest.mark.parametrize("desc_fields, why", [
    ([field("a", "uint32", 4), field("b", "bool", 1)], "a bool"),
    ([field("a", "uint32", 4), field("a", "uint8", 1)], "a repeated name"),
    ([field("a", "uint16", 2, array_len=2), field("b", "uint8", 1)], "an array"),
    ([field("a", "buffer", 5)], "a buffer"),
])
def test_struct_array_other_layouts_use_the_element_path(desc_fields, why):
    node = decode(device([struct_array("s", desc_fields, 300)]), bytes(5 * 300))
    assert len(node.children) == 300 and node.children[0].kind == "struct", why


def test_struct_array_with_subsections_uses_the_element_path():
    sub = {"vmsd_name": "test/elem/sub", "version": 1, "fields": [field("x", "uint8", 1)]}
    one = b"\x01\x05\x0dtest/elem/sub\x00\x00\x00\x01\x09"
    desc = device([struct_array("s", [field("a", "uint8", 1)], 300, [sub], size=len(one))])
    node = decode(desc, one * 300)
    assert len(node.children) == 300 and node.children[299].child("test/elem/sub") is not None


def test_struct_array_element_followed_by_0x05(monkeypatch):
    fields = [field("a", "uint8", 1), field("b", "uint8", 1)]
    desc = device([struct_array("s", fields, 300)])
    # 0x05 at an element start that is not a subsection of test/elem: decodes as data
    payload = bytes([5, 0x40] * 300)
    assert facts(decode(desc, payload)) == facts(element_path(monkeypatch, desc, payload))
    # ... and one that is: the same error as the element path
    bad = bytearray(payload)
    bad[20:22] = bytes([5, 10])
    bad[22:32] = b"test/elemX"
    errors = []
    for compact in (True, False):
        with monkeypatch.context() as m:
            if not compact:
                m.setattr(vmsd, "COMPACT_STRUCT_ARRAY", 1 << 62)
            with pytest.raises(DescriptionError) as exc:
                decode(desc, bytes(bad))
        errors.append((str(exc.value), exc.value.offset, exc.value.field))
    assert errors[0] == errors[1] and errors[0][2] == "s[9]"
    # after the last element too
    tail = payload + b"\x05\x0atest/elemX"
    with pytest.raises(DescriptionError) as exc:
        decode(desc, tail)
    assert exc.value.field == "s[299]" and exc.value.offset == 3 + 600


def test_struct_array_truncated_and_hostile_counts(monkeypatch):
    desc = device([struct_array("s", FIELDS, 1000)])
    payload = struct_payload(1000)[:-1]
    errors = []
    for compact in (True, False):
        with monkeypatch.context() as m:
            if not compact:
                m.setattr(vmsd, "COMPACT_STRUCT_ARRAY", 1 << 62)
            with pytest.raises(TruncatedError) as exc:
                decode(desc, payload)
        errors.append((str(exc.value), exc.value.offset, exc.value.field))
    assert errors[0] == errors[1]
    with pytest.raises(TruncatedError):  # checked before anything is read or allocated
        decode(device([struct_array("s", FIELDS, 1 << 32)]), payload)


def test_walk_yields_struct_array_elements_in_place():
    desc = device([struct_array("s", [field("a", "uint8", 1)], 256), field("z", "uint8", 1)])
    node = decode(desc, bytes(i % 4 for i in range(256)) + b"\x01")
    labels = [(d, n.label) for d, n in node.walk()]
    assert labels[:4] == [(0, "test (1)"), (1, "s[0]"), (2, "a"), (1, "s[1]")]
    assert labels[-3:] == [(1, "s[255]"), (2, "a"), (1, "z")]
    assert [e.child("a").value for e in node.children[0].value][:3] == [0, 1, 2]


# ---------------------------------------------------------------------------------------------
# The state through the spool, and real streams

def run(*args: str) -> str:
    out, err = io.StringIO(), io.StringIO()
    assert main([*args, "-q"], stdout=out, stderr=err) == 0, err.getvalue()
    return out.getvalue()


def test_state_spilled_to_the_spool_file_is_the_same(monkeypatch):
    path = str(corpus.stream_file("x86/pc-many-devices"))
    in_memory = run(path)
    monkeypatch.setattr(upstream._Spool, "MEMORY", 1000)
    assert run(path) == in_memory


def test_spooled_text_parses():
    desc = device([field("a", "uint64", 8, array_len=300)])
    node = decode(desc, bytes(range(256)) * 10)
    spool = upstream._Spool()
    spool.MEMORY = 100
    text = spool.render(node, {"undecoded": "ab"})
    assert text.text is None and spool.file is not None  # in the file
    assert text.parsed() == {**to_upstream(node), "undecoded": "ab"}
    spool.close()


def test_ppc64_compact_paths_print_what_the_element_path_prints(monkeypatch):
    # spapr_iommu's 262144-entry table, ics' 4096 irqs, spapr-xive's 8192 eas...
    path = str(corpus.stream_file("other/ppc64-pseries-default"))
    state, tree = run(path), run(path, "--format", "tree")
    monkeypatch.setattr(vmsd, "COMPACT_STRUCT_ARRAY", 1 << 62)
    assert run(path, "--format", "tree") == tree  # (an int array is one line in the tree)
    monkeypatch.setattr(vmsd, "COMPACT_ARRAY", 1 << 62)
    assert run(path) == state


def decode_compact(desc: object, payload: bytes, prefix: bytes = b"\xaa" * 3) -> Node:
    ks = KaitaiStream(io.BytesIO(prefix + payload))
    ks.seek(len(prefix))
    return decode_section(ks, desc, "test (1)", compact_runs=True)


def test_compact_runs_write_the_same_text():
    """-d state keeps runs of integer fields as their bytes (vmsd.RunLeaves) and writes
    them from a template: the same text as from a Node per field - negative signed values,
    bools, odd types (spaced hex), '%' in a name, nested structs - and a run whose field
    shares a name with a subsection falls back to the Nodes."""
    fields = [field("a%d", "uint32", 4), field("b", "int16", 2), field("c", "bool", 1),
              field("d", "int8", 1), field("e", "uint64", 8), field("f", "int32 equal", 4),
              field("g", "uint16", 2),
              struct_array("s", [field("x", "uint8", 1), field("y", "int32", 4),
                                 field("z", "bool", 1)], 2),
              field("h", "uint8 equal", 1), field("i", "uint16", 2)]
    sub = {"vmsd_name": "i", "version": 1, "fields": [field("q", "uint8", 1)]}
    desc = device(fields, [sub])
    payload = (b"\x00\x00\x00\x07" + b"\xff\xfe" + b"\x01" + b"\x80" + bytes(range(8))
               + b"\xff\xff\xff\xff" + b"\x12\x34" + b"\x05\xff\xff\xff\xfb\x00"
               + b"\x06\x7f\xff\xff\xff\x02" + b"\xf0" + b"\x00\x09"
               + b"\x05" + b"\x01i\x00\x00\x00\x01\x2a" + b"\x00")
    plain = device(fields)  # (no subsection: the root's runs written from templates)
    cut = payload[:payload.index(b"\x05\x01i")]
    # an element of the struct array that starts with 0x05 (QEMU_VM_SUBSECTION): the
    # element path decides, as for the compact struct arrays
    fives = cut.replace(b"\x06\x7f\xff", b"\x05\x7f\xff")
    for level, (d, p) in ((0, (desc, payload)), (1, (desc, payload)), (3, (desc, payload)),
                          (0, (plain, cut)), (2, (plain, cut)), (1, (plain, fives))):
        full = decode(d, p)
        compact = decode_compact(d, p)
        assert any(type(c) is vmsd.RunLeaves for c in compact.children)
        assert (upstream.UpstreamWriter._group(compact.children, None) is None) == (d is desc)
        assert upstream_text(compact, level) == upstream_text(full, level)
        assert upstream_text(compact, level, {"undecoded": "00"}) == \
            upstream_text(full, level, {"undecoded": "00"})
        assert to_upstream(compact) == to_upstream(full)


@pytest.mark.slow
@pytest.mark.parametrize("name", [n for n in corpus.valid_streams() if "dirty-bitmaps" not in n])
def test_compact_runs_same_state_on_every_stream(name):
    """On every corpus stream, -d state from compact runs equals the state from Nodes (but
    the two dirty-bitmap streams: 169,000 bitmap records, 14 s of walking, around the
    same pc devices as the other QEMU 7.2 pc streams)."""
    import migkaitai
    from migkaitai.render.upstream import StateBuilder, write_state

    texts = []
    for compact in (False, True):
        with migkaitai.open(str(corpus.stream_file(name))) as m:
            w = m.walker()
            w.compact_runs = compact
            b = StateBuilder(w.ram, m._read_raw)
            for rec in w.records():
                b.add(rec)
            out = io.StringIO()
            write_state(b.result(), out, b.ram_keys, None)
            b.close()
            texts.append(out.getvalue())
    assert texts[0] == texts[1]
