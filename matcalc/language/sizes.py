"""Sizes in a formula: a dimension name used as a number, |M|, number literals float64 can hold, and the
size of a Kronecker product that matcalc will not split.

``Sizes`` is mixed into the parser's ``Builder``: a name the user made a dimension (`X ∈ ℝ^{n×d}`,
`x: vector(n)`, `1_n`) and did not declare as a variable reads as that size, sum(𝟙_n), which the
printers write `n` (``written_sizes`` finds those names; matcalc's own names for unknown sizes are none);
`|Σ|` is det(Σ) and `|a|` of a scalar abs(a); `1e400` and `1e-400` are refused, not read as inf or 0.
"""

from __future__ import annotations

import math
import re

from lark import Token, Tree

from matcalc.algebra import ops
from matcalc.algebra.expr import Expr, walk
from matcalc.algebra.shapes import ParseError, show_dim, show_shape
from matcalc.algebra.structural import ProductDim
from matcalc.language.declarations import Decl
from matcalc.language.ones import ones_of, zeros_of
from matcalc.language.printers import show
from matcalc.language.syntax import read_name


def written_sizes(tree: Tree, decls: dict[str, Decl]) -> set[str]:
    """The dimension names the user wrote: in declarations (`X ∈ ℝ^{n×d}`, `x: vector(n)`) and as the size of
    a ones or zero array or an identity (`1_n`, `0_{n×m}`, `I_n`); matcalc's own names (x typed vector(n)) are none."""
    sizes = {d for decl in decls.values() for d in decl.dims if isinstance(d, str)}
    for tok in tree.scan_values(lambda t: isinstance(t, Token) and t.type in ("ONES", "ZEROS", "NAME")):
        if tok.type == "NAME":
            sized = re.fullmatch(r"I_([A-Za-z]\w*)", read_name(str(tok)))
            sizes |= {sized.group(1)} if sized and sized.group() not in decls else set()
        else:
            shape = (ones_of if tok.type == "ONES" else zeros_of)(str(tok)).shape
            sizes |= {d for d in shape if isinstance(d, str)}
    return sizes - set(decls)


class Sizes:
    """The size, bars, number and Kronecker-size rules of the parser's Builder."""

    def size(self, name: str) -> Expr:
        """A dimension name used as a value: the size, counted as 𝟙_nᵀ 𝟙_n (printed `n`)."""
        self.guesses.append(f"{name} → the size {name} (a dimension you named; declare {name} to make it a variable)")
        return ops.make("sum", ops.fill(1, (name, 1)))

    def literal(self, tok: Token) -> Expr:
        """A number as written; one that float64 cannot hold is refused (1e400 is no 1e999, 1e-400 no 0)."""
        text = str(tok).replace(" ", "")
        value = float(text)
        if math.isinf(value):
            raise self.error("this number is too large for float64 (the largest is about 1.8e308)", tok)
        if value == 0 and re.search(r"[1-9]", re.split(r"[eE]", text)[0]):
            raise self.error("this number is too small for float64: it underflows to 0 "
                             "(the smallest is about 5e-324)", tok)
        return ops.const(value)

    def _ones(self, node: Tree) -> Expr:
        return ones_of(str(node.children[0]))

    def _zeros(self, node: Tree) -> Expr:
        return zeros_of(str(node.children[0]))

    def _bars(self, node: Tree) -> Expr:
        """|M|: the determinant of a matrix (as books write |Σ|), the absolute value of a scalar."""
        inside = self.expr(node.children[1])
        rows, cols = self.u.resolve(inside.shape)
        if (rows, cols) == (1, 1):
            return ops.build_call("abs", inside)
        if cols == 1:
            raise self.error("|x| of a vector: write abs(x) for its entries' absolute values, or ‖x‖ for its norm",
                             node.children[0])
        self.guesses.append(f"|{show(inside, 'unicode')}| → det({show(inside, 'unicode')}) (bars around a matrix)")
        return ops.build_call("det", inside)

    def _unsplit(self, node: Expr) -> ParseError:
        """A ⊗ or vec whose size (k·q) met a size (n·m) that matcalc cannot split into its factors' sizes."""
        unknown = [v.attr.name for v in walk(node) if v.op == "var" and v.attr.name not in self.decls]
        mine = "×".join("(%s)" % "·".join(show_dim(f).strip("()") for f in d.factors) if isinstance(d, ProductDim)
                        else show_dim(d) for d in node.shape)
        needed = "×".join(show_dim(d) for d in node.shape)
        parts = ", ".join(f"{show(a, 'unicode')}: {show_shape(a.shape)}" for a in node.args)
        return ParseError(f"{show(node, 'unicode')} is {mine} ({parts}), where its use needs {needed}: matcalc "
                          f"does not guess how a size splits into the sizes of a Kronecker product's factors"
                          f"\n  hint: declare the shapes of {' and '.join(unknown) or 'its factors'}",
                          self.spans.get(node), self.source)
