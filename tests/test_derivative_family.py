"""Jacobians, JVPs, Hessians and HVPs against torch.func of hand-written torch functions (float64).

Every corpus entry (tests/corpus_second_order.py) is derived by matcalc, evaluated at random
inputs of distinct sizes (so a transposed or Kronecker-swapped answer fails), and compared with
torch.func.jacrev / hessian / jvp of the reference written by hand in the corpus; Jacobians of
matrices are compared in the column-major vec convention.
"""

from __future__ import annotations

import inspect

import numpy as np
import pytest
import torch
from corpus_second_order import CORPUS, HESSIANS, HVPS, JACOBIANS, JVPS

import matcalc
from matcalc.algebra import ops

SIZES = [3, 4, 2, 5, 6, 7]


def sample(formula: matcalc.Formula, seed: int) -> dict[str, torch.Tensor]:
    """Random float64 inputs of the declared kinds; square matrices well conditioned."""
    gen = torch.Generator().manual_seed(seed)
    dims: dict[object, int] = {}
    for d in formula.declarations:
        for x in d.shape:
            if isinstance(x, str) and x not in dims:
                dims[x] = SIZES[len(dims)]
    out = {}
    for d in formula.declarations:
        rows, cols = (dims.get(x, x) for x in d.shape)
        kind = d.var.kind
        value = torch.randn(rows, cols, generator=gen, dtype=torch.float64) * 0.7
        if kind == "spd":
            value = value @ value.T + rows * torch.eye(rows, dtype=torch.float64)
        elif kind == "symmetric":
            value = value + value.T
        elif kind == "matrix" and rows == cols:
            value = value + rows * torch.eye(rows, dtype=torch.float64)
        if d.var.positive:
            value = value.abs() + 0.5
        out[d.name] = value.reshape(()) if kind == "scalar" else value.reshape(-1) if kind == "vector" else value
    return out


def evaluate(result: matcalc.Formula, values: dict[str, torch.Tensor], formula: matcalc.Formula) -> np.ndarray:
    """matcalc's closed form at the values (the thing under test). The formula's variables join as
    0 * sum(X) terms, so that sizes such as I_n in xᵀ ⊗ I_n can be read off an input."""
    zero = [ops.matmul(ops.const(0), ops.make("sum", ops.var(d.name, d.var.kind, d.shape, d.var.positive)))
            for d in formula.declarations]
    fn = matcalc.compile(matcalc.Formula(ops.add(result.expr, *zero), result.declarations, result.definitions))
    names = {d.name for d in formula.declarations + result.declarations}
    return np.asarray(fn(**{n: values[n].numpy() for n in names}), dtype=float)


def as_vec_matrix(jac: torch.Tensor, out_shape: tuple, in_shape: tuple) -> np.ndarray:
    """A torch Jacobian (out dims + in dims) in the vec convention: rows vec(F), columns vec(X)."""
    out_shape, in_shape = tuple(out_shape), tuple(in_shape)
    jac = jac.reshape(out_shape + in_shape)
    order = list(reversed(range(len(out_shape)))) + [len(out_shape) + i for i in reversed(range(len(in_shape)))]
    jac = jac.permute(*order) if order else jac
    return jac.reshape(int(np.prod(out_shape)), int(np.prod(in_shape))).numpy()


def reference(entry, values: dict[str, torch.Tensor], direction: torch.Tensor | None) -> np.ndarray:
    """torch.func applied to the hand-written reference, in the variable entry.wrt."""
    names = list(inspect.signature(entry.reference).parameters)
    inputs = {n: values["lambda" if n == "lam" else n] for n in names}

    def f(x: torch.Tensor) -> torch.Tensor:
        return entry.reference(**{**inputs, entry.wrt: x})

    x = values[entry.wrt]
    if entry.kind == "jacobian":
        out = f(x)
        return as_vec_matrix(torch.func.jacrev(f)(x), out.shape, x.shape)
    if entry.kind == "hessian":
        return as_vec_matrix(torch.func.hessian(f)(x), x.shape, x.shape)
    if entry.kind == "jvp":
        return torch.func.jvp(f, (x,), (direction,))[1].numpy()
    return torch.func.jvp(torch.func.grad(f), (x,), (direction,))[1].numpy()


def derive(entry) -> matcalc.Formula:
    fn = {"jacobian": matcalc.jacobian, "hessian": matcalc.hessian, "jvp": matcalc.jvp, "hvp": matcalc.hvp}
    return fn[entry.kind](entry.formula, entry.wrt, where=entry.where)


def test_corpus_size() -> None:
    assert len(JACOBIANS) >= 25 and len(HESSIANS) >= 25 and len(HVPS) >= 15 and len(JVPS) >= 15
    assert all(e.source.strip() for e in CORPUS)


@pytest.mark.parametrize("entry", CORPUS, ids=[f"{e.kind}:{e.formula}:{e.wrt}" for e in CORPUS])
def test_against_torch_func(entry) -> None:
    result = derive(entry)
    formula = matcalc.parse(entry.formula, where=entry.where)
    for seed in (0, 1):
        values = sample(formula, seed)
        direction = None
        if entry.kind in ("jvp", "hvp"):
            gen = torch.Generator().manual_seed(100 + seed)
            direction = torch.randn(values[entry.wrt].shape, generator=gen, dtype=torch.float64)
            values = {**values, "V": direction}
        got = evaluate(result, values, formula)
        want = reference(entry, values, direction)
        got = got.reshape(want.shape) if got.size == want.size else got
        assert got.shape == want.shape, (str(result), got.shape, want.shape)
        scale = max(1.0, float(np.abs(want).max()))
        assert np.abs(got - want).max() <= 1e-8 * scale, str(result)


@pytest.mark.parametrize("entry", CORPUS[::3], ids=[f"{e.kind}:{e.formula}:{e.wrt}" for e in CORPUS[::3]])
def test_results_parse_back(entry) -> None:
    result = derive(entry)
    for notation in ("text", "unicode", "latex"):
        back = matcalc.parse(result.show(notation), where=result.where)
        assert back.expr is result.expr, (notation, result.show(notation))


@pytest.mark.parametrize("kind, formula, wrt, where, expected", [
    ("jacobian", "A x", "x", None, "A"),
    ("jacobian", "exp(x)", "x", None, "diag(exp(x))"),
    ("jacobian", "softmax(x)", "x", None, "diag(softmax(x)) - softmax(x) softmax(x)^T"),
    ("jacobian", "W x", "W", "W: matrix(m, n)", "kron(x^T, I_m)"),
    ("hessian", "x^T A x", "x", None, "A + A^T"),
    ("hessian", "sum(softplus(X w)) - y^T X w", "w", None, "X^T diag(sigmoid(X w) .* (1 - sigmoid(X w))) X"),
    ("hvp", "tr(X^T A X)", "X", None, "(A + A^T) V"),
    ("hvp", "logdet(X)", "X", None, "-(X^-T V^T X^-T)"),
    ("jvp", "W x", "W", None, "V x"),
])
def test_textbook_forms(kind, formula, wrt, where, expected) -> None:
    fn = {"jacobian": matcalc.jacobian, "hessian": matcalc.hessian, "jvp": matcalc.jvp, "hvp": matcalc.hvp}[kind]
    assert str(fn(formula, wrt, where=where)) == expected


def test_unicode_kronecker() -> None:
    assert matcalc.jacobian("W x", "W").unicode() == "xᵀ ⊗ I_n"
    assert matcalc.jacobian("A X B", "X").latex() == "B^\\top \\otimes A"


def test_derivations_print_the_steps() -> None:
    d = matcalc.jacobian("softmax(x)", "x").derivation.show("text")
    assert "dF = d(softmax(x))" in d and "numerator layout: dF = J dx" in d
    h = matcalc.hessian("x^T A x", "x").derivation.show("unicode")
    assert "d²f = ⟨dx, (A + Aᵀ) dx⟩" in h and "H_x f = A + Aᵀ" in h
    assert "\\begin{aligned}" in matcalc.hvp("logdet(X)", "X").derivation.show("latex")
    assert "dX = V" in str(matcalc.jvp("X^-1", "X").derivation)


def test_symmetric_variables_get_the_unconstrained_result() -> None:
    # torch.autograd differentiates logdet(X) as a function of all n² entries: d∇ = -X⁻ᵀ dXᵀ X⁻ᵀ
    assert str(matcalc.hvp("logdet(X)", "X", where="X: spd(n)")) == "-(X^-1 V^T X^-1)"


@pytest.mark.parametrize("call, message", [
    (lambda: matcalc.jacobian("X^T X", "X"), "no matrix form"),
    (lambda: matcalc.hessian("logdet(X)", "X"), "use hvp"),
    (lambda: matcalc.hessian("A x", "x"), "must be a scalar"),
    (lambda: matcalc.jvp("V x", "x"), "already a variable"),
    (lambda: matcalc.jacobian("A x", "y"), "not a variable"),
])
def test_clear_errors(call, message) -> None:
    with pytest.raises(matcalc.MatcalcError, match=message):
        call()


def test_new_functions_evaluate() -> None:
    x = np.array([1.0, 2.0, 4.0])
    W = np.array([[1.0, 2.0], [3.0, 4.0]])
    assert matcalc.compile("mean(x)")(x=x) == pytest.approx(7 / 3)
    assert np.allclose(matcalc.compile("vec(W)")(W=W), W.T.reshape(-1))
    assert np.allclose(matcalc.compile("kron(W, I_2)")(W=W), np.kron(W, np.eye(2)))
    assert np.allclose(matcalc.compile("W^0 + W^1")(W=W), np.eye(2) + W)
    g = matcalc.compile(matcalc.grad("mean(exp(x))", "x"))(x=x)
    assert np.allclose(g, np.exp(x) / 3)  # hand-written: d mean(exp(x)) / dx = exp(x) / n


@pytest.mark.parametrize("argv, expected", [
    (["jacobian", "softmax(x)", "--wrt", "x"], "diag(softmax(x)) - softmax(x) softmax(x)^T"),
    (["jacobian", "W x", "--wrt", "W", "--format", "unicode"], "xᵀ ⊗ I_n"),
    (["hessian", "x^T A x", "--wrt", "x"], "A + A^T"),
    (["hvp", "tr(X^T A X)", "--wrt", "X", "--direction", "U"], "(A + A^T) U"),
    (["jvp", "X^-1", "--wrt", "X"], "-(X^-1 V X^-1)"),
    (["vjp", "W x", "--wrt", "W", "--upstream", "G"], "G x^T"),
])
def test_cli_commands(cli, argv, expected) -> None:
    run = cli(*argv, "-q")  # -q: without the reading printed first
    assert run.code == 0 and run.out.strip() == expected
    assert cli(*argv).out.strip().splitlines()[-1] == expected


def test_cli_steps_and_errors(cli) -> None:
    run = cli("hessian", "x^T A x", "--wrt", "x", "--steps")
    assert run.code == 0 and "d²f = <dx, (A + A^T) dx>" in run.out and "H_x f = A + A^T" in run.out
    bad = cli("hessian", "logdet(X)", "--wrt", "X")
    assert bad.code == 2 and "use hvp" in bad.err and "Traceback" not in bad.err


@pytest.mark.parametrize("kind, formula, wrt", [
    ("jacobian", "softmax(x)", "x"), ("hessian", "sum(softplus(X w)) - y^T X w", "w"),
    ("jvp", "W x", "W"), ("hvp", "logdet(X)", "X"), ("vjp", "X^T A X", "X"), ("vjp", "log(x)", "x"),
])
def test_cli_check_each_kind(cli, kind, formula, wrt) -> None:
    run = cli("check", formula, "--wrt", wrt, "--kind", kind)
    assert run.code == 0 and "✓" in run.out


def test_check_kind_finds_a_wrong_closed_form(monkeypatch) -> None:
    from matcalc.checking import family

    monkeypatch.setattr(family, "derive_kind", lambda kind, f, wrt, where=None, direction="V": matcalc.parse("A"))
    assert not family.check_kind("A^T x", "x", "jacobian")


def test_vjp_reference_is_autograd_of_the_upstream_inner_product() -> None:
    from matcalc.checking import family

    rng = np.random.default_rng(2)
    A, x, G = rng.standard_normal((4, 3)), rng.standard_normal(3), rng.standard_normal(4)
    got = family.reference("vjp", matcalc.parse("A x"), "x", {"A": A, "x": x}, G)
    assert np.allclose(got, A.T @ G)  # hand-written: ∇_x <G, A x> = Aᵀ G


def test_check_kind_finds_a_wrong_vjp(monkeypatch) -> None:
    from matcalc.checking import family

    assert family.check_kind("A x", "x", "vjp", where="A: matrix(n, n)")
    wrong = lambda kind, f, wrt, where=None, direction="V": matcalc.vjp("A^T x", "x", direction, "A: matrix(n, n)")  # noqa: E731
    monkeypatch.setattr(family, "derive_kind", wrong)
    assert not family.check_kind("A x", "x", "vjp", where="A: matrix(n, n)")


def test_results_say_what_they_are() -> None:
    h = matcalc.hessian("x^T A x", "x")
    assert repr(h) == "Formula('A + A^T', what='Hessian of x^T A x in x')"
    assert "Hessian of x^T A x in x" in h._repr_markdown_()
    assert "Jacobian" in repr(matcalc.jacobian("A x", "x")) and "JVP" in repr(matcalc.jvp("A x", "x"))
    assert "Hessian-vector product" in repr(matcalc.hvp("x^T A x", "x"))
    assert repr(matcalc.parse("A x")) == "Formula('A x')"


@pytest.mark.parametrize("f", ["log(x)", "A x"])
def test_grad_of_a_vector_points_to_the_family(f) -> None:
    with pytest.raises(matcalc.MatcalcError, match=r"jacobian\(F, wrt\).*jvp\(F, wrt.*vjp\(F, wrt"):
        matcalc.grad(f, "x")


def _run(source: str, name: str):
    namespace: dict = {}
    exec(source, namespace)  # noqa: S102 - matcalc's generated source under test
    return namespace[name]


def test_codegen_value_gradient_and_hessian_share_one_graph() -> None:
    rng = np.random.default_rng(0)
    X, w, y = rng.standard_normal((30, 4)), rng.standard_normal(4), rng.uniform(size=30)
    source = matcalc.codegen("sum(softplus(X w)) - y^T X w", ["w"], hessian=True)
    body = source[source.index("def f_grad_hess"):]
    assert body.count("np.exp(") + body.count("_sigmoid(") == 1  # σ(X w) computed once (from softplus(X w))
    value, grads, hessians = _run(source, "f_grad_hess")(X, w, y)
    s = 1 / (1 + np.exp(-X @ w))  # hand-written closed forms
    assert value == pytest.approx(np.sum(np.log1p(np.exp(X @ w))) - y @ X @ w)
    assert np.allclose(grads["w"], X.T @ (s - y))
    assert np.allclose(hessians["w"], X.T @ ((s * (1 - s))[:, None] * X))


def test_codegen_of_results_and_an_hvp_that_never_forms_the_hessian() -> None:
    rng = np.random.default_rng(1)
    X, w, y, V = rng.standard_normal((30, 4)), rng.standard_normal(4), rng.uniform(size=30), rng.standard_normal(4)
    source = matcalc.codegen(matcalc.hvp("sum(softplus(X w)) - y^T X w", "w"))
    assert "[:, None]" not in source and "diag" not in source  # only matrix-vector products
    s = 1 / (1 + np.exp(-X @ w))
    assert np.allclose(_run(source, "f")(X, w, y, V), X.T @ (s * (1 - s) * (X @ V)))
    A, x = rng.standard_normal((3, 3)), rng.standard_normal(3)
    assert np.allclose(_run(matcalc.codegen(matcalc.hessian("x^T A x", "x")), "f")(x, A), A + A.T)


@pytest.mark.parametrize("f, wrt, claim, kind, ok, mistake", [
    ("x^T A x", "x", "A + A^T", "hessian", True, ""),
    ("x^T A x", "x", "A", "hessian", False, "symmetric"),
    ("x^T A x", "x", "2 A", "hessian", False, "symmetric"),
    ("A x", "x", "A^T", "jacobian", False, "layout"),
    ("sigmoid(W x)", "x", "W^T diag(sigmoid(W x) .* (1 - sigmoid(W x)))", "jacobian", False, "layout"),
    ("softmax(x)", "x", "diag(softmax(x)) - softmax(x) softmax(x)^T", "jacobian", True, ""),
])
def test_check_claim_of_jacobians_and_hessians(f, wrt, claim, kind, ok, mistake) -> None:
    result = matcalc.check_claim(f, wrt, claim, kind=kind)
    assert result.ok is ok and result.mistake == mistake


def test_claims_of_jacobians_and_hessians_are_labelled_as_such() -> None:
    jac = matcalc.check_claim("A x", "x", "A^T", kind="jacobian")
    assert str(jac).splitlines()[0] == "✗ J_x F = Aᵀ" and "    correct: J_x F = A" in str(jac).splitlines()
    assert "$J_{x} F = A^\\top$" in jac._repr_markdown_() and "∇" not in str(jac)
    hess = matcalc.check_claim("x^T A x", "x", "A + A^T", kind="hessian")
    assert str(hess).splitlines()[0] == "✓ ∇²_x f = A + Aᵀ" and "\\nabla^2_{x} f" in hess._repr_markdown_()
    assert str(matcalc.check_claim("x^T A x", "x", "(A + A^T) x")).startswith("✓ ∇_x f = ")


def _autograd(fn, *tensors):
    """torch.autograd gradients of a hand-written torch function, in float64."""
    ts = [torch.tensor(t, dtype=torch.float64, requires_grad=True) for t in tensors]
    return [g.numpy() for g in torch.autograd.grad(fn(*ts), ts)]


@pytest.mark.parametrize("f, where, reference", [
    ("sum(kron(A, B))", None, lambda A, B: torch.kron(A, B).sum()),
    ("tr(kron(A, B))", "A: matrix(n, n); B: matrix(k, k)", lambda A, B: torch.trace(torch.kron(A, B))),
])
def test_gradients_through_kron(f, where, reference) -> None:
    rng = np.random.default_rng(3)
    A, B = rng.standard_normal((3, 3)), rng.standard_normal((2, 2))
    grads = matcalc.grad(f, ["A", "B"], where=where)
    for name, want in zip("AB", _autograd(reference, A, B)):
        assert np.allclose(matcalc.compile(grads[name])(A=A, B=B), want)


def test_gradient_through_vec() -> None:
    rng = np.random.default_rng(4)
    X, a = rng.standard_normal((3, 4)), rng.standard_normal(12)
    g = matcalc.grad("a^T vec(X)", "X")
    _, want_X = _autograd(lambda a, X: a @ X.T.reshape(-1), a, X)  # column-major vec
    assert np.allclose(matcalc.compile(g)(a=a, X=X), want_X)
    g2 = matcalc.grad("sum(vec(X) .* vec(X))", "X")
    assert np.allclose(matcalc.compile(g2)(X=X), 2 * X)


def test_gradient_through_a_general_kron() -> None:
    rng = np.random.default_rng(5)
    A, B, a, b = (rng.standard_normal(s) for s in ((2, 3), (4, 2), 8, 6))
    grads = matcalc.grad("a^T kron(A, B) b", ["A", "B"])
    wants = _autograd(lambda A, B: torch.tensor(a) @ torch.kron(A, B) @ torch.tensor(b), A, B)
    for name, want in zip("AB", wants):
        assert np.allclose(matcalc.compile(grads[name])(a=a, b=b, A=A, B=B), want)
