"""What every ``matcalc`` subcommand shares: the command record, exit codes, the formula,
--wrt and --format arguments, reading the formula, and JSON helpers (standard library only)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

NOTATIONS = ("text", "unicode", "latex")

EXIT_OK, EXIT_WRONG, EXIT_INPUT, EXIT_INTERNAL = 0, 1, 2, 3


@dataclass(frozen=True)
class Command:
    """One subcommand: its name, a help line, examples for the epilog, and its two functions."""

    name: str
    help: str
    examples: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


# ---------------------------------------------------------------- shared arguments

def _formula_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument("formula", metavar="FORMULA",
                   help="the formula, quoted; '-' reads it from standard input")
    p.add_argument("--where", "-w", metavar="DECLS", default=None,
                   help='declarations, e.g. "A: symmetric(n); x: vector(n)"')
    p.add_argument("--notation", "-n", choices=("text", "unicode", "latex"), default=None,
                   help="how to read FORMULA (default: LaTeX when it has a backslash, Unicode when it has "
                        "typeset symbols such as ᵀ ‖ ⊙ ₁, else text)")
    p.add_argument("--quiet", "-q", action="store_true",
                   help="leave out how the formula was read (the guesses made)")


def _print_reading(args: argparse.Namespace, formula: Any, file: Any = None) -> None:
    """How the formula was read, before the answer (or the error), when matcalc guessed (not with --quiet)."""
    if not args.quiet and formula.reading is not None and formula.reading.guesses:
        print("\n".join(formula.reading.lines()) + "\n", file=file or sys.stdout, flush=True)


@contextmanager
def _answering(args: argparse.Namespace, formula: Any) -> Iterator[None]:
    """Around an answer in a notation: the reading first (on standard error when the answer is
    JSON, and then only if an error comes), names spelled as the user wrote them (λ stays λ)."""
    from matcalc.language.printers import spelled_typeset

    json_out = getattr(args, "format", None) == "json"
    if not json_out:
        _print_reading(args, formula)
    try:
        with spelled_typeset(formula.typeset_names):
            yield
    except Exception:
        if json_out:
            _print_reading(args, formula, file=sys.stderr)
        raise


def _wrt_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument("--wrt", "-x", metavar="X", action="append", required=True,
                   help="a variable to differentiate with respect to (repeat for several, or X,Y)")


def _format_argument(p: argparse.ArgumentParser, choices: Sequence[str], default: str = "text") -> None:
    p.add_argument("--format", "-f", choices=tuple(choices), default=default,
                   help=f"output format (default: {default})")


def _wrt_names(args: argparse.Namespace) -> list[str]:
    """The --wrt names (repeated or X,Y), each variable once."""
    return variables_once(args.wrt)


def variables_once(items: Sequence[str]) -> list[str]:
    """Comma-separated variable names, each variable once (`x, x`, `λ, lambda`), in the first spelling given."""
    from matcalc.language.syntax import read_name

    names: dict[str, str] = {}
    for n in (n.strip() for item in items for n in item.split(",")):
        if n:
            names.setdefault(read_name(n), n)
    return list(names.values())


def _read_formula(args: argparse.Namespace) -> Any:
    """The parsed Formula of the FORMULA argument (stdin for '-')."""
    import matcalc

    text = sys.stdin.read() if args.formula == "-" else args.formula
    return matcalc.parse(text, where=args.where, notation=args.notation)


def _shape_text(shape: tuple[Any, Any]) -> str:
    return f"{shape[0]}×{shape[1]}"


def _shape_json(shape: tuple[Any, Any]) -> list[Any]:
    return [shape[0], shape[1]]


def _table(rows: list[list[str]]) -> list[str]:
    """Rows of cells, left-aligned in columns two spaces apart."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]


def _definitions(definitions: Sequence[tuple[str, Any]]) -> list[dict[str, Any]]:
    """Definitions (name, ref) as JSON: name, its three forms and its shape."""
    from matcalc.language.printers import show, show_name

    return [{"name": name, "shape": _shape_json(ref.shape),
             **{n: f"{show_name(name, n)} = {show(ref.args[0], n)}" for n in NOTATIONS}}
            for name, ref in definitions]


def _forms(formula: Any) -> dict[str, str]:
    return {"text": formula.text(), "unicode": formula.unicode(), "latex": formula.latex()}


def _print_json(data: Any) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False))
