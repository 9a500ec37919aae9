"""Every rewrite rule, one by one: both sides of its identity agree on random instances.

For each rule in the codebase (``engine.KNOWN``: the simplifier's, the code generator's and the
last code-generation rules) ``GENERATORS`` (tests/test_rules_instances.py) holds instances satisfying
its guard: scalars spread over arrays, 1×n and n×1 shapes (the sizes below make every matrix a
row, a column or a 1×1 in turn) and repeated subterms. The rule is applied at the root alone,
and both sides are evaluated by ``evaluate`` below: NumPy written by hand in this file, per
operation, not matcalc's lowering. A rule without instances fails the suite.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import SimpleNamespace

import numpy as np
import pytest
from test_rules_instances import GENERATORS

import matcalc
from matcalc.algebra.expr import Expr, walk
from matcalc.algebra.ops import var
from matcalc.lowering.finish import finish_rules
from matcalc.lowering.reuse import reuse_rules, sharing_rules
from matcalc.lowering.rules import strip_refs
from matcalc.simplification.engine import KNOWN, Rule

for _m in pkgutil.walk_packages(matcalc.__path__, "matcalc."):
    if not _m.name.startswith("matcalc.web"):
        importlib.import_module(_m.name)  # every module that defines rules

SIZES = [(3, 2), (1, 3), (3, 1), (2, 2), (1, 1)]
WHERE = ("A, B, C: matrix({n}, {m}); P, Q, S: matrix({n}, {n}); Y: symmetric({n}); x, y, z: vector({n}); "
         "u, v: vector({m}); alpha, beta, gamma: scalar; p: vector({n}) probability; Pm: matrix({n}, {m}) onehot")
SIMPLEX = {"p": "probability", "Pm": "onehot"}  # columns summing to 1
# rules that close over a code generator's state: fresh ones (nothing materialized, nothing kept)
RULES: dict[str, Rule] = {**{n: r for n, r in KNOWN.items() if r.build.__module__.startswith("matcalc.")},
                          **{r.name: r for r in finish_rules(set()) + [strip_refs(set())]
                             + reuse_rules(lambda e: True) + sharing_rules(lambda e: True)}}
# (the reuse rules take every product and sum as computed anyway)

# ---------------------------------------------------------------- the reference: NumPy by hand, per operation

UNARY = {"exp": np.exp, "log": np.log, "sin": np.sin, "cos": np.cos, "tan": np.tan, "arcsin": np.arcsin,
         "arccos": np.arccos, "arctan": np.arctan, "tanh": np.tanh, "sqrt": np.sqrt, "abs": np.abs,
         "sign": np.sign, "sigmoid": lambda z: 1 / (1 + np.exp(-z)), "relu": lambda z: np.maximum(z, 0),
         "softplus": lambda z: np.logaddexp(0, z), "step": lambda z: (z > 0).astype(float),
         "neg": np.negative, "transpose": np.transpose, "inv": np.linalg.inv, "ref": lambda a: a,
         "det": lambda a: np.linalg.det(a).reshape(1, 1),
         "logdet": lambda a: np.log(abs(np.linalg.det(a))).reshape(1, 1),
         "trace": lambda a: np.trace(a).reshape(1, 1), "sum": lambda a: a.sum().reshape(1, 1),
         "mean": lambda a: a.mean().reshape(1, 1),
         "diag": lambda a: np.diag(a[:, 0]), "diagvec": lambda a: np.diag(a).reshape(-1, 1),
         "norm2": lambda a: np.sqrt((a * a).sum()).reshape(1, 1), "norm1": lambda a: abs(a).sum().reshape(1, 1),
         "softmax": lambda a: np.exp(a - a.max(0)) / np.exp(a - a.max(0)).sum(0),
         "logsumexp": lambda a: (a.max(0) + np.log(np.exp(a - a.max(0)).sum(0))).reshape(1, -1),
         "colmax": lambda a: a.max(0, keepdims=True), "colsum": lambda a: a.sum(0, keepdims=True),
         "rowsum": lambda a: a.sum(1, keepdims=True), "vec": lambda a: a.reshape(-1, 1, order="F"),
         "tcopy": np.transpose}
BINARY = {"hadamard": np.multiply, "div": np.divide, "hpow": np.power, "bsub": np.subtract, "bdiv": np.divide,
          "bmul": np.multiply, "inner": lambda a, b: (a * b).sum().reshape(1, 1), "solve": np.linalg.solve,
          "rowdot": lambda a, b: (a * b).sum(1, keepdims=True), "mask": lambda z, g: np.where(z > 0, g, 0.0),
          "coldot": lambda a, b: (a * b).sum(0, keepdims=True), "kronmul": lambda a, b, m: np.kron(a, b) @ m,
          "kron": np.kron, "mulnt": lambda a, b: a @ b.T,
          "matmul": lambda a, b: a * b if a.shape == (1, 1) or b.shape == (1, 1) else a @ b}


def _node(e: Expr, args: list[np.ndarray], env: dict[str, np.ndarray]) -> np.ndarray:
    if e.op == "var":
        return env[e.attr.name]
    if e.op in ("const", "fill"):
        return np.full(e.shape, float(e.attr))
    if e.op == "identity":
        return np.eye(e.shape[0])
    if e.op == "add":
        return sum(args[1:], args[0])
    if e.op == "addsub":
        return sum((s * a for s, a in zip(e.attr, args)), np.zeros(e.shape))
    if e.op == "mpow":
        return np.linalg.matrix_power(args[0], e.attr)
    if e.op == "unvec":
        return args[0].reshape(e.attr, order="F")
    return UNARY[e.op](*args) if len(args) == 1 else BINARY[e.op](*args)


def evaluate(e: Expr, env: dict[str, np.ndarray]) -> np.ndarray:
    """The value of e (2-D arrays: vectors are columns, scalars 1×1), node by node."""
    values: dict[Expr, np.ndarray] = {}
    for node in walk(e):
        values[node] = np.asarray(_node(node, [values[a] for a in node.args], env), dtype=float)
    return values[e]


def as_env(values: dict) -> dict[str, np.ndarray]:
    """Sampled values (vectors 1-D, scalars numbers) as ``evaluate`` takes them: columns, 1×1 arrays."""
    return {k: np.asarray(v, dtype=float).reshape(-1, 1) if np.ndim(v) == 1 else
            np.asarray(v, dtype=float).reshape(np.shape(v) or (1, 1)) for k, v in values.items()}


def declared(n: int, m: int) -> dict[str, tuple[str, tuple[int, int]]]:
    """The variables WHERE declares at sizes n, m: name -> (kind, shape)."""
    kinds = {"A": ("matrix", (n, m)), "P": ("matrix", (n, n)), "Y": ("symmetric", (n, n)),
             "x": ("vector", (n, 1)), "u": ("vector", (m, 1)), "alpha": ("scalar", (1, 1)),
             "p": ("vector", (n, 1)), "Pm": ("matrix", (n, m))}
    alike = {"B": "A", "C": "A", "Q": "P", "S": "P", "y": "x", "z": "x", "v": "u", "beta": "alpha", "gamma": "alpha"}
    return {**kinds, **{name: kinds[like] for name, like in alike.items()}}


def sample(n: int, m: int, rng: np.random.Generator, signed: bool) -> dict[str, np.ndarray]:
    """Entries in ±[0.5, 1.5] (all positive unless ``signed``); square matrices well conditioned."""
    env = {}
    for name, (kind, shape) in declared(n, m).items():
        x = rng.uniform(0.5, 1.5, shape) * (rng.choice([-1, 1], shape) if signed else 1)
        if kind == "symmetric":
            x = (x + x.T) / 2
        if shape[0] == shape[1] and kind != "scalar":
            x = x + 4 * np.eye(shape[0])
        if name in SIMPLEX:  # one-hot columns, or positive columns normalized
            x = np.eye(shape[0])[:, rng.integers(0, shape[0], shape[1])] if SIMPLEX[name] == "onehot" else abs(x)
            x = x / x.sum(axis=0)
        env[name] = x
    return env


def instance(spec, n: int, m: int) -> Expr:
    """A generator's instance at sizes n, m: formula text, or a function of the declared variables."""
    if isinstance(spec, str):
        return matcalc.parse(spec, where=WHERE.format(n=n, m=m)).expr
    variables = {name: var(name, kind, shape, simplex=SIMPLEX.get(name, ""))
                 for name, (kind, shape) in declared(n, m).items()}
    return spec(SimpleNamespace(n=n, m=m, **variables))


def test_every_rule_has_instances() -> None:
    missing = sorted(set(RULES) - set(GENERATORS))
    assert not missing, f"rules without an instance generator in tests/test_rules_instances.py: {missing}"
    assert not set(GENERATORS) - set(RULES), "instances of rules that no longer exist"


@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_rule_is_an_identity(name: str) -> None:
    rule = RULES[name]
    rng = np.random.default_rng(abs(hash(name)) % 2**32)
    for spec in GENERATORS[name]:
        fired = 0
        for n, m in SIZES:
            try:
                before = instance(spec, n, m)
            except matcalc.ShapeError:
                continue  # the instance has no meaning at these sizes
            if any(not isinstance(d, int) for node in walk(before) for d in node.shape):
                continue  # a constant array whose size nothing fixes at these sizes
            after = rule.apply(before)
            if after is None:
                continue
            fired += 1
            assert after.shape == before.shape, (name, spec, n, m)
            for signed in (False, True):
                env = sample(n, m, rng, signed)
                lhs, rhs = evaluate(before, env), evaluate(after, env)
                assert lhs.shape == rhs.shape == tuple(before.shape), (name, spec, n, m)
                ok = np.isfinite(lhs)  # where the left side is defined, the right side equals it
                np.testing.assert_allclose(rhs[ok], lhs[ok], rtol=1e-9, atol=1e-11, err_msg=f"{name}: {spec} {n}x{m}")
        assert fired, f"{name}: the instance {spec!r} never satisfies the rule's guard"
