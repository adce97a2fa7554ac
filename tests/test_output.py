"""Output files (migkaitai.output): nothing is written outside the output folder, no
symbolic link or FIFO planted in it is followed or opened, every name a run writes is
unique, and a failed write is an output error (exit 3) naming the path and the reason."""
from __future__ import annotations

import errno
import io
import os
import subprocess
import sys

import pytest

from migkaitai.cli import main
from migkaitai.errors import OutputError
from migkaitai.output import OutputDir, PageBits, RamExtractor, safe_relative_path
from migkaitai.ram import RamBlock

import corpus

NODEFAULTS = "x86/pc-nodefaults-64m"  # blocks pc.ram, /rom@etc/acpi/tables, pc.bios, ...


def run(*args: object) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    rc = main([str(a) for a in args], stdout=out, stderr=err)
    return rc, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("name,expected", [
    ("../../etc/passwd", "%2E%2E/%2E%2E/etc/passwd"),
    ("/rom@etc/acpi/tables", "rom@etc/acpi/tables"),
    ("a\x00b", "a%00b"),
    ("..", "%2E%2E"),
    ("/", "%00"),
    ("x/./y\\z", "x/%2E/y%5Cz"),
])
def test_block_names_stay_inside_the_output_folder(name, expected):
    assert safe_relative_path(name) == expected


def test_symlink_planted_as_a_block_file_is_not_followed(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    victim = tmp_path / "victim"
    victim.write_bytes(b"keep")
    os.symlink(victim, out / "pc.ram")
    rc, _, err = run(corpus.stream_file("x86/pc-nodefaults-64m"), "-x", "-o", out)
    assert rc == 3  # an output error: the input is fine
    assert err == (f"migkaitai: error: refusing to write RAM block 'pc.ram' to {out}/pc.ram: "
                   f"it exists and is a symbolic link\n")
    assert victim.read_bytes() == b"keep"


@pytest.mark.parametrize("planted", ["desc.json", "state.json"])
def test_symlink_planted_as_a_fixed_name_is_not_followed(tmp_path, planted):
    out = tmp_path / "out"
    out.mkdir()
    victim = tmp_path / "victim"
    victim.write_bytes(b"keep")
    os.symlink(victim, out / planted)
    rc, _, err = run("-x", "-o", out, corpus.stream_file(NODEFAULTS))
    what = "the description" if planted == "desc.json" else "the state"
    assert (rc, err) == (3, f"migkaitai: error: refusing to write {what} to {out}/{planted}: "
                            f"it exists and is a symbolic link\n")
    assert victim.read_bytes() == b"keep"


def test_symlink_planted_as_a_folder_is_not_followed(tmp_path):
    """`/rom@etc/acpi/tables` would create rom@etc/acpi: through a planted rom@etc link
    nothing is created elsewhere."""
    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    out.mkdir()
    elsewhere.mkdir()
    os.symlink(elsewhere, out / "rom@etc")
    rc, _, err = run("-x", "-o", out, corpus.stream_file(NODEFAULTS))
    assert rc == 3
    assert err == (f"migkaitai: error: refusing to write RAM block '/rom@etc/acpi/tables' "
                   f"(rom@etc/acpi/tables) through {out}/rom@etc: it is a symbolic link\n")
    assert list(elsewhere.iterdir()) == []


def test_fifo_planted_in_the_output_folder_is_refused_at_once(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    os.mkfifo(out / "desc.json")
    p = subprocess.run([sys.executable, "-m", "migkaitai", "-x", "-o", str(out),
                        str(corpus.stream_file(NODEFAULTS))], capture_output=True, text=True,
                       timeout=60, check=False)
    assert p.returncode == 3
    assert p.stderr == (f"migkaitai: error: refusing to write the description to "
                        f"{out}/desc.json: it exists and is a FIFO\n")


def test_names_are_unique_within_a_run(tmp_path):
    """A block named like a fixed name or like another block after escaping gets '~N'."""
    with OutputDir(str(tmp_path)) as out:
        assert out.claim("desc.json", "the description", reserved=True) == "desc.json"
        assert out.claim("state.json", "the state", reserved=True) == "state.json"
        assert out.claim("block/virtio0", "disk", reserved=True) == "block/virtio0"
        assert out.claim(safe_relative_path("state.json"), "ram") == "state.json~2"
        assert out.claim(safe_relative_path("block"), "ram") == "block~2"
        assert out.claim(safe_relative_path("pc.ram"), "ram") == "pc.ram"
        assert out.claim(safe_relative_path("/pc.ram"), "ram") == "pc.ram~2"
        assert out.claim(safe_relative_path("//pc.ram/"), "ram") == "pc.ram~3"
        with pytest.raises(OutputError, match="is the file of ram"):
            out.claim("pc.ram/inner", "ram")  # a file where a folder is needed


def test_two_blocks_that_escape_alike_get_two_files(tmp_path):
    """pc.ram and /pc.ram: two files, each with its own content (one 64 KiB, one 4 KiB)."""
    x = RamExtractor(str(tmp_path), 4096)
    a, b = RamBlock("pc.ram", 16 * 4096, 0), RamBlock("/pc.ram", 4096, 100)
    x.block(a)
    x.block(b)
    x.page(a, 4096, b"\x11" * 4096)
    x.page(b, 0, b"\x22" * 4096)
    x.close()
    assert (tmp_path / "pc.ram").stat().st_size == 16 * 4096
    assert (tmp_path / "pc.ram").read_bytes()[4096:8192] == b"\x11" * 4096
    assert (tmp_path / "pc.ram~2").read_bytes() == b"\x22" * 4096


def test_full_disk_is_an_output_error_naming_the_file(tmp_path, monkeypatch):
    """ENOSPC in the background writer: exit 3, the file and the reason; not an internal
    error about the memory map (whose page views the failed write held)."""
    def full(fd, data, offset):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "pwritev", full)
    monkeypatch.setattr(os, "pwrite", full)
    out = tmp_path / "out"
    rc, _, err = run("-x", "-o", out, corpus.stream_file("x86/pc-ram-random-4m"))
    assert (rc, err) == (3, f"migkaitai: error: cannot write {out}/pc.ram: "
                            f"No space left on device\n")


def test_file_size_limit_is_an_output_error(tmp_path):
    """ulimit -f below a block's length: the output cannot hold it (exit 3), the input is
    fine - not "more than a file can hold"."""
    out = tmp_path / "out"
    code = ("import resource, sys; resource.setrlimit(resource.RLIMIT_FSIZE, (1 << 20, 1 << 20));"
            "from migkaitai.cli import main; sys.exit(main())")
    p = subprocess.run([sys.executable, "-c", code, "-x", "-o", str(out),
                        str(corpus.stream_file(NODEFAULTS))], capture_output=True, text=True,
                       timeout=60, check=False)
    assert p.returncode == 3
    assert p.stderr == f"migkaitai: error: cannot write {out}/pc.ram: File too large\n"


def test_a_short_write_is_finished_or_raises(tmp_path, monkeypatch):
    """pwritev may write less than asked (a disk that fills up part-way): the rest is
    written buffer by buffer, so the error that stopped it is raised rather than a file
    silently cut short."""
    import errno
    import random

    from migkaitai import output
    pages = [random.Random(n).randbytes(4096) for n in range(10)]

    def full(fd, data, offset):
        raise OSError(errno.ENOSPC, "No space left on device")

    fd = os.open(tmp_path / "out", os.O_RDWR | os.O_CREAT)
    try:
        monkeypatch.setattr(os, "pwritev", lambda fd, datas, offset:
                            os.pwrite(fd, bytes(datas[0])[:1000], offset))
        output.pwritev_all(fd, pages, 4096)  # 1000 bytes by pwritev, the rest one by one
        assert os.pread(fd, 11 * 4096, 0) == bytes(4096) + b"".join(pages)
        monkeypatch.setattr(os, "pwritev", lambda fd, datas, offset: 4096 + 10)
        monkeypatch.setattr(os, "pwrite", full)
        with pytest.raises(OSError) as e:
            output.pwritev_all(fd, pages, 0)
        assert e.value.errno == errno.ENOSPC
        monkeypatch.undo()
        monkeypatch.setattr(os, "pwrite", lambda fd, data, offset:  # 100 bytes at a time
                            os.pwritev(fd, [bytes(data)[:100]], offset))
        output.pwrite_all(fd, pages[3], 8192)  # a single page, cut short each time
        assert os.pread(fd, 4096, 8192) == pages[3]
    finally:
        os.close(fd)


def test_page_bits_any_set():
    import random

    rnd = random.Random(5)
    bits = PageBits()
    truth = set()
    for n in [0, 7, 8, 9, 63, 64, 32767, 32768, 40000, 100001] + [rnd.randrange(200000)
                                                                  for _ in range(30)]:
        bits.set(n)
        truth.add(n)
    for _ in range(3000):
        first = rnd.randrange(200000)
        count = rnd.choice([1, 2, 7, 8, 9, 64, 500, 4096, 40000])
        assert bits.any_set(first, count) == any(first <= t < first + count for t in truth)
    assert not PageBits().any_set(0, 1 << 40)  # nothing allocated: no walk over the range


def test_zero_run_over_written_pages(tmp_path):
    """RamExtractor.zero_run: zero pages stay holes unless a page held data before (a
    running guest's page sent again as zero), then they are written as zeros."""
    from migkaitai.ram import RamBlock
    x = RamExtractor(str(tmp_path), 4096)
    block = RamBlock("pc.ram", 64 << 20, 0)
    x.block(block)
    pages = [bytes([i + 1]) * 4096 for i in range(64)]
    x.page_run(block, range(0x100000, 0x100000 + 64 * 4096, 4096), pages)
    x.zero_run(block, range(0x100000 + 60 * 4096, 0x100000 + 70 * 4096, 4096))  # 4 written
    x.zero_run(block, range(0x2000000, 0x2000000 + 512 * 4096, 4096))  # never written
    x.zero_run(block, [0x100000 + 4096, 0x3000000])  # not contiguous
    x.close()
    data = (tmp_path / "pc.ram").read_bytes()
    assert len(data) == 64 << 20
    assert data[0x100000:0x100000 + 4096] == pages[0]
    assert data[0x100000 + 4096:0x100000 + 2 * 4096] == bytes(4096)
    assert data[0x100000 + 2 * 4096:0x100000 + 3 * 4096] == pages[2]
    assert data[0x100000 + 59 * 4096:0x100000 + 60 * 4096] == pages[59]
    assert data[0x100000 + 60 * 4096:0x100000 + 64 * 4096] == bytes(4 * 4096)
    with open(tmp_path / "pc.ram", "rb") as f:  # the never-written run is still a hole
        assert os.lseek(f.fileno(), 0x2000000, os.SEEK_HOLE) == 0x2000000


@pytest.mark.parametrize("background", [False, True])
def test_xbzrle_pages_kept_in_memory_end_in_the_files(tmp_path, monkeypatch, background):
    """XBZRLE deltas apply to pages kept in memory: a page that a full page or a zero page
    replaces is dropped, the oldest are written back when too many are kept, and the files
    hold every page at the end - the same bytes as applying each delta to the file."""
    import migkaitai.output as output
    from migkaitai.ram import RamBlock

    monkeypatch.setattr(output, "_XBZRLE_BYTES", 64)  # (16 pages kept at most)
    ps = 16
    block = RamBlock("ram", 64 * ps, 0)
    ext = RamExtractor(str(tmp_path), ps, background=background)
    ext.block(block)
    expect = bytearray(64 * ps)
    ext.page(block, 0, bytes(range(16)))
    expect[0:16] = bytes(range(16))
    for rnd in range(3):
        for n in range(40):  # more pages than are kept: the oldest go back to the file
            ext.xbzrle(block, n * ps, bytes([n % 8, 2, rnd, n]), 0)
            expect[n * ps + n % 8:n * ps + n % 8 + 2] = bytes([rnd, n])
    ext.page(block, 2 * ps, b"\xee" * ps)  # replaces a kept page
    expect[2 * ps:3 * ps] = b"\xee" * ps
    ext.zero(block, 3 * ps, 0)  # a zero page over data
    expect[3 * ps:4 * ps] = bytes(ps)
    ext.xbzrle(block, 2 * ps, bytes([0, 1, 0x11]), 0)  # from the full page's content
    expect[2 * ps] = 0x11
    ext.close()
    assert (tmp_path / "ram").read_bytes() == bytes(expect)
