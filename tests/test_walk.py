"""The walk (migkaitai.walk): records by kind, PACKAGED nesting without recursion, the
page size and stream start rules shared with the grammar (proven equal to the generated
top-level type on every framed corpus stream in test_grammar.check_framing)."""
from __future__ import annotations

import io

import pytest
from kaitaistruct import KaitaiStream

import migkaitai
from migkaitai.api import find_stream_start
from migkaitai.errors import FormatError
from migkaitai.ram import RamTracker
from migkaitai.walk import MAX_PACKAGED_DEPTH, Walker

import corpus

HEADER = b"QEVM\x00\x00\x00\x03"
EOF_RECORD = b"\x00"


def packaged(inner: bytes) -> bytes:
    """MIG_CMD_PACKAGED (savevm.c qemu_savevm_send_packaged): be16 7, be16 4, be32 N,
    then the N bytes of the nested stream, outside the command's length."""
    return b"\x08" + (7).to_bytes(2, "big") + (4).to_bytes(2, "big") + \
        len(inner).to_bytes(4, "big") + inner


def walk(data: bytes) -> list:
    w = Walker(KaitaiStream(io.BytesIO(data)), 0, None, 4096, RamTracker(4096))
    return list(w.records())


def test_packaged_nesting_is_walked_without_recursion():
    inner = b""
    for _ in range(MAX_PACKAGED_DEPTH):
        inner = packaged(inner)
    recs = walk(HEADER + inner + EOF_RECORD)
    assert [r.depth for r in recs if r.kind == "command"] == list(range(MAX_PACKAGED_DEPTH))
    assert recs[-1].kind == "eof" and recs[-1].depth == 0


def test_packaged_nested_too_deep_is_an_error_not_a_crash():
    inner = b""
    for _ in range(1000):
        inner = packaged(inner)
    with pytest.raises(FormatError) as e:
        walk(HEADER + inner + EOF_RECORD)
    assert str(e.value) == (f"PACKAGED commands nested more than {MAX_PACKAGED_DEPTH} deep at "
                            f"offset 0x{8 + 9 * MAX_PACKAGED_DEPTH:x}")


def test_postcopy_packaged_records_and_depths():
    """pc-postcopy-run: the PACKAGED command holds LISTEN, the device sections, PING, RUN
    (migration.c postcopy_start); they come at depth 1, in place."""
    with migkaitai.open(str(corpus.stream_file("x86/pc-postcopy-run-release-ram"))) as m:
        recs = list(m.records())
    i = next(i for i, r in enumerate(recs) if r.kind == "command"
             and r.head.command.command_type_raw == 7)
    nested = [r for r in recs[i + 1:] if r.depth == 1]
    cmds = [r.head.command.command_type.name for r in nested if r.kind == "command"]
    assert cmds[0] == "postcopy_listen" and cmds[-1] == "postcopy_run"
    assert any(r.kind == "section_full" for r in nested)
    assert recs[-1].kind == "eof" and recs[-1].depth == 0


@pytest.mark.parametrize("before, found", [
    (bytes(0x10000), 0x10000),  # migrate file:...,offset=64K into a new file: zeros
    (b"Q" + bytes(0x1FFF), 0x2000),  # a 'Q' before: the grammar's rule fails, aligned scan
    (b"junkjunk", None),  # not aligned, after bytes with no 'Q': the grammar's rule
])
def test_stream_start(before, found):
    data = before + HEADER + EOF_RECORD
    f = io.BytesIO(data)
    at = find_stream_start(f, len(data))
    assert at == (len(before) if found is None else found)


def full_section(section_id: int, name: bytes, payload: bytes = b"\x01") -> bytes:
    """SECTION_FULL (savevm.c save_section_header) with its payload and footer."""
    sid = section_id.to_bytes(4, "big")
    return (b"\x04" + sid + bytes([len(name)]) + name + bytes(4) + (1).to_bytes(4, "big")
            + payload + b"\x7e" + sid)


def test_sections_are_bounded(monkeypatch):
    """Each distinct section costs memory while the walk goes: a stream may open at most
    MAX_SECTIONS (QEMU: hundreds); the same id sent again costs nothing more."""
    import migkaitai.walk

    monkeypatch.setattr(migkaitai.walk, "MAX_SECTIONS", 100)
    again = b"".join(full_section(1 + i % 100, b"dev") for i in range(1000))
    assert len(walk(HEADER + again + EOF_RECORD)) == 2 * 1000 + 1
    many = b"".join(full_section(1 + i, b"dev") for i in range(101))
    with pytest.raises(FormatError) as e:
        walk(HEADER + many + EOF_RECORD)
    assert str(e.value) == (f"more than 100 sections (QEMU opens one per device instance: "
                            f"hundreds) at offset 0x{8 + 100 * len(full_section(1, b'dev')):x}")
