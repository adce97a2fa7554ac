"""The grammar as the Kaitai Web IDE runs it: debug-mode JavaScript, root built from the
stream alone, `_read()`, then every instance evaluated (tools/ksc/webide_parse.js)."""

import pytest

import corpus


def test_corpus_is_not_empty():
    assert corpus.valid_streams(), f"no streams in {corpus.CORPUS}"


@pytest.mark.slow
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
    assert offsets and offsets == sorted(set(offsets))  # records up to the damage


def python_records(name: str) -> list[dict]:
    """The same record list from migkaitai's record-by-record walk in Python."""
    import migkaitai

    # s390x 7.2: the JSON cannot describe s390_css (see the issue on every stream);
    # frame its device payloads by their footers like the grammar does.
    decode = not name.startswith("other/s390x")
    out = []
    with migkaitai.open(str(corpus.stream_file(name))) as m:
        for r in m.walker(decode_devices=decode).records():
            if r.depth:
                continue  # PACKAGED's nested records live inside one top-level record
            h = r.head
            rec = {"ofs": r.offset, "type": h.record_type_raw}
            if h.is_section or h.record_type_raw == 0x7E:
                rec["section_id"] = h.section_id
            if h.is_named:
                s = h.section
                rec.update(name=s.name, instance_id=s.instance_id, version_id=s.version_id)
            if h.is_command:
                rec["command"] = h.command.command_type_raw
            out.append(rec)
    return out


def corpus_start(name: str) -> int:
    """Where the stream starts in its file (a migrate file:...,offset=N stream)."""
    return 0x10000 if name.endswith("file-offset64k") else 0


def summarize(js: list[dict]) -> list[dict]:
    out = []
    for r in js:
        f = r["fields"]
        rec = {"ofs": r["ofs"], "type": f["head.record_type"]}  # (an enum: a number in JS)
        for key in ("head.section.section_id", "head.part_section_id", "head.footer.section_id"):
            if key in f:
                rec["section_id"] = f[key]
        if "head.section.name" in f:
            rec.update(name=f["head.section.name"], instance_id=f["head.section.instance_id"],
                       version_id=f["head.section.version_id"])
        if "head.command.command_type" in f:
            rec["command"] = f["head.command.command_type"]
        out.append(rec)
    return out


NO_FOOTERS = {
    "x86/pc-no-section-footer", "x86/pc-all-switches-off", "x86/pc-i440fx-1.4",
    "x86/pc-i440fx-2.2", "x86/pc-i440fx-2.2-vmdesc-on", "x86/pc-i440fx-2.3",
}


@pytest.mark.slow
@pytest.mark.parametrize("name", corpus.valid_streams())
def test_javascript_and_python_agree(name, webide_records):
    """Types, section ids, names, instance ids, versions, commands and offsets of every
    record: the Web IDE's parse of the whole file vs migkaitai's walk."""
    js = summarize(webide_records(corpus.stream_file(name)))
    py = python_records(name)
    # both parsed the stream: the configuration (or, before 2.4, a section) right after
    # the 8-byte header; migkaitai's walk to the EOF record, unless no description and no
    # footers say where a device section ends
    assert js and py and js[0]["ofs"] == py[0]["ofs"] == corpus_start(name) + 8
    assert py[-1]["type"] == 0 or (name in NO_FOOTERS and py[-1]["type"] in (1, 4))
    if name in NO_FOOTERS:
        # without footers the grammar's first device payload runs to EOF (see its doc);
        # everything up to that record is the same
        assert js[-1]["type"] == 4 and py[:len(js)] == js
    else:
        assert py == js
