"""The test corpus: real QEMU streams in tests/data/corpus (xz), their recipes and facts.

Streams are decompressed once per test session into a temporary folder.
"""
from __future__ import annotations

import atexit
import json
import lzma
import re
import shutil
import tempfile
from functools import cache, lru_cache
from pathlib import Path

DATA = Path(__file__).parent / "data"
CORPUS = DATA / "corpus"
GOLDEN = DATA / "golden"

_tmp = Path(tempfile.mkdtemp(prefix="migkaitai-corpus-"))
atexit.register(shutil.rmtree, _tmp, True)


def all_streams() -> list[str]:
    """Names (group/stem) of every stream in the corpus, channel captures excluded."""
    return sorted(
        f"{p.parent.name}/{p.name[:-len('.mig.xz')]}"
        for p in CORPUS.glob("*/*.mig.xz")
    )


def valid_streams() -> list[str]:
    """Every stream that QEMU wrote intact (the err-* inputs are damaged on purpose)."""
    return [s for s in all_streams() if not s.split("/")[1].startswith("err-")]


@cache
def stream_file(name: str, suffix: str = ".mig") -> Path:
    """Path of the decompressed stream `group/stem` (or a channel capture with `suffix`)."""
    src = CORPUS / f"{name}{suffix}.xz"
    dst = _tmp / f"{name.replace('/', '__')}{suffix}"
    if not dst.exists():
        with lzma.open(src) as fin, open(dst, "wb") as fout:
            shutil.copyfileobj(fin, fout, 1 << 20)
    return dst


CONTAINERS = DATA / "containers"


@cache
def container_file(name: str) -> Path:
    """Path of the decompressed container `name` (tests/data/containers/NAME.xz), written
    sparse (runs of zeros left as holes: lv11-sparse.save is 70 MB, mostly holes)."""
    src = CONTAINERS / f"{name}.xz"
    dst = _tmp / name
    if not dst.exists():
        with lzma.open(src) as fin, open(dst, "wb") as fout:
            while chunk := fin.read(1 << 16):
                if chunk.count(0) == len(chunk):
                    fout.seek(len(chunk), 1)
                else:
                    fout.write(chunk)
            fout.truncate()
    return dst


def generated_parse(name: str):
    """The generated top-level type's parse of the stream `group/stem` (the whole file, as
    the Web IDE parses it), kept for the test session when the file is small: tests of the
    same stream in one worker parse it once (see the xdist groups in test_grammar.py)."""
    path = stream_file(name)
    if path.stat().st_size <= _PARSE_CACHE_MAX_SIZE:
        return _cached_parse(name)
    from migkaitai_ksy.qemu_migration import QemuMigration

    return QemuMigration.from_file(str(path))


_PARSE_CACHE_MAX_SIZE = 8 << 20


@lru_cache(maxsize=8)
def _cached_parse(name: str):
    from migkaitai_ksy.qemu_migration import QemuMigration

    return QemuMigration.from_file(str(stream_file(name)))


@cache
def golden(name: str, mode: str) -> object | None:
    """What analyze-migration.py printed for `group/stem` with -d `mode` (state/desc), if it
    could."""
    path = GOLDEN / f"{name}.{mode}.json.xz"
    if not path.exists():
        return None
    with lzma.open(path, "rt") as f:
        return json.load(f)


@cache
def x86_stream_facts() -> dict[str, dict]:
    """The independent structural scan's table in corpus/x86/STREAM-FACTS.md, by stream stem."""
    facts = {}
    for line in (CORPUS / "x86" / "STREAM-FACTS.md").read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 9 or not cells[1].isdigit():
            continue
        name, size, records, pages, other, footers, commands, vmdesc, scan = cells
        page_counts = {k: int(v) for k, v in re.findall(r"(\w+) (\d+)", pages)}
        facts[name] = {
            "bytes": int(size),
            "records": records,
            "pages": page_counts,
            "footers": int(footers),
            "commands": commands,
            "vmdesc": None if vmdesc == "none" else int(vmdesc),
            "scan": scan,
        }
    return facts
