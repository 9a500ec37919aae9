"""The last textbook rules: scalar denominators gathered, and the named forms books use.

``TEXTBOOK`` is the simplifier's final rule list (``simplify.py`` runs it after all others).
It moves a scalar denominator out of products (``A (x / s) = A x / s``), adds terms over a
common one (``A x / s + A x / s = 2 A x / s``), cancels the logistic derivative against the
log-loss ratios (``σ ⊙ (1 − σ) ⊙ ((1 − y) ./ (1 − σ) − y ./ σ)`` becomes ``σ − y``) and names
softmax and the 2-norm (``exp(z) / sum(exp(z)) = softmax(z)``, ``sqrt(sum(G.^2)) = ‖G‖``).
Invariant: every rule is one identity of values that keeps the shape, and each moves a
division one fixed way (outwards) or makes the tree smaller, so the rules terminate.
"""

from __future__ import annotations

from matcalc.algebra.expr import Expr
from matcalc.algebra.ops import add, div, hadamard, make, matmul, neg
from matcalc.simplification.basics import is_value, scalar
from matcalc.simplification.engine import RuleList

TEXTBOOK = RuleList()
rule = TEXTBOOK.rule


def _over_scalar(e: Expr) -> bool:
    """e is an array divided by a scalar: A / s."""
    return e.op == "div" and scalar(e.args[1]) and not scalar(e)


@rule("A (B / s) = (A B) / s", "matmul",
      guard=lambda e: _over_scalar(e.args[1]) and not scalar(e.args[0]))
def _quotient_right(e: Expr) -> Expr | None:
    b, s = e.args[1].args
    return div(matmul(e.args[0], b), s)


@rule("(A / s) B = (A B) / s", "matmul",
      guard=lambda e: _over_scalar(e.args[0]) and not scalar(e.args[1]))
def _quotient_left(e: Expr) -> Expr | None:
    a, s = e.args[0].args
    return div(matmul(a, e.args[1]), s)


@rule("(A / s) ⊙ B = (A ⊙ B) / s", "hadamard", guard=lambda e: any(_over_scalar(a) for a in e.args))
def _quotient_hadamard(e: Expr) -> Expr | None:
    a, b = e.args
    if _over_scalar(a):
        return div(hadamard(a.args[0], b), a.args[1])
    return div(hadamard(a, b.args[0]), b.args[1])


def _signed_quotient(t: Expr) -> tuple[int, Expr] | None:
    """t = ±(A / s) with s a scalar: (±1, t without its sign), else None."""
    sign = 1
    if t.op == "neg":
        sign, t = -1, t.args[0]
    return (sign, t) if t.op == "div" and scalar(t.args[1]) else None


@rule("A / s + B / s = (A + B) / s", "add")
def _common_denominator(e: Expr) -> Expr | None:
    groups: dict[Expr, list[int]] = {}
    for i, t in enumerate(e.args):
        q = _signed_quotient(t)
        if q is not None and t.shape == e.shape:
            groups.setdefault(q[1].args[1], []).append(i)
    for s, idx in groups.items():
        if len(idx) < 2:
            continue
        numerators = []
        for i in idx:
            sign, q = _signed_quotient(e.args[i])
            numerators.append(q.args[0] if sign > 0 else neg(q.args[0]))
        gathered = div(add(*numerators), s)
        rest = [t for i, t in enumerate(e.args) if i not in idx]
        return add(gathered, *rest) if rest else gathered
    return None


@rule("exp(z) / sum(exp(z)) = softmax(z) for a column z", "div",
      guard=lambda e: e.args[0].op == "exp" and e.args[1].op == "sum" and e.args[1].args[0] is e.args[0]
      and e.shape[1] == 1 and not scalar(e))
def _softmax(e: Expr) -> Expr | None:
    return make("softmax", e.args[0].args[0])


@rule("sqrt(sum(A.^2)) = ‖A‖", "sqrt", guard=lambda e: e.args[0].op == "sum" and e.args[0].args[0].op == "hpow"
      and is_value(e.args[0].args[0].args[1], 2) and not scalar(e.args[0].args[0]))
def _norm_of_squares(e: Expr) -> Expr | None:
    return make("norm2", e.args[0].args[0].args[0])


@rule("sqrt(aᵀ a) = ‖a‖", "sqrt", guard=lambda e: e.args[0].op == "matmul" and e.args[0].args[0].op == "transpose"
      and e.args[0].args[0].args[0] is e.args[0].args[1] and e.args[0].args[1].shape[1] == 1
      and not scalar(e.args[0].args[1]))
def _norm_of_column(e: Expr) -> Expr | None:
    return make("norm2", e.args[0].args[1])


def _hadamard_factors(e: Expr) -> list[Expr]:
    """The factors of a ⊙ chain of one shape (A ⊙ B ⊙ C), left to right."""
    if e.op == "hadamard" and all(a.shape == e.shape for a in e.args):
        return _hadamard_factors(e.args[0]) + _hadamard_factors(e.args[1])
    return [e]


def _cancels(d: Expr, s: Expr) -> bool:
    """Every term of the sum s is ±(N ./ M) with M a ⊙ factor of d (all of one shape)."""
    if s.op != "add" or d.shape != s.shape:
        return False
    factors = _hadamard_factors(d)
    for t in s.args:
        t = t.args[0] if t.op == "neg" else t
        if t.op != "div" or t.shape != s.shape or t.args[1].shape != s.shape or t.args[1] not in factors:
            return False
    return True


@rule("D ⊙ (P ./ M + Q ./ N) = D ⊙ P ./ M + D ⊙ Q ./ N when M and N are factors of D (they cancel)", "hadamard",
      guard=lambda e: _cancels(*e.args) or _cancels(*reversed(e.args)))
def _distribute_cancelling(e: Expr) -> Expr | None:
    d, s = e.args if _cancels(*e.args) else reversed(e.args)
    return add(*(hadamard(d, t) for t in s.args))


def _one_minus(e: Expr) -> Expr | None:
    """b when e is 1 − b."""
    if e.op == "add" and len(e.args) == 2 and is_value(e.args[0], 1) and e.args[1].op == "neg":
        return e.args[1].args[0]
    return None


def _times_one_minus(e: Expr) -> tuple[Expr, Expr] | None:
    """(a, b) when e is a ⊙ (1 − b) or (1 − b) ⊙ a."""
    if e.op != "hadamard":
        return None
    for a, other in (e.args, reversed(e.args)):
        b = _one_minus(other)
        if b is not None and a.shape == other.shape == e.shape:
            return a, b
    return None


def _logistic_pair(e: Expr) -> tuple[Expr, Expr] | None:
    """(a, b) when e is a ⊙ (1 − b) − (1 − a) ⊙ b (either factor order)."""
    if e.op != "add" or len(e.args) != 2 or e.args[1].op != "neg":
        return None
    first, second = _times_one_minus(e.args[0]), _times_one_minus(e.args[1].args[0])
    if first is None or second is None:
        return None
    (a, b), (b2, a2) = first, second
    if a is a2 and b is b2:
        return a, b
    return None


@rule("a ⊙ (1 − b) − (1 − a) ⊙ b = a − b", "add", guard=lambda e: _logistic_pair(e) is not None)
def _logistic_difference(e: Expr) -> Expr | None:
    a, b = _logistic_pair(e)
    return add(a, neg(b))
