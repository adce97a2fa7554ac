"""The grammar as the Kaitai Web IDE runs it: debug-mode JavaScript, root built from the
stream alone, `_read()`, then every instance evaluated (tools/ksc/webide_parse.js)."""

import pytest

import corpus

# qemu_savevm_state_header(): QEMU_VM_FILE_MAGIC and QEMU_VM_FILE_VERSION (be32 each)
# precede the first record.
HEADER_SIZE = 8


def test_corpus_is_not_empty():
    assert corpus.valid_streams(), f"no streams in {corpus.CORPUS}"


@pytest.mark.parametrize("name", corpus.valid_streams())
def test_webide_parses_intact_stream(name, webide_records):
    records = webide_records(corpus.stream_file(name))
    assert records and records[0]["ofs"] == HEADER_SIZE
    offsets = [r["ofs"] for r in records]
    assert offsets == sorted(set(offsets)), "record offsets must strictly increase"


@pytest.mark.parametrize("name", sorted(set(corpus.all_streams()) - set(corpus.valid_streams())))
def test_webide_fails_cleanly_on_damaged_stream(name, webide_records):
    # Truncated or bit-flipped on purpose: the Web IDE may stop with a parse error, but the
    # generated code must not crash in other ways (webide_records raises RuntimeError then).
    try:
        records = webide_records(corpus.stream_file(name))
    except webide_records.Error as e:
        assert "\n" not in str(e)
        records = e.records
    offsets = [r["ofs"] for r in records]
    assert offsets == sorted(set(offsets))
