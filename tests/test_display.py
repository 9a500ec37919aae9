"""Notebook display: every result object has a short repr, Markdown with $…$ math, and HTML with MathML."""

from __future__ import annotations

from pathlib import Path

import pytest

import matcalc
from matcalc.checking.homework import check_homework
from matcalc.display import Gradients, Homework, has_mathml

ROOT = Path(__file__).resolve().parents[1]
pytest.importorskip("torch")


def _results() -> dict[str, object]:
    return {
        "formula": matcalc.parse("a^T exp(X b)"),
        "gradient": matcalc.grad("a^T exp(X b)", "X"),
        "gradients": matcalc.grad("Y = sigmoid(W X); <Y, M Y>", ["W", "X"]),
        "derivation": matcalc.derive("a^T exp(X b)", "X"),
        "check": matcalc.check("a^T exp(X b)", "X", trials=1),
        "claim": matcalc.check_claim("||A x - b||^2", "x", "2 A^T (A x - b)"),
        "steps": matcalc.check_steps("df = <1, d(a^T exp(X b))>\n = <a, d(exp(X b))>\n = <a b^T, dX>"),
        "homework": check_homework((ROOT / "examples" / "homework.md").read_text(encoding="utf-8")),
    }


@pytest.fixture(scope="module")
def results() -> dict[str, object]:
    return _results()


EXPECTED_REPR = {
    "formula": "Formula('a^T exp(X b)')",
    "gradient": "Formula('(exp(X b) .* a) b^T')",
    "derivation": "Derivation('a^T exp(X b)', wrt=['X'], 7 steps)",
    "homework": "Homework(3 of 7 problems right)",
}


@pytest.mark.parametrize("name", list(EXPECTED_REPR))
def test_repr_is_short_and_says_what_it_is(results, name) -> None:
    assert repr(results[name]) == EXPECTED_REPR[name]


@pytest.mark.parametrize("name", ["gradients", "check", "claim", "steps", "homework"])
def test_repr_is_one_short_line(results, name) -> None:
    text = repr(results[name])
    assert "\n" not in text and len(text) <= 160, text
    assert "=" not in text.split("(")[0]  # not a dataclass dump: Name(...)
    assert "Expr(" not in text and "Declaration(" not in text


def test_gradients_stay_a_dict(results) -> None:
    g = results["gradients"]
    assert isinstance(g, Gradients) and isinstance(g, dict)
    assert set(g) == {"W", "X"} and str(g["X"]).endswith("W^T (Y .* (1 - Y) .* ((M + M^T) Y))")
    assert repr(g).startswith("Gradients(W='")


MARKDOWN = {
    "formula": ["$a^\\top \\exp(X b)$", "$X$ matrix(n, m) n×m"],
    "gradients": ["$\\nabla_{W} f = ", "where $Y = \\sigma(W X)$"],
    "derivation": ["$= a^\\top (\\exp(X b) \\odot d(X b))$", "elementwise chain rule"],
    "check": ["✓ **check against torch.autograd", "largest relative error"],
    "claim": ["✓ $\\nabla_{x} f = 2 A^\\top", "symbolically equal"],
    "steps": ["✗ **derivation", "✗ 3", "first wrong line: 3"],
    "homework": ["3 of 7 problems right", "✗ **Problem 4", "mistake: a missing or extra transpose", "counterexample"],
}


@pytest.mark.parametrize("name", list(MARKDOWN))
def test_markdown_has_math_and_marks(results, name) -> None:
    md = results[name]._repr_markdown_()
    for part in MARKDOWN[name]:
        assert part in md, (part, md[:600])


@pytest.mark.skipif(not has_mathml(), reason="latex2mathml (the web extra) is not installed")
@pytest.mark.parametrize("name", list(MARKDOWN))
def test_html_has_mathml_and_no_script(results, name) -> None:
    html = results[name]._repr_html_()
    assert "<math" in html and "<script" not in html and "http" not in html.replace(
        "http://www.w3.org/1998/Math/MathML", "")


def test_homework_set_is_a_list_of_problem_results(results) -> None:
    h = results["homework"]
    assert isinstance(h, Homework) and isinstance(h, list)
    assert [r.ok for r in h] == [True, True, True, False, False, False, False] and h.right == 3 and not h.ok
