"""Shape rules: for each kind of operation, the shape of a node from its arguments' shapes.

A rule takes ``(args, attr)`` and returns the result's shape, or raises ``ShapeError``
(``ZeroDivision`` for a denominator that is the number 0); the parser adds the caret.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from matcalc.algebra.expr import Expr
from matcalc.algebra.shapes import (
    SCALAR,
    Shape,
    ShapeError,
    ZeroDivision,
    is_scalar,
    same_dim,
    same_shape,
    show_shape,
    unifier,
)


def shape_same(args: tuple[Expr, ...], attr: Any) -> Shape:
    return args[0].shape


def shape_scalar(args: tuple[Expr, ...], attr: Any) -> Shape:
    return SCALAR


def shape_square(what: str) -> Callable[[tuple[Expr, ...], Any], Shape]:
    def rule(args: tuple[Expr, ...], attr: Any) -> Shape:
        r, c = args[0].shape
        if not unifier().unify(r, c):
            raise ShapeError(f"{what} needs a square matrix, got {show_shape(args[0].shape)}")
        return args[0].shape

    return rule


def shape_broadcast(what: str) -> Callable[[tuple[Expr, ...], Any], Shape]:
    """Elementwise over equal shapes; a scalar operand applies to every entry."""

    def rule(args: tuple[Expr, ...], attr: Any) -> Shape:
        arrays = [a.shape for a in args if not is_scalar(a.shape)]
        for other in arrays[1:]:
            same_shape(arrays[0], other, what)
        return arrays[0] if arrays else SCALAR

    return rule


def is_zero(e: Expr) -> bool:
    """e is the number 0 or an array of zeros."""
    return e.op in ("const", "fill") and e.attr == 0


def shape_inverse(args: tuple[Expr, ...], attr: Any) -> Shape:
    """A square matrix, not the number 0."""
    if is_zero(args[0]):
        raise ZeroDivision("division by zero: the inverse of 0")
    return shape_square("inverse")(args, attr)


def shape_quotient(args: tuple[Expr, ...], attr: Any) -> Shape:
    """Elementwise division: broadcast shapes, and a denominator that is not the number 0."""
    if is_zero(args[1]):
        raise ZeroDivision("division by zero: the denominator is 0")
    return shape_broadcast("elementwise division")(args, attr)


def shape_matmul(args: tuple[Expr, ...], attr: Any) -> Shape:
    a, b = args[0].shape, args[1].shape
    if is_scalar(a):
        return b
    if is_scalar(b):
        return a
    same_dim(a[1], b[0], "matrix product", (a, b))
    return (a[0], b[1])


def shape_power(args: tuple[Expr, ...], attr: Any) -> Shape:
    if not is_scalar(args[1].shape):
        raise ShapeError(f"an exponent must be a scalar, got {show_shape(args[1].shape)}")
    if is_zero(args[0]) and args[1].op == "const" and args[1].attr < 0:
        raise ZeroDivision(f"division by zero: 0 to the power {args[1].attr}")
    return args[0].shape


def shape_square_to_scalar(what: str) -> Callable[[tuple[Expr, ...], Any], Shape]:
    square = shape_square(what)

    def rule(args: tuple[Expr, ...], attr: Any) -> Shape:
        square(args, attr)
        return SCALAR

    return rule


def shape_diag(args: tuple[Expr, ...], attr: Any) -> Shape:
    return (args[0].shape[0], args[0].shape[0])


def shape_diagvec(args: tuple[Expr, ...], attr: Any) -> Shape:
    return (shape_square("diag")(args, attr)[0], 1)


def shape_inner(args: tuple[Expr, ...], attr: Any) -> Shape:
    same_shape(args[0].shape, args[1].shape, "inner product <A, B>")
    return SCALAR
