"""Generated backward code: correct against hand-written torch and autograd, standalone, stable, fast-shaped.

Every formula of the gradient corpus (with its hand-written torch twin from tests/corpus.py)
and a list of our own (each with its twin written below) is generated for NumPy and torch,
written to a temporary directory and run in ONE fresh interpreter (``python -I``, cwd
elsewhere, ``import matcalc`` blocked) per backend pair; the value must equal the twin's and
the gradients torch.autograd's of the twin, in float64 (rel err < 1e-7), and the inputs must be
unchanged after the call (the code overwrites only arrays it allocated). No reference goes
through matcalc's parser or lowering. The torch Function passes gradcheck; further tests read
the generated text (chain order, one ``exp`` call, solves instead of inverses) and check
stability and float32 in/out.
"""

from __future__ import annotations

import inspect
import keyword
import pickle
import re
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import matcalc
from matcalc.algebra.shapes import MatcalcError
from matcalc.checking.sample import sample_inputs
from matcalc.checking.verify import relative_error
from matcalc.lowering import value_source
from matcalc.lowering.chains import order_chains
from matcalc.lowering.codegen import codegen
from matcalc.lowering.evaluate import as_formula

torch = pytest.importorskip("torch")

sys.path.insert(0, str(Path(__file__).parent))
from corpus import CORPUS, REFERENCES, inner, logabsdet, logsumexp, norm, sigmoid, softmax, softplus, sq  # noqa: E402


def _eye(n: int) -> Any:
    return torch.eye(n, dtype=torch.float64)


def _tsum(*terms: Any) -> Any:
    return sum(t.sum() for t in terms)


# (id, formula, where, wrt, the formula written by hand in torch: vectors n×1 columns, scalars 0-d):
# the cases, each elementwise function, det/logdet/inv, norms.
OWN = [
    ("tt1_aT_exp_Xb", "a^T exp(X b)", None, ["X"], lambda a, X, b: a.T @ torch.exp(X @ b)),
    ("tt2_sigmoid_quadratic", "Y = sigmoid(W X); <Y, M Y>", None, ["W"],
     lambda W, X, M: inner(sigmoid(W @ X), M @ sigmoid(W @ X))),
    ("least_squares", "||A x - y||^2", None, ["x", "A"], lambda A, x, y: sq(A @ x - y)),
    ("logistic", "sum(softplus(-y .* (X w)))", None, ["w"], lambda y, X, w: softplus(-y * (X @ w)).sum()),
    ("logistic_log1p", "sum(log(1 + exp(-y .* (X w))))", None, ["w"],
     lambda y, X, w: torch.log(1 + torch.exp(-y * (X @ w))).sum()),
    ("logistic_logsigmoid", "-sum(log(sigmoid(y .* (X w))))", None, ["w"],
     lambda y, X, w: -torch.log(sigmoid(y * (X @ w))).sum()),
    ("softmax_ce", "-y^T log(softmax(W x))", None, ["W"], lambda y, W, x: -y.T @ torch.log(softmax(W @ x))),
    ("softmax_ce_lse", "logsumexp(W x) - y^T W x", None, ["W", "x"],
     lambda W, x, y: logsumexp(W @ x) - y.T @ W @ x),
    ("gauss_nll", "logdet(S) + (x - mu)^T inv(S) (x - mu)", "S: spd(n); mu: vector(n)", ["S", "mu"],
     lambda S, x, mu: logabsdet(S) + (x - mu).T @ torch.linalg.inv(S) @ (x - mu)),
    ("mlp2", "H = relu(W1 X); Z = W2 H; sum(logsumexp(Z)) - <Yl, Z>", None, ["W1", "W2"],
     lambda W1, X, W2, Yl: logsumexp(W2 @ torch.relu(W1 @ X)).sum() - inner(Yl, W2 @ torch.relu(W1 @ X))),
    ("mlp_tanh", "H = tanh(W1 x); y^T log(softmax(W2 H))", None, ["W1", "W2"],
     lambda W1, x, y, W2: y.T @ torch.log(softmax(W2 @ torch.tanh(W1 @ x)))),
    ("det", "det(X)", None, ["X"], lambda X: torch.linalg.det(X)),
    ("logdet", "logdet(X)", None, ["X"], lambda X: logabsdet(X)),
    ("inv_bilinear", "a^T inv(X) b", None, ["X", "a"], lambda a, X, b: a.T @ torch.linalg.inv(X) @ b),
    ("inv_right", "c^T A inv(X) b", None, ["X"], lambda c, A, X, b: c.T @ A @ torch.linalg.inv(X) @ b),
    ("trace_AXB", "tr(A X B)", None, ["X"], lambda A, X, B: torch.trace(A @ X @ B)),
    ("trace_XtX", "tr(X^T X)", None, ["X"], lambda X: torch.trace(X.T @ X)),
    ("diag_quadratic", "x^T diag(v) A x", None, ["v", "x"], lambda x, v, A: x.T @ (v * (A @ x))),
    ("outer_chain", "c^T a b^T X d", None, ["X", "a"], lambda c, a, b, X, d: c.T @ a @ b.T @ X @ d),
    ("norms", "||x|| + norm1(x) + ||X||_F", None, ["x", "X"], lambda x, X: norm(x) + x.abs().sum() + norm(X)),
    ("scalar_var", "alpha x^T x", None, ["alpha"], lambda alpha, x: alpha * sq(x)),
    ("ewise_trig", "sum(sin(x) + cos(x) + tan(x) + arcsin(x) + arccos(x) + arctan(x))", None, ["x"],
     lambda x: _tsum(torch.sin(x), torch.cos(x), torch.tan(x), torch.asin(x), torch.acos(x), torch.atan(x))),
    ("ewise_exp_log", "sum(exp(x) .* log(z) + sqrt(z) + abs(x) .* sign(x))", None, ["x", "z"],
     lambda x, z: _tsum(torch.exp(x) * torch.log(z), torch.sqrt(z), x.abs() * torch.sign(x))),
    ("ewise_act", "sum(tanh(x) + sigmoid(x) + relu(x) + softplus(x))", None, ["x"],
     lambda x: _tsum(torch.tanh(x), sigmoid(x), torch.relu(x), softplus(x))),
    ("ewise_pow", "sum(x .^ 3) + sum(z .^ 0.5) + ||x||^2", None, ["x", "z"],
     lambda x, z: _tsum(x ** 3, z ** 0.5) + sq(x)),
    ("softmax_matrix", "<Yl, log(softmax(Z))>", None, ["Z"], lambda Yl, Z: inner(Yl, torch.log(softmax(Z)))),
    ("quadratic_sym", "x^T A x", "A: symmetric(n)", ["x", "A"], lambda x, A: x.T @ A @ x),
    # Kronecker products: lowered as einsums that never form A ⊗ B
    ("kron_bilinear", "x^T kron(A, B) y", None, ["y", "A", "B", "x"], lambda x, A, B, y: x.T @ torch.kron(A, B) @ y),
    ("kron_matrix", "x^T kron(A, B) Y z", None, ["Y", "A"], lambda x, A, B, Y, z: x.T @ torch.kron(A, B) @ Y @ z),
    ("kron_vectors", "a^T kron(x, y)", None, ["x", "y"], lambda a, x, y: a.T @ torch.kron(x, y)),
    ("kron_identity", "sum(kron(A, I_2) X)", None, ["A", "X"], lambda A, X: (torch.kron(A, _eye(2)) @ X).sum()),
]

# the corpus's entries with their hand-written twins, then ours
CASES = [(e.id, e.formula, e.where, [e.wrt], REFERENCES[e.id].value) for e in CORPUS] + OWN


def _param(name: str) -> str:
    """A variable's name as a parameter of a hand-written twin (`lambda` -> `lambda_`)."""
    return name + "_" if keyword.iskeyword(name) else name


def hand_value_and_grads(twin: Callable[..., Any], values: dict[str, Any], wrt: list[str]) -> tuple[float, dict]:
    """The twin's value at values and torch.autograd's gradient (float64), each in its variable's convention."""
    tensors = {}
    for name, v in values.items():
        arr = np.asarray(v, dtype=np.float64)
        tensors[name] = torch.tensor(arr.reshape(-1, 1) if arr.ndim == 1 else arr, dtype=torch.float64,
                                     requires_grad=name in wrt)
    params = inspect.signature(twin).parameters
    out = twin(**{p: tensors[n] for n in tensors for p in [_param(n)] if p in params}).reshape(())
    grads = torch.autograd.grad(out, [tensors[n] for n in wrt], allow_unused=True)
    shapes = {n: np.shape(values[n]) for n in wrt}
    return float(out.detach()), {n: np.zeros(shapes[n]) if g is None else g.detach().numpy().reshape(shapes[n])
                                 for n, g in zip(wrt, grads)}


def test_twins_read_every_variable() -> None:
    """Each twin of our own list names exactly the formula's variables (a twin cannot ignore one)."""
    for cid, f, where, _, twin in OWN:
        names = {_param(n) for n in as_formula(f, where).variables}
        assert set(inspect.signature(twin).parameters) == names, cid


DRIVER = '''
import importlib.abc, importlib.util, pickle, sys
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "matcalc" or name.startswith("matcalc."):
            raise ImportError("matcalc must not be importable here")
sys.meta_path.insert(0, Block())
import numpy as np, torch
cases = pickle.load(open("cases.pkl", "rb"))
out = {}
for key, backend, path, args in cases:
    try:
        spec = importlib.util.spec_from_file_location("m_" + key.replace("-", "_"), path)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        if backend == "torch":
            args = [a if isinstance(a, float) else torch.tensor(a, dtype=torch.float64) for a in args]
        conv = lambda v: np.asarray(v.numpy() if isinstance(v, torch.Tensor) else v, dtype=np.float64)
        before = [conv(a).copy() for a in args]
        value, grads = mod.f_and_grad(*args)
        kept = all(np.array_equal(b, conv(a)) for b, a in zip(before, args))  # no input overwritten
        out[key] = (conv(value), {k: conv(g) for k, g in grads.items()}, kept)
    except Exception as exc:
        out[key] = f"{type(exc).__name__}: {exc}"
assert not any(m == "matcalc" or m.startswith("matcalc.") for m in sys.modules)
pickle.dump(out, open("results.pkl", "wb"))
'''


def _prepare(case: tuple) -> dict:
    """Generate code for one case, and its float64 reference from the hand-written twin."""
    cid, f, where, wrt, twin = case
    formula = as_formula(f, where)
    values = sample_inputs(formula, np.random.default_rng(7))
    value, grads = hand_value_and_grads(twin, values, wrt)
    try:
        code = {b: codegen(f, wrt, where=where, backend=b) for b in ("numpy", "torch")}
    except Exception as exc:  # noqa: BLE001 - reported by this case's test
        return {"error": f"codegen failed: {type(exc).__name__}: {exc}"}
    return {"code": code, "args": [values[d.name] for d in formula.declarations], "value": value, "grads": grads}


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Every case generated, then run for both backends in one isolated interpreter."""
    tmp = tmp_path_factory.mktemp("codegen")
    prepared = {c[0]: _prepare(c) for c in CASES}
    jobs = []
    for cid, p in prepared.items():
        if "code" in p:
            for b, src in p["code"].items():
                path = tmp / f"gen_{len(jobs)}.py"
                path.write_text(src)
                jobs.append((f"{cid}|{b}", b, str(path), p["args"]))
    (tmp / "cases.pkl").write_bytes(pickle.dumps(jobs))
    (tmp / "driver.py").write_text(DRIVER)
    run = subprocess.run([sys.executable, "-I", "driver.py"], cwd=tmp, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    ran = pickle.loads((tmp / "results.pkl").read_bytes())
    return {"prepared": prepared, "ran": ran}


@pytest.mark.parametrize("backend", ["numpy", "torch"])
@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_generated_code_matches_autograd(results: dict, case: tuple, backend: str) -> None:
    p = results["prepared"][case[0]]
    assert "error" not in p, p.get("error")
    got = results["ran"][f"{case[0]}|{backend}"]
    assert not isinstance(got, str), got
    value, grads, inputs_kept = got
    assert inputs_kept, "the generated code changed an input array"
    assert relative_error(value, p["value"]) < 1e-7
    for name in case[3]:
        assert relative_error(grads[name], p["grads"][name]) < 1e-7, name


def _body(src: str) -> str:
    """The generated function (or Function class) alone: no header comment, no helpers."""
    starts = [src.find(k) for k in ("\nclass ", "\ndef f_and_grad(") if k in src]
    return src[min(starts):]


def _load(src: str, name: str = "f_and_grad"):
    ns: dict = {}
    exec(compile(src, "<generated>", "exec"), ns)  # noqa: S102 - our own generated source
    return ns[name]


@pytest.mark.parametrize("case", OWN, ids=[c[0] for c in OWN])
def test_torch_function_passes_gradcheck(case: tuple) -> None:
    cid, f, where, wrt, _ = case
    formula = as_formula(f, where)
    fn = _load(codegen(f, wrt, where=where, backend="torch-function"), "f")
    values = sample_inputs(formula, np.random.default_rng(3))
    args = [torch.tensor(np.asarray(values[d.name]), dtype=torch.float64, requires_grad=d.name in wrt)
            for d in formula.declarations]
    assert torch.autograd.gradcheck(fn, args)
    loss = fn(*args)
    loss.backward()  # backward() runs our closed form
    assert all(a.grad is not None for a, d in zip(args, formula.declarations) if d.name in wrt)


def test_torch_function_computes_only_the_gradients_asked_for() -> None:
    f = "H = relu(W1 X); Z = W2 H; sum(logsumexp(Z)) - <Yl, Z>"
    src = codegen(f, ["W1", "W2"], backend="torch-function")
    assert "def forward(ctx, W1, X, W2, Yl):" in src  # the order the formula first names them
    assert "        if ctx.needs_input_grad[0]:" in src  # W1's part of the backward is skipped when frozen
    fn = _load(src, "f")
    W2, W1 = (torch.randn(3, 4, dtype=torch.float64, requires_grad=True),
              torch.randn(4, 5, dtype=torch.float64, requires_grad=False))
    X, Y = torch.randn(5, 6, dtype=torch.float64), torch.eye(3, 6, dtype=torch.float64)
    assert torch.autograd.gradcheck(fn, (W1, X, W2, Y))
    fn(W1, X, W2, Y).backward()
    assert W2.grad is not None and W1.grad is None


def test_chain_order_never_builds_the_outer_product() -> None:
    # a^T b c^T X d: (a^T b) is a number, c^T (X d) another; the gradient is (a^T b) c d^T
    for backend in ("numpy", "torch"):
        body = _body(codegen("a^T b c^T X d", "X", backend=backend))
        outers = re.findall(r"(?:einsum\(\"i,j->ij\", |outer\()(.+?), (\w+)\)", body)
        assert len(outers) == 1 and outers[0][1] == "d", body  # only the gradient's (a^T b) c d^T
        assert ("X.dot(d)" if backend == "numpy" else "X @ d") in body


def test_chain_order_uses_declared_sizes() -> None:
    wide = matcalc.parse("A B C", where="A: matrix(10, 1000); B: matrix(1000, 10); C: matrix(10, 1000)").expr
    tall = matcalc.parse("A B C", where="A: matrix(1000, 10); B: matrix(10, 1000); C: matrix(1000, 10)").expr
    (w,), (t,) = order_chains([wide]), order_chains([tall])
    assert w.args[0].op == "matmul"  # (A B) C: 10x10 in the middle
    assert t.args[1].op == "matmul"  # A (B C)


def test_common_subexpressions_computed_once() -> None:
    for backend in ("numpy", "torch", "torch-function"):
        src = codegen("a^T exp(X b)", "X", backend=backend)
        assert _body(src).count("exp(") == 1, backend
    src = codegen("Y = sigmoid(W X); <Y, M Y>", "W")
    assert "    Y = " in src and _body(src).count("_sigmoid(") == 1


@pytest.mark.parametrize("f, wrt, call", [
    ("sigmoid(x)^T sigmoid(x)", "x", "_sigmoid("),  # f(xᵀ) is f(x)ᵀ: one computation
    ("sum(exp(x^T A))", "x", "np.exp("),
    ("log(sum(exp(x)))", "x", "np.exp("),  # the value as logsumexp shares exp(x - max x) with softmax
    ("h = tanh(W1 x + b1); sum(tanh((W1 x + b1)^T) W2)", "W1", "np.tanh("),
])
def test_entrywise_functions_computed_once(f: str, wrt: str, call: str) -> None:
    for backend in ("numpy", "torch"):
        body = _body(codegen(f, wrt, backend=backend))
        assert body.count(call if backend == "numpy" else call.replace("np.", "torch.")) == 1 or \
            backend == "torch" and call == "_sigmoid(" and body.count("torch.sigmoid(") == 1, body


@pytest.mark.parametrize("f, wrt, einsum", [
    ("v^T diag(A X B)", "X", 'np.einsum("ij,ij->i", A, '),  # diag(A B): row dots, no A ⊙ Bᵀ temporary
    ("w^T diag(X^T A X)", "A", 'np.einsum("ij,ij->j", X, '),  # a batched quadratic form: column dots
])
def test_diagonals_of_products_are_einsum_dots(f: str, wrt: str, einsum: str) -> None:
    body = _body(codegen(f, wrt))
    assert einsum in body and "np.sum(" not in body, body
    fn = _load(codegen(f, wrt))
    formula = as_formula(f)
    values = sample_inputs(formula, np.random.default_rng(4))
    twin = {"v^T diag(A X B)": lambda v, A, X, B: v.T @ torch.diagonal(A @ X @ B).reshape(-1, 1),
            "w^T diag(X^T A X)": lambda w, X, A: w.T @ torch.diagonal(X.T @ A @ X).reshape(-1, 1)}[f]
    value, grads = fn(*(values[d.name] for d in formula.declarations))
    want, want_grads = hand_value_and_grads(twin, values, [wrt])
    assert relative_error(value, want) < 1e-10 and relative_error(grads[wrt], want_grads[wrt]) < 1e-10


def test_kronecker_products_are_never_formed() -> None:
    for wrt in ("y", "A"):
        for backend in ("numpy", "torch"):
            body = _body(codegen("x^T kron(A, B) y", wrt, backend=backend))
            assert not re.search(r"kron\([AB]\b", body) and re.search(r"\.reshape\((n, m|k, p)\)", body), body
    # which factor meets the reshaped vector first is opt_einsum's cheapest order at the declared sizes
    first = {}
    for n, m in ((2, 50), (50, 2)):
        where = f"A: matrix({n}, 50); B: matrix({m}, 50); x: vector({n * m}); y: vector(2500)"
        first[n] = _body(codegen("x^T kron(A, B) y", "x", where=where))
    assert "(A @ y.reshape(50, 50)) @ B.T" in first[2] and "A @ (y.reshape(50, 50) @ B.T)" in first[50]


def test_torch_function_and_hessian_code_fold_short_temporaries() -> None:
    for src in (codegen("h = tanh(W1 x + b1); ||W2 h + b2 - y||^2", ["W1"], backend="torch-function"),
                codegen("sum(softplus(-y .* (X w)))", "w", hessian=True)):
        body = _body(src) if "class " in src else src[src.index("def f_grad_hess"):]
        statements = [line for line in body.splitlines() if " = " in line and "return" not in line]
        used_once = [t for t in re.findall(r"^\s+(t\d+) = (.{1,30})$", body, re.M)
                     if len(re.findall(rf"\b{t[0]}\b", "\n".join(statements))) == 2
                     and len(re.findall(rf"\b{t[0]}\b", body)) == 2]  # defined, then used in one statement
        assert not used_once, used_once


@pytest.mark.parametrize("f, wrt, absent, present", [
    ("a^T inv(X) b", "X", "inv(", "np.linalg.solve("),
    ("c^T A inv(X) b", "X", "inv(", "np.linalg.solve("),
    ("x^T diag(v) A x", "v", "diagflat", " * "),
    ("tr(A X B)", "X", "np.trace", "np.vdot"),
    ("x^T A x", "x", "A + A.T", "A.T.dot(x)"),  # A x + Aᵀ x, sharing the value's A x: no strided A + Aᵀ
    ("x^T A y", "y", "A.dot(y)", "A.T.dot(x)"),  # the value reuses the gradient Aᵀ x: (Aᵀ x)ᵀ y
    ("x^T kron(A, B) y", "y", "y.reshape", "x.reshape(n, m)"),  # likewise through the Kronecker product
    ("Y = sigmoid(W X); <Y, M Y>", "W", "M.dot(Y)", "M.T.copy()"),  # one product with M + Mᵀ (Mᵀ copied, M added)
    ("-y^T log(softmax(W x))", "W", "softmax", ".max()"),  # z - m - log(sum(exp(z - m)))
    ("sum(log(1 + exp(x)))", "x", "np.log(", "_softplus("),
    ("sum(log(sigmoid(x)))", "x", "np.log(", "_softplus("),
])
def test_fast_and_stable_forms(f: str, wrt: str, absent: str, present: str) -> None:
    body = _body(codegen(f, wrt))
    assert absent not in body and present in body


def test_stable_at_extreme_arguments() -> None:
    x = np.array([1000.0, -1000.0, 0.0])
    value, grads = _load(codegen("sum(log(1 + exp(x)))", "x"))(x)
    assert np.isclose(value, 1000 + np.log(2)) and np.allclose(grads["x"], [1, 0, 0.5])
    value, grads = _load(codegen("sum(log(sigmoid(x)))", "x"))(x)
    assert np.isclose(value, -1000 - np.log(2)) and np.allclose(grads["x"], [0, 1, 0.5])
    value, grads = _load(codegen("-y^T log(softmax(z))", "z"))(np.array([0.0, 1.0, 0.0]), x)
    assert np.isclose(value, 2000) and np.all(np.isfinite(grads["z"]))


@pytest.mark.parametrize("case", OWN[:12], ids=[c[0] for c in OWN[:12]])
def test_float32_in_float32_out(case: tuple) -> None:
    cid, f, where, wrt, _ = case
    formula = as_formula(f, where)
    values = sample_inputs(formula, np.random.default_rng(5))
    args = [np.float32(v) if isinstance(v, float) else np.asarray(v, np.float32)
            for v in (values[d.name] for d in formula.declarations)]
    value, grads = _load(codegen(f, wrt, where=where))(*args)
    assert np.asarray(value).dtype == np.float32 and all(g.dtype == np.float32 for g in grads.values())
    value, grads = _load(codegen(f, wrt, where=where, backend="torch"))(*(torch.as_tensor(a) for a in args))
    assert value.dtype == torch.float32 and all(g.dtype == torch.float32 for g in grads.values())


def test_conventions_and_safe_names() -> None:
    src = codegen("lambda x^T x + sum(X)", ["lambda", "x"])
    value, grads = _load(src)(2.0, np.array([1.0, 2.0]), np.ones((2, 3)))
    assert value == 16.0 and isinstance(grads["lambda"], float) and grads["x"].shape == (2,)
    assert "def f_and_grad(lambda_, x, X):" in src
    with pytest.raises(MatcalcError):
        codegen("a^T b", "a", name="bad name")
    with pytest.raises(MatcalcError):
        codegen("np^T x", "x")
    with pytest.raises(MatcalcError):
        codegen("X a", "X")  # not a scalar


def test_generated_file_is_documented() -> None:
    src = codegen("Y = sigmoid(W X); <Y, M Y>", "W", backend="torch-function")
    assert src.startswith("# Generated by matcalc") and "#   Y = sigmoid(W X)" in src
    assert "class FAndGrad(torch.autograd.Function):" in src and "def f(W, X, M):" in src
    assert textwrap.dedent(src).count("import ") == 1


def test_value_source_is_the_lowering_compile_runs() -> None:
    formula = as_formula("Y = sigmoid(W X); <Y, M Y> + sum(softmax(Z)) + logsumexp(z)")
    source, names = value_source(formula)
    assert "    Y = " in source and names == [d.name for d in formula.declarations]
    values = sample_inputs(formula, np.random.default_rng(2))
    single = {k: np.asarray(v, np.float32) for k, v in values.items()}
    got = _load(source, "formula")(*(single[n] for n in names))
    assert isinstance(got, float)  # computed in double precision, returned as a Python float
    W, X, M, Z, z = (single[n].astype(np.float64) for n in ("W", "X", "M", "Z", "z"))
    Y = 1.0 / (1.0 + np.exp(-(W @ X)))
    ref = np.sum(Y * (M @ Y)) + Z.shape[1] + np.log(np.sum(np.exp(z)))  # each softmax column sums to 1
    assert abs(got - ref) < 1e-9 * max(1.0, abs(got))
    row, _ = value_source(as_formula("x^T A"))
    assert _load(row, "formula")(np.ones(2), np.eye(2)).shape == (1, 2)  # a row stays a 1×n array


@pytest.mark.parametrize("dt", [np.float32, np.float64])
def test_uncast_value_keeps_the_dtype(dt: type) -> None:
    """Values that are reductions (||A x - y||², a softmax cross-entropy) return without a cast:
    still a scalar of the inputs' dtype, equal to the hand-written value."""
    rng = np.random.default_rng(3)
    A, x, y = (rng.standard_normal(shape).astype(dt) for shape in ((6, 4), 4, 6))
    source = codegen("||A x - y||^2", "x")
    assert "_dt.type(" not in source.split("return")[-1]
    value, _ = _load(source)(A, x, y)
    r = A @ x - y
    assert type(value) is dt and np.isclose(value, r @ r, rtol=1e-5)
    W, X = rng.standard_normal((3, 5)).astype(dt), rng.standard_normal((5, 4)).astype(dt)
    Yl = np.eye(3, 4, dtype=dt)
    value, _ = _load(codegen("sum(logsumexp(W X)) - <Yl, W X>", "W"))(W, X, Yl)
    Z = W @ X
    hand = np.sum(np.log(np.sum(np.exp(Z), axis=0))) - np.sum(Yl * Z)
    assert type(value) is dt and np.isclose(value, hand, rtol=1e-4)
