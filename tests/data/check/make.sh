#!/bin/bash
# Regenerate the "source stream -> destination QEMU" pairs in this folder:
# NAME.src.mig.xz, dest-ID.mig.xz, dump-VER-MACHINE.json.xz, MANIFEST.json,
# MANIFEST.md.  The pairs are listed in pairs.py; checkpairs.py (stdlib only)
# drives QEMU over QMP.
#
# QEMU 7.2 is the host's /usr/bin/qemu-system-x86_64 (Debian bookworm);
# QEMU 10.0 runs in a Debian trixie chroot, QEMU 11.1 in a Debian sid chroot
# (debootstrap --variant=minbase + qemu-system-x86), as
# `chroot DIR qemu-system-x86_64 ...` (made here when missing); files QEMU sees as /tmp/X live in
# DIR/tmp/X.  The zero BIOS (/tmp/bios-zero64k.bin) and the small guest
# program (/tmp/pic-ltim.bin) are written into every root by checkpairs.py.
# Streams are not bit-reproducible (clocks, timers).  Needs root.
#
#   ./make.sh                                  # all pairs
#   ./make.sh --only NAME [--only NAME ...]    # some pairs (others kept)
#   TRIXIE=/x SID=/y WORK=/w ./make.sh
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
export TRIXIE=${TRIXIE:-/tmp/migcorpus/trixie}
export SID=${SID:-/tmp/migcorpus/sid}
WORK=${WORK:-/tmp/migcheck-work}

MIRROR=${MIRROR:-http://deb.debian.org/debian}
command -v qemu-system-x86_64 >/dev/null || apt-get install -y qemu-system-x86
command -v debootstrap >/dev/null || apt-get install -y debootstrap
setup_chroot() {   # DIR SUITE: a minimal Debian with its qemu-system-x86
    local d=$1 suite=$2
    [ -e "$d/etc/debian_version" ] || debootstrap --variant=minbase "$suite" "$d" "$MIRROR"
    mountpoint -q "$d/proc" || mount -t proc proc "$d/proc"
    mountpoint -q "$d/sys" || mount -t sysfs sys "$d/sys"
    mountpoint -q "$d/dev" || mount --bind /dev "$d/dev"
    if [ ! -x "$d/usr/bin/qemu-system-x86_64" ]; then
        chroot "$d" apt-get update
        DEBIAN_FRONTEND=noninteractive chroot "$d" apt-get install -y \
            --no-install-recommends qemu-system-x86
    fi
}
setup_chroot "$TRIXIE" trixie
setup_chroot "$SID" sid
qemu-system-x86_64 --version | head -1
chroot "$TRIXIE" qemu-system-x86_64 --version | head -1
chroot "$SID" qemu-system-x86_64 --version | head -1

python3 "$HERE/checkpairs.py" --out "$HERE" --work "$WORK" "$@"
du -sh "$HERE"
