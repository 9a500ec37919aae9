"""Property tests over random well-typed formulas (tests/strategies.py).

- the closed-form gradient of every random scalar formula, for every variable at once,
  agrees with torch.autograd in float64;
- simplification never changes a value;
- a gradient's printed text parses back to a formula with the same values.
"""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from strategies import SIZES, formulas, sample_values, scalar_formulas

import matcalc
import matcalc.algebra.expr
from matcalc.checking.verify import evaluate_closed_form, reference_gradients, relative_error
from matcalc.language.formula import Formula
from matcalc.simplification.simplify import simplify

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _close(got: object, ref: object) -> bool:
    """Relatively close, or both within rounding noise of 0 (a gradient that cancels exactly)."""
    diff = np.max(np.abs(np.asarray(got, dtype=float) - np.asarray(ref, dtype=float)), initial=0.0)
    return relative_error(got, ref) < 1e-7 or diff < 1e-12


def _evaluable(f: Formula) -> bool:
    """f has variables and every dimension of f can be read off one of them."""
    dims = {d for decl in f.declarations for d in decl.shape if isinstance(d, str)}
    used = {d for node in matcalc.algebra.expr.walk(f.expr) for d in node.shape if isinstance(d, str)}
    return bool(f.variables) and used <= dims


@SETTINGS
@given(f=scalar_formulas(), seed=st.integers(0, 2**16))
def test_gradient_agrees_with_autograd(f: Formula, seed: int) -> None:
    assume(_evaluable(f))
    values = sample_values(f, np.random.default_rng(seed))
    names = f.variables
    ref = reference_gradients(f, names, values)
    grads = matcalc.grad(f, names)
    for name in names:
        got = evaluate_closed_form(grads[name], values, SIZES, values[name])
        assert _close(got, ref[name]), f"∇_{name} {f.text()} = {grads[name].text()}"


@SETTINGS
@given(f=formulas(), seed=st.integers(0, 2**16))
def test_simplify_keeps_the_value(f: Formula, seed: int) -> None:
    assume(_evaluable(f))
    values = sample_values(f, np.random.default_rng(seed))
    simple = Formula(simplify(f.expr), f.declarations, f.definitions)
    like = matcalc.compile(f)(**values)
    got = evaluate_closed_form(simple, values, SIZES, like)
    assert _close(got, like), f"{f.text()}  ->  {simple.text()}"


@SETTINGS
@given(f=scalar_formulas(max_depth=3), seed=st.integers(0, 2**16))
def test_printed_gradient_parses_back(f: Formula, seed: int) -> None:
    assume(_evaluable(f))
    name = f.variables[0]
    g = matcalc.grad(f, name)
    values = sample_values(f, np.random.default_rng(seed))
    for notation in ("text", "unicode", "latex"):
        again = matcalc.parse(g.show(notation), where=g.where, notation=notation)
        a = evaluate_closed_form(g, values, SIZES, values[name])
        b = evaluate_closed_form(again, values, SIZES, values[name])
        assert _close(b, a), f"{notation}: {g.show(notation)}"
