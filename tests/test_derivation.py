"""The differentiator and simplifier: derivation steps, rule tables, API errors."""

from __future__ import annotations

import numpy as np
import pytest

import matcalc
from matcalc.algebra import ops
from matcalc.algebra.expr import Expr, walk
from matcalc.checking.sample import sample_inputs
from matcalc.checking.verify import check
from matcalc.language.formula import Declaration, Formula
from matcalc.simplification.simplify import simplify


def test_worked_example_derivation_lines() -> None:
    d = matcalc.derive("a^T exp(X b)", "X")
    rhs = [line[1] for line in d.lines("text")]
    for expected in ["<1, d(a^T exp(X b))>", "<a, d(exp(X b))>", "<a, exp(X b) .* d(X b)>",
                     "<exp(X b) .* a, d(X b)>", "<(exp(X b) .* a) b^T, dX>"]:
        assert expected in rhs
    rules = [line[2] for line in d.lines("text")]
    assert "product rule" in rules and "elementwise chain rule" in rules
    assert "<G, A ⊙ B> = <A ⊙ G, B>" in rules
    assert str(d.result) == "(exp(X b) .* a) b^T"


def test_derivation_prints_in_three_notations() -> None:
    d = matcalc.derive("Y = sigmoid(W X); <Y, M Y>", "X")
    assert "∇_X f = Wᵀ (Y ⊙ (1 - Y) ⊙ ((M + Mᵀ) Y))" in d.show("unicode")
    latex = d.show("latex")
    assert latex.startswith("\\begin{aligned}") and "\\nabla_{X} f &=" in latex and "\\odot" in latex
    assert "where Y = sigmoid(W X)" in d.show("text")


def _directional(formula: Formula, e: Expr, values: dict, directions: dict) -> np.ndarray:
    """d(e) in the given directions, by torch forward-mode (float64)."""
    import torch

    fn = matcalc.compile(Formula(e, formula.declarations), backend="torch")
    names = [n.attr.name for n in walk(e) if n.op == "var"]
    prim = tuple(torch.tensor(np.asarray(values[n]), dtype=torch.float64) for n in names)
    tang = tuple(torch.tensor(np.asarray(directions.get(n, np.zeros_like(values[n]))), dtype=torch.float64)
                 for n in names)
    _, out = torch.func.jvp(lambda *xs: fn(**dict(zip(names, xs))), prim, tang)
    return out.numpy()


def _state_value(d: matcalc.Derivation, step, values: dict, directions: dict) -> float:
    """Evaluate Σ <G, L> with every d(e) replaced by its directional derivative."""
    total = 0.0
    for g, lin in step.terms:
        subs: dict[Expr, Expr] = {}
        extra: dict[str, np.ndarray] = {}
        for k, node in enumerate(n for n in walk(lin) if n.op == "d"):
            name = f"D{k}"
            subs[node] = ops.var(name, "matrix", node.shape)
            jvp = _directional(d.formula, node.args[0], values, directions)
            extra[name] = jvp.reshape(node.shape if isinstance(node.shape[0], int) else jvp.shape)
        built: dict[Expr, Expr] = {}
        for node in walk(lin):
            built[node] = subs.get(node) or (node if not node.args else
                                             Expr(node.op, tuple(built[a] for a in node.args), node.attr, node.shape))
        term = ops.inner(g, built[lin])
        env = {**values, **{k: np.atleast_2d(v.reshape(v.shape[0], -1)) for k, v in extra.items()}}
        need = {n.attr.name for n in walk(term) if n.op == "var"}
        total += matcalc.compile(Formula(term, d.formula.declarations + tuple(
            Declaration(n.attr, n.shape) for n in walk(term) if n.op == "var" and n.attr.name.startswith("D"))))(
            **{k: v for k, v in env.items() if k in need})
    return total


@pytest.mark.parametrize("text,wrt", [
    ("a^T exp(X b) where a: vector(3); X: matrix(3, 2); b: vector(2)", "X"),
    ("Y = sigmoid(W X); <Y, M Y> where W: matrix(3, 2); X: matrix(2, 4); M: matrix(3, 3)", "X"),
    ("x^T A x + logdet(S) where x: vector(3); A: matrix(3, 3); S: spd(3)", ["x", "S"]),
])
def test_every_step_is_an_equality(text: str, wrt) -> None:
    """Each recorded line equals the one before it, as a linear function of the differential."""
    d = matcalc.derive(text, wrt)
    rng = np.random.default_rng(0)
    values = sample_inputs(d.formula, rng)
    names = [wrt] if isinstance(wrt, str) else wrt
    directions = {n: rng.standard_normal(np.shape(values[n])) for n in names}
    first = _state_value(d, d.steps[0], values, directions)
    assert abs(first) > 1e-8
    for step in d.steps[1:]:
        assert _state_value(d, step, values, directions) == pytest.approx(first, rel=1e-9), step.rule


SIMPLIFY = [  # "in" => "out": each rule's identity, in the form a reader expects
    ("(A^T)^T", "A"),
    ("1 A", "A"),
    ("A I", "A"),
    ("0 A + B", "B"),
    ("--A", "A"),
    ("(A B)^T", "B^T A^T"),
    ("A x + A^T x", "(A + A^T) x"),
    ("A x + A x", "2 A x"),
    ("2 (3 A)", "6 A"),
    ("A (2 B)", "2 A B"),
    ("x .* (y ./ x)", "y"),
    ("exp(z) ./ (1 + exp(z))", "sigmoid(z)"),
    ("S^T where S: symmetric(n)", "S"),
    ("x^T (y ./ x)", "sum(y)"),
    ("A - A + B", "B"),
    ("0.5 (2 A + 2 B)", "A + B"),
    ("(1 / alpha) x", "x / alpha"),
    ("diag(x y^T)", "x .* y"),
]


@pytest.mark.parametrize("before,after", SIMPLIFY)
def test_simplify_table(before: str, after: str) -> None:
    f = matcalc.parse(before)
    got = simplify(f.expr)
    want = matcalc.parse(after, where=f.where).expr
    assert got is simplify(want), f"{before} -> {matcalc.Formula(got)}"
    values = sample_inputs(f, np.random.default_rng(3))
    lhs, rhs = matcalc.compile(f)(**values), matcalc.compile(Formula(got, f.declarations))
    need = {n.attr.name for n in walk(got) if n.op == "var"}
    np.testing.assert_allclose(lhs, rhs(**{k: v for k, v in values.items() if k in need}), rtol=1e-10)


def test_vjp_of_a_linear_layer() -> None:
    g = matcalc.vjp("W X", ["W", "X"])
    assert (str(g["W"]), str(g["X"])) == ("G X^T", "W^T G")
    report = check(matcalc.parse("<G, W X>"), ["W", "X"], trials=2)
    assert report.ok


def test_symmetric_gradient_options() -> None:
    f = "x^T S y where S: symmetric(n)"
    assert str(matcalc.grad(f, "S")) == "x y^T"
    assert str(matcalc.grad(f, "S", symmetrized=True)) == "0.5 (x y^T + y x^T)"


def test_list_of_variables_gives_a_dict() -> None:
    g = matcalc.grad("||W2 tanh(W1 x + b1) + b2 - y||^2", ["W1", "b1", "W2", "b2"])
    assert set(g) == {"W1", "b1", "W2", "b2"}
    assert check("||W2 tanh(W1 x + b1) + b2 - y||^2", ["W1", "b1", "W2", "b2"], trials=2).ok


@pytest.mark.parametrize("text,wrt,message", [
    ("a^T exp(X b)", "Z", "'Z' is not a variable of the formula"),
    ("X b", "X", "must be a scalar"),
    ("x^T x", [], "at least one variable"),
])
def test_errors(text: str, wrt, message: str) -> None:
    with pytest.raises(matcalc.MatcalcError, match=message):
        matcalc.grad(text, wrt)


def test_function_not_depending_on_the_variable() -> None:
    g = matcalc.grad("x^T x + 0 (y^T y)", "y")
    assert str(g) == "vector(0, m)"  # a zero of y's size, which no variable of the result fixes


def test_deep_network_gradient_is_linear_in_size() -> None:
    def mlp(depth: int) -> str:
        e = "x"
        for i in range(1, depth + 1):
            e = f"tanh(W{i} {e} + b{i})"
        return f"sum({e})"

    sizes = [len(str(matcalc.grad(mlp(n), "W1"))) for n in (16, 32, 64)]
    assert sizes[2] < 2.5 * sizes[1] < 6.25 * sizes[0]
    assert check(mlp(6), ["W1", "b3", "W6"], trials=1).ok


def test_to_sympy() -> None:
    import sympy as sp

    e = matcalc.to_sympy(matcalc.parse("x^T A x + tr(inv(S)) where S: spd(n)"))
    assert e.has(sp.Trace) and e.has(sp.Inverse)
    assert isinstance(matcalc.to_sympy(matcalc.grad("a^T X b", "X")), sp.MatrixExpr)
