"""The operation registry: every operation declared once, in one entry.

An ``Op`` holds everything about one operation: its shape rule, how it prints
(text, Unicode, LaTeX), how it lowers to NumPy and torch, its d-rule (the JVP:
``d op(a, b) = …`` in terms of ``da``, ``db``) and, where it is linear in an
argument, its adjoint (``<G, op(…, dX, …)> = <adjoint(G), dX>``: a Frobenius
identity). Family constructors (``elementwise``, ``reduction``) make most entries
one line. The differentiator, transposer, printers and compilers walk this table;
none of them names a specific operation.

Lowerings work on 2-D arrays (vectors are columns, scalars 1x1) and are templates
with ``{0}``, ``{1}`` for the lowered arguments and ``{a}`` for the node's attr.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .expr import Expr, Var
from .shapes import SCALAR, Shape, ShapeError, is_scalar, same_dim, same_shape, show_shape, unifier

Forms = tuple[str, str, str]  # text, unicode, latex
JVP = Callable[[Expr, tuple["Expr | None", ...]], "Expr | None"]
Adjoint = Callable[[Expr, int, Expr], Expr]

# Printing precedence: how tightly a node binds.
SUM, PRODUCT, NEG, POSTFIX, ATOM = 1, 2, 3, 4, 5


@dataclass(frozen=True)
class Op:
    """One operation: everything matcalc knows about it."""

    name: str
    shape: Callable[[tuple[Expr, ...], Any], Shape]
    layout: str  # leaf | call | infix | prefix | postfix | power | wrap | sum
    forms: Forms = ("", "", "")
    numpy: str | Callable[[Expr], str] = ""  # template, or a function of the node giving one
    torch: str | Callable[[Expr], str] = ""
    jvp: JVP | None = None
    jvp_rule: str = ""
    adjoint: Adjoint | None = None
    adjoint_rule: str = ""
    prec: int = ATOM
    scalar_forms: Forms | None = None  # infix forms when the right operand is a scalar
    deriv: Callable[[Expr, Expr], Expr] | None = None  # elementwise: f'(z) from z and f(z)
    aliases: tuple[str, ...] = field(default=())  # other names the parser accepts
    sympy: Callable[..., Any] | None = None  # (sympy module, node, *converted args) -> SymPy expression


OPS: dict[str, Op] = {}


def register(op: Op) -> Op:
    """Add an entry to the registry (each name once)."""
    assert op.name not in OPS, op.name
    OPS[op.name] = op
    return op


def make(name: str, *args: Expr, attr: Any = None) -> Expr:
    """Build a node of a registered operation; its shape rule runs (and may raise ShapeError)."""
    return Expr(name, args, attr, OPS[name].shape(args, attr))


# ---------------------------------------------------------------- shape rules


def _same(args: tuple[Expr, ...], attr: Any) -> Shape:
    return args[0].shape


def _scalar(args: tuple[Expr, ...], attr: Any) -> Shape:
    return SCALAR


def _square(what: str) -> Callable[[tuple[Expr, ...], Any], Shape]:
    def rule(args: tuple[Expr, ...], attr: Any) -> Shape:
        r, c = args[0].shape
        if not unifier().unify(r, c):
            raise ShapeError(f"{what} needs a square matrix, got {show_shape(args[0].shape)}")
        return args[0].shape

    return rule


def _broadcast(what: str) -> Callable[[tuple[Expr, ...], Any], Shape]:
    """Elementwise over equal shapes; a scalar operand applies to every entry."""

    def rule(args: tuple[Expr, ...], attr: Any) -> Shape:
        arrays = [a.shape for a in args if not is_scalar(a.shape)]
        for other in arrays[1:]:
            same_shape(arrays[0], other, what)
        return arrays[0] if arrays else SCALAR

    return rule


def _matmul_shape(args: tuple[Expr, ...], attr: Any) -> Shape:
    a, b = args[0].shape, args[1].shape
    if is_scalar(a):
        return b
    if is_scalar(b):
        return a
    same_dim(a[1], b[0], "matrix product", (a, b))
    return (a[0], b[1])


def _power_shape(args: tuple[Expr, ...], attr: Any) -> Shape:
    if not is_scalar(args[1].shape):
        raise ShapeError(f"an exponent must be a scalar, got {show_shape(args[1].shape)}")
    return args[0].shape


def _square_to_scalar(what: str) -> Callable[[tuple[Expr, ...], Any], Shape]:
    square = _square(what)

    def rule(args: tuple[Expr, ...], attr: Any) -> Shape:
        square(args, attr)
        return SCALAR

    return rule


def _diag_shape(args: tuple[Expr, ...], attr: Any) -> Shape:
    return (args[0].shape[0], args[0].shape[0])


def _diagvec_shape(args: tuple[Expr, ...], attr: Any) -> Shape:
    return (_square("diag")(args, attr)[0], 1)


def _inner_shape(args: tuple[Expr, ...], attr: Any) -> Shape:
    same_shape(args[0].shape, args[1].shape, "inner product <A, B>")
    return SCALAR


# ---------------------------------------------------------------- constructors


def var(name: str, kind: str, shape: Shape, positive: bool = False) -> Expr:
    """A variable leaf."""
    return Expr("var", (), Var(name, kind, positive), shape)


def const(value: float) -> Expr:
    """A scalar number; integral values are kept as ints."""
    value = float(value)
    return Expr("const", (), int(value) if value.is_integer() and abs(value) < 2**53 else value, SCALAR)


def fill(value: float, shape: Shape) -> Expr:
    """An array of the given shape with every entry equal to value (``1_n``, ``vector(c)``)."""
    return Expr("fill", (), const(value).attr, shape)


def identity(n: Any) -> Expr:
    """The n x n identity matrix."""
    return Expr("identity", (), None, (n, n))


def add(*terms: Expr) -> Expr:
    """A sum; nested sums are flattened into one n-ary node."""
    flat: list[Expr] = []
    for t in terms:
        flat.extend(t.args if t.op == "add" else (t,))
    return flat[0] if len(flat) == 1 else make("add", *flat)


def neg(a: Expr) -> Expr:
    """-a."""
    return make("neg", a)


def matmul(a: Expr, b: Expr) -> Expr:
    """a b: the matrix product, or scaling when either side is a scalar."""
    return make("matmul", a, b)


def hadamard(a: Expr, b: Expr) -> Expr:
    """a ⊙ b."""
    return make("hadamard", a, b)


def div(a: Expr, b: Expr) -> Expr:
    """a ./ b (elementwise; a scalar side applies to every entry)."""
    return make("div", a, b)


def transpose(a: Expr) -> Expr:
    """aᵀ."""
    return make("transpose", a)


def inner(a: Expr, b: Expr) -> Expr:
    """<a, b> = tr(aᵀ b)."""
    return make("inner", a, b)


def d(a: Expr) -> Expr:
    """The differential d(a) (derivations only)."""
    return make("d", a)


def ones_like(shape: Shape) -> Expr:
    """The all-ones column of the given rows (𝟙)."""
    return fill(1, (shape[0], 1))


def _sum_some(*terms: Expr | None) -> Expr | None:
    present = [t for t in terms if t is not None]
    return add(*present) if present else None


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
    return _sum_some(da[0] and matmul(da[0], b), da[1] and matmul(a, da[1]))


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
    return _sum_some(da[0] and hadamard(da[0], b), da[1] and hadamard(a, da[1]))


def _adj_hadamard(node: Expr, i: int, g: Expr) -> Expr:
    """<G, A ⊙ B> = <G ⊙ B, A> = <A ⊙ G, B>."""
    other = node.args[1 - i]
    prod = hadamard(g, other) if i == 0 else hadamard(other, g)
    return make("sum", prod) if is_scalar(node.args[i].shape) and not is_scalar(node.shape) else prod


def _jvp_div(node: Expr, da: tuple[Expr | None, ...]) -> Expr | None:
    """d(A ./ B) = dA ./ B - (A ./ B) ⊙ dB ./ B."""
    a, b = node.args
    return _sum_some(da[0] and div(da[0], b), da[1] and neg(hadamard(node, div(da[1], b))))


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
    return _sum_some(
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


def _jvp_softmax(node: Expr, da: tuple[Expr | None, ...]) -> Expr | None:
    """d softmax(z) = s ⊙ (dz - 𝟙 𝟙ᵀ(s ⊙ dz)), s = softmax(z), per column."""
    if da[0] is None:
        return None
    if node.shape[1] == 1:  # a vector: (diag(s) - s sᵀ) dz
        return add(hadamard(node, da[0]), neg(matmul(node, matmul(transpose(node), da[0]))))
    ones = ones_like(node.shape)
    return hadamard(node, add(da[0], neg(matmul(ones, matmul(transpose(ones), hadamard(node, da[0]))))))


def _jvp_logsumexp(node: Expr, da: tuple[Expr | None, ...]) -> Expr | None:
    """d logsumexp(z) = 𝟙ᵀ(softmax(z) ⊙ dz), per column."""
    z = node.args[0]
    return da[0] and matmul(transpose(ones_like(z.shape)), hadamard(make("softmax", z), da[0]))


def _linear(rebuild: Callable[[Expr], Expr]) -> JVP:
    """The d-rule of a linear operation: d op(A) = op(dA)."""
    return lambda node, da: da[0] and rebuild(da[0])


def _bilinear(rebuild: Callable[[Expr, Expr], Expr]) -> JVP:
    """The product rule: d op(A, B) = op(dA, B) + op(A, dB)."""

    def jvp(node: Expr, da: tuple[Expr | None, ...]) -> Expr | None:
        a, b = node.args
        return _sum_some(da[0] and rebuild(da[0], b), da[1] and rebuild(a, da[1]))

    return jvp


# ---------------------------------------------------------------- SymPy forms (sympy is passed in: imported lazily)


def _sp_ones(sp: Any, node: Expr) -> Any:
    return sp.OneMatrix(*(sp.Symbol(d) if isinstance(d, str) else d for d in node.shape))


def _sp_sum(sp: Any, node: Expr, args: tuple) -> Any:
    """A sum; scalar terms of an array sum spread over every entry."""
    if is_scalar(node.shape):
        return sp.Add(*args)
    return sp.MatAdd(*(x * _sp_ones(sp, node) if is_scalar(a.shape) else x for a, x in zip(node.args, args)))


def _sp_total(sp: Any, arg: Expr, a: Any) -> Any:
    """The sum of every entry: 𝟙ᵀ A 𝟙."""
    if is_scalar(arg.shape):
        return a
    rows, cols = (sp.Symbol(d) if isinstance(d, str) else d for d in arg.shape)
    return sp.Trace(sp.OneMatrix(1, rows) * a * sp.OneMatrix(cols, 1))


# ---------------------------------------------------------------- leaves and structure


def _built_directly(args: tuple[Expr, ...], attr: Any) -> Shape:
    raise AssertionError("leaves are built by their constructors, which know the shape")


for _leaf in ("var", "const", "fill", "identity"):
    register(Op(_leaf, _built_directly, "leaf"))
register(Op("ref", _same, "leaf", jvp=lambda node, da: da[0], jvp_rule="definition"))
register(Op("d", _same, "leaf"))

register(
    Op(
        "add",
        _broadcast("sum"),
        "sum",
        (" + ", " + ", " + "),
        "{*}",
        "{*}",
        _jvp_add,
        "d(A + B) = dA + dB",
        _adj_add,
        "linearity",
        prec=SUM,
        sympy=lambda sp, n, *a: _sp_sum(sp, n, a),
    )
)
register(
    Op(
        "neg",
        _same,
        "prefix",
        ("-", "-", "-"),
        "-{0}",
        "-{0}",
        _linear(neg),
        "d(-A) = -dA",
        lambda n, i, g: neg(g),
        "<G, -A> = <-G, A>",
        prec=NEG,
        sympy=lambda sp, n, a: -a,
    )
)


def _lower_matmul(node: Expr) -> str:
    return "{0} * {1}" if any(is_scalar(a.shape) for a in node.args) else "{0} @ {1}"


register(
    Op(
        "matmul",
        _matmul_shape,
        "infix",
        (" ", " ", " "),
        _lower_matmul,
        _lower_matmul,
        _jvp_matmul,
        "product rule",
        _adj_matmul,
        "<G, A B> = <G Bᵀ, A> = <Aᵀ G, B>",
        prec=PRODUCT,
        aliases=("*", "@", "\\cdot", "\\times", "·", "×"),
        sympy=lambda sp, n, a, b: a * b,
    )
)
register(
    Op(
        "hadamard",
        _broadcast("Hadamard product"),
        "infix",
        (" .* ", " ⊙ ", " \\odot "),
        "{0} * {1}",
        "{0} * {1}",
        _jvp_hadamard,
        "product rule (Hadamard)",
        _adj_hadamard,
        "<G, A ⊙ B> = <A ⊙ G, B>",
        prec=PRODUCT,
        aliases=(".*", "⊙", "∘", "\\odot", "\\circ"),
        sympy=lambda sp, n, a, b: (
            a * b if is_scalar(n.args[0].shape) or is_scalar(n.args[1].shape) else sp.hadamard_product(a, b)
        ),
    )
)
register(
    Op(
        "div",
        _broadcast("elementwise division"),
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
        aliases=("./", "/", "⊘", "\\oslash"),
        sympy=lambda sp, n, a, b: (
            a / b
            if is_scalar(n.args[1].shape)
            else sp.hadamard_product(a * _sp_ones(sp, n) if is_scalar(n.args[0].shape) else a, sp.HadamardPower(b, -1))
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
        _linear(transpose),
        "d(Aᵀ) = (dA)ᵀ",
        lambda n, i, g: transpose(g),
        "<G, Aᵀ> = <Gᵀ, A>",
        prec=POSTFIX,
        sympy=lambda sp, n, a: a.T,
    )
)
register(
    Op(
        "inv",
        _square("inverse"),
        "postfix",
        ("^-1", "⁻¹", "^{{-1}}"),
        "np.linalg.inv({0})",
        "torch.linalg.inv({0})",
        lambda n, da: da[0] and neg(matmul(matmul(n, da[0]), n)),
        "d(X⁻¹) = -X⁻¹ dX X⁻¹",
        prec=POSTFIX,
        sympy=lambda sp, n, a: sp.Inverse(a),
    )
)
register(
    Op(
        "mpow",
        _square("matrix power"),
        "postfix",
        ("^{a}", "^{a}", "^{{{a}}}"),
        "np.linalg.matrix_power({0}, {a})",
        "torch.linalg.matrix_power({0}, {a})",
        _jvp_mpow,
        "d(A^k) = Σ A^i dA A^(k-1-i)",
        prec=POSTFIX,
        sympy=lambda sp, n, a: sp.MatPow(a, n.attr),
    )
)
register(
    Op(
        "hpow",
        _power_shape,
        "power",
        (".^", ".^", "^{{\\circ {1}}}"),
        "{0} ** {1}",
        "{0} ** {1}",
        _jvp_hpow,
        "d(A.^p) = p A.^(p-1) ⊙ dA",
        prec=POSTFIX,
        sympy=lambda sp, n, a, p: a**p if is_scalar(n.shape) else sp.HadamardPower(a, p),
    )
)
register(
    Op(
        "inner",
        _inner_shape,
        "wrap",
        ("<{0}, {1}>", "⟨{0}, {1}⟩", "\\langle {0}, {1} \\rangle"),
        "np.sum({0} * {1}).reshape(1, 1)",
        "torch.sum({0} * {1}).reshape(1, 1)",
        _bilinear(inner),
        "product rule (inner product)",
        lambda n, i, g: matmul(g, n.args[1 - i]),
        "<g, <A, B>> = <g B, A>",
        sympy=lambda sp, n, a, b: sp.Trace(a.T * b),
    )
)
register(
    Op(
        "norm2",
        _scalar,
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


def call(
    name: str,
    shape: Callable[[tuple[Expr, ...], Any], Shape],
    numpy: str,
    torch: str,
    jvp: JVP | None,
    jvp_rule: str,
    adjoint: Adjoint | None = None,
    adjoint_rule: str = "",
    latex: str = "",
    unicode: str = "",
    aliases: tuple[str, ...] = (),
    text: str = "",
    sympy: Callable[..., Any] | None = None,
) -> Op:
    """Register an operation written as a function call, ``name(args)``."""
    forms = (text or name, unicode or text or name, latex or f"\\operatorname{{{name}}}")
    return register(
        Op(name, shape, "call", forms, numpy, torch, jvp, jvp_rule, adjoint, adjoint_rule, aliases=aliases, sympy=sympy)
    )


call(
    "trace",
    _square_to_scalar("tr"),
    "np.trace({0}).reshape(1, 1)",
    "torch.trace({0}).reshape(1, 1)",
    _linear(lambda x: make("trace", x)),
    "d tr(A) = tr(dA)",
    lambda n, i, g: matmul(g, identity(n.args[0].shape[0])),
    "<g, tr(A)> = <g I, A>",
    latex="\\operatorname{tr}",
    text="tr",
    aliases=("tr",),
    sympy=lambda sp, n, a: sp.Trace(a),
)
call(
    "sum",
    _scalar,
    "np.sum({0}).reshape(1, 1)",
    "torch.sum({0}).reshape(1, 1)",
    _linear(lambda x: make("sum", x)),
    "d sum(A) = sum(dA)",
    lambda n, i, g: matmul(g, fill(1, n.args[0].shape)),
    "<g, sum(A)> = <g 𝟙𝟙ᵀ, A>",
    sympy=lambda sp, n, a: _sp_total(sp, n.args[0], a),
)
call(
    "diag",
    _diag_shape,
    "np.diagflat({0})",
    "torch.diag({0}.reshape(-1))",
    _linear(lambda x: make("diag", x)),
    "d diag(v) = diag(dv)",
    lambda n, i, g: make("diagvec", g),
    "<G, diag(v)> = <diag(G), v>",
    sympy=lambda sp, n, a: sp.DiagMatrix(a),
)
call(
    "diagvec",
    _diagvec_shape,
    "np.diag({0}).reshape(-1, 1)",
    "torch.diagonal({0}).reshape(-1, 1)",
    _linear(lambda x: make("diagvec", x)),
    "d diag(A) = diag(dA)",
    lambda n, i, g: make("diag", g),
    "<g, diag(A)> = <Diag(g), A>",
    latex="\\operatorname{diag}",
    unicode="diag",
    text="diag",
    sympy=lambda sp, n, a: sp.DiagonalOf(a),
)
call(
    "det",
    _square_to_scalar("det"),
    "np.linalg.det({0}).reshape(1, 1)",
    "torch.linalg.det({0}).reshape(1, 1)",
    lambda n, da: da[0] and matmul(n, make("trace", matmul(make("inv", n.args[0]), da[0]))),
    "d det X = det X tr(X⁻¹ dX)",
    latex="\\det",
    sympy=lambda sp, n, a: sp.Determinant(a),
)
call(
    "logdet",
    _square_to_scalar("logdet"),
    "np.linalg.slogdet({0})[1].reshape(1, 1)",
    "torch.linalg.slogdet({0})[1].reshape(1, 1)",
    lambda n, da: da[0] and make("trace", matmul(make("inv", n.args[0]), da[0])),
    "d log det X = tr(X⁻¹ dX)",
    latex="\\log\\det",
    sympy=lambda sp, n, a: sp.log(sp.Determinant(a)),
)
register(
    Op(
        "norm1",
        _scalar,
        "wrap",
        ("norm1({0})", "norm1({0})", "\\|{0}\\|_1"),
        "np.sum(np.abs({0})).reshape(1, 1)",
        "torch.sum(torch.abs({0})).reshape(1, 1)",
        lambda n, da: da[0] and inner(make("sign", n.args[0]), da[0]),
        "d‖x‖₁ = <sign(x), dx>",
        sympy=lambda sp, n, a: _sp_total(sp, n.args[0], a.applyfunc(sp.Abs)),
    )
)
call(
    "softmax",
    _same,
    "_softmax({0})",
    "torch.softmax({0}, dim=0)",
    _jvp_softmax,
    "d softmax(z) = s ⊙ dz - s (sᵀ dz)",
    sympy=lambda sp, n, a: a.applyfunc(sp.exp) / _sp_total(sp, n, a.applyfunc(sp.exp)),
)
call(
    "logsumexp",
    lambda a, t: (1, a[0].shape[1]),
    "_logsumexp({0})",
    "torch.logsumexp({0}, dim=0, keepdim=True)",
    _jvp_logsumexp,
    "d logsumexp(z) = softmax(z)ᵀ dz",
    sympy=lambda sp, n, a: sp.log(_sp_total(sp, n.args[0], a.applyfunc(sp.exp))),
)


# ---------------------------------------------------------------- elementwise functions


def elementwise(
    name: str,
    numpy: str,
    torch: str,
    deriv: Callable[[Expr, Expr], Expr],
    unicode: str = "",
    latex: str = "",
    aliases: tuple[str, ...] = (),
    text: str = "",
    sympy: str = "",
) -> Op:
    """Register f applied entry by entry, with f'(z) given from z and out = f(z);
    ``sympy`` is f(t) as SymPy reads it (``"exp(t)"``)."""

    def jvp(node: Expr, da: tuple[Expr | None, ...]) -> Expr | None:
        return da[0] and hadamard(deriv(node.args[0], node), da[0])

    forms = (text or name, unicode or text or name, latex or f"\\operatorname{{{name}}}")

    def to_sympy(sp: Any, node: Expr, a: Any) -> Any:
        t = sp.Dummy("t")
        f = sp.sympify(sympy, locals={"t": t})
        return f.subs(t, a) if is_scalar(node.shape) else a.applyfunc(sp.Lambda(t, f))

    return register(
        Op(
            name,
            _same,
            "call",
            forms,
            numpy,
            torch,
            jvp,
            "elementwise chain rule",
            deriv=deriv,
            aliases=aliases,
            sympy=to_sympy,
        )
    )


def _one_minus(x: Expr) -> Expr:
    return add(const(1), neg(x))


def _square_of(x: Expr) -> Expr:
    return make("hpow", x, const(2))


def _recip(x: Expr) -> Expr:
    return div(const(1), x)


elementwise("exp", "np.exp({0})", "torch.exp({0})", lambda z, out: out, latex="\\exp", sympy="exp(t)")
elementwise("log", "np.log({0})", "torch.log({0})", lambda z, out: _recip(z), latex="\\log", sympy="log(t)")
elementwise("sin", "np.sin({0})", "torch.sin({0})", lambda z, out: make("cos", z), latex="\\sin", sympy="sin(t)")
elementwise("cos", "np.cos({0})", "torch.cos({0})", lambda z, out: neg(make("sin", z)), latex="\\cos", sympy="cos(t)")
elementwise(
    "tan", "np.tan({0})", "torch.tan({0})", lambda z, out: add(const(1), _square_of(out)), latex="\\tan", sympy="tan(t)"
)
elementwise(
    "arcsin",
    "np.arcsin({0})",
    "torch.asin({0})",
    lambda z, out: _recip(make("sqrt", _one_minus(_square_of(z)))),
    latex="\\arcsin",
    sympy="asin(t)",
)
elementwise(
    "arccos",
    "np.arccos({0})",
    "torch.acos({0})",
    lambda z, out: neg(_recip(make("sqrt", _one_minus(_square_of(z))))),
    latex="\\arccos",
    sympy="acos(t)",
)
elementwise(
    "arctan",
    "np.arctan({0})",
    "torch.atan({0})",
    lambda z, out: _recip(add(const(1), _square_of(z))),
    latex="\\arctan",
    sympy="atan(t)",
)
elementwise(
    "tanh",
    "np.tanh({0})",
    "torch.tanh({0})",
    lambda z, out: _one_minus(_square_of(out)),
    latex="\\tanh",
    sympy="tanh(t)",
)
elementwise(
    "sigmoid",
    "0.5 * (1 + np.tanh(0.5 * {0}))",
    "torch.sigmoid({0})",
    lambda z, out: hadamard(out, _one_minus(out)),
    unicode="σ",
    latex="\\sigma",
    aliases=("σ",),
    sympy="1 / (1 + exp(-t))",
)
elementwise(
    "step",
    "np.heaviside({0}, 0.0)",
    "({0} > 0).to({0}.dtype)",
    lambda z, out: fill(0, z.shape),
    text="relu'",
    latex="\\operatorname{relu}'",
    sympy="Heaviside(t)",
)
elementwise("relu", "np.maximum({0}, 0)", "torch.relu({0})", lambda z, out: make("step", z), sympy="Max(t, 0)")
elementwise(
    "softplus",
    "np.logaddexp(0, {0})",
    "torch.nn.functional.softplus({0})",
    lambda z, out: make("sigmoid", z),
    sympy="log(1 + exp(t))",
)
elementwise(
    "sqrt",
    "np.sqrt({0})",
    "torch.sqrt({0})",
    lambda z, out: _recip(matmul(const(2), out)),
    latex="\\sqrt",
    sympy="sqrt(t)",
)
elementwise("abs", "np.abs({0})", "torch.abs({0})", lambda z, out: make("sign", z), sympy="Abs(t)")
elementwise("sign", "np.sign({0})", "torch.sign({0})", lambda z, out: fill(0, z.shape), sympy="sign(t)")

# Parser-facing names: what a user may call, mapped to registry entries.
FUNCTIONS: dict[str, str] = {
    name: name for name, op in OPS.items() if op.layout == "call" and name not in ("diagvec", "step")
}
FUNCTIONS.update(
    {
        "tr": "trace",
        "σ": "sigmoid",
        "norm": "norm2",
        "norm2": "norm2",
        "relu'": "step",
        "logistic": "sigmoid",
        "inv": "inv",
        "norm1": "norm1",
    }
)
