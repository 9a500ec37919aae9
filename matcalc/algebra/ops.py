"""The algebra of matrix expressions, one registry entry per operation.

Leaves, sums, products (matrix, Hadamard, quotient) and elementwise powers: each entry
is its shape rule, printer forms, lowerings, SymPy form, d-rule and adjoint (the
Frobenius identity that moves it off dX). Importing this module registers everything
(transpose, inverse, inner product and norms come from ``linalg.py``, the functions from
``functions.py``); ``call_names()`` maps the names a user may call to entries.
"""

from __future__ import annotations

from typing import Any

from matcalc.algebra import functions, linalg  # noqa: F401  (register tr, det, exp, σ, …, ᵀ, ⁻¹, ‖·‖)
from matcalc.algebra.expr import Expr
from matcalc.algebra.registry import (  # noqa: F401  (re-exported: the constructors everyone builds with)
    ATOM,
    DOMAINS,
    NEG,
    OPS,
    POSTFIX,
    PRODUCT,
    PROPERTIES,
    SUM,
    Op,
    Template,
    add,
    bilinear,
    build_call,
    call_names,
    const,
    d,
    div,
    fill,
    hadamard,
    identity,
    infix_symbols,
    inner,
    linear,
    make,
    matmul,
    neg,
    ones_like,
    register,
    sum_present,
    sympy_ones,
    sympy_sum,
    sympy_total,
    transpose,
    var,
)
from matcalc.algebra.shape_rules import shape_broadcast, shape_matmul, shape_power, shape_quotient, shape_same
from matcalc.algebra.shapes import Shape, is_scalar

# ---------------------------------------------------------------- d-rules and adjoints


def _jvp_add(node: Expr, da: tuple[Expr | None, ...]) -> Expr | None:
    """d(A + B) = dA + dB; a scalar term's ds spreads over every entry."""
    terms = [t for t in da if t is not None]
    if not terms:
        return None
    if all(is_scalar(t.shape) for t in terms) and not is_scalar(node.shape):
        return matmul(add(*terms), fill(1, node.shape))
    return add(*terms)


def _adj_add(node: Expr, i: int, g: Expr) -> Expr:
    """<G, A + B> = <G, A> + <G, B>; for a scalar term s spread over G's shape: <sum(G), s>."""
    if is_scalar(node.args[i].shape) and not is_scalar(node.shape):
        return make("sum", g)
    return g


def _jvp_matmul(node: Expr, da: tuple[Expr | None, ...]) -> Expr | None:
    """d(A B) = dA B + A dB."""
    a, b = node.args
    return sum_present(da[0] and matmul(da[0], b), da[1] and matmul(a, da[1]))


def _adj_matmul(node: Expr, i: int, g: Expr) -> Expr:
    """<G, A B> = <G Bᵀ, A> = <Aᵀ G, B> (for a scalar factor s: <G, s B> = <<G, B>, s>)."""
    a, b = node.args
    if i == 0:
        if is_scalar(a.shape) and not is_scalar(b.shape):
            return inner(b, g)
        return matmul(g, b) if is_scalar(b.shape) else matmul(g, transpose(b))
    if is_scalar(b.shape) and not is_scalar(a.shape):
        return inner(a, g)
    return matmul(a, g) if is_scalar(a.shape) else matmul(transpose(a), g)


def _jvp_hadamard(node: Expr, da: tuple[Expr | None, ...]) -> Expr | None:
    """d(A ⊙ B) = dA ⊙ B + A ⊙ dB."""
    a, b = node.args
    return sum_present(da[0] and hadamard(da[0], b), da[1] and hadamard(a, da[1]))


def _adj_hadamard(node: Expr, i: int, g: Expr) -> Expr:
    """<G, A ⊙ B> = <G ⊙ B, A> = <A ⊙ G, B>."""
    other = node.args[1 - i]
    prod = hadamard(g, other) if i == 0 else hadamard(other, g)
    return make("sum", prod) if is_scalar(node.args[i].shape) and not is_scalar(node.shape) else prod


def _jvp_div(node: Expr, da: tuple[Expr | None, ...]) -> Expr | None:
    """d(A ./ B) = dA ./ B - (A ./ B) ⊙ dB ./ B."""
    a, b = node.args
    return sum_present(da[0] and div(da[0], b), da[1] and neg(hadamard(node, div(da[1], b))))


def _adj_div(node: Expr, i: int, g: Expr) -> Expr:
    """<G, A ./ B> = <G ./ B, A> (linear in A only)."""
    assert i == 0, "a differential in a denominator is expanded by the d-rule"
    q = div(g, node.args[1])
    return make("sum", q) if is_scalar(node.args[0].shape) and not is_scalar(node.shape) else q


def _jvp_hpow(node: Expr, da: tuple[Expr | None, ...]) -> Expr | None:
    """d(A.^p) = p A.^(p-1) ⊙ dA + log(A) ⊙ A.^p dp; d(‖x‖²) = 2 <x, dx>."""
    a, p = node.args
    if a.op == "norm2" and p.op == "const" and p.attr == 2 and da[0] is not None and da[1] is None:
        return matmul(const(2), inner(a.args[0], d(a.args[0])))
    lower = const(p.attr - 1) if p.op == "const" else add(p, const(-1))
    return sum_present(
        da[0] and matmul(p, hadamard(make("hpow", a, lower), da[0])),
        da[1] and matmul(da[1], hadamard(make("log", a), node)),
    )


# ---------------------------------------------------------------- leaves and structure


def _built_directly(args: tuple[Expr, ...], attr: Any) -> Shape:
    raise AssertionError("leaves are built by their constructors, which know the shape")


EVERYTHING = frozenset(PROPERTIES)


def _lower_var(node: Expr, args: list[str], em: Any) -> str:
    return em.variable(node.attr)


def _lower_number(node: Expr, args: list[str], em: Any) -> str:
    return em.number(node.attr)


def _lower_fill(node: Expr, args: list[str], em: Any) -> str:
    if is_scalar(node.shape):
        return em.number(node.attr)
    return f"{em.module}.full({em.size(node.shape)}, {em.number(node.attr)}, dtype=_dt)"


def _lower_identity(node: Expr, args: list[str], em: Any) -> str:
    return f"{em.module}.eye({em.dim(node.shape[0])}, dtype=_dt)"


def _leaf(name: str, lower: Template, **facts: Any) -> None:
    register(Op(name, _built_directly, "leaf", numpy=lower, torch=lower, arity=0, takes_numbers=True, **facts))


_leaf("var", _lower_var)  # attr: the Var (name, kind, positive)
_leaf("const", _lower_number, elementwise=True)  # attr: the number
_leaf("fill", _lower_fill, elementwise=True)  # attr: every entry's number
_leaf("identity", _lower_identity)
register(  # a user definition: attr its name, the one argument its value
    Op("ref", shape_same, "leaf", "", "{0}", "{0}", jvp=lambda node, da: da[0], jvp_rule="definition", linear_in=(0,),
       preserves=EVERYTHING, elementwise=True, takes_numbers=True)
)
register(Op("d", shape_same, "leaf", linear_in=(0,)))  # the differential of its argument

def lower_sum(node: Expr, args: list[str], em: Any) -> str:
    """a + b - c: the signs are attr for a signed sum (``addsub``), all + for ``add``."""
    signs = node.attr if node.attr is not None else (1,) * len(args)
    out = args[0] if signs[0] > 0 else f"-{args[0]}"
    return out + "".join(f" {'+' if s > 0 else '-'} {a}" for s, a in zip(signs[1:], args[1:]))


register(
    Op(
        "add",
        shape_broadcast("sum"),
        "sum",
        (" + ", " + ", " + "),
        lower_sum,
        lower_sum,
        _jvp_add,
        "d(A + B) = dA + dB",
        _adj_add,
        "linearity",
        prec=SUM,
        sympy=lambda sp, n, *a: sympy_sum(sp, n, a),
        arity=None,
        elementwise=True,
        preserves=EVERYTHING,
        takes_numbers=True,
    )
)
register(
    Op(
        "neg",
        shape_same,
        "prefix",
        ("-", "-", "-"),
        "-{0}",
        "-{0}",
        linear(neg),
        "d(-A) = -dA",
        lambda n, i, g: neg(g),
        "<G, -A> = <-G, A>",
        prec=NEG,
        sympy=lambda sp, n, a: -a,
        linear_in=(0,),
        elementwise=True,
        preserves=frozenset({"symmetric", "small", "conditioned"}),
        takes_numbers=True,
    )
)


def _lower_matmul(node: Expr, args: list[str], em: Any) -> str:
    a, b = node.args
    if is_scalar(a.shape) or is_scalar(b.shape):
        return f"{args[0]} * {args[1]}"
    if a.shape[1] == 1:  # a column times a row (NumPy's einsum writes it ~1.5x faster than np.outer)
        outer = 'np.einsum("i,j->ij", {0}, {1})' if em.module == "np" else "torch.outer({0}, {1})"
        return outer.format(*args)
    return f"{args[0]} @ {args[1]}"  # on 1-D operands: a dot product, or a row/column product


register(
    Op(
        "matmul",
        shape_matmul,
        "infix",
        (" ", " ", " "),
        _lower_matmul,
        _lower_matmul,
        _jvp_matmul,
        "product rule",
        _adj_matmul,
        "<G, A B> = <G Bᵀ, A> = <Aᵀ G, B>",
        prec=PRODUCT,
        sympy=lambda sp, n, a, b: a * b,
        arity=2,
        symbols=("*", "@", "\\cdot", "\\times", "·", "×"),
        linear_in=(0, 1),
        preserves=frozenset({"positive", "small", "conditioned"}),
        takes_numbers=True,
        scalar_form=lambda n, a: matmul(*a) if any(is_scalar(x.shape) for x in a) else hadamard(*a),  # t s -> X ⊙ S
    )
)
register(
    Op(
        "hadamard",
        shape_broadcast("Hadamard product"),
        "infix",
        (" .* ", " ⊙ ", " \\odot "),
        "{0} * {1}",
        "{0} * {1}",
        _jvp_hadamard,
        "product rule (Hadamard)",
        _adj_hadamard,
        "<G, A ⊙ B> = <A ⊙ G, B>",
        prec=PRODUCT,
        arity=2,
        symbols=(".*", "⊙", "∘", "\\odot", "\\circ"),
        linear_in=(0, 1),
        elementwise=True,
        preserves=frozenset({"symmetric", "positive", "small"}),
        takes_numbers=True,
        sympy=lambda sp, n, a, b: (
            a * b if is_scalar(n.args[0].shape) or is_scalar(n.args[1].shape) else sp.hadamard_product(a, b)
        ),
    )
)
register(
    Op(
        "div",
        shape_quotient,
        "infix",
        (" ./ ", " ./ ", " \\oslash "),
        "{0} / {1}",
        "{0} / {1}",
        _jvp_div,
        "quotient rule",
        _adj_div,
        "<G, A ./ B> = <G ./ B, A>",
        prec=PRODUCT,
        scalar_forms=(" / ", " / ", " / "),
        arity=2,
        symbols=("./", "/", "⊘", "\\oslash"),
        linear_in=(0,),
        elementwise=True,
        domain=("any", "positive"),
        preserves=frozenset({"positive"}),
        takes_numbers=True,
        sympy=lambda sp, n, a, b: (
            a / b
            if is_scalar(n.args[1].shape)
            else sp.hadamard_product(
                a * sympy_ones(sp, n) if is_scalar(n.args[0].shape) else a, sp.HadamardPower(b, -1)
            )
        ),
    )
)
register(
    Op(
        "hpow",
        shape_power,
        "power",
        (".^", ".^", "^{{\\circ {1}}}"),
        "{0} ** {1}",
        "{0} ** {1}",
        _jvp_hpow,
        "d(A.^p) = p A.^(p-1) ⊙ dA",
        prec=POSTFIX,
        sympy=lambda sp, n, a, p: a**p if is_scalar(n.shape) else sp.HadamardPower(a, p),
        arity=2,
        elementwise=True,
        preserves=frozenset({"positive"}),
        takes_numbers=True,
    )
)
