"""What each result object shows (``<type>_doc``) and its one-line repr (``<type>_short``).

Used by ``matcalc.display.Display``; the blocks are rendered there to HTML or Markdown.
"""

from __future__ import annotations

from typing import Any

from matcalc.display import Block, Code, Math, Piece, Row, Table
from matcalc.language.printers import show, show_name


def _mark(ok: bool) -> str:
    return "✓" if ok else "✗"


def _nabla(name: str, fname: str = "f") -> str:
    return f"\\nabla_{{{show_name(name, 'latex')}}} {fname}"


def _cut(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


# ---------------------------------------------------------------- Formula


def _shape(shape: tuple[Any, Any]) -> str:
    return "scalar" if tuple(shape) == (1, 1) else f"{shape[0]}×{shape[1]}"


def reading_table(formula: Any, why: dict[str, str] | None = None) -> Table:
    """Each variable's name, type and shape (and, given why, how its type was guessed)."""
    cells = [[[Math(show_name(d.name, "latex"))], [d.type_text()], [_shape(d.shape)]]
             + ([[why.get(d.name, "declared")]] if why else []) for d in formula.declarations]
    return Table([[["variable"], ["type"], ["shape"]] + ([["typed by"]] if why else [])] + cells)


def definition_rows(definitions: Any, level: int = 0) -> list[Block]:
    """One `where Y = …` row per definition."""
    return [Row(["where ", Math(f"{show_name(name, 'latex')} = {show(ref.args[0], 'latex')}")], level=level)
            for name, ref in definitions]


def equation(lhs: str, f: Any) -> list[Piece]:
    """`lhs = expr`, then `, where Y = …` for each definition it uses."""
    out: list[Piece] = [Math(f"{lhs} = {show(f.expr, 'latex')}")]
    for name, ref in f.definitions:
        out += [", where ", Math(f"{show_name(name, 'latex')} = {show(ref.args[0], 'latex')}")]
    return out


def formula_doc(f: Any) -> list[Block]:
    what = [Row([f.what], style="note")] if f.what else []
    return [*what, Row([Math(f.latex())]), Row([f"value: {_shape(f.shape)}"], style="note"), reading_table(f)]


# ---------------------------------------------------------------- gradients and derivations


def gradients_doc(g: Any) -> list[Block]:
    out: list[Block] = [Row([Math(f"{_nabla(name)} = {show(f.expr, 'latex')}")]) for name, f in g.items()]
    defs = {n: ref for f in g.values() for n, ref in f.definitions}
    hints = [Row([h.show("unicode")], style="note") for f in g.values() for h in f.hints]  # y: onehot would shorten it
    return out + definition_rows(defs.items()) + hints


def gradients_short(g: Any) -> str:
    return "Gradients(" + ", ".join(f"{n}={_cut(show(f.expr, 'text'), 40)!r}" for n, f in g.items()) + ")"


def _lhs(lhs: str) -> list[Piece]:
    if lhs.startswith("where "):
        return [Math("\\text{where } " + lhs[len("where "):])]
    return [Math(lhs)] if lhs else []


def derivation_table(d: Any) -> Table:
    """lhs | = rhs | [rule], one row per step, then the gradients and definitions."""
    return Table([[_lhs(lhs), [Math("= " + rhs)], [rule] if rule else []] for lhs, rhs, rule in d.lines("latex")],
                 style="derivation")


def derivation_doc(d: Any) -> list[Block]:
    names = ", ".join(_nabla(w) for w in d.wrt)
    return [Row(["derivation of ", Math(names), " for ", *equation("f", d.formula)], style="title"),
            derivation_table(d)]


def derivation_short(d: Any) -> str:
    return f"Derivation({_cut(d.formula.text())!r}, wrt={d.wrt!r}, {len(d.steps)} steps)"


# ---------------------------------------------------------------- check


def checkreport_doc(r: Any) -> list[Block]:
    sizes = "; ".join(", ".join(f"{k}={v}" for k, v in s.items()) for s in r.sizes if s)
    out: list[Block] = [Row(["check against torch.autograd: ", Code(r.formula)], mark=_mark(r.ok), style="title")]
    if sizes:
        out.append(Row([f"at sizes {sizes}"], style="note"))
    if r.error:
        out.append(Row([r.error], style="error"))
    for v in r.variables:
        detail = v.error or f"largest relative error {v.max_rel_error:.1e} (tolerance {v.tol:.0e})"
        shown = equation(_nabla(v.name), v.closed_form) if v.closed_form is not None else [
            Math(_nabla(v.name) + " ="), " ", Code(v.gradient)]
        out.append(Row([*shown, ": " + detail], mark=_mark(v.ok), level=1))
    return out


def checkreport_short(r: Any) -> str:
    errs = ", ".join(f"{v.name}: {v.max_rel_error:.1e}" for v in r.variables)
    return f"CheckReport({'ok' if r.ok else 'WRONG'}, {_cut(r.formula)!r}, {errs or r.error})"


# ---------------------------------------------------------------- claims and derivation lines


def claimresult_doc(c: Any, level: int = 0) -> list[Block]:
    nabla = c.label("latex")
    claim = equation(nabla, c.claim) if c.claim is not None else [Math(nabla + " = "), Code(c.claim_text)]
    out: list[Block] = [Row(claim, mark=_mark(c.ok), level=level)]
    if c.ok:
        how = "symbolically equal to" if c.method == "symbolic" else "equal at every random test point to"
        return out + [Row([f"{how} the gradient"], level=level + 1, style="note")]
    if c.error:
        out.append(Row([c.error.splitlines()[0]], level=level + 1, style="error"))
    if c.diagnosis is not None:
        out.append(Row([f"mistake: {c.diagnosis}"], level=level + 1, style="error"))
    out.append(Row(["correct: ", *equation(nabla, c.correct)], level=level + 1))
    if c.counterexample is not None:
        out += [Row(["counterexample " + line if i == 0 else line], level=level + 1, style="pre")
                for i, line in enumerate(c.counterexample.lines())]
    return out + [Row([f"note: {n}"], level=level + 1, style="note") for n in c.notes]


def claimresult_short(c: Any) -> str:
    return f"ClaimResult({_mark(c.ok)} ∇_{c.wrt} {c.fname} = {_cut(c.claim_text, 50)!r})"


def stepsreport_doc(s: Any, level: int = 0) -> list[Block]:
    from matcalc.checking.lines import _notes

    head: list[Piece] = ["derivation"]
    if s.f is not None:
        head += [" of ", Math(", ".join(_nabla(w, s.fname) for w in s.wrt)), " for ", *equation(s.fname, s.f)]
    out: list[Block] = [Row(head, mark=_mark(s.ok), level=level, style="title")]
    if s.error:
        out.append(Row([s.error], level=level + 1, style="error"))
    first = s.first_wrong
    cells, marks = [], []
    for line in s.lines:
        notes = _notes(line, line is first)
        label: list[Piece] = [line.shown_label]
        shown: list[Piece] = [Code("= " + (line.shown or line.text))]
        if line.shown_latex:  # the line was read: math like the rest (else the text as written)
            if line.shown_label:
                label = [Math(_nabla(line.variable, s.fname) if line.is_gradient else line.shown_label)]
            shown = [Math("= " + line.shown_latex)]
        cells.append([[str(line.number)], label, shown,
                      ["; ".join(notes)] if notes else []])
        marks.append(_mark(line.ok))
    if cells:
        out.append(Table(cells, marks, level=level + 1, style="steps"))
    if first is not None:
        out.append(Row([f"first wrong line: {first.number}"], level=level + 1, style="error"))
    return out


def stepsreport_short(s: Any) -> str:
    what = f"first wrong line {s.first_wrong_line}" if s.first_wrong_line else ("every line right" if s.ok else s.error)
    return f"StepsReport({_mark(s.ok)} {len(s.lines)} lines, {_cut(what, 50)})"


# ---------------------------------------------------------------- homework


def problemresult_doc(r: Any, level: int = 0) -> list[Block]:
    head: list[Piece] = [r.problem.title + ": "]
    head += equation("f", r.formula) if r.formula is not None else [Code(r.problem.function)]
    out: list[Block] = [Row(head, mark=_mark(r.ok), level=level, style="title")]
    if r.error:
        out.append(Row([r.error], mark="✗", level=level + 1, style="error"))
    for c in r.claims:
        out += claimresult_doc(c, level + 1)
    if r.steps is not None:
        out += stepsreport_doc(r.steps, level + 1)
    return out


def problemresult_short(r: Any) -> str:
    return f"ProblemResult({_mark(r.ok)} {_cut(r.problem.title, 50)!r})"


def homework_doc(h: Any) -> list[Block]:
    out: list[Block] = [Row([h.tally], mark=_mark(h.ok), style="title")]
    for r in h:
        out += problemresult_doc(r, 0)
    return out


def homework_short(h: Any) -> str:
    return f"Homework({h.tally})"
