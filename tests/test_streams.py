"""Streams analyze-migration.py cannot read (corpus/*/ANCHOR-RESULTS.md), decoded: each test
names the QEMU behaviour and checks values that come from the recipe (MANIFEST.md)."""
from __future__ import annotations

import io
import json
import random
import zlib

import pytest

import migkaitai
from migkaitai.cli import main
from migkaitai.ram import xbzrle_decode

import corpus


def run(*args) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    rc = main([str(a) for a in args], stdout=out, stderr=err)
    return rc, out.getvalue(), err.getvalue()


def mkpattern(size: int) -> bytes:
    """corpus/qemu10/mkpattern.py: every 1 KiB starts with a tag naming its offset."""
    out = bytearray()
    for off in range(0, size, 1024):
        tag = b"qemu-corpus blk %08x\n" % off
        pat = (off // 1024).to_bytes(4, "big") * 3 + b"\xde\xad\xbe\xef"
        out += (tag + pat * ((1024 - len(tag)) // 16 + 1))[:1024]
    return bytes(out)


def extract(tmp_path, name, *args):
    rc, out, err = run(corpus.stream_file(name), "-x", "-o", tmp_path, *args)
    assert rc == 0, err
    return tmp_path


def read_at(path, offset, n):
    with open(path, "rb") as f:
        f.seek(offset)
        return f.read(n)


@pytest.mark.parametrize("name,block,addr,bits", [
    ("qemu10/v10.0-x86_64-q35-mapped-ram", "pc.ram", 0x1000000, 512),
    ("qemu10/v10.0-x86_64-q35-mapped-ram-multifd4", "pc.ram", 0x1000000, 512),
    ("qemu10/v11.1-x86_64-q35-mapped-ram-multifd4", "pc.ram", 0x1000000, 512),
    ("qemu10/v10.0-arm-versatilepb-mapped-ram-1k", "versatile.ram", 0x1000000, 2048),
    # + the 2 pages of the device tree QEMU puts at the start of RAM (d00dfeed)
    ("qemu10/v10.0-aarch64-virt-max-mapped-ram", "mach-virt.ram", 0x4000000, 514),
])
def test_mapped_ram_variants(tmp_path, name, block, addr, bits):
    """mapped-ram with multifd (same file layout), 1 KiB pages, aarch64 (RAM at 1 GiB, the
    loader's 0x44000000): the pattern read through the bitmap, one bit per page."""
    out = extract(tmp_path, name)
    assert read_at(out / block, addr, 2 << 20) == mkpattern(2 << 20)
    with migkaitai.open(str(corpus.stream_file(name))) as m:
        ram = {b.name: b for b in m.load().ram_blocks}[block]
    assert ram.pages == bits


def test_aarch64_qemu72_decodes_without_configuration_in_the_json():
    """QEMU 7.2 aarch64: the configuration carries target-page-bits, which its JSON does
    not describe (analyze-migration.py: "Unknown section type: 5"); all sections decode."""
    name = "other/aarch64-virt-a57-smp2-virtio"
    rc, out, err = run(corpus.stream_file(name), "--format", "records")
    assert rc == 0 and err == ""
    conf = json.loads(out)[0]
    assert conf == {"offset": 8, "type": "configuration", "machine": "virt-7.2",
                    "target_page_bits": 12}
    with migkaitai.open(str(corpus.stream_file(name))) as m:
        snap = m.load()
    cpus = [d for d in snap.devices if d.name == "cpu"]
    assert [c.instance_id for c in cpus] == [0, 1]  # -smp 2
    assert all(c.field("env.pc") for c in cpus)  # every CPU's registers decoded


def test_mapped_ram_pattern_extracted(tmp_path):
    """-device loader put mkpattern.py's 2 MiB at 0x1000000; mapped-ram: pages read at their
    file offsets through the bitmap."""
    out = extract(tmp_path, "qemu10/v10.0-x86_64-q35-mapped-ram")
    assert read_at(out / "pc.ram", 0x1000000, 2 << 20) == mkpattern(2 << 20)
    assert (out / "pc.ram").stat().st_size == 128 << 20


def test_mapped_ram_bitmap_counts():
    """Only non-zero pages are flagged in the bitmap: 512 for the 2 MiB pattern in pc.ram."""
    with migkaitai.open(str(corpus.stream_file("qemu10/v10.0-x86_64-q35-mapped-ram"))) as m:
        snap = m.load()
    ram = {b.name: b for b in snap.ram_blocks}["pc.ram"]
    assert ram.pages == 512 and ram.zero_pages == (128 << 20) // 4096 - 512
    assert ram.mapped_ram.pages_offset == 0x100000


def test_stream_offset_found_and_forced(tmp_path):
    name = "qemu10/v10.0-x86_64-q35-file-offset64k"
    with migkaitai.open(str(corpus.stream_file(name))) as m:
        assert m.start == 0x10000
    rc, out, err = run(corpus.stream_file(name), "--offset", "0x10000", "--format", "records")
    assert rc == 0, err
    assert json.loads(out)[0] == {"offset": 0x10008, "type": "configuration",
                                  "machine": "pc-q35-10.0"}
    rc, _, err = run(corpus.stream_file(name), "--offset", "0")
    assert rc == 1 and "expected" in err and "offset 0x0" in err
    # the same guest as file-plain (plain `file:`), which analyze-migration.py reads
    rc, out, err = run(corpus.stream_file(name))
    state, plain = json.loads(out), corpus.golden("qemu10/v10.0-x86_64-q35-file-plain", "state")
    assert list(state) == list(plain)
    assert state["ram (1)"] == plain["ram (1)"]


def test_compress_pages_inflate_to_the_pattern(tmp_path):
    """capability compress: COMPRESS_PAGE zlib pages of random.Random(2)'s 1 MiB at 0x1000000."""
    out = extract(tmp_path, "x86/pc-compress")
    assert read_at(out / "pc.ram", 0x1000000, 1 << 20) == random.Random(2).randbytes(1 << 20)
    with migkaitai.open(str(corpus.stream_file("x86/pc-compress"))) as m:
        ram = {b.name: b for b in m.load().ram_blocks}["pc.ram"]
    assert ram.compressed_pages > 250


@pytest.mark.slow
def test_xbzrle_pages_give_the_final_ram(tmp_path):
    """capability xbzrle on the dirtying guest: 128 pages at 0x10000-0x8ffff each hold two
    16-bit counters (offsets 0 and 2048) that the guest increments page after page. Decoded
    against the previous page contents, every page must show exactly that."""
    out = extract(tmp_path, "x86/pc-running-xbzrle")
    counters = []
    for page in range(0x10000, 0x90000, 0x1000):
        data = read_at(out / "pc.ram", page, 4096)
        a, b = data[0:2], data[2048:2050]
        assert a == b and data[2:2048] == bytes(2046) and data[2050:] == bytes(2046)
        counters.append(int.from_bytes(a, "little"))
    assert counters == sorted(counters, reverse=True)
    assert counters[0] - counters[-1] <= 1 and counters[0] > 1000


def test_xbzrle_decode_vectors():
    """migration/xbzrle.c encoding: ULEB128 zero run, ULEB128 literal run, literal bytes."""
    old = bytes(16)
    assert xbzrle_decode(old, bytes([0, 2, 0xAA, 0xBB, 12, 1, 0xCC])) == \
        b"\xaa\xbb" + bytes(12) + b"\xcc" + bytes(1)
    assert xbzrle_decode(bytes(range(200)), bytes([0x80, 0x01, 1, 7])) == \
        bytes(range(128)) + b"\x07" + bytes(range(129, 200))
    with pytest.raises(ValueError):
        xbzrle_decode(old, bytes([15, 5, 1, 2, 3, 4, 5]))  # past the page


def test_x_ignore_shared():
    """x-ignore-shared: MEM_SIZE entries carry the mr address; the shared block sends no page."""
    with migkaitai.open(str(corpus.stream_file("x86/pc-x-ignore-shared"))) as m:
        snap = m.load()
    blocks = {b.name: b for b in snap.ram_blocks}
    assert blocks["mem0"].mr_addr == 0 and blocks["mem0"].pages == 0
    assert blocks["mem0"].zero_pages == 0
    assert blocks["pc.bios"].mr_addr is not None and blocks["pc.bios"].pages > 0
    assert snap.device("cpu", 0).field("env.eip").value == 0xFFF0


def test_s390x_css_described_by_a_null_element():
    """QEMU 7.2 describes s390_css's 256-element array by its first, NULL, element; element
    254 is a real struct: decoded up to there, the rest raw up to the footer, exit 0."""
    name = "other/s390x-ccw-default"
    rc, out, err = run(corpus.stream_file(name))
    assert rc == 0
    state = json.loads(out)
    css = state["s390_css (14)"]
    assert css["max_cssid"] == "0x00" and "undecoded" in css
    assert "element 254 of 'css'" in err and err.count("\n") == 1
    assert state["todclock (15)"]["data"].startswith("01 00 ")  # TOD present, high byte 0
    assert state["s390-storage_attributes (7)"] == ""


def test_commands_in_records_output():
    rc, out, err = run(corpus.stream_file("x86/pc-postcopy-run-release-ram"), "--format",
                       "records", "-q")
    assert rc == 0, err
    recs = json.loads(out)
    cmds = [r for r in recs if r["type"] == "command"]
    assert [c["command"] for c in cmds] == [
        "OPEN_RETURN_PATH", "PING", "POSTCOPY_ADVISE", "POSTCOPY_RAM_DISCARD", "PING",
        "PACKAGED", "POSTCOPY_LISTEN", "PING", "POSTCOPY_RUN", "PING"]
    assert [c.get("depth", 0) for c in cmds] == [0, 0, 0, 0, 0, 0, 1, 1, 1, 0]
    assert [c["value"] for c in cmds if c["command"] == "PING"] == [1, 2, 3, 4]
    discard = cmds[3]
    assert discard["block"] == "pc.ram" and all(n > 0 for _, n in discard["ranges"])
    assert cmds[5]["packaged_length"] == 13419


def test_postcopy_stream_with_external_description(tmp_path):
    """Real postcopy writes no description: the desc.json of the same QEMU and machine
    (pc-running-precopy) decodes every device section, including those in PACKAGED."""
    desc = tmp_path / "desc.json"
    desc.write_text(json.dumps(corpus.golden("x86/pc-running-precopy", "desc")))
    rc, out, err = run(corpus.stream_file("x86/pc-postcopy-run-release-ram"), "--desc", desc)
    assert rc == 0, err
    state = json.loads(out)
    assert state["cpu (5)"]["env.eip"].startswith("0x")
    assert set(state) == set(corpus.golden("x86/pc-running-precopy", "state"))
    assert "raw payload" not in out


def test_old_machine_without_footers_with_companion_description(tmp_path):
    """pc-i440fx-2.2: no footers, no configuration, no JSON. With the JSON of the same
    machine (-machine suppress-vmdesc=off) every section decodes as that stream's does."""
    desc = tmp_path / "desc.json"
    desc.write_text(json.dumps(corpus.golden("x86/pc-i440fx-2.2-vmdesc-on", "desc")))
    rc, out, err = run(corpus.stream_file("x86/pc-i440fx-2.2"), "--desc", desc)
    assert rc == 0, err
    state = json.loads(out)
    gold = corpus.golden("x86/pc-i440fx-2.2-vmdesc-on", "state")
    assert list(state) == list(gold)
    assert state["cpu (5)"]["env.cr[0]"] == gold["cpu (5)"]["env.cr[0]"]


def test_no_description_no_footers_says_where_it_stops():
    rc, out, err = run(corpus.stream_file("x86/pc-i440fx-2.2"), "--format", "tree")
    assert rc == 0
    assert "0x00054546  SECTION_FULL    timer (id 0, instance 0, version 2)  [payload length " \
           "unknown" in out
    assert "device section timer (0) at 0x54546" in err


@pytest.mark.parametrize("name,block,size", [
    ("exotic/v7.2-avr-mega2560", "sram", None),
    ("other/arm-versatilepb-1kpages", "versatile.ram", None),
    ("exotic/v10.0-sparc64-sun4u", "sun4u.ram", None),
])
def test_exotic_page_sizes_extract(tmp_path, name, block, size):
    """256-byte (AVR), 1 KiB (versatilepb) and 8 KiB (sun4u) pages: every page record lands
    at its address; the block file has the announced length."""
    with migkaitai.open(str(corpus.stream_file(name))) as m:
        snap = m.load()
        blocks = {b.name: b for b in snap.ram_blocks}
        pages = [p for p in m.pages() if p.kind == "page"]
    assert block in blocks and pages
    out = extract(tmp_path, name)
    for p in pages[:64]:
        if p.block.name == block:
            path = out / migkaitai.output.safe_relative_path(block)
            assert read_at(path, p.addr, m.page_size) == p.data


def test_compressed_page_vector():
    page = bytes(range(256)) * 16
    assert zlib.decompress(zlib.compress(page, 1)) == page  # what QEMU's level 1 writes


def test_block_migration_disks_extracted(tmp_path):
    """migrate blk=true (+ zero-blocks): the 2 MiB virtio disk (every 16th 4 KiB random,
    random.Random(7), make.sh) comes back byte for byte; the all-zero 4 MiB scratch disk
    arrives as ZERO_BLOCK records only and stays a hole."""
    disk = bytearray(2 << 20)
    r = random.Random(7)
    for i in range(0, len(disk), 65536):
        disk[i:i + 4096] = r.randbytes(4096)
    out = extract(tmp_path, "x86/pc-block-migration-zero-blocks")
    assert (out / "block" / "virtio0").read_bytes() == bytes(disk)
    scratch = out / "block" / "virtio1"
    assert scratch.stat().st_size == 4 << 20 and scratch.stat().st_blocks == 0
    state = json.loads((out / "state.json").read_text())
    chunks = [c for k, v in state.items() if k.startswith("block (") for c in v]
    assert sorted(c["sector"] for c in chunks if c.get("zero")) == [0, 2048, 4096, 6144]
    assert [c["progress"] for c in chunks if "progress" in c][-1] == 100


def test_postcopy_block_page_size_field(tmp_path):
    """postcopy-ram with a hugepage-backed block: its MEM_SIZE entry carries the block's
    page size (ram.c ram_save_setup), and POSTCOPY_ADVISE's summary says such sizes exist.
    Made from pc-postcopy-advise by writing what QEMU would for a 2 MiB-page pc.ram."""
    data = bytearray(corpus.stream_file("x86/pc-postcopy-advise").read_bytes())
    advise = data.index(b"\x08\x00\x03\x00\x10")
    assert data[advise + 5:advise + 21] == (4096).to_bytes(8, "big") * 2
    data[advise + 5:advise + 13] = (0x201000).to_bytes(8, "big")
    entry = data.index(b"\x06pc.ram", advise) + 7 + 8
    data[entry:entry] = (0x200000).to_bytes(8, "big")
    p = tmp_path / "huge.mig"
    p.write_bytes(bytes(data))
    rc, out, err = run(p)
    assert rc == 0, err
    rc0, ref, _ = run(corpus.stream_file("x86/pc-postcopy-advise"))
    assert json.loads(out) == json.loads(ref)
    with migkaitai.open(str(p)) as m:
        blocks = {b.name: b for b in m.load().ram_blocks}
    assert blocks["pc.ram"].length == 64 << 20 and blocks["pc.bios"].pages == 46


@pytest.mark.parametrize("name,pattern", [
    ("x86/pc-multifd-2ch", lambda: random.Random(2).randbytes(1 << 20)),
    ("x86/pc-multifd-zlib-2ch", lambda: random.Random(2).randbytes(1 << 20)),
    ("qemu10/v10.0-x86_64-q35-multifd2-socket", lambda: mkpattern(2 << 20)),
])
def test_multifd_channels_complete_the_ram(tmp_path, name, pattern):
    """multifd over sockets: pages travel on the channels; with --channel for each, -x
    yields the RAM the guest had (the loader's pattern at 0x1000000)."""
    chans = [corpus.stream_file(name, f".mig.ch{i}") for i in (1, 2)]
    args = [a for c in chans for a in ("--channel", c)]
    out = extract(tmp_path, name, *args)
    want = pattern()
    assert read_at(out / "pc.ram", 0x1000000, len(want)) == want
    rc, _, err = run(corpus.stream_file(name), "-x", "-o", tmp_path / "nochan")
    assert rc == 0 and "--channel" in err  # says pages are elsewhere, does not stay silent
    assert read_at(tmp_path / "nochan" / "pc.ram", 0x1000000, 64) == bytes(64)
