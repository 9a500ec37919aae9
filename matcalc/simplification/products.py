"""Textbook rules for products: units and zeros, signs, scalars in front, ⊙ and ./ chains,
and products of scalars as c · Π xᵏ.

``PRODUCTS`` is one rule list of the simplifier (``simplify.py`` runs it after the transposes
and negation). Invariant: every rule is one identity of values that keeps the shape; a scalar
spread over an array is never taken for an array of the same shape.
"""

from __future__ import annotations

import weakref

from matcalc.algebra.expr import Expr
from matcalc.algebra.ops import const, div, fill, hadamard, make, matmul, neg
from matcalc.algebra.shapes import SCALAR, ZeroDivision
from matcalc.simplification.basics import is_identity, is_value, order_key, scalar, zero
from matcalc.simplification.engine import RuleList

PRODUCTS = RuleList()
rule = PRODUCTS.rule


def _args(test):
    """A guard on a binary node's two arguments."""
    return lambda e: test(*e.args)


# ---------------------------------------------------------------- matrix products: units


@rule("0 A = 0", "matmul", guard=_args(lambda a, b: is_value(a, 0)))
def _zero_times(e: Expr) -> Expr | None:
    return zero(e.shape)


@rule("A 0 = 0", "matmul", guard=_args(lambda a, b: is_value(b, 0)))
def _times_zero(e: Expr) -> Expr | None:
    return zero(e.shape)


@rule("c1 c2 = c", "matmul", guard=_args(lambda a, b: a.op == "const" and b.op == "const"))
def _numbers(e: Expr) -> Expr | None:
    return const(e.args[0].attr * e.args[1].attr)


@rule("I A = A", "matmul", guard=lambda e: e.args[0].op == "identity" and e.args[1].shape == e.shape)
def _identity_times(e: Expr) -> Expr | None:
    return e.args[1]


@rule("1 A = A", "matmul", guard=lambda e: is_identity(e.args[0]) and e.args[1].shape == e.shape)
def _one_times(e: Expr) -> Expr | None:
    return e.args[1]


@rule("A I = A", "matmul", guard=lambda e: e.args[1].op == "identity" and e.args[0].shape == e.shape)
def _times_identity(e: Expr) -> Expr | None:
    return e.args[0]


@rule("A 1 = A", "matmul", guard=lambda e: is_identity(e.args[1]) and e.args[0].shape == e.shape)
def _times_one(e: Expr) -> Expr | None:
    return e.args[0]


@rule("c (d 𝟙) = (c d) 𝟙", "matmul", guard=_args(lambda a, b: a.op == "const" and b.op == "fill"))
def _number_fill(e: Expr) -> Expr | None:
    a, b = e.args
    return fill(a.attr * b.attr, b.shape)


@rule("(s I) A = s A", "matmul", guard=lambda e: e.args[0].op == "matmul" and scalar(e.args[0].args[0])
      and is_identity(e.args[0].args[1]) and e.args[1].shape == e.shape)
def _scaled_identity(e: Expr) -> Expr | None:
    return matmul(e.args[0].args[0], e.args[1])


# ---------------------------------------------------------------- signs


def _sign_out(e: Expr) -> Expr | None:
    a, b = (x.args[0] if x.op == "neg" else x for x in e.args)
    inner = make(e.op, a, b)
    return neg(inner) if sum(x.op == "neg" for x in e.args) % 2 else inner


def _has_neg(e: Expr) -> bool:
    return any(a.op == "neg" for a in e.args)


rule("(±A) (±B) = ±(A B): signs out of a product", "matmul", guard=_has_neg)(_sign_out)
rule("(±A) ⊙ (±B) = ±(A ⊙ B): signs out of a ⊙ product", "hadamard", guard=_has_neg)(_sign_out)
rule("(±A) ./ (±B) = ±(A ./ B): signs out of a quotient", "div", guard=_has_neg)(_sign_out)


@rule("(-1) A = -A", "matmul", guard=lambda e: e.args[0].op == "const" and e.args[0].attr == -1)
def _minus_one(e: Expr) -> Expr | None:
    return neg(e.args[1])


# ---------------------------------------------------------------- scalars in front


@rule("A s = s A", "matmul", guard=_args(lambda a, b: scalar(b) and not scalar(a)))
def _scalar_left(e: Expr) -> Expr | None:
    return matmul(e.args[1], e.args[0])


@rule("A (s B) = (s A) B", "matmul", guard=_args(lambda a, b: not scalar(a) and b.op == "matmul"
                                                   and scalar(b.args[0]) and not scalar(b.args[1])))
def _scalar_out_of_right(e: Expr) -> Expr | None:
    a, (s, b) = e.args[0], e.args[1].args
    return matmul(matmul(s, a), b)


@rule("s (t A) = (s t) A", "matmul", guard=_args(lambda a, b: scalar(a) and b.op == "matmul"
                                                   and scalar(b.args[0]) and not scalar(b)))
def _scalars_together(e: Expr) -> Expr | None:
    s, (t, a) = e.args[0], e.args[1].args
    return matmul(matmul(s, t), a)


@rule("s (A B) = (s A) B", "matmul", guard=_args(lambda a, b: scalar(a) and not scalar(b) and b.op == "matmul"
                                                   and not scalar(b.args[0])))
def _scalar_into_chain(e: Expr) -> Expr | None:
    s, (a, b) = e.args[0], e.args[1].args
    return matmul(matmul(s, a), b)


# ---------------------------------------------------------------- ⊙ and ./ with numbers


@rule("0 ⊙ A = 0", "hadamard", guard=_args(lambda a, b: is_value(a, 0) or is_value(b, 0)))
def _hadamard_zero(e: Expr) -> Expr | None:
    return zero(e.shape)


@rule("1 ⊙ A = A", "hadamard", guard=lambda e: is_value(e.args[0], 1) and e.args[1].shape == e.shape)
def _hadamard_one(e: Expr) -> Expr | None:
    return e.args[1]


@rule("A ⊙ 1 = A", "hadamard", guard=lambda e: is_value(e.args[1], 1) and e.args[0].shape == e.shape)
def _hadamard_by_one(e: Expr) -> Expr | None:
    return e.args[0]


@rule("s ⊙ A = s A", "hadamard", guard=_args(lambda a, b: scalar(a) or scalar(b)))
def _hadamard_scalar(e: Expr) -> Expr | None:
    a, b = e.args
    return matmul(a, b) if scalar(a) else matmul(b, a)


@rule("(c 𝟙) ⊙ A = c A", "hadamard", guard=lambda e: e.args[0].op == "fill" and e.args[1].shape == e.shape)
def _hadamard_fill(e: Expr) -> Expr | None:
    return matmul(const(e.args[0].attr), e.args[1])


@rule("A ⊙ (c 𝟙) = c A", "hadamard", guard=lambda e: e.args[1].op == "fill" and e.args[0].shape == e.shape)
def _hadamard_by_fill(e: Expr) -> Expr | None:
    return matmul(const(e.args[1].attr), e.args[0])


@rule("A ⊙ A = A.^2", "hadamard", guard=_args(lambda a, b: a is b))
def _hadamard_square(e: Expr) -> Expr | None:
    return make("hpow", e.args[0], const(2))


@rule("0 ./ A = 0", "div", guard=lambda e: is_value(e.args[0], 0))
def _zero_over(e: Expr) -> Expr | None:
    return zero(e.shape)


@rule("A ./ 1 = A", "div", guard=lambda e: is_value(e.args[1], 1) and e.args[0].shape == e.shape)
def _over_one(e: Expr) -> Expr | None:
    return e.args[0]


@rule("c ./ d = c/d", "div", guard=_args(lambda a, b: a.op == "const" and b.op == "const" and b.attr != 0))
def _number_quotient(e: Expr) -> Expr | None:
    return const(e.args[0].attr / e.args[1].attr)


@rule("A ./ c = (1/c) A", "div", guard=_args(lambda a, b: b.op == "const" and b.attr != 0 and not scalar(a)))
def _over_number(e: Expr) -> Expr | None:
    return matmul(const(1 / e.args[1].attr), e.args[0])


@rule("(s A) ⊙ B = s (A ⊙ B)", "hadamard",
      guard=lambda e: any(x.op == "matmul" and scalar(x.args[0]) and not scalar(x.args[1]) for x in e.args))
def _hadamard_scalars(e: Expr) -> Expr | None:
    for i, x in enumerate(e.args):
        if x.op == "matmul" and scalar(x.args[0]) and not scalar(x.args[1]):
            rest = [x.args[1] if j == i else y for j, y in enumerate(e.args)]
            return matmul(x.args[0], hadamard(*rest))
    return None


# ---------------------------------------------------------------- ⊙ / ./ chains of one shape


def _factors(root: Expr, num: list[Expr], den: list[Expr]) -> None:
    """Split a chain of ⊙ and ./ of equal shapes into numerator and denominator factors (left to
    right, iteratively)."""
    stack = [(root, num, den)]
    while stack:
        e, top, bottom = stack.pop()
        if e.op == "hadamard" and all(a.shape == e.shape for a in e.args):
            stack += ((e.args[1], top, bottom), (e.args[0], top, bottom))
        elif e.op == "div" and e.args[1].shape == e.shape and (e.args[0].shape == e.shape or is_value(e.args[0], 1)):
            stack += ((e.args[1], bottom, top), (e.args[0], top, bottom))
        elif not is_value(e, 1):
            top.append(e)


def _chain(factors: list[Expr], shape: tuple) -> Expr:
    """The ⊙-product of factors, equal factors written as a power (A ⊙ A = A.^2)."""
    counts: dict[Expr, int] = {}
    for f in factors:
        counts[f] = counts.get(f, 0) + 1
    powers = [f if k == 1 else make("hpow", f, const(k)) for f, k in counts.items()]
    acc = powers[0] if powers else fill(1, shape)
    for f in powers[1:]:
        acc = hadamard(acc, f)
    return acc


@rule("A ⊙ B ./ A = B: a ⊙/./ chain of one shape cancels equal factors (1 ./ A ⊙ B = B ./ A)",
      "hadamard", "div", guard=lambda e: not scalar(e))
def _cancel(e: Expr) -> Expr | None:
    num: list[Expr] = []
    den: list[Expr] = []
    _factors(e, num, den)
    cancelled = False
    for f in list(den):
        if f in num:
            num.remove(f)
            den.remove(f)
            cancelled = True
    ones_numerator = e.op == "hadamard" and any(a.op == "div" and is_value(a.args[0], 1) for a in e.args)
    repeated = len(set(den)) < len(den) or len(set(num)) < len(num)  # A ⊙ B ⊙ A = A.^2 ⊙ B
    if not cancelled and not ones_numerator and not repeated:
        return None
    top = _chain(num, e.shape)
    return div(top, _chain(den, e.shape)) if den else top


def contraction(s: Expr) -> bool:
    """s is a scalar product with an array factor (xᵀ A x, 2 aᵀ b), not a number or a function."""
    while s.op == "matmul":
        if not scalar(s.args[1]):
            return True
        s = s.args[0]
    return not scalar(s)


@rule("(p / s) A = (p A) / s unless p is a product of arrays (xᵀ A x)", "matmul",
      guard=lambda e: e.args[0].op == "div" and scalar(e.args[0]) and not scalar(e.args[1])
      and not contraction(e.args[0].args[0]))
def _reciprocal_scale(e: Expr) -> Expr | None:
    p, q = e.args[0].args
    return div(e.args[1] if is_value(p, 1) else matmul(p, e.args[1]), q)


# ---------------------------------------------------------------- products of scalars


def _monomial(root: Expr, power: float, acc: dict[Expr, float], coef: list[float]) -> None:
    """Collect a product/quotient of scalars into coef · Π base^power (left to right, iteratively:
    a product of thousands of factors nests that deep)."""
    stack = [(root, power)]
    while stack:
        e, power = stack.pop()
        if e.op == "const" and (e.attr > 0 or float(power).is_integer()):
            if e.attr == 0 and power < 0:  # alpha / (2 - 2): the denominator simplifies to 0
                raise ZeroDivision("division by zero: the denominator is 0")
            coef[0] *= e.attr ** power
        elif e.op in ("matmul", "hadamard") and all(scalar(a) for a in e.args):
            stack += ((e.args[1], power), (e.args[0], power))
        elif e.op == "div" and all(scalar(a) for a in e.args):
            stack += ((e.args[1], -power), (e.args[0], power))
        elif e.op == "neg" and float(power).is_integer():
            coef[0] *= (-1) ** int(power)  # (-a)^2 = a^2
            stack.append((e.args[0], power))
        elif e.op == "hpow" and e.args[1].op == "const" and float(e.args[1].attr).is_integer():
            stack.append((e.args[0], power * e.args[1].attr))  # (b^2)^1.5 is |b|^3: only integer powers nest
        else:
            acc[e] = acc.get(e, 0) + power


# c · Π xᵏ products built below (and their prefixes) -> for a product chain, whether it starts
# with a number; None for the other canonical forms (quotients, negatives, single powers)
_CANONICAL: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _link(acc: Expr, t: Expr, number: bool) -> Expr:
    """acc t as a canonical product chain (recorded as one)."""
    new = Expr("matmul", (acc, t), None, SCALAR)
    _CANONICAL[new] = number
    return new


def _product(factors: list[tuple[Expr, float]]) -> Expr | None:
    """The product of scalar factors base^power, left-nested (scalars: every shape is 1x1)."""
    terms = [b if p == 1 else Expr("hpow", (b, const(p)), None, SCALAR) for b, p in factors]
    if not terms:
        return None
    acc = terms[0]
    for t in terms[1:]:
        acc = _link(acc, t, terms[0].op == "const")
    return acc


def _base(e: Expr) -> bool:
    """e is a factor _monomial keeps whole, with power 1."""
    return e.op not in ("matmul", "hadamard", "div", "neg", "const") and not (
        e.op == "hpow" and e.args[1].op == "const" and float(e.args[1].attr).is_integer())


def _extended(e: Expr) -> Expr | None:
    """The canonical form of e in O(1) when e extends a canonical product P (positive powers) by
    one factor b (P b, b P or P ⊙ b) that sorts after P's last base or is it (x² x = x³), or
    negates a P without a number: reverse mode multiplies a gradient by one new factor per step,
    and flattening and sorting P each time would be quadratic. None when e is not of that form."""
    if e.op == "neg":
        p = e.args[0]
        return e if scalar(p) and (_base(p) or _CANONICAL.get(p) is False) else None
    if e.op not in ("matmul", "hadamard") or not all(scalar(a) for a in e.args):
        return None
    for p, b in (e.args, e.args[::-1]):
        chain = p.op == "matmul" and _CANONICAL.get(p) is not None
        last = p.args[1] if chain else p if _base(p) else None
        if last is None or not _base(b):
            continue
        power = 1 if _base(last) else last.args[1].attr  # x³ ends the chain in x
        if (last if power == 1 else last.args[0]) is b:
            raised = Expr("hpow", (b, const(power + 1)), None, SCALAR)
            return _link(p.args[0], raised, _CANONICAL[p]) if chain else raised
        if order_key(b) > order_key(last if power == 1 else last.args[0]):
            return _link(p, b, chain and _CANONICAL[p])
    return None


@rule("a s^2 / s = a s: products and quotients of scalars as c · Π xᵏ",
      "matmul", "hadamard", "div", "neg", "hpow", guard=lambda e: scalar(e) and e not in _CANONICAL)
def _scalar_monomial(e: Expr) -> Expr | None:
    quick = _extended(e)
    if quick is not None:
        _CANONICAL.setdefault(quick, None)
        return quick
    acc: dict[Expr, float] = {}
    coef = [1.0]
    _monomial(e, 1, acc, coef)
    for root in [b for b in acc if b.op == "sqrt" and b.args[0] in acc]:  # sqrt(s) s = s^1.5
        acc[root.args[0]] += acc.pop(root) / 2
    c = coef[0]
    number = [] if c in (1, -1) else [(const(c), 1)]  # -2 s, as the -(c A) rule writes it
    bases = sorted(acc.items(), key=lambda bp: order_key(bp[0]))  # α s = s α: one canonical order
    top = _product(number + [(b, p) for b, p in bases if p > 0])
    bottom = _product([(b, -p) for b, p in bases if p < 0])
    if number:
        c = 1
    if top is None:
        top, c = const(c), 1
    new = div(top, bottom) if bottom is not None else top
    new = neg(new) if c == -1 else new
    _CANONICAL.setdefault(new, None)  # already in this form: trying the rule again would rebuild it unchanged
    return new
