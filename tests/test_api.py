"""The Python API (migkaitai.api) does everything the CLI does, with the same bytes: from a
file, from a pipe given as a file object, and the extraction. The CLI only chooses the
call (migkaitai.cli)."""
from __future__ import annotations

import ast
import io
import json
import os
import random
import threading
from pathlib import Path

import pytest

import migkaitai
from migkaitai.cli import main

import corpus

NODEFAULTS = "x86/pc-nodefaults-64m"
XBZRLE = "x86/pc-running-xbzrle"
RANDOM = "x86/pc-ram-random-4m"  # 4 MiB of random.Random(1) at 0x1000000 of pc.ram


def cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    rc = main(list(args), stdout=out, stderr=err)
    return rc, out.getvalue(), err.getvalue()


def notes_text(notes: list[str]) -> str:
    return "".join(f"migkaitai: note: {n}\n" for n in notes)


class Feeder:
    """A pipe whose other end a thread fills with the file at `path`."""

    def __init__(self, path: Path) -> None:
        r, w = os.pipe()
        self.reader = os.fdopen(r, "rb")
        self.thread = threading.Thread(target=self._feed, args=(path, w))
        self.thread.start()

    @staticmethod
    def _feed(path: Path, w: int) -> None:
        with open(path, "rb") as f, os.fdopen(w, "wb") as out:
            while chunk := f.read(1 << 16):
                try:
                    out.write(chunk)
                except BrokenPipeError:
                    return

    def __enter__(self) -> io.BufferedReader:
        return self.reader

    def __exit__(self, *exc: object) -> None:
        self.reader.close()
        self.thread.join()


@pytest.mark.parametrize("name, call, args", [
    (NODEFAULTS, "write_state", ()),
    (NODEFAULTS, "write_tree", ("--format", "tree")),
    (NODEFAULTS, "write_records", ("--format", "records")),
    (NODEFAULTS, "write_description", ("-d", "desc")),
    ("x86/pc-ram-random-4m", "write_state_memory", ("-m",)),
    ("x86/pc-i440fx-2.2", "write_records", ("--format", "records")),  # notes: no description
])
@pytest.mark.parametrize("source", ["path", "pipe"])
def test_api_writes_what_the_cli_prints(name, call, args, source):
    path = corpus.stream_file(name)
    rc, want, err = cli(*args, str(path))
    assert rc == 0
    out = io.StringIO()
    if source == "path":
        with migkaitai.open(str(path)) as m:
            notes = _call(m, call, out)
    else:
        with Feeder(path) as pipe, migkaitai.open(pipe) as m:
            assert m.is_pipe
            notes = _call(m, call, out)
    got = out.getvalue()
    if source == "pipe" and call == "write_tree":  # its first line names the source
        size = path.stat().st_size
        assert got.split("\n", 1)[0] == f"<stream>: QEMU migration stream, {size} bytes"
        got, want = got.split("\n", 1)[1], want.split("\n", 1)[1]
    assert got == want
    assert notes_text(notes) == err


def _call(m: migkaitai.MigrationStream, call: str, out: io.StringIO) -> list[str]:
    if call == "write_state_memory":
        return m.write_state(out, memory=True)
    return getattr(m, call)(out)


def test_state_values_from_a_pipe():
    """A pipe read through the API: the state JSON of pc-nodefaults holds the e1000's MAC
    that QEMU assigns by default, as from the file."""
    with Feeder(corpus.stream_file(NODEFAULTS)) as pipe, migkaitai.open(pipe) as m:
        out = io.StringIO()
        m.write_state(out)
        snap_blocks = {b.name: b.length for b in m.load().ram_blocks}
    state = json.loads(out.getvalue())
    assert state["ram (2)"]["section sizes"]["pc.ram"] == "0x0000000004000000"
    assert snap_blocks["pc.ram"] == 64 << 20


@pytest.mark.parametrize("source", ["path", "pipe"])
def test_extract_equals_the_cli(tmp_path, source):
    path = corpus.stream_file(RANDOM)
    rc, listing, _ = cli("-x", "-o", str(tmp_path / "cli"), str(path))
    assert rc == 0
    written: list[str] = []
    if source == "path":
        with migkaitai.open(str(path)) as m:
            m.extract(str(tmp_path / "api"), on_file=written.append)
    else:
        with Feeder(path) as pipe, migkaitai.open(pipe) as m:
            m.extract(str(tmp_path / "api"), on_file=written.append)
    assert sorted(written) == sorted(listing.split())
    for rel in written:
        assert (tmp_path / "api" / rel).read_bytes() == (tmp_path / "cli" / rel).read_bytes()
    # the 4 MiB of random.Random(1) the guest held at 0x1000000
    with open(tmp_path / "api" / "pc.ram", "rb") as f:
        f.seek(0x1000000)
        assert f.read(4 << 20) == random.Random(1).randbytes(4 << 20)


@pytest.mark.slow
def test_extract_of_xbzrle_from_a_pipe(tmp_path):
    """XBZRLE deltas applied from a pipe as from the file: the guest's 64 MiB pc.ram after
    the last round."""
    path = corpus.stream_file(XBZRLE)
    rc, listing, _ = cli("-x", "-o", str(tmp_path / "cli"), str(path))
    assert rc == 0
    with Feeder(path) as pipe, migkaitai.open(pipe) as m:
        m.extract(str(tmp_path / "api"))
    got = (tmp_path / "api" / "pc.ram").read_bytes()
    assert len(got) == 64 << 20 and got == (tmp_path / "cli" / "pc.ram").read_bytes()


def test_a_pipe_gives_ram_contents_once(monkeypatch):
    """RAM pages go by in a pipe's first pass: an output that needs them must come first
    (a pipe of more than SMALL_PIPE bytes; a smaller one is read into memory, and then
    gives them as a file does)."""
    with Feeder(corpus.stream_file(NODEFAULTS)) as pipe, migkaitai.open(pipe) as m:
        assert m.page_size == 4096 and not m.is_pipe  # (small: read whole)
        m.write_state(io.StringIO(), memory=True)
        assert next(m.pages()).block.name == "pc.ram"
    monkeypatch.setenv("MIGKAITAI_SMALL_PIPE", "0")
    with Feeder(corpus.stream_file(NODEFAULTS)) as pipe, migkaitai.open(pipe) as m:
        assert m.page_size == 4096  # (reads the pipe: its first pass, without RAM sinks)
        with pytest.raises(migkaitai.UsageError, match="is a pipe, read once"):
            m.write_state(io.StringIO(), memory=True)
        with pytest.raises(migkaitai.UsageError, match="pipe"):
            next(m.pages())


def test_open_takes_a_seekable_file_object():
    path = corpus.stream_file(NODEFAULTS)
    with open(path, "rb") as f:
        with migkaitai.open(f) as m:
            assert not m.is_pipe
            cpu = m.load().device("cpu", 0)
            assert cpu.field("env.eip").value == 0xFFF0  # reset vector: -S, never ran
        assert not f.closed  # the caller's file stays the caller's


def test_cli_imports_only_the_public_api():
    """cli.py: argument parsing, the API call, exit codes; no reaching into the modules."""
    tree = ast.parse((Path(migkaitai.__file__).parent / "cli.py").read_text())
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert {m for m in imported if m and m.startswith("migkaitai")} == {
        "migkaitai", "migkaitai.errors", "migkaitai.progress"}


def test_every_subpackage_is_installed():
    """pyproject.toml lists packages by hand: a subpackage left out works in the editable
    checkout and is missing when installed (as make bench installs it)."""
    import tomllib

    root = Path(migkaitai.__file__).parent
    listed = set(tomllib.loads((root.parent / "pyproject.toml").read_text())
                 ["tool"]["setuptools"]["packages"])
    found = {".".join(("migkaitai", *p.parent.relative_to(root).parts))
             for p in root.rglob("__init__.py")}
    assert found == {"migkaitai", "migkaitai.render"}
    assert found <= listed
