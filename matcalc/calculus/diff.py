"""The trace trick as a program: linearize with d-rules, transpose with adjoints.

The state of a derivation is a sum of Frobenius inner products ``Σ <G_k, L_k>``
where each ``L_k`` is linear in differentials. It starts as ``<1, d(f)>``. Two
moves, both looked up in the registry (``ops.OPS``), never by naming an operation:

- **d-rule** (the JVP): ``<G, d(op(a, b))>`` -> ``<G, jvp(op)(da, db)>``,
  where ``da`` is None when ``a`` does not depend on the variables;
- **adjoint** (the transpose): ``<G, op(…, L, …)>`` -> ``<adjoint(op)(G), L>``.

Terms ``<G1, d(e)> + <G2, d(e)>`` are collected before ``d(e)`` is expanded, and the
outermost node is always expanded first, so every node of the DAG is expanded once:
reverse-mode accumulation, linear in the size of f. Every move is recorded as a
``Step`` (rule name + the whole state after it): the derivation users see; ``Derivation.trace``
gives it as ``(rule, before, after)`` records, the simplifier's trace format.
Invariant: at the end every term is ``<G_X, dX>`` with X a variable, and ∇_X f = G_X.
"""

from __future__ import annotations

from dataclasses import dataclass

from matcalc.algebra import ops
from matcalc.algebra.expr import Expr, walk
from matcalc.algebra.shapes import MatcalcError, is_scalar, show_shape
from matcalc.simplification.simplify import simplify

Term = tuple[Expr, Expr]  # (G, L): the inner product <G, L>


@dataclass(frozen=True)
class Step:
    """One move of a derivation: the rule applied and the whole state after it."""

    rule: str
    terms: tuple[Term, ...]


class Linearizer:
    """Runs the two moves over one scalar expression, for a set of variables."""

    def __init__(self, f: Expr, wrt: list[Expr]):
        self.wrt = set(wrt)
        self.order = {node: i for i, node in enumerate(walk(f))}  # children before parents
        self.depends = _depends(f, self.wrt)
        self.steps: list[Step] = []
        self._linear: dict[Expr, bool] = {}

    def run(self, f: Expr) -> dict[Expr, Expr]:
        """Derive; return the (unsimplified-but-tidy) gradient G_X of each variable X."""
        terms: list[Term] = [(ops.const(1), ops.d(f))] if f in self.depends else []
        self.steps.append(Step("", tuple(terms)))
        while True:
            i = self._next_linear(terms)
            if i is not None:
                terms = self._transpose(terms, i)
                continue
            terms = self._collect(terms)
            j = self._next_expandable(terms)
            if j is None:
                break
            terms = self._expand(terms, j)
        return {t[1].args[0]: t[0] for t in terms}

    # ---------------------------------------------------------------- the two moves

    def _expand(self, terms: list[Term], j: int) -> list[Term]:
        """d-rule on term j: <G, d(e)> -> <G, jvp(e)>."""
        g, de = terms[j]
        e = de.args[0]
        spec = ops.OPS[e.op]
        if spec.jvp is None:
            raise MatcalcError(f"{e.op} has no derivative rule")
        da = tuple(ops.d(a) if a in self.depends else None for a in e.args)
        linear = spec.jvp(e, da)
        rest = terms[:j] + terms[j + 1:]
        new = rest if linear is None else terms[:j] + [(g, linear)] + terms[j + 1:]
        self._record(spec.jvp_rule, new)
        return new

    def _transpose(self, terms: list[Term], i: int) -> list[Term]:
        """Adjoint on term i: <G, op(…, L, …)> -> Σ <adjoint_k(G), L_k>."""
        g, lin = terms[i]
        spec = ops.OPS[lin.op]
        if spec.adjoint is None:
            raise MatcalcError(f"no gradient rule through {lin.op}: use jvp or jacobian for this formula")
        moved = [(simplify(spec.adjoint(lin, k, g)), a) for k, a in enumerate(lin.args) if self._has_d(a)]
        new = terms[:i] + moved + terms[i + 1:]
        self._record(spec.adjoint_rule, new)
        return new

    def _collect(self, terms: list[Term]) -> list[Term]:
        """<G1, d(e)> + <G2, d(e)> -> <G1 + G2, d(e)>."""
        merged: dict[Expr, Expr] = {}
        for g, de in terms:
            merged[de] = simplify(ops.add(merged[de], g)) if de in merged else g
        if len(merged) < len(terms):
            terms = [(g, de) for de, g in merged.items()]
            self._record("collect terms: <G1, dE> + <G2, dE> = <G1 + G2, dE>", terms)
        return terms

    # ---------------------------------------------------------------- scheduling

    def _next_linear(self, terms: list[Term]) -> int | None:
        """A term whose second argument is not yet a bare differential."""
        return next((i for i, (_, lin) in enumerate(terms) if lin.op != "d"), None)

    def _next_expandable(self, terms: list[Term]) -> int | None:
        """The term d(e) with the outermost e that is not a variable (reverse topological order)."""
        candidates = [(self.order[de.args[0]], i) for i, (_, de) in enumerate(terms) if de.args[0] not in self.wrt]
        return max(candidates)[1] if candidates else None

    def _record(self, rule: str, terms: list[Term]) -> None:
        self.steps.append(Step(rule, tuple(terms)))

    def _has_d(self, e: Expr) -> bool:
        """e contains a differential (memoized: linear forms share structure)."""
        for node in walk(e, self._linear):
            self._linear[node] = node.op == "d" or any(self._linear[a] for a in node.args)
        return self._linear[e]


def _depends(f: Expr, wrt: set[Expr]) -> set[Expr]:
    out: set[Expr] = set()
    for node in walk(f):
        if node in wrt or any(a in out for a in node.args):
            out.add(node)
    return out


def gradients(f: Expr, wrt: list[Expr]) -> tuple[dict[Expr, Expr], list[Step]]:
    """∇_X f for each variable X in wrt (simplified), and the recorded derivation steps."""
    if not is_scalar(f.shape):
        raise MatcalcError(f"the function must be a scalar, but it is {show_shape(f.shape)}: "
                           "for a vector- or matrix-valued F use jacobian(F, wrt) (the whole Jacobian), "
                           "jvp(F, wrt, direction='V') (forward mode) or vjp(F, wrt, upstream='G') "
                           "(the gradient of <G, F>)")
    lin = Linearizer(f, wrt)
    raw = lin.run(f)
    return {x: simplify(raw[x]) if x in raw else ops.fill(0, x.shape) for x in wrt}, lin.steps

