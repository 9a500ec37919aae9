"""Sampled inputs satisfy every shape constraint: a vec's length is n·m, a kron's sizes are products.

Each formula is evaluated on the sampled inputs by a NumPy function written here by hand
(column-major ``vec``, ``np.kron``), which fails on sizes that do not agree; ``check`` then
compares matcalc's gradient with torch.autograd at those sizes.
"""

from __future__ import annotations

import numpy as np
import pytest

import matcalc
from matcalc.checking.numeric import sample_points
from matcalc.checking.sample import sample_inputs, sizes_of


def _vec(X: np.ndarray) -> np.ndarray:
    return X.reshape(-1, order="F")


# formula, its value written by hand, the variables to check the gradient for
CASES = [
    ("a^T vec(X)", lambda a, X: a @ _vec(X), ["X", "a"]),
    ("a^T vec(X^T) + b^T vec(X)", lambda a, b, X: a @ _vec(X.T) + b @ _vec(X), ["X"]),
    ("a^T vec(x y^T)", lambda a, x, y: a @ _vec(np.outer(x, y)), ["x", "y"]),
    ("x^T kron(A, B) y", lambda x, A, B, y: x @ np.kron(A, B) @ y, ["A", "B"]),
    ("a^T kron(x, y)", lambda a, x, y: a @ np.kron(x, y), ["x", "y"]),
    ("sum(kron(A, I_2) X)", lambda A, X: np.sum(np.kron(A, np.eye(2)) @ X), ["A", "X"]),
    ("c^T vec(kron(A, B))", lambda c, A, B: c @ _vec(np.kron(A, B)), ["A"]),
]


@pytest.mark.parametrize("text, hand, wrt", CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("seed", range(4))
def test_sampled_sizes_agree(text: str, hand, wrt: list[str], seed: int) -> None:
    f = matcalc.parse(text)
    values = sample_inputs(f, seed)
    value = hand(**values)  # NumPy raises on sizes that do not agree
    assert np.ndim(value) == 0
    dims = sizes_of(f, values)
    for name, size in dims.items():
        parts = [int(p) if p.isdigit() else dims[p] for p in name.split("*")]
        assert size == np.prod(parts), (name, dims)


@pytest.mark.parametrize("text, hand, wrt", CASES, ids=[c[0] for c in CASES])
def test_check_at_agreeing_sizes(text: str, hand, wrt: list[str]) -> None:
    pytest.importorskip("torch")
    report = matcalc.check(text, wrt, trials=2, seed=3)
    assert report.ok and not report.error, str(report)


def test_fixed_sizes_give_the_product() -> None:
    f = matcalc.parse("a^T vec(X)")
    values = sample_inputs(f, 0, sizes={"n": 3, "m": 4})
    assert values["X"].shape == (3, 4) and values["a"].shape == (12,)
    values = sample_inputs(f, 0, sizes={"n": 3, "m": 4, "m*n": 5})  # a contradicting size is overruled
    assert values["a"].shape == (12,)


def test_size_plans_of_the_claim_checker_agree() -> None:
    f = matcalc.parse("x^T kron(A, B) y")
    for point in sample_points([f], seed=1):
        v = point.values
        assert np.ndim(v["x"] @ np.kron(v["A"], v["B"]) @ v["y"]) == 0
        assert point.dims["m*n"] == point.dims["m"] * point.dims["n"]
