"""Structural operations for the derivative family: ``kron`` (⊗), ``vec``, ``unvec``, ``mean``, and ``X^0``, ``X^1``.

Jacobians of matrix-valued functions, or in a matrix variable, use the column-major
``vec`` convention: ``vec(A X B) = (Bᵀ ⊗ A) vec(X)``; ``unvec(a, p, q)`` is the p×q matrix
whose vec is a (the adjoint of vec: ∇_X aᵀ vec(X) = unvec(a, n, m)). A Kronecker product or a ``vec``
has a size that is a product of dimensions (``n*m``); ``times`` forms it, and the
constructors ``kron`` and ``vec`` fold the cases that have a plainer form (``1 ⊗ A = A``,
``vec(x) = x`` for a column).
"""

from __future__ import annotations

from typing import Any

from matcalc.algebra.expr import Expr
from matcalc.algebra.registry import (
    PRODUCT,
    Op,
    call,
    const,
    div,
    fill,
    identity,
    linear,
    make,
    matmul,
    register,
    same,
    sum_present,
    sympy_total,
    transpose,
)
from matcalc.algebra.shape_rules import shape_scalar
from matcalc.algebra.shapes import DimVar, Shape, ShapeError, dim, is_scalar, same_dim, show_shape


def times(a: Any, b: Any) -> Any:
    """The product of two dimensions: an int, a name such as ``n*m``, or a new unknown."""
    a, b = dim(a), dim(b)
    if a == 1:
        return b
    if b == 1:
        return a
    if isinstance(a, int) and isinstance(b, int):
        return a * b
    if isinstance(a, DimVar) or isinstance(b, DimVar):
        return ProductDim(a, b)  # sizes still being inferred: resolved when the parse ends
    factors = [int(x) if x.isdigit() else x for d in (a, b) for x in str(d).split("*")]
    number = 1
    for x in factors:
        number *= x if isinstance(x, int) else 1
    names = sorted(x for x in factors if isinstance(x, str))  # n*m and m*n are one size
    return "*".join(([str(number)] if number != 1 else []) + names)


class ProductDim(DimVar):
    """An unknown dimension that is the product of two others (the size of a Kronecker product
    or a vec while the factors' sizes are still being inferred)."""

    def __init__(self, a: Any, b: Any) -> None:
        super().__init__()
        self.factors = (a, b)


def _shape_kron(args: tuple[Expr, ...], attr: Any) -> Shape:
    (p, q), (r, s) = args[0].shape, args[1].shape
    return (times(p, r), times(q, s))


def _shape_vec(args: tuple[Expr, ...], attr: Any) -> Shape:
    r, c = args[0].shape
    return (times(r, c), 1)


def _column(shape: Shape) -> bool:
    return dim(shape[1]) == 1


def _row(shape: Shape) -> bool:
    return dim(shape[0]) == 1


def as_2d(code: str, e: Expr) -> str:
    """Generated code holds vectors 1-D: give np.kron the row or column it means."""
    if is_scalar(e.shape) or not (_row(e.shape) or _column(e.shape)):
        return code
    return f"{code}.reshape({'1, -1' if _row(e.shape) else '-1, 1'})"


def _lower_kron(node: Expr, args: list[str], em: Any) -> str:
    a, b = node.args
    parts = [as_2d(c, x) for c, x in zip(args, (a, b))]
    if em.module == "torch":  # torch.kron refuses some strided views (a transpose): give it contiguous copies
        parts = [p + ".contiguous()" if p.endswith(".T") else p for p in parts]
    code = f"{em.module}.kron({parts[0]}, {parts[1]})"
    return code + ".reshape(-1)" if _row(node.shape) or _column(node.shape) else code


def _jvp_kron(node: Expr, da: tuple[Expr | None, ...]) -> Expr | None:
    """d(A ⊗ B) = dA ⊗ B + A ⊗ dB."""
    a, b = node.args
    return sum_present(da[0] and make("kron", da[0], b), da[1] and make("kron", a, da[1]))


def _outer(g: Expr) -> tuple[Expr, Expr] | None:
    """(u, v) with g = u vᵀ for columns u, v (a column g is g 1ᵀ, a row g is 1 gᵀ), else None."""
    if _column(g.shape):
        return g, fill(1, (1, 1))
    if _row(g.shape):
        return fill(1, (1, 1)), transpose(g)
    if g.op == "fill":  # c 𝟙𝟙ᵀ
        return fill(g.attr, (g.shape[0], 1)), fill(1, (g.shape[1], 1))
    if g.op != "matmul":
        return None
    a, b = g.args
    if _column(a.shape) and _row(b.shape):
        return a, transpose(b)
    if (left := _outer(a)) is not None:  # (u wᵀ) B = u (Bᵀ w)ᵀ
        return left[0], matmul(transpose(b), left[1])
    if (right := _outer(b)) is not None:  # A (u wᵀ) = (A u) wᵀ
        return matmul(a, right[0]), right[1]
    return None


def _adj_kron(node: Expr, i: int, g: Expr) -> Expr:
    """<G, dA ⊗ B> = Σ_ij dA_ij <G_ij, B> over G's blocks: sum(B) 𝟙𝟙ᵀ for G = 𝟙𝟙ᵀ, tr(B) I for G = I,
    Uᵀ B V for G = u vᵀ (U, V: u, v unvec'd; for dB, U A Vᵀ), else the traces of the blocks of
    G (I ⊗ Bᵀ); for dB, the sum of the diagonal blocks of G (Aᵀ ⊗ I)."""
    a, b = node.args
    mine, other = (a, b) if i == 0 else (b, a)
    if g.op == "fill":
        return matmul(make("sum", other), fill(g.attr, mine.shape))
    if g.op == "identity" and all(dim(r) == dim(c) for r, c in (a.shape, b.shape)):
        return matmul(make("trace", other), identity(mine.shape[0]))
    (p, q), (r, s) = a.shape, b.shape
    outer = _outer(g)
    if outer is not None:  # uᵀ (dA ⊗ B) v = <Uᵀ B V, dA>, uᵀ (A ⊗ dB) v = <U A Vᵀ, dB>: U, V the unvecs of u, v
        u, v = unvec(outer[0], (r, p)), unvec(outer[1], (s, q))
        return matmul(matmul(transpose(u), b), v) if i == 0 else matmul(matmul(u, a), transpose(v))
    if i == 0:  # (I_p ⊗ vec(I_r)ᵀ)(H ⊗ I_r)(I_q ⊗ vec(I_r)): the p×q traces of H's r×r blocks
        v = vec(identity(r))
        h = matmul(g, kron(identity(q), transpose(b)))
        return matmul(matmul(kron(identity(p), transpose(v)), kron(h, identity(r))), kron(identity(q), v))
    v = vec(identity(p))  # (vec(I_p)ᵀ ⊗ I_r)(I_p ⊗ H)(vec(I_p) ⊗ I_s): Σ_i H_ii
    h = matmul(g, kron(transpose(a), identity(s)))
    return matmul(matmul(kron(transpose(v), identity(r)), kron(identity(p), h)), kron(v, identity(s)))


register(
    Op(
        "kron",
        _shape_kron,
        "infix",
        (" ⊗ ", " ⊗ ", " \\otimes "),
        _lower_kron,
        _lower_kron,
        _jvp_kron,
        "product rule (Kronecker)",
        _adj_kron,
        "<G, dA ⊗ B> = Σ_ij dA_ij <G_ij, B> (the blocks of G)",
        prec=PRODUCT,
        aliases=("kron",),
        sympy=lambda sp, n, a, b: sp.kronecker_product(a, b),
        arity=2,
        symbols=("⊗", "\\otimes"),
        linear_in=(0, 1),
    )
)


def _adj_vec(node: Expr, i: int, g: Expr) -> Expr:
    """<g, vec(A)> = <unvec(g), A>: the p×q matrix whose vec is g, for a p×q matrix A."""
    return unvec(g, node.args[0].shape)


def _lower_vec(node: Expr, args: list[str], em: Any) -> str:
    """Column-major: the transpose read row by row (a vector is already 1-D)."""
    a = node.args[0]
    return args[0] if _row(a.shape) or _column(a.shape) else f"{args[0]}.T.reshape(-1)"


call(
    "vec",
    _shape_vec,
    _lower_vec,
    _lower_vec,
    linear(lambda x: make("vec", x)),
    "d vec(A) = vec(dA)",
    _adj_vec,
    "<g, vec(A)> = <unvec(g), A>",
    linear_in=(0,),
    scalar_form=same,
    sympy=lambda sp, n, a: a if _column(n.args[0].shape) else sp.Matrix(a.T).reshape(a.shape[0] * a.shape[1], 1),
)


def _shape_unvec(args: tuple[Expr, ...], attr: Any) -> Shape:
    """unvec(a, p, q): a p×q matrix from a column a of p*q entries."""
    a, (rows, cols) = args[0], attr
    if not _column(a.shape):
        raise ShapeError(f"unvec takes a vector, got {show_shape(a.shape)}")
    same_dim(a.shape[0], times(rows, cols), "unvec", (a.shape, (rows, cols)))
    return (rows, cols)


def _lower_unvec(node: Expr, args: list[str], em: Any) -> str:
    """Column-major: a read as q rows of p, transposed (a row or a column is already 1-D)."""
    rows, cols = node.shape  # the attr's sizes, concrete where the node was made concrete
    if dim(rows) == 1 or dim(cols) == 1:
        return args[0]
    return f"{args[0]}.reshape({em.dim(cols)}, {em.dim(rows)}).T"


call(
    "unvec",
    _shape_unvec,
    _lower_unvec,
    _lower_unvec,
    lambda node, da: da[0] and make("unvec", da[0], attr=node.attr),
    "d unvec(a) = unvec(da)",
    lambda node, i, g: vec(g),
    "<G, unvec(a)> = <vec(G), a>",
    linear_in=(0,),
    scalar_form=same,
    sizes=2,
    sympy=lambda sp, n, a: sp.Matrix(a).reshape(*reversed(n.shape)).T,
)


def count(shape: Shape) -> Expr:
    """The number of entries of an array of the given shape, as an expression: sum(𝟙_n) sum(𝟙_m)
    (the sizes n m, as a book writes them)."""
    sizes = [make("sum", fill(1, (d, 1))) for d in shape if dim(d) != 1]
    return sizes[0] if len(sizes) == 1 else matmul(*sizes) if sizes else const(1)


call(
    "mean",
    shape_scalar,
    "np.mean({0})",
    "torch.mean({0})",
    linear(lambda x: make("mean", x)),
    "d mean(A) = mean(dA)",
    lambda n, i, g: div(matmul(g, fill(1, n.args[0].shape)), count(n.args[0].shape)),
    "<g, mean(A)> = <g 𝟙𝟙ᵀ / N, A>",
    linear_in=(0,),
    scalar_form=same,
    sympy=lambda sp, n, a: sympy_total(sp, n.args[0], a) / _sympy_count(sp, n.args[0]),
)


def _sympy_count(sp: Any, arg: Expr) -> Any:
    rows, cols = (sp.Symbol(d) if isinstance(d, str) else d for d in arg.shape)
    return rows * cols


# ---------------------------------------------------------------- constructors that fold the plain cases


def kron(a: Expr, b: Expr) -> Expr:
    """a ⊗ b, written as a plain product when a factor is a number or 1×1 (``1 ⊗ B = B``)."""
    if is_scalar(a.shape):
        return b if a.op == "identity" or a.op == "const" and a.attr == 1 else matmul(a, b)
    if is_scalar(b.shape):
        return a if b.op == "identity" or b.op == "const" and b.attr == 1 else matmul(b, a)
    return make("kron", a, b)


def vec(a: Expr) -> Expr:
    """vec(a), column-major; a column is its own vec and a row's vec is its transpose."""
    if _column(a.shape):
        return a
    if _row(a.shape):
        return transpose(a)
    return make("vec", a)


def unvec(a: Expr, shape: Shape) -> Expr:
    """The matrix of the given shape whose vec is the column a: a row or a column is a (transposed),
    unvec(vec(M)) = M, unvec(c 𝟙) = c 𝟙𝟙ᵀ and unvec(a ⊗ b) = b aᵀ."""
    if _column(shape):
        return a
    if _row(shape):
        return transpose(a)
    if a.op == "vec" and a.args[0].shape == tuple(shape):
        return a.args[0]
    if a.op == "fill":
        return fill(a.attr, shape)
    if a.op == "kron" and _column(a.args[0].shape) and dim(a.args[1].shape[0]) == dim(shape[0]):
        return matmul(a.args[1], transpose(a.args[0]))  # a ⊗ b = vec(b aᵀ)
    return make("unvec", a, attr=tuple(shape))


def identity_of(shape: Shape) -> Expr:
    """The identity acting on vec of an array of this shape (I_q ⊗ I_p for p×q)."""
    rows, cols = shape
    if _column(shape):
        return identity(rows)
    if _row(shape):
        return identity(cols)
    return make("kron", identity(cols), identity(rows))


def matrix_power(base: Expr, k: int) -> Expr:
    """A^k for an integer k ≥ 0 of a square matrix: A^0 = I, A^1 = A, else the power."""
    r, c = base.shape
    if not (dim(r) == dim(c) or isinstance(dim(r), DimVar) or isinstance(dim(c), DimVar)):
        raise ShapeError(f"matrix power needs a square matrix, got {show_shape(base.shape)}")
    if k == 0:
        make("mpow", base, attr=2)  # the square check (unifies an unknown size)
        return identity(base.shape[0])
    return base if k == 1 else make("mpow", base, attr=k)


def row_of(g: Expr) -> Expr:
    """vec(g)ᵀ: the row that pairs with vec(X) as <g, X> does."""
    return transpose(vec(g))


