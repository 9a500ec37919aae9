"""``matcalc.compile``: values against plain NumPy for every operator and function of
LANGUAGE.md, on both backends; calling conventions (vectors 1-D, matrices 2-D, scalars
float), the callable's signature, and its errors.
"""

from __future__ import annotations

import inspect

import numpy as np
import pytest
from hypothesis import assume, given, settings
from strategies import SIZES, Case, _sizes_known, sample_values, twinned
from strategies import as_tensors as strategy_tensors

import matcalc

WHERE = ("A, B: matrix(3, 4); C: matrix(4, 2); S: spd(3); Q: matrix(3, 3); x, y: vector(3); z: vector(4); "
         "p: vector(3) positive; P: matrix(3, 4) positive; s: scalar; t: scalar positive")


def _values(rng: np.random.Generator) -> dict:
    b = rng.uniform(-1, 1, (3, 3))
    return {
        "A": rng.uniform(-1, 1, (3, 4)), "B": rng.uniform(-1, 1, (3, 4)), "C": rng.uniform(-1, 1, (4, 2)),
        "S": b @ b.T + 3 * np.eye(3), "Q": 3 * np.eye(3) + rng.uniform(-0.5, 0.5, (3, 3)),
        "x": rng.uniform(-1, 1, 3), "y": rng.uniform(-1, 1, 3), "z": rng.uniform(-1, 1, 4),
        "p": rng.uniform(0.5, 2, 3), "P": rng.uniform(0.5, 2, (3, 4)), "s": float(rng.uniform(-1, 1)),
        "t": float(rng.uniform(0.5, 2)),
    }


def _sigmoid(v: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-v))


def _softmax(v: np.ndarray) -> np.ndarray:
    e = np.exp(v - v.max(axis=0))
    return e / e.sum(axis=0)



# formula -> the same value in plain NumPy (vectors 1-D as given; results compared after squeezing)
TABLE = {
    # operators
    "A + B": lambda v: v["A"] + v["B"],
    "A - B": lambda v: v["A"] - v["B"],
    "1 + A": lambda v: 1 + v["A"],
    "x - 2": lambda v: v["x"] - 2,
    "A C": lambda v: v["A"] @ v["C"],
    "A * C": lambda v: v["A"] @ v["C"],
    "A @ C": lambda v: v["A"] @ v["C"],
    "s A": lambda v: v["s"] * v["A"],
    "A .* B": lambda v: v["A"] * v["B"],
    "A ⊙ B": lambda v: v["A"] * v["B"],
    "A ./ P": lambda v: v["A"] / v["P"],
    "A / t": lambda v: v["A"] / v["t"],
    "-A": lambda v: -v["A"],
    "A^T": lambda v: v["A"].T,
    "x'": lambda v: v["x"].reshape(1, 3),
    "Q^-1": lambda v: np.linalg.inv(v["Q"]),
    "inv(Q) x": lambda v: np.linalg.solve(v["Q"], v["x"]),
    "Q^3": lambda v: np.linalg.matrix_power(v["Q"], 3),
    "Q^-2": lambda v: np.linalg.inv(v["Q"] @ v["Q"]),
    "s^2": lambda v: v["s"] ** 2,
    "A.^2": lambda v: v["A"] ** 2,
    "P.^0.5": lambda v: v["P"] ** 0.5,
    "p.^t": lambda v: v["p"] ** v["t"],
    "x^T y": lambda v: v["x"] @ v["y"],
    "x y^T": lambda v: np.outer(v["x"], v["y"]),
    "x^T A z": lambda v: v["x"] @ v["A"] @ v["z"],
    "<A, B>": lambda v: np.sum(v["A"] * v["B"]),
    "⟨x, y⟩": lambda v: v["x"] @ v["y"],
    "||A||": lambda v: np.linalg.norm(v["A"]),
    "||x||^2": lambda v: v["x"] @ v["x"],
    "||A||_F": lambda v: np.linalg.norm(v["A"], "fro"),
    "||x||_1": lambda v: np.abs(v["x"]).sum(),
    "1_3^T x": lambda v: v["x"].sum(),
    "𝟙^T A": lambda v: v["A"].sum(axis=0).reshape(1, 4),
    "x^T I x": lambda v: v["x"] @ v["x"],
    "A + matrix(2)": lambda v: v["A"] + 2,
    "x + vector(1)": lambda v: v["x"] + 1,
    # functions
    "tr(Q)": lambda v: np.trace(v["Q"]),
    "det(Q)": lambda v: np.linalg.det(v["Q"]),
    "logdet(S)": lambda v: np.linalg.slogdet(v["S"])[1],
    "diag(x)": lambda v: np.diag(v["x"]),
    "diag(Q)": lambda v: np.diag(v["Q"]),
    "sum(A)": lambda v: v["A"].sum(),
    "softmax(x)": lambda v: _softmax(v["x"]),
    "softmax(A)": lambda v: _softmax(v["A"]),
    "logsumexp(x)": lambda v: np.log(np.exp(v["x"]).sum()),
    "logsumexp(A)": lambda v: np.log(np.exp(v["A"]).sum(axis=0)).reshape(1, 4),
    "norm(x)": lambda v: np.linalg.norm(v["x"]),
    "norm2(A)": lambda v: np.linalg.norm(v["A"]),
    "norm1(A)": lambda v: np.abs(v["A"]).sum(),
    "exp(A)": lambda v: np.exp(v["A"]),
    "log(P)": lambda v: np.log(v["P"]),
    "sin(A)": lambda v: np.sin(v["A"]),
    "cos(A)": lambda v: np.cos(v["A"]),
    "tan(A)": lambda v: np.tan(v["A"]),
    "arcsin(0.5 A)": lambda v: np.arcsin(0.5 * v["A"]),
    "arccos(0.5 A)": lambda v: np.arccos(0.5 * v["A"]),
    "arctan(A)": lambda v: np.arctan(v["A"]),
    "tanh(A)": lambda v: np.tanh(v["A"]),
    "sigmoid(A)": lambda v: _sigmoid(v["A"]),
    "σ(x)": lambda v: _sigmoid(v["x"]),
    "relu(A)": lambda v: np.maximum(v["A"], 0),
    "softplus(A)": lambda v: np.log1p(np.exp(v["A"])),
    "sqrt(P)": lambda v: np.sqrt(v["P"]),
    "abs(A)": lambda v: np.abs(v["A"]),
    "sign(A)": lambda v: np.sign(v["A"]),
    "σ'(A)": lambda v: _sigmoid(v["A"]) * (1 - _sigmoid(v["A"])),
    "relu'(A)": lambda v: (v["A"] > 0).astype(float),
    "tanh'(x)": lambda v: 1 - np.tanh(v["x"]) ** 2,
    # definitions and user functions
    "Y = sigmoid(A C); <Y, Y>": lambda v: np.sum(_sigmoid(v["A"] @ v["C"]) ** 2),
    "g(u) = log(1 + u^2); g(A)": lambda v: np.log(1 + v["A"] ** 2),
    # matrixcalculus.org
    "x'*Q*x": lambda v: v["x"] @ v["Q"] @ v["x"],
    "norm2(A*z-x)^2": lambda v: np.sum((v["A"] @ v["z"] - v["x"]) ** 2),
    "sum(log(exp(-x.*(A*z)) + vector(1)))": lambda v: np.sum(np.log(np.exp(-v["x"] * (v["A"] @ v["z"])) + 1)),
}


@pytest.fixture(scope="module")
def values() -> dict:
    return _values(np.random.default_rng(7))


def _check(formula: str, backend: str, values: dict) -> None:
    f = matcalc.parse(formula, where=WHERE)
    fn = matcalc.compile(f, backend=backend)
    got = fn(**{name: values[name] for name in f.variables})
    if backend == "torch":
        got = got.numpy() if hasattr(got, "numpy") else got
    want = np.asarray(TABLE[formula](values), dtype=float)
    got = np.asarray(got, dtype=float)
    assert got.shape == want.shape, (formula, got.shape, want.shape)
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("formula", sorted(TABLE))
def test_numpy_backend_matches_numpy(formula: str, values: dict) -> None:
    _check(formula, "numpy", values)


@pytest.mark.parametrize("formula", sorted(TABLE))
def test_torch_backend_matches_numpy(formula: str, values: dict) -> None:
    pytest.importorskip("torch")
    _check(formula, "torch", values)


def test_calling_convention(values: dict) -> None:
    vec = matcalc.compile("A z", where=WHERE)(A=values["A"], z=values["z"])
    mat = matcalc.compile("A^T", where=WHERE)(A=values["A"])
    sca = matcalc.compile("x^T y", where=WHERE)(x=values["x"], y=values["y"])
    assert vec.shape == (3,) and mat.shape == (4, 3) and type(sca) is float
    assert matcalc.compile("alpha x")(alpha=2, x=[1.0, 2.0]).tolist() == [2.0, 4.0]  # lists and floats are accepted
    row = matcalc.compile("x^T")(x=[1.0, 2.0])
    assert row.shape == (1, 2)


def test_compile_accepts_text_formula_or_expr() -> None:
    f = matcalc.parse("a^T exp(X b)")
    a, x, b = np.ones(2), np.zeros((2, 3)), np.ones(3)
    want = 2.0
    assert matcalc.compile("a^T exp(X b)")(a=a, X=x, b=b) == want
    assert matcalc.compile(f)(a=a, X=x, b=b) == want
    assert matcalc.compile(f.expr)(a=a, X=x, b=b) == want
    assert matcalc.compile("x^T y", where="x, y: vector(2)")(x=[1, 2], y=[3, 4]) == 11.0


def test_signature_lists_the_variables() -> None:
    fn = matcalc.compile("a^T exp(X b)")
    params = inspect.signature(fn).parameters
    assert list(params) == ["a", "X", "b"]
    assert all(p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD for p in params.values())
    a, x, b = np.ones(2), np.eye(2), np.ones(2)
    assert fn(a, x, b) == fn(a=a, X=x, b=b) == fn(a, X=x, b=b)


def test_missing_or_extra_variable_is_a_clear_type_error() -> None:
    fn = matcalc.compile("a^T exp(X b)")
    with pytest.raises(TypeError, match="missing b"):
        fn(a=np.ones(2), X=np.ones((2, 2)))
    with pytest.raises(TypeError, match="unexpected c"):
        fn(a=np.ones(2), X=np.ones((2, 2)), b=np.ones(2), c=1.0)


def test_a_python_keyword_is_a_fine_variable_name() -> None:
    fn = matcalc.compile("lambda x")
    assert "lambda_" in inspect.signature(fn).parameters
    assert fn(lambda_=2.0, x=[1.0, 3.0]).tolist() == [2.0, 6.0]
    assert fn(**{"lambda": 2.0, "x": [1.0]}).tolist() == [2.0]
    assert matcalc.compile("x^T in")(x=[1.0, 2.0], in_=[3.0, 4.0]) == 11.0  # `in` is a vector, in_ in Python


def test_unknown_backend_is_an_error() -> None:
    with pytest.raises(matcalc.MatcalcError, match="unknown backend"):
        matcalc.compile("x", backend="jax")


def test_a_differential_cannot_be_evaluated() -> None:
    f = matcalc.parse("dX + X", derivation=True, where="X: matrix(2, 2)")
    with pytest.raises(matcalc.MatcalcError, match="differential"):
        matcalc.compile(f)


@settings(max_examples=30, deadline=None)
@given(twinned())
def test_backends_match_the_twin_on_random_formulas(case: Case) -> None:
    """Both backends compute a random formula's hand-built torch twin (strategies.py), not each other."""
    pytest.importorskip("torch")
    f = case.formula()
    assume(_sizes_known(f))  # compile reads every size off an input (not `1_m` alone)
    values = sample_values(f, np.random.default_rng(1))
    want, _ = case.value(strategy_tensors(values), SIZES)
    want = want.detach().numpy()
    for backend in ("numpy", "torch"):
        got = matcalc.compile(f, backend=backend)(**values)
        got = np.asarray(got.numpy() if hasattr(got, "numpy") else got, dtype=float)
        assert np.isfinite(want).all(), f.text()  # the generator's sampling convention keeps values finite
        np.testing.assert_allclose(got.reshape(want.shape), want, rtol=1e-8, atol=1e-10, err_msg=backend)


@pytest.mark.parametrize("text", ["alpha + log(1 + 2^2)", "x / exp(0.5 2)", "alpha sqrt(2 3)"])
def test_torch_functions_of_numbers(text: str) -> None:
    """torch.exp(0.5 * 2.0) refuses a float: number-valued arguments become tensors."""
    import torch

    f = matcalc.parse(text)
    values = {d.name: (0.5 if d.var.kind == "scalar" else np.ones(3)) for d in f.declarations}
    got = matcalc.compile(f, backend="torch")(**{k: torch.tensor(v, dtype=torch.float64) for k, v in values.items()})
    want = {"alpha + log(1 + 2^2)": lambda v: v["alpha"] + np.log(5.0), "x / exp(0.5 2)": lambda v: v["x"] / np.e,
            "alpha sqrt(2 3)": lambda v: v["alpha"] * np.sqrt(6.0)}[text](values)
    np.testing.assert_allclose(np.asarray(got), want, rtol=1e-12)
