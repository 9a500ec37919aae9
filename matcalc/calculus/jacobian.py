"""``jacobian`` and ``jvp``: first derivatives of vector- and matrix-valued formulas.

Conventions (LANGUAGE.md): the Jacobian is in numerator layout, ``dF = J dx`` (m×n for
F ∈ ℝ^m, x ∈ ℝ^n); for a matrix F or a matrix variable, ``vec(dF) = J vec(dX)`` with the
column-major vec and Kronecker products (``jacobian("W x", "W")`` = ``xᵀ ⊗ I``). The JVP
is ``d/dt F(X + tV)`` at t = 0, with the shape of F. A symmetric or spd variable gets the
unconstrained derivative (what torch.autograd reports): it is differentiated as a plain
matrix, and the result is evaluated at the symmetric point.

Each function returns a ``Formula`` whose ``.derivation`` (a ``FamilyDerivation``) prints
the steps in text, Unicode or LaTeX.
"""

from __future__ import annotations

from dataclasses import dataclass

from matcalc.algebra import ops
from matcalc.algebra.expr import Expr, walk
from matcalc.algebra.shapes import MatcalcError, Shape, is_scalar
from matcalc.calculus.diff import Step
from matcalc.calculus.forward import NoMatrixForm, coefficient, expand, substitute
from matcalc.calculus.gradients import Derivation, _results, _variables, fold_definitions, rule_label
from matcalc.language.formula import Declaration, Formula
from matcalc.language.parse import as_formula
from matcalc.language.printers import show, show_name
from matcalc.simplification.simplify import simplify

Lhs = str | dict[str, str]  # one left side for every notation, or one per notation
Row = tuple[Lhs, "Expr | dict[str, str]", str]  # an expression, or a right side already printed per notation


@dataclass
class FamilyDerivation:
    """The steps of a Jacobian, JVP, Hessian or HVP: rows of (left side, expression, rule)."""

    formula: Formula
    rows: list[Row]
    result: Formula

    def lines(self, notation: str = "text") -> list[tuple[str, str, str]]:
        """(left side, right side, rule) for every line."""
        defs = self.formula.definitions
        out = []
        for lhs, e, rule in self.rows:
            left = lhs if isinstance(lhs, str) else lhs[notation]
            right = e[notation] if isinstance(e, dict) else show(fold_definitions(e, defs), notation)
            out.append((left, right, rule_label(rule, notation)))
        for name, ref in self.result.definitions:
            out.append(("where " + show_name(name, notation), show(ref.args[0], notation), ""))
        return out

    show = Derivation.show
    __str__ = Derivation.__str__
    _repr_latex_ = Derivation._repr_latex_


def kind_of(shape: Shape) -> str:
    """The kind of a variable with this shape: scalar, vector or matrix."""
    return "scalar" if is_scalar(shape) else "vector" if shape[1] == 1 else "matrix"


@dataclass
class Prepared:
    """A formula with its variable retyped as a plain matrix (unconstrained derivatives)."""

    formula: Formula
    expr: Expr
    x: Expr  # the variable as differentiated
    original: Expr  # the variable as declared

    def restore(self, e: Expr) -> Expr:
        """e evaluated at the declared (maybe symmetric) variable, simplified."""
        return simplify(substitute(e, {self.x: self.original})) if self.x is not self.original else simplify(e)


def prepare(f: str | Formula, wrt: str, where: str | dict | None) -> Prepared:
    """Parse f, find the variable wrt, and retype a symmetric/spd one as a matrix."""
    if not isinstance(wrt, str):
        raise MatcalcError("name one variable to differentiate with respect to")
    formula = as_formula(f, where)
    (x,) = _variables(formula, [wrt])
    if x.attr.kind not in ("symmetric", "spd"):
        return Prepared(formula, formula.expr, x, x)
    plain = ops.var(x.attr.name, "matrix", x.shape, x.attr.positive)
    return Prepared(formula, substitute(formula.expr, {x: plain}), plain, x)


def direction_var(formula: Formula, name: str, shape: Shape) -> Expr:
    """The direction V of a JVP or HVP: a new variable shaped like the variable."""
    if any(n.op == "var" and n.attr.name == name for n in walk(formula.expr)):
        raise MatcalcError(f"the direction name '{name}' is already a variable of the formula")
    return ops.var(name, kind_of(shape), shape)


def finish(formula: Formula, e: Expr, extra: tuple[Declaration, ...] = ()) -> Formula:
    """A result Formula: definitions folded back, shared parts named, declarations of what it uses."""
    with_extra = Formula(formula.expr, formula.declarations + extra, formula.definitions)
    return _results({"r": e}, with_extra)["r"]


def labels(text: str, unicode: str, latex: str) -> dict[str, str]:
    """A left side in each notation."""
    return {"text": text, "unicode": unicode, "latex": latex}


def expansion_rows(lhs: Lhs, steps: list[Step]) -> list[tuple[Lhs, Expr, str]]:
    """The forward-mode steps as rows: the first with its left side, the others continuing it."""
    return [(lhs if i == 0 else "", s.terms[0][1], s.rule) for i, s in enumerate(steps)]


def no_matrix_form(what: str, name: str, instead: str, err: NoMatrixForm) -> MatcalcError:
    """The error for a Jacobian or Hessian with no matrix form."""
    return MatcalcError(f"the {what} in {name} has no matrix form ({err.message}); "
                        f"use {instead} for its action on a direction")


def jacobian(F: str | Formula, wrt: str, where: str | dict | None = None) -> Formula:
    """The Jacobian of F in numerator layout: dF = J dx (vec(dF) = J vec(dX) for matrices)."""
    p = prepare(F, wrt, where)
    lin, steps = expand(p.expr, [p.x])
    dx = ops.d(p.x)
    try:
        J = simplify(coefficient(simplify(lin), dx))
    except NoMatrixForm as err:
        raise no_matrix_form("Jacobian", wrt, "jvp (forward) or vjp (reverse)", err) from None
    result = finish(p.formula, p.restore(J))
    plain = p.formula.shape[1] == 1 and p.x.shape[1] == 1
    name = show_name(wrt, "text")
    final = ops.matmul(J, dx) if plain else ops.matmul(J, ops.make("vec", dx))
    rows = expansion_rows("dF", steps)
    rows.append(("" if plain else "vec(dF)", final, "numerator layout: " + ("dF = J dx" if plain else
                                                                            "vec(dF) = J vec(dX)")))
    rows.append((labels(f"J_{name} F", f"J_{name} F", f"J_{{{show_name(wrt, 'latex')}}} F"), result.expr, ""))
    result.derivation = FamilyDerivation(p.formula, rows, result)
    result.what = f"Jacobian (numerator layout) of {p.formula.text()} in {wrt}"
    return result


def jvp(F: str | Formula, wrt: str, direction: str = "V", where: str | dict | None = None) -> Formula:
    """The forward-mode derivative d/dt F(X + tV) at t = 0 (the shape of F)."""
    p = prepare(F, wrt, where)
    v = direction_var(p.formula, direction, p.x.shape)
    lin, steps = expand(p.expr, [p.x])
    raw = substitute(lin, {ops.d(p.x): v})
    result = finish(p.formula, p.restore(raw), (Declaration(v.attr, v.shape),))
    rows = expansion_rows("dF", steps)
    name, vname = (show_name(wrt, n) for n in ("text", "unicode")), show_name(direction, "text")
    rows.append((labels(f"dF[{vname}]", f"dF[{show_name(direction, 'unicode')}]",
                        f"\\mathrm{{d}}F[{show_name(direction, 'latex')}]"),
                 result.expr, f"d{next(name)} = {vname}"))
    result.derivation = FamilyDerivation(p.formula, rows, result)
    result.what = f"JVP (forward-mode derivative along {direction}) of {p.formula.text()} in {wrt}"
    return result
