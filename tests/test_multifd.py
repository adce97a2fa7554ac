"""multifd channel captures (ksy/qemu_multifd_channel.ksy, migkaitai/multifd.py).

With capability multifd, QEMU sends RAM pages on extra connections; the corpus stores
them beside the main stream as `.mig.ch1` / `.mig.ch2`. The facts checked here come from
elsewhere than the channel files: QEMU's own `query-migrate` counters after each
migration (corpus x86/records.jsonl, qemu10/MANIFEST.md), the main stream (its block list,
its ZERO records, its RAM EOS / MULTIFD_FLUSH markers), and the files the guests were
started with (make.sh: rand1m.bin = random.Random(2).randbytes(1 MiB); qemu10/mkpattern.py
for pattern-2M.bin), loaded at guest-physical 0x1000000 = pc.ram offset 0x1000000.
"""
from __future__ import annotations

import io
import json
import random
import re
import shutil
import subprocess
from functools import cache
from pathlib import Path

import pytest
from kaitaistruct import KaitaiStream
from migkaitai_ksy.qemu_multifd_channel import QemuMultifdChannel

import migkaitai
import migkaitai.cli
from migkaitai.errors import FormatError, MigkaitaiError, TruncatedError
from migkaitai.multifd import (
    INIT_FIELD_OFFSETS,
    PACKET_FIELD_OFFSETS,
    MultifdChannel,
    open_channels,
    read_channel,
)
from migkaitai.ram import RamPage, RamTracker

import corpus

ROOT = Path(__file__).resolve().parent.parent
KSY = ROOT / "ksy" / "qemu_multifd_channel.ksy"

PLAIN = "x86/pc-multifd-2ch"  # QEMU 7.2, multifd-channels 2
ZLIB = "x86/pc-multifd-zlib-2ch"  # the same guest, multifd-compression zlib
V10 = "qemu10/v10.0-x86_64-q35-multifd2-socket"  # QEMU 10.0, multifd-channels 2
CAPTURES = [PLAIN, ZLIB, V10]

PAGE = 4096
HEAD_LEN = 320 + 8 * (512 * 1024 // PAGE)  # sizeof(MultiFDPacket_t) + an offset per page
LOADED_AT = 0x1000000


def channels(name: str) -> list[Path]:
    return [corpus.stream_file(name, ".mig.ch1"), corpus.stream_file(name, ".mig.ch2")]


def query_migrate_ram(name: str) -> dict:
    """QEMU's query-migrate "ram" counters at the end of the migration."""
    group, stem = name.split("/")
    if group == "x86":
        for line in (corpus.CORPUS / "x86" / "records.jsonl").read_text().splitlines():
            rec = json.loads(line)
            if rec["name"] == stem:
                return rec["query_migrate"]["ram"]
        raise KeyError(stem)
    text = (corpus.CORPUS / group / "MANIFEST.md").read_text()
    entry = text.split(f"### {stem}.mig.xz", 1)[1].split("\n### ", 1)[0]
    m = re.search(r"normal pages (\d+), zero/duplicate pages (\d+)", entry)
    assert m, f"no result line for {stem}"
    return {"normal": int(m[1]), "duplicate": int(m[2])}


@cache
def main_stream(name: str) -> tuple[dict[str, int], set, RamTracker]:
    """Block lengths, the (block, offset) of every ZERO record, and the RAM tracker."""
    with migkaitai.open(str(corpus.stream_file(name))) as m:
        tracker = RamTracker(m.page_size)
        zeros = set()
        for ev in m.walker(tracker, yield_pages=True).records():
            if isinstance(ev, RamPage):
                assert ev.kind == "zero", "the main stream of a multifd migration has no data"
                zeros.add((ev.block.name, ev.addr))
        assert m.page_size == PAGE
    return {b.name: b.length for b in tracker.blocks.values()}, zeros, tracker


@cache
def all_pages(name: str):
    """Every page of both channels (merged by packet_num) and the channels' summaries."""
    blocks, _, _ = main_stream(name)
    with open_channels(channels(name), PAGE, block_lengths=blocks) as chans:
        pages = list(chans.pages())
        return pages, chans.summaries


# -- the channel headers ------------------------------------------------------------------

@pytest.mark.parametrize("name", CAPTURES)
def test_channels_are_numbered_in_connection_order_with_one_uuid(name):
    # MultiFDInit_t: channel ids 0..multifd-channels-1; the uuid is qemu_uuid (no -uuid
    # was given, so all zeros) on every channel.
    inits = []
    for path in channels(name):
        with MultifdChannel(path) as ch:
            inits.append(ch.init)
    assert [i.channel_id for i in inits] == [0, 1]
    assert {i.uuid for i in inits} == {bytes(16)}
    assert {i.version for i in inits} == {1}


# -- pages against QEMU's counters and the main stream -----------------------------------

@pytest.mark.parametrize("name", CAPTURES)
def test_channel_pages_and_main_zero_pages_cover_every_page_once(name):
    # Every page of every RAM block went exactly once: as a ZERO record of the main stream
    # (7.2) or through a channel (normal pages; zero pages too since 9.0).
    blocks, main_zeros, _ = main_stream(name)
    pages, _ = all_pages(name)
    data = {(p.block, p.addr) for p in pages if p.kind == "page"}
    zero = {(p.block, p.addr) for p in pages if p.kind == "zero"}
    every = {(b, a) for b, n in blocks.items() for a in range(0, n, PAGE)}
    assert not data & zero and not data & main_zeros and not zero & main_zeros
    assert data | zero | main_zeros == every
    ram = query_migrate_ram(name)
    assert len(data) == ram["normal"]
    assert len(zero | main_zeros) == ram["duplicate"]


@pytest.mark.parametrize("name", [PLAIN, ZLIB])
def test_multifd_bytes_counts_packet_heads_and_page_bytes(name):
    # QEMU 7.2 adds packet_len + normal_pages * page size per packet to multifd-bytes
    # (the inflated size for zlib).
    _, summaries = all_pages(name)
    packets = sum(s.packets for s in summaries)
    pages = sum(s.pages for s in summaries)
    assert packets * HEAD_LEN + pages * PAGE == query_migrate_ram(name)["multifd-bytes"]
    if name == PLAIN:  # uncompressed: that is exactly what follows the MultiFDInit_t
        assert sum(s.size - 64 for s in summaries) == packets * HEAD_LEN + pages * PAGE


def test_qemu72_sent_one_page_twice_with_the_same_bytes():
    # In the uncompressed 7.2 capture the last page of channel 0's first full packet opens
    # channel 1's next one as well (QEMU counted it once as "normal": 305).
    pages, _ = all_pages(PLAIN)
    data = [p for p in pages if p.kind == "page"]
    assert len(data) == 306
    seen: dict = {}
    dups = []
    for p in data:
        key = (p.block, p.addr)
        if key in seen:
            dups.append(p)
            assert seen[key].data == p.data and seen[key].channel_id != p.channel_id
        seen[key] = p
    assert [(p.block, p.addr) for p in dups] == [("pc.ram", 0x107F000)]


@pytest.mark.parametrize("name", CAPTURES)
def test_one_sync_packet_per_channel_for_each_ram_round(name):
    # multifd_send_sync_main: one SYNC per channel for each RAM EOS (7.2) or each
    # MULTIFD_FLUSH (9.0+, which puts a flush word before the EOS of each round).
    _, _, tracker = main_stream(name)
    rounds = tracker.multifd_flushes if name == V10 else tracker.eos
    assert rounds == 3
    _, summaries = all_pages(name)
    for s in summaries:
        assert s.sync_packets == rounds
        assert s.complete and s.page_size_confirmed and s.packet_nums_ordered
        assert s.compression == ({"zlib"} if name == ZLIB else {"none"})


@pytest.mark.parametrize("name", CAPTURES)
def test_packet_numbers_are_one_counter_across_channels(name):
    # packet_num comes from one counter of the source: within a channel it never goes
    # down, no number appears on two channels, and the first packets (the SYNCs of
    # ram_save_setup) are 0 and 1. (7.2 may skip a number: a SYNC that finds a job still
    # queued renumbers it, and then repeats the number on an empty packet.)
    nums = []
    for path in channels(name):
        with MultifdChannel(path) as ch:
            nums.append([p.packet_num for p in ch.packets()])
    for n in nums:
        assert n == sorted(n)
    assert not set(nums[0]) & set(nums[1])
    assert (nums[0][0], nums[1][0]) == (0, 1)


def test_loaded_random_megabyte_arrives_intact_plain_and_zlib():
    # make.sh: rand1m.bin = random.Random(2).randbytes(1 MiB), -device loader at 0x1000000.
    rand = random.Random(2).randbytes(1 << 20)
    for name in (PLAIN, ZLIB):
        pages, _ = all_pages(name)
        got = {p.addr: p.data for p in pages if p.block == "pc.ram" and p.kind == "page"}
        assert sorted(got) == list(range(LOADED_AT, LOADED_AT + (1 << 20), PAGE))
        assert b"".join(got[a] for a in sorted(got)) == rand


def test_loaded_pattern_arrives_intact_qemu10():
    # qemu10/mkpattern.py pattern-2M.bin, -device loader at 0x1000000.
    pattern = bytearray()
    for off in range(0, 2 << 20, 1024):
        tag = b"qemu-corpus blk %08x\n" % off
        pat = (off // 1024).to_bytes(4, "big") * 3 + b"\xde\xad\xbe\xef"
        pattern += (tag + pat * ((1024 - len(tag)) // 16 + 1))[:1024]
    pages, _ = all_pages(V10)
    got = {p.addr: p.data for p in pages
           if p.block == "pc.ram" and LOADED_AT <= p.addr < LOADED_AT + (2 << 20)}
    assert all(len(d) == PAGE for d in got.values())
    assert b"".join(got[a] for a in sorted(got)) == pattern


def test_zlib_channels_give_the_same_pages_as_plain_ones():
    # Same command line, paused guest: BIOS, option ROM, ACPI and the loaded file are
    # identical, so the inflated pages must equal the uncompressed ones byte for byte.
    plain = {(p.block, p.addr): p.data for p in all_pages(PLAIN)[0]}
    zlib_ = {(p.block, p.addr): p.data for p in all_pages(ZLIB)[0]}
    assert plain.keys() == zlib_.keys() and len(plain) == 305
    assert plain == zlib_


def test_block_names():
    for name in (PLAIN, ZLIB):
        assert {p.block for p in all_pages(name)[0]} == {
            "pc.ram", "pc.bios", "/rom@etc/acpi/tables", "/rom@etc/table-loader",
            "/rom@etc/acpi/rsdp"}  # pc.rom is all zeros: ZERO records of the main stream
    v10 = all_pages(V10)[0]
    assert {p.block for p in v10} == set(main_stream(V10)[0])
    assert {p.block for p in v10 if p.kind == "page"} == {
        "pc.ram", "pc.bios", "/rom@etc/acpi/tables", "/rom@etc/table-loader",
        "/rom@etc/acpi/rsdp"}


def test_qemu10_sync_packets_are_bare_heads():
    # 10.0: a SYNC packet is a memset head with pages_alloc 0, no pages and no payload.
    with MultifdChannel(channels(V10)[0]) as ch:
        syncs = [p for p in ch.packets() if p.is_sync]
    assert len(syncs) == 3
    assert all(p.normal_pages == p.zero_pages == p.len_payload == 0 and p.block == ""
               for p in syncs)
    assert syncs[0].offset == 0x40


# -- the generated types on their own ------------------------------------------------------

@pytest.mark.parametrize("name", [PLAIN, V10])
def test_generated_top_level_agrees_with_the_reader(name):
    for path in channels(name):
        whole = QemuMultifdChannel.from_file(str(path))
        assert whole._io.pos() == whole._io.size()
        expected = []
        for pk in whole.packets:
            r = pk.head.ram
            for i in range(r.normal_pages):
                expected.append((r.ramblock, r.offsets[i], "page", pk.pages[i]))
            for i in range(r.normal_pages, r.normal_pages + r.zero_pages):
                expected.append((r.ramblock, r.offsets[i], "zero", b"\x00"))
        got = [(p.block, p.addr, p.kind, p.data) for p in read_channel(path)]
        assert got == expected


def test_zlib_payload_starts_one_zlib_stream_per_channel():
    for path in channels(ZLIB):
        whole = QemuMultifdChannel.from_file(str(path))
        data = [pk.compressed_pages for pk in whole.packets if pk.head.has_compressed_pages]
        assert data[0][:2] == b"\x78\x01"  # zlib header, level 1 (multifd-zlib-level default)
        assert all(d[:2] != b"\x78\x01" for d in data[1:])
        assert all(d[-4:] == b"\x00\x00\xff\xff" for d in data)  # each ends in a sync flush


def test_packet_head_length_follows_the_page_size():
    raw = channels(PLAIN)[0].read_bytes()
    for ps in (1024, 4096, 16384):
        head = QemuMultifdChannel.PacketHead(ps, KaitaiStream(io.BytesIO(raw[64:])))
        assert head._io.pos() == 320 + 8 * (524288 // ps)
        assert head.ram.max_pages == 524288 // ps


# -- damaged and mismatched input --------------------------------------------------------

def damaged(tmp_path: Path, src: Path, *, cut: int | None = None,
            patch: tuple[int, bytes] | None = None) -> Path:
    data = bytearray(src.read_bytes())
    if cut is not None:
        del data[cut:]
    if patch is not None:
        at, b = patch
        data[at:at + len(b)] = b
    out = tmp_path / f"{src.name}.damaged"
    out.write_bytes(bytes(data))
    return out


def test_truncated_payload_names_its_offset_and_keeps_earlier_pages(tmp_path):
    # Channel 0 of the 7.2 capture: SYNC at 0x40, 128 pages at 0x580, then a packet at
    # 0x80ac0 whose one page (payload at 0x81000) is cut after 100 bytes.
    path = damaged(tmp_path, channels(PLAIN)[0], cut=0x81000 + 100)
    got = []
    with pytest.raises(TruncatedError) as e:
        for p in read_channel(path):
            got.append(p)
    err = e.value
    assert (err.offset, err.end, err.needed) == (0x81000, 0x81064, PAGE)
    assert err.field == "packets[2]/pages"
    assert "at offset 0x81000" in str(err) and "stream ends at 0x81064" in str(err)
    assert len(got) == 128 and got[0].addr == LOADED_AT


@pytest.mark.parametrize("cut, offset, field", [
    (30, 25, "init"),  # the field the cut falls in: channel_id
    (0x40 + 100, 0x80, "packets[0]/head"),  # the ramblock name
    (0x580 + 1343, 0xab8, "packets[1]/head"),  # an offset slot
])
def test_truncated_head_names_its_offset(tmp_path, cut, offset, field):
    path = damaged(tmp_path, channels(V10)[0], cut=cut)
    with pytest.raises(TruncatedError) as e:
        list(read_channel(path))
    assert (e.value.offset, e.value.field) == (offset, field)
    assert f"at offset 0x{offset:x}" in str(e.value)


def test_bad_magic_and_version(tmp_path):
    ch = channels(V10)[0]
    with pytest.raises(FormatError) as e:
        MultifdChannel(damaged(tmp_path, ch, patch=(0, b"\x11\x22\x33\x45")))
    assert e.value.offset == 0 and e.value.field == "init"
    with pytest.raises(FormatError) as e:
        list(read_channel(damaged(tmp_path, ch, patch=(0x580 + 4, b"\0\0\0\2"))))
    assert e.value.offset == 0x580 + 4 and e.value.field == "packets[1]/head"  # version
    assert "expected 1, but got 2" in str(e.value)


def test_wrong_page_size_is_named(tmp_path):
    # 7.2 sets pages_alloc = 512 KiB / page size in every packet: a reader assuming
    # 8 KiB pages learns from the first one that they are 4 KiB.
    with pytest.raises(FormatError) as e:
        list(read_channel(channels(PLAIN)[0], 8192))
    assert "written for 4096-byte pages" in str(e.value)
    assert e.value.field == "packets[0]/head/ram/pages_alloc"


def test_pages_must_lie_inside_announced_blocks():
    blocks, _, _ = main_stream(PLAIN)
    small = dict(blocks, **{"pc.ram": LOADED_AT + 0x10000})
    with pytest.raises(FormatError) as e:
        list(read_channel(channels(PLAIN)[0], block_lengths=small))
    assert e.value.offset == 0x580 + 320 + 8 * 16
    assert e.value.field == "packets[1]/head/ram/offsets[16]"
    assert "0x1010000 is not a page of block 'pc.ram'" in str(e.value)
    del small["pc.ram"]
    with pytest.raises(FormatError, match="'pc.ram', which the main stream did not announce"):
        list(read_channel(channels(PLAIN)[0], block_lengths=small))


def test_channels_must_agree_on_uuid_and_differ_in_id(tmp_path):
    ch1, ch2 = channels(PLAIN)
    with pytest.raises(FormatError) as e:
        open_channels([ch1, damaged(tmp_path, ch2, patch=(8, b"\x01"))])
    assert e.value.field == "init/uuid" and e.value.offset == 8
    with pytest.raises(FormatError, match="channel id 0 is also the id of"):
        open_channels([ch1, ch1])
    with pytest.raises(FormatError, match="differs from 12"):
        open_channels([ch1, ch2], uuid=bytes.fromhex("12345678" * 4))


def test_corrupt_zlib_data_is_a_format_error(tmp_path):
    # Channel 0's first compressed payload starts at 0x580 + 1344 = 0xac0.
    path = damaged(tmp_path, channels(ZLIB)[0], patch=(0xAC0 + 2, b"\xff\xff\xff\xff"))
    with pytest.raises(FormatError) as e:
        list(read_channel(path))
    assert e.value.offset == 0xAC0 and e.value.field == "packets[1]/compressed_pages"


def test_unknown_flags_are_refused(tmp_path):
    path = damaged(tmp_path, channels(V10)[0], patch=(0x580 + 8, b"\0\0\x01\0"))
    with pytest.raises(FormatError, match="unknown multifd packet flags 0x100"):
        list(read_channel(path))


def test_unsupported_compression_is_named(tmp_path):
    # zstd (flag 0x04) on the first packet with pages of the 10.0 channel (at 0x5980).
    path = damaged(tmp_path, channels(V10)[0], patch=(0x5980 + 8, b"\0\0\0\x04"))
    with pytest.raises(MigkaitaiError, match="compression zstd is not supported") as e:
        list(read_channel(path))
    assert e.value.offset == 0x5988


def test_device_state_packet_is_framed_and_skipped(tmp_path):
    # QEMU 10.0 MultiFDPacketDeviceState_t (flag 0x40): header, idstr[256], be32
    # instance_id, be32 next_packet_size, then that many bytes. None in the corpus, so
    # one is appended to a real channel.
    src = channels(V10)[0]
    packet = (bytes.fromhex("11223344 00000001 00000040") + b"0000:00:02.0/vfio".ljust(256, b"\0")
              + (3).to_bytes(4, "big") + (10).to_bytes(4, "big") + bytes(range(10)))
    path = tmp_path / "with-device-state.ch1"
    path.write_bytes(src.read_bytes() + packet)
    with MultifdChannel(path) as ch:
        packets = list(ch.packets())
    last = packets[-1]
    assert last.device_state == ("0000:00:02.0/vfio", 3)
    assert (last.offset, last.len_payload, last.pages) == (src.stat().st_size, 10, [])
    assert ch.summary.device_state_packets == 1 and ch.summary.complete
    assert len(packets) == 138


def test_errors_are_migkaitai_errors_with_one_line(tmp_path):
    path = damaged(tmp_path, channels(PLAIN)[1], cut=5000)
    with pytest.raises(MigkaitaiError) as e:
        list(read_channel(path))
    assert "\n" not in str(e.value)


# -- every target, and the Web IDE ---------------------------------------------------------

def test_grammar_compiles_for_every_target(ksc, tmp_path):
    result = ksc("--all-targets", tmp_path, KSY)
    assert result.returncode == 0, result.stdout + result.stderr
    failed = [line for line in result.stdout.splitlines() if not line.startswith("ok ")]
    assert not failed


@pytest.fixture(scope="module")
def node() -> str:
    path = shutil.which("node")
    if path is None:
        pytest.fail("node is not on PATH")
    return path


@pytest.fixture(scope="module")
def debug_js(ksc, tmp_path_factory) -> Path:
    js = tmp_path_factory.mktemp("multifd-js-debug")
    result = ksc("--target", "javascript", "--debug", "--outdir", js, KSY)
    assert result.returncode == 0, result.stderr
    return js


@pytest.mark.parametrize("name", CAPTURES)
def test_webide_parses_channels(name, node, debug_js):
    # Debug-mode JavaScript, root from the file alone, every instance evaluated.
    for path in channels(name):
        result = subprocess.run(
            [node, str(ROOT / "tools" / "ksc" / "webide_parse.js"), "--ksy", str(KSY),
             "--js", str(debug_js), str(path)],
            capture_output=True, text=True, timeout=300, check=False)
        assert result.returncode == 0, result.stderr


def test_generated_javascript_counts_what_python_counts(node):
    script = """
const KaitaiStream = require("kaitai-struct/KaitaiStream");
const { QemuMultifdChannel } = require(process.argv[1]);  // node -e: argv[1] is the first argument
const fs = require("fs");
const out = [];
for (const f of process.argv.slice(2)) {
  const m = new QemuMultifdChannel(new KaitaiStream(fs.readFileSync(f)));
  let normal = 0, zero = 0, sync = 0;
  for (const p of m.packets) {
    normal += p.head.ram.normalPages; zero += p.head.ram.zeroPages; sync += p.head.isSync ? 1 : 0;
  }
  out.push([m.init.channelId, m.packets.length, normal, zero, sync]);
}
console.log(JSON.stringify(out));
"""
    paths = [p for name in CAPTURES for p in channels(name)]
    result = subprocess.run(
        [node, "-e", script, str(ROOT / "generated" / "javascript" / "QemuMultifdChannel.js"),
         *map(str, paths)], capture_output=True, text=True, timeout=300, check=False,
        env={"NODE_PATH": str(ROOT / "tools" / "ksc" / "node_modules")})
    assert result.returncode == 0, result.stderr
    expected = []
    for path in paths:
        with MultifdChannel(path) as ch:
            for _ in ch.packets():
                pass
            s = ch.summary
            expected.append([s.channel_id, s.packets, s.pages, s.zero_pages, s.sync_packets])
    assert json.loads(result.stdout) == expected


@pytest.mark.parametrize("field", sorted(PACKET_FIELD_OFFSETS))
def test_packet_field_offsets_are_the_grammars(field):
    """multifd.PACKET_FIELD_OFFSETS (where errors point) against the generated parse of a
    real packet: changing the byte at the named offset changes that field and no other."""
    data = channels(V10)[0].read_bytes()
    first = 0x40  # after MultiFDInit_t (channel_init)

    def head(buf: bytes):
        s = KaitaiStream(io.BytesIO(buf))
        s.seek(first)
        h = QemuMultifdChannel.PacketHead(4096, s)
        r = h.ram
        return {"flags": h.flags, "pages_alloc": r.pages_alloc,
                "normal_pages": r.normal_pages, "next_packet_size": r.next_packet_size,
                "packet_num": r.packet_num, "zero_pages": r.zero_pages,
                "ramblock": r.ramblock, "offsets": r.offsets[0]}

    before = head(data)
    changed = bytearray(data)
    at = first + PACKET_FIELD_OFFSETS[field]
    changed[at] ^= 0x01 if field != "ramblock" else 0x20  # (a letter stays a letter)
    after = head(bytes(changed))
    assert {k for k in before if before[k] != after[k]} == {field}


def test_init_field_offsets_are_the_grammars():
    data = channels(V10)[0].read_bytes()
    init = QemuMultifdChannel.ChannelInit(KaitaiStream(io.BytesIO(data)))
    assert data[INIT_FIELD_OFFSETS["uuid"]:][:16] == init.uuid
    assert data[INIT_FIELD_OFFSETS["channel_id"]] == init.channel_id


def test_channel_errors_name_the_channel_file(tmp_path):
    """An error inside a channel capture: its offset is in that file, so the CLI's line
    names the file first (not the main stream)."""
    ch = channels(V10)
    bad = damaged(tmp_path, ch[1], patch=(0x580 + 4, b"\0\0\0\2"))  # a packet's version
    out, err = io.StringIO(), io.StringIO()
    rc = migkaitai.cli.main(["-x", "-o", str(tmp_path / "out"), "--channel", str(ch[0]),
                             "--channel", str(bad), str(corpus.stream_file(V10))],
                            stdout=out, stderr=err)
    assert rc == 1
    assert err.getvalue() == (f"migkaitai: error: {bad}: invalid multifd packet head "
                              f"(packet_head field 1: not equal, expected 1, but got 2) at "
                              f"offset 0x584 (field packets[1]/head)\n")
