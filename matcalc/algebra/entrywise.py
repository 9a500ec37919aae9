"""User functions: a scalar formula ``g(t) = …`` applied entry by entry, and its derivative g'.

``entrywise(body, param, arg)`` is g(arg): every node of the body is rebuilt on the
argument through the registry. An elementwise operation is rebuilt as it is (it
broadcasts); any other operation goes through its ``scalar_form`` (what it means on
1×1 arguments: ``tr(t) = t``, ``t⁻¹ = 1 / t``, ``tᵀ = t``, ``t s = t ⊙ s``), so
``g(t) = inv(1 + t)`` gives ``1 ./ (1 + X)``, never a matrix inverse. A body that is not
a scalar formula of t (it uses a matrix) is an error. ``derivative(body, param)`` is g'
by forward mode over the registry's d-rules (the JVPs), with the tangent of t equal to 1.
"""

from __future__ import annotations

from matcalc.algebra.expr import Expr, transform, walk
from matcalc.algebra.registry import OPS, const, make, rebuilt, substitute
from matcalc.algebra.shapes import MatcalcError, is_scalar, show_shape


def entrywise(body: Expr, param: Expr, arg: Expr, name: str = "g") -> Expr:
    """The scalar formula body in param applied to every entry of arg."""
    for node in walk(body):
        if not is_scalar(node.shape):
            t = param.attr.name
            raise MatcalcError(f"the body of {name}({t}) must be a scalar formula of {t} "
                               f"(it acts entry by entry), but it has a {show_shape(node.shape)} part")

    def visit(node: Expr, args: tuple[Expr, ...]) -> Expr:
        spec = OPS[node.op]
        if node is param:
            return arg
        if args == node.args:
            return node
        if node.op == "neg" and args[0].op == "const":  # -t at t = 2 is the number -2, as `-2` reads back
            return const(-args[0].attr)
        if spec.elementwise:
            return make(node.op, *args, attr=node.attr)
        if spec.scalar_form is None:
            raise MatcalcError(f"{name}(…): '{spec.forms[0].strip() or node.op}' has no entry-by-entry meaning")
        return spec.scalar_form(node, args)

    return transform(body, visit)


def derivative(body: Expr, param: Expr) -> Expr:
    """d body / d param for a scalar formula of one scalar parameter (forward mode)."""
    tangent: dict[Expr, Expr | None] = {param: const(1)}
    for node in walk(body):
        if node is param:
            continue
        da = tuple(tangent.get(a) for a in node.args)
        jvp = OPS[node.op].jvp
        out = jvp(node, da) if jvp is not None and any(t is not None for t in da) else None
        if out is not None and any(n.op == "d" for n in walk(out)):  # a d-rule written with d(x): d(x) = x'
            out = substitute(out, {make("d", x): t for x, t in tangent.items() if t is not None})
        tangent[node] = out
    return transform(tangent.get(body) or const(0), _tidy)


def _tidy(node: Expr, args: tuple[Expr, ...]) -> Expr:
    """The scalar node on new children, without the factors 1 the d-rules leave: 1 x = x ⊙ 1 = <x, 1> = x¹ = x."""
    one = const(1)
    if node.op in ("matmul", "hadamard", "inner") and one in args:
        return args[1] if args[0] is one else args[0]
    if node.op == "hpow" and args[1] is one:
        return args[0]
    return rebuilt(node, args)
