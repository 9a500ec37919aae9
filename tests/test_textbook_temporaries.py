"""Temporaries in generated code only where a value is used twice or its code is long."""

from __future__ import annotations

import re

import numpy as np

from matcalc import codegen, compile, grad
from matcalc.lowering.inline import inline_temporaries

BCE = "-y^T log(sigmoid(X w)) - (1 - y)^T log(1 - sigmoid(X w))"


def _load(src: str) -> object:
    ns: dict = {}
    exec(src, ns)  # noqa: S102 - matcalc's own generated source, under test
    return ns["f_and_grad"]


def _temporaries(src: str) -> list[str]:
    return re.findall(r"^    (t\d+) = ", src, re.M)


def test_sqrt_quadratic_form_has_one_shared_temporary() -> None:
    src = codegen("sqrt(x^T A x)", "x")
    # A x and sqrt(x^T A x) are used twice (A x by the value and by the gradient's A x + Aᵀ x); the gradient is one line
    assert len(_temporaries(src)) <= 3, src
    rng = np.random.default_rng(0)
    x, A = rng.standard_normal(4), rng.standard_normal((4, 4))
    A = A @ A.T + np.eye(4)
    value, grads = _load(src)(x, A)
    s = np.sqrt(x @ A @ x)
    assert np.isclose(value, s)
    assert np.allclose(grads["x"], 0.5 * (A + A.T) @ x / s)


def test_cross_entropy_gradient_is_one_line() -> None:
    src = codegen(BCE, "w")
    uses = {t: len(re.findall(rf"\b{t}\b", src)) for t in _temporaries(src)}
    assert len(uses) <= 4, src  # X w, softplus(X w) (value, and σ = exp(X w - softplus(X w))), two outputs
    returned = re.findall(r"^    return (.*)", src, re.M)[-1]  # f_and_grad's (helpers come first)
    assert all(n >= 3 for t, n in uses.items() if not re.search(rf"\b{t}\b", returned)), src  # kept: used twice
    assert not re.search(r"\bt\d", str(grad(BCE, "w")))  # the printed result has no temporaries
    rng = np.random.default_rng(1)
    y, X, w = (rng.random(6) > 0.5).astype(float), rng.standard_normal((6, 3)), rng.standard_normal(3)
    value, grads = _load(src)(y, X, w)
    p = 1 / (1 + np.exp(-X @ w))
    assert np.isclose(value, -y @ np.log(p) - (1 - y) @ np.log(1 - p))
    assert np.allclose(grads["w"], X.T @ (p - y))


def test_compile_folds_a_short_chain() -> None:
    fn = compile("sqrt(x^T A x)")
    assert not _temporaries(fn.source) or "return float(t" in fn.source
    x, A = np.array([1.0, 2.0]), np.array([[2.0, 0.0], [0.0, 3.0]])
    assert np.isclose(fn(x, A), np.sqrt(x @ A @ x))


def test_fold_keeps_shared_long_and_returned_temporaries() -> None:
    lines = ["t0 = A @ x", "t1 = t0 + t0", "t2 = np.exp(" + "x + " * 12 + "x)", "t3 = t2 * b", "t4 = -t3"]
    out = inline_temporaries(lines, ["t4", "t1"])
    assert out[:2] == ["t0 = A @ x", "t1 = t0 + t0"]  # t0 used twice, t1 returned
    assert out[2].startswith("t2 = ")  # long: keeps its name
    assert out[3] == "t4 = -(t2 * b)"  # short, used once: folded, bracketed


def test_fold_leaves_whole_arguments_bare() -> None:
    assert inline_temporaries(["t0 = W @ X", "Y = _sigmoid(t0)"], ["Y"]) == ["Y = _sigmoid(W @ X)"]
    assert inline_temporaries(["t0 = a + b", "t1 = np.vdot(c, t0)"], ["t1"]) == ["t1 = np.vdot(c, a + b)"]
    assert inline_temporaries(["t0 = a + b", "t1 = (t0 / c)"], ["t1"]) == ["t1 = ((a + b) / c)"]
