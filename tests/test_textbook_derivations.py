"""Derivations a teacher would write (issue 13): every line is one rule, no line only moves a
number or renames a bookkeeping weight (<1, …> → <2, …>), the first line is df = d(f), each rule
is labelled by what it did (d‖A‖² is not d(A.^p)), and labels use the notation's symbols (ASCII
in text, Unicode math in unicode and on the web page / notebook). Each written line still equals
df: checked numerically with torch forward mode, as tests/test_derivation.py checks the steps."""

from __future__ import annotations

import numpy as np
import pytest
from test_derivation import _state_value

import matcalc
from matcalc.algebra import ops
from matcalc.calculus.diff import Step
from matcalc.checking.sample import sample_inputs

torch = pytest.importorskip("torch")

CASES = [("||A x - b||^2", "x"), ("a^T exp(X b)", "X"), ("Y = sigmoid(W X); <Y, M Y>", "W"),
         ("x^T A x / (x^T x)", "x"), ("sqrt(x^T A x)", "x"), ("-y^T log(softmax(W x))", "W"),
         ("sum(log(1 + exp(X)))", "X"), ("x^T A x", "x"), ("1/2 ||X w - y||^2", "w")]


@pytest.mark.parametrize("formula,wrt", CASES)
def test_no_bookkeeping_lines_and_labels_in_the_notation(formula: str, wrt: str) -> None:
    d = matcalc.derive(formula, wrt)
    text, uni = d.lines("text"), d.lines("unicode")
    assert len(text) == len(uni) == len(d.lines("latex"))
    rhs = [r for _, r, _ in text]
    assert rhs[0] == "d(" + matcalc.Formula(d.formula.expr).text() + ")"  # df = d(f), not <1, d(f)>
    assert all(a != b for a, b in zip(rhs, rhs[1:])), rhs  # each line changes what is written
    assert not any(r.startswith("<1,") or " <1," in r for r in rhs)
    assert all(rule.isascii() for _, _, rule in text), [rule for _, _, rule in text]
    assert not any("<" in rule or ">" in rule for _, _, rule in uni), [rule for _, _, rule in uni]


def test_the_norm_squared_step_is_labelled_as_such() -> None:
    rules = [rule for _, _, rule in matcalc.derive("||A x - b||^2", "x").lines("unicode")]
    assert rules[1] == "d(‖A‖²) = 2 ⟨A, dA⟩" and not any("A.^p" in r for r in rules)
    text = matcalc.derive("||A x - b||^2", "x").show("text")
    assert "[d(||A||^2) = 2 <A, dA>]" in text and "⟨" not in text


def test_lines_carry_the_rule_they_applied() -> None:
    """Trial F11: moving 1/2 or 0.5·2 into the weight is no line labelled with the adjoint rule, and
    xᵀ A x has no <xᵀ, d(xᵀ A)> line: an intermediate differential keeps the product it came from."""
    lines = matcalc.derive("1/2 ||X w - y||^2", "w").lines("text")
    assert [rule for _, _, rule in lines[1:-1]] == ["product rule", "d(||A||^2) = 2 <A, dA>", "d(A + B) = dA + dB",
                                                   "product rule", "<G, A B> = <G B^T, A> = <A^T G, B>"]
    assert lines[2][1] == "(X w - y)^T d(X w - y)"
    rhs = [r for _, r, _ in matcalc.derive("x^T A x", "x").lines("text")]
    assert rhs == ["d(x^T A x)", "d(x^T A) x + x^T A dx", "d(x^T A) x + <A^T x, dx>", "d(x^T) A x + <A^T x, dx>",
                   "dx^T (A x) + <A^T x, dx>", "<A x, dx> + <A^T x, dx>", "<(A + A^T) x, dx>", "(A + A^T) x"]


HAND = {  # the functions written by hand in torch (vectors as columns), for df in a direction
    "||A x - b||^2": ("A: matrix(3, 2)", lambda A, x, b: ((A @ x - b) ** 2).sum()),
    "a^T exp(X b)": ("X: matrix(3, 2)", lambda a, X, b: (a.T @ torch.exp(X @ b)).sum()),
    "Y = sigmoid(W X); <Y, M Y>": ("W: matrix(3, 2); X: matrix(2, 4)",
                                   lambda W, X, M: (torch.sigmoid(W @ X) * (M @ torch.sigmoid(W @ X))).sum()),
    "x^T A x / (x^T x)": ("A: matrix(3, 3)", lambda x, A: ((x.T @ A @ x) / (x.T @ x)).sum()),
    "sqrt(x^T A x)": ("A: spd(3)", lambda x, A: torch.sqrt(x.T @ A @ x).sum()),
    "x^T A x": ("A: matrix(3, 3)", lambda x, A: (x.T @ A @ x).sum()),
    "1/2 ||X w - y||^2": ("X: matrix(4, 3)", lambda X, w, y: 0.5 * ((X @ w - y) ** 2).sum()),
}


@pytest.mark.parametrize("formula,wrt", [case for case in CASES if case[0] in HAND])
def test_every_written_line_equals_df(formula: str, wrt: str) -> None:
    where, fn = HAND[formula]
    d = matcalc.derive(formula, wrt, where=where)
    rng = np.random.default_rng(1)
    values = sample_inputs(d.formula, rng)
    directions = {wrt: rng.standard_normal(np.shape(values[wrt]))}
    t = {k: torch.tensor(np.asarray(v), dtype=torch.float64) for k, v in values.items()}
    t = {k: v.reshape(-1, 1) if v.ndim == 1 else v for k, v in t.items()}
    tangent = torch.tensor(directions[wrt], dtype=torch.float64).reshape(t[wrt].shape)
    _, df = torch.func.jvp(lambda v: fn(**{**t, wrt: v}), (t[wrt],), (tangent,))
    written = [Step("", ((ops.const(1), state),)) for state, _ in d.teacher_steps()]
    for step in written:
        assert _state_value(d, step, values, directions) == pytest.approx(float(df), rel=1e-9)
