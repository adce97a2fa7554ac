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


def test_golden_counts():
    # every golden file is exercised (55 state, 73 desc when this was written)
    assert len(STATE) >= 55 and len(DESC) >= 73
