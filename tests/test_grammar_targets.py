"""The grammar as other Kaitai targets see it (issue: exact 64-bit sizes in C++, Java and
JavaScript, not only in Python)."""
from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from kaitaistruct import KaitaiStream
from migkaitai_ksy.qemu_migration import QemuMigration

import corpus
from conftest import KSC_DIR, KSY, _node

BIG = (4 << 30) + (64 << 20)  # pc.ram of 4 GiB + 64 MiB: 4362076160, above 32 bits


def big_ram_stream(tmp_path: Path) -> Path:
    """x86/pc-nodefaults-64m with its pc.ram claiming 4 GiB + 64 MiB: the block's be64
    used_length and the MEM_SIZE total (the first RAM record's address word) each get
    4 GiB more, so the block list still adds up."""
    data = bytearray(corpus.stream_file("x86/pc-nodefaults-64m").read_bytes())
    name = data.index(b"\x06pc.ram")
    assert data[name + 7:name + 15] == (64 << 20).to_bytes(8, "big")
    data[name + 7:name + 11] = (1).to_bytes(4, "big")
    head = data.index(b"\x03ram") + 4 + 8  # section name, instance and version ids
    word = int.from_bytes(data[head:head + 8], "big")
    assert word & 0xFFF == 0x04  # RAM_SAVE_FLAG_MEM_SIZE
    data[head:head + 8] = (word + (4 << 30)).to_bytes(8, "big")
    path = tmp_path / "big-ram.mig"
    path.write_bytes(bytes(data))
    return path


def ram_blocks_path(m: QemuMigration) -> tuple[int, int]:
    """(record index, block index) of pc.ram in the MEM_SIZE record."""
    for i, r in enumerate(m.records):
        if r.head.is_section and r.payload_format == QemuMigration.SectionFormat.ram:
            for j, b in enumerate(r.payload.ram_records[0].blocks):
                if b.name == "pc.ram":
                    return i, j
    raise AssertionError("no pc.ram block")


def test_a_block_above_4_gib_in_python_and_javascript(tmp_path, debug_js_dir):
    path = big_ram_stream(tmp_path)
    with open(path, "rb") as f:
        m = QemuMigration(KaitaiStream(f))
        i, j = ram_blocks_path(m)
        rec = m.records[i].payload.ram_records[0]
        block = rec.blocks[j]
        assert block.used_length == BIG
        assert rec.mem_size_4k == sum(b.used_length for b in rec.blocks) >> 12
        assert rec.blocks[-1].total_4k_after == rec.mem_size_4k
    base = f"records.{i}.payload.ram_records.0"
    out = subprocess.run(
        [_node(), str(KSC_DIR / "webide_parse.js"), "--ksy", str(KSY), "--js", str(debug_js_dir),
         "--value", f"{base}.blocks.{j}.used_length", "--value", f"{base}.mem_size_4k",
         str(path)], capture_output=True, text=True, timeout=300, check=True)
    values = json.loads(out.stdout)
    assert values == {f"{base}.blocks.{j}.used_length": BIG,
                      f"{base}.mem_size_4k": rec.mem_size_4k}


# spec -> type -> the instances whose value can exceed 32 bits
WIDE = {
    "qemu_migration": {
        "ram_block_entry": ["used_length", "total_4k_after", "ofs_next"],
        "ram_record": ["mem_size_4k"],
        "block_record": ["sector"],
    },
    "qcow2": {
        "header": ["backing_file_offset"],
        "l1_entry": ["l2_offset"],
        "l2_entry": ["host_offset", "compressed_offset"],
    },
}


def _camel(name: str, first_upper: bool) -> str:
    parts = name.split("_")
    return (parts[0].capitalize() if first_upper else parts[0]) + \
        "".join(p.capitalize() for p in parts[1:])


@pytest.fixture(scope="module")
def cpp_java(ksc, tmp_path_factory):
    """{spec: (C++ header, Java source)} as the pinned compiler writes them."""
    out = tmp_path_factory.mktemp("cpp-java")
    got = {}
    for spec in WIDE:
        for target in ("cpp_stl", "java"):
            r = ksc("--target", target, "--outdir", out / spec / target, KSY.parent / f"{spec}.ksy")
            assert r.returncode == 0, r.stderr
        header = (out / spec / "cpp_stl" / f"{spec}.h").read_text()
        java = next((out / spec / "java").rglob(f"{_camel(spec, True)}.java")).read_text()
        got[spec] = header, java
    return got


@pytest.mark.parametrize("spec,type_name,field", [(s, t, f) for s, types in WIDE.items()
                                                  for t, fs in types.items() for f in fs])
def test_64_bit_sizes_are_64_bit_in_cpp_and_java(spec, type_name, field, cpp_java):
    header, java = cpp_java[spec]
    cls = header[header.index(f"class {type_name}_t "):]
    cls = cls[:cls.index("\n};")]
    decl = re.search(rf"^\s*(\S+) {field}\(\);", cls, re.M)
    assert decl and decl.group(1) == "uint64_t", (type_name, field, decl and decl.group(0))
    jcls = java[java.index(f"public static class {_camel(type_name, True)} "):]
    jdecl = re.search(rf"public (\w+) {_camel(field, False)}\(\)", jcls)
    assert jdecl and jdecl.group(1) == "Long", (type_name, field, jdecl and jdecl.group(0))


# -- no terminator scan of the stream ---------------------------------------------------

NO_FOOTERS = ["x86/pc-no-section-footer", "x86/pc-all-switches-off", "x86/pc-i440fx-1.4",
              "x86/pc-i440fx-2.2", "x86/pc-i440fx-2.2-vmdesc-on", "x86/pc-i440fx-2.3"]
SPECS = ["qemu_migration", "qemu_multifd_channel", "libvirt_qemu_save", "lzop", "qcow2"]


@pytest.mark.slow
def test_no_grammar_scans_the_stream_for_a_terminator(ksc, tmp_path):
    """The stock C++ runtime's read_bytes_term throws at the end of any stream, whatever
    eos-error says: no spec may scan a stream for a terminator (cutting bytes read with a
    size at a terminator, in memory, is fine), in any target."""
    for spec in ("libvirt_qemu_save", "qcow2", "qemu_multifd_channel"):  # (the first
        # imports qemu_migration and lzop: compiled with it)
        r = ksc("--all-targets", tmp_path / spec, KSY.parent / f"{spec}.ksy")
        assert r.returncode == 0, r.stdout + r.stderr
    calls = ("read_bytes_term", "readBytesTerm", "ReadBytesTerm", "ReadBytesTermMulti")
    hits = [f"{p.relative_to(tmp_path)}:{i}" for p in tmp_path.rglob("*") if p.is_file()
            for i, line in enumerate(p.read_text(errors="replace").splitlines(), 1)
            if any(c in line for c in calls)]
    names = {p.stem.lower() for p in tmp_path.rglob("*.java")}
    assert names >= {s.replace("_", "") for s in SPECS} and hits == []


@pytest.mark.slow
@pytest.mark.parametrize("name", NO_FOOTERS)
def test_streams_without_footers_end_without_a_terminator_scan(name, monkeypatch):
    """The streams whose first device payload runs to the end of the file (no footers):
    parsed whole by the generated Python, no terminator scan called, the payload is every
    byte to the end."""
    def refuse(*args, **kw):
        raise AssertionError("read_bytes_term called")

    monkeypatch.setattr(KaitaiStream, "read_bytes_term", refuse)
    path = corpus.stream_file(name)
    with open(path, "rb") as f:
        m = QemuMigration(KaitaiStream(f))
        last = m.records[-1]
        assert last.payload_format == QemuMigration.SectionFormat.device
        chunks = last.payload.chunks
        end = chunks[-1]._io.pos()
        assert end == path.stat().st_size and not chunks[-1].at_footer


def webide(debug_js_dir, *args) -> subprocess.CompletedProcess:
    return subprocess.run([_node(), str(KSC_DIR / "webide_parse.js"), "--ksy", str(KSY),
                           "--js", str(debug_js_dir), *map(str, args)],
                          capture_output=True, text=True, timeout=300, check=False)


@pytest.mark.parametrize("name", [
    "x86/q35-defaults-256m", *(pytest.param(s, marks=pytest.mark.slow) for s in (
        "x86/pc-no-section-footer", "other/s390x-ccw-default", "other/ppc64-pseries-default"))])
def test_webide_counts_no_parsed_byte_as_unparsed(name, debug_js_dir):
    """The Web IDE's info panel (every instance evaluated): no lookahead instance overlaps
    the seq fields after it, so no parsed byte shows as "unparsed" (the footer probe made
    131,794 bytes of q35-defaults-256m unparsed)."""
    r = webide(debug_js_dir, "--unparsed", corpus.stream_file(name))
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == {"unparsed": []}


def test_a_file_that_is_not_a_stream_fails_on_the_magic(tmp_path, debug_js_dir):
    path = tmp_path / "not.mig"
    path.write_bytes(b"\x7fELF, this is not a migration stream " * 100)  # (no 0x51)
    r = webide(debug_js_dir, path)
    assert r.returncode == 1
    assert "expected [81,69,86,77]" in r.stderr and "at header.magic, byte 0" in r.stderr
    assert "terminator" not in r.stderr


def test_webide_tree_reads_like_the_record_list(debug_js_dir):
    """-webide-representation: each record reads as its kind, section name, id, instance
    and version, or its command (what the IDE shows instead of "0 [Record]")."""
    paths = ["records.0", "records.1", "records.2", "records.3", "records.5", "records.7",
             "records.58", "records.58.packaged.records.0", "records.58.packaged.records.1"]
    r = webide(debug_js_dir, *(a for p in paths for a in ("--repr", p)),
               corpus.stream_file("x86/pc-postcopy-run-release-ram"))
    assert r.returncode == 0, r.stderr
    got = json.loads(r.stdout)
    assert got["records.0"] == "CONFIGURATION pc-i440fx-7.2"
    assert got["records.1"] == "COMMAND OPEN_RETURN_PATH"
    assert got["records.58"] == "COMMAND PACKAGED"
    assert got["records.58.packaged.records.0"] == "COMMAND POSTCOPY_LISTEN"
    assert got["records.58.packaged.records.1"] == "SECTION_FULL timer (0) instance 0 version 2"
    r = webide(debug_js_dir, *(a for i in (1, 2, 3, 5) for a in ("--repr", f"records.{i}")),
               corpus.stream_file("x86/pc-nodefaults-64m"))
    assert json.loads(r.stdout) == {"records.1": "SECTION_START ram (2) instance 0 version 4",
                                    "records.2": "SECTION_FOOTER 2",
                                    "records.3": "SECTION_PART 2",
                                    "records.5": "SECTION_END 2"}


def test_records_that_are_not_sections_have_no_payload_format(debug_js_dir):
    path = corpus.stream_file("x86/pc-nodefaults-64m")
    r = webide(debug_js_dir, "--value", "records.1.payload_format", "--value",
               "records.1.section_name", path)
    assert json.loads(r.stdout) == {"records.1.payload_format": 1,  # section_format::ram
                                    "records.1.section_name": "ram"}
    absent = [f"records.{i}.{f}" for i in (0, 2)  # CONFIGURATION, then a FOOTER
              for f in ("payload_format", "section_name")]
    r = webide(debug_js_dir, *(a for p in absent for a in ("--value", p)), path)
    assert json.loads(r.stdout) == dict.fromkeys(absent)
