"""Constant arrays as the printer writes them: ``c 𝟙_n``, ``𝟙_nᵀ`` and ``𝟙_n 𝟙_mᵀ`` read back as one array.

``folded_ones`` is applied to each product the parser builds (``parse.py``), so a printed
constant array (``printers._fill``) parses back to the very node it was printed from.
"""

from __future__ import annotations

import re

from matcalc.algebra import ops
from matcalc.algebra.expr import Expr, transform
from matcalc.algebra.shapes import DimVar, is_scalar


def _ones_factor(e: Expr) -> tuple[float, tuple] | None:
    """(c, shape) when e is c 𝟙 or (c 𝟙)ᵀ."""
    if e.op == "fill":
        return e.attr, e.shape
    if e.op == "transpose" and e.args[0].op == "fill":
        return e.args[0].attr, e.shape
    return None


def transposed(e: Expr) -> Expr:
    """eᵀ; of a number, the number; of a constant array, the constant array of the other shape (`1_kᵀ` is
    the row the printer wrote); of a matrix power, (Aᵀ)ᵏ and (Aᵀ)⁻ᵏ, the simplifier's forms that the printer
    writes (Aᵏ)ᵀ, (A⁻ᵏ)ᵀ."""
    if e.op == "const":  # (2)ᵀ is 2 (a bare 1ᵀ is the ones vector: the parser reads it before)
        return e
    if e.op == "mpow":
        return ops.make("mpow", ops.transpose(e.args[0]), attr=e.attr)
    if e.op == "inv" and e.args[0].op == "mpow":
        return ops.make("inv", transposed(e.args[0]))
    return ops.fill(e.attr, (e.shape[1], e.shape[0])) if e.op == "fill" else ops.transpose(e)


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


def folded_chain(acc: Expr, right: Expr) -> Expr | None:
    """In a product chain, `P 𝟙_n 𝟙_kᵀ` reads as P (𝟙_n 𝟙_kᵀ), as the printer writes a ones matrix on
    the right (the parser calls it only when acc was built by the same chain: `(P 𝟙_n) 𝟙_kᵀ` stays)."""
    if acc.op != "matmul":
        return None
    column, row = _ones_factor(acc.args[1]), _ones_factor(right)
    if column is None or row is None or column[1][1] != 1 or row[1][0] != 1 \
            or is_scalar(column[1]) or is_scalar(row[1]):
        return None
    return ops.make("matmul", acc.args[0], folded_ones(ops.make("matmul", acc.args[1], right)))


def folded_everywhere(root: Expr) -> Expr:
    """root with every c 𝟙_n, 𝟙_nᵀ and 𝟙_n 𝟙_mᵀ folded (a user function applied to 𝟙_n builds them)."""
    def visit(node: Expr, args: tuple[Expr, ...]) -> Expr:
        node = node if args == node.args else Expr(node.op, args, node.attr, node.shape)
        if node.op == "transpose" and node.args[0].op == "fill":
            return transposed(node.args[0])
        return folded_ones(node)
    return transform(root, visit)


def _dim(text: str) -> int | str:
    """A dimension as written in a subscript: an integer or a name."""
    return int(text) if text.isdigit() else text


def ones_of(token: str) -> Expr:
    """The ones vector a token writes: `1_n`, `𝟙_{d_model}`, `\\mathbf{1}` (sized by inference)."""
    m = re.search(r"_\{?([A-Za-z0-9_]+?)\}?$", token)
    return ops.fill(1, (_dim(m.group(1)) if m else DimVar(), 1))


def zeros_of(token: str) -> Expr:
    """The zero array a token writes: `0_n`, `0_{n×m}`, `0_{n,m}`; `\\mathbf{0}`, `𝟎` sized by inference."""
    m = re.search(r"_\{?([^{}]+?)\}?$", token)
    dims = [_dim(d) for d in re.split(r"\s*(?:,|×|\\times|\s+x\s+)\s*", m.group(1).strip())] if m else [DimVar()]
    return ops.fill(0, (dims[0], dims[1] if len(dims) > 1 else 1))
