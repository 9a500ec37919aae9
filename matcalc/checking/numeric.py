"""Numbers for the homework checker: sample points, evaluation, directional derivatives.

The checker decides equalities by evaluating both sides at random points. A ``Point``
holds concrete sizes and values for every variable; ``sample_points`` draws them at
several sizes (all dimensions different, all equal, random) respecting declared types
(``sample.py``). ``evaluate`` computes any expression (definitions included) with
NumPy; ``linear_value`` evaluates a line of a derivation, a linear form in the
differentials, by expanding every ``d(e)`` with an exact forward-mode JVP (torch).
Invariant: nothing here does calculus of its own; derivatives come from torch.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from matcalc.algebra import ops
from matcalc.algebra.expr import Expr, walk
from matcalc.algebra.shapes import is_scalar
from matcalc.checking.sample import at_sizes, full_rank_sizes, sample_inputs
from matcalc.checking.verify import concretize, reference_gradients, relative_error
from matcalc.language.formula import Formula
from matcalc.language.printers import show, show_name
from matcalc.lowering.evaluate import compile

TOL = 1e-8  # relative tolerance of an equality in float64


@dataclass
class Point:
    """Concrete sizes and values for every variable (vectors 1-D, matrices 2-D, scalars float)."""

    dims: dict[str, int]
    values: dict[str, Any]
    directions: list[dict[str, np.ndarray]] = field(default_factory=list)


def dim_names(formulas: Iterable[Formula]) -> list[str]:
    """The symbolic dimensions of the formulas' variables, in order of appearance."""
    names: list[str] = []
    for formula in formulas:
        for decl in formula.declarations:
            for d in decl.shape:
                if isinstance(d, str) and d not in names:
                    names.append(d)
    return names


def size_plans(names: list[str], rng: np.random.Generator) -> list[dict[str, int]]:
    """Three size draws: all dimensions different, all equal, random in 2..5."""
    distinct = {n: 2 + i for i, n in enumerate(names)}
    equal = dict.fromkeys(names, 3)
    rand = {n: int(rng.integers(2, 6)) for n in names}
    return [distinct, equal, rand]


def sample_point(formulas: list[Formula], rng: np.random.Generator, dims: Mapping[str, int],
                 wrt: Iterable[str] = (), directions: int = 0) -> Point:
    """Values for every variable of the formulas (the first formula's types win), and random
    directions for the variables in ``wrt`` (symmetric where the variable is symmetric)."""
    values: dict[str, Any] = {}
    for formula in formulas:
        drawn = sample_inputs(formula, rng, sizes=dict(dims))
        for k, v in drawn.items():
            values.setdefault(k, v)
    kinds = {d.name: d.var.kind for f in formulas for d in f.declarations}
    point = Point(dict(dims), values)
    for _ in range(directions):
        dirs = {}
        for name in wrt:
            v = rng.standard_normal(np.shape(values[name]))
            if kinds.get(name) in ("symmetric", "spd"):
                v = (v + v.T) / 2
            dirs[name] = v
        point.directions.append(dirs)
    return point


def sample_points(formulas: list[Formula], seed: int = 0, wrt: Iterable[str] = (),
                  directions: int = 0) -> list[Point]:
    """One point per size plan (3 points at ≥ 2 different sizes)."""
    rng = np.random.default_rng(seed)
    plans = size_plans(dim_names(formulas), rng)
    for formula in formulas:
        plans = [full_rank_sizes(formula, plan) for plan in plans]
    return [sample_point(formulas, rng, dims, wrt, directions) for dims in plans]


_COMPILED: dict[tuple[Expr, str], Any] = {}


def _compiled(e: Expr, backend: str = "numpy") -> Any:
    key = (e, backend)
    if key not in _COMPILED:
        if len(_COMPILED) > 4000:
            _COMPILED.clear()
        _COMPILED[key] = compile(e, backend=backend)
    return _COMPILED[key]


def _needed(e: Expr) -> list[str]:
    return list(dict.fromkeys(n.attr.name for n in walk(e) if n.op == "var"))


def evaluate(e: Expr, point: Point, extra: Mapping[str, Any] | None = None) -> np.ndarray:
    """The value of e at the point, as a 2-D float64 array of e's shape."""
    c = concretize(e, point.dims)
    values = dict(point.values)
    if extra:
        values.update(extra)
    with np.errstate(all="ignore"):  # a claim that divides by zero is wrong, not a warning
        out = _compiled(c)(**{k: values[k] for k in _needed(c)})
    return np.asarray(out, dtype=np.float64).reshape(at_sizes(e.shape, point.dims))


# ---------------------------------------------------------------- linear forms in the differentials


def differentials(e: Expr) -> list[Expr]:
    """The d(·) nodes of e, outermost last."""
    return [n for n in walk(e) if n.op == "d"]


def d_set(e: Expr) -> frozenset[Expr]:
    """What e takes differentials of: {X} for <G, dX b>, {exp(X b)} for <a, d(exp(X b))>."""
    return frozenset(n.args[0] for n in differentials(e))


def _kind(shape: tuple) -> str:
    return "scalar" if is_scalar(shape) else "vector" if shape[1] == 1 else "matrix"


def _tangent(e: Expr, point: Point, direction: Mapping[str, np.ndarray]) -> np.ndarray:
    """The directional derivative J v of e at the point along ``direction``, by torch.autograd: the
    derivative of the vector-Jacobian product uᵀJ in u, taken along v (torch's forward mode would load
    its compiler, seconds of CPU for every homework)."""
    import torch  # only when a derivation is checked

    c = concretize(e, point.dims)
    shape = at_sizes(e.shape, point.dims)
    names = _needed(c)
    moving = [n for n in names if n in direction]
    if not moving:
        return np.zeros(shape)
    fn = _compiled(c, "torch")
    fixed = {n: torch.as_tensor(np.asarray(point.values[n], dtype=np.float64)) for n in names if n not in moving}
    primals = tuple(torch.tensor(np.asarray(point.values[n], dtype=np.float64), requires_grad=True) for n in moving)
    tangents = [torch.as_tensor(np.asarray(direction[n], dtype=np.float64)).reshape(p.shape)
                for n, p in zip(moving, primals)]
    with torch.enable_grad():
        y = torch.as_tensor(fn(**fixed, **dict(zip(moving, primals))), dtype=torch.float64)
        if not y.requires_grad:  # e does not depend on what moves
            return np.zeros(shape)
        u = torch.zeros_like(y, requires_grad=True)
        # scalar outputs only: grad_outputs would make torch import its symbolic shapes (and sympy)
        vjps = torch.autograd.grad((y * u).sum(), primals, create_graph=True, allow_unused=True)
        jv = sum(((g * t).sum() for g, t in zip(vjps, tangents) if g is not None), torch.zeros((), dtype=torch.float64))
        if not jv.requires_grad:
            return np.zeros(shape)
        (t,) = torch.autograd.grad(jv, u)
    return t.detach().numpy().reshape(shape)


def substitute(e: Expr, mapping: Mapping[Expr, Expr]) -> Expr:
    """e with the nodes in mapping replaced (shapes kept, no re-checking)."""
    built: dict[Expr, Expr] = {}
    for node in walk(e):
        if node in mapping:
            built[node] = mapping[node]
            continue
        args = tuple(built[a] for a in node.args)
        built[node] = node if args == node.args else Expr(node.op, args, node.attr, node.shape)
    return built[e]


def linear_value(line: Expr, point: Point, direction: Mapping[str, np.ndarray]) -> float:
    """The value of a line Σ <G, L(dX)> at the point, for the differentials along ``direction``."""
    taken = {n.attr.name for n in walk(line) if n.op == "var"}
    mapping: dict[Expr, Expr] = {}
    extra: dict[str, Any] = {}
    for i, node in enumerate(differentials(line)):
        name = f"dd{i}x"
        while name in taken:
            name += "x"
        mapping[node] = ops.var(name, _kind(node.shape), node.shape)
        extra[name] = _as_convention(_tangent(node.args[0], point, direction), node.shape)
    value = evaluate(substitute(line, mapping), point, extra)
    return float(value.reshape(-1)[0])


def _as_convention(arr: np.ndarray, shape: tuple) -> Any:
    if is_scalar(shape):
        return float(arr.reshape(-1)[0])
    return arr.reshape(-1) if shape[1] == 1 else arr


# ---------------------------------------------------------------- the true gradient, and where a claim fails


def true_gradient(formula: Formula, wrt: str, point: Point) -> np.ndarray:
    """∇_wrt f at the point by torch.autograd (independent of matcalc's closed form)."""
    g = reference_gradients(formula, [wrt], {k: v for k, v in point.values.items()
                                              if k in {d.name for d in formula.declarations}})[wrt]
    arr = np.asarray(g, dtype=np.float64)
    return arr.reshape(-1, 1) if arr.ndim < 2 else arr


@dataclass
class Counterexample:
    """Concrete sizes and values where the claim and the gradient differ, and by how much."""

    sizes: dict[str, int]
    values: dict[str, Any]
    claimed: np.ndarray
    correct: np.ndarray
    max_abs_difference: float
    relative_difference: float

    def lines(self) -> list[str]:
        """The counterexample, one fact per line."""
        sizes = ", ".join(f"{k}={v}" for k, v in self.sizes.items())
        vals = "; ".join(f"{show_name(k, 'unicode')} = {show_array(v)}" for k, v in self.values.items())
        return [f"at {sizes + ': ' if sizes else ''}{vals}",
                f"  the claim is    {show_array(self.claimed)}",
                f"  the gradient is {show_array(self.correct)}",
                f"  (largest difference {self.max_abs_difference:.3g}, relative {self.relative_difference:.2g})"]

    def __str__(self) -> str:
        return "\n".join(self.lines())

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON."""
        return {"sizes": self.sizes, "values": {k: np.asarray(v).tolist() for k, v in self.values.items()},
                "claimed": self.claimed.tolist(), "correct": self.correct.tolist(),
                "max_abs_difference": self.max_abs_difference, "relative_difference": self.relative_difference}


def counterexample(formula: Formula, claimed: Formula, wrt: str, seed: int = 0) -> Counterexample | None:
    """Small sizes (2 first, then 3) and values rounded to two decimals where claim and gradient differ."""
    rng = np.random.default_rng([seed, 7])
    dims_names = {d for decl in formula.declarations + claimed.declarations for d in decl.shape if isinstance(d, str)}
    c_expr = inline_definitions(claimed.expr)
    for size in (2, 3, 4):
        for _ in range(3):
            point = sample_point([formula, claimed], rng, dict.fromkeys(dims_names, size))
            point.values = {k: _round(v) for k, v in point.values.items()}
            try:
                got = evaluate(c_expr, point)
                want = true_gradient(formula, wrt, point)
            except Exception:  # noqa: BLE001
                continue
            rel = relative_error(got, want)
            if rel > 1e-6:
                sizes = {k: v for k, v in point.dims.items() if k in dims_names}
                return Counterexample(dict(sorted(sizes.items())), _shown_values(point.values), got, want,
                                      float(np.max(np.abs(got - want))), rel)
    return None


def _round(v: Any) -> Any:
    return round(float(v), 2) if np.ndim(v) == 0 else np.round(np.asarray(v, dtype=np.float64), 2)


def _shown_values(values: Mapping[str, Any]) -> dict[str, Any]:
    return dict(values)


# ---------------------------------------------------------------- showing numbers


def show_array(v: Any, digits: int = 3) -> str:
    """A small array the way a person writes it: [1.2, -0.5] or [[1, 2], [3, 4]]."""
    arr = np.asarray(v, dtype=np.float64)
    if arr.ndim == 0 or arr.size == 1:
        return f"{float(arr.reshape(-1)[0]):.{digits}g}"
    if arr.ndim == 2 and 1 in arr.shape and arr.shape[1] == 1:
        arr = arr.reshape(-1)
    if arr.ndim == 1:
        return "[" + ", ".join(f"{x:.{digits}g}" for x in arr) + "]"
    return "[" + ", ".join(show_array(row, digits) for row in arr) + "]"


def definitions_prefix(formula: Formula, notation: str) -> str:
    """The formula's definitions as source text to put before a claim: `Y = sigmoid(W X); `."""
    sep = "; "
    return "".join(f"{show_name(name, notation)} = {show(ref.args[0], notation)}{sep}"
                   for name, ref in formula.definitions)


def inline_definitions(e: Expr) -> Expr:
    """e with every definition reference replaced by its value."""
    built: dict[Expr, Expr] = {}
    for node in walk(e):
        args = tuple(built[a] for a in node.args)
        if node.op == "ref":
            built[node] = args[0]
        else:
            built[node] = node if args == node.args else Expr(node.op, args, node.attr, node.shape)
    return built[e]
