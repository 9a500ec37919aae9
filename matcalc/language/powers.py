"""Postfixes and powers of the parser: `Aᵀ`, `A⁻¹`, `A^-T`, `x²`, `A^k`, `x.^p`, `e^{x}`, `2 .^ x`.

``Powers`` is mixed into the parser's ``Builder``. A postfix travels down to a call because
`X(A + B)^T` turns out to be X ((A + B)^T) when X is not a function (``post`` is the pending
postfix).
"""

from __future__ import annotations

from lark import Token, Tree

from matcalc.algebra import ops
from matcalc.algebra.expr import Expr
from matcalc.algebra.shapes import is_scalar
from matcalc.algebra.structural import matrix_power
from matcalc.language.calls import Post
from matcalc.language.ones import ones_of, transposed
from matcalc.language.printers import show


class Powers:
    """The postfix and power rules of the parser's Builder."""

    def _transpose(self, node: Tree, post: Post | None = None) -> Expr:
        return self._transposed_tree(node.children[0], post)

    def _transposed_tree(self, base: Tree | Token, post: Post | None) -> Expr:
        """baseᵀ, base^T, base^\top."""
        if isinstance(base, Tree) and base.data == "number" and not self.source[self._span(base)[1]:].lstrip(
                ).startswith(")"):  # 1ᵀ x: the all-ones vector, as books write it; (2)ᵀ is the number
            if float(str(base.children[0])) != 1:
                raise self.error(f"a number cannot be transposed ({self.written(self._span(base)).strip()})\n  hint: "
                                 "for the all-ones vector write 1ᵀ or 𝟙ᵀ; for c times it, c 𝟙ᵀ", base)
            self.guesses.append("1ᵀ → 𝟙ᵀ (the all-ones vector, sized by the product; 1_n gives its size)")
            return _then(transposed, post)(ones_of("𝟙"))
        return self.expr(base, _then(self._transposed_scalar_note, _then(transposed, post)))

    def _transposed_scalar_note(self, e: Expr) -> Expr:
        """γᵀ with γ a scalar by its spelling: a transpose suggests a vector, so the reading says so."""
        if e.op == "var" and e.attr.kind == "scalar" and e.attr.name not in self.decls:
            name = show(e, "unicode")
            self.guesses.append(f"{name}ᵀ: {name} was typed as a scalar from its name; a transpose suggests a "
                                f"vector: declare {name}: vector(n)")
        return e

    def _inverse(self, node: Tree, post: Post | None = None) -> Expr:
        return self.expr(node.children[0], _then(lambda e: ops.make("inv", e), post))

    def _inverse_transpose(self, node: Tree, post: Post | None = None) -> Expr:
        return self.expr(node.children[0], _then(lambda e: ops.make("inv", ops.transpose(e)), post))

    def _superscript(self, node: Tree, post: Post | None = None) -> Expr:
        k = int(str(node.children[1]).translate(_SUPERSCRIPT_DIGITS))
        return self.expr(node.children[0], _then(lambda base: self._raise_to(base, ops.const(k), node), post))

    def _inverse_power(self, node: Tree, post: Post | None = None) -> Expr:
        k = int(str(node.children[1])[1:].translate(_SUPERSCRIPT_DIGITS))  # X⁻² is (X²)⁻¹
        return self.expr(node.children[0], _then(lambda base: self._raise_to(base, ops.const(-k), node), post))

    def _pow(self, node: Tree, post: Post | None = None) -> Expr:
        base_tree, exp_tree = node.children
        if isinstance(base_tree, Tree) and base_tree.data == "name" and str(base_tree.children[0]) == "e" \
                and not self._known("e"):  # e^{x} is exp(x)
            return self.expr(exp_tree.children[0] if exp_tree.data == "exponent" else exp_tree,
                             _then(lambda x: ops.make("exp", x), post))
        if _is_transpose_exponent(exp_tree):
            return self._transposed_tree(base_tree, post)
        return self.expr(base_tree, _then(lambda base: self._raise(base, exp_tree), post))

    def _raise(self, base: Expr, exp_tree: Tree | Token) -> Expr:
        """base^p: a transpose, a scalar power, an inverse or a matrix power."""
        if _is_transpose_exponent(exp_tree):
            return transposed(base)
        if _is_inverse_transpose_exponent(exp_tree):
            return ops.make("inv", ops.transpose(base))
        if is_scalar(base.shape):
            return self._entrywise_power(base, exp_tree)
        return self._raise_to(base, self._exponent(exp_tree), exp_tree)

    def _raise_to(self, base: Expr, exponent: Expr, exp_tree: Tree | Token) -> Expr:
        """base^p for a numeric or scalar exponent p."""
        if is_scalar(base.shape):
            return ops.make("hpow", base, exponent)
        k = exponent.attr if exponent.op == "const" else None
        if k == -1:
            return ops.make("inv", base)
        if isinstance(k, int) and k >= 0 and base.shape[1] == 1:
            x, atom = show(base, "unicode"), base.op == "var"
            p = x if atom else f"({x})"
            raise self.error(f"{p}^{k} of a vector: write {p}.^{k} for each entry to the power {k}"
                             + (f", or ‖{x}‖² for its squared norm" if k == 2 else "")
                             + (f"; if {x} is a scalar, declare it: where {x}: scalar" if atom else ""),
                             exp_tree)
        if isinstance(k, int) and k >= 0:
            return matrix_power(base, k)
        if isinstance(k, int) and k <= -2:
            return ops.make("inv", ops.make("mpow", base, attr=-k))
        raise self.error("a matrix power A^k needs an integer k ≥ 2, -1 (inverse) or T (transpose); "
                         "for entrywise powers write A.^p", exp_tree)

    def _hpow(self, node: Tree, post: Post | None = None) -> Expr:
        power = node.children[-1]
        return self.expr(node.children[0], _then(lambda b: self._entrywise_power(b, power), post))

    def _entrywise_power(self, base: Expr, power: Tree | Token) -> Expr:
        """base .^ p; a scalar base to an array power, `2 .^ x`, is exp(log(2) x) entry by entry."""
        p = self._exponent(power, array=is_scalar(base.shape))
        if is_scalar(p.shape):
            return ops.make("hpow", base, p)
        b = show(base, "unicode")
        self.guesses.append(f"{b} to the power of each entry: exp(log({b}) ⋅ entry)")
        return ops.make("exp", ops.matmul(ops.make("log", base), p))

    def _exponent(self, node: Tree | Token, array: bool = False) -> Expr:
        if isinstance(node, Tree) and node.data == "exponent":
            (node,) = node.children
        if isinstance(node, Token) and node.type == "SIGNED":
            return self.literal(node)
        value = self.expr(node)
        if not is_scalar(value.shape) and not array:
            raise self.error("an exponent must be a scalar", node)
        return value


def _then(fn: Post, post: Post | None) -> Post:
    """fn, then post (when there is one)."""
    return fn if post is None else lambda e: post(fn(e))


def _is_inverse_transpose_exponent(node: Tree | Token) -> bool:
    """-T, {-T}, (-T), {-\\top}."""
    while isinstance(node, Tree) and len(node.children) == 1 and node.data in ("exponent", "neg"):
        if node.data == "neg":
            return _is_transpose_exponent(node.children[0])
        node = node.children[0]
    return isinstance(node, Token) and node.type == "MINUS_T"


def _is_transpose_exponent(node: Tree | Token) -> bool:
    while isinstance(node, Tree) and len(node.children) == 1 and node.data in ("exponent", "name"):
        node = node.children[0]
    return isinstance(node, Token) and (str(node) in ("T", "\\top", "\\intercal") or node.type == "TOP")


_SUPERSCRIPT_DIGITS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
