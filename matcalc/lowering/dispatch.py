"""Products of two named arrays as ``ndarray.dot``: the same BLAS call at half the dispatch cost.

``A @ x`` goes through the ``matmul`` ufunc machinery (about 1.1-1.5 µs a call before any
arithmetic, NumPy 2.4); ``A.dot(x)`` calls the BLAS directly (about 0.5-0.8 µs). For arrays of
at most two dimensions the two are the same product, so ``dot_products(lines)`` writes a product
of two names (or a name's transpose, ``X.T``) as ``X.dot(…)``: a few tenths of a per cent on a
problem dominated by a handful of products. Invariant: only products whose operands are names or
their transposes are rewritten (every such array in generated code has one or two dimensions).
"""

from __future__ import annotations

import ast


def _simple(e: ast.expr) -> bool:
    """A name, or a name's transpose."""
    return isinstance(e, ast.Name) or isinstance(e, ast.Attribute) and e.attr == "T" and isinstance(e.value, ast.Name)


def dot_product(line: str) -> str:
    """The statement with each product of two names (or their transposes) written as ``.dot``."""
    if "@" not in line:
        return line
    spans = [(n.col_offset, n.end_col_offset, n) for n in ast.walk(ast.parse(line))
             if isinstance(n, ast.BinOp) and isinstance(n.op, ast.MatMult) and _simple(n.left) and _simple(n.right)]
    for start, end, n in sorted(spans, key=lambda s: s[0], reverse=True):
        left, right = (ast.get_source_segment(line, x) for x in (n.left, n.right))
        line = f"{line[:start]}{left}.dot({right}){line[end:]}"
    return line


def dot_products(lines: list[str]) -> list[str]:
    """Every statement with its products of named arrays as ``.dot`` (see the module doc)."""
    return [dot_product(line) for line in lines]
