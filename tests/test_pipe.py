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
# the two passes over a spool, which a pipe of more than SMALL_PIPE bytes takes, on the
# small streams of the corpus too (a small one is otherwise read into memory: see
# test_a_small_pipe_is_read_into_memory)
SPOOLED = {**os.environ, "MIGKAITAI_SMALL_PIPE": "0"}


def piped(name: str, *args: str, data: bytes | None = None,
          env: dict[str, str] | None = SPOOLED) -> subprocess.CompletedProcess:
    src = corpus.stream_file(name)
    cat = subprocess.Popen(["cat", str(src)], stdout=subprocess.PIPE) if data is None else None
    try:
        return subprocess.run([*CLI, "-", *args], stdin=cat.stdout if cat else None,
                              input=data, capture_output=True, timeout=120, check=False,
                              env=env)
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


@pytest.mark.parametrize("name,args", [
    ("x86/pc-nodefaults-64m", ()),
    ("x86/pc-nodefaults-64m", ("--format", "tree")),
    ("x86/pc-postcopy-advise", ("--format", "records")),
    ("x86/pc-i440fx-2.2", ("--format", "records")),
])
def test_a_small_pipe_is_read_into_memory(name, args, tmp_path):
    """A pipe that ends within SMALL_PIPE bytes (most device states with little RAM) is
    read into memory and decoded like a file, in one pass: the same output as the file's
    (and as the spool's); a larger one is spooled."""
    from migkaitai.api import SMALL_PIPE

    assert corpus.stream_file(name).stat().st_size <= SMALL_PIPE
    a = piped(name, *args, env=None)
    b = from_file(name, *args)
    named = b.stdout.replace(str(corpus.stream_file(name)).encode(), b"-")  # (the tree's)
    assert (a.returncode, a.stdout, a.stderr) == (b.returncode, named, b.stderr)
    assert a.returncode == 0 and a.stdout


def test_a_small_pipe_in_process(monkeypatch):
    """From Python: a pipe under the limit is read whole and then like a file (pages can
    be iterated, as from a file); the limit comes from MIGKAITAI_SMALL_PIPE."""
    import io as _io

    import migkaitai

    data = corpus.stream_file("x86/pc-nodefaults-64m").read_bytes()

    class Pipe(_io.RawIOBase):  # (a file object that cannot seek)
        def __init__(self) -> None:
            self.data = _io.BytesIO(data)

        def readable(self) -> bool:
            return True

        def readinto(self, b):  # type: ignore[no-untyped-def]
            return self.data.readinto(b)

    with migkaitai.open(_io.BufferedReader(Pipe())) as m:
        snap = m.load()
        assert not m.is_pipe and m.size == len(data)
        assert snap.device("cpu").field("env.eip").value == 0xfff0
        assert sum(1 for _ in m.pages("pc.bios")) > 0
    monkeypatch.setenv("MIGKAITAI_SMALL_PIPE", "0")
    with migkaitai.open(_io.BufferedReader(Pipe())) as m:
        snap = m.load()
        assert m.is_pipe and snap.device("cpu").field("env.eip").value == 0xfff0


@pytest.mark.parametrize("name,desc_from", [
    ("x86/pc-nodefaults-64m", None),
    ("x86/pc-i440fx-2.2-vmdesc-on", None),  # no footers: the description delimits sections
    # PACKAGED (pass 1 stops there), with another stream's description that misleads
    # the decoding of a device inside it: the same error from both
    ("x86/pc-postcopy-run-release-ram", "x86/pc-postcopy-advise"),
    ("other/s390x-ccw-default", None),  # a section the description cannot describe
])
@pytest.mark.slow
def test_pipe_with_a_given_description_equals_the_file(name, desc_from, tmp_path):
    """--desc: a pipe's first pass decodes device sections as they arrive; the output is
    the file's all the same."""
    desc = tmp_path / "desc.json"
    desc.write_bytes(from_file(desc_from or name, "-d", "desc").stdout)
    a, b = piped(name, "--desc", str(desc)), from_file(name, "--desc", str(desc))
    assert (a.returncode, a.stdout, a.stderr) == (b.returncode, b.stdout, b.stderr)
    assert a.returncode == (1 if desc_from else 0) and a.stdout


@pytest.mark.slow
@pytest.mark.parametrize("name", ["x86/pc-running-xbzrle",
                                  # pages at fixed offsets, read as they go by: the page
                                  # area is not kept in the spool
                                  "qemu10/v10.0-x86_64-q35-mapped-ram"])
def test_pipe_extract_equals_file_extract(tmp_path, name):
    a = piped(name, "-x", "-o", str(tmp_path / "pipe"))
    b = from_file(name, "-x", "-o", str(tmp_path / "file"))
    assert a.returncode == b.returncode == 0
    cmp = filecmp.dircmp(tmp_path / "pipe", tmp_path / "file")
    assert not cmp.left_only and not cmp.right_only
    for f in ["pc.ram", "state.json", "desc.json", "pc.bios"]:
        assert (tmp_path / "pipe" / f).read_bytes() == (tmp_path / "file" / f).read_bytes()
    assert (tmp_path / "pipe" / "pc.ram").read_bytes().count(0) < 0x8000000  # (data)


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
    assert rc == 1 and err == (b"migkaitai: error: expected the QEVM magic (51 45 56 4d), found "
                               b"00 00 00 00 at offset 0x0\n")
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


def test_with_a_description_every_record_is_checked_as_it_arrives(tmp_path):
    """A device section has no length, so without a description a pipe's first pass stops
    at the first one (and spools the rest up to --spool-max); given --desc, it decodes
    device sections as they arrive: garbage after the cpu section's footer fails at its
    first byte, with what came before shown."""
    data = corpus.stream_file("x86/pc-nodefaults-64m").read_bytes()
    desc = tmp_path / "desc.json"
    desc.write_bytes(from_file("x86/pc-nodefaults-64m", "-d", "desc").stdout)
    at = data.index(b"\x7e\x00\x00\x00\x05", data.index(b"\x04\x00\x00\x00\x05\x03cpu")) + 5
    spool = tmp_path / "tmp"
    spool.mkdir()
    rc, out, err, sent = endless(data[:at], b"\x39" * (1 << 16), "--desc", str(desc),
                                 tmp_path=spool)
    assert rc == 1
    assert err == (f"migkaitai: error: expected a record type (0x00-0x04, 0x07, 0x08 or "
                   f"0x7e), found 0x39 at offset 0x{at:x}\n").encode()
    assert sent < 64 << 20
    assert b'"cpu (5)": {\n        "env.regs"' in out
    rc, _, err, _ = endless(data[:at], b"\x39" * (1 << 16), "--spool-max", "4M",
                            tmp_path=spool)
    assert rc == 1 and b"the spool limit" in err  # no description: spooled to the limit
    assert not list(spool.iterdir())


def test_sigterm_removes_the_spool(tmp_path):
    data = corpus.stream_file("x86/pc-nodefaults-64m").read_bytes()
    env = dict(SPOOLED, TMPDIR=str(tmp_path))
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


def test_sigterm_while_a_small_pipe_is_read(tmp_path):
    """Interrupted while a pipe is read into memory (it may yet be small): exit 130, the
    one line, nothing left behind."""
    data = corpus.stream_file("x86/pc-nodefaults-64m").read_bytes()
    env = dict(os.environ, TMPDIR=str(tmp_path))
    p = subprocess.Popen([sys.executable, "-m", "migkaitai", "-"], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    p.stdin.write(data[:300000])
    p.stdin.flush()
    time.sleep(1.5)  # (started, reading)
    p.send_signal(signal.SIGTERM)
    out, err = p.communicate(timeout=30)
    assert (p.returncode, out, err) == (130, b"", b"migkaitai: interrupted\n")
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
                        f"configuration record (machine arduino-mega-2560-v3) says 256 at offset "
                        f"0x{mark:x}\n").encode()


def _unknown_machine(name: str, machine: bytes, stand_in: bytes) -> bytes:
    """Stream `name` with its configuration's machine renamed to one the grammar does not
    know (same length), so that the configuration implies no page size."""
    data = corpus.stream_file(name).read_bytes()
    at = data.index(machine, 8, 200)  # in the configuration record
    return data[:at] + stand_in + data[at + len(machine):]


def test_records_settle_a_page_size_the_configuration_does_not_say(tmp_path):
    """arm versatilepb runs at 1 KiB pages, which only its machine name tells; renamed, the
    RAM records settle the size (a PAGE record frames at 1024 bytes and no other size),
    from a file as from a pipe, and the stream decodes as the original."""
    name = "other/arm-versatilepb-1kpages"
    data = _unknown_machine(name, b"versatilepb", b"versatilepx")
    path = tmp_path / "renamed.mig"
    path.write_bytes(data)
    a = subprocess.run([*CLI, "--format", "records", "-"], input=data, capture_output=True,
                       timeout=60, check=False)
    b = subprocess.run([*CLI, "--format", "records", str(path)], capture_output=True,
                       timeout=60, check=False)
    orig = from_file(name, "--format", "records")
    assert (a.returncode, a.stdout, a.stderr) == (b.returncode, b.stdout, b.stderr)
    assert (b.returncode, b.stderr) == (0, b"")
    assert b.stdout == orig.stdout.replace(b"versatilepb", b"versatilepx", 1)
    import json

    ram = [r["ram"] for r in json.loads(b.stdout) if r.get("payload") == "ram"]
    assert sum(r["pages"] for r in ram) > 1000  # pages with data, framed at 1 KiB

    import migkaitai

    with migkaitai.open(path) as s:
        assert s.page_size == 1024


def test_a_description_that_contradicts_the_records_decides_alike(tmp_path):
    """Same renamed stream, its description saying 4096: the RAM records (1 KiB pages)
    decide, and the description is the error after the records, from a file and a pipe."""
    import re

    sys.path.insert(0, str(corpus.DATA.parent.parent / "tools"))
    import fuzz

    name = "other/arm-versatilepb-1kpages"
    data = _unknown_machine(name, b"versatilepb", b"versatilepx")
    smap = fuzz.stream_map(corpus.stream_file(name))
    mark, length = smap.desc
    text = data[mark + 5:mark + 5 + length]
    bad = fuzz.with_description(data, smap, re.sub(rb'"page_size": 1024', b'"page_size": 4096',
                                                   text))
    path = tmp_path / "arm.mig"
    path.write_bytes(bad)
    a = subprocess.run([*CLI, "-"], input=bad, capture_output=True, timeout=60, check=False)
    b = subprocess.run([*CLI, str(path)], capture_output=True, timeout=60, check=False)
    assert (a.returncode, a.stdout, a.stderr) == (b.returncode, b.stdout, b.stderr)
    assert b.stderr == (f"migkaitai: error: the description says pages of 4096 bytes, but the "
                        f"RAM records' addresses imply pages of 1024 (the configuration says "
                        f"none) at offset 0x{mark:x}\n").encode()


def test_a_stream_after_other_bytes_is_found_in_a_pipe_as_in_a_file(tmp_path):
    """migrate file:...,offset=N: the stream after N bytes (zeros; or bytes holding a 'Q',
    then the stream at a 4 KiB boundary) is found in a pipe by the rule a file's start is
    found by, with the same offsets in the output as by the file's path."""
    stream = corpus.stream_file("x86/pc-nodefaults-64m").read_bytes()
    for lead in (bytes(8192), b"Q" + bytes(4095)):
        path = tmp_path / "off.mig"
        path.write_bytes(lead + stream)
        cli = [sys.executable, "-m", "migkaitai", "--format", "tree"]
        by_path = subprocess.run([*cli, str(path)], capture_output=True, check=True).stdout
        piped = subprocess.run([*cli, "-"], input=path.read_bytes(), capture_output=True,
                               check=True).stdout
        assert b"  stream starts at offset 0x%x\n" % len(lead) in by_path
        assert piped.split(b"\n", 1)[1] == by_path.split(b"\n", 1)[1]
