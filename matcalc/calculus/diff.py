"""The trace trick as a program: linearize with d-rules, transpose with adjoints.

The state of a derivation is a sum of Frobenius inner products ``Σ <G_k, L_k>``
where each ``L_k`` is linear in differentials. It starts as ``<1, d(f)>``. Two
moves, both looked up in the registry (``ops.OPS``), never by naming an operation:

- **d-rule** (the JVP): ``<G, d(op(a, b))>`` -> ``<G, jvp(op)(da, db)>``,
  where ``da`` is None when ``a`` does not depend on the variables;
- **adjoint** (the transpose): ``<G, op(…, L, …)>`` -> ``<adjoint(op)(G), L>``.

Terms ``<G1, d(e)> + <G2, d(e)>`` are collected as they appear (when many share one ``d(e)``,
they are summed at once before ``d(e)`` is expanded, or at the end), and the outermost node is
always expanded first, so every node of the DAG is expanded once: reverse-mode accumulation,
linear in the size of f. Every move is recorded as a ``Step`` (rule name + the whole state after
it): the derivation users see; ``Derivation.trace`` gives it as ``(rule, before, after)``
records, the simplifier's trace format.
Invariant: at the end every term is ``<G_X, dX>`` with X a variable, and ∇_X f = G_X.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

from matcalc.algebra import ops
from matcalc.algebra.expr import Expr, walk
from matcalc.algebra.shapes import MatcalcError, is_scalar, show_shape
from matcalc.simplification.simplify import simplify

Term = tuple[Expr, Expr]  # (G, L): the inner product <G, L>
COLLECT = "collect terms: <G1, dE> + <G2, dE> = <G1 + G2, dE>"


@dataclass(frozen=True)
class Step:
    """One move of a derivation: the rule applied and the whole state after it."""

    rule: str
    terms: tuple[Term, ...]
    bookkeeping: bool = False  # an adjoint that only moved a scalar weight: nothing a teacher writes


class Linearizer:
    """Runs the two moves over one scalar expression, for a set of variables.

    The state is kept as two parallel lists (the terms, and their second arguments for C-speed
    lookups), a heap of the differentials d(e) still to expand (by e's topological order) and how
    many terms take each one, so every move costs O(1) Python work plus C-level list copies:
    derivation time is linear in the size of the DAG."""

    def __init__(self, f: Expr, wrt: list[Expr]):
        self.wrt = set(wrt)
        self.nodes = list(walk(f))  # children before parents
        self.order = {node: i for i, node in enumerate(self.nodes)}
        self.depends = _depends(f, self.wrt)
        self.steps: list[Step] = []
        self.terms: list[Term] = []
        self._lins: list[Expr] = []  # the second argument of each term (parallel to terms)
        self._pending: list[int] = []  # heap of -order[e] for the d(e) in terms, e not a variable
        self._count: dict[Expr, int] = {}  # how many terms take d(e)
        self._absorbed: dict[Expr, int] = {}  # how many terms were summed into d(e)'s term so far
        self._linear: dict[Expr, bool] = {}

    def run(self, f: Expr) -> dict[Expr, Expr]:
        """Derive; return the (unsimplified-but-tidy) gradient G_X of each variable X."""
        if f in self.depends:
            self._replace(0, 0, [(ops.const(1), ops.d(f))])
        self._record("")
        while self._pending:
            de = ops.d(self.nodes[-heapq.heappop(self._pending)])
            self._merge([de], whole=True)
            j = self._lins.index(de)
            end = self._reduce(j, self._expand(j))
            self._merge(self._lins[j:end], whole=False)
        self._merge(self._lins, whole=True)
        return {lin.args[0]: g for g, lin in self.terms}

    def transposed(self, g: Expr, lin: Expr) -> list[Term]:
        """<g, lin> for a linear form lin, moved by adjoints onto bare differentials (collected)."""
        self._replace(0, 0, [(g, lin)])
        self._reduce(0, 1)
        self._merge(self._lins, whole=True)
        return self.terms

    # ---------------------------------------------------------------- the two moves

    def _expand(self, j: int) -> int:
        """d-rule on term j: <G, d(e)> -> <G, jvp(e)>; the end of the terms that replaced it."""
        g, de = self.terms[j]
        e = de.args[0]
        spec = ops.OPS[e.op]
        if spec.jvp is None:
            raise MatcalcError(f"{e.op} has no derivative rule")
        linear = spec.jvp(e, tuple(ops.d(a) if a in self.depends else None for a in e.args))
        new = [] if linear is None else [(g, linear)]
        self._replace(j, j + 1, new)
        self._record(spec.jvp_rule)
        return j + len(new)

    def _reduce(self, start: int, end: int) -> int:
        """Adjoints on terms start..end-1 (the only ones not yet bare differentials), first one first,
        until each is <G, d(e)>; the new end."""
        while start < end:
            if self._lins[start].op == "d":
                start += 1
                continue
            g, lin = self.terms[start]
            spec = ops.OPS[lin.op]
            if spec.adjoint is None:
                raise MatcalcError(f"no gradient rule through {lin.op}: use jvp or jacobian for this formula")
            moved = [(simplify(spec.adjoint(lin, k, g)), a) for k, a in enumerate(lin.args) if self._has_d(a)]
            self._replace(start, start + 1, moved)
            end += len(moved) - 1
            self._record(spec.adjoint_rule, _moves_a_weight(g, lin, self._has_d))
        return end

    def _merge(self, lins: list[Expr], whole: bool) -> None:
        """<G1, dE> + <G2, dE> = <G1 + G2, dE> for each dE of lins that several terms take (one step
        for all), summed in the terms' order into the first of them. Without ``whole`` a group is
        merged only while it has absorbed at most FOLD terms; beyond, its terms wait for d(E)'s
        expansion or the end and are then summed at once (linear time, not quadratic)."""
        merged = False
        for de in dict.fromkeys(lins):
            n = self._count.get(de, 0)
            absorbed = self._absorbed.get(de, 1)
            if n < 2 or not whole and absorbed + n - 1 > FOLD:
                continue
            where = [self._lins.index(de)]
            while len(where) < n:
                where.append(self._lins.index(de, where[-1] + 1))
            total = _total([self.terms[i][0] for i in where])
            for i in reversed(where[1:]):
                self._replace(i, i + 1, [])
            self.terms[where[0]] = (total, de)
            self._absorbed[de] = absorbed + n - 1
            merged = True
        if merged:
            self._record(COLLECT)

    # ---------------------------------------------------------------- bookkeeping

    def _replace(self, i: int, j: int, new: list[Term]) -> None:
        """terms[i:j] = new, keeping the counts of differentials and the heap of pending ones."""
        for lin in self._lins[i:j]:
            if lin.op == "d":
                self._count[lin] -= 1
        for _, lin in new:
            if lin.op == "d":
                seen = self._count.get(lin, 0)
                if not seen and lin.args[0] not in self.wrt:
                    heapq.heappush(self._pending, -self.order[lin.args[0]])
                self._count[lin] = seen + 1
        self.terms[i:j] = new
        self._lins[i:j] = [lin for _, lin in new]

    def _record(self, rule: str, bookkeeping: bool = False) -> None:
        self.steps.append(Step(rule, tuple(self.terms), bookkeeping))

    def _has_d(self, e: Expr) -> bool:
        """e contains a differential (memoized: linear forms share structure)."""
        for node in walk(e, self._linear):
            self._linear[node] = node.op == "d" or any(self._linear[a] for a in node.args)
        return self._linear[e]


def _moves_a_weight(g: Expr, lin: Expr, has_d) -> bool:
    """<G, L> -> <G', L'> only moves a scalar weight: every factor moved into G is a scalar
    (<G, s dA> = <s G, dA>) or a sign (<G, -dA> = <-G, dA>), or a scalar weight enters an inner product
    (<g, <A, dB>> = <g A, dB>): the written line stays g s dA / g <A, dB>."""
    fixed = [a for a in lin.args if not has_d(a)]
    if not fixed:
        return lin.op == "neg"
    return all(is_scalar(a.shape) for a in fixed) or is_scalar(g.shape) and lin.op == "inner"


FOLD = 8  # up to this many terms are summed one by one (as a student would), more all at once


def _total(gs: list[Expr]) -> Expr:
    """G1 + G2 + …, simplified: one term at a time for a few terms (the textbook forms, such as a
    common number in front, show up pairwise), in one sum for many (linear time, not quadratic)."""
    if len(gs) > FOLD:
        return simplify(ops.add(*gs))
    total = gs[0]
    for g in gs[1:]:
        total = simplify(ops.add(total, g))
    return total


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

