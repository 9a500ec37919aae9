"""Fresh-user trial of the reader (issue 9): sizes used as numbers, comma-separated declarations,
layer labels in wrt=, and the forms refused rather than misread, checked from Python and the CLI.

Values are compared with NumPy or torch code written here by hand, never with matcalc's lowering
on the reference side.
"""

from __future__ import annotations

import numpy as np
import pytest

import matcalc

RNG = np.random.default_rng(7)


def _value(f: matcalc.Formula, **values: np.ndarray) -> np.ndarray:
    return np.asarray(matcalc.compile(f)(**values), dtype=float)


# ---------------------------------------------------------------- a dimension name used as a number


def test_a_declared_dimension_reads_as_its_size_and_the_gradient_matches_autograd() -> None:
    torch = pytest.importorskip("torch")
    text = r"\frac{1}{n}\|Xw-y\|^2, X \in \mathbb{R}^{n\times d}"
    f = matcalc.parse(text)
    assert "n → the size n (a dimension you named; declare n to make it a variable)" in f.reading.guesses
    assert f.variables == ["X", "w", "y"]
    X, w, y = RNG.normal(size=(5, 3)), RNG.normal(size=(3, 1)), RNG.normal(size=(5, 1))
    tw = torch.tensor(w, requires_grad=True)
    (((torch.tensor(X) @ tw - torch.tensor(y)) ** 2).sum() / 5).backward()
    g = matcalc.grad(text, "w")
    assert np.allclose(_value(g, X=X, w=w, y=y).reshape(-1), tw.grad.numpy().reshape(-1))


@pytest.mark.parametrize(("text", "where"), [
    ("sum(x) / n", "x: vector(n)"),                    # where= names the size
    ("sum(x) / n where x: vector(n)", None),            # a where clause
    ("(1_n^T x) / n", None),                             # a sized ones vector
    ("(x^T I_n x) / (n x^T x) * sum(x)", None),          # a sized identity
])
def test_every_way_of_naming_a_dimension_makes_it_a_size(text: str, where: str | None) -> None:
    f = matcalc.parse(text, where=where)
    assert "n" not in f.variables
    x = RNG.uniform(0.5, 1.0, size=(4, 1))
    assert np.isclose(float(_value(f, x=x)), float(x.sum()) / 4)


def test_a_declared_variable_wins_over_a_size_and_matcalcs_own_names_make_no_size() -> None:
    f = matcalc.parse("sum(x) / n where x: vector(n); n: scalar")
    assert f.variables == ["x", "n"]
    x = RNG.uniform(size=(3, 1))
    assert np.isclose(float(_value(f, x=x, n=2.0)), float(x.sum()) / 2)
    with pytest.raises(matcalc.MatcalcError) as info:  # x typed vector(n) by matcalc: n is no size
        matcalc.parse("sum(x) / n")
    assert "declare n: scalar, or if n is the length of x, declare x: vector(n)" in str(info.value)


def test_a_size_prints_as_its_name_and_reads_back(cli) -> None:
    g = matcalc.grad("mean(x .* x)", "x")
    assert g.text() == "(2 x) / n"
    x = RNG.normal(size=(4, 1))
    assert np.allclose(_value(g, x=x).reshape(-1), 2 * x.reshape(-1) / 4)
    for notation in ("text", "unicode", "latex"):
        assert matcalc.parse(g.show(notation), where=g.where).expr is g.expr
    run = cli("grad", "mean(x .* x)", "--wrt", "x")
    assert run.code == 0 and "(2 x) / n" in run.out
    h = matcalc.grad("mean(x_hat) where x_hat: vector(d_model)", "x_hat")
    assert h.text() == "1_{d_model} / d_model" and matcalc.parse(h.latex()).expr is h.expr


def test_attention_with_d_declared_scales_by_the_size(cli) -> None:
    run = cli("parse", r"\mathrm{softmax}(QK^\top/\sqrt{d})V, Q \in \mathbb{R}^{n\times d}")
    assert run.code == 0 and "d → the size d" in run.out
    refused = cli("grad", r"\mathrm{softmax}(QK^\top/\sqrt{d})V", "--wrt", "V")
    assert refused.code == 2 and "declare d: scalar" in refused.err and "^" in refused.err


# ---------------------------------------------------------------- declarations separated by commas


@pytest.mark.parametrize("where", ["x: vector(n), A: matrix(n,n)", "x: vector(n), A: matrix(n, n); c: scalar",
                                   "x, b: vector(n), A: matrix(n, n)", "x ∈ ℝⁿ, A: matrix(n, n)",
                                   r"x, b \in \mathbb{R}^{n}, A \in \mathbb{R}^{n, n}"])
def test_where_takes_declarations_separated_by_commas(cli, where: str) -> None:
    g = matcalc.grad("x^T A x", "x", where=where)
    x, A = RNG.normal(size=(3, 1)), RNG.normal(size=(3, 3))
    assert np.allclose(_value(g, x=x, A=A).reshape(-1), ((A + A.T) @ x).reshape(-1))
    run = cli("grad", "x^T A x", "--wrt", "x", "--where", where)
    assert run.code == 0 and "(A + A^T) x" in run.out
    assert matcalc.parse(f"x^T A x where {where}").where.startswith("x: vector(n)")


def test_a_name_without_a_type_after_a_comma_is_refused_with_a_caret(cli) -> None:
    run = cli("grad", "x^T A x", "--wrt", "x", "--where", "x: vector(n), A")
    assert run.code == 2 and "'A' needs a type" in run.err and "^" in run.err


# ---------------------------------------------------------------- layer labels


def test_a_layer_label_is_said_in_the_reading_and_taken_by_wrt(cli) -> None:
    torch = pytest.importorskip("torch")
    text = r"\|W^{(2)} \sigma(W^{(1)} x) - y\|^2"
    f = matcalc.parse(text)
    assert any(g.startswith("W^{(1)} → W_1 (a layer label") for g in f.reading.guesses)
    v = {"W_2": RNG.normal(size=(2, 3)), "W_1": RNG.normal(size=(3, 4)), "x": RNG.normal(size=(4, 1)),
         "y": RNG.normal(size=(2, 1))}
    t = {k: torch.tensor(a, requires_grad=k == "W_1") for k, a in v.items()}
    ((t["W_2"] @ torch.sigmoid(t["W_1"] @ t["x"]) - t["y"]) ** 2).sum().backward()
    for wrt in ("W^{(1)}", "W^{[1]}", "W⁽¹⁾", "W_1"):
        assert np.allclose(_value(matcalc.grad(text, wrt), **v), t["W_1"].grad.numpy())
    run = cli("grad", text, "--wrt", "W^{(1)}")
    assert run.code == 0 and "W^{(1)} → W_1" in run.out


def test_a_layer_label_in_a_declaration_is_the_same_name() -> None:
    f = matcalc.parse(r"\|W^{(1)} x\|^2, W^{(1)} \in \mathbb{R}^{n\times d}")
    assert f.where == "W_1: matrix(n, d); x: vector(d)"
    W, x = RNG.normal(size=(2, 3)), RNG.normal(size=(3, 1))
    assert np.isclose(float(_value(f, **{"W^{(1)}": W, "x": x})), float(np.sum((W @ x) ** 2)))


def test_a_claim_may_use_the_size() -> None:
    assert matcalc.check_claim("(1/n) x^T x where x: vector(n)", "x", "(2/n) x").ok
    assert not matcalc.check_claim("(1/n) x^T x where x: vector(n)", "x", "2 x").ok


# ---------------------------------------------------------------- refused, not misread


def test_refusals_exit_2_with_a_caret_from_the_cli(cli) -> None:
    for text, wrt, said in [(r"\mathbb{E}[x^T A x]", "x", "expectations"), (r"-\sum y\log p", "p", "-y^T \\log p"),
                            ("x^T x * 1e400", "x", "too large for float64"), ("x^T x / 1e-400", "x", "underflows"),
                            ("vec(X)^T kron(A, B) vec(X)", "X", "declare the shapes of A and B")]:
        run = cli("grad", text, "--wrt", wrt)
        assert run.code == 2 and said in run.err and "^" in run.err, run.err


def test_a_kron_size_clash_with_declared_factors_has_a_caret() -> None:
    with pytest.raises(matcalc.ShapeError) as info:
        matcalc.parse("vec(X)^T kron(A, B) vec(X) where X: matrix(n,m); A: matrix(n,p); B: matrix(m,r)")
    assert info.value.column == 20 and "shapes 1×(p·r) and vector(m·n) do not match" in str(info.value)
    with pytest.raises(matcalc.MatcalcError) as info:  # undeclared factors: each factor's shape is said
        matcalc.parse("vec(X)^T kron(A, B) vec(X) where X: matrix(n, m)")
    assert "(A: k×q, B: p×r), where its use needs (m·n)×(m·n)" in str(info.value)


def test_bars_read_det_of_a_matrix_and_abs_of_a_scalar() -> None:
    f = matcalc.parse(r"\log|\Sigma| + |\Sigma| + |a^\top b|")
    assert "|Σ| → det(Σ) (bars around a matrix)" in f.reading.guesses
    S, a, b = RNG.normal(size=(3, 3)) + 3 * np.eye(3), RNG.normal(size=(3, 1)), RNG.normal(size=(3, 1))
    expected = np.log(np.linalg.det(S)) + np.linalg.det(S) + abs((a.T @ b).item())
    assert np.isclose(float(_value(f, Sigma=S, a=a, b=b)), expected)


def test_a_typeset_dot_takes_the_product_after_it_only_for_a_vector() -> None:
    assert matcalc.parse("x · Σx").reading.formula == "⟨x, Σ x⟩"
    assert matcalc.parse("x · y").reading.formula == "⟨x, y⟩"
    assert matcalc.parse(r"2 \cdot A x").reading.formula == "2 A x"
    with pytest.raises(matcalc.ShapeError):
        matcalc.parse("x · A")
