"""Tests generated from the operation registry: one spec per operation.

For every entry of ``matcalc.algebra.ops.OPS``: it has its printer forms, lowerings, SymPy form
and d-rule; its text form parses back; NumPy and torch lowerings agree; its d-rule and
adjoints give the torch.autograd gradient of <C, op(…)>; every adjoint passes the
dot-product test <G, L(T)> = <L*(G), T>. Adding an operation without a spec here fails.
"""

from __future__ import annotations

import numpy as np
import pytest
from test_rules import as_env, evaluate

import matcalc
from matcalc.algebra import ops
from matcalc.algebra.expr import walk
from matcalc.checking.sample import sample_inputs, sizes_of
from matcalc.checking.verify import check, concretize
from matcalc.language.formula import Declaration, Formula

WHERE = "X, Y: matrix(3, 4); Z: matrix(4, 2); A: matrix(3, 3); S: spd(3); P: matrix(3, 4) positive; v: vector(3)"
U = "0.3 sigmoid(X)"  # entries in (0, 0.3): inside every elementwise function's domain

# One formula per registry entry, exercising that operation.
SPECS: dict[str, str] = {
    "var": "X", "const": "2 X", "fill": "X + matrix(1)", "identity": "A + I", "ref": "R = exp(X); R .* R",
    "add": "X + Y", "neg": "-X", "matmul": "X Z", "hadamard": "X .* Y", "div": "X ./ P", "transpose": "X^T",
    "inv": "inv(S)", "mpow": "A^3", "hpow": "P.^2.5", "inner": "<X, Y>", "norm2": "||X||", "trace": "tr(A)",
    "sum": "sum(X)", "diag": "diag(v)", "diagvec": "diag(A)", "det": "det(S)", "logdet": "logdet(S)",
    "norm1": "norm1(X)", "softmax": "softmax(X)", "logsumexp": "logsumexp(X)", "step": "relu'(X) .* X",
    "sqrt": "sqrt(P)", "log": "log(P)", "mean": "mean(X)", "vec": "vec(v)", "unvec": "unvec(vec(X), 4, 3)",
}
SPECS.update({name: f"{name}({U})" for name, op in ops.OPS.items()
              if op.deriv is not None and name not in SPECS})
NOT_DIFFERENTIATED = {"d", "kron"}  # differentials exist only inside derivations; ⊗ only in Jacobians
PRIVATE = {n for n, op in ops.OPS.items() if op.layout == "private"}  # code generation's own (lowering/codeops.py)


def test_every_operation_has_a_spec() -> None:
    assert PRIVATE >= {"solve", "bmul", "colsum", "mask"}
    assert set(ops.OPS) - NOT_DIFFERENTIATED - PRIVATE == set(SPECS)


@pytest.mark.parametrize("name", sorted(n for n, op in ops.OPS.items() if op.layout not in ("leaf", "private")))
def test_entry_is_complete(name: str) -> None:
    op = ops.OPS[name]
    assert all(op.forms), "text, unicode and latex forms"
    assert op.numpy and op.torch, "NumPy and torch lowerings"
    assert op.sympy is not None, "SymPy form"
    assert op.jvp is not None and op.jvp_rule, "d-rule and its name"


@pytest.mark.parametrize("name", sorted(n for n, op in ops.OPS.items() if op.layout == "call"))
def test_call_forms_parse(name: str) -> None:
    """The text form of every function is a name the grammar accepts."""
    f = matcalc.parse(SPECS[name], where=WHERE)
    assert any(n.op == name for n in walk(f.expr))
    for notation in ("text", "unicode", "latex"):
        again = matcalc.parse(f.show(notation), where=f.where, notation=notation)
        assert again.expr is f.expr, (notation, f.show(notation))


def _values(f: Formula, seed: int = 0) -> dict:
    return sample_inputs(f, np.random.default_rng(seed), sizes={"n": 3})


@pytest.mark.parametrize("backend", ["numpy", "torch"])
@pytest.mark.parametrize("name", sorted(SPECS))
def test_lowerings_match_numpy_by_hand(name: str, backend: str) -> None:
    """Each lowering computes what test_rules' evaluator computes node by node with NumPy written by
    hand for each operation (not matcalc's lowering)."""
    torch = pytest.importorskip("torch")
    f = matcalc.parse(SPECS[name], where=WHERE)
    values = _values(f)
    env = as_env(values)
    want = evaluate(f.expr, env)
    args = values if backend == "numpy" else {k: torch.tensor(np.asarray(v), dtype=torch.float64)
                                              for k, v in values.items()}
    got = np.asarray(matcalc.compile(f, backend=backend)(**args), dtype=float)
    np.testing.assert_allclose(got.reshape(want.shape), want, rtol=1e-10, atol=1e-12)


def _contracted(text: str) -> tuple[Formula, list[str]]:
    """f = <C, op(…)> with a random weight C, so a non-scalar op has a scalar to differentiate."""
    f = matcalc.parse(text, where=WHERE)
    names = f.variables
    if f.shape == (1, 1):
        return f, names
    c = ops.var("C", "matrix" if f.shape[1] != 1 else "vector", f.shape)
    return Formula(ops.inner(c, f.expr), f.declarations + (Declaration(c.attr, c.shape),), f.definitions), names


@pytest.mark.parametrize("name", sorted(SPECS))
def test_d_rule_matches_torch_autograd(name: str) -> None:
    f, names = _contracted(SPECS[name])
    report = check(f, names, trials=2, seed=1)
    assert report.ok, str(report)


BINARY = ("matmul", "hadamard", "inner", "add", "kron")
ADJOINTS = [(name, i) for name, op in ops.OPS.items() if op.adjoint is not None
            for i in ((0,) if name == "div" else range(2 if name in BINARY else 1))]
ADJOINT_SPECS = {"add": ("T + 0 Y", "0 X + t"),  # the map must be linear: the other term is 0
                 "neg": "-T", "matmul": ("T Z", "A T"), "hadamard": ("T .* Y", "X .* T"),
                 "div": "T ./ P", "transpose": "T^T", "inner": ("<T, Y>", "<X, T>"), "trace": "tr(Q)",
                 "sum": "sum(T)", "diag": "diag(v)", "diagvec": "diag(Q)", "mean": "mean(T)", "vec": "vec(v)",
                 "unvec": "unvec(vec(T), 6, 2)", "kron": ("kron(T, Q)", "kron(Q, T)")}


@pytest.mark.parametrize("name,i", ADJOINTS)
def test_adjoint_dot_product(name: str, i: int) -> None:
    """<G, L(T)> = <L*(G), T> for the map T -> op(…, T, …) with the other arguments fixed."""
    spec = ADJOINT_SPECS[name]
    text = spec[i] if isinstance(spec, tuple) else spec
    f = matcalc.parse(text, where=WHERE + "; T: matrix(3, 4); Q: matrix(3, 3); t: scalar")
    node = f.expr
    assert node.op == name
    g = ops.var("G", "matrix" if node.shape[1] != 1 else "vector", node.shape)
    adj = ops.OPS[name].adjoint(node, i, g)
    arg = node.args[i]
    lhs, rhs = ops.inner(g, node), ops.inner(adj, arg)
    both = ops.add(lhs, rhs)
    decls = tuple(Declaration(n.attr, n.shape) for n in walk(both) if n.op == "var")
    values = sample_inputs(Formula(both, decls), np.random.default_rng(2))

    env = as_env(values)

    def value(e: ops.Expr) -> float:  # NumPy by hand, per operation (test_rules.evaluate)
        return float(evaluate(concretize(e, sizes_of(Formula(both, decls), values)), env).reshape(()))

    assert abs(value(lhs)) > 1e-6
    assert value(lhs) == pytest.approx(value(rhs), rel=1e-10)


@pytest.mark.parametrize("name", sorted(SPECS))
def test_entry_facts(name: str) -> None:
    """The keyword-only facts: arity matches the nodes the spec builds, domains and properties are known."""
    op = ops.OPS[name]
    nodes = [n for n in walk(matcalc.parse(SPECS[name], where=WHERE).expr) if n.op == name]
    assert nodes and all(op.arity is None or len(n.args) == op.arity for n in nodes)
    assert set(op.domain) <= set(ops.DOMAINS) and op.preserves <= set(ops.PROPERTIES)
    assert all(i < (op.arity or 2) for i in op.linear_in)


def test_call_names_come_from_the_registry() -> None:
    names = ops.call_names()
    assert names["tr"] == names["trace"] == "trace" and names["σ"] == "sigmoid" and names["relu'"] == "step"
    assert "diagvec" not in names and matcalc.parse("diag(A)", where=WHERE).expr.op == "diagvec"
    assert ops.infix_symbols()["⊙"] == "hadamard"
