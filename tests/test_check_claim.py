"""check_claim: right answers written differently pass, classic mistakes are caught and named."""

from __future__ import annotations

import os

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from strategies import scalar_formulas

import matcalc
from matcalc.checking.checker import check_claim

SQ = "A, X, B: matrix(n, n)"
SIGMOID = "Y = sigmoid(W X); <Y, M Y>"
LAYER = "Y = W X; <G, Y>"

# (function, variable, claim, where): each claim is the gradient, written another way.
CORRECT = [
    ("a^T exp(X b)", "X", "(exp(X b) .* a) b^T", None),
    ("a^T exp(X b)", "X", "(a .* exp(X b)) b^T", None),
    ("a^T exp(X b)", "X", "diag(exp(X b)) a b^T", None),
    ("a^T exp(X b)", "X", "(b (exp(X b) .* a)^T)^T", None),
    ("a^T exp(X b)", "X", "(exp(X b) ⊙ a) bᵀ", None),
    ("a^T exp(X b)", "X", r"\left(\exp(X b) \odot a\right) b^\top", None),
    ("a^T exp(X b)", "X", r"(\exp(\mathbf{X} \mathbf{b}) \odot \mathbf{a}) \mathbf{b}^\top", None),
    ("a^T X b", "X", "a b^T", None),
    ("a^T X b", "X", "(b a^T)^T", None),
    ("x^T A x", "x", "A x + A^T x", None),
    ("x^T A x", "x", "(A^T + A) x", None),
    ("x^T A x", "x", "2 A x", "A: symmetric(n)"),
    ("x^T A x", "A", "x x^T", None),
    ("||A x - y||^2", "x", "2 A^T A x - 2 A^T y", None),
    ("||A x - y||^2", "x", "2 (A^T (A x - y))", None),
    ("tr(A X B)", "X", "(B A)^T", None),
    ("tr(A X B)", "X", "A^T B^T", None),
    ("logdet(X)", "X", "X^-T", None),
    ("logdet(X)", "X", "(X^-1)^T", None),
    ("logdet(X)", "X", "X^{-\\top}", None),
    ("logdet(X)", "X", "X^-1", "X: spd(n)"),
    ("tr(X^T X)", "X", "X + X", None),
    ("sum(exp(x))", "x", "exp(x)", None),
    (SIGMOID, "X", "W^T (Y .* (1 - Y) .* ((M + M^T) Y))", None),
    (SIGMOID, "X", "W^T (sigmoid(W X) .* (1 - sigmoid(W X)) .* (M Y + M^T Y))", None),
    (SIGMOID, "X", "S = Y .* (1 - Y); W^T (S .* ((M + M^T) Y))", None),
    (SIGMOID, "W", "(Y .* (1 - Y) .* (M Y + M^T Y)) X^T", None),
    (LAYER, "W", "G X^T", None),
    (LAYER, "X", "(G^T W)^T", None),
]

# (function, variable, claim, where, the mistake's key)
WRONG = [
    ("a^T X b", "X", "b a^T", None, "transpose"),
    ("a^T exp(X b)", "X", "b (exp(X b) .* a)^T", None, "transpose"),
    ("x^T A y", "A", "y x^T", None, "transpose"),
    ("a^T x", "x", "a^T", None, "transpose"),
    ("tr(A X B)", "X", "B A", None, "transpose"),
    ("||A x - y||^2", "x", "2 A (A x - y)", "A: matrix(n, n)", "transpose"),
    (LAYER, "X", "W G", "W: matrix(n, n)", "transpose"),
    ("<A, X B>", "X", "A B", SQ, "transpose"),
    ("tr(A X B)", "X", "B^T A^T", SQ, "order"),
    ("x^T A x", "A", "x^T x", None, "order"),
    (LAYER, "W", "X^T G", None, "order"),
    (SIGMOID, "W", "X^T (Y .* (1 - Y) .* ((M + M^T) Y))", None, "order"),
    ("x^T A x", "x", "A x", None, "symmetric"),
    ("x^T A x", "x", "2 A x", None, "symmetric"),
    (SIGMOID, "X", "W^T (Y .* (1 - Y) .* (M Y))", None, "symmetric"),
    ("logdet(X)", "X", "X^-1", None, "inverse-transpose"),
    ("det(X)", "X", "det(X) X^-1", None, "inverse-transpose"),
    ("<A, X B>", "X", "A .* B", SQ, "hadamard"),
    ("a^T (x .* y)", "x", "a y", None, "hadamard"),
    ("a^T exp(X b)", "X", "(exp(X b) a^T) b^T", None, "hadamard"),
    ("||A x - y||^2", "x", "A^T (A x - y)", None, "factor"),
    ("tr(X^T X)", "X", "X", None, "factor"),
    ("a^T exp(X b)", "X", "2 (exp(X b) .* a) b^T", None, "factor"),
    ("x^T A x", "x", "A x", "A: symmetric(n)", "factor"),
    ("||A x - y||^2", "x", "-2 A^T (A x - y)", None, "sign"),
    ("a^T exp(X b)", "X", "-(exp(X b) .* a) b^T", None, "sign"),
]


def test_enough_claims() -> None:
    assert len(CORRECT) >= 20 and len(WRONG) >= 20 and len(CORRECT) + len(WRONG) >= 40


@pytest.mark.parametrize(("f", "wrt", "claim", "where"), CORRECT)
def test_correct_claims_pass(f: str, wrt: str, claim: str, where: str | None) -> None:
    r = check_claim(f, wrt, claim, where=where)
    assert r.ok, str(r)
    assert r.method in ("symbolic", "numeric")
    assert r.diagnosis is None and r.counterexample is None and r.mistake == ""


@pytest.mark.parametrize(("f", "wrt", "claim", "where", "mistake"), WRONG)
def test_wrong_claims_are_caught_and_named(f: str, wrt: str, claim: str, where: str | None, mistake: str) -> None:
    r = check_claim(f, wrt, claim, where=where)
    assert not r.ok
    assert r.mistake == mistake, str(r)
    assert r.diagnosis is not None and r.diagnosis.fixed  # the claim with the mistake undone


def test_a_wrong_shape_is_said_without_numbers() -> None:
    r = check_claim("a^T X b", "X", "b a^T")
    assert r.method == "shape" and "m×n" in r.error and "n×m" in r.error
    assert r.counterexample is None
    assert r.diagnosis.fixed == "a bᵀ"


def test_counterexample_has_small_sizes_and_reproduces() -> None:
    r = check_claim("x^T A x", "x", "A x")
    ce = r.counterexample
    assert ce is not None and ce.sizes == {"n": 2}
    x, a = np.asarray(ce.values["x"]), np.asarray(ce.values["A"])
    assert np.allclose(ce.claimed.reshape(-1), a @ x)
    assert np.allclose(ce.correct.reshape(-1), (a + a.T) @ x)
    assert ce.max_abs_difference == pytest.approx(np.max(np.abs(a.T @ x)))
    assert "counterexample at n=2" in str(r)


def test_an_unexplained_wrong_claim_is_still_wrong() -> None:
    r = check_claim("logdet(X)", "X", "X")
    assert not r.ok and r.diagnosis is None and r.counterexample is not None


def test_a_labelled_claim() -> None:
    assert check_claim("a^T x", "x", "∇_x f = a").ok
    assert check_claim("a^T x", "x", r"\frac{\partial f}{\partial x} = a").ok
    assert check_claim("a^T x", "x", "grad_x f = a^T").mistake == "transpose"


def test_an_unparsable_claim_is_wrong_with_the_parse_error() -> None:
    r = check_claim("a^T x", "x", "a +")
    assert not r.ok and r.method == "parse" and "ends too early" in r.error


def test_symmetrized_gradient_accepted_with_a_note() -> None:
    r = check_claim("a^T X b", "X", "(a b^T + b a^T)/2", where="X: symmetric(n)")
    assert r.ok and r.notes


def test_report_and_json() -> None:
    r = check_claim("||A x - y||^2", "x", "A^T (A x - y)")
    text = str(r)
    assert text.startswith("✗ ∇_x f = Aᵀ (A x - y)")
    assert "2 ×" in text and "correct: ∇_x f = 2 Aᵀ (A x - y)" in text
    d = r.to_dict()
    assert d["mistake"] == "factor" and d["correct"] == "2 A^T (A x - y)" and d["counterexample"]["sizes"]


# ---------------------------------------------------------------- a wrong claim is never called right

# (function, variable, where, correct gradient as a product of factors, a transposable (non-symmetric) result)
BASES = [
    ("tr(A X B)", "X", SQ, ["A^T", "B^T"]),
    ("a^T exp(X b)", "X", "a, b: vector(n); X: matrix(n, n)", ["(exp(X b) .* a)", "b^T"]),
    ("<G, W X>", "W", "G, W, X: matrix(n, n)", ["G", "X^T"]),
    ("<G, W X>", "X", "G, W, X: matrix(n, n)", ["W^T", "G"]),
    ("tr(A X^T B X)", "X", SQ, ["B X A", "+", "B^T X A^T"]),
]


@settings(max_examples=30, deadline=None)
@given(base=st.sampled_from(BASES), how=st.sampled_from(["transpose", "factor", "swap", "sign"]),
       c=st.floats(0.1, 5.0).filter(lambda c: abs(c - 1) > 1e-3))
def test_perturbed_gradients_are_always_caught(base: tuple, how: str, c: float) -> None:
    f, wrt, where, factors = base
    if "+" in factors:  # a sum: perturb its first term's order or the whole
        first, _, second = factors
        right = f"{first} + {second}"
        swapped = f"A X^T B + {second}"
    else:
        right = " ".join(factors)
        swapped = " ".join(reversed(factors))
    claim = {"transpose": f"({right})^T", "factor": f"{c!r} ({right})", "swap": swapped,
             "sign": f"-({right})"}[how]
    assert check_claim(f, wrt, right, where=where).ok
    r = check_claim(f, wrt, claim, where=where)
    assert not r.ok, f"{claim} was called correct for ∇_{wrt} {f}"


# ---------------------------------------------------------------- every verdict is numeric


def test_a_simplifier_that_calls_everything_equal_decides_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Symbolic equality may add a note, never a verdict: with a simplifier that maps every
    expression to the same node, every wrong claim is still wrong and every right one right."""
    from matcalc.checking import claims

    same = check_claim("a^T x", "x", "a").correct.expr
    monkeypatch.setattr(claims, "simplify", lambda e: same)
    for f, wrt, claim, where, _ in WRONG:
        assert not check_claim(f, wrt, claim, where=where).ok, claim
    for f, wrt, claim, where in CORRECT[:10]:
        assert check_claim(f, wrt, claim, where=where).ok, claim


def test_a_wrong_closed_form_of_matcalc_is_not_the_judge(monkeypatch: pytest.MonkeyPatch) -> None:
    """The claim is compared with torch.autograd, not with matcalc's gradient: when matcalc's
    closed form is wrong, a claim equal to it is wrong, the right claim is right, and a note says so."""
    from matcalc.checking import claims

    monkeypatch.setattr(claims, "grad", lambda f, wrt: matcalc.parse("2 a", where="a: vector(n)"))
    wrong = check_claim("a^T x", "x", "2 a")
    assert not wrong.ok and any("bug in matcalc" in n for n in wrong.notes)
    right = check_claim("a^T x", "x", "a")
    assert right.ok and right.method == "numeric"


# (function, variable, claim that matcalc's rules once called symbolically equal, a right claim)
SCALARS_SPREAD = [
    ("alpha x^T (1 ./ x)", "alpha", "1", "x^T (1 ./ x)"),
    ("alpha x^T (2 ./ x)", "alpha", "2", "sum(2 ./ x .* x)"),
    ("y^T (x - x + alpha + beta)", "y", "alpha + beta", "(alpha + beta) 1_n"),
    ("sum(alpha ./ x .* x)", "alpha", "1", "sum(x ./ x)"),
]


@pytest.mark.parametrize(("f", "wrt", "wrong", "right"), SCALARS_SPREAD)
def test_a_scalar_spread_over_an_array_counts_every_entry(f: str, wrt: str, wrong: str, right: str) -> None:
    r = check_claim(f, wrt, wrong)
    assert not r.ok, str(r)
    assert check_claim(f, wrt, right).ok


# ---------------------------------------------------------------- diagnosing never crashes


@pytest.mark.parametrize(("f", "wrt", "claim"), [
    ("a^T X b", "X", "2 b a^T"),
    ("<C, X>", "X", "C C^T"),
    ("<C, X>", "X", "2 C^T"),
    ("a^T X b", "X", "a b"),
    ("x^T A x", "x", "x^T (A + A^T)"),
    ("tr(X)", "X", "1"),
])
def test_diagnosing_an_ill_shaped_claim_does_not_crash(f: str, wrt: str, claim: str) -> None:
    r = check_claim(f, wrt, claim)
    assert not r.ok and r.error and r.method in ("shape", "parse")
    assert str(r)


@pytest.mark.parametrize("claim", ["a + z", "Z w", "a + 0 q", "alpha a"])
def test_a_claim_naming_a_variable_f_does_not_have_is_an_error(claim: str) -> None:
    r = check_claim("a^T x", "x", claim)
    assert not r.ok and r.method == "variables"
    assert "which f does not" in r.error and r.counterexample is None


# claims derived from the right gradient G: each is wrong or right, but judging it never crashes
PERTURB = ["({g})^T", "2 ({g})^T", "({g}) ({g})^T", "({g})^T ({g})", "({g}) .* ({g})", "-({g})", "({g}) + 1",
           "sum({g})", "({g}) + ({v})", "({v}) ({g})", "({g}) ({v})", "({v})^T ({g})", "0.5 ({g}) + ({v})^T",
           "({g}) ./ (1 + ({g}).^2)", "inv({g})", "tr({g})", "({g}) + I", "({v})"]


@settings(max_examples=int(os.environ.get("MATCALC_CLAIM_EXAMPLES", "40")), deadline=None)
@given(data=st.data())
def test_judging_any_claim_never_crashes(data: st.DataObject) -> None:
    f = data.draw(scalar_formulas(max_depth=3))
    assume(f.variables)
    wrt = data.draw(st.sampled_from(f.variables))
    g = matcalc.grad(f, wrt).text()
    v = data.draw(st.sampled_from(f.variables))
    claim = data.draw(st.sampled_from(PERTURB)).format(g=g, v=v)
    r = check_claim(f, wrt, claim)
    assert isinstance(r.ok, bool) and str(r)
    assert r.method in ("symbolic", "numeric", "shape", "parse", "variables")


def test_a_piecewise_constant_function_has_a_zero_gradient() -> None:
    assert check_claim("relu'(exp(3)^alpha) + sum(sign(x))", "alpha", "0").ok
    assert not check_claim("relu'(exp(3)^alpha)", "alpha", "alpha").ok


# ---------------------------------------------------------------- the checker's truth is autograd of hand-written code

# function -> (variable, its value by hand in torch: 2-D tensors, vectors as columns)
TWINS = {
    "a^T exp(X b)": ("X", lambda v, t: (v["a"].T @ t.exp(v["X"] @ v["b"])).sum()),
    "x^T A x": ("x", lambda v, t: (v["x"].T @ v["A"] @ v["x"]).sum()),
    "||A x - y||^2": ("x", lambda v, t: ((v["A"] @ v["x"] - v["y"]) ** 2).sum()),
    "tr(A X B)": ("X", lambda v, t: t.trace(v["A"] @ v["X"] @ v["B"])),
    "logdet(X)": ("X", lambda v, t: t.linalg.slogdet(v["X"])[1]),
    SIGMOID: ("W", lambda v, t: (t.sigmoid(v["W"] @ v["X"]) * (v["M"] @ t.sigmoid(v["W"] @ v["X"]))).sum()),
    "alpha x^T (1 ./ x)": ("alpha", lambda v, t: (v["alpha"] * (v["x"].T @ (1 / v["x"]))).sum()),
}


@pytest.mark.parametrize("f", list(TWINS))
def test_the_truth_claims_are_judged_against_is_autograd_of_the_function(f: str) -> None:
    import torch

    from matcalc.checking.numeric import sample_points, true_gradient
    from matcalc.lowering.evaluate import as_formula

    wrt, twin = TWINS[f]
    formula = as_formula(f)
    for point in sample_points([formula], seed=3):
        leaves = {k: torch.tensor(np.asarray(v, dtype=float).reshape(np.shape(v) if np.ndim(v) == 2 else (-1, 1)),
                                  dtype=torch.float64, requires_grad=True) for k, v in point.values.items()}
        twin(leaves, torch).backward()
        np.testing.assert_allclose(true_gradient(formula, wrt, point), leaves[wrt].grad.numpy(), rtol=1e-10)


@pytest.mark.parametrize(("f", "right", "wrong"), [
    ("tr(X^-1)", "-(X⁻²)ᵀ", "-X⁻²"),  # matcalc's own printed answer (fresh-user trial F4)
    ("tr(X^-2)", "-2 (X⁻³)ᵀ", "-2 X⁻³"),
])
def test_a_negative_superscript_power_is_read(f: str, right: str, wrong: str) -> None:
    """`X⁻²` is X^-2 in a claim, not '⁻' followed by ^2; the claim without its transpose is still wrong,
    and its counterexample is the hand-written -k X^-(k+1)."""
    good, bad = check_claim(f, "X", right), check_claim(f, "X", wrong)
    assert good.ok and good.method == "symbolic", str(good)
    assert not bad.ok and bad.method != "parse" and bad.mistake == "inverse-transpose", str(bad)
    k = 2 if "X^-1" in f else 3
    x = np.asarray(bad.counterexample.values["X"])
    inv = np.linalg.inv(x)
    assert np.allclose(bad.counterexample.claimed, -(k - 1) * np.linalg.matrix_power(inv, k))
    assert np.allclose(bad.counterexample.correct, -(k - 1) * np.linalg.matrix_power(inv, k).T)


@pytest.mark.parametrize("claim", ["2Ax", "$\\nabla_x f = 2Ax$", "∇_x f = 2Ax", "2A x", "0.5 (4Ax)"])
def test_a_coefficient_written_against_a_product(claim: str) -> None:
    """`2Ax` is 2 A x (fresh-user trial F5): right for a symmetric A; for any A the missing symmetric
    term, not 'uses Ax'; the counterexample is the hand-written 2 A x against (A + Aᵀ) x."""
    claim = claim.strip("$")
    good = check_claim("x^T A x", "x", claim, where="A: symmetric(n)")
    assert good.ok, str(good)
    bad = check_claim("x^T A x", "x", claim)
    assert not bad.ok and bad.mistake == "symmetric", str(bad)
    x, a = np.asarray(bad.counterexample.values["x"]), np.asarray(bad.counterexample.values["A"])
    assert np.allclose(bad.counterexample.claimed.reshape(-1), 2 * a @ x)
    assert np.allclose(bad.counterexample.correct.reshape(-1), (a + a.T) @ x)


def test_a_number_with_an_exponent_stays_a_number() -> None:
    assert check_claim("1e-3 x^T x", "x", "2e-3 x").ok
    assert not check_claim("1e-3 x^T x", "x", "2e-2 x").ok
