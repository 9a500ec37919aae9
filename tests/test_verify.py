"""The verification layer: type-respecting sampling, and check() catching wrong gradients."""

from __future__ import annotations

import json

import numpy as np
import pytest

import matcalc
from matcalc.checking import verify
from matcalc.checking.sample import requirements, sample_inputs, sizes_of
from matcalc.checking.verify import check, reference_gradients, relative_error

pytest.importorskip("torch")


def rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


# ---------------------------------------------------------------- sampling


@pytest.mark.parametrize("seed", range(10))
def test_spd_is_symmetric_positive_definite(seed: int) -> None:
    values = sample_inputs(matcalc.parse("x^T S x", where="S: spd(n)"), rng(seed))
    s = values["S"]
    assert s.ndim == 2 and s.shape[0] == s.shape[1]
    np.testing.assert_array_equal(s, s.T)
    assert np.linalg.eigvalsh(s).min() > 0


@pytest.mark.parametrize("seed", range(10))
def test_symmetric_is_symmetric(seed: int) -> None:
    values = sample_inputs(matcalc.parse("tr(S A)", where="S: symmetric(n)"), rng(seed))
    np.testing.assert_array_equal(values["S"], values["S"].T)
    assert not np.allclose(values["A"], values["A"].T)  # an undeclared matrix is not symmetrized


def test_positive_qualifier_and_implied_positivity() -> None:
    f = matcalc.parse("a^T x + sum(log(y)) + sum(sqrt(z)) + sum(u ./ v) + sum(p.^0.5) + sum(q.^-1) + w^T c",
                      where="x: vector(n) positive")
    assert requirements(f)["positive"] >= {"y", "z", "v", "p", "q"}
    for seed in range(5):
        values = sample_inputs(f, rng(seed))
        for name in ("x", "y", "z", "v", "p", "q"):
            assert np.all(values[name] > 0), name
        assert np.any(values["w"] < 0) or np.any(values["c"] < 0)  # no positivity where none is needed


def test_even_powers_need_no_positive_base() -> None:
    f = matcalc.parse("(alpha^2)^1.5 + sum((x.^2).^0.5) + sum(log(y.^2))")
    assert not requirements(f)["positive"] & {"alpha", "x", "y"}
    seen_negative = any(sample_inputs(f, rng(s))["alpha"] < 0 for s in range(10))
    assert seen_negative


def test_positivity_reaches_through_products() -> None:
    f = matcalc.parse("sum(log(A x))")
    values = sample_inputs(f, rng(1))
    assert np.all(values["A"] @ values["x"] > 0)


def test_vectors_are_1d_matrices_2d_scalars_float() -> None:
    f = matcalc.parse("alpha a^T X b")
    values = sample_inputs(f, rng(2))
    assert isinstance(values["alpha"], float)
    assert values["a"].ndim == 1 and values["b"].ndim == 1 and values["X"].ndim == 2
    assert values["X"].shape == (values["a"].size, values["b"].size)


def test_dimensions_are_integers_in_range_or_given() -> None:
    f = matcalc.parse("a^T X b")
    seen = set()
    for seed in range(30):
        values = sample_inputs(f, rng(seed))
        dims = sizes_of(f, values)
        assert all(isinstance(k, int) and 2 <= k <= 5 for k in dims.values())
        seen.add(values["X"].shape)
    assert len(seen) > 3  # sizes really vary
    values = sample_inputs(f, rng(0), sizes={"n": 3, "m": 4})
    assert values["X"].shape == (3, 4)
    fixed = sample_inputs(matcalc.parse("x^T A x", where="A: matrix(4, 4)"), rng(0))
    assert fixed["A"].shape == (4, 4) and fixed["x"].shape == (4,)


@pytest.mark.parametrize("formula", ["logdet(X)", "det(X)", "tr(inv(X))", "a^T X^-1 b", "tr(inv(A + B))", "det(X^3)"])
def test_matrices_under_inverse_are_well_conditioned(formula: str) -> None:
    f = matcalc.parse(formula)
    for seed in range(5):
        values = sample_inputs(f, rng(seed))
        for name, v in values.items():
            if np.ndim(v) == 2 and name in requirements(f)["conditioned"]:
                assert np.linalg.cond(v) < 10
                assert np.linalg.det(v) > 0


def test_arcsin_arguments_stay_in_domain() -> None:
    f = matcalc.parse("sum(arcsin(W x)) + sum(arccos(y))")
    for seed in range(10):
        values = sample_inputs(f, rng(seed))
        assert np.abs(values["W"] @ values["x"]).max() < 1
        assert np.abs(values["y"]).max() < 1


def test_values_are_modest() -> None:
    f = matcalc.parse("sum(softmax(W x)) + sum(exp(X))")
    for seed in range(10):
        values = sample_inputs(f, rng(seed))
        assert max(np.abs(v).max() for v in values.values()) < 5


def test_sampling_is_reproducible() -> None:
    f = matcalc.parse("a^T X b")
    a, b = sample_inputs(f, rng(7)), sample_inputs(f, rng(7))
    assert all(np.array_equal(a[k], b[k]) for k in a)


# ---------------------------------------------------------------- reference gradients


def test_reference_gradient_matches_hand_computation() -> None:
    f = matcalc.parse("a^T X b")
    values = sample_inputs(f, rng(3))
    ref = reference_gradients(f, ["X", "a"], values)
    np.testing.assert_allclose(ref["X"], np.outer(values["a"], values["b"]))
    np.testing.assert_allclose(ref["a"], values["X"] @ values["b"])
    assert ref["a"].ndim == 1


def test_reference_gradient_of_scalar_is_float_and_symmetric_is_unconstrained() -> None:
    f = matcalc.parse("alpha tr(S A)", where="S: symmetric(n)")
    values = sample_inputs(f, rng(4))
    ref = reference_gradients(f, ["alpha", "S"], values)
    assert isinstance(ref["alpha"], float)
    np.testing.assert_allclose(ref["S"], values["alpha"] * values["A"].T)  # not symmetrized


def test_relative_error() -> None:
    a = np.array([1.0, 2.0])
    assert relative_error(a, a) == 0
    assert relative_error(a, 2 * a) == pytest.approx(0.5)
    assert relative_error(np.zeros(2), np.zeros(2)) == 0
    assert relative_error(np.array([1e-17]), np.array([-2e-17])) < 1e-8  # noise on an exact zero
    assert relative_error(np.array([1e-3]), np.array([0.0])) == 1.0
    assert relative_error(np.ones((2, 3)), np.ones((3, 2))) == float("inf")
    assert relative_error(np.array([np.nan]), np.array([1.0])) == float("inf")


# ---------------------------------------------------------------- check() catches wrong answers


def _fake_grad(answers: dict[str, str]):
    def fake(f, wrt, where=None):
        names = [wrt] if isinstance(wrt, str) else list(wrt)
        result = {n: matcalc.parse(answers[n]) for n in names}
        return result[wrt] if isinstance(wrt, str) else result

    return fake


@pytest.mark.parametrize(("formula", "wrt", "wrong"), [
    ("tr(A X)", "X", "A"),                    # transposed (square, so the shapes agree)
    ("a^T X b", "X", "2 a b^T"),              # scaled
    ("x^T A x", "x", "A x"),                  # half of the answer
    ("a^T X b", "X", "b a^T"),                # transposed and the wrong shape
    ("sum(exp(x))", "x", "exp(x) .* x"),      # wrong elementwise factor
    ("logdet(X)", "X", "inv(X)"),             # the classic missing transpose
])
def test_check_flags_a_wrong_gradient(monkeypatch: pytest.MonkeyPatch, formula: str, wrt: str, wrong: str) -> None:
    monkeypatch.setattr(verify, "grad", _fake_grad({wrt: wrong}))
    report = check(formula, wrt)
    assert not report.ok, str(report)
    assert "✗" in str(report)
    assert report[wrt].max_rel_error > 1e-3 or report[wrt].error


def test_check_flags_only_the_wrong_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(verify, "grad", _fake_grad({"X": "a b^T", "a": "X^T b"}))
    report = check("a^T X b", ["X", "a"])
    assert not report.ok
    assert report["X"].ok and not report["a"].ok


def test_check_accepts_right_answers_and_reports_sizes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(verify, "grad", _fake_grad({"X": "(exp(X b) .* a) b^T"}))
    report = check("a^T exp(X b)", "X", trials=3, seed=5)
    assert report.ok, str(report)
    assert len(report.sizes) == 3 and all(set(s) == {"n", "m"} for s in report.sizes)
    text = str(report)
    assert text.splitlines()[1].startswith("✓ ∇_X") and "max rel err" in text
    summary = report.as_dict()
    assert summary["ok"] and summary["variables"][0]["name"] == "X"
    json.dumps(summary)


def test_check_reports_a_failing_differentiator(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(f, wrt, where=None):
        raise RuntimeError("no rule")

    monkeypatch.setattr(verify, "grad", broken)
    report = check("a^T x", "x")
    assert not report.ok and "no rule" in str(report)


@pytest.mark.parametrize(("formula", "wrt", "options", "message"), [
    ("a^T x", "x", {"trials": 0}, "trials"),
    ("a^T x", "x", {"trials": -3}, "trials"),
    ("a^T x", "x", {"tol": 0.0}, "tolerance"),
    ("a^T x", "x", {"tol": float("nan")}, "tolerance"),
    ("a^T x", "z", {}, "not a variable"),
    ("a^T x", [], {}, "which variable"),
    ("A x", "x", {}, "scalar"),
    ("X", "X", {}, "scalar"),
])
def test_nonsensical_checks_are_errors(formula: str, wrt: object, options: dict, message: str) -> None:
    with pytest.raises(matcalc.MatcalcError, match=message):
        check(formula, wrt, **options)


@pytest.mark.parametrize("args", [
    ["a^T x", "--wrt", "x", "--trials", "0"],
    ["a^T x", "--wrt", "x", "--tol", "-1"],
    ["a^T x", "--wrt", "z"],
    ["A x", "--wrt", "x"],
])
def test_nonsensical_check_commands_exit_2(cli, args: list[str]) -> None:
    r = cli("check", *args)
    assert r.code == 2 and r.err.startswith("error:") and "Traceback" not in r.err, r.err


# ---------------------------------------------------------------- inverted products are sampled well conditioned

# (formula, where): a product (rectangular factors included) that is inverted or whose determinant is taken
INVERTED_PRODUCTS = [
    ("logdet(A B)", None),
    ("tr(inv(A B))", None),
    ("det(A B C)", None),
    ("logdet(A^T A)", None),
    ("tr(inv(A^T B))", None),
    ("a^T inv(W V) b", None),
    ("logdet(X^T S X)", "S: spd(n)"),
    ("tr((A B)^-1) + logdet(B A)", None),
]


def _inverted_products(formula: matcalc.Formula) -> list:
    return [n.args[0] for n in matcalc.algebra.expr.walk(formula.expr) if n.op in ("inv", "det", "logdet")
            or n.op == "mpow" and int(n.attr) < 0]


def _hand_value(e, values: dict) -> np.ndarray:
    """A product chain of variables and transposes, evaluated by hand with NumPy."""
    if e.op == "var":
        v = np.asarray(values[e.attr.name], dtype=float)
        return v.reshape(-1, 1) if v.ndim == 1 else v
    if e.op == "transpose":
        return _hand_value(e.args[0], values).T
    assert e.op == "matmul", e.op
    return _hand_value(e.args[0], values) @ _hand_value(e.args[1], values)


@pytest.mark.parametrize(("formula", "where"), INVERTED_PRODUCTS)
def test_inverted_products_are_well_conditioned(formula: str, where: str | None) -> None:
    f = matcalc.parse(formula, where=where)
    for seed in range(20):
        values = sample_inputs(f, rng(seed))
        for product in _inverted_products(f):
            assert np.linalg.cond(_hand_value(product, values)) < 50, (formula, seed, sizes_of(f, values))


@pytest.mark.parametrize(("formula", "where"), INVERTED_PRODUCTS)
def test_check_finds_no_false_mismatch_on_inverted_products(formula: str, where: str | None) -> None:
    f = matcalc.parse(formula, where=where)
    report = check(f, f.variables, trials=8, seed=3)
    assert report.ok, str(report)


def test_the_reference_is_autograd_of_the_formula() -> None:
    """What check compares with: torch.autograd of a hand-written twin (not matcalc's lowering)."""
    import torch

    f = matcalc.parse("Y = sigmoid(W X); <Y, M Y>")
    values = sample_inputs(f, rng(5))
    leaves = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in values.items()}
    y = torch.sigmoid(leaves["W"] @ leaves["X"])
    (y * (leaves["M"] @ y)).sum().backward()
    ref = reference_gradients(f, ["W", "X", "M"], values)
    for name in ("W", "X", "M"):
        np.testing.assert_allclose(ref[name], leaves[name].grad.numpy(), rtol=1e-12)


def test_check_with_the_real_engine() -> None:
    report = check("Y = sigmoid(W X); <Y, M Y>", ["W", "X", "M"], trials=2)
    assert report.ok, str(report)
    assert len(report.variables) == 3


def test_check_handles_a_dimension_no_variable_carries() -> None:
    f = matcalc.parse("sum(tr(I) (A + I))")
    values = sample_inputs(f, rng(6))
    n = values["A"].shape[0]
    np.testing.assert_allclose(reference_gradients(f, "A", values, dims={"n": n})["A"], n * np.ones((n, n)))
    report = check(f, "A", trials=2)
    assert report.ok, str(report)


def test_reference_gradients_ignore_extra_values_and_unused_variables() -> None:
    f = matcalc.parse("a^T x")
    values = {"a": np.ones(3), "x": np.arange(3.0), "unrelated": np.zeros(2)}
    ref = reference_gradients(f, ["x"], values)
    np.testing.assert_allclose(ref["x"], np.ones(3))
    with pytest.raises(matcalc.MatcalcError):
        reference_gradients(f, ["y"], values)
