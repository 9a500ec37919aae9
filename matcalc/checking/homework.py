"""``matcalc homework FILE``: check a whole problem set, report in text, JSON or Markdown.

The problem-set format (Markdown with ``$…$``/``$$…$$`` math, or plain text)::

    # Problem set 3                      (a title: ignored)
    ## Problem 1: the exponential        (each problem starts at a `##` heading or a `Problem …` line)
    f(X) = $a^\\top \\exp(X b)$            (the function; `f(W, X) = …` also names the variables)
    where: a: vector(n); X: matrix(n, m) (optional declarations)
    wrt: X                               (optional when f(X) = … or ∇_X lines name the variable)
    claim: $(\\exp(X b) \\odot a) b^\\top$  (a claimed gradient; or a line  ∇_X f = …)
    derivation:                          (a derivation: the next ``` or $$ block, or the next lines)
    ```
    df = <1, d(a^T exp(X b))>
       = <a, d(exp(X b))>
    ```

Other keys: ``function:`` / ``f:`` (the function, definitions first: ``Y = σ(W X); <Y, M Y>``),
``define:`` (one more definition, ``Y = σ(W X)``), ``layer:`` with ``upstream:`` (a layer
``Y = W X`` and the name of its upstream gradient ``G = ∇_Y L``: the function is then <G, Y>,
whose gradients are the layer's backward rule, ``matcalc.vjp``). Keys may be bold or bulleted
(``- **claim:**``). Every claim and derivation is checked with ``matcalc.checking.checker``.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from matcalc.algebra import ops
from matcalc.algebra.expr import Expr
from matcalc.algebra.shapes import MatcalcError
from matcalc.checking.checker import ClaimResult, StepsReport, check_claim, check_steps
from matcalc.checking.claims import show_formula
from matcalc.checking.homework_read import Problem, read_problems
from matcalc.checking.text import normalize
from matcalc.checking.verify import require_torch
from matcalc.display import Display, Homework
from matcalc.language.formula import Declaration, Formula
from matcalc.language.parse import parse
from matcalc.language.printers import show
from matcalc.progress import grade


@dataclass(repr=False)
class ProblemResult(Display):
    """The verdicts on one problem."""

    problem: Problem
    formula: Formula | None = None
    claims: list[ClaimResult] = field(default_factory=list)
    steps: StepsReport | None = None
    error: str = ""

    @property
    def ok(self) -> bool:
        """Everything in the problem is right (and there was something to check)."""
        checked = bool(self.claims) or self.steps is not None
        return (not self.error and checked and all(c.ok for c in self.claims)
                and (self.steps is None or self.steps.ok))

    @property
    def graded(self) -> bool:
        """Something of the student's was judged; False when the function cannot be read or nothing
        could be checked (such a problem is "not graded", never counted wrong)."""
        return bool(self.claims) or self.steps is not None

    @property
    def mark(self) -> str:
        """✓, ✗, or – for a problem that is not graded."""
        return "✓" if self.ok else "✗" if self.graded else "–"

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON."""
        return {"title": self.problem.title, "ok": self.ok, "graded": self.graded, "error": self.error,
                "function": None if self.formula is None else self.formula.text(),
                "wrt": self.problem.variables, "claims": [c.to_dict() for c in self.claims],
                "derivation": None if self.steps is None else self.steps.to_dict()}


# ---------------------------------------------------------------- checking


def problem_formula(p: Problem) -> Formula:
    """The problem's function as a Formula (for a layer: <G, F>, whose gradients are its vjp)."""
    defs = "".join(normalize(d) + "; " for d in p.definitions)
    where = p.where or None
    if p.layer:
        if not p.upstream:
            raise MatcalcError("a layer needs its upstream gradient: upstream: G")
        name, _, body = p.layer.partition("=")
        if not body:
            name, body = "", name
        layer = parse(defs + normalize(body), where=where)
        rows, cols = layer.shape
        kind = "scalar" if (rows, cols) == (1, 1) else "vector" if cols == 1 else "matrix"
        g = ops.var(p.upstream, kind, layer.shape)
        value: Expr = layer.expr
        definitions = layer.definitions
        if name.strip():
            value = Expr("ref", (layer.expr,), name.strip(), layer.shape)
            definitions = definitions + ((name.strip(), value),)
        return Formula(ops.inner(g, value), layer.declarations + (Declaration(g.attr, g.shape),), definitions)
    if not p.function:
        raise MatcalcError("no function: write  f(X) = …  or  function: …")
    formula = parse(defs + normalize(p.function), where=where)
    _keep_definitions(formula, p, defs)
    return formula


def _keep_definitions(formula: Formula, p: Problem, defs: str) -> None:
    """Keep the problem's definitions that f, written out, does not use (``h = σ(W x)``): its
    derivation lines may still use them. One that needs a variable f lacks is left out."""
    known = {d.name for d in formula.declarations}
    kept = dict(formula.definitions)
    for d in p.definitions:
        try:
            named = parse(defs + normalize(d.split("=", 1)[0]), where=p.where or None)
        except MatcalcError:
            continue
        if named.expr.op == "ref" and {x.name for x in named.declarations} <= known:
            kept.update((n, ref) for n, ref in named.definitions if n not in kept)
    formula.definitions = tuple(kept.items())


def variable_of(raw: str) -> str:
    """A variable's name as the parser spells it (`W₁`, `W_{1}` -> W_1; `Σ` -> Sigma)."""
    try:
        e = parse(normalize(raw)).expr
    except MatcalcError:
        return raw
    return e.attr.name if e.op == "var" else raw


def check_problem(p: Problem, seed: int = 0) -> ProblemResult:
    """Check every claim and the derivation of one problem."""
    result = ProblemResult(p)
    try:
        formula = problem_formula(p)
    except MatcalcError as e:
        result.error = f"cannot read the function: {str(e).splitlines()[0]}"
        return result
    result.formula = formula
    try:
        _check_parts(p, formula, result, seed)
    except MatcalcError as e:  # the function has no gradient to compare with (not scalar, …)
        result.error = str(e).splitlines()[0]
    return result


def _check_parts(p: Problem, formula: Formula, result: ProblemResult, seed: int) -> None:
    """Check the problem's claims and derivation into ``result``."""
    known = [d.name for d in formula.declarations]
    claimed = [variable_of(v) for v, _, _ in p.claims if v]
    variables = [variable_of(v) for v in p.variables] or list(dict.fromkeys(claimed))
    p.variables = variables
    for variable, expr, _ in p.claims:
        variable = variable and variable_of(variable)
        variable = variable or (variables[0] if len(variables) == 1 else "")
        if variable not in known:
            result.error = (f"say which variable the claim {expr} is for (∇_X f = …)" if not variable else
                            f"'{variable}' is not a variable of the function")
            continue
        result.claims.append(check_claim(formula, variable, expr, seed=seed))
        result.claims[-1].fname = "L" if p.layer else "f"
    if p.derivation:
        result.steps = check_steps(p.derivation, f=formula, wrt=variables or None, seed=seed)
        result.steps.fname = "L" if p.layer else "f"
    if not p.claims and not p.derivation and not result.error:
        result.error = "nothing to check: give a claim or a derivation"


def check_homework(text: str, seed: int = 0) -> Homework:
    """Check every problem of a problem set."""
    return Homework(check_problem(p, seed) for p in read_problems(text))


# ---------------------------------------------------------------- reports


def _function_text(r: ProblemResult) -> str:
    if r.formula is None:
        return "f = " + (r.problem.function or r.problem.layer)
    if r.problem.layer:
        name, _, body = r.problem.layer.partition("=")
        layer = f"{name.strip()} = {show(r.formula.definitions[-1][1].args[0], 'unicode')}" if body else r.problem.layer
        nabla = f"∇_{name.strip()} L" if body else "∇ L"
        return (f"the layer {layer}, upstream {r.problem.upstream} = {nabla} "
                f"(its backward rule: the gradients of L = {show(r.formula.expr, 'unicode')})")
    return "f = " + show_formula(r.formula, "unicode")


def problem_lines(r: ProblemResult) -> list[str]:
    """One problem's part of the text report: its verdict, every claim and derivation line."""
    out = [f"{r.mark} {r.problem.title}: {_function_text(r)}"]
    if r.error:
        out.append(f"    {'✗' if r.graded else 'not graded:'} {r.error}")
    for c in r.claims:
        out += ["    " + s for s in c.lines()]
    if r.steps is not None:
        out += ["    " + s for s in r.steps.report_lines()]
    return out


def text_report(results: list[ProblemResult]) -> str:
    """The report for a terminal: every problem, every claim and derivation line."""
    out = []
    for r in results:
        out += problem_lines(r) + [""]
    out.append(Homework(results).tally)
    return "\n".join(out)


def json_report(results: list[ProblemResult]) -> str:
    """The report as JSON: {"ok", "right", "problems": [...]}."""
    data = {"ok": all(r.ok for r in results) and bool(results), "right": sum(r.ok for r in results),
            "graded": sum(r.graded for r in results),
            "problems": [r.to_dict() for r in results]}
    return json.dumps(data, indent=2, ensure_ascii=False)


def markdown_report(text: str, results: list[ProblemResult]) -> str:
    """A graded copy of the problem set: ✓/✗ on every heading and claim, corrections inline."""
    lines = text.splitlines()
    after: dict[int, list[str]] = {}
    marks: dict[int, str | tuple[str, str]] = {}
    for r in results:
        p = r.problem
        marks[p.heading_line] = " " + r.mark  # type: ignore[assignment]
        if r.error:
            after.setdefault(max(p.heading_line, p.function_line), []).append(
                f"> {'✗' if r.graded else 'not graded:'} {r.error}")
        for c, (_, _, line) in zip(r.claims, p.claims):
            marks[line] = " ✓" if c.ok else " ✗"
            if not c.ok:
                after.setdefault(line, []).extend(_claim_notes(c))
        if r.steps is not None:
            after.setdefault(p.derivation_end, []).extend(_steps_notes(r.steps))
            for number, ok in _line_marks(r.steps).items():
                marks[p.derivation_start + number - 1] = (" ✓" if ok else " ✗", p.derivation_fence)
    out = []
    for i, line in enumerate(lines):
        out.append(_marked(line, marks.get(i)))
        if i in after:
            out += [""] + after[i]
            if i + 1 < len(lines) and lines[i + 1].strip():
                out.append("")
    summary = f"> **Graded by matcalc: {Homework(results).tally}.**"
    return "\n".join([summary, ""] + out) + "\n"


def _line_marks(steps: StepsReport) -> dict[int, bool]:
    """Source line (from 1) -> right, for the lines of a derivation (a line with several `=` is right
    when all its parts are)."""
    out: dict[int, bool] = {}
    for line in steps.lines:
        out[line.source_line] = out.get(line.source_line, True) and line.ok
    return out


def _marked(line: str, mark: str | tuple[str, str] | None) -> str:
    """The line with its ✓/✗: at the end, or inside LaTeX math as \\text{✓} before a closing \\\\ or $$."""
    if mark is None:
        return line
    if isinstance(mark, str) or mark[1] != "$$":
        return line + (mark if isinstance(mark, str) else "  " + mark[0].strip())
    tag = f" \\quad\\text{{{mark[0].strip()}}}"
    body = line.rstrip()
    for closing in ("\\\\", "$$"):
        if body.endswith(closing):
            return body[: -len(closing)].rstrip() + tag + " " + closing
    return body + tag


def _claim_notes(c: ClaimResult) -> list[str]:
    notes = []
    if c.error:
        notes.append(f"> ✗ {c.error.splitlines()[0]}")
    if c.diagnosis is not None:
        notes.append(f"> ✗ **{c.diagnosis.message}**"
                     + (f": undoing it gives ${_latex(c, c.diagnosis.fixed)}$" if c.diagnosis.fixed else ""))
    notes.append(f"> correct: ${c.label('latex')} = {c.correct.latex()}$")
    if c.counterexample is not None:
        ce = c.counterexample
        sizes = ", ".join(f"{k}={v}" for k, v in ce.sizes.items())
        notes.append(f"> counterexample at {sizes}: the claim and the gradient differ by up to "
                     f"{ce.max_abs_difference:.3g}")
    return notes


def _latex(c: ClaimResult, text: str) -> str:
    """A diagnosis' fixed claim in LaTeX (it is stored as text/Unicode)."""
    try:
        return show(parse(text, where=c.f.where or None).expr, "latex")
    except MatcalcError:
        return text


def _steps_notes(s: StepsReport) -> list[str]:
    if s.error:
        return [f"> ✗ {s.error}"]
    marks = " ".join(f"{line.number}{'✓' if line.ok else '✗'}" for line in s.lines)
    notes = [f"> derivation, line by line: {marks}"]
    first = s.first_wrong
    if first is None:
        return notes
    notes.append(f"> ✗ first wrong line: {first.number}" + (f" ({first.error.splitlines()[0]})" if first.error else ""))
    if first.expected and not first.is_gradient:  # in the student's notation: LaTeX as math, else as code
        expected, rule, latex = first.should_be()
        shown = f"$= {first.expected_latex}$" if latex else f"`= {expected}`"
        notes.append(f"> should be: {shown}" + (f" ({rule})" if rule else ""))
    elif first.is_gradient and first.claim is not None:
        notes.append(f"> correct: ${first.claim.label('latex')} = {first.claim.correct.latex()}$")
    return notes


REPORTS = {"text": text_report, "json": json_report}


def homework_command(path: str, fmt: str = "text") -> int:
    """`matcalc homework FILE [--format text|json|markdown]`: print the report; exit 0 when every
    problem is right, 1 when one is not (or there are none), 2 when the file cannot be read."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as e:
        print(f"error: cannot read {path}: {e.strerror or e}", file=sys.stderr)
        return 2
    if fmt not in ("text", "json", "markdown"):
        print(f"error: unknown format '{fmt}' (use text, json or markdown)", file=sys.stderr)
        return 2
    require_torch("homework")
    problems = read_problems(text)
    if not problems:
        print(f"error: no problems found in {path} (see the format at the top of examples/homework.md)",
              file=sys.stderr)
        return 2
    # each problem is printed as soon as it is graded (text), with a progress line on a terminal
    results = grade(problems, check_problem, problem_lines if fmt == "text" else None)
    if fmt == "text":
        print(f"{results.tally}\n")
    else:
        print(markdown_report(text, results) if fmt == "markdown" else REPORTS[fmt](results), end="")
    return 0 if results and all(r.ok for r in results) else 1


__all__ = ["Problem", "ProblemResult", "check_homework", "check_problem", "homework_command", "json_report",
           "markdown_report", "read_problems", "text_report"]
