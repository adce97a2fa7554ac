"""The Python API: open a stream, walk its records, look at devices, fields and RAM, and
write every output the CLI writes.

    import migkaitai
    with migkaitai.open("mig") as m:              # a path, "-", or a binary file (a pipe)
        snap = m.load()
        cpu = snap.device("cpu", 0)
        print(cpu.field("env.eip").value, cpu.field("env.eip").offset)
        for block in snap.ram_blocks:
            print(block.name, block.length, block.pages, block.zero_pages)

    with migkaitai.open(sys.stdin.buffer) as m:   # what `migkaitai -x -o out -` does
        notes = m.extract("out")

The outputs: :meth:`MigrationStream.write_state` (analyze-migration.py's JSON, `-m` with
``memory=True``), :meth:`~MigrationStream.write_description` (`-d desc`),
:meth:`~MigrationStream.write_tree`, :meth:`~MigrationStream.write_records` and
:meth:`~MigrationStream.extract` (`-x`). Each writes what was decoded before a fault and
then raises the fault; on success it returns the notes (what could not be decoded, and
why) that the CLI prints on stderr.

`MigrationStream.records()` is the one-pass, record-by-record view; `load()` runs it
once and keeps the decoded device sections (small) and the RAM summary, never RAM
contents.

A source that cannot seek (a pipe, a FIFO, a character device) is read in two passes
(see migkaitai.pipe): the first while it arrives, decoding RAM into whatever the first
output asks for (RAM files, the `-m` dump), the second over a spooled copy without page
bodies. So a pipe gives one output that needs RAM contents (`extract`, `memory=True`),
asked for first.
"""
from __future__ import annotations

import builtins
import io
import os
import stat

from kaitaistruct import KaitaiStream

from migkaitai.description import (
    DEFAULT_DESC_LIMIT,
    Description,
    DescriptionTooLarge,
    diagnose_trailer,
    find_description,
    load_description_file,
)
from migkaitai.errors import DescriptionError, FormatError, MigkaitaiError, UsageError
from migkaitai.ram import RamBlock, RamPage, RamTracker
from migkaitai.vmsd import Node, devices_by_key
from migkaitai.walk import Record, Section, Walker, page_size_of

TYPE_CHECKING = False  # typing is not imported at run time (start-up cost)
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from typing import Any, BinaryIO, TextIO

    from migkaitai.output import RamMemoryDump

__all__ = ["open", "MigrationStream", "Snapshot", "Device", "find_stream_start",
           "STATE_FILE", "DESC_FILE", "XML_FILE"]

MAGIC = b"QEVM"
STATE_FILE = "state.json"  # what -x writes besides the RAM blocks and disks
DESC_FILE = "desc.json"
XML_FILE = "domain.xml"  # -x of a libvirt save image
_SEARCH = 16 << 20  # how far into a file the stream is looked for


def find_stream_start(f: Any, size: int) -> int | None:
    """Offset of the QEVM header in the seekable file `f`, or None.

    The grammar's rule first (its `leading_bytes`): the stream starts at the first 0x51
    byte ('Q'), which finds it after zeros (`migrate file:...,offset=N` into a new file).
    Where bytes before the stream hold a 0x51 (a file written over), the grammar cannot
    find it; then the first page-aligned offset (4 KiB steps) that holds the magic, as
    QEMU aligns such offsets. Both look at the first 16 MiB only."""
    f.seek(0)
    head = f.read(min(size, 1 << 16))
    at = head.find(b"Q")
    if at < 0 and size > len(head):  # zeros beyond the first 64 KiB: read on, bounded
        pos = len(head)
        while at < 0 and pos < min(size, _SEARCH):
            f.seek(pos)
            piece = f.read(min(1 << 20, _SEARCH - pos))
            if not piece:
                break
            i = piece.find(b"Q")
            at = pos + i if i >= 0 else -1
            pos += len(piece)
    if at >= 0:
        f.seek(at)
        if f.read(4) == MAGIC:
            return at
    for off in range(0, min(size, _SEARCH), 4096):
        f.seek(off)
        if f.read(4) == MAGIC:
            return off
    return None


class Device:
    """A decoded device (VMSD) section: its `section` and its decoded tree `node`."""

    __slots__ = ("node", "section")

    def __init__(self, section: Section, node: Node) -> None:
        self.section = section
        self.node = node

    def __repr__(self) -> str:
        return f"Device({self.section.label})"

    @property
    def name(self) -> str:
        return self.section.name

    @property
    def instance_id(self) -> int:
        return self.section.instance_id

    def field(self, path: str) -> Node:
        """The field at `path`: names joined by '/', '[i]' for the i-th same-named field,
        e.g. "env.segs[1]/base" or "cpu/xsave" (a subsection)."""
        node = self.node
        for part in path.split("/"):
            name, idx = part, 0
            if part.endswith("]") and "[" in part:
                name, _, rest = part.rpartition("[")
                idx = int(rest[:-1])
            for c in node.children:
                if c.name != name:
                    continue
                n = len(c.value) if c.kind == "array" else 1
                if idx < n:
                    node = c.element(idx) if c.kind == "array" else c
                    break
                idx -= n
            else:
                raise KeyError(f"no field {path!r} in {self.section.label}")
        return node


class Snapshot:
    """Everything `MigrationStream.load()` decoded (RAM contents excluded): the
    `records`, `sections` by id, decoded `devices`, `ram_blocks`, the generated
    `configuration` record (or None) and the walk's `notes`."""

    def __init__(self) -> None:
        self.records: list[Record] = []
        self.sections: dict[int, Section] = {}
        self.devices: list[Device] = []
        self.ram_blocks: list[RamBlock] = []
        self.configuration: Any = None
        self.notes: list[str] = []

    def __repr__(self) -> str:
        return (f"Snapshot({len(self.records)} records, {len(self.devices)} devices, "
                f"{len(self.ram_blocks)} RAM blocks)")

    def device(self, name: str, instance_id: int = 0) -> Device:
        for d in self.devices:
            if d.name == name and d.instance_id == instance_id:
                return d
        raise KeyError(f"no device section {name!r} instance {instance_id}")

    @property
    def commands(self) -> list[Any]:
        return [r.head.command for r in self.records if r.kind == "command"]


class MigrationStream:
    """A QEMU migration stream.

    Args:
        source: a path, "-" (standard input), or a binary file object. A source that
            cannot seek (pipe, FIFO, character device) is read in two passes (see the
            module's doc).
        description: a desc.json to use instead of the stream's own (``--desc``).
        offset: where the stream starts (default: found by its magic; on a pipe: 0),
            i.e. bytes to skip.
        channels: multifd channel captures whose pages complete the RAM.
        progress: called with (position, total or None) as long work goes.
        spool_limit: for a pipe, how many bytes besides RAM pages may be kept in its
            temporary copy (default migkaitai.pipe.DEFAULT_SPOOL_LIMIT, 1 GiB).
        description_limit: the largest description read (default
            migkaitai.description.DEFAULT_DESC_LIMIT, 16 MiB); a larger one is an error
            after the records, which are decoded without it.
        snapshot: for a qcow2 image, the id or name of the snapshot whose VM state to
            read (default: the only one that has VM state).

    Containers are recognised by their magic (migkaitai.containers): a libvirt save
    image (`container` is then a LibvirtImage; raw and sparse images are read in place,
    with offsets in the image; compressed ones are decompressed as they are read, like
    a pipe, with offsets in the decompressed stream), a qcow2 image (a Qcow2Image; the
    snapshot's VM state is read through its cluster map, with offsets in the VM state),
    a gzip, bzip2, xz, zstd or lzop file (a Compressed). Other files that are not a
    stream are named in the error.
    """

    def __init__(self, source: str | os.PathLike[str] | BinaryIO, *,
                 description: str | None = None, offset: int | None = None,
                 channels: list[str] | None = None,
                 progress: Callable[[int, int | None], object] | None = None,
                 spool_limit: int | None = None,
                 description_limit: int | None = None,
                 snapshot: str | None = None) -> None:
        self.channels = list(channels or [])
        for ch in self.channels:  # (a usage error: before anything is read)
            try:
                with builtins.open(ch, "rb"):
                    pass
            except OSError as e:
                raise UsageError(f"cannot open {ch}: {e.strerror}") from None
        self.container: Any = None  # see the class doc
        self.container_notes: list[str] = []
        self.snapshot: Any = snapshot  # a qcow2 image's: then the Qcow2Snapshot read
        self._host_file: Any = None  # the image a container's stream view reads from
        self._sniffed = False  # a pipe's head was looked at (see _sniff_pipe)
        self.progress = progress
        self.spool_limit = spool_limit
        self.description_limit = description_limit or DEFAULT_DESC_LIMIT
        self._desc_path = description
        self._offset = offset
        self._own_file = False
        self._pipe_src: Any = None  # a source that cannot seek, before its first pass
        self._pass1: Walker | None = None  # a pipe's first pass, once it ran
        self._spool_dir: Any = None
        self._map: Any = None
        self.file: Any = None
        if isinstance(source, (str, os.PathLike)):
            self.path = os.fspath(source)
            if self.path == "-":
                import sys

                self._pipe_src = sys.stdin.buffer
                return
            try:
                regular = stat.S_ISREG(os.stat(self.path).st_mode)
                f = builtins.open(self.path, "rb")  # noqa: SIM115 - closed by close()
            except OSError as e:
                raise UsageError(f"cannot open {self.path}: {e.strerror}") from None
            self._own_file = True
            if not regular:
                self._pipe_src = f
                return
            try:
                self._open_container(f)
            except BaseException:
                f.close()
                raise
        else:
            self.path = getattr(source, "name", None) or "<stream>"
            if not isinstance(self.path, str):
                self.path = "<stream>"
            if _seekable_file(source):
                self._open_container(source)
            else:
                self._pipe_src = source

    @property
    def is_pipe(self) -> bool:
        """Whether the source cannot seek (read in two passes)."""
        return self._pipe_src is not None or self._pass1 is not None

    def _open_container(self, f: Any) -> None:
        """A seekable file: a bare stream, or a container (see the class doc)."""
        from migkaitai import containers as C

        if self._offset is not None:  # given: a stream there, whatever the file is
            self._open_file(f)
            return
        f.seek(0)
        head = f.read(1 << 16)
        kind = C.sniff(head)
        if self.snapshot is not None and kind != "qcow2":
            raise UsageError(f"--snapshot goes with a qcow2 image; {self.path} is not one")
        if kind == "libvirt":
            img = C.open_libvirt(f, self.path)
            self.container = img
            if img.format in ("raw", "sparse"):
                self._offset = img.stream_offset
                self._open_file(f)
                return
            f.seek(img.stream_offset)
            payload = C.sniff(f.read(16))
            if img.format not in C.COMPRESSED.values():
                raise FormatError(f"libvirt save image of unknown format {img.format_id}",
                                  offset=16 + 12)
            if payload != img.format:
                raise FormatError(f"the libvirt header says the stream is {img.format}-"
                                  f"compressed, but the data there is not "
                                  f"({'it looks like ' + payload if payload else 'unknown'})",
                                  offset=img.stream_offset)
            f.seek(img.stream_offset)
            self._host_file = f
            self._pipe_src = C.decompressing_reader(img.format, f, img.stream_offset, self.path)
            self._sniffed = True
            return
        if kind == "qcow2":
            qcow = C.Qcow2Image(f, self.path, os.fstat(f.fileno()).st_size)
            self.container = qcow
            sn = qcow.select(self.snapshot)
            if self.snapshot is None:
                self.container_notes.append(
                    f"read the VM state of snapshot {sn.id} ({sn.name}), the only one of "
                    f"{len(qcow.snapshots)} that has one")
            self.snapshot = sn
            self._host_file = f
            self._open_file(io.BufferedReader(qcow.vm_state(sn), 1 << 20))
            return
        if kind is not None and kind in C.COMPRESSED.values():
            self.container = C.Compressed(kind)
            f.seek(0)
            self._host_file = f
            self._pipe_src = C.decompressing_reader(kind, f, 0, self.path)
            self._sniffed = True
            return
        if kind is None:
            what = C.not_a_stream(head, None)
            if what is not None:
                raise FormatError(f"not a QEMU migration stream: {what}", offset=0)
        self._open_file(f)

    def _sniff_pipe(self) -> None:
        """A pipe's first bytes: a compressed stream or a libvirt image is unwrapped."""
        if self._sniffed:
            return
        self._sniffed = True
        from migkaitai import containers as C

        if self._offset:
            return  # bytes to skip: a stream after them
        head = C.read_exactly(self._pipe_src, 16)
        kind = C.sniff(head)
        if self.snapshot is not None and kind != "qcow2":
            raise UsageError(f"--snapshot goes with a qcow2 image; {self.path} is not one")
        src: Any = C._Prefixed(head, self._pipe_src)
        if kind == "libvirt":
            img = C.read_libvirt(src, self.path)
            self.container = img
            if img.format == "raw":
                pass
            elif img.format in C.COMPRESSED.values():
                src = C.decompressing_reader(img.format, src, img.stream_offset, self.path)
            else:
                raise UsageError(f"{self.path}: a libvirt image of format {img.format} must be "
                                 f"read from a file (its RAM lies at offsets of the image)")
        elif kind == "qcow2":
            raise UsageError(f"{self.path}: a qcow2 image must be read from a file (its VM "
                             f"state is found through its cluster tables)")
        elif kind is not None and kind in C.COMPRESSED.values():
            self.container = C.Compressed(kind)
            src = C.decompressing_reader(kind, src, 0, self.path)
        elif kind is None:
            what = C.not_a_stream(head, None)
            if what is not None:
                raise FormatError(f"not a QEMU migration stream: {what}", offset=0)
            if head and not head.startswith(MAGIC[:len(head)]):
                # bytes before the stream (migrate file:...,offset=N): found by the rule a
                # file's start is found by, in the first 16 MiB
                head += C.read_exactly(self._pipe_src, _SEARCH - len(head))
                start = find_stream_start(io.BytesIO(head), len(head))
                if start is not None:
                    self._offset = start
                src = C._Prefixed(head, self._pipe_src)
        self._host_file = self._pipe_src  # (closed with the stream)
        self._pipe_src = src

    def _open_file(self, f: Any) -> None:
        """Take a seekable file as the stream: find where it starts, its description and
        its page size."""
        self.file = f
        try:
            self.size = os.fstat(f.fileno()).st_size
            self._mappable = True
        except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
            self.size = f.seek(0, os.SEEK_END)
            self._mappable = False
        self.io = KaitaiStream(f)
        offset = self._offset if self._pass1 is None else (self._offset or 0)
        scanned = offset is None
        if offset is None:
            start = find_stream_start(f, self.size)
            if start is None:
                head = self._peek(0, 8)
                raise FormatError(f"expected the QEVM magic (51 45 56 4d), found "
                                  f"{head.hex(' ') or 'an empty file'}", offset=0)
            offset = start
        elif offset < 0 or offset > self.size:
            raise UsageError(f"--offset {offset} lies outside the file ({self.size} bytes)")
        self.start = offset
        # a description whose devices list is malformed, or too large, is not used
        # (devices stay raw) and is the error after the records
        self.description_error: DescriptionError | None = None
        try:
            self.embedded: Description | None = find_description(
                f, self.size, offset, self.description_limit)
        except DescriptionTooLarge as e:
            self.embedded = None
            self.description_error = e
        self.description: Description | None = self.embedded
        if self._desc_path:  # given: the stream's own does not matter
            self.description = load_description_file(self._desc_path, self.description_limit)
            self.description_error = None
        if self.description is not None:
            try:
                devices_by_key(self.description.doc)
            except DescriptionError as e:
                if e.offset is None:
                    e.offset = self.description.offset
                self.description_error = e
        self.page_size = self._page_size()
        if scanned and offset and not self._zeros_before(offset):
            self._check_found_stream()

    def _zeros_before(self, end: int) -> bool:
        """Whether the file holds only zeros before `end` (what `migrate file:...,offset=N`
        leaves in a new file)."""
        pos = 0
        while pos < end:
            piece = self._peek(pos, min(end - pos, 1 << 20))
            if not piece or piece.count(0) != len(piece):
                return False
            pos += len(piece)
        return True

    def _check_found_stream(self) -> None:
        """A magic found by scanning after other bytes is taken only if a complete stream
        starts there: it decodes to its EOF record, which its description (if it has
        one) follows, or which ends the file. Else: not a stream, saying what was found."""
        problem = None
        w = self.walker(RamTracker(self.page_size))
        try:
            for _ in w.records():
                pass
            emb = self.embedded
            if w.stopped_at is not None:
                problem = (f"its device section at 0x{w.stopped_at:x} cannot be delimited "
                           f"(no description frames it)")
            elif emb is not None and emb.offset != w.eof_end:
                problem = (f"its EOF record ends at 0x{w.eof_end:x}, but the description "
                           f"found is at 0x{emb.offset:x}")
            elif emb is None and w.eof_end is not None and w.eof_end < self.size:
                problem = (f"{self.size - w.eof_end} bytes that are no description follow "
                           f"its EOF record at 0x{w.eof_end - 1:x}")
        except MigkaitaiError as e:
            problem = str(e)
        if problem is not None:
            head = self._peek(0, 8).hex(" ")
            raise FormatError(f"not a QEMU migration stream: it starts with {head}, and the "
                              f"QEVM magic found at 0x{self.start:x} starts no complete "
                              f"stream ({problem}); give --offset to read it anyway",
                              offset=0)

    def _peek(self, off: int, n: int) -> bytes:
        self.file.seek(off)
        return self.file.read(n)  # type: ignore[no-any-return]

    def _page_size(self) -> int:
        """The page size RAM records are split with. A configuration that says it (its
        target-page-bits, or a machine of a fixed page size) decides; else the RAM records
        before the first device section settle it (RamTracker.settle_page_size: a file is
        probed, a pipe's first pass did it); with no page there, the description's; else
        4096 (the grammar's rule). A description that contradicts the size so found is not
        used: it is the error after the records. A file and a pipe decide alike (same
        bytes, same rule)."""
        from migkaitai_ksy.qemu_migration import QemuMigration as K

        conf: Any = None
        if self._peek(self.start + 8, 1) == bytes([K.RecordType.configuration.value]):
            self.io.seek(self.start + 9)
            try:
                conf = K.Configuration(_io=self.io)
            except Exception:  # noqa: BLE001 - the walk reports a broken configuration
                conf = None
        implied = page_size_of(conf)
        desc = self.description
        desc_ps: int = desc.page_size or 0 if desc is not None and \
            self.description_error is None else 0  # the description's page size (if usable)
        if conf is not None and (conf.target_page_bits or conf.page_size_by_machine):
            size = implied
            how = (f"target-page-bits {conf.target_page_bits}" if conf.target_page_bits
                   else f"machine {conf.machine_name}")
            says = f"the configuration record ({how}) says {size}"
        else:
            tracker = self._pass1.ram if self._pass1 is not None else self._probe_page_size()
            if not tracker.page_size_settled:  # no page before the first device section
                return desc_ps or implied
            size = tracker.page_size
            says = (f"{tracker.settled_by} imply pages of {size}" if tracker.settled_by else
                    f"the RAM records, which do not tell it, were read with pages of {size}")
            says += " (the configuration says none)"
        if desc_ps and desc_ps != size:
            assert desc is not None
            self.description_error = DescriptionError(
                f"the description says pages of {desc_ps} bytes, but {says}", offset=desc.offset)
        return size

    def _probe_page_size(self) -> RamTracker:
        """Walk a file's first records as a pipe's first pass does, up to where the RAM
        records settle the page size (or the first record that is not RAM)."""
        from migkaitai.ram import PageSizeSettled

        tracker = RamTracker(page_size_of(None))
        tracker.stop_when_settled = True
        w = Walker(self.io, self.start, None, tracker.page_size, tracker,
                   page_size_from_stream=True, ram_only=True)
        try:
            for _ in w.records():
                pass
        except (PageSizeSettled, MigkaitaiError):
            pass  # (a broken record: the walk proper reports it)
        return tracker

    def __getattr__(self, name: str) -> Any:
        # size, start, io, description, page_size... of a pipe: after its first pass (so
        # every output that reads them, or calls walker(), runs the first pass if needed)
        if name in _FILE_ATTRS and self.__dict__.get("_pipe_src") is not None:
            self._first_pass([])
            return getattr(self, name)
        raise AttributeError(name)

    def __enter__(self) -> MigrationStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._map is not None:
            try:
                self._map.close()
            except BufferError:  # a view still held by an error's traceback: freed later
                pass
            self._map = None
        if self.file is not None and (self._own_file or self._pass1 is not None):
            self.file.close()
        if self._pipe_src is not None and self._own_file:
            self._pipe_src.close()
        if self._host_file is not None and self._own_file:
            self._host_file.close()
        if self._spool_dir is not None:
            self._spool_dir.cleanup()
            self._spool_dir = None

    # -- a pipe's first pass ---------------------------------------------------------

    def _first_pass(self, sinks: list[Any]) -> None:
        """Read a pipe to its end into a spool, decoding RAM into `sinks` on the way, and
        take the spool as the stream (see migkaitai.pipe)."""
        import tempfile  # pipes only: not imported at start-up

        from migkaitai.containers import _Decompressing
        from migkaitai.pipe import DEFAULT_SPOOL_LIMIT, spool_stream

        self._sniff_pipe()
        inner = self._pipe_src  # (the source; what is read from may wrap it)
        if not sinks and self._small_pipe(inner):
            return
        src = self._pipe_src  # (with what _small_pipe copied read back first)
        self._pipe_src = None
        if self._spool_dir is None:
            self._spool_dir = tempfile.TemporaryDirectory(prefix="migkaitai-pipe-")
        tracker = RamTracker(page_size_of(None), sinks)  # until the configuration says
        if self.channels:
            from migkaitai.multifd import ChannelFeed  # not imported at start-up

            tracker.channels = ChannelFeed(self.channels, tracker.page_size)
        spool_path = os.path.join(self._spool_dir.name, "stream")
        try:
            skip = self._offset or 0  # (bytes before the stream: a hole in the spool, so
            # that offsets are the file's, as when the file is read by its path)
            progress = self._progress(None)
            doc = self._given_description()

            def walker(kio: KaitaiStream, state: Any) -> Walker:
                from migkaitai.ram_fast import WindowFastPath

                # with a description given (--desc), pass 1 decodes device sections too:
                # every record is checked as it arrives, up to the EOF record
                w = Walker(kio, skip, doc, tracker.page_size, tracker, pipe=state,
                           page_size_from_stream=True,
                           fast=WindowFastPath(state.spooler, tracker.sinks,  # type: ignore[arg-type]
                                               progress))
                w.progress = progress
                return w

            with builtins.open(spool_path, "w+b") as spool:
                pass1 = spool_stream(src, spool, walker, self.spool_limit or DEFAULT_SPOOL_LIMIT,
                                     self.description_limit, start=skip)
        finally:
            if src is not inner:
                src.close()  # (the copy _small_pipe made)
            if self._own_file:
                inner.close()
                if self._host_file is not None:
                    self._host_file.close()
                    self._host_file = None
                self._own_file = False
            elif isinstance(inner, _Decompressing):
                inner.close()  # (ours, over the caller's file: its thread ends, the file stays)
        self._pass1 = pass1
        self._open_file(builtins.open(spool_path, "rb"))  # noqa: SIM115 - closed by close()

    def _small_pipe(self, src: Any) -> bool:
        """A pipe that ends within SMALL_PIPE bytes is copied to a temporary file and then
        read as that file (one pass, the memory-mapped RAM fast path): the spool's two
        passes cost more than copying such a stream. A longer one goes on through the
        spool, with what was copied read back from the file first."""
        import tempfile  # pipes only: not imported at start-up

        from migkaitai.containers import _Decompressing

        small = int(os.environ.get("MIGKAITAI_SMALL_PIPE", SMALL_PIPE))
        if small <= 0:
            return False
        self._spool_dir = tempfile.TemporaryDirectory(prefix="migkaitai-pipe-")
        path = os.path.join(self._spool_dir.name, "copy")
        copy = builtins.open(path, "w+b")  # noqa: SIM115 - kept open, or closed below
        got = 0
        failed: MigkaitaiError | None = None
        try:
            while got <= small:
                piece = src.read(min(_COPY, small + 1 - got))
                if not piece:
                    break
                copy.write(piece)
                got += len(piece)
        except MigkaitaiError as e:  # (a decompressor's: after what came before it)
            failed = e
        except BaseException:
            copy.close()
            raise
        if failed is not None or got > small or got == 0:  # (empty: said as a pipe's)
            copy.seek(0)
            self._pipe_src = _Replay(copy, _Failing(failed) if failed else src)
            return False
        self._pipe_src = None
        if self._own_file:
            src.close()
            if self._host_file is not None:
                self._host_file.close()
                self._host_file = None
        elif isinstance(src, _Decompressing):
            src.close()
        copy.flush()
        self._own_file = True  # (the copy: closed with the stream)
        self._open_file(copy)
        return True

    def _given_description(self) -> Any:
        """The description given with `description=` (--desc), if one was and its devices
        list is sound; else None. (Loaded again with the spool: errors are said there.)"""
        if not self._desc_path:
            return None
        try:
            desc = load_description_file(self._desc_path, self.description_limit)
            devices_by_key(desc.doc)
        except MigkaitaiError:
            return None
        return desc.doc

    def _need_ram_sinks(self, what: str) -> None:
        if self._pass1 is not None:
            raise UsageError(f"{self.path} is a pipe, read once: {what} needs its RAM "
                             f"pages, which went by before (ask for it first)")

    def _progress(self, total: int | None) -> Callable[[int], object] | None:
        report = self.progress
        if report is None:
            return None
        return lambda pos: report(pos, total)

    # -- walking -------------------------------------------------------------------

    def walker(self, ram: RamTracker | None = None, *, decode_devices: bool = True,
               yield_pages: bool = False, fast: bool = True) -> Walker:
        """A Walker over this stream (see migkaitai.walk). `fast=False` reads every RAM
        record with the generated type (the fast path is for runs of CONTINUE pages)."""
        if self._pipe_src is not None:
            self._first_pass([])
        doc = self.description.doc if self.description and not self.description_error else None
        pipe = None
        if self._pass1 is not None:  # a pipe's pass 2: RAM was decoded in pass 1
            ram = self._pass1.ram
            pipe = self._pass1.pipe
        ram = ram or RamTracker(self.page_size)
        if self.channels and self._pass1 is None:
            from migkaitai.multifd import ChannelFeed  # not imported at start-up

            ram.channels = ChannelFeed(self.channels, self.page_size)
        fast_path = None
        if fast and self.size and self._pass1 is None and self._mappable:
            import mmap

            from migkaitai.ram_fast import FastPath

            if self._map is None:
                self._map = mmap.mmap(self.file.fileno(), 0, access=mmap.ACCESS_READ)
            fast_path = FastPath(self._map, ram.sinks, self._progress(self.size))
        w = Walker(self.io, self.start, doc, self.page_size, ram,
                   decode_devices=decode_devices, yield_pages=yield_pages, fast=fast_path,
                   pipe=pipe)
        w.progress = self._progress(self.size)
        return w

    def trailer_problem(self, walker: Walker) -> DescriptionError | None:
        """After a walk: what is wrong with the description, if something is - it lists
        malformed devices, or a VMDESCRIPTION follows the EOF record but is damaged."""
        if self.description_error is not None:
            return self.description_error
        if self.embedded is None and walker.eof_end is not None:
            return diagnose_trailer(self.file, self.size, walker.eof_end,
                                    self.description_limit)
        return None

    def pages(self, block: str | None = None) -> Iterator[RamPage]:
        """Yield the RAM page records in stream order (of one block if named). Each page's
        data is only what that record carries; see output.RamExtractor for the final RAM.
        Not for a pipe (its pages go by in its first pass)."""
        if self.is_pipe:
            raise UsageError(f"{self.path} is a pipe: its pages cannot be iterated; "
                             f"extract them (extract) or save the stream to a file")
        for ev in self.walker(yield_pages=True).records():
            if isinstance(ev, RamPage) and (block is None or ev.block.name == block):
                yield ev

    def records(self, ram: RamTracker | None = None) -> Iterator[Record]:
        """Yield the decoded records in stream order (one pass)."""
        return self.walker(ram).records()

    def load(self) -> Snapshot:
        """Decode the whole stream once; raises MigkaitaiError with `.partial` = the Snapshot
        decoded so far."""
        if self._pipe_src is not None:
            self._first_pass([])
        tracker = None if self._pass1 is not None else RamTracker(self.page_size)
        w = self.walker(tracker)
        snap = Snapshot()
        try:
            for rec in w.records():
                snap.records.append(rec)
                if rec.section is not None:
                    snap.sections[rec.section.section_id] = rec.section
                if rec.device is not None and rec.section is not None:
                    snap.devices.append(Device(rec.section, rec.device))
        except MigkaitaiError as e:
            e.partial = snap
            raise
        finally:
            snap.configuration = w.configuration
            snap.ram_blocks = list(w.ram.blocks.values())
            snap.notes = list(w.notes)
        return snap

    # -- outputs -------------------------------------------------------------------

    def description_note(self) -> str | None:
        """The note for a stream without a description (device sections stay raw)."""
        if self.description is None:
            return ("the stream has no JSON description, so device sections are shown as raw "
                    "payloads (give one with --desc FILE from a stream of the same QEMU "
                    "version and machine type)")
        return None

    def _snapshot_listing(self) -> str | None:
        from migkaitai.containers import Qcow2Image

        return self.container.listing() if isinstance(self.container, Qcow2Image) else None

    def _notes(self, walker: Walker) -> list[str]:
        note = self.description_note()
        return list(self.container_notes) + ([note] if note else []) + list(walker.notes)

    def _read_raw(self, off: int, n: int) -> bytes:
        """Bytes of the stream, for renderers that show undecoded payloads."""
        io = self.io
        pos = io.pos()
        io.seek(off)
        data = io.read_bytes(n)
        io.seek(pos)
        return data  # type: ignore[no-any-return]

    def write_description(self, out: TextIO) -> list[str]:
        """`-d desc`: the JSON description as QEMU wrote it (even if it cannot be used)."""
        if self.description is None:
            walker = self.walker(decode_devices=False)
            for _ in walker.records():
                pass
            problem = self.trailer_problem(walker)
            if problem is not None:
                raise problem
            if walker.eof_end is None:  # the walk stopped at a payload it cannot delimit
                raise FormatError(
                    "the stream has no JSON description; decoding stopped before the EOF "
                    "record at a device section that only a description can delimit (the "
                    "stream may be truncated)", offset=walker.stopped_at)
            raise FormatError(
                "the stream has no JSON description (VMDESCRIPTION after the EOF record)",
                offset=walker.eof_end)
        # the text itself, byte for byte: a copy, whatever its size (re-indenting it as
        # analyze-migration.py does takes seconds on an 11 MB description)
        text = self.description.text
        out.write(text if isinstance(text, str) else text.decode("utf-8"))
        out.write("\n")
        return []

    def _build_state(self, walker: Walker) -> tuple[Any, dict[str, Any], MigkaitaiError | None]:
        """Walk the stream into analyze-migration.py's state dict; a fault ends the walk and
        is returned (and noted in the dict's "error" entry) with what was decoded before.
        The builder holds the sections' texts: close it once the state is written."""
        from migkaitai.render.upstream import StateBuilder

        builder = StateBuilder(walker.ram, self._read_raw)
        walker.compact_runs = True  # (the trees only go to the builder: runs stay bytes)
        failure: MigkaitaiError | None = None
        try:
            for rec in walker.records():
                builder.add(rec)
            failure = self.trailer_problem(walker)
        except MigkaitaiError as e:
            if walker.header is None or isinstance(e, UsageError):
                raise  # nothing decoded, or bad usage: no state to show, only the error
            failure = e
        state = builder.result()
        if failure is not None:
            state["error"] = str(failure)
        return builder, state, failure

    def write_state(self, out: TextIO, *, memory: bool = False) -> list[str]:
        """`-d state` (`-m` with `memory`): analyze-migration.py's JSON of every section,
        with RAM page contents if `memory`."""
        if not memory:
            return self._write_state(out, None)
        import tempfile  # -m only: not imported at start-up

        from migkaitai.output import RamMemoryDump

        if self._pipe_src is None:
            self._need_ram_sinks("memory=True")
        with tempfile.TemporaryDirectory(prefix="migkaitai-memory-") as tmp:
            if self._pipe_src is not None:  # pages go to the dump in the first pass
                dump = RamMemoryDump(tmp, page_size_of(None))
                tracker = None
            else:
                dump = RamMemoryDump(tmp, self.page_size)
                tracker = RamTracker(self.page_size, [dump])
            try:
                if self._pipe_src is not None:
                    self._first_pass([dump])
                return self._write_state(out, dump, tracker)
            finally:
                dump.close()

    def _write_state(self, out: TextIO, dump: RamMemoryDump | None,
                     tracker: RamTracker | None = None) -> list[str]:
        from migkaitai.render.upstream import write_state

        walker = self.walker(tracker)
        builder, state, failure = self._build_state(walker)
        try:
            write_state(state, out, builder.ram_keys, dump)
        finally:
            builder.close()
        if failure is not None:
            raise failure
        return self._notes(walker)

    def domain_xml(self) -> str:
        """A libvirt save image's domain XML, as `virsh save-image-dumpxml` finds it."""
        from migkaitai.containers import LibvirtImage

        if self._pipe_src is not None:
            self._sniff_pipe()
        if not isinstance(self.container, LibvirtImage):
            raise UsageError(f"{self.path} is not a libvirt save image: it has no domain XML")
        return self.container.xml  # type: ignore[no-any-return]

    def write_xml(self, out: TextIO) -> list[str]:
        """`-d xml`: the domain XML of a libvirt save image."""
        xml = self.domain_xml()
        out.write(xml if xml.endswith("\n") else xml + "\n")
        return []

    def container_facts(self) -> list[tuple[str, str]]:
        """(name, value) pairs that describe the container, if the stream is in one."""
        if self._pipe_src is not None:
            self._sniff_pipe()
        if self.container is None:
            return []
        facts: list[tuple[str, str]] = self.container.facts()
        sn = self.snapshot
        if sn is not None and not isinstance(sn, str):
            facts.append(("snapshot", f"{sn.id} ({sn.name}), VM state of {sn.vm_state_size} "
                                      f"bytes (offsets below are in the VM state)"))
        return facts

    def summary(self) -> dict[str, Any]:
        """The facts of `--format summary`: machine type, the QEMU versions it implies,
        capabilities, page size, the description, records by kind, commands, devices by
        kind, RAM blocks by encoding, the container's facts, and the notes (what could not
        be decoded, gaps); a fault ends the walk and is the "error" entry (what came before
        is counted)."""
        walker = self.walker(decode_devices=False)
        counter = SummaryCounter()
        error: str | None = None
        try:
            for rec in walker.records():
                counter.add(rec)
            problem = self.trailer_problem(walker)
            if problem is not None:
                error = str(problem)
        except MigkaitaiError as e:
            if walker.header is None or isinstance(e, UsageError):
                raise  # nothing decoded, or bad usage: only the error
            error = str(e)
        return counter.result(self, walker, error)

    def write_summary(self, out: TextIO) -> list[str]:
        """`--format summary`: the facts a person wants first (see summary)."""
        from migkaitai.render.summary import write_summary

        s = self.summary()
        write_summary(s, out)
        if s["error"] is not None:
            raise FormatError(s["error"])
        return s["notes"]  # type: ignore[no-any-return]

    def write_tree(self, out: TextIO) -> list[str]:
        """A readable tree of every record and decoded field, with offsets."""
        from migkaitai.render.tree import TreePrinter

        printer = TreePrinter(out)
        printer.container(self.container_facts(), self._snapshot_listing())
        printer.header(self.start, self.path, self.size, self.description)
        walker = self.walker()
        try:
            for rec in walker.records():
                printer.record(rec)
        finally:
            printer.ram_summary(walker.ram)
            out.flush()
        problem = self.trailer_problem(walker)
        if problem is not None:
            raise problem
        return self._notes(walker)

    def write_records(self, out: TextIO) -> list[str]:
        """A JSON list of records, written one record at a time."""
        import json

        from migkaitai.render.records import record_json

        walker = self.walker()
        first = True
        try:
            for rec in walker.records():
                out.write(("[\n" if first else ",\n") + "    " + json.dumps(record_json(rec)))
                first = False
            problem = self.trailer_problem(walker)
            if problem is not None:
                raise problem
        except MigkaitaiError as e:
            if walker.header is not None and not isinstance(e, UsageError):
                # (else nothing was decoded, or bad usage: only the error)
                out.write(("[\n" if first else ",\n") + "    " + json.dumps({"error": str(e)})
                          + "\n]\n")
            raise
        out.write("[\n]\n" if first else "\n]\n")
        return self._notes(walker)

    def report_data(self) -> dict[str, Any]:
        """What `migkaitai report` shows, from one walk (see migkaitai.report.collect):
        the summary, the RAM map per block, the file map, the device sections; a fault
        ends the walk and is kept (`error`, `error_offset`, `failure`) with what came
        before it."""
        from migkaitai.report import collect

        return collect(self)

    def write_report(self, out: TextIO, *, title: str | None = None) -> list[str]:
        """`migkaitai report -o -`: the HTML page (see migkaitai.render.html) to `out`.
        A fault is raised after the page, which shows what was decoded and marks it."""
        from migkaitai.render.html import write_report

        data = self.report_data()
        try:
            write_report(data, out, title)
        finally:
            data["devices"].close()
        if data["failure"] is not None:
            raise data["failure"]
        return data["summary"]["notes"]  # type: ignore[no-any-return]

    def report(self, path: str, *, title: str | None = None) -> list[str]:
        """`migkaitai report -o PATH`: write the HTML page to `path`, whole or not at all
        (a temporary file beside it, renamed over it; a symbolic link at `path` is
        replaced, not followed). A fault in the input is raised after the page is written."""
        import secrets

        from migkaitai.errors import OutputError

        folder = os.path.dirname(os.path.abspath(path))
        # (created as open() would create `path`: mode 0666 less the umask; never an
        # existing file or link)
        tmp = os.path.join(folder, f".migkaitai-report-{secrets.token_hex(8)}.html")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o666)
        except OSError as e:
            raise OutputError("cannot write", path, e.strerror or str(e)) from None
        failure: MigkaitaiError | None = None
        notes: list[str] = []
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                try:
                    notes = self.write_report(f, title=title)
                except MigkaitaiError as e:
                    if not f.tell():
                        raise  # nothing decoded (or bad usage): no page
                    failure = e  # the page shows what came before the fault
            os.replace(tmp, path)
        except OSError as e:
            raise OutputError("cannot write", path, e.strerror or str(e)) from None
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        if failure is not None:
            raise failure
        return notes

    def extract(self, outdir: str, *, on_file: Callable[[str], object] | None = None
                ) -> list[str]:
        """`-x`: write desc.json, state.json, one sparse file per RAM block and the disks of
        block migration (block/) into `outdir`, never outside it (see migkaitai.output).
        `on_file(name)` is called with each file's name (relative to `outdir`) as it is
        created."""
        from migkaitai.containers import LibvirtImage
        from migkaitai.output import DiskExtractor, OutputDir, RamExtractor
        from migkaitai.render.upstream import write_state

        with OutputDir(outdir) as out:
            desc_rel = out.claim(DESC_FILE, "the description", reserved=True)
            state_rel = out.claim(STATE_FILE, "the state", reserved=True)
            if self._pipe_src is not None:
                self._sniff_pipe()
            if isinstance(self.container, LibvirtImage):
                xml = self.container.xml
                xml_rel = out.claim(XML_FILE, "the domain XML", reserved=True)
                out.write_text(xml_rel, "the domain XML",
                               lambda f: f.write(xml if xml.endswith("\n") else xml + "\n"))
                if on_file:
                    on_file(xml_rel)
            pipe = self._pipe_src is not None
            if not pipe:
                self._need_ram_sinks("extract")
            # pages come one record at a time from a pipe: handing each to a writer thread
            # would cost more than the write
            ram = RamExtractor(out, page_size_of(None) if pipe else self.page_size,
                               on_file=on_file, background=not pipe)
            disks = DiskExtractor(out, on_file=on_file)
            try:
                if pipe:
                    self._first_pass([ram])
                if self.description is not None:  # (as QEMU wrote it, like -d desc)
                    text = self.description.text
                    out.write_text(desc_rel, "the description",
                                   lambda f: f.write(f"{text}\n"))
                    if on_file:
                        on_file(desc_rel)
                walker = self.walker(None if pipe else RamTracker(self.page_size, [ram]))
                walker.block_sinks.append(disks)
                builder, state, failure = self._build_state(walker)
            finally:
                try:
                    ram.close()
                finally:
                    disks.close()
            try:
                out.write_text(state_rel, "the state", lambda f: write_state(state, f, []))
            finally:
                builder.close()
            if on_file:
                on_file(state_rel)
            others = out.others()
        if failure is not None:
            raise failure
        notes = self._notes(walker)
        if others:
            shown = ", ".join(others[:5]) + (", ..." if len(others) > 5 else "")
            notes.append(f"{len(others)} file{'s' if len(others) > 1 else ''} in {outdir} "
                         f"{'were' if len(others) > 1 else 'was'} not written by this run "
                         f"({shown}): from another run, left as they were")
        return notes


class SummaryCounter:
    """Counts what `--format summary` shows, one record at a time (MigrationStream.summary
    walks for it; the HTML report counts the same records in its own walk)."""

    def __init__(self) -> None:
        self.machine: str | None = None
        self.caps: list[str] = []
        self.counts = {"records": 0, "sections": 0, "footers": 0}
        self.other: dict[str, int] = {}
        self.commands: dict[str, int] = {}
        self.kinds: dict[str, int] = {}
        self.devices = 0
        self.live: list[str] = []

    def add(self, rec: Record) -> None:
        counts = self.counts
        other = self.other
        counts["records"] += 1
        h = rec.head
        if rec.kind in ("configuration", "command", "eof"):
            other[rec.kind] = other.get(rec.kind, 0) + 1
        if rec.kind == "configuration":
            self.machine = h.configuration.machine_name
            for sub in h.configuration.subsections:
                if sub.is_present and sub.body.name == "configuration/capabilities":
                    self.caps += [c.name for c in sub.body.capabilities.capabilities]
        elif rec.kind == "section_footer":
            counts["footers"] += 1
        elif rec.kind == "command":
            c = h.command.command_type
            name = c.name.upper() if hasattr(c, "name") else f"unknown ({c})"
            self.commands[name] = self.commands.get(name, 0) + 1
        elif rec.section is not None:
            counts["sections"] += 1
            sec = rec.section
            if rec.payload_format == "device" and rec.kind in ("section_full", "section_start"):
                self.devices += 1
                kind = sec.name.rsplit("/", 1)[-1]
                self.kinds[kind] = self.kinds.get(kind, 0) + 1
            elif rec.kind == "section_start" and sec.label not in self.live:
                self.live.append(sec.label)
        elif rec.kind != "eof":
            other[rec.kind] = other.get(rec.kind, 0) + 1

    def result(self, m: MigrationStream, walker: Walker, error: str | None) -> dict[str, Any]:
        """The summary's dict (see MigrationStream.summary) once the walk ended."""
        ps = walker.ram.page_size
        blocks: list[dict[str, Any]] = []
        for b in walker.ram.blocks.values():
            blocks.append({"name": b.name, "size": b.length,
                           "mapped_ram": b.mapped_ram is not None, **b.encodings(ps)})
        totals = {k: sum(b[k] for b in blocks)
                  for k in ("full", "zero", "xbzrle", "compressed", "multifd", "resent",
                            "unsent")}
        desc = m.description
        if desc is not None:
            described = (f"{desc.length} bytes of JSON at 0x{desc.offset:x}"
                         if desc.offset is not None else f"given ({desc.length} bytes)")
        else:
            described = "none found at the end of the file"
        counts = self.counts
        machine = self.machine
        return {"path": m.path, "size": m.size, "start": m.start,
                "container": m.container_facts(), "machine": machine,
                "qemu": qemu_versions(machine, counts["footers"] > 0 or machine is not None),
                "capabilities": self.caps, "page_size": ps, "description": described,
                **counts, "other_records": self.other, "commands": self.commands,
                "devices": self.devices,
                "device_kinds": dict(sorted(self.kinds.items(), key=lambda kv: (-kv[1], kv[0]))),
                "live": self.live, "ram_blocks": blocks, "ram_totals": totals, "error": error,
                "notes": m._notes(walker)}


def qemu_versions(machine: str | None, since_2_4: bool) -> str:
    """The QEMU versions that can have written a stream of `machine` type: a versioned type
    (pc-i440fx-7.2, pc-q35-2.4, virt-9.0, pseries-8.1, s390-ccw-virtio-7.2) exists from
    that version on; a configuration record or section footers, from QEMU 2.4 on."""
    import re

    m = re.search(r"-(\d+)\.(\d+)$", machine or "")
    if m:
        return (f"{m.group(1)}.{m.group(2)} or later (the machine type {machine} exists "
                f"from {m.group(1)}.{m.group(2)} on)")
    if since_2_4:
        return ("2.4 or later (a configuration record, section footers; the machine type "
                "names no version)")
    return "not known (no configuration record, no section footers: an old machine type)"


_FILE_ATTRS = frozenset({"size", "start", "io", "description", "embedded", "page_size",
                         "description_error"})


# A pipe that ends within this many bytes is copied to a temporary file and read as a
# file (MigrationStream._small_pipe): saved device states with little RAM sent, and most
# streams of small guests; longer ones go through the spool (the copy read back first:
# the larger the limit, the more that costs them). The environment variable
# MIGKAITAI_SMALL_PIPE sets another (0: always the spool; the tests use it to run the
# spool's two passes on small streams).
SMALL_PIPE = 8 << 20


_COPY = 1 << 20  # bytes copied at a time (MigrationStream._small_pipe)


class _Replay(io.RawIOBase):
    """What a file holds from its position on, then the rest of `src`."""

    def __init__(self, copy: Any, src: Any) -> None:
        super().__init__()
        self.copy = copy
        self.src = src

    def readable(self) -> bool:
        return True

    def read(self, n: int | None = -1) -> bytes:
        if self.copy is not None:
            data: bytes = self.copy.read(_COPY if n is None or n < 0 else n)
            if data:
                return data
            self.copy.close()
            self.copy = None
        return self.src.read(-1 if n is None else n)  # type: ignore[no-any-return]

    def close(self) -> None:
        if self.copy is not None:
            self.copy.close()
            self.copy = None
        super().close()


class _Failing(io.RawIOBase):
    """A source whose next read raises `error` (what a failed read raised)."""

    def __init__(self, error: Exception) -> None:
        super().__init__()
        self.error = error

    def readable(self) -> bool:
        return True

    def read(self, n: int | None = -1) -> bytes:
        raise self.error


def _seekable_file(f: Any) -> bool:
    try:
        return bool(f.seekable()) and stat.S_ISREG(os.fstat(f.fileno()).st_mode)
    except (AttributeError, OSError, ValueError):
        return False


def open(source: str | os.PathLike[str] | BinaryIO, *,  # noqa: A001 - the API's entry point
         description: str | None = None, offset: int | None = None,
         channels: list[str] | None = None,
         progress: Callable[[int, int | None], object] | None = None,
         spool_limit: int | None = None,
         description_limit: int | None = None,
         snapshot: str | None = None) -> MigrationStream:
    """Open a migration stream: a path, "-" or a binary file object (see MigrationStream)."""
    return MigrationStream(source, description=description, offset=offset, channels=channels,
                           progress=progress, spool_limit=spool_limit,
                           description_limit=description_limit, snapshot=snapshot)
