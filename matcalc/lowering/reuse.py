"""Products the program computes anyway, reused instead of forming a sum of matrices.

``reuse_rules(computed)`` is a rule list for the last lowering pass (``optimize``): when a
gradient needs ``(A + B) Y`` and the value already computes ``A Y`` (``<Y, M Y>`` and its
gradient ``(M + Mᵀ) Y``), ``A Y + B Y`` costs the same one new product, and adds two arrays of
the result's size instead of forming ``A + B`` (for ``M + Mᵀ`` a strided, cache-unfriendly
pass over M). Chosen by cost: only when the result is no larger than the sum it avoids.
Invariant: the rule is one identity of values that keeps the shape (distributivity).
"""

from __future__ import annotations

from collections.abc import Callable

from matcalc.algebra.expr import Expr, walk
from matcalc.algebra.ops import make
from matcalc.algebra.shapes import is_scalar
from matcalc.lowering.chains import size
from matcalc.simplification.engine import Rule


def _area(e: Expr) -> int:
    return size(e.shape[0]) * size(e.shape[1])


def products(roots: list[Expr]) -> set[Expr]:
    """Every matrix product the roots compute."""
    seen: dict[Expr, None] = {}
    for r in roots:
        for node in walk(r, seen):
            seen[node] = None
    return {n for n in seen if n.op == "matmul"}


def reuse_rules(computed: Callable[[Expr], bool]) -> list[Rule]:
    """The rule ``(A + B) Y = A Y + B Y`` where ``computed(A Y)`` holds for a term A."""

    def guard(e: Expr) -> bool:
        s, y = e.args
        if s.op != "add" or is_scalar(s.shape) or is_scalar(y.shape) or y.shape[1] == 1:
            return False  # a vector Y: rules.py distributes when a term is a product
        if any(is_scalar(t.shape) for t in s.args):
            return False
        return _area(e) <= _area(s) and any(computed(make("matmul", t, y)) for t in s.args)

    def build(e: Expr) -> Expr:
        return make("add", *(make("matmul", t, e.args[1]) for t in e.args[0].args))

    return [Rule("(A + B) Y = A Y + B Y when A Y is computed anyway (A + B is not formed)", ("matmul",),
                 build, guard)]
