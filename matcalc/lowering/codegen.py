"""``codegen``: a formula -> standalone source of ``f_and_grad`` (value and closed-form gradients).

``codegen("a^T exp(X b)", "X")`` returns Python source that imports only NumPy (or torch)
and defines ``f_and_grad(a, X, b) -> (value, {"X": grad_X})``: ``matcalc.derive`` gives the
gradients, then value and gradients go through the machinery of ``matcalc.lowering`` as ONE DAG
(stable rewrites, cost-ordered chains, solves, one statement per distinct node), so a
subexpression shared by the value and the gradients is computed once.
"""

from __future__ import annotations

from matcalc.algebra.expr import Expr
from matcalc.algebra.shapes import MatcalcError
from matcalc.calculus.gradients import derive
from matcalc.language.formula import Formula
from matcalc.language.parse import as_formula
from matcalc.lowering import emitter, optimize
from matcalc.lowering.emit import Emitter
from matcalc.lowering.family_codegen import grad_hess_source, result_source
from matcalc.lowering.program import Signature, function_source, torch_function_source
from matcalc.simplification.simplify import simplify

BACKENDS = ("numpy", "torch", "torch-function")


def plan(formula: Formula, wrt: list[str], backend: str) -> tuple[Signature, Emitter, str, dict[str, str], int]:
    """Derive, optimize and emit: the signature, the filled emitter, the value's code, each
    gradient's code, and how many statements the value alone needs."""
    derivation = derive(formula, wrt)
    grads = {n: derivation.gradients[n] for n in wrt}
    keep = {name for name, _ in formula.definitions}
    roots = optimize([_canonical(formula.expr)] + [g.expr for g in grads.values()], keep)
    sig = Signature.of(formula, grads)
    em = emitter(roots, sig, backend)
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


def codegen(f: str | Formula, wrt: str | list[str] | None = None, where: str | dict | None = None,
            backend: str = "numpy", name: str = "f_and_grad", hessian: bool = False) -> str:
    """Standalone Python source of ``name(*variables) -> (value, {wrt: gradient})``.

    ``backend`` is "numpy", "torch" (a function of tensors, no autograd) or "torch-function"
    (a ``torch.autograd.Function`` with the closed-form backward, and a wrapper function)."""
    if backend not in BACKENDS:
        raise MatcalcError(f"unknown backend '{backend}' (use {', '.join(BACKENDS)})")
    formula = as_formula(f, where)
    if wrt is None:  # a derived result (a Jacobian, Hessian, HVP): its value (derivs' family_codegen.py)
        return result_source(formula, backend, "f" if name == "f_and_grad" else name)
    names = [wrt] if isinstance(wrt, str) else list(wrt)
    if not names:
        raise MatcalcError("name at least one variable to differentiate with respect to")
    if formula.shape != (1, 1):
        raise MatcalcError("code generation needs a scalar function (use matcalc.vjp for a layer)")
    if hessian:  # f_grad_hess(...) -> (value, grads, hessians), one graph (derivs' family_codegen.py)
        return grad_hess_source(formula, names, backend, "f_grad_hess" if name == "f_and_grad" else name)
    sig, em, value, grads, n_value = plan(formula, names, backend)
    if backend == "torch-function":
        return torch_function_source(sig, em, value, grads, n_value, name)
    return function_source(sig, em, value, grads, name)
