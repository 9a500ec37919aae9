"""``matcalc jacobian|jvp|hessian|hvp|vjp``: one closed form (or its derivation) per call.

Only symbolic work happens here (no NumPy, SymPy or torch): the command answers fast.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from matcalc.algebra.shapes import MatcalcError
from matcalc.calculus.gradients import derive, upstream_formula, vjp
from matcalc.calculus.jacobian import jacobian, jvp
from matcalc.calculus.second_order import hessian, hvp
from matcalc.language.formula import Formula
from matcalc.language.printers import show_name

KINDS = ("jacobian", "jvp", "vjp", "hessian", "hvp")


def derive_kind(kind: str, f: str | Formula, wrt: str, where: str | dict | None = None,
                direction: str = "V") -> Formula:
    """The closed form of one kind: jacobian, jvp, vjp (direction: the upstream name), hessian or hvp."""
    if kind == "jacobian":
        return jacobian(f, wrt, where)
    if kind == "hessian":
        return hessian(f, wrt, where)
    if kind == "jvp":
        return jvp(f, wrt, direction, where)
    if kind == "hvp":
        return hvp(f, wrt, direction, where)
    if kind == "vjp":
        result = vjp(f, wrt, direction, where)
        assert isinstance(result, Formula)  # one variable: one Formula
        return result
    raise MatcalcError(f"unknown kind '{kind}' (use one of {', '.join(KINDS)})")


_LABELS = {  # {x}: the variable, {f}: the function's name, {d}: the direction or upstream gradient
    "unicode": {"gradient": "∇_{x} {f}", "jacobian": "J_{x} F", "hessian": "∇²_{x} {f}", "jvp": "∂_{x} F[{d}]",
                "hvp": "∇²_{x} {f}[{d}]", "vjp": "∇_{x} ⟨{d}, F⟩"},
    "latex": {"gradient": "\\nabla_{{{x}}} {f}", "jacobian": "J_{{{x}}} F", "hessian": "\\nabla^2_{{{x}}} {f}",
              "jvp": "\\partial_{{{x}}} F\\,[{d}]", "hvp": "\\nabla^2_{{{x}}} {f}\\,[{d}]",
              "vjp": "\\nabla_{{{x}}} \\langle {d}, F \\rangle"},
}


def claim_label(kind: str, wrt: str, fname: str = "f", notation: str = "unicode", direction: str = "") -> str:
    """The left side of a claimed derivative, as LANGUAGE.md defines each kind: ∇_x f (gradient),
    J_x F (Jacobian), ∇²_x f (Hessian), ∂_x F[V] (JVP), ∇²_x f[V] (HVP), ∇_x ⟨G, F⟩ (VJP); the
    direction is V (JVP, HVP) or G (VJP) unless given. wrt is shown as given but in LaTeX."""
    direction = direction or ("G" if kind == "vjp" else "V")
    if notation == "latex":
        wrt, direction = show_name(wrt, "latex"), show_name(direction, "latex")
    labels = _LABELS["latex" if notation == "latex" else "unicode"]
    return labels.get(kind, labels["gradient"]).format(x=wrt, f=fname, d=direction)


def family_data(kind: str, wrt: str, formula: Formula, result: Formula, derivation: Any = None) -> dict:
    """The JSON object of one result (``--format json``; with a derivation, its steps)."""
    data = {"kind": kind, "wrt": wrt, "formula": formula.text(),
            "result": {n: result.show(n) for n in ("text", "unicode", "latex")},
            "shape": [str(d) for d in result.shape]}
    if derivation is not None:
        data["steps"] = [{"lhs": lhs, "rhs": rhs, "rule": rule} for lhs, rhs, rule in derivation.lines("text")]
    return data


def family_command(args: argparse.Namespace, formula: Formula) -> int:
    """Print a Jacobian, JVP, Hessian, HVP or VJP (with --steps its derivation)."""
    kind = args.command
    if kind == "vjp" and args.steps:  # the derivation of <G, F>, whose gradient is the VJP
        derivation = derive(upstream_formula(formula, args.upstream), args.wrt)
        result = derivation.result
    elif kind == "vjp":
        result, derivation = vjp(formula, args.wrt, upstream=args.upstream), None
    else:
        result = derive_kind(kind, formula, args.wrt, direction=getattr(args, "direction", "V"))
        derivation = result.derivation
    if args.format == "json":
        print(json.dumps(family_data(kind, args.wrt, formula, result, derivation if args.steps else None),
                         ensure_ascii=False, indent=2))
        return 0
    print(derivation.show(args.format) if args.steps and derivation is not None else result.show(args.format))
    return 0
