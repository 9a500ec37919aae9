"""Claimed Jacobians and Hessians: right or wrong, and the classic mistakes.

``check_family_claim`` compares a claimed Jacobian (numerator layout) or Hessian with
matcalc's at random points (several sizes). For a wrong claim it tries the two classic
mistakes: the transpose (denominator layout, J ᵀ instead of J) and a missing symmetric part
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
from matcalc.checking.family import evaluate
from matcalc.checking.sample import sample_inputs, sizes_of
from matcalc.checking.verify import relative_error
from matcalc.language.formula import Formula
from matcalc.language.printers import show
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
    """Check a claimed Jacobian or Hessian of formula in wrt."""
    correct = derive_kind(kind, formula, wrt)
    text = claim if isinstance(claim, str) else claim.text()
    result = ClaimResult(formula, wrt, text, correct, ok=False, method="numeric", kind=kind)
    try:
        claimed = parse_against(Formula(formula.expr, formula.declarations + correct.declarations,
                                        formula.definitions), claim)
    except MatcalcError as e:
        result.method, result.error = "parse", f"the claim is not a well-formed expression: {e}"
        return result
    result.claim = claimed
    rng = np.random.default_rng(seed)
    points = []
    for _ in range(3):
        values = sample_inputs(formula, rng)
        points.append((values, sizes_of(formula, values)))
    truths = [evaluate(correct, v, d) for v, d in points]

    def difference(e: Expr) -> float:
        try:
            got = [evaluate(Formula(e, claimed.declarations, claimed.definitions), v, d) for v, d in points]
        except (MatcalcError, KeyError, ValueError):
            return float("inf")
        return max(relative_error(g, t) if g.shape == t.shape else float("inf") for g, t in zip(got, truths))

    result.max_relative_difference = difference(claimed.expr)
    result.ok = result.max_relative_difference <= tol
    if not result.ok:
        for key, fixed, message in _candidates(kind, claimed.expr):
            if difference(fixed) <= tol:
                result.diagnosis = Diagnosis(key, f"{message}; {show(simplify(fixed), 'unicode')} is right")
                break
    return result
