"""Printer tests: every printed form parses back to the same tree, with the fewest parentheses.

The round trip runs over random well-typed formulas (tests/strategies.py) in all three
notations: ``parse(show(e), where=formula.where, notation=...)`` must build the very
same (hash-consed) node, so the same value: no evaluation through matcalc is needed.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from strategies import formulas

import matcalc
from matcalc.language.printers import show

NOTATIONS = ("text", "unicode", "latex")
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(formulas())
def test_every_form_parses_back_to_the_same_tree(f: matcalc.Formula) -> None:
    for notation in NOTATIONS:
        printed = f.show(notation)
        again = matcalc.parse(printed, where=f.where, notation=notation)
        assert again.expr is f.expr, (notation, printed, again.show(notation))


@SETTINGS
@given(formulas())
def test_forms_parse_back_without_the_notation_hint(f: matcalc.Formula) -> None:
    """LaTeX is recognized by its backslash; text and Unicode need no hint either."""
    for notation in NOTATIONS:
        printed = f.show(notation)
        if notation == "latex" and "\\" not in printed:
            continue  # a LaTeX form with no command reads the same as text except for juxtaposed letters
        assert matcalc.parse(printed, where=f.where).expr is f.expr, (notation, printed)


@settings(max_examples=25, deadline=None)
@given(formulas())
def test_printing_is_idempotent_and_the_expression_survives(f: matcalc.Formula) -> None:
    """Reading the printed text gives the same node (hash-consed: the same tree, so the same value)."""
    again = matcalc.parse(f.text(), where=f.where)
    assert again.text() == f.text()
    assert again.expr is f.expr, (f.text(), again.text())


W = "A, B, C: matrix(n, n); x, y: vector(n); s, sigma: scalar; p: vector(n) positive"

# (input, text form, unicode form, latex form)
EXPECTED = [
    ("A (B C)", "A (B C)", "A (B C)", "A (B C)"),
    ("(A B) C", "A B C", "A B C", "A B C"),
    ("A B .* C", "(A B) .* C", "(A B) ⊙ C", "(A B) \\odot C"),
    ("A .* B C", "(A .* B) C", "(A ⊙ B) C", "(A \\odot B) C"),
    ("A .* (B C)", "A .* (B C)", "A ⊙ (B C)", "A \\odot (B C)"),  # level 2 is left-associative
    ("-(A B)", "-(A B)", "-(A B)", "-(A B)"),
    ("-A B", "-A B", "-A B", "-A B"),
    ("A - (B - C)", "A - (B - C)", "A - (B - C)", "A - (B - C)"),
    ("A - B - C", "A - B - C", "A - B - C", "A - B - C"),
    ("A + (B + C)", "A + B + C", "A + B + C", "A + B + C"),
    ("(A + B)^T", "(A + B)^T", "(A + B)ᵀ", "(A + B)^\\top"),
    ("(A^T)^-1", "A^-T", "A⁻ᵀ", "A^{-\\top}"),
    ("(A^-1)^T", "(A^-1)^T", "(A⁻¹)ᵀ", "(A^{-1})^\\top"),  # no stacked postfixes (issue 13)
    ("(x.^2).^3", "(x.^2).^3", "(x^{∘2})^{∘3}", "(x^{\\circ 2})^{\\circ 3}"),
    ("(A B)^T", "(A B)^T", "(A B)ᵀ", "(A B)^\\top"),
    ("x^T A x", "x^T A x", "xᵀ A x", "x^\\top A x"),
    ("<A, B>", "<A, B>", "⟨A, B⟩", "\\langle A, B \\rangle"),
    ("||x||^2", "||x||^2", "‖x‖²", "\\|x\\|^{2}"),
    ("norm1(x)", "norm1(x)", "norm1(x)", "\\|x\\|_1"),
    ("tr(A) + det(A) + logdet(A)", "tr(A) + det(A) + logdet(A)", "tr(A) + det(A) + logdet(A)",
     "\\operatorname{tr}(A) + \\det(A) + \\log\\det(A)"),
    ("sigmoid(x) .* exp(x)", "sigmoid(x) .* exp(x)", "σ(x) ⊙ exp(x)", "\\sigma(x) \\odot \\exp(x)"),
    ("sigma (x + y)", "sigma (x + y)", "σ (x + y)", "\\sigma \\cdot (x + y)"),
    ("sqrt(p)", "sqrt(p)", "sqrt(p)", "\\sqrt{p}"),
    ("A - 2", "A - 2", "A - 2", "A - 2"),
    ("x - 2 A y", "x - 2 A y", "x - 2 A y", "x - 2 A y"),
    ("x + -(2 A y)", "x + -(2 A y)", "x + -(2 A y)", "x + -(2 A y)"),
    ("-2 x", "-2 x", "-2 x", "-2 x"),
    ("x (-2)", "x (-2)", "x (-2)", "x (-2)"),
    ("2 3 x", "2 3 x", "2 3 x", "2 \\cdot 3 x"),
    ("x / 2 + x ./ p", "x / 2 + x ./ p", "x / 2 + x ./ p", "x / 2 + x \\oslash p"),
    ("1_n^T x + 𝟙^T y", "1_n^T x + 1_n^T y", "𝟙_nᵀ x + 𝟙_nᵀ y", "\\mathbf{1}_{n}^\\top x + \\mathbf{1}_{n}^\\top y"),
    ("A + I", "A + I_n", "A + I_n", "A + I_{n}"),
    ("A^3 + A^-1", "A^3 + A^-1", "A³ + A⁻¹", "A^{3} + A^{-1}"),
    ("s^2 x", "s^2 x", "s² x", "s^{2} x"),
    ("(-s)^2", "(-s)^2", "(-s)²", "(-s)^{2}"),
    ("-s^2", "-s^2", "-s²", "-s^{2}"),
    ("A.^s", "A.^s", "A^{∘s}", "A^{\\circ s}"),
    ("relu'(x)", "relu'(x)", "relu'(x)", "\\operatorname{relu}'(x)"),
    ("diag(x) + diag(diag(A))", "diag(x) + diag(diag(A))", "diag(x) + diag(diag(A))",
     "\\operatorname{diag}(x) + \\operatorname{diag}(\\operatorname{diag}(A))"),
    ("lambda x", "lambda x", "λ x", "\\lambda x"),
]


@pytest.mark.parametrize(("source", "text", "uni", "latex"), EXPECTED)
def test_printed_forms(source: str, text: str, uni: str, latex: str) -> None:
    f = matcalc.parse(source, where=W)
    assert (f.text(), f.unicode(), f.latex()) == (text, uni, latex)
    for notation in NOTATIONS:
        assert matcalc.parse(f.show(notation), where=f.where, notation=notation).expr is f.expr


def test_names_in_each_notation() -> None:
    f = matcalc.parse("W1 x_1 + W_2 y_hat + alpha2 z", where="alpha2: scalar")
    assert f.text() == "W1 x_1 + W_2 y_hat + alpha2 z"
    assert f.unicode() == "W1 x₁ + W₂ ŷ + α2 z"  # typeset subscript digits and hats, as a PDF writes them
    assert f.latex() == "\\mathrm{W1} x_{1} + W_{2} \\hat{y} + \\mathrm{alpha2} z"
    for notation in NOTATIONS:
        assert matcalc.parse(f.show(notation), where=f.where).expr is f.expr


def test_constant_arrays_keep_their_size() -> None:
    f = matcalc.parse("x + vector(2) + 𝟙 where x: vector(3)")
    assert f.text() == "x + 2 1_3 + 1_3"
    assert matcalc.parse(f.text(), where=f.where).expr is f.expr
    row = matcalc.parse("x^T + 1_3^T where x: vector(3)")
    assert row.text() == "x^T + 1_3^T"


def test_definitions_print_before_the_formula() -> None:
    f = matcalc.parse("Y = sigmoid(W X); <Y, M Y>")
    assert f.unicode() == "Y = σ(W X); ⟨Y, M Y⟩"
    assert f.latex() == "Y = \\sigma(W X);\\quad \\langle Y, M Y \\rangle"
    for notation in NOTATIONS:
        assert matcalc.parse(f.show(notation), notation=notation).expr is f.expr
    layers = matcalc.parse("h1 = tanh(W1 x); h2 = tanh(W2 h1); sum(h2) + sum(h1)")
    assert layers.latex().startswith("\\mathrm{h1} = \\tanh(\\mathrm{W1} x);\\quad \\mathrm{h2} = ")
    for notation in NOTATIONS:
        assert matcalc.parse(layers.show(notation), where=layers.where, notation=notation).expr is layers.expr


def test_identity_shows_its_size() -> None:
    """Always: in `s I` or `tr(I)` nothing around the identity says its size."""
    f = matcalc.parse("I_m + I_m")
    assert (f.text(), f.latex()) == ("I_m + I_m", "I_{m} + I_{m}")
    assert matcalc.parse("A + I").text() == "A + I_n"
    g = matcalc.grad("tr(S)^0.5 where S: spd(n)", "S")  # 0.5 tr(S)^-0.5 I: the size is not inferable
    assert matcalc.parse(g.text(), where=g.where).expr is g.expr
    for notation in NOTATIONS:
        assert matcalc.parse(f.show(notation), notation=notation).expr is f.expr


def test_constant_matrix_shows_its_size() -> None:
    """Always, like I_n: next to a scalar factor nothing else would say its size."""
    f = matcalc.parse("matrix(2, m, n)")
    assert (f.text(), f.latex()) == ("2 1_m 1_n^T", "2 \\mathbf{1}_{m} \\mathbf{1}_{n}^\\top")  # as books write it
    assert matcalc.parse("A + matrix(2)").text() == "A + 2 1_n 1_m^T"
    g = matcalc.grad("tanh(sum(K))", "K")  # a scalar times a matrix of ones
    assert matcalc.parse(g.text(), where=g.where).expr is g.expr
    for notation in NOTATIONS:
        assert matcalc.parse(f.show(notation), notation=notation).expr is f.expr


def test_repr_latex_for_jupyter() -> None:
    f = matcalc.parse("a^T exp(X b)")
    assert f._repr_latex_() == "$$a^\\top \\exp(X b)$$"
    assert str(f) == "a^T exp(X b)" and repr(f) == "Formula('a^T exp(X b)')"


def test_show_rejects_an_unknown_notation() -> None:
    with pytest.raises(ValueError, match="notation must be one of"):
        show(matcalc.parse("x").expr, "markdown")


@pytest.mark.parametrize("formula, wrt, uni", [
    ("tr(X^-1)", "X", "-(X⁻²)ᵀ"), ("tr(X^-2)", "X", "-2 (X⁻³)ᵀ"), ("tr(K K K)", "K", "3 (K²)ᵀ"),
    ("sum(x .^ -0.5)", "x", "-0.5 x^{∘-1.5}"), ("tr(X^12)", "X", "12 (X¹¹)ᵀ"), ("tr(X^-10)", "X", "-10 (X⁻¹¹)ᵀ"),
])
def test_printed_powers_are_typeset_and_read_back(formula: str, wrt: str, uni: str) -> None:
    """Unicode never mixes ASCII ^-2 or .^ with ᵀ; (Aᵏ)ᵀ reads back as the simplifier's (Aᵀ)ᵏ."""
    g = matcalc.grad(formula, wrt)
    assert g.unicode() == uni
    for notation in NOTATIONS:
        assert matcalc.parse(g.show(notation), where=g.where, notation=notation).expr is g.expr, notation


def test_dimension_names_with_underscores_are_valid_latex() -> None:
    """`\\mathbf{1}_{d_model}` is d_m·odel to LaTeX: a dimension's subscript is braced, d_{\\mathrm{model}}."""
    where = "x: vector(d_model); W_1: matrix(d_model, n_out); lambda_1: scalar"
    for text in ["x^T 1_{d_model} 1_{d_model}^T x", "W_1 + 1_{d_model} 1_{n_out}^T", "lambda_1 W_1 + 0_{d_model×n_out}",
                 "I x + 0_{d_model}", "W_1^T x + 0_{n_out}"]:
        f = matcalc.parse(text, where=where)
        latex = f.latex()
        assert "d_model" not in latex and "n_out" not in latex and "_{\\mathrm{" in latex, latex
        for notation in NOTATIONS:
            assert matcalc.parse(f.show(notation), where=f.where, notation=notation).expr is f.expr, notation


def test_greek_spelling_is_kept_in_text() -> None:
    typed, spelled = matcalc.parse("λ_1 x + α y"), matcalc.parse("lambda_1 x + alpha y")
    assert typed.expr is spelled.expr
    assert (typed.text(), spelled.text()) == ("λ_1 x + α y", "lambda_1 x + alpha y")
    assert typed.unicode() == spelled.unicode() == "λ₁ x + α y"
    assert typed.latex() == spelled.latex() == "\\lambda_{1} x + \\alpha y"
    assert [d.typeset for d in typed.declarations] == [True, False, True, False]
    assert matcalc.grad("λ_1 x^T y", "lambda_1").text() == "x^T y"
    assert matcalc.grad("λ_1 x^T y", "y").text() == "λ_1 x"  # the gradient keeps the declarations' spelling
    assert matcalc.grad("α x^T x", "x").text() == "2 α x"
    assert matcalc.derive("λ x^T x", "x").show("text").splitlines()[-1].split() == ["grad_x", "f", "=", "2", "λ", "x"]
    assert str(matcalc.hessian("λ x^T x", "x").derivation).splitlines()[-1].split()[-3:] == ["2", "λ", "I_n"]


@pytest.mark.parametrize("typeset, plain", [("X⁻¹²", "X^-12"), ("X²³ᵀ", "(X^23)^T"), ("α¹⁰ x", "alpha^10 x"),
                                            ("X⁻¹ᵀ", "(X^-1)^T"), ("A⁻¹ B", "A^-1 B")])
def test_superscript_digits_are_one_exponent(typeset: str, plain: str) -> None:
    """X⁻¹² is X to the -12, never (X⁻¹)²."""
    assert matcalc.parse(typeset).expr is matcalc.parse(plain).expr


@pytest.mark.parametrize("formula, wrt, uni", [
    ("sum(A X)", "X", "Aᵀ 𝟙_n 𝟙_kᵀ"), ("sum(A X B)", "X", "Aᵀ 𝟙_n 𝟙_pᵀ Bᵀ"),
    ("1_n^T X^T A X 1_n", "X", "A X 𝟙_n 𝟙_nᵀ + (Aᵀ X 𝟙_n) 𝟙_nᵀ"),  # (v) 𝟙ᵀ, an outer product, keeps its parentheses
])
def test_a_ones_matrix_on_the_right_needs_no_parentheses(formula: str, wrt: str, uni: str) -> None:
    g = matcalc.grad(formula, wrt, where="X: matrix(n, n)" if "1_n" in formula else None)
    assert g.unicode() == uni
    for notation in NOTATIONS:
        assert matcalc.parse(g.show(notation), where=g.where, notation=notation).expr is g.expr, notation


def test_decorated_names_print_as_written() -> None:
    """\\hat{y} and ŷ are the name y_hat: printed back as \\hat{y} and ŷ, not y_{\\mathrm{hat}}."""
    f = matcalc.parse("\\hat{y}^\\top x + \\bar{x}_1^\\top \\hat{W}_1 x + \\tilde{\\lambda}",
                      where="W_hat_1: matrix(n, n)")
    assert f.text() == "y_hat^T x + x_bar_1^T W_hat_1 x + lambda_tilde"
    assert f.unicode() == "\u0177\u1d40 x + x\u0304\u2081\u1d40 \u0174\u2081 x + \u03bb\u0303"
    assert f.latex() == "\\hat{y}^\\top x + \\bar{x}_{1}^\\top \\hat{W}_{1} x + \\tilde{\\lambda}"
    for notation in NOTATIONS:
        assert matcalc.parse(f.show(notation), where=f.where, notation=notation).expr is f.expr, notation
