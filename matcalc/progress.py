"""Showing that matcalc is working: a status line on a terminal, and results as soon as they exist.

The status line goes to standard error, only when it is a terminal, and is rewritten in place
(``\\r`` and erase-line), so pipes and files see nothing of it.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TextIO

from matcalc.display import Homework

_ERASE = "\r\x1b[2K"


class Status:
    """One line on a terminal's standard error, rewritten in place; silent elsewhere."""

    def __init__(self, stream: TextIO | None = None):
        self.stream = stream if stream is not None else sys.stderr
        self.live = bool(getattr(self.stream, "isatty", lambda: False)())
        self.shown = False

    def show(self, text: str) -> None:
        """Replace the status line with text (cut to 79 characters)."""
        if self.live:
            self.stream.write(_ERASE + (text if len(text) < 80 else text[:78] + "…"))
            self.stream.flush()
            self.shown = True

    def clear(self) -> None:
        """Erase the status line (before printing a result, and at the end)."""
        if self.shown:
            self.stream.write(_ERASE)
            self.stream.flush()
            self.shown = False

    def __enter__(self) -> Status:
        return self

    def __exit__(self, *_: Any) -> None:
        self.clear()


@contextmanager
def working(text: str) -> Iterator[Status]:
    """`with working("check: loading torch") as status:` shows text… while the block runs."""
    with Status() as status:
        status.show(text + "…")
        yield status


def load_torch(status: Status, what: str) -> None:
    """Import torch (seconds, the first time) while the status line says so: `check: loading torch…`."""
    if "torch" not in sys.modules and importlib.util.find_spec("torch") is not None:
        status.show(f"{what}: loading torch…")
        importlib.import_module("torch")


def grade(problems: Sequence[Any], check: Callable[[Any], Any],
          report: Callable[[Any], list[str]] | None = None, status: Status | None = None) -> Homework:
    """Check each problem in turn; print report(result) as soon as it is graded (when given),
    with a `grading 2/7: Problem 2 …` line on a terminal meanwhile."""
    results = Homework()
    with status or Status() as line:
        load_torch(line, "homework")
        for i, problem in enumerate(problems, 1):
            line.show(f"homework: grading {i}/{len(problems)}: {problem.title}")
            results.append(check(problem))
            if report is not None:
                line.clear()
                print("\n".join(report(results[-1]) + [""]), flush=True)
    return results
