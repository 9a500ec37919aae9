"""Shared fixtures: running the `matcalc` command in-process or as a subprocess; Hypothesis
runs derandomized under CI=true (a fixed set of examples per run), at random elsewhere."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import settings

ROOT = Path(__file__).resolve().parents[1]

settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@dataclass
class Run:
    """What a run of the command gave: exit status, standard output and standard error."""

    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Callable[..., Run]:
    """Run `matcalc ARGS…` in-process: cli("parse", "x", stdin=None) -> Run."""
    from matcalc.cli import main

    def run(*args: str, stdin: str | None = None) -> Run:
        if stdin is not None:
            monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        capsys.readouterr()
        code = main(list(args))
        out, err = capsys.readouterr()
        return Run(code, out, err)

    return run


def _run_python(*args: str, cwd: str | Path | None = None, env: dict[str, str] | None = None,
               stdin: str | None = None, timeout: float = 120) -> Run:
    """Run `python ARGS…` in a fresh interpreter (UTF-8 output)."""
    full_env = {**os.environ, "PYTHONIOENCODING": "utf-8", **(env or {})}
    result = subprocess.run([sys.executable, *args], capture_output=True, text=True, encoding="utf-8",
                            cwd=cwd or ROOT, env=full_env, input=stdin, timeout=timeout)
    return Run(result.returncode, result.stdout, result.stderr)


@pytest.fixture
def python() -> Callable[..., Run]:
    """Run `python ARGS…` as a subprocess: python("-m", "matcalc", "parse", "x", cwd=…, env=…) -> Run."""
    return _run_python
