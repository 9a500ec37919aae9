"""Code generation machinery: rewrite, order, emit; one lowering for every compiled formula.

The pipeline from expressions to straight-line NumPy/torch code:

1. ``rules.py`` rewrites into stable, cheap forms (rules as data);
2. ``chains.py`` orders every matrix chain by cost;
3. ``finish.py`` turns inverse products into solves, diag products into broadcasts,
   relu' products into masks, ``A Bᵀ`` into ``mulnt`` (the BLAS's fastest layout);
4. ``emit.py`` gives every distinct node of one DAG one statement, so shared
   subexpressions are computed once;
5. ``program.py`` wraps the statements as a function (or a ``torch.autograd.Function``); in
   NumPy functions ``inplace.py`` first writes results over dying arrays the function allocated.

``value_source`` is what ``matcalc.compile`` runs; ``matcalc.lowering.codegen.codegen`` adds the
closed-form gradients. This package does not import the calculus (no cycle with ``compile``).
"""

from __future__ import annotations

from matcalc.algebra.expr import Expr, walk
from matcalc.algebra.shapes import MatcalcError
from matcalc.language.formula import Formula
from matcalc.lowering.chains import order_chains
from matcalc.lowering.emit import TARGETS, Emitter
from matcalc.lowering.finish import LAYOUT, finish_rules, materialized_inverses
from matcalc.lowering.identifiers import py_name
from matcalc.lowering.program import Signature, value_function_source
from matcalc.lowering.reuse import nodes, products, reuse_rules, sharing_rules
from matcalc.lowering.rules import FAST, STABLE, rewrite, strip_refs


def optimize(roots: list[Expr], keep: set[str]) -> list[Expr]:
    """The roots rewritten for stable, fast evaluation (one DAG: shared nodes stay shared);
    definitions named in ``keep`` stay as named intermediates."""
    memo: dict[Expr, Expr] = {}
    roots = rewrite(roots, [strip_refs(keep)] + STABLE + FAST, memo)
    roots = order_chains(roots)
    roots = rewrite(roots, FAST)
    roots = rewrite(roots, FAST + finish_rules(materialized_inverses(roots)))
    roots = rewrite(roots, sharing_rules(nodes(roots).__contains__))
    roots = rewrite(roots, reuse_rules(products(roots).__contains__))
    return rewrite(roots, LAYOUT)


def emitter(roots: list[Expr], sig: Signature, backend: str) -> Emitter:
    """An emitter for ``backend`` that names each user definition in the roots by its name."""
    preferred: dict[Expr, str] = {}
    for r in roots:
        for node in walk(r):
            if node.op == "ref":
                preferred.setdefault(node.args[0], py_name(node.attr))
    target = TARGETS["torch" if backend.startswith("torch") else "numpy"]
    return Emitter(target, sig.dims, preferred, taken=set(sig.taken) | set(preferred.values()))


def value_source(formula: Formula, backend: str = "numpy", name: str = "formula",
                 optimized: bool = False) -> tuple[str, list[str]]:
    """Source of ``name(*variables) -> value`` in float64, and the variables' names in its order.

    This is the lowering ``matcalc.compile`` runs. Without ``optimized`` the code transcribes
    the formula node by node (a faithful reference for checks); with it, the rewrites of
    ``codegen`` apply too (stable forms, ordered chains, solves)."""
    if any(n.op == "d" for n in walk(formula.expr)):
        raise MatcalcError("a differential (dX) cannot be evaluated")
    keep = {name for name, _ in formula.definitions}
    root = optimize([formula.expr], keep)[0] if optimized else rewrite([formula.expr], [strip_refs(keep)])[0]
    sig = Signature.of(formula, {})
    em = emitter([root], sig, backend)
    code = em.emit(root)
    return value_function_source(sig, em, code, formula.shape, name), [d.name for d in sig.decls]

