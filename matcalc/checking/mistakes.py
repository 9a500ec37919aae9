"""The classic mistakes, as data: named transformations of a wrong claim.

Each ``Mistake`` is (key, what the student did, candidates) where ``candidates(claim)``
yields the claim with that one mistake undone: transposed, negated, a product's factors
reordered, ``X⁻¹`` turned into ``X⁻ᵀ``, ⊙ turned into a matrix product, ``A`` turned into
``A + Aᵀ``, … The checker (``check_claims.py``) tries them in order and names the first
one whose candidate equals the true gradient numerically. A wrong constant factor is
the one mistake with a free parameter: ``scaled=True`` fits the factor c in ``c · claim``.
Invariant: a candidate is built through ``ops.make``, so it is well shaped or not built;
inside ``unchecked()`` (a claim whose own shapes clash) shapes are not checked, and the
caller rebuilds each candidate on the problem's variables with ``typed_rebuild``.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from matcalc.algebra import ops
from matcalc.algebra.expr import Expr, walk
from matcalc.algebra.shapes import is_scalar


@dataclass(frozen=True)
class Mistake:
    """One classic error: its key, how a report names it, and the claims it could have come from."""

    key: str
    name: str  # `{0}` is the subexpression the mistake is about
    candidates: Callable[[Expr], Iterator[tuple[Expr, Expr]]]  # (candidate, the subexpression changed)
    scaled: bool = False


_UNCHECKED: ContextVar[bool] = ContextVar("unchecked", default=False)


@contextmanager
def unchecked() -> Iterator[None]:
    """Build candidates without checking shapes (the caller re-checks each one)."""
    token = _UNCHECKED.set(True)
    try:
        yield
    finally:
        _UNCHECKED.reset(token)


def mk(op: str, *args: Expr, attr: object = None) -> Expr:
    """ops.make, or an unchecked node inside ``unchecked()``."""
    if _UNCHECKED.get():
        return Expr(op, args, attr, (0, 0))
    return ops.make(op, *args, attr=attr)


def rebuild(node: Expr, args: tuple[Expr, ...]) -> Expr:
    """node with new arguments, its shape recomputed (raises ShapeError when they do not fit)."""
    if args == node.args:
        return node
    if node.op in ("ref", "d"):
        return Expr(node.op, args, node.attr, args[0].shape)
    return mk(node.op, *args, attr=node.attr)


def typed_rebuild(e: Expr, leaves: dict[str, Expr]) -> Expr | None:
    """e rebuilt bottom-up with its variables replaced by ``leaves`` (by name) and every shape
    checked; None when it is ill-shaped."""
    built: dict[Expr, Expr] = {}
    try:
        for node in walk(e):
            args = tuple(built[a] for a in node.args)
            if node.op == "var":
                built[node] = leaves[node.attr.name]
            elif node.op in ("ref", "d"):
                built[node] = Expr(node.op, args, node.attr, args[0].shape)
            elif not node.args:
                built[node] = node
            else:
                built[node] = ops.make(node.op, *args, attr=node.attr)
    except Exception:  # noqa: BLE001 - still ill-shaped
        return None
    return built[e]


def positions(root: Expr, limit: int = 400) -> list[tuple[int, ...]]:
    """Every position in root read as a tree (paths of argument indices), root first."""
    out: list[tuple[int, ...]] = []
    stack: list[tuple[Expr, tuple[int, ...]]] = [(root, ())]
    while stack and len(out) < limit:
        node, path = stack.pop()
        out.append(path)
        stack.extend((a, path + (i,)) for i, a in reversed(list(enumerate(node.args))))
    return out


def at(root: Expr, path: tuple[int, ...]) -> Expr:
    """The subexpression at a position."""
    for i in path:
        root = root.args[i]
    return root


def replace_at(root: Expr, path: tuple[int, ...], new: Expr) -> Expr | None:
    """root with the one occurrence at path replaced by new; None when the result is ill-shaped."""
    if not path:
        return new
    i, rest = path[0], path[1:]
    inner = replace_at(root.args[i], rest, new)
    if inner is None:
        return None
    try:
        return rebuild(root, root.args[:i] + (inner,) + root.args[i + 1:])
    except Exception:  # noqa: BLE001 - a shape clash: this candidate does not exist
        return None


def _each(root: Expr, pick: Callable[[Expr], Iterator[Expr]]) -> Iterator[tuple[Expr, Expr]]:
    """For each position in root, each replacement pick(subexpression) proposes: (rebuilt root, subexpression)."""
    paths = positions(root)
    for path in sorted(paths, key=lambda q: len(positions(at(root, q)))):  # innermost first
        sub = at(root, path)
        for new in pick(sub):
            out = replace_at(root, path, new)
            if out is not None and out is not root:
                yield out, sub


def _try(build: Callable[[], Expr]) -> Iterator[Expr]:
    try:
        yield build()
    except Exception:  # noqa: BLE001 - ill-shaped candidate
        return


def _t(a: Expr) -> Expr:
    return mk("transpose", a)


def _neg(a: Expr) -> Expr:
    return mk("neg", a)


def _mm(a: Expr, b: Expr) -> Expr:
    return mk("matmul", a, b)


def _had(a: Expr, b: Expr) -> Expr:
    return mk("hadamard", a, b)


def _is_matrix(e: Expr) -> bool:
    return not is_scalar(e.shape) and e.shape[1] != 1 and e.shape[0] != 1


def _is_symmetric_leaf(e: Expr) -> bool:
    return e.op == "var" and e.attr.kind in ("symmetric", "spd") or e.op == "identity"


# ---------------------------------------------------------------- the candidates of each mistake


def whole_transpose(claim: Expr) -> Iterator[tuple[Expr, Expr]]:
    """Gᵀ for G: the answer transposed."""
    yield _t(claim), claim


def negated(claim: Expr) -> Iterator[tuple[Expr, Expr]]:
    """-G for G."""
    yield _neg(claim), claim


def itself(claim: Expr) -> Iterator[tuple[Expr, Expr]]:
    """G itself (the factor is fitted)."""
    yield claim, claim


def _chain(e: Expr) -> list[Expr]:
    """The factors of a product chain A B C (matrix products only)."""
    if e.op != "matmul":
        return [e]
    return _chain(e.args[0]) + _chain(e.args[1])


def _product(factors: tuple[Expr, ...]) -> Expr:
    acc = factors[0]
    for f in factors[1:]:
        acc = _mm(acc, f)
    return acc


def reordered(claim: Expr) -> Iterator[tuple[Expr, Expr]]:
    """A B C for C B A, B A C, …: every other order of a chain of at most 5 products."""
    def orders(node: Expr) -> Iterator[Expr]:
        if node.op != "matmul":
            return
        factors = _chain(node)
        if len(factors) > 5:
            return
        for perm in itertools.permutations(factors):
            if perm != tuple(factors):
                yield from _try(lambda perm=perm: _product(perm))
    return _each(claim, orders)


def one_transpose(claim: Expr) -> Iterator[tuple[Expr, Expr]]:
    """A missing or extra transpose on one factor: Aᵀ for A, or A for Aᵀ."""
    def flip(node: Expr) -> Iterator[Expr]:
        if node.op == "transpose":
            yield node.args[0]
        elif node.op == "var" and node.attr.kind != "scalar" and not _is_symmetric_leaf(node) \
                or node.op == "ref" and _is_matrix(node):
            yield _t(node)
        elif node.op in ("matmul", "inv") and _is_matrix(node):
            yield _t(node)
    return _each(claim, flip)


def inverse_transpose(claim: Expr) -> Iterator[tuple[Expr, Expr]]:
    """X⁻ᵀ for X⁻¹, and X⁻¹ for X⁻ᵀ."""
    def flip(node: Expr) -> Iterator[Expr]:
        if node.op == "inv":
            yield _t(node)
        if node.op == "transpose" and node.args[0].op == "inv":
            yield node.args[0]
        if node.op == "inv" and node.args[0].op == "transpose":
            yield mk("inv", node.args[0].args[0])
    return _each(claim, flip)


def symmetric_term(claim: Expr) -> Iterator[tuple[Expr, Expr]]:
    """(A + Aᵀ) for A: the term of the transposed matrix that a product rule gives (and (A + Aᵀ)/2 for A)."""
    def grow(node: Expr) -> Iterator[Expr]:
        if node.op in ("var", "ref") and _is_matrix(node) and node.shape[0] == node.shape[1] \
                and not _is_symmetric_leaf(node):
            both = mk("add", node, _t(node))
            yield both
            yield _mm(ops.const(0.5), both)
    return _each(claim, grow)


def product_kind(claim: Expr) -> Iterator[tuple[Expr, Expr]]:
    """A B for A ⊙ B, and A ⊙ B for A B (where the shapes allow)."""
    def swap(node: Expr) -> Iterator[Expr]:
        if node.op == "hadamard":
            a, b = node.args
            yield from _try(lambda: _mm(a, b))
            yield from _try(lambda: _mm(_t(a), b))
            yield from _try(lambda: _mm(a, _t(b)))
        elif node.op == "matmul" and not is_scalar(node.args[0].shape) and not is_scalar(node.args[1].shape):
            a, b = node.args
            yield from _try(lambda: _had(a, b))
            yield from _try(lambda: _had(_t(a), b))
            yield from _try(lambda: _had(a, _t(b)))
    return _each(claim, swap)


MISTAKES: list[Mistake] = [
    Mistake("inverse-transpose", "{0} written where its transpose belongs (X⁻¹ for X⁻ᵀ or back)",
            inverse_transpose),
    Mistake("transpose", "a missing or extra transpose: the claim is the transpose of the gradient",
            whole_transpose),
    Mistake("sign", "a wrong sign", negated),
    Mistake("factor", "a wrong constant factor", itself, scaled=True),
    Mistake("symmetric", "a missing symmetric term: {0} where the product rule gives {0} + {0}ᵀ", symmetric_term),
    Mistake("order", "factors in the wrong order in {0}", reordered),
    Mistake("transpose", "a missing or extra transpose on {0}", one_transpose),
    Mistake("hadamard", "a Hadamard product (⊙) where a matrix product belongs, or back, in {0}",
            product_kind),
]
"""Tried in this order; the first mistake whose candidate matches the gradient is the diagnosis."""
