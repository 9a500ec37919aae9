"""Deep and shared formulas (issue 10): nesting up to the parser's limit, 100 chained definitions,
long products and sums derive, print and evaluate right, without blow-up.

Bounds are generous (benchmarks/deep.py measures the growth): they catch an exponential or
quadratic path (minutes), not a slow machine. References are hand-written torch in float64.
"""

from __future__ import annotations

import time

import numpy as np
import pytest
import torch

import matcalc
from matcalc.algebra.shapes import ParseError
from matcalc.language.syntax import MAX_DEPTH

BOUND = 30.0  # seconds (each takes 0.1-3 s alone, more on shared CPUs): a blow-up takes minutes here
N = 3


def _values(names: dict[str, tuple[int, ...]], seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {k: rng.uniform(-0.9, 0.9, size=shape) for k, shape in names.items()}


def _autograd(fn, values: dict[str, np.ndarray], wrt: str) -> np.ndarray:
    tensors = {k: torch.tensor(v, dtype=torch.float64, requires_grad=k == wrt) for k, v in values.items()}
    (g,) = torch.autograd.grad(fn(tensors).reshape(()), [tensors[wrt]])
    return g.numpy()


def _sin_nest(v, depth):
    s = v["x"]
    for _ in range(depth):
        s = torch.sin(s)
    return s


def _mlp(v, layers):
    h = v["x"]
    for _ in range(layers):
        h = torch.tanh(v["W"] @ h)
    return h.sum()


def _transposes(v, depth):
    x = v["X"]
    for _ in range(depth):
        x = x.T
    return torch.trace(x @ v["A"])


def _products(v, depth):
    y = v["x"]
    for _ in range(depth):
        y = v["A"] @ y
    return v["a"].T @ y


def _chained(v, count):
    s = torch.sin(v["x"])
    for _ in range(count - 1):
        s = torch.sin(s) * torch.cos(s)
    return s


def _product_of_sines(v, count):
    out = torch.ones((), dtype=torch.float64)
    for i in range(1, count + 1):
        out = out * torch.sin(v["x"] + i / count)
    return out


def _sum_of_sines(v, count):
    return sum(torch.sin(i / count * v["x"]) for i in range(1, count + 1))


CASES = {  # id: (formula, where, wrt, shapes, torch reference)
    "sin-300": ("sin(" * 300 + "x" + ")" * 300, "x: scalar", "x", {"x": ()}, lambda v: _sin_nest(v, 300)),
    "tanh-mlp-150-layers": ("sum(" + "tanh(W " * 150 + "x" + ")" * 150 + ")", f"W: matrix({N}, {N}); x: vector({N})",
                            "W", {"W": (N, N), "x": (N, 1)}, lambda v: _mlp(v, 150)),
    "transpose-301": ("tr(" + "(" * 301 + "X" + ")^T" * 301 + " A)", f"X, A: matrix({N}, {N})", "X",
                      {"X": (N, N), "A": (N, N)}, lambda v: _transposes(v, 301)),
    "product-300": ("a^T " + "A (" * 300 + "x" + ")" * 300, f"A: matrix({N}, {N}); a, x: vector({N})", "x",
                    {"A": (N, N), "a": (N, 1), "x": (N, 1)}, lambda v: _products(v, 300)),
    "chained-100": ("; ".join(["s1 = sin(x)"] + [f"s{i} = sin(s{i - 1}) cos(s{i - 1})" for i in range(2, 101)])
                    + "; s100", "x: scalar", "x", {"x": ()}, lambda v: _chained(v, 100)),
    "product-of-100-sines": (" ".join(f"sin(x + {i}/100)" for i in range(1, 101)), "x: scalar", "x", {"x": ()},
                             lambda v: _product_of_sines(v, 100)),
    "sum-of-1500-sines": (" + ".join(f"sin({i}/1500 x)" for i in range(1, 1501)), "x: scalar", "x", {"x": ()},
                          lambda v: _sum_of_sines(v, 1500)),
}


@pytest.mark.parametrize("case", list(CASES))
def test_deep_and_shared_formulas_derive_right_without_blow_up(case: str) -> None:
    text, where, wrt, shapes, reference = CASES[case]
    start = time.perf_counter()
    g = matcalc.grad(text, wrt, where=where)
    assert time.perf_counter() - start < BOUND, "derivation blew up"
    values = _values(shapes, seed=len(case))
    if "A" in values:  # keep A^300 a: a matrix near an orthogonal one
        values["A"] = np.linalg.qr(values["A"] + 2 * np.eye(N))[0] * 1.01
    got = matcalc.compile(g)(**values)  # the gradient takes f's inputs
    want = _autograd(reference, values, wrt)
    np.testing.assert_allclose(np.reshape(got, want.shape), want, rtol=1e-8, atol=1e-10 * np.abs(want).max())


@pytest.mark.parametrize("case", ["sin-300", "tanh-mlp-150-layers", "chained-100"])
def test_deep_derivations_print_in_every_notation(case: str) -> None:
    """The --steps output of a deep derivation prints quickly: shared parts are named (t1 = …)
    when a line would print much longer than the DAG (a 300-layer MLP printed 3 GB before)."""
    text, where, wrt, _, _ = CASES[case]
    d = matcalc.derive(text, wrt, where=where)
    start = time.perf_counter()
    for notation in ("text", "unicode", "latex"):
        shown = d.show(notation)
        assert len(shown) < 5_000_000, f"{notation}: {len(shown)} characters"
    assert time.perf_counter() - start < BOUND
    assert "where" in d.show("text") or case == "chained-100"


@pytest.mark.parametrize("text,printed", [
    ("sin(" * 300 + "x" + ")" * 300, "sin(" * 300 + "x" + ")" * 300),
    ("(" * 300 + "x" + ")" * 300, "x"),
    ("a^T " + "A (" * 300 + "x" + ")" * 300, "a^T " + "A (" * 299 + "A x" + ")" * 299),
    ("||" * 300 + "x" + "||" * 300, "||" * 300 + "x" + "||" * 300),
    ("sum(" + "exp(" * (MAX_DEPTH - 2) + "x" + ")" * (MAX_DEPTH - 2) + ")",
     "sum(" + "exp(" * (MAX_DEPTH - 2) + "x" + ")" * (MAX_DEPTH - 2) + ")")])
def test_parser_reads_deep_nesting(text: str, printed: str) -> None:
    assert matcalc.parse(text).text() == printed  # read, and printed back


@pytest.mark.parametrize("text", ["sin(" * (MAX_DEPTH + 1) + "x" + ")" * (MAX_DEPTH + 1),
                                  "a^T " + "A (" * (MAX_DEPTH + 1) + "x" + ")" * (MAX_DEPTH + 1),
                                  "x" + "^T" * (MAX_DEPTH + 5)])
def test_nesting_beyond_the_limit_is_a_clear_error_with_a_caret(text: str) -> None:
    with pytest.raises(ParseError, match=f"nested too deeply \\(at most {MAX_DEPTH} levels\\)") as info:
        matcalc.parse(text)
    assert info.value.column is not None
