"""What users hold besides bare streams: libvirt save images (every format libvirt
writes), qcow2 images with internal snapshots, compressed streams - and other files,
which are named, never misread. Images from tests/data/containers (MANIFEST.md there)."""
from __future__ import annotations

import bz2
import gzip
import io
import itertools
import lzma
import random
import subprocess
import sys
from pathlib import Path

import pytest

import migkaitai
from migkaitai import containers as C

import corpus

CLI = [sys.executable, "-m", "migkaitai"]
PATTERN = random.Random(4242).randbytes(65536)  # at guest 0x1000000 of every image's guest
LIBVIRT = ["lv-raw.save", "lv-gzip.save", "lv-lzop.save", "lv11-zstd.save", "lv11-sparse.save"]


def state(source, **kw) -> str:
    out = io.StringIO()
    with migkaitai.open(source, **kw) as m:
        m.write_state(out)
    return out.getvalue()


def run(*args, input=None) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *map(str, args)], input=input, capture_output=True,
                          timeout=120, check=False)


def payload(name: str) -> tuple[bytes, bytes]:
    """(image header and XML, payload) of a libvirt image, split where its header says."""
    data = corpus.container_file(name).read_bytes()
    data_len = int.from_bytes(data[20:24], "little")
    return data[:92 + data_len], data[92 + data_len:]


def bare(name: str) -> bytes:
    """The QEMU stream inside libvirt image `name`, decompressed by other means."""
    _, body = payload(name)
    fmt = C.sniff(body[:16])
    if fmt == "gzip":
        return gzip.decompress(body)
    if fmt == "zstd":
        import zstandard

        return zstandard.ZstdDecompressor().stream_reader(io.BytesIO(body)).read()
    if fmt == "lzop":  # checked against the sha256 libvirt's lzop gave (MANIFEST.md)
        return C.read_exactly(C.decompressing_reader("lzop", io.BytesIO(body), 0, name), 1 << 30)
    return body


@pytest.mark.parametrize("name", LIBVIRT[:4])
def test_libvirt_image_decodes_as_its_bare_stream(name, tmp_path):
    raw = tmp_path / "bare.mig"
    raw.write_bytes(bare(name))
    assert state(corpus.container_file(name)) == state(raw)


def test_lzop_payload_is_what_lzop_wrote():
    import hashlib

    assert hashlib.sha256(bare("lv-lzop.save")).hexdigest() == \
        "625db47d65a33dc60c4b168dcc4640d839e102cf17efef7e53ff860db16eca58"


@pytest.mark.parametrize("name", LIBVIRT)
def test_libvirt_extract_has_the_pattern_and_the_xml(name, tmp_path):
    out = tmp_path / "out"
    with migkaitai.open(corpus.container_file(name)) as m:
        files = []
        m.extract(str(out), on_file=files.append)
        xml = m.domain_xml()
    assert "domain.xml" in files and "pc.ram" in files
    with open(out / "pc.ram", "rb") as f:
        f.seek(0x1000000)
        assert f.read(65536) == PATTERN
    head, _ = payload(name)
    cookie_offset = int.from_bytes(head[32:36], "little")
    want = head[92:92 + cookie_offset].split(b"\0")[0].decode()
    assert xml == want and "<name>corpus-tiny</name>" in xml
    assert want.endswith("</domain>\n")  # (libvirt writes the final newline)
    assert (out / "domain.xml").read_text() == want


def test_dump_xml_prints_the_domain_xml():
    r = run("-d", "xml", corpus.container_file("lv11-zstd.save"))
    head, _ = payload("lv11-zstd.save")
    assert r.returncode == 0
    assert r.stdout == head[92:].split(b"\0")[0]
    r = run("-d", "xml", corpus.stream_file("x86/pc-nodefaults-64m"))
    assert r.returncode == 2 and b"is not a libvirt save image" in r.stderr


def test_tree_starts_with_the_container():
    r = run("--format", "tree", corpus.container_file("lv11-sparse.save"))
    assert r.returncode == 0
    lines = r.stdout.decode().splitlines()
    assert lines[:8] == [
        "container: libvirt save image",
        "format: sparse",
        "version: 2",
        "byte order: little-endian",
        "was_running: 0",
        "domain: corpus-tiny (uuid 6d5b6e1c-2f0a-4c1b-9a77-3c0de5a1b001)",
        "domain XML: 1167 bytes at 0x5c",
        "stream: at 0x105d8",
    ]


def test_sparse_image_reads_pages_at_image_offsets(tmp_path):
    """format 6: mapped-ram whose bitmap and page offsets count from the start of the image
    (test_libvirt_extract_has_the_pattern_and_the_xml finds the pattern through them)."""
    with migkaitai.open(corpus.container_file("lv11-sparse.save")) as m:
        assert m.start == 67032 and m.container.format == "sparse"
        blocks = {b.name: b for b in m.load().ram_blocks}
    assert blocks["pc.ram"].mapped_ram.bitmap_offset == 67174  # (MANIFEST.md)
    assert blocks["pc.ram"].pages == 16 and blocks["pc.bios"].pages == 47


def _rewrap(name: str, fmt_id: int, compress, swap: bool = False) -> bytes:
    """lv-raw.save's stream compressed as libvirt would (its `PROG -c` output after the
    header), with the header's format set to `fmt_id` (and byte-swapped: a big-endian
    host's image)."""
    head, body = payload(name)
    head = bytearray(head)
    head[28:32] = fmt_id.to_bytes(4, "little")
    if swap:
        for off in range(16, 92, 4):
            head[off:off + 4] = head[off:off + 4][::-1]
    return bytes(head) + compress(body)


@pytest.mark.parametrize("fmt_id,compress", [(2, bz2.compress), (3, lzma.compress)])
def test_bzip2_and_xz_images(fmt_id, compress, tmp_path):
    path = tmp_path / "img.save"
    path.write_bytes(_rewrap("lv-raw.save", fmt_id, compress))
    raw = tmp_path / "bare.mig"
    raw.write_bytes(bare("lv-raw.save"))
    assert state(path) == state(raw)


def test_big_endian_header(tmp_path):
    path = tmp_path / "be.save"
    path.write_bytes(_rewrap("lv-raw.save", 0, lambda b: b, swap=True))
    with migkaitai.open(path) as m:
        assert m.container.big_endian and m.container.format == "raw"
        assert m.container.domain_name == "corpus-tiny"
        assert m.start == 67010


def test_unfinished_and_hostile_images(tmp_path):
    data = bytearray(corpus.container_file("lv-raw.save").read_bytes())
    part = tmp_path / "part.save"
    part.write_bytes(b"LibvirtQemudPart" + data[16:])
    r = run(part)
    assert r.returncode == 1 and r.stdout == b""
    assert r.stderr.startswith(b"migkaitai: error: libvirt had not finished writing this "
                               b"save image (magic LibvirtQemudPart")
    huge = tmp_path / "huge.save"
    data[20:24] = (0x7FFFFFFF).to_bytes(4, "little")
    huge.write_bytes(data)
    r = run(huge)
    assert r.returncode == 1
    assert b"claims 2147483647 bytes of domain XML" in r.stderr and b"at offset 0x14" in r.stderr
    bad = tmp_path / "bad.save"
    data[20:24] = (66918).to_bytes(4, "little")
    data[32:36] = (999999).to_bytes(4, "little")  # cookieOffset > data_len
    bad.write_bytes(data)
    r = run(bad)
    assert r.returncode == 1 and b"max 66918, but got 999999) at offset 0x20" in r.stderr


def test_a_pipe_unwraps_images_and_compression():
    for name in ("lv-gzip.save", "lv-raw.save"):
        data = corpus.container_file(name).read_bytes()
        a, b = run("-", input=data), run(corpus.container_file(name))
        assert (a.returncode, a.stdout) == (b.returncode, b.stdout) and a.returncode == 0
    r = run("-", input=corpus.container_file("lv11-sparse.save").read_bytes()[:1 << 20])
    assert r.returncode == 2 and b"must be read from a file" in r.stderr


@pytest.mark.parametrize("fmt", ["gzip", "bzip2", "xz", "zstd", "lzop"])
def test_compressed_bare_streams(fmt, tmp_path):
    src = corpus.stream_file("x86/pc-nodefaults-64m").read_bytes()
    if fmt == "lzop":  # a real lzop file: libvirt's payload, and its stream
        _, comp = payload("lv-lzop.save")
        src = bare("lv-lzop.save")
    elif fmt == "zstd":
        import zstandard

        comp = zstandard.ZstdCompressor().compress(src)
    else:
        comp = {"gzip": gzip.compress, "bzip2": bz2.compress, "xz": lzma.compress}[fmt](src)
    path = tmp_path / "s.comp"
    path.write_bytes(comp)
    raw = tmp_path / "s.mig"
    raw.write_bytes(src)
    with migkaitai.open(path) as m:
        out = io.StringIO()
        m.write_state(out)
        assert m.container.format == fmt
    assert out.getvalue() == state(raw)


def test_corrupt_and_truncated_compression(tmp_path):
    src = corpus.stream_file("x86/pc-nodefaults-64m").read_bytes()
    comp = gzip.compress(src)
    cut = tmp_path / "cut.gz"
    cut.write_bytes(comp[:len(comp) // 2])
    r = run(cut)
    assert r.returncode == 1 and b"Traceback" not in r.stderr
    assert b"the gzip data ends before its end marker" in r.stderr
    flip = bytearray(comp)
    flip[len(flip) // 3] ^= 0xFF
    bad = tmp_path / "flip.gz"
    bad.write_bytes(bytes(flip))
    r = run(bad)
    assert r.returncode == 1 and b"Traceback" not in r.stderr
    assert b"migkaitai: error: " in r.stderr


@pytest.mark.parametrize("fmt", ["gzip", "bzip2", "xz"])
def test_members_one_after_another(fmt, tmp_path):
    """A file of several members (pigz, pbzip2, `cat a.xz b.xz`), with the zero padding
    gzip and xz allow after a member: read through, as `FMT -dc` reads it, by path and
    through a pipe; bytes that are not a member where one should start are an input error
    naming the format."""
    src = corpus.stream_file("x86/pc-nodefaults-64m").read_bytes()
    compress = {"gzip": gzip.compress, "bzip2": bz2.compress, "xz": lzma.compress}[fmt]
    cuts = [0, len(src) // 3, len(src) // 3 + 4097, len(src)]
    pad = b"" if fmt == "bzip2" else bytes(8)
    comp = b"".join(compress(src[a:b]) + pad for a, b in itertools.pairwise(cuts))
    path = tmp_path / "s.comp"
    path.write_bytes(comp)
    raw = tmp_path / "s.mig"
    raw.write_bytes(src)
    want = state(raw)
    assert state(path) == want
    r = run("-d", "state", "-", input=comp)
    assert r.returncode == 0 and r.stdout.decode() == want
    first = compress(src[:cuts[1]])
    path.write_bytes(first + b"JUNK" * 4 + compress(src[cuts[1]:]))
    r = run(path)
    assert r.returncode == 1 and b"Traceback" not in r.stderr
    assert f"bytes that are not {fmt} data follow the end of the {fmt} data".encode() \
        in r.stderr
    assert b'"pc.ram": "0x0000000004000000"' in r.stdout  # (decoded before the fault)


def test_decompressing_thread_ends_with_the_stream():
    """A compressed stream read from the caller's file object, broken in its middle: the
    decompressing thread ends when the stream is closed; the caller's file stays open."""
    import threading

    src = corpus.stream_file("x86/pc-nodefaults-64m").read_bytes()
    comp = bytearray(lzma.compress(src))
    comp[len(comp) // 2] ^= 0xFF
    before = threading.active_count()
    f = io.BytesIO(bytes(comp))
    with pytest.raises(migkaitai.MigkaitaiError, match="the xz data is corrupt"), \
            migkaitai.open(f) as m:
        m.write_state(io.StringIO())
    assert threading.active_count() == before and not f.closed


# -- qcow2 --------------------------------------------------------------------------

QCOW2 = "qcow2-v10.0-pc-2snaps.qcow2"


def test_qcow2_with_two_snapshots_lists_them():
    r = run(corpus.container_file(QCOW2))
    assert r.returncode == 2 and r.stdout == b""
    lines = r.stderr.decode().splitlines()
    assert lines[0] == (f"migkaitai: error: {corpus.container_file(QCOW2)} holds 2 snapshots "
                        f"with VM state: choose one with --snapshot ID|NAME")
    assert lines[1:3] == ["Snapshot list:",
                          "ID        TAG               VM SIZE                DATE     "
                          "VM CLOCK     ICOUNT"]
    assert lines[3].startswith("1         snap1             523 KiB ")
    assert lines[3].endswith(" 00:00:00.000")
    assert lines[4].startswith("2         snap2             847 KiB ")
    assert lines[4].endswith(" 00:00:00.105")


@pytest.mark.parametrize("wanted,truth", [("snap1", "snap1"), ("2", "snap2")])
def test_qcow2_snapshot_state_is_its_vm_state(wanted, truth):
    ground = corpus.container_file(f"qcow2-v10.0-pc-2snaps.{truth}.mig")
    assert state(corpus.container_file(QCOW2), snapshot=wanted) == state(ground)


def test_qcow2_extract(tmp_path):
    with migkaitai.open(corpus.container_file(QCOW2), snapshot="snap2") as m:
        m.extract(str(tmp_path))
        assert m.snapshot.name == "snap2" and m.snapshot.vm_state_size == 867513
    with open(tmp_path / "pc.ram", "rb") as f:
        f.seek(0x20000)  # the boot sector's fill, before snap2
        assert f.read(65536) == b"SZ" * 32768
        f.seek(0x1000000)
        assert f.read(65536) == PATTERN


def test_qcow2_one_snapshot_with_state_is_taken_with_a_note(tmp_path):
    """Snapshot 2's VM state size set to 0 (a disk-only snapshot): snapshot 1 is the only
    one with VM state."""
    data = bytearray(corpus.container_file(QCOW2).read_bytes())
    entry2 = 2424904
    data[entry2 + 32:entry2 + 36] = bytes(4)
    data[entry2 + 40:entry2 + 48] = bytes(8)  # the 64-bit size in the extra data
    path = tmp_path / "one.qcow2"
    path.write_bytes(data)
    r = run(path)
    assert r.returncode == 0
    assert b"migkaitai: note: read the VM state of snapshot 1 (snap1), the only one of 2 " \
           b"that has one" in r.stderr
    r = run("--snapshot", "snap2", path)
    assert r.returncode == 1 and b"has no VM state (a disk-only snapshot)" in r.stderr
    r = run("--snapshot", "nope", path)
    assert r.returncode == 2 and b"has no snapshot 'nope'" in r.stderr


def test_qcow2_without_snapshots_is_named(tmp_path):
    data = bytearray(corpus.container_file(QCOW2).read_bytes())
    data[60:64] = bytes(4)
    path = tmp_path / "none.qcow2"
    path.write_bytes(data)
    r = run(path)
    assert r.returncode == 1
    assert b"not a QEMU migration stream: " in r.stderr
    assert b"is a qcow2 image without internal snapshots" in r.stderr


def test_qcow2_vm_state_through_the_cluster_map():
    """The reader maps guest 0x20000000.. through snapshot 1's L1/L2 tables: to host
    0x80000 (MANIFEST.md), a contiguous run of 9 clusters."""
    path = corpus.container_file(QCOW2)
    with open(path, "rb") as f:
        img = C.Qcow2Image(f, str(path), path.stat().st_size)
        sn = img.snapshots[0]
        vm = img.vm_state(sn)
        assert vm.start == 0x20000000 and vm.size == 535094
        data = vm.read(1 << 20)
        f.seek(0x80000)
        assert data == f.read(535094)
        vm.seek(535000)
        assert vm.read(1000) == data[535000:]


# -- other files are named ----------------------------------------------------------

@pytest.mark.parametrize("head,what", [
    (b"\x7fELF\x02\x01\x01" + bytes(9) + b"\x04\x00", "a core dump (virsh dump, "
                                                       "dump-guest-memory) (ELF)"),
    (b"KDUMP   " + bytes(100), "a kdump-compressed dump"),
    (bytes(510) + b"\x55\xaa", "a raw disk image (MBR partition table)"),
    (b"{\"page_size\": 4096}", "JSON text"),
])
def test_other_files_are_named(head, what, tmp_path):
    path = tmp_path / "file"
    path.write_bytes(head + bytes(4096))
    r = run(path)
    assert r.returncode == 1 and r.stdout == b""
    assert r.stderr.startswith(b"migkaitai: error: not a QEMU migration stream: this looks "
                               b"like " + what.encode())


def test_the_grammar_reads_the_containers():
    """ksy/libvirt_qemu_save.ksy (the raw image with its stream inside), ksy/qcow2.ksy."""
    from migkaitai_ksy.libvirt_qemu_save import LibvirtQemuSave
    from migkaitai_ksy.qcow2 import Qcow2

    img = LibvirtQemuSave.from_file(str(corpus.container_file("lv-raw.save")))
    assert img.image_header.fields.format == LibvirtQemuSave.SaveFormat.raw
    assert img.stream.configuration.machine_name == "pc-i440fx-7.2"
    assert len(img.stream.records) == 62 and img.stream.records[-1].head.record_type_raw == 0
    lz = LibvirtQemuSave.from_file(str(corpus.container_file("lv-lzop.save")))
    assert [b.len_uncompressed for b in lz.lzop_stream.blocks][:2] == [262144, 179089]
    q = Qcow2.from_file(str(corpus.container_file(QCOW2)))
    assert [(s.id, s.name, s.vm_state_size, s.extra_data.disk_size) for s in q.snapshots] == \
        [("1", "snap1", 535094, 16777216), ("2", "snap2", 867513, 16777216)]
    l2 = q.snapshots[0].l1_table[1].l2_table
    assert [e.host_offset for e in l2.entries[:9]] == [0x80000 + i * 0x10000 for i in range(9)]
    assert Path(corpus.container_file(QCOW2)).stat().st_size == 2424974


@pytest.fixture(scope="module")
def container_js(ksc, tmp_path_factory):
    """The container grammars compiled to JavaScript in debug mode (as the Web IDE does)."""
    out = tmp_path_factory.mktemp("containers-js")
    ksy = Path(__file__).resolve().parent.parent / "ksy"
    for spec in ("libvirt_qemu_save", "qcow2"):
        r = ksc("--target", "javascript", "--debug", "--outdir", out, ksy / f"{spec}.ksy")
        assert r.returncode == 0, r.stderr
    return out


def webide_fields(js, spec: str, path, *fields: str) -> dict:
    import json
    import shutil

    ksy = Path(__file__).resolve().parent.parent / "ksy" / f"{spec}.ksy"
    tool = Path(__file__).resolve().parent.parent / "tools" / "ksc" / "webide_parse.js"
    args = [a for f in fields for a in ("--fields", f)]
    r = subprocess.run([shutil.which("node"), str(tool), "--ksy", str(ksy), "--js", str(js),
                        *args, str(path)], capture_output=True, text=True, timeout=300,
                       check=False)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)  # type: ignore[no-any-return]


@pytest.mark.parametrize("name", LIBVIRT)
def test_webide_opens_libvirt_images(name, container_js):
    """Root from the stream alone, _read(), every instance evaluated: the header and XML of
    every format, and for a raw image the QEMU stream inside it."""
    got = webide_fields(container_js, "libvirt_qemu_save", corpus.container_file(name),
                        "image_header", "domain_data")
    head, _ = payload(name)
    fmt = int.from_bytes(head[28:32], "little")
    assert got["image_header"]["fields.format"] == fmt
    assert got["image_header"]["fields.data_len"] == len(head) - 92
    assert got["domain_data"]["domain_xml"] == head[92:].split(b"\0")[0].decode()
    if fmt == 0:
        rec = webide_fields(container_js, "libvirt_qemu_save", corpus.container_file(name),
                            "stream.records.1")["stream.records.1"]
        assert rec["head.section.name"] == "ram" and rec["head.record_type"] == 1


def test_webide_opens_the_qcow2_image(container_js):
    got = webide_fields(container_js, "qcow2", corpus.container_file(QCOW2), "header",
                        "snapshots.1", "snapshots.0.l1_table.1.l2_table.entries.8")
    assert got["header"]["cluster_bits"] == 16 and got["header"]["nb_snapshots"] == 2
    assert (got["snapshots.1"]["name"], got["snapshots.1"]["extra_data.vm_state_size"]) == \
        ("snap2", 867513)
    e = got["snapshots.0.l1_table.1.l2_table.entries.8"]
    assert (e["hi"], e["lo"]) == (0, 0x100000)  # the 9th cluster of snap1's VM state


def test_a_stream_found_by_scanning_must_be_complete(tmp_path):
    """The qcow2 image with its magic destroyed: the raw clusters hold snapshot 1's VM state
    at 0x80000 (its EOF at 0xe863c) and snapshot 2's description further on; that is no
    stream, and the error says what was found where. After 4 KiB of other bytes, a
    complete stream is found and read."""
    data = corpus.container_file(QCOW2).read_bytes()
    bad = tmp_path / "q.bin"
    bad.write_bytes(b"XXXXXXXX" + data[8:])
    r = run(bad)
    assert (r.returncode, r.stdout) == (1, b"")
    assert r.stderr == (b"migkaitai: error: not a QEMU migration stream: it starts with 58 58 "
                        b"58 58 58 58 58 58, and the QEVM magic found at 0x80000 starts no "
                        b"complete stream (its EOF record ends at 0xe863c, but the description "
                        b"found is at 0x21b999); give --offset to read it anyway at offset 0x0\n")
    stream = corpus.stream_file("x86/pc-nodefaults-64m")
    good = tmp_path / "g.bin"
    good.write_bytes(random.Random(1).randbytes(4096).replace(b"Q", b"q") + stream.read_bytes())
    with migkaitai.open(good) as m:
        assert m.start == 4096
        out = io.StringIO()
        m.write_state(out)
    assert out.getvalue() == state(stream)


@pytest.mark.parametrize("at,word,message", [
    (64, b"\x7f" + b"\xff" * 7, b"the qcow2 snapshot table at 0x7fffffffffffffff lies past the "
                                b"end of the file"),
    (0x30000, b"\xff" * 8, b"a compressed cluster of the VM state at 0x3fffffffffffff lies "
                           b"past the end of"),
    (0x30000, b"\x00\x00\x01\x00\x00\x00\x00\x00", b"a cluster of the VM state at "
                                                   b"0x10000000000 lies past the end of"),
])
def test_hostile_qcow2_tables(at, word, message, tmp_path):
    """A snapshot table, or an L2 entry of snapshot 1's VM state (its table at 0x30000),
    pointing far past the end of the file: an input error, never an internal one."""
    data = bytearray(corpus.container_file(QCOW2).read_bytes())
    data[at:at + 8] = word
    path = tmp_path / "h.qcow2"
    path.write_bytes(data)
    r = run("--snapshot", "1", path)
    assert r.returncode == 1 and b"internal error" not in r.stderr
    assert r.stderr.startswith(b"migkaitai: error: ") and message in r.stderr


@pytest.mark.parametrize("method", ["zlib", "zstd"])
def test_qcow2_compressed_vm_state_clusters(method, tmp_path):
    """Snapshot 1's nine VM state clusters rewritten as compressed clusters (raw deflate
    with a 4 KiB window as qcow2_zlib_compress writes it, or zstd with the header's
    compression type set to zstd), appended to the image; the L2 entries become
    compressed-cluster descriptors (x = 62 - (16 - 8) = 54). The state read through them
    is snapshot 1's."""
    import zlib

    data = bytearray(corpus.container_file(QCOW2).read_bytes())
    if method == "zstd":
        import zstandard

        data[72 + 7] |= 0x08  # incompatible feature: compression type
        data[104] = 1  # zstd
    l2 = 0x30000
    for i in range(9):
        entry = int.from_bytes(data[l2 + 8 * i:l2 + 8 * i + 8], "big")
        host = entry & 0x00FFFFFFFFFFFE00
        cluster = bytes(data[host:host + 0x10000])
        if method == "zstd":
            comp = zstandard.ZstdCompressor().compress(cluster)
        else:
            c = zlib.compressobj(9, zlib.DEFLATED, -12)
            comp = c.compress(cluster) + c.flush()
        data += bytes(-len(data) % 512 + 3)  # (3: a descriptor need not be aligned)
        at = len(data)
        data += comp
        sectors = (at % 512 + len(comp) + 511) // 512
        desc = (1 << 62) | ((sectors - 1) << 54) | at
        data[l2 + 8 * i:l2 + 8 * i + 8] = desc.to_bytes(8, "big")
    data += bytes(-len(data) % 512)
    path = tmp_path / f"{method}.qcow2"
    path.write_bytes(data)
    ground = corpus.container_file("qcow2-v10.0-pc-2snaps.snap1.mig")
    assert state(path, snapshot="1") == state(ground)
    from migkaitai_ksy.qcow2 import Qcow2

    q = Qcow2.from_file(str(path))
    e = q.snapshots[0].l1_table[1].l2_table.entries[0]
    assert e.is_compressed and e.compressed_offset % 512 == 3 and q.header.compression == \
        (1 if method == "zstd" else 0)


def test_qcow2_extended_l2(tmp_path):
    """A real image with extended L2 entries (and compression type zstd), QEMU 7.2: the
    VM state at 256 MiB (l2_bits 12), read through 16-byte entries and their subcluster
    bitmaps."""
    path = corpus.container_file("qcow2-v7.2-extl2-zstd.qcow2")
    with open(path, "rb") as f:
        img = C.Qcow2Image(f, str(path), path.stat().st_size)
        assert (img.extended_l2, img.l2_bits, img.compression) == (True, 12, "zstd")
        assert img.vm_state(img.snapshots[0]).start == 0x10000000
    r = run("-x", "-o", tmp_path, path)
    assert r.returncode == 0
    assert r.stderr == b"migkaitai: note: read the VM state of snapshot 1 (s1), the only one " \
                       b"of 1 that has one\n"
    with open(tmp_path / "pc.ram", "rb") as f:
        f.seek(0x1000000)
        assert f.read(65536) == PATTERN


def test_qcow2_version_2_with_4k_clusters(tmp_path):
    """compat=0.10 (a 72-byte header, no header_length), clusters of 4 KiB (l2_bits 9: an
    L1 entry maps 2 MiB, the VM state starts at 16 MiB): listed as qemu-img lists it, both
    snapshots readable."""
    path = corpus.container_file("qcow2-v7.2-v2-4k.qcow2")
    r = run(path)
    assert r.returncode == 2
    lines = r.stderr.decode().splitlines()[1:]
    assert [ln[:35] for ln in lines] == [  # (then the date, in local time)
        "Snapshot list:",
        "ID        TAG               VM SIZE",
        "1         first             442 KiB",
        "2         second            442 KiB",
    ]
    assert all(ln.endswith(" 00:00:00.000") for ln in lines[2:])
    with open(path, "rb") as f:
        img = C.Qcow2Image(f, str(path), path.stat().st_size)
        assert (img.header.version, img.cluster_size, img.l2_bits) == (2, 4096, 9)
        assert img.vm_state(img.snapshots[1]).start == 16 << 20  # 8 L1 entries of 2 MiB
    r = run("--snapshot", "second", "-x", "-o", tmp_path, path)
    assert r.returncode == 0
    with open(tmp_path / "pc.ram", "rb") as f:
        f.seek(0x1000000)
        assert f.read(65536) == PATTERN


def test_lzop_checksums_are_checked(tmp_path):
    """A flipped bit in the first lzop block's data: its checksum (or the LZO1X decoder)
    says so, naming where the block is in the image."""
    data = bytearray(corpus.container_file("lv-lzop.save").read_bytes())
    data[67010 + 200] ^= 0x10
    path = tmp_path / "bad.save"
    path.write_bytes(data)
    r = run(path)
    assert r.returncode == 1 and b"internal error" not in r.stderr
    assert b"the lzop block at byte 0x" in r.stderr


@pytest.mark.parametrize("fmt", ["xz", "bzip2", "zstd"])
def test_corrupt_compressed_streams_are_input_errors(fmt, tmp_path):
    """A byte flipped a third of the way into the compressed data: an input error naming
    the format (never an internal error), with what was decoded before still printed."""
    src = corpus.stream_file("x86/pc-nodefaults-64m").read_bytes()
    if fmt == "zstd":
        import zstandard

        comp = bytearray(zstandard.ZstdCompressor().compress(src))
    else:
        comp = bytearray({"bzip2": bz2.compress, "xz": lzma.compress}[fmt](src))
    comp[len(comp) // 3] ^= 0xFF
    path = tmp_path / "s.bad"
    path.write_bytes(bytes(comp))
    r = run(path)
    assert r.returncode == 1 and b"internal error" not in r.stderr
    assert r.stderr.startswith(b"migkaitai: error: ")


def test_snapshot_goes_with_qcow2_only():
    r = run("--snapshot", "1", corpus.container_file("lv-raw.save"))
    assert r.returncode == 2 and r.stdout == b""
    assert r.stderr.startswith(b"migkaitai: error: --snapshot goes with a qcow2 image; ")
