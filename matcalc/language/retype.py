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
