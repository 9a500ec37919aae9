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
import json
import os
import re
import sys
import traceback
from collections.abc import Callable, Sequence
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


def _print_reading(args: argparse.Namespace, formula: Any) -> None:
    """How the formula was read, before the answer, when matcalc guessed (not with --quiet)."""
    if not args.quiet and formula.reading is not None and formula.reading.guesses:
        print("\n".join(formula.reading.lines()) + "\n")


def _wrt_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument("--wrt", "-x", metavar="X", action="append", required=True,
                   help="a variable to differentiate with respect to (repeat for several, or X,Y)")


def _format_argument(p: argparse.ArgumentParser, choices: Sequence[str], default: str = "text") -> None:
    p.add_argument("--format", "-f", choices=tuple(choices), default=default,
                   help=f"output format (default: {default})")


def _wrt_names(args: argparse.Namespace) -> list[str]:
    names = [n.strip() for item in args.wrt for n in item.split(",")]
    return [n for n in names if n]


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


# ---------------------------------------------------------------- parse

def _parse_arguments(p: argparse.ArgumentParser) -> None:
    _formula_argument(p)
    _format_argument(p, ("table", *NOTATIONS, "json"), default="table")


def parse_data(formula: Any) -> dict[str, Any]:
    """`matcalc parse --format json` (and the web page's /api/parse): forms, shape, variables."""
    return {
        **_forms(formula),
        "shape": _shape_json(formula.shape),
        "variables": [{"name": d.name, "kind": d.var.kind, "shape": _shape_json(d.shape),
                       "positive": bool(d.var.positive), "type": d.type_text()}
                      for d in formula.declarations],
        "definitions": _definitions(formula.definitions),
        "where": formula.where,
        "reading": formula.reading.to_dict() if formula.reading else None,
    }


def parse_command(args: argparse.Namespace) -> int:
    """`matcalc parse`: the formula in three forms and every variable's type and shape."""
    formula = _read_formula(args)
    if args.format == "json":
        _print_json(parse_data(formula))
        return EXIT_OK
    if args.format in NOTATIONS:
        print(formula.show(args.format))
        return EXIT_OK
    _print_reading(args, formula)
    forms = _forms(formula)
    lines = _table([[name, text] for name, text in forms.items()] +
                   [["shape", _shape_text(formula.shape) + (" (scalar)" if formula.shape == (1, 1) else "")]])
    if formula.declarations:
        rows = [["variable", "type", "shape"]]
        rows += [[d.name, d.type_text(), _shape_text(d.shape)] for d in formula.declarations]
        lines += [""] + _table(rows)
    if formula.definitions:
        lines += ["", "definitions"]
        lines += ["  " + d["text"] + f"   ({_shape_text(tuple(d['shape']))})"
                  for d in _definitions(formula.definitions)]
    print("\n".join(lines))
    return EXIT_OK


# ---------------------------------------------------------------- grad

def _grad_arguments(p: argparse.ArgumentParser) -> None:
    _formula_argument(p)
    _wrt_argument(p)
    p.add_argument("--steps", "-s", action="store_true",
                   help="show the trace-trick derivation, one labelled step per line")
    p.add_argument("--symmetrized", action="store_true",
                   help="for a symmetric or spd X report (G + Gᵀ)/2 instead of the unconstrained gradient")
    _format_argument(p, (*NOTATIONS, "json"))


_NABLA = {"text": "grad_{0} f", "unicode": "∇_{0} f", "latex": "\\nabla_{{{0}}} f"}


def grad_data(formula: Any, names: list[str], gradients: dict[str, Any], derivation: Any = None,
              symmetrized: bool = False) -> dict[str, Any]:
    """`matcalc grad --format json` (and the web page's /api/grad); steps when a derivation is given."""
    defs: dict[str, Any] = {}
    for g in gradients.values():
        defs.update(dict(g.definitions))
    data: dict[str, Any] = {
        "formula": _forms(formula),
        "wrt": names,
        "symmetrized": symmetrized,
        "gradients": {n: {**_forms(g), "shape": _shape_json(g.shape)} for n, g in gradients.items()},
        "definitions": _definitions(list(defs.items())),
        "reading": formula.reading.to_dict() if formula.reading else None,
    }
    if derivation is not None:
        data["steps"] = [{"lhs": lhs, "rhs": rhs, "rule": rule} for lhs, rhs, rule in derivation.lines("text")]
    return data


def grad_command(args: argparse.Namespace) -> int:
    """`matcalc grad`: the closed-form gradient(s); with --steps the derivation."""
    import matcalc
    from matcalc.language.printers import show, show_name

    formula = _read_formula(args)
    names = _wrt_names(args)
    try:
        derivation = matcalc.derive(formula, names) if args.steps or args.format == "json" else None
        if derivation is not None and not args.symmetrized:
            gradients = derivation.gradients
        else:
            gradients = matcalc.grad(formula, names, symmetrized=args.symmetrized)
    except matcalc.MatcalcError as e:  # say how the formula was read: the guess may be the mistake
        if e.span is None and formula.reading is not None and formula.reading.guesses:
            e.message = e.message + "\n" + "\n".join(formula.reading.lines())
        raise
    if args.format == "json":
        _print_json(grad_data(formula, names, gradients, derivation if args.steps else None, args.symmetrized))
        return EXIT_OK
    notation = args.format
    _print_reading(args, formula)
    if args.steps and not args.symmetrized:
        print(derivation.show(notation))
        return EXIT_OK
    if args.steps:
        print(derivation.show(notation))
        print("\nsymmetrized, (G + Gᵀ)/2 for symmetric and spd variables:")
    if len(names) == 1:
        print(gradients[names[0]].show(notation))
        return EXIT_OK
    defs = {}
    for g in gradients.values():
        defs.update(dict(g.definitions))
    for name, ref in defs.items():
        print(f"{show_name(name, notation)} = {show(ref.args[0], notation)}")
    labels = {n: _NABLA[notation].format(show_name(n, notation)) for n in names}
    width = max(len(label) for label in labels.values())
    for n in names:
        print(f"{labels[n]:<{width}} = {show(gradients[n].expr, notation)}")
    return EXIT_OK


# ---------------------------------------------------------------- check

def _check_arguments(p: argparse.ArgumentParser) -> None:
    _formula_argument(p)
    _wrt_argument(p)
    p.add_argument("--trials", type=int, default=3, help="random draws of sizes and values (default: 3)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    p.add_argument("--tol", type=float, default=1e-6, help="largest relative error accepted (default: 1e-6)")
    p.add_argument("--kind", "-k", choices=("gradient", "jacobian", "jvp", "vjp", "hessian", "hvp"), default="gradient",
                   help="what to check against torch (default: gradient; the others against torch.func)")
    _format_argument(p, ("text", "json"))


def check_command(args: argparse.Namespace) -> int:
    """`matcalc check`: compare the closed form with torch.autograd; exit 1 when they disagree."""
    from matcalc.checking.verify import check  # not matcalc.check: a submodule of that name would shadow it
    from matcalc.progress import load_torch, working

    formula = _read_formula(args)
    with working("check: reading the formula") as status:  # a status line on a terminal's stderr
        load_torch(status, "check")
        status.show("check: comparing with torch.autograd at random sizes…")
        if args.kind != "gradient":
            from matcalc.checking.family import check_kind

            report = check_kind(formula, _wrt_names(args)[0], args.kind, trials=args.trials, seed=args.seed,
                                tol=args.tol)
        else:
            report = check(formula, _wrt_names(args), trials=args.trials, seed=args.seed, tol=args.tol)
    if args.format == "json":
        _print_json(report.as_dict())
    else:
        print(report)
    return EXIT_OK if report.ok else EXIT_WRONG


# ---------------------------------------------------------------- codegen

def _codegen_arguments(p: argparse.ArgumentParser) -> None:
    _formula_argument(p)
    _wrt_argument(p)
    p.add_argument("--backend", "-b", choices=("numpy", "torch", "torch-function"), default="numpy",
                   help="target library (default: numpy)")
    p.add_argument("--name", default="f_and_grad", help="name of the generated function (default: f_and_grad)")
    p.add_argument("--output", "-o", metavar="FILE", default=None, help="write the source to FILE, not stdout")


def codegen_command(args: argparse.Namespace) -> int:
    """`matcalc codegen`: standalone Python source computing the value and the gradients."""
    from matcalc.lowering.codegen import codegen

    source = codegen(_read_formula(args), _wrt_names(args), backend=args.backend, name=args.name)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as out:
            out.write(source)
    else:
        print(source, end="" if source.endswith("\n") else "\n")
    return EXIT_OK


# ---------------------------------------------------------------- homework

def _homework_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", metavar="FILE", help="a problem set (Markdown or plain text)")
    _format_argument(p, ("text", "json", "markdown"))


def homework_command(args: argparse.Namespace) -> int:
    """`matcalc homework`: check every problem's claimed gradient and derivation."""
    from matcalc.checking.homework import homework_command as run

    return run(args.file, args.format)


# ---------------------------------------------------------------- serve

def _serve_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--port", "-p", type=int, default=8000, help="port to listen on (default: 8000)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this machine only)")
    p.add_argument("--open", action="store_true", help="open the page in a web browser")


def serve_command(args: argparse.Namespace) -> int:
    """`matcalc serve`: the local web page (needs the web extra)."""
    import importlib.util

    from matcalc.algebra.shapes import MatcalcError

    if any(importlib.util.find_spec(m) is None for m in ("starlette", "uvicorn", "jinja2", "latex2mathml")):
        raise MatcalcError('matcalc serve needs the web extra: python -m pip install "matcalc[web]"')
    from matcalc.web import serve

    serve(args.host, args.port, args.open)
    return EXIT_OK


# ---------------------------------------------------------------- jacobian, jvp, hessian, hvp, vjp

def _family_arguments(kind: str) -> Callable[[argparse.ArgumentParser], None]:
    def add(p: argparse.ArgumentParser) -> None:
        _formula_argument(p)
        p.add_argument("--wrt", "-x", metavar="X", required=True, help="the variable to differentiate with respect to")
        if kind in ("jvp", "hvp"):
            p.add_argument("--direction", "-d", metavar="V", default="V", help="name of the direction (default: V)")
        if kind == "vjp":
            p.add_argument("--upstream", "-u", metavar="G", default="G", help="the upstream gradient (default: G)")
        p.add_argument("--steps", "-s", action="store_true", help="show the derivation, one labelled step per line")
        _format_argument(p, (*NOTATIONS, "json"))

    return add


def family_command(args: argparse.Namespace) -> int:
    """`matcalc jacobian|jvp|hessian|hvp|vjp`: the closed form; with --steps the derivation."""
    from matcalc.calculus.commands import family_command as run

    return run(args, _read_formula(args))


_FAMILY = (
    ("jacobian", "the Jacobian of a vector (or matrix) formula, numerator layout: dF = J dx",
     'matcalc jacobian "softmax(x)" --wrt x\n  matcalc jacobian "W x" --wrt W --format unicode'),
    ("jvp", "the forward-mode derivative d/dt F(X + tV) at t = 0",
     'matcalc jvp "X^-1" --wrt X --steps'),
    ("hessian", "the Hessian of a scalar formula: d²f = <dx, H dx>",
     'matcalc hessian "x^T A x" --wrt x\n  matcalc hessian "sum(softplus(X w)) - y^T X w" --wrt w --steps'),
    ("hvp", "the Hessian-vector product d/dt grad f(X + tV) at t = 0 (the Hessian is never formed)",
     'matcalc hvp "logdet(X)" --wrt X --direction V'),
    ("vjp", "the backward rule of a layer: the gradient of <G, F>",
     'matcalc vjp "sigmoid(W x)" --wrt W --upstream G'),
)
FAMILY_COMMANDS = tuple(Command(name, text, "\nexamples:\n  " + examples.replace("\\n", "\n"),
                                _family_arguments(name), family_command) for name, text, examples in _FAMILY)


# ---------------------------------------------------------------- the table

COMMANDS: tuple[Command, ...] = (
    Command("parse", "parse a formula: its three printed forms and every variable's type and shape", """
examples:
  matcalc parse "a^T exp(X b)"
  matcalc parse "x^T A x" --where "A: symmetric(n); x: vector(n)"
  matcalc parse "\\mathbf{a}^\\top \\exp(Xb)" --notation latex
  matcalc parse "Y = sigmoid(W X); <Y, M Y>" --format json""", _parse_arguments, parse_command),
    Command("grad", "the gradient of a scalar formula in closed form (trace trick)", """
examples:
  matcalc grad "a^T exp(X b)" --wrt X
  matcalc grad "a^T exp(X b)" --wrt X --steps --format unicode
  matcalc grad "Y = sigmoid(W X); <Y, M Y>" --wrt W --wrt X
  matcalc grad "x^T A x" --wrt A --where "A: symmetric(n)" --symmetrized
  matcalc grad "||A x - y||^2" --wrt x --format latex

Gradients follow the Frobenius convention: df = <grad_X f, dX>, so grad_X f has X's shape.""",
            _grad_arguments, grad_command),
    Command("check", "check a closed-form gradient against torch.autograd at random sizes", """
examples:
  matcalc check "a^T exp(X b)" --wrt X
  matcalc check "(x - m)^T inv(S) (x - m) + logdet(S)" --where "S: spd(n)" --wrt S --wrt m

exit status: 0 when every gradient agrees, 1 when one does not, 2 on bad input.""",
            _check_arguments, check_command),
    Command("codegen", "standalone NumPy/torch source computing the value and its gradients", """
examples:
  matcalc codegen "a^T exp(X b)" --wrt X
  matcalc codegen "||A x - y||^2 + lambda ||x||^2" --wrt x --backend torch -o ridge.py""",
            _codegen_arguments, codegen_command),
    Command("homework", "grade a problem set: claimed gradients and derivation steps", """
examples:
  matcalc homework examples/homework.md
  matcalc homework problems.md --format markdown > graded.md

exit status: 0 when every problem is right, 1 when one is not, 2 when FILE cannot be read.""",
            _homework_arguments, homework_command),
    Command("serve", "a local web page: rendered results, the derivation, code, homework", """
examples:
  matcalc serve --open
  matcalc serve --port 8080

then open http://127.0.0.1:8000/?f=a%5ET%20exp(X%20b)&wrt=X (needs: pip install "matcalc[web]")""",
            _serve_arguments, serve_command),
) + FAMILY_COMMANDS

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
