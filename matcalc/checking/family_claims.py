"""Claimed Jacobians, Hessians, JVPs, HVPs and VJPs: right or wrong, and the classic mistakes.

``check_family_claim`` compares a claim with torch.func applied to the torch lowering of the
original function f (``family.reference``, float64) at random points of several sizes, so a
wrong derivation in matcalc cannot agree with itself; matcalc's closed form is only shown as
the correct answer (with a note when it disagrees with torch). For a wrong claim it tries the
two classic mistakes: the transpose (denominator layout, J ᵀ instead of J) and a missing symmetric part
of a Hessian (``A`` or ``2A`` where the Hessian of xᵀAx is ``A + Aᵀ``).
"""

from __future__ import annotations

import numpy as np

from matcalc.algebra import ops
from matcalc.algebra.expr import Expr
from matcalc.algebra.shapes import MatcalcError
from matcalc.calculus.commands import derive_kind
from matcalc.checking.claims import ClaimResult, parse_against
from matcalc.checking.diagnose import Diagnosis
from matcalc.checking.family import as_closed_form, draw, evaluate, reference
from matcalc.checking.verify import relative_error
from matcalc.language.formula import Formula
from matcalc.language.printers import show
from matcalc.language.syntax import read_name
from matcalc.simplification.simplify import simplify


def _candidates(kind: str, claim: Expr) -> list[tuple[str, Expr, str]]:
    """(key, the claim with the mistake undone, message) for each classic mistake."""
    t = ops.transpose(claim)
    out = [("layout", t, "denominator layout: the claim is the transpose of the numerator-layout "
            + ("Jacobian (J[i, j] = ∂F_i/∂x_j)" if kind == "jacobian" else "Hessian"))]
    if kind == "hessian":
        out.append(("symmetric", ops.add(claim, t), "a missing symmetric part: the Hessian is C + Cᵀ "
                    "(as for xᵀAx, whose Hessian is A + Aᵀ, not A)"))
        out.append(("symmetric", ops.matmul(ops.const(0.5), ops.add(claim, t)),
                    "the Hessian is the symmetric part (C + Cᵀ)/2 of the claim (2A is right only for a symmetric A)"))
    return out


def check_family_claim(formula: Formula, wrt: str, claim: str | Formula, kind: str, seed: int = 0,
                       tol: float = 1e-6) -> ClaimResult:
    """Check a claimed Jacobian, Hessian, JVP (direction V), HVP (direction V) or VJP (upstream G)
    of formula in wrt against torch.func."""
    direction_name = "G" if kind == "vjp" else "V"
    correct = derive_kind(kind, formula, wrt, direction=direction_name)
    text = claim if isinstance(claim, str) else claim.text()
    result = ClaimResult(formula, wrt, text, correct, ok=False, method="numeric", kind=kind)
    try:
        claimed = parse_against(Formula(formula.expr, formula.declarations + correct.declarations,
                                        formula.definitions), claim)
    except MatcalcError as e:
        result.method, result.error = "parse", f"the claim is not a well-formed expression: {e}"
        return result
    result.claim = claimed
    name = read_name(wrt)
    rng = np.random.default_rng(seed)
    points = [draw(kind, formula, name, rng, direction_name) for _ in range(3)]
    truths = [as_closed_form(kind, reference(kind, formula, name, v, direction), formula, name, d)
              for v, d, direction in points]

    def difference(f: Formula) -> float:
        try:
            got = [evaluate(f, v, d) for v, d, _ in points]
        except (MatcalcError, KeyError, ValueError, TypeError):
            return float("inf")
        return max(relative_error(g, t) if g.shape == t.shape else float("inf") for g, t in zip(got, truths))

    result.max_relative_difference = difference(claimed)
    result.ok = result.max_relative_difference <= tol
    if not result.ok:
        for key, fixed, message in _candidates(kind, claimed.expr):
            if difference(Formula(fixed, claimed.declarations, claimed.definitions)) <= tol:
                result.diagnosis = Diagnosis(key, f"{message}; {show(simplify(fixed), 'unicode')} is right")
                break
    own = difference(correct)
    if own > tol:
        result.notes.append(f"matcalc's own {kind} disagrees with torch.func at the test points "
                            f"(max rel err {own:.1e}): do not trust it")
    return result
