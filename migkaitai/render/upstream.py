"""The JSON that QEMU's scripts/analyze-migration.py prints, from the decoded records.

What scripts/analyze-migration.py does (:func:`to_upstream` reproduces its ``-d state``
output for one section as objects, :func:`write_upstream` as the JSON text it prints,
written straight from the tree):

- The state output is a JSON object keyed ``"<idstr> (<section_id>)"`` (the section id, not
  the instance id; see :func:`section_key`) in order of each section's START/FULL record.
  Sections are matched to ``devices[]`` entries by ``(name, instance_id)``; a later entry
  with the same pair replaces an earlier one (a dict), and a second START/FULL with the same
  section id replaces the object at the first one's position. The configuration record is
  decoded (for its capabilities) but never printed (here the grammar frames it). ``ram`` prints
  ``{"section sizes": {block: "0x%016x"}}`` (:func:`ram_section_sizes`);
  ``spapr/htab`` and ``s390-storage_attributes`` print ``""``.
- Inside a struct, values are grouped by field name: the first one is stored as is, a second
  one turns the entry into ``[first, second]``, later ones are appended. So arrays become
  lists, a one-element run stays a scalar, and NULL-pointer runs merge back into one list.
  Subsections are stored under their wire name (replacing a same-named entry).
- Integers print as ``"0x%0{2*size}x"``; the signed ones (``int*``, ``int32 equal``,
  ``int32 le``, ``int64 equal``, and also ``uint8 equal``/``uint16 equal``) print a negative
  value as ``"0x<unsigned> (<signed>)"``. ``bool`` prints true/false, ``nullptr`` prints
  "nullptr". Everything else, including types it does not know (``tmp``, ``vstruct``,
  ``qtailq``, ``gtree``...), is ``size`` bytes as space-separated lowercase hex.
- It loads the JSON with an OrderedDict hook, so duplicate keys collapse to the last value at
  the first key's position (what ``json.dumps`` of our :class:`DescObject` prints too).

Device sections are written as text as their records arrive (:func:`write_upstream` into
a spool: see :class:`StateBuilder`), so that memory does not grow with the size of the
state; compact arrays are written a chunk at a time.
"""
from __future__ import annotations

import json
import struct as _struct
from collections.abc import Mapping, Sequence

from migkaitai.errors import OutputError
from migkaitai.render import SPECIAL_SECTION_VALUE, hex_bytes, special_summary
from migkaitai.vmsd import _CHUNK, _STRUCT_CODES, Node, PackedInts, RunLeaves, StructArray

TYPE_CHECKING = False  # typing is not imported at run time (start-up cost)
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from typing import Any, TextIO

    from migkaitai.ram import RamTracker
    from migkaitai.walk import Record

__all__ = ["StateBuilder", "UpstreamWriter", "SpooledText", "to_upstream", "write_upstream",
           "write_state", "ram_section_sizes", "section_key", "SPECIAL_SECTION_VALUE"]

# Its reader table (vmsd_field_readers): which types it prints as integers, and signed or not.
UPSTREAM_SIGNED = frozenset({"int8", "int16", "int32", "int64", "int32 equal", "int32 le",
                           "int64 equal", "uint8 equal", "uint16 equal"})
UPSTREAM_UNSIGNED = frozenset({"uint8", "uint16", "uint32", "uint64", "uint32 equal"})


def _upstream_hex(raw: bytes | None) -> str:
    return raw.hex(" ") if raw else ""


def _upstream_int(raw: bytes, signed: bool) -> str:
    digits = f"0x%0{2 * len(raw)}x"
    unsigned = int.from_bytes(raw, "big")
    if signed:
        value = int.from_bytes(raw, "big", signed=True)
        if value < 0:
            return f"{digits % unsigned} ({value})"
    return digits % unsigned


class _One:
    """A single (not yet grouped) value in analyze-migration.py's per-struct dict."""

    __slots__ = ("value",)

    def __init__(self, value: object) -> None:
        self.value = value


def _upstream_array(node: Node) -> list[Any]:
    """The elements of a compact array as analyze-migration.py prints each one."""
    if isinstance(node.value, StructArray):
        return [_upstream_dict(e) for e in node.value]
    if node.type == "bool":
        return list(node.value)
    size = node.size // len(node.value)
    raw = node.raw or b""
    if node.type in UPSTREAM_SIGNED or node.type in UPSTREAM_UNSIGNED:
        # from the bytes: "uint8 equal" is unsigned in the tree but printed as signed
        signed = node.type in UPSTREAM_SIGNED
        return [_upstream_int(raw[i:i + size], signed) for i in range(0, node.size, size)]
    return [_upstream_hex(raw[i:i + size]) for i in range(0, node.size, size)]


def _upstream_dict(node: Node) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for child in _nodes(node.children):
        if child.kind == "subsection":
            data[child.name] = _One(to_upstream(child))
            continue
        values = _upstream_array(child) if child.kind == "array" else [to_upstream(child)]
        current = data.get(child.name)
        if current is None and len(values) > 1:
            data[child.name] = values
            continue
        for value in values:
            current = data.get(child.name)
            if current is None:
                data[child.name] = _One(value)
            elif isinstance(current, list):
                current.append(value)
            else:
                data[child.name] = [current.value, value]
    return {k: (v.value if isinstance(v, _One) else v) for k, v in data.items()}


def _nodes(children: list[Any]) -> list[Node]:
    """Children with each vmsd.RunLeaves (a compact decode's run of integer fields) made
    into its Nodes."""
    if not any(type(c) is RunLeaves for c in children):
        return children
    return [n for c in children for n in (c.nodes() if type(c) is RunLeaves else (c,))]


# how a field of a run is written (see UpstreamWriter._run_text): as _value writes it
_BOOL, _HEX, _SIGNED, _SPACED = range(4)


def _run_plan(run: Any) -> list[tuple[str, int, int, int]]:
    """(JSON key, how, offset, size) for each field of a vmsd._Run, kept on the run."""
    if run.render is None:
        run.render = {None: [
            (_json_str(name), _BOOL if typ == "bool" else _HEX if typ in UPSTREAM_UNSIGNED
             else _SIGNED if typ in UPSTREAM_SIGNED else _SPACED, off, size)
            for name, typ, size, kind, off in run.fields]}
    return run.render[None]  # type: ignore[no-any-return]


def _run_template(run: Any, comma: str
                  ) -> tuple[bytes, Any, list[int], list[tuple[int, int]]] | None:
    """For a run of integer and bool fields: one %-template (ASCII bytes) of its text after
    the first separator (at the nesting `comma` gives), a struct that cuts the run's hex
    digits into the fields' values, the offsets of its signed fields (written as hex
    while their first byte is below 0x80), and (index, offset) of its bools; None
    if a field prints otherwise. Kept on the run."""
    plan = _run_plan(run)
    cache = run.render
    if comma not in cache:
        text = comma.join(key.replace("%", "%%") + (": %s" if how == _BOOL else ': "0x%s"')
                          for key, how, _, _ in plan)
        if any(how == _SPACED for _, how, _, _ in plan) or not text.isascii():
            cache[comma] = None
        else:
            cut = _struct.Struct("".join(f"{2 * size}s" for _, _, _, size in plan))
            signed = [off for _, how, off, _ in plan if how == _SIGNED]
            bools = [(i, off) for i, (_, how, off, _) in enumerate(plan) if how == _BOOL]
            cache[comma] = (text.encode("ascii"), cut, signed, bools)
    return cache[comma]  # type: ignore[no-any-return]


_TRUE_FALSE = (b"false", b"true")


def to_upstream(node: Node) -> Any:
    """Render a decoded node as analyze-migration.py ``-d state`` renders it (as parsed JSON:
    dicts, lists, str, bool). For a section node this is the value under its
    ``"name (section_id)"`` key."""
    if node.kind in ("section", "subsection", "element"):
        return _upstream_dict(node)
    t = node.type
    if t == "struct":
        return "nullptr" if node.kind == "nullptr" else _upstream_dict(node)
    if t == "bool":
        return bool(node.raw and node.raw[0] != 0)
    if t in UPSTREAM_SIGNED or t in UPSTREAM_UNSIGNED:
        return _upstream_int(node.raw or b"", t in UPSTREAM_SIGNED)
    if t == "nullptr":
        return "nullptr"
    if t == "capability":
        return node.value
    return _upstream_hex(node.raw)


_json_str = json.encoder.encode_basestring_ascii  # what json.dumps uses for str and keys
_json_any = json.JSONEncoder(ensure_ascii=True).encode
_DICT_KINDS = frozenset({"section", "subsection", "element"})


_LEAF_KINDS = frozenset(("int", "bool"))
_INT_TYPES = UPSTREAM_UNSIGNED | UPSTREAM_SIGNED


class UpstreamWriter:
    """Writes :func:`to_upstream` of a node as JSON text, straight from the tree: the same
    text as ``json.dumps(to_upstream(node), indent=4, separators=(",", ": "))`` nested
    ``level`` objects deep, without building the objects. Compact arrays are written a
    chunk of elements at a time from their bytes, each chunk by a few C-level operations
    (an unpack and a %-format or join), so that memory does not grow with their length.

    ``write`` receives the text in pieces (a file's or a list's method).
    """

    FLUSH = 4096  # pieces kept before they are joined and written

    def __init__(self, write: Callable[[str], object]) -> None:
        self.write = write
        self.parts: list[str] = []
        self.keys: dict[str, str] = {}

    def value(self, node: Node, level: int = 0, extra: Mapping[str, str] | None = None
              ) -> None:
        """Write the node's value, with the ``extra`` entries (JSON strings) set in its
        object afterwards (as ``to_upstream(node)[key] = value`` would: a name it has already
        keeps its place). Then flush."""
        if extra:
            self._dict(node, level, extra)
        else:
            self._value(node, level)
        self.flush()

    def flush(self) -> None:
        parts = self.parts
        if parts:
            self.write("".join(parts))
            parts.clear()  # in place: callers hold on to the list

    def _key(self, name: str) -> str:
        key = self.keys.get(name)
        if key is None:
            key = self.keys[name] = _json_str(name)
        return key

    def _value(self, node: Node, level: int) -> None:
        kind = node.kind
        t = node.type
        if kind in _DICT_KINDS or (t == "struct" and kind != "nullptr"):
            self._dict(node, level, None)
            return
        raw = node.raw
        if t == "bool":
            self.parts.append("true" if raw and raw[0] != 0 else "false")
        elif t in UPSTREAM_UNSIGNED or t in UPSTREAM_SIGNED:
            if raw and (raw[0] < 0x80 or t in UPSTREAM_UNSIGNED):
                self.parts.append('"0x' + raw.hex() + '"')
            else:
                self.parts.append('"' + _upstream_int(raw or b"", True) + '"')
        elif t == "nullptr" or t == "struct":
            self.parts.append('"nullptr"')
        elif t == "capability":
            v = node.value
            self.parts.append(_json_str(v) if isinstance(v, str) else _json_any(v))
        else:
            self.parts.append('"' + raw.hex(" ") + '"' if raw else '""')

    @staticmethod
    def _group(children: list[Any], extra: Mapping[str, str] | None) -> dict[Any, Any] | None:
        # analyze-migration.py's grouping: one value per name, a second one makes a list
        # (a compact array is its elements); a subsection replaces what its name held.
        # A run (vmsd.RunLeaves) is one entry, keyed by itself: its fields are named once
        # in their VMSD; None if one of them shares a name all the same.
        groups: dict[Any, Any] = {}
        runs = 0
        for c in children:
            if type(c) is RunLeaves:
                groups[c] = c
                runs += 1
                continue
            name = c.name
            if c.kind == "subsection":
                groups[name] = c
                continue
            g = groups.get(name)
            if g is None:
                groups[name] = c
            elif type(g) is list:
                g.append(c)
            else:
                groups[name] = [g, c]
        if extra:
            groups.update(extra)
        if runs:
            seen = 0
            for g in groups:
                if type(g) is RunLeaves:
                    if not g.run.names.isdisjoint(groups):
                        return None
                    seen += len(g.run.names)
            if runs > 1 and seen != len(frozenset().union(
                    *(g.run.names for g in groups if type(g) is RunLeaves))):
                return None
        return groups

    def _dict(self, node: Node, level: int, extra: Mapping[str, str] | None) -> None:
        groups = self._group(node.children, extra)
        if groups is None:  # (a run's field shares a name: group its Nodes instead)
            groups = self._group(_nodes(node.children), extra)
            assert groups is not None
        parts = self.parts
        if not groups:
            parts.append("{}")
            return
        pad = "\n" + "    " * (level + 1)
        sep = pad
        parts.append("{")
        for name, g in groups.items():
            if type(g) is RunLeaves:
                sep = self._run_text(g, sep, "," + pad)
                continue
            parts.append(sep + self._key(name) + ": ")
            sep = "," + pad
            if type(g) is list:
                self._list(g, level + 1)
            elif type(g) is Node and g.kind in _LEAF_KINDS and g.type in _INT_TYPES:
                # (most leaves: _value's integer case, without the call)
                raw = g.raw
                if raw and (raw[0] < 0x80 or g.type in UPSTREAM_UNSIGNED):
                    parts.append('"0x' + raw.hex() + '"')
                else:
                    parts.append('"' + _upstream_int(raw or b"", True) + '"')
            elif type(g) is str:
                parts.append(_json_str(g))
            elif g.kind == "array" and len(g.value) != 1:
                self._list([g], level + 1)
            elif g.kind == "array":
                self._value(g.element(0), level + 1)
            else:
                self._value(g, level + 1)
            if len(parts) > self.FLUSH:
                self.flush()
        self.parts.append("\n" + "    " * level + "}")

    def _run_text(self, leaves: RunLeaves, sep: str, comma: str) -> str:
        """The fields of a run, from its bytes, as _dict would write their Nodes; returns
        the separator for what follows."""
        raw = leaves.raw
        parts = self.parts
        fast = _run_template(leaves.run, comma)
        if fast is not None:
            text, cut, signed, bools = fast
            if not signed or all(raw[at] < 0x80 for at in signed):
                # (the usual run: every value its bytes in hex, or true/false): the run's
                # hex digits cut into the values by one struct unpack
                values: Any = cut.unpack(raw.hex().encode("ascii"))
                if bools:
                    values = list(values)
                    for i, at in bools:
                        values[i] = _TRUE_FALSE[raw[at] != 0]
                    values = tuple(values)
                parts.append(sep + (text % values).decode("ascii"))
                return comma
        h = raw.hex()
        for key, how, off, size in _run_plan(leaves.run):
            if how == _HEX or (how == _SIGNED and raw[off] < 0x80):
                value = '"0x' + h[2 * off:2 * (off + size)] + '"'
            elif how == _SIGNED:
                value = '"' + _upstream_int(raw[off:off + size], True) + '"'
            elif how == _BOOL:
                value = "true" if raw[off] != 0 else "false"
            else:
                value = '"' + raw[off:off + size].hex(" ") + '"'
            parts.append(sep + key + ": " + value)
            sep = comma
        return sep

    def _list(self, items: list[Node], level: int) -> None:
        pad = "\n" + "    " * (level + 1)
        sep = "," + pad
        self.parts.append("[")
        lead = pad
        inner = "\n" + "    " * (level + 2)
        close = pad + "}"
        for item in items:
            if item.kind == "array":
                self._array(item, level + 1, lead, sep)
            elif len(item.children) == 1 and type(item.children[0]) is RunLeaves and \
                    item.kind == "struct" and item.type == "struct":
                # (a struct of one run, as _dict writes it: the element of an array of
                # such structs, the usual array of a device)
                self.parts.append(lead + "{")
                self._run_text(item.children[0], inner, "," + inner)
                self.parts.append(close)
            else:
                self.parts.append(lead)
                self._value(item, level + 1)
            lead = sep
            if len(self.parts) > self.FLUSH:
                self.flush()
        self.parts.append("\n" + "    " * level + "]")

    def _array(self, node: Node, level: int, lead: str, sep: str) -> None:
        """The elements of a compact array, as list items at ``level``: ``lead`` before the
        first, ``sep`` between them."""
        v = node.value
        if isinstance(v, StructArray):
            self._struct_array(v, level, lead, sep)
            return
        t = node.type
        if not isinstance(v, PackedInts) or not (t == "bool" or t in UPSTREAM_UNSIGNED
                                                 or t in UPSTREAM_SIGNED):
            for i in range(len(v)):
                self.parts.append(sep if i else lead)
                self._value(node.element(i), level)
            return
        self.flush()
        write = self.write
        write(lead)
        raw = node.raw or b""
        n = len(v)
        if t == "bool":
            for start in range(0, n, _CHUNK):
                if start:
                    write(sep)
                write(sep.join(["true" if b else "false" for b in raw[start:start + _CHUNK]]))
            return
        w = v.width
        one = f'"0x%0{2 * w}x"'
        top = 1 << (8 * w - 1) if t in UPSTREAM_SIGNED else None
        # '"0x' + hex digits + '"' per element: the chunk's hex cut into elements by one
        # struct unpack, joined by the separator (C-speed, unlike a format per value)
        cut = _struct.Struct(f"{2 * w}s" * _CHUNK) if n >= _CHUNK else None
        joint = ('"' + sep + '"0x').encode("ascii")
        for start in range(0, n, _CHUNK):
            k = min(_CHUNK, n - start)
            chunk = raw[start * w:(start + k) * w]
            if start:
                write(sep)
            if top is not None and max(chunk[::w]) >= 0x80:
                # a negative value prints as "0x... (-n)"
                values = _struct.unpack(f">{k}{_STRUCT_CODES[w]}", chunk)
                write(sep.join([one % u if u < top else f'"0x{u:0{2 * w}x} ({u - 2 * top})"'
                                for u in values]))
            else:
                digits = chunk.hex().encode("ascii")
                split = cut if cut is not None and k == _CHUNK else _struct.Struct(f"{2 * w}s" * k)
                groups = split.unpack(digits)
                write('"0x' + joint.join(groups).decode("ascii") + '"')

    def _struct_array(self, arr: StructArray, level: int, lead: str, sep: str) -> None:
        lay = arr.layout
        nf = len(lay.fields)
        pad = "\n" + "    " * (level + 1)
        # one element's text with a %-format per field (the names escaped for %)
        elem = ("{" + ",".join(pad + self._key(name).replace("%", "%%") + f': "0x%0{2 * width}x"'
                               for name, _, width, _at in lay.fields)
                + "\n" + "    " * level + "}")
        signed = [(j, 1 << (8 * width - 1)) for j, (_, typ, width, _at) in enumerate(lay.fields)
                  if typ in UPSTREAM_SIGNED]
        per = max(1, _CHUNK // nf)
        n = len(arr)
        size = lay.size
        raw = arr.raw
        whole = _struct.Struct(">" + lay.code * per)
        full = sep.join([elem] * per)
        self.flush()
        write = self.write
        write(lead)
        for start in range(0, n, per):
            k = min(per, n - start)
            st = whole if k == per else _struct.Struct(">" + lay.code * k)
            values = st.unpack_from(raw, start * size)
            if start:
                write(sep)
            if any(max(values[j::nf]) >= top for j, top in signed):
                # a negative value prints as "0x... (-n)": the element path
                for i in range(start, start + k):
                    self.parts.append(sep if i > start else "")
                    self._dict(arr[i], level, None)
                self.flush()
            else:
                write((full if k == per else sep.join([elem] * k)) % values)


def write_upstream(node: Node, write: Callable[[str], object], level: int = 0,
                 extra: Mapping[str, str] | None = None) -> None:
    """Write ``json.dumps(to_upstream(node), indent=4)`` (as nested ``level`` deep) through
    ``write``, in pieces; see :class:`UpstreamWriter`."""
    UpstreamWriter(write).value(node, level, extra)


def section_key(name: str, section_id: int) -> str:
    """analyze-migration.py's key for a section in ``-d state`` output: "name (section_id)"."""
    return f"{name} ({section_id})"


def ram_section_sizes(blocks: Sequence[tuple[str, int]]) -> dict[str, dict[str, str]]:
    """analyze-migration.py's value for the "ram" section: every block of every MEM_SIZE
    record as "0x%016x" of its used length (a repeated name keeps its first position and
    takes the last length)."""
    sizes: dict[str, str] = {}
    for name, length in blocks:
        sizes[name] = f"0x{length:016x}"
    return {"section sizes": sizes}


_leaf = json.JSONEncoder(ensure_ascii=True).encode  # C-accelerated for str/int/bool


class SpooledText:
    """A state value already written as JSON text (indented for its place in the state),
    held in memory or, past :attr:`_Spool.MEMORY` characters in all, in the spool's
    temporary file."""

    __slots__ = ("end", "spool", "start", "text")

    def __init__(self, spool: _Spool, text: str | None, start: int = 0, end: int = 0) -> None:
        self.spool = spool
        self.text = text
        self.start = start
        self.end = end

    def __len__(self) -> int:
        return len(self.text) if self.text is not None else self.end - self.start

    def copy_to(self, write: Callable[[str], object]) -> None:
        """Pass the text to ``write`` (a file's or a list's method), a piece at a time."""
        if self.text is not None:
            write(self.text)
            return
        f = self.spool.file
        f.seek(self.start)
        left = self.end - self.start
        while left > 0:
            data = f.read(min(left, 1 << 20))
            if not data:
                raise OSError("the state spool file is shorter than written")
            write(data.decode("ascii"))
            left -= len(data)

    def parsed(self) -> Any:
        """The value as JSON objects (this reads it all into memory)."""
        if self.text is not None:
            return json.loads(self.text)
        parts: list[str] = []
        self.copy_to(parts.append)
        return json.loads("".join(parts))


class _Spool:
    """Where StateBuilder keeps each section's JSON text until the state is written: in
    memory up to MEMORY characters in all, then in an anonymous temporary file, so that
    memory does not grow with the size of the output."""

    MEMORY = 1 << 20

    def __init__(self) -> None:
        self.file: Any = None
        self.held = 0  # characters of SpooledText kept in memory

    def render(self, node: Node, extra: dict[str, str] | None) -> SpooledText:
        """The text of a section's value (nested one level: under its key in the state)."""
        sink = _SpoolSink(self)
        write_upstream(node, sink.write, 1, extra)
        return sink.done()

    def release(self, old: Any) -> None:
        """A spooled value was replaced (a section sent again)."""
        if isinstance(old, SpooledText) and old.text is not None:
            self.held -= len(old.text)

    def close(self) -> None:
        if self.file is not None:
            self.file.close()
            self.file = None


class _SpoolSink:
    """Collects one section's text: in memory, or in the spool file once the spool's
    memory budget is spent."""

    __slots__ = ("pieces", "size", "spool", "start")

    def __init__(self, spool: _Spool) -> None:
        self.spool = spool
        self.pieces: list[str] = []
        self.size = 0
        self.start: int | None = None  # where the text starts in the file, once there

    def write(self, text: str) -> None:
        failed = None
        try:
            self._write(text)
        except OSError as e:  # the temporary file: a full disk, a file size limit
            import tempfile

            failed = OutputError("cannot write the state's temporary file in",
                                 tempfile.gettempdir(), e.strerror or str(e))
        if failed is not None:
            raise failed

    def _write(self, text: str) -> None:
        if self.start is not None:
            self.spool.file.write(text.encode("ascii"))
            return
        self.pieces.append(text)
        self.size += len(text)
        if self.size + self.spool.held > self.spool.MEMORY:
            spool = self.spool
            if spool.file is None:
                import tempfile  # only for large states: not imported at start-up

                spool.file = tempfile.TemporaryFile(  # noqa: SIM115 - closed by close()
                    prefix="migkaitai-state-")
            spool.file.seek(0, 2)
            self.start = spool.file.tell()
            spool.file.write("".join(self.pieces).encode("ascii"))
            self.pieces = []

    def done(self) -> SpooledText:
        spool = self.spool
        if self.start is None:
            spool.held += self.size
            return SpooledText(spool, "".join(self.pieces))
        end = spool.file.tell()
        return SpooledText(spool, None, self.start, end)


def _indented(value: Any, level: int) -> Iterator[str]:
    """Pieces of `json.dumps(value, indent=4)` as if nested `level` deep - the same text,
    but leaves go through the C encoder (json's indenting encoder is pure Python)."""
    if isinstance(value, SpooledText):
        parts: list[str] = []
        value.copy_to(parts.append)
        yield from parts
    elif isinstance(value, dict):
        if not value:
            yield "{}"
            return
        pad = "\n" + "    " * (level + 1)
        yield "{"
        first = True
        for k, v in value.items():
            yield (pad if first else "," + pad) + _leaf(k) + ": "
            first = False
            yield from _indented(v, level + 1)
        yield "\n" + "    " * level + "}"
    elif isinstance(value, list):
        if not value:
            yield "[]"
            return
        pad = "\n" + "    " * (level + 1)
        if all(not isinstance(v, (dict, list)) for v in value):
            yield "[" + pad + ("," + pad).join(map(_leaf, value)) + "\n" + "    " * level + "]"
            return
        yield "["
        first = True
        for v in value:
            yield pad if first else "," + pad
            first = False
            yield from _indented(v, level + 1)
        yield "\n" + "    " * level + "]"
    else:
        yield _leaf(value)


def write_state(state: dict[str, Any], out: TextIO, ram_keys: list[str],
                memory: Any = None) -> None:
    """Write `-d state` JSON section by section (indent 4, like analyze-migration.py).

    With `memory` (a RamMemoryDump), each ram section's value gets a "memory" object
    streamed entry by entry after its "section sizes", as analyze-migration.py -m prints.
    """
    def indented(value: Any, level: int) -> str:
        return "".join(_indented(value, level))

    if not state:
        out.write("{}\n")
        return
    out.write("{\n")
    items = list(state.items())
    for i, (key, value) in enumerate(items):
        out.write(f"    {json.dumps(key)}: ")
        if memory is not None and key in ram_keys and isinstance(value, dict):
            out.write("{\n")
            for k, v in value.items():
                out.write(f"        {json.dumps(k)}: {indented(v, 2)},\n")
            out.write('        "memory": {')
            first = True
            for k, v in memory.entries():
                out.write(("\n" if first else ",\n")
                          + f"            {json.dumps(k)}: {json.dumps(v)}")
                first = False
            out.write("\n        }\n    }" if not first else "}\n    }")
        elif isinstance(value, SpooledText):
            value.copy_to(out.write)
        else:
            out.write(indented(value, 1))
        out.write(",\n" if i + 1 < len(items) else "\n")
    out.write("}\n")


class StateBuilder:
    """Assembles `-d state` output as analyze-migration.py does: one entry per section,
    keyed "name (section_id)", in order of first appearance.

    A device section's value is written as JSON text when its record arrives (see
    :class:`SpooledText`), so that neither its decoded tree nor its text stays in memory;
    :func:`write_state` copies the texts out in key order.
    """

    def __init__(self, ram: RamTracker, read: Callable[[int, int], bytes]) -> None:
        self.ram = ram
        self.read = read  # (offset, length) -> bytes of the stream, for raw payloads
        self.state: dict[str, Any] = {}
        self.ram_keys: list[str] = []
        self.spool = _Spool()

    def add(self, rec: Record) -> None:
        sec = rec.section
        if sec is None:
            return
        key = sec.label
        if rec.payload_format == "ram":
            if key not in self.ram_keys:
                self.ram_keys.append(key)
            self.state.setdefault(key, None)
        elif rec.device is not None:
            # decoded up to where the description failed: the rest as hex
            extra = {"undecoded": self._raw(rec.raw)} if rec.raw is not None else None
            self._set(key, self.spool.render(rec.device, extra))
        elif rec.raw is not None:
            self._set(key, self._raw_payload(rec.raw))
        elif rec.special is not None:
            value = special_summary(rec)
            prev = self.state.get(key)
            if isinstance(prev, list) and isinstance(value, list):
                prev.extend(value)
            else:
                self._set(key, value)

    def _set(self, key: str, value: Any) -> None:
        self.spool.release(self.state.get(key))
        self.state[key] = value

    def _raw(self, where: tuple[int, int]) -> str:
        off, n = where
        return hex_bytes(self.read(off, n))

    def _raw_payload(self, where: tuple[int, int]) -> SpooledText:
        """``{"raw payload": "<hex>"}`` as its text, read and written a piece at a time."""
        off, n = where
        sink = _SpoolSink(self.spool)
        sink.write('{\n        "raw payload": "')
        step = 1 << 18
        for at in range(0, n, step):
            data = self.read(off + at, min(step, n - at))
            sink.write((" " if at else "") + data.hex(" "))
        sink.write('"\n    }')
        return sink.done()

    def result(self) -> dict[str, Any]:
        sizes = ram_section_sizes([(b.name, b.length) for b in self.ram.blocks.values()])
        for key in self.ram_keys:
            self.state[key] = sizes
        return self.state

    def close(self) -> None:
        """Drop the spool (the state's texts are gone after this)."""
        self.spool.close()
