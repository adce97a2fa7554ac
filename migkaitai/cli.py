"""The command line: `migkaitai FILE` / `python -m migkaitai FILE`.

Spelled like scripts/analyze-migration.py (`-f FILE`, `-d state|desc`, `-m`, `-x`) so
its users can switch, plus `--format tree`, `-o DIR`, `--desc FILE`, `--offset N`.
The CLI only parses arguments, chooses the API call (migkaitai.api) and maps errors to
exit codes and one line on stderr; the work is in the library.
"""
from __future__ import annotations

import argparse
import os
import sys

from migkaitai import MigrationStream, __version__, one_line
from migkaitai.errors import MigkaitaiError, OutputError, UsageError
from migkaitai.progress import Progress, SharedTerminal

TYPE_CHECKING = False  # typing is not imported at run time (start-up cost)
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, TextIO

EXIT_OK = 0
EXIT_BROKEN = 1  # the input is broken (or could not be decoded)
EXIT_USAGE = 2  # bad usage (argparse uses 2 as well)
EXIT_OUTPUT = 3  # an output could not be written (full disk, read-only folder, ...)
EXIT_INTERRUPTED = 130  # SIGINT or SIGTERM (temporary files are removed first)

EPILOG = """\
FILE is a stream (migrate "exec:cat > FILE", migrate file:FILE, a savevm snapshot's VM
state), a libvirt save image (virsh save, managedsave; any format), a qcow2 image with
internal snapshots (--snapshot), or a gzip/bzip2/xz/zstd/lzop-compressed stream. FILE
may be - (standard input) or any pipe: it is then read in two passes, with the same
output as from a file. Offsets (--offset, and in every message) are bytes, decimal or
0x hex.

exit status: 0 decoded; 1 the input is broken or could not be decoded (the error names
the byte offset; what was decoded before is still printed); 2 bad usage; 3 an output
could not be written (the error names the path and the reason); 130 interrupted (SIGINT,
SIGTERM: temporary files are removed).

examples:
  migkaitai mig                          device state as JSON (as analyze-migration.py)
  migkaitai mig --format tree | less     every record and field, with offsets
  migkaitai -x -o out/ mig               desc.json, state.json, RAM blocks as files
  migkaitai dom.save -d xml              a libvirt save image's domain XML
  migkaitai disk.qcow2 --snapshot snap1  a savevm snapshot in a qcow2 image
  ssh host cat mig.xz | migkaitai -      from a pipe, compressed or not
  migkaitai diff A B                     what changed between two saved states (see
                                         migkaitai diff --help)
  migkaitai check mig --against D.json   will it load on that QEMU? (see migkaitai
                                         check --help)
  migkaitai report mig                   one HTML page: facts, RAM map, file map,
                                         devices (see migkaitai report --help)"""


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="migkaitai",
        description="Decode a QEMU migration stream (savevm/migrate/virsh save images).",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("file", nargs="?", help="the stream, image or compressed file (- for "
                   "standard input)")
    p.add_argument("-f", "--file", dest="file_opt", metavar="FILE",
                   help="the migration stream (analyze-migration.py's spelling)")
    p.add_argument("-d", "--dump", choices=("state", "desc", "xml"), default=None,
                   help="what to print: decoded device state (default), the JSON description, "
                        "or a libvirt save image's domain XML")
    p.add_argument("-m", "--memory", action="store_true",
                   help="include RAM contents in the state output")
    p.add_argument("-x", "--extract", action="store_true",
                   help="write desc.json, state.json, one sparse file per RAM block "
                        "(named after the block), block/<device> for block migration's "
                        "disks and domain.xml for a libvirt image, into -o DIR; prints "
                        "their names")
    p.add_argument("-o", "--output", metavar="DIR",
                   help="folder for -x (default: the current folder)")
    p.add_argument("--format", choices=("json", "tree", "records", "summary"), default=None,
                   help="json (analyze-migration.py compatible), a readable tree with offsets, "
                        "records: every record (commands, configuration, sections) as JSON, "
                        "or summary: machine, QEMU versions, capabilities, devices, RAM by "
                        "encoding, at a glance")
    p.add_argument("--desc", metavar="FILE",
                   help="use this JSON description (desc.json) instead of the stream's own")
    p.add_argument("--channel", action="append", default=[], metavar="FILE",
                   help="a multifd channel capture whose pages complete the RAM (repeat it "
                        "for each channel)")
    p.add_argument("--offset", type=_offset, metavar="N",
                   help="the stream starts at byte N of the file, decimal or 0x hex "
                        "(default: found by its magic)")
    p.add_argument("--spool-max", type=_size, metavar="SIZE", default=None,
                   help="reading a pipe: at most SIZE bytes besides RAM pages are kept in "
                        "its temporary copy (default 1G; K, M, G suffixes)")
    p.add_argument("--desc-max", type=_size, metavar="SIZE", default=None,
                   help="the largest JSON description read (default 16M; QEMU's take 10-200 "
                        "KB; devices of one kind share their parsed entry, distinct ones "
                        "take about 14 times their size in memory)")
    p.add_argument("--snapshot", metavar="ID|NAME",
                   help="a qcow2 image's snapshot whose VM state to read (default: the only "
                        "one with VM state; else they are listed)")
    p.add_argument("--traceback", action="store_true", help="show a traceback on errors")
    p.add_argument("--version", action="version", version=f"migkaitai {__version__}")
    p.add_argument("--print-completion", choices=("bash", "zsh"), metavar="SHELL",
                   help="print the completion script for SHELL (bash or zsh) and exit, e.g. "
                        "migkaitai --print-completion bash > "
                        "~/.local/share/bash-completion/completions/migkaitai")
    p.add_argument("-q", "--quiet", action="store_true",
                   help="no notes and no progress display on stderr")
    return p


def build_diff_parser() -> argparse.ArgumentParser:
    from migkaitai import DIFF_IGNORE

    p = argparse.ArgumentParser(
        prog="migkaitai diff",
        description="What changed between two saved states: devices (fields, subsections, "
                    "versions) and RAM (pages, by block).",
        epilog=f"exit status: 0 equal; 1 they differ; 2 bad usage or an input that cannot "
               f"be read (like diff). Fields left out by default (volatile): "
               f"{' '.join(DIFF_IGNORE)}",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("a", metavar="A", help="a stream, image or compressed file")
    p.add_argument("b", metavar="B", help="the other")
    p.add_argument("--format", choices=("text", "json"), default="text",
                   help="text (grouped by device, like a unified diff) or json")
    p.add_argument("--ignore", action="append", metavar="PATTERN", default=None,
                   help="leave out fields matching 'section/field/path' (fnmatch; repeat "
                        "it; replaces the default list)")
    p.add_argument("--no-default-ignore", action="store_true",
                   help="compare the volatile fields too")
    p.add_argument("--snapshot", metavar="ID|NAME",
                   help="the qcow2 snapshot to read, on both sides")
    p.add_argument("--traceback", action="store_true", help="show a traceback on errors")
    p.add_argument("-q", "--quiet", action="store_true", help="no notes on stderr")
    return p


def build_check_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="migkaitai check",
        description="Will this stream load on that QEMU? Predicts, from what the stream "
                    "really carries, whether the destination accepts it, and where and why "
                    "QEMU would refuse it (machine type, sections and instances, versions, "
                    "subsections, field layouts, RAM blocks).",
        epilog="DEST (repeat --against to give several): the destination's -dump-vmstate "
               "schema (qemu-system-ARCH -machine M -dump-vmstate DEST.json: what the "
               "binary can read), and what the destination describes: a stream, image or "
               "snapshot saved from it started paused with its real command line, or its "
               "desc.json (which sections, instances and RAM blocks exist there). With "
               "only one kind, the verdict says what the other would have told.\n\n"
               "exit status: 0 loads; 1 fails (QEMU stops at the first failure, shown "
               "with QEMU's message); 3 unknown (nothing fails in what was known, the "
               "verdict says what was not); 2 bad usage or an input that cannot be read.",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("stream", metavar="STREAM", help="the stream, image or compressed file")
    p.add_argument("--against", action="append", metavar="DEST", required=True,
                   help="the destination: its -dump-vmstate schema, a stream or image saved "
                        "from it, or its desc.json (repeat it)")
    p.add_argument("--format", choices=("text", "json"), default="text",
                   help="text (the verdict, then the reasons) or json")
    p.add_argument("--snapshot", metavar="ID|NAME",
                   help="the qcow2 snapshot to read (of the stream, and of a destination "
                        "image)")
    p.add_argument("--traceback", action="store_true", help="show a traceback on errors")
    p.add_argument("-q", "--quiet", action="store_true", help="no notes on stderr")
    return p


def check_main(argv: list[str], out: TextIO, err: TextIO) -> int:
    """`migkaitai check STREAM --against DEST`: exit 0 loads, 1 fails, 3 unknown, 2
    trouble."""
    from migkaitai import check

    args = build_check_parser().parse_args(argv)
    result = _result(lambda: check(args.stream, args.against, snapshot=args.snapshot),
                     args, out, err, lambda r: r.write_text(out, args.stream))
    return result if isinstance(result, int) else result.exit_code  # type: ignore[no-any-return]


def build_report_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="migkaitai report",
        description="Write one self-contained HTML page about a stream: its facts, a "
                    "picture of every RAM block's pages (zero, sent with data, as XBZRLE "
                    "deltas, compressed, several times, never), a map of the file by record "
                    "kind, and the device sections as a searchable tree with their fields. "
                    "The page works offline (no network, no external script or font).",
        epilog="A damaged stream still gets its page: what was decoded, and the fault "
               "marked; then the error is printed and the exit status is 1.\n\n"
               "exit status: 0 written; 1 the input is damaged (the page was written); 2 "
               "bad usage or an input that cannot be read; 3 the page could not be written.",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("input", metavar="INPUT",
                   help="a stream, libvirt save image, qcow2 image or compressed file "
                        "('-': standard input)")
    p.add_argument("-o", "--output", metavar="FILE",
                   help="the page to write (default: INPUT's name with .html, in the "
                        "current folder; report.html for standard input; '-': standard "
                        "output)")
    p.add_argument("--title", help="the page's title (default: INPUT's name)")
    p.add_argument("--desc", metavar="FILE", help="a desc.json to use instead of the "
                   "stream's own")
    p.add_argument("--offset", type=_offset, metavar="N",
                   help="where the stream starts in INPUT (default: found by its magic)")
    p.add_argument("--channel", action="append", metavar="FILE",
                   help="a multifd channel capture (repeat it)")
    p.add_argument("--snapshot", metavar="ID|NAME", help="the qcow2 snapshot to read")
    p.add_argument("--spool-max", type=_size, metavar="SIZE",
                   help="for a pipe: bytes besides RAM pages kept in its temporary copy")
    p.add_argument("--desc-max", type=_size, metavar="SIZE",
                   help="the largest JSON description read (default 16M)")
    p.add_argument("--traceback", action="store_true", help="show a traceback on errors")
    p.add_argument("-q", "--quiet", action="store_true",
                   help="no notes or progress on stderr")
    return p


def report_main(argv: list[str], out: TextIO, err: TextIO) -> int:
    """`migkaitai report INPUT [-o FILE]`: exit 0 written, 1 damaged input (written), 2
    bad usage or unreadable input, 3 not written."""
    args = build_report_parser().parse_args(argv)
    target = args.output
    if target is None:
        base = os.path.basename(args.input.rstrip("/")) if args.input != "-" else ""
        target = (base + ".html") if base and base not in (".", "..") else "report.html"

    def report(m: MigrationStream, out: TextIO) -> list[str]:
        if target == "-":
            return m.write_report(out, title=args.title)
        notes = m.report(target, title=args.title)
        out.write(target + "\n")
        return notes

    return _guarded(lambda: _run(args, args.input, out, err, report), args, err)


def _result(call: Any, args: argparse.Namespace, out: TextIO, err: TextIO,
            write_text: Any) -> Any:
    """Run `call` (diff, check) and print its result as text or JSON, and its notes;
    or print its error and return the exit status."""
    import json

    try:
        result = call()
    except KeyboardInterrupt:
        err.write("migkaitai: interrupted\n")
        return EXIT_INTERRUPTED
    except MigkaitaiError as e:
        if args.traceback:
            _print_traceback(err)
        err.write(f"migkaitai: error: {one_line(str(e))}\n")
        return EXIT_USAGE
    if args.format == "json":
        json.dump(result.to_json(), out, indent=2)
        out.write("\n")
    else:
        write_text(result)
    if not args.quiet:
        for n in result.notes:
            err.write(f"migkaitai: note: {one_line(n)}\n")
    return result


def diff_main(argv: list[str], out: TextIO, err: TextIO) -> int:
    """`migkaitai diff A B`: exit 0 equal, 1 different, 2 trouble (as diff)."""
    from migkaitai import DIFF_IGNORE, diff

    args = build_diff_parser().parse_args(argv)
    ignore = tuple(args.ignore or ()) if (args.ignore or args.no_default_ignore) \
        else DIFF_IGNORE
    result = _result(lambda: diff(args.a, args.b, ignore=ignore, snapshot=args.snapshot),
                     args, out, err, lambda r: r.write_text(out, args.a, args.b))
    if isinstance(result, int):
        return result
    return EXIT_OK if result.equal else EXIT_BROKEN


def _offset(text: str) -> int:
    try:
        n = int(text, 0)
    except ValueError:
        n = -1
    if n < 0:
        raise argparse.ArgumentTypeError(f"not a byte offset: {text!r} (a number, decimal or "
                                         f"0x hex)")
    return n


def completion(shell: str) -> str:
    """The bash or zsh completion script of the command line, made from its parser by shtab
    (files where a file goes, folders for -o)."""
    import shtab  # (only here: not imported at start-up)

    parser = build_parser()
    for action in parser._actions:
        if action.dest in ("file", "file_opt", "desc", "channel"):
            action.complete = shtab.FILE  # type: ignore[attr-defined]
        elif action.dest == "output":
            action.complete = shtab.DIRECTORY  # type: ignore[attr-defined]
    return shtab.complete(parser, shell=shell)  # type: ignore[no-any-return]


def _size(text: str) -> int:
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}
    t = text.strip().upper().removesuffix("B").removesuffix("I")
    scale = units.get(t[-1:], 1)
    try:
        n = int(t[:-1] if t[-1:] in units else t, 0) * scale
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a size: {text!r}") from None
    if n <= 0:
        raise argparse.ArgumentTypeError(f"not a size: {text!r}")
    return n


def _terminate(signum: int, frame: object) -> None:
    """SIGTERM: unwind like an interrupt, so that temporary files are removed."""
    raise KeyboardInterrupt


def main(argv: list[str] | None = None, stdout: TextIO | None = None,
         stderr: TextIO | None = None) -> int:
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    if argv is None:
        argv = sys.argv[1:]
    if argv[:1] == ["diff"]:
        return diff_main(argv[1:], out, err)
    if argv[:1] == ["check"]:
        return check_main(argv[1:], out, err)
    if argv[:1] == ["report"]:
        return report_main(argv[1:], out, err)
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.print_completion:
        out.write(completion(args.print_completion))
        return EXIT_OK
    path = args.file_opt or args.file
    import signal  # (cheap: the interpreter has it loaded)

    try:
        previous = signal.signal(signal.SIGTERM, _terminate)
    except ValueError:  # not the main thread (a caller's): leave signals alone
        previous = None
    try:
        return _main(args, path, out, err)
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _main(args: argparse.Namespace, path: str | None, out: TextIO, err: TextIO) -> int:
    def run() -> int:
        if args.file and args.file_opt:
            raise UsageError("give the stream once (FILE or -f FILE)")
        if not path:
            raise UsageError("no stream given (migkaitai FILE)")
        if args.output and not args.extract:
            raise UsageError("-o/--output goes with -x/--extract")
        _check_combination(args)
        return _run(args, path, out, err)

    return _guarded(run, args, err)


def _guarded(run: Any, args: argparse.Namespace, err: TextIO) -> int:
    """`run()`'s exit status; an error it raises printed as one line (a traceback only
    with --traceback), and its exit status returned."""
    try:
        return run()  # type: ignore[no-any-return]
    except KeyboardInterrupt:
        err.write("migkaitai: interrupted\n")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # the reader went away (| head): not an error of ours
        try:
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - silence the final flush
        except OSError:
            pass
        return EXIT_OK
    except MigkaitaiError as e:
        if args.traceback:
            _print_traceback(err)
        err.write(f"migkaitai: error: {one_line(str(e))}\n")
        if isinstance(e, UsageError):
            if e.details:
                err.write(e.details.rstrip("\n") + "\n")
            return EXIT_USAGE
        return EXIT_OUTPUT if isinstance(e, OutputError) else EXIT_BROKEN
    except Exception as e:  # noqa: BLE001 - a bug of ours: one line unless asked for more
        if args.traceback:
            _print_traceback(err)
        else:
            err.write(f"migkaitai: internal error: {type(e).__name__}: {one_line(str(e))} "
                      f"(run with --traceback for details)\n")
        return EXIT_BROKEN


def _check_combination(args: argparse.Namespace) -> None:
    """Refuse options that would be ignored together (exit 2, one line saying why); then
    fill in the defaults (-d state, --format json)."""
    given = [o for o, on in (("-d " + str(args.dump), args.dump is not None),
                             ("-m", args.memory),
                             ("--format " + str(args.format), args.format is not None))
             if on]
    if args.extract and given:
        raise UsageError(f"-x writes files (desc.json, state.json, the RAM blocks) and prints "
                         f"their names; {given[0]} chooses what is printed instead: give one "
                         f"or the other")
    if args.dump in ("desc", "xml"):
        what = ("the JSON description" if args.dump == "desc"
                else "a libvirt save image's domain XML")
        if args.memory:
            raise UsageError(f"-m adds RAM contents to the state (-d state); -d {args.dump} "
                             f"prints {what}")
        if args.format not in (None, "json"):
            raise UsageError(f"--format {args.format} shows the decoded records; -d "
                             f"{args.dump} prints {what} as it is")
    if args.memory and args.format in ("tree", "records", "summary"):
        raise UsageError(f"-m adds RAM page contents to the JSON state (--format json); "
                         f"--format {args.format} shows the RAM records without them")
    args.dump = args.dump or "state"
    args.format = args.format or "json"


def _print_traceback(err: TextIO) -> None:
    import traceback  # only with --traceback: not imported at start-up

    traceback.print_exc(file=err)


def _run(args: argparse.Namespace, path: str, out: TextIO, err: TextIO,
         dispatch: Callable[[MigrationStream, TextIO], list[str]] | None = None) -> int:
    """Open the stream (progress on a terminal), run `dispatch` (default: what the main
    command's arguments ask for) and print its notes."""
    progress = Progress(err) if not args.quiet and err.isatty() else None
    if progress is not None and out.isatty():  # the same terminal: take turns on it
        out = SharedTerminal(out, progress)  # type: ignore[assignment]
    if path == "-" and not args.quiet and _stdin_is_a_terminal():
        err.write("migkaitai: reading the stream from standard input, a terminal (pipe a "
                  "stream in, or end with Ctrl-D)\n")
        err.flush()
    try:
        with MigrationStream(path, description=args.desc, offset=args.offset,
                             channels=args.channel, progress=progress,
                             spool_limit=args.spool_max,
                             description_limit=args.desc_max, snapshot=args.snapshot) as m:
            notes = (dispatch(m, out) if dispatch is not None
                     else _dispatch(m, args, out))
    finally:
        if progress is not None:
            progress.done()
    if not args.quiet:
        for n in notes:
            err.write(f"migkaitai: note: {one_line(n)}\n")
    return EXIT_OK


def _stdin_is_a_terminal() -> bool:
    try:
        return sys.stdin.isatty()
    except (AttributeError, ValueError):  # (closed, or replaced by something else)
        return False


def _dispatch(m: MigrationStream, args: argparse.Namespace, out: TextIO) -> list[str]:
    """The API call the arguments ask for; returns its notes."""
    if args.extract:
        return m.extract(args.output or ".", on_file=lambda rel: out.write(rel + "\n"))
    if args.dump == "desc":
        return m.write_description(out)
    if args.dump == "xml":
        return m.write_xml(out)
    if args.format == "tree":
        return m.write_tree(out)
    if args.format == "records":
        return m.write_records(out)
    if args.format == "summary":
        return m.write_summary(out)
    return m.write_state(out, memory=args.memory)
