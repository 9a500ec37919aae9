"""matcalc homework: reading a problem set, the three reports, exit codes, the example script."""

from __future__ import annotations

import json
import re
import runpy
import sys
from pathlib import Path

import pytest

from matcalc.checking.homework import check_homework, homework_command, markdown_report, read_problems, text_report

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "homework.md"


@pytest.fixture(scope="module")
def example_results() -> list:
    return check_homework(EXAMPLE.read_text(encoding="utf-8"))


def test_reading_the_example() -> None:
    problems = read_problems(EXAMPLE.read_text(encoding="utf-8"))
    assert len(problems) == 7
    p1, p2, p3 = problems[:3]
    assert p1.function == r"a^\top \exp(X b)" and p1.variables == ["X"]
    assert p1.claims[0][:2] == ("X", r"(\exp(X b) \odot a) b^\top")
    assert p1.derivation.count("&=") == 5
    assert p2.variables == ["W", "X"] and p2.definitions == ["Y = σ(W X)"]
    assert [c[0] for c in p2.claims] == ["X", "W"]
    assert p3.layer == "Y = W X" and p3.upstream == "G" and len(p3.claims) == 2


def test_the_example_verdicts(example_results: list) -> None:
    assert [r.ok for r in example_results] == [True, True, True, False, False, False, False]
    mistakes = [[c.mistake for c in r.claims] for r in example_results[3:6]]
    assert mistakes == [["transpose"], ["order"], ["symmetric"]]
    p7 = example_results[6]
    assert p7.steps.first_wrong_line == 2
    assert p7.steps.first_wrong.expected == "⟨(M + Mᵀ) Y, d(Y)⟩"


def test_layer_problem_is_the_vjp(example_results: list) -> None:
    import matcalc

    p3 = example_results[2]
    backward = matcalc.vjp("W X", ["W", "X"], upstream="G")
    assert [c.correct.text() for c in p3.claims] == [backward["W"].text(), backward["X"].text()]
    assert "∇_W L = G Xᵀ" in text_report([p3])


def test_text_report(example_results: list) -> None:
    text = text_report(example_results)
    assert text.endswith("3 of 7 problems right")
    assert "✗ Problem 4: least squares (a missing transpose)" in text
    assert "mistake: a missing or extra transpose on A" in text
    assert "first wrong line: 2" in text


def test_markdown_graded_copy(example_results: list) -> None:
    source = EXAMPLE.read_text(encoding="utf-8")
    graded = markdown_report(source, example_results)
    assert graded.startswith("> **Graded by matcalc: 3 of 7 problems right.**")
    assert "## Problem 1: a linear function of exp(X b) ✓" in graded
    assert "claim: ∇_x f = 2 A (A x - b) ✗" in graded
    assert r"> correct: $\nabla_{x} f = (A + A^\top) x$" in graded
    assert "> derivation, line by line: 1✓ 2✗ 3✗ 4✗ 5✗ 6✗" in graded
    assert r"df &= \langle 1, \mathrm{d}(a^\top \exp(X b)) \rangle \quad\text{✓} \\" in graded
    assert "   = ⟨2 M Y, dY⟩  ✗" in graded and "df = ⟨dY, M Y⟩ + ⟨Y, M dY⟩  ✓" in graded
    unmarked = re.sub(r" \\quad\\text\{[✓✗]\}| +[✓✗]$", "", graded, flags=re.MULTILINE)
    for line in source.splitlines():  # a copy: every original line is still there
        assert line.rstrip() in unmarked


def test_command_formats_and_exit_codes(capsys: pytest.CaptureFixture, tmp_path: Path) -> None:
    assert homework_command(str(EXAMPLE), "json") == 1
    data = json.loads(capsys.readouterr().out)
    assert data["ok"] is False and data["right"] == 3 and len(data["problems"]) == 7
    assert data["problems"][4]["claims"][0]["mistake"] == "order"

    good = tmp_path / "good.txt"
    good.write_text("Problem 1\nf(x) = a^T x\nclaim: a\n\nProblem 2\nf(X) = tr(X)\n∇_X f = I\n", encoding="utf-8")
    assert homework_command(str(good)) == 0
    assert "2 of 2 problems right" in capsys.readouterr().out

    assert homework_command(str(tmp_path / "missing.md")) == 2
    assert "cannot read" in capsys.readouterr().err
    assert homework_command(str(good), "pdf") == 2


def test_problems_that_cannot_be_checked(tmp_path: Path) -> None:
    text = ("## A\nf(x) = a^T x +\nclaim: a\n\n## B\nf(W, X) = tr(W X)\nclaim: X^T\n\n"
            "## C\nf(x) = a^T x\n\n## D\nfunction: a^T x\nwrt: x\nclaim: $a$\n")
    results = check_homework(text)
    assert [r.ok for r in results] == [False, False, False, True]
    assert "cannot read the function" in results[0].error
    assert "which variable" in results[1].error
    assert "nothing to check" in results[2].error


def test_derivation_as_plain_lines(tmp_path: Path) -> None:
    text = "## P\nf(x) = x^T A x\nderivation:\ndf = <dx, A x> + <x, A dx>\n= <A x + A^T x, dx>\n\nclaim: (A + A^T) x\n"
    (result,) = check_homework(text)
    assert result.ok and result.steps.marks == [True, True]


def test_example_script_runs(capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    script = EXAMPLE.parent / "check_homework.py"
    monkeypatch.setattr(sys, "argv", [str(script)])
    runpy.run_path(str(script), run_name="__main__")
    out = capsys.readouterr().out
    assert "3 of 7 problems right" in out and "would exit with 1" in out


NOTATIONS = r"""## Greek variable
f(α) = $\alpha \|x\|^2$
claim: $\|x\|^2$

## A partial-derivative claim
f(X) = $\operatorname{tr}(X^\top A X)$
where: A: matrix(n, n); X: matrix(n, m)
$$\frac{\partial f}{\partial X} = (A + A^\top) X$$

## A claim with a variable f does not have
f(x) = a^T x
claim: a + z

## Fixed sizes, and an identity sized by the variable
f(X) = tr(X)
where: X: matrix(3, 3)
derivation:
$$ df = \langle 1, d\,\mathrm{tr}(X) \rangle = \langle I, dX \rangle $$
claim: I

## One half
f(x) = 1/2 ||x||^2
claim: $\frac{1}{2} x$
"""


def test_notations_in_problem_sets() -> None:
    results = check_homework(NOTATIONS)
    assert [r.ok for r in results] == [True, True, False, True, False]
    assert results[0].claims[0].wrt == "alpha"
    assert results[1].claims[0].wrt == "X"
    assert "uses z" in results[2].claims[0].error and results[2].claims[0].mistake == "variables"
    assert results[3].steps.marks == [True, True]
    assert results[4].claims[0].mistake == "factor"


def test_importing_the_checker_keeps_matcalc_check_a_function() -> None:
    import matcalc
    import matcalc.checking.checker  # noqa: F401
    import matcalc.checking.homework  # noqa: F401

    assert callable(matcalc.check) and matcalc.check.__module__ == "matcalc.checking.verify"


HARD = """## Ill-shaped, twice scaled
f(X) = a^T X b
claim: 2 b a^T

## Ill-shaped, a square claim for a rectangular variable
f(X) = <C, X>
claim: C C^T

## A variable f does not have
f(x) = a^T x
claim: a + Z w

## Not a scalar
f(x) = A x
claim: A

## Fine
f(x) = a^T x
claim: a
"""


def test_hard_problems_are_graded_not_crashed(capsys: pytest.CaptureFixture, tmp_path: Path) -> None:
    results = check_homework(HARD)
    assert [r.ok for r in results] == [False, False, False, False, True]
    assert [c.mistake for r in results[:3] for c in r.claims] == ["shape", "shape", "variables"]
    assert "must be a scalar" in results[3].error
    path = tmp_path / "hard.md"
    path.write_text(HARD, encoding="utf-8")
    assert homework_command(str(path)) == 1
    assert [r.graded for r in results] == [True, True, True, False, True]
    assert "1 of 4 problems right (1 not graded)" in capsys.readouterr().out


def test_a_function_given_in_prose_is_read_and_an_unreadable_one_is_not_graded(tmp_path: Path) -> None:
    """`Let $f(\\mathbf{w}) = …$.` is the function (fresh-user trial F10), right claim ✓ and wrong claim ✗;
    a function that cannot be read leaves its problem "not graded", not counted wrong."""
    text = ("## A\n\nLet $f(x) = a^\\top x +$.\n\nclaim: a\n\n"
            "## B\n\nLet $f(\\mathbf{w}) = \\|X\\mathbf{w} - y\\|^2$.\n\nclaim: $2X^\\top(X\\mathbf{w} - y)$\n\n"
            "## C\n\nConsider $f(w) = \\|Xw - y\\|^2$.\n\nclaim: $X^\\top(Xw - y)$\n")
    results = check_homework(text)
    assert [(r.ok, r.graded) for r in results] == [(False, False), (True, True), (False, True)]
    assert results[1].problem.variables == ["w"] and results[2].claims[0].mistake == "factor"
    report = text_report(results)
    assert report.startswith("– A: ") and "    not graded: cannot read the function" in report
    assert report.endswith("1 of 2 problems right (1 not graded)")
    assert markdown_report(text, results).startswith("> **Graded by matcalc: 1 of 2 problems right (1 not graded).**")


@pytest.mark.parametrize(("head", "x", "dx"), [("W₁", "W₁", "dW₁"), ("W_1", "W₁", "dW₁"),
                                               ("Σ", "Σ", "dΣ"), ("Sigma", "Sigma", "d Sigma")])
def test_subscript_and_greek_names_in_the_head(head: str, x: str, dx: str) -> None:
    """`f(W₁) = …` and `f(Σ) = …` with a derivation: W₁ is W_1 and Σ is Sigma everywhere."""
    text = (f"## P\n\nf({head}) = ‖{x} v‖²\n\nwhere: v: vector(n)\n\nderivation:\n```\n"
            f"df = 2 ⟨{x} v, {dx} v⟩\n   = ⟨2 {x} v vᵀ, {dx}⟩\n   = ⟨2 {x} v vᵀ + v, {dx}⟩\n```\n")
    [r] = list(check_homework(text))
    assert not r.error and not r.steps.error
    assert [line.ok for line in r.steps.lines] == [True, True, False]


def test_a_definition_is_usable_when_f_is_written_out() -> None:
    """`define: h = σ(W_1 x)` with f written without h: lines may still use h and dh."""
    text = ("## P\n\nf(W_1, W_2) = ‖W_2σ(W_1x) − y‖²\n\ndefine: h = σ(W_1 x)\n\nderivation:\n```\n"
            "df = 2 ⟨W_2 h - y, dW_2 h + W_2 dh⟩\n"
            "   = ⟨2 (W_2 h - y) hᵀ, dW_2⟩ + ⟨2 W_2ᵀ (W_2 h - y), dh⟩\n"
            "   = ⟨2 (W_2 h - y) hᵀ, dW_2⟩ + ⟨W_2ᵀ (W_2 h - y), dh⟩\n```\n")
    [r] = list(check_homework(text))
    assert not r.error and not r.steps.error
    assert [line.ok for line in r.steps.lines] == [True, True, False]
    assert r.steps.first_wrong_line == 3


@pytest.mark.parametrize("lead", ["$\\therefore \\nabla_X f = {G}$", "$\\therefore\\ \\nabla_X f = {G}$",
                                  "∴ ∇_X f = {G}", "Hence $\\nabla_X f = {G}$.", "Thus, $\\nabla_X f = {G}$",
                                  "$\\Rightarrow \\nabla_X f = {G}$"])
def test_a_final_answer_after_a_connective_is_graded(lead: str) -> None:
    """'∴ ∇_X f = …' and 'Hence ∇_X f = …' are claims: a wrong one is never skipped (fresh-user trial)."""
    head = ("## P\nf(X) = $\\operatorname{tr}(X^\\top A X)$\n\n"
            "$$\\mathrm{d}f = \\operatorname{tr}(X^\\top (A + A^\\top)\\mathrm{d}X)$$\n\n")
    wrong, right = (check_homework(head + lead.replace("{G}", g) + "\n")[0] for g in ("2 A X", "(A + A^\\top) X"))
    assert [c.ok for c in wrong.claims] == [False] and not wrong.ok
    assert [c.ok for c in right.claims] == [True] and right.ok


SMALL = """## P1: a wrong line, Unicode

f(x) = xᵀ A x

where: A: matrix(n, n)

derivation:
```
df = ⟨dx, A x⟩ + ⟨x, A dx⟩
   = ⟨2 A x, dx⟩
```

## P2: an ill-formed claim

f(X) = tr(A X B)

where: A, X, B: matrix(n, n)

claim: ∇_X f = Aᵀ Bᵀ +

## P3: a claim written with Σ⁻ᵀ

f(Σ) = xᵀ Σ⁻¹ x

claim: ∇_Σ f = Σ⁻ᵀ x xᵀ Σ⁻ᵀ

## P4: a wrong line, LaTeX

f(x) = $x^\\top A x$

where: A: matrix(n, n)

derivation:
$$
\\begin{aligned}
df &= \\langle dx, A x \\rangle + \\langle x, A\\, dx \\rangle \\\\
   &= \\langle 2 A x, dx \\rangle
\\end{aligned}
$$

## P5: a wrong line, plain text

f(x) = x^T A x

where: A: matrix(n, n)

derivation:
```
df = <dx, A x> + <x, A dx>
   = <2 A x, dx>
```
"""


def test_corrections_are_in_the_students_notation() -> None:
    results = check_homework(SMALL)
    text = text_report(results)
    uni, latex, plain = (r.steps.first_wrong for r in (results[0], results[3], results[4]))
    assert uni.expected_written == uni.expected == "⟨(A + Aᵀ) x, dx⟩"
    assert latex.expected_written == latex.expected_latex == "\\langle (A + A^\\top) x, dx \\rangle"
    assert plain.expected_written == "<(A + A^T) x, dx>"
    assert text.count("should be: = ⟨(A + Aᵀ) x, dx⟩   [collect terms: ⟨G₁, dE⟩ + ⟨G₂, dE⟩ = ⟨G₁ + G₂, dE⟩]") == 2
    assert "should be: = <(A + A^T) x, dx>   [collect terms: <G1, dE> + <G2, dE> = <G1 + G2, dE>]" in text  # plain
    graded = markdown_report(SMALL, results)
    assert "> should be: `= ⟨(A + Aᵀ) x, dx⟩`" in graded and "> should be: `= <(A + A^T) x, dx>`" in graded
    assert "> should be: $= \\langle (A + A^\\top) x, dx \\rangle$" in graded
    assert "> correct: $\\nabla_{\\Sigma} f = -(\\Sigma^{-\\top} x x^\\top \\Sigma^{-\\top})$" in graded


def test_a_claim_is_shown_as_written_and_its_caret_stays_under_it() -> None:
    text = text_report(check_homework(SMALL))
    lines = text.splitlines()
    assert "    ✗ ∇_Σ f = Σ⁻ᵀ x xᵀ Σ⁻ᵀ" in lines  # not (Σ⁻¹)ᵀ
    assert "counterexample at n=2: x = " in text and "; Σ = [[" in text and "Sigma" not in text
    source = next(i for i, line in enumerate(lines) if line.strip() == "Aᵀ Bᵀ +")
    claim, message = lines[source - 2], lines[source - 1]
    assert claim.endswith("∇_X f = Aᵀ Bᵀ +") and lines[source + 1].strip() == "^"
    assert lines[source].index("Aᵀ") > message.index("the claim")  # indented under its message
    assert lines[source + 1].index("^") == lines[source].index("+") + 1  # just after the '+': the missing operand


@pytest.mark.parametrize("last, right", [("2xᵀA dx", True), ("xᵀA dx", False)])
def test_a_declaration_line_and_an_unheaded_derivation_are_read(last: str, right: bool) -> None:
    """`A: symmetric(n)` alone on a line declares A (the claim 2Ax is then right), and `df = …` lines
    after the function are the derivation even without a `derivation:` key (a wrong line is caught)."""
    text = (f"## P\nf(x) = xᵀAx\nA: symmetric(n)\n\n"
            f"df = dxᵀAx + xᵀA dx\n   = xᵀAᵀdx + xᵀA dx\n   = {last}\n\n∇_x f = 2Ax\n")
    (result,) = check_homework(text)
    assert result.problem.where == "A: symmetric(n)"
    assert [c.ok for c in result.claims] == [True]
    assert result.steps is not None and result.steps.marks == [True, True, right]
    assert result.ok is right
