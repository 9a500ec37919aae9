"""The ``matcalc`` subcommands, one entry of ``COMMANDS`` each: parse, grad, check, codegen,
homework, serve, and the derivative family (jacobian, jvp, hessian, hvp, vjp). Each imports
what it needs when it runs, so the command answers fast."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from matcalc.cli_common import (
    EXIT_OK,
    EXIT_WRONG,
    NOTATIONS,
    Command,
    _answering,
    _definitions,
    _format_argument,
    _forms,
    _formula_argument,
    _print_json,
    _print_reading,
    _read_formula,
    _shape_json,
    _shape_text,
    _table,
    _wrt_argument,
    _wrt_names,
)

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
    from matcalc.language.printers import spelled_typeset

    formula = _read_formula(args)
    if args.format == "json":
        _print_json(parse_data(formula))
        return EXIT_OK
    if args.format in NOTATIONS:
        print(formula.show(args.format))
        return EXIT_OK
    _print_reading(args, formula)
    with spelled_typeset(formula.typeset_names):
        print("\n".join(_parse_table(formula)))
    return EXIT_OK


def _parse_table(formula: Any) -> list[str]:
    """The three forms, the shape, each variable's type (names as the user spelled them), the definitions."""
    from matcalc.language.printers import show_name

    forms = _forms(formula)
    lines = _table([[name, text] for name, text in forms.items()] +
                   [["shape", _shape_text(formula.shape) + (" (scalar)" if formula.shape == (1, 1) else "")]])
    if formula.declarations:
        rows = [["variable", "type", "shape"]]
        rows += [[show_name(d.name, "text"), d.type_text(), _shape_text(d.shape)] for d in formula.declarations]
        lines += [""] + _table(rows)
    if formula.definitions:
        lines += ["", "definitions"]
        lines += ["  " + d["text"] + f"   ({_shape_text(tuple(d['shape']))})"
                  for d in _definitions(formula.definitions)]
    return lines


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
        "gradients": {n: {**_forms(g), "shape": _shape_json(g.shape), "hints": [h.show("text") for h in g.hints]}
                      for n, g in gradients.items()},
        "definitions": _definitions(list(defs.items())),
        "reading": formula.reading.to_dict() if formula.reading else None,
    }
    if derivation is not None:
        data["steps"] = [{"lhs": lhs, "rhs": rhs, "rule": rule} for lhs, rhs, rule in derivation.lines("text")]
    return data


def grad_command(args: argparse.Namespace) -> int:
    """`matcalc grad`: the closed-form gradient(s); with --steps the derivation."""
    formula = _read_formula(args)
    with _answering(args, formula):  # the reading first: a guess may be the mistake
        return _print_gradients(args, formula, _wrt_names(args))


def _print_gradients(args: argparse.Namespace, formula: Any, names: list[str]) -> int:
    import matcalc
    from matcalc.language.printers import show, show_name

    derivation = matcalc.derive(formula, names) if args.steps or args.format == "json" else None
    if derivation is not None and not args.symmetrized:
        gradients = derivation.gradients
    else:
        gradients = matcalc.grad(formula, names, symmetrized=args.symmetrized)
    if args.format == "json":
        _print_json(grad_data(formula, names, gradients, derivation if args.steps else None, args.symmetrized))
        return EXIT_OK
    notation = args.format
    hints = [h.show(notation) for g in gradients.values() for h in g.hints]  # a declaration that shortens it
    if args.steps and not args.symmetrized:
        print("\n".join([derivation.show(notation)] + hints))
        return EXIT_OK
    if args.steps:
        print(derivation.show(notation))
        print("\nsymmetrized, (G + Gᵀ)/2 for symmetric and spd variables:")
    if len(names) == 1:
        print("\n".join([gradients[names[0]].show(notation)] + hints))
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
    if hints:
        print("\n".join(hints))
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

    formula = _read_formula(args)
    with _answering(args, formula):
        return run(args, formula)


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
