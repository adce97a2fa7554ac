"""RAM records (migkaitai.ram): one handler per RAM_SAVE_FLAG, as ram.c ram_load_precopy
takes them; what it refuses, refused here with the record's offset."""
from __future__ import annotations

import io

import pytest
from kaitaistruct import KaitaiStream

from migkaitai.errors import FormatError
from migkaitai.output import RamExtractor
from migkaitai.ram import RamTracker, xbzrle_decode
from migkaitai.walk import Section

PS = 4096


def mem_size(*blocks: tuple[str, int]) -> bytes:
    """RAM_SAVE_FLAG_MEM_SIZE: the total, then per block u8 len, idstr, be64 used_length."""
    total = sum(n for _, n in blocks)
    out = (total | 0x04).to_bytes(8, "big")
    for name, n in blocks:
        out += bytes([len(name)]) + name.encode() + n.to_bytes(8, "big")
    return out


def word(addr: int, flags: int) -> bytes:
    return (addr | flags).to_bytes(8, "big")


EOS = word(0, 0x10)


def read(payload: bytes, version: int = 4, sinks: list | None = None) -> RamTracker:
    t = RamTracker(PS, sinks)
    sec = Section(2, "ram", 0, version, 0)
    for _ in t.read_payload(KaitaiStream(io.BytesIO(payload)), sec):
        pass
    return t


def test_page_zero_and_continue(tmp_path):
    payload = (mem_size(("pc.ram", 4 * PS))
               + word(PS, 0x08) + bytes([6]) + b"pc.ram" + b"\xab" * PS  # PAGE, named
               + word(2 * PS, 0x22) + b"\x00"  # ZERO|CONTINUE
               + word(3 * PS, 0x28) + b"\xcd" * PS  # PAGE|CONTINUE
               + EOS)
    x = RamExtractor(str(tmp_path), PS)
    t = read(payload, sinks=[x])
    x.close()
    b = t.blocks["pc.ram"]
    assert (b.pages, b.zero_pages, b.bytes, t.records, t.eos) == (2, 1, 2 * PS, 5, 1)
    data = (tmp_path / "pc.ram").read_bytes()
    assert data == bytes(PS) + b"\xab" * PS + bytes(PS) + b"\xcd" * PS


@pytest.mark.parametrize("flags, message", [
    (0x01, "unknown combination of RAM flags 0x1 in RAM record at offset 0x17"),  # FULL
    (0x0a, "unknown combination of RAM flags 0xa in RAM record at offset 0x17"),  # 2 kinds
    (0x80, "RAM_SAVE_FLAG_HOOK (RDMA) record in a stream at offset 0x17"),
])
def test_records_qemu_refuses(flags, message):
    with pytest.raises(FormatError) as e:
        read(mem_size(("pc.ram", PS)) + word(0, flags) + EOS)
    assert str(e.value) == message + " (section ram (2))"


def test_version_other_than_4_is_refused():
    with pytest.raises(FormatError, match="expected ram section version 4, found 3"):
        read(EOS, version=3)


def test_page_outside_its_block():
    with pytest.raises(FormatError, match="RAM page 0x1000 lies outside block 'a'"):
        read(mem_size(("a", PS)) + word(PS, 0x02) + b"\x01a" + b"\x00" + EOS)


def test_xbzrle_decode():
    """xbzrle.c: (zero run, literal run, literal bytes)..., ULEB128 lengths."""
    old = bytes(range(16))
    assert xbzrle_decode(old, bytes([2, 3]) + b"xyz" + bytes([4, 1]) + b"!") == \
        bytes([0, 1]) + b"xyz" + bytes([5, 6, 7, 8]) + b"!" + bytes(range(10, 16))
    with pytest.raises(ValueError, match="past the page"):
        xbzrle_decode(old, bytes([15, 2]) + b"ab")


def test_an_empty_block_is_refused():
    """A MEM_SIZE entry of 0 bytes never lowers the total: QEMU's loader (and a reader
    of an endless pipe of zeros) would go round for ever."""
    payload = (4 * PS | 0x04).to_bytes(8, "big") + bytes([1]) + b"a" + bytes(8) + EOS
    with pytest.raises(FormatError) as e:
        read(payload)
    assert str(e.value) == ("RAM block 'a' of 0 bytes in MEM_SIZE (a RAM block is never "
                            "empty) at offset 0x8 (section ram (2))")


@pytest.mark.parametrize("name,machine,stand_in,size", [
    ("exotic/v10.0-sparc64-sun4u", b"sun4u", b"sun4x", 8192),
    ("exotic/v7.2-avr-mega2560", b"arduino-mega", b"xrduino-mega", 256),
    ("exotic/v10.0-tricore-tc277", b"KIT_AURIX", b"KIT_AURIY", 16384),
    ("x86/pc-ram-random-4m", b"pc-i440fx", b"pc-i440fy", 4096),
])
def test_the_records_settle_the_page_size(name, machine, stand_in, size, tmp_path,
                                         monkeypatch):
    """A configuration whose machine implies no page size (renamed): the first RAM records
    (zero pages in these streams) tell it by their addresses, which QEMU sends in order
    (test_frames_with: PAGE bodies)."""
    how = "the RAM records' addresses"
    monkeypatch.setenv("MIGKAITAI_SMALL_PIPE", "0")  # (the pipe's first pass settles it)
    import migkaitai

    import corpus

    data = corpus.stream_file(name).read_bytes()
    at = data.index(machine, 8, 200)
    data = data[:at] + stand_in + data[at + len(machine):]
    with migkaitai.open(io.BytesIO(data)) as s:  # (not a file: read as a pipe)
        assert (s.page_size, s.description_error) == (size, None)
        assert (s._pass1.ram.page_size, s._pass1.ram.settled_by) == (size, how)
    path = tmp_path / "renamed.mig"
    path.write_bytes(data)
    with migkaitai.open(path) as s:
        assert (s.page_size, s.description_error) == (size, None)
        tracker = s._probe_page_size()
        assert (tracker.page_size, tracker.settled_by) == (size, how)
        blocks = {b.name: (b.pages, b.zero_pages) for b in s.load().ram_blocks}
    with migkaitai.open(corpus.stream_file(name)) as s:
        assert {b.name: (b.pages, b.zero_pages) for b in s.load().ram_blocks} == blocks


def test_frames_with():
    """Two consecutive ZERO pages of 1 KiB: sizes up to 1024 frame, 2048 does not (the
    second address has bit 10 set: no flag); a PAGE body frames at its size only."""
    from migkaitai.ram import frames_with

    blocks = {"b": 1 << 20}
    zeros = word(0, 0x02) + b"\x01b" + b"\x00" + word(1024, 0x22) + b"\x00" + word(0, 0x10)
    assert frames_with(zeros, 1024, blocks, None) == (0, 2)
    assert frames_with(zeros, 256, blocks, None) == (0, 2)
    assert frames_with(zeros, 2048, blocks, None) is None
    page = word(0, 0x08) + b"\x01b" + bytes(range(256)) * 4 + word(1024, 0x28) + b"x" * 1024
    assert frames_with(page, 1024, blocks, None) == (2, 2)
    assert frames_with(page, 4096, blocks, None) == (0, 0)  # (cut at the end: no say)
    assert frames_with(page, 512, blocks, None) is None
    assert frames_with(word(0, 0x22) + b"\x00", 4096, blocks, None) is None  # no block yet


def test_mapped_ram_with_x_ignore_shared():
    """QEMU 11.1 (10.0 refuses the pair): the shared block mem0 has a MappedRamHeader with
    bitmap_offset = pages_offset = 0 and no data; the next entry follows its header."""
    import migkaitai

    import corpus

    name = "qemu10/v11.1-x86_64-q35-mapped-ram-ignore-shared"
    with migkaitai.open(corpus.stream_file(name)) as m:
        snap = m.load()
    blocks = {b.name: (b.pages, b.zero_pages) for b in snap.ram_blocks}
    assert blocks["mem0"] == (0, 0)
    assert blocks["pc.bios"] == (44, 20) and sum(p for p, _ in blocks.values()) == 49
    assert any("mem0: not in the stream (x-ignore-shared" in n for n in snap.notes)
    from migkaitai_ksy.qemu_migration import QemuMigration

    q = QemuMigration.from_file(str(corpus.stream_file(name)))
    assert q.records[-1].head.record_type_raw == 0 and len(q.records) == 67
    entry = q.records[1].payload.ram_records[0].blocks[0]
    assert (entry.name, entry.mapped_ram_header.is_skipped) == ("mem0", True)
