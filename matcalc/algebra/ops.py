"""The algebra of matrix expressions, one registry entry per operation.

Leaves, sums, products (matrix, Hadamard, quotient), transpose, inverse, powers, the
inner product and norms: each entry is its shape rule, printer forms, lowerings,
SymPy form, d-rule and adjoint (the Frobenius identity that moves it off dX).
Importing this module registers everything (the functions come from
``functions.py``); ``FUNCTIONS`` maps the names a user may call to entries.
"""

from __future__ import annotations

from typing import Any

from matcalc.algebra import functions  # noqa: F401  (registers tr, det, exp, σ, …)
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
    shape_broadcast,
    shape_inner,
    shape_matmul,
    shape_power,
    shape_same,
    shape_scalar,
    shape_square,
    sum_present,
    sympy_ones,
    sympy_sum,
    sympy_total,
    transpose,
    var,
)
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


def _jvp_mpow(node: Expr, da: tuple[Expr | None, ...]) -> Expr | None:
    """d(A^k) = Σ_{i<k} A^i dA A^(k-1-i)."""
    a, k = node.args[0], node.attr
    if da[0] is None:
        return None

    def power(i: int) -> Expr | None:
        return None if i == 0 else a if i == 1 else make("mpow", a, attr=i)

    terms = []
    for i in range(k):
        left, right = power(i), power(k - 1 - i)
        t = da[0] if left is None else matmul(left, da[0])
        terms.append(t if right is None else matmul(t, right))
    return add(*terms)


# ---------------------------------------------------------------- leaves and structure


def _built_directly(args: tuple[Expr, ...], attr: Any) -> Shape:
    raise AssertionError("leaves are built by their constructors, which know the shape")


EVERYTHING = frozenset(PROPERTIES)

register(Op("var", _built_directly, "leaf", arity=0))  # attr: the Var (name, kind, positive)
register(Op("const", _built_directly, "leaf", arity=0, elementwise=True))  # attr: the number
register(Op("fill", _built_directly, "leaf", arity=0, elementwise=True))  # attr: every entry's number
register(Op("identity", _built_directly, "leaf", arity=0))
register(  # a user definition: attr its name, the one argument its value
    Op("ref", shape_same, "leaf", jvp=lambda node, da: da[0], jvp_rule="definition", linear_in=(0,),
       preserves=EVERYTHING, elementwise=True)
)
register(Op("d", shape_same, "leaf", linear_in=(0,)))  # the differential of its argument

register(
    Op(
        "add",
        shape_broadcast("sum"),
        "sum",
        (" + ", " + ", " + "),
        "{*}",
        "{*}",
        _jvp_add,
        "d(A + B) = dA + dB",
        _adj_add,
        "linearity",
        prec=SUM,
        sympy=lambda sp, n, *a: sympy_sum(sp, n, a),
        arity=None,
        elementwise=True,
        preserves=EVERYTHING,
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
    )
)


def _lower_matmul(node: Expr) -> str:
    return "{0} * {1}" if any(is_scalar(a.shape) for a in node.args) else "{0} @ {1}"


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
        sympy=lambda sp, n, a, b: (
            a * b if is_scalar(n.args[0].shape) or is_scalar(n.args[1].shape) else sp.hadamard_product(a, b)
        ),
    )
)
register(
    Op(
        "div",
        shape_broadcast("elementwise division"),
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
        "transpose",
        lambda a, t: (a[0].shape[1], a[0].shape[0]),
        "postfix",
        ("^T", "ᵀ", "^\\top"),
        "{0}.T",
        "{0}.T",
        linear(transpose),
        "d(Aᵀ) = (dA)ᵀ",
        lambda n, i, g: transpose(g),
        "<G, Aᵀ> = <Gᵀ, A>",
        prec=POSTFIX,
        sympy=lambda sp, n, a: a.T,
        linear_in=(0,),
        preserves=EVERYTHING,
    )
)
register(
    Op(
        "inv",
        shape_square("inverse"),
        "postfix",
        ("^-1", "⁻¹", "^{{-1}}"),
        "np.linalg.inv({0})",
        "torch.linalg.inv({0})",
        lambda n, da: da[0] and neg(matmul(matmul(n, da[0]), n)),
        "d(X⁻¹) = -X⁻¹ dX X⁻¹",
        prec=POSTFIX,
        sympy=lambda sp, n, a: sp.Inverse(a),
        fused=(("transpose", ("^-T", "⁻ᵀ", "^{-\\top}")),),
        aliases=("inv",),
        domain=("conditioned",),
        preserves=frozenset({"symmetric", "conditioned"}),
    )
)
register(
    Op(
        "mpow",
        shape_square("matrix power"),
        "postfix",
        ("^{a}", "^{a}", "^{{{a}}}"),
        "np.linalg.matrix_power({0}, {a})",
        "torch.linalg.matrix_power({0}, {a})",
        _jvp_mpow,
        "d(A^k) = Σ A^i dA A^(k-1-i)",
        prec=POSTFIX,
        sympy=lambda sp, n, a: sp.MatPow(a, n.attr),
        preserves=frozenset({"positive", "conditioned"}),
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
    )
)
register(
    Op(
        "inner",
        shape_inner,
        "wrap",
        ("<{0}, {1}>", "⟨{0}, {1}⟩", "\\langle {0}, {1} \\rangle"),
        "np.sum({0} * {1}).reshape(1, 1)",
        "torch.sum({0} * {1}).reshape(1, 1)",
        bilinear(inner),
        "product rule (inner product)",
        lambda n, i, g: matmul(g, n.args[1 - i]),
        "<g, <A, B>> = <g B, A>",
        sympy=lambda sp, n, a, b: sp.Trace(a.T * b),
        arity=2,
        linear_in=(0, 1),
        preserves=frozenset({"positive", "small"}),
    )
)
register(
    Op(
        "norm2",
        shape_scalar,
        "wrap",
        ("||{0}||", "‖{0}‖", "\\|{0}\\|"),
        "np.linalg.norm({0}).reshape(1, 1)",
        "torch.linalg.norm({0}).reshape(1, 1)",
        lambda n, da: da[0] and div(inner(n.args[0], da[0]), n),
        "d‖x‖ = <x, dx> / ‖x‖",
        aliases=("norm", "norm2"),
        sympy=lambda sp, n, a: sp.sqrt(sp.Trace(a.T * a)),
    )
)


register(
    Op(
        "norm1",
        shape_scalar,
        "wrap",
        ("norm1({0})", "norm1({0})", "\\|{0}\\|_1"),
        "np.sum(np.abs({0})).reshape(1, 1)",
        "torch.sum(torch.abs({0})).reshape(1, 1)",
        lambda n, da: da[0] and inner(make("sign", n.args[0]), da[0]),
        "d‖x‖₁ = <sign(x), dx>",
        sympy=lambda sp, n, a: sympy_total(sp, n.args[0], a.applyfunc(sp.Abs)),
        aliases=("norm1",),
    )
)

FUNCTIONS: dict[str, str] = call_names()  # the built-in names a user may call (the registry's aliases)
