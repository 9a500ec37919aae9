"""check_steps: every line of a derivation marked, the first wrong one named and corrected."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matcalc.checking.checker import check_steps

EXP = [
    "df = <1, d(a^T exp(X b))>",
    "   = <a, d(exp(X b))>",
    "   = <a, exp(X b) .* ((dX) b)>",
    "   = <exp(X b) .* a, (dX) b>",
    "   = <(exp(X b) .* a) b^T, dX>",
    "grad_X f = (exp(X b) .* a) b^T",
]

# position (from 1) -> a wrong version of that line
EXP_WRONG = {
    2: "   = <2 a, d(exp(X b))>",
    3: "   = <a, (dX) b>",
    4: "   = <exp(X b), (dX) b>",
    5: "   = <2 (exp(X b) .* a) b^T, dX>",
    6: "grad_X f = b (exp(X b) .* a)^T",
}


def with_wrong(lines: list[str], position: int, wrong: str) -> str:
    out = list(lines)
    out[position - 1] = wrong
    return "\n".join(out)


def test_a_right_derivation_is_all_ticks() -> None:
    r = check_steps("\n".join(EXP))
    assert r.ok and r.marks == [True] * 6 and r.first_wrong_line is None
    assert r.wrt == ["X"] and r.f is not None and r.f.text() == "a^T exp(X b)"
    assert "every line is right" in str(r)


@pytest.mark.parametrize("position", sorted(EXP_WRONG))
def test_the_first_wrong_line_is_named(position: int) -> None:
    r = check_steps(with_wrong(EXP, position, EXP_WRONG[position]))
    assert not r.ok
    assert r.first_wrong_line == position
    assert r.marks[:position - 1] == [True] * (position - 1)
    assert f"first wrong line: {position}" in str(r)


def test_lines_after_a_wrong_line_carry_it_forward() -> None:
    r = check_steps(with_wrong(EXP, 4, EXP_WRONG[4]).replace("(exp(X b) .* a) b^T", "exp(X b) b^T"))
    assert r.marks == [True, True, True, False, False, False]
    assert r.lines[4].follows and not r.lines[4].ok  # right from line 4, wrong as df


def test_a_line_equal_to_df_again_is_right() -> None:
    r = check_steps(with_wrong(EXP, 3, EXP_WRONG[3]))
    assert r.marks == [True, True, False, True, True, True]
    assert not r.lines[3].follows


@pytest.mark.parametrize(("position", "expected", "rule"), [
    (3, "⟨exp(X b) ⊙ a, dX b⟩", "product rule"),  # the line linear in dX b, as the student wrote
    (4, "⟨exp(X b) ⊙ a, dX b⟩", "product rule"),
    (5, "⟨(exp(X b) ⊙ a) bᵀ, dX⟩", "⟨G, A B⟩"),  # the rule in Unicode, like the line
])
def test_what_the_wrong_line_should_have_been(position: int, expected: str, rule: str) -> None:
    r = check_steps(with_wrong(EXP, position, EXP_WRONG[position]))
    wrong = r.first_wrong
    assert expected in wrong.expected, wrong.expected
    assert wrong.rule.startswith(rule)
    assert "should be: = " in str(r)


def test_a_wrong_gradient_line_gets_the_correct_gradient() -> None:
    r = check_steps(with_wrong(EXP, 6, EXP_WRONG[6]))
    wrong = r.first_wrong
    assert wrong.is_gradient and wrong.variable == "X"
    assert wrong.claim is not None and wrong.claim.mistake == "transpose"
    assert wrong.expected == "(exp(X b) ⊙ a) bᵀ"


def test_a_gradient_that_does_not_follow_from_the_last_line() -> None:
    text = "\n".join(EXP[:4] + ["grad_X f = (exp(X b) .* a) b^T"])
    r = check_steps(text)
    assert r.ok  # line 4 is <G, dX b>: G bᵀ is its gradient
    r = check_steps("\n".join(EXP[:2] + ["   = <a .* exp(X b), d(X) b + X d(b)>", EXP[5]]))
    assert r.marks == [True, True, True, True]


# ---------------------------------------------------------------- notations

UNICODE = """dL = ⟨1, d(aᵀ exp(X b))⟩
   = ⟨a, d(exp(X b))⟩
   = ⟨exp(X b), (dX) b⟩
   = ⟨exp(X b) bᵀ, dX⟩
∇_X L = exp(X b) bᵀ"""

LATEX = r"""\begin{aligned}
d\mathcal{L} &= \left\langle 1, \mathrm{d}(\mathbf{a}^\top \exp(\mathbf{X} \mathbf{b})) \right\rangle \\
  &= \langle \mathbf{a}, \mathrm{d}\exp(\mathbf{X} \mathbf{b}) \rangle && \text{product rule} \\
  &= \langle \exp(X b), (\mathrm{d}X) b \rangle && \text{chain rule} \\
  &= \langle \exp(X b) b^\top, \mathrm{d}X \rangle \\
\nabla_{\mathbf{X}} \mathcal{L} &= \exp(X b) b^\top
\end{aligned}"""


def test_latex_and_unicode_give_the_same_report() -> None:
    u, t = check_steps(UNICODE), check_steps(LATEX)
    assert u.marks == t.marks == [True, True, False, False, False]
    assert u.first_wrong_line == t.first_wrong_line == 3
    assert u.first_wrong.expected == t.first_wrong.expected == "⟨exp(X b) ⊙ a, dX b⟩"
    assert u.first_wrong.rule == t.first_wrong.rule
    assert u.wrt == t.wrt == ["X"]
    assert [line.follows for line in u.lines] == [line.follows for line in t.lines]
    assert str(u) == str(t)  # the report shows each line as read, in one notation
    assert "  ✗  3        = ⟨exp(X b), dX b⟩" in str(t)


def test_trace_form_and_transposed_differential() -> None:
    text = r"""d f = \mathrm{tr}(\mathrm{d}(a^\top X^\top b))
    = \mathrm{tr}(a^\top (\mathrm{d}X)^\top b)
    = \mathrm{tr}(b^\top (\mathrm{d}X) a)
    = \langle b a^\top, \mathrm{d}X \rangle
    \nabla_X f = b a^\top"""
    r = check_steps(text)
    assert r.ok, str(r)


def test_chained_equalities_on_one_line_and_annotations() -> None:
    text = "df = <1, d(x^T A x)> = <x, d(A x)> + <A x, dx>   [product rule]\n" \
           "   = <A^T x + A x, dx>   # collect\n∇_x f = (A + A^T) x"
    r = check_steps(text)
    assert r.ok and len(r.lines) == 4


# ---------------------------------------------------------------- several variables, given functions


SIGMOID = """df = ⟨dY, M Y⟩ + ⟨Y, M dY⟩
   = ⟨(M + Mᵀ) Y, dY⟩
   = ⟨(M + Mᵀ) Y, Y ⊙ (1 - Y) ⊙ d(W X)⟩
   = ⟨Y ⊙ (1 - Y) ⊙ ((M + Mᵀ) Y), dW X + W dX⟩
   = ⟨(Y ⊙ (1 - Y) ⊙ ((M + Mᵀ) Y)) Xᵀ, dW⟩ + ⟨Wᵀ (Y ⊙ (1 - Y) ⊙ ((M + Mᵀ) Y)), dX⟩
∇_W f = (Y ⊙ (1 - Y) ⊙ ((M + Mᵀ) Y)) Xᵀ
∇_X f = Wᵀ (Y ⊙ (1 - Y) ⊙ ((M + Mᵀ) Y))"""


def test_two_variables_with_a_definition() -> None:
    r = check_steps(SIGMOID, f="Y = sigmoid(W X); <Y, M Y>")
    assert r.ok, str(r)
    assert r.wrt == ["W", "X"]


@pytest.mark.parametrize(("old", "new", "position"), [
    ("⟨(M + Mᵀ) Y, dY⟩", "⟨2 M Y, dY⟩", 2),
    ("Y ⊙ (1 - Y) ⊙ d(W X)⟩", "Y ⊙ d(W X)⟩", 3),
    ("dW X + W dX⟩", "dW X + X dW⟩", 4),
    ("dW⟩ + ⟨Wᵀ (Y", "dW⟩ + ⟨W (Y", 5),
    ("∇_X f = Wᵀ", "∇_X f = W", 7),
])
def test_two_variables_first_wrong_line(old: str, new: str, position: int) -> None:
    assert old in SIGMOID
    r = check_steps(SIGMOID.replace(old, new, 1), f="Y = sigmoid(W X); <Y, M Y>",
                    where="W: matrix(n, n); X: matrix(n, n); M: matrix(n, n)")
    assert r.first_wrong_line == position, str(r)


def test_symmetric_term_expected_line() -> None:
    r = check_steps(SIGMOID.replace("⟨(M + Mᵀ) Y, dY⟩", "⟨2 M Y, dY⟩"), f="Y = sigmoid(W X); <Y, M Y>")
    assert r.first_wrong.expected == "⟨(M + Mᵀ) Y, d(Y)⟩"


def test_layer_backward_rule() -> None:
    text = "dL = <G, dY>\n = <G, dW X + W dX>\n = <G X^T, dW> + <W^T G, dX>\ngrad_W L = G X^T\ngrad_X L = W^T G"
    assert check_steps(text, f="Y = W X; <G, Y>").ok
    bad = check_steps(text.replace("<G X^T, dW>", "<X^T G, dW>"), f="Y = W X; <G, Y>")
    assert bad.first_wrong_line == 3 and "shapes" in bad.first_wrong.error
    assert bad.first_wrong.expected == "⟨G Xᵀ, dW⟩ + ⟨Wᵀ G, dX⟩"


def test_the_first_line_must_be_df() -> None:
    r = check_steps("df = <2, d(a^T x)>\n = <2 a, dx>\ngrad_x f = 2 a", f="a^T x")
    assert r.first_wrong_line == 1


def test_nothing_to_check() -> None:
    assert check_steps("").error
    assert "df = <1, d(f)>" in check_steps("= <a, dx>").error


# ---------------------------------------------------------------- matcalc's own derivations pass

OWN = [("a^T exp(X b)", ["X"]), ("Y = sigmoid(W X); <Y, M Y>", ["W", "X"]), ("logdet(X) + tr(S X^-1)", ["X"]),
       ("sum(log(1 + exp(-y .* (X w))))", ["w"]), ("tr(W^T W) + a^T tanh(W x)", ["W"])]


@pytest.mark.parametrize("notation", ["text", "unicode", "latex"])
@pytest.mark.parametrize(("f", "wrt"), OWN)
def test_matcalc_derivations_pass_in_every_notation(f: str, wrt: list[str], notation: str) -> None:
    import matcalc

    shown = matcalc.derive(f, wrt).show(notation)
    r = check_steps(shown, f=f, wrt=wrt)
    assert r.ok, str(r)
    assert len(r.lines) >= 3


@settings(max_examples=15, deadline=None)
@given(case=st.sampled_from(OWN[:3]), data=st.data())
def test_a_scaled_line_is_always_the_first_wrong_line(case: tuple, data: st.DataObject) -> None:
    import matcalc

    f, wrt = case
    rows = [(lhs, rhs) for lhs, rhs, _ in matcalc.derive(f, wrt).lines("text") if not lhs.startswith("where")]
    k = data.draw(st.integers(0, len(rows) - 1))
    lines = [f"{lhs} = {'2 (' + rhs + ')' if i == k else rhs}" for i, (lhs, rhs) in enumerate(rows)]
    r = check_steps("\n".join(lines), f=f, wrt=wrt)
    assert r.first_wrong_line == k + 1, str(r)


# ---------------------------------------------------------------- slides-style derivations, every notation

SLIDES = {
    "det(X) is no differential": ("det(X)", "df = d(det(X))\n = det(X) tr(X^-1 dX)\n∇_X f = det(X) X^-T"),
    "\\mathrm{d}\\Sigma": (r"\log\det\Sigma", r"df = \mathrm{d}\log\det\Sigma \\ = \operatorname{tr}(\Sigma^{-1}"
                                             r"\mathrm{d}\Sigma) \\ \nabla_\Sigma f = \Sigma^{-T}"),
    "MdY, M\\mathrm{d}Y": (r"\operatorname{tr}(Y^T M Y)",
                          r"df = \operatorname{tr}(\mathrm{d}Y^T MY + Y^T M\mathrm{d}Y) \\"
                          r" = \operatorname{tr}(Y^T M^T dY) + \operatorname{tr}(Y^TMdY) \\"
                          r" = \langle (M + M^T)Y, dY\rangle_F \\ \nabla_Y f = (M + M^\top)Y"),
    "W dX": (r"\mathbf{a}^T W\mathbf{x}", r"df = a^T W dx \\ \nabla_x f = W^T a"),
    "σ′ (U+2032)": ("sum(σ(W x))",
                    "df = 𝟙ᵀ(σ′(Wx) ⊙ (dW x))\n = ⟨σ′(Wx), dW x⟩\n = ⟨σ′(Wx) xᵀ, dW⟩\n∇_W f = σ′(Wx) xᵀ"),
    "\\nabla_{W_2} f": (r"\mathbf{1}^T W_2 x", r"df = \mathbf{1}^T dW_2 x \\ \nabla_{W_2} f = \mathbf{1} x^T"),
    "∇_Σ f": ("tr(Σ)", "df = tr(dΣ)\n∇_Σ f = I"),
    "\\therefore": (r"a^T X b", r"df = a^T dX b \\ = \langle a b^T, dX \rangle \\ \therefore \nabla_X f = ab^T"),
    "\\rangle_F": (r"a^T X b", r"df = \langle a b^T, dX \rangle_F \\ \nabla_X f = ab^T"),
    "(product rule)": ("a^T X b", "df = a^T dX b   (product rule)\n = <a b^T, dX>  (trace trick)\n∇_X f = a b^T"),
    "a Korean note": ("a^T X b", "df = a^T dX b [곱의 법칙]\n = <a b^T, dX> (대각합 트릭)\n∇_X f = a b^T"),
    "\\frac{\\partial f}{\\partial X} =": ("a^T X b", r"df = a^T dX b \\ \frac{\partial f}{\partial X} = ab^T"),
    "∂f/∂X =": ("a^T X b", "df = aᵀ dX b\n∂f/∂X = a bᵀ"),
    "aligned LaTeX": (r"\|Ax - b\|^2", "\\begin{aligned} df &= 2(Ax - b)^T A\\,dx \\\\\n"
                                      " &= \\langle 2A^T(Ax - b), dx\\rangle \\\\\n"
                                      "\\nabla_x f &= 2A^\\top(Ax-b) \\end{aligned}"),
    "Unicode, PDF copy": ("‖Ax − b‖²", "df = 2(Ax − b)ᵀA dx\n= ⟨2Aᵀ(Ax − b), dx⟩\n∇ₓf = 2Aᵀ(Ax − b)"),
    "a note holding '='": ("tr(XᵀAX)", "df = tr(dXᵀ A X) + tr(Xᵀ A dX)\n"
                           "   = tr(Xᵀ Aᵀ dX) + tr(Xᵀ A dX)   (tr(Mᵀ) = tr(M))\n"
                           "   = ⟨(A + Aᵀ)X, dX⟩   (using ⟨A, B⟩ = tr(AᵀB))\n∇_X f = (A + Aᵀ)X"),
    "an em-dash note": ("a^T X b", "df = aᵀ dX b   — by linearity\n = ⟨a bᵀ, dX⟩ — trace trick\n∇_X f = a bᵀ"),
    "a -- note": ("a^T X b", "df = a^T dX b  -- linearity of d\n = <a b^T, dX>\n∇_X f = a b^T"),
    "since, by": ("a^T X b", "df = a^T dX b since a, b are constant\n = <a b^T, dX>, by the cyclic property"
                  "\n∇_X f = a b^T"),
    "\\because": ("a^T X b", "df = a^T dX b\n\\because d(a^T X b) = a^T dX b\n = <a b^T, dX> ∵ tr(AB) = tr(BA)"
                  "\n∴ ∇_X f = a b^T"),
    "\\therefore\\ \\nabla": ("a^T X b", r"df = a^T dX b \\ = \langle ab^T, dX \rangle \\"
                                          r" \therefore\ \nabla_X f = ab^T"),
    "\\therefore\\ \\frac": ("a^T X b", r"df = a^T dX b \\ \therefore\; \frac{\partial f}{\partial X} &= ab^\top"),
    "\\partial f / \\partial X": ("a^T X b", r"df = a^T dX b \\ \partial f / \partial X = ab^\top"),
    "\\text{since …}": ("a^T X b", r"df = a^T\,\mathrm{d}X\,b \text{ since } \mathrm{d}a = 0 \\"
                                  r" = \langle ab^T, \text{d}X \rangle \text{(trace trick)} \\ \nabla_X f = ab^T"),
    "\\text{tr}, \\text{d}": ("tr(A X)", r"\text{d}f = \text{tr}(A\,\text{d}X) \\ = \langle A^\top, \text{d}X \rangle"
                                       r" \\ \nabla_X f = A^\top"),
    "a row wrapped in the source": ("a^T X b + tr(X)", "\\begin{aligned}\n\\mathrm{d}f &= a^\\top \\mathrm{d}X\\, b\n"
                                    "  + \\operatorname{tr}(\\mathrm{d}X) \\\\\n"
                                    " &= \\langle ab^\\top + I,\n \\mathrm{d}X\\rangle \\\\\n"
                                    "\\nabla_X f &= ab^\\top + I\n\\end{aligned}"),
}


@pytest.mark.parametrize("name", sorted(SLIDES))
def test_no_false_alarm_on_slides_style_derivations(name: str) -> None:
    f, text = SLIDES[name]
    r = check_steps(text, f=f)
    assert r.ok, str(r)


@pytest.mark.parametrize("name", ["MdY, M\\mathrm{d}Y", "(product rule)", "a Korean note", "Unicode, PDF copy",
                                  "a note holding '='", "since, by", "a -- note"])
def test_a_wrong_line_in_slides_style_is_still_caught(name: str) -> None:
    f, text = SLIDES[name]
    wrong = text.replace("(M + M^T)Y", "2MY").replace("<a b^T", "<b a^T").replace("⟨2Aᵀ", "⟨2A")
    wrong = wrong.replace("tr(Xᵀ Aᵀ dX) +", "tr(Xᵀ A dX) +")
    assert wrong != text
    r = check_steps(wrong, f=f)
    assert not r.ok


TEXTBOOK_HOMEWORK = r"""# Adversarial homework (textbook pastes)

## Problem 1: ridge regression (CS229)

f(w) = $\frac{1}{2}\|Xw - y\|_2^2 + \frac{\lambda}{2}\|w\|_2^2$

where: $X \in \mathbb{R}^{n \times d}$, $y \in \mathbb{R}^n$

claim: $\nabla_w f = X^T(Xw - y) + \lambda w$

## Problem 2: Gaussian log-likelihood (Bishop)

f(Σ) = $-\frac{1}{2}\log\det\Sigma - \frac{1}{2}(x-\mu)^T\Sigma^{-1}(x-\mu)$

where: μ ∈ ℝⁿ, Σ ∈ 𝕊ⁿ₊₊

claim: $\nabla_\Sigma f = -\frac{1}{2}\Sigma^{-1} + \frac{1}{2}\Sigma^{-1}(x-\mu)(x-\mu)^T\Sigma^{-1}$

## Problem 3: Matrix Cookbook trace

f(X) = tr(AXB)

claim: ∇_X f = AᵀBᵀ

## Problem 4: log det, plain text

f(X) = log det X

claim: grad_X f = inv(X)^T

## Problem 5: attention score (slides)

f(Q) = $\mathbf{1}^\top \operatorname{softmax}(QK^\top)\mathbf{1}$

claim: $\nabla_Q f = 0$
"""


def test_homework_pasted_from_textbooks_has_no_false_alarm() -> None:
    """Declarations as books write them (X ∈ ℝ^{n×d}, Σ ∈ 𝕊ⁿ₊₊), plain `log det X`, `∇_Q f = 0` (a zero matrix)."""
    pytest.importorskip("torch")
    from matcalc.checking.homework import check_homework

    results = check_homework(TEXTBOOK_HOMEWORK)
    assert [r.ok for r in results] == [True] * 5, [r.error for r in results]


@pytest.mark.parametrize(("line", "math"), [
    ("= x   (tr(Mᵀ) = tr(M))", "= x"), ("= x (using ⟨A, B⟩ = tr(AᵀB))", "= x"), ("= x — since X is constant", "= x"),
    ("= x  -- linearity", "= x"), ("= x (adjoint)", "= x"), ("= x since X is constant", "= x"),
    ("= x, by linearity", "= x"), (r"= x \because y = z", "= x"), (r"= x \text{ since } y = z", "= x"),
    (r"\therefore\ \nabla_w f = g", r"\nabla_w f = g"), ("= tr(X) (règle du produit)", "= tr(X)"),
    # math that stays math
    ("= λ (wᵀ w)", "= λ (wᵀ w)"), ("= 2 (alpha + beta)", "= 2 (alpha + beta)"), ("= c  (Xᵀ A X)", "= c  (Xᵀ A X)"),
    ("= a – b", "= a – b"), ("= a -- b", "= a -- b"), ("= (A + B) (C + D)", "= (A + B) (C + D)"),
    ("= mean(x) (mean(y))", "= mean(x) (mean(y))"), (r"= \text{tr}(A\,\text{d}X)", r"= \text{tr}(A\,\text{d}X)"),
    (r"= W^\top \cdot (Y \odot (1 - Y))", r"= W^\top \cdot (Y \odot (1 - Y))"),
])
def test_justifications_go_and_math_stays(line: str, math: str) -> None:
    from matcalc.checking.text import strip_annotations

    assert strip_annotations(line) == math


def test_a_line_of_linear_forms_is_valued_by_hand_written_numpy() -> None:
    """linear_value of <a, d(exp(X b))> + <c, d(Y) b> along (V, W) is aᵀ(exp(X b) ⊙ (V b)) + cᵀ W b, and
    a line whose differential does not move is 0 (autograd, not forward mode: trial F12)."""
    import numpy as np

    from matcalc.checking.numeric import Point, linear_value
    from matcalc.language.parse import parse

    rng = np.random.default_rng(3)
    a, b, c = rng.normal(size=3), rng.normal(size=2), rng.normal(size=3)
    x, y, v, w = (rng.normal(size=(3, 2)) for _ in range(4))
    where = "a, c: vector(n); b: vector(m); X, Y, Z: matrix(n, m)"
    line = parse("<a, d(exp(X b))> + <c, d(Y) b>", where=where, derivation=True).expr
    point = Point({"n": 3, "m": 2}, {"a": a, "b": b, "c": c, "X": x, "Y": y, "Z": x})
    got = linear_value(line, point, {"X": v, "Y": w})
    assert got == pytest.approx(a @ (np.exp(x @ b) * (v @ b)) + c @ (w @ b), rel=1e-12)
    assert linear_value(line, point, {"Z": v}) == 0.0


def test_an_ill_shaped_latex_line_is_shown_in_unicode_and_still_wrong() -> None:
    """`\\langle b a^\\top, dX \\rangle` (shapes clash) is echoed as ⟨b aᵀ, dX⟩ like the other lines (trial F9)."""
    text = ("df &= a^\\top dX\\, b \\\\\n   &= \\operatorname{tr}(b a^\\top dX) \\\\\n"
            "   &= \\langle b a^\\top, dX \\rangle")
    r = check_steps(text, f="a^T X b", wrt="X", where="a: vector(m); b: vector(n); X: matrix(m, n)")
    assert [line.ok for line in r.lines] == [True, True, False]
    assert r.lines[2].shown == "⟨b aᵀ, dX⟩" and "\\langle" not in r.report_lines()[-3]
    right = check_steps(text.replace("b a^\\top, dX", "a b^\\top, dX"), f="a^T X b", wrt="X",
                        where="a: vector(m); b: vector(n); X: matrix(m, n)")
    assert right.ok


def test_a_collected_wrong_line_is_corrected_by_the_collected_step() -> None:
    """`dxᵀ A x + xᵀ A dx = 2 xᵀ A dx` (A not symmetric): the correction is the collected
    xᵀ (A + Aᵀ) dx, not a half-way step with dxᵀ (trial F9); the right collected line is ✓."""
    wrong = check_steps("df = dx^T A x + x^T A dx\n   = 2 x^T A dx", f="x^T A x", wrt="x")
    assert [line.ok for line in wrong.lines] == [True, False]
    assert wrong.lines[1].expected == "xᵀ (A + Aᵀ) dx"  # as a teacher writes it, in products like the student
    right = check_steps("df = dx^T A x + x^T A dx\n   = x^T (A + A^T) dx", f="x^T A x", wrt="x")
    assert right.ok
