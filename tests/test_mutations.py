"""Damaged streams: truncated, bit-flipped, with bytes inserted or deleted, hostile lengths.

The contract (README "Errors"): exit 0 when the stream is still decodable, else exit 1
with exactly one stderr line "migkaitai: error: ... at offset 0x..."; never a traceback
or "migkaitai: internal error"; no hang, bounded memory; what was decoded before the
fault is still printed (the JSON gets an "error" entry); -x writes only into its folder.

Every case is a real corpus stream damaged by the mutator of tools/fuzz.py (seeded, so
a failure replays), run in this process through cli.main() with an alarm; a few run
as `python -m migkaitai` subprocesses. `make fuzz` runs the same mutator for longer.
"""
from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

import migkaitai

import corpus

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
import fuzz

CASE_SECONDS = 5.0  # per case; the streams used decode in well under a second
HEADROOM_MB = 768  # address space a case may add to this process (a runaway allocation fails)

TRICORE = "exotic/v10.0-tricore-tc277"  # 6 KB, description, 16 KiB pages
AVR = "exotic/v7.2-avr-mega2560"  # 15 KB, description, 256-byte pages
NODEFAULTS = "x86/pc-nodefaults-64m"  # 450 KB, description, footers
NO_VMDESC = "x86/pc-suppress-vmdesc"  # no description
NO_FOOTER = "x86/pc-no-section-footer"  # description, no section footers

NO_DESC_NOTE = ("migkaitai: note: the stream has no JSON description, so device sections are "
                "shown as raw payloads (give one with --desc FILE from a stream of the same "
                "QEMU version and machine type)\n")

GIVE_ONE = (" (device sections are shown raw; give a description with --desc FILE, from a "
            "stream of the same QEMU version and machine type)")


@cache
def stream(name: str) -> bytes:
    return corpus.stream_file(name).read_bytes()


@cache
def smap(name: str) -> fuzz.StreamMap:
    return fuzz.stream_map(corpus.stream_file(name))


@cache
def records(name: str) -> tuple[tuple[int, int, str, str | None], ...]:
    """(offset, end, kind, section label) of every record, from the API."""
    with migkaitai.open(str(corpus.stream_file(name))) as m:
        return tuple((r.offset, r.end, r.kind, r.section and r.section.label)
                     for r in m.records())


def eof_end(name: str) -> int:
    """Where the EOF record ends: cut before it, the stream is not decodable."""
    return records(name)[-1][1]


def run(data: bytes, mode: str, workdir: Path, **kw) -> fuzz.Outcome:
    outcome = fuzz.run_case(data, mode, workdir, timeout=CASE_SECONDS, headroom_mb=HEADROOM_MB,
                            **kw)
    problems = fuzz.contract_problems(outcome)
    assert not problems, (f"{problems} for {' '.join(outcome.argv)}\nstderr: "
                          f"{outcome.stderr[:800]!r}")
    return outcome


def assert_damaged_trailer(o: fuzz.Outcome, marker: int) -> None:
    """The VMDESCRIPTION trailer after the EOF record (its 0x06 at `marker`) is there but
    broken: named with its offset (or the JSON's) after the records were printed."""
    msg = error_of(o)
    assert "VMDESCRIPTION" in msg, msg
    assert msg.endswith(f"at offset 0x{marker:x}") or "not valid JSON" in msg, msg


def error_of(o: fuzz.Outcome) -> str:
    assert o.rc == 1 and o.stderr.startswith(fuzz.ERROR_PREFIX), o.stderr
    return o.stderr[len(fuzz.ERROR_PREFIX):-1]


def mode_for(i: int, modes: tuple[str, ...] = ("state", "tree", "records", "extract",
                                               "report")) -> str:
    return modes[i % len(modes)]


# --------------------------------------------------------------------------------------------
# Truncation: a cut pipe, a full disk, a copy interrupted


@pytest.mark.slow
@pytest.mark.parametrize("name", [TRICORE, AVR, NODEFAULTS])
@pytest.mark.parametrize("mode", ["state", "tree", "records", "extract"])
def test_truncated_at_every_record_boundary(name, mode, tmp_path):
    """Cut at every record boundary the API reports (in the small streams also one byte
    before and after it)."""
    data = stream(name)
    end = eof_end(name)
    around = (0,) if name == NODEFAULTS else (-1, 0, 1)
    edges = {e for off, stop, *_ in records(name) for e in (off, stop)}
    cuts = sorted({e + d for e in edges for d in around if 0 <= e + d <= len(data)}
                  | {0, 1, 4, 7, 8})
    for cut in cuts:
        o = run(data[:cut], mode, tmp_path / f"{mode}-{cut}")
        if cut < 4:
            assert error_of(o).startswith("expected the QEVM magic (51 45 56 4d), found ")
        elif cut < end:  # no EOF record: not decodable
            assert error_of(o).startswith(f"stream ends at 0x{cut:x} "), hex(cut)
        elif end < cut < len(data):  # the records are whole, the trailer is cut
            assert_damaged_trailer(o, end)
        else:  # no trailer at all (a stream may lack one), or the whole stream
            assert o.rc == 0
            assert (NO_DESC_NOTE in o.stderr) == (cut == end)


def test_truncated_inside_the_description(tmp_path):
    """Cut right after the EOF record: a stream without description (exit 0, raw device
    payloads, a note). Cut inside the VMDESCRIPTION trailer: the records are printed,
    then the damaged trailer is the error."""
    data = stream(TRICORE)
    mark, length = smap(TRICORE).desc
    o = run(data[:mark], "state", tmp_path / "eof")
    assert o.rc == 0 and NO_DESC_NOTE in o.stderr
    o = run(data[:mark], "desc", tmp_path / "eof-desc")
    assert o.stderr == f"migkaitai: error: {fuzz.NO_DESCRIPTION} at offset 0x{mark:x}\n"
    o = run(data[:mark + 2], "state", tmp_path / "len")
    assert error_of(o) == f"stream ends at 0x{mark + 2:x} inside the VMDESCRIPTION length " \
                          f"at offset 0x{mark:x}"
    assert json.loads(o.stdout)["error"] == error_of(o)
    rng = random.Random(7)
    for i, cut in enumerate([mark + 1, mark + 5, mark + 6] + sorted(
            rng.sample(range(mark + 7, mark + 5 + length), 8))):
        for mode in (mode_for(i), "desc"):
            o = run(data[:cut], mode, tmp_path / f"{mode}{cut}")
            assert_damaged_trailer(o, mark)
    o = run(data[:mark + 0x100], "state", tmp_path / "json")
    assert error_of(o) == (f"VMDESCRIPTION of 0x{length:x} bytes runs past the end of the "
                           f"file (0x{0x100 - 5:x} bytes follow) at offset 0x{mark:x}")


@pytest.mark.parametrize("name,count", [(TRICORE, 60), (AVR, 60), (NODEFAULTS, 40),
                                        (NO_VMDESC, 25), (NO_FOOTER, 25)])
def test_truncated_at_random_points(name, count, tmp_path):
    data = stream(name)
    end = eof_end(name)
    rng = random.Random(f"truncate:{name}")
    for i in range(count):
        cut = rng.randrange(4, len(data))
        o = run(data[:cut], mode_for(i), tmp_path / str(i))
        if name == NO_FOOTER and o.rc == 0:
            # Cut, the description is gone; without footers nor description a device
            # payload's length is unknown, so decoding stops at the first one, with a note
            # (and never gets to the cut).
            assert "so its length is unknown; decoding stops there" in o.stderr
        elif cut > end:
            assert_damaged_trailer(o, end)
        elif cut == end:
            assert o.rc == 0
        else:
            assert error_of(o).startswith(f"stream ends at 0x{cut:x} "), hex(cut)


def test_truncated_stream_keeps_what_was_decoded(tmp_path):
    """Cut inside the cpu section: the sections before it are in the JSON, with the error."""
    data = stream(NODEFAULTS)
    cpu = next(off for off, _, _, label in records(NODEFAULTS) if label == "cpu (5)")
    o = run(data[:cpu + 0x100], "state", tmp_path / "s")
    state = json.loads(o.stdout)
    assert "timer (0)" in state and "cpu_common (4)" in state
    assert state["error"] == error_of(o)
    assert error_of(o) == (f"stream ends at 0x{cpu + 0x100:x} inside this device payload, "
                           f"before its footer at offset 0x{cpu + 0x11:x} (section cpu (5))")
    o = run(data[:cpu + 0x100], "records", tmp_path / "r")
    recs = json.loads(o.stdout)
    assert recs[-1] == {"error": error_of(o)} and len(recs) > 10


# --------------------------------------------------------------------------------------------
# Bit flips, inserted and deleted bytes, duplicated and dropped records


@pytest.mark.slow
@pytest.mark.parametrize("name,count", [(TRICORE, 150), (AVR, 150), (NODEFAULTS, 30),
                                        (NO_VMDESC, 25), (NO_FOOTER, 25)])
def test_bit_flips(name, count, tmp_path):
    rng = random.Random(f"flip:{name}")
    m = fuzz.Mutator(rng)
    for i in range(count):
        data, what = m.mutate(stream(name), smap(name), rng.choice(("flip", "set_byte")))
        run(data, mode_for(i, ("state", "tree", "records", "extract", "desc")),
            tmp_path / str(i))


@pytest.mark.parametrize("name,count", [(TRICORE, 100), (AVR, 100), (NODEFAULTS, 25)])
def test_inserted_deleted_and_moved_bytes(name, count, tmp_path):
    rng = random.Random(f"insdel:{name}")
    m = fuzz.Mutator(rng)
    kinds = ("insert", "delete", "record_dup", "record_drop", "stack")
    for i in range(count):
        data, what = m.mutate(stream(name), smap(name), kinds[i % len(kinds)])
        run(data, mode_for(i), tmp_path / str(i))


# --------------------------------------------------------------------------------------------
# Length fields forced to 0, 1, 0x7f.. and 0xff..


@pytest.mark.parametrize("name", [TRICORE, AVR])
def test_every_length_field_forced(name, tmp_path):
    """Section and configuration names, commands, RAM block names and lengths, MEM_SIZE,
    the description's be32: every such field of the stream, each hostile value."""
    data = stream(name)
    fields = smap(name).length_fields()
    kinds = {f.what.split(" (")[0] for f in fields}
    assert {"section name length", "configuration name length", "RAM block name length",
            "RAM block used length", "description length"} <= kinds
    i = 0
    for f in fields:
        for v in fuzz.hostile_values(f.width):
            run(fuzz.put(data, f, v), mode_for(i), tmp_path / str(i))
            i += 1


# (stream, bytes kept or None, field name prefix): x86 names and RAM records, and the
# fields the two small streams lack (commands, PACKAGED, capabilities, COMPRESS_PAGE,
# XBZRLE, block migration), in a stream QEMU wrote them in. Cropped streams end early
# (XBZRLE pages start 1.6 MB into a 6 MB stream): the cut is reported unless the
# damaged field is.
LENGTHS_ELSEWHERE = [
    (NODEFAULTS, None, "configuration name length"),
    (NODEFAULTS, None, "section name length (cpu (5))"),
    (NODEFAULTS, None, "RAM block name length (pc.ram)"),
    (NODEFAULTS, None, "RAM record block name length (page page)"),
    ("x86/pc-postcopy-advise", None, "command length"),
    ("x86/pc-postcopy-run-release-ram", None, "PACKAGED length"),
    ("x86/pc-postcopy-run-release-ram", None, "command length (type 7)"),
    ("qemu10/v10.0-x86_64-q35-ignore-shared", None, "capability name length"),
    ("x86/pc-compress", 0x60000, "COMPRESS_PAGE length"),
    ("x86/pc-running-xbzrle", 0x1a0000, "XBZRLE length"),
    ("x86/pc-block-migration", None, "block device name length"),
]


@pytest.mark.slow
@pytest.mark.parametrize("name,crop,what", LENGTHS_ELSEWHERE)
def test_length_field_forced(name, crop, what, tmp_path):
    data = stream(name)[:crop]
    seed = tmp_path / "seed.mig"
    seed.write_bytes(data)
    f = next(f for f in fuzz.stream_map(seed).length_fields() if f.what.startswith(what))
    for i, v in enumerate(fuzz.hostile_values(f.width)):
        run(fuzz.put(data, f, v), mode_for(i), tmp_path / str(i))


def test_length_field_messages(tmp_path):
    """What a few hostile lengths are reported as."""
    data = stream(NODEFAULTS)
    fields = {f.what: f for f in smap(NODEFAULTS).fields}
    conf = fields["configuration name length (be32)"]
    o = run(fuzz.put(data, conf, 0xFFFFFFFF), "state", tmp_path / "conf")
    assert error_of(o) == ("invalid record header (configuration field 0: not in range, "
                           "max 255, but got 4294967295) at offset 0x9")  # the length field
    o = run(fuzz.put(data, conf, 0), "state", tmp_path / "conf0")  # "pc-i440fx-7.2" read
    assert error_of(o) == ("expected a record type (0x00-0x04, 0x07, 0x08 or 0x7e), found "
                           "0x70 at offset 0xd")  # as a record: 'p'
    cpu = fields["section name length (cpu (5))"]
    o = run(fuzz.put(data, cpu, 0xFF), "state", tmp_path / "cpu")
    assert error_of(o) == (f"invalid record header (a name that is not ASCII) at offset "
                           f"0x{cpu.offset + 1:x}")  # the name, after its length byte
    ram = fields["RAM block used length (pc.ram)"]
    o = run(fuzz.put(data, ram, 0xFFFFFFFF), "state", tmp_path / "ram")
    assert error_of(o) == ("RAM block 'pc.ram' of 0xffffffff bytes exceeds the MEM_SIZE total "
                           "left (0x4082000) at offset 0x33 (section ram (2))")


@pytest.mark.parametrize("name", [TRICORE, NODEFAULTS])
def test_description_length_changed(name, tmp_path):
    """A wrong be32 length: the records are decoded and printed (device sections raw),
    then the damaged trailer is the error, at its offset (or at the JSON's fault)."""
    data = stream(name)
    mark, length = smap(name).desc
    f = fuzz.Field(mark + 1, 4, "description length", True)
    for i, v in enumerate((0, 1, 2, length - 1, length + 1, length * 2, 0x7FFFFFFF,
                           0xFFFFFFFF)):
        for mode in (mode_for(i), "desc"):
            o = run(fuzz.put(data, f, v), mode, tmp_path / f"{mode}{i}")
            assert_damaged_trailer(o, mark)
            if v > length:
                assert error_of(o) == (f"VMDESCRIPTION of 0x{v:x} bytes runs past the end of "
                                       f"the file (0x{length:x} bytes follow) at offset "
                                       f"0x{mark:x}")
    o = run(fuzz.put(data, f, 0), "state", tmp_path / "zero")
    assert error_of(o) == ("damaged VMDESCRIPTION: description is not valid JSON: Expecting "
                           f"value{GIVE_ONE} at offset 0x{mark + 5:x}")
    state = json.loads(o.stdout)
    assert state["error"] == error_of(o) and len(state) > 3  # the sections came first


def test_hostile_descriptions(tmp_path):
    """Descriptions that parse but lie: sizes, counts and versions changed, types swapped,
    nesting 900 deep (kept findable: the be32 length follows the text)."""
    rng = random.Random("desc-json")
    m = fuzz.Mutator(rng)
    for name in (TRICORE, AVR):
        for i in range(60):
            data, what = m.desc_json(stream(name), smap(name))
            run(data, mode_for(i, ("state", "tree", "desc", "extract")),
                tmp_path / f"{name.split('/')[1]}-{i}")


# --------------------------------------------------------------------------------------------
# -x never writes outside its folder


@pytest.mark.parametrize("evil", ["../../zzz", "/../../zz", "..%2F..zz", "/tmp/zzzz"])
def test_extract_with_hostile_block_names(evil, tmp_path):
    """A RAM block named to climb out of the output folder (MEM_SIZE and every page
    record that names it) lands inside it."""
    data = stream(TRICORE)
    old = b"\x09CPU1.DSPR"
    new = bytes([len(evil)]) + evil.encode()
    assert len(new) == len(old) and old in data
    before = sorted(os.listdir(tmp_path.parent))
    o = run(data.replace(old, new), "extract", tmp_path / "case")
    assert o.rc == 0
    assert sorted(os.listdir(tmp_path.parent)) == before
    assert sorted(os.listdir(tmp_path)) == ["case"]
    assert not Path("/tmp/zzzz").exists()


def test_extract_with_hostile_disk_name(tmp_path):
    """Block migration: a disk named to climb out of -o lands in <out>/block/."""
    name = "x86/pc-block-migration"
    data = stream(name)
    f = next(f for f in smap(name).fields if f.what.startswith("block device name length"))
    n = data[f.offset]
    old = data[f.offset:f.offset + 1 + n]
    evil = ("../" * n)[:n]
    o = run(data.replace(old, bytes([n]) + evil.encode()), "extract", tmp_path / "case")
    out = tmp_path / "case" / "out"
    assert o.rc == 0
    assert (out / "block" / "%2E%2E" / "%2E%2E" / "%2E").is_file()  # "../../."
    assert sorted(os.listdir(tmp_path)) == ["case"]


# --------------------------------------------------------------------------------------------
# The corpus's damaged streams (tests/data/corpus/x86/MANIFEST.md), as reported today


def test_err_truncated_half(tmp_path):
    """First half of pc-many-devices: ends inside the RAM section."""
    data = stream("x86/err-truncated-half")
    o = run(data, "state", tmp_path / "s")
    assert o.stderr == ("migkaitai: error: stream ends at 0xe1298 inside RAM record at offset "
                        "0xe0dbb (section ram (3))\n")  # its page data
    assert list(json.loads(o.stdout)) == ["ram (3)", "error"]
    o = run(data, "tree", tmp_path / "t")
    lines = o.stdout.splitlines()
    assert any(ln.startswith("RAM blocks") for ln in lines)  # (what was read: still printed)
    assert any(ln.startswith("  pc.ram ") for ln in lines)


def test_err_truncated_in_device_state(tmp_path):
    """q35-many-devices-rootports cut 2000 bytes into the device sections: no description
    (it was at the end), so the cpu section is looked for its footer and has none."""
    o = run(stream("x86/err-truncated-in-device-state"), "state", tmp_path / "s")
    assert o.stderr == ("migkaitai: error: stream ends at 0xd635e inside this device payload, "
                        "before its footer at offset 0xd5c8f (section cpu (7))\n")
    state = json.loads(o.stdout)
    assert list(state)[-3:] == ["slirp (5)", "cpu_common (6)", "error"]


def test_err_bitflip_body(tmp_path):
    """pc-q35-2.4 with 5 bytes flipped: the first one met is the flags byte of the first
    RAM page record (0x02 -> 0xfd, at 0xcd), reported at the record's start."""
    data = stream("x86/err-bitflip-body")
    o = run(data, "state", tmp_path / "s")
    assert o.stderr == ("migkaitai: error: unknown combination of RAM flags 0xfd in RAM "
                        "record at offset 0xc6 (section ram (2))\n")
    assert list(json.loads(o.stdout)) == ["ram (2)", "error"]
    o = run(data, "desc", tmp_path / "d")  # the JSON trailer is intact
    assert o.rc == 0 and "devices" in json.loads(o.stdout)


def test_err_bitflip_json(tmp_path):
    """pc-q35-2.4 with its description's '{' (at 0x5db93) and a byte inside it flipped:
    the records are intact and printed, device payloads raw; the trailer is the error."""
    data = stream("x86/err-bitflip-json")
    msg = f"damaged VMDESCRIPTION: expected '{{' at 0x5db93, found 0x84{GIVE_ONE} at offset 0x5db8e"
    o = run(data, "state", tmp_path / "s")
    assert error_of(o) == msg
    state = json.loads(o.stdout)
    assert state["error"] == msg and "cpu (5)" in state
    o = run(data, "desc", tmp_path / "d")
    assert error_of(o) == msg and o.stdout == ""


def test_error_line_escapes_names_from_the_stream(tmp_path):
    """A block name with a newline and a terminal escape stays on the one error line,
    escaped; the JSON keeps the name as it is (JSON escapes it)."""
    data = stream(TRICORE)
    first_named = next(f for f in smap(TRICORE).fields
                       if f.what.startswith("RAM record block name length"))
    n = data[first_named.offset]
    bad = (b"X\n\x1b[2J" + b"Y" * n)[:n]  # a block MEM_SIZE did not announce
    data = data[:first_named.offset + 1] + bad + data[first_named.offset + 1 + n:]
    o = run(data, "state", tmp_path / "s")
    assert o.stderr == ("migkaitai: error: RAM record names block 'X\\n\\x1b', which MEM_SIZE "
                        f"did not announce at offset 0x{first_named.offset - 8:x} "
                        "(section ram (1))\n")
    assert json.loads(o.stdout)["error"].startswith("RAM record names block 'X\n\x1b'")
    o = run(data, "tree", tmp_path / "t")
    assert "\x1b" not in o.stdout + o.stderr


def test_malformed_devices_entry_keeps_the_records(tmp_path):
    """A description that parses but whose devices[0] lacks its instance_id (one flipped
    bit in "instance_id" does that): the records are still decoded, device payloads raw,
    and the description is the error, at the trailer's offset."""
    data = stream(TRICORE)
    mark, length = smap(TRICORE).desc
    text = data[mark + 5:mark + 5 + length]
    broken = text.replace(b'"instance_id": 0', b'"instance_id": null', 1)
    assert broken != text
    o = run(fuzz.with_description(data, smap(TRICORE), broken), "state", tmp_path / "s")
    assert error_of(o) == ("devices[0] has no string 'name' and integer 'instance_id' at "
                           f"offset 0x{mark:x}")
    state = json.loads(o.stdout)
    assert "timer (0)" in state and state["error"] == error_of(o)


@pytest.mark.parametrize("mode", ["extract", "memory"])
def test_block_name_too_long_for_a_file(mode, tmp_path):
    data = bytearray(stream(AVR))
    data[0x32] ^= 0x40  # MEM_SIZE total grows: the records after it are read as blocks
    o = fuzz.run_case(bytes(data), mode, tmp_path, timeout=CASE_SECONDS,
                      headroom_mb=HEADROOM_MB)
    assert fuzz.contract_problems(o) == []


def _ram_block_claiming(name: str, block: str, length: int) -> bytes:
    """`name` with RAM block `block` claiming `length` bytes, MEM_SIZE's total agreeing."""
    data = stream(name)
    fields = {f.what: f for f in smap(name).fields}
    used = fields[f"RAM block used length ({block})"]
    total = fields["MEM_SIZE total (address word)"]
    old = int.from_bytes(data[used.offset:used.offset + 8], "big")
    word = int.from_bytes(data[total.offset:total.offset + 8], "big")
    return fuzz.put(fuzz.put(data, used, length), total, word - old + length)


def _subprocess(args: list[str], tmp_path: Path, timeout: float = 60
                ) -> tuple[fuzz.Outcome, float]:
    """Run `python -m migkaitai ARGS` (address space capped at 2 GiB, so a runaway
    allocation fails instead of taking the machine); return the outcome and the peak RSS
    of the child in MB."""
    # A small Python sets the cap, runs migkaitai and reports its peak RSS (wait4). The
    # peak RSS of a child of this test process would count what it inherits from it
    # (fork, or vfork then exec, keep the parent's high-water mark).
    runner = ("import os, resource, subprocess, sys; "
              "resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30)); "
              "p = subprocess.Popen([sys.executable, '-m', 'migkaitai'] + sys.argv[2:]); "
              "_, status, usage = os.wait4(p.pid, 0); "
              "open(sys.argv[1], 'w').write(str(usage.ru_maxrss)); "
              "code = os.waitstatus_to_exitcode(status); "
              "sys.exit(code if code >= 0 else 128 - code)")
    cwd = tmp_path / "cwd"  # stays empty
    cwd.mkdir(exist_ok=True)
    rss_file = tmp_path / "child-rss"
    with subprocess.Popen([sys.executable, "-c", runner, str(rss_file), *args],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=cwd,
                          start_new_session=True) as p:
        try:
            stdout, stderr = p.communicate(timeout=timeout)
        finally:
            if p.poll() is None:  # timed out: migkaitai too (same process group)
                os.killpg(p.pid, signal.SIGKILL)
    rss_mb = int(rss_file.read_text()) / 1024 if rss_file.exists() else 0.0
    mode = "extract" if "-x" in args else "memory" if "-m" in args else "state"
    outdir = Path(args[args.index("-o") + 1]) if "-o" in args else None
    o = fuzz.Outcome(mode, args, p.returncode, stdout, stderr, outdir, cwd, 0.0)
    return o, rss_mb


@pytest.mark.parametrize("flag", ["-x", "-m"])
def test_claimed_ram_block_length_does_not_cost_memory(flag, tmp_path):
    mig = tmp_path / "big.mig"
    mig.write_bytes(_ram_block_claiming(AVR, "flash", 1 << 40))
    args = [flag, str(mig)] + (["-o", str(tmp_path / "out")] if flag == "-x" else [])
    o, rss_mb = _subprocess(args, tmp_path)
    assert fuzz.contract_problems(o) == []
    assert 5 < rss_mb < 64


def test_claimed_ram_block_length_beyond_the_file_system(tmp_path):
    mig = tmp_path / "big.mig"
    mig.write_bytes(_ram_block_claiming(TRICORE, "PF0", 1 << 62))
    o, _ = _subprocess(["-x", "-o", str(tmp_path / "out"), str(mig)], tmp_path)
    assert fuzz.contract_problems(o) == []


# --------------------------------------------------------------------------------------------
# The real entry point, in a process of its own


def test_cli_process_on_damaged_streams(tmp_path):
    """`python -m migkaitai` on a cut, a flipped and a hostile-length stream: exit 1, one
    line, no traceback, within the time limit."""
    data = stream(NODEFAULTS)
    fields = {f.what: f for f in smap(NODEFAULTS).fields}
    cases = {
        "cut": data[:0x55700],
        "flip": data[:0x555f2] + bytes([data[0x555f2] ^ 0x40]) + data[0x555f3:],
        "len": fuzz.put(data, fields["section name length (timer (0))"], 0xFF),
    }
    for what, mutated in cases.items():
        mig = tmp_path / f"{what}.mig"
        mig.write_bytes(mutated)
        o, rss_mb = _subprocess([str(mig)], tmp_path, timeout=30)
        assert fuzz.contract_problems(o) == [], what
        assert o.rc == 1 and "Traceback" not in o.stderr
        assert 5 < rss_mb < 64


def test_description_nested_too_deeply_is_said_so(tmp_path):
    """Valid JSON nested deeper than json's parser goes: named as too deep, with the
    description's offset, not as damaged."""
    data = stream(TRICORE)
    mark, _ = smap(TRICORE).desc
    deep = b'{"devices": ' + b"[" * 5000 + b"]" * 5000 + b"}"
    o = run(fuzz.with_description(data, smap(TRICORE), deep), "state", tmp_path / "s")
    assert error_of(o) == (f"VMDESCRIPTION: description JSON is nested too deeply to read (the "
                           f"limit is about 900 levels) at offset 0x{mark + 5:x}")


def test_desc_of_a_truncated_stream_without_footers_names_where_it_stopped(tmp_path):
    """pc-no-section-footer cut inside its device sections: no description, and the walk
    stops at the first device section (no footer delimits it): -d desc says where."""
    data = stream("x86/pc-no-section-footer")
    first = next(off for off, _, kind, label in records("x86/pc-no-section-footer")
                 if kind == "section_full")
    o = run(data[:first + 1000], "desc", tmp_path / "d")
    assert error_of(o) == ("the stream has no JSON description; decoding stopped before the "
                           "EOF record at a device section that only a description can "
                           f"delimit (the stream may be truncated) at offset 0x{first:x}")


@pytest.mark.parametrize("mode", ["extract-planted", "extract-fsize", "extract-readonly", "pipe",
                                  "pipe-endless"])
def test_hostile_folders_and_pipes_keep_the_contract(mode, tmp_path):
    """The campaign's hostile modes on an intact stream: planted links and a FIFO are
    refused (exit 3) and untouched; ulimit -f and a read-only folder are output errors
    naming the file; a pipe gives the file's state, and an endless one is not read past
    its description."""
    o = run(stream(NODEFAULTS), mode, tmp_path / mode)
    out = tmp_path / mode / "out"
    if mode == "extract-planted":
        assert (o.rc, o.stderr) == (3, f"migkaitai: error: refusing to write the description "
                                       f"to {out}/desc.json: it exists and is a symbolic "
                                       f"link\n")
        assert o.hostile_problems == []
    elif mode == "extract-fsize":
        assert (o.rc, o.stderr) == (3, f"migkaitai: error: cannot write {out}/pc.ram: File "
                                       f"too large\n")
    elif mode == "extract-readonly":  # (chattr +i: root cannot write there either)
        probe = tmp_path / "probe"
        if fuzz._immutable(probe, True):
            fuzz._immutable(probe, False)
            assert (o.rc, o.stderr) == (3, f"migkaitai: error: cannot write the description "
                                           f"to {out}/desc.json: Operation not permitted\n")
        else:  # a file system without the flag: the folder stayed writable
            assert o.rc == 0
    else:
        file = run(stream(NODEFAULTS), "state", tmp_path / "file")
        assert (o.rc, o.stdout) == (0, file.stdout)
