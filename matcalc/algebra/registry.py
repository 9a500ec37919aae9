"""The operation record, the registry, and the constructors every module builds with.

An ``Op`` holds everything about one operation: its shape rule, how it prints
(text, Unicode, LaTeX), how it lowers to NumPy and torch, its SymPy form, its d-rule
(the JVP: ``d op(a, b) = …`` in terms of ``da``, ``db``) and, where it is linear in an
argument, its adjoint (``<G, op(…, dX, …)> = <adjoint(G), dX>``: a Frobenius
identity). The entries themselves live in ``ops.py`` (algebra) and ``functions.py``
(functions); the family constructors here (``call``, ``elementwise``, ``linear``,
``bilinear``) make most entries a few lines. The differentiator, printers and
compilers walk the registry; none of them names a specific operation.

Lowerings (``numpy``, ``torch``) are in the emitter's convention: matrices 2-D, rows and
columns alike 1-D, scalars 0-d. A lowering is a template with ``{0}``, ``{1}`` for the
arguments' code, ``{a}`` for the node's attr and ``{m}`` for the module (``np``, ``torch``),
or a function ``(node, args, em) -> code`` where ``em`` (the emitter) offers ``em.module``,
``em.dim(d)`` (code for a dimension), ``em.size(shape)`` (code for an array's shape),
``em.number(x)`` (a number as code) and ``em.variable(var)`` (a variable's name).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from matcalc.algebra.expr import Expr, Var, transform
from matcalc.algebra.shape_rules import shape_same
from matcalc.algebra.shapes import SCALAR, Shape, is_scalar

Forms = tuple[str, str, str]  # text, unicode, latex
JVP = Callable[[Expr, tuple["Expr | None", ...]], "Expr | None"]
Adjoint = Callable[[Expr, int, Expr], Expr]
Template = str | Callable[[Expr, list[str], Any], str]

# Printing precedence: how tightly a node binds.
SUM, PRODUCT, NEG, POSTFIX, ATOM = 1, 2, 3, 4, 5


# Properties an entry's result may inherit from its arguments (``Op.preserves``) and that an
# argument may need when inputs are sampled (``Op.domain``).
PROPERTIES = ("symmetric", "positive", "small", "conditioned")
DOMAINS = ("any", "positive", "small", "conditioned")  # small: inside the unit interval, away from poles


@dataclass(frozen=True)
class Op:
    """One operation: everything matcalc knows about it.

    The keyword-only facts below replace the name lists other modules used to keep:
    ``arity`` (None: any number, e.g. a sum), ``aliases`` (the names a user may call it by,
    ``tr(A)``; the parser reads them through ``call_names()``), ``symbols`` (infix spellings,
    ``*``, ``⊙``), ``linear_in`` (the argument positions it is linear in), ``elementwise``
    (f applied entry by entry), ``domain`` (per argument, what sampled inputs must satisfy:
    one of DOMAINS), ``preserves`` (properties of the arguments the result keeps: a subset of
    PROPERTIES) and ``pick`` (for an overloaded call name, the entry to build for the given
    arguments: ``diag`` of a matrix is ``diagvec``), ``scalar_form`` (for an operation that
    is not elementwise, ``(node, args) -> Expr``: the same operation on 1×1 arguments written
    entry by entry, ``tr(s) = s``, ``s⁻¹ = 1 / s``; code generation lowers 0-d arguments
    through it, and a user function's body applies entry by entry through it). For code
    generation: ``takes_numbers`` (the
    lowering works on plain Python numbers, so ``0.5 * 2.0`` stays a number) and
    ``numpy_helper`` (the source of a helper function the NumPy lowering calls).
    """

    name: str
    shape: Callable[[tuple[Expr, ...], Any], Shape]
    layout: str  # leaf | call | infix | prefix | postfix | power | wrap | sum
    forms: Forms = ("", "", "")
    numpy: Template = ""  # the lowering for NumPy (emitter's convention, see the module docstring)
    torch: Template = ""
    jvp: JVP | None = None
    jvp_rule: str = ""
    adjoint: Adjoint | None = None
    adjoint_rule: str = ""
    prec: int = ATOM
    scalar_forms: Forms | None = None  # infix forms when the right operand is a scalar
    fused: tuple[tuple[str, Forms], ...] = ()  # postfix forms when the argument is that op: X⁻ᵀ
    deriv: Callable[[Expr, Expr], Expr] | None = None  # elementwise: f'(z) from z and f(z)
    aliases: tuple[str, ...] = field(default=())  # the names a user may call it by: tr, trace
    sympy: Callable[..., Any] | None = None  # (sympy module, node, *converted args) -> SymPy expression
    arity: int | None = field(default=1, kw_only=True)
    symbols: tuple[str, ...] = field(default=(), kw_only=True)
    linear_in: tuple[int, ...] = field(default=(), kw_only=True)
    elementwise: bool = field(default=False, kw_only=True)
    domain: tuple[str, ...] = field(default=(), kw_only=True)  # per argument; missing ones are "any"
    preserves: frozenset[str] = field(default=frozenset(), kw_only=True)
    pick: Callable[[tuple[Expr, ...]], str] | None = field(default=None, kw_only=True)
    scalar_form: Callable[[Expr, tuple[Expr, ...]], Expr] | None = field(default=None, kw_only=True)
    takes_numbers: bool = field(default=False, kw_only=True)  # lowering accepts plain Python numbers
    numpy_helper: str = field(default="", kw_only=True)  # source of a function `_name` the NumPy lowering calls
    on_matrix: str = field(default="", kw_only=True)  # how it acts on a matrix, said with the reading (column-wise)
    sizes: int = field(default=0, kw_only=True)  # a call ending in this many sizes, the node's attr: unvec(a, n, m)

    def needs(self, i: int) -> str:
        """What argument i's sampled values must satisfy (one of DOMAINS)."""
        return self.domain[i] if i < len(self.domain) else "any"


OPS: dict[str, Op] = {}


def register(op: Op) -> Op:
    """Add an entry to the registry (each name once)."""
    assert op.name not in OPS, op.name
    OPS[op.name] = op
    return op


def call_names() -> dict[str, str]:
    """Every name a user may call, mapped to its entry (``tr`` -> ``trace``)."""
    return {alias: op.name for op in OPS.values() for alias in op.aliases}


def infix_symbols() -> dict[str, str]:
    """Every infix spelling, mapped to its entry (``⊙`` -> ``hadamard``)."""
    return {s: op.name for op in OPS.values() for s in op.symbols}


def build_call(name: str, *args: Expr, attr: Any = None) -> Expr:
    """The node a call ``name(args)`` builds: the entry the name maps to, or the one its ``pick`` chooses
    (``attr``: the sizes a call with ``Op.sizes`` ends in)."""
    spec = OPS[call_names()[name]]
    return make(spec.pick(args) if spec.pick else spec.name, *args, attr=attr)


def make(name: str, *args: Expr, attr: Any = None) -> Expr:
    """Build a node of a registered operation; its shape rule runs (and may raise ShapeError)."""
    return Expr(name, args, attr, OPS[name].shape(args, attr))


def rebuilt(node: Expr, args: tuple[Expr, ...]) -> Expr:
    """node on new children, its shape recomputed by the shape rule; node itself when unchanged."""
    return node if args == node.args else make(node.op, *args, attr=node.attr)


def substitute(root: Expr, mapping: dict[Expr, Expr]) -> Expr:
    """root with every node in mapping replaced (shapes recomputed above the replacements)."""
    return transform(root, lambda node, args: mapping.get(node) or rebuilt(node, args))


# ---------------------------------------------------------------- constructors


def var(name: str, kind: str, shape: Shape, positive: bool = False, simplex: str = "") -> Expr:
    """A variable leaf (``simplex``: "onehot" or "probability" when its columns sum to 1)."""
    return Expr("var", (), Var(name, kind, positive, simplex), shape)


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


def sum_present(*terms: Expr | None) -> Expr | None:
    present = [t for t in terms if t is not None]
    return add(*present) if present else None


def linear(rebuild: Callable[[Expr], Expr]) -> JVP:
    """The d-rule of a linear operation: d op(A) = op(dA)."""
    return lambda node, da: da[0] and rebuild(da[0])


def bilinear(rebuild: Callable[[Expr, Expr], Expr]) -> JVP:
    """The product rule: d op(A, B) = op(dA, B) + op(A, dB)."""

    def jvp(node: Expr, da: tuple[Expr | None, ...]) -> Expr | None:
        a, b = node.args
        return sum_present(da[0] and rebuild(da[0], b), da[1] and rebuild(a, da[1]))

    return jvp


# ---------------------------------------------------------------- SymPy forms (sympy is passed in: imported lazily)


def sympy_ones(sp: Any, node: Expr) -> Any:
    return sp.OneMatrix(*(sp.Symbol(d) if isinstance(d, str) else d for d in node.shape))


def sympy_sum(sp: Any, node: Expr, args: tuple) -> Any:
    """A sum; scalar terms of an array sum spread over every entry."""
    if is_scalar(node.shape):
        return sp.Add(*args)
    return sp.MatAdd(*(x * sympy_ones(sp, node) if is_scalar(a.shape) else x for a, x in zip(node.args, args)))


def sympy_total(sp: Any, arg: Expr, a: Any) -> Any:
    """The sum of every entry: 𝟙ᵀ A 𝟙."""
    if is_scalar(arg.shape):
        return a
    rows, cols = (sp.Symbol(d) if isinstance(d, str) else d for d in arg.shape)
    return sp.Trace(sp.OneMatrix(1, rows) * a * sp.OneMatrix(cols, 1))


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
    aliases: tuple[str, ...] | None = None,
    text: str = "",
    sympy: Callable[..., Any] | None = None,
    **facts: Any,
) -> Op:
    """Register an operation written as a function call, ``name(args)``; a user calls it by
    ``aliases`` (default: its name); ``facts`` are Op's keyword-only fields."""
    forms = (text or name, unicode or text or name, latex or f"\\operatorname{{{name}}}")
    calls = (name,) if aliases is None else aliases
    return register(
        Op(name, shape, "call", forms, numpy, torch, jvp, jvp_rule, adjoint, adjoint_rule, aliases=calls, sympy=sympy,
           **facts)
    )


def elementwise(
    name: str,
    numpy: str,
    torch: str,
    deriv: Callable[[Expr, Expr], Expr],
    unicode: str = "",
    latex: str = "",
    aliases: tuple[str, ...] | None = None,
    text: str = "",
    sympy: str = "",
    **facts: Any,
) -> Op:
    """Register f applied entry by entry, with f'(z) given from z and out = f(z);
    ``sympy`` is f(t) as SymPy reads it (``"exp(t)"``); a user calls it by ``aliases``
    (default: its name); ``facts`` are Op's other keyword-only fields."""

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
            shape_same,
            "call",
            forms,
            numpy,
            torch,
            jvp,
            "elementwise chain rule",
            deriv=deriv,
            aliases=(name,) if aliases is None else aliases,
            sympy=to_sympy,
            elementwise=True,
            **facts,
        )
    )


def same(node: Expr, args: tuple[Expr, ...]) -> Expr:
    """The scalar form of an operation that is the identity on a 1×1 argument (tr(s) = s)."""
    return args[0]


def one_minus(x: Expr) -> Expr:
    return add(const(1), neg(x))


def squared(x: Expr) -> Expr:
    return make("hpow", x, const(2))


def reciprocal(x: Expr) -> Expr:
    return div(const(1), x)
