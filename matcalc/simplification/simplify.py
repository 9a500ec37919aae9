"""Textbook simplification: the rule list that makes a gradient read like the book.

``RULES`` is the simplifier's rule list on the one rewrite engine (``engine.py``), in this order:
leaves, transposes (``basics.py``), negation, products (``products.py``), reductions and named
forms (below), sums and product chains (``sums.py``), inner products and powers (below).
Together they push transposes to the leaves, drop zeros and identities, gather scalars in
front, collect like terms (``A x + A x = 2 A x``) and factor common factors
(``A x + Aᵀ x = (A + Aᵀ) x``). Invariant: every rule is one identity of values that keeps the
shape (the engine checks the shape; ``tests/test_rules.py`` checks values rule by rule), and
the rules terminate (each makes the tree smaller or moves a scalar/transpose one fixed way).
"""

from __future__ import annotations

from matcalc.algebra.expr import Expr
from matcalc.algebra.ops import OPS, const, div, fill, hadamard, make, matmul, neg, transpose, var
from matcalc.simplification.basics import LEAVES, NEGATION, TRANSPOSES, forget_order, is_value, scalar
from matcalc.simplification.engine import Applied, Engine, RuleList
from matcalc.simplification.products import PRODUCTS
from matcalc.simplification.sums import SUMS
from matcalc.simplification.textbook import TEXTBOOK

SYMMETRIC_SUMS = RuleList()


@SYMMETRIC_SUMS.rule("(A + B)ᵀ = A + B when the sum is symmetric", "transpose",
                     guard=lambda e: e.args[0].op == "add")
def _transpose_symmetric_sum(e: Expr) -> Expr | None:
    terms = e.args[0].args
    flipped = [simplify(transpose(t)) for t in terms]
    return e.args[0] if sorted(map(id, flipped)) == sorted(map(id, terms)) else None


# ---------------------------------------------------------------- reductions and named forms

REDUCTIONS = RuleList()
_PROBE = var("X", "matrix", (2, 2))
LINEAR_CALLS: dict[str, tuple[str, ...]] = {  # tr, sum: calls linear in their argument with a number as value
    op.forms[1]: (name,) for name, op in OPS.items()
    if op.linear_in == (0,) and op.layout == "call" and not op.sizes and op.shape((_PROBE,), None) == (1, 1)}


def _linear_of(op: str, test=lambda a: True):
    return lambda e: not scalar(e.args[0]) and e.args[0].op == op and test(e.args[0])


def _reduce_neg(e: Expr) -> Expr | None:
    return neg(make(e.op, e.args[0].args[0]))


def _reduce_scaled(e: Expr) -> Expr | None:
    s, a = e.args[0].args
    return matmul(s, make(e.op, a))


def _reduce_quotient(e: Expr) -> Expr | None:
    a, s = e.args[0].args
    return div(make(e.op, a), s)


for _f, _ops in LINEAR_CALLS.items():
    REDUCTIONS.rule(f"{_f}(-A) = -{_f}(A)", *_ops, guard=_linear_of("neg"))(_reduce_neg)
    REDUCTIONS.rule(f"{_f}(s A) = s {_f}(A)", *_ops, guard=_linear_of("matmul", lambda a: scalar(a.args[0])))(
        _reduce_scaled)
    REDUCTIONS.rule(f"{_f}(A / s) = {_f}(A) / s", *_ops, guard=_linear_of("div", lambda a: scalar(a.args[1])))(
        _reduce_quotient)


@REDUCTIONS.rule("s (A / t) = (s A) / t", "matmul", guard=lambda e: scalar(e.args[0]) and e.args[1].op == "div"
                 and scalar(e.args[1].args[1]) and not scalar(e.args[1]))
def _scale_quotient(e: Expr) -> Expr | None:
    return div(matmul(e.args[0], e.args[1].args[0]), e.args[1].args[1])


@REDUCTIONS.rule("diag(a bᵀ) = a ⊙ b", "diagvec", guard=lambda e: e.args[0].op == "matmul"
                 and e.args[0].args[0].shape[1] == 1 and e.args[0].args[1].op == "transpose"
                 and not scalar(e.args[0].args[0]))
def _diag_outer(e: Expr) -> Expr | None:
    return hadamard(e.args[0].args[0], e.args[0].args[1].args[0])


@REDUCTIONS.rule("(c 𝟙)(d 𝟙ᵀ) = c d 𝟙𝟙ᵀ (a filled array)", "matmul",
                 guard=lambda e: all(a.op == "fill" for a in e.args) and e.args[0].shape[1] == 1)
def _outer_fill(e: Expr) -> Expr | None:
    return fill(e.args[0].attr * e.args[1].attr, e.shape)  # only an outer product: 𝟙ᵀ𝟙 is n, not 1


@REDUCTIONS.rule("aᵀ (b ./ a) = sum(b) for b of a's shape", "matmul",
                 guard=lambda e: e.args[0].op == "transpose" and e.args[1].op == "div" and e.shape == (1, 1)
                 and e.args[1].args[1] is e.args[0].args[0] and e.args[1].args[0].shape == e.args[1].shape)
def _sum_of_ratio(e: Expr) -> Expr | None:
    return make("sum", e.args[1].args[0])


@REDUCTIONS.rule("exp(A) ./ (1 + exp(A)) = σ(A)", "div", guard=lambda e: e.args[0].op == "exp"
                 and e.args[1].op == "add" and len(e.args[1].args) == 2)
def _sigmoid(e: Expr) -> Expr | None:
    one, ex = e.args[1].args
    return make("sigmoid", e.args[0].args[0]) if is_value(one, 1) and ex is e.args[0] else None


# ---------------------------------------------------------------- inner products and powers

LAST = RuleList()


@LAST.rule("<0, A> = 0", "inner", guard=lambda e: is_value(e.args[0], 0) or is_value(e.args[1], 0))
def _inner_zero(e: Expr) -> Expr | None:
    return const(0)


@LAST.rule("<s, t> = s t", "inner", guard=lambda e: scalar(e.args[0]))
def _inner_scalars(e: Expr) -> Expr | None:
    return matmul(*e.args)


@LAST.rule("<a, b> = aᵀ b for columns", "inner", guard=lambda e: e.args[0].shape[1] == 1)
def _inner_columns(e: Expr) -> Expr | None:
    return matmul(transpose(e.args[0]), e.args[1])


@LAST.rule("<a, b> = a bᵀ for rows", "inner", guard=lambda e: e.args[0].shape[0] == 1)
def _inner_rows(e: Expr) -> Expr | None:
    return matmul(e.args[0], transpose(e.args[1]))


def _constant_power(e: Expr, test) -> bool:
    return e.args[1].op == "const" and test(e.args[0], e.args[1].attr)


@LAST.rule("A.^1 = A", "hpow", guard=lambda e: _constant_power(e, lambda a, p: p == 1))
def _hpow_one(e: Expr) -> Expr | None:
    return e.args[0]


@LAST.rule("A.^0 = 1", "hpow", guard=lambda e: _constant_power(e, lambda a, p: p == 0))
def _hpow_zero(e: Expr) -> Expr | None:
    return const(1) if scalar(e.args[0]) else fill(1, e.shape)


@LAST.rule("c.^k = c^k", "hpow", guard=lambda e: _constant_power(
    e, lambda a, p: a.op == "const" and (a.attr > 0 or float(p).is_integer())))
def _hpow_number(e: Expr) -> Expr | None:
    return const(e.args[0].attr ** e.args[1].attr)


for _f, _ops in LINEAR_CALLS.items():
    LAST.rule(f"{_f}(s) = s", *_ops, guard=lambda e: scalar(e.args[0]))(lambda e: e.args[0])


@LAST.rule("(A⁻¹)⁻¹ = A", "inv", guard=lambda e: e.args[0].op == "inv")
def _inverse_inverse(e: Expr) -> Expr | None:
    return e.args[0].args[0]


@LAST.rule("sum(c 𝟙_(n×m)) = c n m", "sum", guard=lambda e: e.args[0].op == "fill"
           and all(isinstance(n, int) for n in e.args[0].shape))
def _sum_fill(e: Expr) -> Expr | None:
    rows, cols = e.args[0].shape
    return const(e.args[0].attr * rows * cols)


RULES = RuleList(LEAVES + TRANSPOSES + SYMMETRIC_SUMS + NEGATION + PRODUCTS + REDUCTIONS + SUMS + LAST + TEXTBOOK)
_simplifier = Engine(RULES)


def simplify(e: Expr) -> Expr:
    """The textbook form of e (memoized: each distinct node is simplified once)."""
    return _simplifier(e)


def simplify_traced(e: Expr) -> tuple[Expr, list[Applied]]:
    """The textbook form of e and every rule application that led to it (``Applied`` records)."""
    return Engine(RULES).traced(e)


def clear_cache() -> None:
    """Forget memoized simplifications (for honest timings; results do not change)."""
    _simplifier.memo.clear()
    forget_order()
