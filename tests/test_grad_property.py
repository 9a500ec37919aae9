"""Property test: random formulas against their hand-built torch twins (tests/strategies.py).

Each random formula is drawn as TEXT together with a torch function the generator built
alongside it, construct by construct; the twin, not matcalc, is the reference. For every
draw, at random sizes (dimensions of size 1 come from rows, columns and outer products):

- matcalc's value of the parsed text equals the twin's value;
- matcalc's closed-form gradient, for every variable at once, equals torch.autograd of the
  twin in float64 (the closed form is evaluated with ``matcalc.compile``: that is the side
  under test, never the reference);
- simplification keeps the value, and the gradient's printed forms (text, Unicode, LaTeX)
  parse back to the same numbers.

CI runs 300 examples (about a minute); a long run outside CI::

    MATCALC_PROPERTY_EXAMPLES=10000 python -m pytest tests/test_grad_property.py -q
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from strategies import DIMS, Case, as_tensors, sample_values, twinned

import matcalc
from matcalc.checking.verify import evaluate_closed_form, relative_error
from matcalc.language.formula import Formula
from matcalc.simplification.simplify import simplify

torch = pytest.importorskip("torch")

EXAMPLES = int(os.environ.get("MATCALC_PROPERTY_EXAMPLES", "300"))
TOL = 1e-7
FLOOR = 1e-5  # an exact zero computed two ways differs by rounding noise of the terms that cancel


def _close(got: Any, ref: Any) -> bool:
    return relative_error(got, ref, floor=FLOOR) < TOL


SETTINGS = settings(max_examples=EXAMPLES, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                           HealthCheck.data_too_large])
SIZES = st.fixed_dictionaries({d: st.integers(2, 4) for d in DIMS})


def _reference(case: Case, f: Formula, values: Mapping[str, Any], sizes: Mapping[str, int]
               ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """The twin's value and its gradient for every variable of f, by torch.autograd (float64)."""
    tensors = as_tensors(values)
    out, kinks = case.value(tensors, sizes)
    assume(not kinks)  # a norm of exactly zero has no gradient
    names = f.variables
    leaves = [tensors[n] for n in names]
    grads = torch.autograd.grad(out.sum(), leaves, allow_unused=True) if out.requires_grad else [None] * len(names)
    ref = {n: np.zeros(tuple(t.shape)) if gr is None else gr.detach().numpy() for n, t, gr in zip(names, leaves, grads)}
    return out.detach().numpy(), ref


def _as_2d(v: Any) -> np.ndarray:
    arr = np.asarray(v, dtype=np.float64)
    return arr.reshape(1, 1) if arr.ndim == 0 else arr.reshape(-1, 1) if arr.ndim == 1 else arr


def _matcalc_value(f: Formula, values: Mapping[str, Any], sizes: Mapping[str, int], like: np.ndarray) -> np.ndarray:
    return _as_2d(evaluate_closed_form(f, values, sizes, like))


def _draw(case: Case, seed: int, sizes: dict[str, int]) -> tuple[Formula, dict[str, Any]]:
    f = case.formula()  # a refusal of a well-typed formula fails the test
    assume(f.variables)
    return f, sample_values(f, np.random.default_rng(seed), sizes)


# Formulas this test found wrong before the rewrite engine kept broadcast shapes (regressions).
FOUND = [
    Case("sum((A) - (A) + (alpha) ./ (1 + (tau)^2))",
         lambda v: (v["A"] - v["A"] + v["alpha"] / (1 + v["tau"] ** 2)).sum().reshape(1, 1)),
    Case("(x)^T ((u) - (u) + (alpha) + (beta))", lambda v: v["x"].T @ (v["u"] - v["u"] + v["alpha"] + v["beta"])),
    Case("(alpha) ((p)^T ((1) ./ (p)))", lambda v: v["alpha"] * (v["p"].T @ (1 / v["p"]))),
    Case("⟨(beta) - (tau) + (C) (B) - (C) (B), D⟩",
         lambda v: ((v["beta"] - v["tau"] + v["C"] @ v["B"] - v["C"] @ v["B"]) * v["D"]).sum().reshape(1, 1)),
    Case("((1.5) (tau) + (u) - (u))^T (S) ((u) ∘ (u) + (1_n) - (1_n) + (2)) ./ (tau)",
         lambda v: (1.5 * v["tau"] + v["u"] - v["u"]).T @ v["S"] @ (v["u"] * v["u"] + 2) / v["tau"]),
]


@SETTINGS
@given(case=twinned("scalar", max_depth=6, min_depth=3), seed=st.integers(0, 2**16), sizes=SIZES)
@example(case=FOUND[0], seed=1, sizes={"n": 3, "m": 2, "k": 4})
@example(case=FOUND[1], seed=1, sizes={"n": 3, "m": 2, "k": 4})
@example(case=FOUND[2], seed=1, sizes={"n": 3, "m": 2, "k": 4})
@example(case=FOUND[3], seed=1, sizes={"n": 3, "m": 2, "k": 4})
@example(case=FOUND[4], seed=1, sizes={"n": 3, "m": 2, "k": 4})
def test_value_and_gradient_agree_with_the_twin(case: Case, seed: int, sizes: dict[str, int]) -> None:
    f, values = _draw(case, seed, sizes)
    value, ref = _reference(case, f, values, sizes)
    assert _close(_matcalc_value(f, values, sizes, value), value), f"value of {case.text}"
    grads = matcalc.grad(f, f.variables)
    for name in f.variables:
        got = _as_2d(evaluate_closed_form(grads[name], values, sizes, ref[name]))
        assert _close(got, ref[name]), f"∇_{name} {case.text} = {grads[name].text()}"


@settings(SETTINGS, max_examples=max(EXAMPLES // 3, 50))
@given(case=twinned("any", max_depth=5, min_depth=2), seed=st.integers(0, 2**16), sizes=SIZES)
def test_value_and_simplified_value_agree_with_the_twin(case: Case, seed: int, sizes: dict[str, int]) -> None:
    f, values = _draw(case, seed, sizes)
    value, _ = case.value(as_tensors(values), sizes)
    value = value.detach().numpy()
    assert _close(_matcalc_value(f, values, sizes, value), value), case.text
    simple = Formula(simplify(f.expr), f.declarations, f.definitions)
    assert _close(_matcalc_value(simple, values, sizes, value), value), \
        f"{case.text}  ->  {simple.text()}"


@settings(SETTINGS, max_examples=max(EXAMPLES // 6, 30))
@given(case=twinned("scalar", max_depth=3), seed=st.integers(0, 2**16), sizes=SIZES)
def test_printed_gradient_parses_back(case: Case, seed: int, sizes: dict[str, int]) -> None:
    f, values = _draw(case, seed, sizes)
    _, ref = _reference(case, f, values, sizes)
    name = f.variables[0]
    g = matcalc.grad(f, name)
    for notation in ("text", "unicode", "latex"):
        again = matcalc.parse(g.show(notation), where=g.where, notation=notation)
        got = _as_2d(evaluate_closed_form(again, values, sizes, ref[name]))
        assert _close(got, ref[name]), f"{notation}: {g.show(notation)}"
