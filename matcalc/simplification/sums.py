"""Sums and product chains: like terms, common factors, numbers, powers and inverses in chains.

``SUMS`` is one rule list of the textbook simplifier (``simplify.py`` runs it, in this order,
between its product rules and its last ones): ``A x + A x = 2 A x``, ``A x + Aᵀ x = (A + Aᵀ) x``,
``M v + c v`` kept apart from a matrix sum, ``A (B C) = A B C``, ``A⁻¹ A = I``.
Invariant: every rule is an equality of values, and a scalar spread over an array is never
mistaken for a factor of it.
"""

from __future__ import annotations

import weakref

from matcalc.algebra.expr import Expr
from matcalc.algebra.ops import add, const, div, fill, identity, make, matmul, neg, transpose
from matcalc.algebra.shapes import ShapeError
from matcalc.simplification.basics import is_value, scalar, zero
from matcalc.simplification.engine import RuleList

SUMS = RuleList()
rule = SUMS.rule


_SPLIT: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # term -> (c, base), None for (1, term)
_CHAINS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # product -> its factors


def split_coefficient(term: Expr) -> tuple[float, Expr]:
    """term = c · base with c a number: (c, base) (memoized: sum rules split every term of a sum
    each time one of them applies, and a long product is read and rebuilt to split it)."""
    if term.op == "neg":
        c, base = split_coefficient(term.args[0])
        return -c, base
    if term.op != "matmul":
        return 1, term
    if term not in _SPLIT:
        chain = chain_of(term)
        _SPLIT[term] = (chain[0].attr, from_chain(chain[1:])) if chain[0].op == "const" and len(chain) > 1 else None
    return _SPLIT[term] or (1, term)


def scaled(c: float, base: Expr) -> Expr:
    """c · base, written the textbook way (base, -base, 2 base)."""
    if c == 1:
        return base
    if c == -1:
        return neg(base)
    return from_chain([const(c)] + chain_of(base))  # the number goes leftmost: 2 A x, not 2 (A x)


@rule("A + (B + C) = A + B + C", "add", guard=lambda e: any(a.op == "add" for a in e.args))
def _flatten_sum(e: Expr) -> Expr | None:
    return add(*e.args)


def _transposed_sum(a: Expr) -> bool:
    return a.op == "transpose" and a.args[0].op == "add"


@rule("A + (B + C)ᵀ = A + Bᵀ + Cᵀ", "add", guard=lambda e: any(_transposed_sum(a) for a in e.args))
def _flatten_transposed_sum(e: Expr) -> Expr | None:
    return add(*(add(*(transpose(t) if not scalar(t) else t for t in a.args[0].args)) if _transposed_sum(a) else a
                 for a in e.args))


@rule("a A + b A = (a + b) A: like terms collected (numbers add up, zeros drop)", "add")
def _collect(e: Expr) -> Expr | None:
    coef: dict[Expr, float] = {}
    number = 0.0
    for t in e.args:
        if t.op == "const":
            number += t.attr
        elif not is_value(t, 0):
            c, base = split_coefficient(t)
            coef[base] = coef.get(base, 0) + c
    terms = [scaled(c, b) for b, c in coef.items() if c > 0] + [scaled(c, b) for b, c in coef.items() if c < 0]
    if number < 0 and terms:
        terms.append(const(number))  # a negative number last: σ(X) - 1, α - 1 (a positive one first: 1 - σ(X))
    elif number != 0 or not terms:
        terms.insert(0, const(number))
    if len(terms) == len(e.args) and all(t is u for t, u in zip(terms, e.args)):
        return None
    if not terms or len(terms) == 1 and is_value(terms[0], 0):
        return zero(e.shape)
    return _broadcast(add(*terms), e)


def _broadcast(t: Expr, e: Expr) -> Expr:
    """t spread over e's shape: the scalars left of a sum of arrays still fill every entry."""
    return t if t.shape == e.shape else matmul(t, fill(1, e.shape))


@rule("c (a A + b B) = (c a) A + (c b) B when that leaves fewer numbers", "matmul",
      guard=lambda e: e.args[0].op == "const" and e.args[1].op == "add")
def _distribute_number(e: Expr) -> Expr | None:
    c = e.args[0].attr
    parts = [split_coefficient(t) for t in e.args[1].args]
    if sum(abs(k * c) != 1 for k, _ in parts) >= 1 + sum(abs(k) != 1 for k, _ in parts):
        return None
    return add(*(scaled(k * c, base) for k, base in parts))


def chain_of(e: Expr) -> list[Expr]:
    """The factors of a product A B C, left to right (iteratively: long products nest deep;
    memoized per product)."""
    if e.op != "matmul":
        return [e]
    if e not in _CHAINS:
        out, stack = [], [e]
        while stack:
            node = stack.pop()
            if node.op == "matmul":
                stack += (node.args[1], node.args[0])
            else:
                out.append(node)
        _CHAINS[e] = tuple(out)
    return list(_CHAINS[e])


def from_chain(factors: list[Expr]) -> Expr:
    """The product of factors, left-nested (A B C = (A B) C)."""
    acc = factors[0]
    for f in factors[1:]:
        acc = matmul(acc, f)
    return acc


def _common_run(chains: list[list[Expr]], side: int) -> int:
    """How many leading (side 0) or trailing (side -1) factors all chains share, leaving each one factor."""
    k = 0
    while all(len(ch) > k + 1 for ch in chains):
        pick = [ch[k] if side == 0 else ch[-k - 1] for ch in chains]
        if any(p is not pick[0] for p in pick):
            break
        k += 1
    return k


def _factor(e: Expr, side: int) -> Expr | None:
    """P A + P B = P (A + B) (side 0) or A Q + B Q = (A + B) Q (side -1) for the first common factor."""
    split = [split_coefficient(t) for t in e.args]
    chains = [chain_of(base) for _, base in split]
    groups: dict[Expr, list[int]] = {}
    for i, ch in enumerate(chains):  # a scalar spread over a vector sum is no product chain of it
        if len(ch) >= 2 and ch[side].op not in ("const", "fill", "identity") and e.args[i].shape == e.shape:
            groups.setdefault(ch[side], []).append(i)
    for idx in groups.values():
        if len(idx) < 2:
            continue
        k = _common_run([chains[i] for i in idx], side)
        rests = {i: chains[i][k:] if side == 0 else chains[i][:-k] for i in idx}
        matrices = [i for i in idx if not all(scalar(f) for f in rests[i])]
        if 0 < len(matrices) < len(idx):  # (A + Aᵀ) x + 2 α x, not (A + Aᵀ + 2 α I) x
            idx = matrices if len(matrices) >= 2 else [i for i in idx if i not in matrices]
            if len(idx) < 2:
                continue
        try:  # a chain with scalar sub-products may not split where another one does
            factored = _factor_group([split[i] for i in idx], [chains[i] for i in idx], side, e.shape)
        except ShapeError:
            continue
        rest = [t for i, t in enumerate(e.args) if i not in idx]
        return add(factored, *rest) if rest else factored
    return None


rule("P A + P B = P (A + B): a common left factor", "add")(lambda e: _factor(e, 0))
rule("A Q + B Q = (A + B) Q: a common right factor", "add")(lambda e: _factor(e, -1))


def _left_part(e: Expr, chain: list[Expr], m: int) -> Expr:
    """from_chain(chain[:m]) for e's chain: in O(len - m) when e holds it as a left-nested part
    ((A B) C holds A B), which is the usual case (rebuilding long products was quadratic)."""
    node = e
    for _ in range(len(chain) - m):
        if node.op != "matmul" or node.args[1].op == "matmul":
            return from_chain(chain[:m])
        node = node.args[0]
    return node


def _factor_group(split: list[tuple[float, Expr]], chains: list[list[Expr]], side: int, shape: tuple) -> Expr:
    """P R1 + P R2 = P (R1 + R2) (side 0) or R1 Q + R2 Q = (R1 + R2) Q (side -1), for the terms
    split as (c, base) and the chains of their bases."""
    k = _common_run(chains, side)
    common = _left_part(split[0][1], chains[0], k) if side == 0 else from_chain(chains[0][-k:])
    need = (common.shape[1], shape[1]) if side == 0 else (shape[0], common.shape[0])
    parts = [scaled(c, from_chain(ch[k:]) if side == 0 else _left_part(base, ch, len(ch) - k))
             for (c, base), ch in zip(split, chains)]
    if all(scalar(p) for p in parts):  # s v + t v = (s + t) v
        need = (1, 1)
    for i, part in enumerate(parts):
        if scalar(part) and need != (1, 1):  # M v + c v = (M + c I) v: a bare c would fill every entry
            if need[0] != need[1]:
                raise ShapeError("a scalar part of a non-square factor")
            parts[i] = matmul(part, identity(need[0]))
    parts.sort(key=lambda p: (any(n.op == "identity" for n in chain_of(p)),
                              p.op == "transpose" or p.op == "neg" and p.args[0].op == "transpose"))
    inside = add(*parts)
    factored = matmul(common, inside) if side == 0 else matmul(inside, common)
    if factored.shape != shape:
        raise ShapeError("factoring changed the shape")
    return factored


@rule("c A + c B = c (A + B)", "add")
def _common_number(e: Expr) -> Expr | None:
    split = [split_coefficient(t) for t in e.args]
    c = split[0][0]
    if c in (1, -1) or any(k != c for k, _ in split) or any(t.op == "const" for t in e.args):
        return None
    return matmul(const(c), add(*(base for _, base in split)))


@rule("A (B C) = A B C", "matmul", guard=lambda e: e.args[1].op == "matmul")
def _left_associate(e: Expr) -> Expr | None:
    a, (b, c) = e.args[0], e.args[1].args
    return matmul(matmul(a, b), c)


_SHORT = 12  # factors of a chain searched for a number inside it


def _inner_number(e: Expr) -> int | None:
    """i > 0 when the factors i… of e's chain multiply to a number (A b cᵀ d: cᵀ d) that starts
    with an array, and e is an array (short chains only: each suffix is built to learn its shape)."""
    chain = chain_of(e) if not scalar(e) else []
    if not 2 < len(chain) <= _SHORT or chain[-1].shape[1] != 1:
        return None
    for i in range(1, len(chain) - 1):
        if not scalar(chain[i]) and chain[i].shape[0] == 1:
            try:
                if scalar(from_chain(chain[i:])):
                    return i
            except ShapeError:  # the chain groups otherwise: (xᵀ x) x is no xᵀ (x x)
                continue
    return None


@rule("A b (cᵀ d) = (cᵀ d) A b: a number inside a product moves to its front", "matmul",
      guard=lambda e: _inner_number(e) is not None)
def _number_to_front(e: Expr) -> Expr | None:
    chain, i = chain_of(e), _inner_number(e)
    return matmul(from_chain(chain[i:]), from_chain(chain[:i]))


def _power_of(e: Expr) -> tuple[Expr, int]:
    """e = base^k with k an integer (A⁻¹ is A^-1, (A^k)⁻¹ is A^-k)."""
    if e.op == "inv":
        base, k = _power_of(e.args[0])
        return base, -k
    return (e.args[0], e.attr) if e.op == "mpow" else (e, 1)


def _power(a: Expr, k: int) -> Expr:
    if k == 0:
        return identity(a.shape[0])
    positive = a if abs(k) == 1 else make("mpow", a, attr=abs(k))
    return positive if k > 0 else make("inv", positive)


@rule("Aʲ Aᵏ = Aʲ⁺ᵏ (integer powers: A A = A², A⁻¹ A = I)", "matmul", guard=lambda e: not scalar(e))
def _powers(e: Expr) -> Expr | None:
    left, right = e.args
    last = left.args[1] if left.op == "matmul" else left
    (a, j), (b, k) = _power_of(last), _power_of(right)
    if a is not b or scalar(a) or a.shape[0] != a.shape[1]:
        return None
    power = _power(a, j + k)
    return matmul(left.args[0], power) if left.op == "matmul" else power


@rule("(P Q)⁻¹ = Q⁻¹ P⁻¹ when P and Q are square", "inv", guard=lambda e: e.args[0].op == "matmul")
def _inverse_of_product(e: Expr) -> Expr | None:
    factors = chain_of(e.args[0])
    if any(scalar(f) or f.shape[0] != f.shape[1] for f in factors):
        return None
    return from_chain([make("inv", f) for f in reversed(factors)])


def _scaled_inner(e: Expr, op: str, side: int) -> Expr | None:
    """<s A, B> = s <A, B> (op matmul: s is the first factor) or <A / s, B> = <A, B> / s (op div)."""
    if scalar(e.args[0]):
        return None
    a, b = e.args
    for i, x in enumerate((a, b)):
        if x.op == op and scalar(x.args[side]) and not scalar(x.args[1 - side]):
            rest = (x.args[1 - side], b) if i == 0 else (a, x.args[1 - side])
            inner = make("inner", *rest)
            return matmul(x.args[0], inner) if op == "matmul" else div(inner, x.args[1])
    return None


rule("<A, s B> = s <A, B>", "inner")(lambda e: _scaled_inner(e, "matmul", 0))
rule("<A, B / s> = <A, B> / s", "inner")(lambda e: _scaled_inner(e, "div", 1))


def _of_transpose(e: Expr) -> bool:
    return e.args[0].op == "transpose"


@rule("det(Aᵀ) = det(A)", "det", guard=_of_transpose)
@rule("logdet(Aᵀ) = logdet(A)", "logdet", guard=_of_transpose)
@rule("tr(Aᵀ) = tr(A)", "trace", guard=_of_transpose)
def _transpose_invariant(e: Expr) -> Expr | None:
    return make(e.op, e.args[0].args[0])


@rule("(s A)⁻¹ = A⁻¹ / s", "inv", guard=lambda e: e.args[0].op == "matmul" and scalar(e.args[0].args[0]))
def _inverse_scaled(e: Expr) -> Expr | None:
    s, a = e.args[0].args
    return div(make("inv", a), s)
