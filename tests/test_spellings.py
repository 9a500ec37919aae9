"""One name, any spelling (issue 9), at every entry point: a variable written `λ`, `\\lambda` or
`lambda`, `Σ` or `Sigma`, `W₁`, `W_{1}` or `W_1` is one variable for grad, derive, jacobian,
hessian, jvp, hvp, vjp, check (every kind), check_claim, homework, codegen, compile, the CLI and
the web API; results keep the user's spelling, generated code names it in ASCII (`lambda_`).

The references are torch written by hand here (autograd / torch.func), never matcalc's lowering.
"""

from __future__ import annotations

import json
import re
import urllib.parse
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import matcalc
from matcalc.checking.family import check_kind

torch = pytest.importorskip("torch")
from test_web import _get, server  # noqa: E402,F401  (the uvicorn fixture, shared)

N = 3
# (spelling, the formula's name, generated code's identifier, kind)
SPELLINGS = [
    ("λ", "lambda", "lambda_", "scalar"), ("\\lambda", "lambda", "lambda_", "scalar"),
    ("lambda", "lambda", "lambda_", "scalar"), ("α", "alpha", "alpha", "scalar"), ("β", "beta", "beta", "scalar"),
    ("γ", "gamma", "gamma", "scalar"), ("μ", "mu", "mu", "scalar"), ("σ", "sigma", "sigma", "scalar"),
    ("θ", "theta", "theta", "scalar"), ("theta", "theta", "theta", "scalar"),
    ("Σ", "Sigma", "Sigma", "matrix"), ("Sigma", "Sigma", "Sigma", "matrix"),
    ("W₁", "W_1", "W_1", "matrix"), ("W_{1}", "W_1", "W_1", "matrix"), ("W_1", "W_1", "W_1", "matrix"),
]
IDS = [s[0] for s in SPELLINGS]


class Case:
    """f (scalar), F (vector-valued) and h (for second order) in one variable's spelling, with torch twins."""

    def __init__(self, spelling: str, name: str, ident: str, kind: str):
        self.spelling, self.name, self.ident, self.kind = spelling, name, ident, kind
        rng = np.random.default_rng(7)
        self.x = rng.standard_normal(N) * 0.5
        self.w = rng.standard_normal(N)
        self.v = 0.7 if kind == "scalar" else rng.standard_normal((N, N)) * 0.5
        s = spelling
        if kind == "scalar":
            self.f, self.F = f"{s} ||w||^2 + sum(exp({s} x))", f"exp({s} x)"
            self.claim, self.wrong = f"||w||^2 + x^T exp({s} x)", "||w||^2"
        else:
            self.f, self.F = f"x^T {s} x + sum(exp({s} x))", f"exp({s} x)"
            self.claim, self.wrong = f"(x + exp({s} x)) x^T", "x x^T"
        self.h = f"sum(exp({s} x))"
        self.where = None if kind == "matrix" else "w: vector(n); x: vector(n)"

    def t(self, a: Any) -> Any:
        return torch.tensor(np.asarray(a, dtype=np.float64))

    def torch_F(self, v: Any) -> Any:
        x = self.t(self.x)
        return torch.exp(v * x) if self.kind == "scalar" else torch.exp(v @ x)

    def torch_f(self, v: Any) -> Any:
        x, w = self.t(self.x), self.t(self.w)
        first = v * (w @ w) if self.kind == "scalar" else x @ v @ x
        return first + self.torch_F(v).sum()

    def torch_h(self, v: Any) -> Any:
        return self.torch_F(v).sum()

    def values(self) -> dict[str, Any]:
        """The inputs keyed by the user's spelling."""
        out = {self.spelling: self.v, "x": self.x}
        return {**out, "w": self.w} if self.kind == "scalar" else out

    def gradient(self) -> np.ndarray:
        v = self.t(self.v).requires_grad_(True)
        self.torch_f(v).backward()
        return v.grad.numpy()

    def vec_jacobian(self, fn: Callable[[Any], Any]) -> np.ndarray:
        """d vec(fn) / d vec(variable), column-major vec (matcalc's convention)."""
        jac = torch.func.jacrev(fn)(self.t(self.v))
        if self.kind == "scalar":
            return jac.reshape(-1, 1).numpy()
        out = jac.reshape(-1, N, N).permute(0, 2, 1).reshape(-1, N * N)  # columns of the variable first
        return out.numpy()

    def hessian(self) -> np.ndarray:
        return self.vec_jacobian(lambda v: torch.func.grad(self.torch_h)(v).T if self.kind == "matrix"
                                 else torch.func.grad(self.torch_h)(v)).reshape(np.size(self.v), -1)


CASES = [Case(*s) for s in SPELLINGS]


def close(got: Any, want: Any) -> None:
    got, want = np.asarray(got, dtype=np.float64), np.asarray(want, dtype=np.float64)
    np.testing.assert_allclose(got.reshape(want.shape), want, rtol=1e-9, atol=1e-12)


def evaluate(result: Any, case: Case, **extra: Any) -> np.ndarray:
    """A matcalc result evaluated at the case's values, passed under the user's spelling."""
    fn = matcalc.compile(result)
    params = fn.__signature__.parameters  # generated names: lambda_, W_1
    values = {**case.values(), **extra}
    return np.asarray(fn(**{k: v for k, v in values.items() if (case.ident if k == case.spelling else k) in params}),
                      dtype=np.float64)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_grad_and_derive(case: Case) -> None:
    g = matcalc.grad(case.f, case.spelling, where=case.where)
    close(evaluate(g, case), case.gradient())
    d = matcalc.derive(case.f, [case.spelling], where=case.where)
    assert list(d.gradients) == [case.spelling]  # the user's spelling
    close(evaluate(d.gradients[case.spelling], case), case.gradient())


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_jacobian_jvp_vjp(case: Case) -> None:
    jac = case.vec_jacobian(case.torch_F)
    close(evaluate(matcalc.jacobian(case.F, case.spelling, where=case.where), case), jac)
    direction = np.random.default_rng(1).standard_normal(np.shape(case.v))
    close(evaluate(matcalc.jvp(case.F, case.spelling, where=case.where), case, V=direction),
          jac @ direction.reshape(-1, order="F"))
    upstream = np.random.default_rng(2).standard_normal(N)
    want = (upstream @ jac).reshape(np.shape(case.v) or (), order="F")
    close(evaluate(matcalc.vjp(case.F, case.spelling, where=case.where), case, G=upstream), want)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_hessian_hvp(case: Case) -> None:
    hess = case.hessian()
    close(evaluate(matcalc.hessian(case.h, case.spelling), case), hess)
    direction = np.random.default_rng(3).standard_normal(np.shape(case.v))
    want = (hess @ direction.reshape(-1, order="F")).reshape(np.shape(case.v) or (), order="F")
    close(evaluate(matcalc.hvp(case.h, case.spelling), case, V=direction), want)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_check_every_kind(case: Case) -> None:
    report = matcalc.check(case.f, case.spelling, where=case.where)
    assert report.ok, str(report)
    assert [v.name for v in report.variables] == [case.spelling]
    for kind, formula in [("jacobian", case.F), ("jvp", case.F), ("vjp", case.F), ("hessian", case.h),
                          ("hvp", case.h)]:
        kind_report = check_kind(formula, case.spelling, kind)
        assert kind_report.ok, str(kind_report)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_check_claim(case: Case) -> None:
    right = matcalc.check_claim(case.f, case.spelling, case.claim, where=case.where)
    assert right.ok, str(right)
    assert right.wrt == case.spelling
    latex = "W_{1}" if case.name == "W_1" else "\\" + case.name
    assert right.label("latex") == f"\\nabla_{{{latex}}} f"  # never \\mathrm{W₁} or a bare λ in LaTeX
    assert case.spelling.isascii() or right.label("unicode") == f"∇_{case.spelling} f"
    wrong = matcalc.check_claim(case.f, case.spelling, case.wrong, where=case.where)
    assert not wrong.ok
    if case.kind == "scalar":  # d exp(λ x)/dλ = x ⊙ exp(λ x)
        jac = matcalc.check_claim(case.F, case.spelling, f"x .* exp({case.spelling} x)", kind="jacobian")
        assert jac.ok, str(jac)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_homework(case: Case) -> None:
    s = case.spelling
    text = (f"## right\n\nf({s}) = {case.f}\n\nclaim: ∇_{s} f = {case.claim}\n\n"
            f"## wrong\n\nf({s}) = {case.f}\n\nclaim: ∇_{s} f = {case.wrong}\n")
    if case.where:
        text = text.replace("\n\nclaim", f"\n\nwhere: {case.where}\n\nclaim")
    result = matcalc.check_homework(text)
    right, wrong = result
    assert right.ok, str(result)
    assert not wrong.ok and wrong.claims and not wrong.claims[0].ok, str(result)


@pytest.mark.parametrize("backend", ["numpy", "torch", "torch-function"])
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_codegen(case: Case, backend: str) -> None:
    source = matcalc.codegen(case.f, case.spelling, where=case.where, backend=backend)
    code = "\n".join(line for line in source.splitlines() if not line.lstrip().startswith("#"))
    assert code.replace(repr(case.spelling), "").isascii()  # ASCII but for the result's key, 'λ'
    assert re.search(rf"^def \w+\((\w+, )*{case.ident}\b", code, re.M)
    namespace: dict[str, Any] = {}
    exec(source, namespace)  # noqa: S102 - generated by the code under test
    inputs = {case.ident: case.v, "x": case.x, **({"w": case.w} if case.kind == "scalar" else {})}
    value_want = float(case.torch_f(case.t(case.v)))
    if backend == "torch-function":
        tensors = {k: torch.tensor(np.asarray(v, dtype=np.float64), requires_grad=k == case.ident)
                   for k, v in inputs.items()}
        out = namespace["f"](**tensors)
        out.backward()
        close(out.detach().numpy(), value_want)
        close(tensors[case.ident].grad.numpy(), case.gradient())
        return
    if backend == "torch":
        inputs = {k: torch.tensor(np.asarray(v, dtype=np.float64)) for k, v in inputs.items()}
    value, grads = namespace["f_and_grad"](**inputs)
    close(np.asarray(value), value_want)
    assert list(grads) == [case.spelling]  # the result keeps the user's spelling
    close(np.asarray(grads[case.spelling]), case.gradient())


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_codegen_with_hessian(case: Case) -> None:
    namespace: dict[str, Any] = {}
    exec(matcalc.codegen(case.h, case.spelling, hessian=True), namespace)  # noqa: S102
    _, grads, hessians = namespace["f_grad_hess"](**{case.ident: case.v, "x": case.x})
    close(hessians[case.spelling], case.hessian())


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_compile_takes_every_spelling(case: Case) -> None:
    fn = matcalc.compile(case.f, where=case.where)
    want = float(case.torch_f(case.t(case.v)))
    for key in {case.spelling, case.name, case.ident}:
        values = {**case.values()}
        values[key] = values.pop(case.spelling)
        close(fn(**values), want)


CLI_COMMANDS = [("grad", "f"), ("check", "f"), ("codegen", "f"), ("jacobian", "F"), ("jvp", "F"), ("vjp", "F"),
                ("hessian", "h"), ("hvp", "h"), ("check --kind gradient", "f")]
CLI_COMMANDS += [("check --kind " + k, "F") for k in ("jacobian", "jvp", "vjp")]
CLI_COMMANDS += [("check --kind " + k, "h") for k in ("hessian", "hvp")]


@pytest.mark.parametrize("command,which", CLI_COMMANDS, ids=[c for c, _ in CLI_COMMANDS])
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_cli(cli: Any, case: Case, command: str, which: str) -> None:
    formula = getattr(case, which)
    where = ["--where", case.where] if case.where and which == "f" else []
    run = cli(*command.split(), formula, "--wrt", case.spelling, *where)
    assert run.code == 0, run.out + run.err
    assert "✗" not in run.out and "error" not in run.err
    if command == "codegen":
        assert f"def f_and_grad({case.ident}" in run.out or f", {case.ident}" in run.out


API = [("grad", "f", {}), ("check", "f", {}), ("codegen", "f", {}), ("jacobian", "F", {}), ("jvp", "F", {}),
       ("hessian", "h", {}), ("hvp", "h", {}), ("check", "F", {"what": "jacobian"}), ("check", "h", {"kind": "hvp"}),
       ("codegen", "h", {"what": "hessian"}), ("grad", "h", {"kind": "hessian"})]


@pytest.mark.parametrize("case", CASES[::3] + CASES[-3:], ids=IDS[::3] + IDS[-3:])
def test_web_api(server: str, case: Case) -> None:  # noqa: F811
    for path, which, extra in API:
        params = {"f": getattr(case, which), "wrt": case.spelling, **extra}
        if case.where and which == "f":
            params["where"] = case.where
        status, body = _get(f"{server}/api/{path}?{urllib.parse.urlencode(params)}")
        data = json.loads(body)
        assert status == 200 and data.get("ok") is not False, (path, extra, body)
        if path == "codegen":
            exec(data["source"], {})  # noqa: S102 - it compiles


@pytest.mark.parametrize("wrt", [["x", "x"], ["x,x"], ["λ", "lambda"], ["lambda,\\lambda,λ"]])
def test_cli_names_each_variable_once(cli: Any, wrt: list[str]) -> None:
    formula = "x^T A x" if "x" in wrt[0] else "λ x^T A x"
    run = cli("grad", formula, *[a for w in wrt for a in ("--wrt", w)], "--quiet")
    assert run.code == 0 and len(run.out.strip().splitlines()) == 1, run.out
    assert run.out.strip() == ("(A + A^T) x" if "x" in wrt[0] else "x^T A x")


def test_web_api_honours_kind_and_names_each_variable_once(server: str) -> None:  # noqa: F811
    def get(path: str, **params: Any) -> tuple[int, dict]:
        status, body = _get(f"{server}/api/{path}?{urllib.parse.urlencode(params, doseq=True)}")
        return status, json.loads(body)

    status, data = get("grad", f="x^T A x", wrt="x", kind="hessian")
    assert status == 200 and data["kind"] == "hessian" and data["result"]["text"] == "A + A^T"
    status, data = get("check", f="x^T A x", wrt="x", kind="gradient")
    assert status == 200 and data["ok"] and data["variables"][0]["gradient"] == "(A + A^T) x"
    status, data = get("grad", f="x^T A x", wrt="x", kind="hessian", what="grad")
    assert status == 400 and "kind=" in data["error"]
    status, data = get("grad", f="x^T A x", wrt="x", kind="hesian")
    assert status == 400 and "hessian" in data["error"]
    status, data = get("grad", f="λ x^T A x", wrt=["x", "x", "λ", "lambda"])
    assert status == 200 and data["wrt"] == ["x", "λ"] and list(data["gradients"]) == ["x", "λ"]


# ---------------------------------------------------------------- one name, one type

@pytest.mark.parametrize(("formula", "where"), [
    ("x^T A x where A: spd(n); A: matrix(n,n)", None), ("x^T A x", "A: spd(n); A: matrix(n, n)"),
    ("x^T A x where A: spd(n) ; A: spd(m)", None), ("x^T A x", "A: matrix(n, m); A: matrix(n, n)"),
    ("λ x^T x", "λ: scalar; lambda: vector(n)"), ("sum(x)", "x: vector(n) positive; x: vector(n)"),
])
def test_a_name_declared_twice_differently_is_an_error(cli: Any, formula: str, where: str | None) -> None:
    with pytest.raises(matcalc.ParseError, match="declared twice"):
        matcalc.parse(formula, where=where)
    run = cli("grad", formula, "--wrt", "x", *(["--where", where] if where else []))
    assert run.code == 2 and "declared twice" in run.err and "hint: keep one declaration" in run.err
    assert "^" in run.err and "Traceback" not in run.err


@pytest.mark.parametrize(("formula", "where", "kind"), [
    ("x^T A x", "A: spd(n); A: spd(n)", "spd"), ("x^T A x", "A: matrix(n); A: matrix(n, n)", "matrix"),
    ("x^T A x where A: symmetric(n)", {"A": "symmetric(n)"}, "symmetric")])
def test_the_same_declaration_twice_is_fine(formula: str, where: str | dict, kind: str) -> None:
    (a,) = [d for d in matcalc.parse(formula, where=where).declarations if d.name == "A"]
    assert a.var.kind == kind and a.shape == ("n", "n")


@pytest.mark.parametrize("wrt", ["𝐱", "𝒙", "x", r"\mathbf{x}"])
def test_a_math_bold_name_copied_from_the_formula_is_the_variable(wrt: str) -> None:
    """`--wrt 𝐱` copied from `𝐱ᵀ𝐀𝐱` (a PDF's bold x) names x, as `\\mathbf{x}` does."""
    assert str(matcalc.grad("𝐱ᵀ𝐀𝐱", wrt)) == "(A + A^T) x"
