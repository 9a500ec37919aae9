"""``hessian`` and ``hvp``: second derivatives of a scalar formula.

The gradient G = ∇_X f comes from the trace-trick derivation (``derive``); its
differential dG, by the d-rules, is the Hessian's action H[dX]: d²f = ⟨dX, H dX⟩.
``hvp`` puts dX = V in dG (the Hessian is never formed); ``hessian`` reads dG as a
matrix, vec(dG) = H vec(dX) (n×n for a vector x; the Kronecker form for a matrix X
where one exists). Symmetric and spd variables get the unconstrained result.
"""

from __future__ import annotations

from matcalc.algebra import ops
from matcalc.algebra.expr import Expr
from matcalc.algebra.shapes import MatcalcError, is_scalar, show_shape
from matcalc.calculus.diff import gradients
from matcalc.calculus.forward import NoMatrixForm, coefficient, expand, substitute
from matcalc.calculus.gradients import Derivation
from matcalc.calculus.jacobian import (
    FamilyDerivation,
    Prepared,
    Row,
    direction_var,
    expansion_rows,
    finish,
    labels,
    no_matrix_form,
    prepare,
)
from matcalc.language.formula import Declaration, Formula
from matcalc.language.printers import show_name
from matcalc.language.retype import scalar_hint
from matcalc.simplification.expand import shorter
from matcalc.simplification.simplify import simplify


def _gradient(f: str | Formula, wrt: str, where: str | dict | None) -> tuple[Prepared, Expr, Derivation]:
    """The prepared formula, its gradient (an expression in the plain variable) and its derivation."""
    p = prepare(f, wrt, where)
    if not is_scalar(p.formula.shape):
        raise MatcalcError(f"the function must be a scalar, but it is {show_shape(p.formula.shape)}: "
                           "second derivatives here are of a scalar f (use jacobian of a vector)"
                           + scalar_hint(p.formula))
    raw, steps = gradients(p.expr, [p.x])
    g = simplify(raw[p.x])
    first = Derivation(p.formula, [wrt], steps, {wrt: finish(p.formula, g)}, True)
    return p, g, first


def _first_rows(first: Derivation) -> list[Row]:
    """The gradient's derivation, one row per line, printed in every notation."""
    per = {n: first.lines(n) for n in ("text", "unicode", "latex")}
    return [({n: per[n][i][0] for n in per}, {n: per[n][i][1] for n in per}, rule)
            for i, (_, _, rule) in enumerate(per["unicode"])]


def _nabla(wrt: str) -> dict[str, str]:
    return labels(f"d(grad_{wrt} f)", f"d(∇_{show_name(wrt, 'unicode')} f)",
                  f"\\mathrm{{d}}(\\nabla_{{{show_name(wrt, 'latex')}}} f)")


def hessian(f: str | Formula, wrt: str, where: str | dict | None = None) -> Formula:
    """The Hessian of a scalar f: d²f = ⟨dx, H dx⟩, n×n for a vector x (vec/Kronecker for a matrix)."""
    p, g, first = _gradient(f, wrt, where)
    lin, steps = expand(g, [p.x])
    dx = ops.d(p.x)
    try:
        H = shorter(coefficient(simplify(lin), dx))  # multiplied out when that is shorter
    except NoMatrixForm as err:
        raise no_matrix_form("Hessian", wrt, f"hvp(f, '{wrt}', direction='V')", err) from None
    result = finish(p.formula, p.restore(H))
    plain = p.x.shape[1] == 1
    v = dx if plain else ops.make("vec", dx)
    rows = _first_rows(first) + expansion_rows(_nabla(wrt), steps)
    rows.append(("d²f", ops.inner(v, ops.matmul(H, v)),
                 "second differential: d²f = <dx, H dx>" if plain else "d²f = <vec(dX), H vec(dX)>"))
    rows.append((labels(f"H_{wrt} f", f"H_{show_name(wrt, 'unicode')} f", f"H_{{{show_name(wrt, 'latex')}}} f"),
                 result.expr, ""))
    result.derivation = FamilyDerivation(p.formula, rows, result)
    result.what = f"Hessian of {p.formula.text()} in {wrt}"
    return result


def hvp(f: str | Formula, wrt: str, direction: str = "V", where: str | dict | None = None) -> Formula:
    """The Hessian-vector product d/dt ∇f(X + tV) at t = 0 (the shape of X; the Hessian is never formed)."""
    p, g, first = _gradient(f, wrt, where)
    v = direction_var(p.formula, direction, p.x.shape)
    lin, steps = expand(g, [p.x])
    raw = substitute(lin, {ops.d(p.x): v})
    result = finish(p.formula, p.restore(raw), (Declaration(v.attr, v.shape),))
    rows = _first_rows(first) + expansion_rows(_nabla(wrt), steps)
    vt = show_name(direction, "text")
    rows.append((labels(f"H[{vt}]", f"H[{show_name(direction, 'unicode')}]",
                        f"H[{show_name(direction, 'latex')}]"), result.expr, f"d{wrt} = {vt}"))
    result.derivation = FamilyDerivation(p.formula, rows, result)
    result.what = f"Hessian-vector product (along {direction}) of {p.formula.text()} in {wrt}"
    return result
