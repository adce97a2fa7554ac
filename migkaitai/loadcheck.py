"""`migkaitai check STREAM --against DEST`: will this stream load on that QEMU?

The destination is known from two kinds of input, given alone or together:

* its schema: what ``qemu-system-ARCH -machine M -dump-vmstate FILE`` writes (QEMU's
  migration/savevm.c, dump_vmstate_json_to_file): the machine type, and for every device
  type the binary knows, its VMStateDescription - name, version_id, minimum_version_id,
  fields (name, version_id, whether a test decides if it is sent: field_exists, size)
  and subsections. It says what the binary can read, not which devices the destination's
  command line creates; sections QEMU registers outside device classes (timer,
  cpu_common, ram, ...) are not in it.
* what the destination itself describes: a stream, image or snapshot saved from it
  (started paused with its real command line), or its desc.json: which sections and
  instances exist there, at which versions, which subsections it sends, its machine type
  and RAM blocks (a stream only).

The stream is checked in its own order, as QEMU's qemu_loadvm_state reads it, and the
first failure is where QEMU would stop, with the message QEMU gives there:

* the configuration: "Configuration section missing", the machine type ("Machine type
  received is ... and local is ..."), TARGET_PAGE_BITS;
* each section: is there a handler for its name and instance ("Unknown savevm section or
  instance ..."); its version against the handler's version_id ("savevm: unsupported
  version ...") and minimum_version_id; each subsection it carries against the ones the
  destination knows, with their versions; its fields, in order, against the fields the
  destination reads at that version (a VMS_STRUCT at the destination's own version of
  it). Sizes are compared where the type fixes them. QEMU reads bytes, not names: where
  the names differ, the bytes decide, measured against the destination's own stream (a
  different count: "Missing section footer for ..."). A field that a test function
  decides on (conditional), an array sent empty and renamed fields of the same bytes are
  taken as the source sent them, and listed, never guessed;
* a device the destination cannot migrate at all (an unmigratable VMState: the schema
  shows it without fields) stops it before the first byte ("State blocked by
  non-migratable device ...");
* the RAM block list: "Unknown ramblock", a size that differs ("Size mismatch").

Verdict: "loads" (nothing fails and everything needed was known), "fails" (the first
failure, as QEMU would stop there, then the others), "unknown" (nothing fails in what was
known, but something needed was not: the verdict says what).
"""
from __future__ import annotations

import json
import os
from collections import namedtuple

from migkaitai.errors import MigkaitaiError, UsageError

TYPE_CHECKING = False  # typing is not imported at run time (start-up cost)
if TYPE_CHECKING:
    from typing import Any, TextIO

__all__ = ["check", "CheckResult", "Destination", "Finding", "EXIT_LOADS", "EXIT_FAILS",
           "EXIT_UNKNOWN"]

EXIT_LOADS, EXIT_FAILS, EXIT_UNKNOWN = 0, 1, 3

Finding = namedtuple("Finding", "kind section instance offset reason qemu")
Finding.__doc__ = """One thing QEMU would refuse (or that could not be decided).
`kind`: unmigratable, machine, configuration, page-bits, section, instance, version,
minimum-version, subsection, subsection-version, fields, ram-block, ram-length, stream,
description; `section` and
`instance` the section it is in (None for the configuration); `offset` where in the stream
QEMU would meet it; `reason` our sentence; `qemu` the message QEMU prints there: as QEMU
7.2 to 10.0 word it, then, where it differs, as QEMU 11.1 does (loading errors became
Error objects in between); empty when it cannot be told beforehand."""

# Integer types of the stream's description: their size on the wire is the size QEMU's
# schema gives (field->size), so a difference means the two read different layouts.
_FIXED = frozenset({
    "bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
    "int32 le", "int32 equal", "uint8 equal", "uint16 equal", "uint32 equal",
    "uint64 equal", "float64", "unused_buffer",
})
# Sections every QEMU registers, whatever its command line: RAM, and the global state
# (migration/global_state.c, register_global_state), which it sends only when needed
# (global_state_needed: not for a running or paused guest when the machine type allows
# it), so a destination's stream without one proves nothing.
_ALWAYS_REGISTERED = frozenset({"ram", "globalstate"})


class _Vmsd:
    """One VMStateDescription of a schema (the dump's "Description" objects)."""

    __slots__ = ("fields", "minimum_version_id", "name", "subsections", "unmigratable",
                 "version_id")

    def __init__(self, d: dict[str, Any]) -> None:
        self.name = str(d.get("name", ""))
        self.version_id = _int(d.get("version_id"))
        self.minimum_version_id = _int(d.get("minimum_version_id"))
        # dump_vmstate_vmsd writes "Fields" whenever the VMSD has a field list: only an
        # unmigratable one (.unmigratable = 1, no fields) has none
        self.unmigratable = "Fields" not in d
        raw = d.get("Fields") or []
        names = [str(f.get("field", "")) for f in raw]
        self.fields: list[tuple[str, int, bool, int, _Vmsd | None]] = []
        seen: dict[str, int] = {}
        for f, name in zip(raw, names, strict=True):
            # the name the stream's description gives it (vmsd_desc_field_start: a name
            # used more than once in the VMSD gets "[n]", n its rank among them)
            n = seen.get(name, 0)
            seen[name] = n + 1
            json_name = f"{name}[{n}]" if names.count(name) > 1 else name
            sub = f.get("Description")
            self.fields.append((json_name, _int(f.get("version_id")),
                                bool(f.get("field_exists")), _int(f.get("size")),
                                _Vmsd(sub) if isinstance(sub, dict) else None))
        self.subsections = {}
        for s in d.get("Subsections") or []:
            if isinstance(s, dict):
                v = _Vmsd(s)
                self.subsections[v.name] = v


def _unsupported(version: int, name: str, local: int) -> tuple[str, ...]:
    """QEMU's message for a section version above the handler's (savevm.c,
    qemu_loadvm_section_start_full), as 7.2-10.0 and as 11.1 word it."""
    return (f"savevm: unsupported version {version} for '{name}' v{local}",
            f"unsupported version {version} for '{name}' v{local}")


def _int(v: Any) -> int:
    return v if isinstance(v, int) and not isinstance(v, bool) else 0


class Destination:
    """What is known of the destination QEMU (see the module's doc): `schema` (VMSD name
    -> the _Vmsd of each device type that uses it), `machine`, and from its own stream or
    description `sections` ((name, instance) -> (vmsd name, version)), `live` (names of
    its iterative sections), `ram_blocks` (name -> length), `page_bits`,
    `configuration` (whether its stream has one); `sources` says what each input was."""

    def __init__(self) -> None:
        self.schema: dict[str, list[_Vmsd]] | None = None
        self.schema_machine: str | None = None
        self.described = False  # its sections are known (a stream or a desc.json)
        self.sections: dict[tuple[str, int], tuple[str | None, int | None]] = {}
        self.entries: dict[tuple[str, int], Any] = {}  # their description entries
        # VMSD name -> {subsection name: version} of the subsections its streams carry
        self.subsections: dict[str, dict[str, int]] = {}
        self.live: set[str] = set()
        self.ram_blocks: dict[str, int] | None = None
        self.stream_machine: str | None = None
        self.page_bits: int | None = None
        self.configuration: bool | None = None
        self.sources: list[str] = []
        self.notes: list[str] = []

    @property
    def machine(self) -> str | None:
        return self.stream_machine or self.schema_machine

    def add(self, source: Any, **open_kw: Any) -> None:
        """Learn from one input: a -dump-vmstate schema, a desc.json, or anything
        migkaitai.open reads."""
        doc = _json_file(source)
        if doc is not None:
            if "vmschkmachine" in doc:
                self._add_schema(doc, str(source))
            elif isinstance(doc.get("devices"), list):
                self._add_description(doc, str(source))
            else:
                raise UsageError(f"{source} is JSON but neither a -dump-vmstate schema "
                                 f"(no 'vmschkmachine') nor a stream's description "
                                 f"(no 'devices')")
            return
        facts = _stream_facts(source, **open_kw)
        if facts.error is not None:
            self.notes.append(f"the destination's stream {source} is damaged ({facts.error});"
                              f" what came before the damage is used")
        self.described = True
        self.sources.append(f"{source}: the destination's stream (sections, versions, "
                            f"machine type, RAM blocks)")
        self.stream_machine = facts.machine
        self.page_bits = facts.page_bits
        self.configuration = facts.configuration
        self.ram_blocks = {b.name: b.length for b in facts.ram_blocks}
        for s in facts.sections:
            entry = s.entry
            self.sections[(s.name, s.instance)] = (
                entry.get("vmsd_name") if entry else None, s.version)
            if entry:
                self.entries[(s.name, s.instance)] = entry
                self._subsections_of(entry)
            if s.live:
                self.live.add(s.name)

    def _subsections_of(self, entry: Any) -> None:
        """Learn the subsections a described VMSD carries (and those of its structs)."""
        table = self.subsections.setdefault(str(entry.get("vmsd_name")), {})
        for sub in entry.get("subsections") or []:
            if isinstance(sub, dict):
                table[str(sub.get("vmsd_name"))] = _int(sub.get("version"))
                self._subsections_of(sub)
        for f in entry.get("fields") or []:
            if isinstance(f, dict) and isinstance(f.get("struct"), dict):
                self._subsections_of(f["struct"])

    def _add_schema(self, doc: dict[str, Any], name: str) -> None:
        schema: dict[str, list[_Vmsd]] = self.schema or {}
        seen: dict[str, list[str]] = {}
        for key, dev in doc.items():
            if key == "vmschkmachine" or not isinstance(dev, dict):
                continue
            desc = dev.get("Description")
            if not isinstance(desc, dict):
                continue
            text = json.dumps(desc, sort_keys=True)
            vname = str(desc.get("name", ""))
            if text in seen.setdefault(vname, []):
                continue  # (several device types share one VMSD: fw_cfg, cpu, ...)
            seen[vname].append(text)
            schema.setdefault(vname, []).append(_Vmsd(desc))
        self.schema = schema
        m = doc.get("vmschkmachine")
        self.schema_machine = str(m.get("Name")) if isinstance(m, dict) else None
        self.sources.append(f"{name}: -dump-vmstate schema of {self.schema_machine} "
                            f"({len(schema)} VMState descriptions)")

    def _add_description(self, doc: dict[str, Any], name: str) -> None:
        self.described = True
        self.sources.append(f"{name}: the destination's description (sections, versions)")
        for dev in doc["devices"]:
            if isinstance(dev, dict) and isinstance(dev.get("name"), str):
                key = (dev["name"], _int(dev.get("instance_id")))
                self.sections[key] = (dev.get("vmsd_name"), dev.get("version"))
                self.entries[key] = dev
                self._subsections_of(dev)


def _json_file(source: Any) -> dict[str, Any] | None:
    """The parsed object if `source` is a path to a JSON file (maybe compressed, in any
    format migkaitai.containers reads), else None."""
    from migkaitai import containers as C

    if not isinstance(source, (str, os.PathLike)) or os.fspath(source) == "-":
        return None
    path = os.fspath(source)
    limit = 64 << 20  # (-dump-vmstate of qemu-system-x86_64: 1 MB)
    try:
        f = open(path, "rb")  # noqa: SIM115 - closed below
    except OSError as e:
        raise UsageError(f"cannot open {path}: {e.strerror}") from None
    with f:
        kind = C.sniff(f.read(16))
        f.seek(0)
        src: Any = f
        if kind is not None and kind in C.COMPRESSED.values():
            src = C.decompressing_reader(kind, f, 0, path)
        try:
            data = C.read_exactly(src, 1 << 10)
            if data.lstrip()[:1] != b"{":
                return None  # (a stream, compressed or not: migkaitai.open reads it)
            data += C.read_exactly(src, limit + 1 - len(data))
        finally:
            if src is not f:
                src.close()
    if len(data) > limit:
        raise UsageError(f"{path}: JSON larger than {limit} bytes")
    try:
        doc = json.loads(data)
    except ValueError as e:
        raise UsageError(f"{path} is not valid JSON ({e})") from None
    if not isinstance(doc, dict):
        raise UsageError(f"{path}: the JSON is not an object")
    return doc


_SectionFact = namedtuple("_SectionFact", "name instance version offset live entry")


class _Facts:
    def __init__(self) -> None:
        self.machine: str | None = None
        self.machine_offset: int | None = None
        self.start = 0  # where the stream starts (its header)
        self.configuration = False
        self.page_bits: int | None = None
        self.capabilities: list[str] = []
        self.sections: list[_SectionFact] = []
        self.ram_blocks: list[Any] = []
        self.footers = False
        self.error: str | None = None
        self.error_offset: int | None = None
        self.notes: list[str] = []
        self.described = False


def _stream_facts(source: Any, **open_kw: Any) -> _Facts:
    """One walk of a stream: its configuration, sections (with their description
    entries), RAM blocks; a fault ends the walk and is kept (what came before is used)."""
    import migkaitai
    from migkaitai import vmsd

    facts = _Facts()
    with migkaitai.open(source, **open_kw) as m:
        w = m.walker(decode_devices=False)
        facts.start = m.start or 0
        entries: dict[tuple[str, int], Any] = {}
        try:
            for rec in w.records():
                if rec.kind == "configuration":
                    conf = rec.head.configuration
                    facts.configuration = True
                    facts.machine = conf.machine_name
                    facts.machine_offset = rec.offset
                    facts.page_bits = conf.target_page_bits or None
                    for sub in conf.subsections:
                        if sub.is_present and sub.body.name == "configuration/capabilities":
                            facts.capabilities += [c.name for c in
                                                   sub.body.capabilities.capabilities]
                elif rec.kind == "section_footer":
                    facts.footers = True
                elif rec.section is not None and rec.kind in ("section_full",
                                                              "section_start"):
                    if not entries and m.description is not None and \
                            not m.description_error:
                        entries = vmsd.devices_by_key(m.description.doc)
                    sec = rec.section
                    live = rec.kind == "section_start"
                    facts.sections.append(_SectionFact(
                        sec.name, sec.instance_id, sec.version_id, rec.offset, live,
                        entries.get((sec.name, sec.instance_id))))
            problem = m.trailer_problem(w)
            if problem is not None:
                facts.notes.append(str(problem))
        except MigkaitaiError as e:
            if w.header is None or isinstance(e, UsageError):
                raise
            facts.error = str(e)
            facts.error_offset = getattr(e, "offset", None)
        facts.ram_blocks = list(w.ram.blocks.values())
        facts.described = m.description is not None and not m.description_error
        facts.notes = m._notes(w) + facts.notes
    return facts


class CheckResult:
    """What `check` predicts: `verdict` ("loads", "fails" or "unknown"), `failures`
    (Findings in stream order: the first is where QEMU stops), `unknowns` (Findings that
    could not be decided), `missing` (knowledge of the destination that was not given, and
    what it leaves unchecked), `assumptions` (conditional fields and other things taken
    as the source did them), `checked` (what was compared: counts), the source's
    `machine`, the destination's, and the notes of the walks."""

    def __init__(self) -> None:
        self.failures: list[Finding] = []
        self.unknowns: list[Finding] = []
        self.missing: list[str] = []
        self.assumptions: list[str] = []
        self.checked: dict[str, int] = {}
        self.sources: list[str] = []
        self.machine: str | None = None
        self.destination_machine: str | None = None
        self.notes: list[str] = []

    @property
    def verdict(self) -> str:
        if self.failures:
            return "fails"
        return "unknown" if self.unknowns else "loads"

    @property
    def exit_code(self) -> int:
        return {"loads": EXIT_LOADS, "fails": EXIT_FAILS}.get(self.verdict, EXIT_UNKNOWN)

    @property
    def first(self) -> Finding | None:
        """The failure QEMU would stop at."""
        return self.failures[0] if self.failures else None

    def to_json(self) -> dict[str, Any]:
        def f(x: Finding) -> dict[str, Any]:
            return {"kind": x.kind, "section": x.section, "instance": x.instance,
                    "offset": x.offset, "reason": x.reason,
                    "qemu_messages": list(x.qemu)}

        return {"verdict": self.verdict, "machine": self.machine,
                "destination_machine": self.destination_machine,
                "first_failure": f(self.failures[0]) if self.failures else None,
                "failures": [f(x) for x in self.failures],
                "unknown": [f(x) for x in self.unknowns],
                "missing_knowledge": self.missing, "assumptions": self.assumptions,
                "checked": self.checked, "destination": self.sources}

    def write_text(self, out: TextIO, name: str) -> None:
        write_check(self, out, name)


def _where(x: Finding) -> str:
    at = f" at 0x{x.offset:x}" if x.offset is not None else ""
    if x.section is None:
        if x.kind == "section":
            return "sections"
        return f"offset 0x{x.offset:x}" if x.offset is not None else "the stream"
    return f"section '{x.section}' instance {x.instance}{at}"


def write_check(r: CheckResult, out: TextIO, name: str) -> None:
    """The readable form: the verdict, QEMU's stop point and message, the rest."""
    w = out.write
    w(f"{name}: {r.verdict}\n")
    if r.machine or r.destination_machine:
        w(f"  machine type: {r.machine or 'none in the stream'} -> "
          f"{r.destination_machine or 'not known'}\n")
    first = r.first
    if first is not None:
        w(f"  QEMU stops at {_where(first)}: {first.reason}\n")
        if first.qemu:
            w(f"  QEMU says: {first.qemu[0]}\n")
        if len(first.qemu) > 1:
            w(f"  (QEMU 11.1 words it: {first.qemu[1]})\n")
        for x in r.failures[1:]:
            w(f"  also: {_where(x)}: {x.reason}\n")
    for x in r.unknowns:
        w(f"  unknown: {_where(x)}: {x.reason}\n")
    for m in r.missing:
        w(f"  not known: {m}\n")
    for a in r.assumptions:
        head, sep, items = a.partition("): ")
        listed = items.split(", ") if sep else []
        if len(listed) > 4:  # (the JSON form lists them all)
            a = f"{head}{sep}{', '.join(listed[:4])} and {len(listed) - 4} more"
        w(f"  assumed: {a}\n")
    if r.checked:
        w("  checked: " + ", ".join(f"{v} {k}" for k, v in r.checked.items()) + "\n")
    for s in r.sources:
        w(f"  destination: {s}\n")


class _Checker:
    def __init__(self, facts: _Facts, dest: Destination, result: CheckResult) -> None:
        self.facts = facts
        self.dest = dest
        self.r = result
        self.conditional: list[str] = []
        self.not_in_schema: list[str] = []  # (sections neither the schema nor a stream tells)

    def fail(self, kind: str, sec: Any, offset: int | None, reason: str,
             qemu: tuple[str, ...]) -> None:
        self.r.failures.append(Finding(kind, sec.name if sec else None,
                                       sec.instance if sec else None, offset, reason, qemu))

    def unknown(self, kind: str, sec: Any, offset: int | None, reason: str) -> None:
        self.r.unknowns.append(Finding(kind, sec.name if sec else None,
                                       sec.instance if sec else None, offset, reason, ()))

    # -- the configuration -------------------------------------------------------------

    def configuration(self) -> None:
        f, d = self.facts, self.dest
        if d.configuration and not f.configuration:
            off = f.sections[0].offset if f.sections else None
            self.fail("configuration", None, off, "the stream has no configuration "
                      "section and the destination's machine type expects one",
                      ("Configuration section missing",))
            return
        if f.configuration and d.configuration is False:
            self.fail("configuration", None, f.machine_offset,
                      "the stream has a configuration section and the destination's "
                      "machine type expects none (send-configuration off)",
                      ("Unknown savevm section type 7",))
            return
        local = d.machine
        if f.machine is not None and local is not None:
            self.r.checked["machine type"] = 1
            # configuration_post_load: strncmp(received, local, received length)
            if local[:len(f.machine)] != f.machine:
                self.fail("machine", None, f.machine_offset,
                          f"the stream's machine type {f.machine} is not the "
                          f"destination's {local}",
                          (f"Machine type received is '{f.machine}' and local is "
                           f"'{local}'",))
        elif f.machine is not None:
            self.unknown("machine", None, f.machine_offset,
                         f"the stream's machine type is {f.machine}; the destination's is "
                         f"not known")
        if f.page_bits is not None and d.page_bits is not None and \
                f.page_bits != d.page_bits:
            self.fail("page-bits", None, f.machine_offset,
                      f"the stream's target pages are 2^{f.page_bits} bytes, the "
                      f"destination's 2^{d.page_bits}",
                      (f"Received TARGET_PAGE_BITS is {f.page_bits} but local is "
                       f"{d.page_bits}",))
        if f.capabilities:
            self.r.assumptions.append(
                "the destination sets the capabilities the stream was saved with ("
                + ", ".join(f.capabilities) + "): QEMU refuses a stream whose "
                "validated capabilities it does not have")

    # -- RAM -----------------------------------------------------------------------------

    def ram(self) -> None:
        f, d = self.facts, self.dest
        if not f.ram_blocks:
            return
        if d.ram_blocks is None:
            self.r.missing.append("the destination's RAM blocks (its stream tells them): "
                                  "their names and sizes were not compared")
            return
        ram = next((s for s in f.sections if s.name == "ram"), None)
        self.r.checked["RAM blocks"] = len(f.ram_blocks)
        for b in f.ram_blocks:
            local = d.ram_blocks.get(b.name)
            if local is None:
                self.fail("ram-block", ram, b.offset,
                          f"the destination has no RAM block {b.name}",
                          (f'Unknown ramblock "{b.name}", cannot accept migration',))
            elif local != b.length:
                if b.name.startswith("/rom@"):  # fw_cfg blobs: resizeable blocks
                    self.r.assumptions.append(
                        f"RAM block {b.name} is 0x{b.length:x} bytes in the stream and "
                        f"0x{local:x} at the destination: a firmware blob, resized on "
                        f"load up to its maximum size (which no input tells)")
                else:
                    self.fail("ram-length", ram, b.offset,
                              f"RAM block {b.name} is 0x{b.length:x} bytes in the stream "
                              f"and 0x{local:x} at the destination",
                              (f"Size mismatch: {b.name}: 0x{b.length:x} != "
                               f"0x{local:x}: Invalid argument",))

    # -- sections ------------------------------------------------------------------------

    def sections(self) -> None:
        f = self.facts
        exist_unknown: list[str] = []
        n = 0
        for s in f.sections:
            n += 1
            if not self.exists(s, exist_unknown):
                continue
            if s.entry is None or not s.entry.get("vmsd_name"):
                continue  # (RAM, block, old-style sections: no VMSD to compare)
            self.vmsd_section(s)
        self.r.checked["sections"] = n
        if exist_unknown:
            self.unknown("section", None, None,
                         f"which of the stream's {len(exist_unknown)} sections exist at the "
                         f"destination is not known: give what the destination describes "
                         f"(a stream saved from it, or its desc.json)")
        if self.not_in_schema:
            names = sorted(set(self.not_in_schema))
            self.r.missing.append(
                f"{len(self.not_in_schema)} sections whose VMState no device type of the "
                f"schema has (QEMU registers them outside device classes: "
                f"{', '.join(names[:10])}{' ...' if len(names) > 10 else ''}): their "
                f"versions, subsections and fields were not compared (the destination's "
                f"stream tells them)")
        if self.conditional:
            self.r.assumptions.append(
                "the destination reads these fields as the source sent them (a test "
                "function decides whether a conditional field is sent; an absent array is "
                "empty; renamed fields of the same bytes are read in order): "
                + ", ".join(self.conditional))

    def exists(self, s: _SectionFact, exist_unknown: list[str]) -> bool:
        """Whether the destination has a handler for the section (False: a failure or an
        unknown was recorded, or nothing more can be compared)."""
        d = self.dest
        if s.name in _ALWAYS_REGISTERED:
            return True
        if not d.described:
            exist_unknown.append(s.name)
            return True  # (its VMSD can still be compared against the schema)
        if (s.name, s.instance) in d.sections:
            return True
        if s.live and s.name not in d.live:
            self.unknown("section", s, s.offset,
                         f"live section {s.name}: the destination registers it whether "
                         f"or not it sends it, and its stream does not show it")
            return False
        others = sorted(i for (n, i) in d.sections if n == s.name)
        why = (f"the destination has {s.name} instance{'s' if len(others) > 1 else ''} "
               f"{', '.join(map(str, others))} only" if others else
               f"the destination has no {s.name}")
        tail = (f"section or instance '{s.name}' {s.instance}. Make sure that your current "
                f"VM setup matches your saved VM setup, including any hotplugged devices")
        self.fail("instance" if others else "section", s, s.offset, why,
                  (f"Unknown savevm {tail}", f"Unknown {tail}"))
        return False

    def vmsd_section(self, s: _SectionFact) -> None:
        d, entry = self.dest, s.entry
        vname = str(entry.get("vmsd_name"))
        version = s.version
        local = d.sections.get((s.name, s.instance))
        local_version = local[1] if local else None
        if isinstance(local_version, int) and version > local_version:
            self.fail("version", s, s.offset,
                      f"the stream's {s.name} is version {version}, the destination's "
                      f"{local_version}", _unsupported(version, s.name, local_version))
            return
        if d.schema is None:
            if isinstance(local_version, int) and version < local_version:
                self.unknown("minimum-version", s, s.offset,
                             f"the stream's {s.name} is version {version} and the "
                             f"destination's {local_version}: whether it still reads "
                             f"{version} (its minimum_version_id) only its schema tells")
            if local is not None:
                self.subsections_by_stream(s)
                self.fields_by_stream(s)
            return
        candidates = d.schema.get(vname)
        if not candidates:
            if local is not None:  # (compared with the destination's own section)
                self.subsections_by_stream(s)
                self.fields_by_stream(s)
                return
            if not d.described:
                self.not_in_schema.append(s.name)
            return
        self.r.checked["VMState descriptions"] = self.r.checked.get(
            "VMState descriptions", 0) + 1
        # several device types may share one VMSD name with different contents: QEMU
        # would take the one of the device that exists, so the section fails only if it
        # fails with each
        best: _Compare | None = None
        mine = self.dest.entries.get((s.name, s.instance))
        if not isinstance(mine, dict) or mine.get("version") != version:
            mine = None
        for v in candidates:
            if v.unmigratable:
                cmp = _Compare(s)
                cmp.failures.append(Finding(
                    "unmigratable", s.name, s.instance, self.facts.start,
                    f"the destination's {vname} cannot be migrated (its VMState has no "
                    f"fields: unmigratable), and QEMU refuses any incoming stream while "
                    f"such a device exists",
                    (f"State blocked by non-migratable device '{s.name}'",)))
            else:
                cmp = _Compare(s)
                if local_version is None and version > v.version_id:
                    cmp.failures.append(cmp.finding(
                        "version", f"the stream's {s.name} is version {version}, the "
                                   f"destination's {v.version_id}",
                        _unsupported(version, s.name, v.version_id)))
                else:
                    cmp.vmsd(entry, v, version, mine, top=True)
            if best is None or len(cmp.failures) < len(best.failures):
                best = cmp
            if not cmp.failures:
                break
        assert best is not None
        for x in best.failures[:1]:
            if x.kind == "fields" and not x.qemu and self.facts.footers:
                # (QEMU reads on with a different layout: the footer is not where it looks)
                x = x._replace(qemu=(f"Missing section footer for {s.name}",))
            self.r.failures.append(x)
        if not best.failures:
            self.r.unknowns += best.unknowns
        self.conditional += [f"{s.name}/{c}" for c in best.assumed]

    def subsections_by_stream(self, s: _SectionFact) -> None:
        """Without the VMSD in a schema: a subsection that the destination's own streams
        or descriptions carry in any section of the same VMSD is known there (and its
        version is the highest it reads); the others cannot be told."""
        known = self.dest.subsections.get(str(s.entry.get("vmsd_name")), {})
        for sub in s.entry.get("subsections") or []:
            if not isinstance(sub, dict):
                continue
            name = str(sub.get("vmsd_name"))
            mine = known.get(name)
            if mine is None:
                self.unknown("subsection", s, s.offset,
                             f"the stream carries subsection {name}, which the "
                             f"destination's stream does not, and -dump-vmstate does not "
                             f"describe {s.entry.get('vmsd_name')} (QEMU registers it "
                             f"outside device classes): the destination knows it if its "
                             f"QEMU is as new as the source's")
            elif _int(sub.get("version")) > mine:
                # (a subsection is sent at its VMSD's version_id: the destination's is
                # the highest it reads)
                self.fail("subsection-version", s, s.offset,
                          f"subsection {name} is version {sub.get('version')} in the "
                          f"stream and {mine} at the destination",
                          (f"{name}: incoming version_id {sub.get('version')} is too new "
                           f"for local version_id {mine}",))

    def fields_by_stream(self, s: _SectionFact) -> None:
        """Without the VMSD in a schema: the fields are compared with those of the same
        section in the destination's stream, when both are at the same version (a
        difference may be conditional fields, so it is an unknown, not a failure)."""
        local = self.dest.entries.get((s.name, s.instance))
        if not local or local.get("version") != s.entry.get("version"):
            return
        mine, theirs = _field_layout(s.entry), _field_layout(local)
        if mine == theirs:
            return
        ours, its = _bytes(s.entry), _bytes(local)
        if ours == its:  # (QEMU reads bytes in order, not names)
            self.conditional.append(f"{s.name}: fields named differently from the "
                                    f"destination's own, the same {ours} bytes (read in "
                                    f"order)")
            return
        at = next((i for i, (a, b) in enumerate(zip(mine, theirs, strict=False))
                   if a != b), min(len(mine), len(theirs)))
        what = f"field {mine[at][0]}" if at < len(mine) else "its end"
        self.unknown("fields", s, s.offset,
                     f"its fields take {ours} bytes and the destination's own {s.name} "
                     f"{its}, from {what} on (conditional fields or arrays of varying "
                     f"length may explain it; the destination's -dump-vmstate schema does "
                     f"not list {s.name})")


def _field_layout(entry: Any) -> list[tuple[Any, Any, Any]]:
    """(name, type, size) of each described field, struct members included."""
    out: list[tuple[Any, Any, Any]] = []
    for f in entry.get("fields") or []:
        if not isinstance(f, dict):
            continue
        out.append((f.get("name"), f.get("type"), f.get("size")))
        if isinstance(f.get("struct"), dict):
            out += _field_layout(f["struct"])
    return out


def _bytes(entry: Any) -> int:
    """The bytes a described VMSD's fields take in the stream (subsections apart)."""
    n = 0
    for f in entry.get("fields") or []:
        if isinstance(f, dict) and isinstance(f.get("size"), int):
            n += f["size"] * (_int(f.get("array_len")) or 1)
    return n


def _first_named(entry: Any, key: str, name: str) -> Any:
    for x in (entry or {}).get(key) or []:
        if isinstance(x, dict) and (x.get("name") if key == "fields" else
                                    x.get("vmsd_name")) == name:
            return x
    return None


class _Compare:
    """Compares one section's description with the destination's VMSD (and, where the
    destination's own stream describes the same VMSD at the version it would read, with
    that: the bytes it takes)."""

    def __init__(self, s: _SectionFact) -> None:
        self.s = s
        self.failures: list[Finding] = []
        self.unknowns: list[Finding] = []
        self.assumed: list[str] = []  # conditional fields, empty arrays, renamed fields

    def finding(self, kind: str, reason: str, qemu: tuple[str, ...] = ()) -> Finding:
        return Finding(kind, self.s.name, self.s.instance, self.s.offset, reason, qemu)

    def vmsd(self, entry: Any, v: _Vmsd, version: int, mine: Any, top: bool,
             path: str = "") -> None:
        """`entry`: the stream's description of a VMSD; `v` the destination's, loaded at
        `version` (vmstate_load_state); `mine` the destination's own stream's
        description of it at that version, if there is one."""
        name, s = v.name, self.s
        label = path.rstrip("/:") or name
        if version < v.minimum_version_id:
            self.failures.append(self.finding(
                "minimum-version",
                f"{label} is version {version} in the stream and the destination "
                f"reads {v.minimum_version_id} and later",
                (f"{name}: incoming version_id {version} is too old for local minimum "
                 f"version_id  {v.minimum_version_id}",)))
            return
        if version > v.version_id:
            self.failures.append(self.finding(
                "version" if top else "subsection-version",
                f"{label} is version {version} in the stream, the destination's "
                f"{v.version_id}",
                (f"{name}: incoming version_id {version} is too new for local version_id "
                 f"{v.version_id}",)))
            return
        # the stream's entries, one per field: the elements of an array that cannot be
        # described once come one by one, under the same name (two fields of one name
        # are told apart by "[n]")
        groups: list[dict[str, Any]] = []
        for f in entry.get("fields") or []:
            if not isinstance(f, dict):
                continue
            if groups and groups[-1].get("name") == f.get("name"):
                continue
            groups.append(f)
        expected = [f for f in v.fields if f[2] or f[1] <= version]
        empty: list[str] = []
        j = 0
        for fname, _fv, conditional, size, sub in expected:
            got = groups[j] if j < len(groups) else None
            if got is None or got.get("name") != fname:
                if not conditional:
                    # an array whose length is another field's value writes nothing when
                    # empty (one description entry per element), and the schema does
                    # not say which fields are such arrays: taken as empty, and said
                    empty.append(f"{path}{fname}")
                continue  # (a conditional field the source did not send)
            j += 1
            if conditional:
                self.assumed.append(f"{path}{fname} (conditional)")
            t = got.get("type")
            if t in _FIXED and isinstance(got.get("size"), int) and size and \
                    got["size"] != size:
                self.failures.append(self.finding(
                    "fields", f"field {path}{fname} ({t}) is {got['size']} bytes in the "
                              f"stream and {size} at the destination"))
                return
            st = got.get("struct")
            if sub is not None and isinstance(st, dict):
                # a VMS_STRUCT is loaded at the destination's own version of its VMSD
                own = (_first_named(mine, "fields", fname) or {}).get("struct")
                if not isinstance(own, dict) or own.get("version") != sub.version_id:
                    own = None
                self.vmsd(st, sub, sub.version_id, own, False, f"{path}{fname}/")
                if self.failures:
                    return
        if j < len(groups):
            # fields the destination does not read by these names: QEMU reads bytes, not
            # names, so what matters is whether it reads as many
            extra = groups[j].get("name")
            if mine is None:
                self.unknowns.append(self.finding(
                    "fields",
                    f"{label} (version {entry.get('version', version)} in the "
                    f"stream) has field {path}{extra} where the destination reads "
                    + (f"{empty[0]}" if empty else "no more fields")
                    + f" at version {version}; whether it reads as many bytes the "
                      f"schema cannot tell (it has no array lengths): the destination's "
                      f"stream would"))
                return
            ours, theirs = _bytes(entry), _bytes(mine)
            if ours != theirs:
                self.failures.append(self.finding(
                    "fields",
                    f"{label}: the stream's fields (version "
                    f"{entry.get('version', version)}) take {ours} bytes and the "
                    f"destination reads {theirs} at version {version} (its fields differ "
                    f"from {path}{extra} on)"))
                return
            self.assumed.append(f"{label}: fields named differently at versions "
                                f"{entry.get('version', version)} and {version}, the same "
                                f"{ours} bytes (read in order)")
        else:
            self.assumed += [f"{e} (absent: an empty variable-length array)" for e in empty]
        for sub in entry.get("subsections") or []:
            if not isinstance(sub, dict):
                continue
            sname = str(sub.get("vmsd_name"))
            local = v.subsections.get(sname)
            if local is None:
                self.failures.append(self.finding(
                    "subsection",
                    f"the stream carries subsection {sname}, which the destination does "
                    f"not know",
                    (f"error while loading state for instance 0x{s.instance:x} of device "
                     f"'{s.name}'",)))
                return
            version = _int(sub.get("version"))
            own = _first_named(mine, "subsections", sname)
            if not isinstance(own, dict) or own.get("version") != version:
                own = None
            self.vmsd(sub, local, version, own, False, f"{path}{sname}:")
            if self.failures:
                return


def check(stream: Any, against: Any, **open_kw: Any) -> CheckResult:
    """Predict whether `stream` (anything migkaitai.open reads) loads on the destination
    described by `against`: one input or a list of them, each a -dump-vmstate schema, a
    desc.json or anything migkaitai.open reads (see the module's doc)."""
    dest = against if isinstance(against, Destination) else None
    if dest is None:
        dest = Destination()
        for a in (against if isinstance(against, (list, tuple)) else [against]):
            dest.add(a, **open_kw)
    facts = _stream_facts(stream, **open_kw)
    r = CheckResult()
    r.sources = list(dest.sources)
    r.machine = facts.machine
    r.destination_machine = dest.machine
    r.notes = list(facts.notes) + [f"destination: {n}" for n in dest.notes]
    if dest.stream_machine and dest.schema_machine and \
            dest.stream_machine != dest.schema_machine:
        r.notes.append(f"the destination's stream is of machine type {dest.stream_machine} "
                       f"and its schema of {dest.schema_machine}: the stream's is used")
    c = _Checker(facts, dest, r)
    c.configuration()
    c.ram()
    c.sections()
    if facts.error is not None:
        r.failures.append(Finding("stream", None, None, facts.error_offset,
                                  f"the stream is damaged: {facts.error}", ()))
    if not facts.described and any(not x.live for x in facts.sections):
        r.unknowns.append(Finding(
            "description", None, None, None,
            "the stream has no description (or a damaged one), so its device sections' "
            "VMStates, subsections and fields cannot be compared (give the stream whole)",
            ()))
    if dest.schema is None:
        r.missing.append("the destination's -dump-vmstate schema: minimum versions, "
                         "subsections and field layouts were not compared")
    if not dest.described:
        r.missing.append("what the destination describes (a stream saved from it, or its "
                         "desc.json): which sections and instances exist there")
    r.failures.sort(key=lambda x: (x.offset is None, x.offset or 0))
    return r
