"""Text (plain, Unicode or LaTeX) -> a typed ``Formula``.

The lark grammar (``grammar/matcalc.lark``) gives a parse tree; ``Builder`` walks it
and builds ``Expr`` nodes through ``ops.make`` while one ``Unifier`` infers the unknown
dimensions; ``_finalize`` then rebuilds the tree with every dimension resolved (a name
or an int) and names the dimensions nobody named (n, m, k, …).
Invariant: every error a user can cause leaves here as a ``MatcalcError`` with a message,
and a caret position when one is known.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from lark import Token, Tree

from matcalc.algebra import ops
from matcalc.algebra.expr import Expr, Var, walk
from matcalc.algebra.shapes import (
    SCALAR,
    DimVar,
    MatcalcError,
    ParseError,
    ShapeError,
    Unifier,
    inferring,
    is_scalar,
    show_shape,
)
from matcalc.algebra.structural import ProductDim, matrix_power, times
from matcalc.language.formula import Declaration, Formula
from matcalc.language.syntax import CAPITAL_GREEK, GREEK, MAX_DEPTH, is_greek, parse_tree, read_name

TYPES = ("scalar", "vector", "matrix", "symmetric", "spd")
FRESH_DIMS = "n m k p q r s t u v w".split()


def parse(text: str, where: str | dict | None = None, notation: str | None = None,
          derivation: bool = False) -> Formula:
    """Parse a formula; ``where`` adds declarations; ``notation='latex'`` reads LaTeX rules
    (``Xb`` is X times b), chosen by default when the text has a backslash."""
    if not isinstance(text, str) or not text.strip():
        raise ParseError("empty formula: type an expression such as  a^T exp(X b)")
    latex = ("\\" in text) if notation is None else notation == "latex"
    tree = parse_tree(text)
    try:
        return Builder(text, latex, derivation).build(tree, where)
    except RecursionError:
        raise ParseError(f"formula nested too deeply (at most {MAX_DEPTH} levels)") from None


@dataclass(frozen=True)
class _Decl:
    kind: str
    dims: tuple
    positive: bool


class Builder:
    """Walks a lark tree and builds typed expressions (one instance per parse)."""

    def __init__(self, source: str, latex: bool, derivation: bool):
        self.source = source
        self.latex = latex
        self.derivation = derivation
        self.decls: dict[str, _Decl] = {}
        self.env: dict[str, Expr] = {}  # variables and definitions by name
        self.functions: dict[str, tuple[Expr, Expr]] = {}  # user function -> (parameter, body)
        self.definitions: list[tuple[str, Expr]] = []
        self.u: Unifier | None = None

    # ------------------------------------------------------------ the whole formula

    def build(self, tree: Tree, where: str | dict | None) -> Formula:
        items = self._items(tree)
        for decl in items["decl"]:
            self._declare(decl)
        for name, text in _where_items(where):
            self._declare_text(name, text)
        if len(items["expr"]) != 1:
            if not items["expr"]:
                raise ParseError("no formula: only definitions or declarations were given")
            second = items["expr"][1]
            raise ParseError("two formulas; separate definitions with '=' and use one expression",
                             self._span(second), self.source)
        with inferring() as self.u:
            self.u.taken.update(d for decl in self.decls.values() for d in decl.dims if isinstance(d, str))
            for kind, item in items["defs"]:
                (self._define if kind == "definition" else self._define_function)(item)
            expr = self.expr(items["expr"][0])
            root, defs = _finalize(self.u, expr, self.definitions)
        return Formula(root, tuple(_declarations(root, self.decls)), defs)

    def _items(self, tree: Tree) -> dict[str, list]:
        items: dict[str, list] = {"defs": [], "expr": [], "decl": []}
        seen_where = False
        for child in tree.children:
            if isinstance(child, Tree) and child.data in ("definition", "function_def"):
                if items["expr"] or seen_where:
                    raise ParseError("definitions come before the formula", self._span(child), self.source)
                items["defs"].append((child.data, child))
            elif isinstance(child, Tree) and child.data == "where":
                seen_where = True
                items["decl"].extend(c for c in child.children if isinstance(c, Tree))
            elif isinstance(child, Tree) and child.data == "decl":
                if not seen_where:
                    raise ParseError("declarations go in a 'where' clause after the formula",
                                     self._span(child), self.source)
                items["decl"].append(child)
            else:
                items["expr"].append(child)
        return items

    def _span(self, node: Tree | Token) -> tuple[int, int] | None:
        if isinstance(node, Token):
            return (node.start_pos, node.end_pos) if node.start_pos is not None else None
        return None if node.meta.empty else (node.meta.start_pos, node.meta.end_pos)

    def error(self, message: str, node: Tree | Token) -> MatcalcError:
        """A ParseError pointing at node."""
        return ParseError(message, self._span(node), self.source)

    # ------------------------------------------------------------ declarations

    def _declare(self, decl: Tree) -> None:
        *names, type_tree = decl.children
        kind, dims, positive = self._type(type_tree)
        for name in names:
            self.decls[read_name(str(name))] = _Decl(kind, dims, positive)

    def _declare_text(self, name: str, text: str) -> None:
        """A declaration given apart from the formula (``where=`` or ``--where``); errors point into it."""
        prefix, decl_text = "x where ", f"{name}: {text}"
        try:
            tree = parse_tree(prefix + decl_text)
            builder = Builder(prefix + decl_text, self.latex, self.derivation)
            for child in tree.children:
                if isinstance(child, Tree) and child.data == "where":
                    for decl in child.children:
                        if isinstance(decl, Tree):
                            builder._declare(decl)
        except MatcalcError as e:
            span = None if e.span is None else (max(0, e.span[0] - len(prefix)), max(0, e.span[1] - len(prefix)))
            raise ParseError(f"in the declaration '{decl_text}': {e.message}", span, decl_text) from None
        self.decls.update(builder.decls)

    def _type(self, node: Tree) -> tuple[str, tuple, bool]:
        head, *rest = node.children
        kind = str(head)
        if kind not in TYPES:
            raise self.error(f"unknown type '{kind}' (use one of: {', '.join(TYPES)})", head)
        dims: tuple = ()
        if rest and isinstance(rest[0], Tree):
            dims = tuple(int(str(d)) if d.type == "NUMBER" else str(d) for d in rest.pop(0).children)
        for q in rest:
            if str(q) != "positive":
                raise self.error(f"unknown qualifier '{q}' (only 'positive')", q)
        quals = rest
        wanted = {"scalar": 0, "vector": 1, "matrix": 2, "symmetric": 1, "spd": 1}[kind]
        if len(dims) != wanted and not (kind == "matrix" and len(dims) == 1):
            raise self.error(f"'{kind}' takes {wanted} dimension(s), got {len(dims)}", node)
        if any(isinstance(x, int) and x < 1 for x in dims):
            raise self.error("a dimension must be a positive integer or a name", node)
        return kind, dims, bool(quals)

    # ------------------------------------------------------------ definitions

    def _define(self, node: Tree) -> None:
        name_tok, body = node.children
        name = read_name(str(name_tok))
        value = self.expr(body)
        ref = Expr("ref", (value,), name, value.shape)
        self.env[name] = ref
        self.definitions.append((name, ref))

    def _define_function(self, node: Tree) -> None:
        head, body = node.children
        m = re.match(r"\s*([A-Za-z][A-Za-z0-9_]*)\s*\(\s*([A-Za-z][A-Za-z0-9_]*)", str(head))
        fname, param = m.group(1), m.group(2)
        if fname in ops.call_names():
            raise self.error(f"'{fname}' is a built-in function and cannot be redefined", head)
        outer = self.env.get(param)
        t = ops.var(param, "scalar", SCALAR)
        self.env[param] = t
        self.functions[fname] = (t, self.expr(body))
        if outer is None:
            del self.env[param]
        else:
            self.env[param] = outer

    # ------------------------------------------------------------ expressions

    def expr(self, node: Tree | Token, post: Post | None = None) -> Expr:
        """Build the expression for a parse-tree node, then apply post (a pending postfix such as ᵀ).

        Postfixes travel down to a call because `X(A + B)^T` turns out to be X ((A + B)^T)
        when X is not a function."""
        if isinstance(node, Tree) and post is not None and node.data in _POSTFIX_AWARE:
            return self._spanned(node, lambda: getattr(self, "_" + node.data)(node, post))
        value = self._spanned(node, lambda: self._token(node) if isinstance(node, Token)
                              else getattr(self, "_" + node.data)(node))
        return value if post is None else post(value)

    def _spanned(self, node: Tree | Token, build: Callable[[], Expr]) -> Expr:
        """Run build; a ShapeError without a position gets node's."""
        try:
            return build()
        except ShapeError as e:
            if e.span is None:
                e.span, e.source = self._span(node), self.source
            raise

    def _token(self, tok: Token) -> Expr:
        if tok.type == "NUMBER":
            return ops.const(float(tok))
        return self._name(tok)

    def _number(self, node: Tree) -> Expr:
        return ops.const(float(node.children[0]))

    def _sum(self, node: Tree) -> Expr:
        terms = [self.expr(node.children[0])]
        array = None if is_scalar(terms[0].shape) else terms[0].shape
        for op, operand in zip(node.children[1::2], node.children[2::2]):
            term = self.expr(operand)
            if not is_scalar(term.shape):
                if array is not None and not (self.u.unify(array[0], term.shape[0])
                                              and self.u.unify(array[1], term.shape[1])):
                    raise ShapeError(f"sum: shapes {show_shape(array)} and {show_shape(term.shape)} do not match",
                                     (op.start_pos, op.end_pos), self.source)
                array = array or term.shape
            terms.append(_subtracted(term) if str(op) == "-" else term)
        return ops.add(*terms)

    def _product(self, node: Tree) -> Expr:
        children = node.children
        acc = self.expr(children[0])
        i = 1
        while i < len(children):
            op = "matmul"
            if isinstance(children[i], Token) and children[i].type == "MULOP":
                op = _MULOPS[str(children[i])]
                i += 1
            right = self.expr(children[i])
            if op == "scalar_div" and not is_scalar(right.shape):
                raise self.error("'/' divides by a scalar; use './' for elementwise division", children[i - 1])
            try:
                acc = ops.make("div" if op == "scalar_div" else op, acc, right)
            except ShapeError as e:
                e.span, e.source = self._span(children[i]), self.source
                raise
            i += 1
        return acc

    def _neg(self, node: Tree) -> Expr:
        return _negate(self.expr(node.children[0]))

    def _transpose(self, node: Tree, post: Post | None = None) -> Expr:
        return self.expr(node.children[0], _then(ops.transpose, post))

    def _inverse(self, node: Tree, post: Post | None = None) -> Expr:
        return self.expr(node.children[0], _then(lambda e: ops.make("inv", e), post))

    def _inverse_transpose(self, node: Tree, post: Post | None = None) -> Expr:
        return self.expr(node.children[0], _then(lambda e: ops.make("inv", ops.transpose(e)), post))

    def _superscript(self, node: Tree, post: Post | None = None) -> Expr:
        k = "²³⁴⁵⁶⁷⁸⁹".index(str(node.children[1])) + 2
        return self.expr(node.children[0], _then(lambda base: self._raise_to(base, ops.const(k), node), post))

    def _pow(self, node: Tree, post: Post | None = None) -> Expr:
        base_tree, exp_tree = node.children
        return self.expr(base_tree, _then(lambda base: self._raise(base, exp_tree), post))

    def _raise(self, base: Expr, exp_tree: Tree | Token) -> Expr:
        """base^p: a transpose, a scalar power, an inverse or a matrix power."""
        if _is_transpose_exponent(exp_tree):
            return ops.transpose(base)
        if _is_inverse_transpose_exponent(exp_tree):
            return ops.make("inv", ops.transpose(base))
        return self._raise_to(base, self._exponent(exp_tree), exp_tree)

    def _raise_to(self, base: Expr, exponent: Expr, exp_tree: Tree | Token) -> Expr:
        """base^p for a numeric or scalar exponent p."""
        if is_scalar(base.shape):
            return ops.make("hpow", base, exponent)
        k = exponent.attr if exponent.op == "const" else None
        if k == -1:
            return ops.make("inv", base)
        if isinstance(k, int) and k >= 0:
            return matrix_power(base, k)
        if isinstance(k, int) and k <= -2:
            return ops.make("inv", ops.make("mpow", base, attr=-k))
        raise self.error("a matrix power A^k needs an integer k ≥ 2, -1 (inverse) or T (transpose); "
                         "for entrywise powers write A.^p", exp_tree)

    def _hpow(self, node: Tree, post: Post | None = None) -> Expr:
        power = node.children[-1]
        return self.expr(node.children[0], _then(lambda b: ops.make("hpow", b, self._exponent(power)), post))

    def _exponent(self, node: Tree | Token) -> Expr:
        if isinstance(node, Tree) and node.data == "exponent":
            (node,) = node.children
        if isinstance(node, Token) and node.type == "SIGNED":
            return ops.const(float(str(node).replace(" ", "")))
        value = self.expr(node)
        if not is_scalar(value.shape):
            raise self.error("an exponent must be a scalar", node)
        return value

    def _ones(self, node: Tree) -> Expr:
        m = re.search(r"_\{?([A-Za-z0-9]+)\}?$", str(node.children[0]))
        n = (int(m.group(1)) if m.group(1).isdigit() else m.group(1)) if m else DimVar()
        return ops.fill(1, (n, 1))

    def _inner(self, node: Tree) -> Expr:
        return ops.inner(self.expr(node.children[1]), self.expr(node.children[2]))

    def _norm(self, node: Tree) -> Expr:
        inside = self.expr(node.children[1])
        sub = str(node.children[3].children[0]) if len(node.children) > 3 else "2"
        if sub in ("2", "F"):
            return ops.make("norm2", inside)
        if sub == "1":
            return ops.make("norm1", inside)
        raise self.error(f"unknown norm subscript '_{sub}' (use _2, _F or _1)", node.children[3])

    def _frac(self, node: Tree) -> Expr:
        num, den = self.expr(node.children[1]), self.expr(node.children[2])
        return ops.div(num, den)

    def _name(self, node: Tree | Token) -> Expr:
        tok = node if isinstance(node, Token) else node.children[0]
        raw = str(tok)
        if self.latex and tok.type == "NAME":
            parts = re.findall(r"[A-Za-zα-ωΑ-Ω](?:_(?:\{[A-Za-z0-9]+\}|[A-Za-z0-9]+))*|\d+", raw)
            if len(parts) > 1:
                factors = [ops.const(float(p)) if p.isdigit() else self._lookup(read_name(p), tok) for p in parts]
                acc = factors[0]
                for f in factors[1:]:
                    acc = ops.matmul(acc, f)
                return acc
        if tok.type == "LATEX_NAME" and raw.startswith("\\") and not raw.startswith(("\\math", "\\bold", "\\bm",
                                                                                   "\\operatorname")):
            base = re.match(r"\\([A-Za-z]+)", raw).group(1)
            if base not in GREEK and base not in CAPITAL_GREEK:
                raise self.error(f"unknown LaTeX command '\\{base}'", tok)
        return self._lookup(read_name(raw), tok)

    def _lookup(self, name: str, tok: Token) -> Expr:
        if name in self.env:
            return self.env[name]
        if name in ("I", "eye"):
            n = DimVar()
            return ops.identity(n)
        sized = re.fullmatch(r"I_(\d+|[A-Za-z]\w*)", name)
        if sized and name not in self.decls:  # I_n, I_{3}: the identity of a given size
            return ops.identity(int(sized.group(1)) if sized.group(1).isdigit() else sized.group(1))
        if self.derivation and name.startswith("d") and len(name) > 1 and self._known(name[1:]):
            return ops.d(self._lookup(name[1:], tok))
        decl = self.decls.get(name)
        if decl is None:
            kind = self._convention(name)
            shape = {"scalar": SCALAR, "vector": (DimVar(), 1), "matrix": (DimVar(), DimVar())}[kind]
            node = ops.var(name, kind, shape)
        else:
            node = ops.var(name, decl.kind, _decl_shape(decl), decl.positive)
        self.env[name] = node
        return node

    def _known(self, name: str) -> bool:
        return name in self.env or name in self.decls

    @staticmethod
    def _convention(name: str) -> str:
        if name[0].isupper():
            return "matrix"
        if is_greek(name):
            return "scalar"
        return "vector"

    # ------------------------------------------------------------ calls

    def _call(self, node: Tree, post: Post | None = None) -> Expr:
        """A function call, or a product `X (A)` (then a pending postfix applies to the `(A)`)."""
        if self._is_juxtaposition(node):
            return self._juxtaposed(node.children[0], node.children[1:], node, post)
        value = self._apply(node)
        return value if post is None else post(value)

    def _is_juxtaposition(self, node: Tree) -> bool:
        head = node.children[0]
        raw = str(head)
        name = _call_name(raw)
        prime = name.endswith("'")
        if name in ("vector", "matrix", "d") or name in self.functions or prime and name[:-1] in self.functions:
            return name == "d" and not self.derivation
        if raw.startswith("\\") and read_name(raw.strip()) in self.decls:  # `\sigma (x)` with sigma declared
            return True
        if self.latex and head.type == "CALLNAME" and not raw.startswith("\\") and name not in ops.call_names():
            return True
        return name not in ops.call_names() and not (prime and name[:-1] in ops.call_names())

    def _apply(self, node: Tree) -> Expr:
        head, *arg_trees = node.children
        raw = str(head)
        name = _call_name(raw)
        prime = name.endswith("'")
        if name in ("vector", "matrix"):
            return self._constant_array(name, arg_trees, node)
        if name == "d" and self.derivation:
            return ops.d(self._single(arg_trees, name, node))
        if name in self.functions or prime and name[:-1] in self.functions:
            return self._apply_user(name, arg_trees, node)
        args = [self.expr(a) for a in arg_trees]
        if prime and name not in ops.call_names():
            return self._derivative_of(name[:-1], args, node)
        arity = ops.OPS[ops.call_names()[name]].arity
        if len(args) != arity:
            raise self.error(f"{name}() takes {arity} argument(s), got {len(args)}", node)
        try:
            return ops.build_call(name, *args)
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
        name = read_name(raw if raw.startswith("\\") else _call_name(raw))
        looks_like_function = (len(name) > 1 and name[0].islower() and not is_greek(name)
                               and name not in self.decls and name not in self.env and not self.latex)
        if looks_like_function or name.endswith("'") or len(arg_trees) != 1:
            raise self.error(f"unknown function {_quoted(name)}", head)
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
        if prime:
            from matcalc.calculus.diff import (
                scalar_derivative,  # the derivative needs the differentiator, built after parsing
            )

            body = scalar_derivative(body, param)
        return substitute_elementwise(body, param, arg)


Post = Callable[[Expr], Expr]
_POSTFIX_AWARE = {"call", "transpose", "inverse", "pow", "hpow"}


def _then(fn: Post, post: Post | None) -> Post:
    """fn, then post (when there is one)."""
    return fn if post is None else lambda e: post(fn(e))


def _quoted(name: str) -> str:
    """'foo', or "relu'" when the name has a prime."""
    return f'"{name}"' if "'" in name else f"'{name}'"


def _negate(e: Expr) -> Expr:
    """-e, folding a number into a negative constant (so `A - 2` round-trips)."""
    return ops.const(-e.attr) if e.op == "const" else ops.neg(e)


def _subtracted(e: Expr) -> Expr:
    """The term `- e` of a sum: a leading number takes the sign (`B - 2 A x` is B + (-2) A x),
    mirroring how the printer writes a term with a negative coefficient."""
    if e.op == "matmul" and (e.args[0].op == "const" or e.args[0].op == "matmul"):
        head = _subtracted(e.args[0])
        return ops.neg(e) if head.op == "neg" else ops.matmul(head, e.args[1])
    return _negate(e)


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


def _call_name(raw: str) -> str:
    raw = raw.strip()
    m = re.fullmatch(r"\\(?:operatorname|mathrm)\{([A-Za-z]+)\}('?)", raw)
    if m:
        return m.group(1) + m.group(2)
    if re.fullmatch(r"\\log\s*\\det'?", raw):
        return "logdet" + ("'" if raw.endswith("'") else "")
    name = raw.lstrip("\\")
    return "sigmoid" + name[5:] if name.startswith("sigma") and name[5:] in ("", "'") else name


_MULOPS = ops.infix_symbols()
_MULOPS["/"] = "scalar_div"


def substitute_elementwise(body: Expr, param: Expr, arg: Expr) -> Expr:
    """Apply a scalar formula in ``param`` to every entry of ``arg`` (products become ⊙)."""
    built: dict[Expr, Expr] = {param: arg}
    for node in walk(body):
        if node in built:
            continue
        args = tuple(built[a] for a in node.args)
        if node.op == "matmul" and not any(is_scalar(a.shape) for a in args):  # t s -> X ⊙ S; 2 t -> 2 X
            built[node] = ops.hadamard(*args)
        elif node.op in ("var", "const", "fill", "identity"):
            built[node] = node
        else:
            built[node] = ops.make(node.op, *args, attr=node.attr)
    return built[body]


def _decl_shape(decl: _Decl) -> tuple:
    dims = decl.dims
    if decl.kind == "scalar":
        return SCALAR
    if decl.kind == "vector":
        return (dims[0], 1)
    if decl.kind == "matrix":
        return (dims[0], dims[1] if len(dims) > 1 else dims[0])
    return (dims[0], dims[0])


def _where_items(where: str | dict | None) -> list[tuple[str, str]]:
    if where is None:
        return []
    if isinstance(where, dict):
        return [(k, v) for k, v in where.items()]
    out = []
    for part in re.split(r"[;\n]", where.strip().removeprefix("where")):
        if part.strip():
            if ":" not in part:
                raise ParseError(f"a declaration reads 'name: type', got '{part.strip()}'")
            names, text = part.split(":", 1)
            out.extend((n.strip(), text.strip()) for n in names.split(","))
    return out


def _finalize(u: Unifier, root: Expr, defs: list[tuple[str, Expr]]) -> tuple[Expr, tuple[tuple[str, Expr], ...]]:
    """Rebuild every node with resolved dimensions; name the unknown ones n, m, k, …"""
    used = {d for node in walk(root) for d in u.resolve(node.shape) if isinstance(d, str)}
    for _, ref in defs:
        used |= {d for node in walk(ref) for d in u.resolve(node.shape) if isinstance(d, str)}
    names: dict[DimVar, str] = {}
    fresh = (n for n in FRESH_DIMS + [f"n{i}" for i in range(1, 1000)] if n not in used)

    def resolve(d: object) -> object:
        d = u.find(d)
        if isinstance(d, ProductDim):  # the size of a ⊗ or vec: the product of its factors' sizes
            return times(resolve(d.factors[0]), resolve(d.factors[1]))
        if isinstance(d, DimVar):
            if d not in names:
                names[d] = next(fresh)
            return names[d]
        return d

    built: dict[Expr, Expr] = {}

    def rebuild(top: Expr) -> Expr:
        for node in walk(top):
            if node not in built:
                shape = (resolve(node.shape[0]), resolve(node.shape[1]))
                built[node] = Expr(node.op, tuple(built[a] for a in node.args), node.attr, shape)
        return built[top]

    new_defs = tuple((name, rebuild(ref)) for name, ref in defs)
    return rebuild(root), new_defs


def _declarations(root: Expr, decls: dict[str, _Decl]) -> list[Declaration]:
    out: dict[str, Declaration] = {}
    for node in walk(root):
        if node.op == "var" and node.attr.name not in out:
            out[node.attr.name] = Declaration(node.attr, node.shape)
    return list(out.values())


__all__ = ["parse", "substitute_elementwise", "Var"]
