"""matcalc: symbolic matrix calculus, the way the trace trick does it by hand.

    >>> import matcalc
    >>> str(matcalc.grad("a^T exp(X b)", "X"))
    '(exp(X b) .* a) b^T'
"""

from .backward import codegen
from .calculus import Derivation, derive, grad, symmetrize, to_sympy, vjp
from .checker import check_claim, check_steps
from .evaluate import compile
from .formula import Declaration, Formula
from .parse import parse
from .shapes import MatcalcError, ParseError, ShapeError
from .verify import check

__all__ = [
    "Declaration", "Derivation", "Formula", "MatcalcError", "ParseError", "ShapeError", "check", "check_claim",
    "check_steps", "codegen", "compile", "derive", "grad", "parse", "symmetrize", "to_sympy", "vjp",
]
