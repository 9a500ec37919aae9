"""Numeric verification of closed-form gradients against torch.autograd (float64).

``check("a^T exp(X b)", "X")`` derives the gradient with ``matcalc.grad``, evaluates it
with NumPy on random inputs that respect the declared types (``sample.py``) at several
random sizes, and compares it with what torch.autograd gives for the same formula.
The report lists, per variable, the largest relative error seen:

    ✓ ∇_X  max rel err 3.1e-16   (exp(X b) .* a) b^T
"""

from __future__ import annotations

import importlib.util
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from matcalc.algebra.expr import Expr, walk
from matcalc.algebra.shapes import MatcalcError
from matcalc.calculus.gradients import grad
from matcalc.checking.sample import at_sizes, free_dimensions, sample_inputs, sizes_of
from matcalc.display import Display
from matcalc.language.formula import Formula
from matcalc.language.syntax import read_name
from matcalc.lowering.evaluate import as_formula, compile

_TORCH_CACHE: dict[Expr, Any] = {}


def _torch_function(formula: Formula) -> Any:
    fn = _TORCH_CACHE.get(formula.expr)
    if fn is None:
        fn = compile(formula, backend="torch")
        _TORCH_CACHE[formula.expr] = fn
    return fn


def _as_convention(g: Any, like: Any) -> np.ndarray | float:
    """A gradient in its variable's convention: float for a scalar, 1-D for a vector, 2-D for a matrix."""
    if np.ndim(like) == 0:
        return float(np.asarray(g).reshape(-1)[0])
    return np.asarray(g, dtype=np.float64).reshape(np.shape(like))


def reference_gradients(formula: str | Formula, wrt: str | Sequence[str], values: Mapping[str, Any],
                        where: str | None = None,
                        dims: Mapping[str, int] | None = None) -> dict[str, np.ndarray | float]:
    """∇ f for each name in ``wrt`` at ``values``, by torch.autograd in float64 (unconstrained gradient).

    ``dims`` gives sizes to dimensions no input carries (a free ``I`` in ``tr(I)``). A name may be
    spelled as the user wrote it (`λ` for lambda, `W₁` for W_1); the result keeps that spelling."""
    import torch  # only when a reference is asked for

    formula = as_formula(formula, where)
    if dims:
        formula = Formula(concretize(formula.expr, dims), formula.declarations)
    spelled = [wrt] if isinstance(wrt, str) else list(wrt)
    names = [read_name(n) for n in spelled]
    fn = _torch_function(formula)
    inputs = {n.attr.name for n in walk(formula.expr) if n.op == "var"}
    missing = [n for n in names if n not in values]
    if missing:
        raise MatcalcError(f"no value given for {', '.join(missing)}")
    tensors = {k: torch.tensor(np.asarray(v, dtype=np.float64), dtype=torch.float64, requires_grad=k in names)
               for k, v in values.items() if k in inputs or k in names}
    out = torch.as_tensor(fn(**{k: t for k, t in tensors.items() if k in inputs}), dtype=torch.float64)
    if out.numel() != 1:
        raise MatcalcError(f"the formula is not scalar (its value has shape {tuple(out.shape)})")
    leaves = [tensors[n] for n in names]
    if out.requires_grad:
        grads = torch.autograd.grad(out.reshape(()), leaves, allow_unused=True)
    else:  # the value is piecewise constant in every leaf (relu'(x), sign(x)): a zero gradient
        grads = (None,) * len(leaves)
    result: dict[str, np.ndarray | float] = {}
    for s, n, g in zip(spelled, names, grads):
        arr = np.zeros(np.shape(values[n])) if g is None else g.detach().numpy()
        result[s] = _as_convention(arr, values[n])
    return result


def concretize(e: Expr, dims: Mapping[str, int]) -> Expr:
    """The same expression with symbolic dimensions replaced by integers (so ``I``, ``1_n`` can be built)."""
    built: dict[Expr, Expr] = {}
    for node in walk(e):
        shape = at_sizes(node.shape, dims)
        args = tuple(built[a] for a in node.args)
        built[node] = node if args == node.args and shape == node.shape else Expr(node.op, args, node.attr, shape)
    return built[e]


def evaluate_closed_form(g: Formula, values: Mapping[str, Any], dims: Mapping[str, int],
                         like: Any) -> np.ndarray | float:
    """Evaluate a gradient Formula with NumPy at ``values`` and return it in the convention of ``like``.

    Raises MatcalcError when the gradient's shape is not the variable's shape."""
    e = concretize(g.expr, dims)
    if e.op == "const" and e.attr == 0:  # a zero gradient printed as the book writes it: 0
        return _as_convention(np.zeros(np.shape(like) or (1, 1)), like)
    fn = compile(e)
    needed = {n.attr.name for n in walk(e) if n.op == "var"}
    out = fn(**{k: v for k, v in values.items() if k in needed})
    arr = np.asarray(out, dtype=np.float64)
    target = np.shape(like)
    rows, cols = e.shape
    want = (1, 1) if len(target) == 0 else (target[0], 1) if len(target) == 1 else target
    if (rows, cols) != tuple(want):
        raise MatcalcError(f"the gradient has shape {rows}×{cols}, the variable {want[0]}×{want[1]}")
    return _as_convention(arr, like)


def relative_error(got: Any, ref: Any, floor: float = 1e-8) -> float:
    """max |got - ref| / max(|ref|, |got|, floor) over all entries; inf on a shape mismatch or non-finite values.

    The floor keeps rounding noise on a gradient that is exactly zero (``sum(softmax(X))``)
    from reading as a 100% error."""
    got, ref = np.asarray(got, dtype=np.float64), np.asarray(ref, dtype=np.float64)
    if got.shape != ref.shape:
        return float("inf")
    if not (np.all(np.isfinite(got)) and np.all(np.isfinite(ref))):
        return float("inf")
    scale = max(float(np.max(np.abs(ref), initial=0.0)), float(np.max(np.abs(got), initial=0.0)), floor)
    return float(np.max(np.abs(got - ref), initial=0.0)) / scale


@dataclass
class VariableCheck:
    """The outcome for one variable: the closed form and the largest relative error seen."""

    name: str
    gradient: str
    max_rel_error: float
    tol: float
    error: str = ""
    closed_form: Formula | None = field(default=None, repr=False, compare=False)  # shown as math

    @property
    def ok(self) -> bool:
        """True when the closed form matched autograd within tolerance on every trial."""
        return not self.error and self.max_rel_error <= self.tol

    def __str__(self) -> str:
        mark = "✓" if self.ok else "✗"
        detail = self.error or f"max rel err {self.max_rel_error:.1e}"
        return f"{mark} ∇_{self.name}  {detail}   {self.gradient}"


@dataclass(repr=False)
class CheckReport(Display):
    """What ``check`` found: one ``VariableCheck`` per variable, and the sizes it tried."""

    formula: str
    variables: list[VariableCheck]
    sizes: list[dict[str, int]] = field(default_factory=list)
    tol: float = 1e-6
    error: str = ""

    @property
    def ok(self) -> bool:
        """True when every variable's gradient agreed with torch.autograd."""
        return not self.error and bool(self.variables) and all(v.ok for v in self.variables)

    def __getitem__(self, name: str) -> VariableCheck:
        for v in self.variables:
            if v.name == name:
                return v
        raise KeyError(name)

    def __str__(self) -> str:
        sizes = ", ".join("{" + ", ".join(f"{k}={v}" for k, v in s.items()) + "}" for s in self.sizes if s)
        head = f"check {self.formula}" + (f"  (sizes {sizes})" if sizes else "")
        lines = [head]
        if self.error:
            lines.append(f"✗ {self.error}")
        lines += [str(v) for v in self.variables]
        return "\n".join(lines)

    def __bool__(self) -> bool:
        return self.ok

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready summary: formula, ok, tolerance, sizes, and per variable its gradient and error."""
        return {
            "formula": self.formula,
            "ok": self.ok,
            "tol": self.tol,
            "sizes": self.sizes,
            "error": self.error or None,
            "variables": [{"name": v.name, "gradient": v.gradient, "ok": v.ok,
                           "max_rel_error": v.max_rel_error, "error": v.error or None} for v in self.variables],
        }


def require_torch(what: str) -> None:
    """Raise a MatcalcError (not an ImportError) when torch, the numeric reference, is missing."""
    if importlib.util.find_spec("torch") is None:
        raise MatcalcError(f"{what} compares with torch.autograd, which needs torch: "
                           "python -m pip install -c constraints.txt \".[torch]\"")


def check(f: str | Formula, wrt: str | Sequence[str], where: str | None = None, trials: int = 3, seed: int = 0,
          tol: float = 1e-6, sizes: Mapping[str, int] | None = None) -> CheckReport:
    """Compare ``grad(f, wrt)`` with torch.autograd at ``trials`` random draws of sizes and values.

    Symbolic dimensions are drawn in 2..5 per trial unless fixed by ``sizes``. The report's
    ``.ok`` is True when every variable's max relative error is at most ``tol``."""
    require_torch("check")
    if not isinstance(trials, int) or trials < 1:
        raise MatcalcError(f"trials must be a positive number of random draws, not {trials!r}")
    if not 0 < tol < float("inf"):
        raise MatcalcError(f"the tolerance must be a positive number, not {tol!r}")
    formula = as_formula(f, where)
    names = [wrt] if isinstance(wrt, str) else list(wrt)
    if not names:
        raise MatcalcError("say which variable to check the gradient for (wrt)")
    report = CheckReport(formula.text(), [], tol=tol)
    try:
        grads = grad(formula, names)
    except MatcalcError:  # a bad variable or a non-scalar function: the user's error, not a finding
        raise
    except Exception as exc:  # noqa: BLE001 - an internal failure of matcalc: the report says what went wrong
        report.error = f"grad failed: {type(exc).__name__}: {exc}"
        return report
    if isinstance(grads, Formula):
        grads = {names[0]: grads}
    results = {n: VariableCheck(n, str(grads[n]), 0.0, tol, closed_form=grads[n]) for n in names}
    report.variables = list(results.values())
    for t in range(trials):
        rng = np.random.default_rng([seed, t])
        values = sample_inputs(formula, rng, sizes)
        dims = sizes_of(formula, values)
        report.sizes.append(dims)
        dims = free_dimensions(formula, dims, np.random.default_rng([seed, t, 1]))
        try:
            ref = reference_gradients(formula, names, values, dims=dims)
        except Exception as exc:  # noqa: BLE001
            report.error = f"torch reference failed: {type(exc).__name__}: {exc}"
            return report
        for n in names:
            r = results[n]
            if r.error:
                continue
            try:
                got = evaluate_closed_form(grads[n], values, dims, values[read_name(n)])
            except Exception as exc:  # noqa: BLE001
                r.error = f"cannot evaluate: {type(exc).__name__}: {exc}"
                continue
            r.max_rel_error = max(r.max_rel_error, relative_error(got, ref[n]))
    return report
