"""Generated NumPy code that overwrites its own temporaries, and products in the BLAS's fast layout.

The references are written by hand (torch autograd in float64); the inputs must come back
unchanged; float32 inputs at shapes where ``_mul_nt`` takes its transposed layout stay float32.
The rewrite is alias-aware: a view (``.T``, a reshape, a broadcast, a slice) of an array keeps
the array from being overwritten while the view is still read; every corpus formula's generated
code, in both backends and in float32 and float64, matches its hand-written twin.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

import matcalc
from matcalc.checking.sample import sample_inputs
from matcalc.checking.verify import relative_error
from matcalc.lowering.codegen import codegen
from matcalc.lowering.evaluate import as_formula
from matcalc.lowering.inline import inline_temporaries
from matcalc.lowering.inplace import in_place, writes

torch = pytest.importorskip("torch")
from test_codegen import CASES as CORPUS_CASES  # noqa: E402  (the corpus with its hand-written twins)
from test_codegen import hand_value_and_grads  # noqa: E402

MLP = "H = relu(W1 X); Z = W2 H; sum(logsumexp(Z)) - <Yl, Z>"
SOFTMAX_CE = "sum(logsumexp(W X)) - <Yl, W X>"


def _load(src: str):
    ns: dict = {}
    exec(compile(src, "<generated>", "exec"), ns)  # noqa: S102 - our own generated source
    return ns["f_and_grad"]


def _twin_mlp(W1, X, W2, Yl):
    Z = W2 @ torch.relu(W1 @ X)
    return torch.logsumexp(Z, dim=0).sum() - (Yl * Z).sum()


def _twin_softmax_ce(W, X, Yl):
    Z = W @ X
    return torch.logsumexp(Z, dim=0).sum() - (Yl * Z).sum()


def _onehot(rng: np.random.Generator, classes: int, batch: int) -> np.ndarray:
    Y = np.zeros((classes, batch))
    Y[rng.integers(0, classes, batch), np.arange(batch)] = 1.0
    return Y


CASES = [  # few output rows next to many inputs: the float32 gradient takes (X Dᵀ)ᵀ
    (MLP, ["W1", "W2"], _twin_mlp, lambda r: [r.standard_normal((24, 40)) / 6, r.standard_normal((40, 16)),
                                              r.standard_normal((3, 24)) / 5, _onehot(r, 3, 16)]),
    (SOFTMAX_CE, ["W"], _twin_softmax_ce, lambda r: [r.standard_normal((3, 40)) / 6, r.standard_normal((40, 16)),
                                                     _onehot(r, 3, 16)]),
]


@pytest.mark.parametrize("dt", [np.float32, np.float64])
@pytest.mark.parametrize("case", CASES, ids=["mlp", "softmax_ce"])
def test_in_place_code_matches_autograd_and_keeps_the_inputs(case: tuple, dt: type) -> None:
    formula, wrt, twin, make = case
    args = [a.astype(dt) for a in make(np.random.default_rng(11))]
    copies = [a.copy() for a in args]
    value, grads = _load(codegen(formula, wrt))(*args)
    assert all(np.array_equal(a, c) for a, c in zip(args, copies)), "an input was overwritten"
    tensors = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in args]
    names = list(_load(codegen(formula, wrt)).__code__.co_varnames[:len(args)])
    want = twin(*tensors)
    want_value = float(want.detach())
    want_grads = torch.autograd.grad(want, [tensors[names.index(n)] for n in wrt])
    tol = 1e-4 if dt == np.float32 else 1e-10
    assert abs(float(value) - want_value) <= tol * max(1.0, abs(want_value))
    for n, g in zip(wrt, want_grads):
        assert grads[n].dtype == dt and grads[n].shape == g.shape
        assert np.max(np.abs(grads[n] - g.numpy())) <= tol * max(1.0, float(g.abs().max())), n


def test_mlp_overwrites_only_its_own_arrays() -> None:
    body = codegen(MLP, ["W1", "W2"])
    body = body[body.index("def f_and_grad"):]
    assert "H = np.maximum(t0, 0.0, out=t0)" in body  # W1 X is read last by the relu (the mask reads H)
    assert re.search(r"\*= \(H > 0\)", body) and re.search(r"np\.exp\((t\d+), out=\1\)", body)
    for name in ("W1", "X", "W2", "Yl"):
        assert name not in writes(body) and f"out={name})" not in body and f"{name} -=" not in body


@pytest.mark.parametrize("formula, wrt", [
    ("H = X; sum(exp(H) - H)", "X"),  # a definition naming an input is the input itself
    ("sum(exp(X))", "X"),  # exp(X) is the last read of X
    ("sum(exp(X) .* X) + sum(-X)", "X"),
    ("||A x - y||^2", "x"),
    ("sum(kron(A, B) X)", "X"),  # reshapes are views of the input
])
def test_inputs_are_never_overwritten(formula: str, wrt: str) -> None:
    src = codegen(formula, wrt)
    fn = _load(src)
    names = fn.__code__.co_varnames[:fn.__code__.co_argcount]
    rng = np.random.default_rng(2)
    shapes = {"X": (6, 4), "A": (2, 3), "B": (3, 2), "x": (4,), "y": (5,)}
    if formula.startswith("||"):
        shapes["A"] = (5, 4)
    if "kron" in formula:
        shapes["X"] = (6, 4)
    args = [rng.standard_normal(shapes[n]) for n in names]
    copies = [a.copy() for a in args]
    fn(*args)
    assert all(np.array_equal(a, c) for a, c in zip(args, copies)), src


def test_in_place_needs_an_own_dying_array_of_the_result_shape() -> None:
    shapes = {"t0": (3, 1), "t1": (3, 4), "t2": (3, 4), "t3": (3, 4), "t4": (3, 4)}
    lines = ["t0 = u + v",  # allocated, but a column: t1 broadcasts it to 3x4, so not in place
             "t1 = t0 - C",
             "t2 = np.exp(X)",  # X is an input: never overwritten
             "t3 = t1 * t2",  # t1 dies here: t1 *= t2 (and t3 is t1 from now on)
             "t4 = np.tanh(t3)"]  # t3 (t1) is returned as well: kept
    got, outs = in_place(lines, shapes, ["t4", "t3"])
    assert got == ["t0 = u + v", "t1 = t0 - C", "t2 = np.exp(X)", "t1 *= t2", "t4 = np.tanh(t1)"]
    assert outs == ["t4", "t1"]


def test_folding_never_moves_a_read_past_an_overwrite() -> None:
    lines = ["t5 = t2 * 3.0", "t2 -= y", "t6 = t5 + t2"]  # t5 must read t2 before it changes
    assert inline_temporaries(lines, ["t6"]) == lines
    assert inline_temporaries(["t5 = t2 * 3.0", "t6 = t5 + t2"], ["t6"]) == ["t6 = (t2 * 3.0) + t2"]


def test_hessian_code_adds_into_a_copy_and_keeps_the_input() -> None:
    src = matcalc.codegen(matcalc.hessian("x^T A x", "x"))
    assert "A.T.copy()" in src and "+= A" in src  # Aᵀ copied in row order, A added into the copy
    ns: dict = {}
    exec(compile(src, "<generated>", "exec"), ns)  # noqa: S102 - our own generated source
    rng = np.random.default_rng(5)
    A, x = rng.standard_normal((7, 7)), rng.standard_normal(7)
    kept = A.copy()
    H = ns["f"](x, A)
    assert np.array_equal(A, kept) and np.allclose(H, A + A.T, rtol=0, atol=1e-15)


def _run(lines: list[str], outputs: list[str], env: dict) -> list[np.ndarray]:
    """Execute statements in a copy of env; the outputs' values (copied)."""
    ns = {"np": np, **{k: v.copy() for k, v in env.items()}}
    exec("\n".join(lines), ns)  # noqa: S102 - the statements of the test itself
    return [np.array(eval(o, ns)) for o in outputs]  # noqa: S307


ALIASED = [  # (statements, shapes, outputs, the statements a correct rewrite keeps as they are)
    (["t0 = A @ B", "t1 = t0.T", "t2 = np.exp(t0)", "t3 = t1 + t2"],  # t0's transpose is read after exp(t0)
     {"t0": (3, 3), "t1": (3, 3), "t2": (3, 3), "t3": (3, 3)}, ["t3"], ["t2 = np.exp(t0)"]),
    (["t0 = A @ B", "t1 = t0.reshape(-1)", "t2 = np.sin(t0)", "t3 = t1 * 2.0"],  # a reshape of t0
     {"t0": (3, 3), "t1": (9,), "t2": (3, 3), "t3": (9,)}, ["t3", "t2"], ["t2 = np.sin(t0)"]),
    (["t0 = u + v", "t1 = np.broadcast_to(t0, (3, 4))", "t2 = np.exp(t0)", "t3 = t1 * C"],  # a broadcast
     {"t0": (3, 1), "t1": (3, 4), "t2": (3, 1), "t3": (3, 4)}, ["t3", "t2"], ["t2 = np.exp(t0)"]),
    (["t0 = A @ B", "t1 = t0.T", "t2 = t1[:, 0:2]", "t3 = np.tanh(t0)", "t4 = t2 * 3.0"],  # a view of a view
     {"t0": (3, 3), "t1": (3, 3), "t2": (3, 2), "t3": (3, 3), "t4": (3, 2)}, ["t4", "t3"], ["t3 = np.tanh(t0)"]),
    (["t0 = A @ B", "t1 = np.diagonal(t0)", "t2 = -t0", "t3 = t1 + 1.0"],  # NumPy's diagonal is a view
     {"t0": (3, 3), "t1": (3,), "t2": (3, 3), "t3": (3,)}, ["t3", "t2"], ["t2 = -t0"]),
    (["t0 = A @ B", "t1 = t0.T", "t2 = t0 * t1"],  # the same statement reads t0 and a view of it
     {"t0": (3, 3), "t1": (3, 3), "t2": (3, 3)}, ["t2"], ["t2 = t0 * t1"]),
    (["t0 = A @ B", "t1 = t0.T", "H = np.exp(t0)", "t3 = H * 2.0", "t4 = t1 - 1.0"],  # H is written over
     {"t0": (3, 3), "t1": (3, 3), "H": (3, 3), "t3": (3, 3), "t4": (3, 3)}, ["t3", "t4"],  # t0 only if…
     ["H = np.exp(t0)"]),  # … t0's transpose is dead: it is not
]


@pytest.mark.parametrize("lines, shapes, outputs, kept", ALIASED, ids=["transpose", "reshape", "broadcast",
                                                                        "view_of_view", "diagonal", "same_line",
                                                                        "definition"])
def test_an_array_is_never_overwritten_while_a_view_of_it_is_read(lines, shapes, outputs, kept) -> None:
    got, outs = in_place(lines, shapes, outputs)
    assert all(k in got for k in kept), got
    rng = np.random.default_rng(3)
    env = {"A": rng.standard_normal((3, 3)), "B": rng.standard_normal((3, 3)), "u": rng.standard_normal((3, 1)),
           "v": rng.standard_normal((3, 1)), "C": rng.standard_normal((3, 4))}
    for g, w in zip(_run(got, outs, env), _run(lines, outputs, env)):  # the same values as without writes
        assert np.array_equal(g, w)


def test_a_dead_view_frees_its_array() -> None:
    lines = ["t0 = A @ B", "t1 = t0.T", "t2 = t1 * 2.0", "t3 = np.exp(t0)", "t4 = t2 + t3"]
    shapes = {n: (3, 3) for n in ("t0", "t1", "t2", "t3", "t4")}
    got, outs = in_place(lines, shapes, ["t4"])
    assert got == ["t0 = A @ B", "t1 = t0.T", "t2 = t1 * 2.0", "np.exp(t0, out=t0)", "t2 += t0"], got
    assert outs == ["t2"]


def test_a_reduction_is_its_own_array() -> None:
    """A column sum never views its operand, so the operand may be divided by it in place (softmax's
    E / sum(E)); a diagonal may view it, so the same division keeps a new array."""
    shapes = {"t0": (3, 4), "t1": (1, 4), "t2": (3, 4)}
    lines = ["t0 = np.exp(Z)", "t1 = t0.sum(axis=0)", "t2 = t0 / t1"]
    assert in_place(lines, shapes, ["t2"])[0] == ["t0 = np.exp(Z)", "t1 = t0.sum(axis=0)", "t0 /= t1"]
    viewing = ["t0 = np.exp(Z)", "t1 = np.diagonal(t0)", "t2 = t0 / t1"]
    assert in_place(viewing, shapes, ["t2"])[0] == viewing
    t0 = np.exp(np.arange(12.0).reshape(3, 4) / 10)
    want = t0 / t0.sum(axis=0)
    t1 = t0.sum(axis=0)
    t0 /= t1
    assert np.array_equal(t0, want)


def test_folding_never_moves_a_read_of_a_view_past_an_overwrite() -> None:
    lines = ["t1 = t0.T", "t5 = t1 * 3.0", "t0 -= y", "t6 = t5 + t0"]  # t5 reads t0's memory through t1
    assert inline_temporaries(lines, ["t6", "t1"]) == lines


@pytest.mark.parametrize("dt", ["float32", "float64"])
@pytest.mark.parametrize("backend", ["numpy", "torch"])
@pytest.mark.parametrize("case", CORPUS_CASES, ids=[c[0] for c in CORPUS_CASES])
def test_corpus_code_matches_its_twin_in_both_precisions(case: tuple, backend: str, dt: str) -> None:
    cid, f, where, wrt, twin = case
    formula = as_formula(f, where)
    values = sample_inputs(formula, np.random.default_rng(13))
    value, grads = hand_value_and_grads(twin, values, wrt)
    fn = _load(codegen(f, wrt, where=where, backend=backend))
    args = [np.asarray(values[d.name], dtype=dt) for d in formula.declarations]
    if backend == "torch":
        args = [torch.tensor(a) for a in args]
    conv = lambda v: np.asarray(v.numpy() if isinstance(v, torch.Tensor) else v, dtype=np.float64)  # noqa: E731
    copies = [conv(a).copy() for a in args]
    got_value, got_grads = fn(*args)
    assert all(np.array_equal(conv(a), c) for a, c in zip(args, copies)), "an input was overwritten"
    tol = 1e-10 if dt == "float64" else 1e-3
    assert relative_error(conv(got_value), value, floor=1e-5) < tol
    for n in wrt:
        assert relative_error(conv(got_grads[n]), grads[n], floor=1e-5) < tol, n


def test_only_helpers_that_always_allocate_count_as_fresh() -> None:
    from matcalc.lowering.inplace import _returning_fresh
    sources = ("def _view(z):\n    return z.T\n",
               "def _sum(z):\n    return z + 1.0\n",
               "def _either(a, b):\n    if a.shape[0] > 1:\n        return b.dot(a.T).T\n    return a.dot(b.T)\n")
    assert _returning_fresh(sources) == {"_sum"}
    lines = ["t0 = A @ B", "t1 = _view(t0)", "t2 = np.exp(t0)", "t3 = t1 + t2"]
    got, _ = in_place(lines, {n: (3, 3) for n in ("t0", "t1", "t2", "t3")}, ["t3"])
    assert got[2] == "t2 = np.exp(t0)"  # an unknown helper's result may be a view of t0
