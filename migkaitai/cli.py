"""The command line: `migkaitai FILE` / `python -m migkaitai FILE`.

Spelled like scripts/analyze-migration.py (`-f FILE`, `-d state|desc`, `-m`, `-x`) so
its users can switch, plus `--format tree`, `-o DIR`, `--desc FILE`, `--offset N`.
The CLI only parses arguments and maps errors to exit codes; the work is in the API.
"""
from __future__ import annotations

import argparse
import json
import os
import stat
import sys

from migkaitai.api import MigrationStream
from migkaitai.disk import DiskExtractor
from migkaitai.errors import FormatError, MigkaitaiError, UsageError
from migkaitai.progress import Progress
from migkaitai.ram import ChannelFeed, RamExtractor, RamMemoryDump, RamTracker
from migkaitai.render import (
    StateBuilder,
    TreePrinter,
    dump_json,
    one_line,
    record_json,
    write_state,
)
from migkaitai.stream import Walker

TYPE_CHECKING = False  # typing is not imported at run time (start-up cost)
if TYPE_CHECKING:
    from typing import TextIO

EXIT_OK = 0
EXIT_BROKEN = 1  # the input is broken (or could not be decoded)
EXIT_USAGE = 2  # bad usage (argparse uses 2 as well)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="migkaitai",
        description="Decode a QEMU migration stream (savevm/migrate/virsh save images).",
    )
    p.add_argument("file", nargs="?", help="the migration stream")
    p.add_argument("-f", "--file", dest="file_opt", metavar="FILE",
                   help="the migration stream (analyze-migration.py's spelling)")
    p.add_argument("-d", "--dump", choices=("state", "desc"), default="state",
                   help="what to print: decoded device state (default) or the JSON description")
    p.add_argument("-m", "--memory", action="store_true",
                   help="include RAM contents in the state output")
    p.add_argument("-x", "--extract", action="store_true",
                   help="write desc.json, state.json and one sparse file per RAM block")
    p.add_argument("-o", "--output", metavar="DIR",
                   help="folder for -x (default: the current folder)")
    p.add_argument("--format", choices=("json", "tree", "records"), default="json",
                   help="json (analyze-migration.py compatible), a readable tree with offsets, "
                        "or records: every record (commands, configuration, sections) as JSON")
    p.add_argument("--desc", metavar="FILE",
                   help="use this JSON description (desc.json) instead of the stream's own")
    p.add_argument("--channel", action="append", default=[], metavar="FILE",
                   help="a multifd channel capture whose pages complete the RAM (repeat it "
                        "for each channel)")
    p.add_argument("--offset", type=lambda s: int(s, 0), metavar="N",
                   help="the stream starts at byte N of the file (default: found by its magic)")
    p.add_argument("--traceback", action="store_true", help="show a traceback on errors")
    p.add_argument("-q", "--quiet", action="store_true",
                   help="no notes and no progress display on stderr")
    return p


def main(argv: list[str] | None = None, stdout: TextIO | None = None,
         stderr: TextIO | None = None) -> int:
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    parser = build_parser()
    args = parser.parse_args(argv)
    path = args.file_opt or args.file
    try:
        if args.file and args.file_opt:
            raise UsageError("give the stream once (FILE or -f FILE)")
        if not path:
            raise UsageError("no stream given (migkaitai FILE)")
        if args.output and not args.extract:
            raise UsageError("-o/--output goes with -x/--extract")
        return _run(args, path, out, err)
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
        return EXIT_USAGE if isinstance(e, UsageError) else EXIT_BROKEN
    except Exception as e:  # a bug of ours: say so in one line unless asked for more
        if args.traceback:
            _print_traceback(err)
        else:
            err.write(f"migkaitai: internal error: {type(e).__name__}: {one_line(str(e))} "
                      f"(run with --traceback for details)\n")
        return EXIT_BROKEN


def _is_pipe(path: str) -> bool:
    if path == "-":
        return True
    try:
        return not stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False  # MigrationStream says why it cannot open it


def _run(args: argparse.Namespace, path: str, out: TextIO, err: TextIO) -> int:
    if _is_pipe(path):
        return _run_pipe(args, path, out, err)
    with MigrationStream(path, description=args.desc, offset=args.offset,
                         channels=args.channel) as m:
        return _dispatch(m, args, out, err)


def _print_traceback(err: TextIO) -> None:
    import traceback  # only with --traceback: not imported at start-up

    traceback.print_exc(file=err)


def _run_pipe(args: argparse.Namespace, path: str, out: TextIO, err: TextIO) -> int:
    """A stream that cannot seek (see migkaitai.pipe): pass 1 while it arrives, pass 2 on
    the spooled copy."""
    if path == "-":
        src = sys.stdin.buffer
    else:
        try:
            src = open(path, "rb")  # noqa: SIM115 - closed below
        except OSError as e:
            raise UsageError(f"cannot open {path}: {e.strerror}") from None
    import tempfile  # pipes and -m only: not imported at start-up

    from migkaitai.pipe import spool_stream

    with tempfile.TemporaryDirectory(prefix="migkaitai-pipe-") as tmp:
        extractor = dump = None
        if args.extract:
            outdir = args.output or "."
            try:
                os.makedirs(outdir, exist_ok=True)
            except OSError as e:
                raise UsageError(f"cannot create {outdir}: {e.strerror}") from None
            # pages come one record at a time here: handing each to a writer thread
            # would cost more than the write
            extractor = RamExtractor(outdir, 4096, on_file=lambda rel: out.write(rel + "\n"))
        elif args.memory and args.dump == "state":
            os.mkdir(os.path.join(tmp, "memory"))
            dump = RamMemoryDump(os.path.join(tmp, "memory"), 4096)
        tracker = RamTracker(4096, [x for x in (extractor, dump) if x is not None])
        if args.channel:
            tracker.channels = ChannelFeed(args.channel, 4096)
        spool_path = os.path.join(tmp, "stream")
        try:
            skip = args.offset or 0
            while skip > 0:  # bytes before the stream, read in bounded pieces
                piece = src.read(min(skip, 1 << 20))
                if not piece:
                    break
                skip -= len(piece)
            with open(spool_path, "w+b") as spool:
                pass1 = spool_stream(src, spool, lambda kio: Walker(
                    kio, 0, None, 4096, tracker, configured_page_size=True))
        finally:
            if src is not sys.stdin.buffer:
                src.close()
        try:
            with MigrationStream(spool_path, description=args.desc, offset=0) as m:
                m.path = path
                if tracker.records and m.page_size != tracker.page_size:
                    raise FormatError(
                        f"the description says pages of {m.page_size} bytes, but the "
                        f"configuration record implied {tracker.page_size} while RAM went "
                        f"by; read this stream from a file instead")
                m.pass1 = pass1
                m.pass1_dump = dump
                return _dispatch(m, args, out, err)
        finally:
            if extractor is not None:
                extractor.close()
            if dump is not None:
                dump.close()


def _dispatch(m: MigrationStream, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if not args.quiet and err.isatty():
        m.progress = Progress(err, m.size)
    try:
        return _dispatch_mode(m, args, out, err)
    finally:
        if m.progress is not None:
            m.progress.done()


def _dispatch_mode(m: MigrationStream, args: argparse.Namespace, out: TextIO,
                   err: TextIO) -> int:
    note = _description_note(m, args)
    if args.dump == "desc" and not args.extract:
        if m.description is None:
            walker = m.walker(decode_devices=False)
            for _ in walker.records():
                pass
            raise m.trailer_problem(walker) or FormatError(
                "the stream has no JSON description (VMDESCRIPTION after the EOF record)",
                offset=walker.eof_end)
        dump_json(m.description.doc, out)  # as QEMU wrote it, even if it cannot be used
        return EXIT_OK
    if args.extract:
        return _extract(m, args, out, err, note)
    if args.format == "tree":
        return _tree(m, out, err, note, args.quiet)
    if args.format == "records":
        return _records(m, out, err, note, args.quiet)
    return _state(m, out, err, note, args.quiet, args.memory)


def _description_note(m: MigrationStream, args: argparse.Namespace) -> str | None:
    if m.description is None:
        return ("the stream has no JSON description, so device sections are shown as raw "
                "payloads (give one with --desc FILE from a stream of the same QEMU version "
                "and machine type)")
    return None


def _finish(err: TextIO, quiet: bool, *notes: str | None) -> None:
    if quiet:
        return
    for n in notes:
        if n:
            err.write(f"migkaitai: note: {one_line(n)}\n")


def _build_state(walker: Walker, m: MigrationStream
                 ) -> tuple[StateBuilder, dict, MigkaitaiError | None]:
    """Walk the stream into analyze-migration.py's state dict; a fault ends the walk and
    is returned (and noted in the dict's "error" entry) with what was decoded before.
    The builder holds the sections' texts: close it once the state is written."""
    builder = StateBuilder(walker.ram, m.io)
    failure: MigkaitaiError | None = None
    try:
        for rec in walker.records():
            builder.add(rec)
        failure = m.trailer_problem(walker)
    except MigkaitaiError as e:
        failure = e
    state = builder.result()
    if failure is not None:
        state["error"] = str(failure)
    return builder, state, failure


def _state(m: MigrationStream, out: TextIO, err: TextIO, note: str | None,
           quiet: bool, memory: bool) -> int:
    if memory and m.pass1_dump is None:  # -m spools RAM contents to a temporary folder
        import tempfile  # not imported at start-up

        with tempfile.TemporaryDirectory(prefix="migkaitai-") as tmp:
            return _state_with(m, out, err, note, quiet, RamMemoryDump(tmp, m.page_size))
    return _state_with(m, out, err, note, quiet, m.pass1_dump if memory else None)


def _state_with(m: MigrationStream, out: TextIO, err: TextIO, note: str | None,
                quiet: bool, dump: RamMemoryDump | None) -> int:
    walker = m.walker(RamTracker(m.page_size, [dump] if dump else []))
    builder, state, failure = _build_state(walker, m)
    try:
        write_state(state, out, builder.ram_keys, dump)
    finally:
        builder.close()
        if dump:
            dump.close()
    if failure is not None:
        raise failure
    _finish(err, quiet, note, *walker.notes)
    return EXIT_OK


def _tree(m: MigrationStream, out: TextIO, err: TextIO, note: str | None, quiet: bool) -> int:
    printer = TreePrinter(out, m.io)
    printer.header(m.start, m.path, m.size, m.description)
    walker = m.walker()
    try:
        for rec in walker.records():
            printer.record(rec)
    finally:
        printer.ram_summary(walker.ram)
        out.flush()
    problem = m.trailer_problem(walker)
    if problem is not None:
        raise problem
    _finish(err, quiet, note, *walker.notes)
    return EXIT_OK


def _records(m: MigrationStream, out: TextIO, err: TextIO, note: str | None,
             quiet: bool) -> int:
    """A JSON list of records, written one record at a time."""
    walker = m.walker()
    out.write("[")
    first = True
    try:
        for rec in walker.records():
            out.write(("\n" if first else ",\n") + "    " + json.dumps(record_json(rec)))
            first = False
        problem = m.trailer_problem(walker)
        if problem is not None:
            raise problem
    except MigkaitaiError as e:
        out.write(("\n" if first else ",\n") + "    " + json.dumps({"error": str(e)}) + "\n]\n")
        raise
    out.write("\n]\n")
    _finish(err, quiet, note, *walker.notes)
    return EXIT_OK


def _extract(m: MigrationStream, args: argparse.Namespace, out: TextIO, err: TextIO,
             note: str | None) -> int:
    outdir = args.output or "."
    try:
        os.makedirs(outdir, exist_ok=True)
    except OSError as e:
        raise UsageError(f"cannot create {outdir}: {e.strerror}") from None
    if m.description is not None:
        with open(os.path.join(outdir, "desc.json"), "w", encoding="utf-8") as f:
            dump_json(m.description.doc, f)
        out.write("desc.json\n")
    extractor = RamExtractor(outdir, m.page_size, on_file=lambda rel: out.write(rel + "\n"),
                             background=True)
    walker = m.walker(RamTracker(m.page_size, [extractor]))
    disks = DiskExtractor(outdir, on_file=lambda rel: out.write(rel + "\n"))
    walker.block_sinks.append(disks)
    try:
        builder, state, failure = _build_state(walker, m)
    finally:
        extractor.close()
        disks.close()
    try:
        with open(os.path.join(outdir, "state.json"), "w", encoding="utf-8") as f:
            write_state(state, f, [])
    finally:
        builder.close()
    out.write("state.json\n")
    if failure is not None:
        raise failure
    _finish(err, args.quiet, note, *walker.notes)
    return EXIT_OK
