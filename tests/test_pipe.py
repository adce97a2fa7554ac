"""`migkaitai -`: a stream read from a pipe (migrate "exec:cat" | migkaitai -) gives the
same output as the same stream in a file; RAM page bodies are not kept."""
from __future__ import annotations

import filecmp
import os
import signal
import subprocess
import sys
import threading
import time

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
                                 "at offset 0x493d6 (section ram (2))\n")  # as from the file
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


def endless(prefix: bytes, filler: bytes, *args: str, tmp_path=None,
            timeout: float = 30) -> tuple[int, bytes, bytes, int]:
    """Run the CLI on a pipe that gives `prefix`, then `filler` for ever; returns its exit
    status, stdout, stderr and how many bytes the producer got rid of."""
    env = dict(os.environ, TMPDIR=str(tmp_path)) if tmp_path is not None else None
    p = subprocess.Popen([sys.executable, "-m", "migkaitai", *args, "-"],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, env=env)
    sent = 0
    out: dict[str, bytes] = {}

    def collect() -> None:
        out["stdout"], out["stderr"] = p.stdout.read(), p.stderr.read()

    reader = threading.Thread(target=collect)
    reader.start()
    deadline = time.monotonic() + timeout
    try:
        p.stdin.write(prefix)
        sent = len(prefix)
        while time.monotonic() < deadline:
            p.stdin.write(filler)
            sent += len(filler)
    except (BrokenPipeError, ValueError):
        pass  # the reader stopped reading: what we want
    finally:
        try:
            p.stdin.close()
        except BrokenPipeError:
            pass
    rc = p.wait(timeout)
    reader.join()
    assert time.monotonic() < deadline, "migkaitai kept reading an endless pipe"
    return rc, out["stdout"], out["stderr"], sent


def test_garbage_pipe_fails_at_its_first_byte(tmp_path):
    rc, _, err, sent = endless(b"", bytes(1 << 16), tmp_path=tmp_path)
    assert rc == 1 and err.startswith(b"migkaitai: error: invalid file header")
    assert err.rstrip().endswith(b"at offset 0x0")
    assert sent < 64 << 20
    assert not list(tmp_path.iterdir())  # no spool left behind


def test_garbage_after_a_header_fails_at_the_first_record(tmp_path):
    rc, out, err, _ = endless(b"QEVM\0\0\0\3", b"\x39" * (1 << 16), tmp_path=tmp_path)
    assert rc == 1
    assert err == (b"migkaitai: error: expected a record type (0x00-0x04, 0x07, 0x08 or "
                   b"0x7e), found 0x39 at offset 0x8\n")
    assert not list(tmp_path.iterdir())


def test_nothing_after_the_eof_record_is_read_but_a_description(tmp_path):
    """QEVM, version 3, EOF: a valid empty stream; the zeros after it are not read."""
    rc, out, err, _ = endless(b"QEVM\0\0\0\3", bytes(1 << 16), tmp_path=tmp_path)
    assert (rc, out) == (0, b"{}\n")


def test_the_spool_is_capped(tmp_path):
    """pc-nodefaults up to its first device section, then zeros for ever: pass 1 stops at
    the section and spools the rest, up to --spool-max."""
    data = corpus.stream_file("x86/pc-nodefaults-64m").read_bytes()
    at = data.index(b"\x04\x00\x00\x00\x05\x03cpu")  # SECTION_FULL cpu (5)
    rc, _, err, _ = endless(data[:at + 8], bytes(1 << 16), "--spool-max", "4M",
                            tmp_path=tmp_path)
    assert rc == 1
    assert err.startswith(b"migkaitai: error: the pipe holds more than 4194304 bytes besides "
                          b"RAM pages, the spool limit (give a larger --spool-max")
    assert not list(tmp_path.iterdir())


def test_sigterm_removes_the_spool(tmp_path):
    data = corpus.stream_file("x86/pc-nodefaults-64m").read_bytes()
    env = dict(os.environ, TMPDIR=str(tmp_path))
    p = subprocess.Popen([sys.executable, "-m", "migkaitai", "-"], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    p.stdin.write(data[:300000])  # inside the RAM section: the pipe stays open
    p.stdin.flush()
    deadline = time.monotonic() + 30
    while not list(tmp_path.glob("migkaitai-pipe-*/stream")) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert list(tmp_path.glob("migkaitai-pipe-*/stream"))
    p.send_signal(signal.SIGTERM)
    _, err = p.communicate(timeout=30)
    assert (p.returncode, err) == (130, b"migkaitai: interrupted\n")
    assert not list(tmp_path.iterdir())


def test_a_description_that_contradicts_the_configuration_decides_alike(tmp_path):
    """AVR (256-byte pages by its machine) with a description saying 4096: a pipe decodes
    RAM before the description arrives, so the configuration's page size wins in both,
    and the description is the error after the records - from a file as from a pipe."""
    import re

    sys.path.insert(0, str(corpus.DATA.parent.parent / "tools"))
    import fuzz

    name = "exotic/v7.2-avr-mega2560"
    data = corpus.stream_file(name).read_bytes()
    smap = fuzz.stream_map(corpus.stream_file(name))
    mark, length = smap.desc
    text = data[mark + 5:mark + 5 + length]
    bad = fuzz.with_description(data, smap, re.sub(rb'"page_size": 256', b'"page_size": 4096',
                                                   text))
    path = tmp_path / "avr.mig"
    path.write_bytes(bad)
    a = subprocess.run([*CLI, "-"], input=bad, capture_output=True, timeout=60, check=False)
    b = subprocess.run([*CLI, str(path)], capture_output=True, timeout=60, check=False)
    assert (a.returncode, a.stdout, a.stderr) == (b.returncode, b.stdout, b.stderr)
    assert b.stderr == (f"migkaitai: error: the description says pages of 4096 bytes, but the "
                        f"configuration record (machine arduino-mega-2560-v3) 256 at offset "
                        f"0x{mark:x}\n").encode()
