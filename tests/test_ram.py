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
