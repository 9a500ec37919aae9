"""Helpers every rule list uses, and the first textbook rules: leaves, transposes, negation.

``LEAVES``, ``TRANSPOSES`` and ``NEGATION`` are rule lists of the simplifier (``simplify.py``
runs them first, in this order); ``fill_scalar``, ``transpose_transpose`` and
``transpose_scalar`` are shared with the code generator's list (``lowering/rules.py``).
``order_key`` orders commuting factors much as their printed forms sort, without printing them:
by a bounded structural key computed once per node (O(1) per comparison, however deep the factors).
Invariant: every rule is one identity of values that keeps the shape.
"""

from __future__ import annotations

import hashlib

from matcalc.algebra.expr import Expr, walk
from matcalc.algebra.ops import add, const, fill, make, matmul, transpose
from matcalc.algebra.shapes import is_scalar
from matcalc.simplification.engine import Rule, RuleList


def zero(shape: tuple) -> Expr:
    """The zero of a shape: 0 for a scalar, else a filled array."""
    return const(0) if is_scalar(shape) else fill(0, shape)


def is_value(e: Expr, v: float) -> bool:
    """e is the number v, or an array filled with v."""
    return e.op in ("const", "fill") and e.attr == v


def is_identity(e: Expr) -> bool:
    """e is I (or the 1x1 one)."""
    return e.op == "identity" or is_value(e, 1) and is_scalar(e.shape)


def scalar(e: Expr) -> bool:
    """e is 1x1."""
    rows, cols = e.shape
    if rows.__class__ in (int, str) and cols.__class__ in (int, str):  # no dimension left to infer
        return rows == 1 and cols == 1
    return is_scalar(e.shape)


_PREFIX = 12  # how many heads of a node's preorder its sort key holds
_KEYS: dict[Expr, tuple[tuple[str, ...], int, int]] = {}


def forget_order() -> None:
    """Drop the memoized sort keys (they hold their nodes)."""
    _KEYS.clear()


def _head(e: Expr) -> str:
    return e.op + ("" if e.attr is None else f"[{e.attr!r}]") + "("


def sort_key(e: Expr) -> tuple[tuple[str, ...], int, int]:
    """A structural sort key of bounded size, computed once per node (children first, iteratively):
    the first heads of the node's preorder (so factors sort as their printed forms mostly do:
    ``cos(x)`` before ``exp(x)``), then the taller node first, then a digest of the whole tree
    (history-independent, unlike creation order). Comparing two keys costs O(1)."""
    if len(_KEYS) > 200_000:
        forget_order()
    for node in walk(e, _KEYS):
        head = _head(node)
        prefix, height = [head], 0
        digest = hashlib.blake2b(f"{head}{node.shape!r}".encode(), digest_size=8)
        for a in node.args:
            a_height, a_prefix, a_digest = _KEYS[a]
            if len(prefix) < _PREFIX:
                prefix += a_prefix[:_PREFIX - len(prefix)]
            height = max(height, 1 - a_height)
            digest.update(a_digest.to_bytes(8, "big"))
        _KEYS[node] = (-height, tuple(prefix), int.from_bytes(digest.digest(), "big"))
    return _KEYS[e]


def order_key(e: Expr) -> tuple:
    """Commuting scalar factors in one deterministic order: variables first, then by ``sort_key``."""
    return (e.op != "var",) + sort_key(e)


# ---------------------------------------------------------------- leaves

LEAVES = RuleList()

fill_scalar = Rule("an array of one entry is a number", ("fill",), lambda e: const(e.attr), scalar)
LEAVES.append(fill_scalar)


@LEAVES.rule("I (1×1) = 1", "identity", guard=scalar)
def _identity_scalar(e: Expr) -> Expr | None:
    return const(1)


# ---------------------------------------------------------------- transpose: pushed to the leaves

TRANSPOSES = RuleList()

transpose_transpose = Rule("(Aᵀ)ᵀ = A", ("transpose",), lambda e: e.args[0].args[0],
                           lambda e: e.args[0].op == "transpose")
TRANSPOSES.append(transpose_transpose)
transpose_scalar = Rule("sᵀ = s", ("transpose",), lambda e: e.args[0], lambda e: scalar(e.args[0]))
TRANSPOSES.append(transpose_scalar)


@TRANSPOSES.rule("Iᵀ = I", "transpose", guard=lambda e: e.args[0].op == "identity")
@TRANSPOSES.rule("diag(v)ᵀ = diag(v)", "transpose", guard=lambda e: e.args[0].op == "diag")
def _transpose_diagonal(e: Expr) -> Expr | None:
    return e.args[0]


@TRANSPOSES.rule("Xᵀ = X for symmetric X", "transpose",
                 guard=lambda e: e.args[0].op == "var" and e.args[0].attr.kind in ("symmetric", "spd"))
def _transpose_symmetric(e: Expr) -> Expr | None:
    return e.args[0]


@TRANSPOSES.rule("(c 𝟙)ᵀ = c 𝟙ᵀ", "transpose", guard=lambda e: e.args[0].op == "fill")
def _transpose_fill(e: Expr) -> Expr | None:
    return fill(e.args[0].attr, e.shape)


@TRANSPOSES.rule("(A B)ᵀ = Bᵀ Aᵀ", "transpose", guard=lambda e: e.args[0].op == "matmul")
def _transpose_product(e: Expr) -> Expr | None:
    a, b = e.args[0].args
    return matmul(transpose(b), transpose(a))


def _transpose_args(a: Expr) -> Expr:
    return make(a.op, *(transpose(x) if not scalar(x) else x for x in a.args), attr=a.attr)


@TRANSPOSES.rule("(-A)ᵀ = -Aᵀ", "transpose", guard=lambda e: e.args[0].op == "neg")
def _transpose_neg(e: Expr) -> Expr | None:
    return _transpose_args(e.args[0])


@TRANSPOSES.rule("(A ⊙ B)ᵀ = Aᵀ ⊙ Bᵀ", "transpose", guard=lambda e: e.args[0].op == "hadamard")
def _transpose_hadamard(e: Expr) -> Expr | None:
    return _transpose_args(e.args[0])


@TRANSPOSES.rule("(A ./ B)ᵀ = Aᵀ ./ Bᵀ", "transpose", guard=lambda e: e.args[0].op == "div")
def _transpose_div(e: Expr) -> Expr | None:
    return _transpose_args(e.args[0])


@TRANSPOSES.rule("(A⁻¹)ᵀ = (Aᵀ)⁻¹", "transpose", guard=lambda e: e.args[0].op == "inv")
@TRANSPOSES.rule("(Aᵏ)ᵀ = (Aᵀ)ᵏ", "transpose", guard=lambda e: e.args[0].op == "mpow")
def _transpose_inverse(e: Expr) -> Expr | None:
    return make(e.args[0].op, transpose(e.args[0].args[0]), attr=e.args[0].attr)


@TRANSPOSES.rule("(A.^p)ᵀ = (Aᵀ).^p", "transpose", guard=lambda e: e.args[0].op == "hpow")
def _transpose_hpow(e: Expr) -> Expr | None:
    return make("hpow", transpose(e.args[0].args[0]), e.args[0].args[1])


@TRANSPOSES.rule("(aᵀ + bᵀ)ᵀ = a + b: a row sum, transposed, is written as a column", "transpose",
                 guard=lambda e: e.args[0].op == "add" and e.shape[1] == 1 and not scalar(e))
def _transpose_row_sum(e: Expr) -> Expr | None:
    return add(*(transpose(t) if not scalar(t) else t for t in e.args[0].args))


# ---------------------------------------------------------------- negation

NEGATION = RuleList()


@NEGATION.rule("-(-A) = A", "neg", guard=lambda e: e.args[0].op == "neg")
def _neg_neg(e: Expr) -> Expr | None:
    return e.args[0].args[0]


@NEGATION.rule("-(c) = (-c)", "neg", guard=lambda e: e.args[0].op in ("const", "fill"))
def _neg_number(e: Expr) -> Expr | None:
    a = e.args[0]
    return const(-a.attr) if a.op == "const" else fill(-a.attr, a.shape)


@NEGATION.rule("-(c A) = (-c) A", "neg", guard=lambda e: e.args[0].op == "matmul" and e.args[0].args[0].op == "const")
def _neg_scaled(e: Expr) -> Expr | None:
    c, a = e.args[0].args
    return matmul(const(-c.attr), a)


@NEGATION.rule("-((c A) B) = ((-c) A) B", "neg", guard=lambda e: e.args[0].op == "matmul"
               and e.args[0].args[0].op == "matmul" and e.args[0].args[0].args[0].op == "const")
def _neg_scaled_chain(e: Expr) -> Expr | None:
    (c, a), b = e.args[0].args[0].args, e.args[0].args[1]
    return matmul(matmul(const(-c.attr), a), b)
