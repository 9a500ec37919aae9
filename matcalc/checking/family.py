"""Checking Jacobians, JVPs, Hessians and HVPs against torch.func, and the CLI commands for them.

``check_kind(f, wrt, kind)`` derives the closed form (``matcalc.jacobian`` …), evaluates it
with NumPy at random inputs of random sizes, and compares it with torch.func applied to the
formula's own faithful lowering: ``jacrev`` (Jacobians, in the column-major vec convention),
``hessian``, ``jvp`` and ``jvp`` of ``grad`` (HVPs), and for a VJP torch.autograd.grad of
⟨G, F⟩ with a random upstream G, in float64.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from matcalc.algebra.expr import Expr, walk
from matcalc.calculus.commands import derive_kind
from matcalc.checking.sample import sample_inputs, sizes_of
from matcalc.checking.verify import relative_error, require_torch
from matcalc.language.formula import Formula
from matcalc.language.syntax import read_name
from matcalc.lowering.evaluate import as_formula, compile

REFERENCE = {"jacobian": "torch.func.jacrev", "jvp": "torch.func.jvp", "vjp": "torch.autograd.grad of <G, F>",
             "hessian": "torch.func.hessian",
             "hvp": "torch.func.jvp of torch.func.grad"}


def _size(d: Any, dims: Mapping[str, int]) -> int:
    """A dimension's size; a product dimension (n*m, the size of a vec) multiplies its factors."""
    if isinstance(d, int):
        return d
    return int(np.prod([int(x) if x.isdigit() else dims[x] for x in str(d).split("*")]))


def concrete(e: Expr, dims: Mapping[str, int]) -> Expr:
    """e with every dimension an integer (so I_n, 1_n and xᵀ ⊗ I_n can be built and evaluated)."""
    built: dict[Expr, Expr] = {}
    for node in walk(e):
        shape = tuple(_size(d, dims) for d in node.shape)
        args = tuple(built[a] for a in node.args)
        built[node] = node if args == node.args and shape == node.shape else Expr(node.op, args, node.attr, shape)
    return built[e]


def evaluate(result: Formula, values: Mapping[str, Any], dims: Mapping[str, int]) -> np.ndarray:
    """A closed form evaluated with NumPy at values, as a 2-D array."""
    e = concrete(result.expr, dims)
    needed = {n.attr.name for n in walk(e) if n.op == "var"}
    out = np.asarray(compile(e)(**{k: v for k, v in values.items() if k in needed}), dtype=np.float64)
    return out.reshape(e.shape)


def vec_matrix(jac: Any, out_shape: tuple, in_shape: tuple) -> np.ndarray:
    """A torch Jacobian (output dims then input dims) in the vec convention: rows vec(F), columns vec(X)."""
    out_shape, in_shape = tuple(out_shape), tuple(in_shape)
    jac = jac.reshape(out_shape + in_shape)
    order = [*reversed(range(len(out_shape))), *(len(out_shape) + i for i in reversed(range(len(in_shape))))]
    if order:
        jac = jac.permute(*order)
    return jac.reshape(int(np.prod(out_shape)), int(np.prod(in_shape))).detach().numpy()


def reference(kind: str, formula: Formula, wrt: str, values: Mapping[str, Any],
              direction: np.ndarray | None) -> np.ndarray:
    """torch.func applied to the formula's faithful torch lowering, in float64."""
    import torch  # only when a reference is asked for

    fn = compile(formula, backend="torch")
    inputs = {n.attr.name for n in walk(formula.expr) if n.op == "var"}
    tensors = {k: torch.as_tensor(np.asarray(v, dtype=np.float64)) for k, v in values.items() if k in inputs}

    def f(x: Any) -> Any:
        return torch.as_tensor(fn(**{**tensors, wrt: x}), dtype=torch.float64)

    x = tensors[wrt]
    if kind == "jacobian":
        return vec_matrix(torch.func.jacrev(f)(x), f(x).shape, x.shape)
    if kind == "hessian":
        return vec_matrix(torch.func.hessian(lambda t: f(t).reshape(()))(x), x.shape, x.shape)
    v = torch.as_tensor(direction)
    if kind == "vjp":
        x = x.clone().requires_grad_(True)
        return torch.autograd.grad((v * f(x).reshape(v.shape)).sum(), x)[0].detach().numpy()
    if kind == "jvp":
        return torch.func.jvp(f, (x,), (v,))[1].detach().numpy()
    return torch.func.jvp(torch.func.grad(lambda t: f(t).reshape(())), (x,), (v,))[1].detach().numpy()


def draw(kind: str, formula: Formula, name: str, rng: np.random.Generator,
         direction_name: str) -> tuple[dict[str, Any], dict[str, int], np.ndarray | None]:
    """Random inputs, their sizes, and for a JVP/HVP a direction shaped like X (for a VJP an upstream
    shaped like F), which joins the inputs under direction_name."""
    values = sample_inputs(formula, rng)
    dims = sizes_of(formula, values)
    if kind not in ("jvp", "hvp", "vjp"):
        return values, dims, None
    shape = np.shape(compile(formula)(**values)) if kind == "vjp" else np.shape(values[name])
    direction = rng.standard_normal(shape)
    return {**values, direction_name: direction}, dims, direction


def as_closed_form(kind: str, want: np.ndarray, formula: Formula, name: str, dims: Mapping[str, int]) -> np.ndarray:
    """A torch reference in the 2-D shape a closed form has (a JVP: F's, an HVP or VJP: X's)."""
    if kind in ("jacobian", "hessian"):
        return want
    variables = (n for n in walk(formula.expr) if n.op == "var" and n.attr.name == name)
    like = formula.expr if kind == "jvp" else next(variables)
    shape = tuple(_size(d, dims) for d in like.shape)
    return np.asarray(want).reshape(shape) if np.size(want) == int(np.prod(shape)) else np.asarray(want)


@dataclass
class KindReport:
    """What ``check_kind`` found: the closed form and the largest relative error over the trials."""

    kind: str
    formula: str
    wrt: str
    result: str
    max_rel_error: float = 0.0
    tol: float = 1e-6
    sizes: list[dict[str, int]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the closed form agreed with torch.func on every trial."""
        return self.max_rel_error <= self.tol

    def __bool__(self) -> bool:
        return self.ok

    def __str__(self) -> str:
        sizes = ", ".join("{" + ", ".join(f"{k}={v}" for k, v in s.items()) + "}" for s in self.sizes if s)
        mark = "✓" if self.ok else "✗"
        return (f"check {self.kind} of {self.formula} in {self.wrt}" + (f"  (sizes {sizes})" if sizes else "")
                + f"\n{mark} {REFERENCE[self.kind]}  max rel err {self.max_rel_error:.1e}   {self.result}")

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready summary."""
        return {"kind": self.kind, "formula": self.formula, "wrt": self.wrt, "result": self.result, "ok": self.ok,
                "max_rel_error": self.max_rel_error, "tol": self.tol, "sizes": self.sizes,
                "reference": REFERENCE[self.kind]}


def check_kind(f: str | Formula, wrt: str, kind: str, where: str | dict | None = None, trials: int = 3,
               seed: int = 0, tol: float = 1e-6) -> KindReport:
    """Compare matcalc's Jacobian, JVP, Hessian or HVP with torch.func at random sizes and values."""
    require_torch(f"check of a {kind}")
    formula = as_formula(f, where)
    direction_name = "G" if kind == "vjp" else "V"
    result = derive_kind(kind, formula, wrt, direction=direction_name)
    report = KindReport(kind, formula.text(), wrt, result.text(), tol=tol)
    name = read_name(wrt)  # the variable as the formula spells it (λ is lambda): the report keeps wrt
    rng = np.random.default_rng(seed)
    for _ in range(trials):
        values, dims, direction = draw(kind, formula, name, rng, direction_name)
        want = reference(kind, formula, name, values, direction)
        got = evaluate(result, values, dims)
        got = got.reshape(want.shape) if got.size == want.size else got
        report.max_rel_error = max(report.max_rel_error, relative_error(got, want))
        report.sizes.append(dims)
    return report
