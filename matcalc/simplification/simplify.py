"""Textbook simplification: the rule list that makes a gradient read like the book.

Each rule is one identity, named by it. Together they push transposes to the
leaves, drop zeros and identities, gather scalars in front, collect like terms
(``A x + A x = 2 A x``) and factor common factors (``A x + Aᵀ x = (A + Aᵀ) x``).
Invariant: every rule is an equality of values (checked numerically in the tests),
and the rules terminate (each makes the tree smaller or moves a scalar/transpose
in one fixed direction).
"""

from __future__ import annotations

from matcalc.algebra.expr import Expr
from matcalc.algebra.ops import add, const, div, fill, hadamard, make, matmul, neg, transpose
from matcalc.simplification.rewrite import Rewriter, Rule, collector
from matcalc.simplification.sums import RULES as SUM_RULES
from matcalc.simplification.sums import is_identity, is_value, scalar, zero

RULES: list[Rule] = []
rule = collector(RULES)


# ---------------------------------------------------------------- leaves


@rule("an array of one entry is a number")
def _fill_scalar(e: Expr) -> Expr | None:
    return const(e.attr) if e.op == "fill" and scalar(e) else None


@rule("I (1×1) = 1")
def _identity_scalar(e: Expr) -> Expr | None:
    return const(1) if e.op == "identity" and scalar(e) else None


# ---------------------------------------------------------------- transpose: pushed to the leaves


@rule("(Aᵀ)ᵀ = A")
def _transpose_transpose(e: Expr) -> Expr | None:
    return e.args[0].args[0] if e.op == "transpose" and e.args[0].op == "transpose" else None


@rule("sᵀ = s, Xᵀ = X for symmetric X, Iᵀ = I")
def _transpose_fixed(e: Expr) -> Expr | None:
    if e.op != "transpose":
        return None
    a = e.args[0]
    if scalar(a) or a.op == "identity" or a.op == "diag":
        return a
    if a.op == "var" and a.attr.kind in ("symmetric", "spd"):
        return a
    if a.op == "fill":
        return fill(a.attr, e.shape)
    return None


@rule("(A B)ᵀ = Bᵀ Aᵀ")
def _transpose_product(e: Expr) -> Expr | None:
    if e.op == "transpose" and e.args[0].op == "matmul":
        a, b = e.args[0].args
        return matmul(transpose(b), transpose(a))
    return None


@rule("(-A)ᵀ = -Aᵀ, (A ⊙ B)ᵀ = Aᵀ ⊙ Bᵀ, (A⁻¹)ᵀ = (Aᵀ)⁻¹ ((A + B)ᵀ stays, as in the book)")
def _transpose_linear(e: Expr) -> Expr | None:
    if e.op != "transpose":
        return None
    a = e.args[0]
    if a.op in ("neg", "hadamard", "div"):
        return make(a.op, *(transpose(x) if not scalar(x) else x for x in a.args), attr=a.attr)
    if a.op in ("inv", "mpow"):
        return make(a.op, transpose(a.args[0]), attr=a.attr)
    if a.op == "hpow":
        return make("hpow", transpose(a.args[0]), a.args[1])
    return None


@rule("(aᵀ + bᵀ)ᵀ = a + b: a row sum, transposed, is written as a column")
def _transpose_row_sum(e: Expr) -> Expr | None:
    if e.op == "transpose" and e.args[0].op == "add" and e.shape[1] == 1 and not scalar(e):
        return add(*(transpose(t) if not scalar(t) else t for t in e.args[0].args))
    return None


@rule("(A + B)ᵀ = A + B when the sum is symmetric")
def _transpose_symmetric_sum(e: Expr) -> Expr | None:
    if e.op != "transpose" or e.args[0].op != "add":
        return None
    terms = e.args[0].args
    flipped = [simplify(transpose(t)) for t in terms]
    return e.args[0] if sorted(map(id, flipped)) == sorted(map(id, terms)) else None


# ---------------------------------------------------------------- negation


@rule("-(-A) = A, -(c) = (-c)")
def _neg(e: Expr) -> Expr | None:
    if e.op != "neg":
        return None
    a = e.args[0]
    if a.op == "neg":
        return a.args[0]
    if a.op == "const":
        return const(-a.attr)
    if a.op == "fill":
        return fill(-a.attr, a.shape)
    if a.op == "matmul" and a.args[0].op == "const":
        return matmul(const(-a.args[0].attr), a.args[1])
    if a.op == "matmul" and a.args[0].op == "matmul" and a.args[0].args[0].op == "const":
        return matmul(matmul(const(-a.args[0].args[0].attr), a.args[0].args[1]), a.args[1])
    return None


# ---------------------------------------------------------------- products


@rule("0 A = 0, 1 A = A, I A = A, c1 c2 = c")
def _matmul_units(e: Expr) -> Expr | None:
    if e.op != "matmul":
        return None
    a, b = e.args
    if is_value(a, 0) or is_value(b, 0):
        return zero(e.shape)
    if a.op == "const" and b.op == "const":
        return const(a.attr * b.attr)
    if (is_identity(a) or a.op == "const" and a.attr == 1) and b.shape == e.shape:
        return b
    if (is_identity(b) or b.op == "const" and b.attr == 1) and a.shape == e.shape:
        return a
    if a.op == "const" and b.op == "fill":
        return fill(a.attr * b.attr, b.shape)
    if a.op == "matmul" and scalar(a.args[0]) and is_identity(a.args[1]) and b.shape == e.shape:
        return matmul(a.args[0], b)  # (s I) A = s A
    return None


@rule("(-A) B = -(A B), A (-B) = -(A B)")
def _matmul_neg(e: Expr) -> Expr | None:
    if e.op in ("matmul", "hadamard", "div") and any(a.op == "neg" for a in e.args):
        a, b = (x.args[0] if x.op == "neg" else x for x in e.args)
        sign = sum(x.op == "neg" for x in e.args) % 2
        inner = make(e.op, a, b)
        return neg(inner) if sign else inner
    if e.op == "matmul" and e.args[0].op == "const" and e.args[0].attr == -1:
        return neg(e.args[1])
    return None


@rule("A s = s A, A (s B) = (s A) B, s (t A) = (s t) A, s (A B) = (s A) B: scalars in front")
def _scalars_first(e: Expr) -> Expr | None:
    if e.op != "matmul":
        return None
    a, b = e.args
    if scalar(b) and not scalar(a):
        return matmul(b, a)
    if not scalar(a) and b.op == "matmul" and scalar(b.args[0]) and not scalar(b.args[1]):
        return matmul(matmul(b.args[0], a), b.args[1])
    if scalar(a) and b.op == "matmul" and scalar(b.args[0]) and not scalar(b):
        return matmul(matmul(a, b.args[0]), b.args[1])
    if scalar(a) and not scalar(b) and b.op == "matmul" and not scalar(b.args[0]):
        return matmul(matmul(a, b.args[0]), b.args[1])
    return None


@rule("1 ⊙ A = A, 0 ⊙ A = 0, s ⊙ A = s A, c ./ d = c/d")
def _hadamard_units(e: Expr) -> Expr | None:
    if e.op == "hadamard":
        a, b = e.args
        if is_value(a, 0) or is_value(b, 0):
            return zero(e.shape)
        if is_value(a, 1) and b.shape == e.shape:
            return b
        if is_value(b, 1) and a.shape == e.shape:
            return a
        if scalar(a) or scalar(b):
            return matmul(a, b) if scalar(a) else matmul(b, a)
        if a.op == "fill":
            return matmul(const(a.attr), b)
        if b.op == "fill":
            return matmul(const(b.attr), a)
        if a is b:
            return make("hpow", a, const(2))
    if e.op == "div":
        a, b = e.args
        if is_value(a, 0):
            return zero(e.shape)
        if is_value(b, 1) and a.shape == e.shape:
            return a
        if a.op == "const" and b.op == "const" and b.attr != 0:
            return const(a.attr / b.attr)
        if b.op == "const" and b.attr != 0 and not scalar(a):
            return matmul(const(1 / b.attr), a)
    return None


@rule("(s A) ⊙ B = s (A ⊙ B)")
def _hadamard_scalars(e: Expr) -> Expr | None:
    if e.op not in ("hadamard",):
        return None
    for i, x in enumerate(e.args):
        if x.op == "matmul" and scalar(x.args[0]) and not scalar(x.args[1]):
            rest = [x.args[1] if j == i else y for j, y in enumerate(e.args)]
            return matmul(x.args[0], hadamard(*rest))
    return None


def _factors(e: Expr, num: list[Expr], den: list[Expr]) -> None:
    """Split a chain of ⊙ and ./ of equal shapes into numerator and denominator factors."""
    if e.op == "hadamard" and all(a.shape == e.shape for a in e.args):
        _factors(e.args[0], num, den)
        _factors(e.args[1], num, den)
    elif e.op == "div" and e.args[1].shape == e.shape and (e.args[0].shape == e.shape or is_value(e.args[0], 1)):
        _factors(e.args[0], num, den)
        _factors(e.args[1], den, num)
    elif not is_value(e, 1):
        num.append(e)


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


@rule("A ⊙ (B ./ A) = B, (1 ./ A) ⊙ B = B ./ A")
def _cancel(e: Expr) -> Expr | None:
    if e.op not in ("hadamard", "div") or scalar(e):
        return None
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
    repeated = len(set(den)) < len(den)
    if not cancelled and not ones_numerator and not repeated:
        return None
    top = _chain(num, e.shape)
    return div(top, _chain(den, e.shape)) if den else top


@rule("(p / s) A = (p A) / s")
def _reciprocal_scale(e: Expr) -> Expr | None:
    if e.op == "matmul" and e.args[0].op == "div" and scalar(e.args[0]) and not scalar(e.args[1]):
        p, q = e.args[0].args
        return div(e.args[1] if is_value(p, 1) else matmul(p, e.args[1]), q)
    return None


def _monomial(e: Expr, power: float, acc: dict[Expr, float], coef: list[float]) -> None:
    """Collect a product/quotient of scalars into coef · Π base^power."""
    if e.op == "const" and (e.attr > 0 or float(power).is_integer()):
        coef[0] *= e.attr ** power
    elif e.op in ("matmul", "hadamard") and all(scalar(a) for a in e.args):
        _monomial(e.args[0], power, acc, coef)
        _monomial(e.args[1], power, acc, coef)
    elif e.op == "div" and all(scalar(a) for a in e.args):
        _monomial(e.args[0], power, acc, coef)
        _monomial(e.args[1], -power, acc, coef)
    elif e.op == "neg" and float(power).is_integer():
        coef[0] *= (-1) ** int(power)  # (-a)^2 = a^2
        _monomial(e.args[0], power, acc, coef)
    elif e.op == "hpow" and e.args[1].op == "const" and float(e.args[1].attr).is_integer():
        _monomial(e.args[0], power * e.args[1].attr, acc, coef)  # (b^2)^1.5 is |b|^3: only integer powers nest
    else:
        acc[e] = acc.get(e, 0) + power


def _order(e: Expr) -> tuple[int, str]:
    """A deterministic order for commuting scalar factors: variables first, then by structure."""
    return (0 if e.op == "var" else 1, repr(e))


def _product(factors: list[tuple[Expr, float]]) -> Expr | None:
    terms = [b if p == 1 else make("hpow", b, const(p)) for b, p in factors]
    if not terms:
        return None
    acc = terms[0]
    for t in terms[1:]:
        acc = matmul(acc, t)
    return acc


@rule("a s^2 / s = a s: products and quotients of scalars as c · Π xᵏ")
def _scalar_monomial(e: Expr) -> Expr | None:
    if not scalar(e) or e.op not in ("matmul", "hadamard", "div", "neg", "hpow"):
        return None
    acc: dict[Expr, float] = {}
    coef = [1.0]
    _monomial(e, 1, acc, coef)
    c = coef[0]
    number = [] if c in (1, -1) else [(const(c), 1)]  # -2 s, as the -(c A) rule writes it
    bases = sorted(acc.items(), key=lambda bp: _order(bp[0]))  # α s = s α: one canonical order
    top = _product(number + [(b, p) for b, p in bases if p > 0])
    bottom = _product([(b, -p) for b, p in bases if p < 0])
    if number:
        c = 1
    if top is None:
        top, c = const(c), 1
    new = div(top, bottom) if bottom is not None else top
    new = neg(new) if c == -1 else new
    return None if new is e else new


@rule("sum(-A) = -sum(A), sum(s A) = s sum(A), sum(A / s) = sum(A) / s (and likewise tr)")
def _linear_reduction(e: Expr) -> Expr | None:
    if e.op not in ("sum", "trace") or scalar(e.args[0]):
        return None
    a = e.args[0]
    if a.op == "neg":
        return neg(make(e.op, a.args[0]))
    if a.op == "matmul" and scalar(a.args[0]):
        return matmul(a.args[0], make(e.op, a.args[1]))
    if a.op == "div" and scalar(a.args[1]):
        return div(make(e.op, a.args[0]), a.args[1])
    return None


@rule("s (A / t) = (s A) / t")
def _scale_quotient(e: Expr) -> Expr | None:
    if e.op == "matmul" and scalar(e.args[0]) and e.args[1].op == "div" and scalar(e.args[1].args[1]) \
            and not scalar(e.args[1]):
        return div(matmul(e.args[0], e.args[1].args[0]), e.args[1].args[1])
    return None


@rule("diag(a bᵀ) = a ⊙ b")
def _diag_outer(e: Expr) -> Expr | None:
    if e.op == "diagvec" and e.args[0].op == "matmul" and e.args[0].args[0].shape[1] == 1 \
            and e.args[0].args[1].op == "transpose" and not scalar(e.args[0].args[0]):
        return hadamard(e.args[0].args[0], e.args[0].args[1].args[0])
    return None


@rule("(c 𝟙)(d 𝟙ᵀ) = c d 𝟙𝟙ᵀ (a filled array)")
def _outer_fill(e: Expr) -> Expr | None:
    if e.op == "matmul" and all(a.op == "fill" for a in e.args) and e.args[0].shape[1] == 1:
        return fill(e.args[0].attr * e.args[1].attr, e.shape)  # only an outer product: 𝟙ᵀ𝟙 is n, not 1
    return None


@rule("aᵀ (b ./ a) = sum(b)")
def _sum_of_ratio(e: Expr) -> Expr | None:
    if e.op == "matmul" and e.args[0].op == "transpose" and e.args[1].op == "div" and e.shape == (1, 1):
        a, (b, c) = e.args[0].args[0], e.args[1].args
        if a is c:
            return make("sum", b)
    return None


@rule("exp(A) ./ (1 + exp(A)) = σ(A)")
def _sigmoid(e: Expr) -> Expr | None:
    if e.op != "div" or e.args[0].op != "exp" or e.args[1].op != "add" or len(e.args[1].args) != 2:
        return None
    one, ex = e.args[1].args
    if is_value(one, 1) and ex is e.args[0]:
        return make("sigmoid", e.args[0].args[0])
    return None


# ---------------------------------------------------------------- sums and product chains

RULES.extend(SUM_RULES)  # simplify_sums.py, in its order


# ---------------------------------------------------------------- the rest


@rule("<a, b> = aᵀ b for vectors, <s, t> = s t, <0, A> = 0")
def _inner(e: Expr) -> Expr | None:
    if e.op != "inner":
        return None
    a, b = e.args
    if is_value(a, 0) or is_value(b, 0):
        return const(0)
    if scalar(a):
        return matmul(a, b)
    if a.shape[1] == 1:
        return matmul(transpose(a), b)
    if a.shape[0] == 1:
        return matmul(a, transpose(b))
    return None


@rule("A.^1 = A, A.^0 = 1, c.^k = c^k")
def _hpow(e: Expr) -> Expr | None:
    if e.op != "hpow" or e.args[1].op != "const":
        return None
    a, p = e.args[0], e.args[1].attr
    if p == 1:
        return a
    if p == 0:
        return const(1) if scalar(a) else fill(1, a.shape)
    if a.op == "const" and (a.attr > 0 or float(p).is_integer()):
        return const(a.attr ** p)
    return None


@rule("tr(s) = s, sum(s) = s, (A⁻¹)⁻¹ = A")
def _trivial(e: Expr) -> Expr | None:
    if e.op in ("trace", "sum") and scalar(e.args[0]):
        return e.args[0]
    if e.op == "inv" and e.args[0].op == "inv":
        return e.args[0].args[0]
    if e.op == "sum" and e.args[0].op == "fill" and isinstance(e.args[0].shape[0], int) \
            and isinstance(e.args[0].shape[1], int):
        return const(e.args[0].attr * e.args[0].shape[0] * e.args[0].shape[1])
    return None


_simplifier = Rewriter(RULES)


def simplify(e: Expr) -> Expr:
    """The textbook form of e (memoized: each distinct node is simplified once)."""
    return _simplifier(e)


def clear_cache() -> None:
    """Forget memoized simplifications (for honest timings; results do not change)."""
    _simplifier.memo.clear()
