"""`migkaitai report`: the data the page is drawn from (the RAM map against the
extraction on every corpus stream, the file map, the devices), the page itself (one
file, nothing fetched, text from the stream escaped) and the CLI. The browser tests are
in test_report_browser.py."""
from __future__ import annotations

import io
import json
import re
import subprocess
import sys

import pytest

import migkaitai
from migkaitai.output import RamExtractor
from migkaitai.ram import RamTracker
from migkaitai.render.html import write_report
from migkaitai.report import CLASSES, RamMap

import corpus

QUICK = ["x86/pc-ram-random-4m", "x86/pc-compress", "exotic/v7.2-avr-mega2560"]
DATA_CLASSES = {CLASSES.index(c) for c in ("data", "xbzrle", "compressed", "resent")}


def expand(cells):
    out = []
    for run in cells:
        out += [run[1:]] * run[0]
    return out


def extraction_bits(name, outdir):
    """Per block, which pages the extraction (-x's RAM sink, fed by the same walk as -x)
    wrote data to, and the block's pages."""
    with migkaitai.open(str(corpus.stream_file(name))) as m:
        x = RamExtractor(str(outdir), m.page_size)
        w = m.walker(RamTracker(m.page_size, [x]), decode_devices=False)
        for _ in w.records():
            pass
        x.close()
        ps = w.ram.page_size
        return {b.name: [x.written[b.name].get(n) for n in range(b.length // ps)]
                for b in w.ram.blocks.values()}


def check_against_extraction(name, tmp_path):
    with migkaitai.open(str(corpus.stream_file(name))) as m:
        data = m.report_data()
    assert data["error"] is None
    bits = extraction_bits(name, tmp_path)
    assert [b["name"] for b in data["ram"]] == list(bits)
    checked = 0
    for b in data["ram"]:
        per = b["per_cell"]
        cells = expand(b["cells"])
        written = bits[b["name"]]
        assert b["pages"] == len(written)
        assert len(cells) == -(-len(written) // per)
        assert sum(sum(c[:len(CLASSES)]) for c in cells) == len(written)
        for i, c in enumerate(cells):
            want = sum(written[i * per:(i + 1) * per])
            assert sum(c[k] for k in DATA_CLASSES) == want, (b["name"], i)
            checked += 1
        e = b["encodings"]
        totals = [sum(c[k] for c in cells) for k in range(len(CLASSES) + 1)]
        if not b["mapped_ram"] and e["resent"] == 0 and not e["multifd"]:
            # each page sent at most once: the classes are the record counts
            assert totals[CLASSES.index("unsent")] == e["unsent"]
            assert totals[CLASSES.index("zero")] == e["zero"]
            assert totals[CLASSES.index("data")] == e["full"]
            assert totals[CLASSES.index("xbzrle")] == e["xbzrle"]
            assert totals[CLASSES.index("compressed")] == e["compressed"]
            assert totals[len(CLASSES)] == 0
    return data, checked


@pytest.mark.parametrize("name", QUICK)
def test_ram_map_agrees_with_extraction(tmp_path, name):
    check_against_extraction(name, tmp_path)


# (the two dirty-bitmap streams are left out: 169,000 bitmap records around ordinary RAM,
# 13 s of walking for nothing the others do not test; test_iterative_sections_stay_drawable
# reports one)
WALK_HEAVY = ("x86/pc-dirty-bitmaps", "exotic/v7.2-pc-dirty-bitmaps-persistent")


@pytest.mark.slow
@pytest.mark.parametrize("name", [n for n in corpus.valid_streams()
                                  if n not in QUICK and n not in WALK_HEAVY])
def test_ram_map_agrees_with_extraction_every_stream(tmp_path, name):
    check_against_extraction(name, tmp_path)


def block(data, name):
    return next(b for b in data["ram"] if b["name"] == name)


def totals(b):
    cells = expand(b["cells"])
    return {c: sum(x[k] for x in cells) for k, c in enumerate(CLASSES)} | {
        "resent_any": sum(x[len(CLASSES)] for x in cells)}


def test_random_ram_map():
    """pc-ram-random-4m: 4 MiB of random data loaded at guest-physical 0x1000000 (pages
    4096 to 5119 of pc.ram, one run), the other 15360 pages of the 64 MiB block zero
    pages; cells of 4 pages."""
    with migkaitai.open(str(corpus.stream_file("x86/pc-ram-random-4m"))) as m:
        data = m.report_data()
    ram = block(data, "pc.ram")
    assert ram["size"] == 64 << 20 and ram["pages"] == 16384 and ram["per_cell"] == 4
    assert totals(ram) == {"unsent": 0, "zero": 15360, "data": 1024, "xbzrle": 0,
                           "compressed": 0, "resent": 0, "resent_any": 0}
    cells = expand(ram["cells"])
    assert len(cells) == 4096
    zero, data = [0, 4, 0, 0, 0, 0, 0], [0, 0, 4, 0, 0, 0, 0]
    assert cells == [zero] * 1024 + [data] * 256 + [zero] * 2816  # the random 4 MiB
    assert ram["cells"] == [[1024, *zero], [256, *data], [2816, *zero]]  # runs: a few bytes


@pytest.mark.slow
def test_xbzrle_ram_map():
    """pc-running-xbzrle: a guest rewriting 128 pages, sent as XBZRLE deltas round after
    round (255,644 records) - each of those pages last sent as a delta and resent."""
    with migkaitai.open(str(corpus.stream_file("x86/pc-running-xbzrle"))) as m:
        data = m.report_data()
    t = totals(block(data, "pc.ram"))
    assert t["xbzrle"] == 128
    assert t["resent_any"] >= 128
    assert t["unsent"] == 0
    e = block(data, "pc.ram")["encodings"]
    assert e["xbzrle"] == 255644


def test_compressed_pages_have_their_class():
    with migkaitai.open(str(corpus.stream_file("x86/pc-compress"))) as m:
        data = m.report_data()
    ram = block(data, "pc.ram")
    t = totals(ram)
    assert t["compressed"] == ram["encodings"]["compressed"] > 0


def test_file_map_and_devices():
    with migkaitai.open(str(corpus.stream_file("x86/pc-ram-random-4m"))) as m:
        data = m.report_data()
        summary = m.summary()
    segs = data["segments"]
    # in stream order, not overlapping, from the configuration to the EOF record
    assert all(a[1] <= b[0] for a, b in zip(segs, segs[1:], strict=False))
    assert segs[0][2] == "config" and segs[-1][2] == "eof"
    kinds = [s[2] for s in segs]
    assert kinds.count("device") == summary["devices"] == 30
    # the ram sections (START with MEM_SIZE, PART with the pages, END), back to back with
    # their footers, are one segment; then the device sections
    assert [s for s in segs if s[2] == "ram"] == [[26, 4542877, "ram", "ram: 3 sections",
                                                    3, -1]]
    assert kinds[:3] == ["config", "ram", "device"]
    devices = [json.loads(d) for d in data["devices"]]
    assert len(devices) == 30
    for s in segs:
        if s[2] == "device":
            d = devices[s[5]]
            assert d["off"] == s[0] and s[1] >= d["off"] + d["size"]
    cpu = next(d for d in devices if d["name"] == "cpu")
    assert cpu["ver"] == 12 and cpu["inst"] == 0
    # fields: [label, type, value, offset, size, children, collapsed]
    assert [f[0] for f in cpu["f"][:2]] == ["env.regs[0]", "env.regs[1]"]
    eip = next(f for f in cpu["f"] if f[0] == "env.eip")  # paused at the reset vector
    assert eip == ["env.eip", "uint64", "0x000000000000fff0 (65520)", 4543107, 8, 0, 0]
    assert data["description_span"] == [0x4583D7, 0x4583D7 + 98649]


def test_big_arrays_are_collapsed_with_their_length():
    """ppc64 pseries: spapr_iommu's 262,144-entry table is one collapsed entry with the
    first ARRAY_SHOWN elements and a line saying how many more."""
    from migkaitai.render.html import ARRAY_SHOWN

    with migkaitai.open(str(corpus.stream_file("other/ppc64-pseries-default"))) as m:
        data = m.report_data()

    def find(fields):
        for f in fields:
            if f[1].endswith("[262144]"):
                return f
            if f[5]:
                hit = find(f[5])
                if hit:
                    return hit
        return None

    hits = [find(json.loads(d)["f"]) for d in data["devices"]]
    arr = next(h for h in hits if h)
    assert arr[2] == "262144 elements" and arr[6] == 1
    assert len(arr[5]) == ARRAY_SHOWN + 1
    assert arr[5][-1][2].startswith(f"{262144 - ARRAY_SHOWN} more elements")


def test_damaged_stream_gets_a_report_with_the_fault(tmp_path):
    """err-truncated-half: the page shows what came before the fault and marks it; the
    CLI exits 1 with the one-line error, and the page is written."""
    src = corpus.stream_file("x86/err-truncated-half")
    out = tmp_path / "r.html"
    r = subprocess.run([sys.executable, "-m", "migkaitai", "report", str(src), "-o", str(out)],
                       capture_output=True, text=True)
    assert r.returncode == 1
    assert r.stderr.count("\n") == 1 and "migkaitai: error:" in r.stderr
    assert "offset 0x" in r.stderr and "Traceback" not in r.stderr
    page = out.read_text()
    assert 'id="error"' in page and "Decoding stopped (at offset 0x" in page
    data = json.loads(page.split('id="report-data">', 1)[1].split("</script>", 1)[0])
    assert data["error_offset"] is not None
    assert data["ram"]  # the RAM decoded before the fault is drawn
    assert not list(tmp_path.glob(".migkaitai-report-*"))  # no temporary file left


def test_not_a_stream_writes_no_page(tmp_path):
    bad = tmp_path / "bad.mig"
    bad.write_bytes(b"not a stream at all\n" * 10)
    out = tmp_path / "r.html"
    r = subprocess.run([sys.executable, "-m", "migkaitai", "report", str(bad), "-o", str(out)],
                       capture_output=True, text=True)
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert r.stderr == ("migkaitai: error: expected the QEVM magic (51 45 56 4d), found 6e 6f 74 "
                        "20 61 20 73 74 at offset 0x0\n")
    assert not out.exists() and not list(tmp_path.glob(".migkaitai-report-*"))


def test_cli_default_name_and_stdout(tmp_path):
    src = tmp_path / "guest.mig"
    src.write_bytes(corpus.stream_file("x86/microvm-64m").read_bytes())
    r = subprocess.run([sys.executable, "-m", "migkaitai", "report", str(src)],
                       capture_output=True, text=True, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout == "guest.mig.html\n"
    page = (tmp_path / "guest.mig.html").read_text()
    r = subprocess.run([sys.executable, "-m", "migkaitai", "report", str(src), "-o", "-",
                        "--title", "microvm"], capture_output=True, text=True, cwd=tmp_path)
    assert r.returncode == 0
    assert r.stdout.startswith("<!DOCTYPE html>") and "<title>microvm</title>" in r.stdout
    # the same page but for the title (in <title> and the heading)
    assert r.stdout == page.replace("guest.mig: QEMU migration stream", "microvm")


def test_pipe_gives_the_same_report():
    path = corpus.stream_file("x86/pc-ram-random-4m")
    with migkaitai.open(str(path)) as m:
        a = m.report_data()
    with open(path, "rb") as f, migkaitai.open(_Unseekable(f)) as m:
        b = m.report_data()
    for key in ("ram", "segments", "devices", "error", "description_span"):
        assert a[key] == b[key], key


class _Unseekable(io.RawIOBase):
    def __init__(self, f):
        self.f = f

    def readable(self):
        return True

    def seekable(self):
        return False

    def readinto(self, b):
        data = self.f.read(len(b))
        b[:len(data)] = data
        return len(data)


def test_page_is_self_contained_and_escapes_the_stream_text():
    """Names from a stream can hold anything: they reach the page as escaped text, never
    markup, and the page loads nothing (a Content-Security-Policy forbids it too)."""
    hostile = '</script><script>alert(1)</script><img src="http://x/y">&amp;'
    dev = json.dumps({"i": 0, "name": hostile, "inst": 0, "ver": 1, "id": 1,
                      "kind": "section_full", "fmt": "device", "off": 0, "size": 1,
                      "f": [[hostile, "uint8", hostile, 1, 1, 0, 0]], "note": hostile})
    summary = {"path": hostile, "size": 10, "start": 0, "container": [(hostile, hostile)],
               "machine": hostile, "qemu": "x", "capabilities": [hostile], "page_size": 4096,
               "description": "none", "records": 1, "sections": 1, "footers": 0,
               "other_records": {}, "commands": {}, "devices": 1,
               "device_kinds": {hostile: 1}, "live": [], "ram_blocks": [],
               "ram_totals": {}, "error": hostile, "notes": [hostile]}
    data = {"summary": summary, "page_size": 4096, "classes": list(CLASSES), "ram": [],
            "segments": [[0, 1, "device", hostile, 1, 0]], "devices": [dev],
            "description_span": None, "error": hostile, "error_offset": 3, "failure": None,
            "stream_size": 10, "stream_start": 0}
    out = io.StringIO()
    write_report(data, out)
    page = out.getvalue()
    assert page.count("<script") == 2 and page.count("</script>") == 2
    assert "<img" not in page
    assert "default-src 'none'" in page
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", page)
    blob = page.split('id="report-data">', 1)[1].split("</script>", 1)[0]
    assert json.loads(blob)["devices"][0]["name"] == hostile


def test_ram_map_memory_is_a_byte_per_page():
    rm = RamMap(4096)

    class B:
        name = "pc.ram"
        length = 1 << 30

    rm.block(B)
    assert len(rm.pages["pc.ram"]) == 262144
    rm.page_run(B, range(0, 4096 * 1000, 4096), None)
    rm.zero_run(B, range(4096 * 500, 4096 * 2000, 4096))
    rm.xbzrle(B, 4096 * 10, b"", 0)
    per, cells = rm.cells("pc.ram")
    assert per == 64
    flat = expand(cells)
    total = [sum(c[k] for c in flat) for k in range(7)]
    # 500 data once, 500 data then zero (zero, resent), 1000 zero, 1 xbzrle (resent)
    assert total == [262144 - 2000, 1500, 499, 1, 0, 0, 501]


@pytest.mark.slow
def test_iterative_sections_stay_drawable():
    """pc-dirty-bitmaps: 42,000 dirty-bitmap parts between as many RAM sections. The
    tree lists the first MAX_PARTS parts and one entry for the rest; the file map merges
    neighbours no entry needs until it can be drawn; the page stays small."""
    from migkaitai.report import MAX_PARTS, FileMap

    with migkaitai.open(str(corpus.stream_file("x86/pc-dirty-bitmaps"))) as m:
        data = m.report_data()
    devices = [json.loads(d) for d in data["devices"]]
    bitmap = [d for d in devices if d["name"] == "dirty-bitmap"]
    assert len(bitmap) == 1 + MAX_PARTS + 1  # the start, the first parts, the rest
    assert bitmap[-1]["fmt"] == "parts"
    more = int(bitmap[-1]["note"].split()[0])
    segs = data["segments"]
    assert len(segs) <= FileMap.MAX_SEGMENTS
    assert all(a[1] == b[0] for a, b in zip(segs, segs[1:], strict=False))  # no gap
    assert segs[0][0] == 8 and segs[-1][2] == "eof"
    listed = [s for s in segs if s[5] >= 0]
    assert len(listed) == len(devices) - 1  # every entry but the "more parts" one
    # every record is in exactly one segment
    assert sum(s[4] for s in segs) == data["summary"]["records"] - data["summary"]["footers"]
    assert more > 40000
    page = io.StringIO()
    write_report(data, page)
    assert len(page.getvalue()) < 1_000_000


@pytest.mark.slow
@pytest.mark.parametrize("name, snapshot", [
    ("lv-gzip.save", None), ("lv-lzop.save", None), ("lv-raw.save", None),
    ("lv11-sparse.save", None), ("lv11-zstd.save", None),
    ("qcow2-v10.0-pc-2snaps.qcow2", "snap1"), ("qcow2-v10.0-pc-2snaps.qcow2", "snap2"),
    ("qcow2-v7.2-extl2-zstd.qcow2", None), ("qcow2-v7.2-v2-4k.qcow2", "second")])
def test_report_of_every_image(tmp_path, name, snapshot):
    """Images: the page has the container's facts, and the same RAM map and devices as
    the bare stream inside (the qcow2 snapshots are committed as streams too)."""
    page = tmp_path / "r.html"
    with migkaitai.open(str(corpus.container_file(name)), snapshot=snapshot) as m:
        m.report(str(page))
        if m.is_pipe:  # a compressed image is read once, like a pipe
            with pytest.raises(migkaitai.UsageError, match="is a pipe, read once: the report"):
                m.report_data()
    with migkaitai.open(str(corpus.container_file(name)), snapshot=snapshot) as m:
        data = m.report_data()
    text = page.read_text()
    assert "qcow2" in text if name.endswith(".qcow2") else "libvirt save image" in text
    assert data["error"] is None and data["ram"] and data["devices"]
    if name == "qcow2-v10.0-pc-2snaps.qcow2":
        bare = corpus.container_file(f"qcow2-v10.0-pc-2snaps.{snapshot}.mig")
        with migkaitai.open(str(bare)) as m:
            want = m.report_data()
        assert data["ram"] == want["ram"] and data["devices"] == want["devices"]


@pytest.mark.parametrize("name", [n for n in corpus.all_streams() if "/err-" in n])
def test_report_of_every_damaged_stream(tmp_path, name):
    with migkaitai.open(str(corpus.stream_file(name))) as m:
        data = m.report_data()
        summary_error = m.summary()["error"]
    assert data["error"] == summary_error and data["error"]
    assert data["error_offset"] is not None and data["failure"] is not None
    assert data["segments"]  # what was decoded before the fault


def test_report_output_errors_and_links(tmp_path):
    """The page goes where -o says, whole or not at all: a folder that does not exist is
    exit 3 with the path and the reason; a symbolic link there is replaced, its target
    left alone; the page gets the mode open() would give it."""
    src = str(corpus.stream_file("x86/microvm-64m"))
    missing = tmp_path / "no" / "such" / "r.html"
    r = subprocess.run([sys.executable, "-m", "migkaitai", "report", src, "-o", str(missing)],
                       capture_output=True, text=True)
    assert r.returncode == 3
    assert r.stderr == (f"migkaitai: error: cannot write {missing}: No such file or "
                        f"directory\n")
    victim = tmp_path / "victim"
    victim.write_text("keep me")
    link = tmp_path / "r.html"
    link.symlink_to(victim)
    r = subprocess.run([sys.executable, "-m", "migkaitai", "report", src, "-o", str(link)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert victim.read_text() == "keep me"
    assert not link.is_symlink() and link.read_text().startswith("<!DOCTYPE html>")
    import os

    umask = os.umask(0)
    os.umask(umask)
    assert link.stat().st_mode & 0o777 == 0o666 & ~umask
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.html", "victim"]


@pytest.mark.parametrize("length", [0x10000000000, 0x7FFFFFFFFFFFF000])
def test_hostile_block_size_is_not_allocated(tmp_path, length):
    """A stream that claims a RAM block of 1 TiB or 2^63 bytes (the fuzzer's cases 1339
    and 778): the map is address space the kernel backs only where pages are sent, and a
    block past MAX_MAP_PAGES is not drawn but said; no MemoryError, little memory."""
    import resource

    data = bytearray(corpus.stream_file("exotic/v7.2-avr-mega2560").read_bytes())
    # avr mega2560: MEM_SIZE total (be64 address|flags) at 0x32, 'flash' used length at 0x40
    assert int.from_bytes(data[0x40:0x48], "big") == 0x40000
    total = int.from_bytes(data[0x32:0x3A], "big")
    data[0x40:0x48] = length.to_bytes(8, "big")
    data[0x32:0x3A] = (total - 0x40000 + length).to_bytes(8, "big")
    src = tmp_path / "hostile.mig"
    src.write_bytes(bytes(data))

    def cap() -> None:  # 1 GiB of address space: what a map of the claim would take
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    r = subprocess.run([sys.executable, "-m", "migkaitai", "report", str(src), "-o",
                        str(tmp_path / "r.html")], capture_output=True, text=True,
                       preexec_fn=cap)
    assert "MemoryError" not in r.stderr and "Traceback" not in r.stderr
    assert r.returncode in (0, 1), r.stderr
    page = (tmp_path / "r.html").read_text()
    doc = json.loads(page.split('id="report-data">', 1)[1].split("</script>", 1)[0])
    flash = next(b for b in doc["ram"] if b["name"] == "flash")
    assert flash["pages"] == length // 256 and flash["cells"] == []
    assert flash["note"].startswith(f"not drawn: the block claims {length // 256:,} pages")


def device_entries(name, compact):
    from migkaitai.render.html import device_entry

    out = []
    with migkaitai.open(str(corpus.stream_file(name))) as m:
        w = m.walker()
        w.compact_runs = compact
        for rec in w.records():
            if rec.section is not None and rec.payload_format != "ram" and \
                    rec.kind != "section_footer":
                out.append(device_entry(rec, len(out), m._read_raw))
    return out


@pytest.mark.parametrize("name, seen", [
    ("x86/pc-ram-random-4m", '["env.eip","uint64","0x000000000000fff0 (65520)",4543107,8,0,0]'),
    ("other/ppc64-pseries-default", '"mig_table[0..262143]"')])
def test_compact_runs_give_the_same_entries(name, seen):
    """The report decodes with compact runs (vmsd.RunLeaves): its device entries are those
    of a Node per field, value for value."""
    compact = device_entries(name, True)
    assert compact == device_entries(name, False)
    assert any(seen in e for e in compact)


@pytest.mark.slow
@pytest.mark.parametrize("name", [n for n in corpus.valid_streams() if n not in WALK_HEAVY])
def test_compact_runs_give_the_same_entries_every_stream(name):
    assert device_entries(name, True) == device_entries(name, False)
