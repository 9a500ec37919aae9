"""Declarations and the last pass of parsing.

``Decl`` is a declared type (`x: vector(n) positive`; a second, different one for a name is an
error); ``where_items`` reads a ``where=``
argument (a string or a dict); ``finalize`` rebuilds a parsed expression with every dimension
resolved and names the dimensions nobody named (n, m, k, …); ``declarations`` lists the
variables of an expression in order of appearance.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from matcalc.algebra.expr import Expr, walk, walk_all
from matcalc.algebra.shapes import SCALAR, DimVar, ParseError, Unifier
from matcalc.algebra.structural import ProductDim, times
from matcalc.language.formula import Declaration
from matcalc.language.sets import IN, set_declarations
from matcalc.language.syntax import read_name

TYPES = ("scalar", "vector", "matrix", "symmetric", "spd")
SIMPLEX = ("onehot", "probability")  # columns summing to 1: `y: onehot(k)` = `y: vector(k) onehot`
FRESH_DIMS = "n m k p q r s t u v w".split()


@dataclass(frozen=True)
class Decl:
    """A declared type: its kind, its dimensions, whether its entries are positive and whether
    its columns are one-hot or probability vectors (``simplex``)."""

    kind: str
    dims: tuple
    positive: bool
    simplex: str = ""

    def clash(self, name: str, before: Decl | None) -> str:
        """Why name, declared before as ``before``, cannot also be declared as this type; '' when it can."""
        if before is None or (before.kind, decl_shape(before), before.positive, before.simplex) == \
                (self.kind, decl_shape(self), self.positive, self.simplex):
            return ""
        return (f"'{name}' is declared twice, as {before} and as {self}\n"
                f"  hint: keep one declaration of {name}")

    def __str__(self) -> str:
        return (self.kind + (f"({', '.join(map(str, self.dims))})" if self.dims else "")
                + " positive" * self.positive + (f" {self.simplex}" if self.simplex else ""))


def decl_shape(decl: Decl) -> tuple:
    """The shape a declaration gives."""
    dims = decl.dims
    if decl.kind == "scalar":
        return SCALAR
    if decl.kind == "vector":
        return (dims[0], 1)
    if decl.kind == "matrix":
        return (dims[0], dims[1] if len(dims) > 1 else dims[0])
    return (dims[0], dims[0])


def where_items(where: str | dict | None) -> list[tuple[str, str]]:
    """(name, type text) pairs of a `where=` argument; names are read as the parser reads them (λ -> lambda)."""
    if where is None:
        return []
    if isinstance(where, dict):
        return [(read_name(k), v) for k, v in where.items()]
    out = []
    for m in re.finditer(r"[^;\n]+", where):
        part = m.group().removeprefix("where") if not where[: m.start()].strip() else m.group()
        if part.strip():
            if ":" not in part and any(mark in part for mark in IN):  # X \in \mathbb{R}^{n \times m}, y ∈ ℝⁿ
                out.extend((read_name(name), kind) for name, kind in set_declarations(part))
                continue
            if ":" not in part:
                words = part.split(None, 1)
                hint = f"\n  hint: write {words[0]}: {words[1]}" if len(words) == 2 else ""
                start = m.start() + len(m.group()) - len(part.lstrip())
                raise ParseError(f"a declaration reads 'name: type', got '{part.strip()}'{hint}",
                                 (start, start + 1), where)
            out.extend(_colon_declarations(part, where, m.start()))
    return out


def _colon_declarations(part: str, where: str, offset: int) -> list[tuple[str, str]]:
    """(name, type text) pairs of `x: vector(n), A: matrix(n, n)`, `a, b: vector(n)` and `x ∈ ℝⁿ, A: matrix(n, n)`:
    a comma outside brackets separates declarations, or names sharing the type after them."""
    pieces, depth, start = [], 0, 0
    for i, ch in enumerate(part + ","):
        depth += {"(": 1, ")": -1, "{": 1, "}": -1}.get(ch, 0)
        if ch == "," and depth == 0:
            pieces.append(part[start:i])
            start = i + 1
    out, names = [], []
    for piece in pieces:
        if ":" not in piece and any(mark in piece for mark in IN):  # x ∈ ℝⁿ, A: matrix(n, n)
            out += [(read_name(n), kind) for n, kind in set_declarations(", ".join(names + [piece]))]
            names = []
            continue
        if ":" not in piece:
            names.append(piece)
            continue
        name, text = piece.split(":", 1)
        out += [(read_name(n.strip()), text.strip()) for n in names + [name]]
        names = []
    if names:
        at = offset + len(part) - len(pieces[-1].lstrip())
        raise ParseError(f"'{pieces[-1].strip()}' needs a type: write {pieces[-1].strip()}: vector(n), or another type",
                         (at, at + 1), where)
    return out


def unsplit_product(u: Unifier, roots: list[Expr]) -> Expr | None:
    """The first node (a ⊗ or a vec) whose size, a product of sizes not all known (k*q), was matched with a size
    it is not known to equal (n*m, 12): matcalc does not guess how a size splits into factors."""
    for node in walk_all(roots):
        for d in node.shape:
            if isinstance(d, ProductDim) and u.find(d) is not d \
                    and _factors(u, *d.factors) != _factors(u, u.find(d)):
                return node
    return None


def _factors(u: Unifier, *dims: object) -> tuple:
    """The product of dims as its factors: names and unknowns (sorted), and the product of the numbers."""
    names, number = [], 1
    for d in dims:
        d = u.find(d)
        if isinstance(d, ProductDim):
            more, k = _factors(u, *d.factors)
            names, number = names + list(more), number * k
        elif isinstance(d, int):
            number *= d
        elif isinstance(d, str):
            names += [int(x) if x.isdigit() else x for x in d.split("*")]
        else:
            names.append(f"?{d.id}")
    numbers = [x for x in names if isinstance(x, int)]
    for x in numbers:
        number *= x
    return tuple(sorted(x for x in names if isinstance(x, str))), number


def finalize(u: Unifier, root: Expr, defs: list[tuple[str, Expr]]) -> tuple[Expr, tuple[tuple[str, Expr], ...]]:
    """Rebuild every node with resolved dimensions; name the unknown ones n, m, k, …"""
    used = {d for node in walk_all([root] + [ref for _, ref in defs]) for d in u.resolve(node.shape)
            if isinstance(d, str)}
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
        for node in walk(top, built):
            shape = (resolve(node.shape[0]), resolve(node.shape[1]))
            built[node] = Expr(node.op, tuple(built[a] for a in node.args), node.attr, shape)
        return built[top]

    new_defs = tuple((name, rebuild(ref)) for name, ref in defs)
    return rebuild(root), new_defs


def declarations(root: Expr, decls: dict[str, Decl], defs: tuple[tuple[str, Expr], ...] = ()) -> list[Declaration]:
    """The variables in the order the text first names them: the bodies of the definitions the
    formula uses, in their order, then the formula (`H = relu(W1 X); W2 H` names W1, X, W2)."""
    used = {n.attr for n in walk(root) if n.op == "ref"}
    out: dict[str, Declaration] = {}
    for node in walk_all([ref for name, ref in defs if name in used] + [root]):
        if node.op == "var" and node.attr.name not in out:
            out[node.attr.name] = Declaration(node.attr, node.shape)
    return list(out.values())
