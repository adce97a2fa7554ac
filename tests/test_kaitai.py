"""The adapter to the generated types (migkaitai.kaitai): errors of generated code become
ours, pointing at the failing field rather than at the start of the type."""
from __future__ import annotations

import io

import pytest
from kaitaistruct import KaitaiStream
from migkaitai_ksy.qemu_migration import QemuMigration as K

from migkaitai.errors import FormatError, TruncatedError
from migkaitai.kaitai import kaitai_call

# A RAM record (4 KiB pages): XBZRLE|CONTINUE at address 0x1000, encoding byte 1, a
# delta of 3 bytes.
XBZRLE = (0x1000 | 0x60).to_bytes(8, "big") + b"\x01" + (3).to_bytes(2, "big") + b"abc"


def call(data: bytes, start: int = 0):
    s = KaitaiStream(io.BytesIO(data))
    s.seek(start)
    return kaitai_call(s, "RAM record", K.RamRecord, page_size=4096, ignore_shared=False,
                       mapped_ram=False, postcopy_page_sizes=False, with_blocks=False,
                       section="ram (2)")


def test_a_good_record_reads_with_named_params():
    rec = call(b"pad" + XBZRLE, 3)
    assert (rec.is_xbzrle, rec.is_continue, rec.xbzrle.data) == (True, True, b"abc")


def test_validation_points_at_the_failing_field():
    """ram_xbzrle's encoding byte must be 1 (xbzrle.c ENCODING_FLAG_XBZRLE)."""
    data = bytearray(b"pad" + XBZRLE)
    data[3 + 8] = 2
    with pytest.raises(FormatError) as e:
        call(bytes(data), 3)
    assert e.value.offset == 3 + 8
    assert str(e.value) == ("invalid RAM record (ram_xbzrle field 0: not equal, expected 1, "
                            "but got 2) at offset 0xb (section ram (2))")


def test_truncation_points_at_the_field_it_cuts():
    with pytest.raises(TruncatedError) as e:
        call(b"pad" + XBZRLE[:10], 3)  # inside the be16 length
    assert (e.value.offset, e.value.end) == (3 + 9, 13)
    with pytest.raises(TruncatedError) as e:
        call(b"pad" + XBZRLE[:-1], 3)  # inside the delta
    assert e.value.offset == 3 + 11


def test_a_name_that_is_not_ascii_points_at_the_name():
    head = bytes([4]) + (3).to_bytes(4, "big") + bytes([3]) + b"c\xffu" + bytes(8)
    s = KaitaiStream(io.BytesIO(head))
    with pytest.raises(FormatError) as e:
        kaitai_call(s, "record header", K.RecordHead)
    assert e.value.offset == 6 and "not ASCII" in str(e.value)
