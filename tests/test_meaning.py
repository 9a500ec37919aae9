"""One meaning per operation (issue 10), each class checked against NumPy/torch written here by hand:

- softmax and logsumexp act on each column (a 1×m row is m one-entry columns) in the value,
  the generated code and the gradient, on both backends;
- a user function's body acts entry by entry (or is a clear error);
- division by the number 0 is a clear error (exit 2 from the CLI);
- generated code computes in float64 when every input is a plain number;
- a compiled gradient takes the inputs of its function (positionally or by keyword), constant
  gradients included;
- ``Expr.key`` orders nodes in O(1) per comparison (children before parents).
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

import matcalc
from matcalc.algebra import ops
from matcalc.algebra.expr import walk
from matcalc.algebra.shapes import MatcalcError

RNG = np.random.default_rng(7)
ROW, MAT, COL = RNG.normal(size=(1, 4)), RNG.normal(size=(3, 4)), RNG.normal(size=(3, 1))
WEIGHT = {(1, 4): RNG.normal(size=(1, 4)), (3, 4): RNG.normal(size=(3, 4)), (3, 1): RNG.normal(size=(3, 1))}


def _np_softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


def _np_logsumexp(z: np.ndarray) -> np.ndarray:
    return np.log(np.exp(z).sum(axis=0, keepdims=True))


def _where(z: np.ndarray) -> str:
    return f"Z: matrix({z.shape[0]}, {z.shape[1]}); W: matrix({z.shape[0]}, {z.shape[1]}); " \
           f"v: matrix(1, {z.shape[1]})"


def _as_given(z: np.ndarray, like: np.ndarray) -> np.ndarray:
    return np.asarray(like, dtype=float).reshape(z.shape) if np.ndim(like) else np.full(z.shape, float(like))


@pytest.mark.parametrize("z", [ROW, MAT, COL], ids=["row", "matrix", "column"])
@pytest.mark.parametrize("backend", ["numpy", "torch"])
def test_softmax_and_logsumexp_are_columnwise_in_the_value(z: np.ndarray, backend: str) -> None:
    pytest.importorskip("torch") if backend == "torch" else None
    for f, ref in (("softmax(Z)", _np_softmax(z)), ("logsumexp(Z)", _np_logsumexp(z))):
        got = matcalc.compile(f, where=_where(z), backend=backend)(Z=z)
        got = np.asarray(got, dtype=float).reshape(ref.shape)
        np.testing.assert_allclose(got, ref, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("z", [ROW, MAT, COL], ids=["row", "matrix", "column"])
@pytest.mark.parametrize("backend", ["numpy", "torch"])
def test_softmax_and_logsumexp_gradients_are_columnwise(z: np.ndarray, backend: str) -> None:
    """<W, softmax(Z)> + <v, logsumexp(Z)>: codegen's value and gradient against torch.autograd of
    a hand-written column-wise softmax."""
    torch = pytest.importorskip("torch")
    w, v = WEIGHT[z.shape], RNG.normal(size=(1, z.shape[1]))
    zt = torch.tensor(z, requires_grad=True)
    ref = (torch.tensor(w) * torch.softmax(zt, dim=0)).sum() + (torch.tensor(v) * torch.logsumexp(zt, 0)).sum()
    ref.backward()
    ns: dict = {}
    exec(matcalc.codegen("<W, softmax(Z)> + <v, logsumexp(Z)>", "Z", where=_where(z), backend=backend), ns)
    args = {"Z": z, "W": w, "v": v[0]} if backend == "numpy" else \
        {"Z": torch.tensor(z), "W": torch.tensor(w), "v": torch.tensor(v[0])}
    value, grads = ns["f_and_grad"](**args)
    assert float(value) == pytest.approx(ref.item(), rel=1e-12)
    np.testing.assert_allclose(_as_given(z, np.asarray(grads["Z"])), zt.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_a_row_reads_its_length_off_its_one_axis() -> None:
    r = RNG.normal(size=(1, 5))
    got = matcalc.compile("(R 1_m)^2", where="R: matrix(1, m)")(R=r)
    assert got == pytest.approx(r.sum() ** 2, rel=1e-12)
    got = matcalc.compile("sum(exp(R + 2))", where="R: matrix(1, m)")(R=r)
    assert got == pytest.approx(np.exp(r + 2).sum(), rel=1e-12)


# ---------------------------------------------------------------- user functions, entry by entry

X = RNG.uniform(0.5, 1.5, size=(3, 2))
USER = [  # body of g(t), g applied by hand to each entry of X
    ("inv(1 + t)", 1 / (1 + X)),
    ("t^T t", X * X),
    ("tr(t) + det(t) + sum(t)", 3 * X),
    ("t^3 - t^-1", X**3 - 1 / X),
    ("norm(t) + logdet(t)", np.abs(X) + np.log(np.abs(X))),
    ("softmax(t) + logsumexp(t) + diag(t)", 1 + 2 * X),
    ("<t, t> + exp(t) sin(t)", X * X + np.exp(X) * np.sin(X)),
]


@pytest.mark.parametrize(("body", "ref"), USER, ids=[b for b, _ in USER])
@pytest.mark.parametrize("backend", ["numpy", "torch"])
def test_user_functions_act_entry_by_entry(body: str, ref: np.ndarray, backend: str) -> None:
    pytest.importorskip("torch") if backend == "torch" else None
    f = matcalc.parse(f"g(t) = {body}; g(X)", where="X: matrix(3, 2)")
    assert not any(n.op in ("inv", "transpose", "trace", "det", "mpow", "logdet", "softmax") for n in walk(f.expr))
    got = np.asarray(matcalc.compile(f, backend=backend)(X=X), dtype=float)
    np.testing.assert_allclose(got, ref, rtol=1e-12)


def test_user_function_gradient_is_entrywise() -> None:
    torch = pytest.importorskip("torch")
    ns: dict = {}
    exec(matcalc.codegen("g(t) = inv(1 + t^T t); sum(g(X))", "X", where="X: matrix(3, 2)"), ns)
    value, grads = ns["f_and_grad"](X)
    xt = torch.tensor(X, requires_grad=True)
    ref = (1 / (1 + xt * xt)).sum()
    ref.backward()
    assert value == pytest.approx(float(ref), rel=1e-12)
    np.testing.assert_allclose(grads["X"], xt.grad.numpy(), rtol=1e-10)


def test_user_function_derivative_is_entrywise() -> None:
    got = matcalc.compile(matcalc.parse("g(t) = log(1 + t^2) + inv(t); g'(X)", where="X: matrix(3, 2)"))(X=X)
    np.testing.assert_allclose(got, 2 * X / (1 + X**2) - 1 / X**2, rtol=1e-12)


@pytest.mark.parametrize("text", ["g(t) = t A; g(X)", "g(t) = tr(A) t + A; sum(g(X))"])
def test_a_body_that_is_not_scalar_is_a_clear_error(text: str) -> None:
    with pytest.raises(MatcalcError, match="entry by entry") as info:
        matcalc.parse(text, where="X: matrix(3, 2); A: matrix(2, 2)")
    assert "^" in str(info.value)


# ---------------------------------------------------------------- division by zero


@pytest.mark.parametrize("text", ["alpha / 0", "x ./ vector(0)", "0^-1 alpha", "alpha ./ 0", "alpha / (2 - 2)",
                                  "alpha / (0 x^T x)", "inv(0) alpha"])
def test_division_by_zero_is_a_clear_error(text: str) -> None:
    with pytest.raises(MatcalcError, match="division by zero"):
        matcalc.grad(text, "alpha" if "alpha" in text else "x", where="alpha: scalar; x: vector(n)")


def test_division_by_zero_exits_2() -> None:
    run = subprocess.run([sys.executable, "-m", "matcalc", "grad", "alpha / 0", "--wrt", "alpha",
                          "--where", "alpha: scalar"], capture_output=True, text=True)
    assert run.returncode == 2 and "division by zero" in run.stderr and "Traceback" not in run.stderr


# ---------------------------------------------------------------- precision


@pytest.mark.parametrize("backend", ["numpy", "torch"])
def test_plain_numbers_compute_in_float64(backend: str) -> None:
    pytest.importorskip("torch") if backend == "torch" else None
    ns: dict = {}
    exec(matcalc.codegen("alpha^2 beta + sin(alpha) / 3", "alpha", where="alpha, beta: scalar", backend=backend), ns)
    a, b = 0.1, 0.3
    value, grads = ns["f_and_grad"](a, b)
    assert str(value.dtype).endswith("float64") and str(grads["alpha"].dtype).endswith("float64")
    assert float(value) == pytest.approx(a * a * b + np.sin(a) / 3, rel=1e-15)
    assert float(grads["alpha"]) == pytest.approx(2 * a * b + np.cos(a) / 3, rel=1e-15)


def test_float32_arrays_stay_float32() -> None:
    ns: dict = {}
    exec(matcalc.codegen("alpha x^T x", "x", where="alpha: scalar; x: vector(n)"), ns)
    value, grads = ns["f_and_grad"](0.5, np.ones(3, dtype=np.float32))
    assert value.dtype == np.float32 and grads["x"].dtype == np.float32


# ---------------------------------------------------------------- compiled gradients


GRADS = [  # f, declarations, wrt, the gradient by hand from (a, X, b, W)
    ("a^T X b", "a: vector(n); X: matrix(n, m); b: vector(m)", "X", lambda v: np.outer(v["a"], v["b"])),
    ("tr(X)", "X: matrix(n, n)", "X", lambda v: np.eye(len(v["X"]))),
    ("sum(W X)", "W: matrix(k, n); X: matrix(n, m)", "X",
     lambda v: np.ones((v["W"].shape[0], 1)).T.dot(v["W"]).T @ np.ones((1, v["X"].shape[1]))),
    ("alpha tr(X) + b^T b", "alpha: scalar; X: matrix(n, n); b: vector(m)", "alpha", lambda v: np.trace(v["X"])),
]


@pytest.mark.parametrize(("f", "where", "wrt", "ref"), GRADS, ids=[g[0] for g in GRADS])
def test_a_compiled_gradient_takes_the_inputs_of_its_function(f: str, where: str, wrt: str, ref) -> None:
    names = matcalc.parse(f, where=where).variables
    sizes = {"a": (2,), "b": (3,), "X": (2, 3) if "m" in where.split("X:")[1][:20] else (2, 2), "W": (4, 2)}
    v = {n: (0.7 if n == "alpha" else RNG.normal(size=sizes[n])) for n in names}
    fn = matcalc.compile(matcalc.grad(f, wrt, where=where))
    want = ref(v)
    np.testing.assert_allclose(np.asarray(fn(**v), dtype=float), want, rtol=1e-12)
    np.testing.assert_allclose(np.asarray(fn(*(v[n] for n in names)), dtype=float), want, rtol=1e-12)


# ---------------------------------------------------------------- ordering


def test_expr_key_orders_children_before_parents_in_constant_time() -> None:
    x = ops.var("x", "scalar", (1, 1))
    e = x
    for _ in range(3000):
        e = ops.make("sin", e)
    nodes = list(walk(e))
    assert all(a.key < n.key for n in nodes for a in n.args)
    assert sorted(reversed(nodes), key=lambda n: n.key) == nodes
