"""In-place updates: an array the function allocated holds the result of its last reader.

The emitter writes one statement per node, each allocating its result (``t2 = t0 - t1``,
``t3 = np.exp(t2)``, ``t5 = t3 / t4``). When an operand is an array the function itself
allocated, read for the last time by an elementwise operation whose result has the operand's
shape, NumPy can write the result over it: ``np.exp(t2, out=t2)``, ``t2 /= t4``, ``t2 -= Yl``
(one array instead of three, and one pass less through fresh memory). ``in_place(lines, shapes,
outputs)`` rewrites the NumPy statements so, before short temporaries are folded
(``inline.py`` never folds a statement across a write to what it reads).
Invariant: only arrays the function allocated are overwritten (never an input, a view of one,
or a 0-d value), only at their last read, never broadcast to a larger shape; the arithmetic
is the same operation on the same values, so results are bit for bit those of the plain form.
Aliasing: NumPy returns views (``.T``, ``np.diagonal``, reshapes, slices, ``np.broadcast_to``,
``.real``, …), so a value is "fresh" only when a whitelist says so (arithmetic, ``@``, ``.dot``,
a ufunc, a reduction (``.sum(axis=0)``), ``.copy()``, a helper each of whose returns is one of
those); any other value may share memory with every name its code reads (``buffers``). An array
is overwritten only when no name sharing one of its buffers is read afterwards (nor elsewhere in
the same statement).
"""

from __future__ import annotations

import ast
import functools
import re

from matcalc.algebra.registry import OPS
from matcalc.algebra.shapes import Shape, is_scalar

_TEMP = re.compile(r"t\d+\Z")  # matcalc's own temporaries (the user's definition names are kept)
_AUGMENTED = {ast.Add: "+=", ast.Sub: "-=", ast.Mult: "*=", ast.Div: "/="}
_UFUNC = {ast.Add: "np.add", ast.Sub: "np.subtract", ast.Mult: "np.multiply", ast.Div: "np.divide"}
_COMMUTES = (ast.Add, ast.Mult)
_OUT = re.compile(r"\bout=(\w+)|^(\w+) [-+*/]= ")
_NAMES = re.compile(r"(?<![.\w])[A-Za-z_]\w*")  # the names a statement reads (not attributes)


def writes(line: str) -> set[str]:
    """The names a statement overwrites in place (``t2 -= y``, ``np.exp(t2, out=t2)``)."""
    return {a or b for a, b in _OUT.findall(line)}


def _ufunc(call: ast.Call) -> bool:
    """``np.<ufunc>(…)`` with all of its inputs given positionally (so ``out=`` can be added)."""
    import numpy as np  # only to ask which NumPy functions are ufuncs

    f = call.func
    if not (isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and f.value.id == "np"):
        return False
    u = getattr(np, f.attr, None)
    return isinstance(u, np.ufunc) and u.nout == 1 and u.nin == len(call.args) and not call.keywords


def _copy(call: ast.Call) -> bool:
    """``<array>.copy()``: always a new array."""
    return isinstance(call.func, ast.Attribute) and call.func.attr == "copy" and not call.args and not call.keywords


def _dot(call: ast.Call) -> bool:
    """``<array>.dot(<array>)``: always a new array."""
    return isinstance(call.func, ast.Attribute) and call.func.attr == "dot" and len(call.args) == 1 \
        and not call.keywords


def _reduction(call: ast.Call) -> bool:
    """``<array>.sum(axis=…)`` (also max, min, mean, prod): a reduction returns a new array, never a view."""
    return isinstance(call.func, ast.Attribute) and call.func.attr in ("sum", "max", "min", "mean", "prod")


def _fresh(code: ast.expr, helpers: frozenset[str] = frozenset()) -> bool:
    """The code allocates its result (arithmetic, a product, a ufunc, one of the helpers: never a
    view of its operands). A whitelist: anything else (``.T``, a reshape, a slice, …) may be a view."""
    return isinstance(code, ast.BinOp) and (type(code.op) in _AUGMENTED or isinstance(code.op, ast.MatMult)) \
        or isinstance(code, ast.UnaryOp) and isinstance(code.op, ast.USub) \
        or isinstance(code, ast.Call) and (_ufunc(code) or _copy(code) or _dot(code) or _reduction(code)
                                           or isinstance(code.func, ast.Name) and code.func.id in helpers)


@functools.cache
def _returning_fresh(sources: tuple[str, ...]) -> frozenset[str]:
    """The helper functions (given by their source) each of whose returns is fresh (``_softplus``)."""
    fresh = set()
    for source in sources:
        f = ast.parse(source).body[0]
        returns = [r.value for r in ast.walk(f) if isinstance(r, ast.Return)]
        if isinstance(f, ast.FunctionDef) and returns and all(r is not None and _fresh(r) for r in returns):
            fresh.add(f.name)
    return frozenset(fresh)


def _helpers() -> frozenset[str]:
    """The helpers of generated NumPy code that always return a new array."""
    return _returning_fresh(tuple(op.numpy_helper for op in OPS.values() if op.numpy_helper))


def names(code: str) -> set[str]:
    """The names code mentions (``t1.T[:, None]`` mentions t1; attributes and keywords are not names
    of arrays, and a stray one only makes the alias analysis more careful)."""
    return set(_NAMES.findall(code))


class Buffers:
    """Which memory each name may use: a fresh value its own buffer, any other value (a possible
    view) every buffer of every name its code mentions; a name never defined (an input) is its own."""

    def __init__(self) -> None:
        self.of: dict[str, frozenset[str]] = {}
        self.helpers = _helpers()

    def get(self, name: str) -> frozenset[str]:
        """The buffers name may use."""
        return self.of.get(name, frozenset((name,)))

    def define(self, target: str, code: ast.expr, source: str) -> None:
        """Record ``target = source`` (code is its parsed form)."""
        self.of[target] = frozenset((target,)) if _fresh(code, self.helpers) else \
            frozenset().union(*(self.get(n) for n in names(source) - {target}))

    def shared(self, name: str, code: str) -> bool:
        """Whether code mentions a name that may use one of name's buffers."""
        mine = self.get(name)
        return any(self.get(n) & mine for n in names(code))


def buffers(lines: list[str]) -> Buffers:
    """The buffers of every name the statements define (statements ``name = code`` or in-place ones)."""
    b = Buffers()
    for line in lines:
        target, sep, code = line.partition(" = ")
        if sep and target.isidentifier():
            b.define(target, ast.parse(code, mode="eval").body, code)
    return b


def _rewrite(code: ast.expr, source: str, t: str) -> tuple[str, str] | None:
    """Code computed into t's array: as a call returning it (``np.subtract(t, y, out=t)``) and as a
    statement (``t -= y``); None when t is not an operand of code's elementwise top operation."""
    seg = lambda e: ast.get_source_segment(source, e)  # noqa: E731  (the operands as written)
    is_t = lambda e: isinstance(e, ast.Name) and e.id == t  # noqa: E731
    if isinstance(code, ast.BinOp) and type(code.op) in _AUGMENTED and (is_t(code.left) or is_t(code.right)):
        call = f"{_UFUNC[type(code.op)]}({seg(code.left)}, {seg(code.right)}, out={t})"
        if is_t(code.left) or isinstance(code.op, _COMMUTES):  # t + y = y + t bit for bit (IEEE)
            other = code.right if is_t(code.left) else code.left
            bare = isinstance(other, (ast.Name, ast.Attribute, ast.Call, ast.Constant, ast.Subscript))
            return call, f"{t} {_AUGMENTED[type(code.op)]} {seg(other) if bare else f'({seg(other)})'}"
        return call, call
    if isinstance(code, ast.UnaryOp) and isinstance(code.op, ast.USub) and is_t(code.operand):
        return f"np.negative({t}, out={t})", f"np.negative({t}, out={t})"
    if isinstance(code, ast.Call) and _ufunc(code) and any(is_t(a) for a in code.args):
        call = f"{source[:code.end_col_offset - 1]}, out={t})"
        return call, call
    return None


def in_place(lines: list[str], shapes: dict[str, Shape], outputs: list[str]) -> tuple[list[str], list[str]]:
    """The NumPy statements with results written over dying arrays the function allocated (see
    the module doc), and the outputs' code (a temporary that became another's array is renamed).
    ``shapes`` holds the shape of every name the statements define."""
    lines, outputs = list(lines), list(outputs)
    owned: set[str] = set()
    buf = Buffers()
    for i, line in enumerate(lines):
        target, code = line.split(" = ", 1)
        tree = ast.parse(code, mode="eval").body
        later = "\n".join(lines[i + 1:] + outputs)
        new = None
        for t in _operands(tree):
            if t in owned and shapes.get(t) == shapes.get(target) and len(re.findall(rf"\b{t}\b", code)) == 1 \
                    and not buf.shared(t, re.sub(rf"\b{t}\b", "", code)) and not buf.shared(t, later):
                new = _rewrite(tree, code, t)
                if new is not None:
                    break
        if new is None:
            buf.define(target, tree, code)
            if _fresh(tree, buf.helpers) and target in shapes and not is_scalar(shapes[target]):
                owned.add(target)
        elif _TEMP.match(target):  # the result is t's array: later statements read it as t
            lines[i] = new[1]
            lines[i + 1:] = [re.sub(rf"\b{target}\b", t, s) for s in lines[i + 1:]]
            outputs = [re.sub(rf"\b{target}\b", t, s) for s in outputs]
        else:  # a user's definition keeps its name, and t's array
            lines[i] = f"{target} = {new[0]}"
            buf.of[target] = buf.get(t)
            owned.add(target)
    return lines, outputs


def _operands(code: ast.expr) -> list[str]:
    """The names code reads directly as operands of its top operation."""
    args = [code.left, code.right] if isinstance(code, ast.BinOp) else [code.operand] \
        if isinstance(code, ast.UnaryOp) else list(code.args) if isinstance(code, ast.Call) else []
    return [a.id for a in args if isinstance(a, ast.Name)]
