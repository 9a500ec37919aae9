"""Random inputs for numeric checks that respect the declared types.

``sample_inputs(formula, rng)`` picks concrete sizes for the symbolic dimensions and
draws a value for every variable: ``spd`` as B Bᵀ + n I, ``symmetric`` as (B + Bᵀ)/2,
``positive`` in [0.5, 2]. What else an input must satisfy is read off the operation table:
each op's ``domain`` says what its arguments need (positive under ``log``, a denominator or a
fractional power; well conditioned under ``inv``, ``det``, ``logdet`` or a negative power;
small under ``arcsin``/``arccos``/``tan``) and its ``preserves`` which variables below it
that reaches (a positive sum has positive terms). A conditioned matrix is a scaled (partial)
identity plus small noise, rectangular factors included, and the inner dimensions of an
inverted product are drawn at least as large as its outer one, so ``inv(A B)`` has full rank.
Values are modest so ``exp`` and ``softmax`` stay far from overflow. Vectors come back 1-D,
matrices 2-D, scalars as floats (the ``compile`` convention).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from matcalc.algebra.expr import Expr, walk
from matcalc.algebra.ops import OPS
from matcalc.algebra.shapes import is_scalar
from matcalc.language.formula import Formula
from matcalc.lowering.evaluate import as_formula

SMALL = 0.4  # |entries| of variables under arcsin/arccos/tan


def _vars_through(start: Expr, prop: str) -> set[str]:
    """Names of variables reached from start descending only through operations whose result
    keeps ``prop`` of their arguments (``Op.preserves``): a positive sum has positive terms."""
    found: set[str] = set()
    stack = [start]
    seen: set[Expr] = set()
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        if node.op == "var":
            found.add(node.attr.name)
        elif prop in OPS[node.op].preserves:
            args = node.args
            if node.op == "hpow":
                p = args[1]
                if _is_integer_const(p) and int(float(p.attr)) % 2 == 0:
                    continue  # an even power is nonnegative whatever its base
                args = args[:1]
            stack.extend(args)
    return found


def _is_integer_const(e: Expr) -> bool:
    return e.op == "const" and float(e.attr).is_integer()


def _needs(node: Expr) -> list[tuple[str, Expr]]:
    """(domain, argument) for each argument of node that sampled inputs must keep in a domain:
    the op's ``domain``, plus what a power's exponent asks (a fractional or negative power of an
    array needs a positive base, a negative matrix power an invertible one)."""
    needs = [(OPS[node.op].needs(i), a) for i, a in enumerate(node.args)]
    if node.op == "hpow" and (not _is_integer_const(node.args[1]) or float(node.args[1].attr) < 0):
        needs.append(("positive", node.args[0]))
    if node.op == "mpow" and int(node.attr) < 0:
        needs.append(("conditioned", node.args[0]))
    return [(need, a) for need, a in needs if need != "any"]


def requirements(formula: Formula) -> dict[str, set]:
    """Which variables must be positive, well conditioned or small, read off the formula (and
    under "wide", the (inner, outer) dimension pairs of inverted products)."""
    roots = [formula.expr] + [ref for _, ref in formula.definitions]
    found: dict[str, set] = {"positive": set(), "conditioned": set(), "small": set(), "wide": set()}
    for root in roots:
        for node in walk(root):
            for need, arg in _needs(node):
                found[need] |= _vars_through(arg, need)
                if need == "conditioned":
                    found["wide"] |= _inner_dimensions(arg)
    return found


def _inner_dimensions(square: Expr) -> set[tuple[str, str]]:
    """(k, n) for every inner dimension k of a product inside the n×n matrix ``square`` that is
    inverted or whose determinant is taken: the product has full rank only when k ≥ n."""
    outer = str(square.shape[0])
    pairs: set[tuple[str, str]] = set()
    stack, seen = [square], set()
    while stack:
        node = stack.pop()
        if node in seen or "conditioned" not in OPS[node.op].preserves:
            continue
        seen.add(node)
        if node.op == "matmul" and not any(is_scalar(a.shape) for a in node.args):
            pairs.add((str(node.args[0].shape[1]), outer))
        stack.extend(node.args)
    return pairs


def full_rank_sizes(formula: Formula, dims: Mapping[str, int], fixed: Iterable[str] = ()) -> dict[str, int]:
    """``dims`` with every inner dimension of an inverted product raised to at least its outer
    dimension (``inv(A B)`` with A: n×k needs k ≥ n), leaving the ``fixed`` sizes alone; a
    product dimension (``m*n``) is then the product of its factors' sizes."""
    out, fixed = dict(dims), set(fixed)
    pairs = requirements(formula)["wide"]
    for _ in range(len(pairs) + 1):
        changed = False
        for inner, outer in pairs:
            low = out.get(outer, int(outer) if outer.isdigit() else 0)
            if inner in out and inner not in fixed and "*" not in inner and out[inner] < low:
                out[inner], changed = low, True
        if not changed:
            break
    return with_products(out)


def factors(dim: str) -> list[str | int]:
    """The factors of a dimension's name: ``m*n`` -> [m, n], ``2*n`` -> [2, n], ``n`` -> [n]."""
    return [int(f) if f.isdigit() else f for f in dim.split("*")]


def with_products(dims: Mapping[str, int]) -> dict[str, int]:
    """``dims`` with each product dimension (the size of a ``vec`` or a ``kron``, named ``m*n``)
    set to the product of its factors' sizes, when they are all known."""
    out = dict(dims)
    for key in out:
        parts = factors(key)
        if len(parts) > 1 and all(isinstance(f, int) or f in out for f in parts):
            out[key] = int(np.prod([f if isinstance(f, int) else out[f] for f in parts]))
    return out


def concrete_sizes(formula: Formula, rng: np.random.Generator, sizes: Mapping[str, int] | None = None,
                   low: int = 2, high: int = 5) -> dict[str, int]:
    """An integer for every symbolic dimension: from ``sizes`` if given, else uniform in [low, high];
    a product dimension (``m*n``) is the product of its factors, so every shape constraint holds."""
    names = [str(d) for decl in formula.declarations for d in decl.shape if not isinstance(d, int)]
    return full_rank_sizes(formula, _draw_sizes(names, {}, rng, sizes, low, high), fixed=sizes or ())


def _draw_sizes(names: Iterable[str], chosen: dict[str, int], rng: np.random.Generator,
                sizes: Mapping[str, int] | None, low: int, high: int) -> dict[str, int]:
    """``chosen`` with a size for each name's plain factors not in it yet, then its products."""
    for key in names:
        for f in factors(key):
            if isinstance(f, str) and f not in chosen:
                chosen[f] = int(sizes[f]) if sizes and f in sizes else int(rng.integers(low, high + 1))
        chosen.setdefault(key, 0)  # set by with_products
    return with_products(chosen)


def free_dimensions(formula: Formula, dims: Mapping[str, int], rng: np.random.Generator,
                    low: int = 2, high: int = 5) -> dict[str, int]:
    """``dims`` completed with sizes for dimensions no variable carries (``tr(I)`` with a free I)."""
    missing = [str(d) for root in [formula.expr] + [ref for _, ref in formula.definitions]
               for node in walk(root) for d in node.shape if not isinstance(d, int) and str(d) not in dims]
    return _draw_sizes(missing, dict(dims), rng, None, low, high)


def at_sizes(shape: tuple, dims: Mapping[str, int]) -> tuple:
    """A shape with each symbolic dimension replaced by its size in ``dims`` (unknown ones kept):
    the one place a dimension meets a concrete size."""
    return tuple(d if isinstance(d, int) else dims.get(str(d), d) for d in shape)


def _draw(kind: str, shape: tuple[int, int], rng: np.random.Generator, positive: bool, conditioned: bool,
          small: bool) -> np.ndarray:
    rows, cols = shape
    if small:
        return rng.uniform(-SMALL, SMALL, size=shape)
    if kind == "spd":
        b = rng.uniform(0.1, 1.0, size=shape) if positive else 0.5 * rng.standard_normal(shape)
        return b @ b.T + rows * np.eye(rows)
    if kind == "symmetric":
        b = rng.uniform(0.5, 2.0, size=shape) if positive else 0.5 * rng.standard_normal(shape)
        s = (b + b.T) / 2
        if conditioned:
            s = 0.5 * s + rows * np.eye(rows)
        return s
    if conditioned:  # a scaled (partial) identity plus small noise: full rank, well conditioned
        big = max(rows, cols)
        noise = rng.uniform(0.05, 0.5, size=shape) if positive else rng.uniform(-0.5, 0.5, size=shape)
        return big * np.eye(rows, cols) + (noise if rows == cols else noise / big)
    if positive:
        return rng.uniform(0.5, 2.0, size=shape)
    return 0.5 * rng.standard_normal(shape)


def _simplex(kind: str, shape: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    """Columns summing to 1: one-hot (``onehot``) or positive entries normalized (``probability``)."""
    rows, cols = shape
    if kind == "onehot":
        return np.eye(rows)[:, rng.integers(0, rows, size=cols)]
    p = rng.uniform(0.1, 1.0, size=shape)
    return p / p.sum(axis=0)


def sample_inputs(formula: str | Formula, rng: np.random.Generator | int | None = None,
                  sizes: Mapping[str, int] | None = None, where: str | None = None) -> dict[str, np.ndarray | float]:
    """Random values for every variable of ``formula``, respecting declared and implied types.

    ``sizes`` fixes symbolic dimensions (``{"n": 3}``); the others are drawn in 2..5.
    """
    formula = as_formula(formula, where)
    if not isinstance(rng, np.random.Generator):
        rng = np.random.default_rng(rng)
    dims = concrete_sizes(formula, rng, sizes)
    req = requirements(formula)
    values: dict[str, np.ndarray | float] = {}
    for decl in formula.declarations:
        var = decl.var
        shape = at_sizes(decl.shape, dims)
        value = _draw(var.kind, shape, rng, positive=var.positive or var.name in req["positive"],
                      conditioned=var.name in req["conditioned"], small=var.name in req["small"])
        if var.simplex:  # declared onehot or probability: the simplifier used 1ᵀy = 1
            value = _simplex(var.simplex, shape, rng)
        if var.kind == "scalar":
            values[var.name] = float(value.reshape(-1)[0])
        elif var.kind == "vector":
            values[var.name] = value.reshape(-1)
        else:
            values[var.name] = value
    return values


def sizes_of(formula: Formula, values: Mapping[str, Any]) -> dict[str, int]:
    """The symbolic dimensions read back off concrete values (inverse of the size draw)."""
    dims: dict[str, int] = {}
    for decl in formula.declarations:
        if decl.name not in values:
            continue
        arr = np.asarray(values[decl.name])
        shape = arr.shape if arr.ndim == 2 else (arr.size, 1)
        for d, k in zip(decl.shape, shape):
            if not isinstance(d, int):
                dims.setdefault(str(d), int(k))
    return dims
