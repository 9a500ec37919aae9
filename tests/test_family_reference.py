"""The derivative-family checker takes its reference from torch.func on f itself, never from matcalc.

Claims (``check_claim(kind=...)``) and ``matcalc check --kind`` compare with torch autograd of the
original function, so a wrong derivation in matcalc is caught instead of agreeing with itself.
References here are written by hand in torch (float64).
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

import matcalc
from matcalc.algebra import ops
from matcalc.calculus import commands
from matcalc.checking import family

RNG = np.random.default_rng(7)
A, W, x, V, G = (RNG.standard_normal(s) for s in ((4, 4), (3, 4), 4, 4, 3))


def _t(a: np.ndarray) -> torch.Tensor:
    return torch.tensor(a, dtype=torch.float64)


def _sig_layer(x: torch.Tensor) -> torch.Tensor:  # hand-written: sigmoid(W x)
    return torch.sigmoid(_t(W) @ x)


def _quad(x: torch.Tensor) -> torch.Tensor:  # hand-written: xᵀ A x
    return x @ _t(A) @ x


@pytest.mark.parametrize("kind, f, direction, want", [
    ("jacobian", "sigmoid(W x)", None, lambda: torch.func.jacrev(_sig_layer)(_t(x))),
    ("hessian", "x^T A x", None, lambda: torch.func.hessian(_quad)(_t(x))),
    ("jvp", "sigmoid(W x)", V, lambda: torch.func.jvp(_sig_layer, (_t(x),), (_t(V),))[1]),
    ("hvp", "x^T A x", V, lambda: torch.func.jvp(torch.func.grad(_quad), (_t(x),), (_t(V),))[1]),
    ("vjp", "sigmoid(W x)", G, lambda: torch.func.vjp(_sig_layer, _t(x))[1](_t(G))[0]),
])
def test_reference_is_torch_autograd_of_f(kind, f, direction, want) -> None:
    got = family.reference(kind, matcalc.parse(f), "x", {"A": A, "W": W, "x": x}, direction)
    assert np.allclose(got, want().numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("f, wrt, claim, kind", [
    ("sigmoid(W x)", "x", "diag(sigmoid(W x)) W", "jacobian"),  # σ' forgotten: σ instead of σ(1 - σ)
    ("x^T A x", "x", "A^T", "hessian"),
    ("sigmoid(W x)", "x", "sigmoid(W x) .* (W V)", "jvp"),
    ("x^T A x", "x", "2 A V", "hvp"),
    ("sigmoid(W x)", "x", "W^T (sigmoid(W x) .* G)", "vjp"),
])
def test_wrong_claims_are_reported_wrong(f, wrt, claim, kind) -> None:
    result = matcalc.check_claim(f, wrt, claim, kind=kind)
    assert not result.ok and result.max_relative_difference > 1e-3
    # the claims differ from the hand-written torch derivative at a point (so "wrong" is right)
    s = torch.sigmoid(_t(W) @ _t(x)).numpy()
    by_hand = {
        "jacobian": (np.diag(s) @ W, torch.func.jacrev(_sig_layer)(_t(x)).numpy()),
        "hessian": (A.T, torch.func.hessian(_quad)(_t(x)).numpy()),
        "jvp": (s * (W @ V), torch.func.jvp(_sig_layer, (_t(x),), (_t(V),))[1].numpy()),
        "hvp": (2 * A @ V, torch.func.jvp(torch.func.grad(_quad), (_t(x),), (_t(V),))[1].numpy()),
        "vjp": (W.T @ (s * G), torch.func.vjp(_sig_layer, _t(x))[1](_t(G))[0].numpy()),
    }[kind]
    assert not np.allclose(*by_hand)


@pytest.mark.parametrize("f, claim, kind", [
    ("sigmoid(W x)", "diag(sigmoid(W x) .* (1 - sigmoid(W x))) W", "jacobian"),
    ("x^T A x", "A + A^T", "hessian"),
    ("sigmoid(W x)", "sigmoid(W x) .* (1 - sigmoid(W x)) .* (W V)", "jvp"),
    ("x^T A x", "(A + A^T) V", "hvp"),
    ("sigmoid(W x)", "W^T (sigmoid(W x) .* (1 - sigmoid(W x)) .* G)", "vjp"),
])
def test_right_claims_of_every_kind(f, claim, kind) -> None:
    result = matcalc.check_claim(f, "x", claim, kind=kind)
    assert result.ok and not result.notes, str(result)


def _doubled(monkeypatch: pytest.MonkeyPatch) -> None:
    """matcalc's derivations made wrong on purpose: every closed form of the family returns 2× the right one."""
    for name in ("jacobian", "hessian", "jvp", "hvp", "vjp"):
        real = getattr(commands, name)

        def wrong(*args, _real=real, **kwargs) -> matcalc.Formula:
            r = _real(*args, **kwargs)
            return matcalc.Formula(ops.matmul(ops.const(2), r.expr), r.declarations, r.definitions)

        monkeypatch.setattr(commands, name, wrong)


@pytest.mark.parametrize("f, right, kind", [
    ("A x", "A", "jacobian"), ("x^T A x", "A + A^T", "hessian"), ("A x", "A V", "jvp"),
    ("x^T A x", "(A + A^T) V", "hvp"), ("A x", "A^T G", "vjp"),
])
def test_a_wrong_derivation_cannot_agree_with_itself(monkeypatch, cli, f, right, kind) -> None:
    _doubled(monkeypatch)
    doubled = str(commands.derive_kind(kind, f, "x", direction="G" if kind == "vjp" else "V"))
    assert doubled.startswith("2")  # the patch is in effect
    wrong = matcalc.check_claim(f, "x", f"2 ({right})", kind=kind)  # matches matcalc's wrong closed form
    assert not wrong.ok
    fine = matcalc.check_claim(f, "x", right, kind=kind)  # right by torch, though matcalc now disagrees
    assert fine.ok and any("disagrees with torch" in n for n in fine.notes)
    run = cli("check", f, "--wrt", "x", "--kind", kind)
    assert run.code == 1 and "✗" in run.out
