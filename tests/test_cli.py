"""The API and the CLI on real streams: values QEMU was told, extraction, errors."""
from __future__ import annotations

import io
import json
import random

import pytest

import migkaitai
from migkaitai.cli import main

import corpus


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    rc = main([str(a) for a in args], stdout=out, stderr=err)
    return rc, out.getvalue(), err.getvalue()


def load(name: str) -> migkaitai.Snapshot:
    with migkaitai.open(str(corpus.stream_file(name))) as m:
        return m.load()


def test_smp4_gives_four_cpu_sections():
    snap = load("x86/q35-smp4-cpu-epyc")  # -smp 4,sockets=2,cores=2 -cpu EPYC
    cpus = [d for d in snap.devices if d.name == "cpu"]
    assert [c.instance_id for c in cpus] == [0, 1, 2, 3]
    # the AMD CPUID vendor is not in the state, but the APIC ids are per CPU
    apics = [d for d in snap.devices if d.name == "apic"]
    assert [a.field("id").value for a in apics] == [0, 1, 2, 3]
    assert snap.configuration.machine_name == "pc-q35-7.2"


def test_uuid_in_configuration():
    snap = load("x86/pc-validate-uuid")  # -uuid 12345678-9abc-def0-1234-56789abcdef0
    (sub,) = [s.body for s in snap.configuration.subsections if s.is_present]
    assert sub.uuid == bytes.fromhex("123456789abcdef0123456789abcdef0")


def test_e1000_mac_is_qemu_default():
    snap = load("x86/pc-defaults-64m")
    e1000 = snap.device("0000:00:03.0/e1000", 0)
    words = [e1000.field(f"eeprom_data[{i}]").value for i in range(3)]
    mac = b"".join(w.to_bytes(2, "little") for w in words)
    assert mac.hex(":") == "52:54:00:12:34:56"  # QEMU's default NIC address
    # offsets point at the bytes in the file
    f = e1000.field("eeprom_data[0]")
    with open(corpus.stream_file("x86/pc-defaults-64m"), "rb") as fh:
        fh.seek(f.offset)
        assert fh.read(2) == b"\x54\x52"


def test_cpu_register_and_ram_blocks():
    snap = load("x86/pc-nodefaults-64m")
    cpu = snap.device("cpu", 0)
    assert cpu.field("env.eip").value == 0xFFF0  # reset vector, -S: never ran
    assert cpu.field("env.segs[1]/selector").value == 0xF000  # CS
    blocks = {b.name: b for b in snap.ram_blocks}
    assert blocks["pc.ram"].length == 64 << 20
    assert blocks["pc.ram"].zero_pages + blocks["pc.ram"].pages == 16384


def test_extract_random_pattern(tmp_path):
    """-x: the 4 MiB of random.Random(1) loaded at 0x1000000 come back byte for byte."""
    rc, out, err = run(corpus.stream_file("x86/pc-ram-random-4m"), "-x", "-o", tmp_path)
    assert rc == 0, err
    assert "pc.ram" in out.split() and "state.json" in out.split()
    ram = tmp_path / "pc.ram"
    assert ram.stat().st_size == 64 << 20
    pattern = random.Random(1).randbytes(4 << 20)
    with open(ram, "rb") as f:
        f.seek(0x1000000)
        assert f.read(len(pattern)) == pattern
    # zero pages are holes: the 64 MiB file takes little more than the pattern on disk
    assert ram.stat().st_blocks * 512 < (4 << 20) + (2 << 20)
    # ROM blocks land in folders, like analyze-migration.py does
    assert (tmp_path / "rom@etc" / "acpi" / "tables").stat().st_size == 0x20000
    state = json.loads((tmp_path / "state.json").read_text())
    assert state == corpus.golden("x86/pc-ram-random-4m", "state")
    desc = json.loads((tmp_path / "desc.json").read_text())
    assert desc == corpus.golden("x86/pc-ram-random-4m", "desc")


def test_memory_dump_has_page_contents():
    rc, out, err = run(corpus.stream_file("x86/pc-ram-random-4m"), "-m")
    assert rc == 0, err
    mem = json.loads(out)["ram (2)"]["memory"]
    pattern = random.Random(1).randbytes(4 << 20)
    page = mem["pc.ram (0x0000000001001000)"]
    assert bytes.fromhex(page.replace(" ", "")) == pattern[4096:8192]
    assert mem["pc.ram (0x0000000000000000)"] == "Filled with 0x00"


def test_tree_shows_offsets_and_values():
    rc, out, err = run(corpus.stream_file("x86/pc-nodefaults-64m"), "--format", "tree")
    assert rc == 0, err
    lines = out.splitlines()
    assert "0x00000008  CONFIGURATION   machine pc-i440fx-7.2" in lines
    assert any("env.eip  uint64 = 0x000000000000fff0 (65520)" in ln for ln in lines)
    assert any(ln.startswith("  pc.ram ") and "0x0000000004000000" in ln for ln in lines)


def test_not_a_stream(tmp_path):
    p = tmp_path / "x.bin"
    p.write_bytes(b"hello world, not QEMU")
    rc, out, err = run(p)
    assert rc == 1
    assert err == "migkaitai: error: expected the QEVM magic (51 45 56 4d), found " \
                  "68 65 6c 6c 6f 20 77 6f at offset 0x0\n"


def test_truncated_stream_error_line_and_partial_output(tmp_path):
    data = corpus.stream_file("x86/pc-nodefaults-64m").read_bytes()
    p = tmp_path / "cut.mig"
    p.write_bytes(data[:0x55700])  # inside the cpu section
    rc, out, err = run(p, "--desc", _desc_file(tmp_path, "x86/pc-nodefaults-64m"))
    assert rc == 1
    assert err.startswith("migkaitai: error: stream ends at 0x55700 inside ")
    assert "section cpu (5)" in err and err.count("\n") == 1
    state = json.loads(out)
    assert state["timer (0)"]["cpu_ticks_offset"] == "0x0000000000000000"  # decoded before
    assert "error" in state
    rc, _, err = run(p, "--desc", _desc_file(tmp_path, "x86/pc-nodefaults-64m"), "--traceback")
    assert "Traceback (most recent call last)" in err


def _desc_file(tmp_path, name):
    p = tmp_path / "desc.json"
    p.write_text(json.dumps(corpus.golden(name, "desc")))
    return p


def test_usage_errors():
    assert run()[0] == 2
    assert run("a", "-f", "b")[0] == 2
    rc, _, err = run("/nonexistent/file.mig")
    assert rc == 2 and err.startswith("migkaitai: error: cannot open /nonexistent/file.mig")


def test_obsolete_version_2(tmp_path):
    p = tmp_path / "v2.mig"
    p.write_bytes(b"QEVM\x00\x00\x00\x02\x00")
    rc, _, err = run(p)
    assert rc == 1
    assert err == ("migkaitai: error: expected file version 3, found 2 (the obsolete pre-0.13 "
                   "format, which QEMU refuses to load too) at offset 0x4\n")


def test_page_iteration():
    """API: the RAM page records of a block, with offsets, in stream order."""
    pattern = random.Random(1).randbytes(4 << 20)
    path = corpus.stream_file("x86/pc-ram-random-4m")
    with migkaitai.open(str(path)) as m:
        pages = [p for p in m.pages("pc.ram") if p.kind == "page"]
    assert len(pages) >= 1024
    inside = [p for p in pages if 0x1000000 <= p.addr < 0x1400000]
    assert len(inside) == 1024
    with open(path, "rb") as f:
        for p in inside[:8]:
            assert p.data == pattern[p.addr - 0x1000000:p.addr - 0x1000000 + 4096]
            f.seek(p.offset)
            assert int.from_bytes(f.read(8), "big") & ~0xFFF == p.addr


def test_progress_only_on_a_terminal(monkeypatch):
    """Long work shows bytes done, rate and time left on stderr when it is a terminal;
    nothing when it is not, or with --quiet."""
    import functools

    import migkaitai.cli
    from migkaitai.progress import Progress

    monkeypatch.setattr(migkaitai.cli, "Progress",
                        functools.partial(Progress, delay=0, interval=0))

    class Tty(io.StringIO):
        def isatty(self):
            return True

    path = str(corpus.stream_file("x86/pc-ram-pattern-membackend-32m"))
    err = Tty()
    assert main([path], stdout=io.StringIO(), stderr=err) == 0
    shown = err.getvalue()
    assert "\r" in shown and "MiB / 32.4 MiB" in shown and "/s" in shown and "left" in shown
    assert shown.endswith("\r")  # the status line is cleared at the end
    err = Tty()
    assert main([path, "-q"], stdout=io.StringIO(), stderr=err) == 0
    assert err.getvalue() == ""
    out, err = io.StringIO(), io.StringIO()
    assert main([path], stdout=out, stderr=err) == 0 and err.getvalue() == ""


# Every combination of the output options: done, or refused with exit 2 and one line.
COMBINATIONS = [
    ((), 0, ""),
    (("-m",), 0, ""),
    (("--format", "tree"), 0, ""),
    (("--format", "records"), 0, ""),
    (("--format", "json", "-d", "state", "-m"), 0, ""),
    (("-d", "desc"), 0, ""),
    (("-d", "desc", "--format", "json"), 0, ""),
    (("-x",), 0, ""),
    (("-m", "--format", "tree"), 2, "-m adds RAM page contents to the JSON state"),
    (("-m", "--format", "records"), 2, "-m adds RAM page contents to the JSON state"),
    (("-m", "--format", "summary"), 2, "-m adds RAM page contents to the JSON state"),
    (("--format", "summary"), 0, ""),
    (("-d", "desc", "--format", "tree"), 2, "--format tree shows the decoded records"),
    (("-d", "desc", "--format", "records"), 2, "--format records shows the decoded records"),
    (("-d", "desc", "-m"), 2, "-m adds RAM contents to the state (-d state)"),
    (("-d", "xml", "-m"), 2, "-m adds RAM contents to the state"),
    (("-d", "xml", "--format", "tree"), 2, "-d xml prints a libvirt save image's domain XML"),
    (("-x", "--format", "tree"), 2, "-x writes files"),
    (("-x", "--format", "json"), 2, "--format json chooses what is printed instead"),
    (("-x", "-m"), 2, "-m chooses what is printed instead"),
    (("-x", "-d", "desc"), 2, "-d desc chooses what is printed instead"),
    (("-x", "-d", "state"), 2, "-d state chooses what is printed instead"),
    (("-o", "DIR"), 2, "-o/--output goes with -x/--extract"),
]


@pytest.mark.parametrize("options,status,message", COMBINATIONS)
def test_option_combinations_are_done_or_refused(options, status, message, tmp_path,
                                                  monkeypatch):
    monkeypatch.chdir(tmp_path)  # (-x writes into the current folder)
    stream = corpus.stream_file("x86/pc-nodefaults-64m")
    rc, out, err = run(*options, stream)
    assert rc == status, err
    if status == 2:
        assert out == "" and err.count("\n") == 1 and message in err
    else:
        assert out and err == ""


def test_errors_before_anything_is_decoded_print_nothing_on_stdout(tmp_path, capsys):
    """One policy: an input that fails before its first record (empty, not a stream, the
    wrong --offset) gets the error line only; one that fails later also gets what was
    decoded, with the error entry (see test_truncated_stream_error_line_and_partial_output)."""
    empty = tmp_path / "empty"
    empty.write_bytes(b"")
    stream = corpus.stream_file("x86/pc-nodefaults-64m")
    for args, line in [
        ((empty,), "expected the QEVM magic (51 45 56 4d), found an empty file at offset 0x0"),
        (("/dev/null",), "expected the QEVM magic (51 45 56 4d), found an empty stream at "
                         "offset 0x0"),
        (("--offset", "4096", stream), "expected the QEVM magic (51 45 56 4d), found 00 00 00 "
                                       "00 at offset 0x1000"),
        (("--format", "records", "/dev/null"), "found an empty stream at offset 0x0"),
    ]:
        rc, out, err = run(*args)
        assert (rc, out) == (1, "") and err.startswith("migkaitai: error: ") and line in err
        assert "b'" not in err  # (no compiler wording)
    with pytest.raises(SystemExit) as e:  # (argparse's own exit)
        main(["--offset", "abc", str(stream)])
    err = capsys.readouterr().err
    assert e.value.code == 2 and "not a byte offset: 'abc'" in err and "lambda" not in err


def test_version_has_one_source(capsys):
    import importlib.metadata

    with pytest.raises(SystemExit) as e:
        main(["--version"])
    assert e.value.code == 0
    assert capsys.readouterr().out == f"migkaitai {migkaitai.__version__}\n"
    assert importlib.metadata.version("migkaitai") == migkaitai.__version__


def test_help_teaches(capsys):
    """--help names standard input, hex offsets, what -x writes, the exit codes, examples."""
    with pytest.raises(SystemExit):
        main(["--help"])
    text = " ".join(capsys.readouterr().out.split())
    for part in ["(- for standard input)", "decimal or 0x hex", "block/<device> for block",
                 "domain.xml for a libvirt image", "exit status: 0 decoded; 1 the input is "
                 "broken", "2 bad usage; 3 an output could not be written", "130 interrupted",
                 "examples:", "migkaitai -x -o out/ mig"]:
        assert part in text, part


class _Terminal:
    """A terminal both stdout and stderr write to: it keeps the screen's lines as a
    terminal shows them ("\r" returns to the start of the line, text overwrites)."""

    def __init__(self):
        self.lines = [""]
        self.col = 0

    def put(self, text):
        for ch in text:
            if ch == "\r":
                self.col = 0
            elif ch == "\n":
                self.lines.append("")
                self.col = 0
            else:
                line = self.lines[-1].ljust(self.col)
                self.lines[-1] = line[:self.col] + ch + line[self.col + 1:]
                self.col += 1


class _Side(io.StringIO):
    def __init__(self, term):
        super().__init__()
        self.term = term

    def write(self, text):
        self.term.put(text)
        return len(text)

    def isatty(self):
        return True


def test_progress_and_output_on_one_terminal_take_turns():
    """The progress line is taken off before each write to a stdout on the same terminal,
    and drawn only between whole lines: every screen line is the output's own."""
    from migkaitai.progress import Progress, SharedTerminal

    term = _Terminal()
    progress = Progress(_Side(term), delay=0, interval=0)
    out = SharedTerminal(_Side(term), progress)
    out.write("0x00000000  header  QEVM version 3\n")
    progress(3 << 20, 6 << 20)
    out.write("0x002ff04f  FOOTER ")
    progress(4 << 20, 6 << 20)  # (mid-line: not drawn)
    out.write("id 2\n")
    progress(5 << 20, 6 << 20)
    out.write("0x00300000  EOF\n")
    progress.done()
    assert [x.rstrip() for x in term.lines] == ["0x00000000  header  QEVM version 3",
                                                "0x002ff04f  FOOTER id 2",
                                                "0x00300000  EOF", ""]


def test_a_terminal_on_standard_input_is_said(monkeypatch):
    class TtyStdin:
        buffer = io.BytesIO(b"")

        def isatty(self):
            return True

    monkeypatch.setattr("sys.stdin", TtyStdin())
    rc, out, err = run("-")
    assert rc == 1 and out == ""
    assert err.startswith("migkaitai: reading the stream from standard input, a terminal")
    assert "found an empty stream" in err


# -- gaps that are said ---------------------------------------------------------------


def test_a_multifd_channel_left_out_is_said(tmp_path):
    """QEMU numbers the packets across all channels: with channel 2 left out, packets 0 to
    11 are numbered but 4 are in no capture given, and 128 pages of RAM never arrive."""
    main_ = corpus.stream_file("x86/pc-multifd-2ch")
    ch1, ch2 = (corpus.stream_file("x86/pc-multifd-2ch", f".mig.ch{i}") for i in (1, 2))
    rc, _, err = run("-x", "-o", tmp_path / "one", "--channel", ch1, main_)
    assert rc == 0 and ("migkaitai: note: multifd packets 0 to 11 are numbered across the "
                        "channels, but 4 of them are in none of the 1 channel capture(s) "
                        "given (a channel left out?): 128 RAM pages were not received at all"
                        in err)
    rc, _, err = run("-x", "-o", tmp_path / "both", "--channel", ch1, "--channel", ch2, main_)
    assert rc == 0 and "multifd packets" not in err


def test_a_description_of_another_machine_is_said(tmp_path):
    rc, desc, _ = run("-d", "desc", corpus.stream_file("x86/microvm-64m"))
    path = tmp_path / "microvm-desc.json"
    path.write_text(desc)
    rc, out, err = run("--desc", path, corpus.stream_file("x86/pc-nodefaults-64m"))
    raw = json.loads(out)["PCIHost (9)"]
    assert rc == 0 and list(raw) == ["raw payload"]
    assert len(raw["raw payload"]) > 0 and bytes.fromhex(raw["raw payload"].replace(" ", ""))
    assert ("migkaitai: note: 18 device sections (PCIHost (9), PCIBUS (10), "
            "0000:00:00.0/I440FX (11), dma (12), dma (13), ...) are not in the JSON "
            "description (no entry with that name and instance), so shown as raw payloads"
            in err)


def test_a_damaged_description_is_said_with_a_way_out():
    path = corpus.stream_file("x86/err-bitflip-json")
    rc, out, err = run("--format", "tree", path)
    assert rc == 1 and "  description: none found at the end of the file\n" in out
    assert "damaged VMDESCRIPTION: expected '{' at 0x5db93, found 0x84" in err
    assert "give a description with --desc FILE" in err


def test_files_of_another_run_in_the_output_folder_are_said(tmp_path):
    rc, _, _ = run("-x", "-o", tmp_path, corpus.stream_file("x86/microvm-64m"))
    assert rc == 0 and (tmp_path / "microvm.ram").exists()
    rc, out, err = run("-x", "-o", tmp_path, corpus.stream_file("x86/pc-nodefaults-64m"))
    assert rc == 0 and "pc.ram\n" in out
    assert (f"migkaitai: note: 1 file in {tmp_path} was not written by this run "
            f"(microvm.ram): from another run, left as they were") in err


# -- help, man page, README, completion: one parser ----------------------------------

ROOT = corpus.CORPUS.parent.parent.parent  # (tests/data/corpus -> the repository)


def _option_strings() -> set[str]:
    from migkaitai.cli import build_parser

    return {o for a in build_parser()._actions for o in a.option_strings}


def test_help_man_page_and_readme_agree():
    """The committed man page is what `make man` writes from the parser now, and the man
    page and README name every option the parser has (and the README shows --help)."""
    import subprocess
    import sys

    man = (ROOT / "man" / "migkaitai.1").read_text()
    fresh = subprocess.run([sys.executable, "-c", "import sys; sys.path.insert(0, 'tools'); "
                            "import manpage; sys.stdout.write(manpage.manpage())"],
                           cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert man == fresh, "man/migkaitai.1 is stale: run make man"
    readme = (ROOT / "README.md").read_text()
    for opt in sorted(_option_strings()):
        if opt not in ("-h", "--help"):  # (the man page is the help)
            assert "\\fB" + opt.replace("-", "\\-") + "\\fR" in man, opt
        assert opt in readme, opt
    assert "usage: migkaitai [-h] [-f FILE]" in readme


def test_completion_scripts_know_every_option(tmp_path):
    import shutil
    import subprocess

    rc, bash, _ = run("--print-completion", "bash")
    assert rc == 0 and all(o in bash for o in _option_strings())
    rc, zsh, _ = run("--print-completion", "zsh")
    assert rc == 0 and zsh.startswith("#compdef migkaitai")
    if shutil.which("bash"):  # complete `migkaitai --form` and `--format ` as bash would
        script = tmp_path / "c.bash"
        script.write_text(bash + '''
COMP_WORDS=(migkaitai --form); COMP_CWORD=1; _shtab_migkaitai migkaitai --form migkaitai
echo "${COMPREPLY[@]}"
COMP_WORDS=(migkaitai --format ""); COMP_CWORD=2; _shtab_migkaitai migkaitai "" --format
echo "${COMPREPLY[@]}"
''')
        got = subprocess.run(["bash", str(script)], capture_output=True, text=True,
                             check=True).stdout.split("\n")
        assert got[:2] == ["--format", "json tree records summary"]


def test_summary_view():
    """--format summary: machine, the QEMU versions it implies, description, records by
    kind, devices by kind, RAM by encoding, at a glance (decoded from real streams)."""
    rc, out, err = run("--format", "summary", corpus.stream_file("x86/pc-nodefaults-64m"))
    assert rc == 0 and err == ""
    lines = out.splitlines()
    assert lines[1:6] == [
        "  machine: pc-i440fx-7.2",
        "  QEMU: 7.2 or later (the machine type pc-i440fx-7.2 exists from 7.2 on)",
        "  page size: 4096 bytes",
        "  description: 98649 bytes of JSON at 0x587d7",
        "  records: 68 (33 sections, 33 footers, 1 configuration, 1 eof)"]
    assert lines[6].startswith("  devices: 30 sections of 28 kinds: dma x2, i8259 x2, I440FX")
    assert ("    pc.ram                          64 MiB        0    16384        0       0  "
            "      0        0        0") in lines
    rc, out, _ = run("--format", "summary", corpus.stream_file("x86/pc-running-xbzrle"))
    assert rc == 0
    assert ("    pc.ram                          64 MiB      319    16193   255644       0   "
            "     0   255772        0") in out.splitlines()  # (re-sent: dirty pages)
    rc, out, _ = run("--format", "summary", corpus.stream_file("x86/pc-postcopy-run-release-ram"))
    assert rc == 0 and ("  commands: OPEN_RETURN_PATH, PING x4, POSTCOPY_ADVISE, "
                        "POSTCOPY_RAM_DISCARD, PACKAGED, POSTCOPY_LISTEN, POSTCOPY_RUN") in out


def test_summary_splits_multifd_pages_and_says_a_channel_left_out():
    n = "x86/pc-multifd-2ch"
    main_, ch1, ch2 = (corpus.stream_file(n, s) for s in (".mig", ".mig.ch1", ".mig.ch2"))
    rc, out, err = run("--format", "summary", "--channel", ch1, "--channel", ch2, main_)
    assert rc == 0 and err == ""
    assert ("    pc.ram                          64 MiB      257    16128        0       0  "
            "    257        1        0") in out.splitlines()
    rc, out, err = run("--format", "summary", "--channel", ch1, main_)
    assert ("    pc.ram                          64 MiB      129    16128        0       0  "
            "    129        0      127") in out.splitlines()
    assert "4 of them are in none of the 1 channel capture(s) given" in err


def test_summary_of_a_container_starts_with_its_facts():
    from test_containers import LIBVIRT  # noqa: F401 - (the images' names)

    rc, out, _ = run("--format", "summary", corpus.container_file("lv-gzip.save"))
    assert rc == 0
    assert out.splitlines()[1].startswith("  container: libvirt save image")
    assert "  machine: pc-" in out and "  RAM: " in out


def test_tree_values_people_can_read():
    """The tree (the JSON stays analyze-migration.py's): a fixed-size string as text, QEMU's
    flags named, the hash page table summarised, RAM by encoding with re-sends."""
    rc, out, _ = run("--format", "tree", corpus.stream_file("x86/pc-nodefaults-64m"))
    assert rc == 0 and '(100 bytes) "prelaunch"' in out  # globalstate's runstate
    rc, out, _ = run("--format", "tree", corpus.stream_file("x86/pc-block-migration"))
    assert "                DEVICE_BLOCK sector 2048 virtio0\n" in out
    assert "                PROGRESS 50%\n" in out
    rc, out, _ = run("--format", "tree", corpus.stream_file("other/ppc64-pseries-default"))
    assert ("spapr/htab (id 563, instance 0, version 1)\n"
            "                hash page table of 2^21 bytes (its size shift)\n") in out
    rc, out, _ = run("--format", "tree", corpus.stream_file("x86/pc-running-xbzrle"))
    assert ("  pc.ram                       0x0000000004000000      319    16193   255644  "
            "     0        0   255772        0      3102589\n") in out
