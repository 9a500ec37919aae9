"""Trial 1 follow-ups (issue 13, /work/trial/NEXT_textbook.md): each answer prints the book's form,
and its value equals torch.autograd (float64) of the function written by hand below, at sampled
inputs (square matrices invertible as sampled)."""

from __future__ import annotations

import numpy as np
import pytest
from torch_reference import autograd

import matcalc
from matcalc.checking.sample import sample_inputs, sizes_of
from matcalc.checking.verify import evaluate_closed_form

torch = pytest.importorskip("torch")


CASES = [  # (formula, where, wrt, the book's form, hand-written function)
    ("vec(X)^T vec(X)", "X: matrix(n, m)", "X", "2 X", lambda X: (X * X).sum()),
    ("sum((x - mean(x)).^2)", "x: vector(n)", "x", "2 (x - mean(x))", lambda x: ((x - x.mean()) ** 2).sum()),
    ("sum(diag(X))", "X: matrix(n, n)", "X", "I_n", lambda X: torch.diagonal(X).sum()),
    ("log(abs(det(X)))", "X: matrix(n, n)", "X", "X^-T", lambda X: torch.log(torch.abs(torch.linalg.det(X)))),
    ("1/2 ||W2 tanh(W1 X) - Y||_F^2", "W2: matrix(k, h); W1: matrix(h, d); X: matrix(d, m)", "W2",
     "(W2 tanh(W1 X) - Y) tanh(W1 X)^T", lambda W2, W1, X, Y: 0.5 * ((W2 @ torch.tanh(W1 @ X) - Y) ** 2).sum()),
]


@pytest.mark.parametrize("formula,where,wrt,book,fn", CASES)
def test_trial_answers_in_book_form(formula, where, wrt, book, fn) -> None:
    f = matcalc.parse(formula, where=where)
    g = matcalc.grad(f, wrt)
    assert g.expr is matcalc.parse(book, where=f.where).expr, g.text()
    for seed in range(3):
        values = sample_inputs(f, seed)
        mine = np.asarray(evaluate_closed_form(g, values, sizes_of(f, values), values[wrt]), dtype=float)
        np.testing.assert_allclose(mine.reshape(-1), autograd(fn, values, wrt).reshape(-1), rtol=1e-8, atol=1e-10)


def test_det_of_a_product_over_square_factors() -> None:
    """∇_X det(A X B) = det(A X B) X⁻ᵀ needs A, B square (then all three are invertible where the
    gradient exists); for A n×p, B q×n the general form Aᵀ (A X B)⁻ᵀ Bᵀ stays."""
    where = "A: matrix(n, n); B: matrix(n, n); X: matrix(n, n)"
    f = matcalc.parse("det(A X B)", where=where)
    g = matcalc.grad(f, "X")
    assert g.expr is matcalc.parse("det(A X B) X^-T", where=f.where).expr, g.text()
    fn = lambda A, X, B: torch.linalg.det(A @ X @ B)  # noqa: E731
    values = sample_inputs(f, 0)
    mine = np.asarray(evaluate_closed_form(g, values, sizes_of(f, values), values["X"]), dtype=float)
    np.testing.assert_allclose(mine, autograd(fn, values, "X"), rtol=1e-8, atol=1e-10)
    general = matcalc.grad("det(A X B)", "X", where="A: matrix(n, p); B: matrix(q, n)")
    assert "X^-T" not in general.text() and "^-1" in general.text()


def test_mean_logistic_loss_keeps_the_sigmoid_form() -> None:
    f = matcalc.parse("sum(log(1 + exp(-y .* (X w)))) / n", where="n: scalar")
    g = matcalc.grad(f, "w")
    assert g.expr is matcalc.parse("-((X^T (y .* sigmoid(-(y .* (X w))))) / n)", where=f.where).expr, g.text()
    values = sample_inputs(f, 1)
    fn = lambda X, w, y, n: torch.log(1 + torch.exp(-y * (X @ w))).sum() / n  # noqa: E731
    mine = np.asarray(evaluate_closed_form(g, values, sizes_of(f, values), values["w"]), dtype=float)
    np.testing.assert_allclose(mine.reshape(-1), autograd(fn, values, "w").reshape(-1), rtol=1e-8, atol=1e-10)
