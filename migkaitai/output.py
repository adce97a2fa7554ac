"""Output files: the folder `-x` writes into, and the sinks that write RAM and disks.

Everything written below the output folder goes through :class:`OutputDir`, which opens
and creates each path relative to a descriptor of the folder, one component at a time,
never following a symbolic link (``O_NOFOLLOW`` on every component, ``dir_fd``), and
refuses anything that is not a regular file or a folder (a FIFO would block the open, a
device would be written to). Names come from the input (RAM block idstrs, disk device
names), so :func:`safe_relative_path` escapes them, and every name a run writes is
unique: the fixed names (desc.json, state.json, the block/ folder) are reserved and a
name that collides after escaping gets a ``~N`` suffix rather than standing for two.

Failures to write (a full disk, a read-only folder, a file size limit) are
:class:`migkaitai.errors.OutputError`\\ s naming the path and the reason.

Sinks:

* :class:`RamExtractor` writes each RAM block as a sparse file of its length;
* :class:`RamMemoryDump` keeps the final content of every page sent, for `-m`;
* :class:`DiskExtractor` writes the disks of block migration under ``block/``.
"""
from __future__ import annotations

import errno
import os
import stat

from migkaitai.errors import FormatError, OutputError
from migkaitai.ram import RamBlock, xbzrle_apply

TYPE_CHECKING = False  # typing is not imported at run time (start-up cost)
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from typing import Any, TextIO

    from migkaitai.walk import BlockChunk

__all__ = ["OutputDir", "RamExtractor", "RamMemoryDump", "DiskExtractor", "PageBits",
           "safe_relative_path", "RESERVED_NAMES"]

_NAME_MAX = 255
_IOV_MAX = 1024
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_DIR_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | os.O_NOFOLLOW | _CLOEXEC
# O_NONBLOCK: opening a FIFO for writing must not wait for a reader (it is refused below).
# O_TRUNC, not a later ftruncate(0): ext4 flushes a file on close when it was truncated
# to 0 (auto_da_alloc), even an empty new one - 0.4 s per GiB written.
_FILE_FLAGS = (os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | os.O_NONBLOCK
               | _CLOEXEC)

# Names `-x` writes itself, at the top of the output folder ("block" is the folder of the
# block-migration disks): a RAM block may not take them.
RESERVED_NAMES = frozenset({"desc.json", "state.json", "domain.xml", "block"})


def safe_relative_path(name: str) -> str:
    """A relative path for a RAM block name that cannot leave the output folder.

    '/'-separated parts are kept as folders (like analyze-migration.py:
    "/rom@etc/acpi/tables" becomes "rom@etc/acpi/tables"); empty parts are dropped;
    '.', '..', NUL, control characters, '%' and '\\' are percent-escaped; a part too long
    for a file name is cut and ends with '~' and a hash of the whole part.
    """
    parts = []
    for part in name.split("/"):
        if not part:
            continue
        esc = "".join(
            f"%{ord(c):02X}" if (ord(c) < 0x20 or c in "%\\\x7f") else c for c in part)
        if esc in (".", ".."):
            esc = esc.replace(".", "%2E")
        if len(esc.encode()) > _NAME_MAX:  # too long for a file name once escaped
            import hashlib  # rarely needed: not imported at start-up

            digest = hashlib.sha256(part.encode("utf-8", "surrogateescape")).hexdigest()[:16]
            esc = esc.encode()[:_NAME_MAX - 17].decode("utf-8", "ignore") + "~" + digest
        parts.append(esc)
    return "/".join(parts) or "%00"


class OutputDir:
    """The folder a run writes into (created if missing; the folder itself may be a
    symbolic link the user chose). Paths below it are '/'-separated relative paths.

    :meth:`claim` makes a name unique within the run; :meth:`create` opens a claimed
    path for writing (created, truncated), :meth:`create_text` as text.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        try:
            os.makedirs(path, exist_ok=True)
            self.fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | _CLOEXEC)
        except OSError as e:
            raise OutputError("cannot create the output folder", path,
                              e.strerror or str(e)) from None
        self.files: dict[str, str] = {}  # claimed file -> what it holds
        self.folders: set[str] = set()

    def __enter__(self) -> OutputDir:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    def others(self) -> list[str]:
        """The entries of the folder (and of the folders this run wrote into) that this
        run did not write: another run's files, which it leaves as they are."""
        found = []
        for folder in ["", *sorted(self.folders)]:
            try:
                fd = (self.fd if not folder else
                      os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | _CLOEXEC
                              | getattr(os, "O_NOFOLLOW", 0), dir_fd=self.fd))
            except OSError:
                continue
            try:
                names = os.listdir(fd)
            except OSError:
                names = []
            finally:
                if fd != self.fd:
                    os.close(fd)
            for name in names:
                rel = f"{folder}/{name}" if folder else name
                if rel not in self.files and rel not in self.folders:
                    found.append(rel)
        return sorted(found)

    def where(self, rel: str) -> str:
        """The path of `rel` as the user would write it."""
        return os.path.join(self.path, rel)

    def claim(self, rel: str, what: str, *, reserved: bool = False) -> str:
        """Reserve `rel` for `what` and return the name to write it under: `rel`, or
        `rel~2`, `rel~3`... if another file of this run has that name. Unless `reserved`
        (the run's own fixed names), a first component among RESERVED_NAMES gets '~2'.
        A file where another file of this run needs a folder is refused."""
        parts = rel.split("/")
        if not reserved and parts[0] in RESERVED_NAMES:
            parts[0] += "~2"
        for i in range(1, len(parts)):
            folder = "/".join(parts[:i])
            if folder in self.files:
                raise OutputError(f"cannot write {what} to", self.where("/".join(parts)),
                                  f"{self.where(folder)} is the file of {self.files[folder]}")
        base = "/".join(parts)
        name, n = base, 2
        while name in self.files or name in self.folders:
            name = f"{base}~{n}"
            n += 1
        self.files[name] = what
        for i in range(1, len(parts)):
            self.folders.add("/".join(parts[:i]))
        return name

    def _folder(self, parts: list[str], rel: str, what: str) -> int:
        """A descriptor of the folder `parts` below the output folder (created as needed,
        no symbolic link followed). The caller closes it unless it is self.fd."""
        fd = self.fd
        for i, part in enumerate(parts):
            here = self.where("/".join(parts[:i + 1]))
            try:
                os.mkdir(part, 0o755, dir_fd=fd)
            except FileExistsError:
                pass
            except OSError as e:
                self._close(fd)
                raise OutputError(f"cannot create the folder for {what}:", here,
                                  e.strerror or str(e)) from None
            try:
                nfd = os.open(part, _DIR_FLAGS, dir_fd=fd)
            except OSError as e:
                self._close(fd)
                reason = e.strerror or str(e)
                if e.errno in (errno.ELOOP, errno.ENOTDIR):
                    reason = _not_folder_reason(part, fd if fd >= 0 else self.fd)
                raise OutputError(f"refusing to write {what} ({rel}) through", here,
                                  reason) from None
            self._close(fd)
            fd = nfd
        return fd

    def _close(self, fd: int) -> None:
        if fd != self.fd:
            os.close(fd)

    def create(self, rel: str, what: str) -> int:
        """Open `rel` (a claimed name) for reading and writing, created and truncated, and
        return its descriptor. Refuses a symbolic link, a FIFO or anything else that is not
        a regular file, at every component of the path."""
        parts = rel.split("/")
        folder = self._folder(parts[:-1], rel, what)
        name = parts[-1]
        path = self.where(rel)
        try:
            try:
                st = os.stat(name, dir_fd=folder, follow_symlinks=False)
            except FileNotFoundError:
                pass
            else:
                if not stat.S_ISREG(st.st_mode):
                    raise OutputError(f"refusing to write {what} to", path,
                                      f"it exists and is {_kind(st.st_mode)}")
            try:
                fd = os.open(name, _FILE_FLAGS, 0o644, dir_fd=folder)
            except OSError as e:
                reason = e.strerror or str(e)
                if e.errno == errno.ELOOP:
                    reason = "it is a symbolic link"
                raise OutputError(f"cannot write {what} to", path, reason) from None
        finally:
            self._close(folder)
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):  # replaced between the check and the open
                raise OutputError(f"refusing to write {what} to", path,
                                  f"it is {_kind(st.st_mode)}")
        except OutputError:
            os.close(fd)
            raise
        except OSError as e:
            os.close(fd)
            raise OutputError(f"cannot write {what} to", path, e.strerror or str(e)) from None
        return fd

    def create_text(self, rel: str, what: str) -> TextIO:
        """`create`, as a text file (UTF-8) to write to and close."""
        return os.fdopen(self.create(rel, what), "w", encoding="utf-8")

    def write_text(self, rel: str, what: str, write: Callable[[TextIO], object]) -> None:
        """Create `rel` and let `write` fill it; a failed write (a full disk, a file size
        limit) is an OutputError naming the file."""
        failed = None
        try:
            with self.create_text(rel, what) as f:
                write(f)
        except OSError as e:
            failed = OutputError("cannot write", self.where(rel), e.strerror or str(e))
        if failed is not None:
            raise failed

    def max_file_size(self) -> int | None:
        """The largest file this folder's file system can hold, if it says."""
        try:
            bits = os.fpathconf(self.fd, "PC_FILESIZEBITS")
        except (OSError, ValueError):
            return None
        return (1 << (bits - 1)) - 1 if bits > 0 else None


def _over_file_size_limit(length: int) -> bool:
    """Whether `length` is beyond this process's file size limit (ulimit -f)."""
    try:
        import resource  # rarely needed: not imported at start-up

        soft = resource.getrlimit(resource.RLIMIT_FSIZE)[0]
    except (ImportError, OSError, ValueError):
        return False
    return soft != resource.RLIM_INFINITY and length > soft


def _kind(mode: int) -> str:
    for test, text in ((stat.S_ISLNK, "a symbolic link"), (stat.S_ISFIFO, "a FIFO"),
                       (stat.S_ISDIR, "a folder"), (stat.S_ISSOCK, "a socket"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device")):
        if test(mode):
            return text
    return "not a regular file"


def _not_folder_reason(name: str, dir_fd: int) -> str:
    try:
        return f"it is {_kind(os.stat(name, dir_fd=dir_fd, follow_symlinks=False).st_mode)}"
    except OSError as e:
        return e.strerror or str(e)


class PageBits:
    """One bit per page of a block, allocated in 4 KiB pieces as pages are touched: a
    block that claims a huge length costs nothing until pages of it arrive."""

    _PIECE = 1 << 15  # bits per piece

    def __init__(self) -> None:
        self.pieces: dict[int, bytearray] = {}

    def get(self, n: int) -> bool:
        piece = self.pieces.get(n >> 15)
        return piece is not None and bool(piece[(n & 0x7FFF) >> 3] & (1 << (n & 7)))

    def set(self, n: int, value: bool = True) -> None:
        piece = self.pieces.get(n >> 15)
        if piece is None:
            if not value:
                return
            piece = self.pieces[n >> 15] = bytearray(self._PIECE >> 3)
        i = (n & 0x7FFF) >> 3
        if value:
            piece[i] |= 1 << (n & 7)
        else:
            piece[i] &= ~(1 << (n & 7)) & 0xFF

    def any_set(self, first: int, count: int) -> bool:
        """Whether a bit of pages first .. first + count - 1 is set (only the pieces
        allocated in that range are looked at)."""
        end = first + count
        lo, hi = first >> 15, (end - 1) >> 15
        if hi - lo >= len(self.pieces):
            keys = sorted(k for k in self.pieces if lo <= k <= hi)
        else:
            keys = [k for k in range(lo, hi + 1) if k in self.pieces]
        for key in keys:
            piece = self.pieces[key]
            i = max(first, key << 15) - (key << 15)  # bits i .. j - 1 of this piece
            j = min(end, (key + 1) << 15) - (key << 15)
            while i < j and i & 7:
                if piece[i >> 3] >> (i & 7) & 1:
                    return True
                i += 1
            while j > i and j & 7:
                j -= 1
                if piece[j >> 3] >> (j & 7) & 1:
                    return True
            if i < j and piece.count(0, i >> 3, j >> 3) != (j - i) >> 3:
                return True
        return False

    def set_range(self, first: int, count: int) -> None:
        end = first + count
        while first < end:
            if first & 7 or end - first < 8:
                self.set(first)
                first += 1
                continue
            piece = self.pieces.get(first >> 15)
            if piece is None:
                piece = self.pieces[first >> 15] = bytearray(self._PIECE >> 3)
            lo = (first & 0x7FFF) >> 3
            whole = min((end - first) >> 3, len(piece) - lo)
            piece[lo:lo + whole] = b"\xff" * whole
            first += whole << 3


def pwritev_all(fd: int, datas: list[Any], offset: int, done: int | None = None) -> None:
    """pwritev (unless `done` bytes are written already), then the rest buffer by buffer
    after a short write (a disk that fills up part-way): what stopped it (ENOSPC, EFBIG)
    is raised, not a file silently cut short."""
    if done is None:
        done = os.pwritev(fd, datas, offset)
    if done == sum(map(len, datas)):  # bytes, or memoryviews of bytes: len is their size
        return
    for data in datas:
        with memoryview(data) as view:
            if done >= view.nbytes:
                done -= view.nbytes
                offset += view.nbytes
                continue
            at, done = done, 0
            while at < view.nbytes:
                w = os.pwrite(fd, view[at:], offset + at)
                if w <= 0:
                    raise OSError(errno.EIO, "a write made no progress")
                at += w
            offset += view.nbytes


def pwrite_all(fd: int, data: Any, offset: int) -> None:
    """os.pwrite of all of `data` (see pwritev_all): one call, no list, when it is whole."""
    done = os.pwrite(fd, data, offset)
    if done != len(data):
        pwritev_all(fd, [data], offset, done)


class _Writer:
    """One thread that runs write calls in the order given (pwrite and pwritev release
    the GIL, so the kernel's copying overlaps the reading of the stream). At most DEPTH
    calls wait; the first OSError is raised (once) in the caller's thread at the next
    submit, flush or close, with the descriptor it was writing, and later calls are
    dropped."""

    DEPTH = 3

    def __init__(self) -> None:
        import queue  # -x only: not imported at start-up
        import threading

        self.queue: Any = queue.Queue(self.DEPTH)
        self.error: tuple[int, int, str] | None = None  # (fd, errno, strerror)
        self.reported = False
        self.thread = threading.Thread(target=self._run, name="migkaitai-writer", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while True:
            item = self.queue.get()
            if item is None:
                self.queue.task_done()
                return
            if self.error is None:
                try:
                    item[0](*item[1:])
                except OSError as e:
                    # kept without its traceback, which would keep the page views alive
                    self.error = (item[1], e.errno or 0, e.strerror or str(e))
            del item  # the page views it holds
            self.queue.task_done()

    def _raise(self) -> None:
        if self.error is not None and not self.reported:
            self.reported = True
            fd, code, reason = self.error
            e = OSError(code, reason)
            e.fd = fd  # type: ignore[attr-defined]
            raise e

    def submit(self, *call: Any) -> None:
        self._raise()
        self.queue.put(call)

    def flush(self) -> None:
        self.queue.join()
        self._raise()

    def close(self) -> None:
        if self.thread.is_alive():
            self.queue.put(None)
            self.thread.join()
        self._raise()


_XBZRLE_BYTES = 16 << 20  # of pages RamExtractor keeps for XBZRLE deltas


class RamExtractor:
    """Writes each RAM block to `<outdir>/<safe name>` as a sparse file of its length.

    Zero pages are holes; a zero page that replaces data written earlier (a running
    guest) is written as zeros, which takes one bit per guest page to know. XBZRLE
    deltas are applied to the page's previous content, read back from the file.

    `outdir` is an :class:`OutputDir` (or a path, for which one is made). With
    `background`, writes go through a :class:`_Writer` thread (in order), so that the
    kernel copies pages while the stream is read on; :meth:`close` waits for them.
    `on_file(rel)` is called with each file's name as it is created.
    """

    def __init__(self, outdir: OutputDir | str, page_size: int,
                 on_file: Callable[[str], object] | None = None,
                 background: bool = False) -> None:
        self.out = outdir if isinstance(outdir, OutputDir) else OutputDir(outdir)
        self._own_out = not isinstance(outdir, OutputDir)
        self.page_size = page_size
        self.on_file = on_file
        self.fds: dict[str, int] = {}
        self.rels: dict[str, str] = {}  # block name -> file written
        self.paths: dict[int, str] = {}  # descriptor -> file written (for errors)
        self.written: dict[str, PageBits] = {}  # bit per page: holds data
        self.writer = _Writer() if background else None
        # pages XBZRLE deltas apply to, kept in memory between them (a running guest's hot
        # pages get one per round), written back when evicted, replaced or at the end
        self.xpages: dict[tuple[str, int], bytearray] = {}

    def _failed(self, e: OSError, fd: int | None = None) -> OutputError:
        """The OutputError for a failed write (call after the except block that caught
        `e`, so that no page view is kept alive by its traceback)."""
        fd = getattr(e, "fd", fd)
        path = self.out.where(self.paths.get(fd, "")) if fd is not None else self.out.path
        return OutputError("cannot write", path, e.strerror or str(e))

    def _write(self, call: Callable[..., None], fd: int, data: Any, offset: int,
               queued: bool) -> None:
        failed = None
        try:
            if queued:
                assert self.writer is not None
                self.writer.submit(call, fd, data, offset)
            else:
                call(fd, data, offset)
        except OSError as e:
            failed = self._failed(e, fd)
        if failed is not None:  # (raised here: the traceback holds no page view)
            raise failed

    def _pwrite(self, fd: int, data: Any, offset: int) -> None:
        # one page: queued only behind pending writes (order), else written at once (a
        # hand-over to the thread costs more than the write)
        writer = self.writer
        self._write(pwrite_all, fd, data, offset,
                    writer is not None and bool(writer.queue.unfinished_tasks))

    def _pwritev(self, fd: int, datas: list[Any], offset: int) -> None:
        self._write(pwritev_all, fd, datas, offset, self.writer is not None)

    def _flush(self) -> None:
        failed = None
        try:
            if self.writer is not None:
                self.writer.flush()
        except OSError as e:
            failed = self._failed(e)
        if failed is not None:
            raise failed

    def block(self, block: RamBlock) -> None:
        what = f"RAM block '{block.name}'"
        limit = self.out.max_file_size()
        if limit is not None and block.length > limit:
            raise FormatError(f"RAM block '{block.name}' claims 0x{block.length:x} bytes, "
                              f"more than a file can hold (0x{limit:x} bytes)",
                              offset=block.offset)
        rel = self.rels.get(block.name)
        if rel is None:
            rel = self.rels[block.name] = self.out.claim(safe_relative_path(block.name), what)
        old = self.fds.pop(block.name, None)
        if old is not None:  # announced again (a second MEM_SIZE): the same file anew
            for key in [k for k in self.xpages if k[0] == block.name]:
                del self.xpages[key]
            self._flush()
            os.close(old)
            del self.paths[old]
        fd = self.out.create(rel, what)
        self.fds[block.name] = fd
        self.paths[fd] = rel
        failed: Exception | None = None
        try:
            os.ftruncate(fd, block.length)
        except OSError as e:
            failed = self._failed(e, fd)
            if e.errno == errno.EFBIG and not _over_file_size_limit(block.length):
                # not our limit (ulimit -f) but the file system's: the claim is absurd
                failed = FormatError(f"RAM block '{block.name}' claims 0x{block.length:x} "
                                     f"bytes, more than a file can hold here ({e.strerror})",
                                     offset=block.offset)
        if failed is not None:
            raise failed
        self.written[block.name] = PageBits()
        if self.on_file:
            self.on_file(rel)

    def zero(self, block: RamBlock, addr: int, fill: int) -> None:
        if self.xpages:
            self.xpages.pop((block.name, addr), None)  # (replaced)
        n = addr // self.page_size
        bits = self.written[block.name]
        if fill == 0 and not bits.get(n):
            return  # still a hole
        bits.set(n, bool(fill))
        self._pwrite(self.fds[block.name], bytes([fill]) * self.page_size, addr)

    def page(self, block: RamBlock, addr: int, data: bytes) -> None:
        if self.xpages:
            self.xpages.pop((block.name, addr), None)  # (replaced)
        self.written[block.name].set(addr // self.page_size)
        self._pwrite(self.fds[block.name], data, addr)

    def page_run(self, block: RamBlock, addrs: range | list[int], datas: list[Any]) -> None:
        """Pages at `addrs` (a range when contiguous; else ascending or not) with their
        bodies (memoryviews): written with one pwritev per run of contiguous addresses."""
        fd = self.fds[block.name]
        bits = self.written[block.name]
        ps = self.page_size
        self._replaced(block, addrs)
        i, n = 0, len(addrs)
        if isinstance(addrs, range):
            for i in range(0, n, _IOV_MAX):
                j = min(n, i + _IOV_MAX)
                self._pwritev(fd, datas[i:j], addrs[i])
                bits.set_range(addrs[i] // ps, j - i)
            return
        while i < n:
            j = i + 1
            while j < n and j - i < _IOV_MAX and addrs[j] == addrs[j - 1] + ps:
                j += 1
            self._pwritev(fd, datas[i:j], addrs[i])
            bits.set_range(addrs[i] // ps, j - i)
            i = j

    def zero_run(self, block: RamBlock, addrs: range | list[int]) -> None:
        """Zero pages (fill 0) at `addrs`: holes, unless a page held data before."""
        bits = self.written[block.name]
        ps = self.page_size
        self._replaced(block, addrs)
        if isinstance(addrs, range) and not bits.any_set(addrs.start // ps, len(addrs)):
            return
        for addr in addrs:
            self.zero(block, addr, 0)

    def _replaced(self, block: RamBlock, addrs: range | list[int]) -> None:
        """Pages that new content replaces are no longer kept for XBZRLE."""
        xpages = self.xpages
        if xpages:
            name = block.name
            for addr in addrs:
                xpages.pop((name, addr), None)

    def xbzrle(self, block: RamBlock, addr: int, delta: bytes, offset: int) -> None:
        key = (block.name, addr)
        page = self.xpages.get(key)
        if page is None:
            fd = self.fds[block.name]
            if self.writer is not None and self.writer.queue.unfinished_tasks:
                self._flush()  # the page's previous content may still be on its way
            page = bytearray(os.pread(fd, self.page_size, addr))
            if len(self.xpages) >= max(16, _XBZRLE_BYTES // self.page_size):
                self._write_back(len(self.xpages) // 4)  # the oldest quarter
            self.xpages[key] = page
            self.written[block.name].set(addr // self.page_size)  # (holds data from now)
        try:
            xbzrle_apply(page, delta)
        except ValueError as e:
            raise FormatError(f"bad XBZRLE delta ({e})", offset=offset) from None

    def _write_back(self, n: int | None = None) -> None:
        """Write the first `n` kept XBZRLE pages (all if None) to their files."""
        xpages = self.xpages
        keys = list(xpages)[:n] if n is not None else list(xpages)
        for key in keys:
            page = xpages.pop(key)
            self._pwrite(self.fds[key[0]], page, key[1])

    def flush_pages(self) -> None:
        """Make the files hold every page so far (before they are read)."""
        self._write_back()
        self._flush()

    def close(self) -> None:
        """Wait for the writes, close the files; a write's error is raised here (or at
        the next write) when it ran in the background."""
        failed = None
        try:
            try:
                self._write_back()
            finally:
                if self.writer is not None:
                    self.writer.close()
        except OSError as e:
            failed = self._failed(e)
        finally:
            self.xpages.clear()
            for fd in self.fds.values():
                os.close(fd)
            self.fds.clear()
            if self._own_out:
                self.out.close()
        if failed is not None:
            raise failed


class RamMemoryDump:
    """RAM contents for `-m`, as analyze-migration.py lists them: one entry per page, keyed
    "<block> (0x<addr:016x>)", in order of each page's first record, with its final
    content: space-separated hex, or "Filled with 0x00" when its last record was a zero
    page. Pages go to sparse files in a temporary folder (a RamExtractor) and the order
    to a spool file, so memory stays small: two bits per guest page sent.
    """

    def __init__(self, tmpdir: str, page_size: int) -> None:
        self.extractor = RamExtractor(tmpdir, page_size)
        self.order = open(os.path.join(tmpdir, ".order"), "w+b")  # noqa: SIM115
        self.names: list[str] = []
        self.index: dict[str, int] = {}
        self.seen: dict[str, PageBits] = {}
        self.zero_last: dict[str, PageBits] = {}

    @property
    def page_size(self) -> int:
        return self.extractor.page_size

    @page_size.setter
    def page_size(self, value: int) -> None:
        self.extractor.page_size = value

    def block(self, block: RamBlock) -> None:
        self.extractor.block(block)
        if block.name not in self.index:
            self.index[block.name] = len(self.names)
            self.names.append(block.name)
        self.seen[block.name] = PageBits()
        self.zero_last[block.name] = PageBits()

    def _mark(self, block: RamBlock, addr: int, zero: bool) -> None:
        n = addr // self.page_size
        seen = self.seen[block.name]
        if not seen.get(n):
            seen.set(n)
            failed = None
            try:
                self.order.write(self.index[block.name].to_bytes(4, "big")
                                 + n.to_bytes(8, "big"))
            except OSError as e:
                failed = OutputError("cannot write", self.order.name, e.strerror or str(e))
            if failed is not None:
                raise failed
        self.zero_last[block.name].set(n, zero)

    def zero(self, block: RamBlock, addr: int, fill: int) -> None:
        self.extractor.zero(block, addr, fill)
        self._mark(block, addr, True)

    def page(self, block: RamBlock, addr: int, data: bytes) -> None:
        self.extractor.page(block, addr, data)
        self._mark(block, addr, False)

    def xbzrle(self, block: RamBlock, addr: int, delta: bytes, offset: int) -> None:
        self.extractor.xbzrle(block, addr, delta, offset)
        self._mark(block, addr, False)

    def entries(self) -> Iterator[tuple[str, str]]:
        """(key, value) for every page, in order of first appearance."""
        self.extractor.flush_pages()
        self.order.flush()
        self.order.seek(0)
        ps = self.page_size
        while True:
            chunk = self.order.read(12 * 4096)
            if not chunk:
                return
            for i in range(0, len(chunk), 12):
                name = self.names[int.from_bytes(chunk[i:i + 4], "big")]
                n = int.from_bytes(chunk[i + 4:i + 12], "big")
                key = f"{name} (0x{n * ps:016x})"
                if self.zero_last[name].get(n):
                    yield key, "Filled with 0x00"
                else:
                    data = os.pread(self.extractor.fds[name], ps, n * ps)
                    yield key, data.hex(" ")

    def close(self) -> None:
        try:
            self.extractor.close()
        finally:
            self.order.close()


DISK_CHUNK = 1 << 20  # BLK_MIG_BLOCK_SIZE


class DiskExtractor:
    """Block sink (the `block` section of block migration, QEMU before 9.1): writes each
    disk to `<outdir>/block/<device>` as a sparse file.

    Each DEVICE_BLOCK record carries 1 MiB of one disk at a sector offset; with the
    zero-blocks capability all-zero chunks come as ZERO_BLOCK records without data,
    written as holes. The stream does not say how big a disk is: the file ends where the
    last chunk ends (a disk whose size is not a multiple of 1 MiB gets the junk QEMU sent
    after its end).
    """

    def __init__(self, outdir: OutputDir | str,
                 on_file: Callable[[str], object] | None = None) -> None:
        self.out = outdir if isinstance(outdir, OutputDir) else OutputDir(outdir)
        self._own_out = not isinstance(outdir, OutputDir)
        self.on_file = on_file
        self.fds: dict[str, int] = {}
        self.rels: dict[str, str] = {}
        self.sizes: dict[str, int] = {}

    def chunk(self, chunk: BlockChunk, data: bytes | None) -> None:
        name = chunk.device or ""
        fd = self.fds.get(name)
        if fd is None:
            what = f"disk '{name}'"
            rel = self.out.claim("block/" + safe_relative_path(name), what, reserved=True)
            fd = self.out.create(rel, what)
            self.fds[name] = fd
            self.rels[name] = rel
            self.sizes[name] = 0
            if self.on_file:
                self.on_file(rel)
        offset = chunk.sector * 512
        end = offset + DISK_CHUNK
        failed = None
        try:
            if data is not None:
                pwrite_all(fd, data, offset)
            if end > self.sizes[name]:
                self.sizes[name] = end
                os.ftruncate(fd, max(end, os.fstat(fd).st_size))
            if data is None and any(os.pread(fd, DISK_CHUNK, offset)):
                pwrite_all(fd, bytes(DISK_CHUNK), offset)  # a zero chunk over data sent earlier
        except OSError as e:
            failed = OutputError("cannot write", self.out.where(self.rels[name]),
                                 e.strerror or str(e))
        if failed is not None:
            raise failed

    def close(self) -> None:
        for fd in self.fds.values():
            os.close(fd)
        self.fds.clear()
        if self._own_out:
            self.out.close()
