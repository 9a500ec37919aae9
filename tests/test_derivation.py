"""The differentiator and simplifier: derivation steps, rule tables, API errors."""

from __future__ import annotations

import numpy as np
import pytest
from test_rules import as_env, evaluate

import matcalc
from matcalc.algebra import ops
from matcalc.algebra.expr import Expr, walk
from matcalc.checking.sample import sample_inputs, sizes_of
from matcalc.checking.verify import check, concretize
from matcalc.language.formula import Declaration, Formula
from matcalc.simplification.simplify import simplify


def test_worked_example_derivation_lines() -> None:
    d = matcalc.derive("a^T exp(X b)", "X")
    rhs = [line[1] for line in d.lines("text")]
    assert rhs[:6] == ["d(a^T exp(X b))", "a^T d(exp(X b))", "a^T (exp(X b) .* d(X b))",  # vectors as products
                       "(exp(X b) .* a)^T d(X b)", "(exp(X b) .* a)^T (dX b)", "<(exp(X b) .* a) b^T, dX>"]
    rules = [line[2] for line in d.lines("text")]
    assert "product rule" in rules and "elementwise chain rule" in rules
    assert "<G, A .* B> = <A .* G, B>" in rules and "⟨G, A ⊙ B⟩ = ⟨A ⊙ G, B⟩" in [r for _, _, r in d.lines("unicode")]
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


def _hand_written(torch):
    """The three functions below written by hand in torch (vectors as columns)."""
    return {
        "X": lambda a, X, b: (a.T @ torch.exp(X @ b)).sum(),
        "W": lambda W, X, M: (torch.sigmoid(W @ X) * (M @ torch.sigmoid(W @ X))).sum(),
        "xS": lambda x, A, S: (x.T @ A @ x).sum() + torch.logdet(S),
    }


@pytest.mark.parametrize("text,wrt,hand", [
    ("a^T exp(X b) where a: vector(3); X: matrix(3, 2); b: vector(2)", "X", "X"),
    ("Y = sigmoid(W X); <Y, M Y> where W: matrix(3, 2); X: matrix(2, 4); M: matrix(3, 3)", "X", "W"),
    ("x^T A x + logdet(S) where x: vector(3); A: matrix(3, 3); S: spd(3)", ["x", "S"], "xS"),
])
def test_every_step_is_an_equality(text: str, wrt, hand: str) -> None:
    """Each recorded line equals df in a random direction, df computed by torch forward mode on
    the function written by hand (not on matcalc's reading of it)."""
    torch = pytest.importorskip("torch")
    d = matcalc.derive(text, wrt)
    rng = np.random.default_rng(0)
    values = sample_inputs(d.formula, rng)
    names = [wrt] if isinstance(wrt, str) else wrt
    directions = {n: rng.standard_normal(np.shape(values[n])) for n in names}
    fn = _hand_written(torch)[hand]
    args = list(fn.__code__.co_varnames[:fn.__code__.co_argcount])
    t = {k: torch.tensor(np.asarray(values[k]), dtype=torch.float64) for k in args}
    t = {k: v.reshape(-1, 1) if v.ndim == 1 else v for k, v in t.items()}
    tangents = tuple(torch.tensor(directions[k], dtype=torch.float64).reshape(t[k].shape)
                     if k in directions else torch.zeros_like(t[k]) for k in args)
    _, df = torch.func.jvp(lambda *xs: fn(*xs), tuple(t[k] for k in args), tangents)
    assert abs(float(df)) > 1e-8
    for step in d.steps:
        assert _state_value(d, step, values, directions) == pytest.approx(float(df), rel=1e-9), step.rule


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
    env = as_env(values)
    dims = sizes_of(f, values)  # I, 1_n at the drawn sizes; then NumPy by hand, per operation
    np.testing.assert_allclose(evaluate(concretize(got, dims), env), evaluate(concretize(f.expr, dims), env),
                               rtol=1e-10)


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
    assert str(g) == "0_m"  # a zero vector with its size, as books write it, so it reads back (issue 9)
    assert g.expr.op == "fill" and g.expr.shape == ("m", 1)


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


def _autograd(fn, values: dict, wrt: str) -> np.ndarray:
    """∇_wrt fn by torch.autograd in float64; fn is written by hand in the test."""
    import torch

    xs = {k: torch.tensor(np.asarray(v, dtype=float), dtype=torch.float64, requires_grad=k == wrt)
          for k, v in values.items()}
    fn(xs).backward()
    return xs[wrt].grad.numpy()


def _sizes(n: int, m: int) -> str:
    return (f"x, y: vector({n}); a: vector({m}); b: vector({n}); C: matrix({n}, {m}); "
            "alpha, beta: scalar")


SPREAD_SCALARS = [  # a scalar spread over an array is not an array of the array's shape (issue 10)
    ("alpha x^T (1 ./ x)", "alpha", lambda v: v["alpha"] * (v["x"] @ (1 / v["x"]))),
    ("x^T (beta ./ x)", "beta", lambda v: v["x"] @ (v["beta"] / v["x"])),
    ("alpha y^T ((x + 1) ./ y)", "alpha", lambda v: v["alpha"] * (v["y"] @ ((v["x"] + 1) / v["y"]))),
    ("y^T (x - x + alpha + beta)", "y", lambda v: v["y"] @ (v["x"] - v["x"] + v["alpha"] + v["beta"])),
    ("y^T (x - x + alpha)", "alpha", lambda v: v["y"] @ (v["x"] - v["x"] + v["alpha"])),
    ("b^T ((C - C) - (C - C) + alpha + ||a||^2) a", "b",
     lambda v: v["b"] @ ((v["C"] - v["C"]) - (v["C"] - v["C"]) + v["alpha"] + v["a"] @ v["a"]) @ v["a"]),
    ("sum(C - C + alpha)", "alpha", lambda v: (v["C"] - v["C"] + v["alpha"]).sum()),
    ("b^T (C - C + beta) a", "a", lambda v: v["b"] @ (v["C"] - v["C"] + v["beta"]) @ v["a"]),
]


@pytest.mark.parametrize("n,m", [(3, 2), (1, 4), (4, 1)])
@pytest.mark.parametrize("text,wrt,reference", SPREAD_SCALARS)
def test_spread_scalars_keep_their_shape(text: str, wrt: str, reference, n: int, m: int) -> None:
    """Classes of wrong answers: a rule firing on a scalar spread over an array (aᵀ(b ./ a) = sum(b)
    with b a number) and collecting terms that dropped the broadcast shape (x - x + α)."""
    f = matcalc.parse(text, where=_sizes(n, m))
    g = matcalc.grad(f, wrt)
    rng = np.random.default_rng(n * 10 + m)
    values = {d.name: rng.uniform(0.5, 2.0, size=(d.shape[0],) if d.var.kind == "vector" else
                                  () if d.var.kind == "scalar" else d.shape) for d in f.declarations}
    want = _autograd(reference, values, wrt)
    need = {n.attr.name for n in walk(g.expr) if n.op == "var"}
    got = matcalc.compile(Formula(g.expr, f.declarations))(**{k: v for k, v in values.items() if k in need})
    assert g.expr.shape == next(d.shape for d in f.declarations if d.name == wrt)
    np.testing.assert_allclose(np.broadcast_to(got, want.shape), want, rtol=1e-9, atol=1e-12)


def _nested(depth: int) -> str:
    return "sin(" * depth + "x" + ")" * depth


def _chained(count: int) -> str:
    defs = ["s1 = sin(x)"] + [f"s{i} = sin(s{i - 1}) cos(s{i - 1})" for i in range(2, count + 1)]
    return "; ".join(defs) + f"; s{count}"


def _nested_torch(depth: int):
    def fn(v):
        import torch

        s = v["x"]
        for _ in range(depth):
            s = torch.sin(s)
        return s
    return fn


def _chained_torch(count: int):
    def fn(v):
        import torch

        s = torch.sin(v["x"])
        for _ in range(count - 1):
            s = torch.sin(s) * torch.cos(s)
        return s
    return fn


@pytest.mark.parametrize("text,reference", [(_nested(149), _nested_torch(149)), (_chained(100), _chained_torch(100))],
                         ids=["nested-149", "chained-100"])
def test_deep_and_shared_formulas_derive_without_blow_up(text: str, reference) -> None:
    """A generous bound (benchmarks/deep.py measures the growth): an exponential path (ordering
    factors by printed text, re-simplifying shared parts) takes minutes here."""
    import time

    start = time.perf_counter()
    g = matcalc.grad(text, "x", where="x: scalar")
    assert time.perf_counter() - start < 10
    got = matcalc.compile(Formula(g.expr, g.declarations, g.definitions))(x=0.3)
    np.testing.assert_allclose(got, _autograd(reference, {"x": 0.3}, "x"), rtol=1e-9)


def test_long_products_are_walked_without_recursion() -> None:
    """A product of thousands of factors nests that deep: its factors are read iteratively
    (recursing once per factor raised RecursionError past ~1000)."""
    from matcalc.simplification.sums import chain_of

    xs = [ops.var(f"a{i}", "scalar", (1, 1)) for i in range(5000)]
    e = xs[0]
    for v in xs[1:]:
        e = ops.matmul(e, v)
    assert chain_of(e) == xs
