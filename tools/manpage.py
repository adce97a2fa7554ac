#!/usr/bin/env python3
"""Write the man page of the CLI (`make man`): argparse-manpage over migkaitai.cli's parser,
so --help and the man page say the same (tests/test_cli.py checks the committed page is
current). The date is the version's, not the day's: the page changes with the CLI only."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from argparse_manpage.manpage import Manpage

import migkaitai
from migkaitai.cli import build_parser

DATE = "2026-12-02"  # of version 0.1.0's man page (bump with the version)


def manpage() -> str:
    parser = build_parser()
    data = {"project_name": "migkaitai", "version": migkaitai.__version__, "date": DATE,
            "manual_title": "migkaitai manual",
            "description": "decode QEMU migration streams, libvirt save images and qcow2 "
                           "snapshots"}
    return str(Manpage(parser, _data=data))


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: tools/manpage.py OUT.1", file=sys.stderr)
        return 2
    Path(argv[0]).write_text(manpage())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
