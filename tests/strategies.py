"""Hypothesis strategies for random well-typed formulas, each with a hand-built torch twin.

``twinned(kind)`` draws a ``Case``: the formula as plain TEXT (operator spellings varied:
``*``, ``@``, ``⊙``, ``'``, ``ᵀ``, …; user functions ``g(t) = …;`` defined in front), and its
TWIN, a torch function built by the generator alongside the text, construct by construct,
without matcalc. matcalc parses the text; the twin is the reference, so a misparse, a wrong
rule or a wrong lowering shows up as a difference. ``formulas(kind)`` and ``scalar_formulas()``
give the parsed formula alone. Variables come from a fixed pool (``VARIABLES``, parsed with
``WHERE``); dimensions are the names n, m, k.

The generator covers scalars spread over arrays (``M + s``, ``s ./ P``), elementwise
division, cancellations (``z - z + s``), user functions, 1×n rows, outer products through a
dimension 1, and repeated subterms (``t .* sin(t)``).

Numerical safety (the sampling convention of ``sample_values``):
- variables declared ``positive`` are drawn from uniform(0.5, 2); ``spd`` as B Bᵀ + n I;
  ``symmetric`` as (B + Bᵀ)/2; every square ``matrix(n, n)`` as n I + uniform(-0.5, 0.5)
  noise (strictly diagonally dominant: invertible, positive determinant); everything else
  from uniform(-1, 1);
- log, sqrt, ./ and / only take *positive* subformulas: positive variables, exp(mild),
  1 + e.^2, sigmoid(mild), det/tr of an spd variable and sums/products of those;
- exp only takes *mild* subformulas (a variable, its negation, or a bounded function);
- inv and det only take square variables, logdet only spd variables;
- arcsin/arccos take 0.5 tanh(e), tan takes tanh(e).
A norm whose argument is exactly zero (``||x - x||``) has no gradient: the twin records it
in ``env["_kinks"]`` so a test can skip the draw.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from hypothesis import strategies as st

import matcalc
from matcalc.algebra.expr import walk

DIMS = ("n", "m", "k")
SIZES = {"n": 3, "m": 2, "k": 4}

# name -> declaration; every variable a formula may use.
VARIABLES: dict[str, str] = {
    "alpha": "scalar", "beta": "scalar", "tau": "scalar positive",
    "x": "vector(n)", "u": "vector(n)", "y": "vector(m)", "z": "vector(k)",
    "p": "vector(n) positive", "q": "vector(m) positive",
    "A": "matrix(n, n)", "D": "matrix(m, m)", "K": "matrix(k, k)",
    "B": "matrix(n, m)", "C": "matrix(m, n)", "E": "matrix(n, k)",
    "F": "matrix(k, n)", "G": "matrix(m, k)", "H": "matrix(k, m)",
    "P": "matrix(n, m) positive", "S": "spd(n)", "T": "symmetric(m)",
}
WHERE = "; ".join(f"{name}: {decl}" for name, decl in VARIABLES.items())

Shape = tuple  # (rows, cols): each 1 or a name in DIMS
SCALAR: Shape = (1, 1)
Env = Mapping[str, Any]  # variable -> 2-D float64 tensor (vectors n×1, scalars 1×1); "_sizes", "_kinks"
Twin = Callable[[Env], Any]


def torch() -> Any:
    """The torch module, imported on first use (text-only users never need it)."""
    return importlib.import_module("torch")


@dataclass(frozen=True)
class Term:
    """A subformula: its text and its torch twin (2-D tensors in, a 2-D tensor out)."""

    text: str
    twin: Twin


@dataclass(frozen=True)
class UserFunction:
    """An elementwise function the formula defines in its text: ``g(t) = log(1 + t^2)``."""

    name: str
    body: str
    twin: Callable[[Any], Any]


USER_FUNCTIONS = [
    UserFunction("g", "log(1 + t^2)", lambda t: torch().log(1 + t ** 2)),
    UserFunction("h", "t^2 + 3 t", lambda t: t ** 2 + 3 * t),
    UserFunction("r", "sin(t) t", lambda t: torch().sin(t) * t),
    UserFunction("g", "exp(-t^2)", lambda t: torch().exp(-t ** 2)),
    UserFunction("h", "t / (1 + t^2)", lambda t: t / (1 + t ** 2)),
    UserFunction("r", "sigmoid(t) t", lambda t: torch().sigmoid(t) * t),
    UserFunction("g", "tanh(t)^2 - t", lambda t: torch().tanh(t) ** 2 - t),
]


@dataclass
class _Gen:
    """One draw: hypothesis' ``draw`` and the user functions the formula uses so far."""

    draw: Callable
    functions: dict[str, UserFunction] = field(default_factory=dict)

    def pick(self, options: list | tuple) -> Any:
        return self.draw(st.sampled_from(list(options)))


def _shape_of(decl: str) -> Shape:
    kind, _, rest = decl.partition("(")
    dims = [d.strip() for d in rest.split(")")[0].split(",") if d.strip()]
    if kind.startswith("scalar"):
        return SCALAR
    if kind == "vector":
        return (dims[0], 1)
    return (dims[0], dims[-1])


def _vars_of(shape: Shape, positive: bool | None = None) -> list[str]:
    return [name for name, decl in VARIABLES.items() if _shape_of(decl) == shape
            and (positive is None or ("positive" in decl) == positive)]


SQUARE_VARS = {d: [v for v in _vars_of((d, d)) if "positive" not in VARIABLES[v]] for d in DIMS}
SPD_VARS = {d: [v for v in _vars_of((d, d)) if VARIABLES[v].startswith("spd")] for d in DIMS}
TRANSPOSES = ["^T", "'", "ᵀ"]
HADAMARDS = [" .* ", " ⊙ ", " ∘ "]


def _p(text: str) -> str:
    """Parenthesize a subformula (always safe)."""
    return f"({text})"


def _size(env: Env, d: Any) -> int:
    return d if isinstance(d, int) else env["_sizes"][d]


def _call(fn: Callable[..., Any], *terms: Term) -> Twin:
    """The twin applying fn to the twins of terms."""
    return lambda env: fn(*(t.twin(env) for t in terms))


def _scalar_of(value: Any) -> Any:
    return value.reshape(1, 1)


# ---------------------------------------------------------------- leaves


def _var(name: str) -> Term:
    return Term(name, lambda env: env[name])


def _const(c: str) -> Term:
    return Term(c, lambda env: torch().full((1, 1), float(c), dtype=torch().float64))


def _leaf(g: _Gen, shape: Shape) -> Term:
    r, c = shape
    if r == 1 and c != 1:  # a row: the transpose of a column
        name = g.pick(_vars_of((c, 1)))
        return Term(name + g.pick(TRANSPOSES), lambda env: env[name].T)
    names = _vars_of(shape)
    options = [("var", n) for n in names]
    if shape == SCALAR:
        options += [("const", c) for c in ["2", "0.5", "3", "1.5"]]
    elif c == 1:
        options.append(("ones", f"1_{r}" if r != "n" else g.pick(["1_n", "𝟙_n"])))
    kind, text = g.pick(options)
    if kind == "var":
        return _var(text)
    if kind == "const":
        return _const(text)
    return Term(text, lambda env: torch().ones((_size(env, r), 1), dtype=torch().float64))


ELEMENTWISE: dict[str, Callable[[Any], Any]] = {
    "sin": lambda t: torch().sin(t), "cos": lambda t: torch().cos(t), "tanh": lambda t: torch().tanh(t),
    "arctan": lambda t: torch().atan(t), "sigmoid": lambda t: torch().sigmoid(t),
    "σ": lambda t: torch().sigmoid(t), "relu": lambda t: torch().relu(t),
    "softplus": lambda t: torch().logaddexp(t, torch().zeros_like(t)), "abs": lambda t: torch().abs(t),
    "sign": lambda t: torch().sign(t), "exp": lambda t: torch().exp(t), "log": lambda t: torch().log(t),
    "sqrt": lambda t: torch().sqrt(t),
    "relu'": lambda t: (t > 0).to(t.dtype), "sigmoid'": lambda t: torch().sigmoid(t) * (1 - torch().sigmoid(t)),
    "tanh'": lambda t: 1 - torch().tanh(t) ** 2,
}


def _apply(name: str, arg: Term) -> Term:
    return Term(f"{name}({arg.text})", _call(ELEMENTWISE[name], arg))


def _mild(g: _Gen, shape: Shape, depth: int) -> Term:
    """Bounded entries: safe under exp."""
    choice = g.draw(st.integers(0, 3))
    if choice == 0 or depth <= 0:
        return _leaf(g, shape)
    if choice == 1:
        leaf = _leaf(g, shape)
        return Term(f"-{leaf.text}", _call(lambda a: -a, leaf))
    if choice == 2:
        leaf = _leaf(g, shape)
        return Term(f"0.5 {leaf.text}", _call(lambda a: 0.5 * a, leaf))
    return _apply(g.pick(["tanh", "sin", "cos", "sigmoid", "σ", "arctan"]), _gen(g, shape, depth - 1))


def _positive(g: _Gen, shape: Shape, depth: int) -> Term:
    """Entries > 0 and bounded away from 0: safe under log, sqrt and as a denominator."""
    options = ["exp", "one_plus_square", "sigmoid"]
    if _vars_of(shape, positive=True):
        options += ["var", "var"]
    if shape == SCALAR:
        options += ["spd"]
    if depth > 0:
        options += ["sum", "hadamard"]
    choice = g.pick(options)
    if choice == "var":
        return _var(g.pick(_vars_of(shape, positive=True)))
    if depth <= 0 and choice in ("sum", "hadamard"):
        choice = "exp"
    if choice == "exp":
        return _apply("exp", _mild(g, shape, depth - 1))
    if choice == "sigmoid":
        return _apply("sigmoid", _leaf(g, shape))
    if choice == "one_plus_square":
        power = "^2" if shape == SCALAR else g.pick([".^2", ".^(2)"])
        base = _gen(g, shape, depth - 1)
        return Term(f"1 + {_p(base.text)}{power}", _call(lambda a: 1 + a ** 2, base))
    if choice == "spd":
        s = SPD_VARS["n"][0]
        if g.draw(st.booleans()):
            return Term(f"det({s})", lambda env: _scalar_of(torch().det(env[s])))
        return Term(f"tr({s})", lambda env: _scalar_of(torch().trace(env[s])))
    a, b = _positive(g, shape, depth - 1), _positive(g, shape, depth - 1)
    if choice == "sum":
        return Term(_p(a.text) + " + " + _p(b.text), _call(lambda u, v: u + v, a, b))
    return Term(_p(a.text) + g.pick(HADAMARDS) + _p(b.text), _call(lambda u, v: u * v, a, b))


# ---------------------------------------------------------------- compound formulas


def _sum(g: _Gen, shape: Shape, depth: int) -> Term:
    a, b = _gen(g, shape, depth - 1), _gen(g, shape, depth - 1)
    if g.draw(st.booleans()):
        return Term(_p(a.text) + " + " + _p(b.text), _call(lambda u, v: u + v, a, b))
    return Term(_p(a.text) + " - " + _p(b.text), _call(lambda u, v: u - v, a, b))


def _product(g: _Gen, shape: Shape, depth: int) -> Term:
    r, c = shape
    inner = g.pick(DIMS + (1,))  # through 1: an outer product, or a scalar times a row
    a, b = _gen(g, (r, inner), depth - 1), _gen(g, (inner, c), depth - 1)
    return Term(_p(a.text) + g.pick([" ", " * ", " @ "]) + _p(b.text), _call(lambda u, v: u @ v, a, b))


def _scale(g: _Gen, shape: Shape, depth: int) -> Term:
    s, a = _gen(g, SCALAR, depth - 1), _gen(g, shape, depth - 1)
    return Term(_p(s.text) + " " + _p(a.text), _call(lambda u, v: u * v, s, a))


def _hadamard(g: _Gen, shape: Shape, depth: int) -> Term:
    a, b = _gen(g, shape, depth - 1), _gen(g, shape, depth - 1)
    return Term(_p(a.text) + g.pick(HADAMARDS) + _p(b.text), _call(lambda u, v: u * v, a, b))


def _divide(g: _Gen, shape: Shape, depth: int) -> Term:
    a = _gen(g, shape, depth - 1)
    if shape != SCALAR and g.draw(st.booleans()):
        s = _positive(g, SCALAR, depth - 1)
        return Term(_p(a.text) + " / " + _p(s.text), _call(lambda u, v: u / v, a, s))
    b = _positive(g, shape, depth - 1)
    return Term(_p(a.text) + " ./ " + _p(b.text), _call(lambda u, v: u / v, a, b))


def _transpose(g: _Gen, shape: Shape, depth: int) -> Term:
    body = _gen(g, (shape[1], shape[0]), depth - 1)
    return Term(_p(body.text) + g.pick(TRANSPOSES), _call(lambda u: u.T, body))


def _negate(g: _Gen, shape: Shape, depth: int) -> Term:
    body = _gen(g, shape, depth - 1)
    return Term("-" + _p(body.text), _call(lambda u: -u, body))


def _elementwise(g: _Gen, shape: Shape, depth: int) -> Term:
    kind = g.pick(["any", "any", "exp", "positive", "arc", "tan"])
    if kind == "exp":
        return _apply("exp", _mild(g, shape, depth - 1))
    if kind == "positive":
        return _apply(g.pick(["log", "sqrt"]), _positive(g, shape, depth - 1))
    body = _gen(g, shape, depth - 1)
    if kind == "arc":
        name = g.pick(["arcsin", "arccos"])
        fn = "asin" if name == "arcsin" else "acos"
        return Term(f"{name}(0.5 tanh({body.text}))",
                    _call(lambda u: getattr(torch(), fn)(0.5 * torch().tanh(u)), body))
    if kind == "tan":
        return Term(f"tan(tanh({body.text}))", _call(lambda u: torch().tan(torch().tanh(u)), body))
    return _apply(g.pick(["sin", "cos", "tanh", "arctan", "sigmoid", "σ", "relu", "softplus", "abs", "sign",
                          "relu'", "sigmoid'", "tanh'"]), body)


def _power(g: _Gen, shape: Shape, depth: int) -> Term:
    hat = "^" if shape == SCALAR else ".^"
    if g.draw(st.booleans()):
        base = _positive(g, shape, depth - 1)
        p = g.pick(["0.5", "-1", "(-1)", "1.5", "alpha"])
        if p == "alpha":
            return Term(f"{_p(base.text)}{hat}alpha", lambda env: base.twin(env) ** env["alpha"])
        value = float(p.strip("()"))
        return Term(f"{_p(base.text)}{hat}{p}", _call(lambda u: u ** value, base))
    base = _gen(g, shape, depth - 1)
    k = g.pick([2, 3])
    return Term(f"{_p(base.text)}{hat}{k}", _call(lambda u: u ** k, base))


def _eye(env: Env, d: Any) -> Any:
    return torch().eye(_size(env, d), dtype=torch().float64)


def _square(g: _Gen, shape: Shape, depth: int) -> Term:
    """Powers, inverses and shifts of square matrices."""
    d = shape[0]
    var = g.pick(SQUARE_VARS[d])
    kind = g.pick(["inv", "pow", "shift", "diag"])
    if kind == "inv":
        text = g.pick([f"inv({var})", f"{var}^-1", f"{var}^(-1)", f"{var}⁻¹"])
        return Term(text, lambda env: torch().linalg.inv(env[var]))
    if kind == "pow":
        body, k = _gen(g, shape, depth - 1), g.pick([2, 3])
        return Term(f"{_p(body.text)}^{k}", _call(lambda u: torch().linalg.matrix_power(u, k), body))
    if kind == "shift":
        body = _gen(g, shape, depth - 1)
        eye, c = g.pick([("I", 1.0), ("2 I", 2.0), ("eye", 1.0)])
        return Term(f"{_p(body.text)} + {eye}", lambda env: body.twin(env) + c * _eye(env, d))
    v = _gen(g, (d, 1), depth - 1)
    return Term(f"diag({v.text})", _call(lambda u: torch().diag(u[:, 0]), v))


def _column(g: _Gen, shape: Shape, depth: int) -> Term:
    """Vector-only operations: softmax, diag(A), a constant added."""
    kind = g.pick(["softmax", "diag", "const"])
    if kind == "softmax":
        body = _mild(g, shape, depth - 1)
        return Term(f"softmax({body.text})", _call(lambda u: torch().softmax(u, dim=0), body))
    if kind == "diag":
        body = _gen(g, (shape[0], shape[0]), depth - 1)
        return Term(f"diag({body.text})", _call(lambda u: torch().diagonal(u).reshape(-1, 1), body))
    body, c = _gen(g, shape, depth - 1), g.pick(["1", "2"])
    return Term(f"{_p(body.text)} + vector({c})", _call(lambda u: u + float(c), body))


def _norm(env: Env, u: Any) -> Any:
    if not bool(torch().any(u != 0)):
        env["_kinks"].append("a norm of exactly zero")
    return _scalar_of(torch().sqrt((u ** 2).sum()))


NORMS: list[tuple[str, Callable[[Env, Any], Any]]] = [
    ("||{0}||", _norm), ("‖{0}‖", _norm), ("norm({0})", _norm), ("norm2({0})", _norm), ("||{0}||_F", _norm),
    ("norm1({0})", lambda env, u: _scalar_of(u.abs().sum())), ("||{0}||_1", lambda env, u: _scalar_of(u.abs().sum())),
    ("||{0}||^2", lambda env, u: _scalar_of((u ** 2).sum())),
]


def _scalar(g: _Gen, depth: int) -> Term:
    """Reductions to a scalar."""
    kind = g.pick(["tr", "sum", "inner", "norm", "det", "logsumexp", "quad"])
    r, c = g.pick(DIMS + (1,)), g.pick(DIMS + (1,))
    if kind in ("tr", "det", "logsumexp", "quad") and r == 1:
        r = "n"
    if kind == "tr":
        body = _gen(g, (r, r), depth - 1)
        return Term(f"tr({body.text})", _call(lambda u: _scalar_of(torch().trace(u)), body))
    if kind == "sum":
        body = _gen(g, (r, c), depth - 1)
        return Term(f"sum({body.text})", _call(lambda u: _scalar_of(u.sum()), body))
    if kind == "inner":
        a, b = _gen(g, (r, c), depth - 1), _gen(g, (r, c), depth - 1)
        form = g.pick(["<{0}, {1}>", "⟨{0}, {1}⟩"])
        return Term(form.format(a.text, b.text), _call(lambda u, v: _scalar_of((u * v).sum()), a, b))
    if kind == "norm":
        body = _gen(g, (r, c), depth - 1)
        form, fn = g.pick(NORMS)
        return Term(form.format(body.text), lambda env: fn(env, body.twin(env)))
    if kind == "det":
        if g.draw(st.booleans()):
            var = g.pick(SQUARE_VARS[r])
            return Term(f"det({var})", lambda env: _scalar_of(torch().det(env[var])))
        s = SPD_VARS["n"][0]
        return Term(f"logdet({s})", lambda env: _scalar_of(torch().logdet(env[s])))
    if kind == "logsumexp":
        body = _mild(g, (r, 1), depth - 1)
        return Term(f"logsumexp({body.text})", _call(lambda u: torch().logsumexp(u, dim=0, keepdim=True), body))
    a, m, b = (_gen(g, shape, depth - 1) for shape in ((r, 1), (r, r), (r, 1)))
    return Term(f"{_p(a.text)}^T {_p(m.text)} {_p(b.text)}", _call(lambda u, w, v: u.T @ w @ v, a, m, b))


# ---------------------------------------------------------------- the cases the rules get wrong most easily


def _cancel(g: _Gen, shape: Shape, depth: int) -> Term:
    """z - z + s: a cancellation next to a scalar spread over the array."""
    z, s = _gen(g, shape, depth - 1), _gen(g, SCALAR, depth - 1)
    if g.draw(st.booleans()):
        return Term(f"{_p(z.text)} - {_p(z.text)} + {_p(s.text)}", _call(lambda u, v: u - u + v, z, s))
    return Term(f"{_p(s.text)} + {_p(z.text)} - {_p(z.text)}", _call(lambda u, v: v + u - u, z, s))


def _spread(g: _Gen, shape: Shape, depth: int) -> Term:
    """A scalar spread over every entry of an array: M + s, s - M, s .* M, s ./ P, M ./ s."""
    s = _gen(g, SCALAR, depth - 1)
    kind = g.pick(["+", "-", ".*", "s./", "./s"])
    if kind == "s./":
        b = _positive(g, shape, depth - 1)
        return Term(f"{_p(s.text)} ./ {_p(b.text)}", _call(lambda u, v: u / v, s, b))
    if kind == "./s":
        a, d = _gen(g, shape, depth - 1), _positive(g, SCALAR, depth - 1)
        return Term(f"{_p(a.text)} ./ {_p(d.text)}", _call(lambda u, v: u / v, a, d))
    a = _gen(g, shape, depth - 1)
    if kind == "+":
        return Term(f"{_p(a.text)} + {_p(s.text)}", _call(lambda u, v: u + v, a, s))
    if kind == "-":
        return Term(f"{_p(s.text)} - {_p(a.text)}", _call(lambda u, v: v - u, a, s))
    return Term(f"{_p(s.text)} .* {_p(a.text)}", _call(lambda u, v: u * v, a, s))


def _repeat(g: _Gen, shape: Shape, depth: int) -> Term:
    """A subterm used twice: t .* t, t + sin(t), tanh(t) .* t, t - 2 t."""
    t = _gen(g, shape, depth - 1)
    kind = g.pick(["square", "sin", "tanh", "minus"])
    if kind == "square":
        return Term(f"{_p(t.text)} .* {_p(t.text)}", _call(lambda u: u * u, t))
    if kind == "sin":
        return Term(f"{_p(t.text)} + sin({t.text})", _call(lambda u: u + torch().sin(u), t))
    if kind == "tanh":
        return Term(f"tanh({t.text}) .* {_p(t.text)}", _call(lambda u: torch().tanh(u) * u, t))
    return Term(f"{_p(t.text)} - 2 {_p(t.text)}", _call(lambda u: u - 2 * u, t))


def _user(g: _Gen, shape: Shape, depth: int) -> Term:
    """A user function (defined in front of the formula) applied entry by entry."""
    options = [f for f in USER_FUNCTIONS if g.functions.get(f.name, f) is f]
    fn = g.pick(options)
    g.functions[fn.name] = fn
    arg = _gen(g, shape, depth - 1)
    if arg.text.replace(".", "").isdigit():  # g(2) expands to an unfolded -(2) that prints as `+ -2` (reported)
        arg = _var(g.pick(_vars_of(shape)))
    return Term(f"{fn.name}({arg.text})", _call(fn.twin, arg))


_GENERAL = [_sum, _product, _scale, _hadamard, _divide, _transpose, _negate, _elementwise, _power,
            _cancel, _repeat, _user]


def _gen(g: _Gen, shape: Shape, depth: int) -> Term:
    """A subformula of the given shape, at most depth operations deep."""
    if depth <= 0 or g.draw(st.integers(0, 4)) == 0:
        return _leaf(g, shape)
    builders = list(_GENERAL)
    r, c = shape
    if shape != SCALAR:
        builders.append(_spread)
    if r == c and r != 1:
        builders.append(_square)
    if c == 1 and r != 1:
        builders.append(_column)
    if shape == SCALAR:
        builders += [lambda gen, s, k: _scalar(gen, k)] * 3
    return g.pick(builders)(g, shape, depth)


_KINDS = {
    "scalar": [SCALAR],
    "vector": [(d, 1) for d in DIMS],
    "matrix": [(a, b) for a in DIMS for b in DIMS],
}
_KINDS["any"] = _KINDS["scalar"] + _KINDS["vector"] + _KINDS["matrix"] + [(1, d) for d in DIMS]


@dataclass(frozen=True)
class Case:
    """A random formula: its text (user functions defined in front) and its torch twin."""

    text: str
    twin: Twin

    def formula(self) -> matcalc.Formula:
        """The text parsed by matcalc (with ``WHERE``)."""
        return matcalc.parse(self.text, where=WHERE)

    def value(self, tensors: Mapping[str, Any], sizes: Mapping[str, int]) -> tuple[Any, list[str]]:
        """The twin's value at 2-D tensors, and the kinks met (non-differentiable points)."""
        env: dict[str, Any] = {**tensors, "_sizes": dict(sizes), "_kinks": []}
        return self.twin(env), env["_kinks"]


@st.composite
def twinned(draw: Callable, kind: str = "any", max_depth: int = 4, min_depth: int = 1) -> Case:
    """Random formula texts with their torch twins (see the module docstring)."""
    if kind not in _KINDS:
        raise ValueError(f"kind must be one of {sorted(_KINDS)}")
    g = _Gen(draw)
    term = _gen(g, draw(st.sampled_from(_KINDS[kind])), draw(st.integers(min_depth, max_depth)))
    defs = "".join(f"{f.name}(t) = {f.body}; " for f in g.functions.values())
    return Case(defs + term.text, term.twin)


def formula_texts(kind: str = "any", max_depth: int = 4) -> st.SearchStrategy[str]:
    """Plain-text formulas (parse with ``where=WHERE``)."""
    return twinned(kind, max_depth).map(lambda case: case.text)


def formulas(kind: str = "any", max_depth: int = 4) -> st.SearchStrategy[matcalc.Formula]:
    """Random well-typed formulas of the given kind (see the module docstring for safety)."""
    parsed = formula_texts(kind, max_depth).map(lambda text: matcalc.parse(text, where=WHERE))
    return parsed.filter(_sizes_known)


def _sizes_known(f: matcalc.Formula) -> bool:
    """Every dimension can be read off a variable (so ``compile`` can run it: not `1_n` alone)."""
    known = {d for decl in f.declarations for d in decl.shape}
    return all(d in known for node in walk(f.expr) for d in node.shape if d != 1)


def scalar_formulas(max_depth: int = 4) -> st.SearchStrategy[matcalc.Formula]:
    """Random well-typed formulas whose value is a scalar."""
    return formulas("scalar", max_depth)


# ---------------------------------------------------------------- values


def _matrix(kind: str, positive: bool, r: int, c: int, rng: np.random.Generator) -> np.ndarray:
    if positive:
        return rng.uniform(0.5, 2.0, (r, c))
    b = rng.uniform(-1.0, 1.0, (r, c))
    if kind == "spd":
        return b @ b.T + r * np.eye(r)
    if kind == "symmetric":
        return (b + b.T) / 2
    if r == c:
        return r * np.eye(r) + rng.uniform(-0.5, 0.5, (r, r))
    return b


def sample_values(formula: matcalc.Formula, rng: np.random.Generator,
                  sizes: Mapping[str, int] | None = None) -> dict[str, object]:
    """A value for every declared variable of formula (the ``compile`` convention:
    vectors 1-D, matrices 2-D, scalars float), following the module's sampling rules."""
    sizes = dict(SIZES if sizes is None else sizes)
    values: dict[str, object] = {}
    for decl in formula.declarations:
        kind, positive = decl.var.kind, decl.var.positive
        r, c = (d if isinstance(d, int) else sizes[d] for d in decl.shape)
        if kind == "scalar":
            values[decl.name] = float(rng.uniform(0.5, 2.0) if positive else rng.uniform(-1.0, 1.0))
        elif kind == "vector":
            values[decl.name] = _matrix(kind, positive, r, 1, rng)[:, 0]
        else:
            values[decl.name] = _matrix(kind, positive, r, c, rng)
    return values


def as_tensors(values: Mapping[str, object]) -> dict[str, Any]:
    """The values as 2-D float64 leaf tensors that require grad (vectors n×1, scalars 1×1)."""
    out = {}
    for name, v in values.items():
        arr = np.asarray(v, dtype=np.float64)
        arr = arr.reshape(1, 1) if arr.ndim == 0 else arr.reshape(-1, 1) if arr.ndim == 1 else arr
        out[name] = torch().tensor(arr, dtype=torch().float64, requires_grad=True)
    return out
