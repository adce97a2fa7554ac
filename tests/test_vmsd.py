"""migkaitai.vmsd on hand-built byte vectors, one QEMU behaviour per test.

The wire vectors are the ones of QEMU's tests/unit/test-vmstate.c (names kept), paired with
the JSON description QEMU's vmstate_save_state_v / vmsd_desc_field_start would write for
them. Expected upstream output follows scripts/analyze-migration.py's rendering rules. No
stream walker is involved: each test decodes one payload from a KaitaiStream.
"""

from __future__ import annotations

import copy
import io
import json
import pickle

import pytest
from kaitaistruct import KaitaiStream
from migkaitai_ksy.qemu_migration import QemuMigration

import migkaitai
from migkaitai.errors import (
    DescriptionError,
    FormatError,
    MigkaitaiError,
    TruncatedError,
    UsageError,
)
from migkaitai.render.upstream import ram_section_sizes, section_key, to_upstream
from migkaitai.vmsd import (
    DescObject,
    Node,
    decode_section,
    devices_by_key,
    load_description_json,
)

import corpus

QEMU_VM_EOF = b"\x00"


def stream(payload: bytes, prefix: bytes = b"") -> KaitaiStream:
    """A KaitaiStream positioned at `payload`, which follows `prefix` (to test offsets)."""
    ks = KaitaiStream(io.BytesIO(prefix + payload))
    ks.seek(len(prefix))
    return ks


def device(fields: list, subsections: list | None = None, name: str = "test",
           vmsd_name: str | None = None, version: int = 1) -> DescObject:
    """A devices[] entry as savevm.c's vmstate_save writes it."""
    obj: dict = {"name": name, "instance_id": 0, "vmsd_name": vmsd_name or name,
                 "version": version, "fields": fields}
    if subsections is not None:
        obj["subsections"] = subsections
    return load_description_json(json.dumps(obj))


def field(name: str, typ: str, size: int, **extra) -> dict:
    """A field object in vmsd_desc_field_start/end's key order."""
    obj: dict = {"name": name}
    for key in ("array_len", "index"):
        if key in extra:
            obj[key] = extra.pop(key)
    obj["type"] = typ
    obj.update(extra)
    obj["size"] = size
    return obj


def struct_field(name: str, vmsd_name: str, fields: list, size: int, **extra) -> dict:
    return field(name, "struct", size,
                 struct={"vmsd_name": vmsd_name, "version": 1, "fields": fields}, **extra)


def decode(desc, payload: bytes, prefix: bytes = b"", label: str = "test (1)", **kw) -> Node:
    return decode_section(stream(payload, prefix), desc, label, **kw)


# ---------------------------------------------------------------------------------------------
# Primitive types (test-vmstate.c: test_simple_primitive)

SIMPLE_PRIMITIVE_FIELDS = [
    field("b_1", "bool", 1), field("b_2", "bool", 1), field("u8_1", "uint8", 1),
    field("u16_1", "uint16", 2), field("u32_1", "uint32", 4), field("u64_1", "uint64", 8),
    field("i8_1", "int8", 1), field("i8_2", "int8", 1), field("i16_1", "int16", 2),
    field("i16_2", "int16", 2), field("i32_1", "int32", 4), field("i32_2", "int32", 4),
    field("i64_1", "int64", 8), field("i64_2", "int64", 8),
]

wire_simple_primitive = bytes([
    0x01, 0x00, 0x82, 0x02, 0x00, 0x00, 0x01, 0x11, 0x70,
    0x00, 0x00, 0x00, 0x00, 0x00, 0xb8, 0xf4, 0x7c,
    0x41, 0xbf, 0x02, 0x00, 0xfe, 0x00,
    0x00, 0x01, 0x11, 0x70, 0xff, 0xfe, 0xee, 0x90,
    0x00, 0x00, 0x00, 0x00, 0x00, 0xb8, 0xf4, 0x7c,
    0xff, 0xff, 0xff, 0xff, 0xff, 0x47, 0x0b, 0x84,
]) + QEMU_VM_EOF


def test_simple_primitive_values_offsets_and_position():
    ks = stream(wire_simple_primitive, prefix=b"\xaa" * 16)
    node = decode_section(ks, device(SIMPLE_PRIMITIVE_FIELDS), "simple (3)")
    values = {c.name: c.value for c in node.children}
    assert values == {
        "b_1": True, "b_2": False, "u8_1": 130, "u16_1": 512, "u32_1": 70000,
        "u64_1": 12121212, "i8_1": 65, "i8_2": -65, "i16_1": 512, "i16_2": -512,
        "i32_1": 70000, "i32_2": -70000, "i64_1": 12121212, "i64_2": -12121212,
    }
    assert (node.offset, node.size) == (16, len(wire_simple_primitive) - 1)
    assert [c.offset for c in node.children[:6]] == [16, 17, 18, 19, 21, 25]
    assert all(c.index is None for c in node.children)
    # Exactly the payload is consumed: the reader stops before the byte that follows.
    assert ks.pos() == 16 + len(wire_simple_primitive) - 1


def test_simple_primitive_upstream_rendering():
    node = decode(device(SIMPLE_PRIMITIVE_FIELDS), wire_simple_primitive)
    assert to_upstream(node) == {
        "b_1": True, "b_2": False, "u8_1": "0x82", "u16_1": "0x0200",
        "u32_1": "0x00011170", "u64_1": "0x0000000000b8f47c",
        "i8_1": "0x41", "i8_2": "0xbf (-65)", "i16_1": "0x0200", "i16_2": "0xfe00 (-512)",
        "i32_1": "0x00011170", "i32_2": "0xfffeee90 (-70000)",
        "i64_1": "0x0000000000b8f47c", "i64_2": "0xffffffffff470b84 (-12121212)",
    }


def test_check_types_are_big_endian_and_signed_as_analyze_migration_prints_them():
    # "int32 le" is the less-or-equal check, not little-endian; analyze-migration.py reads
    # "uint8 equal"/"uint16 equal"/"int64 equal" with its signed reader.
    fields = [field("a", "int32 le", 4), field("b", "int32 equal", 4),
              field("c", "uint32 equal", 4), field("d", "uint8 equal", 1),
              field("e", "uint16 equal", 2), field("f", "int64 equal", 8)]
    payload = (b"\x00\x00\x00\x05" + b"\xff\xff\xff\xff" + b"\xff\xff\xff\xff" + b"\xff"
               + b"\x80\x00" + b"\xff" * 8)
    node = decode(device(fields), payload)
    assert [c.value for c in node.children] == [5, -1, 0xFFFFFFFF, 0xFF, 0x8000, -1]
    assert to_upstream(node) == {
        "a": "0x00000005", "b": "0xffffffff (-1)", "c": "0xffffffff", "d": "0xff (-1)",
        "e": "0x8000 (-32768)", "f": "0xffffffffffffffff (-1)",
    }


def test_timer_float64_bitmap_buffer_and_unknown_types():
    fields = [field("t", "timer", 8), field("x", "float64", 8), field("y", "CPU_Double_U", 8),
              field("bm", "bitmap", 16), field("buf", "buffer", 3),
              field("gone", "unused_buffer", 2),
              field("cfg", "pci config", 4), field("empty", "buffer", 0)]
    payload = (b"\xff" * 8 + bytes.fromhex("3ff8000000000000") + bytes.fromhex("c000000000000000")
               + (5).to_bytes(8, "big") + (1 << 63).to_bytes(8, "big")
               + b"abc" + b"\0\0" + b"\xde\xad\xbe\xef")
    node = decode(device(fields), payload)
    t, x, y, bm, buf, gone, cfg, empty = node.children
    assert (t.kind, t.value) == ("int", -1)
    assert (x.value, y.value) == (1.5, -2.0)
    assert bm.value == [5, 1 << 63]
    assert (buf.value, gone.value, cfg.kind, cfg.value, empty.value) == (
        b"abc", b"\0\0", "bytes", b"\xde\xad\xbe\xef", b"")
    assert to_upstream(node) == {
        "t": "ff ff ff ff ff ff ff ff", "x": "3f f8 00 00 00 00 00 00",
        "y": "c0 00 00 00 00 00 00 00",
        "bm": "00 00 00 00 00 00 00 05 80 00 00 00 00 00 00 00", "buf": "61 62 63",
        "gone": "00 00", "cfg": "de ad be ef", "empty": "",
    }


# ---------------------------------------------------------------------------------------------
# Arrays (test_simple_array, VMS_ARRAY_OF_POINTER tests)

wire_simple_arr = bytes([0x00, 0x42, 0x00, 0x43, 0x00, 0x44]) + QEMU_VM_EOF


def test_compressed_array_unfolds_with_indices():
    desc = device([field("u16_1", "uint16", 2, array_len=3)])
    node = decode(desc, wire_simple_arr, prefix=b"\0\0")
    assert [(c.label, c.offset, c.value) for c in node.children] == [
        ("u16_1[0]", 2, 0x42), ("u16_1[1]", 4, 0x43), ("u16_1[2]", 6, 0x44)]
    assert to_upstream(node) == {"u16_1": ["0x0042", "0x0043", "0x0044"]}


def test_uncompressed_array_with_index_and_struct_elements():
    # A struct array that cannot be compressed (its VMSD has subsections) is written with
    # "index" per element, each with its own description.
    tst = [field("i", "int32", 4)]
    desc = device([struct_field("ar", "test/tst", tst, 4, index=0),
                   struct_field("ar", "test/tst", tst, 4, index=1)])
    node = decode(desc, b"\0\0\0\x07\xff\xff\xff\xff")
    assert [c.label for c in node.children] == ["ar[0]", "ar[1]"]
    assert to_upstream(node) == {"ar": [{"i": "0x00000007"}, {"i": "0xffffffff (-1)"}]}


TST = [field("i", "int32", 4)]
wire_arr_ptr_no0 = bytes([0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3]) + QEMU_VM_EOF
wire_arr_ptr_0 = bytes([0, 0, 0, 0, 0x30, 0, 0, 0, 2, 0, 0, 0, 3]) + QEMU_VM_EOF


def test_arr_ptr_str_no0_compressed_struct_array():
    desc = device([struct_field("ar", "test/tst", TST, 4, array_len=4)], name="test/arps")
    node = decode(desc, wire_arr_ptr_no0)
    assert to_upstream(node) == {"ar": [{"i": f"0x0000000{i}"} for i in range(4)]}
    assert [c.index for c in node.children] == [0, 1, 2, 3]


def test_arr_ptr_str_0_null_runs_since_qemu_10():
    # QEMU 10.0 splits an array of pointers into runs of NULL / non-NULL elements, all with
    # the same name; analyze-migration.py merges them back into one list.
    desc = device([struct_field("ar", "test/tst", TST, 4), field("ar", "nullptr", 1),
                   struct_field("ar", "test/tst", TST, 4, array_len=2)], name="test/arps")
    node = decode(desc, wire_arr_ptr_0)
    assert [(c.label, c.kind) for c in node.children] == [
        ("ar[0]", "struct"), ("ar[1]", "nullptr"), ("ar[2]", "struct"), ("ar[3]", "struct")]
    assert to_upstream(node) == {
        "ar": [{"i": "0x00000000"}, "nullptr", {"i": "0x00000002"}, {"i": "0x00000003"}]}


def test_arr_ptr_prim_0_null_run_of_primitives():
    desc = device([field("ar", "int32", 4), field("ar", "nullptr", 1),
                   field("ar", "int32", 4, array_len=2)], name="test/arps")
    node = decode(desc, wire_arr_ptr_0)
    assert to_upstream(node) == {"ar": ["0x00000000", "nullptr", "0x00000002", "0x00000003"]}


def test_null_pointer_marker_must_be_ascii_zero():
    desc = device([field("ar", "nullptr", 1)])
    with pytest.raises(FormatError) as exc:
        decode(desc, b"\x00", prefix=b"\x01\x02")
    assert exc.value.offset == 2
    assert "0x30" in str(exc.value)


def test_legacy_null_struct_array_before_qemu_10():
    # QEMU < 10.0 described a NULL element by the field itself: "struct": {} with size 1 (as
    # in the s390_css "css" array). A run of NULLs decodes; analyze-migration.py cannot.
    desc = device([field("css", "struct", 1, array_len=3, struct={})])
    node = decode(desc, b"000")
    assert [c.kind for c in node.children] == ["nullptr"] * 3
    assert to_upstream(node) == {"css": ["nullptr"] * 3}


def test_legacy_null_struct_array_hiding_a_real_element_is_reported():
    desc = device([field("css", "struct", 1, array_len=3, struct={})])
    with pytest.raises(DescriptionError) as exc:
        decode(desc, b"0\x01\x02\x03")
    assert exc.value.offset == 1
    assert exc.value.field == "css[1]"
    assert [c.kind for c in exc.value.partial.children] == ["nullptr"]


def test_legacy_null_primitive_typed_with_its_element_type():
    desc = device([field("ar", "uint64", 1)])
    node = decode(desc, b"0")
    assert node.children[0].kind == "nullptr"
    assert to_upstream(node) == {"ar": "0x30"}  # analyze-migration.py reads 1 byte as an int


def test_one_element_run_stays_scalar_and_two_make_a_list():
    # analyze-migration.py stores the first value of a name as is and only turns it into a
    # list on the second one.
    desc = device([field("a", "uint8", 1), field("b", "uint8", 1), field("b", "uint8", 1)])
    assert to_upstream(decode(desc, b"\x01\x02\x03")) == {"a": "0x01", "b": ["0x02", "0x03"]}


# ---------------------------------------------------------------------------------------------
# Structs and subsections

def sub_header(name: str, version: int = 1) -> bytes:
    raw = name.encode()
    return b"\x05" + bytes([len(raw)]) + raw + version.to_bytes(4, "big")


def test_struct_with_nested_struct_and_subsection_in_struct():
    inner = {"vmsd_name": "inner", "version": 2,
             "fields": [field("x", "uint16", 2)],
             "subsections": [{"vmsd_name": "inner/extra", "version": 3,
                              "fields": [field("y", "uint8", 1)]}]}
    size = 2 + len(sub_header("inner/extra")) + 1
    desc = device([field("s", "struct", size, struct=inner), field("z", "uint8", 1)])
    payload = b"\x12\x34" + sub_header("inner/extra", 3) + b"\x56" + b"\x78"
    node = decode(desc, payload)
    s = node.child("s")
    assert (s.kind, s.vmsd_name, s.version, s.size) == ("struct", "inner", 2, size)
    assert s.children[1].kind == "subsection"
    assert (s.children[1].offset, s.children[1].version) == (2, 3)
    assert to_upstream(node) == {"s": {"x": "0x1234", "inner/extra": {"y": "0x56"}}, "z": "0x78"}


def test_section_subsections_nested_and_in_order():
    subs = [{"vmsd_name": "test/a", "version": 1, "fields": [field("a", "uint8", 1)],
             "subsections": [{"vmsd_name": "test/a/deep", "version": 1,
                              "fields": [field("d", "bool", 1)]}]},
            {"vmsd_name": "test/b", "version": 4, "fields": []}]
    payload = (b"\x09" + sub_header("test/a") + b"\x01" + sub_header("test/a/deep") + b"\x01"
               + sub_header("test/b", 4))
    ks = stream(payload + b"\x7e")
    node = decode_section(ks, device([field("v", "uint8", 1)], subs), "test (1)")
    assert to_upstream(node) == {"v": "0x09", "test/a": {"a": "0x01", "test/a/deep": {"d": True}},
                               "test/b": {}}
    assert ks.pos() == len(payload)
    labels = [n.label for _, n in node.walk()]
    assert labels == ["test (1)", "v", "test/a", "a", "test/a/deep", "d", "test/b"]


def test_subsection_missing_from_payload():
    subs = [{"vmsd_name": "test/a", "version": 1, "fields": []}]
    with pytest.raises(DescriptionError) as exc:
        decode(device([field("v", "uint8", 1)], subs), b"\x01\x7e\x00\x00\x00\x01")
    assert str(exc.value) == ("expected subsection 'test/a' (0x05), found 0x7e at offset 0x1 "
                              "(section test (1), field test/a)")


def test_subsection_name_and_version_are_checked():
    subs = [{"vmsd_name": "test/a", "version": 1, "fields": []}]
    with pytest.raises(DescriptionError, match="expected subsection 'test/a', found 'test/b'"):
        decode(device([], subs), sub_header("test/b"))
    with pytest.raises(DescriptionError, match="version 2, description says 1"):
        decode(device([], subs), sub_header("test/a", 2))


def test_subsection_the_description_does_not_list():
    # QEMU's loader takes 0x05 + a name starting with the vmsd name for a subsection.
    with pytest.raises(DescriptionError, match="subsection 'test/new'.*does not list"):
        decode(device([field("v", "uint8", 1)]), b"\x01" + sub_header("test/new"))
    # Other data after the payload (a footer, or a 0x05 that is no subsection) is left alone.
    assert decode(device([field("v", "uint8", 1)]), b"\x01\x05\x02ab").size == 1


def test_struct_size_must_match_description():
    desc = device([struct_field("s", "tst", TST, 5)])
    with pytest.raises(DescriptionError, match="took 4 bytes, description says 5"):
        decode(desc, b"\0\0\0\0\0")


def test_section_version_is_checked():
    with pytest.raises(DescriptionError, match="version 2, description says 1"):
        decode(device([]), b"", version=2)
    assert decode(device([]), b"", version=1).size == 0


def test_old_style_section_is_one_buffer():
    # vmstate_save_old_style: no vmsd_name/version, the total size, one "data" buffer.
    desc = load_description_json(json.dumps({
        "name": "slirp", "instance_id": 0, "size": 3,
        "fields": [{"name": "data", "size": 3, "type": "buffer"}]}))
    node = decode(desc, b"\x01\x02\x03")
    assert (node.type, to_upstream(node)) == ("old-style", {"data": "01 02 03"})


# ---------------------------------------------------------------------------------------------
# tmp / vstruct (test_tmp_struct)

def test_tmp_struct_inline_description():
    tmp = {"name": "tmp", "type": "tmp", "vmsd_name": "test/tmp_child", "version": 0,
           "fields": [field("diff", "int64", 8),
                      field("parent", "struct", 8, struct={
                          "vmsd_name": "test/tmp_child_parent", "version": 0,
                          "fields": [field("f", "uint64", 8)]})],
           "size": 16}
    desc = device([field("a", "uint32", 4), field("d", "uint64", 8), tmp],
                  name="test/with_tmp")
    wire_with_tmp = bytes([0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2,
                           0, 0, 0, 0, 0, 0, 0, 8]) + QEMU_VM_EOF
    node = decode(desc, wire_with_tmp)
    t = node.child("tmp")
    assert (t.kind, t.vmsd_name, t.offset, t.size) == ("struct", "test/tmp_child", 12, 16)
    assert t.child("diff").value == 2
    assert t.child("parent").child("f").value == 8
    # analyze-migration.py has no reader for "tmp": it prints the bytes.
    assert to_upstream(node)["tmp"] == "00 00 00 00 00 00 00 02 00 00 00 00 00 00 00 08"


def test_vstruct_inline_description():
    vs = {"name": "v", "type": "vstruct", "vmsd_name": "vs", "version": 3,
          "fields": [field("x", "uint8", 1)], "size": 1}
    node = decode(device([vs]), b"\x2a")
    assert node.child("v").child("x").value == 42
    assert to_upstream(node) == {"v": "2a"}


# ---------------------------------------------------------------------------------------------
# QTAILQ / QLIST / GTREE: the element description repeats once per element

QTAILQ_DESC_TEXT = """{"name": "test/queue", "instance_id": 0, "vmsd_name": "test/queue",
 "version": 1, "fields": [
  {"name": "i16", "type": "int16", "size": 2},
  {"name": "q", "type": "qtailq",
   "vmsd_name": "test/queue-element", "version": 1, "fields": [
     {"name": "b", "type": "bool", "size": 1}, {"name": "u8", "type": "uint8", "size": 1}],
   "vmsd_name": "test/queue-element", "version": 1, "fields": [
     {"name": "b", "type": "bool", "size": 1}, {"name": "u8", "type": "uint8", "size": 1}],
   "size": 7},
  {"name": "i32", "type": "int32", "size": 4}]}"""

wire_q = bytes([0xfe, 0x00, 0x01, 0x01, 0x82, 0x01, 0x00, 0x41, 0x00,
                0x00, 0x01, 0x11, 0x70]) + QEMU_VM_EOF


def test_qtailq_with_duplicate_keys():
    desc = load_description_json(QTAILQ_DESC_TEXT)
    q_desc = desc["fields"][1]
    assert isinstance(q_desc, DescObject)
    assert len(q_desc.getall("fields")) == 2
    node = decode(desc, wire_q)
    q = node.child("q")
    assert (q.kind, q.value, q.offset, q.size) == ("list", 2, 2, 7)
    assert [[(c.name, c.value) for c in e.children] for e in q.children] == [
        [("b", True), ("u8", 130)], [("b", False), ("u8", 65)]]
    assert [e.offset for e in q.children] == [2, 5]
    assert node.child("i32").value == 70000
    assert to_upstream(node) == {"i16": "0xfe00 (-512)", "q": "01 01 82 01 00 41 00",
                               "i32": "0x00011170"}


def test_duplicate_keys_dump_like_analyze_migration():
    # analyze-migration.py's OrderedDict hook keeps the last value at the first key's place;
    # json.dumps of the loaded description prints the same.
    desc = load_description_json('{"a": 1, "b": 2, "a": 3}')
    assert json.dumps(desc) == '{"a": 3, "b": 2}'
    assert desc.pairs == (("a", 1), ("b", 2), ("a", 3))


def test_qtailq_element_count_must_match_description():
    desc = load_description_json(QTAILQ_DESC_TEXT)
    three = bytes([0xfe, 0x00, 1, 1, 0x82, 1, 0, 0x41, 1, 0, 0, 0, 0, 0, 0, 0])
    with pytest.raises(DescriptionError, match="more elements than the description"):
        decode(desc, three)
    one = bytes([0xfe, 0x00, 1, 1, 0x82, 0, 0, 0, 0, 0])
    with pytest.raises(DescriptionError, match="has 1 elements, the description 2"):
        decode(desc, one)


def test_qtailq_bad_marker():
    desc = load_description_json(QTAILQ_DESC_TEXT)
    with pytest.raises(FormatError, match="marker 0 or 1, found 0x02") as exc:
        decode(desc, bytes([0xfe, 0x00, 0x02]))
    assert exc.value.offset == 2


def test_empty_qtailq_has_no_element_description():
    desc = device([field("pending_crws", "qtailq", 1)])
    node = decode(desc, b"\x00")
    assert node.child("pending_crws").value == 0
    assert to_upstream(node) == {"pending_crws": "00"}


qlist_dump = bytes([0x00, 0x00, 0x00, 0x01, 0x1, 0x00, 0x00, 0x00, 0x0a, 0x1, 0x00, 0x00, 0x0b,
                    0x00, 0x1, 0x00, 0x0c, 0x00, 0x00, 0x1, 0x0d, 0x00, 0x00, 0x00, 0x0]) \
    + QEMU_VM_EOF


def test_qlist():
    element = '"vmsd_name": "test/queue list", "version": 1, ' \
              '"fields": [{"name": "id", "type": "uint32", "size": 4}]'
    text = ('{"name": "test/container/qlist", "instance_id": 0, '
            '"vmsd_name": "test/container/qlist", "version": 1, "fields": ['
            '{"name": "id", "type": "uint32", "size": 4}, '
            '{"name": "list", "type": "qlist", ' + ", ".join([element] * 4) + ', "size": 21}]}')
    node = decode(load_description_json(text), qlist_dump)
    lst = node.child("list")
    assert [e.child("id").value for e in lst.children] == [0x0a, 0x0b00, 0xc0000, 0xd000000]
    assert lst.size == 21


def gtree_text(name: str, groups: list[str], size: int) -> str:
    return f'{{"name": "{name}", "type": "gtree", ' + ", ".join(groups) + f', "size": {size}}}'


INTERVAL = ('"vmsd_name": "interval", "version": 1, "fields": ['
            '{"name": "low", "type": "uint64", "size": 8}, '
            '{"name": "high", "type": "uint64", "size": 8}]')
MAPPING = ('"vmsd_name": "mapping", "version": 1, "fields": ['
           '{"name": "phys_addr", "type": "uint64", "size": 8}, '
           '{"name": "flags", "type": "uint32", "size": 4}]')

first_domain_dump = bytes([
    0x00, 0x0, 0x0, 0x6, 0x00, 0x0, 0x0, 0x2, 0x1,
    0, 0, 0, 0, 0, 0, 0x10, 0x00, 0, 0, 0, 0, 0, 0, 0x1F, 0xFF,
    0, 0, 0, 0, 0, 0, 0xa0, 0x00, 0, 0, 0, 0x01, 0x1,
    0, 0, 0, 0, 0, 0, 0x40, 0x00, 0, 0, 0, 0, 0, 0, 0x4F, 0xFF,
    0, 0, 0, 0, 0, 0x0e, 0x00, 0x00, 0, 0, 0, 0x02, 0x0,
]) + QEMU_VM_EOF


def domain_text(nodes: int) -> str:
    mappings = gtree_text("mappings", [INTERVAL, MAPPING] * nodes, 4 + 29 * nodes + 1)
    return ('"vmsd_name": "domain", "version": 1, "fields": ['
            '{"name": "id", "type": "int32", "size": 4}, ' + mappings + ']')


def test_gtree_with_key_descriptions():
    text = '{"name": "domain", "instance_id": 0, ' + domain_text(2) + "}"
    node = decode(load_description_json(text), first_domain_dump)
    tree = node.child("mappings")
    assert (tree.kind, tree.value, tree.size) == ("tree", 2, 63)
    key, value = tree.children[1].children
    assert (key.kind, key.child("low").value, key.child("high").value) == ("key", 0x4000, 0x4FFF)
    assert (value.child("phys_addr").value, value.child("flags").value) == (0xE0000, 2)
    assert to_upstream(node)["mappings"].startswith("00 00 00 02 01 00 00")


iommu_dump = bytes([
    0x00, 0x0, 0x0, 0x7, 0x00, 0x0, 0x0, 0x2,
    0x1, 0, 0, 0, 0, 0, 0, 0, 0x5, 0, 0, 0, 0x5, 0, 0, 0, 0x1, 0x1,
    0, 0, 0, 0, 0x01, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xFF, 0xFF, 0xFF,
    0, 0, 0, 0, 0x0F, 0, 0, 0, 0, 0, 0, 0x3, 0x0,
    0x1, 0, 0, 0, 0, 0, 0, 0, 0x6, 0, 0, 0, 0x6, 0, 0, 0, 0x2, 0x1,
    0, 0, 0, 0, 0, 0, 0x10, 0x00, 0, 0, 0, 0, 0, 0, 0x1F, 0xFF,
    0, 0, 0, 0, 0, 0, 0xa0, 0x00, 0, 0, 0, 0x01, 0x1,
    0, 0, 0, 0, 0, 0, 0x40, 0x00, 0, 0, 0, 0, 0, 0, 0x4F, 0xFF,
    0, 0, 0, 0, 0, 0x0e, 0x00, 0x00, 0, 0, 0, 0x02, 0x0,
    0x0,
]) + QEMU_VM_EOF


def test_gtree_with_direct_keys_and_nested_gtrees():
    domains = gtree_text("domains", [domain_text(1), domain_text(2)], len(iommu_dump) - 1 - 4)
    text = ('{"name": "iommu", "instance_id": 0, "vmsd_name": "iommu", "version": 1, '
            '"fields": [{"name": "id", "type": "int32", "size": 4}, ' + domains + ']}')
    ks = stream(iommu_dump)
    node = decode_section(ks, load_description_json(text), "iommu (9)")
    assert ks.pos() == len(iommu_dump) - 1
    tree = node.child("domains")
    keys = [e.child("key").value for e in tree.children]
    assert keys == [5, 6]
    second = tree.children[1].child("value")
    assert second.child("id").value == 6
    assert second.child("mappings").value == 2


def test_gtree_node_count_must_match_markers():
    text = '{"name": "domain", "instance_id": 0, ' + domain_text(2) + "}"
    bad = bytearray(first_domain_dump)
    bad[7] = 3  # count says 3, two nodes follow
    with pytest.raises(DescriptionError, match="3 nodes, the description 4 entries"):
        decode(load_description_json(text), bytes(bad))


# ---------------------------------------------------------------------------------------------
# Truncation and hostile descriptions

def test_truncated_inside_a_field_reports_where():
    desc = device(SIMPLE_PRIMITIVE_FIELDS, name="simple")
    cut = wire_simple_primitive[:30]  # inside i32_2, which starts at 27
    with pytest.raises(TruncatedError) as exc:
        decode(desc, cut, prefix=b"\0" * 0x100, label="simple (3)")
    err = exc.value
    assert isinstance(err, FormatError) and isinstance(err, MigkaitaiError)
    assert (err.offset, err.end, err.needed, err.section, err.field) == (
        0x100 + 27, 0x100 + 30, 4, "simple (3)", "i32_2")
    assert str(err) == ("stream ends at 0x11e inside int32 'i32_2' (needs 4 bytes) at offset "
                        "0x11b (section simple (3), field i32_2)")
    # What was decoded before the fault is kept.
    partial = err.partial
    assert [c.name for c in partial.children][-1] == "i32_1"
    assert partial.size == 27 and all(c.index is None for c in partial.children)


@pytest.mark.parametrize("cut", [0, 1, 5, 12, len(wire_q) - 2])
def test_truncated_qtailq_at_any_point(cut):
    # Mirrors test-vmstate.c's load_vmstate: shortened wires must fail, never misread.
    with pytest.raises(TruncatedError):
        decode(load_description_json(QTAILQ_DESC_TEXT), wire_q[:cut])


def test_truncated_nested_struct_keeps_partial_sizes():
    desc = device([struct_field("s", "inner", [field("a", "uint32", 4), field("b", "uint32", 4)],
                                8)])
    with pytest.raises(TruncatedError) as exc:
        decode(desc, b"\0\0\0\1\0\0")
    assert exc.value.field == "s/b"
    s = exc.value.partial.child("s")
    assert (s.size, [c.name for c in s.children]) == (4, ["a"])


def test_truncated_subsection_header():
    subs = [{"vmsd_name": "test/a", "version": 1, "fields": []}]
    with pytest.raises(TruncatedError, match="subsection 'test/a' name"):
        decode(device([], subs), b"\x05\x06tes")


@pytest.mark.parametrize("size", [1 << 62, 10**30])
def test_huge_size_fails_before_reading(size):
    desc = device([field("blob", "buffer", size)])
    with pytest.raises(TruncatedError) as exc:
        decode(desc, b"\0" * 16)
    assert exc.value.needed == size and exc.value.offset == 0
    assert "needs" in str(exc.value)


def test_huge_array_len_fails_before_looping():
    with pytest.raises(TruncatedError):
        decode(device([field("a", "uint8", 1, array_len=10**12)]), b"\0" * 8)
    with pytest.raises(DescriptionError, match="implausible"):
        decode(device([field("a", "buffer", 0, array_len=10**12)]), b"")


@pytest.mark.parametrize("bad", [
    {"name": "x", "type": "uint8", "size": -1},
    {"name": "x", "type": "uint8", "size": "1"},
    {"name": "x", "type": "uint8", "size": True},
    {"name": "x", "type": "uint8"},
    {"name": "x", "size": 1},
    {"type": "uint8", "size": 1},
    {"name": "x", "array_len": -2, "type": "uint8", "size": 1},
    {"name": "x", "array_len": 2.5, "type": "uint8", "size": 1},
    {"name": "x", "type": "uint32", "size": 2},
    {"name": "x", "type": "bool", "size": 2},
    {"name": "x", "type": "bitmap", "size": 7},
    {"name": "x", "type": "struct", "size": 1},
    {"name": "x", "type": "struct", "struct": {"vmsd_name": "s"}, "size": 0},
    {"name": "x", "type": "tmp", "size": 0},
    "not an object",
])
def test_malformed_field_descriptions(bad):
    with pytest.raises(DescriptionError):
        decode(device([bad]), b"\0" * 16)


def test_malformed_section_descriptions():
    with pytest.raises(DescriptionError):
        decode_section(stream(b""), ["not", "an", "object"], "x (1)")  # type: ignore[arg-type]
    with pytest.raises(DescriptionError, match="no 'fields' list"):
        decode_section(stream(b""), load_description_json('{"name": "x"}'), "x (1)")
    with pytest.raises(DescriptionError, match="'subsections' of"):
        decode(load_description_json('{"fields": [], "subsections": {}}'), b"")


def test_deep_nesting_is_refused():
    inner: dict = {"vmsd_name": "leaf", "version": 1, "fields": []}
    for _ in range(200):
        inner = {"vmsd_name": "n", "version": 1,
                 "fields": [{"name": "s", "type": "struct", "struct": inner, "size": 0}]}
    with pytest.raises(DescriptionError, match="nests deeper"):
        decode(load_description_json(json.dumps(inner)), b"")


def test_invalid_json_description():
    with pytest.raises(DescriptionError) as exc:
        load_description_json('{"page_size": 4096, "devices": [', offset=0x1000)
    assert exc.value.offset == 0x1000 + 32
    with pytest.raises(DescriptionError):
        load_description_json(b"\xff\xfe{}")
    with pytest.raises(DescriptionError):
        load_description_json('{"a": NaN}')
    with pytest.raises(DescriptionError):
        load_description_json("[" * 100000 + "]" * 100000)


def test_description_is_never_mutated():
    desc = load_description_json(QTAILQ_DESC_TEXT)
    before = copy.deepcopy(desc)
    decode(desc, wire_q)
    decode(desc, wire_q)
    assert desc == before and desc["fields"][1].pairs == before["fields"][1].pairs
    with pytest.raises(TypeError):
        desc["fields"] = []
    with pytest.raises(TypeError):
        desc.pop("fields")
    assert pickle.loads(pickle.dumps(desc)).pairs == desc.pairs


# ---------------------------------------------------------------------------------------------
# Configuration section (savevm.c vmstate_configuration)

def test_section_key_and_ram_sizes():
    assert section_key("cpu", 3) == "cpu (3)"
    assert ram_section_sizes([("pc.ram", 64 << 20), ("pc.bios", 0x40000),
                                     ("pc.ram", 1)]) == {
        "section sizes": {"pc.ram": "0x0000000000000001", "pc.bios": "0x0000000000040000"}}


def test_devices_by_key_last_entry_wins():
    desc = load_description_json(json.dumps({"page_size": 4096, "devices": [
        {"name": "a", "instance_id": 0, "fields": [], "tag": 1},
        {"name": "a", "instance_id": 1, "fields": [], "tag": 2},
        {"name": "a", "instance_id": 0, "fields": [], "tag": 3}]}))
    table = devices_by_key(desc)
    assert {k: v["tag"] for k, v in table.items()} == {("a", 0): 3, ("a", 1): 2}
    with pytest.raises(DescriptionError):
        devices_by_key(load_description_json('{"devices": {}}'))


def test_error_tree_and_messages():
    assert issubclass(TruncatedError, FormatError)
    assert issubclass(DescriptionError, FormatError)
    assert issubclass(UsageError, MigkaitaiError) and not issubclass(UsageError, FormatError)
    assert str(FormatError("bad magic")) == "bad magic"
    assert str(FormatError("bad magic", offset=0)) == "bad magic at offset 0x0"
    assert str(FormatError("x", section="ram (2)")) == "x (section ram (2))"
    err = pickle.loads(pickle.dumps(TruncatedError("t", end=4, needed=2, offset=2, field="f")))
    assert (err.end, err.needed, str(err)) == (4, 2, "t at offset 0x2 (field f)")


@pytest.mark.parametrize("name", ["x86/pc-nodefaults-64m", "other/aarch64-virt-max-gicv3-smp2",
                                  "other/ppc64-pseries-default"])
def test_subsection_headers_read_as_the_grammar_reads_them(name):
    """The decoder reads subsection headers itself (see _Decoder.subsection): on every
    subsection of real streams, the generated configuration_subsection_body reads the
    same name and version there, and ends where the subsection's fields start."""
    path = corpus.stream_file(name)
    data = path.read_bytes()
    seen = 0
    with migkaitai.open(str(path)) as m:
        for dev in m.load().devices:
            for _, node in dev.node.walk():
                if node.kind != "subsection":
                    continue
                ks = KaitaiStream(io.BytesIO(data))
                ks.seek(node.offset)
                body = QemuMigration.ConfigurationSubsectionBody(_io=ks)
                assert (body.name, body.version_id) == (node.name, node.version)
                assert ks.pos() == node.offset + 2 + len(node.name) + 4
                if node.children:
                    assert node.children[0].offset == ks.pos()
                seen += 1
    assert seen >= 5
