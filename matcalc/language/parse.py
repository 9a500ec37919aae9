"""Text (plain, Unicode or LaTeX) -> a typed ``Formula`` that carries its reading.

``read.prepare`` writes the text by its notation's rules as the grammar's text; the lark grammar
(``grammar/matcalc.lark``) gives a parse tree; ``Builder`` walks it and builds ``Expr`` nodes
through ``ops.make`` while one ``Unifier`` infers the unknown dimensions; ``declarations.finalize``
then rebuilds the tree with every dimension resolved (a name or an int) and names the dimensions
nobody named (n, m, k, …). Errors point into the user's text (positions are mapped back).
Invariant: every error a user can cause leaves here as a ``MatcalcError`` with a message,
and a caret position when one is known.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from lark import Token, Tree

from matcalc.algebra import ops
from matcalc.algebra.expr import Expr, Var
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
from matcalc.language.calls import Calls, Post
from matcalc.language.declarations import SIMPLEX, TYPES, Decl, decl_shape, declarations, finalize, where_items
from matcalc.language.formula import Formula, Reading
from matcalc.language.ones import folded_ones
from matcalc.language.powers import Powers
from matcalc.language.printers import show
from matcalc.language.read import Prepared, notation_of, prepare
from matcalc.language.syntax import CAPITAL_GREEK, GREEK, MAX_DEPTH, function_name, is_greek, parse_tree, read_name


def as_formula(f: str | Formula | Expr, where: str | dict | None = None) -> Formula:
    """Accept a formula string, a Formula or an Expr."""
    if isinstance(f, Formula):
        return f
    if isinstance(f, Expr):
        return Formula(f)
    return parse(f, where=where)


def parse(text: str, where: str | dict | None = None, notation: str | None = None,
          derivation: bool = False) -> Formula:
    """Parse a formula; ``where`` adds declarations; ``notation`` (`text`, `unicode`, `latex`) is
    chosen from the text when not given: LaTeX when it has a backslash, Unicode when it has typeset
    characters (ᵀ, ‖, ⊙, ₁). LaTeX and Unicode read letters written together as a product (``Xb``)."""
    if not isinstance(text, str) or not text.strip():
        raise ParseError("empty formula: type an expression such as  a^T exp(X b)")
    kind = notation_of(text, notation)
    try:
        prepared = prepare(text, kind, {name for name, _ in where_items(where)}, derivation)
    except MatcalcError as e:
        e.source = e.source or text
        raise
    builder = Builder(prepared.text, derivation)
    try:
        return builder.build(parse_tree(prepared.text), where, prepared)
    except RecursionError:
        raise ParseError(f"formula nested too deeply (at most {MAX_DEPTH} levels)") from None
    except MatcalcError as e:
        if e.source == prepared.text and prepared.text != text:
            e.span, e.source = prepared.span(e.span, text), text
        if isinstance(e, ShapeError):
            e.message += (_split_hint(text, where, derivation) if kind == "text" else "") + builder.typed_hint()
        raise


def _split_hint(text: str, where: str | dict | None, derivation: bool) -> str:
    """For plain text that does not type: the split of multi-letter names that would (`Xb` -> `X b`)."""
    try:
        split = parse(text, where, "latex", derivation)
    except MatcalcError:
        return ""
    words = [g.split(" (")[0] for g in split.reading.guesses if "written together" in g]
    if not words:
        return ""
    shown = "; ".join(f"'{w.split(' → ')[0]}' is one name here; did you mean '{w.split(' → ')[1]}'?" for w in words)
    return f"\n  hint: {shown}"


class Builder(Calls, Powers):
    """Walks a lark tree and builds typed expressions (one instance per parse)."""

    def __init__(self, source: str, derivation: bool):
        self.source = source
        self.derivation = derivation
        self.guesses: list[str] = []  # what was guessed (shown with the reading)
        self.decls: dict[str, Decl] = {}
        self.env: dict[str, Expr] = {}  # variables and definitions by name
        self.functions: dict[str, tuple[Expr, Expr]] = {}  # user function -> (parameter, body)
        self.definitions: list[tuple[str, Expr]] = []
        self.u: Unifier | None = None
        self.bold: set[str] = set()  # names written bold (\boldsymbol{\mu}): vectors

    # ------------------------------------------------------------ the whole formula

    def build(self, tree: Tree, where: str | dict | None, prepared: Prepared | None = None) -> Formula:
        """The Formula of a parse tree, with ``where`` declarations and the reading."""
        items = self._items(tree)
        self.bold = prepared.bold if prepared else set()
        for decl in items["decl"]:
            self._declare(decl)
        for name, text in where_items(where):
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
            root, defs = finalize(self.u, expr, self.definitions)
        formula = Formula(root, tuple(declarations(root, self.decls, defs)), defs)
        formula.reading = self._reading(formula, prepared)
        return formula

    def _reading(self, formula: Formula, prepared: Prepared | None) -> Reading:
        """The formula as read, with every guess: split letters, names typed by their spelling, …"""
        guesses = list(prepared.guesses if prepared else []) + self.guesses
        for d in formula.declarations:
            if d.name not in self.decls:
                reason = {"matrix": "capitalised name", "scalar": "Greek name", "vector": "lowercase name"}
                why = "bold" if d.name in self.bold else reason.get(d.var.kind, "its name")
                guesses.append(f"{d} ({why})")
        return Reading(formula.unicode(), tuple(dict.fromkeys(guesses)))

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
        kind, dims, positive, simplex = self._type(type_tree)
        for name in names:
            self.decls[read_name(str(name))] = Decl(kind, dims, positive, simplex)

    def _declare_text(self, name: str, text: str) -> None:
        """A declaration given apart from the formula (``where=`` or ``--where``); errors point into it."""
        prefix, decl_text = "x where ", f"{name}: {text}"
        try:
            tree = parse_tree(prefix + decl_text)
            builder = Builder(prefix + decl_text, self.derivation)
            for child in tree.children:
                if isinstance(child, Tree) and child.data == "where":
                    for decl in child.children:
                        if isinstance(decl, Tree):
                            builder._declare(decl)
        except MatcalcError as e:
            span = None if e.span is None else (max(0, e.span[0] - len(prefix)), max(0, e.span[1] - len(prefix)))
            raise ParseError(f"in the declaration '{decl_text}': {e.message}", span, decl_text) from None
        self.decls.update(builder.decls)

    def _type(self, node: Tree) -> tuple[str, tuple, bool, str]:
        head, *rest = node.children
        kind = str(head)
        if kind not in TYPES + SIMPLEX:
            raise self.error(f"unknown type '{kind}' (use one of: {', '.join(TYPES + SIMPLEX)})", head)
        dims: tuple = ()
        if rest and isinstance(rest[0], Tree):
            dims = tuple(int(str(d)) if d.type == "NUMBER" else str(d) for d in rest.pop(0).children)
        simplex = kind if kind in SIMPLEX else next((str(q) for q in rest if str(q) in SIMPLEX), "")
        kind = ("vector" if len(dims) == 1 else "matrix") if kind in SIMPLEX else kind  # onehot(k): vector(k) onehot
        for q in rest:
            if str(q) != "positive" and (str(q) not in SIMPLEX or kind not in ("vector", "matrix")):
                raise self.error(f"unknown qualifier '{q}' (positive; onehot or probability for a vector or matrix)", q)
        wanted = {"scalar": 0, "vector": 1, "matrix": 2, "symmetric": 1, "spd": 1}[kind]
        if len(dims) != wanted and not (kind == "matrix" and len(dims) == 1):
            raise self.error(f"'{kind}' takes {wanted} dimension(s), got {len(dims)}", node)
        if any(isinstance(x, int) and x < 1 for x in dims):
            raise self.error("a dimension must be a positive integer or a name", node)
        return kind, dims, any(str(q) == "positive" for q in rest), simplex

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
        if array is not None:
            for term in terms:
                if is_scalar(term.shape):
                    self.guesses.append(f"the scalar {show(term, 'unicode')} is added to every entry")
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
            if str(children[i - 1]) in ("·", "\\cdot") and _column(acc) and _column(right):
                op = "inner"  # a · b of two vectors is their dot product
            try:
                acc = folded_ones(ops.make("div" if op == "scalar_div" else op, acc, right))
            except ShapeError as e:
                e.span, e.source = self._span(children[i]), self.source
                if op in ("hadamard", "div") and i + 1 < len(children) and self._span(children[i + 1]):
                    a, b, sym = show(acc, "unicode"), show(right, "unicode"), str(children[i - 1])
                    c = self.source[slice(*self._span(children[i + 1]))]
                    e.message += (f"\n  hint: products group left to right, ({a} {sym} {b}) {c}: "
                                  f"write {a} {sym} ({b} {c})")
                raise
            i += 1
        return acc

    def _neg(self, node: Tree) -> Expr:
        return _negate(self.expr(node.children[0]))

    def _ones(self, node: Tree) -> Expr:
        m = re.search(r"_\{?([A-Za-z0-9_]+?)\}?$", str(node.children[0]))
        n = (int(m.group(1)) if m.group(1).isdigit() else m.group(1)) if m else DimVar()
        return ops.fill(1, (n, 1))

    def _inner(self, node: Tree) -> Expr:
        return ops.inner(self.expr(node.children[1]), self.expr(node.children[2]))

    def _norm(self, node: Tree) -> Expr:
        inside = self.expr(node.children[1])
        sub = str(node.children[3].children[0]) if len(node.children) > 3 else "2"
        if sub == "2" and len(node.children) > 3 and 1 not in self.u.resolve(inside.shape):
            raise self.error("‖X‖₂ of a matrix is its spectral norm (largest singular value), which matcalc "
                             "does not differentiate\n  hint: write ‖X‖_F for the Frobenius norm", node.children[0])
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
        if tok.type == "LATEX_NAME" and raw.startswith("\\") and not raw.startswith(("\\math", "\\bold", "\\bm",
                                                                                   "\\operatorname")):
            base = re.match(r"\\([A-Za-z]+)", raw).group(1)
            if base not in GREEK and base not in CAPITAL_GREEK:
                raise self.error(f"unknown LaTeX command '\\{base}'", tok)
        return self._lookup(read_name(raw), tok)

    def _lookup(self, name: str, tok: Token) -> Expr:
        if name in self.env:
            return self.env[name]
        if name in ("I", "eye") and name not in self.decls:
            return ops.identity(DimVar())
        sized = re.fullmatch(r"I_(\d+|[A-Za-z]\w*)", name)
        if sized and name not in self.decls:  # I_n, I_{3}: the identity of a given size
            return ops.identity(int(sized.group(1)) if sized.group(1).isdigit() else sized.group(1))
        if self.derivation and name.startswith("d") and len(name) > 1 and self._known(name[1:]):
            return ops.d(self._lookup(name[1:], tok))
        decl = self.decls.get(name)
        if decl is None and function_name(name):
            raise self.error(f"'{name}' is a function: write its argument in parentheses, {name}(…)", tok)
        if decl is None:
            kind = self._convention(name)
            shape = {"scalar": SCALAR, "vector": (DimVar(), 1), "matrix": (DimVar(), DimVar())}[kind]
            node = ops.var(name, kind, shape)
        else:
            node = ops.var(name, decl.kind, decl_shape(decl), decl.positive, decl.simplex)
        self.env[name] = node
        return node

    def typed_hint(self) -> str:
        """For a shape error: the names typed by their spelling, and how to declare one otherwise."""
        typed = [v for name, v in self.env.items() if v.op == "var" and name not in self.decls]
        if not typed:
            return ""
        kinds = ", ".join(f"{v.attr.name}: {v.attr.kind}" for v in typed)
        example = typed[0].attr.name
        other = {"vector": "scalar", "scalar": "vector(n)"}.get(typed[0].attr.kind, "vector(n)")
        return f"\n  hint: typed by their names: {kinds}; declare one otherwise, e.g. where {example}: {other}"

    def _known(self, name: str) -> bool:
        return name in self.env or name in self.decls

    def _convention(self, name: str) -> str:
        if name in self.bold or not (name[0].isupper() or is_greek(name)):
            return "vector"
        return "matrix" if name[0].isupper() else "scalar"

_POSTFIX_AWARE = {"call", "transpose", "inverse", "pow", "hpow"}


def _column(e: Expr) -> bool:
    """A vector (n x 1), not a scalar."""
    return e.shape[1] == 1 and not is_scalar(e.shape)


def _negate(e: Expr) -> Expr:
    """-e, folding a number into a negative constant (so `A - 2` round-trips)."""
    return ops.const(-e.attr) if e.op == "const" else ops.neg(e)


def _subtracted(e: Expr) -> Expr:
    """The term `- e` of a sum: a leading number takes the sign (`B - 2 A x` is B + (-2) A x),
    mirroring how the printer writes a term with a negative coefficient."""
    if e.op == "matmul" and (e.args[0].op == "const" or e.args[0].op == "matmul"):
        head = _subtracted(e.args[0])
        return ops.neg(e) if head.op == "neg" else ops.matmul(head, e.args[1])
    if e.op == "div" and e.args[0].op in ("const", "matmul"):  # B - 2 x / s is B + (-2 x) / s
        head = _subtracted(e.args[0])
        return ops.neg(e) if head.op == "neg" else ops.make("div", head, e.args[1])
    return _negate(e)


_MULOPS = ops.infix_symbols()
_MULOPS["/"] = "scalar_div"



__all__ = ["parse", "Var"]
