"""The last textbook rules: scalar denominators gathered, and the named forms books use.

``TEXTBOOK`` is the simplifier's final rule list (``simplify.py`` runs it after all others).
``TEXTBOOK`` also runs ``textbook_arrays.ARRAYS`` (constant arrays, reductions, diagonals).
It moves a scalar denominator out of products (``A (x / s) = A x / s``), adds terms over a
common one (``A x / s + A x / s = 2 A x / s``), cancels the logistic derivative against the
log-loss ratios (``σ ⊙ (1 − σ) ⊙ ((1 − y) ./ (1 − σ) − y ./ σ)`` becomes ``σ − y``) and names
softmax and the 2-norm (``exp(z) / sum(exp(z)) = softmax(z)``, ``sqrt(sum(G.^2)) = ‖G‖``).
Invariant: every rule is one identity of values that keeps the shape, and each moves a
division one fixed way (outwards) or makes the tree smaller, so the rules terminate.
"""

from __future__ import annotations

from matcalc.algebra.expr import Expr
from matcalc.algebra.ops import add, const, div, hadamard, make, matmul, neg
from matcalc.simplification.basics import is_value, scalar
from matcalc.simplification.engine import RuleList
from matcalc.simplification.products import contraction
from matcalc.simplification.sums import scaled, split_coefficient
from matcalc.simplification.textbook_arrays import ARRAYS
from matcalc.simplification.textbook_forms import FORMS

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


@rule("(A / s) ./ B = (A ./ B) / s for a scalar s and an array B", "div",
      guard=lambda e: _over_scalar(e.args[0]) and not scalar(e.args[1]))
def _quotient_over_array(e: Expr) -> Expr | None:
    a, s = e.args[0].args
    return div(div(a, e.args[1]), s)


def _scalar_head(chain: Expr) -> Expr | None:
    """The scalar that starts an array product chain (xᵀ A x in xᵀ A x B y), or None."""
    e = chain
    while e.op == "matmul" and not scalar(e):
        e = e.args[0]
    return e if e is not chain and scalar(e) else None


def _ratio_candidate(e: Expr) -> bool:
    head = _scalar_head(e.args[0])
    return scalar(e.args[1]) and not scalar(e) and head is not None and contraction(head) and head is not e.args[1]


@rule("(s A) / t = (s / t) A for scalars s, t (s a product of arrays: xᵀ A x)", "div", guard=_ratio_candidate)
def _scalar_ratio_in_front(e: Expr) -> Expr | None:
    head, t = _scalar_head(e.args[0]), e.args[1]

    def rebuild(n: Expr) -> Expr:
        return div(head, t) if n is head else matmul(rebuild(n.args[0]), n.args[1])

    return rebuild(e.args[0])


def _ratio_out(t: Expr) -> Expr:
    """(p / s) A B … as (p A B …) / s when the product chain starts with a scalar ratio, else t."""
    if t.op != "matmul":
        return t
    head = t.args[0]
    if head.op == "div" and scalar(head):
        p, s = head.args
        return div(matmul(p, t.args[1]), s)
    inner = _ratio_out(head)
    return t if inner is head else div(matmul(inner.args[0], t.args[1]), inner.args[1])


def _signed_quotient(t: Expr) -> tuple[int, Expr] | None:
    """t = ±(A / s) with s a scalar: (±1, t without its sign), else None; ±(p / s) A (a ratio in
    front) counts as ±(p A) / s."""
    sign = 1
    if t.op == "neg":
        sign, t = -1, t.args[0]
    if t.op == "matmul" and not scalar(t):
        t = _ratio_out(t)
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


def _power_pair(e: Expr) -> tuple[int, int, int] | None:
    """(i, j, k) when term i is ±A / s and term j is ±B / sᵏ (k ≥ 2 an integer)."""
    over: dict[Expr, int] = {}
    for i, t in enumerate(e.args):
        q = _signed_quotient(t)
        if q is not None and t.shape == e.shape:
            over.setdefault(q[1].args[1], i)
    for j, t in enumerate(e.args):
        q = _signed_quotient(t)
        if q is None or t.shape != e.shape or q[1].args[1].op != "hpow":
            continue
        base, k = q[1].args[1].args
        if base in over and k.op == "const" and float(k.attr).is_integer() and k.attr >= 2:
            return over[base], j, int(k.attr)
    return None


@rule("A / s + B / sᵏ = (A + B / sᵏ⁻¹) / s (a common number stays in front)", "add",
      guard=lambda e: _power_pair(e) is not None)
def _gather_powers(e: Expr) -> Expr | None:
    i, j, k = _power_pair(e)
    (si, qi), (sj, qj) = _signed_quotient(e.args[i]), _signed_quotient(e.args[j])
    s = qi.args[1]
    (c1, b1), (c2, b2) = split_coefficient(qi.args[0]), split_coefficient(qj.args[0])
    c1, c2 = si * c1, sj * c2
    c = c1 if abs(c1) == abs(c2) else 1
    rest_power = s if k == 2 else make("hpow", s, const(k - 1))
    inner = add(scaled(c1 / c, b1), div(scaled(c2 / c, b2), rest_power))
    gathered = div(inner if c == 1 else matmul(const(c), inner), s)
    rest = [t for n, t in enumerate(e.args) if n not in (i, j)]
    return add(gathered, *rest) if rest else gathered


def _elementwise_terms(e: Expr) -> list[tuple[float, Expr, Expr]]:
    """(c, N, D) for each term c (N ./ D) of a sum with D of the sum's shape (None entries elsewhere)."""
    out = []
    for t in e.args:
        c, base = split_coefficient(t)
        ok = base.op == "div" and base.shape == e.shape and base.args[1].shape == e.shape and not scalar(e)
        out.append((c, base.args[0], base.args[1]) if ok else None)
    return out


def _elementwise_pair(e: Expr) -> tuple[int, int, int] | None:
    """(i, j, k) when term i is c N ./ D and term j is c' M ./ D.^k (k = 1 or an integer ≥ 2)."""
    terms = _elementwise_terms(e)
    over: dict[Expr, list[tuple[int, int]]] = {}  # D -> (j, k) for each term j over D (k = 1) or D.^k
    for j, tj in enumerate(terms):
        if tj is not None:
            over.setdefault(tj[2], []).append((j, 1))
            dj = tj[2]
            if dj.op == "hpow" and dj.args[1].op == "const" and float(dj.args[1].attr).is_integer() \
                    and dj.args[1].attr >= 2:
                over.setdefault(dj.args[0], []).append((j, int(dj.args[1].attr)))
    for i, ti in enumerate(terms):  # the first i, then the first j, as a double loop finds them (indexed)
        found = [(j, k) for j, k in over.get(ti[2], ()) if (j > i if k == 1 else j != i)] if ti else []
        if found:
            return (i, *min(found))
    return None


@rule("A ./ D + B ./ D.^k = (A ⊙ D.^(k-1) + B) ./ D.^k (k = 1: a common denominator)", "add",
      guard=lambda e: _elementwise_pair(e) is not None)
def _elementwise_common_denominator(e: Expr) -> Expr | None:
    i, j, k = _elementwise_pair(e)
    terms = _elementwise_terms(e)
    (ci, ni, d), (cj, nj, dk) = terms[i], terms[j]
    lift = ni if k == 1 else hadamard(ni, d if k == 2 else make("hpow", d, const(k - 1)))
    gathered = div(add(scaled(ci, lift), scaled(cj, nj)), dk)
    rest = [t for n, t in enumerate(e.args) if n not in (i, j)]
    return add(gathered, *rest) if rest else gathered


def _hadamard_terms(e: Expr) -> list[tuple[float, Expr]]:
    return [split_coefficient(t) for t in e.args]


def _common_hadamard(e: Expr) -> tuple[Expr, list[int]] | None:
    """A factor S shared (left or right) by two or more ⊙ terms of a sum, all of the sum's shape."""
    seen: dict[Expr, list[int]] = {}
    for i, (_, base) in enumerate(_hadamard_terms(e)):
        if base.op == "hadamard" and base.shape == e.shape and all(a.shape == e.shape for a in base.args):
            for f in dict.fromkeys(base.args):
                seen.setdefault(f, []).append(i)
    for f, idx in seen.items():
        if len(idx) >= 2:
            return f, idx
    return None


@rule("S ⊙ A + S ⊙ B = S ⊙ (A + B)", "add", guard=lambda e: _common_hadamard(e) is not None)
def _factor_hadamard(e: Expr) -> Expr | None:
    f, idx = _common_hadamard(e)
    terms = _hadamard_terms(e)
    rests = []
    for i in idx:
        c, base = terms[i]
        other = base.args[1] if base.args[0] is f else base.args[0]
        rests.append(scaled(c, other))
    factored = hadamard(f, add(*rests))
    rest = [t for n, t in enumerate(e.args) if n not in idx]
    return add(factored, *rest) if rest else factored


TEXTBOOK.extend(ARRAYS)
TEXTBOOK.extend(FORMS)
