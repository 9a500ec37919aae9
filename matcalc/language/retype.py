"""Hints for a formula that types but not as meant: the name whose spelling-given type, changed,
makes the formula a scalar (`\\frac{1}{N} ‖X w - y‖²` with N a matrix, `μᵀ x` with μ a scalar)."""

from __future__ import annotations

import re

from matcalc.algebra.shapes import MatcalcError, is_scalar
from matcalc.language.formula import Formula
from matcalc.language.parse import parse

_TYPED = re.compile(r"(\w+): (scalar|vector|matrix)(?:\([^)]*\))? \((capitalised|Greek|lowercase) name\)$")
_OTHER = {"matrix": "scalar", "scalar": "vector(n)", "vector": "scalar"}
_WHY = {"capitalised": "from its capital letter", "Greek": "as a Greek letter",
        "lowercase": "from its lowercase letter"}


def scalar_hint(formula: Formula) -> str:
    """A hint naming the variable typed by its spelling whose other type would make formula a scalar."""
    if formula.reading is None:
        return ""
    typed = [m.groups() for g in formula.reading.guesses if (m := _TYPED.match(g.strip()))]
    names = {name for name, _, _ in typed}
    declared = [f"{d.name}: {d.type_text()}" for d in formula.declarations if d.name not in names]
    if split := _split_hint(formula, declared):
        return split
    for name, kind, why in typed:
        other = _OTHER[kind]
        try:
            again = parse(formula.reading.formula, where="; ".join(declared + [f"{name}: {other}"]))
        except MatcalcError:
            continue
        if is_scalar(again.shape):
            return (f"\n  hint: {name} was typed as a {kind} {_WHY[why]}; "
                    f"if it is a {other.split('(')[0]}, declare it: where {name}: {other}")
    return ""


def _split_hint(formula: Formula, declared: list[str]) -> str:
    """For plain text `x'Ax`: the split of a name written together (`Ax` -> `A x`) that makes it a scalar."""
    try:
        again = parse(formula.reading.formula, where="; ".join(declared) or None, notation="latex")
    except MatcalcError:
        return ""
    words = [g.split(" (")[0].split(" → ") for g in again.reading.guesses if "written together" in g]
    if not is_scalar(again.shape) or not words:
        return ""
    return "\n  hint: " + "; ".join(f"'{w}' is one name here; did you mean '{s}'?" for w, s in words)


def wrt_hint(formula: Formula, wrt: str) -> str:
    """For a variable that is not in formula: the name that holds it written together (`Xb` for X)."""
    words = [v for v in formula.variables if wrt in v and v != wrt and not v.startswith(wrt + "_")]
    if not words:
        return ""
    split = " ".join(words[0].replace(wrt, f" {wrt} ").split())
    return (f"\n  hint: '{words[0]}' is one name here (plain text reads a word as one name); "
            f"did you mean '{split}'? write it with a space")
