"""What the page shows, computed without the web framework: a request's query -> a ``Page``.

``derive_page`` reads the formula (its reading, each variable's type and shape), derives what
was asked (the gradient, or a Jacobian, Hessian, JVP or HVP when matcalc has them), and
renders every part as HTML with MathML (``matcalc.display``). ``homework_page`` grades a
problem set. Errors become a message with the caret, shown in place.
"""

from __future__ import annotations

import importlib.util
import re
from dataclasses import dataclass, field
from typing import Any

import matcalc
from matcalc.display import Block, Math, Row, to_html
from matcalc.display_docs import derivation_table, equation, gradients_doc, reading_table
from matcalc.language.printers import show_name

# what the page can derive: the gradient always; the others once matcalc exports them
KINDS = {"grad": "gradient", "jacobian": "Jacobian", "hessian": "Hessian", "jvp": "JVP", "hvp": "HVP"}

# how the page names each result: ∂_x F, ∇²_x f, and with the direction V for JVP and HVP
SYMBOLS = {"jacobian": "\\partial_{%s} F", "hessian": "\\nabla^2_{%s} f", "jvp": "\\partial_{%s} F\\,[V]",
           "hvp": "\\nabla^2_{%s} f\\,[V]"}

EXAMPLES = [
    ("a^T exp(X b)", ""),
    ("Y = sigmoid(W X); <Y, M Y>", ""),
    ("||A x - y||^2 + lambda ||x||^2", ""),
    ("(x - m)^T inv(S) (x - m) + logdet(S)", "S: spd(n); m: vector(n)"),
    ("\\operatorname{tr}(X^\\top A X)", ""),
]


def available_kinds() -> dict[str, str]:
    """The kinds of derivative this matcalc has (gradient, and jacobian/hessian/jvp/hvp when present)."""
    return {k: label for k, label in KINDS.items() if hasattr(matcalc, k)}


def has_torch() -> bool:
    """True when torch is installed (the "check against torch" section runs)."""
    return importlib.util.find_spec("torch") is not None


@dataclass
class Query:
    """The page's state, as in its URL: /?f=…&wrt=X&where=…&what=grad."""

    f: str = ""
    wrt: list[str] = field(default_factory=list)
    where: str = ""
    what: str = "grad"
    check: bool = True


@dataclass
class Page:
    """The rendered parts of the page (HTML strings) and what the form needs."""

    query: Query
    error: str = ""
    variables: list[str] = field(default_factory=list)
    reading: str = ""
    result: str = ""
    derivation: str = ""
    code: dict[str, str] = field(default_factory=dict)
    check: str = ""
    check_ok: bool | None = None
    kinds: dict[str, str] = field(default_factory=available_kinds)


def _section(blocks: list[Block]) -> str:
    return to_html(blocks, style=False)


def derive_page(q: Query) -> Page:
    """Everything the page shows for a query; a MatcalcError becomes page.error (with its caret)."""
    page = Page(q)
    if not q.f.strip():
        return page
    try:
        formula = matcalc.parse(q.f, where=q.where or None)
    except matcalc.MatcalcError as e:
        page.error = str(e)
        return page
    page.variables = formula.variables
    reading = getattr(formula, "reading", None)
    why: dict[str, str] = {}
    notes: list[Block] = []
    for guess in reading.guesses if reading is not None else ():
        typed = re.fullmatch(r"(\S+): .* \((.+)\)", guess)
        if typed and typed.group(1) in formula.variables:
            why[typed.group(1)] = typed.group(2)
        else:
            notes.append(Row(["read: " + guess], style="note"))
    page.reading = _section([Row([Math(formula.latex())]), reading_table(formula, why), *notes])
    wrt = [w for w in q.wrt if w] or _default_wrt(formula, q.what)
    q.wrt = wrt
    if q.what not in page.kinds:
        page.error = unknown_kind(q.what, page.kinds)
        return page
    try:
        if q.what != "grad":
            return _family_page(page, formula, wrt)
        derivation = matcalc.derive(formula, wrt)
        page.result = _section(gradients_doc(derivation.gradients))
        page.derivation = _section([derivation_table(derivation)])
        page.code = {b: matcalc.codegen(formula, wrt, backend=b) for b in ("numpy", "torch")}
    except matcalc.MatcalcError as e:
        page.error = str(e)
        return page
    if q.check and has_torch():
        report = matcalc.check(formula, wrt, trials=2)
        page.check, page.check_ok = report._repr_html_() or str(report), report.ok
    return page


def unknown_kind(what: str, kinds: dict[str, str]) -> str:
    """The message for a ``what`` the page cannot derive."""
    return f"unknown derivative '{what}': use what={', '.join(kinds)}"


def _symbol(kind: str, name: str) -> str:
    return SYMBOLS[kind] % show_name(name, "latex")


def _family_page(page: Page, formula: Any, wrt: list[str]) -> Page:
    """A Jacobian, Hessian, JVP or HVP per variable: result, derivation, code and torch check."""
    kind = page.query.what
    try:
        results = {name: getattr(matcalc, kind)(formula, name) for name in wrt}
        page.result = _section([Row(equation(_symbol(kind, n), r)) for n, r in results.items()])
        page.derivation = _section([b for n, r in results.items() for b in (
            Row(["derivation of ", Math(_symbol(kind, n))], style="title"), derivation_table(r.derivation))])
    except matcalc.MatcalcError as e:
        page.error = str(e)
        return page
    try:
        page.code = {b: "\n\n".join(matcalc.codegen(r, backend=b, name=f"{kind}_{n}") for n, r in results.items())
                     for b in ("numpy", "torch")}
    except matcalc.MatcalcError as e:  # the closed form stands; say why there is no code
        page.code = {"numpy": f"# no code for this {KINDS[kind]}: {e}"}
    if page.query.check and has_torch():
        from matcalc.checking.family import check_kind

        reports = {n: check_kind(formula, n, kind, trials=2) for n in results}
        page.check = _section(kind_check_doc(kind, reports, results))
        page.check_ok = all(r.ok for r in reports.values())
    return page


def kind_check_doc(kind: str, reports: dict[str, Any], results: dict[str, Any]) -> list[Block]:
    """One ✓/✗ row per variable: the closed form (as math) and its largest error against torch.func."""
    from matcalc.checking.family import REFERENCE

    out: list[Block] = []
    for name, r in reports.items():
        sizes = "; ".join(", ".join(f"{k}={v}" for k, v in s.items()) for s in r.sizes if s)
        out.append(Row([*equation(_symbol(kind, name), results[name]),
                        f": largest relative error {r.max_rel_error:.1e} (tolerance {r.tol:.0e}) against "
                        f"{REFERENCE[kind]}" + (f", at sizes {sizes}" if sizes else "")], mark="✓" if r.ok else "✗"))
    return out


def _default_wrt(formula: Any, what: str = "grad") -> list[str]:
    """With no variable named: for a gradient the first matrix, for the others the first vector,
    else the first variable."""
    first = [d.name for d in formula.declarations
             if (d.var.kind == "vector") == (what != "grad") and d.var.kind != "scalar"]
    return (first or formula.variables)[:1]


def homework_html(text: str) -> tuple[str, Any]:
    """The graded copy of a problem set as HTML, and the Homework result (or an error message)."""
    from matcalc.checking.homework import check_homework
    from matcalc.checking.verify import require_torch

    try:
        require_torch("homework")
        graded = check_homework(text)
    except matcalc.MatcalcError as e:
        return "", str(e)
    if not graded:
        return "", "no problems found (see the format at the top of examples/homework.md)"
    return graded._repr_html_(), graded
