"""The grammar (ksy/qemu_migration.ksy) through its generated Python top-level type.

Each real QEMU stream is parsed whole, the way the Kaitai Web IDE parses it, and
checked against facts that come from elsewhere: the stream's own JSON
description (which lists every FULL section QEMU wrote), the independent
structural scan in corpus/x86/STREAM-FACTS.md, analyze-migration.py's output
(golden/), and what QEMU was told on its command line (corpus MANIFESTs).
"""
from __future__ import annotations

import collections
import json

import pytest
from kaitaistruct import ValidationNotEqualError
from migkaitai_ksy.qemu_migration import QemuMigration

from migkaitai.api import find_stream_start
from migkaitai.walk import page_size_of

import corpus

R = QemuMigration.RecordType
C = QemuMigration.CommandType

# Streams written without section footers: device payloads cannot be delimited
# without the description, so the top-level type runs the first one to EOF.
NO_FOOTERS = {
    "x86/pc-no-section-footer", "x86/pc-all-switches-off", "x86/pc-i440fx-1.4",
    "x86/pc-i440fx-2.2", "x86/pc-i440fx-2.2-vmdesc-on", "x86/pc-i440fx-2.3",
}
FRAMED = [s for s in corpus.valid_streams() if s not in NO_FOOTERS]
# The two slowest streams to parse (170k records each): their tests run in one worker
# (make test: pytest --dist loadgroup), which parses each once (corpus.generated_parse).
DIRTY_BITMAPS = ("x86/pc-dirty-bitmaps", "exotic/v7.2-pc-dirty-bitmaps-persistent")
SAME_WORKER = pytest.mark.xdist_group("dirty-bitmaps")


def parse(name: str) -> QemuMigration:
    return corpus.generated_parse(name)


def all_records(records):
    """Records in stream order, with those of PACKAGED nested streams in their place."""
    for r in records:
        yield r
        if r.head.is_command and r.head.command.command_type == C.packaged:
            yield from all_records(r.packaged.records)


def ram_records(m: QemuMigration):
    for r in all_records(m.records):
        if r.head.is_section and r.payload_format == QemuMigration.SectionFormat.ram:
            yield from r.payload.ram_records


@pytest.mark.slow
@pytest.mark.parametrize("name", [pytest.param(s, marks=SAME_WORKER) if s in DIRTY_BITMAPS
                                  else s for s in FRAMED])
def test_framed_stream_parses_to_its_end(name):
    """Parsed once per stream; the checks against outside facts follow."""
    m = parse(name)
    check_framing(m, name)
    if name.startswith("x86/"):
        check_x86_counts(m, name)
    if corpus.golden(name, "state"):
        check_ram_blocks(m, name)


def check_framing(m: QemuMigration, name: str) -> None:
    assert m.header.version == QemuMigration.FileVersion.current
    last = m.records[-1]
    assert last.head.record_type == R.eof
    size = corpus.stream_file(name).stat().st_size
    assert m._io.pos() == size
    assert m.ofs_header == (0x10000 if name.endswith("file-offset64k") else 0)
    # migkaitai's helpers for what a record-by-record reader cannot ask the top-level
    # type: where the stream starts, and the page size the configuration implies
    with open(corpus.stream_file(name), "rb") as f:
        assert find_stream_start(f, size) == m.ofs_header
    assert page_size_of(m.configuration if m.has_configuration else None) == m.page_size

    sections = [r for r in m.records if r.head.is_section]
    footers = [r for r in m.records if r.head.record_type == R.section_footer]
    # every section payload ends exactly at its own footer
    assert len(footers) == len(sections)
    for i, r in enumerate(m.records[:-1]):
        if r.head.is_section:
            nxt = m.records[i + 1].head
            assert nxt.record_type == R.section_footer
            assert nxt.section_id == r.head.section_id

    desc = getattr(m, "vmdescription", None)
    if desc is None:
        return
    doc = json.loads(desc.json)
    assert desc.len_json == len(desc.json.encode())
    # the description lists exactly the FULL sections, in stream order
    full = [
        (r.head.section.name, r.head.section.instance_id, r.head.section.version_id)
        for r in m.records if r.head.record_type == R.section_full
    ]
    listed = [(d["name"], d["instance_id"], d.get("version")) for d in doc["devices"]]
    # old-style save_state sections (e.g. slirp) are listed without a version
    assert [(n, i, v if lv is not None else None)
            for (n, i, v), (_, _, lv) in zip(full, listed, strict=True)] == listed
    assert doc["page_size"] == m.page_size


def check_x86_counts(m: QemuMigration, full_name: str) -> None:
    """corpus/x86/STREAM-FACTS.md was made by a separate walker; our counts must agree."""
    facts = corpus.x86_stream_facts()[full_name.split("/")[1]]
    footers = sum(r.head.record_type == R.section_footer for r in all_records(m.records))
    if full_name in NO_FOOTERS:
        assert footers == 0
    else:
        assert footers == facts["footers"]
    ram = collections.Counter()
    for rec in ram_records(m):
        if rec.is_zero:
            ram["zero"] += 1
        elif rec.is_page:
            ram["full"] += 1
        elif rec.is_xbzrle:
            ram["xbzrle"] += 1
        elif rec.is_compress_page:
            ram["compressed"] += 1
    assert {k: v for k, v in facts["pages"].items() if v} == dict(ram)
    desc = getattr(m, "vmdescription", None)
    if full_name not in NO_FOOTERS:
        assert (desc.len_json if desc else None) == facts["vmdesc"]
    # "START(ram 1); PART(ram 26); END(ram 1); FULL(device 30)": the live sections
    expected = collections.Counter()
    for group in facts["records"].split("; "):
        kind, rest = group.split("(", 1)
        for item in rest.rstrip(")").split(", "):
            sec, n = item.rsplit(" ", 1)
            if kind != "FULL":
                expected[(kind, sec)] = int(n)
    got = collections.Counter()
    names = {}
    for r in m.records:
        h = r.head
        if h.is_named:
            names[h.section_id] = h.section.name
        if h.record_type in (R.section_start, R.section_part, R.section_end):
            got[({1: "START", 2: "PART", 3: "END"}[h.record_type_raw], names[h.section_id])] += 1
    assert got == expected


@pytest.mark.parametrize("name", sorted(NO_FOOTERS))
def test_stream_without_footers_ends_cleanly(name):
    """No footers: RAM is still framed; the first device payload runs to EOF, no exception."""
    m = parse(name)
    sections = [r for r in m.records if r.head.is_section]
    assert [r.payload_format.name for r in sections[:3]] == ["ram", "ram", "ram"]
    assert sections[-1].head.record_type == R.section_full
    assert sections[-1].payload_format == QemuMigration.SectionFormat.device
    assert m._io.is_eof()
    assert getattr(m, "vmdescription", None) is None
    # RAM pages are all there: the independent scan's counts
    facts = corpus.x86_stream_facts()[name.split("/")[1]]
    zero = sum(1 for rec in ram_records(m) if rec.is_zero)
    full = sum(1 for rec in ram_records(m) if rec.is_page)
    assert (zero, full) == (facts["pages"]["zero"], facts["pages"]["full"])


def check_ram_blocks(m: QemuMigration, name: str) -> None:
    """MEM_SIZE block list == the "section sizes" analyze-migration.py printed."""
    gold = corpus.golden(name, "state")
    ram_key = next(k for k in gold if k.startswith("ram ("))
    expected = {k: int(v, 16) for k, v in gold[ram_key]["section sizes"].items()}
    first = next(ram_records(m))
    assert first.is_mem_size
    got = {b.name: b.used_length for b in first.blocks}
    assert got == expected
    assert sum(got.values()) == first.mem_size_4k * 4096


def test_pc_nodefaults_facts():
    """-machine pc -m 64 -nodefaults under QEMU 7.2 (corpus/x86/MANIFEST.md)."""
    m = parse("x86/pc-nodefaults-64m")
    assert m.configuration.machine_name == "pc-i440fx-7.2"
    assert m.page_size == 4096
    first = m.records[1]
    assert first.head.section.name == "ram"
    assert first.head.section.version_id == 4
    assert first.head.section.instance_id == 0
    blocks = first.payload.ram_records[0].blocks
    assert blocks[0].name == "pc.ram" and blocks[0].used_length == 0x4000000
    assert [b.name for b in blocks] == [
        "pc.ram", "/rom@etc/acpi/tables", "pc.bios", "pc.rom",
        "/rom@etc/table-loader", "/rom@etc/acpi/rsdp",
    ]
    cpus = [r for r in m.records if r.head.is_named and r.head.section.name == "cpu"]
    assert [(c.head.section.instance_id, c.head.section.version_id) for c in cpus] == [(0, 12)]


def test_smp4_has_four_cpus():
    m = parse("x86/q35-smp4-cpu-epyc")
    cpus = [r.head.section for r in m.records if r.head.is_named and r.head.section.name == "cpu"]
    assert [c.instance_id for c in cpus] == [0, 1, 2, 3]
    assert m.configuration.machine_name == "pc-q35-7.2"


def test_commands_return_path_and_advise():
    m = parse("x86/pc-postcopy-advise")
    cmds = [r.head.command for r in m.records if r.head.is_command]
    assert [c.command_type for c in cmds] == [C.open_return_path, C.ping, C.postcopy_advise]
    assert cmds[1].data.value == 1
    assert cmds[2].len_data == 16
    assert (cmds[2].data.ram_page_size_summary, cmds[2].data.target_page_size) == (4096, 4096)


def test_postcopy_packaged_and_discard():
    """Real postcopy: RAM_DISCARD ranges and the PACKAGED nested stream."""
    m = parse("x86/pc-postcopy-run-release-ram")
    cmds = [r for r in m.records if r.head.is_command]
    types = [r.head.command.command_type for r in cmds]
    assert types == [C.open_return_path, C.ping, C.postcopy_advise,
                     C.postcopy_ram_discard, C.ping, C.packaged, C.ping]
    discard = cmds[3].head.command.data
    assert discard.block_name == "pc.ram"
    assert len(discard.ranges) > 0
    assert all(rg.start % 4096 == 0 and rg.length > 0 for rg in discard.ranges)
    pings = [r.head.command.data.value for r in cmds if r.head.command.command_type == C.ping]
    assert pings == [1, 2, 4]
    pkg = cmds[5]
    assert pkg.head.command.packaged_len == 13419
    inner = pkg.packaged.records
    inner_cmds = [r.head.command for r in inner if r.head.is_command]
    assert [c.command_type for c in inner_cmds] == [C.postcopy_listen, C.ping, C.postcopy_run]
    assert inner_cmds[1].data.value == 3
    inner_full = [r.head.section.name for r in inner if r.head.record_type == R.section_full]
    assert "cpu" in inner_full and "timer" in inner_full


def test_configuration_subsections():
    uuid = parse("x86/pc-validate-uuid").configuration.subsections[0].body
    assert uuid.name == "configuration/uuid"
    assert uuid.uuid.hex() == "123456789abcdef0123456789abcdef0"  # -uuid 12345678-9abc-def0-...
    caps = parse("x86/pc-x-ignore-shared")
    assert caps.ignore_shared and not caps.mapped_ram
    names = [c.name for c in caps.configuration.subsections[0].body.capabilities.capabilities]
    assert names == ["x-ignore-shared"]
    blocks = next(ram_records(caps)).blocks
    assert blocks[0].name == "mem0"
    assert blocks[0].mr_addr == 0  # guest RAM mapped at guest-physical 0
    arm = parse("other/aarch64-virt-a57-smp2-virtio")
    assert arm.configuration.machine_name == "virt-7.2"
    assert arm.configuration.target_page_bits == 12


@pytest.mark.parametrize("name,page_size", [
    ("exotic/v7.2-avr-mega2560", 256),
    ("other/arm-versatilepb-1kpages", 1024),
    ("qemu10/v10.0-arm-versatilepb-mapped-ram-1k", 1024),
    ("exotic/v10.0-sparc64-sun4u", 8192),
    ("exotic/v10.0-tricore-tc277", 16384),
    ("other/aarch64-virt-max-gicv3-smp2", 4096),
])
@pytest.mark.slow
def test_page_size_derived_from_stream(name, page_size):
    m = parse(name)
    assert m.page_size == page_size
    # every RAM page record carries exactly one page
    recs = list(ram_records(m))
    assert all(len(r.page_data) == page_size for r in recs if r.is_page)
    # flags sit below the page size: every record is a known kind
    assert all(r.is_mem_size or r.is_zero or r.is_page or r.is_eos or r.is_multifd_flush
               for r in recs)
    assert sum(b.used_length for b in recs[0].blocks) % page_size == 0


def test_mapped_ram_headers():
    """mapped-ram: each MEM_SIZE entry carries a MappedRamHeader; the stream seeks past the data."""
    m = parse("qemu10/v10.0-x86_64-q35-mapped-ram")
    assert m.mapped_ram
    blocks = next(ram_records(m)).blocks
    ram = blocks[0]
    assert (ram.name, ram.used_length) == ("pc.ram", 0x8000000)
    hdr = ram.mapped_ram_header
    assert (hdr.version, hdr.page_size) == (1, 4096)
    assert hdr.pages_offset % 0x100000 == 0  # MAPPED_RAM_FILE_OFFSET_ALIGNMENT
    assert hdr.bitmap_offset < hdr.pages_offset


def test_switchover_start_in_qemu10():
    m = parse("qemu10/v10.0-x86_64-q35-default-exec")
    cmds = [r.head.command.command_type for r in m.records if r.head.is_command]
    assert cmds == [C.switchover_start]


def test_version_2_is_rejected_as_obsolete(tmp_path):
    p = tmp_path / "v2.mig"
    p.write_bytes(b"QEVM\x00\x00\x00\x02" + b"\x00")
    with pytest.raises(ValidationNotEqualError, match="obsolete_v2_refused_by_qemu"):
        QemuMigration.from_file(str(p))


def payloads(m: QemuMigration, fmt: str):
    return [r.payload for r in all_records(m.records)
            if r.head.is_section and r.payload_format.name == fmt]


def test_block_migration_chunks():
    """blk=true: 1 MiB DEVICE_BLOCK chunks of virtio0, PROGRESS percentages, EOS."""
    recs = [b for p in payloads(parse("x86/pc-block-migration"), "block") for b in p.block_records]
    data = [b for b in recs if b.is_device_block]
    assert [(b.device_name, b.sector) for b in data] == [("virtio0", 0), ("virtio0", 2048)]
    assert all(len(b.data) == 0x100000 for b in data)
    assert [b.sector for b in recs if b.is_progress] == [0, 50, 100]
    zrecs = [b for p in payloads(parse("x86/pc-block-migration-zero-blocks"), "block")
             for b in p.block_records]
    zero = [(b.device_name, b.sector) for b in zrecs if b.is_zero_block]
    assert sorted(zero) == [("virtio1", 0), ("virtio1", 2048), ("virtio1", 4096), ("virtio1", 6144)]


@pytest.mark.slow
@SAME_WORKER
def test_dirty_bitmap_chunks():
    chunks = [c for p in payloads(parse("exotic/v7.2-pc-dirty-bitmaps-persistent"), "dirty_bitmap")
              for c in p.chunks]
    starts = [(c.bitmap_name, c.granularity, c.bitmap_flags) for c in chunks if c.is_start]
    assert starts == [("bm2", 65536, 0), ("bm1", 4096, 3), ("bm0", 65536, 3)]
    assert chunks[0].node_name == "drive0"
    bits = [c for c in chunks if c.is_bits and not c.is_zeroes]
    # 16 MiB disk: 64 KiB granularity = 256 bits = 32 bytes, 4 KiB = 4096 bits = 512 bytes
    assert [(c.bitmap_name, c.len_buf) for c in bits] == [("bm2", 32), ("bm1", 512), ("bm0", 32)]
    assert sum(c.is_complete for c in chunks) == 3
    zeroes = [c for p in payloads(parse("x86/pc-dirty-bitmaps"), "dirty_bitmap")
              for c in p.chunks if c.is_zeroes]
    assert zeroes and all(not hasattr(c, "buf") for c in zeroes)


def test_spapr_htab():
    hts = payloads(parse("other/ppc64-pseries-default"), "htab")
    assert hts[0].header == 0x15  # START: HPT of 2 MiB (shift 21)
    assert [h.header for h in hts[1:]] == [0, 0]
    assert all(h.chunks[-1].is_end for h in hts[1:])


@pytest.mark.slow
def test_s390_storage_attributes_and_keys():
    m = parse("other/s390x-ccw-default")
    st = payloads(m, "stattrib")
    assert len(st) == 3
    assert st[-1].stattrib_records[0].is_done and st[-1].stattrib_records[-1].is_eos
    (skeys,) = payloads(m, "skeys")
    assert [r.is_eos for r in skeys.skeys_records] == [True]  # TCG: keys never enabled
