"""The adapter between the generated Kaitai types and migkaitai's errors.

Generated types raise EOFError, kaitaistruct.ValidationFailedError or UnicodeDecodeError;
:func:`kaitai_call` turns them into :mod:`migkaitai.errors` exceptions that name what was
being read and where. The happy path costs one try block: only when a type fails is it
read again, on a stream that remembers where each read starts, so that the error points
at the failing field rather than at the start of the type.
"""
from __future__ import annotations

import kaitaistruct
from kaitaistruct import KaitaiStream

from migkaitai.errors import FormatError, TruncatedError

TYPE_CHECKING = False  # typing is not imported at run time (start-up cost)
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, TypeVar

    T = TypeVar("T")

__all__ = ["kaitai_call", "validation_text"]


class _Tracking(KaitaiStream):  # type: ignore[misc]
    """A KaitaiStream that remembers where its last read started (every integer read of
    the runtime goes through read_bytes)."""

    last_start: int | None = None

    def read_bytes(self, n: int) -> bytes:
        self.last_start = self.pos()
        return super().read_bytes(n)  # type: ignore[no-any-return]

    def read_bytes_full(self) -> bytes:
        self.last_start = self.pos()
        return super().read_bytes_full()  # type: ignore[no-any-return]

    def read_bytes_term(self, *args: Any) -> bytes:
        self.last_start = self.pos()
        return super().read_bytes_term(*args)  # type: ignore[no-any-return]


def _failing_field(io: KaitaiStream, start: int, ctor: Any, params: dict[str, Any]) -> int:
    """Where the read that fails starts: the type is read again from `start` on a
    tracking stream over the same file (only after a failure)."""
    tracking = _Tracking(io._io)
    tracking.seek(start)
    try:
        ctor(_io=tracking, **params)
    except Exception:  # noqa: BLE001 - the same failure as before, now with its position
        pass
    at = tracking.last_start
    io.seek(start)
    return start if at is None else at


def kaitai_call(io: KaitaiStream, what: str, ctor: Callable[..., T], *,
                section: str | None = None, field: str | None = None, at: int | None = None,
                **params: Any) -> T:
    """Instantiate the generated type `ctor` at the current position of `io` (`at`, if the
    caller knows it), with its `params` by name, mapping its errors to ours: `what` names
    it in the message, whose offset is where the failing field starts; `section` and
    `field` are passed on."""
    start = io.pos() if at is None else at
    try:
        return ctor(_io=io, **params)
    except EOFError:
        size = io.size()
        at = _failing_field(io, start, ctor, params)
        raise TruncatedError(f"stream ends at 0x{size:x} inside {what}", end=size,
                             offset=at, section=section, field=field) from None
    except kaitaistruct.ValidationFailedError as e:
        at = _failing_field(io, start, ctor, params)
        raise FormatError(f"invalid {what} ({validation_text(e)})", offset=at,
                          section=section, field=field) from None
    except UnicodeDecodeError:
        at = _failing_field(io, start, ctor, params)
        raise FormatError(f"invalid {what} (a name that is not ASCII)", offset=at,
                          section=section, field=field) from None


def validation_text(e: kaitaistruct.ValidationFailedError) -> str:
    """"ram_xbzrle field 0: not equal, expected 1, but got 0" from the generated error."""
    path = (e.src_path or "").replace("/types/", "").replace("/seq/", " field ")
    detail = str(e).split("validation failed: ", 1)[-1]
    expected, actual = getattr(e, "expected", None), getattr(e, "actual", None)
    if isinstance(expected, (bytes, bytearray)) and isinstance(actual, (bytes, bytearray)):
        # (bytes as hex, not Python's b'...' reprs)
        detail = f"not equal, expected {expected.hex(' ')}, but got {actual.hex(' ')}"
    return f"{path.strip('/')}: {detail}" if path else detail
