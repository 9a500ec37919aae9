"""matcalc: symbolic matrix calculus, the way the trace trick does it by hand."""

from .evaluate import compile
from .formula import Declaration, Formula
from .parse import parse
from .shapes import MatcalcError, ParseError, ShapeError

__all__ = ["Declaration", "Formula", "MatcalcError", "ParseError", "ShapeError", "compile", "parse"]
