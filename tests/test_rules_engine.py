"""The rewrite engine itself: shape checked at every application, rules indexed by root operation,
one trace format for simplification and derivations, fixed points memoized over a DAG."""

from __future__ import annotations

import pytest

import matcalc
from matcalc.algebra.ops import add, const, matmul, transpose, var
from matcalc.simplification.engine import Applied, Engine, Rule, RuleList, RuleShapeError
from matcalc.simplification.simplify import RULES, simplify_traced

A = var("A", "matrix", (3, 2))
B = var("B", "matrix", (2, 3))


def test_a_rule_that_changes_a_shape_is_an_internal_error() -> None:
    wrong = Rule("Aᵀ = A (wrong)", ("transpose",), lambda e: e.args[0])
    with pytest.raises(RuleShapeError, match=r"Aᵀ = A \(wrong\).*changed a shape"):
        Engine([wrong])(transpose(A))


def test_rules_are_tried_only_at_their_root_operation() -> None:
    tried: list[str] = []
    rules = RuleList()

    @rules.rule("(Aᵀ)ᵀ = A", "transpose", guard=lambda e: tried.append(e.op) or e.args[0].op == "transpose")
    def _tt(e):
        return e.args[0].args[0]

    out = Engine(rules)(matmul(transpose(transpose(A)), B))
    assert out is matmul(A, B)
    assert set(tried) == {"transpose"}


def test_trace_records_rule_before_after_in_order() -> None:
    e = matcalc.parse("(2 (3 A))^T where A: matrix(3, 2)").expr
    result, trace = simplify_traced(e)
    assert str(matcalc.Formula(result)) == "6 A^T"
    assert trace and all(isinstance(t, Applied) and t.before.shape == t.after.shape for t in trace)
    assert {t.rule for t in trace} <= {r.name for r in RULES}
    assert "s (t A) = (s t) A" in [t.rule for t in trace]


def test_derivations_share_the_trace_format() -> None:
    d = matcalc.derive("a^T exp(X b)", "X")
    trace = d.trace()
    assert len(trace) == len(d.steps) - 1
    assert trace[0].rule == d.steps[1].rule and trace[0].before is d.state(d.steps[0])
    assert all(t.before is u.after for t, u in zip(trace[1:], trace))


def test_shared_nodes_are_rewritten_once() -> None:
    calls: list[object] = []
    rules = [Rule("0 + s = s (counting)", ("add",), lambda e: calls.append(e) or e.args[1],
                  lambda e: e.args[0] is const(0))]
    shared = var("t", "scalar", (1, 1))
    for _ in range(40):  # a DAG of 2^40 paths: each distinct node is visited once
        shared = matmul(shared, shared)
        shared = add(const(0), shared)
    Engine(rules)(shared)
    assert len(calls) == 40


MULTIPLIED = ["(P + Q) (A + B)", "(x - y) (x - y)^T", "(x + alpha) (y + beta)^T", "2 (P - Q)^T (x + y) / alpha",
              "-(A + B) (u + v) + P (x - alpha)", "(x^T y + alpha) (P + Q) x"]


@pytest.mark.parametrize("text", MULTIPLIED)
def test_multiplied_out_is_an_identity(text: str) -> None:
    """expand._terms: the terms sum to the expression (NumPy by hand, test_rules.evaluate), at sizes
    that make the matrices rows, columns and 1×1; a sum with a scalar spread over it stays whole."""
    import numpy as np
    from test_rules import SIZES, WHERE, evaluate, sample

    from matcalc.simplification.expand import _terms

    rng = np.random.default_rng(3)
    for n, m in SIZES:
        e = matcalc.parse(text, where=WHERE.format(n=n, m=m)).expr
        terms = _terms(e)
        env = sample(n, m, rng, signed=True)
        np.testing.assert_allclose(evaluate(add(*terms), env) + np.zeros(e.shape), evaluate(e, env), rtol=1e-10)
    assert len(terms) > 1
