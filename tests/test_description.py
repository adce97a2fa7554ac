"""Finding the JSON description by its validated marker (DESIGN.md §1), in the cases where
analyze-migration.py's "last NUL, then first '{'" rule fails."""
from __future__ import annotations

import io
import json

import pytest

from migkaitai.cli import main
from migkaitai.description import find_description
from migkaitai.errors import DescriptionError

import corpus

BASE = "x86/pc-nodefaults-64m"


def split_stream(name: str) -> tuple[bytes, bytes]:
    """(records up to and including EOF, JSON text) of a real stream."""
    data = corpus.stream_file(name).read_bytes()
    with open(corpus.stream_file(name), "rb") as f:
        d = find_description(f, len(data))
    assert d is not None and d.end == len(data)
    return data[:d.offset], data[d.offset + 5:d.end]


def with_json(body: bytes, text: bytes, tail: bytes = b"") -> bytes:
    return body + b"\x06" + len(text).to_bytes(4, "big") + text + tail


def run(path, *args) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    rc = main([str(path), *map(str, args)], stdout=out, stderr=err)
    return rc, out.getvalue(), err.getvalue()


@pytest.mark.slow
def test_found_in_every_stream_that_has_one():
    for name in corpus.valid_streams():
        path = corpus.stream_file(name)
        with open(path, "rb") as f:
            d = find_description(f, path.stat().st_size)
        gold = corpus.golden(name, "desc")
        if gold is not None:
            assert d is not None and d.doc == gold, name


def test_padding_and_false_markers_after_the_json(tmp_path):
    body, text = split_stream(BASE)
    # a container's padding with a fake "EOF, 0x06, length, {" in it
    tail = b"\x00" * 4096 + b"\x00\x06\x00\x00\x00\x10{not json at all" + b"\x00" * 100
    p = tmp_path / "padded.mig"
    p.write_bytes(with_json(body, text, tail))
    with open(p, "rb") as f:
        d = find_description(f, p.stat().st_size)
    assert d.offset == len(body) and d.length == len(text)
    rc, out, err = run(p)
    assert rc == 0, err
    assert json.loads(out) == corpus.golden(BASE, "state")


def test_brace_between_last_nul_and_the_marker(tmp_path):
    """A length whose bytes are 00 7b 7b 7b: the anchor's "first '{' after the last NUL"
    lands inside the length field."""
    body, text = split_stream(BASE)
    target = 0x7B7B7B
    padded = text[:1] + b" " * (target - len(text)) + text[1:]
    assert len(padded) == target
    p = tmp_path / "brace.mig"
    p.write_bytes(with_json(body, padded))
    rc, out, err = run(p, "-d", "desc")
    assert rc == 0, err
    assert json.loads(out) == corpus.golden(BASE, "desc")


def test_description_over_10_mb(tmp_path):
    """analyze-migration.py looks at the last 10 MB only; here a description of 11 MB is
    found (read when --desc-max allows it: 16 MiB by default)."""
    body, text = split_stream(BASE)
    big = text[:1] + b"\n" * (17 << 20) + text[1:]
    p = tmp_path / "big.mig"
    p.write_bytes(with_json(body, big))
    rc, out, err = run(p, "--desc-max", "32M")
    assert rc == 0, err
    assert json.loads(out) == corpus.golden(BASE, "state")


def test_no_description(tmp_path):
    """-machine suppress-vmdesc=on: no JSON; exit 0, raw device payloads, one note."""
    name = "x86/pc-suppress-vmdesc"
    path = corpus.stream_file(name)
    with open(path, "rb") as f:
        assert find_description(f, path.stat().st_size) is None
    rc, out, err = run(path)
    assert rc == 0
    state = json.loads(out)
    assert state["ram (2)"]["section sizes"]["pc.ram"] == "0x0000000004000000"
    # timer: be64 cpu_ticks_offset, 8 unused bytes, be64 cpu_clock_offset
    assert state["timer (0)"] == {"raw payload": " ".join(["00"] * 24)}
    assert err.count("\n") == 1 and err.startswith("migkaitai: note: the stream has no JSON")
    rc, _, err = run(path, "-d", "desc")
    assert rc == 1 and "no JSON description" in err


def test_external_description_decodes_a_stream_without_one(tmp_path):
    """--desc with the desc.json of the same QEMU and machine type (pc-nodefaults-64m)."""
    desc = tmp_path / "desc.json"
    desc.write_text(json.dumps(corpus.golden(BASE, "desc")))
    rc, out, err = run(corpus.stream_file("x86/pc-suppress-vmdesc"), "--desc", desc)
    assert rc == 0, err
    state = json.loads(out)
    assert state["cpu (5)"]["env.eip"] == "0x000000000000fff0"
    assert set(state) == set(corpus.golden(BASE, "state"))


def test_a_description_over_the_limit_is_not_read(tmp_path):
    """--desc-max: a larger description is not parsed; the records are decoded without it
    (devices raw), then it is the error, at its marker."""
    path = corpus.stream_file("x86/pc-nodefaults-64m")
    with open(path, "rb") as f:
        desc = find_description(f, path.stat().st_size)
    assert desc is not None and desc.length == 98649
    out, err = io.StringIO(), io.StringIO()
    rc = main(["--desc-max", "64K", str(path)], stdout=out, stderr=err)
    assert rc == 1
    assert err.getvalue() == (f"migkaitai: error: the VMDESCRIPTION is 98649 bytes, more than "
                              f"the 65536 read (--desc-max) at offset 0x{desc.offset:x}\n")
    state = json.loads(out.getvalue())
    assert "raw payload" in state["cpu (5)"]  # decoded without the description
    out = io.StringIO()
    assert main(["--desc-max", "1M", str(path)], stdout=out, stderr=io.StringIO()) == 0
    assert json.loads(out.getvalue())["cpu (5)"]["env.eip"] == "0x000000000000fff0"


def test_devices_of_one_kind_share_their_parsed_entry():
    """A description with many devices that differ only in their names (a real entry
    repeated under other names, like 600 AHCI controllers) is parsed into the same objects
    as json's parser gives, with the entries' contents shared, not copied; a fault inside
    an entry names its offset."""
    from migkaitai.vmsd import DescObject, load_description_json

    _, text = split_stream(BASE)
    doc = json.loads(text)
    entry = next(d for d in doc["devices"] if d["name"].endswith("/I440FX"))
    copies = [dict(entry, name=f"0000:01:{i:02x}.0/I440FX") for i in range(40)]
    doc["devices"] += copies
    big = json.dumps(doc).encode()
    got = load_description_json(big)
    assert got == json.loads(big, object_pairs_hook=DescObject)
    mine = [d for d in got["devices"] if d["name"].startswith("0000:01:")]
    assert [d["name"] for d in mine] == [c["name"] for c in copies]
    assert all(d["fields"] is mine[0]["fields"] for d in mine)
    assert mine[0]["fields"][0]["name"] == "parent_obj"
    at = big.index(b'"0000:01:07.0/I440FX"')
    bad = big[:at] + b"[" + big[at + 1:]
    with pytest.raises(DescriptionError) as e:
        load_description_json(bad, offset=0x1000)
    assert 0x1000 + at <= e.value.offset <= 0x1000 + at + 4  # (json's: after "[0")


def test_desc_is_the_text_as_qemu_wrote_it(tmp_path):
    """-d desc and -x's desc.json are the description's bytes, unchanged."""
    _, text = split_stream(BASE)
    rc, out, _ = run(corpus.stream_file(BASE), "-d", "desc")
    assert rc == 0 and out.encode() == text + b"\n"
    rc, _, _ = run(corpus.stream_file(BASE), "-x", "-o", tmp_path)
    assert rc == 0 and (tmp_path / "desc.json").read_bytes() == text + b"\n"
