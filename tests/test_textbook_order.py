"""Generated code and ``compile`` take the variables in the order the formula first names them."""

from __future__ import annotations

import inspect

import numpy as np

from matcalc import codegen, compile


def _load(src: str) -> object:
    ns: dict = {}
    exec(src, ns)  # noqa: S102 - matcalc's own generated source, under test
    return ns["f_and_grad"]


def test_tt1_takes_a_then_X_then_b() -> None:
    fn = _load(codegen("a^T exp(X b)", ["X"]))
    assert list(inspect.signature(fn).parameters) == ["a", "X", "b"]
    rng = np.random.default_rng(0)
    a, X, b = rng.standard_normal(3), rng.standard_normal((3, 4)), rng.standard_normal(4)
    value, grads = fn(a, X, b)
    e = np.exp(X @ b)
    assert np.isclose(value, a @ e)
    assert np.allclose(grads["X"], np.outer(a * e, b))


def test_mlp_takes_w1_before_w2_and_compile_agrees() -> None:
    f = "H = relu(W1 X); Z = W2 H; sum(logsumexp(Z)) - <Yl, Z>"
    fn = _load(codegen(f, ["W1", "W2"]))
    assert list(inspect.signature(fn).parameters) == ["W1", "X", "W2", "Yl"]
    value_fn = compile(f)
    assert list(inspect.signature(value_fn).parameters) == ["W1", "X", "W2", "Yl"]
    rng = np.random.default_rng(1)
    W1, X, W2 = rng.standard_normal((4, 5)), rng.standard_normal((5, 6)), rng.standard_normal((3, 4))
    Yl = np.eye(3, 6)
    Z1 = W1 @ X
    Z = W2 @ np.maximum(Z1, 0)
    m = Z.max(axis=0)
    lse = m + np.log(np.exp(Z - m).sum(axis=0))
    expected = lse.sum() - (Yl * Z).sum()
    assert np.isclose(value_fn(W1, X, W2, Yl), expected)
    value, grads = fn(W1, X, W2, Yl)
    assert np.isclose(value, expected)
    D = np.exp(Z - lse) - Yl
    assert np.allclose(grads["W2"], D @ np.maximum(Z1, 0).T)
    assert np.allclose(grads["W1"], ((W2.T @ D) * (Z1 > 0)) @ X.T)


def test_where_clause_order_does_not_reorder_the_arguments() -> None:
    fn = compile("x^T A x", "A: matrix(n, n); x: vector(n)")
    assert list(inspect.signature(fn).parameters) == ["x", "A"]
    x, A = np.array([1.0, 2.0]), np.array([[1.0, 2.0], [3.0, 4.0]])
    assert np.isclose(fn(x, A), x @ A @ x)
