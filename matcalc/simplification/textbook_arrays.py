"""Textbook rules for constant arrays, reductions, diagonals and transposes (issue 13).

``ARRAYS`` is part of the simplifier's last rule list (``textbook.py`` appends it): a constant
array in a sum is a number spread over it (``σ(X) − 1``), ``<𝟙𝟙ᵀ, A> = sum(A)``,
``<A, I> = tr(A)``, ``𝟙ᵀ a = sum(a)``, the columns of softmax sum to one, ``diag(a) b = a ⊙ b``,
transposes pass through entrywise functions to the leaves. Invariant: every rule is one
identity of values that keeps the shape, and each makes the tree smaller or moves a transpose,
sign or number one fixed way.
"""

from __future__ import annotations

from matcalc.algebra.expr import Expr, walk
from matcalc.algebra.ops import OPS, add, const, div, fill, hadamard, make, matmul, neg, transpose
from matcalc.simplification.basics import is_value, scalar
from matcalc.simplification.engine import RuleList

ARRAYS = RuleList()
rule = ARRAYS.rule


def _fills(e: Expr) -> list[Expr]:
    return [t for t in e.args if t.op == "fill"]


@rule("A + c 𝟙 = A + c: a constant array in a sum is a number spread over it", "add",
      guard=lambda e: bool(_fills(e)) and any(t.op != "fill" and t.shape == e.shape for t in e.args))
def _fill_in_sum(e: Expr) -> Expr | None:
    return add(*(const(t.attr) if t.op == "fill" else t for t in e.args))


def _scaled_ones(t: Expr) -> Expr | None:
    """s when the sum term t is s 𝟙 or -(s 𝟙) with s a scalar that is no number (-s for the latter)."""
    sign, base = (-1, t.args[0]) if t.op == "neg" else (1, t)
    s = _spread_number(base) if base.op == "matmul" else None
    return None if s is None else s if sign == 1 else neg(s)


@rule("A + s 𝟙 = A + s: a scalar times a constant array in a sum is that scalar spread over it", "add",
      guard=lambda e: not scalar(e) and any(_scaled_ones(t) is not None for t in e.args)
      and any(_scaled_ones(t) is None and t.shape == e.shape for t in e.args))
def _scaled_fill_in_sum(e: Expr) -> Expr | None:
    return add(*(s if (s := _scaled_ones(t)) is not None else t for t in e.args))


@rule("c 𝟙 + d 𝟙 = (c + d) 𝟙", "add", guard=lambda e: bool(_fills(e)) and not scalar(e)
      and all(t.op in ("fill", "const") for t in e.args))
def _fills_add(e: Expr) -> Expr | None:
    return fill(sum(t.attr for t in e.args), e.shape)


def _spread_number(e: Expr) -> Expr | None:
    """s when e is c 𝟙 (s = c) or s (c 𝟙) with s a scalar (then s c)."""
    if e.op == "fill":
        return const(e.attr)
    if e.op == "matmul" and scalar(e.args[0]) and e.args[1].op == "fill":
        return e.args[0] if e.args[1].attr == 1 else matmul(e.args[0], const(e.args[1].attr))
    return None


@rule("(s 𝟙) ./ A = s ./ A", "div", guard=lambda e: _spread_number(e.args[0]) is not None
      and e.args[1].shape == e.shape)
def _fill_over(e: Expr) -> Expr | None:
    return div(_spread_number(e.args[0]), e.args[1])


@rule("A (-c 𝟙) = -(A (c 𝟙)), (-c 𝟙) A = -((c 𝟙) A)", "matmul",
      guard=lambda e: any(a.op == "fill" and a.attr < 0 and not scalar(a) for a in e.args))
def _negative_fill_factor(e: Expr) -> Expr | None:
    a, b = (fill(-x.attr, x.shape) if x.op == "fill" and x.attr < 0 and not scalar(x) else x for x in e.args)
    return neg(matmul(a, b)) if sum(x.op == "fill" and x.attr < 0 for x in e.args) == 1 else matmul(a, b)


@rule("A ⊙ (s ./ B) = (s A) ./ B", "hadamard", guard=lambda e: any(_scalar_over(a, e) for a in e.args))
def _scalar_over_in_product(e: Expr) -> Expr | None:
    a, q = (e.args[0], e.args[1]) if _scalar_over(e.args[1], e) else (e.args[1], e.args[0])
    return div(matmul(q.args[0], a), q.args[1])


def _scalar_over(q: Expr, e: Expr) -> bool:
    return q.op == "div" and scalar(q.args[0]) and not is_value(q.args[0], 1) and q.args[1].shape == e.shape \
        and all(a.shape == e.shape for a in e.args)


def _over_array(q: Expr, e: Expr) -> bool:
    return q.op == "div" and all(x.shape == e.shape for x in (q.args[0], q.args[1], *e.args))


@rule("(A ./ B) ⊙ C = (A ⊙ C) ./ B (one shape)", "hadamard", guard=lambda e: any(_over_array(a, e) for a in e.args))
def _quotient_in_product(e: Expr) -> Expr | None:
    a, b = e.args
    if _over_array(a, e):
        return div(hadamard(a.args[0], b), a.args[1])
    return div(hadamard(a, b.args[0]), b.args[1])


@rule("s (1 ./ A) = s ./ A", "matmul", guard=lambda e: scalar(e.args[0]) and e.args[1].op == "div"
      and is_value(e.args[1].args[0], 1) and scalar(e.args[1].args[0]) and e.args[1].args[1].shape == e.shape)
def _scaled_reciprocal(e: Expr) -> Expr | None:
    return div(e.args[0], e.args[1].args[1])


@rule("(s A) / s = A", "div", guard=lambda e: e.args[0].op == "matmul" and scalar(e.args[1])
      and e.args[0].args[0] is e.args[1] and e.args[0].args[1].shape == e.shape)
def _cancel_scalar(e: Expr) -> Expr | None:
    return e.args[0].args[1]


@rule("<c 𝟙, A> = c sum(A)", "inner", guard=lambda e: any(a.op == "fill" for a in e.args) and not scalar(e.args[0]))
def _inner_fill(e: Expr) -> Expr | None:
    c, a = (e.args[0], e.args[1]) if e.args[0].op == "fill" else (e.args[1], e.args[0])
    return matmul(const(c.attr), make("sum", a))


@rule("<A, I> = tr(A)", "inner", guard=lambda e: any(a.op == "identity" for a in e.args) and not scalar(e.args[0]))
def _inner_identity(e: Expr) -> Expr | None:
    return make("trace", e.args[1] if e.args[0].op == "identity" else e.args[0])


@rule("(c 𝟙) softmax(Z) = c 𝟙: every column of softmax(Z) sums to 1", "matmul",
      guard=lambda e: e.args[0].op == "fill" and e.args[1].op == "softmax" and not scalar(e.args[1]))
def _ones_softmax(e: Expr) -> Expr | None:
    return fill(e.args[0].attr, e.shape)


@rule("(c 𝟙ᵀ) a = c sum(a), aᵀ (c 𝟙) = c sum(a)", "matmul", guard=lambda e: scalar(e) and not scalar(e.args[0])
      and (e.args[0].op == "fill") != (e.args[1].op == "fill"))
def _ones_dot(e: Expr) -> Expr | None:
    c, a = (e.args[0], e.args[1]) if e.args[0].op == "fill" else (e.args[1], e.args[0])
    return matmul(const(c.attr), make("sum", a))


def _entrywise_op(name: str) -> bool:
    """An operation applied entry by entry to its one argument (exp, σ, tanh, a user's g, …)."""
    spec = OPS[name]
    return spec.elementwise and spec.arity == 1 and name not in ("ref", "neg")


def _product_of_arrays(a: Expr) -> bool:
    """a = A B with neither factor a scalar (tanh(W X)ᵀ stays as the book writes it)."""
    return a.op == "matmul" and not any(scalar(x) for x in a.args)


@rule("f(A)ᵀ = f(Aᵀ) for an entrywise f and A neither a sum nor a product of arrays (tanh(W X)ᵀ stays)",
      "transpose", guard=lambda e: _entrywise_op(e.args[0].op) and e.args[0].args[0].op != "add"
      and not _product_of_arrays(e.args[0].args[0]))
def _transpose_entrywise(e: Expr) -> Expr | None:
    return make(e.args[0].op, transpose(e.args[0].args[0]), attr=e.args[0].attr)


@rule("f((A + B)ᵀ) = f(A + B)ᵀ for an entrywise f (a transposed sum stays outside: tanh(W x + b)ᵀ)",
      *(n for n in OPS if _entrywise_op(n)),
      guard=lambda e: e.args[0].op == "transpose" and e.args[0].args[0].op == "add")
def _entrywise_of_transposed_sum(e: Expr) -> Expr | None:
    return transpose(make(e.op, e.args[0].args[0], attr=e.attr))


@rule("A ⊙ B + B ⊙ A = 2 A ⊙ B", "add", guard=lambda e: _swapped_pair(e) is not None)
def _collect_swapped(e: Expr) -> Expr | None:
    i, j = _swapped_pair(e)
    rest = [t for k, t in enumerate(e.args) if k not in (i, j)]
    return add(matmul(const(2), e.args[i]), *rest)


def _swapped_pair(e: Expr) -> tuple[int, int] | None:
    seen: dict[tuple[Expr, Expr], int] = {}
    for k, t in enumerate(e.args):
        if t.op == "hadamard" and t.args[0] is not t.args[1]:
            if (t.args[1], t.args[0]) in seen:
                return seen[t.args[1], t.args[0]], k
            seen[t.args] = k
    return None


def _all_negative(s: Expr) -> bool:
    return s.op == "add" and all(t.op == "neg" for t in s.args)


@rule("P (-A - B) = -(P (A + B)), (-A - B) Q = -((A + B) Q)", "matmul",
      guard=lambda e: any(_all_negative(a) for a in e.args))
def _negative_sum_factor(e: Expr) -> Expr | None:
    a, b = (add(*(t.args[0] for t in x.args)) if _all_negative(x) else x for x in e.args)
    return neg(matmul(a, b)) if _all_negative(e.args[0]) != _all_negative(e.args[1]) else matmul(a, b)


def _scaled_diag(e: Expr) -> bool:
    return e.op == "diag" or e.op == "matmul" and scalar(e.args[0]) and e.args[1].op == "diag"


@rule("diag(a) b = a ⊙ b for a column b (s diag(a) b = s (a ⊙ b))", "matmul",
      guard=lambda e: _scaled_diag(e.args[0]) and e.args[1].shape[1] == 1 and not scalar(e.args[1]))
def _diag_times_column(e: Expr) -> Expr | None:
    d = e.args[0]
    if d.op == "diag":
        return hadamard(d.args[0], e.args[1])
    return matmul(d.args[0], hadamard(d.args[1].args[0], e.args[1]))


@rule("diag(A + B) = diag(A) + diag(B) (the diagonal of a sum)", "diagvec", guard=lambda e: e.args[0].op == "add"
      and all(t.shape == e.args[0].shape for t in e.args[0].args))
def _diagonal_of_sum(e: Expr) -> Expr | None:
    return add(*(make("diagvec", t) for t in e.args[0].args))


@rule("diag(Aᵀ) = diag(A) (the diagonal)", "diagvec", guard=lambda e: e.args[0].op == "transpose")
def _diagonal_of_transpose(e: Expr) -> Expr | None:
    return make("diagvec", e.args[0].args[0])


@rule("diag(diag(a) A) = a ⊙ diag(A), diag(A diag(a)) = diag(A) ⊙ a (the diagonal)", "diagvec",
      guard=lambda e: e.args[0].op == "matmul" and any(a.op == "diag" for a in e.args[0].args))
def _diagonal_of_scaled(e: Expr) -> Expr | None:
    left, right = e.args[0].args
    if left.op == "diag":
        return hadamard(left.args[0], make("diagvec", right))
    return hadamard(make("diagvec", left), right.args[0])




def _gram(e: Expr) -> bool:
    """e is Aᵀ A or A Aᵀ (symmetric)."""
    if e.op != "matmul":
        return False
    a, b = e.args
    return a.op == "transpose" and a.args[0] is b or b.op == "transpose" and b.args[0] is a


@rule("Yᵀ = Y for a definition Y = Aᵀ A (or A Aᵀ)", "transpose",
      guard=lambda e: e.args[0].op == "ref" and _gram(e.args[0].args[0]))
def _transpose_gram(e: Expr) -> Expr | None:
    return e.args[0]


def _spread_term(s: Expr, e: Expr) -> bool:
    """s is a sum of arrays of e's shape with a scalar spread over them (A + s), s not a number
    (1 − σ stays as it is)."""
    return s.op == "add" and s.shape == e.shape and any(scalar(t) and t.op != "const" for t in s.args) \
        and any(not scalar(t) for t in s.args)


@rule("(A + s) ⊙ B = A ⊙ B + s B for a scalar s spread over A", "hadamard",
      guard=lambda e: all(a.shape == e.shape for a in e.args) and any(_spread_term(a, e) for a in e.args))
def _distribute_spread(e: Expr) -> Expr | None:
    s, b = (e.args[0], e.args[1]) if _spread_term(e.args[0], e) else (e.args[1], e.args[0])
    return add(*(matmul(t, b) if scalar(t) else hadamard(t, b) for t in s.args))


@rule("sum(a.^2) = aᵀ a for a column a", "sum", guard=lambda e: e.args[0].op == "hpow"
      and is_value(e.args[0].args[1], 2) and e.args[0].shape[1] == 1 and not scalar(e.args[0]))
def _sum_of_squares(e: Expr) -> Expr | None:
    a = e.args[0].args[0]
    return matmul(transpose(a), a)


@rule("softmax(a) = 𝟙ᵀ for a row a (each column has one entry)", "softmax",
      guard=lambda e: e.shape[0] == 1 and not scalar(e))
def _softmax_of_row(e: Expr) -> Expr | None:
    return fill(1, e.shape)


def _filled_side(e: Expr) -> int | None:
    """Which factor of the product e is a constant matrix c 𝟙𝟙ᵀ (0 or 1), or None."""
    for k in (0, 1):
        a = e.args[k]
        if a.op == "fill" and a.shape[0] != 1 and a.shape[1] != 1:
            return k
    return None


@rule("diag((c 𝟙𝟙ᵀ) B) = c Bᵀ 𝟙, diag(B (c 𝟙𝟙ᵀ)) = c B 𝟙 (sums of columns, rows)", "diagvec",
      guard=lambda e: e.args[0].op == "matmul" and _filled_side(e.args[0]) is not None
      and not any(scalar(a) for a in e.args[0].args))  # s 𝟙𝟙ᵀ is a scaling: diag(s A) = s diag(A)
def _diagonal_of_filled(e: Expr) -> Expr | None:
    product = e.args[0]
    k = _filled_side(product)
    c, other = product.args[k].attr, product.args[1 - k]
    rows = other.shape[0] if k == 0 else other.shape[1]
    return matmul(transpose(other) if k == 0 else other, fill(c, (rows, 1)))


@rule("diag(a) (c 𝟙𝟙ᵀ) = a (c 𝟙ᵀ), (c 𝟙𝟙ᵀ) diag(a) = (c 𝟙) aᵀ", "matmul",
      guard=lambda e: _filled_side(e) is not None and e.args[1 - _filled_side(e)].op == "diag")
def _diag_times_filled(e: Expr) -> Expr | None:
    k = _filled_side(e)
    f, a = e.args[k], e.args[1 - k].args[0]
    if k == 1:
        return matmul(a, fill(f.attr, (1, f.shape[1])))
    return matmul(fill(f.attr, (f.shape[0], 1)), transpose(a))


def _simplex_var(e: Expr) -> bool:
    """e is a variable declared onehot or probability: each of its columns sums to 1."""
    return e.op == "var" and bool(e.attr.simplex)


@rule("sum(y) = 1 for a vector y declared onehot or probability", "sum",
      guard=lambda e: _simplex_var(e.args[0]) and e.args[0].shape[1] == 1)
def _sum_of_simplex(e: Expr) -> Expr | None:
    return const(1)


@rule("(c 𝟙ᵀ) Y = c 𝟙ᵀ for Y declared onehot or probability (its columns sum to 1)", "matmul",
      guard=lambda e: e.args[0].op == "fill" and _simplex_var(e.args[1]))
def _ones_times_simplex(e: Expr) -> Expr | None:
    return const(e.args[0].attr) if scalar(e) else fill(e.args[0].attr, e.shape)


def _has_row_of_column(e: Expr) -> bool:
    """e holds the transpose of a column (xᵀ): transposing e takes that transpose away."""
    return any(n.op == "transpose" and n.args[0].shape[1] == 1 and not scalar(n) for n in walk(e))


@rule("sum(a) = sum(aᵀ) for a row a (the sum of its entries, written as a column)", "sum",
      guard=lambda e: e.args[0].shape[0] == 1 and not scalar(e.args[0]) and _has_row_of_column(e.args[0]))
def _sum_of_row(e: Expr) -> Expr | None:
    return make("sum", transpose(e.args[0]))


@rule("(A ./ B) ./ B = A ./ B.^2", "div", guard=lambda e: e.args[0].op == "div" and e.args[0].args[1] is e.args[1])
def _divided_twice(e: Expr) -> Expr | None:
    return div(e.args[0].args[0], make("hpow", e.args[1], const(2)))


def _leading_number(e: Expr) -> bool:
    """e is a product or quotient whose leftmost factor is a number (2 A x / s, (2 a / s) bᵀ)."""
    while e.op in ("matmul", "div"):
        e = e.args[0]
    return e.op == "const"


def _negate_leading(e: Expr) -> Expr:
    if e.op == "const":
        return const(-e.attr)
    return (matmul if e.op == "matmul" else div)(_negate_leading(e.args[0]), e.args[1])


@rule("-(c A …) = (-c) A …: the sign goes to the leading number of a product or quotient", "neg",
      guard=lambda e: e.args[0].op in ("matmul", "div") and _leading_number(e.args[0]))
def _negated_leading_number(e: Expr) -> Expr | None:
    return _negate_leading(e.args[0])


@rule("sqrt(A).^2 = A (where sqrt(A) is defined)", "hpow",
      guard=lambda e: e.args[0].op == "sqrt" and is_value(e.args[1], 2))
def _square_of_root(e: Expr) -> Expr | None:
    return e.args[0].args[0]


def _diag_pair(e: Expr) -> tuple[Expr | None, Expr, Expr] | None:
    """(P, a, b) when e is (P) diag(a) diag(b), P None when e is diag(a) diag(b)."""
    left, right = e.args
    if right.op != "diag":
        return None
    if left.op == "diag":
        return None, left.args[0], right.args[0]
    if left.op == "matmul" and left.args[1].op == "diag":
        return left.args[0], left.args[1].args[0], right.args[0]
    return None


@rule("diag(a) diag(b) = diag(a ⊙ b)", "matmul", guard=lambda e: _diag_pair(e) is not None)
def _diag_product(e: Expr) -> Expr | None:
    p, a, b = _diag_pair(e)
    both = make("diag", hadamard(a, b))
    return both if p is None else matmul(p, both)


@rule("(c A).^p = c^p A.^p for a number c > 0 or an integer p", "hpow", guard=lambda e: e.args[0].op == "matmul"
      and e.args[0].args[0].op == "const" and e.args[1].op == "const"
      and (e.args[0].args[0].attr > 0 or float(e.args[1].attr).is_integer()))
def _power_of_scaled(e: Expr) -> Expr | None:
    (c, a), p = e.args[0].args, e.args[1]
    return matmul(const(c.attr ** p.attr), make("hpow", a, p))


def _negative_power(s: Expr) -> bool:
    return s.op == "hpow" and scalar(s) and s.args[1].op == "const" and s.args[1].attr < 0


@rule("s^(-p) A = A / s^p for a scalar s and a number p > 0", "matmul",
      guard=lambda e: _negative_power(e.args[0]) and not scalar(e.args[1]))
def _negative_power_as_quotient(e: Expr) -> Expr | None:
    (s, p), a = e.args[0].args, e.args[1]
    return div(a, s if p.attr == -1 else make("hpow", s, const(-p.attr)))

