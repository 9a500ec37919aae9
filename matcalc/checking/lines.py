"""``check_steps``: a trace-trick derivation checked line by line.

A derivation is a chain ``df = <1, d(f)> = <a, d(exp(X b))> = … ; ∇_X f = G``. Each line
is a linear form in the differentials; line k is right when it equals line k-1 as a
function of the directions (checked at random points and directions, every ``d(e)``
expanded by an exact JVP, ``check_numeric.linear_value``); the first line must equal the
directional derivative of f. A gradient line ``∇_X f = G`` is right when ``<G, dX>``
equals the last line with only X moving, and G is the gradient (``check_claim``).
What a wrong line should have been comes from ``matcalc.derive``'s recorded steps:
the step after the one the previous line matches, with the differentials the student
was writing. Invariant: the checker has no calculus of its own.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from matcalc.algebra import ops
from matcalc.algebra.expr import Expr, walk
from matcalc.algebra.shapes import MatcalcError, is_scalar
from matcalc.calculus.gradients import Derivation, derive, rule_label
from matcalc.checking.claims import ClaimResult, check_claim, notation_of, parse_against
from matcalc.checking.numeric import TOL, Point, d_set, inline_definitions, linear_value, sample_points
from matcalc.checking.text import (
    Segment,
    differentials,
    gradient_variable,
    normalize,
    segments,
    spellings,
    unicode_label,
)
from matcalc.checking.verify import relative_error, require_torch
from matcalc.display import Display
from matcalc.language.formula import Formula
from matcalc.language.parse import parse
from matcalc.language.printers import show, show_name, spelled_typeset
from matcalc.language.read import notation_of as read_notation
from matcalc.lowering.evaluate import as_formula
from matcalc.simplification.simplify import simplify


@dataclass
class LineCheck:
    """The verdict on one line of a derivation."""

    number: int  # position in the derivation, from 1
    source_line: int  # line of the input text
    label: str  # df, ∇_X f, or empty for a continued `= …`
    text: str  # as the student wrote it
    ok: bool
    variable: str = ""  # X for a gradient line ∇_X f = …
    error: str = ""  # why the line cannot be checked (parse error, not a scalar, …)
    relative_difference: float = 0.0  # to the true df (a gradient line: to the last line)
    follows: bool = True  # equals the line before it (a wrong line may carry an earlier mistake forward)
    expected: str = ""  # what it should have been (for the first wrong line), Unicode
    expected_latex: str = ""
    expected_written: str = ""  # the same in the student's notation (text, Unicode or LaTeX)
    rule: str = ""  # the rule that gives the expected line, in Unicode symbols
    claim: ClaimResult | None = None  # for a gradient line: the verdict on G itself
    shown: str = ""  # the line as read, in Unicode (empty when it could not be read)
    shown_latex: str = ""  # the same in LaTeX (the notebook and web page show it as math)

    @property
    def shown_label(self) -> str:
        """The label in one notation: `df`, `dL`, `∇_X f`."""
        return unicode_label(self.label, self.variable)

    def should_be(self) -> tuple[str, str, bool]:
        """(the expected line, its rule, whether the student wrote LaTeX): as the student writes, plain
        text with an ASCII rule, else Unicode (also for LaTeX: ``expected_latex`` is the LaTeX)."""
        latex = self.expected_written in ("", self.expected_latex)
        if not latex and self.expected_written.isascii():
            return self.expected_written, rule_label(self.rule, "text"), False
        return self.expected if latex else self.expected_written, self.rule, latex

    @property
    def is_gradient(self) -> bool:
        """A ∇_X f = G line (not a linear form)."""
        return bool(self.variable)

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON."""
        return {"number": self.number, "source_line": self.source_line, "label": self.label, "text": self.text,
                "shown": self.shown, "ok": self.ok, "variable": self.variable, "error": self.error,
                "relative_difference": self.relative_difference, "follows": self.follows,
                "expected": self.expected, "expected_latex": self.expected_latex,
                "expected_written": self.expected_written, "rule": self.rule,
                "claim": None if self.claim is None else self.claim.to_dict()}


@dataclass(repr=False)
class StepsReport(Display):
    """Every line of a derivation marked ✓ or ✗, the first wrong one, and what it should have been."""

    f: Formula | None
    wrt: list[str]
    lines: list[LineCheck] = field(default_factory=list)
    error: str = ""
    fname: str = "f"  # how the report names the function (L for a loss)

    @property
    def ok(self) -> bool:
        """True when every line is right (and there was something to check)."""
        return not self.error and bool(self.lines) and all(line.ok for line in self.lines)

    @property
    def first_wrong(self) -> LineCheck | None:
        """The first line marked ✗."""
        return next((line for line in self.lines if not line.ok), None)

    @property
    def first_wrong_line(self) -> int | None:
        """The number (from 1) of the first wrong line, or None."""
        wrong = self.first_wrong
        return None if wrong is None else wrong.number

    @property
    def marks(self) -> list[bool]:
        """✓/✗ of every line, in order."""
        return [line.ok for line in self.lines]

    def __bool__(self) -> bool:
        return self.ok

    def report_lines(self) -> list[str]:
        """The report, one line of the derivation per row (with notes under the wrong ones)."""
        head = "derivation"
        if self.f is not None:
            nablas = ", ".join(f"∇_{show_name(w, 'unicode')} {self.fname}" for w in self.wrt)
            head += f" of {nablas} for {self.fname} = {show(self.f.expr, 'unicode')}"
        out = [head]
        if self.error:
            out.append(f"  ✗ {self.error}")
        width = max((len(line.shown_label) for line in self.lines), default=0)
        first = self.first_wrong
        for line in self.lines:
            out.append(f"  {'✓' if line.ok else '✗'} {line.number:>2}  {line.shown_label:>{width}} = "
                       f"{line.shown or line.text}")
            out += [f"          {note}" for note in _notes(line, line is first)]
        if first is not None:
            out.append(f"first wrong line: {first.number}")
        elif self.ok:
            out.append("every line is right")
        return out

    def __str__(self) -> str:
        return "\n".join(self.report_lines())

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON."""
        return {"f": None if self.f is None else self.f.text(), "wrt": self.wrt, "ok": self.ok,
                "first_wrong_line": self.first_wrong_line, "error": self.error,
                "lines": [line.to_dict() for line in self.lines]}


def _notes(line: LineCheck, first: bool) -> list[str]:
    notes = []
    if line.error:
        notes.append(line.error)
    elif line.is_gradient and line.claim is not None:
        if not line.follows:
            notes.append(f"does not follow from the last line (that line is not <G, d{line.variable}> for this G)")
        if not line.claim.ok:
            notes += [s.strip() for s in line.claim.lines()[1:] if not s.strip().startswith("counterexample")
                      and not s.strip().startswith(("the claim", "the gradient", "(largest"))]
    elif not line.ok and first:
        notes.append(f"not equal to the line before it (relative difference {line.relative_difference:.2g})")
    elif not line.ok:
        notes.append("follows from the line before, which was wrong" if line.follows else
                     "not equal to df, nor to the line before it")
    elif not line.follows:
        notes.append("equals df again, though the line before it was wrong")
    if first and line.expected and not line.is_gradient:  # as the student writes (Unicode for LaTeX: a terminal)
        expected, rule, _ = line.should_be()
        notes.append(f"should be: = {expected}" + (f"   [{rule}]" if rule else ""))
    return notes


def check_steps(text: str, f: str | Formula | None = None, wrt: str | list[str] | None = None,
                where: str | dict | None = None, seed: int = 0, tol: float = TOL) -> StepsReport:
    """Check a derivation written as courses write one (text, Unicode or LaTeX), line by line.

    Without ``f`` the first line must read ``df = <1, d(f)>`` (or ``d(f)``); without ``wrt`` the
    variables are those of the ``∇_X f = …`` lines (else those whose differential appears)."""
    require_torch("check_steps")
    segs = segments(text)
    report = StepsReport(None, [])
    if not segs:
        report.error = "no derivation: write one equality per line, e.g.  df = <1, d(f)>"
        return report
    try:
        formula = as_formula(f, where) if f is not None else _function_from(segs[0], where)
    except MatcalcError as e:
        report.error = f"cannot read the function: {e}"
        return report
    report.f = formula
    report.wrt = _variables(segs, formula, wrt)
    if not report.wrt:
        report.error = "no variable: end with a line ∇_X f = … or pass wrt"
        return report
    _Checker(formula, report.wrt, seed, tol, read_notation(text)).run(segs, report)
    return report


def _function_from(seg: Segment, where: str | dict | None) -> Formula:
    """f from a first line <1, d(f)>, d(f) or tr(d(f))."""
    e = parse(normalize(seg.text), where=where, derivation=True)
    body = e.expr
    if body.op == "inner" and body.args[0].op == "const" and body.args[0].attr == 1:
        body = body.args[1]
    if body.op == "trace":
        body = body.args[0]
    if body.op != "d" or not is_scalar(body.args[0].shape):
        raise MatcalcError("the first line should read  df = <1, d(f)>  (or give the function)")
    f = body.args[0]
    names = {n.attr.name for n in walk(f) if n.op == "var"}
    return Formula(f, tuple(d for d in e.declarations if d.name in names), e.definitions)


def _variables(segs: list[Segment], formula: Formula, wrt: str | list[str] | None) -> list[str]:
    if wrt is not None:
        return [wrt] if isinstance(wrt, str) else list(wrt)
    names = [d.name for d in formula.declarations]
    found = [s.gradient_of for s in segs if s.gradient_of in names]
    if not found:
        text = " ".join(s.text for s in segs)
        found = [n for n in names if re.search(rf"d\s*{spellings(n)}(?![A-Za-z0-9_])", text)]
    return list(dict.fromkeys(found))


class _Checker:
    """Evaluates every line at the same points and directions, and compares neighbours."""

    def __init__(self, formula: Formula, wrt: list[str], seed: int, tol: float, notation: str):
        self.formula, self.wrt, self.tol = formula, wrt, tol
        self.notation = notation  # the whole derivation's: `ab^T` in a LaTeX one is a b^T
        self.points: list[Point] = sample_points([formula], seed, wrt, directions=2)
        self.names = [d.name for d in formula.declarations] + [n for n, _ in formula.definitions]
        self._derivation: Derivation | None = None

    def contexts(self, only: str | None = None) -> list[tuple[Point, dict[str, np.ndarray]]]:
        """(point, directions) pairs; with ``only`` every other variable stands still."""
        out = []
        for p in self.points:
            for dirs in p.directions:
                out.append((p, {k: v for k, v in dirs.items() if only is None or k == only}))
        return out

    def values(self, e: Expr, only: str | None = None) -> np.ndarray:
        """The line's value in every context."""
        return np.array([linear_value(e, p, dirs) for p, dirs in self.contexts(only)])

    def run(self, segs: list[Segment], report: StepsReport) -> None:
        """Mark every segment."""
        df = self.values(ops.d(self.formula.expr))
        prev_vals, prev_expr, wrong_seen = df, None, False
        for number, seg in enumerate(segs, start=1):
            variable = seg.gradient_of or gradient_variable(seg.label)
            line = LineCheck(number, seg.source_line, seg.label, seg.text, ok=False, variable=variable)
            report.lines.append(line)
            if variable:
                self._gradient(line, seg, prev_expr)
                continue
            try:
                expr = self.parse_line(seg.text)
                line.shown, line.shown_latex = show(expr, "unicode"), show(expr, "latex")
                if not is_scalar(expr.shape):
                    raise MatcalcError("a line of a derivation is a number: write it as <G, dX> or tr(…)")
                vals = self.values(expr)
            except MatcalcError as e:
                line.error = str(e).splitlines()[0]
                loose = self._loose(seg.text)
                if loose is not None and not line.shown:  # shown in Unicode like every other line
                    line.shown, line.shown_latex = show(loose, "unicode"), show(loose, "latex")
                if not wrong_seen:
                    self._expect(line, prev_expr, loose)
                wrong_seen = True
                continue
            except Exception as e:  # noqa: BLE001 - a line we cannot evaluate is not right
                line.error = f"cannot evaluate this line: {e}"
                wrong_seen = True
                continue
            line.relative_difference = relative_error(vals, df)
            line.ok = line.relative_difference <= self.tol
            line.follows = relative_error(vals, prev_vals) <= self.tol
            if not line.ok and not wrong_seen:
                self._expect(line, prev_expr, expr)
            wrong_seen = wrong_seen or not line.ok
            prev_vals, prev_expr = vals, expr

    def parse_line(self, text: str, typed: bool = True) -> Expr:
        """A line as an expression, with ``dX`` read as the differential of X."""
        return parse_against(self.formula, differentials(normalize(text), self.names), derivation=True,
                             typed=typed, notation=self.notation).expr

    def _loose(self, text: str) -> Expr | None:
        """An ill-shaped line parsed without the declarations (to see its differentials), or None."""
        try:
            return self.parse_line(text, typed=False)
        except MatcalcError:
            return None

    def _gradient(self, line: LineCheck, seg: Segment, last: Expr | None) -> None:
        """∇_X f = G: G must be the gradient and <G, dX> the last line with only X moving."""
        if line.variable not in self.wrt or line.variable not in self.names:
            line.error = f"'{line.variable}' is not a variable of f"
            return
        try:
            claimed: str | Formula = parse_against(self.formula, seg.text, notation=self.notation)
        except MatcalcError:
            claimed = seg.text  # check_claim says what is wrong with it
        claim = check_claim(self.formula, line.variable, claimed)
        line.claim = claim
        if claim.claim is not None:
            line.shown, line.shown_latex = show(claim.claim.expr, "unicode"), show(claim.claim.expr, "latex")
        if claim.claim is None or claim.error:
            line.error = claim.error or "cannot read the gradient"
            self._expected(line, claim.correct.expr)
            return
        if last is not None:
            g = inline_definitions(claim.claim.expr)
            x = next(d for d in self.formula.declarations if d.name == line.variable)
            pairing = ops.inner(g, ops.d(ops.var(x.name, x.var.kind, x.shape, x.var.positive)))
            try:
                line.relative_difference = relative_error(self.values(pairing, line.variable),
                                                          self.values(last, line.variable))
            except Exception as e:  # noqa: BLE001
                line.error = f"cannot evaluate this line: {e}"
                return
        line.ok = claim.ok
        line.follows = line.relative_difference <= self.tol
        self._expected(line, claim.correct.expr)

    # ------------------------------------------------------------ what the line should have been

    def derivation(self) -> Derivation:
        """matcalc's own derivation of the same gradients (computed once)."""
        if self._derivation is None:
            self._derivation = derive(self.formula, self.wrt)
        return self._derivation

    def _expect(self, line: LineCheck, prev: Expr | None, wrong: Expr | None) -> None:
        """The step of matcalc's derivation the student was writing: find the step the previous
        line is (same form, else same linear parts, else same differentials), then the first later
        step linear in the same parts as the wrong line (else taking the same differentials)."""
        try:
            deriv = self.derivation()
        except MatcalcError:
            return
        states = [deriv.state(s) for s in deriv.steps]
        flat = [inline_definitions(s) for s in states]
        start = 0
        if prev is not None:
            p = inline_definitions(prev)
            ps = simplify(p)
            start = _first([i for i, s in enumerate(flat) if simplify(s) is ps][-1:],
                           [i for i, s in enumerate(flat) if _linear_parts(s) == _linear_parts(p)],
                           [i - 1 for i, s in enumerate(flat) if _d_names(s) == _d_names(p)], [0])
        after = list(range(start + 1, len(flat))) or [len(flat) - 1]
        pick = after[0]
        if wrong is not None:
            w = inline_definitions(wrong)
            parts = _linear_parts(w)
            same_d = [i for i in after if _d_names(flat[i]) == _d_names(w)]
            pick = _first([i for i in after if _linear_parts(flat[i]) == parts],
                          [i for i in range(len(flat)) if _linear_parts(flat[i]) == parts],
                          [i for i in same_d if len(_parts(flat[i])) == len(_parts(w))],  # 2 xᵀA dx: collected
                          same_d, after)
        expected = deriv.shown(deriv.steps[pick])  # as a teacher writes it
        if wrong is not None and not any(n.op == "inner" for n in walk(wrong)):
            expected = _as_products(expected)  # the student writes products: xᵀ (A + Aᵀ) dx
        self._expected(line, expected)
        line.rule = rule_label(deriv.steps[pick].rule, "unicode")

    def _expected(self, line: LineCheck, expected: Expr) -> None:
        """What a line should have been, in Unicode, LaTeX and the student's notation."""
        line.expected, line.expected_latex = show(expected, "unicode"), show(expected, "latex")
        with spelled_typeset(self.formula.typeset_names):
            line.expected_written = show(expected, self.notation)


def _as_products(e: Expr) -> Expr:
    """⟨G, dx⟩ for a vector dx as the product Gᵀ dx, simplified (⟨(A + Aᵀ) x, dx⟩ is xᵀ (A + Aᵀ) dx)."""
    if e.op == "inner" and d_set(e.args[1]) and not is_scalar(e.args[1].shape) and e.args[1].shape[1] == 1:
        return simplify(ops.matmul(ops.transpose(e.args[0]), e.args[1]))
    return e


def _first(*choices: list[int]) -> int:
    """The first entry of the first non-empty list."""
    return next(c[0] for c in choices if c)


def _linear_parts(e: Expr) -> frozenset[tuple[str, int]]:
    """What each term of a sum of inner products <G, L> is linear in, with multiplicities (as text,
    so a line parsed without declarations compares too)."""
    return frozenset(Counter(show(p) for p in _parts(e)).items())


def _d_names(e: Expr) -> frozenset[str]:
    """What e takes differentials of, as text."""
    return frozenset(show(x) for x in d_set(e))


def _parts(e: Expr) -> list[Expr]:
    if e.op == "add":
        return [p for a in e.args for p in _parts(a)]
    if e.op == "inner":
        return [a for a in e.args if d_set(a)]
    return [e]


__all__ = ["LineCheck", "StepsReport", "check_steps", "notation_of"]
