"""Adding an operation touches one place: this module defines two new ones and the whole pipeline
works with them (the worked example of docs/ARCHITECTURE.md).

- ``comm(A, B) = A B - B A``, the commutator: a bilinear operation, so its d-rule is the product
  rule (``bilinear``) and its two adjoints are Frobenius identities:
  ``<G, A B - B A> = <G Bᵀ - Bᵀ G, A> = <Aᵀ G - G Aᵀ, B>``;
- ``softsign(t) = t / (1 + |t|)``: an elementwise function, given by f'(t) = 1 / (1 + |t|)².

Both are registered by a fixture (and removed after), then parsed, printed in the three
notations, differentiated, compiled, turned into NumPy and torch code, checked, and graded by
the homework checker. Every reference is NumPy/torch written here by hand.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

import matcalc
from matcalc.algebra.expr import Expr, walk
from matcalc.algebra.registry import (
    OPS,
    add,
    bilinear,
    call,
    const,
    elementwise,
    make,
    matmul,
    neg,
    reciprocal,
    squared,
    transpose,
)
from matcalc.algebra.shape_rules import shape_square
from matcalc.algebra.shapes import same_shape
from matcalc.checking.homework import check_homework


def _comm(a: Expr, b: Expr) -> Expr:
    return make("comm", a, b)


def _adjoint(node: Expr, i: int, g: Expr) -> Expr:
    """<G, A B - B A> = <G Bᵀ - Bᵀ G, A> = <Aᵀ G - G Aᵀ, B>."""
    a, b = node.args
    if i == 0:
        return add(matmul(g, transpose(b)), neg(matmul(transpose(b), g)))
    return add(matmul(transpose(a), g), neg(matmul(g, transpose(a))))


def _shape(args: tuple[Expr, ...], attr: object) -> tuple:
    """Two square matrices of one size."""
    shape_square("comm")(args, attr)
    return same_shape(args[0].shape, args[1].shape, "comm")


def _define() -> None:
    """The two entries: everything matcalc needs to know about them."""
    call("comm", _shape, "{0} @ {1} - {1} @ {0}", "{0} @ {1} - {1} @ {0}",
         bilinear(_comm), "d[A, B] = [dA, B] + [A, dB]", _adjoint, "<G, [A, B]> = <G Bᵀ - Bᵀ G, A>",
         latex="\\operatorname{comm}", sympy=lambda sp, n, a, b: a * b - b * a, arity=2, linear_in=(0, 1))
    elementwise("softsign", "{0} / (1.0 + np.abs({0}))", "{0} / (1.0 + torch.abs({0}))",
                lambda z, out: reciprocal(squared(add(const(1), make("abs", z)))),
                sympy="t / (1 + Abs(t))")


@pytest.fixture(scope="module", autouse=True)
def new_operations() -> Iterator[None]:
    _define()
    yield
    for name in ("comm", "softsign"):
        OPS.pop(name)


WHERE = "A, B: matrix(n, n); C: matrix(n, n); x: vector(n)"
F = "<C, comm(A, B)> + sum(softsign(A x))"
RNG = np.random.default_rng(3)
N = 4
VALUES = {"A": RNG.normal(size=(N, N)), "B": RNG.normal(size=(N, N)), "C": RNG.normal(size=(N, N)),
          "x": RNG.normal(size=N)}


def _torch_f(A, B, C, x):  # noqa: N803 - the formula's names
    """The formula by hand, in torch."""
    u = A @ x
    return (C * (A @ B - B @ A)).sum() + (u / (1 + u.abs())).sum()


def _torch_grads() -> dict[str, np.ndarray]:
    import torch

    t = {k: torch.tensor(v, requires_grad=k in ("A", "B")) for k, v in VALUES.items()}
    _torch_f(**t).backward()
    return {"A": t["A"].grad.numpy(), "B": t["B"].grad.numpy()}


def _value() -> float:
    a, b, c, x = (VALUES[k] for k in "ABCx")
    u = a @ x
    return float((c * (a @ b - b @ a)).sum() + (u / (1 + np.abs(u))).sum())


def test_parse_and_print_in_three_notations() -> None:
    f = matcalc.parse(F, where=WHERE)
    assert {n.op for n in walk(f.expr)} >= {"comm", "softsign"}
    assert f.show() == "<C, comm(A, B)> + sum(softsign(A x))"
    assert "\\operatorname{comm}" in f.show("latex") and "\\operatorname{softsign}" in f.show("latex")
    for notation in ("text", "unicode", "latex"):
        again = matcalc.parse(f.show(notation), where=f.where, notation=notation)
        assert again.expr is f.expr, notation


def test_a_wrong_call_is_a_clear_error() -> None:
    with pytest.raises(matcalc.MatcalcError, match="comm"):
        matcalc.parse("comm(A)", where=WHERE)
    with pytest.raises(matcalc.ShapeError):
        matcalc.parse("comm(A, x)", where=WHERE)


@pytest.mark.parametrize("backend", ["numpy", "torch"])
def test_compile(backend: str) -> None:
    pytest.importorskip("torch") if backend == "torch" else None
    got = matcalc.compile(F, where=WHERE, backend=backend)(**VALUES)
    assert float(got) == pytest.approx(_value(), rel=1e-12)


def test_grad_and_its_compiled_form() -> None:
    pytest.importorskip("torch")
    ref = _torch_grads()
    for name in ("A", "B"):
        g = matcalc.grad(F, name, where=WHERE)
        np.testing.assert_allclose(matcalc.compile(g)(**VALUES), ref[name], rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("backend", ["numpy", "torch", "torch-function"])
def test_codegen(backend: str) -> None:
    torch = pytest.importorskip("torch")
    ns: dict = {}
    exec(matcalc.codegen(F, ["A", "B"], where=WHERE, backend=backend), ns)
    ref = _torch_grads()
    if backend == "torch-function":
        t = {k: torch.tensor(v, requires_grad=k in ("A", "B")) for k, v in VALUES.items()}
        value = ns["f"](**t)
        value.backward()
        grads = {"A": t["A"].grad, "B": t["B"].grad}
    else:
        args = VALUES if backend == "numpy" else {k: torch.tensor(v) for k, v in VALUES.items()}
        value, grads = ns["f_and_grad"](**args)
    assert float(value) == pytest.approx(_value(), rel=1e-12)
    for name in ("A", "B"):
        np.testing.assert_allclose(np.asarray(grads[name]), ref[name], rtol=1e-10, atol=1e-12)


def test_check() -> None:
    pytest.importorskip("torch")
    report = matcalc.check(F, ["A", "B"], where=WHERE)
    assert report.ok


HOMEWORK = """# Problem set: a commutator and softsign

## Problem 1: right

f(A) = <C, comm(A, B)> + sum(softsign(A x))

where: A, B, C: matrix(n, n); x: vector(n)

claim: ∇_A f = C B^T - B^T C + softsign'(A x) x^T

## Problem 2: the commutator's adjoint the wrong way round

f(A) = <C, comm(A, B)> + sum(softsign(A x))

where: A, B, C: matrix(n, n); x: vector(n)

claim: ∇_A f = B^T C - C B^T + softsign'(A x) x^T
"""


def test_check_claim_and_homework() -> None:
    pytest.importorskip("torch")
    right, wrong = "C B^T - B^T C + softsign'(A x) x^T", "B^T C - C B^T + softsign'(A x) x^T"
    assert matcalc.check_claim(F, "A", right, where=WHERE).ok
    assert not matcalc.check_claim(F, "A", wrong, where=WHERE).ok
    assert [r.ok for r in check_homework(HOMEWORK)] == [True, False]
