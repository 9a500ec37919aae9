"""``to_sympy``: a matcalc expression as a SymPy matrix expression.

For users who continue in SymPy: MatrixSymbol for matrix and vector variables,
Symbol for scalars, HadamardProduct, Trace, Determinant, Inverse, … Each operation's
SymPy form is its registry entry's ``sympy`` field; this file walks the tree and
handles the leaves. SymPy is imported only here, when the function is called.
"""

from __future__ import annotations

from typing import Any

from matcalc.algebra.expr import Expr, walk
from matcalc.algebra.ops import OPS
from matcalc.algebra.shapes import MatcalcError, is_scalar


def sympy_form(expr: Expr) -> Any:
    """The SymPy matrix expression equal to expr (definitions are expanded)."""
    import sympy as sp

    def dim(d: object) -> Any:
        return sp.Symbol(d, integer=True, positive=True) if isinstance(d, str) else d

    done: dict[Expr, Any] = {}
    for node in walk(expr):
        if node.op == "var":
            name = node.attr.name
            done[node] = sp.Symbol(name) if is_scalar(node.shape) else sp.MatrixSymbol(name, *map(dim, node.shape))
        elif node.op == "const":
            done[node] = sp.nsimplify(node.attr) if isinstance(node.attr, float) else sp.Integer(node.attr)
        elif node.op == "fill":
            value = sp.nsimplify(node.attr)
            done[node] = value if is_scalar(node.shape) else value * sp.OneMatrix(*map(dim, node.shape))
        elif node.op == "identity":
            done[node] = sp.Identity(dim(node.shape[0]))
        elif node.op == "ref":
            done[node] = done[node.args[0]]
        elif OPS[node.op].sympy is None:
            raise MatcalcError(f"'{node.op}' has no SymPy form")
        else:
            done[node] = OPS[node.op].sympy(sp, node, *(done[a] for a in node.args))
    return done[expr]
