"""Bad input: one clear MatcalcError per class, with its message and the caret's column.

Every case asserts the message text and ``.column`` (0-based, where str() draws the caret);
hostile inputs (5,000 nested brackets, 5,000 unary minuses, 100 kB) must give a result or
an error within a generous time, never a RecursionError; a fuzz test feeds random text
made of the formula alphabet and accepts only a Formula or a MatcalcError.
"""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import matcalc
from matcalc import MatcalcError, ParseError, ShapeError

# (formula, error class, message fragment, caret column)
CASES = [
    # syntax errors
    ("x + * y", ParseError, "unexpected '*'", 4),
    ("x +", ParseError, "the formula ends too early", 3),
    ("A^T^", ParseError, "the formula ends too early", 4),
    ("x where x: vectr(n)", ParseError, "unknown type 'vectr'", 11),
    ("x ; y", ParseError, "two formulas", 4),
    ("<A, B", ParseError, "'⟨' is never closed", 0),
    ("||x", ParseError, "'‖' is never closed", 0),
    ("||x|| + ||y", ParseError, "'‖' is never closed", 8),
    ("where x: scalar", ParseError, "no formula", None),
    # unknown names
    ("foo(x)", ParseError, "unknown function 'foo'", 0),
    ("2 bar(x) + x", ParseError, "unknown function 'bar'", 2),
    ("foo'(x)", ParseError, "unknown function \"foo'\"", 0),
    ("\\foo x", ParseError, "unknown LaTeX command '\\foo'", 0),
    ("log(x, y)", ParseError, "log() takes 1 argument(s), got 2", 0),
    # shape clashes: the message names both shapes
    ("x + A where A: matrix(3, 4); x: vector(3)", ShapeError,
     "addition ('+'): shapes vector(3) and 3×4 do not match", 2),
    ("x - A where A: matrix(3, 4); x: vector(3)", ShapeError,
     "subtraction ('-'): shapes vector(3) and 3×4 do not match", 2),
    ("A x where A: matrix(3, 4); x: vector(3)", ShapeError, "matrix product: shapes 3×4 and vector(3) do not match", 2),
    ("X b + c where X: matrix(3, 4); c: vector(5)", ShapeError,
     "addition ('+'): shapes vector(3) and vector(5) do not match", 4),
    ("<x, A> where A: matrix(3, 4); x: vector(3)", ShapeError, "shapes vector(3) and 3×4", 0),
    ("x .* y where x: vector(3); y: vector(4)", ShapeError, "Hadamard product: shapes vector(3) and vector(4)", 5),
    # undeclared names whose inferred shapes cannot agree: unknown sizes get names, not '?'
    ("a b", ShapeError, "matrix product: shapes vector(n) and vector(m) do not match", 2),
    ("X w + X", ShapeError, "addition ('+'): shapes vector(n) and n×m do not match", 4),
    ("A x + y^T A", ShapeError, "addition ('+'): shapes vector(n) and 1×m do not match", 4),
    # hints in the user's notation
    ("-y .* X*w", ShapeError, "hint: products group left to right, so this is (-y .* X) *w: write -y .* (X*w)", 6),
    ("\\operatorname{sofmax}(x)", ParseError, "hint: did you mean \\operatorname{softmax}?", 0),
    ("\\operatorname{foo}(x)", ParseError, "hint: matcalc's functions: abs,", 0),
    ("\\sum_i x_i", ParseError, "index sums (Σᵢ xᵢ) are not supported", 0),
    ("\\sum_{i=1}^n x_i y_i", ParseError, "write Σᵢ xᵢ as sum(x) or 1^T x, Σᵢ aᵢ bᵢ as a^T b", 0),
    ("1 + ∑ᵢ xᵢ", ParseError, "index sums", 4),
    ("Σᵢ log(pᵢ)", ParseError, "index sums", 0),
    ("Σ_{i=1}^n x_i", ParseError, "index sums", 0),
    ("sum_i x_i", ParseError, "index sums", 0),
    ("tr A * B", ParseError, "hint: write tr(A * B) or tr(A) * B", 0),
    ("x^T A x where A ∈ ℂ^{n×n}", ParseError, "cannot read the set 'ℂ^{n×n}'", 18),
    # square-only operations
    ("det(A) where A: matrix(3, 4)", ShapeError, "det needs a square matrix, got 3×4", 4),
    ("tr(B) where B: matrix(2, 3)", ShapeError, "tr needs a square matrix, got 2×3", 3),
    ("inv(x)", ShapeError, "inverse needs a square matrix, got vector(n)", 4),
    ("logdet(x)", ShapeError, "logdet needs a square matrix, got vector(n)", 7),
    ("A^2.5", ParseError, "a matrix power A^k needs an integer k", 2),
    ("A / x", ParseError, "'/' divides by a scalar; use './'", 2),
    ("x^T A x / x^T x", ParseError, "put it in parentheses: / (x^T x)", 8),
    # brackets
    ("(x + y", ParseError, "'(' is never closed", 0),
    ("exp((x + y)", ParseError, "'(' is never closed", 3),
    ("x + y)", ParseError, "unmatched ')'", 5),
    ("exp(x]", ParseError, "unmatched ']'", 5),
    ("[x + y)", ParseError, "unmatched ')'", 6),
    ("⟨x^-", ParseError, "'^-' needs an exponent after the sign", 3),  # typeset text cut short
    ("Y = X Y; tr(Y)", ParseError, "'Y' is defined in terms of itself", 0),
    # declarations
    ("x where x: vector(n, m)", ParseError, "'vector' takes 1 dimension(s), got 2", 11),
    ("x where x: vector(0)", ParseError, "a dimension must be a positive integer or a name", 11),
    ("x where x: vector(n) big", ParseError, "unknown qualifier 'big'", 21),
    ("x where x: tensor", ParseError, "unknown type 'tensor'", 11),
]


@pytest.mark.parametrize(("text", "kind", "message", "column"), CASES)
def test_error_message_and_caret(text: str, kind: type, message: str, column: int | None) -> None:
    with pytest.raises(kind) as info:
        matcalc.parse(text)
    err = info.value
    assert message in err.message
    assert err.column == column, str(err)
    if column is not None:  # str() shows the line and a caret under the column
        lines = str(err).splitlines()
        assert str(err).startswith(err.message)  # the message (and its hints), then the line and caret
        assert lines[-1] == "  " + " " * column + "^"
        assert lines[-2] == "  " + text


def test_declaration_without_colon_points_into_where() -> None:
    with pytest.raises(ParseError) as info:
        matcalc.parse("x^T x", where="a: scalar; x vector(n)")
    assert "hint: write x: vector(n)" in str(info.value)
    assert info.value.column == 11


@pytest.mark.parametrize("text", ["", "   ", "\n", "\t \n "])
def test_empty_formula(text: str) -> None:
    with pytest.raises(ParseError, match="empty formula") as info:
        matcalc.parse(text)
    assert info.value.column is None


def test_caret_on_a_later_line() -> None:
    with pytest.raises(ParseError) as info:
        matcalc.parse("Y = exp(x)\nfoo(Y)")
    assert info.value.column == 0 and str(info.value).splitlines()[-2] == "  foo(Y)"


def test_long_line_shows_a_window_around_the_caret() -> None:
    text = " + ".join(["x"] * 200) + " + foo(x)"
    with pytest.raises(ParseError) as info:
        matcalc.parse(text)
    *_, line, caret = str(info.value).splitlines()
    assert len(line) <= 102 and line[caret.index("^")] == "f"


def test_error_classes_are_matcalc_errors() -> None:
    assert issubclass(ParseError, MatcalcError) and issubclass(ShapeError, MatcalcError)


HOSTILE = {
    "5000 parentheses": "(" * 5000 + "x" + ")" * 5000,
    "5000 braces": "{" * 5000 + "x" + "}" * 5000,
    "5000 unclosed": "(" * 5000 + "x",
    "5000 unary minus": "-" * 5000 + "x",
    "5000 transposes": "x" + "'" * 5000,
    "3000 nested calls": "exp(" * 3000 + "x" + ")" * 3000,
    "2000 nested norms": "||" * 2000 + "x" + "||" * 2000,
    "100 kB sum": " + ".join(f"x_{i:06d}" for i in range(9200)),
    "100 kB product": " ".join(["W_layer1"] * 11200),
    "10,000-factor product": " ".join(["A"] * 10000),
    "100 kB of one name": "x" * 100_000,
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_input_gives_a_result_or_an_error(name: str) -> None:
    text = HOSTILE[name]
    assert len(text) >= 100_000 or "100 kB" not in name
    start = time.perf_counter()
    try:
        f = matcalc.parse(text)
        assert f.text()  # and it prints
    except MatcalcError as e:
        assert e.message and "Traceback" not in str(e)
    assert time.perf_counter() - start < 20, "generous bound: never a hang"


def test_deep_nesting_error_names_the_limit() -> None:
    with pytest.raises(ParseError, match="nested too deeply") as info:
        matcalc.parse("-" * 5000 + "x")
    assert info.value.column is not None


ALPHABET = st.sampled_from(list("xyAB12 .+-*/^'()[]{}<>,;|_=:TI") + [
    "exp", "log", "tr", "det", "where", "vector(n)", "matrix(n, m)", "\\odot", "\\frac", "\\left(", "\\right)",
    "⊙", "ᵀ", "σ", "⟨", "⟩", "𝟙", "‖", "⁻¹", "λ", "\\|", "\\mathbf{", "\\top", "^{", "}", "\\", "1_n", "relu'",
])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(ALPHABET, max_size=25).map("".join))
def test_any_text_gives_a_formula_or_a_matcalc_error(text: str) -> None:
    try:
        f = matcalc.parse(text)
    except MatcalcError as e:
        assert isinstance(e.message, str) and e.message
        str(e)  # drawing the caret never fails
        return
    for notation in ("text", "unicode", "latex"):
        assert isinstance(f.show(notation), str)


@settings(max_examples=50, deadline=None)
@given(st.text(max_size=30))
def test_arbitrary_unicode_gives_a_formula_or_a_matcalc_error(text: str) -> None:
    try:
        matcalc.parse(text)
    except MatcalcError:
        pass


@pytest.mark.parametrize(("command", "formula", "wrt", "hint"), [
    ("grad", "sum(exp(Xb))", "X", "'Xb' is one name here (plain text reads a word as one name); did you mean 'X b'?"),
    ("hessian", "sum(exp(Xb))", "X", "did you mean 'X b'?"),
    ("hessian", "mu^T x", "x", "hint: mu was typed as a scalar as a Greek letter; if it is a vector, declare it"),
    ("grad", "mu^T x", "x", "declare it: where mu: vector(n)"),
])
def test_derivative_errors_carry_the_retype_and_split_hints(cli, command: str, formula: str, wrt: str,
                                                            hint: str) -> None:
    run = cli(command, formula, "--wrt", wrt)
    assert run.code == 2 and hint in run.err and "Traceback" not in run.err


@pytest.mark.parametrize("text", ["x^T x = 3", "x^Tx = y"])
def test_an_equation_is_refused_not_read_as_a_head(text: str) -> None:
    """`x^T x = 3` is not `f = 3` with a head named x^T x: it is refused, with the way out."""
    with pytest.raises(MatcalcError) as e:
        matcalc.grad(text, "x")
    assert "is an equation, not a function" in str(e.value) and "hint: write the expression alone" in str(e.value)


@pytest.mark.parametrize("text", ["f(x) = x^T x", "L = x^T x", r"\mathcal{L} = \|x\|^2", "J(x) = ‖x‖²"])
def test_a_head_still_names_the_function(text: str) -> None:
    """A head that is a name or a call is kept out of the formula: ∇ of xᵀx (‖x‖²) is 2 x."""
    assert str(matcalc.grad(text, "x")) == "2 x"
