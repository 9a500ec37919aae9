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
            if op == "scalar_div":
                start, (i, right) = i, self._divisor(children, i, right)
                if not is_scalar(right.shape):
                    raise self.error(self._divisor_message(children, start, i > start) + self._size_hint(acc, right),
                                     children[start - 1])
                self._check_ambiguous(children, start, i)
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

    def _divisor(self, children: list, i: int, right: Expr) -> tuple[int, Expr]:
        """The divisor after '/': the factors written together with no space (`/2N`, `/‖x‖‖y‖`) are all
        of it, said in the reading; otherwise the one factor after it."""
        j = i
        while j + 1 < len(children) and not isinstance(children[j + 1], Token) and self._glued(children[j],
                                                                                               children[j + 1]):
            j += 1
            right = ops.matmul(right, self.expr(children[j]))
        if j > i:
            run = self.written((self._span(children[i])[0], self._span(children[j])[1])).strip()
            pieces = [self.written(self._span(c)).strip() for c in children[i:j + 1]]
            self.guesses.append(f"/{run} → / ({' '.join(pieces)}): the factors written together after '/' are "
                                f"all the divisor (else write (… / {pieces[0]}) {' '.join(pieces[1:])})")
        return j, right

    def _glued(self, a: Tree | Token, b: Tree | Token) -> bool:
        """Whether the user wrote b right against a (no space between)."""
        left, right = self._span(a), self._span(b)
        if not left or not right:
            return False
        if self.prepared is not None and self.original != self.source:
            left, right = self.prepared.span(left, self.original), self.prepared.span(right, self.original)
        return left[1] == right[0]

    def _check_ambiguous(self, children: list, start: int, i: int) -> None:
        """`a / 2 N`, `a / ‖x‖ ‖y‖` (a spaced product after a divisor that is a number, name or norm): refused,
        unless the divisor is bracketed or it is a coefficient, `1/2 xᵀAx`, `λ/2N ‖w‖²`, `-2 / σ exp(…)`:
        one factor over a number, or a number over one factor."""
        if i + 1 >= len(children) or isinstance(children[i + 1], Token):
            return
        slash = children[start - 1]
        if start == 2 and (_number(children[0]) or _number(children[2])):
            return
        top, bottom, end = self._span(children[0]), self._span(children[start]), self._span(children[i + 1])
        if not (top and bottom and end) or not (i == start and _bare(children[i])) \
                or self.source[slash.end_pos:bottom[0] + 1].strip()[:1] in "({":
            return  # a / (b c) d, a / det(X) B: a bracketed divisor or a call is one unit
        a = self.written((top[0], slash.start_pos)).strip()
        d = self.written((bottom[0], self._span(children[i])[1])).strip()
        n = self.written(end).strip()
        raise self.error(f"'/' is followed by a product, so the divisor is unclear: {a} / ({d} {n}) or "
                         f"({a} / {d}) {n}?\n  hint: write {a} / ({d} {n}) or ({a} / {d}) {n}", slash)

    def _divisor_message(self, children: list, i: int, glued: bool) -> str:
        """'/' takes the one factor after it: a product meant as the divisor needs parentheses."""
        j = i
        while j + 1 < len(children) and not isinstance(children[j + 1], Token):
            j += 1
        first, last = self._span(children[i]), self._span(children[j])
        if j > i and first and last and not glued:
            return (f"'/' divides by the one factor after it ({self.source[first[0]:first[1]]}), which is not a "
                    f"scalar; to divide by the product, put it in parentheses: / ({self.source[first[0]:last[1]]})")
        return "'/' divides by a scalar; use './' for elementwise division"

    def _size_hint(self, numerator: Expr, divisor: Expr) -> str:
        """For `sum(x) / n` or `/ \\sqrt{d}` with n, d typed as vectors by their spelling: declare n a scalar,
        or, when n is the length of x, declare x with that size (then a bare n is the size)."""
        typed = [v.attr for v in walk(divisor) if v.op == "var" and v.attr.kind in ("vector", "matrix")
                 and v.attr.name not in self.decls]
        if not typed:
            return ""
        name, kind = typed[0].name, typed[0].kind
        sized = [v.attr.name for v in walk(numerator) if v.op == "var" and v.attr.kind == "vector"
                 and v.attr.name not in self.decls and v.attr.name != name]
        length = f", or if {name} is the length of {sized[0]}, declare {sized[0]}: vector({name})" if sized else ""
        return f"\n  hint: {name} was typed as a {kind} from its name: declare {name}: scalar{length}"

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


def _number(node: Tree | Token) -> bool:
    """A number written as such (`2`, `0.5`, `-2`)."""
    return isinstance(node, Tree) and (node.data == "number" or node.data == "neg" and _number(node.children[0]))


def _bare(node: Tree | Token) -> bool:
    """A number, a name or a norm: a divisor that a spaced product after it may be meant to extend."""
    return isinstance(node, Tree) and node.data in ("number", "name", "norm")


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
