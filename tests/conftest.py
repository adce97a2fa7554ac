"""Shared fixtures: repository paths, the pinned Kaitai compiler (tools/ksc) and the
Web IDE-style JavaScript parse of a stream (tools/ksc/webide_parse.js)."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
KSY = ROOT / "ksy" / "qemu_migration.ksy"
KSC_DIR = ROOT / "tools" / "ksc"


class WebIdeParseError(Exception):
    """webide_parse.js reported a parse error; `records` is what it had parsed before it."""

    def __init__(self, message: str, records: list[dict]) -> None:
        super().__init__(message)
        self.records = records


def _node() -> str:
    # The JS tests are part of the contract with the Web IDE: fail, never skip.
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not on PATH; the Web IDE tests need Node.js")
    if not (KSC_DIR / "node_modules" / "kaitai-struct-compiler").is_dir():
        pytest.fail("tools/ksc/node_modules is missing; run `make npm`")
    return node


@pytest.fixture(scope="session")
def ksc() -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run `node tools/ksc/ksc.js ARGS...` and return the completed process."""
    node = _node()

    def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
        cmd = [node, str(KSC_DIR / "ksc.js"), *map(str, args)]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=False)

    return run


@pytest.fixture(scope="session")
def debug_js_dir(ksc, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The grammar compiled to JavaScript in debug mode, as the Web IDE compiles it."""
    out = tmp_path_factory.mktemp("javascript-debug")
    result = ksc("--target", "javascript", "--debug", "--outdir", out, KSY)
    if result.returncode != 0:
        pytest.fail(f"debug JS compile failed: {result.stderr.strip()}")
    return out


@pytest.fixture(scope="session")
def webide_records(debug_js_dir: Path) -> Callable[[Path], list[dict]]:
    """A function `webide_records(stream_path) -> list[dict]`.

    Parses the (decompressed) stream like the Kaitai Web IDE does and returns one dict per
    top-level record: {"ofs": absolute offset, "fields": {"head.section_id": 3, ...}} with
    every primitive seq field under the record, named by .ksy ids (byte arrays and arrays
    longer than 64 left out, array elements as "name.<index>", enums as integers; see
    tools/ksc/webide_parse.js).
    Raises WebIdeParseError (`webide_records.Error`, with the partial records) when the
    parse throws, or when it succeeds but the IDE's info panel would list parsed bytes as
    "unparsed" (a lookahead instance overlapping the seq fields after it: --no-unparsed).
    """
    node = _node()

    def parse(stream_path: Path) -> list[dict]:
        cmd = [node, str(KSC_DIR / "webide_parse.js"), "--ksy", str(KSY),
               "--js", str(debug_js_dir), "--no-unparsed", str(stream_path)]
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=900, check=False)
        if result.returncode == 1 and result.stdout:
            raise WebIdeParseError(result.stderr.strip(), json.loads(result.stdout))
        if result.returncode != 0:
            raise RuntimeError(f"webide_parse.js exited {result.returncode}: "
                               f"{result.stderr.strip()}")
        return json.loads(result.stdout)

    parse.Error = WebIdeParseError  # type: ignore[attr-defined]  # for pytest.raises in tests
    return parse
