"""The one-hot condition as a declaration (issue 13): `y: onehot(k)` (or `y: vector(k) onehot`,
`probability`, `Y: onehot(k, m)` for columns) lets the simplifier use 1ᵀy = 1, so softmax
cross-entropy gives the book's (softmax(W x) − y) xᵀ; without it the answer stays exact and says
which declaration would shorten it. Values are checked against torch.autograd (float64) of the
loss written by hand, at inputs sampled as declared (one-hot / probability columns)."""

from __future__ import annotations

import numpy as np
import pytest
from torch_reference import autograd

import matcalc
from matcalc.checking.sample import sample_inputs, sizes_of
from matcalc.checking.verify import evaluate_closed_form

torch = pytest.importorskip("torch")


def _xent(W, x, y):
    return -(y * torch.log_softmax(W @ x, dim=0)).sum()


CASES = [  # (formula, where, wrt, the book's form, hand-written loss)
    ("-y^T log(softmax(W x))", "y: onehot(k)", "W", "(softmax(W x) - y) x^T", _xent),
    ("-y^T log(softmax(W x))", "y: vector(k) probability", "x", "W^T (softmax(W x) - y)", _xent),
    ("-sum(Y .* log(softmax(W X)))", "Y: onehot(k, m)", "W", "(softmax(W X) - Y) X^T",
     lambda W, X, Y: -(Y * torch.log_softmax(W @ X, dim=0)).sum()),
]


@pytest.mark.parametrize("formula,where,wrt,book,fn", CASES)
def test_declared_onehot_gives_the_book_form(formula, where, wrt, book, fn) -> None:
    f = matcalc.parse(formula, where=where)
    g = matcalc.grad(f, wrt)
    assert g.expr is matcalc.parse(book, where=f.where).expr, g.text()
    assert not g.hints
    for seed in range(3):
        values = sample_inputs(f, seed)
        labels = np.asarray(values.get("y", values.get("Y")))
        y = labels.reshape(len(labels), -1)
        np.testing.assert_allclose(y.sum(axis=0), 1.0)  # sampled as declared: columns sum to 1
        if "onehot" in where:
            assert set(np.unique(y)) <= {0.0, 1.0}
        got = evaluate_closed_form(g, values, sizes_of(f, values), values[wrt])
        want = autograd(fn, values, wrt)
        np.testing.assert_allclose(np.asarray(got).reshape(want.shape), want, rtol=1e-9, atol=1e-12)


def test_without_the_declaration_the_answer_is_exact_and_says_what_would_shorten_it() -> None:
    f = matcalc.parse("-y^T log(softmax(W x))")
    g = matcalc.grad(f, "W")
    assert "sum(y)" in g.text()  # exact for any y
    (hint,) = g.hints
    assert hint.name == "y" and hint.declaration == "vector(n) onehot"
    assert "declare y: vector(n) onehot" in hint.show("text") and "(softmax(W x) - y) x^T" in hint.show("text")
    rng = np.random.default_rng(5)
    values = {"W": rng.normal(size=(4, 3)), "x": rng.normal(size=3), "y": rng.normal(size=4)}  # 1ᵀy ≠ 1
    got = evaluate_closed_form(g, values, {"n": 4, "m": 3}, values["W"])
    np.testing.assert_allclose(np.asarray(got), autograd(_xent, values, "W"), rtol=1e-9, atol=1e-12)
    assert not matcalc.grad("sum(x)^2", "x").hints  # never for the variable differentiated


def test_the_declaration_reads_back_and_rejects_misuse() -> None:
    f = matcalc.parse("y^T x", where="y: onehot(k)")
    assert "y: vector(k) onehot" in f.where and matcalc.parse("y^T x", where=f.where).expr is f.expr
    with pytest.raises(matcalc.ParseError, match="qualifier 'onehot'"):
        matcalc.parse("alpha", where="alpha: scalar onehot")


def test_the_cli_prints_the_hint(capsys) -> None:
    from matcalc.cli import main

    assert main(["grad", "-y^T log(softmax(W x))", "--wrt", "W", "-q"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "(sum(y) softmax(W x) - y) x^T"
    assert "hint: if the entries of y sum to 1" in out and "y: vector(n) onehot" in out
