"""Products the program computes anyway, reused instead of forming a sum of matrices.

``reuse_rules(computed)`` is a rule list for the last lowering pass (``optimize``): when a
gradient needs ``(A + B) Y`` and the value already computes ``A Y`` (``<Y, M Y>`` and its
gradient ``(M + Mᵀ) Y``), ``A Y + B Y`` costs the same one new product, and adds two arrays of
the result's size instead of forming ``A + B`` (for ``M + Mᵀ`` a strided, cache-unfriendly
pass over M). Chosen by cost: only when the result is no larger than the sum it avoids.
``sigmoid_rules`` computes σ(z) from a softplus(z) the value needs anyway; ``transposed_product_rules``
computes ``uᵀ M v`` as ``(Mᵀ u)ᵀ v`` when the gradient forms ``Mᵀ u``; ``relu_mask_rules`` reads
relu's mask off relu(Z) when the value computes it (Z is then free to be overwritten).
``symmetric_part_rules`` goes the other way for a matrix Y when the gradient needs
``(M + Mᵀ) Y`` anyway: the value ``<Y, M Y>`` becomes ``½ <Y, (M + Mᵀ) Y>``, so the program
forms one n×n sum and ONE product with Y instead of two products (``M Y`` and ``Mᵀ Y``).
Invariant: each rule is one identity of values that keeps the shape.
"""

from __future__ import annotations

from collections.abc import Callable

from matcalc.algebra.expr import Expr, walk
from matcalc.algebra.ops import const, make
from matcalc.algebra.shapes import is_scalar
from matcalc.lowering.chains import size
from matcalc.lowering.rules import flip, local
from matcalc.simplification.engine import Rule


def _area(e: Expr) -> int:
    return size(e.shape[0]) * size(e.shape[1])


def products(roots: list[Expr]) -> set[Expr]:
    """Every matrix product the roots compute."""
    return {n for n in nodes(roots) if n.op == "matmul"}


def reuse_rules(computed: Callable[[Expr], bool]) -> list[Rule]:
    """The rule ``(A + B) Y = A Y + B Y`` where ``computed(A Y)`` holds for a term A."""

    def guard(e: Expr) -> bool:
        s, y = e.args
        if s.op != "add" or is_scalar(s.shape) or is_scalar(y.shape):
            return False
        if any(is_scalar(t.shape) for t in s.args):
            return False
        return _area(e) <= _area(s) and any(computed(make("matmul", t, y)) for t in s.args)

    def build(e: Expr) -> Expr:
        return make("add", *(make("matmul", t, e.args[1]) for t in e.args[0].args))

    return [Rule("(A + B) Y = A Y + B Y when A Y is computed anyway (A + B is not formed)", ("matmul",),
                 build, guard)]


def nodes(roots: list[Expr]) -> set[Expr]:
    """Every node the roots compute."""
    seen: dict[Expr, None] = {}
    for r in roots:
        for node in walk(r, seen):
            seen[node] = None
    return set(seen)


def symmetric_part_rules(computed: Callable[[Expr], bool]) -> list[Rule]:
    """The rule ``<Y, M Y> = ½ <Y, (M + Mᵀ) Y>`` where ``computed((M + Mᵀ) Y)`` holds (a gradient
    needs it): the value then costs no product of its own (``M Y`` is never formed)."""

    def symmetric_product(e: Expr) -> Expr | None:
        y, my = e.args
        if my.op != "matmul" or my.args[1] is not y or is_scalar(my.args[0].shape) or y.shape[1] == 1:
            return None  # for a vector y, M y + Mᵀ y (two products with y) beats forming M + Mᵀ
        m = my.args[0]
        for s in (make("add", m, make("transpose", m)), make("add", make("transpose", m), m)):
            if computed(s) and computed(make("matmul", s, y)):
                return make("matmul", s, y)
        return None

    return [Rule("<Y, M Y> = ½ <Y, (M + Mᵀ) Y> when (M + Mᵀ) Y is computed anyway (M Y is not formed)",
                 ("inner",), lambda e: make("matmul", const(0.5), make("inner", e.args[0], symmetric_product(e))),
                 lambda e: symmetric_product(e) is not None)]


def sigmoid_rules(computed: Callable[[Expr], bool]) -> list[Rule]:
    """The rule ``σ(z) = exp(z - softplus(z))`` where ``computed(softplus(z))`` holds (a log-loss
    and its gradient): two passes over z instead of four, and no overflow (z - softplus(z) ≤ 0)."""
    return [Rule("σ(z) = exp(z - softplus(z)) when softplus(z) is computed anyway", ("sigmoid",),
                 lambda e: make("exp", Expr("addsub", (e.args[0], make("softplus", e.args[0])), (1, -1), e.shape)),
                 lambda e: not is_scalar(e.shape) and computed(make("softplus", e.args[0])))]


def _transposed(c: Expr, u: Expr) -> Expr | None:
    """Mᵀ u for c = M v (a product, or a Kronecker product's einsum-free form), else None."""
    if c.op == "matmul" and not any(is_scalar(a.shape) for a in c.args):
        return make("matmul", flip(c.args[0]), u)
    if c.op == "kronmul":
        a, b, _ = c.args
        return Expr("kronmul", (flip(a), flip(b), u), None, (c.args[2].shape[0], 1))
    return None


def transposed_product_rules(computed: Callable[[Expr], bool]) -> list[Rule]:
    """The rule ``uᵀ (M v) = (Mᵀ u)ᵀ v`` where ``computed(Mᵀ u)`` holds (the gradient in v of
    ``uᵀ M v`` is ``Mᵀ u``): the value is then one dot product more, not a product with M."""

    def shared(e: Expr) -> Expr | None:
        r, c = e.args
        if not is_scalar(e.shape) or r.op != "transpose" or r.shape[0] != 1 or c.shape[1] != 1:
            return None
        t = _transposed(c, r.args[0])
        return t if t is not None and computed(t) else None

    return [Rule("uᵀ (M v) = (Mᵀ u)ᵀ v when Mᵀ u is computed anyway", ("matmul",),
                 lambda e: make("matmul", make("transpose", shared(e)), e.args[1].args[-1]),
                 lambda e: shared(e) is not None)]


def relu_mask_rules(computed: Callable[[Expr], bool]) -> list[Rule]:
    """The rule ``G where Z > 0 = G where relu(Z) > 0`` where ``computed(relu(Z))`` holds (an MLP's
    backward pass): the mask then reads the value's relu(Z), so Z is read for the last time by
    the relu, whose result may take Z's array (``inplace.py``)."""
    return [Rule("G where Z > 0 = G where relu(Z) > 0 when relu(Z) is computed anyway", ("mask",),
                 lambda e: local("mask", make("relu", e.args[0]), e.args[1], shape=e.shape),
                 lambda e: e.args[0].op != "relu" and computed(make("relu", e.args[0])))]


def sharing_rules(computed: Callable[[Expr], bool]) -> list[Rule]:
    """The rules that let the value reuse what the gradients compute anyway (see the module doc)."""
    return symmetric_part_rules(computed) + sigmoid_rules(computed) + transposed_product_rules(computed) \
        + relu_mask_rules(computed)
