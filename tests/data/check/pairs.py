"""The pairs recorded by checkpairs.py.

Each pair: name, what (one sentence), src = (QEMU version, args),
dst = (QEMU version, args, dest-id), optional run = seconds the source
guest runs (`cont` ... `stop`) before it is migrated.  dest-id names the
shared destination stream dest-ID.mig.xz (same version + same args ->
same id).  Versions: "7.2" (host), "10.0" (TRIXIE chroot), "11.1" (SID
chroot).
"""

BIOS = "/tmp/bios-zero64k.bin"   # 64 KiB of zeros, same path in every root

# Real-mode program loaded (by -device loader) at 0xffffffd0, i.e. just
# below the reset vector, on top of the zero BIOS.  It writes the master
# i8259's ICW1 with the LTIM bit (level-triggered mode, bit 3) set and
# halts:
#   mov al,0x19; out 0x20,al     ICW1: init | LTIM | ICW4 needed
#   mov al,0x08; out 0x21,al     ICW2: vector base 8
#   mov al,0x04; out 0x21,al     ICW3: slave on IR2
#   mov al,0x01; out 0x21,al     ICW4: 8086 mode
#   cli; hlt; jmp $-2 (back to cli)
# At 0xfffffff0 (the reset vector, offset 32 here): jmp short to
# 0xffffffd0.  QEMU >= 8.0 then sends the i8259 subsection "i8259/ltim".
PIC_LTIM_PROG = "/tmp/pic-ltim.bin"
_code = bytes([0xB0, 0x19, 0xE6, 0x20, 0xB0, 0x08, 0xE6, 0x21,
               0xB0, 0x04, 0xE6, 0x21, 0xB0, 0x01, 0xE6, 0x21,
               0xFA, 0xF4, 0xEB, 0xFC])
_prog = _code.ljust(32, b"\0") + bytes([0xEB, 0xDE])
FILES = {
    BIOS: bytes(65536),
    PIC_LTIM_PROG: _prog.ljust(48, b"\0"),
}
PIC_LTIM_LOADER = ["-device", "loader,file=%s,addr=0xffffffd0,force-raw=on"
                   % PIC_LTIM_PROG]


def g(machine, *extra, m=64):
    """a tiny guest: TCG, no default devices, zero BIOS"""
    return ["-nodefaults", "-display", "none", "-serial", "none",
            "-accel", "tcg", "-machine", machine, "-m", str(m),
            "-bios", BIOS] + list(extra)


RNG = ["-device", "virtio-rng-pci"]
ESP = ["-device", "am53c974"]
ISAVGA = ["-device", "isa-vga"]
NVME = ["-drive", "if=none,id=nv0,driver=null-co,size=1M",
        "-device", "nvme,drive=nv0,serial=check0"]
E1000E = ["-device", "e1000e,romfile="]

PAIRS = [
    # --- same version, same command line
    dict(name="same-7.2-pc",
         category="same",
         what="Identical QEMU 7.2 and command line (-machine pc) on both sides.",
         src=("7.2", g("pc")),
         dst=("7.2", g("pc"), "7.2-pc")),
    # --- forward
    dict(name="fwd-7.2-to-10.0-i440fx-7.2",
         category="forward",
         what="Forward migration QEMU 7.2 -> 10.0, same machine type pc-i440fx-7.2.",
         src=("7.2", g("pc-i440fx-7.2")),
         dst=("10.0", g("pc-i440fx-7.2"), "10.0-i440fx-7.2")),
    dict(name="fwd-7.2-to-11.1-q35-7.2",
         category="forward",
         what="Forward migration QEMU 7.2 -> 11.1, same machine type pc-q35-7.2.",
         src=("7.2", g("pc-q35-7.2")),
         dst=("11.1", g("pc-q35-7.2"), "11.1-q35-7.2")),
    dict(name="fwd-10.0-to-11.1-q35-10.0",
         category="forward",
         what="Forward migration QEMU 10.0 -> 11.1, same machine type pc-q35-10.0.",
         src=("10.0", g("pc-q35-10.0")),
         dst=("11.1", g("pc-q35-10.0"), "11.1-q35-10.0")),
    # --- backward
    dict(name="back-11.1-to-10.0-q35-10.0",
         category="backward",
         what="Backward migration QEMU 11.1 -> 10.0, same machine type pc-q35-10.0.",
         src=("11.1", g("pc-q35-10.0")),
         dst=("10.0", g("pc-q35-10.0"), "10.0-q35-10.0")),
    dict(name="back-10.0-to-7.2-i440fx-7.2",
         category="backward",
         what="Backward migration QEMU 10.0 -> 7.2, same machine type pc-i440fx-7.2.",
         src=("10.0", g("pc-i440fx-7.2")),
         dst=("7.2", g("pc-i440fx-7.2"), "7.2-i440fx-7.2")),
    # --- machine type differs
    dict(name="machine-10.0-q35-to-7.2-q35",
         category="machine-type",
         what="Backward QEMU 10.0 -> 7.2 with -machine q35 on both sides, "
              "i.e. pc-q35-10.0 -> pc-q35-7.2.",
         src=("10.0", g("q35")),
         dst=("7.2", g("q35"), "7.2-q35")),
    dict(name="machine-7.2-pc-to-q35",
         category="machine-type",
         what="Same QEMU 7.2, source -machine pc (i440fx), destination -machine q35.",
         src=("7.2", g("pc")),
         dst=("7.2", g("q35"), "7.2-q35")),
    # --- devices
    dict(name="device-removed-7.2-virtio-rng",
         category="device",
         what="Same QEMU 7.2 -machine pc; the source has a virtio-rng-pci the "
              "destination lacks.",
         src=("7.2", g("pc", *RNG)),
         dst=("7.2", g("pc"), "7.2-pc")),
    dict(name="device-added-7.2-virtio-rng",
         category="device",
         what="Same QEMU 7.2 -machine pc; only the destination has a "
              "virtio-rng-pci.",
         src=("7.2", g("pc")),
         dst=("7.2", g("pc", *RNG), "7.2-pc-rng")),
    # --- CPU model
    dict(name="cpu-7.2-qemu64-to-max",
         category="cpu-model",
         what="Same QEMU 7.2 -machine pc; -cpu qemu64 on the source, -cpu max "
              "on the destination.",
         src=("7.2", g("pc", "-cpu", "qemu64")),
         dst=("7.2", g("pc", "-cpu", "max"), "7.2-pc-max")),
    dict(name="cpu-7.2-max-to-qemu64",
         category="cpu-model",
         what="Same QEMU 7.2 -machine pc; -cpu max on the source, -cpu qemu64 "
              "on the destination.",
         src=("7.2", g("pc", "-cpu", "max")),
         dst=("7.2", g("pc", "-cpu", "qemu64"), "7.2-pc-qemu64")),
    # --- RAM size
    dict(name="ram-7.2-64-to-128",
         category="ram-size",
         what="Same QEMU 7.2 -machine pc; -m 64 on the source, -m 128 on the "
              "destination.",
         src=("7.2", g("pc")),
         dst=("7.2", g("pc", m=128), "7.2-pc-m128")),
    dict(name="ram-7.2-128-to-64",
         category="ram-size",
         what="Same QEMU 7.2 -machine pc; -m 128 on the source, -m 64 on the "
              "destination.",
         src=("7.2", g("pc", m=128)),
         dst=("7.2", g("pc"), "7.2-pc")),
    # --- vCPU count
    dict(name="smp-7.2-2-to-1",
         category="smp",
         what="Same QEMU 7.2 -machine pc; -smp 2 on the source, -smp 1 on the "
              "destination.",
         src=("7.2", g("pc", "-smp", "2")),
         dst=("7.2", g("pc", "-smp", "1"), "7.2-pc-smp1")),
    dict(name="smp-7.2-1-to-2",
         category="smp",
         what="Same QEMU 7.2 -machine pc; -smp 1 on the source, -smp 2 on the "
              "destination.",
         src=("7.2", g("pc", "-smp", "1")),
         dst=("7.2", g("pc", "-smp", "2"), "7.2-pc-smp2")),
    # --- vmstate-level differences (same machine type, same devices)
    dict(name="subsection-10.0-to-7.2-pic-ltim",
         category="vmstate-subsection",
         what="QEMU 10.0 -> 7.2, pc-i440fx-7.2 on both sides; the source guest "
              "ran a tiny program that set the i8259 LTIM bit, so 10.0 sends "
              "the subsection i8259/ltim, which 7.2 does not know.",
         src=("10.0", g("pc-i440fx-7.2", *PIC_LTIM_LOADER)),
         run=0.5,
         dst=("7.2", g("pc-i440fx-7.2"), "7.2-i440fx-7.2")),
    dict(name="subsection-11.1-to-10.0-pic-ltim",
         category="vmstate-subsection",
         what="QEMU 11.1 -> 10.0, pc-q35-10.0 on both sides; the source guest "
              "set the i8259 LTIM bit (subsection i8259/ltim, known to both).",
         src=("11.1", g("pc-q35-10.0", *PIC_LTIM_LOADER)),
         run=0.5,
         dst=("10.0", g("pc-q35-10.0"), "10.0-q35-10.0")),
    dict(name="fields-10.0-to-7.2-esp",
         category="vmstate-fields",
         what="QEMU 10.0 -> 7.2, pc-i440fx-7.2 and an am53c974 SCSI "
              "controller on both sides; the nested esp struct is version 7 on "
              "10.0 and 6 on 7.2: field names differ (data_ready/drq_state vs "
              "data_in_ready/ti_cmd) but the byte layout has the same length.",
         src=("10.0", g("pc-i440fx-7.2", *ESP)),
         dst=("7.2", g("pc-i440fx-7.2", *ESP), "7.2-i440fx-7.2-esp")),
    dict(name="fields-11.1-to-7.2-esp",
         category="vmstate-fields",
         what="QEMU 11.1 -> 7.2, pc-i440fx-7.2 and an am53c974 on both sides; "
              "nested esp struct version 8 (11.1: ..., lun, drq_state, asc_mode; "
              "117 bytes) vs 6 (7.2: ..., ti_cmd, lun; 116 bytes).",
         src=("11.1", g("pc-i440fx-7.2", *ESP)),
         dst=("7.2", g("pc-i440fx-7.2", *ESP), "7.2-i440fx-7.2-esp")),
    dict(name="fields-7.2-to-11.1-esp",
         category="vmstate-fields",
         what="QEMU 7.2 -> 11.1, pc-i440fx-7.2 and an am53c974 on both sides; "
              "nested esp struct version 6 (7.2) vs 8 (11.1): 11.1 expects one "
              "byte more.",
         src=("7.2", g("pc-i440fx-7.2", *ESP)),
         dst=("11.1", g("pc-i440fx-7.2", *ESP), "11.1-i440fx-7.2-esp")),
    dict(name="fields-11.1-to-10.0-esp",
         category="vmstate-fields",
         what="QEMU 11.1 -> 10.0, pc-q35-10.0 and an am53c974 on both sides; "
              "nested esp struct version 8 (11.1, adds asc_mode) vs 7 (10.0): "
              "11.1 sends one byte more.",
         src=("11.1", g("pc-q35-10.0", *ESP)),
         dst=("10.0", g("pc-q35-10.0", *ESP), "10.0-q35-10.0-esp")),
    dict(name="fields-10.0-to-7.2-e1000e",
         category="vmstate-fields",
         what="QEMU 10.0 -> 7.2, pc-q35-7.2 and an e1000e on both sides; the "
              "e1000e field list changed (itr/eitr_intr_pending became unused "
              "bytes of the same size; core.timadj is not sent for "
              "pc-q35-7.2).",
         src=("10.0", g("pc-q35-7.2", *E1000E)),
         dst=("7.2", g("pc-q35-7.2", *E1000E), "7.2-q35-7.2-e1000e")),
    dict(name="rename-11.1-to-7.2-isa-vga",
         category="vmstate-section-name",
         what="QEMU 11.1 -> 7.2, pc-i440fx-7.2 and isa-vga on both sides; "
              "11.1's isa-vga section is 'vga-isa' v1 (wrapping 'vga'), 7.2's "
              "is 'vga' v2.",
         src=("11.1", g("pc-i440fx-7.2", *ISAVGA)),
         dst=("7.2", g("pc-i440fx-7.2", *ISAVGA), "7.2-i440fx-7.2-isavga")),
    dict(name="rename-7.2-to-11.1-isa-vga",
         category="vmstate-section-name",
         what="QEMU 7.2 -> 11.1, pc-i440fx-7.2 and isa-vga on both sides; "
              "7.2 sends section 'vga' v2, 11.1 expects 'vga-isa' v1.",
         src=("7.2", g("pc-i440fx-7.2", *ISAVGA)),
         dst=("11.1", g("pc-i440fx-7.2", *ISAVGA), "11.1-i440fx-7.2-isavga")),
    dict(name="unmigratable-11.1-to-7.2-nvme",
         category="unmigratable-device",
         what="QEMU 11.1 -> 7.2, pc-i440fx-7.2 and an nvme on both sides; "
              "11.1's nvme has vmstate version 1, 7.2's nvme is unmigratable "
              "(version 0).",
         src=("11.1", g("pc-i440fx-7.2", *NVME)),
         dst=("7.2", g("pc-i440fx-7.2", *NVME), "7.2-i440fx-7.2-nvme")),
    dict(name="cpu-max-11.1-to-7.2",
         category="cpu-model",
         what="QEMU 11.1 -> 7.2, pc-i440fx-7.2 and -cpu max on both sides.",
         src=("11.1", g("pc-i440fx-7.2", "-cpu", "max")),
         dst=("7.2", g("pc-i440fx-7.2", "-cpu", "max"), "7.2-i440fx-7.2-max")),
]

NOTES = """
## Notes

- Outcomes were recorded with TCG (`-accel tcg`), guests paused (`-S`)
  except the two `*-pic-ltim` sources, which ran 0.5 s (a 48-byte
  real-mode program, /tmp/pic-ltim.bin, loaded below the reset vector by
  `-device loader`: ICW1 with LTIM, then cli/hlt), were stopped and then
  migrated.  The destination never has the loader (it has no state).
- Real vmstate failures (not machine type, not a missing device):
  `subsection-10.0-to-7.2-pic-ltim` (unknown subsection i8259/ltim: QEMU
  prints no subsection name, only the device and ENOENT),
  `fields-11.1-to-7.2-esp`, `fields-7.2-to-11.1-esp`,
  `fields-11.1-to-10.0-esp` (nested esp struct of another length: "Missing
  section footer").  Related: `rename-*-isa-vga` (11.x renamed the isa-vga
  section from `vga` v2 to `vga-isa` v1) and `unmigratable-11.1-to-7.2-nvme`
  (7.2's nvme blocks any incoming migration; its own stream cannot be
  recorded, so `destination.stream` is null).
- Loaded although something differs: `fields-10.0-to-7.2-esp` (esp v7 vs
  v6, same byte length), `fields-10.0-to-7.2-e1000e`,
  `subsection-11.1-to-10.0-pic-ltim`, `cpu-*` (QEMU does not compare CPU
  models), `cpu-max-11.1-to-7.2`, `device-added-*`, `smp-7.2-1-to-2`
  (the destination's second vCPU simply gets no state).
- Not found: a top-level section whose version_id was raised between 7.2,
  10.0 and 11.1 (compared `-dump-vmstate` of all three and the real
  streams of a q35 guest with ~25 devices: only nvme 0 -> 1, blocked as
  above), or a `minimum_version_id` above a real stream's version (11.1
  raised hpet to min 2 and mc146818rtc to min 3, but every QEMU sends
  versions 2 and 3).  With TCG at reset, `-cpu max` on 10.0/11.1 sends no
  CPU subsection that 7.2 lacks (new ones - cpu/msr_hwcr, cpu/fred,
  cpu/error_code, cpu/cet... - need KVM or guest state TCG cannot set).
"""
