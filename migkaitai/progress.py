"""Progress on a terminal for long work: bytes done, rate, time left (stderr, TTY only)."""
from __future__ import annotations

import time

TYPE_CHECKING = False  # typing is not imported at run time (start-up cost)
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, TextIO


__all__ = ["Progress", "SharedTerminal"]


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
        # set by SharedTerminal: whether the line may be drawn now (stdout is between lines)
        self.may_draw: Callable[[], bool] | None = None

    def __call__(self, pos: int, total: int | None = None) -> None:
        now = time.monotonic()
        if now < self.next or (self.may_draw is not None and not self.may_draw()):
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

    def clear(self) -> None:
        """Take the status line off the terminal (it is drawn again at the next call)."""
        if self.shown:
            self.out.write("\r" + " " * 60 + "\r")
            self.out.flush()
            self.shown = False

    def done(self) -> None:
        self.clear()


class SharedTerminal:
    """Standard output when it is the terminal the progress line is drawn on (through
    stderr): each write first takes the progress line off, and the line is drawn again
    only between whole lines of output, so the two never run into each other."""

    def __init__(self, out: TextIO, progress: Progress) -> None:
        self.out = out
        self.progress = progress
        self.at_line_start = True
        progress.may_draw = self._may_draw

    def _may_draw(self) -> bool:
        if not self.at_line_start:
            return False
        self.out.flush()  # (what was written lands before the line is drawn)
        return True

    def write(self, text: str) -> int:
        if text:
            self.progress.clear()
            self.out.write(text)
            self.at_line_start = text.endswith("\n")
        return len(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.out, name)


def _size(n: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024  # type: ignore[assignment]
    return f"{n} B"
