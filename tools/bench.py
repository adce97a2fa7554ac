#!/usr/bin/env python3
"""Time the migkaitai CLI on big real QEMU streams against `cat` and `cp` (`make bench`).

Streams (built once, cached outside the repository, reused while their recorded size and
sha256 still match):

- perf-<N>g.mig: a paused (-S) `pc` guest whose RAM is a memory-backend-file (share=off)
  over N GiB from /dev/urandom, migrated by QMP `migrate "exec:cat > FILE"` with
  max-bandwidth raised (see /work/shared/corpus/PERF-BASELINE.md). The random file is
  kept next to the stream: the extracted block `mem0` must be byte-identical to it.
- ppc64-pseries-default.mig: the corpus stream, decompressed.

migkaitai runs as users get it: the working tree installed with pip (bytecode compiled)
into a venv of the cache folder (--python PY runs `PY -m migkaitai` instead).
For each stream, on a warm page cache (the stream is first dropped from the cache and
read back: see recache), it runs `cat`, `cp`, `migkaitai -d state`,
`migkaitai -x -o DIR` and `migkaitai --format tree` (--repeat times; cp and -x twice
in a row each time: see host_memory_note) under /usr/bin/time (wall time and
peak RSS of the command alone: os.wait4 from this process would count this process's own
RSS, which the child inherits until exec), prints a table with the ratios, the checks
against the targets and the correctness checks (mem0 == random file, zero pages are holes).
On the x86 streams a "floor" row times the least a Python header walk does (TOUCH below).

Containers (--containers): the first x86 stream compressed with each format libvirt
writes (gzip, bzip2, xz, lzop, zstd at their fast levels, `FMT -dc`-able files cached
next to it) and wrapped raw in a libvirt save image header: `migkaitai -d state` of each
against its decompressor alone (`FMT -dc FILE > /dev/null`; for the raw image, against
`-d state` of the bare stream). Random RAM only has the decompressors copy stored
blocks, so the same is done (--containers-ram) on used-1g.mig, a 1 GiB guest whose RAM
is like one in use (see used_file).
Corpus streams (--corpus: XBZRLE, many devices, 4 MiB of random RAM, mapped-ram) are
timed from the file and through a pipe (`cat F | migkaitai -d state -`): the pipe at
most 1.3x the file and under 32 MiB; the XBZRLE one's -d state at 50 MB/s or more and
its -x at 25 MB/s. Device-heavy streams (--devices: a pc guest with 150, 300, 600
ich9-ahci controllers behind three pci-bridges, built with QEMU, cached): -d state and
-d desc, at most 1.5 s and 0.5 s at 600, 64 MiB, and linear in the number of devices.
Exit status 1 when a check fails, 2 on bad usage or when a stream cannot be built.

stdlib only; needs qemu-system-x86_64 (installed with apt-get when missing, as is GNU time).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import lzma
import os
import platform
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PPC64_XZ = REPO / "tests/data/corpus/other/ppc64-pseries-default.mig.xz"
GIB = 1 << 30
MIB = 1 << 20
PAGE = 4096  # x86 and ppc64 (pseries) target page size: the unit of the hole check
QEMU = "qemu-system-x86_64"
TIME = "/usr/bin/time"
RECIPE_VERSION = 1  # bump when the stream recipe below changes: cached streams get rebuilt


class BenchError(Exception):
    """A stream could not be built or a tool is missing (exit status 2)."""


# ------------------------------------------------------------------ tools


def ensure_tool(path_or_name: str, package: str) -> str:
    """Return the tool's path, installing its Debian package first when it is missing."""
    found = shutil.which(path_or_name)
    if found:
        return found
    apt = ["apt-get"] if os.geteuid() == 0 else ["sudo", "-n", "apt-get"]
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    install = apt + ["install", "-y", package]
    say(f"{path_or_name} missing: {shlex.join(install)}")
    if subprocess.run(install, env=env, check=False).returncode != 0:
        say(f"install failed, trying again after {shlex.join(apt + ['update'])}")
        subprocess.run(apt + ["update"], env=env, check=False)
        if subprocess.run(install, env=env, check=False).returncode != 0:
            raise BenchError(f"could not install {package} (for {path_or_name})")
    found = shutil.which(path_or_name)
    if not found:
        raise BenchError(f"{package} is installed but {path_or_name} is still not found")
    return found


def say(msg: str) -> None:
    print(f"bench: {msg}", file=sys.stderr, flush=True)


# ------------------------------------------------------------------ cache


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(4 * MIB):
            h.update(chunk)
    return h.hexdigest()


def meta_path(path: Path) -> Path:
    return path.with_name(path.name + ".json")


def write_meta(path: Path, sha256: str, recipe: dict, **extra: object) -> dict:
    st = path.stat()
    meta = {"file": path.name, "size": st.st_size, "mtime_ns": st.st_mtime_ns,
            "sha256": sha256, "recipe": recipe, **extra}
    tmp = meta_path(path).with_suffix(".tmp")
    tmp.write_text(json.dumps(meta, indent=1, sort_keys=True) + "\n")
    tmp.replace(meta_path(path))
    return meta


def cached(path: Path, recipe: dict, rehash: bool) -> dict | None:
    """The file's metadata when it is still what `recipe` built, else None (stale).

    Size is always compared; sha256 is recomputed when the mtime moved (or with --rehash).
    """
    try:
        meta = json.loads(meta_path(path).read_text())
        st = path.stat()
    except (OSError, ValueError):
        return None
    if meta.get("recipe") != recipe or meta.get("size") != st.st_size:
        return None
    if rehash or meta.get("mtime_ns") != st.st_mtime_ns:
        say(f"checking sha256 of {path}")
        if sha256_file(path) != meta.get("sha256"):
            say(f"{path}: sha256 differs from {meta_path(path).name}: rebuilding")
            return None
        meta = write_meta(path, meta["sha256"], recipe,
                          **{k: v for k, v in meta.items()
                             if k not in ("file", "size", "mtime_ns", "sha256", "recipe")})
    return meta


def random_file(path: Path, gib: int, rehash: bool) -> dict:
    """`gib` GiB from /dev/urandom at `path` (the guest RAM's backing file)."""
    recipe = {"v": RECIPE_VERSION, "kind": "urandom", "bytes": gib * GIB}
    meta = cached(path, recipe, rehash)
    if meta:
        return meta
    say(f"writing {gib} GiB from /dev/urandom to {path}")
    part = path.with_name(path.name + ".part")
    h = hashlib.sha256()
    t0 = time.perf_counter()
    with open("/dev/urandom", "rb", buffering=0) as src, open(part, "wb") as dst:
        left = gib * GIB
        while left:
            chunk = src.read(min(4 * MIB, left))
            h.update(chunk)
            dst.write(chunk)
            left -= len(chunk)
    part.replace(path)
    return write_meta(path, h.hexdigest(), recipe, seconds=round(time.perf_counter() - t0, 1))


def used_file(path: Path, gib: int, rehash: bool) -> dict:
    """`gib` GiB like the RAM of a guest in use, for the compressed-image rows (random RAM
    only shows a decompressor copying stored blocks): the regular files under /usr (sorted
    walk, each at most 8 MiB, page aligned: code, libraries, text, images) with runs of
    zero pages between them (about 40% of the pages, lengths from random.Random(1)).
    Made from this machine's /usr: the recipe names the sha256 of what it got."""
    import random

    recipe = {"v": RECIPE_VERSION, "kind": "usr-files+zero-runs", "bytes": gib * GIB}
    meta = cached(path, recipe, rehash)
    if meta:
        return meta
    say(f"writing {gib} GiB of /usr files and zero runs to {path}")
    part = path.with_name(path.name + ".part")
    h = hashlib.sha256()
    rng = random.Random(1)
    left = gib * GIB

    def put(data: bytes) -> None:
        nonlocal left
        data = data[:left]
        h.update(data)
        dst.write(data)
        left -= len(data)

    with open(part, "wb") as dst:
        while left:
            before = left
            for root, dirs, files in os.walk("/usr"):
                dirs.sort()
                for name in sorted(files):
                    p = os.path.join(root, name)
                    if not left or os.path.islink(p) or not os.path.isfile(p):
                        continue
                    try:
                        with open(p, "rb") as f:
                            data = f.read(8 * MIB)
                    except OSError:
                        continue
                    if len(data) < PAGE:
                        continue
                    put(data + bytes(-len(data) % PAGE))
                    # zero pages: 2/3 of the bytes written, on average (40% of the pages)
                    put(bytes(PAGE * rng.randint(0, 2 * len(data) * 2 // 3 // PAGE)))
            if left == before:
                raise BenchError("no readable files under /usr to fill the RAM file")
    part.replace(path)
    return write_meta(path, h.hexdigest(), recipe)


# ------------------------------------------------------------------ QMP


class QMP:
    """A minimal QMP client over a unix socket: one command at a time, events set aside."""

    def __init__(self, path: str, proc: subprocess.Popen, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while True:
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                self.sock.connect(path)
                break
            except OSError:
                self.sock.close()
                if proc.poll() is not None:
                    raise BenchError(f"QEMU exited with status {proc.returncode} "
                                     "before its QMP socket was up") from None
                if time.monotonic() > deadline:
                    raise BenchError(f"no QMP socket at {path} after {timeout} s") from None
                time.sleep(0.05)
        self.sock.settimeout(timeout)
        self.rfile = self.sock.makefile("rb")
        self.events: list[dict] = []
        greeting = self._recv()
        if "QMP" not in greeting:
            raise BenchError(f"unexpected QMP greeting: {greeting}")
        self.execute("qmp_capabilities")

    def _recv(self) -> dict:
        line = self.rfile.readline()
        if not line:
            raise EOFError("QMP connection closed")
        return json.loads(line)

    def execute(self, command: str, **arguments: object) -> object:
        msg: dict[str, object] = {"execute": command}
        if arguments:
            msg["arguments"] = arguments
        self.sock.sendall(json.dumps(msg).encode() + b"\n")
        while True:
            reply = self._recv()
            if "event" in reply:
                self.events.append(reply)
            elif "error" in reply:
                raise BenchError(f"QMP {command} failed: {reply['error']}")
            else:
                return reply.get("return")

    def close(self) -> None:
        self.rfile.close()
        self.sock.close()


def qemu_opt(value: str) -> str:
    """Escape a value inside a QEMU -object/-qmp option list (commas are doubled)."""
    return value.replace(",", ",,")


def pc_guest(gib: int, mem_path: str) -> list[str]:
    """QEMU arguments of the guest: pc, no devices, all RAM on the random file (private)."""
    return ["-display", "none", "-nodefaults", "-machine", "pc,memory-backend=mem0",
            "-m", f"{gib}G", "-object",
            f"memory-backend-file,id=mem0,size={gib}G,mem-path={qemu_opt(mem_path)},share=off"]


def x86_stream(cache: Path, gib: int, rehash: bool, used: bool = False) -> dict:
    """perf-<gib>g.mig: the migration stream of a paused pc guest with random RAM;
    used-<gib>g.mig with `used`: with RAM like a guest's in use (used_file)."""
    ram = cache / (f"used{gib}g.bin" if used else f"ram{gib}g.bin")
    ram_meta = (used_file if used else random_file)(ram, gib, rehash)
    out = cache / (f"used-{gib}g.mig" if used else f"perf-{gib}g.mig")
    recipe = {"v": RECIPE_VERSION, "kind": "qemu-x86", "argv": pc_guest(gib, "RAM"),
              "ram_sha256": ram_meta["sha256"]}
    meta = cached(out, recipe, rehash)
    if meta:
        meta["ram"] = ram
        return meta
    meta = qemu_stream(cache, out, recipe, pc_guest(gib, str(ram)), 120 + 60 * gib)
    meta["ram"] = ram
    return meta


def qemu_stream(cache: Path, out: Path, recipe: dict, guest: list[str],
                timeout: float) -> dict:
    """Start QEMU paused with `guest`, migrate it by QMP to `out` (exec:cat), check the
    stream is complete, and record its meta (recipe, sha256, QEMU's version)."""
    part = out.with_name(out.name + ".part")
    part.unlink(missing_ok=True)
    log = cache / f"{out.stem}.qemu.log"
    qemu = ensure_tool(QEMU, "qemu-system-x86")
    say(f"building {out} with QEMU (log: {log})")
    tmp = Path(tempfile.mkdtemp(prefix="migkaitai-bench-"))  # short path for the socket
    sock = str(tmp / "qmp.sock")
    argv = [qemu, "-S", *guest, "-qmp", f"unix:{qemu_opt(sock)},server=on,wait=off"]
    t0 = time.perf_counter()
    try:
        with open(log, "w") as logf:
            proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=logf, stderr=logf)
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    try:
        qmp = QMP(sock, proc)
        version = qmp.execute("query-version")
        assert isinstance(version, dict)
        q = version["qemu"]
        qemu_version = f"{q['major']}.{q['minor']}.{q['micro']} {version['package'].strip()}"
        # the default 32 MiB/s would take a minute per 2 GiB
        qmp.execute("migrate-set-parameters", **{"max-bandwidth": 100 * GIB})
        qmp.execute("migrate", uri=f"exec:cat > {shlex.quote(str(part))}")
        deadline = time.monotonic() + timeout
        while True:
            info = qmp.execute("query-migrate")
            assert isinstance(info, dict)
            if info.get("status") in ("completed", "failed", "cancelled"):
                break
            if time.monotonic() > deadline:
                raise BenchError(f"migration did not finish in time: {info}")
            time.sleep(0.1)
        if info["status"] != "completed":
            raise BenchError(f"migration {info['status']}: {info.get('error-desc')}")
        try:
            qmp.execute("quit")
        except (EOFError, OSError):
            pass
        qmp.close()
        proc.wait(60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        shutil.rmtree(tmp, ignore_errors=True)
    seconds = round(time.perf_counter() - t0, 1)
    if log.stat().st_size == 0:
        log.unlink()
    check_complete(part)
    sha = sha256_file(part)
    part.replace(out)
    return write_meta(out, sha, recipe, qemu_version=qemu_version, qemu_seconds=seconds,
                      qemu_argv=argv)


def ahci_guest(n: int) -> list[str]:
    """A pc guest (-nodefaults -m 64) with `n` ich9-ahci controllers behind three
    pci-bridges, 8 functions per slot (multifunction=on on function 0): the stream whose
    description is the work (11 MB of JSON for 600)."""
    args = ["-display", "none", "-nodefaults", "-machine", "pc", "-m", "64"]
    for b in range(3):
        args += ["-device", f"pci-bridge,id=br{b},chassis_nr={b + 1},bus=pci.0,"
                            f"addr=0x{b + 3:x}"]
    i = 0
    for b in range(3):
        for slot in range(1, 32):
            for fn in range(8):
                if i < n:
                    mf = ",multifunction=on" if fn == 0 else ""
                    args += ["-device", f"ich9-ahci,bus=br{b},addr=0x{slot:x}.{fn}{mf}"]
                    i += 1
    if i < n:
        raise BenchError(f"{n} AHCI controllers do not fit behind three bridges")
    return args


def ahci_stream(cache: Path, n: int, rehash: bool) -> dict:
    out = cache / f"ahci-{n}.mig"
    recipe = {"v": RECIPE_VERSION, "kind": "qemu-x86", "argv": ahci_guest(n)}
    return cached(out, recipe, rehash) or qemu_stream(cache, out, recipe, ahci_guest(n), 300)


# Corpus streams timed from the file and through a pipe (`cat F | migkaitai -`)
CORPUS_ROWS = ["x86/pc-running-xbzrle", "x86/pc-many-devices", "x86/pc-ram-random-4m",
               "qemu10/v10.0-x86_64-q35-mapped-ram"]


def corpus_stream(cache: Path, name: str, rehash: bool) -> dict:
    """A corpus stream, decompressed into the cache."""
    return xz_stream(cache, REPO / "tests/data/corpus" / f"{name}.mig.xz",
                     cache / f"corpus-{name.replace('/', '-')}.mig", rehash)


def xz_stream(cache: Path, src: Path, out: Path, rehash: bool) -> dict:
    """The xz-compressed repository file `src`, decompressed to `out` (cached)."""
    recipe = {"v": RECIPE_VERSION, "kind": "xz", "source": str(src.relative_to(REPO)),
              "source_sha256": sha256_file(src)}
    meta = cached(out, recipe, rehash)
    if meta:
        return meta
    say(f"decompressing {src.name} into {cache}")
    part = out.with_name(out.name + ".part")
    h = hashlib.sha256()
    with lzma.open(src) as f, open(part, "wb") as dst:
        while chunk := f.read(4 * MIB):
            h.update(chunk)
            dst.write(chunk)
    part.replace(out)
    return write_meta(out, h.hexdigest(), recipe)


def check_complete(path: Path) -> None:
    """The stream starts with QEVM and ends with its whole VMDESCRIPTION record (0x06, be32
    length, JSON): a capture cut short by the exec: child would not."""
    size = path.stat().st_size
    with open(path, "rb") as f:
        head = f.read(8)
        f.seek(max(0, size - 64 * MIB))  # (600 AHCI controllers: 11 MB of JSON)
        tail = f.read()
    at = tail.rfind(b'{"page_size"')
    ok = head[:4] == b"QEVM" and at >= 5 and tail[at - 5] == 0x06
    if ok:
        ok = int.from_bytes(tail[at - 4:at], "big") == len(tail) - at
    if ok:
        try:
            json.loads(tail[at:])
        except ValueError:
            ok = False
    if not ok:
        raise BenchError(f"{path}: not a complete stream (no QEVM header or the vmdesc JSON "
                         "at the end is cut)")


def ppc64_stream(cache: Path, rehash: bool) -> dict:
    """The ppc64 pseries corpus stream, decompressed into the cache."""
    return xz_stream(cache, PPC64_XZ, cache / "ppc64-pseries-default.mig", rehash)


def container_file(cache: Path, src: dict, fmt: str, rehash: bool) -> dict:
    """The stream `src` (meta of a cached stream) compressed with `fmt` (a bare file, as
    `FMT -c` writes it), or for "raw" wrapped in a libvirt save image: lv-raw.save's
    header, XML and padding (from the corpus), then the stream."""
    stream = cache / src["file"]
    comp, _, package = CONTAINERS[fmt]
    out = cache / (f"{stream.stem}.raw.save" if fmt == "raw" else f"{stream.name}.{fmt}")
    recipe = {"v": RECIPE_VERSION, "kind": fmt, "source_sha256": src["sha256"],
              "argv": comp or "libvirt header of " + str(LIBVIRT_XZ.relative_to(REPO))}
    meta = cached(out, recipe, rehash)
    if meta:
        return meta
    part = out.with_name(out.name + ".part")
    say(f"writing {out.name}")
    with open(part, "wb") as dst:
        if comp is None:
            with lzma.open(LIBVIRT_XZ) as lv:
                head = lv.read(92)
                data_len = int.from_bytes(head[20:24], "little")
                dst.write(head + lv.read(data_len))
            dst.flush()
            with open(stream, "rb") as f:
                shutil.copyfileobj(f, dst, 4 * MIB)
        else:
            ensure_tool(comp[0], package or comp[0])
            subprocess.run(comp + [str(stream)], stdout=dst, check=True)
    part.replace(out)
    return write_meta(out, sha256_file(out), recipe)


# ------------------------------------------------------------------ measuring


@dataclass
class Run:
    name: str
    wall: float  # seconds (best of the repeats)
    rss_kib: int  # peak RSS (largest of the repeats)
    error: str = ""
    walls: list[float] = field(default_factory=list)  # every repeat, in order


@dataclass
class Stream:
    label: str
    path: Path
    size: int
    kind: str  # "x86", "ppc64", "container:FMT", "corpus:NAME" or "devices:N"
    gib: int = 0
    ram: Path | None = None
    runs: dict[str, Run] = field(default_factory=dict)
    verify: list[tuple[str, str, bool]] = field(default_factory=list)


def timed(argv: list[str], cwd: Path) -> tuple[float, int, str]:
    """Run argv (stdout to /dev/null) under GNU time: (wall s, peak RSS KiB, error text)."""
    with tempfile.TemporaryDirectory(prefix="migkaitai-bench-") as tmp:
        rss_file = Path(tmp, "rss")
        err_file = Path(tmp, "stderr")
        with open(err_file, "wb") as err:
            t0 = time.perf_counter()
            rc = subprocess.call([TIME, "-f", "%M", "-o", str(rss_file)] + argv, cwd=cwd,
                                 stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                 stderr=err)
            wall = time.perf_counter() - t0
        text = rss_file.read_text().split()
        rss = int(text[-1]) if text and text[-1].isdigit() else 0
        error = ""
        if rc != 0:
            tail = err_file.read_bytes()[-600:].decode(errors="replace").strip()
            error = f"exit status {rc}: {tail}"
    return wall, rss, error


def install_copy(cache: Path) -> str:
    """Install the working tree into `cache`/venv as a user's `pip install` would (a
    regular install, bytecode compiled; not the editable .venv, whose import hook and
    source compilation - PYTHONDONTWRITEBYTECODE - would be timed too). Returns its
    `migkaitai` console script. The venv is made once; migkaitai is reinstalled each run
    from a clean copy of the tree (pyproject.toml, migkaitai/, generated/python/, man/)."""
    venv = cache / "venv"
    py = venv / "bin" / "python"
    pip = [str(py), "-m", "pip", "--disable-pip-version-check", "--quiet"]
    if not py.exists():
        say(f"creating {venv}")
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    # the runtime dependencies as pinned (a no-op when they are there already)
    subprocess.run(pip + ["install", "-r", str(REPO / "requirements.txt")], check=True)
    with tempfile.TemporaryDirectory(prefix="migkaitai-bench-src-") as tmp:
        src = Path(tmp, "src")
        src.mkdir()
        shutil.copy2(REPO / "pyproject.toml", src)
        skip = shutil.ignore_patterns("__pycache__", "*.pyc")
        shutil.copytree(REPO / "migkaitai", src / "migkaitai", ignore=skip)
        shutil.copytree(REPO / "generated" / "python", src / "generated" / "python", ignore=skip)
        shutil.copytree(REPO / "man", src / "man", ignore=skip)  # (the package's data-files)
        subprocess.run(pip + ["install", "--no-deps", "--force-reinstall", str(src)],
                       check=True)
    script = venv / "bin" / "migkaitai"
    if not script.exists():
        raise BenchError(f"pip did not install {script}")
    return str(script)


def warm(path: Path) -> None:
    subprocess.run(["cat", str(path)], stdout=subprocess.DEVNULL, check=True)


def uncache(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)


def recache(path: Path, cache: Path) -> None:
    """Drop the bench's other files (RAM files, other streams) from the page cache, so
    that neither `cp` nor `-x` has to reclaim memory from them first; then drop `path`
    and read it back: every stream is cached as a file that was read once (copied,
    downloaded). How a file was written decides how the kernel caches it (2 MiB folios or
    4 KiB pages), and that moves `cat` and the memory-mapped header walk alike, the walk
    by up to 3x (2 GiB stream as written by QEMU's exec:cat: -d state 0.51 s, cat 0.30 s;
    read back: 0.16 s, 0.22 s)."""
    os.sync()
    for other in cache.iterdir():
        if other.is_file() and other != path:
            uncache(other)
    uncache(path)
    warm(path)


def measure_container(s: Stream, mig: list[str], cache: Path, repeat: int) -> None:
    """A container: migkaitai -d state against the decompressor alone (raw: the bare
    stream's -d state)."""
    fmt = s.kind.split(":", 1)[1]
    decomp = CONTAINERS[fmt][1] or []
    base = (("bare", mig + ["-d", "state", str(s.ram)]) if fmt == "raw" else
            ("decomp", decomp + [str(s.path)]))
    commands = [base, ("state", mig + ["-d", "state", str(s.path)])]
    say(f"timing on {s.path.name}")
    recache(s.path, cache)
    for _ in range(repeat):
        for name, argv in commands:
            warm(s.path)
            wall, rss, error = timed(argv, cache)
            record(s, name, wall, rss, error)


def measure_small(s: Stream, mig: list[str], cache: Path, repeat: int) -> None:
    """A corpus stream (from the file, through a pipe; -x of the XBZRLE one) or a
    device-heavy one (-d state, -d desc): the stream stays cached (small files)."""
    path = str(s.path)
    if s.kind.startswith("corpus:"):
        pipe = f"cat {shlex.quote(path)} | {shlex.join(mig)} -d state -"
        xdir = cache / "x-out"
        commands: list[tuple[str, list[str]]] = [
            ("cat", ["cat", path]), ("state", mig + ["-d", "state", path]),
            ("pipe", ["sh", "-c", pipe])]
        if s.kind.endswith("xbzrle"):
            commands.append(("x", mig + ["-x", "-o", str(xdir), path]))
    else:
        commands = [("state", mig + ["-d", "state", path]), ("desc", mig + ["-d", "desc", path])]
    say(f"timing on {s.path.name}")
    recache(s.path, cache)
    for _ in range(repeat):
        for name, argv in commands:
            shutil.rmtree(cache / "x-out", ignore_errors=True)
            warm(s.path)
            wall, rss, error = timed(argv, cache)
            record(s, name, wall, rss, error)
    shutil.rmtree(cache / "x-out", ignore_errors=True)


def measure(s: Stream, mig: list[str], python: str, cache: Path, repeat: int) -> None:
    if s.kind.startswith("container:"):
        measure_container(s, mig, cache, repeat)
        return
    if s.kind.startswith(("corpus:", "devices:")):
        measure_small(s, mig, cache, repeat)
        return
    copy = cache / "copy"
    xdir = cache / "x-out"
    commands = [
        ("cat", ["cat", str(s.path)], None),
        ("cp", ["cp", str(s.path), str(copy)], lambda: copy.unlink(missing_ok=True)),
        *([("touch", [python, "-c", TOUCH, str(s.path)], None)] if s.kind == "x86" else []),
        ("state", mig + ["-d", "state", str(s.path)], None),
        ("x", mig + ["-x", "-o", str(xdir), str(s.path)],
         lambda: shutil.rmtree(xdir, ignore_errors=True)),
        ("tree", mig + ["--format", "tree", str(s.path)], None),
        *([("report", mig + ["report", "-q", "-o", str(cache / "report.html"), str(s.path)],
            None)] if s.kind == "x86" else []),
    ]
    copy.unlink(missing_ok=True)
    shutil.rmtree(xdir, ignore_errors=True)
    say(f"timing on {s.path.name}")
    recache(s.path, cache)
    for rep in range(repeat):
        for name, argv, cleanup in commands:
            # cp and -x run twice in a row: here every other big write is the slow one
            # (see host_memory_note), so each of them gets one write of either kind
            for turn in range(2 if cleanup else 1):
                os.sync()  # nothing of the previous command left to write back
                warm(s.path)  # -x and cp write as much as they read: keep the stream cached
                wall, rss, error = timed(argv, cache)  # -m imports the installed package
                if name == "x" and rep == repeat - 1 and turn == 1 and not error:
                    verify_extraction(s, xdir)  # last: it reads 2x the RAM size
                if cleanup:
                    cleanup()
                record(s, name, wall, rss, error)
    page = cache / "report.html"
    if page.exists():
        size = page.stat().st_size
        s.verify.append(("report page size", f"{size / 1e6:.2f} MB (<= 2 MB)", size <= 2e6))
        page.unlink()


def record(s: Stream, name: str, wall: float, rss: int, error: str) -> None:
    prev = s.runs.get(name)
    if prev is None:
        s.runs[name] = Run(name, wall, rss, error, [wall])
    else:
        prev.walls.append(wall)
        prev.wall = min(prev.wall, wall)
        prev.rss_kib = max(prev.rss_kib, rss)
        prev.error = prev.error or error


def nonzero_pages(path: Path) -> int:
    zero = bytes(PAGE)
    n = 0
    with open(path, "rb") as f:
        while chunk := f.read(4 * MIB):
            mv = memoryview(chunk)
            for i in range(0, len(chunk), PAGE):
                if mv[i:i + PAGE] != zero:
                    n += 1
    return n


def mapped_bytes(path: Path) -> int:
    """Bytes of `path` inside data extents (SEEK_DATA .. SEEK_HOLE): what is not a hole.
    Unlike st_blocks, it leaves out the file system's own blocks (an 8 GiB file's extent
    tree)."""
    total = pos = 0
    with open(path, "rb") as f:
        size = os.fstat(f.fileno()).st_size
        while pos < size:
            try:
                start = os.lseek(f.fileno(), pos, os.SEEK_DATA)
            except OSError:  # ENXIO: only a hole is left
                break
            pos = os.lseek(f.fileno(), start, os.SEEK_HOLE)
            total += pos - start
    return total


def verify_extraction(s: Stream, xdir: Path) -> None:
    """mem0 == the random backing file; every RAM block file allocates its data pages only."""
    if s.ram is not None:
        mem0 = xdir / "mem0"
        if not mem0.is_file():
            s.verify.append(("mem0 == random RAM file (cmp)", "no mem0 extracted", False))
        else:
            r = subprocess.run(["cmp", str(mem0), str(s.ram)], capture_output=True,
                               text=True, check=False)
            s.verify.append(("mem0 == random RAM file (cmp)",
                             "identical" if r.returncode == 0
                             else (r.stdout + r.stderr).strip()[:120], r.returncode == 0))
    apparent = mapped = data = 0
    bad: list[str] = []
    for p in sorted(xdir.rglob("*")):
        if not p.is_file() or p.parent == xdir and p.name in ("desc.json", "state.json"):
            continue
        used = mapped_bytes(p)
        pages = nonzero_pages(p)
        apparent += p.stat().st_size
        mapped += used
        data += pages * PAGE
        if used > pages * PAGE:
            bad.append(f"{p.relative_to(xdir)}: {used} bytes outside holes for {pages} "
                       f"data pages")
    detail = (f"not holes {mapped / MIB:.1f} MiB = data {data / MIB:.1f} MiB "
              f"of {apparent / MIB:.1f} MiB apparent")
    s.verify.append(("zero pages are holes (SEEK_HOLE)",
                     detail if not bad else "; ".join(bad)[:200], not bad))


# ------------------------------------------------------------------ report

LABELS = {"cat": "cat > /dev/null", "cp": "cp (then rm)", "touch": "floor: python touch",
          "state": "migkaitai -d state", "x": "migkaitai -x -o DIR",
          "tree": "migkaitai --format tree"}
RATIO = {"touch": "cat", "state": "cat", "x": "cp", "tree": "cat"}
LABELS["decomp"] = "decompressor alone"
LABELS["bare"] = "migkaitai -d state (bare)"
LABELS["pipe"] = "cat F | migkaitai -d state -"
LABELS["desc"] = "migkaitai -d desc"
LABELS["report"] = "migkaitai report"
RATIO["pipe"] = "state"

# format -> (compressor argv, decompressor argv, Debian package); "raw": a libvirt image
CONTAINERS = {
    "raw": (None, None, None),
    "gzip": (["gzip", "-1", "-c"], ["gzip", "-dc"], "gzip"),
    "bzip2": (["bzip2", "-1", "-c"], ["bzip2", "-dc"], "bzip2"),
    "xz": (["xz", "-0", "-T2", "-c"], ["xz", "-dc"], "xz-utils"),
    "lzop": (["lzop", "-1", "-c"], ["lzop", "-dc"], "lzop"),
    "zstd": (["zstd", "-1", "-T2", "-q", "-c"], ["zstd", "-dc", "-q"], "zstd"),
}
LIBVIRT_XZ = REPO / "tests/data/containers/lv-raw.save.xz"

# The least a Python header walk does (the "floor" row, not a check): map the stream,
# read one byte every 4104 bytes (one 4 KiB page record) in C-level strided slices of
# 512, give the mapped pages back 2 MiB at a time; no parsing, no validation, no output.
TOUCH = """\
import mmap, sys
with open(sys.argv[1], "rb") as f:
    m = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
mv, n, rel, step, win = memoryview(m), 0, 0, 512 * 4104, 2 << 20
for pos in range(0, len(m) - step, step):
    n += len(bytes(mv[pos + 7:pos + step:4104]))
    while pos - rel >= 2 * win:
        m.madvise(mmap.MADV_DONTNEED, rel, win)
        rel += win
"""


def ratio(s: Stream, name: str) -> float | None:
    base = s.runs.get(RATIO.get(name, ""))
    if s.kind.startswith("container:") and name == "state":
        base = s.runs.get("bare") or s.runs.get("decomp")
    run = s.runs.get(name)
    if base is None or run is None or run.error or base.error or base.wall <= 0:
        return None
    return run.wall / base.wall


def checks(s: Stream) -> list[tuple[str, str, str, bool]]:
    """(what, value, target, passed) for the targets that apply to this stream."""
    out: list[tuple[str, str, str, bool]] = []
    for run in s.runs.values():
        if run.error:
            out.append((f"{LABELS[run.name]} runs", run.error[:100], "exit status 0", False))

    def limit(name: str, value: float | None, fmt: str, target: float, strict: bool) -> None:
        what = {"state": "-d state", "x": "-x", "tree": "tree", "report": "report"}[name]
        if value is None:
            return
        ok = value < target if strict else value <= target
        unit = fmt.format(value)
        tgt = ("< " if strict else "<= ") + fmt.format(target)
        if fmt.endswith("x"):
            what += f" / {RATIO[name]}"
        elif "MiB" in fmt:
            what += " peak RSS"
        else:
            what += " wall"
        out.append((what, unit, tgt, ok))

    def rss(name: str) -> float | None:
        run = s.runs.get(name)
        return run.rss_kib / 1024 if run and not run.error else None

    if s.kind.startswith("corpus:"):
        r = ratio(s, "pipe")
        if r is not None:
            out.append(("pipe / file (-d state)", f"{r:.2f}x", "<= 1.30x", r <= 1.3))
        piped = rss("pipe")
        if piped is not None:
            out.append(("pipe peak RSS", f"{piped:.1f} MiB", "< 32 MiB", piped < 32))
        if s.kind.endswith("xbzrle"):
            for name, target in (("state", 50.0), ("x", 25.0)):
                got = s.runs.get(name)
                if got and not got.error and got.wall > 0:
                    rate = s.size / got.wall / 1e6
                    out.append((f"{LABELS[name]} rate", f"{rate:.1f} MB/s",
                                f">= {target:.0f} MB/s", rate >= target))
        return out + [(what, value, "", ok) for what, value, ok in s.verify]
    if s.kind.startswith("devices:"):
        if s.kind == "devices:600":
            for name, target in (("state", 1.5), ("desc", 0.5)):
                got = s.runs.get(name)
                if got and not got.error:
                    out.append((f"{LABELS[name]} wall", f"{got.wall:.3f} s",
                                f"<= {target} s", got.wall <= target))
        for name in ("state", "desc"):
            value = rss(name)
            if value is not None:
                out.append((f"{LABELS[name]} peak RSS", f"{value:.1f} MiB", "<= 64 MiB",
                            value <= 64))
        return out + [(what, value, "", ok) for what, value, ok in s.verify]
    if s.kind.startswith("container:"):
        what = "bare stream" if s.kind.endswith(":raw") else "decompressor"
        r = ratio(s, "state")
        if r is not None:
            out.append((f"-d state / {what}", f"{r:.2f}x",
                        "<= 1.10x" if what == "bare stream" else "<= 1.20x",
                        r <= (1.1 if what == "bare stream" else 1.2)))
        limit("state", rss("state"), "{:.1f} MiB", 32, False)
    elif s.kind == "x86":
        if s.gib >= 2:
            limit("state", ratio(s, "state"), "{:.2f}x", 1.0, False)
        limit("x", ratio(s, "x"), "{:.2f}x", 1.5, False)
        limit("state", rss("state"), "{:.1f} MiB", 32, False)
        limit("tree", rss("tree"), "{:.1f} MiB", 32, False)
        limit("x", rss("x"), "{:.1f} MiB", 64, False)
        limit("report", s.runs["report"].wall if "report" in s.runs and
              not s.runs["report"].error else None, "{:.3f} s", 2.0, False)
        limit("report", rss("report"), "{:.1f} MiB", 64, False)
    else:
        state = s.runs.get("state")
        limit("state", state.wall if state and not state.error else None, "{:.3f} s", 1.0, True)
        limit("state", rss("state"), "{:.1f} MiB", 64, True)
    out += [(what, value, "", ok) for what, value, ok in s.verify]
    return out


def linear(streams: list[Stream]) -> None:
    """Device-heavy streams: -d state's time per device at the largest count is at most
    1.2x that at the smallest (linear in the number of devices)."""
    dev = sorted((s for s in streams if s.kind.startswith("devices:")), key=lambda s: s.gib)
    if len(dev) < 2:
        return
    lo, hi = dev[0].runs.get("state"), dev[-1].runs.get("state")
    if lo is None or hi is None or lo.error or hi.error:
        return
    per_lo, per_hi = lo.wall / dev[0].gib, hi.wall / dev[-1].gib
    dev[-1].verify.append((
        f"linear: per device {per_hi * 1e3:.2f} ms at {dev[-1].gib}, {per_lo * 1e3:.2f} ms "
        f"at {dev[0].gib}", f"{per_hi / per_lo:.2f}x (<= 1.20x)", per_hi <= 1.2 * per_lo))


def report(streams: list[Stream], header: list[str]) -> int:
    lines = header + [""]
    failed = total = 0
    for s in streams:
        lines.append(f"{s.label}  ({s.size:,} bytes)")
        lines.append(f"  {'command':<26}{'wall s':>9}{'MB/s':>8}{'peak RSS':>12}  ratio")
        for name in ("cat", "cp", "touch", "decomp", "bare", "state", "pipe", "desc", "x",
                     "tree", "report"):
            run = s.runs.get(name)
            if run is None:
                continue
            r = ratio(s, name)
            vs = RATIO.get(name, "")
            if s.kind.startswith("container:") and name == "state":
                vs = "bare" if "bare" in s.runs else "decompressor"
            rtext = f"{r:.2f}x {vs}" if r is not None else ""
            if run.error:
                rtext = "FAILED: " + run.error.splitlines()[0][:60]
            mbs = s.size / run.wall / 1e6 if run.wall > 0 else 0
            lines.append(f"  {LABELS[name]:<26}{run.wall:>9.3f}{mbs:>8.0f}"
                         f"{run.rss_kib / 1024:>8.1f} MiB  {rtext}".rstrip())
        writes = [(label, s.runs[n].walls) for n, label in (("cp", "cp"), ("x", "-x"))
                  if n in s.runs and len(s.runs[n].walls) > 1]
        if writes:  # the spread that best-of hides (see host_memory_note)
            lines.append("  every run, s: " + "; ".join(
                f"{label} " + " ".join(f"{w:.2f}" for w in walls) for label, walls in writes))
        lines.append(f"  {'check':<36}{'value':>12}  {'target':<12}result")
        for what, value, target, ok in checks(s):
            total += 1
            failed += not ok
            if target:
                lines.append(f"  {what:<36}{value:>12}  {target:<12}{'PASS' if ok else 'FAIL'}")
            else:
                lines.append(f"  {what:<36}{'PASS' if ok else 'FAIL':>12}  {value}")
        lines.append("")
    lines.append(f"bench: {total - failed} of {total} checks passed"
                 + (f", {failed} FAILED" if failed else ""))
    print("\n".join(lines), flush=True)
    return 1 if failed else 0


def host_memory_note() -> str | None:
    """A line on free page reporting, when the kernel hands free memory back to the
    hypervisor (virtio-balloon). Then a write of more than the memory it keeps unreported
    (max_waiting_mib, 1 GiB here) lands partly in pages the host has to fault back in,
    and every other such write in a row is the slow one: 8 `cp`s of the 2 GiB stream in
    a row took 2.97, 0.91, 2.06, 0.93, 2.39, 1.00, 2.38, 0.87 s; with 10 s between them,
    2.65-3.26 s each. `-x` alternates the same way (0.98-1.17 s, then 1.96-3.01 s). In
    one fixed order, cp and -x each got one kind of turn: so each runs twice in a row."""
    params = Path("/sys/module/page_reporting/parameters")
    try:
        order = (params / "page_reporting_order").read_text().strip()
    except OSError:
        return None
    try:
        keep = f", up to {(params / 'max_waiting_mib').read_text().strip()} MiB kept"
    except OSError:
        keep = ""
    return (f"free page reporting: order {order}{keep}; writes into memory the host took "
            "back are slower: every other big write can be, so cp and -x run twice in a row")


def environment(qemu_version: str, python: str, cache: Path, repeat: int) -> list[str]:
    probe = subprocess.run(
        [python, "-c", ("import platform, migkaitai; "
                        "print(platform.python_version()); print(migkaitai.__file__)")],
        cwd=cache, capture_output=True, text=True, check=False).stdout.split("\n")
    pyver, module = (probe + ["?", "?"])[:2]
    rev = subprocess.run(["git", "-C", str(REPO), "describe", "--always", "--dirty"],
                         capture_output=True, text=True, check=False).stdout.strip()
    if Path(module).parent.parent == REPO:
        what = f"commit {rev or '?'} (editable)"
    elif Path(module).is_relative_to(cache):
        what = f"commit {rev or '?'}, installed in {cache / 'venv'}"
    else:
        what = f"migkaitai from {Path(module).parent} (not {REPO})"
    try:
        load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        load = "?"
    return [
        f"migkaitai bench: {what}, Python {pyver}, {qemu_version or 'no QEMU stream'}",
        f"machine: {os.cpu_count()} CPUs, {platform.machine()}, Linux {platform.release()}, "
        f"load {load} before timing; cache {cache}; "
        + (f"best of {repeat} per command (cp and -x: {2 * repeat})" if repeat > 1
           else "one run per command (cp and -x: 2)") + ", warm cache",
    ] + [note for note in [host_memory_note()] if note]


# ------------------------------------------------------------------ main


def default_cache() -> Path:
    if os.environ.get("BENCH_DIR"):
        return Path(os.environ["BENCH_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(Path.home(), ".cache")
    return Path(base, "migkaitai-bench")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="tools/bench.py", description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", default="1 2",
                   help="guest RAM sizes in GiB, space or comma separated (default: '1 2'; "
                        "'' for none; each needs ~4x its size in free disk)")
    p.add_argument("--dir", type=Path, default=None,
                   help="cache folder for streams and RAM files (default: $BENCH_DIR or "
                        "~/.cache/migkaitai-bench); never inside the repository")
    p.add_argument("--no-ppc64", action="store_true", help="skip the ppc64 corpus stream")
    p.add_argument("--repeat", type=int, default=3,
                   help="run the commands N times (cp and -x twice in a row each time) "
                        "and report each one's best time (default 3: a buffered write of "
                        "2 GiB, -x's and cp's alike, takes 0.9 to 3 s here from one run "
                        "to the next)")
    p.add_argument("--rehash", action="store_true",
                   help="verify the sha256 of every cached file (default: only when its "
                        "size or mtime changed)")
    p.add_argument("--python", default=None,
                   help="run `PYTHON -m migkaitai` instead (e.g. .venv/bin/python: the "
                        "editable install); default: the tree installed with pip in a venv "
                        "of the cache folder, as users get it")
    p.add_argument("--containers", default="raw gzip bzip2 xz lzop zstd",
                   help="formats to time on the first x86 stream, compressed or (raw) in a "
                        "libvirt image (default: all libvirt writes but sparse; '' for none)")
    p.add_argument("--containers-ram", default="random used",
                   help="the guest RAM of the streams compressed: 'random' (the first x86 "
                        "stream: stored blocks, the decompressors only copy) and 'used' (a "
                        "1 GiB guest with RAM like one in use: files from /usr and zero "
                        "runs); default both")
    p.add_argument("--corpus", default=" ".join(CORPUS_ROWS), metavar="NAMES",
                   help="corpus streams timed from the file and through a pipe ('' for "
                        "none; default: %(default)s)")
    p.add_argument("--devices", default="150 300 600", metavar="COUNTS",
                   help="device-heavy streams: a pc guest with this many ich9-ahci "
                        "controllers, built with QEMU ('' for none; default: %(default)s)")
    p.add_argument("--json", type=Path, default=None, help="also write the results here")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        sizes = [int(x) for x in args.sizes.replace(",", " ").split()]
    except ValueError:
        say(f"--sizes takes whole GiB numbers, not {args.sizes!r}")
        return 2
    if any(g < 1 for g in sizes) or args.repeat < 1:
        say("sizes and --repeat must be >= 1")
        return 2
    cache = (args.dir or default_cache()).expanduser().resolve()
    if cache == REPO or REPO in cache.parents:
        say(f"{cache} is inside the repository: use a folder outside it (--dir, BENCH_DIR)")
        return 2
    python = args.python
    if python and os.sep in python:  # the commands run in the cache folder
        python = os.path.abspath(python)
    cache.mkdir(parents=True, exist_ok=True)
    streams: list[Stream] = []
    qemu_version = ""
    try:
        ensure_tool(TIME, "time")
        # RAM file + stream when missing, a copy or an extraction while timing; 1 GiB slack
        need = sum(2 * g * GIB for g in sizes
                   if not (cache / f"perf-{g}g.mig").exists()) + max(sizes, default=0) * GIB
        free = shutil.disk_usage(cache).free
        if need + GIB > free:
            raise BenchError(f"{cache}: {free / GIB:.1f} GiB free, about "
                             f"{(need + GIB) / GIB:.1f} GiB needed for sizes {sizes}")
        for g in sizes:
            meta = x86_stream(cache, g, args.rehash)
            qemu_version = meta.get("qemu_version", qemu_version)
            streams.append(Stream(f"perf-{g}g.mig: pc, {g} GiB random RAM (QEMU)",
                                  cache / meta["file"], meta["size"], "x86", g, meta["ram"]))
        formats = args.containers.replace(",", " ").split()
        unknown = [f for f in formats if f not in CONTAINERS]
        if unknown:
            raise BenchError(f"--containers: unknown format {unknown[0]!r} "
                             f"(known: {' '.join(CONTAINERS)})")
        kinds = args.containers_ram.replace(",", " ").split()
        if any(k not in ("random", "used") for k in kinds):
            raise BenchError(f"--containers-ram: 'random' or 'used', not {args.containers_ram!r}")
        if formats and streams:
            for kind in kinds:
                if kind == "random":
                    first = streams[0]
                    src = json.loads(meta_path(first.path).read_text())
                else:
                    src = x86_stream(cache, 1, args.rehash, used=True)
                    first = Stream("", cache / src["file"], src["size"], "x86", 1)
                for fmt in formats:
                    meta = container_file(cache, src, fmt, args.rehash)
                    label = (f"{meta['file']}: libvirt save image (raw) of {first.path.name}"
                             if fmt == "raw" else f"{meta['file']}: {first.path.name}, "
                             f"{' '.join(CONTAINERS[fmt][0] or [])}")
                    streams.append(Stream(label, cache / meta["file"], meta["size"],
                                          f"container:{fmt}", first.gib, first.path))
        for name in args.corpus.replace(",", " ").split():
            if not (REPO / "tests/data/corpus" / f"{name}.mig.xz").exists():
                raise BenchError(f"--corpus: no corpus stream {name!r}")
            meta = corpus_stream(cache, name, args.rehash)
            streams.append(Stream(f"{meta['file']}: corpus stream", cache / meta["file"],
                                  meta["size"], "corpus:" + name.rsplit("-", 1)[-1]))
        for n in [int(x) for x in args.devices.replace(",", " ").split()]:
            meta = ahci_stream(cache, n, args.rehash)
            streams.append(Stream(f"{meta['file']}: pc, {n} ich9-ahci behind 3 pci-bridges "
                                  f"(QEMU)", cache / meta["file"], meta["size"],
                                  f"devices:{n}", n))
        if not args.no_ppc64:
            meta = ppc64_stream(cache, args.rehash)
            streams.append(Stream("ppc64-pseries-default.mig: corpus stream",
                                  cache / meta["file"], meta["size"], "ppc64"))
        if python:
            mig = [python, "-m", "migkaitai"]
        else:
            mig = [install_copy(cache)]
            python = str(cache / "venv" / "bin" / "python")
    except (BenchError, subprocess.CalledProcessError) as e:
        say(f"error: {e}")
        return 2
    # the commit and the load before the timing starts (the tree may change meanwhile)
    header = environment("QEMU " + qemu_version if qemu_version else "", python, cache,
                         args.repeat)
    for s in streams:
        measure(s, mig, python, cache, args.repeat)
    linear(streams)
    status = report(streams, header)
    if args.json:
        args.json.write_text(json.dumps([
            {"stream": s.path.name, "size": s.size,
             "runs": {n: {"wall": r.wall, "walls": r.walls, "rss_kib": r.rss_kib,
                          "error": r.error}
                      for n, r in s.runs.items()},
             "checks": [{"what": w, "value": v, "target": t, "pass": ok}
                        for w, v, t, ok in checks(s)]} for s in streams], indent=1) + "\n")
    return status


if __name__ == "__main__":
    sys.exit(main())
