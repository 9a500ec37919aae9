"""The ``matcalc`` command: ``matcalc parse``, ``grad``, ``check``, ``codegen``, ``homework``.

Each subcommand is one entry of ``COMMANDS``: a name, a help line, examples, a function
that adds its arguments and a function that runs it (``args -> exit code``). Exit codes:
0 success, 1 a check found a wrong gradient, 2 bad input (a ``MatcalcError``, printed as
``error: …`` with a caret under the text; also argparse usage errors), 3 an internal error.
No traceback is printed unless ``MATCALC_DEBUG=1``.

The command must answer fast: this module imports only the standard library at load
time; ``matcalc`` itself (lark; NumPy only where numbers are computed) is imported when a
subcommand runs, and torch only by ``check``.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import traceback
from collections.abc import Sequence
from typing import Any

from matcalc.cli_commands import COMMANDS
from matcalc.cli_common import EXIT_INPUT, EXIT_INTERNAL, EXIT_OK

DESCRIPTION = """\
matcalc: symbolic matrix calculus. Closed-form gradients in matrix notation, derived
by the trace trick and shown step by step, printed as text, Unicode or LaTeX."""

EPILOG = """\
examples:
  matcalc parse "a^T exp(X b)"                 # three forms, inferred types and shapes
  matcalc grad "a^T exp(X b)" --wrt X          # (exp(X b) .* a) b^T
  matcalc grad "a^T exp(X b)" --wrt X --steps  # the derivation, step by step
  matcalc check "a^T exp(X b)" --wrt X         # compare with torch.autograd

Names: capitals are matrices (X, W1), Greek names scalars (alpha, λ), others vectors;
declare types with --where "A: symmetric(n); x: vector(n) positive".
Run 'matcalc COMMAND --help' for a command's options. MATCALC_DEBUG=1 shows tracebacks."""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser: one subparser per entry of COMMANDS."""
    parser = argparse.ArgumentParser(prog="matcalc", description=DESCRIPTION, epilog=EPILOG,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action=_VersionAction, nargs=0, help="show the version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    for cmd in COMMANDS:
        p = sub.add_parser(cmd.name, help=cmd.help, description=cmd.help[0].upper() + cmd.help[1:] + ".",
                           epilog=cmd.examples.strip("\n"), formatter_class=argparse.RawDescriptionHelpFormatter)
        cmd.add_arguments(p)
        p.set_defaults(run=cmd.run)
    return parser


class _VersionAction(argparse.Action):
    """--version, looked up only when asked (importlib.metadata costs start-up time)."""

    def __call__(self, parser: argparse.ArgumentParser, *_: Any) -> None:
        print(f"{parser.prog} {_version()}")
        parser.exit()


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("matcalc")
    except Exception:  # noqa: BLE001 - not installed: a source checkout
        return "(source)"


def _utf8_streams() -> None:
    """Print ⊙ and ∇ even where the terminal's encoding cannot (replaced, not a crash)."""
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
        if encoding != "utf8" and hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")


_FORMULA_CHARS = re.compile(r"[\s^()<>|.*/+'\[\]{}⟨⊙ᵀ\\]")


def _formulas_kept(argv: Sequence[str]) -> list[str]:
    """A formula may start with a minus (`-sum(y .* log(p))`): a leading space keeps argparse
    from reading it as an option; the parser ignores the space."""
    return [" " + a if a.startswith("-") and not a.startswith("--") and _FORMULA_CHARS.search(a) else a
            for a in argv]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the matcalc command line; returns the exit status (0 ok, 1 wrong, 2 bad input, 3 internal)."""
    _utf8_streams()
    parser = build_parser()
    try:
        args = parser.parse_args(_formulas_kept(sys.argv[1:] if argv is None else argv))
    except SystemExit as e:  # --help, --version, usage errors
        return e.code if isinstance(e.code, int) else EXIT_INPUT
    if getattr(args, "run", None) is None:
        parser.print_help(sys.stderr)
        return EXIT_INPUT
    debug = os.environ.get("MATCALC_DEBUG", "") not in ("", "0")
    try:
        return args.run(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # matcalc … | head: the reader has gone; exit quietly
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        return EXIT_OK
    except Exception as exc:  # noqa: BLE001 - the user sees one line, not a traceback
        from matcalc.algebra.shapes import MatcalcError

        if debug:
            traceback.print_exc()
        if isinstance(exc, MatcalcError):
            print(f"error: {exc}", file=sys.stderr)
            return EXIT_INPUT
        if isinstance(exc, RecursionError):
            print("error: the formula is nested too deeply", file=sys.stderr)
            return EXIT_INPUT
        print(f"error: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        if not debug:
            print("(this is a bug in matcalc; MATCALC_DEBUG=1 shows the traceback)", file=sys.stderr)
        return EXIT_INTERNAL
