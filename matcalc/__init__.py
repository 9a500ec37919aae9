"""matcalc: symbolic matrix calculus, the way the trace trick does it by hand.

    >>> import matcalc
    >>> str(matcalc.grad("a^T exp(X b)", "X"))
    '(exp(X b) .* a) b^T'

The names below are imported on first use (PEP 562), so that ``import matcalc`` and the
``matcalc grad`` command load only what a symbolic answer needs: no NumPy, SymPy or torch.
"""

from __future__ import annotations

import importlib
from typing import Any

# public name -> the module that defines it (one line each, so additions merge cleanly)
_EXPORTS: dict[str, str] = {
    "MatcalcError": "matcalc.algebra.shapes",
    "ParseError": "matcalc.algebra.shapes",
    "ShapeError": "matcalc.algebra.shapes",
    "Derivation": "matcalc.calculus.gradients",
    "derive": "matcalc.calculus.gradients",
    "grad": "matcalc.calculus.gradients",
    "symmetrize": "matcalc.calculus.gradients",
    "to_sympy": "matcalc.calculus.gradients",
    "vjp": "matcalc.calculus.gradients",
    "jacobian": "matcalc.calculus.jacobian",
    "jvp": "matcalc.calculus.jacobian",
    "hessian": "matcalc.calculus.second_order",
    "hvp": "matcalc.calculus.second_order",
    "check_claim": "matcalc.checking.checker",
    "check_homework": "matcalc.checking.homework",
    "check_steps": "matcalc.checking.checker",
    "check": "matcalc.checking.verify",
    "Declaration": "matcalc.language.formula",
    "Formula": "matcalc.language.formula",
    "parse": "matcalc.language.parse",
    "codegen": "matcalc.lowering.codegen",
    "compile": "matcalc.lowering.evaluate",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    """Import a public name's module on first use and cache the name here."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'matcalc' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The public API and the package's own attributes (not its helper imports)."""
    return sorted({n for n in globals() if n.startswith("__")} | set(_EXPORTS))

