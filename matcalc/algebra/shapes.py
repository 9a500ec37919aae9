"""Dimensions, shapes, unification and the errors a user sees.

A shape is a pair (rows, cols) of dimensions. A dimension is an int, a name (a
``str`` such as ``"n"``) or, while a formula is being parsed, a ``DimVar``: an
unknown that unification later binds to an int, a name or another unknown.
Invariant: every shape is 2-D; vectors are columns (n, 1) and scalars are (1, 1).
"""

from __future__ import annotations

import contextvars
import itertools
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

Dim = int | str
Shape = tuple[Dim, Dim]
SCALAR: Shape = (1, 1)


class MatcalcError(Exception):
    """An error in a user's input: one clear message, with a caret when the position is known."""

    def __init__(self, message: str, span: tuple[int, int] | None = None, source: str | None = None):
        super().__init__(message)
        self.message = message
        self.span = span
        self.source = source

    def __str__(self) -> str:
        if self.span is None or self.source is None:
            return self.message
        start = self.span[0]
        line_start = self.source.rfind("\n", 0, start) + 1
        line_end = self.source.find("\n", start)
        line = self.source[line_start : line_end if line_end >= 0 else len(self.source)]
        column = start - line_start
        if len(line) > 100:  # show a window of a long line
            lo = max(0, column - 50)
            line, column = line[lo : lo + 100], column - lo
        return f"{self.message}\n  {line}\n  {' ' * column}^"

    @property
    def column(self) -> int | None:
        """Column (0-based, within its line) of the caret, or None."""
        if self.span is None or self.source is None:
            return None
        return self.span[0] - (self.source.rfind("\n", 0, self.span[0]) + 1)


class ParseError(MatcalcError):
    """The text is not a formula."""


class ShapeError(MatcalcError):
    """Two shapes clash, or an operation gets a shape it cannot take."""


class ZeroDivision(ShapeError):
    """A division by the number 0 (``alpha / 0``, ``0^-1``), refused when the node is built."""


class DimVar:
    """An unknown dimension, to be bound by unification."""

    _ids = itertools.count()

    def __init__(self) -> None:
        self.id = next(DimVar._ids)

    def __repr__(self) -> str:
        return f"?{self.id}"


class Unifier:
    """Union-find over dimensions. Ints and names are rigid; DimVars bind to anything."""

    def __init__(self) -> None:
        self.parent: dict[DimVar, Dim | DimVar] = {}
        self.taken: set[str] = set()  # dimension names in use: never a label for an unknown
        self.labels: dict[DimVar, str] = {}

    def find(self, d: Dim | DimVar) -> Dim | DimVar:
        """The representative of d's class (paths are compressed: long sums stay linear)."""
        root = d
        while isinstance(root, DimVar) and root in self.parent:
            root = self.parent[root]
        while d is not root and isinstance(d, DimVar):
            following = self.parent[d]
            self.parent[d] = root
            d = following
        return root

    def unify(self, a: Dim | DimVar, b: Dim | DimVar) -> bool:
        """Bind a and b together; False when two different rigid dimensions meet."""
        a, b = self.find(a), self.find(b)
        self.taken.update(d for d in (a, b) if isinstance(d, str))
        if a is b or a == b and not isinstance(a, DimVar):
            return True
        if 1 in (a, b):  # an unknown length never becomes 1 by inference: `a b` is an error
            return False
        if isinstance(a, DimVar) and not (isinstance(b, DimVar) and hasattr(a, "factors")):  # keep a product
            self.parent[a] = b
            return True
        if isinstance(b, DimVar):
            self.parent[b] = a
            return True
        return False

    def label(self, d: Dim | DimVar) -> str:
        """A dimension as a message shows it; an unknown gets a free name (n, m, k, …) kept for the parse."""
        d = self.find(d)
        if not isinstance(d, DimVar):
            return str(d)
        if d not in self.labels:
            used = self.taken | set(self.labels.values())
            self.labels[d] = next(n for n in _label_names() if n not in used)
        return self.labels[d]

    def resolve(self, shape: Shape) -> Shape:
        """The shape with every dimension replaced by its representative."""
        return (self.find(shape[0]), self.find(shape[1]))


def _label_names() -> Iterator[str]:
    yield from "nmkpqrstuvw"
    yield from (f"n{i}" for i in itertools.count(1))


_current: contextvars.ContextVar[Unifier | None] = contextvars.ContextVar("unifier", default=None)
_strict = Unifier()  # with no DimVars around, unify() is an equality check


def unifier() -> Unifier:
    """The unifier in force: the parser's while it infers shapes, else a strict one."""
    return _current.get() or _strict


@contextmanager
def inferring() -> Iterator[Unifier]:
    """Build expressions whose unknown dimensions are inferred by one shared unifier."""
    u = Unifier()
    token = _current.set(u)
    try:
        yield u
    finally:
        _current.reset(token)


def dim(d: Dim | DimVar) -> Dim | DimVar:
    """The current representative of a dimension."""
    return unifier().find(d)


def is_scalar(shape: Shape) -> bool:
    """True when the shape is known to be 1x1."""
    return dim(shape[0]) == 1 and dim(shape[1]) == 1


def is_vector(shape: Shape) -> bool:
    """True when the shape is known to be a column n x 1 (scalars included)."""
    return dim(shape[1]) == 1


def concrete_dim(d: Dim | DimVar, sizes: Mapping[str, int], default: int | None = None) -> Dim | DimVar:
    """A dimension at concrete sizes: an integer stays, a name is looked up in ``sizes``; a name
    not there gives ``default`` (None: the name stays)."""
    if isinstance(d, int):
        return d
    return sizes.get(str(d), d if default is None else default)


def concrete_shape(shape: Shape, sizes: Mapping[str, int], default: int | None = None) -> Shape:
    """A shape at concrete sizes (see ``concrete_dim``): the one helper for sizes of named dimensions."""
    return (concrete_dim(shape[0], sizes, default), concrete_dim(shape[1], sizes, default))


def one_dimensional(shape: Shape) -> bool:
    """A row or a column but not a scalar: held as a 1-D array in generated code."""
    return (dim(shape[0]) == 1) != (dim(shape[1]) == 1)


def show_dim(d: Dim | DimVar) -> str:
    """A dimension as a user reads it (an unknown one by a free name such as n; the size of a ⊗ or vec,
    a product, as (m·n), so a shape reads (m·n)×k)."""
    found = unifier().find(d)
    factors = getattr(found, "factors", None)  # a product still being inferred (structural.ProductDim)
    label = "·".join(show_dim(f).strip("()") for f in factors) if factors else unifier().label(found).replace("*", "·")
    return f"({label})" if "·" in label else label


def show_shape(shape: Shape) -> str:
    """A shape as a user reads it: 'scalar', 'vector(n)', 'n×m' or '(m·n)×k'."""
    if is_scalar(shape):
        return "scalar"
    if is_vector(shape):
        return f"vector({show_dim(shape[0]).strip('()')})"
    return f"{show_dim(shape[0])}×{show_dim(shape[1])}"


def same_dim(a: Dim | DimVar, b: Dim | DimVar, what: str, shapes: tuple[Shape, Shape]) -> None:
    """Unify two dimensions or raise a ShapeError naming the two shapes."""
    if not unifier().unify(a, b):
        raise ShapeError(f"{what}: shapes {show_shape(shapes[0])} and {show_shape(shapes[1])} do not match")


def same_shape(a: Shape, b: Shape, what: str) -> Shape:
    """Unify two whole shapes (for sums and elementwise operations)."""
    if not (unifier().unify(a[0], b[0]) and unifier().unify(a[1], b[1])):
        raise ShapeError(f"{what}: shapes {show_shape(a)} and {show_shape(b)} do not match")
    return a
