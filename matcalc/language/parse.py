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

import math
import re
from collections.abc import Callable
from dataclasses import replace

from lark import Token, Tree

from matcalc.algebra import ops
from matcalc.algebra.expr import Expr, Var, recursion_room, walk_all
from matcalc.algebra.shapes import (
    SCALAR,
    DimVar,
    MatcalcError,
    ParseError,
    ShapeError,
    Unifier,
    inferring,
)
from matcalc.language.arith import Arithmetic
from matcalc.language.calls import Calls, Post
from matcalc.language.declarations import (
    SIMPLEX,
    TYPES,
    Decl,
    decl_shape,
    declarations,
    finalize,
    unsplit_product,
    where_items,
)
from matcalc.language.formula import Formula, Reading
from matcalc.language.hints import instead, retype_hint, split_hint, typed_hint
from matcalc.language.powers import Powers
from matcalc.language.printers import show, show_name
from matcalc.language.read import Prepared, notation_of, prepare
from matcalc.language.sizes import Sizes, written_sizes
from matcalc.language.syntax import (
    CAPITAL_GREEK,
    FRAMES_PER_LEVEL,
    GREEK,
    INDEX_SUM,
    MAX_DEPTH,
    function_name,
    is_greek,
    parse_tree,
    read_name,
)


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
    with recursion_room(FRAMES_PER_LEVEL * MAX_DEPTH):  # reading recurses once per nesting level
        return _parse(text, where, notation, derivation)


def _parse(text: str, where: str | dict | None, notation: str | None, derivation: bool) -> Formula:
    if not isinstance(text, str) or not text.strip():
        raise ParseError("empty formula: type an expression such as  a^T exp(X b)")
    kind = notation_of(text, notation)
    try:
        prepared = prepare(text, kind, {name for name, _ in where_items(where)}, derivation)
    except MatcalcError as e:
        e.source = e.source or text
        raise
    builder = Builder(prepared.text, derivation)
    builder.original, builder.prepared = text, prepared
    try:
        return builder.build(parse_tree(prepared.text), where, prepared)
    except RecursionError:
        raise ParseError(f"formula nested too deeply (at most {MAX_DEPTH} levels)") from None
    except MatcalcError as e:
        if e.source == prepared.text and prepared.text != text:
            e.span, e.source = prepared.span(e.span, text), text
        if isinstance(e, ShapeError) and not _HINTING:
            _HINTING.append(True)
            try:
                split = split_hint(parse, text, where, derivation) if kind == "text" else ""
                e.message += split + (retype_hint(parse, text, where, kind, derivation, builder.env, builder.decls)
                                      or typed_hint(builder.env, builder.decls))
            finally:
                _HINTING.clear()
        raise


_HINTING: list[bool] = []  # non-empty while hints re-parse the formula (their own errors get no hints)


class Builder(Arithmetic, Calls, Powers, Sizes):
    """Walks a lark tree and builds typed expressions (one instance per parse)."""

    def __init__(self, source: str, derivation: bool):
        self.source = source
        self.derivation = derivation
        self.guesses: list[str] = []  # what was guessed (shown with the reading)
        self.decls: dict[str, Decl] = {}
        self.apart: dict[str, Decl] = {}  # the declarations given by where= (apart from the formula)
        self.env: dict[str, Expr] = {}  # variables and definitions by name
        self.functions: dict[str, tuple[Expr, Expr]] = {}  # user function -> (parameter, body)
        self.definitions: list[tuple[str, Expr]] = []
        self.u: Unifier | None = None
        self.bold: set[str] = set()  # names written bold (\boldsymbol{\mu}): vectors
        self.sizes: set[str] = set()  # the dimension names the user wrote: a bare one is that size
        self.spans: dict[Expr, tuple[int, int] | None] = {}  # where each node was written (for late errors)
        self.original, self.prepared = source, None  # the user's text, and how it was rewritten
        self.typeset: set[str] = set()  # names the user wrote typeset (λ, W₁): results keep the spelling

    # ------------------------------------------------------------ the whole formula

    def build(self, tree: Tree, where: str | dict | None, prepared: Prepared | None = None) -> Formula:
        """The Formula of a parse tree, with ``where`` declarations and the reading."""
        items = self._items(tree)
        self.bold = prepared.bold if prepared else set()
        for decl in items["decl"]:
            self._declare(decl)
        for name, text in where_items(where):
            self._declare_text(name, text)
        self.sizes = written_sizes(tree, self.decls)
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
            unsplit = unsplit_product(self.u, [expr] + [ref for _, ref in self.definitions])
            if unsplit is not None:
                raise self._unsplit(unsplit)
            root, defs = finalize(self.u, expr, self.definitions)
        decls = (replace(d, typeset=d.name in self.typeset) for d in declarations(root, self.decls, defs))
        formula = Formula(root, tuple(decls), defs)
        formula.reading = self._reading(formula, prepared)
        return formula

    def _reading(self, formula: Formula, prepared: Prepared | None) -> Reading:
        """The formula as read, with every guess: split letters, names typed by their spelling, …"""
        guesses = list(prepared.guesses if prepared else []) + self.guesses
        guesses += [_on_matrix(node) for node in walk_all([ref for _, ref in formula.definitions] + [formula.expr])
                    if ops.OPS[node.op].on_matrix and node.args[0].shape[1] != 1]
        for d in formula.declarations:
            if d.name not in self.decls:
                reason = {"matrix": "capitalised name", "scalar": "Greek name", "vector": "lowercase name"}
                why = "bold" if d.name in self.bold else reason.get(d.var.kind, "its name")
                name = show_name(d.name, "unicode") if d.name in self.typeset else d.name  # as spelled: λ, W₁, mu
                guesses.append(f"{name}: {d.type_text()} ({why})")
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

    def written(self, span: tuple[int, int]) -> str:
        """What the user wrote for a span of the grammar's text (LaTeX and Unicode are rewritten)."""
        text = self.source[span[0]:span[1]]
        if self.prepared is None or self.original == self.source or not text.strip():
            return text
        lead = len(text) - len(text.lstrip())
        start, end = self.prepared.span((span[0] + lead, span[0] + len(text.rstrip())), self.original)
        return self.original[start:end]

    def error(self, message: str, node: Tree | Token) -> MatcalcError:
        """A ParseError pointing at node."""
        return ParseError(message, self._span(node), self.source)

    # ------------------------------------------------------------ declarations

    def _declare(self, decl: Tree) -> None:
        *names, type_tree = decl.children
        kind, dims, positive, simplex = self._type(type_tree)
        for name in names:
            key, new = self._spelled(name), Decl(kind, dims, positive, simplex)
            if clash := new.clash(key, self.decls.get(key)):  # one name, one type
                raise self.error(clash, name)
            self.decls[key] = new

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
        self.typeset |= builder.typeset
        for key, new in builder.decls.items():  # where= may retype the formula's own declaration, not itself
            if clash := new.clash(key, self.apart.get(key)):
                raise ParseError(clash, (0, len(decl_text)), decl_text)
            self.decls[key] = self.apart[key] = new

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
        if any(n.op == "var" and n.attr.name == name for n in walk_all([value])):
            raise self.error(f"'{name}' is defined in terms of itself; a definition may use only "
                             "variables and earlier definitions", name_tok)
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
            value = build()
            self.spans.setdefault(value, self._span(node))
            return value
        except ShapeError as e:
            if e.span is None:
                e.span, e.source = self._span(node), self.source
            raise

    def _token(self, tok: Token) -> Expr:
        if tok.type in ("NUMBER", "SIGNED"):
            return self.literal(tok)
        return self._name(tok)

    def _number(self, node: Tree) -> Expr:
        return self.literal(node.children[0])

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
                hint = ("\n  hint: give the function alone and the variable apart: matcalc grad \"tr(A X)\" --wrt X"
                        if base in ("partial", "nabla") else instead(base))
                raise self.error(f"unknown LaTeX command '\\{base}'{hint}", tok)
        return self._lookup(self._spelled(tok), tok)

    def _spelled(self, tok: Token) -> str:
        """The name of a name token, remembering whether the user wrote it typeset (λ, W₁)."""
        span = self._span(tok)
        if span is not None and not self.written(span).isascii():
            self.typeset.add(read_name(str(tok)))
        return read_name(str(tok))

    def _lookup(self, name: str, tok: Token) -> Expr:
        if name in self.env:
            return self.env[name]
        if name in ("I", "eye") and name not in self.decls:
            return ops.identity(DimVar())
        if name == "pi" and name not in self.decls:  # log det(2πΣ): the number π
            self.guesses.append("π → 3.14159… (the number; declare pi to make it a variable)")
            return ops.const(math.pi)
        sized = re.fullmatch(r"I_(\d+|[A-Za-z]\w*)", name)
        if sized and name not in self.decls:  # I_n, I_{3}: the identity of a given size
            return ops.identity(int(sized.group(1)) if sized.group(1).isdigit() else sized.group(1))
        if self.derivation and name.startswith("d") and len(name) > 1 and self._known(name[1:]):
            return ops.d(self._lookup(name[1:], tok))
        decl = self.decls.get(name)
        if decl is None and name in self.sizes:  # 1/n with X ∈ ℝ^{n×d}: the size n
            return self.size(name)
        if decl is None and re.fullmatch(r"sum_\w+", name):  # plain text sum_i x_i
            raise self.error(INDEX_SUM, tok)
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

    def _known(self, name: str) -> bool:
        return name in self.env or name in self.decls

    def _convention(self, name: str) -> str:
        if name in self.bold or not (name[0].isupper() or is_greek(name)):
            return "vector"
        return "matrix" if name[0].isupper() else "scalar"

def _on_matrix(node: Expr) -> str:
    """How an operation acts on the matrix it was given: softmax(X) is column-wise."""
    rows = node.args[0].shape[0]
    row = " (on a 1×m row each entry is a column of its own: for a vector write a column)" if rows == 1 else ""
    return f"{show(node, 'unicode')}: {ops.OPS[node.op].on_matrix}{row}"


_POSTFIX_AWARE = {"call", "transpose", "inverse", "pow", "hpow"}





__all__ = ["parse", "Var"]
