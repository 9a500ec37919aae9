"""Textbook rules found by the fresh-user trial (issue 13): numbers, diagonals, ramps, Kronecker forms.

``FORMS`` is part of the simplifier's last rule list (``textbook.py`` appends it). A number
common to a numerator and its denominator cancels (``2 x ./ (2 sqrt(…)) = x ./ sqrt(…)``), the
diagonal of ``𝟙𝟙ᵀ`` is ``𝟙`` and a number leaves a diagonal (``diag(2 a) = 2 diag(a)``), a
ramp's or an absolute value's derivative meets the function (``relu′(z) ⊙ relu(z) = relu(z)``,
``sign(z) ⊙ |z| = z``), square roots of squares are absolute values and norms
(``(x.^2).^0.5 = |x|``, ``⟨X, X⟩^0.5 = ‖X‖``), quotients of quotients share one denominator,
a number equals its transpose (``aᵀ b + bᵀ a = 2 aᵀ b``), a term and its scalar multiple are
collected (``y + (1 + s) y = (2 + s) y``), and Kronecker products acting on a ``vec`` become
matrix products (``(A ⊗ B) vec(X) = vec(B X Aᵀ)``, then the unvec of a vec is the matrix
itself: ``∇ vec(X)ᵀ (A ⊗ B) vec(X) = B X Aᵀ + Bᵀ X A``; ``∇ aᵀ vec(X) = unvec(a, n, m)``).
Invariant: every rule is one identity of values that keeps the shape, and each makes the tree
smaller or moves a ``vec``, a number or a transpose one fixed way (outwards, to the leaves).
"""

from __future__ import annotations

from collections.abc import Callable

from matcalc.algebra.expr import Expr
from matcalc.algebra.ops import add, const, div, fill, identity, make, matmul, transpose
from matcalc.algebra.shapes import dim
from matcalc.algebra.structural import count
from matcalc.simplification.basics import is_identity, is_value, scalar, zero
from matcalc.simplification.engine import RuleList
from matcalc.simplification.sums import chain_of, from_chain, scaled, split_coefficient

FORMS = RuleList()
rule = FORMS.rule


# ---------------------------------------------------------------- a number common to both sides of a quotient


def _common_number(e: Expr) -> float | None:
    """c / d when e = (c A) / (d B) with numbers c, d (d ≠ 1) and c / d a whole number, else None."""
    c, _ = split_coefficient(e.args[0])
    d, _ = split_coefficient(e.args[1])
    if d in (0, 1) or e.args[1].op != "matmul":
        return None
    q = c / d
    return q if float(q).is_integer() else None


@rule("(c A) ./ (d B) = ((c / d) A) ./ B for numbers c, d with c / d whole (2 x ./ (2 s) = x ./ s)", "div",
      guard=lambda e: _common_number(e) is not None)
def _cancel_number(e: Expr) -> Expr | None:
    q = _common_number(e)
    return div(scaled(int(q), split_coefficient(e.args[0])[1]), split_coefficient(e.args[1])[1])


# ---------------------------------------------------------------- a sum over the count is a mean


def _scalar_factors(e: Expr) -> list[Expr]:
    """The factors of a product of scalars (s t u gives s, t, u)."""
    return _scalar_factors(e.args[0]) + _scalar_factors(e.args[1]) if e.op == "matmul" else [e]


def _counts(den: Expr, a: Expr) -> bool:
    """den is the number of a's entries: sum(𝟙_n) sum(𝟙_m) in any order, or that number."""
    if den.op == "const":
        return all(isinstance(d, int) for d in a.shape) and den.attr == a.shape[0] * a.shape[1]
    return sorted(map(id, _scalar_factors(den))) == sorted(map(id, _scalar_factors(count(a.shape))))


def _summed(e: Expr) -> Expr | None:
    """sum(A) when e's numerator is sum(A) or a product chain headed by it (sum(A) B), else None."""
    head = e.args[0]
    while head.op == "matmul" and not scalar(head):
        head = head.args[0]
    return head if head.op == "sum" and not scalar(head.args[0]) else None


@rule("sum(A) B / N = mean(A) B for N the number of A's entries (sum(x) / n = mean(x))", "div",
      guard=lambda e: scalar(e.args[1]) and (s := _summed(e)) is not None and _counts(e.args[1], s.args[0]))
def _mean_of_sum(e: Expr) -> Expr | None:
    s = _summed(e)

    def rebuild(n: Expr) -> Expr:
        return make("mean", s.args[0]) if n is s else matmul(rebuild(n.args[0]), n.args[1])

    return rebuild(e.args[0])


# ---------------------------------------------------------------- diagonals of constant arrays


@rule("diag(c 𝟙𝟙ᵀ) = c 𝟙 (the diagonal of a constant square array)", "diagvec",
      guard=lambda e: e.args[0].op == "fill")
def _diag_fill(e: Expr) -> Expr | None:
    return fill(e.args[0].attr, e.shape)


@rule("sum(diag(a)) = tr(diag(a)) = sum(a) (a diagonal matrix holds a's entries)", "sum", "trace",
      guard=lambda e: e.args[0].op == "diag")
def _sum_of_diagonal(e: Expr) -> Expr | None:
    return make("sum", e.args[0].args[0])


@rule("diag(I) = 𝟙 (the diagonal of the identity)", "diagvec", guard=lambda e: is_identity(e.args[0]))
def _diag_identity(e: Expr) -> Expr | None:
    return fill(1, e.shape)


# ---------------------------------------------------------------- square roots of squares


def _half_power_of(e: Expr) -> Expr | None:
    """B when e = B.^0.5, else None."""
    return e.args[0] if e.args[1].op == "const" and e.args[1].attr == 0.5 else None


@rule("(A.^2).^0.5 = |A| (entry by entry)", "hpow", guard=lambda e: _half_power_of(e) is not None
      and _half_power_of(e).op == "hpow" and is_value(_half_power_of(e).args[1], 2))
def _root_of_square(e: Expr) -> Expr | None:
    return make("abs", e.args[0].args[0])


@rule("⟨A, A⟩^0.5 = ‖A‖ (the Frobenius norm)", "hpow", guard=lambda e: _half_power_of(e) is not None
      and _half_power_of(e).op == "inner" and _half_power_of(e).args[0] is _half_power_of(e).args[1])
def _root_of_inner(e: Expr) -> Expr | None:
    return make("norm2", e.args[0].args[0])


# ---------------------------------------------------------------- relu′ and sign against relu, |·| and z


def _hadamard_factors(e: Expr) -> list[Expr]:
    """The factors of a ⊙ chain of one shape (A ⊙ (B ⊙ C) gives A, B, C)."""
    out, stack = [], [e]
    while stack:
        node = stack.pop()
        if node.op == "hadamard" and all(a.shape == e.shape for a in node.args):
            stack += reversed(node.args)
        else:
            out.append(node)
    return out


def _meeting(slope: str, partner: Callable) -> Callable:
    """The pair (slope(z), partner(z)) inside a ⊙ chain, as (its index, the partner's index)."""
    def find(e: Expr) -> tuple[int, int] | None:
        factors = _hadamard_factors(e)
        for i, f in enumerate(factors):
            if f.op == slope:
                for j, g in enumerate(factors):
                    if j != i and partner(g, f.args[0]):
                        return i, j
        return None
    return find


def _pair_rule(name: str, slope: str, partner: Callable, result: Callable) -> None:
    """One rule: slope(z) ⊙ partner(z) = result(z), also inside a longer ⊙ chain."""
    find = _meeting(slope, partner)

    def build(e: Expr) -> Expr | None:
        i, j = find(e)
        factors = _hadamard_factors(e)
        z = factors[i].args[0]
        rest = [f for k, f in enumerate(factors) if k not in (i, j)]
        out = result(z)
        for f in rest:
            out = make("hadamard", out, f)
        return out

    rule(name, "hadamard", guard=lambda e: find(e) is not None)(build)


def _is_call(op: str) -> Callable:
    return lambda g, z: g.op == op and g.args[0] is z


_pair_rule("relu′(z) ⊙ relu(z) = relu(z)", "step", _is_call("relu"), lambda z: make("relu", z))
_pair_rule("relu′(z) ⊙ z = relu(z)", "step", lambda g, z: g is z, lambda z: make("relu", z))
_pair_rule("sign(z) ⊙ |z| = z", "sign", _is_call("abs"), lambda z: z)
_pair_rule("sign(z) ⊙ z = |z|", "sign", lambda g, z: g is z, lambda z: make("abs", z))


# ---------------------------------------------------------------- Kronecker products on vec(X)


@rule("(A ⊗ B)ᵀ = Aᵀ ⊗ Bᵀ", "transpose", guard=lambda e: e.args[0].op == "kron")
def _transpose_kron(e: Expr) -> Expr | None:
    a, b = e.args[0].args
    return make("kron", transpose(a), transpose(b))


def _kron_on_vec(k: Expr, v: Expr) -> bool:
    """k = A ⊗ B and v = vec(X) with X of B's columns by A's columns."""
    if k.op != "kron" or v.op != "vec":
        return False
    (_, q), (_, s) = k.args[0].shape, k.args[1].shape
    x_rows, x_cols = v.args[0].shape
    return dim(x_rows) == dim(s) and dim(x_cols) == dim(q)


def _unscaled(k: Expr) -> tuple[Expr | None, Expr]:
    """(s, K) for k = s K with a scalar s, else (None, k)."""
    return (k.args[0], k.args[1]) if k.op == "matmul" and scalar(k.args[0]) and not scalar(k) else (None, k)


@rule("(A ⊗ B) vec(X) = vec(B X Aᵀ) (s (A ⊗ B) vec(X) = s vec(B X Aᵀ))", "matmul",
      guard=lambda e: _kron_on_vec(_unscaled(e.args[0])[1], e.args[1]))
def _kron_vec(e: Expr) -> Expr | None:
    s, k = _unscaled(e.args[0])
    (a, b), x = k.args, e.args[1].args[0]
    out = make("vec", matmul(matmul(b, x), transpose(a)))
    return out if s is None else matmul(s, out)


def _kron_sum_on_vec(e: Expr) -> bool:
    k, v = e.args
    return k.op == "add" and all(_kron_on_vec(split_coefficient(t)[1], v) for t in k.args)


@rule("(K₁ + K₂) vec(X) = K₁ vec(X) + K₂ vec(X) for Kronecker products K₁, K₂", "matmul",
      guard=_kron_sum_on_vec)
def _kron_sum_vec(e: Expr) -> Expr | None:
    k, v = e.args
    return add(*(scaled(c, matmul(base, v)) for c, base in map(split_coefficient, k.args)))


def _vec_terms(e: Expr) -> bool:
    parts = [split_coefficient(t)[1] for t in e.args]
    return all(p.op == "vec" for p in parts) and len({p.args[0].shape for p in parts}) == 1


@rule("a vec(A) + b vec(B) = vec(a A + b B)", "add", guard=_vec_terms)
def _vec_sum(e: Expr) -> Expr | None:
    return make("vec", add(*(scaled(c, base.args[0]) for c, base in map(split_coefficient, e.args))))


@rule("vec(a) = a for a column a, vec(a) = aᵀ for a row", "vec",
      guard=lambda e: dim(e.args[0].shape[1]) == 1 or dim(e.args[0].shape[0]) == 1)
def _vec_of_vector(e: Expr) -> Expr | None:
    a = e.args[0]
    return a if dim(a.shape[1]) == 1 else transpose(a)


@rule("unvec(vec(M)) = M", "unvec", guard=lambda e: e.args[0].op == "vec" and e.args[0].args[0].shape == e.shape)
def _unvec_vec(e: Expr) -> Expr | None:
    return e.args[0].args[0]


@rule("vec(unvec(a)) = a", "vec", guard=lambda e: e.args[0].op == "unvec")
def _vec_unvec(e: Expr) -> Expr | None:
    return e.args[0].args[0]


@rule("vec(X)ᵀ vec(Y) = ⟨X, Y⟩", "matmul", guard=lambda e: e.args[0].op == "transpose"
      and e.args[0].args[0].op == "vec" and e.args[1].op == "vec" and not scalar(e.args[1].args[0]))
def _vec_inner(e: Expr) -> Expr | None:
    return make("inner", e.args[0].args[0].args[0], e.args[1].args[0])


# ---------------------------------------------------------------- quotients of quotients, numbers and their transposes


@rule("(A / s) / t = A / (s t) for scalars s ≠ t, neither a number", "div",
      guard=lambda e: e.args[0].op == "div" and scalar(e.args[1]) and scalar(e.args[0].args[1])
      and e.args[1] is not e.args[0].args[1] and "const" not in (e.args[1].op, e.args[0].args[1].op))
def _quotient_of_quotient(e: Expr) -> Expr | None:
    a, s = e.args[0].args
    return div(a, matmul(s, e.args[1]))


def _flipped(t: Expr, u: Expr) -> bool:
    """t = uᵀ for two products of leaves and transposed leaves (bᵀ a and aᵀ b)."""
    f, g = chain_of(t), chain_of(u)[::-1]
    return len(f) == len(g) > 1 and all(
        a.op == "transpose" and a.args[0] is b or b.op == "transpose" and b.args[0] is a for a, b in zip(f, g))


def _transposed_pair(e: Expr) -> tuple[int, int] | None:
    parts = [(i, b) for i, (_, b) in enumerate(map(split_coefficient, e.args)) if b.op == "matmul" and scalar(b)]
    for k, (i, t) in enumerate(parts):
        for j, u in parts[k + 1:]:
            if _flipped(t, u):
                return i, j
    return None


@rule("s aᵀ b + t bᵀ a = (s + t) aᵀ b (a number is its own transpose)", "add",
      guard=lambda e: _transposed_pair(e) is not None)
def _collect_transposed(e: Expr) -> Expr | None:
    i, j = _transposed_pair(e)
    (c, base), (d, _) = split_coefficient(e.args[i]), split_coefficient(e.args[j])
    rest = [t for k, t in enumerate(e.args) if k not in (i, j)]
    return add(scaled(c + d, base), *rest) if c + d else add(*rest) if rest else zero(e.shape)


def _diagonal_scaled(e: Expr) -> bool:
    a = e.args[0]
    return a.op == "matmul" and scalar(a.args[0]) and not scalar(a)


@rule("diag(s A) = s diag(A) for a scalar s (both diagonals: of a vector, of a matrix)", "diag", "diagvec",
      guard=_diagonal_scaled)
def _diag_scaled(e: Expr) -> Expr | None:
    s, a = e.args[0].args
    return matmul(s, make(e.op, a))


def _scaled_twin(e: Expr) -> tuple[int, int, Expr] | None:
    """(i, j, S) when term j of the sum e is S times term i's base, S a scalar that is not a number."""
    chains = [chain_of(split_coefficient(t)[1]) for t in e.args]
    ending: dict[Expr, list[int]] = {}
    for i, chain in enumerate(chains):
        if not scalar(chain[-1]):
            ending.setdefault(chain[-1], []).append(i)
    for j, chain in enumerate(chains):
        for i in ending.get(chain[-1], ()):
            k = len(chain) - len(chains[i])
            if k > 0 and chain[k:] == chains[i] and scalar(head := from_chain(chain[:k])) and head.op != "const":
                return i, j, head
    return None


@rule("c A + d S A = (c + d S) A for a scalar S (y + (1 + 2 yᵀ x) y = (2 + 2 yᵀ x) y)", "add",
      guard=lambda e: not scalar(e) and _scaled_twin(e) is not None)
def _collect_scaled_twin(e: Expr) -> Expr | None:
    i, j, head = _scaled_twin(e)
    (c, base), (d, _) = split_coefficient(e.args[i]), split_coefficient(e.args[j])
    rest = [t for k, t in enumerate(e.args) if k not in (i, j)]
    return add(matmul(add(const(c), scaled(d, head)), base), *rest)


@rule("diag(c 𝟙) = c I (the diagonal matrix of a constant column)", "diag", guard=lambda e: e.args[0].op == "fill")
def _diag_of_ones(e: Expr) -> Expr | None:
    eye = identity(e.shape[0])
    return eye if e.args[0].attr == 1 else matmul(const(e.args[0].attr), eye)


def _sign_pair(e: Expr) -> Expr | None:
    """s when the scalar product e is sign(s) s or s sign(s)."""
    a, b = e.args
    return a if b.op == "sign" and b.args[0] is a else b if a.op == "sign" and a.args[0] is b else None


@rule("sign(s) s = |s| for a scalar s", "matmul", guard=lambda e: scalar(e) and _sign_pair(e) is not None)
def _sign_times(e: Expr) -> Expr | None:
    return make("abs", _sign_pair(e))


def _centered(a: Expr) -> bool:
    """a = x - mean(x) (or -mean(x) + x) for a column x."""
    if a.op != "add" or len(a.args) != 2 or a.shape[1] != 1:
        return False
    x, m = a.args if a.args[1].op == "neg" else reversed(a.args)
    return m.op == "neg" and m.args[0].op == "mean" and m.args[0].args[0] is x and x.shape == a.shape


@rule("sum(x - mean(x)) = 0 for a column x (the deviations from the mean sum to zero)", "sum",
      guard=lambda e: _centered(e.args[0]))
def _sum_of_deviations(e: Expr) -> Expr | None:
    return const(0)


@rule("unvec(s a) = s unvec(a) for a scalar s", "unvec",
      guard=lambda e: e.args[0].op == "matmul" and scalar(e.args[0].args[0]) and not scalar(e.args[0].args[1]))
def _unvec_scaled(e: Expr) -> Expr | None:
    s, a = e.args[0].args
    return matmul(s, make("unvec", a, attr=e.attr))
