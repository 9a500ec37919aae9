"""Rewrite rules that make generated code numerically stable and fast.

Rules are data: each ``Rule`` is named by the identity it applies and returns the
rewritten node or None. ``STABLE`` turns overflow-prone forms into stable ones
(``log(1 + exp(z))`` -> ``softplus(z)``); ``FAST`` replaces forms that waste work
(``tr(A B)`` -> ``sum(A ⊙ Bᵀ)``, ``‖x‖²`` -> ``<x, x>``, ``(A B + C) v`` -> ``A (B v) + C v``).
The rules that need the whole DAG (after chain ordering) are in ``finish.py``.

Some results use operations private to code generation (``colmax``, ``bsub``, ``bdiv``,
and in ``finish.py`` ``solve``, ``bmul``, ``mask``, ``addsub``…): they are built with ``Expr``
directly and only ``emit.py`` lowers them. Invariant: every rule preserves value and shape.
"""

from __future__ import annotations

from collections.abc import Iterable

from matcalc.algebra.expr import Expr, walk
from matcalc.algebra.ops import OPS, const, inner, make, neg, transpose
from matcalc.algebra.shapes import is_scalar
from matcalc.simplification.basics import fill_scalar, is_value, transpose_scalar, transpose_transpose
from matcalc.simplification.engine import Engine, Rule, RuleList


def body(e: Expr) -> Expr:
    """e with definition wrappers (``ref``) removed: what a rule looks at."""
    while e.op == "ref":
        e = e.args[0]
    return e


def symmetric(e: Expr) -> bool:
    """e is known to be a symmetric matrix (declared so, or built from symmetric parts)."""
    if e.op == "var":
        return e.attr.kind in ("symmetric", "spd") or is_scalar(e.shape)
    if is_scalar(e.shape) or e.op == "identity" or e.op == "fill" and e.shape[0] == e.shape[1]:
        return True
    if e.op in OPS and "symmetric" in OPS[e.op].preserves:
        return all(symmetric(a) for a in e.args)
    return e.op == "matmul" and any(is_scalar(a.shape) for a in e.args) and all(symmetric(a) for a in e.args)


def flip(e: Expr) -> Expr:
    """eᵀ without stacking transposes; a scalar or symmetric matrix is its own transpose."""
    if is_scalar(e.shape) or symmetric(e):
        return e
    return e.args[0] if e.op == "transpose" else transpose(e)


def local(op: str, *args: Expr, shape: tuple, attr: object = None) -> Expr:
    """A node of an operation private to code generation."""
    return Expr(op, args, attr, shape)


def parents(roots: list[Expr]) -> dict[Expr, list[Expr]]:
    """For every node below the roots, the nodes that use it (once per distinct parent)."""
    found: dict[Expr, list[Expr]] = {}
    for root in roots:
        for node in walk(root, found):
            found[node] = []
            for a in dict.fromkeys(node.args):
                found[a].append(node)
    return found


def is_product(e: Expr) -> bool:
    return e.op == "matmul" and not any(is_scalar(a.shape) for a in e.args)


def rewrite(roots: Iterable[Expr], rules: list[Rule], memo: dict[Expr, Expr] | None = None) -> list[Expr]:
    """Every root rewritten bottom-up with ``rules`` to a fixed point (each distinct node once)."""
    return Engine(rules, memo).run(roots)


def _terms_one_plus(e: Expr) -> Expr | None:
    """x when e = 1 + x (in either order, 1 a number or a filled array), else None."""
    e = body(e)
    if e.op == "add" and len(e.args) == 2:
        a, b = e.args
        if is_value(a, 1):
            return b
        if is_value(b, 1):
            return a
    return None


def _softplus(z: Expr) -> Expr:
    return make("softplus", z)


# ---------------------------------------------------------------- stability

STABLE = RuleList()
_stable = STABLE.rule


@_stable("log(1 + exp(z)) = softplus(z)", "log")
def _log1p_exp(e: Expr) -> Expr | None:
    if e.op == "log":
        x = _terms_one_plus(e.args[0])
        if x is not None and body(x).op == "exp":
            return _softplus(body(x).args[0])
    return None


@_stable("log(σ(z)) = -softplus(-z)", "log")
def _log_sigmoid(e: Expr) -> Expr | None:
    if e.op == "log" and body(e.args[0]).op == "sigmoid":
        return neg(_softplus(neg(body(e.args[0]).args[0])))
    return None


@_stable("log(1 - σ(z)) = -softplus(z)", "log")
def _log_one_minus_sigmoid(e: Expr) -> Expr | None:
    if e.op == "log":
        x = _terms_one_plus(e.args[0])
        if x is not None and body(x).op == "neg" and body(body(x).args[0]).op == "sigmoid":
            return neg(_softplus(body(body(x).args[0]).args[0]))
    return None


@_stable("log(exp(u) ./ s) = u - log(s) (log softmax without a log of a rounded ratio)", "log")
def _log_ratio(e: Expr) -> Expr | None:
    if e.op == "log" and e.args[0].op == "bdiv" and e.args[0].args[0].op == "exp":
        (u,), s = e.args[0].args[0].args, e.args[0].args[1]
        return local("bsub", u, make("log", s), shape=e.shape)
    return None


@_stable("log(exp(z)) = z", "log")
def _log_exp(e: Expr) -> Expr | None:
    return body(e.args[0]).args[0] if e.op == "log" and body(e.args[0]).op == "exp" else None


@_stable("log(sum(exp(z))) = logsumexp(z) (z a column: no overflow, and it shares softmax's parts)", "log")
def _log_sum_exp(e: Expr) -> Expr | None:
    s = body(e.args[0])
    if s.op == "sum" and body(s.args[0]).op == "exp" and s.args[0].shape[1] == 1 and not is_scalar(s.args[0].shape):
        z = body(s.args[0]).args[0]
        return None if z.op == "bsub" else make("logsumexp", z)  # z - max(z) is logsumexp's own form
    return None


@_stable("exp(z) ./ (1 + exp(z)) = σ(z)", "div")
def _exp_ratio(e: Expr) -> Expr | None:
    if e.op == "div" and body(e.args[0]).op == "exp":
        x = _terms_one_plus(e.args[1])
        if x is not None and body(x) is body(e.args[0]):
            return make("sigmoid", body(x).args[0])
    return None


@_stable("1 ./ (1 + exp(-z)) = σ(z)", "div")
def _logistic(e: Expr) -> Expr | None:
    if e.op == "div" and is_value(e.args[0], 1):
        x = _terms_one_plus(e.args[1])
        if x is not None and body(x).op == "exp" and body(body(x).args[0]).op == "neg":
            z = body(body(x).args[0]).args[0]
            if z.shape == e.shape:
                return make("sigmoid", z)
    return None


def _column_parts(z: Expr) -> tuple[Expr, Expr, Expr]:
    """m = column maxima of z, E = exp(z - m), s = column sums of E: the shared pieces of
    logsumexp(z) = m + log(s) and softmax(z) = E ./ s (so both cost one exp)."""
    cols = (1, z.shape[1])
    m = local("colmax", z, shape=cols)
    e = make("exp", local("bsub", z, m, shape=z.shape))
    return m, e, make("sum", e) if is_scalar(cols) else local("colsum", e, shape=cols)


@_stable("logsumexp(z) = m + log(sum(exp(z - m))), m = max(z) (per column)", "logsumexp")
def _logsumexp(e: Expr) -> Expr | None:
    if e.op == "logsumexp" and not is_scalar(e.args[0].shape):
        m, _, s = _column_parts(e.args[0])
        return make("add", m, make("log", s))
    return None


@_stable("softmax(z) = exp(z - m) ./ sum(exp(z - m)), m = max(z) (per column)", "softmax")
def _softmax(e: Expr) -> Expr | None:
    if e.op == "softmax" and not is_scalar(e.shape):
        _, ex, s = _column_parts(e.args[0])
        return local("bdiv", ex, s, shape=e.shape)
    return None


# ---------------------------------------------------------------- speed

FAST = RuleList([fill_scalar])
_fast = FAST.rule


def _has_fill(e: Expr) -> bool:
    return not is_scalar(e.shape) and any(a.op == "fill" for a in e.args) and \
        any(a.shape == e.shape and a.op != "fill" for a in e.args)


@_fast("A + c𝟙 = A + c (a filled array broadcasts as a number)", "add", guard=_has_fill)
@_fast("A ⊙ c𝟙 = A ⊙ c (a filled array broadcasts as a number)", "hadamard", guard=_has_fill)
@_fast("A ./ c𝟙 = A ./ c (a filled array broadcasts as a number)", "div", guard=_has_fill)
def _fill_broadcast(e: Expr) -> Expr | None:
    args = [const(a.attr) if a.op == "fill" else a for a in e.args]
    return Expr(e.op, tuple(args), e.attr, e.shape)


@_fast("‖x‖² = <x, x>", "hpow")
def _norm_squared(e: Expr) -> Expr | None:
    if e.op == "hpow" and body(e.args[0]).op == "norm2" and is_value(e.args[1], 2):
        x = body(e.args[0]).args[0]
        return inner(x, x)
    return None


@_fast("tr(A B) = <Aᵀ, B> = sum(A ⊙ Bᵀ)", "trace")
def _trace_product(e: Expr) -> Expr | None:
    if e.op == "trace" and e.args[0].op == "matmul" and not any(is_scalar(a.shape) for a in e.args[0].args):
        a, b = e.args[0].args
        cheap = b.op == "var" or b.op == "transpose"  # bᵀ costs nothing: no transpose of a product
        return inner(a, transpose(b)) if cheap else inner(transpose(a), b)
    return None


def _costly(t: Expr) -> bool:
    """t (under signs and scalar factors) is a product of matrices or an inverse: forming it
    costs more than applying it to a vector."""
    while t.op == "neg" or t.op == "matmul" and is_scalar(t.args[0].shape):
        t = t.args[-1]
    return t.op == "inv" or t.op == "matmul" and not any(is_scalar(a.shape) for a in t.args)


def _spread_sum(e: Expr) -> bool:
    """e is a sum with a number added to every entry: (A + s) v is not A v + s v."""
    return e.op == "add" and not all(t.shape == e.shape for t in e.args)


def _matrix_product(e: Expr) -> bool:
    return not any(is_scalar(a.shape) for a in e.args) and not any(_spread_sum(a) for a in e.args)


@_fast("(A + B) v = A v + B v when A or B is a product (never form it)", "matmul",
       guard=lambda e: _matrix_product(e) and e.args[0].op == "add" and e.args[1].shape[1] == 1
       and any(_costly(t) for t in e.args[0].args))
def _distribute_over_vector(e: Expr) -> Expr | None:
    return make("add", *(make("matmul", t, e.args[1]) for t in e.args[0].args))


@_fast("vᵀ (A + B) = vᵀ A + vᵀ B when A or B is a product (never form it)", "matmul",
       guard=lambda e: _matrix_product(e) and e.args[1].op == "add" and e.args[0].shape[0] == 1
       and any(_costly(t) for t in e.args[1].args))
def _distribute_over_row(e: Expr) -> Expr | None:
    return make("add", *(make("matmul", e.args[0], t) for t in e.args[1].args))


FAST.append(transpose_transpose)


@_fast("uᵀ M = (Mᵀ u)ᵀ (rows as transposed columns: uᵀ Aᵀ and A u are computed once)", "matmul")
def _row_times_matrix(e: Expr) -> Expr | None:
    if e.op == "matmul" and e.args[0].op == "transpose" and e.args[0].shape[0] == 1 and not is_scalar(e.shape):
        u, m = e.args[0].args[0], e.args[1]
        if not is_scalar(m.shape) and m.shape[1] != 1:
            return transpose(make("matmul", flip(m), u))
    return None


FAST.append(transpose_scalar)

ENTRYWISE = tuple(name for name, op in OPS.items() if op.elementwise and op.arity == 1)


@_fast("f(Mᵀ) = f(M)ᵀ for f entry by entry (so f(M) and f(Mᵀ) are one computation)", *ENTRYWISE)
def _entrywise_of_transpose(e: Expr) -> Expr | None:
    if e.args and e.args[0].op == "transpose" and not is_scalar(e.shape):
        return transpose(make(e.op, e.args[0].args[0]))
    return None


def strip_refs(keep: set[str]) -> Rule:
    """A rule dropping definition wrappers except the user's own (whose names the code keeps)."""
    return Rule("unnamed definitions are inlined", ("ref",), lambda e: e.args[0], lambda e: e.attr not in keep)
