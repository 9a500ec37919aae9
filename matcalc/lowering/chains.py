"""Matrix chains ordered by cost, scalars applied where they are cheapest.

A chain is a maximal product ``A₁ A₂ … A_k`` read through transposes
(``(A B)ᵀ = Bᵀ Aᵀ``) and scalar factors (``s A``, ``-A``); a product that is used
more than once is kept as one factor, so common subexpressions stay shared.
The order comes from the classic dynamic program on the factor sizes: an integer
dimension counts as itself, a named one as ``LARGE`` (so vectors are far cheaper than
matrices, and ``a bᵀ X`` becomes ``a (bᵀ X)``); multiplying by ``diag(v)`` costs a
broadcast, not a product. The scalar coefficient goes on the smallest operand.
Invariant: the rebuilt chain equals the original in value and shape.
"""

from __future__ import annotations

from functools import reduce

from matcalc.algebra.expr import Expr, transform, with_args
from matcalc.algebra.ops import const, matmul, neg
from matcalc.algebra.shapes import concrete_dim, is_scalar
from matcalc.lowering.rules import flip, parents

LARGE = 1000  # the size a named dimension is taken to have


def size(d: object) -> int:
    """The estimated size of a dimension."""
    return concrete_dim(d, {}, LARGE)


def _product(e: Expr) -> bool:
    return e.op == "matmul" and not any(is_scalar(a.shape) for a in e.args)


def _flatten(e: Expr, flipped: bool, inner: bool, uses: dict[Expr, list[Expr]],
             factors: list[Expr], scalars: list[Expr]) -> None:
    """Append e's chain factors (transposed when flipped) and scalar coefficients; inner nodes
    are opened only when nothing else uses them."""
    if inner and len(uses.get(e, ())) > 1:
        factors.append(flip(e) if flipped else e)
    elif _product(e):
        a, b = (e.args[1], e.args[0]) if flipped else e.args
        _flatten(a, flipped, True, uses, factors, scalars)
        _flatten(b, flipped, True, uses, factors, scalars)
    elif e.op == "matmul":  # a scalar times an array
        s, x = e.args if is_scalar(e.args[0].shape) else (e.args[1], e.args[0])
        scalars.append(s)
        _flatten(x, flipped, True, uses, factors, scalars)
    elif e.op == "neg" and not is_scalar(e.shape):
        scalars.append(const(-1))
        _flatten(e.args[0], flipped, True, uses, factors, scalars)
    elif e.op == "transpose" and not is_scalar(e.shape):
        _flatten(e.args[0], not flipped, True, uses, factors, scalars)
    else:
        factors.append(flip(e) if flipped else e)


def best_order(factors: list[Expr]) -> Expr:
    """The product of factors, parenthesized by the cheapest estimated cost."""
    n = len(factors)
    dims = [size(factors[0].shape[0])] + [size(f.shape[1]) for f in factors]
    diag = [f.op == "diag" for f in factors]
    cost = [[0.0] * n for _ in range(n)]
    split = [[0] * n for _ in range(n)]
    for length in range(2, n + 1):
        for i in range(n - length + 1):
            j = i + length - 1
            cost[i][j] = float("inf")
            for k in range(i, j):
                if diag[i] and k == i or diag[j] and k + 1 == j:
                    step = dims[i] * dims[j + 1]  # a broadcast multiply
                else:
                    step = dims[i] * dims[k + 1] * dims[j + 1]
                c = cost[i][k] + cost[k + 1][j] + step
                if c < cost[i][j]:
                    cost[i][j], split[i][j] = c, k

    def build(i: int, j: int) -> Expr:
        if i == j:
            return factors[i]
        k = split[i][j]
        return matmul(build(i, k), build(k + 1, j))

    return build(0, n - 1)


def _scale(x: Expr, scalars: list[Expr]) -> Expr:
    """The scalar coefficients times x: numbers multiplied out, -1 as a negation."""
    number = 1.0
    others = []
    for s in scalars:
        if s.op == "const":
            number *= s.attr
        else:
            others.append(s)
    if number == 0:
        return matmul(const(0), x)
    coeff = reduce(matmul, others) if others else None
    if number not in (1, -1):
        coeff = const(number) if coeff is None else matmul(const(number), coeff)
    out = x if coeff is None else matmul(coeff, x)
    return neg(out) if number == -1 else out


def _area(e: Expr) -> int:
    return size(e.shape[0]) * size(e.shape[1])


def rebuild_chain(e: Expr, uses: dict[Expr, list[Expr]], memo: dict[Expr, Expr]) -> Expr | None:
    """e's chain reordered (factors already rebuilt in memo), or None when e heads no chain."""
    factors: list[Expr] = []
    scalars: list[Expr] = []
    _flatten(e, False, False, uses, factors, scalars)
    if len(factors) < 2 and not (len(factors) == 1 and len(scalars) > 1):
        return None
    factors = [flip(memo[f.args[0]]) if f.op == "transpose" and f.args[0] in memo else memo.get(f, f)
               for f in factors]
    scalars = [memo.get(s, s) for s in scalars]
    if not scalars:
        return best_order(factors)
    smallest = min(range(len(factors)), key=lambda i: _area(factors[i]))
    if _area(factors[smallest]) < _area(e):
        factors[smallest] = _scale(factors[smallest], scalars)
        return best_order(factors)
    return _scale(best_order(factors), scalars)


def order_chains(roots: list[Expr]) -> list[Expr]:
    """The roots with every matrix chain reordered by cost (children first, shared nodes kept)."""
    uses = parents(roots)
    for r in roots:
        uses[r].append(r)  # an output counts as a use: it is computed on its own anyway
    memo: dict[Expr, Expr] = {}

    def visit(node: Expr, args: tuple[Expr, ...]) -> Expr:
        head = node.op == "matmul" or node.op in ("neg", "transpose") and _product(node.args[0]) \
            and not (node.op == "neg" and all(p.op == "add" for p in uses[node]))
        new = rebuild_chain(node, uses, memo) if head else None
        return with_args(node, args) if new is None else new

    return [transform(r, visit, memo) for r in roots]
