"""Decode VMSD device-section payloads exactly as the stream's JSON description says.

A device section's payload (after the SECTION_FULL header, before its footer) carries no
lengths of its own: only the VMDESCRIPTION JSON that QEMU appends after the EOF byte tells
how to read it. :func:`decode_section` walks one ``devices[]`` entry of that JSON over a
:class:`kaitaistruct.KaitaiStream`, reading exactly the bytes the description accounts for,
and returns a :class:`Node` tree with the byte offset and size of every field. Nothing is
read before checking it lies inside the stream, and the loaded JSON is never modified.
The stream needs ``pos()`` and ``read_bytes()``, ``size()`` unless ``end`` is given, and
``seek()`` only to peek for subsections the description omits (skipped if it fails).

The wire format (migration/vmstate.c, vmstate-types.c, savevm.c):

- Fields come in description order. ``array_len`` marks a compressed array: N elements, only
  the first described (its ``size`` too). ``index`` marks one element of an uncompressed
  array. Since QEMU 10.0 an array of pointers with NULL entries is split into runs that
  repeat the field name (NULLs as type ``nullptr``: one byte ``'0'``); before 10.0 a NULL
  element was described as ``"struct": {}`` with size 1.
- Integers are big-endian, width = ``size``, signedness from the type name (``int32 le`` is
  the "less or equal" check type, still big-endian). ``bool`` is one byte, ``timer`` and
  ``float64``/``CPU_Double_U`` eight, ``bitmap`` be64 words, ``capability`` u8 length +
  name. Every other type (``buffer``, ``pci config``...) is ``size`` opaque bytes.
- ``struct`` fields nest a description under ``struct``; ``tmp`` and ``vstruct`` put
  ``vmsd_name``/``version``/``fields``/``subsections`` in the field object itself.
  ``qtailq``/``qlist`` write (u8 1, element)* u8 0 and repeat the element description in the
  field object once per element; ``gtree`` writes be32 node count, then per node u8 1,
  key (be64 for direct keys, else a key description) and value, then u8 0. These repeated
  keys are why :func:`load_description_json` keeps duplicate keys.
- After the fields: the subsections the description lists, each on the wire as 0x05, u8 len,
  name, be32 version, then its own fields and subsections. A 0x05 byte followed by a name
  starting with the description's vmsd_name where the description lists no further
  subsection is reported (QEMU's loader would take it for a subsection).

Rendering the decoded tree (analyze-migration.py's JSON, a readable tree) is in
migkaitai.render.
"""

from __future__ import annotations

import json
import struct as _struct
import sys
from collections.abc import Mapping, Sequence

from migkaitai_ksy.qemu_migration import QemuMigration as K

from migkaitai.errors import DescriptionError, FormatError, MigkaitaiError, TruncatedError

TYPE_CHECKING = False  # typing is not imported at run time (start-up cost)
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from typing import Any, TypeGuard

__all__ = [
    "TYPE_DECODERS",
    "DescObject",
    "Node",
    "PackedInts",
    "StructArray",
    "decode_section",
    "devices_by_key",
    "load_description_json",
]

QEMU_VM_SUBSECTION = K.RecordType.subsection.value  # 0x05, the grammar's record_type
VMS_NULLPTR_MARKER = 0x30  # the byte '0' QEMU writes for a NULL pointer in an array
MAX_DEPTH = 64  # nesting of structs/subsections; QEMU's deepest is far below
MAX_EMPTY_ELEMENTS = 1 << 16  # elements of zero bytes an array may have beyond the stream size


# --------------------------------------------------------------------------------------------
# The description JSON


class DescObject(dict):  # type: ignore[type-arg]
    """A JSON object of the description: a read-only dict that keeps every (key, value) pair.

    Lookup (``obj[key]``, ``get``, ``in``, iteration, ``json.dumps``) behaves like the
    OrderedDict analyze-migration.py loads: a repeated key has its last value, at the first
    key's position. ``pairs`` keeps all pairs in order, for qtailq/qlist/gtree fields whose
    element description repeats once per element.
    """

    __slots__ = ("pairs",)

    def __init__(self, pairs: Sequence[tuple[str, Any]] = ()) -> None:
        pairs = tuple(pairs)
        dict.__init__(self, pairs)
        self.pairs: tuple[tuple[str, Any], ...] = pairs

    def getall(self, key: str) -> list[Any]:
        """Every value of ``key``, in order."""
        return [v for k, v in self.pairs if k == key]

    def __reduce__(self) -> tuple[Any, ...]:  # copy/deepcopy/pickle, not via __setitem__
        return (DescObject, (self.pairs,))

    def _read_only(self, *args: object, **kwargs: object) -> None:
        raise TypeError("the loaded description is read-only")

    __setitem__ = __delitem__ = _read_only
    clear = pop = popitem = setdefault = update = _read_only  # type: ignore[assignment]
    __ior__ = _read_only  # type: ignore[assignment]


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not valid JSON")


def load_description_json(text: str | bytes, *, offset: int | None = None) -> Any:
    """Parse the VMDESCRIPTION JSON, keeping duplicate keys (objects become DescObject).

    ``offset``: absolute stream offset of the JSON's first byte, used in the error.
    Raises DescriptionError when the text is not valid JSON (or not UTF-8).

    The ``devices`` entries of a machine with many devices of one kind differ only in
    their names (600 AHCI controllers: 11 MB of JSON, 18 KB each): each entry is read
    once by the C parser, and the rest of an entry after its name is parsed into
    DescObjects once per distinct text and shared (the objects are read-only), so
    memory grows with the kinds of devices, not their number.
    """
    try:
        s = text.decode("utf-8") if isinstance(text, (bytes, bytearray)) else text
        return _DescParser(s).document()
    except UnicodeDecodeError as exc:
        where = None if offset is None else offset + exc.start
        raise DescriptionError(f"description is not valid UTF-8 ({exc.reason})",
                               offset=where) from None
    except RecursionError:
        # json's parser recurses per level: valid JSON can be too deep for it. QEMU's
        # descriptions nest a few levels per struct; nothing it writes comes near this.
        raise DescriptionError(
            f"description JSON is nested too deeply to read (the limit is about "
            f"{sys.getrecursionlimit() - 100} levels)", offset=offset, too_deep=True) from None
    except ValueError as exc:
        pos = getattr(exc, "pos", None)
        where = None if offset is None else offset + (pos or 0)
        detail = (getattr(exc, "msg", None) or str(exc)).removesuffix(" at")
        raise DescriptionError(f"description is not valid JSON: {detail}", offset=where) from exc


_JSON_WS = " \t\n\r"
_scanstring = json.decoder.scanstring  # type: ignore[attr-defined]  # (json's C one)


class _DescParser:
    """The description's top-level object read key by key, and its ``devices`` list
    element by element (see load_description_json); anything else is json's."""

    def __init__(self, s: str) -> None:
        self.s = s
        self.pairs_decoder = json.JSONDecoder(object_pairs_hook=DescObject,
                                              parse_constant=_reject_constant)
        self.plain = json.JSONDecoder(parse_constant=_reject_constant)  # (C only: ends)
        self.templates: dict[str, DescObject] = {}

    def ws(self, i: int) -> int:
        s, n = self.s, len(self.s)
        while i < n and s[i] in _JSON_WS:
            i += 1
        return i

    def expect(self, i: int, ch: str) -> int:
        if i >= len(self.s) or self.s[i] != ch:
            raise json.JSONDecodeError(f"Expecting '{ch}'", self.s, i)
        return i + 1

    def document(self) -> Any:
        s = self.s
        i = self.ws(0)
        if not s.startswith("{", i):  # (not an object: json says what it is)
            return self.pairs_decoder.decode(s)
        i = self.ws(i + 1)
        pairs: list[tuple[str, Any]] = []
        if not s.startswith("}", i):
            while True:
                i = self.expect(i, '"')
                key, i = _scanstring(s, i)
                i = self.ws(self.expect(self.ws(i), ":"))
                if key == "devices" and s.startswith("[", i):
                    value, i = self.devices(i)
                else:
                    value, i = self.pairs_decoder.raw_decode(s, i)
                pairs.append((key, value))
                i = self.ws(i)
                if s.startswith(",", i):
                    i = self.ws(i + 1)
                    continue
                i = self.expect(i, "}")
                break
        else:
            i += 1
        if self.ws(i) != len(s):
            raise json.JSONDecodeError("Extra data", s, self.ws(i))
        return DescObject(pairs)

    def devices(self, i: int) -> tuple[list[Any], int]:
        s = self.s
        out: list[Any] = []
        i = self.ws(i + 1)
        if s.startswith("]", i):
            return out, i + 1
        while True:
            entry, i = self.device(i)
            out.append(entry)
            i = self.ws(i)
            if s.startswith(",", i):
                i = self.ws(i + 1)
                continue
            return out, self.expect(i, "]")

    def device(self, i: int) -> tuple[Any, int]:
        """One devices[] entry and where it ends: the rest after its name parsed once per
        distinct text."""
        s = self.s
        j = self.ws(i + 1) if s.startswith("{", i) else -1
        if j < 0 or not s.startswith('"name"', j):
            return self.pairs_decoder.raw_decode(s, i)  # type: ignore[no-any-return]
        j = self.ws(j + 6)
        j = self.ws(j + 1) if s.startswith(":", j) else -1
        if j < 0 or not s.startswith('"', j):
            return self.pairs_decoder.raw_decode(s, i)  # type: ignore[no-any-return]
        name, j = _scanstring(s, j + 1)
        _, end = self.plain.raw_decode(s, i)  # (where it ends; checks it is JSON)
        rest = s[j:end]
        template = self.templates.get(rest)
        if template is None:
            # the same entry with an empty name, parsed once
            template = self.pairs_decoder.decode('{"name":""' + rest)
            self.templates[rest] = template
        return DescObject((("name", name),) + template.pairs[1:]), end


def devices_by_key(description: Mapping[str, Any]) -> dict[tuple[str, int], Mapping[str, Any]]:
    """Map (name, instance_id) to its ``devices[]`` entry, a later entry replacing an earlier
    one as in analyze-migration.py. Raises DescriptionError if ``devices`` is malformed."""
    devices = description.get("devices") if isinstance(description, Mapping) else None
    if not isinstance(devices, list):
        raise DescriptionError("description has no 'devices' list")
    table: dict[tuple[str, int], Mapping[str, Any]] = {}
    for i, dev in enumerate(devices):
        if not isinstance(dev, Mapping):
            raise DescriptionError(f"devices[{i}] is not an object")
        name, instance = dev.get("name"), dev.get("instance_id")
        if not isinstance(name, str) or not _is_int(instance):
            raise DescriptionError(f"devices[{i}] has no string 'name' and integer 'instance_id'")
        table[(name, instance)] = dev
    return table


# --------------------------------------------------------------------------------------------
# The decoded tree


class Node:
    """One decoded item with its place in the stream.

    Attributes:
        name: field name from the description (``"env.regs"``), subsection name, or the
            section label for the root.
        type: the description's type string (``"uint32"``, ``"struct"``, ``"qtailq"``...);
            ``"subsection"``, ``"element"``, or the vmsd_name for the root.
        kind: how it was decoded: ``section``, ``subsection``, ``struct`` (struct, tmp,
            vstruct), ``int``, ``bool``, ``float``, ``bytes``, ``bitmap``, ``capability``,
            ``nullptr``, ``list`` (qtailq, qlist), ``tree`` (gtree), ``element`` (one
            list/tree entry), ``key``/``value`` (gtree entry parts), ``array`` (a compact
            array: see below).
        offset: absolute offset of the first byte; size: bytes it covers.
        value: int (int, timer; signed per the type name), bool, float, bytes (opaque),
            list[int] (bitmap words), str (capability), node count (gtree), None otherwise.
            For ``array`` nodes, a sequence of the elements: :class:`PackedInts` (ints or
            bools) or :class:`StructArray` (struct Nodes).
        children: fields, then subsections, in stream order (struct-like kinds).
        index: position among same-named siblings when the field is an array element (the
            first element's for an ``array`` node).
        version: vmsd/subsection version (struct-like kinds).
        vmsd_name: the VMSD name (struct-like kinds).
        raw: the bytes read, for leaves, ``array`` nodes and for composites that
            analyze-migration.py prints as hex (tmp, vstruct, qtailq, qlist, gtree); None for
            structs/subsections.

    A long compressed array of integers/bools (type ``uint64``...), or of structs whose
    fields are all integers (type ``struct``), is one node of kind ``array``: its elements
    are made on demand by :meth:`element` (and by iterating over ``value``), so that a
    262144-entry table costs its bytes, not 262144 objects.
    """

    __slots__ = ("children", "index", "kind", "name", "offset", "raw", "size", "type",
                 "value", "version", "vmsd_name")
    _FIELDS = ("name", "type", "kind", "offset", "size", "value", "children", "index",
               "version", "vmsd_name", "raw")  # in __init__'s order, for repr

    def __init__(self, name: str, type: str, kind: str, offset: int,
                 size: int = 0, value: Any = None, children: list[Node] | None = None,
                 index: int | None = None, version: int | None = None,
                 vmsd_name: str | None = None, raw: bytes | None = None) -> None:
        self.name = name
        self.type = type
        self.kind = kind
        self.offset = offset
        self.size = size
        self.value = value
        self.children: list[Node] = [] if children is None else children
        self.index = index
        self.version = version
        self.vmsd_name = vmsd_name
        self.raw = raw

    def __repr__(self) -> str:
        return "Node(" + ", ".join(f"{k}={getattr(self, k)!r}" for k in self._FIELDS) + ")"

    def walk(self, depth: int = 0) -> Iterator[tuple[int, Node]]:
        """Yield (depth, node) for this node and all below it, depth first, in stream order.

        A compact array of structs yields its elements (made on demand) in its place, as
        if they were children; a compact integer/bool array is yielded as one node."""
        stack: list[tuple[int, Iterator[Node]]] = [(depth, iter((self,)))]
        while stack:
            d, nodes = stack[-1]
            node = next(nodes, None)
            if node is None:
                stack.pop()
            elif isinstance(node.value, StructArray) and node.kind == "array":
                stack.append((d, iter(node.value)))
            else:
                yield d, node
                if node.children:
                    stack.append((d + 1, iter(node.children)))

    def child(self, name: str) -> Node | None:
        """The first child called ``name``, or None."""
        for c in self.children:
            if c.name == name:
                return c
        return None

    @property
    def label(self) -> str:
        """``name`` with ``[index]`` for array elements (``[first..last]`` for a compact
        array)."""
        if self.kind == "array":
            return f"{self.name}[{self.index}..{(self.index or 0) + len(self.value) - 1}]"
        return self.name if self.index is None else f"{self.name}[{self.index}]"

    def element(self, i: int) -> Node:
        """Element `i` (counted from this node's first) of a compact array: an int/bool
        Node, or for an array of structs a struct Node with its fields."""
        if isinstance(self.value, StructArray):
            return self.value[i]
        size = self.size // len(self.value)
        kind = "bool" if self.type == "bool" else "int"
        return Node(self.name, self.type, kind, self.offset + i * size, size, self.value[i],
                    index=(self.index or 0) + i,
                    raw=self.raw[i * size:(i + 1) * size] if self.raw is not None else None)


_CHUNK = 4096  # elements unpacked at a time when iterating over or rendering an array


def _position(i: Any, n: int) -> int:
    """Index `i` (negative from the end) of a sequence of `n` elements, checked."""
    i = i.__index__()
    if i < 0:
        i += n
    if not 0 <= i < n:
        raise IndexError("array index out of range")
    return i


class PackedInts(Sequence):  # type: ignore[type-arg]
    """The values of a compact integer or bool array, unpacked from its bytes on demand.

    A read-only sequence (``len``, indexing, slicing to a list, iteration, ``==`` with a
    list) of ints, signed per the type name, or of bools; the bytes are ``raw``.
    """

    __slots__ = ("is_bool", "raw", "signed", "width")

    def __init__(self, raw: bytes, width: int, signed: bool, is_bool: bool = False) -> None:
        self.raw = raw
        self.width = width
        self.signed = signed
        self.is_bool = is_bool

    def __len__(self) -> int:
        return len(self.raw) // self.width

    def _unpack(self, start: int, stop: int) -> list[Any]:
        code = _STRUCT_CODES[self.width]
        values: list[Any] = list(_struct.unpack_from(
            f">{stop - start}{code.lower() if self.signed else code}", self.raw,
            start * self.width))
        if self.is_bool:
            return [v != 0 for v in values]
        return values

    def __getitem__(self, i: Any) -> Any:
        n = len(self)
        if isinstance(i, slice):
            start, stop, step = i.indices(n)
            if step == 1:
                return self._unpack(start, max(start, stop))
            return [self[j] for j in range(start, stop, step)]
        i = _position(i, n)
        w = self.width
        v = int.from_bytes(self.raw[i * w:(i + 1) * w], "big", signed=self.signed)
        return v != 0 if self.is_bool else v

    def __iter__(self) -> Iterator[Any]:
        n = len(self)
        for start in range(0, n, _CHUNK):
            yield from self._unpack(start, min(n, start + _CHUNK))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (PackedInts, list, tuple)):
            return len(self) == len(other) and list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"PackedInts({len(self)} x {'bool' if self.is_bool else self.width})"


class _StructLayout:
    """An array element VMSD whose fields are all fixed-size integers (see StructArray)."""

    __slots__ = ("code", "fields", "size", "version", "vmsd_name")

    def __init__(self, fields: list[tuple[str, str, int, int]], version: Any,
                 vmsd_name: Any) -> None:
        self.fields = fields  # (name, type, width, offset in the element)
        self.size = sum(f[2] for f in fields)
        self.code = "".join(_STRUCT_CODES[f[2]] for f in fields)  # unsigned, no ">"
        self.version = version
        self.vmsd_name = vmsd_name


class StructArray(Sequence):  # type: ignore[type-arg]
    """The elements of a compact array of structs whose fields are all integers: a read-only
    sequence of struct Nodes (with their int children), made from ``raw`` on demand."""

    __slots__ = ("first", "layout", "name", "offset", "raw")

    def __init__(self, name: str, offset: int, first: int, raw: bytes,
                 layout: _StructLayout) -> None:
        self.name = name
        self.offset = offset
        self.first = first  # index of element 0 among the same-named fields
        self.raw = raw
        self.layout = layout

    def __len__(self) -> int:
        return len(self.raw) // self.layout.size

    def __getitem__(self, i: Any) -> Any:
        n = len(self)
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(n))]
        i = _position(i, n)
        lay = self.layout
        base = i * lay.size
        off = self.offset + base
        node = Node(self.name, "struct", "struct", off, lay.size, index=self.first + i,
                    version=lay.version, vmsd_name=lay.vmsd_name)
        children = node.children
        raw = self.raw
        for name, typ, width, at in lay.fields:
            r = raw[base + at:base + at + width]
            children.append(Node(name, typ, "int", off + at, width,
                                 int.from_bytes(r, "big", signed=INT_TYPES[typ][1]), raw=r))
        return node

    def __iter__(self) -> Iterator[Node]:
        for i in range(len(self)):
            yield self[i]

    def __repr__(self) -> str:
        return f"StructArray({len(self)} x {self.layout.vmsd_name})"


def _struct_layout(sdesc: Any) -> _StructLayout | None:
    """The layout of a struct description whose fields are all integers with their
    type's width, uniquely named, without arrays or subsections; else None."""
    if not isinstance(sdesc, Mapping):
        return None
    fields = sdesc.get("fields")
    subsections = sdesc.get("subsections")
    if not isinstance(fields, list) or not fields or subsections not in (None, []):
        return None
    layout: list[tuple[str, str, int, int]] = []
    names: set[str] = set()
    at = 0
    for f in fields:
        if not isinstance(f, Mapping) or "array_len" in f or "index" in f:
            return None
        name, typ, size = f.get("name"), f.get("type"), f.get("size")
        if not isinstance(name, str) or not isinstance(typ, str) or name in names:
            return None
        spec = INT_TYPES.get(typ)
        if spec is None or not _is_int(size) or size != spec[0]:
            return None
        names.add(name)
        layout.append((name, typ, size, at))
        at += size
    return _StructLayout(layout, sdesc.get("version"), sdesc.get("vmsd_name"))


# --------------------------------------------------------------------------------------------
# The decoder


class _Field:
    """One field (or array element) as a type decoder gets it."""

    __slots__ = ("desc", "described", "idx", "name", "size", "type")

    def __init__(self, desc: Mapping[str, Any], name: str, type: str, size: int,
                 idx: int | None, described: bool) -> None:
        self.desc = desc
        self.name = name
        self.type = type
        self.size = size
        self.idx = idx  # position among same-named fields, None for a plain field
        self.described = described  # False for compressed-array elements after the first


# the children of every leaf Node the fast paths make: leaves never get any, and this
# one is immutable, so that code that would add some fails instead of adding to all
_LEAF: list[Node] = ()  # type: ignore[assignment]


def _scalar_plan(fdesc: Any) -> tuple[str, str, int, str, bool] | None:
    """(name, type, size, kind, signed) of a field description that is one plain integer
    or bool of its natural size (no array, no index), which _Decoder.entry reads without
    further checks; None for every other field (the general path checks and reads it)."""
    if type(fdesc) is not DescObject or "index" in fdesc or "array_len" in fdesc:
        return None
    name, typ, size = fdesc.get("name"), fdesc.get("type"), fdesc.get("size")
    if not isinstance(name, str) or not isinstance(typ, str):
        return None
    spec = _BULK_LEAVES.get(typ)
    if spec is None or not _is_int(size) or size != spec[0]:
        return None
    return name, typ, size, spec[1], spec[2]


class _Run:
    """Consecutive fields of a VMSD that are plain integers or bools, each named once in
    it: read at once (_Decoder.run). `fields`: (name, type, size, kind, offset in the run)."""

    __slots__ = ("fdescs", "fields", "names", "render", "size", "struct")

    def __init__(self, fdescs: list[Any], plans: list[tuple[str, str, int, str, bool]]
                 ) -> None:
        self.fdescs = fdescs
        self.render: Any = None  # what a renderer keeps of it (render.upstream)
        fmt = ">"
        self.fields: list[tuple[str, str, int, str, int]] = []
        off = 0
        for name, typ, size, kind, signed in plans:
            code = "?" if kind == "bool" else _STRUCT_CODES[size]
            fmt += code.lower() if signed else code
            self.fields.append((name, typ, size, kind, off))
            off += size
        self.size = off
        self.struct = _struct.Struct(fmt)
        self.names = frozenset(f[0] for f in self.fields)


class RunLeaves:
    """A run of plain integer/bool fields (a _Run) kept as its bytes, in a node's children
    in place of a Node per field, when the caller only writes the fields out as JSON at
    once (decode_section(compact_runs=True): `-d state`; its renderer,
    migkaitai.render.upstream, writes a run from its bytes). `nodes()` makes the Nodes.
    Each field of a run is named once in its VMSD: no sibling shares a name with it."""

    __slots__ = ("offset", "raw", "run")

    def __init__(self, run: _Run, raw: bytes, offset: int) -> None:
        self.run = run
        self.raw = raw
        self.offset = offset

    def nodes(self) -> list[Node]:
        raw = self.raw
        pos = self.offset
        return [Node(name, typ, kind, pos + off, size, value, _LEAF,
                     raw=raw[off:off + size])
                for (name, typ, size, kind, off), value in zip(
                    self.run.fields, self.run.struct.unpack_from(raw), strict=True)]


def _fields_plan(fields: list[Any]) -> list[Any]:
    """A VMSD's 'fields' list with its runs of plain, once-named integer/bool fields (two
    or more) gathered into _Run objects; the other entries as they are."""
    names: dict[Any, int] = {}
    for f in fields:
        if isinstance(f, Mapping):
            key = f.get("name")
            names[key] = names.get(key, 0) + 1
    out: list[Any] = []
    pending: list[tuple[Any, tuple[str, str, int, str, bool]]] = []

    def flush() -> None:
        if len(pending) > 1:
            out.append(_Run([f for f, _ in pending], [p for _, p in pending]))
        else:
            out.extend(f for f, _ in pending)
        pending.clear()

    for f in fields:
        plan = _scalar_plan(f)
        if plan is not None and names.get(plan[0]) == 1:
            pending.append((f, plan))
            continue
        flush()
        out.append(f)
    flush()
    return out


def _is_int(v: object) -> TypeGuard[int]:
    return isinstance(v, int) and not isinstance(v, bool)


# name -> (width in bytes, signed); signedness follows the name, as QEMU names them.
INT_TYPES: dict[str, tuple[int, bool]] = {
    "int8": (1, True),
    "int16": (2, True),
    "int32": (4, True),
    "int64": (8, True),
    "uint8": (1, False),
    "uint16": (2, False),
    "uint32": (4, False),
    "uint64": (8, False),
    "int32 equal": (4, True),
    "int32 le": (4, True),
    "int64 equal": (8, True),  # QEMU's vmstate_info_uint64_equal is named "int64 equal"
    "uint8 equal": (1, False),
    "uint16 equal": (2, False),
    "uint32 equal": (4, False),
}


# Fixed-width leaf types read in one go when they form a compressed array:
# type -> (width, kind, signed).
# Integer/bool arrays at least this long are one Node of kind "array" (see Node.element),
# and so are arrays of all-integer structs at least COMPACT_STRUCT_ARRAY long.
COMPACT_ARRAY = 256
COMPACT_STRUCT_ARRAY = 256
_STRUCT_CODES = {1: "B", 2: "H", 4: "I", 8: "Q"}
_READ_AHEAD = 4 << 10  # bytes a decoder reads ahead at first (doubling, see _Decoder.fill)
_READ_AHEAD_MAX = 1 << 20

_BULK_LEAVES: dict[str, tuple[int, str, bool]] = {
    **{name: (width, "int", signed) for name, (width, signed) in INT_TYPES.items()},
    "bool": (1, "bool", False),
}


class _Decoder:
    """Reads one section; tracks position, field path and the nodes still being filled."""

    def __init__(self, io: Any, label: str, end: int | None,
                 plans: dict[int, tuple[Any, Any]] | None = None) -> None:
        self.io = io
        self.label = label
        self.pos: int = io.pos()
        self.end: int = io.size() if end is None else end
        # bytes read ahead of pos (a device's fields are a few bytes each: one read of the
        # stream per field cost more than decoding it); io is left at pos at the end
        self.buf = b""
        self.buf_at = self.pos
        self.plans: dict[int, tuple[Any, Any]] = {} if plans is None else plans
        self.ahead = _READ_AHEAD
        self.path: list[str] = []
        self.captures: list[bytearray] = []
        self.open: list[Node] = []  # composites being filled, for sizes on error
        self.depth = 0
        self.compact = False  # runs kept as RunLeaves (see decode_section)

    # -- errors ---------------------------------------------------------------------------

    def where(self) -> str:
        return "/".join(self.path)

    def desc_error(self, message: str, offset: int | None = None) -> DescriptionError:
        return DescriptionError(message, offset=self.pos if offset is None else offset,
                                section=self.label, field=self.where() or None)

    def format_error(self, message: str, offset: int | None = None) -> FormatError:
        return FormatError(message, offset=self.pos if offset is None else offset,
                           section=self.label, field=self.where() or None)

    def truncated(self, what: str, needed: int) -> TruncatedError:
        return TruncatedError(
            f"stream ends at 0x{self.end:x} inside {what} (needs {needed} bytes)",
            end=self.end, needed=needed, offset=self.pos, section=self.label,
            field=self.where() or None)

    # -- reading --------------------------------------------------------------------------

    @property
    def remaining(self) -> int:
        return self.end - self.pos

    def read(self, n: int, what: str) -> bytes:
        if n > self.end - self.pos:
            raise self.truncated(what, n)
        at = self.pos - self.buf_at
        if at + n > len(self.buf):
            self.fill(n)
            at = 0
        data = self.buf[at:at + n]
        if len(data) != n:  # the stream was shorter than its size() said
            self.end = self.pos + len(data)
            raise self.truncated(what, n)
        self.pos += n
        for cap in self.captures:
            cap += data
        return data

    def fill(self, n: int) -> None:
        """Read ahead from pos: at least n bytes (if the stream has them), at most what
        remains; the amount read ahead doubles each time, up to _READ_AHEAD_MAX."""
        want = min(max(n, self.ahead), self.end - self.pos)
        self.ahead = min(2 * self.ahead, _READ_AHEAD_MAX)
        io = self.io
        if io.pos() != self.pos:
            io.seek(self.pos)
        try:
            self.buf = io.read_bytes(want)
        except EOFError:
            self.buf = b""
        self.buf_at = self.pos

    def settle(self) -> None:
        """Leave io where the decoding stopped (after what it consumed)."""
        if self.io.pos() != self.pos:
            try:
                self.io.seek(self.pos)
            except (OSError, ValueError, EOFError):
                pass

    def read_uint(self, n: int, what: str) -> int:
        return int.from_bytes(self.read(n, what), "big")

    def peek(self, n: int) -> bytes | None:
        """Up to n bytes ahead without consuming them; None if the stream cannot seek back."""
        n = min(n, self.remaining)
        if n <= 0:
            return b""
        at = self.pos - self.buf_at
        if at + n > len(self.buf):
            try:
                self.fill(n)
            except (OSError, ValueError, EOFError):
                return None
            at = 0
        return self.buf[at:at + n]

    # -- structure ------------------------------------------------------------------------

    def body(self, desc: Mapping[str, Any], node: Node, described: bool) -> None:
        """Fields then subsections of one VMSD description into node.children."""
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.desc_error(f"description nests deeper than {MAX_DEPTH} levels")
        fields = desc.get("fields")
        if not isinstance(fields, list):
            raise self.desc_error(f"description of '{node.label}' has no 'fields' list")
        counts: dict[str, int] = {}
        firsts: dict[str, Node] = {}
        plan = self.plans.get(id(fields))
        if plan is None:
            plan = self.plans[id(fields)] = (fields, _fields_plan(fields))
        out = node.children
        for item in plan[1]:
            if type(item) is _Run and not self.captures and self.run(item, out):
                continue
            for fdesc in (item.fdescs if type(item) is _Run else (item,)):
                self.entry(fdesc, out, counts, firsts, described)
        subsections = desc.get("subsections")
        if subsections is not None:
            if not isinstance(subsections, list):
                raise self.desc_error(f"'subsections' of '{node.label}' is not a list")
            for sdesc in subsections:
                self.subsection(sdesc, node)
        self.check_unlisted_subsection(desc)
        self.depth -= 1

    def run(self, run: _Run, out: list[Node]) -> bool:
        """A run of plain integer/bool fields, each named once in its VMSD, read with one
        struct unpack; False (nothing read) when the stream does not hold them all (the
        field-by-field path then says where it ends)."""
        n = run.size
        pos = self.pos
        if n > self.end - pos:
            return False
        at = pos - self.buf_at
        if at + n > len(self.buf):
            self.fill(n)
            at = 0
            if n > len(self.buf):
                return False
        buf = self.buf
        if self.compact:
            out.append(RunLeaves(run, buf[at:at + n], pos))  # type: ignore[arg-type]
            self.pos = pos + n
            return True
        values = run.struct.unpack_from(buf, at)
        out += [Node(name, typ, kind, pos + off, size, value, _LEAF,
                     raw=buf[at + off:at + off + size])
                for (name, typ, size, kind, off), value in zip(run.fields, values,
                                                               strict=True)]
        self.pos = pos + n
        return True

    def entry(self, fdesc: Any, out: list[Node], counts: dict[str, int],
              firsts: dict[str, Node], described: bool) -> None:
        """One entry of a 'fields' list: one field, or all elements of a compressed array.

        ``counts`` numbers same-named fields of this VMSD (arrays, and runs of an array of
        pointers split at NULLs), ``firsts`` keeps each name's first node so that it gets
        index 0 once a second element shows that the name is an array.
        """
        plan = self.plans.get(id(fdesc))
        if plan is None:
            plan = self.plans[id(fdesc)] = (fdesc, _scalar_plan(fdesc))
        if plan[1] is not None:  # a plain integer or bool (most fields): no checks left
            name, typ, size, kind, signed = plan[1]
            ordinal = counts.get(name, 0)
            counts[name] = ordinal + 1
            first = firsts.get(name)
            if first is not None and first.index is None:
                first.index = 0
            pos = self.pos
            at = pos - self.buf_at
            if at + size <= len(self.buf) and size <= self.end - pos and not self.captures:
                raw = self.buf[at:at + size]
                self.pos = pos + size
            else:
                self.path.append(name if not ordinal else f"{name}[{ordinal}]")
                raw = self.read(size, f"{typ} '{name}'")
                self.path.pop()
            node = Node(name, typ, kind, pos, size,
                        int.from_bytes(raw, "big", signed=signed) if kind == "int"
                        else raw[0] != 0, _LEAF, ordinal or None, raw=raw)
            out.append(node)
            if first is None:
                firsts[name] = node
            return
        if not isinstance(fdesc, Mapping):
            raise self.desc_error("a 'fields' entry is not an object")
        name, typ, size = fdesc.get("name"), fdesc.get("type"), fdesc.get("size")
        if not isinstance(name, str) or not isinstance(typ, str):
            raise self.desc_error("a field has no string 'name' and 'type'")
        if not _is_int(size) or size < 0:
            self.path.append(name)
            raise self.desc_error(f"field '{name}' has no valid 'size' ({size!r})")
        count = 1
        is_array = "index" in fdesc
        if "array_len" in fdesc:
            count = fdesc["array_len"]
            if not _is_int(count) or count < 0:
                self.path.append(name)
                raise self.desc_error(f"field '{name}' has an invalid array_len ({count!r})")
            is_array = True
            limit = self.remaining if size > 0 else self.remaining + MAX_EMPTY_ELEMENTS
            if count > limit:
                self.path.append(f"{name}[0]")
                if size > 0:
                    raise self.truncated(f"array of {count} x {typ} '{name}'", count * size)
                raise self.desc_error(f"array_len {count} of zero-size elements is implausible")
        first = firsts.get(name)
        if first is not None and first.index is None:
            first.index = 0
        start = len(out)
        if count > 1 and (self.bulk(name, typ, size, count, out, counts) or (
                typ == "struct" and count >= COMPACT_STRUCT_ARRAY
                and self.struct_array(fdesc, name, size, count, out, counts)) or (
                typ == "struct" and self.compact
                and self.struct_runs(fdesc, name, size, count, out, counts, is_array))):
            firsts.setdefault(name, out[start])
            return
        decoder = TYPE_DECODERS.get(typ, _decode_opaque)
        path = self.path
        for i in range(count):
            ordinal = counts.get(name, 0)
            counts[name] = ordinal + 1
            index = ordinal if is_array or ordinal > 0 else None
            path.append(name if index is None else f"{name}[{index}]")
            decoder(self, _Field(fdesc, name, typ, size, index, described and i == 0), out)
            if i == 0:
                firsts.setdefault(name, out[-1])
            path.pop()

    def bulk(self, name: str, typ: str, size: int, count: int, out: list[Node],
             counts: dict[str, int]) -> bool:
        """Fast path for arrays of integers/bools: one read for all elements. Returns False
        (nothing read) where the element-by-element path must run, e.g. to report where a
        truncated array ends."""
        spec = _BULK_LEAVES.get(typ)
        if spec is None or spec[0] != size or count * size > self.remaining:
            return False
        _, kind, signed = spec
        offset = self.pos
        data = self.read(count * size, f"array of {typ} '{name}'")
        ordinal = counts.get(name, 0)
        counts[name] = ordinal + count
        if count >= COMPACT_ARRAY:
            # one node for the whole array (a 262144-entry IOMMU table would otherwise
            # be as many objects); Node.element(i) gives an element on demand
            out.append(Node(name, typ, "array", offset, count * size,
                            PackedInts(data, size, signed, kind == "bool"),
                            index=ordinal, raw=data))
            return True
        for i in range(count):
            raw = data[i * size:(i + 1) * size]
            value: int | bool = (int.from_bytes(raw, "big", signed=signed) if kind == "int"
                                 else raw[0] != 0)
            out.append(Node(name, typ, kind, offset + i * size, size, value,
                            index=ordinal + i, raw=raw))
        return True

    def struct_array(self, fdesc: Mapping[str, Any], name: str, size: int, count: int,
                     out: list[Node], counts: dict[str, int]) -> bool:
        """Fast path for a long array of structs whose fields are all integers (no arrays,
        no subsections): one read, one ``array`` node (see StructArray). Returns False
        (nothing consumed) where the element-by-element path must run: another layout, a
        size that does not add up, too deep, too short, or an element followed by bytes
        that may be an unlisted subsection (the path then reports it)."""
        sdesc = fdesc.get("struct")
        layout = _struct_layout(sdesc)
        if layout is None or layout.size != size or count * size > self.remaining \
                or self.depth >= MAX_DEPTH:
            return False
        offset = self.pos
        data = self.read(count * size, f"array of struct '{name}'")
        vmsd_name = layout.vmsd_name
        check = isinstance(vmsd_name, str) and vmsd_name != ""
        if check and QEMU_VM_SUBSECTION in data[size::size]:
            # an element is followed by 0x05: let the element path decide (rare)
            self.pos = offset  # (read again from the read-ahead buffer, or the stream)
            for cap in self.captures:
                del cap[len(cap) - len(data):]
            return False
        ordinal = counts.get(name, 0)
        counts[name] = ordinal + count
        out.append(Node(name, "struct", "array", offset, count * size,
                        StructArray(name, offset, ordinal, data, layout), index=ordinal,
                        version=layout.version, vmsd_name=vmsd_name, raw=data))
        if check:  # after the last element, as the element path checks after each
            self.path.append(f"{name}[{ordinal + count - 1}]")
            self.check_unlisted_subsection(fdesc["struct"])
            self.path.pop()
        return True

    def struct_runs(self, fdesc: Mapping[str, Any], name: str, size: int, count: int,
                    out: list[Node], counts: dict[str, int], is_array: bool) -> bool:
        """Compact decoding (`-d state`): an array of structs whose fields are one run of
        plain integers/bools (no subsections) in one read, each element a struct Node
        holding one RunLeaves. Returns False (nothing consumed) where the element path
        must run, as struct_array does."""
        sdesc = fdesc.get("struct")
        if not isinstance(sdesc, Mapping) or sdesc.get("subsections") not in (None, []) \
                or self.captures or self.depth + 1 > MAX_DEPTH:
            return False
        fields = sdesc.get("fields")
        if not isinstance(fields, list):
            return False
        plan = self.plans.get(id(fields))
        if plan is None:
            plan = self.plans[id(fields)] = (fields, _fields_plan(fields))
        items = plan[1]
        if len(items) != 1 or type(items[0]) is not _Run or items[0].size != size \
                or count * size > self.remaining:
            return False
        run = items[0]
        offset = self.pos
        data = self.read(count * size, f"array of struct '{name}'")
        vmsd_name = sdesc.get("vmsd_name")
        check = isinstance(vmsd_name, str) and vmsd_name != ""
        if check and QEMU_VM_SUBSECTION in data[size::size]:
            self.pos = offset  # an element is followed by 0x05: the element path decides
            return False
        ordinal = counts.get(name, 0)
        counts[name] = ordinal + count
        version = sdesc.get("version")
        for i in range(count):
            at = i * size
            leaves = RunLeaves(run, data[at:at + size], offset + at)
            out.append(Node(name, "struct", "struct", offset + at, size, None,
                            [leaves],  # type: ignore[list-item]
                            ordinal + i if is_array or ordinal + i else None, version,
                            vmsd_name))
        if check:  # after the last element, as the element path checks after each
            self.path.append(f"{name}[{ordinal + count - 1}]")
            self.check_unlisted_subsection(sdesc)
            self.path.pop()
        return True

    def subsection(self, sdesc: Any, parent: Node) -> None:
        """One subsection the description lists: check its wire header, then decode it.

        The header (0x05, u8 length, name, be32 version: vmstate.c vmstate_subsection_save)
        is the grammar's `configuration_subsection_body` without the configuration's
        fields. It is read here through this decoder's own reader, not the generated
        type, because every byte of a payload must go through it: the bound `end`, the
        captures of composite fields, errors naming the field path. tests/test_vmsd.py
        proves both read the same header on every subsection of the corpus streams."""
        if not isinstance(sdesc, Mapping) or not isinstance(sdesc.get("vmsd_name"), str):
            raise self.desc_error(f"a subsection of '{parent.label}' has no 'vmsd_name'")
        want = sdesc["vmsd_name"]
        self.path.append(want)
        start = self.pos
        marker = self.read(1, f"subsection '{want}' header")[0]
        if marker != QEMU_VM_SUBSECTION:
            raise self.desc_error(
                f"expected subsection '{want}' (0x05), found 0x{marker:02x}", offset=start)
        length = self.read(1, f"subsection '{want}' name length")[0]
        name = self.read(length, f"subsection '{want}' name").decode("utf-8", "replace")
        if name != want:
            raise self.desc_error(f"expected subsection '{want}', found '{name}'", offset=start)
        version = self.read_uint(4, f"subsection '{want}' version")
        want_version = sdesc.get("version")
        if want_version is not None and want_version != version:
            raise self.desc_error(
                f"subsection '{want}' has version {version}, description says {want_version}",
                offset=start)
        node = Node(name=name, type="subsection", kind="subsection", offset=start,
                    version=version, vmsd_name=name)
        parent.children.append(node)
        self.open.append(node)
        self.body(sdesc, node, True)
        self.open.pop()
        node.size = self.pos - start
        self.path.pop()

    def check_unlisted_subsection(self, desc: Mapping[str, Any]) -> None:
        """Fail if a subsection of this VMSD follows that the description does not list.

        Same test as QEMU's vmstate_subsection_load: 0x05, a length of at least
        len(vmsd_name)+1, and a name starting with vmsd_name.
        """
        vmsd_name = desc.get("vmsd_name")
        if not isinstance(vmsd_name, str) or not vmsd_name:
            return
        head = self.peek(2)
        if not head or len(head) < 2 or head[0] != QEMU_VM_SUBSECTION:
            return
        prefix = vmsd_name.encode("utf-8", "replace")
        if head[1] < len(prefix) + 1:
            return
        ahead = self.peek(2 + head[1])
        if ahead is None or len(ahead) < 2 + head[1] or not ahead[2:].startswith(prefix):
            return
        found = ahead[2:].decode("utf-8", "replace")
        raise self.desc_error(
            f"payload has subsection '{found}' of '{vmsd_name}' that the description does not list")

    def check_size(self, f: _Field, node: Node) -> None:
        """The description's 'size' is what QEMU counted for this (first) element."""
        if f.described and node.size != f.size:
            raise self.desc_error(
                f"{f.type} '{f.name}' took {node.size} bytes, description says {f.size}",
                offset=node.offset)

    def composite(self, node: Node, out: list[Node], capture: bool) -> bytearray | None:
        """Append a composite before filling it, so a fault leaves the partial tree."""
        out.append(node)
        self.open.append(node)
        if not capture:
            return None
        buf = bytearray()
        self.captures.append(buf)
        return buf

    def finish(self, node: Node, buf: bytearray | None) -> None:
        self.open.pop()
        node.size = self.pos - node.offset
        if buf is not None:
            popped = self.captures.pop()  # composites finish in LIFO order
            assert popped is buf
            node.raw = bytes(buf)


# --------------------------------------------------------------------------------------------
# Type decoders: one function per type family, looked up by the description's type string.
# Each appends its Node(s) to `out`.

if TYPE_CHECKING:
    Decoder = Callable[[_Decoder, _Field, list[Node]], None]


def _leaf(d: _Decoder, f: _Field, kind: str, n: int) -> tuple[Node, bytes]:
    offset = d.pos
    raw = d.read(n, f"{f.type} '{f.name}'")
    return Node(name=f.name, type=f.type, kind=kind, offset=offset, size=n, index=f.idx,
                raw=raw), raw


def _decode_opaque(d: _Decoder, f: _Field, out: list[Node]) -> None:
    """buffer, unused_buffer and every type without its own decoder: `size` bytes."""
    node, raw = _leaf(d, f, "bytes", f.size)
    node.value = raw
    out.append(node)


def _legacy_nullptr(d: _Decoder, f: _Field, out: list[Node]) -> bool:
    """QEMU < 10.0 described a NULL array element by the field's own type with size 1."""
    if f.size != 1:
        return False
    offset = d.pos
    byte = d.read(1, f"{f.type} '{f.name}'")
    if byte[0] != VMS_NULLPTR_MARKER:
        if f.described:
            raise d.format_error(
                f"{f.type} '{f.name}' of 1 byte is not a null-pointer marker '0' "
                f"(0x{byte[0]:02x})", offset=offset)
        raise d.desc_error(
            f"element {f.idx} of '{f.name}' is not a NULL pointer, but the description "
            "(written by QEMU < 10.0) describes the whole array by its first, NULL, element",
            offset=offset)
    out.append(Node(name=f.name, type=f.type, kind="nullptr", offset=offset, size=1,
                    index=f.idx, raw=byte))
    return True


def _decode_int(d: _Decoder, f: _Field, out: list[Node]) -> None:
    width, signed = INT_TYPES[f.type]
    if f.size != width:
        if width > 1 and _legacy_nullptr(d, f, out):
            return
        raise d.desc_error(f"{f.type} '{f.name}' with size {f.size}")
    node, raw = _leaf(d, f, "int", width)
    node.value = int.from_bytes(raw, "big", signed=signed)
    out.append(node)


def _decode_bool(d: _Decoder, f: _Field, out: list[Node]) -> None:
    if f.size != 1:
        raise d.desc_error(f"bool '{f.name}' with size {f.size}")
    node, raw = _leaf(d, f, "bool", 1)
    node.value = raw[0] != 0
    out.append(node)


def _decode_nullptr(d: _Decoder, f: _Field, out: list[Node]) -> None:
    if f.size != 1:
        raise d.desc_error(f"nullptr '{f.name}' with size {f.size}")
    node, raw = _leaf(d, f, "nullptr", 1)
    if raw[0] != VMS_NULLPTR_MARKER:
        raise d.format_error(f"expected null-pointer marker '0' (0x30), found 0x{raw[0]:02x}",
                             offset=node.offset)
    out.append(node)


def _decode_timer(d: _Decoder, f: _Field, out: list[Node]) -> None:
    """timer: be64 expiry in ns, -1 when not pending."""
    if f.size != 8:
        raise d.desc_error(f"timer '{f.name}' with size {f.size}")
    node, raw = _leaf(d, f, "int", 8)
    node.value = int.from_bytes(raw, "big", signed=True)
    out.append(node)


def _decode_float64(d: _Decoder, f: _Field, out: list[Node]) -> None:
    """float64 (gone since 5.2) and CPU_Double_U: be64 IEEE double."""
    if f.size != 8:
        raise d.desc_error(f"{f.type} '{f.name}' with size {f.size}")
    node, raw = _leaf(d, f, "float", 8)
    node.value = _struct.unpack(">d", raw)[0]
    out.append(node)


def _decode_bitmap(d: _Decoder, f: _Field, out: list[Node]) -> None:
    """bitmap: be64 words, bit i of the bitmap is bit i%64 of word i//64."""
    if f.size % 8:
        raise d.desc_error(f"bitmap '{f.name}' with size {f.size} (not whole be64 words)")
    node, raw = _leaf(d, f, "bitmap", f.size)
    node.value = [int.from_bytes(raw[i:i + 8], "big") for i in range(0, len(raw), 8)]
    out.append(node)


def _decode_capability(d: _Decoder, f: _Field, out: list[Node]) -> None:
    """capability (configuration section): u8 length + name; each element has its own length."""
    offset = d.pos
    length = d.read(1, f"capability '{f.name}' length")
    text = d.read(length[0], f"capability '{f.name}'")
    node = Node(name=f.name, type=f.type, kind="capability", offset=offset,
                size=1 + length[0], index=f.idx, raw=length + text,
                value=text.decode("utf-8", "replace"))
    out.append(node)
    d.check_size(f, node)


def _struct_desc(d: _Decoder, f: _Field) -> Mapping[str, Any]:
    sdesc = f.desc.get("struct")
    if not isinstance(sdesc, Mapping):
        raise d.desc_error(f"struct '{f.name}' has no 'struct' object")
    return sdesc


def _decode_struct(d: _Decoder, f: _Field, out: list[Node]) -> None:
    sdesc = _struct_desc(d, f)
    if "fields" not in sdesc and "vmsd_name" not in sdesc:
        # QEMU < 10.0: a NULL pointer in an array of struct pointers, "struct": {}, size 1.
        if _legacy_nullptr(d, f, out):
            return
        raise d.desc_error(f"struct '{f.name}' has an empty description")
    node = Node(name=f.name, type=f.type, kind="struct", offset=d.pos, index=f.idx,
                version=sdesc.get("version"), vmsd_name=sdesc.get("vmsd_name"))
    d.composite(node, out, capture=False)
    d.body(sdesc, node, f.described)
    d.finish(node, None)
    d.check_size(f, node)


def _groups(d: _Decoder, f: _Field) -> list[dict[str, Any]]:
    """The VMSD descriptions written inline in a field object, one per vmstate_save_state
    call: each starts at a 'vmsd_name' key and takes the version/fields/subsections after it."""
    pairs = f.desc.pairs if isinstance(f.desc, DescObject) else tuple(f.desc.items())
    groups: list[dict[str, Any]] = []
    for key, value in pairs:
        if key == "vmsd_name":
            groups.append({"vmsd_name": value})
        elif key in ("version", "fields", "subsections") and groups:
            if key in groups[-1]:
                raise d.desc_error(f"'{f.name}' repeats '{key}' within one element description")
            groups[-1][key] = value
    return groups


def _decode_inline_struct(d: _Decoder, f: _Field, out: list[Node]) -> None:
    """tmp and vstruct: one VMSD whose description sits in the field object itself."""
    groups = _groups(d, f)
    if len(groups) != 1:
        raise d.desc_error(f"{f.type} '{f.name}' has {len(groups)} inline descriptions, not 1")
    node = Node(name=f.name, type=f.type, kind="struct", offset=d.pos, index=f.idx,
                version=groups[0].get("version"), vmsd_name=groups[0].get("vmsd_name"))
    buf = d.composite(node, out, capture=True)
    d.body(groups[0], node, f.described)
    d.finish(node, buf)
    d.check_size(f, node)


def _element_group(d: _Decoder, f: _Field, groups: list[dict[str, Any]], k: int,
                   what: str) -> dict[str, Any]:
    if k < len(groups):
        return groups[k]
    if not f.described and groups:
        # Later elements of a compressed array: QEMU described only the first element's
        # list, whose entries share this VMSD.
        return groups[-1]
    raise d.desc_error(f"{what} '{f.name}' has more elements than the description ({len(groups)})")


def _element_marker(d: _Decoder, f: _Field) -> int:
    offset = d.pos
    marker = d.read(1, f"{f.type} '{f.name}' element marker")[0]
    if marker not in (0, 1):
        raise d.format_error(f"expected {f.type} element marker 0 or 1, found 0x{marker:02x}",
                             offset=offset)
    return marker


def _decode_queue(d: _Decoder, f: _Field, out: list[Node]) -> None:
    """qtailq and qlist: (u8 1, element)* then u8 0."""
    groups = _groups(d, f)
    node = Node(name=f.name, type=f.type, kind="list", offset=d.pos, index=f.idx)
    buf = d.composite(node, out, capture=True)
    k = 0
    while True:
        offset = d.pos
        if not _element_marker(d, f):
            break
        group = _element_group(d, f, groups, k, f.type)
        elem = Node(name=f.name, type="element", kind="element", offset=offset, index=k,
                    version=group.get("version"), vmsd_name=group.get("vmsd_name"))
        d.path.append(f"#{k}")
        d.composite(elem, node.children, capture=False)
        d.body(group, elem, f.described)
        d.finish(elem, None)
        d.path.pop()
        k += 1
    if f.described and k != len(groups):
        raise d.desc_error(
            f"{f.type} '{f.name}' has {k} elements, the description {len(groups)}")
    d.finish(node, buf)
    node.value = k
    d.check_size(f, node)


def _decode_gtree(d: _Decoder, f: _Field, out: list[Node]) -> None:
    """gtree: be32 node count, then per node u8 1, key, value; then u8 0.

    A direct key is a be64; otherwise key and value each have a description, so the field
    object holds 2 descriptions per node (key first) instead of 1.
    """
    groups = _groups(d, f)
    node = Node(name=f.name, type=f.type, kind="tree", offset=d.pos, index=f.idx)
    buf = d.composite(node, out, capture=True)
    nnodes = d.read_uint(4, f"gtree '{f.name}' node count")
    node.value = nnodes
    if f.described:
        if len(groups) == 2 * nnodes and nnodes:
            keyed = True
        elif len(groups) == nnodes:
            keyed = False
        else:
            raise d.desc_error(
                f"gtree '{f.name}' has {nnodes} nodes, the description {len(groups)} entries")
    else:
        keyed = len(groups) >= 2 and groups[0].get("vmsd_name") != groups[1].get("vmsd_name")
    per_node = 2 if keyed else 1
    k = 0
    while True:
        offset = d.pos
        if not _element_marker(d, f):
            break
        if k >= nnodes:
            raise d.format_error(f"gtree '{f.name}' has more nodes than its count {nnodes}",
                                 offset=offset)
        elem = Node(name=f.name, type="element", kind="element", offset=offset, index=k)
        d.path.append(f"#{k}")
        d.composite(elem, node.children, capture=False)
        if keyed:
            _gtree_part(d, f, elem, "key",
                        _element_group(d, f, groups, per_node * k, "gtree"))
        else:
            key_offset = d.pos
            key_raw = d.read(8, f"gtree '{f.name}' direct key")
            elem.children.append(Node(name="key", type="uint64", kind="key", offset=key_offset,
                                      size=8, value=int.from_bytes(key_raw, "big"),
                                      raw=key_raw))
        _gtree_part(d, f, elem, "value",
                    _element_group(d, f, groups, per_node * k + per_node - 1, "gtree"))
        d.finish(elem, None)
        d.path.pop()
        k += 1
    if k != nnodes:
        raise d.format_error(f"gtree '{f.name}' has {k} nodes, its count says {nnodes}")
    d.finish(node, buf)
    d.check_size(f, node)


def _gtree_part(d: _Decoder, f: _Field, elem: Node, part: str, group: Mapping[str, Any]) -> None:
    node = Node(name=part, type="struct", kind=part, offset=d.pos,
                version=group.get("version"), vmsd_name=group.get("vmsd_name"))
    d.path.append(part)
    d.composite(node, elem.children, capture=False)
    d.body(group, node, f.described)
    d.finish(node, None)
    d.path.pop()


TYPE_DECODERS: dict[str, Decoder] = {
    **{name: _decode_int for name in INT_TYPES},
    "bool": _decode_bool,
    "nullptr": _decode_nullptr,
    "timer": _decode_timer,
    "float64": _decode_float64,
    "CPU_Double_U": _decode_float64,
    "bitmap": _decode_bitmap,
    "capability": _decode_capability,
    "buffer": _decode_opaque,
    "unused_buffer": _decode_opaque,
    "struct": _decode_struct,
    "tmp": _decode_inline_struct,
    "vstruct": _decode_inline_struct,
    "qtailq": _decode_queue,
    "qlist": _decode_queue,
    "gtree": _decode_gtree,
}
"""Decoder per description type string; any other type is read as `size` opaque bytes."""


# --------------------------------------------------------------------------------------------
# Entry points


def _run(io: Any, desc: Any, label: str, kind: str, version: int | None,
         end: int | None, plans: dict[int, tuple[Any, Any]] | None = None,
         compact_runs: bool = False) -> Node:
    if not isinstance(desc, Mapping):
        raise DescriptionError("section description is not an object", section=label)
    d = _Decoder(io, label, end, plans)
    d.compact = compact_runs
    vmsd_name = desc.get("vmsd_name")
    root = Node(name=label, type=vmsd_name if isinstance(vmsd_name, str) else "old-style",
                kind=kind, offset=d.pos, version=desc.get("version"),
                vmsd_name=vmsd_name if isinstance(vmsd_name, str) else None)
    try:
        if version is not None and _is_int(root.version) and root.version != version:
            raise d.desc_error(
                f"section has version {version}, description says {root.version}")
        try:
            d.body(desc, root, True)
        finally:
            d.settle()
        root.size = d.pos - root.offset
        total = desc.get("size")  # old-style (non-VMSD) sections record their total size
        if _is_int(total) and "vmsd_name" not in desc and total != root.size:
            raise d.desc_error(f"section took {root.size} bytes, description says {total}")
    except MigkaitaiError as exc:
        for node in d.open:
            node.size = d.pos - node.offset
        root.size = d.pos - root.offset
        if exc.partial is None:
            exc.partial = root
        raise
    return root


def decode_section(io: Any, device_desc: Mapping[str, Any], section_label: str, *,
                   version: int | None = None, end: int | None = None,
                   plans: dict[int, tuple[Any, Any]] | None = None,
                   compact_runs: bool = False) -> Node:
    """Decode one device section's payload at io's position, as ``device_desc`` says.

    Args:
        io: a kaitaistruct.KaitaiStream positioned at the payload's first byte; on return it
            is positioned after the payload (where the footer, if any, starts).
        device_desc: one element of the description's ``devices`` list (or any object with
            ``fields`` and optional ``subsections``, ``vmsd_name``, ``version``).
        section_label: how errors name the section, e.g. ``section_key(name, section_id)``.
        version: the section header's version_id, checked against the description's.
        end: offset where readable data ends (default: ``io.size()``).
        plans: a dict kept across the sections of one description (the walk's): what was
            learnt of its field entries, so that each is checked once, not per device.
        compact_runs: runs of plain integer/bool fields become one RunLeaves child each
            instead of a Node per field (for a renderer that writes them out at once:
            render.upstream); other callers get Nodes.

    Returns the section's Node (kind ``section``). Raises DescriptionError when the payload
    does not match the description, TruncatedError when the stream ends inside it, and
    FormatError for bytes QEMU never writes; the error's ``partial`` holds the tree so far.
    """
    return _run(io, device_desc, section_label, "section", version, end, plans, compact_runs)
