#!/usr/bin/env python3
"""Record real "source stream -> destination QEMU" pairs (stdlib only).

For every pair in PAIRS (see pairs.py beside this file):

1. the source QEMU is started paused (-S) with its command line and
   migrated with `migrate "exec:cat > FILE"`; the stream is saved as
   NAME.src.mig.xz;
2. the destination binary writes its vmstate schema with
   `-machine M -dump-vmstate FILE` -> dump-VER-M.json.xz (shared);
3. the destination QEMU, started paused with its own exact command line
   (no -incoming), is migrated the same way -> dest-ID.mig.xz (shared
   between pairs with the same destination binary and command line);
4. the destination is started with its command line plus
   `-incoming defer`, `migrate-incoming exec:cat /tmp/STREAM` is sent and
   query-migrate is polled until completed/failed or the process exits
   (30 s timeout).  Outcome, exit code and stderr are recorded.

MANIFEST.json and MANIFEST.md are written at the end.

QEMU 7.2 runs on the host; 10.0 and 11.1 run inside Debian chroots
(`chroot DIR qemu-system-x86_64 ...`), paths as seen by QEMU are /tmp/...

  checkpairs.py [--out DIR] [--work DIR] [--only NAME ...] [--keep]

Environment: TRIXIE (QEMU 10.0 chroot, default /tmp/migcorpus/trixie),
SID (QEMU 11.1 chroot, default /tmp/migcorpus/sid).
"""
import argparse
import json
import lzma
import os
import re
import shutil
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True
sys.path.insert(0, HERE)
from pairs import PAIRS, FILES, BIOS, NOTES  # noqa: E402

QEMU = "qemu-system-x86_64"
ROOTS = {
    "7.2": None,
    "10.0": os.environ.get("TRIXIE", "/tmp/migcorpus/trixie"),
    "11.1": os.environ.get("SID", "/tmp/migcorpus/sid"),
}
QMP_SOCK = "/tmp/migcheck-qmp.sock"           # path as seen by QEMU
# added in front of the guest's own args for every run (documented in
# the manifest as "harness_args")
HARNESS = ["-S", "-qmp", "unix:%s,server=on,wait=off" % QMP_SOCK]
INCOMING = ["-incoming", "defer"]
TIMEOUT = 30.0

# stderr lines clearly unrelated to migration (kept in "stderr" anyway)
NOISE = [
    re.compile(r"warning: Machine type '[^']*' is deprecated"),
    re.compile(r"warning: nic \S+ has no peer$"),
]


def host_path(ver, inner):
    root = ROOTS[ver]
    return inner if root is None else os.path.join(root, inner.lstrip("/"))


def argv(ver, args):
    root = ROOTS[ver]
    return (["chroot", root] if root else []) + [QEMU] + list(args)


_versions = {}


def qemu_version(ver):
    if ver not in _versions:
        out = subprocess.run(argv(ver, ["--version"]), capture_output=True,
                             text=True, check=True).stdout.splitlines()[0]
        m = re.match(r"QEMU emulator version (\S+)(?: \((.*)\))?", out)
        _versions[ver] = {"qemu": m.group(1), "package": m.group(2) or ""}
    return _versions[ver]


class QMP:
    def __init__(self, path, proc, timeout=20):
        deadline = time.time() + timeout
        while True:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                s.connect(path)
                break
            except OSError:
                s.close()
                if proc.poll() is not None:
                    raise EOFError("QEMU exited before QMP was up")
                if time.time() > deadline:
                    raise
                time.sleep(0.05)
        self.sock = s
        self.f = s.makefile("rwb")
        self.greeting = self._recv()
        self.cmd("qmp_capabilities")

    def _recv(self):
        while True:
            line = self.f.readline()
            if not line:
                raise EOFError("QMP connection closed")
            r = json.loads(line)
            if "event" not in r:
                return r

    def cmd(self, name, **args):
        msg = {"execute": name}
        if args:
            msg["arguments"] = args
        self.f.write(json.dumps(msg).encode() + b"\n")
        self.f.flush()
        r = self._recv()
        if "error" in r:
            raise RuntimeError("QMP %s: %s" % (name, r["error"]))
        return r.get("return")

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


class Guest:
    def __init__(self, ver, args, errpath):
        self.ver = ver
        self.sock = host_path(ver, QMP_SOCK)
        if os.path.exists(self.sock):
            os.unlink(self.sock)
        self.errpath = errpath
        self.errf = open(errpath, "wb")
        self.argv = argv(ver, HARNESS + list(args))
        self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL,
                                     stdout=self.errf, stderr=self.errf)
        self.q = None
        try:
            self.q = QMP(self.sock, self.proc)
        except EOFError:
            self.q = None

    def finish(self):
        """quit if still running; return exit code or None if we quit it"""
        exited_alone = self.proc.poll() is not None
        if not exited_alone and self.q:
            try:
                self.q.cmd("quit")
            except (EOFError, OSError, RuntimeError):
                pass
        if self.q:
            self.q.close()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.errf.close()
        if os.path.exists(self.sock):
            os.unlink(self.sock)
        return self.proc.returncode if exited_alone else None

    def stderr_lines(self):
        with open(self.errpath, "rb") as f:
            return f.read().decode("utf-8", "replace").splitlines()


def xz(src, dst):
    with open(src, "rb") as f:
        data = f.read()
    tmp = dst + ".tmp"
    subprocess.run(["xz", "-9e", "-T1", "-c"], input=data,
                   stdout=open(tmp, "wb"), check=True)
    os.replace(tmp, dst)


def record_stream(ver, args, out, work, run=None):
    """start paused, migrate exec:cat > FILE, move the stream to OUT

    run=SECONDS: `cont`, let the guest run that long, `stop`, then migrate
    """
    inner = "/tmp/migcheck-out.mig"
    hp = host_path(ver, inner)
    if os.path.exists(hp):
        os.unlink(hp)
    g = Guest(ver, args, out + ".stderr")
    if not g.q:
        g.finish()
        raise RuntimeError("QEMU %s did not start: %s" % (
            ver, "\n".join(g.stderr_lines())))
    try:
        if run:
            g.q.cmd("cont")
            time.sleep(run)
            g.q.cmd("stop")
        g.q.cmd("migrate", uri="exec:cat > %s" % inner)
        deadline = time.time() + 120
        while True:
            info = g.q.cmd("query-migrate")
            st = info.get("status")
            if st in ("completed", "failed", "cancelled"):
                break
            if time.time() > deadline:
                raise RuntimeError("source migration timed out")
            time.sleep(0.05)
        if st != "completed":
            raise RuntimeError("source migration %s: %s" % (
                st, info.get("error-desc")))
    finally:
        g.finish()
    shutil.move(hp, out)
    return out


def dump_schema(ver, machine, out):
    inner = "/tmp/migcheck-schema.json"
    hp = host_path(ver, inner)
    if os.path.exists(hp):
        os.unlink(hp)
    subprocess.run(argv(ver, ["-machine", machine, "-dump-vmstate", inner]),
                   check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    shutil.move(hp, out)


def run_incoming(ver, args, stream, work, name):
    inner = "/tmp/migcheck-%s.mig" % name
    hp = host_path(ver, inner)
    shutil.copyfile(stream, hp)
    g = Guest(ver, list(args) + INCOMING,
              os.path.join(work, name + ".incoming.stderr"))
    status = None
    error_desc = None
    timed_out = False
    try:
        if g.q:
            try:
                g.q.cmd("migrate-incoming", uri="exec:cat %s" % inner)
                deadline = time.time() + TIMEOUT
                while True:
                    info = g.q.cmd("query-migrate")
                    st = info.get("status")
                    if st:
                        status = st
                    if info.get("error-desc"):
                        error_desc = info["error-desc"]
                    if st in ("completed", "failed", "cancelled"):
                        break
                    if time.time() > deadline:
                        timed_out = True
                        break
                    time.sleep(0.05)
            except (EOFError, OSError):
                pass        # QEMU exited (the usual end of a failed load)
            except RuntimeError as e:
                error_desc = str(e)
        # give an exiting QEMU a moment to finish writing / exiting
        if status != "completed":
            try:
                g.proc.wait(timeout=3)
            except subprocess.TimeoutExpired:
                pass
    finally:
        rc = g.finish()
        os.unlink(hp)
    lines = g.stderr_lines()
    msgs = [l for l in lines if not any(n.search(l) for n in NOISE)]
    outcome = "loads" if status == "completed" else "fails"
    res = {
        "outcome": outcome,
        "exit_code": rc,
        "messages": msgs,
        "migrate_status": status if status in ("completed", "failed") else None,
        "stderr": lines,
    }
    if error_desc:
        res["error_desc"] = error_desc
    if timed_out:
        res["timed_out"] = True
    res["argv"] = g.argv
    return res


def machine_of(args):
    for i, a in enumerate(args):
        if a in ("-M", "-machine"):
            return args[i + 1].split(",")[0]
    raise ValueError("no -machine in %r" % (args,))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=HERE)
    ap.add_argument("--work", default="/tmp/migcheck-work")
    ap.add_argument("--only", action="append", default=[])
    a = ap.parse_args()
    os.makedirs(a.work, exist_ok=True)
    os.makedirs(a.out, exist_ok=True)
    # the zero BIOS (and the small guest programs), visible to every QEMU
    # at the same /tmp path
    for ver in ROOTS:
        for inner, data in FILES.items():
            with open(host_path(ver, inner), "wb") as f:
                f.write(data)

    pairs = [p for p in PAIRS if not a.only or p["name"] in a.only]
    unknown = set(a.only) - {p["name"] for p in PAIRS}
    if unknown:
        ap.error("unknown pair(s): %s" % ", ".join(sorted(unknown)))
    if not a.only:      # full run: drop files of pairs no longer listed
        for f in os.listdir(a.out):
            if (f.endswith(".src.mig.xz") or (f.startswith("dest-") and
                    f.endswith(".mig.xz")) or (f.startswith("dump-") and
                    f.endswith(".json.xz"))):
                os.unlink(os.path.join(a.out, f))
    manifest_path = os.path.join(a.out, "MANIFEST.json")
    old = {}
    if a.only and os.path.exists(manifest_path):
        old = {p["name"]: p for p in json.load(open(manifest_path))["pairs"]}
    done_dumps = {}
    done_dest = {}
    dest_errors = {}
    results = {}
    for p in pairs:
        name = p["name"]
        sver, sargs = p["src"]
        dver, dargs, did = p["dst"]
        print("== %s" % name, flush=True)
        # 1. source stream
        src_raw = os.path.join(a.work, name + ".src.mig")
        record_stream(sver, sargs, src_raw, a.work, run=p.get("run"))
        src_file = name + ".src.mig.xz"
        xz(src_raw, os.path.join(a.out, src_file))
        # 2. destination schema
        mach = machine_of(dargs)
        dump_file = "dump-%s-%s.json.xz" % (dver, mach)
        if dump_file not in done_dumps:
            raw = os.path.join(a.work, dump_file[:-3])
            dump_schema(dver, mach, raw)
            xz(raw, os.path.join(a.out, dump_file))
            done_dumps[dump_file] = True
        # 3. destination's own stream
        dest_file = "dest-%s.mig.xz" % did
        key = (dver, tuple(dargs))
        if dest_file in done_dest:
            if done_dest[dest_file] != key:
                raise ValueError("dest id %s reused for another command line"
                                 % did)
        else:
            raw = os.path.join(a.work, dest_file[:-3])
            try:
                record_stream(dver, dargs, raw, a.work)
                xz(raw, os.path.join(a.out, dest_file))
                dest_errors.pop(dest_file, None)
            except RuntimeError as e:
                # e.g. the destination has a non-migratable device
                dest_errors[dest_file] = str(e)
            done_dest[dest_file] = key
        if dest_file in dest_errors:
            print("   (destination stream not recorded: %s)"
                  % dest_errors[dest_file], flush=True)
        # 4. the real outcome
        res = run_incoming(dver, dargs, src_raw, a.work, name)
        print("   %s rc=%s %s" % (res["outcome"], res["exit_code"],
                                  " | ".join(res["messages"])), flush=True)
        sv, dv = qemu_version(sver), qemu_version(dver)
        entry = {
            "name": name,
            "category": p["category"],
            "what": p["what"],
            "source": {"qemu": sv["qemu"], "qemu_package": sv["package"],
                       "args": list(sargs), "stream": src_file},
            "destination": {"qemu": dv["qemu"], "qemu_package": dv["package"],
                            "args": list(dargs), "dump": dump_file,
                            "stream": dest_file},
        }
        for k in ("outcome", "exit_code", "messages", "migrate_status"):
            entry[k] = res[k]
        entry["stderr"] = res["stderr"]
        if "error_desc" in res:
            entry["error_desc"] = res["error_desc"]
        if "timed_out" in res:
            entry["timed_out"] = True
        if dest_file in dest_errors:
            entry["destination"]["stream"] = None
            entry["destination"]["stream_error"] = dest_errors[dest_file]
        if p.get("run"):
            entry["source"]["run_before_migrate"] = p["run"]
        if p.get("reason"):
            entry["reason"] = p["reason"]
        if p.get("expected"):
            entry["expected"] = p["expected"]
        results[name] = entry

    order = [p["name"] for p in PAIRS]
    merged = []
    for n in order:
        if n in results:
            merged.append(results[n])
        elif n in old:
            merged.append(old[n])
    manifest = {
        "about": "Real QEMU outcomes of loading a source migration stream "
                 "into a destination QEMU; regenerate with make.sh.",
        "harness_args": HARNESS,
        "harness_note": "Every QEMU run (source stream, destination stream, "
                        "incoming test) is started as BINARY HARNESS_ARGS "
                        "ARGS; the incoming test appends %s and sends "
                        "migrate-incoming uri 'exec:cat /tmp/STREAM' "
                        "(uncompressed source stream). 'messages' is QEMU's "
                        "stderr without machine-type deprecation warnings; "
                        "'stderr' is all of it. exit_code is null when QEMU "
                        "did not exit by itself (the harness sent quit)."
                        % " ".join(INCOMING),
        "bios": "%s: 65536 zero bytes (created by the recipe)" % BIOS,
        "pairs": merged,
    }
    with open(manifest_path, "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")
    write_md(manifest, os.path.join(a.out, "MANIFEST.md"))
    return 0


def write_md(manifest, path):
    L = ["# Source stream -> destination QEMU: real outcomes", "",
         "Regenerate with `./make.sh` (needs the QEMU 10.0/11.1 chroots; "
         "see the header of make.sh). Details, exact command lines and full "
         "stderr: `MANIFEST.json`.", "",
         "Every run: `qemu-system-x86_64 %s ARGS`; incoming test adds "
         "`%s` + QMP `migrate-incoming exec:cat /tmp/STREAM`."
         % (" ".join(manifest["harness_args"]), " ".join(INCOMING)), "",
         "| pair | source -> destination | what differs | outcome | QEMU's message |",
         "|---|---|---|---|---|"]
    for p in manifest["pairs"]:
        s, d = p["source"], p["destination"]
        sm = machine_of(s["args"])
        dm = machine_of(d["args"])
        msg = "<br>".join("`%s`" % m.replace("|", "\\|") for m in p["messages"])
        out = p["outcome"]
        if p["exit_code"] is not None:
            out += " (exit %d)" % p["exit_code"]
        L.append("| %s | %s `%s` -> %s `%s` | %s | %s | %s |" % (
            p["name"], s["qemu"], sm, d["qemu"], dm, p["what"], out, msg))
    L.append("")
    L.append("Files per pair: `NAME.src.mig.xz` (source stream), "
             "`dump-VER-MACHINE.json.xz` (destination's `-dump-vmstate`), "
             "`dest-ID.mig.xz` (destination's own stream).")
    L.append("")
    if NOTES:
        L.append(NOTES.strip())
        L.append("")
    with open(path, "w") as f:
        f.write("\n".join(L))


if __name__ == "__main__":
    sys.exit(main())
