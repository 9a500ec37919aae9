"""Progress: homework prints each problem as soon as it is graded; on a terminal a status line says
what is being done (loading torch, grading 2/7); in a pipe there is no status line at all."""

from __future__ import annotations

import io
import os
import pty
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from matcalc.progress import Status, grade

ROOT = Path(__file__).resolve().parents[1]


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_each_problem_is_printed_as_soon_as_it_is_graded(capsys) -> None:
    events: list[str] = []
    problems = [SimpleNamespace(title=f"Problem {i}") for i in (1, 2, 3)]

    def check(p):
        events.append("check " + p.title)
        return SimpleNamespace(ok=p.title != "Problem 2", title=p.title)

    def report(r):
        events.append("print " + r.title)
        return [r.title]

    terminal = _Terminal()
    results = grade(problems, check, report, status=Status(terminal))
    assert events == ["check Problem 1", "print Problem 1", "check Problem 2", "print Problem 2",
                      "check Problem 3", "print Problem 3"]
    assert capsys.readouterr().out == "Problem 1\n\nProblem 2\n\nProblem 3\n\n"
    assert results.right == 2 and len(results) == 3
    shown = terminal.getvalue()
    assert "homework: grading 2/3: Problem 2" in shown and shown.endswith("\r\x1b[2K")  # erased at the end


def test_no_status_line_outside_a_terminal() -> None:
    stream = io.StringIO()
    with Status(stream) as status:
        status.show("working")
    assert stream.getvalue() == ""


def _run_with_terminal_stderr(*args: str) -> tuple[int, str, str]:
    """Run `python -m matcalc ARGS` with stdout a pipe and stderr a pseudo-terminal."""
    main, child = pty.openpty()
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    proc = subprocess.Popen([sys.executable, "-m", "matcalc", *args], stdout=subprocess.PIPE, stderr=child,
                            cwd=ROOT, env=env)
    os.close(child)
    err = b""
    while True:
        try:
            chunk = os.read(main, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        err += chunk
    out = proc.stdout.read()
    code = proc.wait(timeout=300)
    os.close(main)
    return code, out.decode("utf-8"), err.decode("utf-8")


def test_homework_on_a_terminal_shows_progress_and_streams() -> None:
    pytest.importorskip("torch")
    code, out, err = _run_with_terminal_stderr("homework", "examples/homework.md")
    assert code == 1
    assert "homework: grading 1/7" in err and "homework: grading 7/7" in err
    assert "\r\x1b[2K" in err and "\x1b" not in out  # the status line stays on the terminal
    assert out.startswith("✓ Problem 1") and out.rstrip().endswith("3 of 7 problems right")


def test_check_says_it_is_loading_torch() -> None:
    pytest.importorskip("torch")
    code, out, err = _run_with_terminal_stderr("check", "a^T exp(X b)", "--wrt", "X", "--trials", "1")
    assert code == 0, out + err
    assert "check: loading torch…" in err and "comparing with torch.autograd" in err
    assert out.startswith("check a^T exp(X b)")
