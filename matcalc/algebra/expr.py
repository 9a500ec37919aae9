"""The one node type: an immutable, hash-consed matrix expression.

``Expr(op, args, attr, shape)``: ``op`` names an entry of the registry in ``ops.py``,
``args`` are child nodes, ``attr`` is a hashable payload (a variable's ``Var``, a
number, a definition's name) and ``shape`` is (rows, cols).
Invariant: two nodes built from equal parts are the same object, so ``==`` is ``is`` (object's
own identity test, in C: no ``__eq__`` here), hashing is O(1), and a gradient's shared
subexpressions are shared in memory. Each node also has ``key``, an integer fixed at creation (a
node's children are created before it): a cheap, stable order for sorting (O(1) per comparison,
unlike the printed text).

``with_args`` rebuilds one node on new children, ``transform`` rebuilds a whole DAG
bottom-up (each distinct node once): the walk-and-rebuild loop, written once.
"""

from __future__ import annotations

import itertools
import sys
import threading
import weakref
from collections.abc import Callable, Container, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from matcalc.algebra.shapes import Shape

KINDS = ("scalar", "vector", "matrix", "symmetric", "spd")


@dataclass(frozen=True)
class Var:
    """A variable: its name, its kind (one of KINDS), whether its entries are positive, and
    ``simplex``: "onehot" or "probability" when each column is a probability vector (entries ≥ 0
    summing to 1; one-hot labels), else ""."""

    name: str
    kind: str
    positive: bool = False
    simplex: str = ""


class Expr:
    """An immutable expression node; build nodes with ``ops.make`` (it computes the shape)."""

    __slots__ = ("op", "args", "attr", "shape", "key", "_hash", "__weakref__")
    _table: weakref.WeakValueDictionary = weakref.WeakValueDictionary()
    _created = itertools.count()

    op: str
    args: tuple[Expr, ...]
    attr: Any
    shape: Shape
    key: int  # creation order: children before parents; stable while the node lives

    def __new__(cls, op: str, args: tuple[Expr, ...], attr: Any, shape: Shape) -> Expr:
        key = (op, tuple(id(a) for a in args), attr, shape)
        node = cls._table.get(key)
        if node is None:
            node = object.__new__(cls)
            object.__setattr__(node, "op", op)
            object.__setattr__(node, "args", args)
            object.__setattr__(node, "attr", attr)
            object.__setattr__(node, "shape", shape)
            object.__setattr__(node, "_hash", hash(key))
            object.__setattr__(node, "key", next(cls._created))
            cls._table[key] = node
        return node

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("Expr is immutable")

    def __hash__(self) -> int:
        return self._hash

    def __reduce__(self):
        return (Expr, (self.op, self.args, self.attr, self.shape))

    def __repr__(self) -> str:
        inner = ", ".join(repr(a) for a in self.args)
        attr = "" if self.attr is None else f"[{self.attr!r}]"
        return f"{self.op}{attr}({inner})"


def walk(root: Expr, known: Container[Expr] = ()) -> Iterator[Expr]:
    """Every distinct node below root, children before parents (iterative, no recursion).

    Nodes in ``known`` (e.g. a memo) are neither yielded nor descended into."""
    seen: set[int] = set()
    stack: list[tuple[Expr, bool]] = [(root, False)]
    while stack:
        node, expanded = stack.pop()
        if id(node) in seen or node in known:
            continue
        if expanded:
            seen.add(id(node))
            yield node
        else:
            stack.append((node, True))
            stack.extend((a, False) for a in reversed(node.args) if id(a) not in seen)


def walk_all(roots: Iterable[Expr]) -> Iterator[Expr]:
    """Every distinct node below any of roots, once (children before parents, roots in order):
    several walks that share one seen set, linear in the size of their union."""
    seen: set[Expr] = set()
    for root in roots:
        for node in walk(root, seen):
            seen.add(node)
            yield node


def with_args(node: Expr, args: tuple[Expr, ...]) -> Expr:
    """node on new children of the same shapes (same op, attr and shape); node itself when unchanged."""
    return node if args == node.args else Expr(node.op, args, node.attr, node.shape)


def transform(root: Expr, visit: Callable[[Expr, tuple[Expr, ...]], Expr],
              memo: dict[Expr, Expr] | None = None) -> Expr:
    """root rebuilt bottom-up: ``visit(node, new_children)`` gives each distinct node's replacement
    (children first, iteratively, so deep expressions do not recurse); ``memo`` may be shared by
    several roots so shared nodes stay shared."""
    memo = {} if memo is None else memo
    for node in walk(root, memo):
        memo[node] = visit(node, tuple(memo[a] for a in node.args))
    return memo[root]


def variables(root: Expr) -> list[Var]:
    """The variables in root, in order of first appearance (left to right)."""
    found: dict[str, Var] = {}
    for node in walk(root):
        if node.op == "var":
            found.setdefault(node.attr.name, node.attr)
    return list(found.values())


_ROOM = threading.Lock()
_ROOM_USERS = [0, 0]  # how many callers are inside recursion_room, and the limit they found


@contextmanager
def recursion_room(frames: int) -> Iterator[None]:
    """Room for ``frames`` more Python frames while inside (``sys.setrecursionlimit``, restored when
    the last caller leaves, so threads inside it together stay safe): for the few walks that recurse
    once per nesting level of a formula (reading it), bounded by the parser's nesting limit."""
    with _ROOM:
        if not _ROOM_USERS[0]:
            _ROOM_USERS[1] = sys.getrecursionlimit()
        _ROOM_USERS[0] += 1
        sys.setrecursionlimit(max(sys.getrecursionlimit(), _ROOM_USERS[1] + frames))
    try:
        yield
    finally:
        with _ROOM:
            _ROOM_USERS[0] -= 1
            if not _ROOM_USERS[0]:
                sys.setrecursionlimit(_ROOM_USERS[1])
