"""`migkaitai FILE` and `-d desc` print what analyze-migration.py prints (as parsed JSON),
for every stream in golden/ (the streams analyze-migration.py can read)."""
from __future__ import annotations

import io
import json

import pytest

from migkaitai.cli import main

import corpus

STATE = [s for s in corpus.all_streams() if corpus.golden(s, "state") is not None]
DESC = [s for s in corpus.all_streams() if corpus.golden(s, "desc") is not None]


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    rc = main(list(args), stdout=out, stderr=err)
    return rc, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("name", STATE)
def test_state_matches_analyze_migration(name):
    rc, out, err = run(str(corpus.stream_file(name)))
    assert rc == 0, err
    assert json.loads(out) == corpus.golden(name, "state")


@pytest.mark.parametrize("name", DESC)
def test_desc_matches_analyze_migration(name):
    rc, out, err = run("-f", str(corpus.stream_file(name)), "-d", "desc")
    assert rc == 0, err
    assert json.loads(out) == corpus.golden(name, "desc")


def test_every_golden_file_is_compared():
    """Each analyze-migration.py output in golden/ belongs to a corpus stream, so the tests
    above compare all of them (none is left out by a missing or renamed stream)."""
    on_disk = set()
    for p in corpus.GOLDEN.glob("*/*.json.xz"):
        stem, mode = str(p.relative_to(corpus.GOLDEN)).removesuffix(".json.xz").rsplit(".", 1)
        on_disk.add((stem, mode))
    compared = {(s, "state") for s in STATE} | {(s, "desc") for s in DESC}
    assert on_disk == compared
    assert len(STATE) == 55 and len(DESC) == 73  # what analyze-migration.py could read
