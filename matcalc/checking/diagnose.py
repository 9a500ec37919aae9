"""Which classic mistake explains a wrong claim: try ``check_rules.MISTAKES`` in order.

Each mistake proposes candidates (the claim with that mistake undone); the first candidate
equal to the true gradient at every test point names the diagnosis. A wrong constant
factor is fitted (c = <truth, claim>/<claim, claim>, shown as a simple fraction when it is one).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from matcalc.algebra import ops
from matcalc.algebra.expr import Expr
from matcalc.calculus.gradients import fold_definitions
from matcalc.checking.mistakes import MISTAKES, unchecked
from matcalc.checking.numeric import TOL, Point, evaluate
from matcalc.checking.verify import relative_error
from matcalc.language.printers import show
from matcalc.simplification.simplify import simplify


@dataclass
class Diagnosis:
    """A named classic mistake and the claim with it undone (when a candidate matched)."""

    key: str
    message: str
    fixed: str = ""

    def __str__(self) -> str:
        return self.message + (f"; undoing it gives {self.fixed}, which is the gradient" if self.fixed else "")


def _matches(e: Expr, shape: tuple, points: list[Point], truths: list[np.ndarray], tol: float) -> bool:
    if tuple(e.shape) != tuple(shape):
        return False
    try:
        return all(relative_error(evaluate(e, p), t) <= tol for p, t in zip(points, truths))
    except Exception:  # noqa: BLE001
        return False


def _nice(c: float) -> float:
    frac = Fraction(c).limit_denominator(8)
    return float(frac) if abs(float(frac) - c) <= 1e-9 * max(1.0, abs(c)) else c


def _fit_scale(e: Expr, shape: tuple, points: list[Point], truths: list[np.ndarray], tol: float) -> Expr | None:
    """c · e when that equals the gradient for one constant c ∉ {0, ±1}."""
    if tuple(e.shape) != tuple(shape):
        return None
    try:
        v = evaluate(e, points[0])
    except Exception:  # noqa: BLE001
        return None
    denom = float(np.sum(v * v))
    if not np.isfinite(denom) or denom < 1e-300 or not np.all(np.isfinite(truths[0])):
        return None
    c = _nice(float(np.sum(v * truths[0])) / denom)
    if abs(c) < 1e-12 or abs(abs(c) - 1) < 1e-9:
        return None
    scaled = ops.matmul(ops.const(c), e)
    return scaled if _matches(scaled, shape, points, truths, tol) else None


def diagnose(claim: Expr, shape: tuple, points: list[Point], truths: list[np.ndarray], tol: float = TOL,
             definitions: tuple = (), notation: str = "unicode",
             retype: Callable[[Expr], Expr | None] | None = None) -> Diagnosis | None:
    """The first classic mistake (in ``MISTAKES`` order) whose undoing turns the claim into the gradient.

    ``retype`` maps a candidate built from a loosely typed claim onto the problem's variables."""
    with unchecked() if retype is not None else nullcontext():
        return _first_mistake(claim, shape, points, truths, tol, definitions, notation, retype)


def _first_mistake(claim: Expr, shape: tuple, points: list[Point], truths: list[np.ndarray], tol: float,
                   definitions: tuple, notation: str, retype: Callable[[Expr], Expr | None] | None
                   ) -> Diagnosis | None:
    seen: set[Expr] = {claim}
    for mistake in MISTAKES:
        for cand, subject in mistake.candidates(claim):
            if retype is not None:
                cand = retype(cand)
                if cand is None:
                    continue
            if cand in seen and not mistake.scaled:
                continue
            seen.add(cand)
            fixed = _fit_scale(cand, shape, points, truths, tol) if mistake.scaled else \
                cand if _matches(cand, shape, points, truths, tol) else None
            if fixed is not None:
                message = mistake.name.format(_subject(subject, definitions, notation))
                if mistake.scaled:
                    c = fixed.args[0].attr
                    message += f" (the gradient is {c:g} × the claim)"
                shown = show(simplify(fold_definitions(simplify(fixed), definitions)), notation)
                return Diagnosis(mistake.key, message, shown)
    return None


def _subject(e: Expr, definitions: tuple, notation: str) -> str:
    return show(fold_definitions(e, definitions), notation)
