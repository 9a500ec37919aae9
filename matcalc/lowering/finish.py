"""The last rewrites, after matrix chains are ordered: they need to see the whole DAG.

``finish_rules(materialized)`` turns ``A⁻¹ B`` into ``solve(A, B)`` (and ``B A⁻¹`` into
``solve(Aᵀ, Bᵀ)ᵀ``) unless the inverse is computed anyway (then a product with it is
cheaper), ``𝟙ᵀ B`` into column sums, ``diag(v) B`` into the broadcast ``v ⊙ B``,
``diag(A B)`` into row sums of ``A ⊙ Bᵀ``, ``relu'(Z) ⊙ G`` into a mask and
``A + (-B)`` into ``A - B``; ``LAYOUT`` (run after everything else) writes ``A Bᵀ`` as ``mulnt``,
computed in the memory layout the BLAS runs fastest, and ``A + Bᵀ`` as a row-order copy of ``Bᵀ``
plus ``A`` (added in place). Invariant: every rule preserves value and shape.
"""

from __future__ import annotations

from matcalc.algebra.expr import Expr
from matcalc.algebra.ops import const, make, transpose
from matcalc.algebra.shapes import is_scalar, one_dimensional
from matcalc.lowering.rules import body, flip, is_product, local, parents
from matcalc.simplification.engine import Rule, RuleList


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


def _matrices(e: Expr) -> bool:
    """e is a product of two arrays (not a scaling)."""
    return not any(is_scalar(a.shape) for a in e.args)


def _ones(e: Expr) -> Expr | None:
    """The filled array under e = c 𝟙 or (c 𝟙)ᵀ, else None."""
    return e if e.op == "fill" else e.args[0] if e.op == "transpose" and e.args[0].op == "fill" else None


def _scaled(c: float, e: Expr) -> Expr:
    return e if c == 1 else make("matmul", const(c), e)


def _column_sums(e: Expr) -> Expr | None:
    a, b = e.args
    total = make("sum", b) if is_scalar(e.shape) else local("colsum", b, shape=e.shape)
    return _scaled(_ones(a).attr, total)


def _row_sums(e: Expr) -> Expr | None:
    a, b = e.args
    total = make("sum", a) if is_scalar(e.shape) else local("rowsum", a, shape=e.shape)
    return _scaled(_ones(b).attr, total)


def _diag_fill(e: Expr, side: int) -> bool:
    d = e.args[side]
    return _matrices(e) and d.op == "diag" and d.args[0].op == "fill"


def _kron(e: Expr) -> tuple[Expr, Expr] | None:
    """(A, B) when e = A ⊗ B, (Aᵀ, Bᵀ) when e = (A ⊗ B)ᵀ (neither a number), else None."""
    if e.op in ("kron", "transpose") and any(is_scalar(a.shape) for a in body(e).args):
        return None
    if e.op == "kron":
        return e.args[0], e.args[1]
    if e.op == "transpose" and e.args[0].op == "kron":
        return flip(e.args[0].args[0]), flip(e.args[0].args[1])
    return None


def _dots(e: Expr) -> bool:
    """e = A ⊙ B with A, B matrices of e's shape (reduced without forming e)."""
    return e.op == "hadamard" and len(e.args) == 2 and all(a.shape == e.shape for a in e.args) \
        and not any(is_scalar(a.shape) or a.shape[0] == 1 or a.shape[1] == 1 for a in e.args)


def _mask(e: Expr) -> Expr | None:
    a, b = e.args
    if body(a).op == "step":
        return local("mask", body(a).args[0], b, shape=e.shape)
    return local("mask", body(b).args[0], a, shape=e.shape)


def _subtract(e: Expr) -> Expr | None:
    signs = tuple(-1 if a.op == "neg" else 1 for a in e.args)
    args = tuple(a.args[0] if a.op == "neg" else a for a in e.args)
    if signs[0] < 0:  # lead with a positive term when there is one
        k = signs.index(1) if 1 in signs else 0
        order = [k] + [i for i in range(len(args)) if i != k]
        signs, args = tuple(signs[i] for i in order), tuple(args[i] for i in order)
    return local("addsub", *args, shape=e.shape, attr=signs)


COMMON = RuleList()
COMMON.append(Rule("𝟙ᵀ B = column sums of B", ("matmul",), _column_sums,
                   lambda e: _matrices(e) and _ones(e.args[0]) is not None and e.args[0].shape[0] == 1))
COMMON.append(Rule("A 𝟙 = row sums of A", ("matmul",), _row_sums, lambda e: _matrices(e)
                   and _ones(e.args[1]) is not None and e.args[1].shape[1] == 1))
COMMON.append(Rule("diag(c 𝟙) B = c B", ("matmul",), lambda e: _scaled(e.args[0].args[0].attr, e.args[1]),
                   lambda e: _diag_fill(e, 0)))
COMMON.append(Rule("B diag(c 𝟙) = c B", ("matmul",), lambda e: _scaled(e.args[1].args[0].attr, e.args[0]),
                   lambda e: _diag_fill(e, 1) and e.args[0].op != "diag"))
COMMON.append(Rule("diag(v) B = v ⊙ B (broadcast)", ("matmul",),
                   lambda e: local("bmul", e.args[0].args[0], e.args[1], shape=e.shape),
                   lambda e: _matrices(e) and e.args[0].op == "diag"))
COMMON.append(Rule("B diag(v) = B ⊙ vᵀ (broadcast)", ("matmul",),
                   lambda e: local("bmul", e.args[0], transpose(e.args[1].args[0]), shape=e.shape),
                   lambda e: _matrices(e) and e.args[1].op == "diag"))
COMMON.append(Rule("diag(u rᵀ) = u ⊙ r", ("diagvec",), lambda e: make("hadamard", e.args[0].args[0],
                                                                       flip(e.args[0].args[1])),
                   lambda e: is_product(e.args[0]) and e.args[0].args[0].shape[1] == 1))
COMMON.append(Rule("diag(A B) = row sums of A ⊙ Bᵀ", ("diagvec",),
                   lambda e: local("rowdot", e.args[0].args[0], flip(e.args[0].args[1]), shape=e.shape),
                   lambda e: is_product(e.args[0])))
COMMON.append(Rule("column sums of A ⊙ B = column dots of A and B (no A ⊙ B formed)", ("colsum",),
                   lambda e: local("coldot", *e.args[0].args, shape=e.shape), lambda e: _dots(e.args[0])))
COMMON.append(Rule("row sums of A ⊙ B = row dots of A and B (no A ⊙ B formed)", ("rowsum",),
                   lambda e: local("rowdot", *e.args[0].args, shape=e.shape), lambda e: _dots(e.args[0])))
COMMON.append(Rule("(A ⊗ B) M = rows of A M_(k×p) Bᵀ (an einsum: A ⊗ B is never formed)", ("matmul",),
                   lambda e: local("kronmul", *_kron(e.args[0]), e.args[1], shape=e.shape),
                   lambda e: _matrices(e) and _kron(e.args[0]) is not None and e.args[1].shape[0] != 1))
COMMON.append(Rule("M (A ⊗ B) = ((Aᵀ ⊗ Bᵀ) Mᵀ)ᵀ (an einsum: A ⊗ B is never formed)", ("matmul",),
                   lambda e: flip(local("kronmul", *(flip(f) for f in _kron(e.args[1])), flip(e.args[0]),
                                        shape=(e.shape[1], e.shape[0]))),
                   lambda e: _matrices(e) and _kron(e.args[1]) is not None and _kron(e.args[0]) is None
                   and e.args[0].shape[1] != 1))
COMMON.append(Rule("relu'(Z) ⊙ G = G where Z > 0", ("hadamard",), _mask, lambda e: e.args[0].shape == e.args[1].shape
                   and "step" in (body(e.args[0]).op, body(e.args[1]).op)))
COMMON.append(Rule("A + (-B) = A - B", ("add",), _subtract, lambda e: any(a.op == "neg" for a in e.args)))


def _matrix(e: Expr) -> bool:
    return not is_scalar(e.shape) and not one_dimensional(e.shape)


def _one_transposed(e: Expr) -> bool:
    """e = A + Bᵀ (or Bᵀ + A) of two matrices, A not a transpose."""
    return len(e.args) == 2 and _matrix(e) and [a.op == "transpose" for a in e.args].count(True) == 1


def _copied_transpose(e: Expr) -> Expr:
    t, a = sorted(e.args, key=lambda x: x.op != "transpose")
    return make("add", local("tcopy", t.args[0], shape=e.shape), a)


LAYOUT = [Rule("A Bᵀ = mulnt(A, B) (the product in the layout the BLAS runs fastest)", ("matmul",),
               lambda e: local("mulnt", e.args[0], e.args[1].args[0], shape=e.shape),
               lambda e: e.args[1].op == "transpose" and _matrix(e.args[0]) and _matrix(e.args[1].args[0])),
          Rule("A + Bᵀ = copy(Bᵀ) + A (Bᵀ copied in row order, then A added into the copy)", ("add",),
               _copied_transpose, _one_transposed)]


def finish_rules(materialized: set[Expr]) -> list[Rule]:
    """The rules that run last; ``materialized`` are inverses computed anyway (kept as products)."""

    def free_inverse(e: Expr) -> Expr | None:
        base = e.args[0] if e.op == "transpose" else e
        return None if base in materialized else _inverse_of(e)

    def solve_left(e: Expr) -> Expr | None:
        m = free_inverse(e.args[0])
        return None if m is None else local("solve", m, e.args[1], shape=e.shape)

    def solve_right(e: Expr) -> Expr | None:  # B A⁻¹ = (A⁻ᵀ Bᵀ)ᵀ
        m = free_inverse(e.args[1])
        return None if m is None else flip(local("solve", flip(m), flip(e.args[0]), shape=(e.shape[1], e.shape[0])))

    return [Rule("A⁻¹ B = solve(A, B)", ("matmul",), solve_left, _matrices),
            Rule("B A⁻¹ = solve(Aᵀ, Bᵀ)ᵀ", ("matmul",), solve_right, _matrices)] + COMMON
