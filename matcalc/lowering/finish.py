"""The last rewrites, after matrix chains are ordered: they need to see the whole DAG.

``finish_rules(materialized)`` turns ``A⁻¹ B`` into ``solve(A, B)`` (and ``B A⁻¹`` into
``solve(Aᵀ, Bᵀ)ᵀ``) unless the inverse is computed anyway (then a product with it is
cheaper), ``𝟙ᵀ B`` into column sums, ``diag(v) B`` into the broadcast ``v ⊙ B``,
``diag(A B)`` into row sums of ``A ⊙ Bᵀ``, ``relu'(Z) ⊙ G`` into a mask and
``A + (-B)`` into ``A - B``. Invariant: every rule preserves value and shape.
"""

from __future__ import annotations

from matcalc.algebra.expr import Expr
from matcalc.algebra.ops import const, make, transpose
from matcalc.algebra.shapes import is_scalar
from matcalc.lowering.rules import body, flip, is_product, local, parents
from matcalc.simplification.rewrite import Rule


def materialized_inverses(roots: list[Expr]) -> set[Expr]:
    """The inv(A) nodes whose value is needed as such (not only as a factor of products)."""
    users = parents(roots)

    def only_factor(e: Expr) -> bool:
        return e not in roots and all(is_product(p) for p in users[e])

    needed = set()
    for node, ps in users.items():
        if node.op == "inv" and (node in roots or not all(
                is_product(p) or p.op == "transpose" and only_factor(p) for p in ps)):
            needed.add(node)
    return needed


def _inverse_of(e: Expr) -> Expr | None:
    """A when e = A⁻¹; Aᵀ when e = (A⁻¹)ᵀ; else None."""
    if e.op == "inv":
        return e.args[0]
    if e.op == "transpose" and e.args[0].op == "inv":
        return transpose(e.args[0].args[0])
    return None


def finish_rules(materialized: set[Expr]) -> list[Rule]:
    """The rules that run last; ``materialized`` are inverses computed anyway (kept as products)."""

    def free_inverse(e: Expr) -> Expr | None:
        base = e.args[0] if e.op == "transpose" else e
        return None if base in materialized else _inverse_of(e)

    def solve(e: Expr) -> Expr | None:
        if e.op != "matmul" or any(is_scalar(a.shape) for a in e.args):
            return None
        a, b = e.args
        if (m := free_inverse(a)) is not None:
            return local("solve", m, b, shape=e.shape)
        if (m := free_inverse(b)) is not None:  # B A⁻¹ = (A⁻ᵀ Bᵀ)ᵀ
            return flip(local("solve", flip(m), flip(a), shape=(e.shape[1], e.shape[0])))
        return None

    def ones_product(e: Expr) -> Expr | None:
        if e.op != "matmul" or any(is_scalar(a.shape) for a in e.args):
            return None
        a, b = e.args
        fa = a.op == "fill" or a.op == "transpose" and a.args[0].op == "fill"
        fb = b.op == "fill" or b.op == "transpose" and b.args[0].op == "fill"
        if fa and a.shape[0] == 1:  # 𝟙ᵀ B: column sums
            c, total = (a if a.op == "fill" else a.args[0]).attr, make("sum", b) if is_scalar(e.shape) else \
                local("colsum", b, shape=e.shape)
        elif fb and b.shape[1] == 1:  # A 𝟙: row sums
            c, total = (b if b.op == "fill" else b.args[0]).attr, make("sum", a) if is_scalar(e.shape) else \
                local("rowsum", a, shape=e.shape)
        else:
            return None
        return total if c == 1 else make("matmul", const(c), total)

    def diag_product(e: Expr) -> Expr | None:
        if e.op != "matmul" or any(is_scalar(a.shape) for a in e.args):
            return None
        a, b = e.args
        if a.op == "diag" and a.args[0].op == "fill" or b.op == "diag" and b.args[0].op == "fill":  # c I
            c, other = (a.args[0].attr, b) if a.op == "diag" else (b.args[0].attr, a)
            return other if c == 1 else make("matmul", const(c), other)
        if a.op == "diag":
            return local("bmul", a.args[0], b, shape=e.shape)
        if b.op == "diag":
            return local("bmul", a, transpose(b.args[0]), shape=e.shape)
        return None

    def diag_of_product(e: Expr) -> Expr | None:
        if e.op != "diagvec" or not is_product(e.args[0]):
            return None
        a, b = e.args[0].args
        if a.shape[1] == 1:  # diag(u rᵀ) = u ⊙ r
            return make("hadamard", a, flip(b))
        return local("rowdot", a, flip(b), shape=e.shape)  # diag(A B) = row sums of A ⊙ Bᵀ

    def mask(e: Expr) -> Expr | None:
        if e.op == "hadamard":
            a, b = e.args
            if body(a).op == "step" and a.shape == b.shape:
                return local("mask", body(a).args[0], b, shape=e.shape)
            if body(b).op == "step" and a.shape == b.shape:
                return local("mask", body(b).args[0], a, shape=e.shape)
        return None

    def subtract(e: Expr) -> Expr | None:
        if e.op == "add" and any(a.op == "neg" for a in e.args):
            signs = tuple(-1 if a.op == "neg" else 1 for a in e.args)
            args = tuple(a.args[0] if a.op == "neg" else a for a in e.args)
            if signs[0] < 0:  # lead with a positive term when there is one
                k = signs.index(1) if 1 in signs else 0
                order = [k] + [i for i in range(len(args)) if i != k]
                signs, args = tuple(signs[i] for i in order), tuple(args[i] for i in order)
            return local("addsub", *args, shape=e.shape, attr=signs)
        return None

    return [Rule("A⁻¹ B = solve(A, B), B A⁻¹ = solve(Aᵀ, Bᵀ)ᵀ", solve),
            Rule("𝟙ᵀ B = column sums of B, A 𝟙 = row sums of A", ones_product),
            Rule("diag(v) B = v ⊙ B (broadcast)", diag_product),
            Rule("diag(u rᵀ) = u ⊙ r, diag(A B) = row sums of A ⊙ Bᵀ", diag_of_product),
            Rule("relu'(Z) ⊙ G = G where Z > 0", mask),
            Rule("A + (-B) = A - B", subtract)]


