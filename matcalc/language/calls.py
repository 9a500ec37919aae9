"""Calls in a formula: built-in functions (from the operation registry, in any capitalisation),
user functions (``g(t) = …``), constant arrays (``vector(c)``), differentials (``d(…)``), and a
name before brackets that is no function (``X (A + B)`` is a product).

``Calls`` is mixed into the parser's ``Builder``; it needs ``expr``, ``error``, ``_name`` and the
builder's ``decls``, ``env``, ``functions``, ``derivation`` and ``guesses``.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from lark import Token, Tree

from matcalc.algebra import ops
from matcalc.algebra.entrywise import derivative, entrywise
from matcalc.algebra.expr import Expr
from matcalc.algebra.shapes import DimVar, MatcalcError, ShapeError
from matcalc.language.hints import INSTEAD, instead
from matcalc.language.ones import folded_everywhere
from matcalc.language.syntax import CONSTANT_ARRAYS, closest_function, function_name, is_greek, read_name

Post = Callable[[Expr], Expr]


class Calls:
    """The call rules of the parser's Builder."""

    def _call(self, node: Tree, post: Post | None = None) -> Expr:
        """A function call, or a product `X (A)` (then a pending postfix applies to the `(A)`)."""
        if self._is_juxtaposition(node):
            return self._juxtaposed(node.children[0], node.children[1:], node, post)
        value = self._apply(node)
        return value if post is None else post(value)

    def _is_juxtaposition(self, node: Tree) -> bool:
        raw = str(node.children[0])
        name = call_name(raw)
        prime = name.endswith("'")
        if name in (*CONSTANT_ARRAYS, "d") or name in self.functions or prime and name[:-1] in self.functions:
            return name == "d" and not self.derivation
        if raw.startswith("\\") and read_name(raw.strip()) in self.decls:  # `\sigma (x)` with sigma declared
            return True
        if name in self.decls or name in self.env:  # a declared X(A + B) is a product
            return True
        return function_name(name) is None and not (prime and function_name(name[:-1]) is not None)

    def _apply(self, node: Tree) -> Expr:
        head, *arg_trees = node.children
        name = call_name(str(head))
        prime = name.endswith("'")
        if name in CONSTANT_ARRAYS:
            return self._constant_array(name, arg_trees, node)
        if name == "d" and self.derivation:
            return ops.d(self._single(arg_trees, name, node))
        if name in self.functions or prime and name[:-1] in self.functions:
            return self._apply_user(name, arg_trees, node)
        called = function_name(name) or function_name(name[:-1]) + "'"
        if called != name and called.lower() == name.lower():
            self.guesses.append(f"{name} → the function {called}")
        name = called
        spec = ops.OPS.get(ops.call_names().get(name, ""))
        sized = spec.sizes if spec else 0  # unvec(a, n, m) ends in sizes, not formulas
        if sized and len(arg_trees) <= sized:
            raise self.error(f"{name}() takes an array and {sized} sizes", node)
        args = [self.expr(a) for a in arg_trees[:len(arg_trees) - sized]]
        sizes = tuple(self._size(t) for t in arg_trees[len(arg_trees) - sized:]) if sized else None
        if prime and name not in ops.call_names():
            return self._derivative_of(name[:-1], args, node)
        arity = spec.arity  # None: any number
        if arity is not None and len(args) != arity:
            raise self.error(f"{name}() takes {arity} argument(s){f' and {sized} sizes' if sized else ''}, "
                             f"got {len(args)}{instead(name)}", node)
        try:
            return ops.build_call(name, *args, attr=sizes)
        except ShapeError as e:  # `det(A)` with A 3×4: the caret goes under the argument
            e.span, e.source = self._span(arg_trees[0]) if len(args) == 1 else self._span(node), self.source
            raise

    def _single(self, arg_trees: list, name: str, node: Tree) -> Expr:
        if len(arg_trees) != 1:
            raise self.error(f"{name}() takes one argument", node)
        return self.expr(arg_trees[0])

    def _juxtaposed(self, head: Token, arg_trees: list, node: Tree, post: Post | None = None) -> Expr:
        """`x (y + z)` is a product; `foo(x)` with an unknown lowercase name is an unknown function."""
        raw = str(head).strip()
        name = read_name(raw if raw.startswith("\\") else call_name(raw))
        looks_like_function = (len(name) > 1 and name[0].islower() and not is_greek(name)
                               and name not in self.decls and name not in self.env)
        if looks_like_function or name.endswith("'") or len(arg_trees) != 1:
            close = closest_function(name)
            hint = f" (did you mean {close}?)" if close and name not in INSTEAD else ""
            raise self.error(f"unknown function {_quoted(name)}{hint}{instead(name)}", head)
        kind = "LATEX_NAME" if raw.startswith("\\") else "NAME"
        tok = Token(kind, raw, head.start_pos, head.line, head.column, end_pos=head.end_pos)
        return ops.matmul(self._name(tok), self.expr(arg_trees[0], post))

    def _derivative_of(self, fname: str, args: list[Expr], node: Tree) -> Expr:
        spec = ops.OPS[ops.call_names()[fname]]
        if spec.deriv is None or len(args) != 1:
            raise self.error(f"{fname}' is only defined for elementwise functions", node)
        z = args[0]
        return spec.deriv(z, ops.make(spec.name, z))

    def _constant_array(self, name: str, arg_trees: list, node: Tree) -> Expr:
        """`vector(c)`, `matrix(c)` (sizes inferred) or `vector(c, n)`, `matrix(c, n, m)` (sizes given)."""
        wanted = 2 if name == "vector" else 3
        if len(arg_trees) not in (1, wanted):
            raise self.error(f"{name}() takes a number c, or c and {wanted - 1} size(s)", node)
        value = self.expr(arg_trees[0])
        if value.op != "const":
            raise self.error(f"{name}(c) takes a number c", node)
        dims = [self._size(t) for t in arg_trees[1:]] or [DimVar() for _ in range(wanted - 1)]
        return ops.fill(value.attr, (dims[0], 1) if name == "vector" else tuple(dims))

    def _size(self, tree: Tree | Token) -> int | str:
        """A size written as an argument: a positive integer or a dimension name."""
        tok = tree.children[0] if isinstance(tree, Tree) and len(tree.children) == 1 else tree
        text = str(tok)
        if isinstance(tok, Token) and (text.isdigit() and int(text) > 0 or tok.type == "NAME" and text.isidentifier()):
            return int(text) if text.isdigit() else text
        raise self.error("a size is a positive integer or a name", tree)

    def _apply_user(self, name: str, arg_trees: list, node: Tree) -> Expr:
        prime = name.endswith("'") and name not in self.functions
        param, body = self.functions[name[:-1] if prime else name]
        arg = self._single(arg_trees, name, node)
        try:
            return folded_everywhere(entrywise(derivative(body, param) if prime else body, param, arg, name))
        except MatcalcError as e:
            raise self.error(str(e), node) from None


def _quoted(name: str) -> str:
    """'foo', or "relu'" when the name has a prime."""
    return f'"{name}"' if "'" in name else f"'{name}'"


def call_name(raw: str) -> str:
    """The function a call's head names: `\\operatorname{tr}` -> tr, `\\log\\det` -> logdet, `\\sigma` -> σ."""
    raw = raw.strip()
    m = re.fullmatch(r"\\(?:operatorname|mathrm)\{([A-Za-z]+)\}('?)", raw)
    if m:
        return m.group(1) + m.group(2)
    m = re.fullmatch(r"\\log\s*\\det('?)", raw)
    if m:
        return "logdet" + m.group(1)
    name = raw.lstrip("\\")
    return "σ" + name[5:] if name.startswith("sigma") and name[5:] in ("", "'") else name
