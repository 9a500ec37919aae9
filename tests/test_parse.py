"""Parser tests: every construct of shared/LANGUAGE.md, in plain text, Unicode and LaTeX.

Most cases are pairs (input, the same formula in plain ASCII): nodes are hash-consed, so
``parse(a).expr is parse(b).expr`` checks that two spellings build the same tree, shapes
included. The rest check naming conventions, declarations, definitions and inference.
"""

from __future__ import annotations

import numpy as np
import pytest

import matcalc
from matcalc.algebra.expr import walk

W = "A, B, C: matrix(n, n); x, y: vector(n); s: scalar"

# (input, equivalent plain text); both parsed with where=W.
SAME = [
    # operators, plain text
    ("A*B", "A B"), ("A @ B", "A B"), ("A .* B", "A ⊙ B"), ("A ∘ B", "A .* B"), ("A ./ B", "A ⊘ B"),
    ("A / s", "A ./ s"), ("A'", "A^T"), ("Aᵀ", "A^T"), ("A⁻¹", "A^-1"), ("A^(-1)", "A^-1"), ("inv(A)", "A^-1"),
    ("A^{-1}", "A^-1"), ("x.^2", "x .^ 2"), ("A B .* C", "(A B) .* C"), ("A .* B C", "(A .* B) C"),
    ("A + B C", "A + (B C)"), ("-A B", "(-A) B"), ("-A^T", "-(A^T)"), ("A - B - C", "(A - B) - C"),
    ("A B C", "(A B) C"), ("x' * A * x", "x^T A x"), ("A^T^-1", "(A^T)^-1"), ("x.^2.^3", "(x.^2).^3"),
    ("A (B + C)", "A * (B + C)"), ("A(B + C)^T", "A ((B + C)^T)"), ("s (x + y)", "s * (x + y)"),
    ("<x, y>", "⟨x, y⟩"), ("||x||", "norm(x)"), ("norm2(x)", "‖x‖"), ("||A||_F", "||A||"), ("||x||_2", "||x||"),
    ("||x||_1", "norm1(x)"), ("||x||^2", "(norm(x))^2"), ("||x|| ||y||", "norm(x) * norm(y)"),
    ("||x|| (y)", "norm(x) y"), ("||(||x|| y)||", "norm(norm(x) y)"), ("2.5 x", "(2.5) x"), (".5 x", "0.5 x"),
    ("1e-3 x", "0.001 x"), ("2.*x", "2 .* x"), ("A - 2", "A + (-2)"), ("x - 2 A y", "x + (-2) A y"),
    ("σ(x)", "sigmoid(x)"), ("logistic(x)", "sigmoid(x)"), ("tr(A)", "tr(A)"),
    # LaTeX
    (r"A \odot B", "A .* B"), (r"A \circ B", "A .* B"), (r"A^\top B", "A^T B"), (r"A^{T} B", "A^T B"),
    (r"A^{\top}", "A^T"), (r"A^{-1} x", "A^-1 x"), (r"\operatorname{tr}(A)", "tr(A)"), (r"\mathrm{tr}(A)", "tr(A)"),
    (r"\langle A, B \rangle", "<A, B>"), (r"\exp(x)", "exp(x)"), (r"\log(x)", "log(x)"), (r"\sigma(x)", "σ(x)"),
    (r"\mathbf{x}^\top \mathbf{y}", "x^T y"), (r"\mathbf{1}^\top x", "1_n^T x"),
    (r"\left( A + B \right) x", "(A + B) x"),
    (r"\frac{A}{s}", "A / s"), (r"\frac{x}{y}", "x ./ y"), (r"\|x\|_2^2", "||x||^2"),
    (r"\|x\|^2_2", "||x||^2"), ("‖x‖²₂", "||x||^2"), ("‖X‖^2_F", "||X||^2"),
    (r"A \cdot B", "A B"),
    (r"\{A + B\} x", "(A + B) x"), (r"{A^\top}^{-1}", "(A^T)^-1"), (r"\lVert x \rVert", "||x||"),
    (r"\exp \left( x \right)", "exp(x)"), (r"\sqrt{s}", "sqrt(s)"), (r"\log\det(A)", "logdet(A)"),
    (r"\det(A)", "det(A)"), (r"x^{\circ 2}", "x.^2"), (r"A \oslash B", "A ./ B"),
    (r"\operatorname{relu}'(x)", "relu'(x)"),
    (r"2 \cdot 3 x", "2 3 x"), (r"\tau (x + y)", "tau (x + y)"),
    # matrixcalculus.org pasted as-is
    ("x'*A*x", "x^T A x"), ("norm2(A*x-y)^2", "||A x - y||^2"),
    ("sum(log(exp(-y.*(A*x)) + vector(1)))", "sum(log(exp(-y .* (A x)) + 1_n))"),
    ("x'*eye*x", "x^T I x"), ("A + matrix(2)", "A + matrix(2)"),
]


@pytest.mark.parametrize(("text", "plain"), SAME)
def test_spellings_build_the_same_tree(text: str, plain: str) -> None:
    got, want = matcalc.parse(text, where=W), matcalc.parse(plain, where=W)
    assert got.expr is want.expr, (got.text(), want.text())


def shapes(text: str, **kw: object) -> dict[str, tuple]:
    f = matcalc.parse(text, **kw)
    return {d.name: d.shape for d in f.declarations}


def test_dimension_inference_of_the_worked_example() -> None:
    f = matcalc.parse("a^T exp(X b)")
    assert f.where == "a: vector(n); X: matrix(n, m); b: vector(m)"
    assert f.shape == (1, 1)
    assert f.text() == "a^T exp(X b)"


@pytest.mark.parametrize(("text", "where"), [
    ("X + W1 + W_2", "X: matrix(n, m); W1: matrix(n, m); W_2: matrix(n, m)"),
    ("alpha x + lambda y + λ2 z + sigma2 x",
     "alpha: scalar; x: vector(n); lambda: scalar; y: vector(n); lambda2: scalar; z: vector(n); sigma2: scalar"),
    ("x + b1 + y_hat", "x: vector(n); b1: vector(n); y_hat: vector(n)"),
    ("x^T I x", "x: vector(n)"),
    ("1_n^T x", "x: vector(n)"),
    ("𝟙^T x", "x: vector(n)"),
    ("x^T y + 1_3^T y", "x: vector(3); y: vector(3)"),
    ("2 A + 0 + 2.5", "A: matrix(n, m)"),
])
def test_naming_conventions(text: str, where: str) -> None:
    assert matcalc.parse(text).where == where


def test_numbers_are_scalars_and_one_by_one_is_scalar() -> None:
    assert matcalc.parse("2.5").shape == (1, 1)
    f = matcalc.parse("a^T b")
    assert f.shape == (1, 1)
    g = matcalc.parse("(a^T b) X")  # a 1×1 result scales a matrix
    assert g.shape == ("m", "k") and g.where == "a: vector(n); b: vector(n); X: matrix(m, k)"
    assert matcalc.parse("(x^T y) + 1").shape == (1, 1)


def test_ones_and_identity_take_inferred_sizes() -> None:
    f = matcalc.parse("𝟙^T A x + x^T I x where A: matrix(3, 4)")
    ones = next(n for n in walk(f.expr) if n.op == "fill")
    eye = next(n for n in walk(f.expr) if n.op == "identity")
    assert ones.shape == (1, 3) and eye.shape == (4, 4)  # 𝟙ᵀ is read as the row of ones


@pytest.mark.parametrize("where", [
    "A: symmetric(n); x: vector(n)",
    {"A": "symmetric(n)", "x": "vector(n)"},
    "where A: symmetric(n); x: vector(n)",
    "A: symmetric(n)\nx: vector(n)",
])
def test_where_argument_as_str_or_dict(where: str | dict) -> None:
    f = matcalc.parse("x^T A x", where=where)
    assert f.where == "x: vector(n); A: symmetric(n)"


def test_where_clause_forms() -> None:
    f = matcalc.parse("x^T A y where A: spd(n); x, y: vector(n)")
    assert f.where == "x: vector(n); A: spd(n); y: vector(n)"
    assert matcalc.parse("log(x) where x: vector(n) positive").where == "x: vector(n) positive"
    assert matcalc.parse("x^T y where x, y: vector(3)").where == "x: vector(3); y: vector(3)"
    assert matcalc.parse("B x where B: matrix(2, 5)").where == "B: matrix(2, 5); x: vector(5)"
    assert matcalc.parse("tr(M) where M: matrix(k)").where == "M: matrix(k, k)"
    assert matcalc.parse("alpha where alpha: scalar positive").where == "alpha: scalar positive"
    var = next(n for n in walk(matcalc.parse("sqrt(p) where p: vector(n) positive").expr) if n.op == "var")
    assert var.attr.positive


def test_definitions_are_named_and_listed() -> None:
    f = matcalc.parse("Y = sigmoid(W X); <Y, M Y>")
    assert [name for name, _ in f.definitions] == ["Y"]
    assert f.text() == "Y = sigmoid(W X); <Y, M Y>"
    assert f.where == "W: matrix(n, m); X: matrix(m, k); M: matrix(n, n)"
    Y = 1 / (1 + np.exp(-(np.array(_I2) @ np.array(_I2))))  # written by hand: <Y, M Y> with M = W = X = _I2
    assert matcalc.compile(f)(W=_I2, X=_I2, M=_I2) == pytest.approx(np.sum(Y * (np.array(_I2) @ Y)))
    multi = matcalc.parse("H = A x\nz = H + x\nz^T z")  # one per line; a definition may use an earlier one
    assert [name for name, _ in multi.definitions] == ["H", "z"]
    assert multi.text() == "H = A x; z = H + x; z^T z" and multi.where == "A: matrix(n, n); x: vector(n)"


_I2 = [[1.0, 0.5], [0.0, 2.0]]


def test_user_function_applies_entrywise() -> None:
    f = matcalc.parse("g(t) = log(1 + t^2); g(X)")
    assert f.expr is matcalc.parse("log(1 + X.^2)").expr
    assert matcalc.parse("g(t) = t sigmoid(t); g(x)").expr is matcalc.parse("x .* sigmoid(x)").expr
    assert matcalc.parse("g(t) = 2 t; g(alpha)").expr is matcalc.parse("2 alpha").expr


def test_user_function_derivative() -> None:
    diff = pytest.importorskip("matcalc.calculus.diff")
    if not hasattr(diff, "scalar_derivative"):
        pytest.skip("matcalc.calculus.diff.scalar_derivative not there yet")
    f = matcalc.parse("g(t) = log(1 + t^2); g'(X)")
    value = matcalc.compile(f)(X=[[0.5, -1.0]])
    assert value.tolist()[0] == pytest.approx([2 * 0.5 / 1.25, -2 / 2.0])


@pytest.mark.parametrize(("text", "plain"), [
    ("σ'(Z)", "σ(Z) ⊙ (1 - σ(Z))"),
    ("sigmoid'(Z)", "sigmoid(Z) .* (1 - sigmoid(Z))"),
    (r"\sigma'(Z)", "σ(Z) ⊙ (1 - σ(Z))"),
    ("exp'(Z)", "exp(Z)"),
    ("tanh'(Z)", "1 - tanh(Z).^2"),
])
def test_derivative_of_an_elementwise_function(text: str, plain: str) -> None:
    assert matcalc.parse(text).expr is matcalc.parse(plain).expr


def test_relu_derivative_is_the_step() -> None:
    f = matcalc.parse("relu'(Z)")
    assert f.expr.op == "step" and f.text() == "relu'(Z)"
    assert matcalc.compile(f)(Z=[[-1.0, 2.0]]).tolist() == [[0.0, 1.0]]


def test_latex_juxtaposition_and_names() -> None:
    assert matcalc.parse("Xb", notation="latex").expr is matcalc.parse("X b").expr
    f = matcalc.parse(r"X b + \mathrm{W1} x")
    assert f.where == "X: matrix(n, m); b: vector(m); W1: matrix(n, k); x: vector(k)"
    assert matcalc.parse(r"2x", notation="latex").expr is matcalc.parse("2 x").expr
    assert matcalc.parse("Xb").where == "Xb: matrix(n, m)"  # outside LaTeX, Xb is one name
    assert matcalc.parse(r"\alpha \mathbf{x}").expr is matcalc.parse("alpha x").expr
    assert matcalc.parse(r"W_{2} x_{i}").expr is matcalc.parse("W_2 x_i").expr
    assert matcalc.parse(r"\lambda x").expr is matcalc.parse("λ x").expr


def test_sigma_the_variable_and_sigma_the_function() -> None:
    product = matcalc.parse("s (x + y)", where="s: scalar").expr
    assert matcalc.parse("sigma (x + y)").expr.op == "matmul"
    assert matcalc.parse("sigma(x + y)").expr.op == "sigmoid"
    assert matcalc.parse(r"\sigma (x + y)", where="sigma: scalar").expr.op == "matmul"
    assert matcalc.parse(r"\sigma (x + y)").expr.op == "sigmoid"
    assert product.op == "matmul"


def test_diag_builds_or_takes_the_diagonal() -> None:
    assert matcalc.parse("diag(x)").shape == ("n", "n")
    assert matcalc.parse("diag(A)").shape == ("n", 1)
    assert matcalc.parse("diag(x)").expr.op == "diag" and matcalc.parse("diag(A)").expr.op == "diagvec"
    assert matcalc.parse("diag(alpha)").shape == (1, 1)  # a 1×1 is its own diagonal
    assert matcalc.compile("diag(a^T b)")(a=[1.0, 2.0], b=[3.0, 4.0]) == pytest.approx(11.0)


@pytest.mark.parametrize(("text", "shape"), [
    ("softmax(x)", ("n", 1)), ("softmax(X)", ("n", "m")), ("logsumexp(x)", (1, 1)), ("logsumexp(X)", (1, "m")),
    ("tr(A)", (1, 1)), ("det(A)", (1, 1)), ("logdet(A)", (1, 1)), ("sum(X)", (1, 1)), ("norm1(X)", (1, 1)),
    ("A^3", ("n", "n")), ("X.^0.5", ("n", "m")), ("alpha^2", (1, 1)), ("x x^T", ("n", "n")), ("x^T", (1, "n")),
])
def test_result_shapes(text: str, shape: tuple) -> None:
    assert matcalc.parse(text).shape == shape


def test_square_functions_make_their_argument_square() -> None:
    assert matcalc.parse("det(A) + tr(B) + logdet(C) + tr(inv(D)) + sum(E^2)").where == (
        "A: matrix(n, n); B: matrix(m, m); C: matrix(k, k); D: matrix(p, p); E: matrix(q, q)")


def test_integer_and_named_dimensions_mix() -> None:
    f = matcalc.parse("A x + b where A: matrix(3, n)")
    assert f.where == "A: matrix(3, n); x: vector(n); b: vector(3)"
    assert f.shape == (3, 1)


def test_sized_identity_and_constant_arrays() -> None:
    assert matcalc.parse("I_3").shape == (3, 3) and matcalc.parse("I_{n}", notation="latex").shape == ("n", "n")
    assert matcalc.parse("vector(2, k)").shape == ("k", 1)
    assert matcalc.parse("matrix(0.5, 2, m)").shape == (2, "m")
    with pytest.raises(matcalc.ParseError, match="a size is a positive integer or a name"):
        matcalc.parse("vector(2, 0)")
    with pytest.raises(matcalc.ParseError, match="takes a number c, or c and 2 size"):
        matcalc.parse("matrix(2, n)")
