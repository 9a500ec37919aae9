"""Backward-code generation: a formula -> standalone source of ``f_and_grad``.

``codegen("a^T exp(X b)", "X")`` returns Python source that imports only NumPy (or
torch) and defines ``f_and_grad(a, X, b) -> (value, {"X": grad_X})``. The pipeline:

1. ``matcalc.derive`` gives the closed-form gradients (user definitions kept as refs);
2. ``rules.py`` rewrites value and gradients into stable, cheap forms (rules as data);
3. ``chains.py`` orders every matrix chain by cost;
4. ``finish.py`` turns inverse products into solves, diag products into
   broadcasts, relu' products into masks;
5. ``emit.py`` gives every distinct node of the one DAG (value and gradients
   together) one statement, so shared subexpressions are computed once;
6. ``program.py`` wraps the statements as a function (or a ``torch.autograd.Function``).
"""

from __future__ import annotations

from ..calculus import derive
from ..evaluate import as_formula
from ..expr import Expr, walk
from ..formula import Formula
from ..lower import py_name
from ..shapes import MatcalcError
from ..simplify import simplify
from .chains import order_chains
from .emit import TARGETS, Emitter
from .finish import finish_rules, materialized_inverses
from .program import Signature, function_source, torch_function_source, value_function_source
from .rules import FAST, STABLE, rewrite, strip_refs

BACKENDS = ("numpy", "torch", "torch-function")


def optimize(roots: list[Expr], keep: set[str]) -> list[Expr]:
    """The roots rewritten for stable, fast evaluation (one DAG: shared nodes stay shared)."""
    memo: dict[Expr, Expr] = {}
    roots = rewrite(roots, [strip_refs(keep)] + STABLE + FAST, memo)
    roots = order_chains(roots)
    roots = rewrite(roots, FAST)
    return rewrite(roots, FAST + finish_rules(materialized_inverses(roots)))


def plan(formula: Formula, wrt: list[str], backend: str) -> tuple[Signature, Emitter, str, dict[str, str], int]:
    """Derive, optimize and emit: the signature, the filled emitter, the value's code, each
    gradient's code, and how many statements the value alone needs."""
    derivation = derive(formula, wrt)
    grads = {n: derivation.gradients[n] for n in wrt}
    keep = {name for name, _ in formula.definitions}
    for g in grads.values():
        keep |= {name for name, _ in g.definitions if name in keep}
    roots = optimize([_canonical(formula.expr)] + [g.expr for g in grads.values()], keep)
    sig = Signature.of(formula, grads)
    preferred: dict[Expr, str] = {}
    for r in roots:
        for node in _refs(r):
            preferred.setdefault(node.args[0], py_name(node.attr))
    target = TARGETS["torch" if backend.startswith("torch") else "numpy"]
    em = Emitter(target, sig.dims, preferred, taken=set(sig.taken) | set(preferred.values()))
    value = em.emit(roots[0])
    n_value = len(em.lines)
    grad_codes = {n: em.emit(r) for n, r in zip(wrt, roots[1:])}
    return sig, em, value, grad_codes, n_value


def _canonical(e: Expr) -> Expr:
    """The value in the simplifier's canonical form (so it shares nodes with the gradients);
    simplification only helps sharing here, so the value is used as written if it fails."""
    try:
        return simplify(e)
    except (MatcalcError, RecursionError):
        return e


def _refs(root: Expr) -> list[Expr]:
    return [n for n in walk(root) if n.op == "ref"]


def value_source(f: str | Formula | Expr, where: str | dict | None = None, backend: str = "numpy",
                 name: str = "formula", optimized: bool = False) -> tuple[str, list[str]]:
    """Source of ``name(*variables) -> value`` in float64, and the variables' names in its order.

    This is the lowering ``matcalc.compile`` runs. Without ``optimized`` the code transcribes
    the formula node by node (a faithful reference for checks); with it, the rewrites of
    ``codegen`` apply too (stable forms, ordered chains, solves)."""
    formula = as_formula(f, where)
    if any(n.op == "d" for n in walk(formula.expr)):
        raise MatcalcError("a differential (dX) cannot be evaluated")
    keep = {name for name, _ in formula.definitions}
    root = optimize([formula.expr], keep)[0] if optimized else rewrite([formula.expr], [strip_refs(keep)])[0]
    sig = Signature.of(formula, {})
    preferred = {n.args[0]: py_name(n.attr) for n in _refs(root)}
    em = Emitter(TARGETS[backend], sig.dims, preferred, taken=set(sig.taken) | set(preferred.values()))
    code = em.emit(root)
    return value_function_source(sig, em, code, formula.shape, name), [d.name for d in sig.decls]


def codegen(f: str | Formula, wrt: str | list[str], where: str | dict | None = None, backend: str = "numpy",
            name: str = "f_and_grad") -> str:
    """Standalone Python source of ``name(*variables) -> (value, {wrt: gradient})``.

    ``backend`` is "numpy", "torch" (a function of tensors, no autograd) or "torch-function"
    (a ``torch.autograd.Function`` with the closed-form backward, and a wrapper ``name``)."""
    if backend not in BACKENDS:
        raise MatcalcError(f"unknown backend '{backend}' (use {', '.join(BACKENDS)})")
    formula = as_formula(f, where)
    names = [wrt] if isinstance(wrt, str) else list(wrt)
    if not names:
        raise MatcalcError("name at least one variable to differentiate with respect to")
    if formula.shape != (1, 1):
        raise MatcalcError("code generation needs a scalar function (use matcalc.vjp for a layer)")
    sig, em, value, grads, n_value = plan(formula, names, backend)
    if backend == "torch-function":
        return torch_function_source(sig, em, value, grads, n_value, name)
    return function_source(sig, em, value, grads, name)
