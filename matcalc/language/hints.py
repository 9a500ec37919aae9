"""Hints for a formula that does not type, found by reading it again another way: with letters
written together split (`Xb` -> `X b`), or with one name given its other type (`d_k: scalar`).
``parse`` is passed in (this module sits below the parser)."""

from __future__ import annotations

from collections.abc import Callable

from matcalc.algebra.expr import Expr
from matcalc.algebra.shapes import MatcalcError, is_scalar
from matcalc.language.declarations import where_items

Parse = Callable[..., object]


def retype_hint(parse: Parse, text: str, where: str | dict | None, notation: str, derivation: bool,
                env: dict[str, Expr], decls: dict) -> str:
    """For a formula that does not type: the name typed by its spelling whose other type makes it type
    (`\\frac{QK^T}{\\sqrt{d_k}}`: d_k is a scalar)."""
    declared, found = dict(where_items(where)), []
    for name, node in env.items():
        if node.op != "var" or name in decls:
            continue
        other = "vector(n)" if node.attr.kind == "scalar" else "scalar"
        try:
            again = parse(text, {**declared, name: other}, notation, derivation)
        except MatcalcError:
            continue  # a retype giving a scalar first, a Greek name (μ, β: a vector) before a letter
        found.append(((is_scalar(again.shape), node.attr.kind == "scalar"), name, node.attr.kind, other))
    if not found:
        return ""
    _, name, kind, other = max(found, key=lambda f: f[0])
    return (f"\n  hint: {name} was typed as a {kind} from its name; "
            f"if it is a {other.split('(')[0]}, declare it: where {name}: {other}")


def split_hint(parse: Parse, text: str, where: str | dict | None, derivation: bool) -> str:
    """For plain text that does not type: the split of multi-letter names that would (`Xb` -> `X b`)."""
    try:
        split = parse(text, where, "latex", derivation)
    except MatcalcError:
        return ""
    words = [g.split(" (")[0] for g in split.reading.guesses if "written together" in g]
    if not words:
        return ""
    shown = "; ".join(f"'{w.split(' → ')[0]}' is one name here; did you mean '{w.split(' → ')[1]}'?" for w in words)
    return f"\n  hint: {shown}"


def typed_hint(env: dict[str, Expr], decls: dict) -> str:
    """For a shape error: the names typed by their spelling, and how to declare one otherwise."""
    typed = [v for name, v in env.items() if v.op == "var" and name not in decls]
    if not typed:
        return ""
    kinds = ", ".join(f"{v.attr.name}: {v.attr.kind}" for v in typed)
    example = typed[0].attr.name
    other = {"vector": "scalar", "scalar": "vector(n)"}.get(typed[0].attr.kind, "vector(n)")
    return f"\n  hint: typed by their names: {kinds}; declare one otherwise, e.g. where {example}: {other}"


# What to write instead of a function or command matcalc does not have (fresh-user trial F8)
INSTEAD = {
    "max": "max(0, z) is relu(z); a maximum over entries or of two arrays is not supported",
    "min": "min(0, z) is -relu(-z); a minimum over entries or of two arrays is not supported",
    "dagger": "the pseudo-inverse is not supported; for X of full column rank write (X^T X)^{-1} X^T",
    "norm": "norm(x) takes one argument: ‖x‖ of a vector, ‖X‖_F of a matrix (norm(X, 'fro') is norm(X))",
    "sum": "sum(X) adds every entry; column sums are 1^T X, row sums X 𝟙",
}


def instead(name: str) -> str:
    """The hint line for a function or command matcalc does not have, or ''."""
    return f"\n  hint: {INSTEAD[name]}" if name in INSTEAD else ""
