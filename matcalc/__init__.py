"""matcalc: symbolic matrix calculus, the way the trace trick does it by hand.

    >>> import matcalc
    >>> str(matcalc.grad("a^T exp(X b)", "X"))
    '(exp(X b) .* a) b^T'
"""

from matcalc.algebra.shapes import MatcalcError, ParseError, ShapeError
from matcalc.calculus.gradients import Derivation, derive, grad, symmetrize, to_sympy, vjp
from matcalc.calculus.jacobian import jacobian, jvp
from matcalc.calculus.second_order import hessian, hvp
from matcalc.checking.checker import check_claim, check_steps
from matcalc.checking.verify import check
from matcalc.language.formula import Declaration, Formula
from matcalc.language.parse import parse
from matcalc.lowering.codegen import codegen
from matcalc.lowering.evaluate import compile

__all__ = [
    "Declaration", "Derivation", "Formula", "MatcalcError", "ParseError", "ShapeError", "check", "check_claim",
    "check_steps", "codegen", "compile", "derive", "grad", "hessian", "hvp", "jacobian", "jvp", "parse", "symmetrize",
    "to_sympy", "vjp",
]
