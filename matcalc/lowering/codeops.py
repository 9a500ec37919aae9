"""Operations private to code generation: solves, broadcasts, column reductions, masks.

The rewrites of ``rules.py`` and ``finish.py`` build these (with ``rules.local``, which
knows the shape); they never reach a user, so they have no printed form, d-rule or call
name. Each is a registry entry like any other, with its lowering in the emitter's
convention (see ``matcalc.algebra.registry``).
"""

from __future__ import annotations

import re
from typing import Any

from matcalc.algebra.expr import Expr
from matcalc.algebra.ops import lower_sum
from matcalc.algebra.registry import Op, Template, register
from matcalc.algebra.shapes import MatcalcError, Shape, dim, is_scalar, one_dimensional
from matcalc.algebra.structural import as_2d

_TRANSPOSED = re.compile(r"[A-Za-z_]\w*\.T")  # a named array's transpose, as the emitter writes it inline


def _built_by_rewrites(args: tuple[Expr, ...], attr: Any) -> Shape:
    raise AssertionError("private operations are built by the rewrites, which know the shape")


def _bmul(node: Expr, args: list[str], em: Any) -> str:
    """v ⊙ each column of M (v a column, diag(v) M), or M ⊙ each row (M diag(v))."""
    a, b = node.args
    if a.shape[1] == 1 and not one_dimensional(b.shape) and not is_scalar(b.shape):
        return f"{args[0]}[:, None] * {args[1]}"
    return f"{args[0]} * {args[1]}"


def _column(code: str, whole: str = "") -> Template:
    """A column reduction: over each column of a matrix (``whole`` for the one column of a
    vector, if given); a 1×m row (held 1-D) is m columns of one entry: its own reduction."""

    def lower(node: Expr, args: list[str], em: Any) -> str:
        if dim(node.args[0].shape[0]) == 1:
            return args[0]
        return (whole if whole and is_scalar(node.shape) else code).format(*args)

    return lower


def _rowdot(total: str) -> Template:
    """diag(A B) as row sums of A ⊙ Bᵀ (the second argument is Bᵀ; entrywise when A is a column), or
    𝟙ᵀ (A ⊙ B) as column sums (entrywise when A is a row)."""

    def lower(node: Expr, args: list[str], em: Any) -> str:
        if one_dimensional(node.args[0].shape):
            return f"{args[0]} * {args[1]}"
        if all(_TRANSPOSED.fullmatch(a) for a in args) and "->i" in total:  # rows of Pᵀ, Qᵀ: columns of P, Q
            return total.replace("->i", "->j").format(*(a[:-2] for a in args))
        return total.format(*args)

    return lower


def _kronmul(node: Expr, args: list[str], em: Any) -> str:
    """(A ⊗ B) M without forming A ⊗ B: M's rows split in two (``M.reshape(k, p, q)``), then two
    matrix products, n·m·k·p·q multiplications becoming about (n·k·p + n·m·p)·q or (m·p·k + n·k·m)·q.
    Which factor goes first is opt_einsum's cheapest contraction order at the estimated sizes."""
    a, b, m = node.args
    A, B = (as_2d(code, x) for code, x in zip(args, (a, b)))
    k, p = (_dim(em, x, code) for x, code in ((a, A), (b, B)))
    if one_dimensional(m.shape):  # M a column (held 1-D): (A ⊗ B) m = rows of A M₂ Bᵀ
        m2 = f"{args[2]}.reshape({k}, {p})"
        first = _first("ij,ab,jb->ia", [a.shape, b.shape, (a.shape[1], b.shape[1])])
        bt = B[:-2] if _TRANSPOSED.fullmatch(B) else f"{B}.T"
        code = f"({A} @ {m2}) @ {bt}" if first == 0 else f"{A} @ ({m2} @ {bt})"
        return f"({code}).reshape({'()' if is_scalar(node.shape) else '-1'})"
    q = f"{args[2]}.shape[1]"
    first = _first("ij,ab,jbq->iaq", [a.shape, b.shape, (a.shape[1], b.shape[1], m.shape[1])])
    if first == 0:  # Σ_j A_ij M_jbq, then Σ_b B_ab (·)_ibq
        code = f"{B} @ ({A} @ {args[2]}.reshape({k}, -1)).reshape({A}.shape[0], {p}, {q})"
    else:  # Σ_b B_ab M_jbq, then Σ_j A_ij (·)_jaq
        code = f"{A} @ ({B} @ {args[2]}.reshape({k}, {p}, {q})).reshape({k}, -1)"
    return f"({code}).reshape({'-1' if one_dimensional(node.shape) else f'-1, {q}'})"


def _first(spec: str, shapes: list[tuple]) -> int:
    """Which of the first two einsum operands opt_einsum contracts with the third first (its cheapest
    order for ``spec`` at the estimated sizes)."""
    import opt_einsum  # only when a Kronecker product is lowered

    from matcalc.lowering.chains import size

    path, _ = opt_einsum.contract_path(spec, *(tuple(size(d) for d in s) for s in shapes), shapes=True)
    return min(path[0])


def _dim(em: Any, e: Expr, code: str) -> str:
    """Code for the number of columns of e: its dimension's name when an input carries it."""
    try:
        return em.dim(e.shape[1])
    except MatcalcError:
        return f"{code}.shape[1]"


def private(name: str, numpy: Template, torch: Template | None = None, **facts: Any) -> Op:
    """Register an operation only code generation builds (``torch`` defaults to ``numpy``)."""
    return register(Op(name, _built_by_rewrites, "private", numpy=numpy, torch=numpy if torch is None else torch,
                       **facts))


private("solve", "np.linalg.solve({0}, {1})", "torch.linalg.solve({0}, {1})", arity=2)  # A⁻¹ B
private("bsub", "{0} - {1}", arity=2, takes_numbers=True)  # z - m, m spread over each column
private("bdiv", "{0} / {1}", arity=2, takes_numbers=True)  # E ./ s, s spread over each column
private("bmul", _bmul, arity=2, takes_numbers=True)  # diag(v) M as a broadcast
# the maximum of each column
private("colmax", _column("{0}.max(axis=0)", "{0}.max()"), _column("{0}.amax(dim=0)", "{0}.max()"))
private("colsum", _column("{0}.sum(axis=0)"), _column("{0}.sum(dim=0)"))  # 𝟙ᵀ B
private("rowsum", "{0}.sum(axis=1)", "{0}.sum(dim=1)")  # B 𝟙
# row dots as one einsum: no A ⊙ B temporary, and faster than the strided product when B is a transpose
private("rowdot", _rowdot('np.einsum("ij,ij->i", {0}, {1})'), _rowdot("torch.sum({0} * {1}, dim=1)"), arity=2)
private("coldot", _rowdot('np.einsum("ij,ij->j", {0}, {1})'), _rowdot("torch.sum({0} * {1}, dim=0)"), arity=2)
private("mask", "{1} * ({0} > 0)", arity=2, takes_numbers=True)  # relu'(Z) ⊙ G
private("addsub", lower_sum, arity=None, takes_numbers=True)  # a signed sum: attr holds the signs
private("kronmul", _kronmul, arity=3)  # (A ⊗ B) M without forming A ⊗ B
# A Bᵀ in the layout the BLAS runs fastest (measured with NumPy's OpenBLAS, SkylakeX kernels: in float32 a
# result of 2-128 rows and at least twice as many columns is 1.1-3x faster as (B Aᵀ)ᵀ; float64 never is)
_MULNT = """def _mul_nt(a, b):
    \"\"\"a @ b.T (a transposed view when computed as (b @ a.T).T, float32 with a of few rows).\"\"\"
    if a.dtype == np.float32 and 1 < a.shape[0] and 2 * a.shape[0] <= b.shape[0]:
        return b.dot(a.T).T
    return a.dot(b.T)
"""
private("mulnt", "_mul_nt({0}, {1})", "{0} @ {1}.T", arity=2, numpy_helper=_MULNT)
# Bᵀ as a new array in row order, to add to A (``A + B.T`` reads B across its rows: measured 0-15% slower
# than copying Bᵀ first and adding A into the copy, n = 128..2048, float32 and float64); torch keeps B.T
private("tcopy", "{0}.T.copy()", "{0}.T")
