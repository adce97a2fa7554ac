"""`migkaitai diff A B` / migkaitai.diff: what changed between two saved states, on the
shared qcow2's two snapshots (their VM states as QEMU 10.0 wrote them)."""
from __future__ import annotations

import io
import json

import pytest

import migkaitai
from migkaitai.cli import main

import corpus

SNAP1 = "qcow2-v10.0-pc-2snaps.snap1.mig"
SNAP2 = "qcow2-v10.0-pc-2snaps.snap2.mig"


def run(*args) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    rc = main(["diff", *map(str, args)], stdout=out, stderr=err)
    return rc, out.getvalue(), err.getvalue()


def test_the_two_snapshots_differ_in_devices_and_ram():
    a, b = corpus.container_file(SNAP1), corpus.container_file(SNAP2)
    r = migkaitai.diff(str(a), str(b))
    assert not r.equal and not r.only_a and not r.only_b
    cpu = next(d for d in r.devices if d.name == "cpu")
    eip = next(c for c in cpu.changed if c.path == "env.eip")
    assert (eip.a, eip.b) == (0xfff0, 0x7c21)  # snap 1 at the reset vector, snap 2 booted
    assert "cpu/msr_smi_count/env.msr_smi_count" in cpu.only_b  # a subsection sent in 2 only
    gs = next(d for d in r.devices if d.name == "globalstate")
    runstate = next(c for c in gs.changed if c.path == "runstate")
    assert runstate.a.rstrip(b"\0") == b"prelaunch" and runstate.b.rstrip(b"\0") == b"paused"
    assert not any(d.name == "timer" for d in r.devices)  # volatile: left out by default
    ram = {x.block: x for x in r.ram}
    assert (0x20000, 0x30000) in ram["pc.ram"].ranges  # snap 2's "SZ" fill (MANIFEST.md)
    assert ram["pc.ram"].pages == 80 and ram["pc.ram"].size_a == ram["pc.ram"].size_b


def test_cli_exit_status_text_and_json(tmp_path):
    a, b = corpus.container_file(SNAP1), corpus.container_file(SNAP2)
    rc, out, _ = run(a, a)
    assert rc == 0 and out.splitlines()[-1].startswith("(no difference; fields ignored:")
    rc, out, _ = run(a, b)
    assert rc == 1
    assert "@@ cpu (4) instance 0\n  env.regs[0]: 0x0 -> 0x5a53  (at 0x675f7 / 0xb85a6)\n" in out
    assert "@@ RAM pc.ram (0x4000000 bytes): 80 pages differ\n" in out
    assert "  0x20000-0x30000\n" in out
    rc, out, _ = run("--format", "json", a, b)
    doc = json.loads(out)
    assert rc == 1 and doc["equal"] is False
    assert {"block": "pc.bios", "size_a": 0x40000} not in doc["ram"]
    rc, out, _ = run("--no-default-ignore", "--format", "json", a, b)
    assert any(d["name"] == "timer" for d in json.loads(out)["devices"])
    rc, _, err = run(a, tmp_path / "missing")
    assert rc == 2 and err.startswith("migkaitai: error: cannot open")


@pytest.mark.slow
def test_xbzrle_pages_are_compared_by_their_content():
    """XBZRLE deltas need the pages they apply to: that side's RAM is extracted first.
    The running guest's stream against itself: equal."""
    s = corpus.stream_file("x86/pc-running-xbzrle")
    r = migkaitai.diff(str(s), str(s))
    assert r.equal
    r = migkaitai.diff(str(s), str(corpus.stream_file("x86/pc-nodefaults-64m")))
    ram = {x.block: x for x in r.ram}
    assert ram["pc.ram"].pages > 0


def test_a_compressed_stream_equals_its_bare_stream(tmp_path):
    import lzma

    bare = corpus.container_file(SNAP1)
    xz = tmp_path / "snap1.mig.xz"
    xz.write_bytes(lzma.compress(bare.read_bytes(), preset=0))
    assert migkaitai.diff(str(bare), str(xz)).equal
    r = migkaitai.diff(str(xz), str(corpus.container_file(SNAP2)))
    assert {x.block: x.pages for x in r.ram}["pc.ram"] == 80


def test_sections_no_description_decodes_are_compared_raw(tmp_path):
    """A stream without a description (suppress-vmdesc): its device payloads are compared
    as bytes. One byte flipped inside the cpu section's payload is found there, and only
    there."""
    path = corpus.stream_file("x86/pc-suppress-vmdesc")
    with migkaitai.open(str(path)) as m:
        cpu = next(r for r in m.records() if r.section is not None
                   and r.section.name == "cpu" and r.raw is not None)
    start, length = cpu.raw
    data = bytearray(path.read_bytes())
    data[start + length // 2] ^= 0x40
    other = tmp_path / "flipped.mig"
    other.write_bytes(bytes(data))
    assert migkaitai.diff(str(path), str(path)).equal
    r = migkaitai.diff(str(path), str(other))
    assert [(d.name, [c.path for c in d.changed]) for d in r.devices] == \
        [("cpu", ["(raw payload)"])]
    change = r.devices[0].changed[0]
    assert change.offset_a == start and len(change.a) == length
    assert bytes(x ^ y for x, y in zip(change.a, change.b, strict=True)).strip(b"\0") == b"\x40"
    assert not r.ram
