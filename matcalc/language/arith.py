"""Sums and products of the parser: `A + B`, `A - 2 B`, `A B`, `A .* B`, `A ./ B`, `A / s`, `a · b`, `-A`.

``Arithmetic`` is mixed into the parser's ``Builder``. A term subtracted with a leading number takes
the sign (`B - 2 A x` is B + (-2) A x), mirroring how the printer writes a negative coefficient, so
printed forms read back to the same tree; `c 𝟙_n` folds into one constant array.
"""

from __future__ import annotations

from lark import Token, Tree

from matcalc.algebra import ops
from matcalc.algebra.expr import Expr, walk
from matcalc.algebra.shapes import ShapeError, is_scalar, show_shape
from matcalc.language.ones import folded_chain, folded_ones
from matcalc.language.printers import show, show_name


class Arithmetic:
    """The sum and product rules of the parser's Builder."""

    def _sum(self, node: Tree) -> Expr:
        terms = [self.expr(node.children[0])]
        array = None if is_scalar(terms[0].shape) else terms[0].shape
        for op, operand in zip(node.children[1::2], node.children[2::2]):
            term = self.expr(operand)
            if not is_scalar(term.shape):
                if array is not None and not (self.u.unify(array[0], term.shape[0])
                                              and self.u.unify(array[1], term.shape[1])):
                    what = "subtraction" if str(op) == "-" else "addition"
                    raise ShapeError(f"{what} ('{self.written((op.start_pos, op.end_pos))}'): shapes "
                                     f"{show_shape(array)} and {show_shape(term.shape)} do not match",
                                     (op.start_pos, op.end_pos), self.source)
                array = array or term.shape
            terms.append(_subtracted(term) if str(op) == "-" else term)
        if array is not None:
            for term in terms:
                if is_scalar(term.shape):
                    self.guesses.append(f"the scalar {show(term, 'unicode')} is added to every entry"
                                        + self._greek_note(term.args[0] if term.op == "neg" else term))
        return ops.add(*terms)

    def _product(self, node: Tree) -> Expr:
        children = node.children
        acc = self.expr(children[0])
        i, built = 1, False  # built: acc is a product this chain made (P 𝟙_n 𝟙_kᵀ folds, (P 𝟙_n) 𝟙_kᵀ not)
        while i < len(children):
            op = "matmul"
            if isinstance(children[i], Token) and children[i].type == "MULOP":
                op = _MULOPS[str(children[i])]
                i += 1
            right = self.expr(children[i])
            if op == "scalar_div" and not is_scalar(right.shape):
                raise self.error(self._divisor_message(children, i) + self._size_hint(acc, right), children[i - 1])
            if str(children[i - 1]) in ("·", "\\cdot") and _column(acc):
                while not _column(right) and i + 1 < len(children) and not isinstance(children[i + 1], Token):
                    i += 1  # x · Σx: the letters written together after · bind tighter, ⟨x, Σx⟩
                    right = ops.matmul(right, self.expr(children[i]))
                op = "inner" if _column(right) else op  # a · b of two vectors is their dot product
            try:
                chained = folded_chain(acc, right) if op == "matmul" and built else None
                acc = chained or folded_ones(ops.make("div" if op == "scalar_div" else op, acc, right))
                built = True
            except ShapeError as e:
                e.span, e.source = self._span(children[i]), self.source
                if op in ("hadamard", "div") and i + 1 < len(children) and self._span(children[i + 1]) and (
                        self.prepared is None or self.prepared.notation == "text"):  # typeset: A ⊙ BC is A ⊙ (BC)
                    e.message += self._grouping_hint(children, i)
                raise
            i += 1
        return acc

    def _divisor_message(self, children: list, i: int) -> str:
        """'/' takes the one factor after it: a product meant as the divisor needs parentheses."""
        j = i
        while j + 1 < len(children) and not isinstance(children[j + 1], Token):
            j += 1
        first, last = self._span(children[i]), self._span(children[j])
        if j > i and first and last:
            return (f"'/' divides by the one factor after it ({self.source[first[0]:first[1]]}), which is not a "
                    f"scalar; to divide by the product, put it in parentheses: / ({self.source[first[0]:last[1]]})")
        return "'/' divides by a scalar; use './' for elementwise division"

    def _size_hint(self, numerator: Expr, divisor: Expr) -> str:
        """For `sum(x) / n` or `/ \\sqrt{d}` with n, d typed as vectors by their spelling: declare n a scalar,
        or, when n is the length of x, declare x with that size (then a bare n is the size)."""
        typed = [v.attr.name for v in walk(divisor) if v.op == "var" and v.attr.kind == "vector"
                 and v.attr.name not in self.decls]
        if not typed:
            return ""
        name = typed[0]
        sized = [v.attr.name for v in walk(numerator) if v.op == "var" and v.attr.kind == "vector"
                 and v.attr.name not in self.decls and v.attr.name != name]
        length = f", or if {name} is the length of {sized[0]}, declare {sized[0]}: vector({name})" if sized else ""
        return f"\n  hint: {name} was typed as a vector from its name: declare {name}: scalar{length}"

    def _greek_note(self, term: Expr) -> str:
        """For `x - μ` with μ undeclared: say μ is a scalar by its name, and how to make it a vector."""
        if term.op != "var" or term.attr.name in self.decls or term.attr.kind != "scalar":
            return ""
        name = show_name(term.attr.name, "unicode") if term.attr.name in self.typeset else term.attr.name  # as typed
        return f" ({show(term, 'unicode')} is a scalar as a Greek name; a vector: declare {name}: vector(n))"

    def _grouping_hint(self, children: list, i: int) -> str:
        """For `-y .* X*w` (a Hadamard product or ./ followed by a product): `write -y .* (X*w)`."""
        start, (b_start, b_end) = self._span(children[0])[0], self._span(children[i])
        last = children[i + 2] if isinstance(children[i + 1], Token) and i + 2 < len(children) else children[i + 1]
        end = self._span(last)[1]
        left, grouped, rest = (self.written((start, b_start)), self.written((start, b_end)),
                               self.written((b_end, end)))
        return (f"\n  hint: products group left to right, so this is ({grouped.strip()}) {rest.strip()}: "
                f"write {left.strip()} ({self.written((b_start, end)).strip()})")

    def _neg(self, node: Tree) -> Expr:
        return _negate(self.expr(node.children[0]))


def _column(e: Expr) -> bool:
    """A vector (n x 1), not a scalar."""
    return e.shape[1] == 1 and not is_scalar(e.shape)


def _negate(e: Expr) -> Expr:
    """-e, folding a number into a negative constant (so `A - 2` round-trips)."""
    return ops.const(-e.attr) if e.op == "const" else ops.neg(e)


def _subtracted(e: Expr) -> Expr:
    """The term `- e` of a sum: a leading number takes the sign (`B - 2 A x` is B + (-2) A x),
    mirroring how the printer writes a term with a negative coefficient."""
    if e.op in ("matmul", "div") and e.args[0].op in ("const", "fill", "matmul", "div"):  # B - 2 x / s
        head = _subtracted(e.args[0])
        return ops.neg(e) if head.op == "neg" else ops.make(e.op, head, e.args[1])
    if e.op == "fill" and e.attr not in (0, 1):  # B - 2 𝟙_n is B + (-2) 𝟙_n, as the printer writes it
        return ops.fill(-e.attr, e.shape)
    return _negate(e)


_MULOPS = ops.infix_symbols()
_MULOPS["/"] = "scalar_div"
