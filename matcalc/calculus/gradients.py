"""The public calculus API: ``grad``, ``vjp`` and ``derive``.

These turn user input (text or Formula, variable names) into calls of the
differentiator in ``diff.py``, then present the result: definitions the user made
(``Y = sigmoid(W X)``) are folded back into the answer, and a ``Derivation`` prints
the recorded steps as a chain of equalities in text, Unicode or LaTeX.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from matcalc.algebra import ops
from matcalc.algebra.expr import Expr, transform, walk, walk_all, with_args
from matcalc.algebra.registry import substitute
from matcalc.algebra.shapes import MatcalcError, is_scalar, is_vector
from matcalc.calculus.diff import Step, gradients
from matcalc.display import Display, Gradients
from matcalc.language.formula import Declaration, Formula
from matcalc.language.parse import as_formula
from matcalc.language.printers import show, show_name, spelled_typeset
from matcalc.language.retype import scalar_hint, wrt_hint
from matcalc.language.syntax import read_name
from matcalc.simplification.engine import Applied
from matcalc.simplification.expand import shorter
from matcalc.simplification.simplify import simplify


def _variables(formula: Formula, wrt: list[str]) -> list[Expr]:
    found = {n.attr.name: n for n in walk_all([formula.expr] + [ref for _, ref in formula.definitions])
             if n.op == "var"}
    missing = [w for w in wrt if read_name(w) not in found]  # λ and lambda are one variable
    if missing:
        names = ", ".join(found) or "none"
        raise MatcalcError(f"'{missing[0]}' is not a variable of the formula (its variables: {names})"
                           + wrt_hint(formula, read_name(missing[0])))
    return [found[read_name(w)] for w in wrt]


def _leaf(node: Expr) -> bool:
    """A leaf of the registry (a variable, number, constant array, definition or differential)."""
    return ops.OPS[node.op].layout == "leaf"


def fold_definitions(e: Expr, definitions: tuple[tuple[str, Expr], ...],
                     memo: dict[Expr, Expr] | None = None) -> Expr:
    """Write the user's definitions back by name: sigmoid(W X) -> Y when Y = sigmoid(W X)
    (``memo`` may be shared by calls with the same definitions: a derivation's steps)."""
    if not definitions:
        return e
    names = {ref.args[0]: ref for _, ref in definitions}

    def fold(node: Expr, args: tuple[Expr, ...]) -> Expr:
        return names[node] if node in names else node if _leaf(node) else with_args(node, args)

    return transform(e, fold, memo)


def share_subexpressions(exprs: list[Expr], taken: set[str],
                         longest: bool = False) -> tuple[list[Expr], list[tuple[str, Expr]]]:
    """Name the subexpressions used more than once (t1 = …) when writing them out repeatedly
    would make the result (with ``longest``: its longest expression) much longer than its DAG
    (deep networks, a derivation's lines); else return exprs as they are."""
    size: dict[Expr, int] = {}
    uses: dict[Expr, int] = {}
    for root in exprs:
        for node in walk(root, size):
            size[node] = 1 + sum(size[a] for a in node.args)
    for node in size:
        for a in node.args:
            uses[a] = uses.get(a, 0) + 1
    if (max if longest else sum)(size[r] for r in exprs) < max(150, 3 * len(size)):
        return exprs, []
    names = (f"t{i}" for i in range(1, 10**6) if f"t{i}" not in taken)
    built: dict[Expr, Expr] = {}
    defs: list[tuple[str, Expr]] = []
    for node in size:  # children before parents
        new = with_args(node, tuple(built[a] for a in node.args))
        if not _leaf(node) and uses.get(node, 0) >= 2 and size[node] >= 4:
            new = Expr("ref", (new,), next(names), node.shape)
            defs.append((new.attr, new))
        built[node] = new
    return [built[r] for r in exprs], defs


@dataclass(frozen=True)
class Hint:
    """A declaration that would shorten a result: ``name: type`` and the result it gives."""

    name: str
    declaration: str
    result: Expr

    def show(self, notation: str = "text") -> str:
        """The hint as one line in a notation."""
        name = show_name(self.name, notation)
        what = f"the entries of {name} sum" if self.declaration.startswith("vector") else f"each column of {name} sums"
        return (f"hint: if {what} to 1 (one-hot labels), declare {name}: {self.declaration} (or probability); "
                f"the result is then {show(self.result, notation)}")


def simplex_hints(g: Expr, wrt: set[str]) -> tuple[Hint, ...]:
    """Declarations `y: vector(k) onehot` that would shorten g: a plain vector summed (sum(y)) or a
    plain matrix under 𝟙ᵀ (not a variable in ``wrt``), whose columns summing to 1 the simplifier would use."""
    found = {n.args[0] for n in walk(g) if n.op == "sum"} | {n.args[1] for n in walk(g) if n.op == "matmul"
                                                            and n.args[0].op == "fill"}
    hints = []
    for v in sorted((v for v in found if v.op == "var" and v.attr.kind in ("vector", "matrix") and not v.attr.simplex
                     and v.attr.name not in wrt),
                    key=lambda v: v.attr.name):
        w = ops.var(v.attr.name, v.attr.kind, v.shape, v.attr.positive, "onehot")
        shorter = simplify(substitute(g, {v: w}))
        if len(show(shorter)) < len(show(g)):
            hints.append(Hint(v.attr.name, Declaration(w.attr, w.shape).type_text(), shorter))
    return tuple(hints)


def _results(raw: dict[str, Expr], formula: Formula) -> dict[str, Formula]:
    """Simplified gradients with the user's definitions folded in and shared parts named."""
    names = list(raw)
    exprs = [simplify(fold_definitions(shorter(raw[n]), formula.definitions)) for n in names]  # multiplied out?
    taken = {d.name for d in formula.declarations} | {name for name, _ in formula.definitions}
    exprs, shared = share_subexpressions(exprs, taken)
    defs = formula.definitions + tuple(shared)
    out = Gradients()
    for name, g in zip(names, exprs):
        used = {n.attr.name for n in walk(g) if n.op == "var"}
        out[name] = Formula(g, tuple(d for d in formula.declarations if d.name in used), defs,
                            inputs=formula.inputs or formula.declarations)  # compiled, it takes f's inputs
        out[name].hints = simplex_hints(g, set(names))
    return out


def grad(f: str | Formula, wrt: str | list[str], where: str | dict | None = None,
         symmetrized: bool = False) -> Formula | dict[str, Formula]:
    """∇_X f in closed form (Frobenius convention: df = <∇_X f, dX>, same shape as X).

    ``wrt`` is a variable name, or a list of names (then a dict name -> gradient, one
    derivation shared by all). For a symmetric or spd X the result is the unconstrained
    gradient, as torch.autograd reports it; ``symmetrized=True`` gives (G + Gᵀ)/2 instead,
    the gradient within the symmetric matrices."""
    derivation = derive(f, wrt, where)
    result = derivation.result
    for g in result.values() if isinstance(result, dict) else [result]:
        g.reading = derivation.formula.reading  # how f was read, with its guesses
    if not symmetrized:
        return result
    gradients = result if isinstance(result, dict) else {wrt: result}
    kinds = {d.name: d.var.kind for g in gradients.values() for d in g.declarations}
    formula = as_formula(f, where)
    kinds.update({d.name: d.var.kind for d in formula.declarations})
    out = Gradients({n: symmetrize(g) if kinds.get(n) in ("symmetric", "spd") else g for n, g in gradients.items()})
    return out if isinstance(result, dict) else out[wrt]


def vjp(F: str | Formula, wrt: str | list[str], upstream: str = "G",
        where: str | dict | None = None) -> Formula | dict[str, Formula]:
    """The backward rule of a layer F: the gradient of <G, F> for an upstream gradient G."""
    return grad(upstream_formula(as_formula(F, where), upstream), wrt)


def upstream_formula(formula: Formula, upstream: str) -> Formula:
    """<G, F> for an upstream gradient G shaped like F: its gradient is the VJP."""
    rows, cols = formula.shape
    kind = "scalar" if (rows, cols) == (1, 1) else "vector" if cols == 1 else "matrix"
    g = ops.var(upstream, kind, formula.shape)
    if any(n.op == "var" and n.attr.name == upstream for n in walk(formula.expr)):
        raise MatcalcError(f"the upstream name '{upstream}' is already a variable of F")
    decls = formula.declarations + (Declaration(g.attr, g.shape),)
    return Formula(ops.inner(g, formula.expr), decls, formula.definitions)


def to_sympy(f: str | Formula, where: str | dict | None = None) -> Any:
    """The formula as a SymPy matrix expression, for users who continue in SymPy."""
    return as_formula(f, where).to_sympy()


def symmetrize(g: Formula) -> Formula:
    """(G + Gᵀ)/2: the gradient restricted to symmetric directions."""
    return Formula(simplify(ops.matmul(ops.const(0.5), ops.add(g.expr, ops.transpose(g.expr)))),
                   g.declarations, g.definitions)


@dataclass(repr=False)
class Derivation(Display):
    """A recorded trace-trick derivation of df, and the gradients it ends with."""

    formula: Formula
    wrt: list[str]
    steps: list[Step]
    gradients: dict[str, Formula]
    single: bool
    _memos: tuple[dict, ...] = field(default_factory=lambda: ({}, {}, {}, {}), init=False, compare=False)  # steps

    @property
    def result(self) -> Formula | dict[str, Formula]:
        """The gradient (one wrt name) or the dict of gradients (a list)."""
        return self.gradients[self.wrt[0]] if self.single else self.gradients

    def state(self, step: Step) -> Expr:
        """A step's state Σ <G_k, L_k> as one expression (definitions folded into G)."""
        defs = self.formula.definitions
        terms = [ops.inner(fold_definitions(g, defs, self._memos[0]), lin) for g, lin in step.terms]
        return ops.add(*terms) if terms else ops.const(0)

    def trace(self) -> list[Applied]:
        """The derivation as rewrite records ``Applied(rule, before, after)`` of the whole state
        Σ <G_k, L_k>: the format the rewrite engine records for simplification."""
        states = [self.state(step) for step in self.steps]
        return [Applied(step.rule, before, after) for step, before, after in zip(self.steps[1:], states, states[1:])]

    def shown(self, step: Step, products: bool = False) -> Expr:
        """A step's state as a teacher writes it: a weight g on a scalar L is a product, <1, L> is L,
        <c, L> is c L, <c / s, L> is c L / s (and so is (c / s) ⊙ L of scalars); with ``products``
        also <g, L> of vectors, L not yet a bare dX, as gᵀ L or L gᵀ (the product it came from)."""
        defs = self.formula.definitions

        def scalars(node: Expr, args: tuple[Expr, ...]) -> Expr:
            node = with_args(node, args) if args else node
            if node.op == "hadamard" and is_scalar(node.shape):
                return _weighted(*node.args) or _weighted(*reversed(node.args)) or node
            return node

        terms = []
        for g, lin in step.terms:
            lin = transform(lin, scalars, self._memos[1])
            g = fold_definitions(g, defs, self._memos[0])
            written = is_scalar(lin.shape) and _weighted(g, lin) or products and _vector_product(g, lin)
            terms.append(written or ops.inner(g, lin))
        return ops.add(*terms) if terms else ops.const(0)

    def teacher_steps(self) -> list[tuple[Expr, str]]:
        """(state, rule) per line: bookkeeping moves that leave the written state as it was
        (moving a number into an inner product) are left out; each rule is labelled by what it did."""
        out: list[tuple[Expr, str]] = []
        for i, step in enumerate(self.steps):
            state = self.shown(step, products=True)
            if out and self._alike(state, out[-1][0]):  # regrouped a product or evaluated a number
                continue
            if step.bookkeeping and len(out) > 1:  # the previous rule's line, written as it ends
                if not self._alike(state, out[-1][0]):
                    out[-1] = (state, out[-1][1])
                continue
            out.append((state, _label(step.rule, self.steps[i - 1] if i else None, step)))
        return out

    def _alike(self, a: Expr, b: Expr) -> bool:
        """a and b differ only in grouping of products or in how a number is written ((1 / 2) and 0.5);
        memoized over the derivation (its states share their parts), so deep derivations stay linear."""
        numbers, grouped = self._memos[2], self._memos[3]
        return transform(transform(a, _numbers, numbers), _associated, grouped) is transform(
            transform(b, _numbers, numbers), _associated, grouped)

    def lines(self, notation: str = "text") -> list[tuple[str, str, str]]:
        """(left side, right side, rule) for every line of the derivation (rules in the notation's
        symbols: ASCII for text, Unicode for unicode and latex)."""
        out = []
        steps = self.teacher_steps()
        defs = {n: ref for g in self.gradients.values() for n, ref in g.definitions}
        taken = {d.name for d in self.formula.declarations} | set(defs)
        states, shared = share_subexpressions([state for state, _ in steps], taken, longest=True)  # deep nesting
        for i, (state, (_, rule)) in enumerate(zip(states, steps)):
            lhs = "df" if i == 0 else ""
            out.append((lhs, show(state, notation), rule_label(rule, notation)))
        for name in self.wrt:
            nabla = {"text": "grad_{0} f", "unicode": "∇_{0} f", "latex": "\\nabla_{{{0}}} f"}[notation]
            out.append((nabla.format(show_name(name, notation)), show(self.gradients[name].expr, notation), ""))
        for name, ref in [*defs.items(), *shared]:
            out.append(("where " + show_name(name, notation), show(ref.args[0], notation), ""))
        return out

    def show(self, notation: str = "text") -> str:
        """The derivation as a chain of equalities, one labelled step per line (names as the user typed them)."""
        with spelled_typeset(self.formula.typeset_names):
            rows = self.lines(notation)
        if notation == "latex":
            body = " \\\\\n".join(f"{lhs} &= {rhs}" + (f" && \\text{{{_latex_text(rule)}}}" if rule else "")
                                  for lhs, rhs, rule in rows)
            return "\\begin{aligned}\n" + body + "\n\\end{aligned}"
        width = max(len(lhs) for lhs, _, _ in rows)
        rhs_width = min(60, max(len(rhs) for _, rhs, _ in rows))
        return "\n".join((f"{lhs:>{width}} = {rhs:<{rhs_width}}" + (f"   [{rule}]" if rule else "")).rstrip()
                         for lhs, rhs, rule in rows)

    def __str__(self) -> str:
        return self.show("text")

    def _repr_latex_(self) -> str:
        return f"$${self.show('latex')}$$"


_LATEX_IN_TEXT = {"ᵀ": "$^\\top$", "⊙": "$\\odot$", "⁻¹": "$^{-1}$", "⟨": "$\\langle$", "⟩": "$\\rangle$",
                  "²": "$^2$", "₂": "$_2$",
                  "𝟙": "$\\mathbf{1}$", "‖": "$\\|$", "₁": "$_1$", "Σ": "$\\sum$", "≥": "$\\geq$", "_": "\\_",
                  "&": "\\&", "σ": "$\\sigma$"}


def _vector_product(g: Expr, lin: Expr) -> Expr | None:
    """<g, L> for vectors, with L not yet a bare differential of a variable, written as the product
    it came from: gᵀ L for columns, L gᵀ for rows (<xᵀ, d(xᵀ A)> is d(xᵀ A) x); else None."""
    column, row = is_vector(lin.shape), is_vector(lin.shape[::-1])
    if lin.op == "d" and not lin.args[0].args or column == row:
        return None
    return ops.matmul(_flipped(g), lin) if column else ops.matmul(lin, _flipped(g))


def _flipped(g: Expr) -> Expr:
    """gᵀ as written by hand: (Aᵀ)ᵀ = A, (A B)ᵀ = Bᵀ Aᵀ, (-A)ᵀ = -Aᵀ, (s A)ᵀ = s Aᵀ, (A / s)ᵀ = Aᵀ / s, else (g)ᵀ."""
    if g.op == "transpose":
        return g.args[0]
    if g.op == "neg":
        return ops.neg(_flipped(g.args[0]))
    if g.op == "matmul":
        if any(is_scalar(a.shape) for a in g.args):
            return ops.matmul(*(a if is_scalar(a.shape) else _flipped(a) for a in g.args))
        return ops.matmul(_flipped(g.args[1]), _flipped(g.args[0]))
    if g.op == "div" and is_scalar(g.args[1].shape):
        return ops.div(_flipped(g.args[0]), g.args[1])
    return ops.transpose(g)


def _numbers(node: Expr, args: tuple[Expr, ...]) -> Expr:
    """A part made of numbers only (1 / 2, 0.5, 2 · 0.5) as one number, its place kept (for transform)."""
    if is_scalar(node.shape) and (node.op == "const" or args and all(a.op == "const" for a in args)):
        return ops.const(0)
    return with_args(node, args) if args else node


def _associated(node: Expr, args: tuple[Expr, ...]) -> Expr:
    """A product regrouped from the left ((A B) C for A (B C), arrays only) (for transform)."""
    node = with_args(node, args) if args else node
    if node.op == "matmul" and node.args[1].op == "matmul" and not any(
            is_scalar(a.shape) for a in (node.args[0], *node.args[1].args)):
        inner_a, inner_b = node.args[1].args
        return ops.matmul(_associated(ops.matmul(node.args[0], inner_a), ()), inner_b)
    return node


def _weighted(g: Expr, lin: Expr) -> Expr | None:
    """g L written as a product for a scalar L: L, -L, c L, or (c L) / s for g = c / s; else None."""
    if g.op == "div" and g.args[0].op == "const" and is_scalar(g.shape):
        top = _weighted(g.args[0], lin)
        return ops.div(top, g.args[1])
    if g.op == "neg":
        term = _weighted(g.args[0], lin)
        return term and ops.neg(term)
    if g.op != "const":
        return ops.matmul(g, lin) if is_scalar(g.shape) and lin.op != "inner" else None
    return lin if g.attr == 1 else ops.neg(lin) if g.attr == -1 else ops.matmul(g, lin)


_NORM_SQUARED = "d(‖A‖²) = 2 <A, dA>"
_ASCII = [("ᵀ", "^T"), (" ⊙ ", " .* "), ("⁻¹", "^-1"), ("‖x‖₁", " norm1(x)"), ("₁", "1"), ("₂", "2"), ("‖", "||"),
          ("²", "^2"), ("𝟙𝟙", "1 1"), ("Σ", "sum"), ("σ", "sigmoid"), ("⟨", "<"), ("⟩", ">")]


def _label(rule: str, before: Step | None, after: Step) -> str:
    """The rule a step applied, named by what it did where one entry's rule covers two identities
    (d of ‖A‖² is not d(A.^p))."""
    if before is None or not rule.startswith("d(A.^p)"):
        return rule
    gone = [lin.args[0] for g, lin in before.terms if lin.op == "d" and (g, lin) not in after.terms]
    return _NORM_SQUARED if gone and gone[0].op == "hpow" and gone[0].args[0].op == "norm2" else rule


def rule_label(rule: str, notation: str) -> str:
    """A rule name in a notation's symbols: ASCII for text (<G, A .* B>), Unicode math otherwise
    (⟨G, A ⊙ B⟩, G₁)."""
    if notation == "text":
        for a, b in _ASCII:
            rule = rule.replace(a, b)
        return rule
    rule = re.sub(r"(?<!\w)<", "⟨", re.sub(r"(?<=[\w)\]>])>(?!\w)", "⟩", rule))
    return re.sub(r"\b([GE])([12])\b", lambda m: m.group(1) + "₁₂"[int(m.group(2)) - 1], rule)


def _latex_text(rule: str) -> str:
    """A rule name inside \\text{…}: Unicode symbols as inline math, so pdflatex reads it."""
    return "".join(_LATEX_IN_TEXT.get(ch, ch) for ch in rule.replace("⁻¹", "\x00")).replace("\x00", "$^{-1}$")


def derive(f: str | Formula, wrt: str | list[str], where: str | dict | None = None) -> Derivation:
    """The trace-trick derivation of ∇_X f, step by step (see ``Derivation.show``)."""
    formula = as_formula(f, where)
    names = [wrt] if isinstance(wrt, str) else list(wrt)
    if not names:
        raise MatcalcError("name at least one variable to differentiate with respect to")
    variables = _variables(formula, names)
    try:
        raw, steps = gradients(formula.expr, variables)
    except MatcalcError as e:
        e.message += "" if is_scalar(formula.expr.shape) else scalar_hint(formula)
        raise
    results = _results({name: raw[v] for name, v in zip(names, variables)}, formula)
    return Derivation(formula, names, steps, results, isinstance(wrt, str))
