"""`migkaitai -`: a stream read from a pipe (migrate "exec:cat" | migkaitai -) gives the
same output as the same stream in a file; RAM page bodies are not kept."""
from __future__ import annotations

import filecmp
import subprocess
import sys

import pytest

import corpus

CLI = [sys.executable, "-m", "migkaitai"]


def piped(name: str, *args: str, data: bytes | None = None) -> subprocess.CompletedProcess:
    src = corpus.stream_file(name)
    cat = subprocess.Popen(["cat", str(src)], stdout=subprocess.PIPE) if data is None else None
    try:
        return subprocess.run([*CLI, "-", *args], stdin=cat.stdout if cat else None,
                              input=data, capture_output=True, timeout=120, check=False)
    finally:
        if cat:
            cat.stdout.close()
            cat.wait()


def from_file(name: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, str(corpus.stream_file(name)), *args], capture_output=True,
                          timeout=120, check=False)


@pytest.mark.parametrize("name,args", [
    ("x86/pc-nodefaults-64m", ()),
    ("x86/pc-postcopy-run-release-ram", ("--format", "records")),  # PACKAGED, no description
    ("x86/pc-running-xbzrle", ()),
    ("x86/pc-i440fx-2.2", ("--format", "records")),  # no footers, no description
    ("qemu10/v10.0-x86_64-q35-mapped-ram", ()),
    ("other/ppc64-pseries-default", ()),
    ("x86/pc-ram-random-4m", ("-m",)),
    ("x86/pc-nodefaults-64m", ("-d", "desc")),
])
@pytest.mark.slow
def test_pipe_output_equals_file_output(name, args):
    a, b = piped(name, *args), from_file(name, *args)
    assert (a.returncode, a.stdout, a.stderr) == (b.returncode, b.stdout, b.stderr)
    assert a.returncode == 0 and a.stdout


@pytest.mark.slow
def test_pipe_extract_equals_file_extract(tmp_path):
    name = "x86/pc-running-xbzrle"
    a = piped(name, "-x", "-o", str(tmp_path / "pipe"))
    b = from_file(name, "-x", "-o", str(tmp_path / "file"))
    assert a.returncode == b.returncode == 0
    cmp = filecmp.dircmp(tmp_path / "pipe", tmp_path / "file")
    assert not cmp.left_only and not cmp.right_only
    for f in ["pc.ram", "state.json", "desc.json", "pc.bios"]:
        assert (tmp_path / "pipe" / f).read_bytes() == (tmp_path / "file" / f).read_bytes()


def test_truncated_pipe():
    data = corpus.stream_file("x86/pc-nodefaults-64m").read_bytes()[:300000]
    r = piped("x86/pc-nodefaults-64m", data=data)
    assert r.returncode == 1
    assert r.stderr.decode() == ("migkaitai: error: stream ends at 0x493e0 inside RAM record "
                                 "at offset 0x493ce (section ram (2))\n")
    assert b'"error": "stream ends at 0x493e0' in r.stdout


def test_page_bodies_are_not_spooled(tmp_path):
    """Pass 1 keeps RAM payloads out of its copy of the pipe: for a stream whose 32 MiB of
    RAM are all full pages, the copy takes a few hundred KiB on disk."""
    import os
    import threading

    from migkaitai.pipe import spool_stream
    from migkaitai.ram import RamTracker
    from migkaitai.walk import Walker

    path = corpus.stream_file("x86/pc-ram-pattern-membackend-32m")
    r, w = os.pipe()

    def feed():
        with open(path, "rb") as f, os.fdopen(w, "wb") as out:
            while chunk := f.read(1 << 16):
                out.write(chunk)

    t = threading.Thread(target=feed)
    t.start()
    tracker = RamTracker(4096)
    with os.fdopen(r, "rb") as src, open(tmp_path / "spool", "w+b") as spool:
        pass1 = spool_stream(src, spool, lambda kio, state: Walker(
            kio, 0, None, 4096, tracker, pipe=state, page_size_from_stream=True))
    t.join()
    spooled = tmp_path / "spool"
    assert spooled.stat().st_size == path.stat().st_size
    assert spooled.stat().st_blocks * 512 < 1 << 20
    assert {b.name: b.pages for b in tracker.blocks.values()}["mem0"] == 8192
    assert len(pass1.pipe.ram_payloads) == 3  # START, PART, END
