"""``check_claim``: is a claimed gradient right, and if not, what went wrong?

The verdict compares the claim with torch.autograd's gradient of f: first by shape (a
claim of the wrong shape cannot be right, no numbers needed) and by its variables (a
gradient of f uses f's variables only), then numerically at three random points at
different sizes. Symbolic equality with ``matcalc.grad``'s closed form (both simplified:
hash-consing makes equal forms the same node) never decides: it only names the method of a
claim the numbers confirmed, and when the numbers contradict it, the report says so. A
wrong claim gets a small counterexample (sizes 2, values rounded to two decimals) and, when
one of the classic mistakes in ``mistakes.MISTAKES`` explains it, a diagnosis.
Invariant: ``ok`` is True only when the claim matched at every point; a claim that cannot
be parsed or evaluated is never correct.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from matcalc.algebra.expr import Expr, walk
from matcalc.algebra.ops import fill
from matcalc.algebra.shapes import MatcalcError, show_shape
from matcalc.calculus.commands import claim_label
from matcalc.calculus.gradients import grad
from matcalc.checking.diagnose import Diagnosis, diagnose
from matcalc.checking.mistakes import typed_rebuild
from matcalc.checking.numeric import (
    TOL,
    Counterexample,
    Point,
    counterexample,
    definitions_prefix,
    evaluate,
    inline_definitions,
    sample_points,
    true_gradient,
)
from matcalc.checking.text import gradient_variable, normalize
from matcalc.checking.verify import concretize, relative_error, require_torch
from matcalc.display import Display
from matcalc.language.formula import Declaration, Formula
from matcalc.language.parse import parse
from matcalc.language.printers import show, show_name
from matcalc.language.syntax import read_name
from matcalc.lowering.evaluate import as_formula
from matcalc.simplification.simplify import simplify


@dataclass(repr=False)
class ClaimResult(Display):
    """The verdict on one claimed gradient ∇_wrt f."""

    f: Formula
    wrt: str
    claim_text: str
    correct: Formula
    ok: bool
    claim: Formula | None = None
    method: str = ""  # symbolic (numbers and simplifier agree) | numeric | shape | variables | parse
    max_relative_difference: float = 0.0
    error: str = ""  # why the claim cannot be right without numbers: it does not parse, or has the wrong shape
    diagnosis: Diagnosis | None = None
    counterexample: Counterexample | None = None
    notes: list[str] = field(default_factory=list)
    notation: str = "unicode"
    fname: str = "f"  # how the report names the function (L for a loss)
    kind: str = "gradient"  # gradient | jacobian | hessian: what the claim is (its left side)

    def __bool__(self) -> bool:
        return self.ok

    @property
    def mistake(self) -> str:
        """The key of the diagnosed mistake ('transpose', 'order', …), 'shape'/'variables'/'parse' when only that
        is known, '' for a correct claim or an unexplained wrong one."""
        if self.diagnosis is not None:
            return self.diagnosis.key
        return self.method if self.error else ""

    def label(self, notation: str = "unicode") -> str:
        """The left side: ∇_x f for a gradient, J_x F for a Jacobian, ∇²_x f for a Hessian (∇_λ f, \\nabla_{\\lambda} f
        whether wrt was spelled λ, \\lambda or lambda; W₁ as written)."""
        name = read_name(self.wrt)
        wrt = name if notation == "latex" else show_name(name, notation) if self.wrt.isascii() else self.wrt
        return claim_label(self.kind, wrt, self.fname, notation)

    def lines(self) -> list[str]:
        """The report, one line per fact."""
        shown = show(self.claim.expr, self.notation) if self.claim is not None else self.claim_text
        out = [f"{'✓' if self.ok else '✗'} {self.label(self.notation)} = {shown}"]
        if self.ok:
            how = "symbolically equal to" if self.method == "symbolic" else "equal at every random test point to"
            out.append(f"    {how} the {self.kind} {show_formula(self.correct, self.notation)}")
        else:
            if self.error:  # every line indented alike, so a caret stays under its place in the claim
                out += [f"    {line}" for line in self.error.splitlines()]
            if self.diagnosis is not None:
                out.append(f"    mistake: {self.diagnosis}")
            out.append(f"    correct: {self.label(self.notation)} = {show_formula(self.correct, self.notation)}")
            if self.counterexample is not None:
                first, *rest = self.counterexample.lines()
                out.append(f"    counterexample {first}")
                out += [f"    {r}" for r in rest]
        out += [f"    note: {n}" for n in self.notes]
        return out

    def __str__(self) -> str:
        return "\n".join(self.lines())

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON."""
        return {"wrt": self.wrt, "claim": self.claim_text, "ok": self.ok, "method": self.method,
                "error": self.error, "mistake": self.mistake,
                "correct": self.correct.text(), "correct_latex": self.correct.latex(),
                "max_relative_difference": self.max_relative_difference,
                "diagnosis": None if self.diagnosis is None else
                {"key": self.diagnosis.key, "message": self.diagnosis.message, "fixed": self.diagnosis.fixed},
                "counterexample": None if self.counterexample is None else self.counterexample.to_dict(),
                "notes": self.notes}


def show_formula(g: Formula, notation: str) -> str:
    """A gradient with the definitions it uses after it: `W^T Z   (where Z = …)`."""
    body = show(g.expr, notation)
    if not g.definitions:
        return body
    defs = "; ".join(f"{show_name(n, notation)} = {show(ref.args[0], notation)}" for n, ref in g.definitions)
    return f"{body}   (where {defs})"


def notation_of(text: str) -> str:
    """latex when the text has a backslash, unicode when it has non-ASCII symbols, else text."""
    if "\\" in text:
        return "latex"
    return "unicode" if any(ord(c) > 127 for c in text) else "text"


def parse_against(formula: Formula, text: str | Formula, derivation: bool = False, typed: bool = True,
                  notation: str | None = None) -> Formula:
    """Parse a student's expression with the problem's declarations and definitions in scope
    (``typed=False``: without the declarations, so the sizes are inferred from the claim alone;
    ``notation``: that of the whole derivation, so `ab^T` in a LaTeX one is a b^T)."""
    if isinstance(text, Formula):
        return text
    text = normalize(text)
    prefix = definitions_prefix(formula, "latex" if "\\" in text or notation == "latex" else "text")
    return parse(prefix + text, where=(formula.where or None) if typed else None, derivation=derivation,
                 notation=notation)


def parse_loose(formula: Formula, text: str) -> tuple[Formula, dict[str, str]]:
    """Parse an ill-shaped claim with every non-scalar variable renamed to a matrix of free size
    (so ``a b`` for two vectors parses); returns the formula and placeholder -> variable name."""
    text = normalize(text)
    latex = "\\" in text
    source = definitions_prefix(formula, "latex" if latex else "text") + text
    names: dict[str, str] = {}
    for i, decl in enumerate(_all_declarations(formula)):
        if decl.var.kind == "scalar":
            continue
        holder = f"Zq{i}"
        names[holder] = decl.name
        n = re.escape(decl.name)
        pattern = rf"\\(?:mathbf|boldsymbol|bm|mathit|mathrm)\{{{n}\}}|(?<![A-Za-z0-9_\\{{]){n}(?![A-Za-z0-9_])"
        source = re.sub(pattern, lambda _m, h=holder: f"\\mathrm{{{h}}}" if latex else h, source)
    return parse(source), names


def _all_declarations(formula: Formula) -> list[Declaration]:
    """The declarations of the formula and of the variables its definitions use."""
    found = {d.name: d for d in formula.declarations}
    for _, ref in formula.definitions:
        for n in walk(ref):
            if n.op == "var" and n.attr.name not in found:
                found[n.attr.name] = Declaration(n.attr, n.shape)
    return list(found.values())


def check_claim(f: str | Formula, wrt: str, claim: str | Formula, where: str | dict | None = None,
                seed: int = 0, tol: float = TOL, kind: str = "gradient") -> ClaimResult:
    """Check a claimed gradient ∇_wrt f: verdict, the correct gradient, and for a wrong claim
    a counterexample and a diagnosis (see ``check_rules.MISTAKES``); ``kind=`` "jacobian",
    "hessian", "jvp", "hvp" or "vjp" checks such a claim against torch.func instead (``family_claims.py``)."""
    require_torch("check_claim")
    formula = as_formula(f, where)
    name = read_name(wrt)  # λ, \\lambda and lambda are one variable; the result keeps the user's spelling
    if kind != "gradient":
        from matcalc.checking.family_claims import check_family_claim  # it imports this module

        return check_family_claim(formula, wrt, claim, kind, seed, tol)
    correct = grad(formula, wrt)
    if isinstance(claim, str):
        claim = _without_label(claim)
    text = claim if isinstance(claim, str) else claim.text()
    result = ClaimResult(formula, wrt, text, correct, ok=False)
    try:
        claimed = parse_against(formula, claim)
    except MatcalcError as e:
        result.method = "parse"
        result.error = f"the claim is not a well-formed expression: {e}"
        result.diagnosis = _diagnose_ill_shaped(formula, claim, name, seed, tol, result.notation)
        return result
    result.claim = claimed
    return _judge(result, formula, claimed, name, seed, tol)


def _without_label(claim: str) -> str:
    """`∇_X f = G`, `\\nabla_X f = G`, `∂f/∂X = G` -> `G`."""
    label, sep, rest = claim.partition("=")
    return rest.strip() if sep and gradient_variable(label) else claim


def _variable_shape(formula: Formula, wrt: str) -> tuple:
    for decl in formula.declarations:
        if decl.name == wrt:
            return decl.shape
    for _, ref in formula.definitions:
        for node in _vars(ref):
            if node.attr.name == wrt:
                return node.shape
    raise MatcalcError(f"'{wrt}' is not a variable of the formula (its variables: "
                       f"{', '.join(d.name for d in _all_declarations(formula))})")


def _vars(e: Expr) -> list[Expr]:
    return [n for n in walk(e) if n.op == "var"]


def _judge(result: ClaimResult, formula: Formula, claimed: Formula, wrt: str, seed: int, tol: float) -> ClaimResult:
    """The verdict: the shape first, then the numbers (symbolic equality only adds a note)."""
    shape = _variable_shape(formula, wrt)
    claimed = result.claim = _bind_free_dims(claimed, shape, formula)
    if claimed.expr.op == "const" and claimed.expr.attr == 0 and tuple(shape) != (1, 1):  # `∇_X f = 0`: the zero matrix
        claimed = result.claim = Formula(fill(0, tuple(shape)), claimed.declarations, claimed.definitions)
    foreign = [d.name for d in claimed.declarations if d.name not in {e.name for e in _all_declarations(formula)}]
    if foreign:
        result.method = "variables"
        result.error = (f"the claim uses {', '.join(foreign)}, which f does not: a gradient of f is a function "
                        "of f's variables only")
        return result
    c_expr, t_expr = inline_definitions(claimed.expr), inline_definitions(result.correct.expr)
    points = sample_points([formula, claimed], seed)
    truths = [true_gradient(formula, wrt, p) for p in points]
    if tuple(claimed.shape) != tuple(shape):
        result.method = "shape"
        msg = (f"a shape that cannot be right: the claim is {show_shape(claimed.shape)} "
               f"but {result.wrt} is {show_shape(shape)}, and ∇_{result.wrt} f has the shape of {result.wrt}")
        result.error = msg
        result.diagnosis = diagnose(c_expr, shape, points, truths, tol, formula.definitions, result.notation)
        return result
    _confirm_correct(result, t_expr, points, truths, tol)
    symbolic = simplify(c_expr) is simplify(t_expr)
    result.method = "numeric"
    try:
        diffs = [relative_error(evaluate(c_expr, p), t) for p, t in zip(points, truths)]
    except Exception as e:  # noqa: BLE001 - a claim we cannot evaluate is not correct
        result.error = f"the claim cannot be evaluated: {e}"
        return result
    result.max_relative_difference = max(diffs)
    if result.max_relative_difference <= tol:
        result.ok = True
        result.method = "symbolic" if symbolic else "numeric"
        return result
    if symbolic:
        result.notes.append("matcalc's simplifier calls the claim equal to its own closed form, but the numbers "
                            "say otherwise: the verdict follows the numbers")
    if _is_symmetric(formula, wrt) and _symmetrized_matches(c_expr, points, truths, tol):
        result.ok = True
        result.notes.append(f"this is the symmetrized gradient (G + Gᵀ)/2, the gradient among symmetric {result.wrt}; "
                            "matcalc's convention is the unconstrained G")
        return result
    result.diagnosis = diagnose(c_expr, shape, points, truths, tol, formula.definitions, result.notation)
    result.counterexample = counterexample(formula, claimed, wrt, seed)
    return result


def _confirm_correct(result: ClaimResult, t_expr: Expr, points: list[Point], truths: list[np.ndarray],
                     tol: float) -> None:
    """A note when matcalc's own closed form disagrees with torch.autograd (the report then shows it
    as 'correct' only with that warning)."""
    try:
        worst = max(relative_error(evaluate(t_expr, p), t) for p, t in zip(points, truths))
    except Exception:  # noqa: BLE001 - reported as a disagreement
        worst = float("inf")
    if worst > tol:
        result.notes.append("matcalc's closed form for the gradient disagrees with torch.autograd at the test "
                            f"points (relative difference {worst:.2g}): this is a bug in matcalc; the verdict "
                            "compares the claim with torch.autograd")


def _bind_free_dims(claimed: Formula, shape: tuple, formula: Formula) -> Formula:
    """Give the claim's free sizes (an I or 𝟙 that nothing sized) the variable's sizes."""
    known = {str(d) for decl in formula.declarations for d in decl.shape}
    known |= {str(d) for decl in claimed.declarations for d in decl.shape}
    free = {str(c): v for c, v in zip(claimed.shape, shape) if isinstance(c, str) and c not in known and c != v}
    if not free:
        return claimed
    return Formula(concretize(claimed.expr, free), claimed.declarations, claimed.definitions)


def _is_symmetric(formula: Formula, wrt: str) -> bool:
    return any(d.name == wrt and d.var.kind in ("symmetric", "spd") for d in formula.declarations)


def _symmetrized_matches(c: Expr, points: list[Point], truths: list[np.ndarray], tol: float) -> bool:
    return all(relative_error(evaluate(c, p), (t + t.T) / 2) <= tol for p, t in zip(points, truths))


def _diagnose_ill_shaped(formula: Formula, claim: str | Formula, wrt: str, seed: int, tol: float,
                         notation: str) -> Diagnosis | None:
    """For a claim whose shapes clash: parse it without the declarations, then look for the one
    classic mistake whose undoing makes it well shaped and equal to the gradient."""
    if isinstance(claim, Formula):
        return None
    try:
        loose, names = parse_loose(formula, claim)
    except MatcalcError:
        return None
    real = {n.attr.name: n for n in walk(formula.expr) if n.op == "var"}
    for _, ref in formula.definitions:
        real.update({n.attr.name: n for n in walk(ref) if n.op == "var"})
    known = {holder: real[name] for holder, name in names.items() if name in real}
    known.update({name: leaf for name, leaf in real.items() if name not in names.values()})
    if any(n.op == "var" and n.attr.name not in known for n in walk(loose.expr)):
        return None

    def retype(e: Expr) -> Expr | None:
        return typed_rebuild(e, known)

    shape = _variable_shape(formula, wrt)
    points = sample_points([formula], seed)
    truths = [true_gradient(formula, wrt, p) for p in points]
    found = diagnose(loose.expr, shape, points, truths, tol, formula.definitions, notation, retype)
    if found is not None:
        for holder, name in names.items():
            found.message = re.sub(rf"(?<![A-Za-z0-9_]){holder}(?![0-9])", name, found.message)
    return found
