"""Constant arrays as the printer writes them: ``c 𝟙_n`` and ``𝟙_n 𝟙_mᵀ`` read back as one array.

``folded_ones`` is applied to each product the parser builds (``parse.py``), so a printed
constant array (``printers._fill``) parses back to the very node it was printed from.
"""

from __future__ import annotations

from matcalc.algebra import ops
from matcalc.algebra.expr import Expr
from matcalc.algebra.shapes import is_scalar


def _ones_factor(e: Expr) -> tuple[float, tuple] | None:
    """(c, shape) when e is c 𝟙 or (c 𝟙)ᵀ."""
    if e.op == "fill":
        return e.attr, e.shape
    if e.op == "transpose" and e.args[0].op == "fill":
        return e.args[0].attr, e.shape
    return None


def folded_ones(e: Expr) -> Expr:
    """c 𝟙_n and 𝟙_n 𝟙_mᵀ read as the one constant array the printer writes that way."""
    if e.op != "matmul":
        return e
    a, right = e.args[0], _ones_factor(e.args[1])
    if a.op == "const" and right is not None:
        return ops.fill(a.attr * right[0], right[1])
    left = _ones_factor(a)
    if left is not None and right is not None and left[1][1] == 1 and right[1][0] == 1 and not is_scalar(e.shape):
        return ops.fill(left[0] * right[0], e.shape)
    return e
