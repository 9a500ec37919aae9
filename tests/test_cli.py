"""The `matcalc` command: output of each subcommand, JSON fields, errors, help, start-up cost."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import matcalc
from matcalc.cli import main
from matcalc.cli_commands import COMMANDS

needs_grad = pytest.mark.skipif(not hasattr(matcalc, "grad"), reason="matcalc.grad not available yet")


# ---------------------------------------------------------------- parse

def test_parse_shows_three_forms_and_inferred_shapes(cli) -> None:
    r = cli("parse", "a^T exp(X b)")
    assert r.code == 0, r.err
    assert re.search(r"^text\s+a\^T exp\(X b\)$", r.out, re.M)
    assert re.search(r"^unicode\s+aᵀ exp\(X b\)$", r.out, re.M)
    assert re.search(r"^latex\s+a\^\\top \\exp\(X b\)$", r.out, re.M)
    assert re.search(r"^shape\s+1×1", r.out, re.M)
    assert re.search(r"^a\s+vector\(n\)\s+n×1$", r.out, re.M)
    assert re.search(r"^X\s+matrix\(n, m\)\s+n×m$", r.out, re.M)
    assert re.search(r"^b\s+vector\(m\)\s+m×1$", r.out, re.M)
    assert r.err == ""


def test_parse_uses_where_declarations(cli) -> None:
    r = cli("parse", "x^T A x + alpha", "--where", "A: symmetric(3); x: vector(3) positive")
    assert r.code == 0, r.err
    assert re.search(r"^A\s+symmetric\(3\)\s+3×3$", r.out, re.M)
    assert re.search(r"^x\s+vector\(3\) positive\s+3×1$", r.out, re.M)
    assert re.search(r"^alpha\s+scalar\s+1×1$", r.out, re.M)


def test_parse_shows_definitions(cli) -> None:
    r = cli("parse", "Y = sigmoid(W X); <Y, M Y>")
    assert r.code == 0, r.err
    assert "definitions" in r.out
    assert re.search(r"^\s+Y = sigmoid\(W X\)\s+\(n×k\)$", r.out, re.M)


def test_parse_json(cli) -> None:
    r = cli("parse", "a^T exp(X b)", "--format", "json")
    assert r.code == 0, r.err
    data = json.loads(r.out)
    assert data["text"] == "a^T exp(X b)"
    assert data["unicode"] == "aᵀ exp(X b)"
    assert data["latex"] == "a^\\top \\exp(X b)"
    assert data["shape"] == [1, 1]
    assert data["variables"] == [
        {"name": "a", "kind": "vector", "shape": ["n", 1], "positive": False, "type": "vector(n)"},
        {"name": "X", "kind": "matrix", "shape": ["n", "m"], "positive": False, "type": "matrix(n, m)"},
        {"name": "b", "kind": "vector", "shape": ["m", 1], "positive": False, "type": "vector(m)"},
    ]
    assert data["definitions"] == []


def test_parse_json_kinds_positive_and_definitions(cli) -> None:
    r = cli("parse", "Y = sigmoid(W x); sum(Y) + x^T S x", "--where", "S: spd(4); x: vector(4) positive",
            "--format", "json")
    assert r.code == 0, r.err
    data = json.loads(r.out)
    variables = {v["name"]: v for v in data["variables"]}
    assert variables["S"]["kind"] == "spd" and variables["S"]["shape"] == [4, 4]
    assert variables["x"]["positive"] is True and variables["x"]["shape"] == [4, 1]
    assert variables["W"]["kind"] == "matrix" and variables["W"]["shape"][1] == 4
    assert [d["name"] for d in data["definitions"]] == ["Y"]
    assert data["definitions"][0]["text"] == "Y = sigmoid(W x)"
    assert data["definitions"][0]["unicode"] == "Y = σ(W x)"


@pytest.mark.parametrize("fmt", ["text", "unicode", "latex"])
def test_parse_single_form_round_trips(cli, fmt: str) -> None:
    r = cli("parse", "x^T A x", "--where", "A: symmetric(n)", "--format", fmt)
    assert r.code == 0, r.err
    printed = r.out.strip()
    assert "\n" not in printed
    again = cli("parse", printed, "--where", "A: symmetric(n)", "--format", "text")
    assert again.out.strip() == "x^T A x"


def test_parse_latex_notation(cli) -> None:
    r = cli("parse", "\\mathbf{a}^\\top \\exp(Xb)", "--notation", "latex", "--format", "text")
    assert r.code == 0, r.err
    assert r.out.strip() == "a^T exp(X b)"


def test_parse_reads_stdin(cli) -> None:
    r = cli("parse", "-", "--format", "unicode", stdin="a^T exp(X b)\n")
    assert r.code == 0, r.err
    assert r.out.strip() == "aᵀ exp(X b)"


# ---------------------------------------------------------------- errors

def _caret_column(err: str) -> int:
    lines = err.rstrip("\n").splitlines()
    assert lines[-1].strip() == "^", err
    return lines[-1].index("^") - (len(lines[-2]) - len(lines[-2].lstrip(" ")))


def test_syntax_error_exits_2_with_caret(cli) -> None:
    r = cli("parse", "x + (A")
    assert r.code == 2
    assert r.out == ""
    assert r.err.startswith("error: ")
    assert "never closed" in r.err
    assert _caret_column(r.err) == 4  # under the '('


def test_shape_clash_exits_2(cli) -> None:
    r = cli("parse", "x + A", "--where", "A: matrix(3, 4); x: vector(3)")
    assert r.code == 2
    assert r.err.startswith("error: ")
    assert "3×4" in r.err and "vector(3)" in r.err


def test_empty_formula_exits_2(cli) -> None:
    r = cli("parse", "  ")
    assert r.code == 2
    assert r.err.startswith("error: ") and "empty" in r.err


def test_error_in_subprocess_has_no_traceback(python) -> None:
    r = python("-m", "matcalc", "parse", "x + + ) A")
    assert r.code == 2
    assert r.err.startswith("error: ")
    assert r.err.rstrip().endswith("^")
    assert "Traceback" not in r.err
    assert r.out == ""


@pytest.mark.parametrize("text", ["(" * 5000 + "x" + ")" * 5000, "(" * 5000 + "x", " + ".join(["x"] * 5000)],
                         ids=["deep", "deep-unclosed", "long"])
def test_huge_input_gives_a_result_or_an_error_never_a_crash(python, text: str) -> None:
    r = python("-m", "matcalc", "parse", "-", "--format", "text", stdin=text)
    assert r.code in (0, 2), r.err[-2000:]
    assert "Traceback" not in r.err
    assert (r.code == 0 and r.out.strip()) or r.err.startswith("error: ")


def test_unexpected_exception_is_one_line_unless_debug(cli, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(matcalc, "parse", broken)
    monkeypatch.delenv("MATCALC_DEBUG", raising=False)
    r = cli("parse", "x")
    assert r.code == 3
    assert r.err.startswith("error: internal error: RuntimeError: boom")
    assert "Traceback" not in r.err
    monkeypatch.setenv("MATCALC_DEBUG", "1")
    r = cli("parse", "x")
    assert r.code == 3
    assert "Traceback" in r.err and "boom" in r.err


def test_usage_error_exits_2(cli) -> None:
    assert cli("parse").code == 2
    assert cli("parse", "x", "--format", "yaml").code == 2
    assert cli("frobnicate").code == 2
    r = cli()
    assert r.code == 2 and "usage: matcalc" in r.err


# ---------------------------------------------------------------- help

def test_main_help(cli) -> None:
    r = cli("--help")
    assert r.code == 0
    assert "usage: matcalc" in r.out and "examples:" in r.out
    for cmd in COMMANDS:
        assert cmd.name in r.out


@pytest.mark.parametrize("name", [c.name for c in COMMANDS])
def test_subcommand_help(cli, name: str) -> None:
    r = cli(name, "--help")
    assert r.code == 0
    assert f"usage: matcalc {name}" in r.out
    assert "examples:" in r.out and f"matcalc {name} " in r.out


def test_version(cli) -> None:
    r = cli("--version")
    assert r.code == 0 and r.out.startswith("matcalc ")


@pytest.mark.parametrize("args", [
    ("parse", "x"),
    ("grad", "a^T exp(X b)", "--wrt", "X"),
    ("grad", "Y = sigmoid(W X); <Y, M Y>", "--wrt", "W", "--steps", "--format", "json"),
    ("--help",),
    ("grad", "--help"),
])
def test_symbolic_commands_import_no_numpy_sympy_or_torch(python, args) -> None:
    """`matcalc grad`, `parse` and `--help` start instantly: no NumPy, SymPy or torch imported."""
    r = python("-X", "importtime", "-m", "matcalc", *args)
    assert r.code == 0, r.err
    assert r.out.strip()
    imported = {line.split("|")[-1].strip() for line in r.err.splitlines() if line.startswith("import time:")}
    assert "matcalc.cli" in imported  # sanity: the import log was read
    heavy = {m for m in imported if m.split(".")[0] in ("numpy", "torch", "sympy", "opt_einsum")}
    assert not heavy, sorted(heavy)[:5]


def test_main_returns_int_for_every_path() -> None:
    assert main(["parse", "x", "--format", "text"]) == 0


# ---------------------------------------------------------------- grad

@needs_grad
def test_grad_prints_the_gradient(cli) -> None:
    r = cli("grad", "a^T exp(X b)", "--wrt", "X")
    assert r.code == 0, r.err
    assert r.out.strip().splitlines() == ["read as aᵀ exp(X b)", "  a: vector(n) (lowercase name)",
                                          "  X: matrix(n, m) (capitalised name)", "  b: vector(m) (lowercase name)",
                                          "", "(exp(X b) .* a) b^T"]
    assert cli("grad", "a^T exp(X b)", "--wrt", "X", "--quiet").out.strip() == "(exp(X b) .* a) b^T"


def test_grad_shows_the_reading_first(cli) -> None:
    """A guess is shown before the answer: the split of AB, the capitalised function name."""
    r = cli("grad", "1_n^T ReLU(\\operatorname{tr}(AB^T) x)", "--wrt", "x", "--where", "A, B: matrix(n, m)")
    assert r.code == 0, r.err
    lines = r.out.splitlines()
    assert lines[0] == "read as 𝟙_nᵀ relu(tr(A Bᵀ) x)"
    assert "  AB → A B (letters written together are a product)" in lines
    assert "  ReLU → the function relu" in lines
    assert lines.index("  ReLU → the function relu") < len(lines) - 1
    data = json.loads(cli("grad", "ReLU(w)^T x", "--wrt", "w", "--format", "json").out)
    assert "ReLU → the function relu" in data["reading"]["guesses"]
    assert data["reading"]["formula"] == "relu(w)ᵀ x"


@needs_grad
@pytest.mark.parametrize("fmt, expected", [("unicode", "(exp(X b) ⊙ a) bᵀ"),
                                           ("latex", "(\\exp(X b) \\odot a) b^\\top")])
def test_grad_formats(cli, fmt: str, expected: str) -> None:
    r = cli("grad", "a^T exp(X b)", "--wrt", "X", "--format", fmt, "--quiet")
    assert r.code == 0, r.err
    assert r.out.strip() == expected


@needs_grad
def test_grad_output_parses_back_to_the_same_gradient(cli) -> None:
    where = "A: symmetric(n); x: vector(n)"
    r = cli("grad", "x^T A x + log(1 + x^T x)", "--wrt", "x", "--where", where, "--quiet")
    assert r.code == 0, r.err
    expected = matcalc.grad("x^T A x + log(1 + x^T x)", "x", where=where)
    assert matcalc.parse(r.out.strip(), where=expected.where) == expected


@needs_grad
def test_grad_several_variables(cli) -> None:
    r = cli("grad", "Y = sigmoid(W X); <Y, M Y>", "--wrt", "W", "--wrt", "X", "-q")
    assert r.code == 0, r.err
    lines = r.out.strip().splitlines()
    assert lines[0] == "Y = sigmoid(W X)"
    assert re.fullmatch(r"grad_W f = .*X\^T", lines[1])
    assert re.fullmatch(r"grad_X f = W\^T .*", lines[2])
    assert cli("grad", "Y = sigmoid(W X); <Y, M Y>", "--wrt", "W,X", "-q").out == r.out


@needs_grad
def test_grad_steps(cli) -> None:
    r = cli("grad", "a^T exp(X b)", "--wrt", "X", "--steps", "-q")
    assert r.code == 0, r.err
    lines = r.out.strip().splitlines()
    assert lines[0].strip().startswith("df = ")
    assert "[product rule]" in r.out and "elementwise chain rule" in r.out
    assert lines[-1].strip() == "grad_X f = (exp(X b) .* a) b^T"
    assert matcalc.derive("a^T exp(X b)", "X").show("text") == r.out.rstrip("\n")


@needs_grad
def test_grad_steps_latex(cli) -> None:
    r = cli("grad", "a^T exp(X b)", "--wrt", "X", "--steps", "--format", "latex", "-q")
    assert r.code == 0, r.err
    assert r.out.startswith("\\begin{aligned}") and r.out.rstrip().endswith("\\end{aligned}")


@needs_grad
def test_grad_json(cli) -> None:
    r = cli("grad", "Y = sigmoid(W X); <Y, M Y>", "--wrt", "W", "--wrt", "X", "--format", "json", "--steps")
    assert r.code == 0, r.err
    data = json.loads(r.out)
    assert data["wrt"] == ["W", "X"]
    assert data["formula"]["text"] == "Y = sigmoid(W X); <Y, M Y>"
    assert set(data["gradients"]) == {"W", "X"}
    assert data["gradients"]["W"]["shape"] == ["n", "m"]
    assert data["gradients"]["X"]["unicode"].startswith("Y = σ(W X); Wᵀ")
    assert [d["name"] for d in data["definitions"]] == ["Y"]
    assert data["steps"][0]["lhs"] == "df"
    assert all(set(s) == {"lhs", "rhs", "rule"} for s in data["steps"])


@needs_grad
def test_grad_symmetrized(cli) -> None:
    plain = cli("grad", "a^T A b", "--wrt", "A", "--where", "A: symmetric(n)", "-q")
    sym = cli("grad", "a^T A b", "--wrt", "A", "--where", "A: symmetric(n)", "--symmetrized")
    assert plain.code == sym.code == 0
    assert plain.out.strip() == "a b^T"
    assert sym.out.strip() != plain.out.strip()
    assert "b a^T" in sym.out


@needs_grad
@pytest.mark.parametrize("args, message", [
    (["a^T exp(X b)", "--wrt", "Z"], "'Z' is not a variable"),
    (["A x", "--wrt", "x"], "scalar"),
])
def test_grad_errors_exit_2(cli, args: list[str], message: str) -> None:
    r = cli("grad", *args)
    assert r.code == 2
    assert r.err.startswith("error: ") and message in r.err
    assert "Traceback" not in r.err


def test_grad_needs_wrt(cli) -> None:
    r = cli("grad", "a^T exp(X b)")
    assert r.code == 2 and "--wrt" in r.err


# ---------------------------------------------------------------- check, codegen, homework

def test_check_agrees_with_autograd(cli) -> None:
    pytest.importorskip("torch")
    r = cli("check", "a^T exp(X b)", "--wrt", "X", "--format", "json")
    assert r.code == 0, r.out + r.err
    data = json.loads(r.out)
    assert data["ok"] is True
    assert data["variables"][0]["name"] == "X"
    assert data["variables"][0]["max_rel_error"] < 1e-10


def test_codegen_source_runs(cli, tmp_path: Path) -> None:
    np = pytest.importorskip("numpy")
    out = tmp_path / "gen.py"
    r = cli("codegen", "a^T exp(X b)", "--wrt", "X", "-o", str(out))
    assert r.code == 0, r.err
    namespace: dict[str, object] = {}
    exec(compile(out.read_text(encoding="utf-8"), str(out), "exec"), namespace)
    rng = np.random.default_rng(0)
    a, X, b = rng.standard_normal(3), rng.standard_normal((3, 2)), rng.standard_normal(2)
    value, grads = namespace["f_and_grad"](a, X, b)
    assert np.isclose(value, a @ np.exp(X @ b))
    assert np.allclose(grads["X"], np.outer(np.exp(X @ b) * a, b))


HOMEWORK = """\
## Problem 1: right

f(X) = a^T exp(X b)

claim: ∇_X f = (exp(X b) ⊙ a) bᵀ

## Problem 2: wrong

f(X) = a^T exp(X b)

claim: ∇_X f = exp(X b) bᵀ
"""


def test_homework_exit_status(cli, tmp_path: Path) -> None:
    right = tmp_path / "right.md"
    right.write_text(HOMEWORK.split("## Problem 2")[0], encoding="utf-8")
    both = tmp_path / "both.md"
    both.write_text(HOMEWORK, encoding="utf-8")
    r = cli("homework", str(right))
    assert r.code == 0, r.out + r.err
    assert "Problem 1" in r.out
    r = cli("homework", str(both), "--format", "json")
    assert r.code == 1, r.out + r.err
    json.loads(r.out)
    assert cli("homework", str(tmp_path / "missing.md")).code == 2


# ---------------------------------------------------------------- the README's examples

README = Path(__file__).resolve().parents[1] / "README.md"


def _console_examples() -> list[tuple[str, list[str]]]:
    """(command, expected output lines) for every `$ matcalc …` in the README's console blocks."""
    examples: list[tuple[str, list[str]]] = []
    for block in re.findall(r"```console\n(.*?)```", README.read_text(encoding="utf-8"), re.S):
        for chunk in re.split(r"^\$ ", block, flags=re.M)[1:]:
            command, *output = chunk.rstrip("\n").split("\n")
            examples.append((command, [line.rstrip() for line in output if line.strip()]))
    return examples


def test_readme_has_console_examples() -> None:
    assert any(cmd.startswith("matcalc grad ") for cmd, _ in _console_examples())


@needs_grad
@pytest.mark.parametrize("command, expected", _console_examples(), ids=[c for c, _ in _console_examples()])
def test_readme_console_example(cli, command: str, expected: list[str]) -> None:
    import shlex

    args = shlex.split(command)
    assert args[0] == "matcalc"
    r = cli(*args[1:])
    assert r.code == 0, r.err
    assert [line.rstrip() for line in r.out.splitlines() if line.strip()] == expected


@needs_grad
def test_readme_python_example(capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("torch")
    (block,) = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    expected = re.findall(r"# → (.*)$", block, re.M)
    assert expected
    exec(compile(block, "README.md", "exec"), {})
    printed = [line.rstrip() for line in capsys.readouterr().out.splitlines()]
    for line in expected:
        assert line.rstrip() in printed


def test_formula_starting_with_a_minus(cli) -> None:
    """A loss like -sum(y .* log(p)) is a formula, not an option."""
    r = cli("grad", "-sum(y .* log(softmax(W x)))", "--wrt", "W", "-q")
    assert (r.code, r.out.splitlines()[0]) == (0, "(sum(y) softmax(W x) - y) x^T")  # then a hint: y: onehot
    r = cli("grad", "x^T A x", "-x", "x", "-q")  # a short option still works
    assert (r.code, r.out.strip()) == (0, "(A + A^T) x")


def test_commands_needing_torch_say_so_without_it(cli, monkeypatch) -> None:
    """check and homework (and check_claim, check_steps) take numbers from torch: without it, exit 2."""
    import importlib.util

    import matcalc

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "torch" else real(name, *a))
    r = cli("check", "a^T exp(X b)", "--wrt", "X")
    assert r.code == 2 and "needs torch" in r.err and "Traceback" not in r.err
    r = cli("homework", str(Path(__file__).resolve().parents[1] / "examples" / "homework.md"))
    assert r.code == 2 and "homework compares with torch.autograd" in r.err
    with pytest.raises(matcalc.MatcalcError, match="needs torch"):
        matcalc.check_claim("x^T A x", "x", "2 A x")
    with pytest.raises(matcalc.MatcalcError, match="needs torch"):
        matcalc.check_steps("df = <1, d(x^T x)>\n= <2 x, dx>")


def test_homework_plain_text_and_empty_files(cli, tmp_path) -> None:
    plain = tmp_path / "plain.txt"
    plain.write_text("f(x) = x^T A x\nclaim: (A + A^T) x\n", encoding="utf-8")
    r = cli("homework", str(plain))
    assert r.code == 0 and "1 of 1 problems right" in r.out
    empty = tmp_path / "empty.md"
    empty.write_text("", encoding="utf-8")
    r = cli("homework", str(empty))
    assert r.code == 2 and r.err.startswith("error: no problems found")
    r = cli("homework", str(tmp_path / "missing.md"))
    assert r.code == 2 and r.err.startswith("error: cannot read")


# ---------------------------------------------------------------- the user's spelling, the reading around errors

@needs_grad
@pytest.mark.parametrize("formula, wrt, fmt, expected", [
    ("λ x^T x", "x", "text", "2 λ x"),  # typed λ: text keeps λ
    ("lambda x^T x", "x", "text", "2 lambda x"),  # typed lambda: text keeps lambda
    ("lambda x^T x", "x", "unicode", "2 λ x"),
    ("λ x^T x", "x", "latex", "2 \\lambda x"),
    ("x^T Σ^-1 x", "Σ", "text", "-(Σ^-T x x^T Σ^-T)"),
    ("x^T Σ^-1 x", "Sigma", "unicode", "-(Σ⁻ᵀ x xᵀ Σ⁻ᵀ)"),
    ("x^T Σ^-1 x", "Σ", "latex", "-(\\Sigma^{-\\top} x x^\\top \\Sigma^{-\\top})"),
    ("α x^T x + γ", "x", "text", "2 α x"),
    ("a^T W₁ b", "W₁", "unicode", "a bᵀ"),
    ("a^T W₁ x", "x", "unicode", "W₁ᵀ a"),
])
def test_results_keep_the_users_spelling(cli, formula: str, wrt: str, fmt: str, expected: str) -> None:
    r = cli("grad", formula, "--wrt", wrt, "--format", fmt, "-q")
    assert (r.code, r.out.strip()) == (0, expected), r.err
    g = matcalc.grad(formula, wrt)
    assert matcalc.parse(r.out.strip(), where=g.where).expr is g.expr  # and the printed form reads back


@needs_grad
def test_reading_and_labels_keep_the_users_spelling(cli) -> None:
    r = cli("grad", "λ x^T x + x^T Σ x", "--wrt", "Σ,λ")
    assert "  λ: scalar (Greek name)" in r.out.splitlines() and "lambda" not in r.out
    assert r.out.strip().splitlines()[-2:] == ["grad_Σ f = x x^T", "grad_λ f = x^T x"]
    r = cli("grad", "λ x^T x + x^T Σ x", "--wrt", "Sigma,lambda", "--format", "unicode", "--steps", "-q")
    assert r.out.strip().splitlines()[-2:] == ["∇_Σ f = x xᵀ", "∇_λ f = xᵀ x"]
    assert "Sigma" not in r.out and "lambda" not in r.out
    r = cli("grad", "λ x^T x + x^T Σ x", "--wrt", "Σ,λ", "--format", "latex", "-q")
    assert [" ".join(line.split()) for line in r.out.strip().splitlines()] == [
        "\\nabla_{\\Sigma} f = x x^\\top", "\\nabla_{\\lambda} f = x^\\top x"]
    r = cli("grad", "x - λ", "--wrt", "x")  # a hint names λ as typed
    assert "declare λ: vector(n)" in r.out and "lambda" not in r.out + r.err
    r = cli("parse", "λ x^T W₁ y")
    assert re.search(r"^λ\s+scalar\s+1×1$", r.out, re.M) and "  W₁: matrix(n, m) (capitalised name)" in r.out


@needs_grad
def test_the_reading_comes_before_an_error_and_never_with_quiet(cli) -> None:
    r = cli("grad", "tr(X^-1)", "--wrt", "x")
    assert r.code == 2 and r.out.startswith("read as tr(X⁻¹)")
    assert r.err.startswith("error: 'x' is not a variable") and "read as" not in r.err
    r = cli("grad", "tr(X^-1)", "--wrt", "x", "--quiet")
    assert r.code == 2 and r.out == "" and "read as" not in r.err
    r = cli("grad", "tr(X^-1)", "--wrt", "x", "--format", "json")  # JSON: the reading on stderr, before the error
    assert r.code == 2 and r.out == "" and r.err.index("read as") < r.err.index("error:")
    assert "read as" not in cli("grad", "tr(X^-1)", "--wrt", "x", "--format", "json", "-q").err
    r = cli("hessian", "X^-1", "--wrt", "X")
    assert r.code == 2 and r.out.startswith("read as") and "read as" not in r.err
    assert "read as" not in cli("jvp", "X^-1", "--wrt", "X", "-q").out


def test_claim_labels_name_each_kind() -> None:
    from matcalc.calculus.commands import claim_label

    unicode = {k: claim_label(k, "W_1", "L") for k in ("gradient", "jacobian", "hessian", "jvp", "hvp", "vjp")}
    assert unicode == {"gradient": "∇_W_1 L", "jacobian": "J_W_1 F", "hessian": "∇²_W_1 L", "jvp": "∂_W_1 F[V]",
                       "hvp": "∇²_W_1 L[V]", "vjp": "∇_W_1 ⟨G, F⟩"}
    assert claim_label("jvp", "W₁", notation="latex") == "\\partial_{W_{1}} F\\,[V]"
    assert claim_label("vjp", "λ", notation="latex", direction="U") == "\\nabla_{\\lambda} \\langle U, F \\rangle"
    wrong = matcalc.check_claim("W x", "W", "G x", kind="vjp")
    assert "∇_W ⟨G, F⟩ = " in str(wrong) and "∇_W f" not in str(wrong)
