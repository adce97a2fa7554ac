"""Progress on a terminal for long work: bytes done, rate, time left (stderr, TTY only)."""
from __future__ import annotations

import time

TYPE_CHECKING = False  # typing is not imported at run time (start-up cost)
if TYPE_CHECKING:
    from typing import TextIO


__all__ = ["Progress"]


class Progress:
    """Call with the stream position and the total (None: not known, e.g. a pipe) as work
    goes; it redraws one status line at most every `interval` seconds, starting once the
    work has taken `delay` seconds."""

    def __init__(self, out: TextIO, delay: float = 1.0, interval: float = 0.2) -> None:
        self.out = out
        self.delay = delay
        self.interval = interval
        self.start = time.monotonic()
        self.next = self.start + delay
        self.shown = False

    def __call__(self, pos: int, total: int | None = None) -> None:
        now = time.monotonic()
        if now < self.next:
            return
        self.next = now + self.interval
        rate = pos / max(now - self.start, 1e-9)
        if total:
            left = (total - pos) / rate if rate > 0 else 0.0
            text = (f"{_size(pos)} / {_size(total)} ({100 * pos // total}%)  "
                    f"{_size(int(rate))}/s  {left:.0f} s left   ")
        else:
            text = f"{_size(pos)}  {_size(int(rate))}/s   "
        self.out.write("\r" + text)
        self.out.flush()
        self.shown = True

    def done(self) -> None:
        if self.shown:
            self.out.write("\r" + " " * 60 + "\r")
            self.out.flush()


def _size(n: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024  # type: ignore[assignment]
    return f"{n} B"
