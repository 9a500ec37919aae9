"""A second candidate for a long result: its sums distributed through products, then simplified.

The simplifier factors (``A x + A y = A (x + y)``); terms that would collect only once multiplied
out stay apart in different factors (a Hessian's ``x (2 xᵀ A − …) + … (A x − …) xᵀ``).
``shorter(e)`` simplifies e and also e multiplied out (products and quotients by a scalar
distributed over sums, each term simplified, then the sum), and keeps whichever tree is smaller.
Invariant: multiplying out is an identity of values; a sum with a scalar spread over it
(``A + s``) stays whole (``B (A + s) ≠ B A + s B``). The expansion is tried only when it has at
most ``LIMIT`` terms, so it never blows up.
"""

from __future__ import annotations

from matcalc.algebra.expr import Expr, walk
from matcalc.algebra.ops import add, div, matmul, neg, transpose
from matcalc.simplification.basics import scalar
from matcalc.simplification.simplify import simplify

LIMIT = 24  # terms of the multiplied-out form


def _plain_sum(e: Expr) -> bool:
    """e is a sum whose terms all have its shape (no scalar spread over it: A + s stays whole)."""
    return e.op == "add" and all(t.shape == e.shape for t in e.args)


def _counts(e: Expr) -> dict[Expr, int]:
    """How many terms each node of e multiplies out to."""
    n: dict[Expr, int] = {}
    for node in walk(e):
        if _plain_sum(node):
            n[node] = sum(n[a] for a in node.args)
        elif node.op in ("neg", "transpose") or node.op == "div" and scalar(node.args[1]):
            n[node] = n[node.args[0]]
        elif node.op == "matmul":
            n[node] = n[node.args[0]] * n[node.args[1]]
        else:
            n[node] = 1
    return n


def _terms(e: Expr) -> list[Expr]:
    """e multiplied out: the terms whose sum is e."""
    if _plain_sum(e):
        return [t for a in e.args for t in _terms(a)]
    if e.op == "neg":
        return [neg(t) for t in _terms(e.args[0])]
    if e.op == "transpose":
        return [transpose(t) for t in _terms(e.args[0])]
    if e.op == "div" and scalar(e.args[1]):
        return [div(t, e.args[1]) for t in _terms(e.args[0])]
    if e.op == "matmul":
        return [matmul(x, y) for x in _terms(e.args[0]) for y in _terms(e.args[1])]
    return [e]


def _size(e: Expr) -> int:
    """The number of nodes of e as a tree (shared parts counted each time they are used)."""
    size: dict[Expr, int] = {}
    for node in walk(e):
        size[node] = 1 + sum(size[a] for a in node.args)
    return size[e]


def shorter(e: Expr) -> Expr:
    """The simplified e, or the simplified e multiplied out when that tree is smaller."""
    first = simplify(e)
    if not 1 < _counts(first)[first] <= LIMIT:
        return first
    second = simplify(add(*(simplify(t) for t in _terms(first))))
    return second if _size(second) < _size(first) else first
