"""Hypothesis strategies for random well-typed formulas, shared by every test suite.

``formulas(kind)`` draws a ``matcalc.Formula`` of the asked kind ("any", "scalar",
"vector", "matrix"); ``scalar_formulas()`` is ``formulas("scalar")``. A formula is
built as plain TEXT (with the operator spellings varied: ``*``, ``@``, ``⊙``, ``'``,
``ᵀ``, …) over a fixed pool of declared variables (``VARIABLES``), then parsed with
``WHERE``; dimensions are the names n, m, k.

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
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

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

Draw = Callable
TRANSPOSES = ["^T", "'", "ᵀ"]


def _p(text: str) -> str:
    """Parenthesize a subformula (always safe)."""
    return f"({text})"


# ---------------------------------------------------------------- leaves


def _leaf(draw: Draw, shape: Shape) -> str:
    r, c = shape
    if r == 1 and c != 1:  # a row: the transpose of a column
        return draw(st.sampled_from(_vars_of((c, 1)))) + draw(st.sampled_from(TRANSPOSES))
    names = _vars_of(shape)
    options = [st.sampled_from(names)] if names else []
    if shape == SCALAR:
        options.append(st.sampled_from(["2", "0.5", "3", "1.5"]))
    elif c == 1:
        options.append(st.just(f"1_{r}" if r != "n" else draw(st.sampled_from(["1_n", "𝟙_n"]))))
    return draw(st.one_of(options))


def _mild(draw: Draw, shape: Shape, depth: int) -> str:
    """Bounded entries: safe under exp."""
    choice = draw(st.integers(0, 3))
    if choice == 0 or depth <= 0:
        return _leaf(draw, shape)
    if choice == 1:
        return f"-{_leaf(draw, shape)}"
    if choice == 2:
        return f"0.5 {_leaf(draw, shape)}"
    fn = draw(st.sampled_from(["tanh", "sin", "cos", "sigmoid", "σ", "arctan"]))
    return f"{fn}({_gen(draw, shape, depth - 1)})"


def _positive(draw: Draw, shape: Shape, depth: int) -> str:
    """Entries > 0 and bounded away from 0: safe under log, sqrt and as a denominator."""
    options = ["exp", "one_plus_square", "sigmoid"]
    if _vars_of(shape, positive=True):
        options += ["var", "var"]
    if shape == SCALAR:
        options += ["spd"]
    if depth > 0:
        options += ["sum", "hadamard"]
    choice = draw(st.sampled_from(options))
    if choice == "var":
        return draw(st.sampled_from(_vars_of(shape, positive=True)))
    if depth <= 0 and choice in ("sum", "hadamard"):
        choice = "exp"
    if choice == "exp":
        return f"exp({_mild(draw, shape, depth - 1)})"
    if choice == "sigmoid":
        return f"sigmoid({_leaf(draw, shape)})"
    if choice == "one_plus_square":
        power = "^2" if shape == SCALAR else draw(st.sampled_from([".^2", ".^(2)"]))
        return f"1 + {_p(_gen(draw, shape, depth - 1))}{power}"
    if choice == "spd":
        return draw(st.sampled_from(["det(S)", "tr(S)"]))
    a, b = _positive(draw, shape, depth - 1), _positive(draw, shape, depth - 1)
    op = " + " if choice == "sum" else draw(st.sampled_from([" .* ", " ⊙ ", " ∘ "]))
    return _p(a) + op + _p(b)


# ---------------------------------------------------------------- compound formulas


def _sum(draw: Draw, shape: Shape, depth: int) -> str:
    a, b = _gen(draw, shape, depth - 1), _gen(draw, shape, depth - 1)
    return _p(a) + draw(st.sampled_from([" + ", " - "])) + _p(b)


def _product(draw: Draw, shape: Shape, depth: int) -> str:
    r, c = shape
    inner = draw(st.sampled_from(DIMS + (1,)))
    a, b = _gen(draw, (r, inner), depth - 1), _gen(draw, (inner, c), depth - 1)
    return _p(a) + draw(st.sampled_from([" ", " * ", " @ "])) + _p(b)


def _scale(draw: Draw, shape: Shape, depth: int) -> str:
    s = _gen(draw, SCALAR, depth - 1)
    return _p(s) + " " + _p(_gen(draw, shape, depth - 1))


def _hadamard(draw: Draw, shape: Shape, depth: int) -> str:
    op = draw(st.sampled_from([" .* ", " ⊙ ", " ∘ "]))
    return _p(_gen(draw, shape, depth - 1)) + op + _p(_gen(draw, shape, depth - 1))


def _divide(draw: Draw, shape: Shape, depth: int) -> str:
    if shape != SCALAR and draw(st.booleans()):
        return _p(_gen(draw, shape, depth - 1)) + " / " + _p(_positive(draw, SCALAR, depth - 1))
    return _p(_gen(draw, shape, depth - 1)) + " ./ " + _p(_positive(draw, shape, depth - 1))


def _transpose(draw: Draw, shape: Shape, depth: int) -> str:
    body = _gen(draw, (shape[1], shape[0]), depth - 1)
    return _p(body) + draw(st.sampled_from(TRANSPOSES))


def _negate(draw: Draw, shape: Shape, depth: int) -> str:
    return "-" + _p(_gen(draw, shape, depth - 1))


def _elementwise(draw: Draw, shape: Shape, depth: int) -> str:
    kind = draw(st.sampled_from(["any", "any", "exp", "positive", "arc", "tan"]))
    if kind == "exp":
        return f"exp({_mild(draw, shape, depth - 1)})"
    if kind == "positive":
        return f"{draw(st.sampled_from(['log', 'sqrt']))}({_positive(draw, shape, depth - 1)})"
    if kind == "arc":
        return f"{draw(st.sampled_from(['arcsin', 'arccos']))}(0.5 tanh({_gen(draw, shape, depth - 1)}))"
    if kind == "tan":
        return f"tan(tanh({_gen(draw, shape, depth - 1)}))"
    fn = draw(st.sampled_from(["sin", "cos", "tanh", "arctan", "sigmoid", "σ", "relu", "softplus", "abs", "sign",
                               "relu'", "sigmoid'", "tanh'"]))
    return f"{fn}({_gen(draw, shape, depth - 1)})"


def _power(draw: Draw, shape: Shape, depth: int) -> str:
    if draw(st.booleans()):
        base = _p(_positive(draw, shape, depth - 1))
        p = draw(st.sampled_from(["0.5", "-1", "(-1)", "1.5", "alpha"]))
    else:
        base = _p(_gen(draw, shape, depth - 1))
        p = draw(st.sampled_from(["2", "3"]))
    if shape == SCALAR:
        return f"{base}^{p}"
    return f"{base}.^{p}"


def _square(draw: Draw, shape: Shape, depth: int) -> str:
    """Powers, inverses and shifts of square matrices."""
    d = shape[0]
    var = draw(st.sampled_from(SQUARE_VARS[d]))
    kind = draw(st.sampled_from(["inv", "pow", "shift", "diag"]))
    if kind == "inv":
        return draw(st.sampled_from([f"inv({var})", f"{var}^-1", f"{var}^(-1)", f"{var}⁻¹"]))
    if kind == "pow":
        return f"{_p(_gen(draw, shape, depth - 1))}^{draw(st.sampled_from(['2', '3']))}"
    if kind == "shift":
        return f"{_p(_gen(draw, shape, depth - 1))} + {draw(st.sampled_from(['I', '2 I', 'eye']))}"
    return f"diag({_gen(draw, (d, 1), depth - 1)})"


def _column(draw: Draw, shape: Shape, depth: int) -> str:
    """Vector-only operations: softmax, diag(A), a constant added."""
    kind = draw(st.sampled_from(["softmax", "diag", "const"]))
    if kind == "softmax":
        return f"softmax({_mild(draw, shape, depth - 1)})"
    if kind == "diag":
        return f"diag({_gen(draw, (shape[0], shape[0]), depth - 1)})"
    return f"{_p(_gen(draw, shape, depth - 1))} + vector({draw(st.sampled_from(['1', '2']))})"


def _scalar(draw: Draw, depth: int) -> str:
    """Reductions to a scalar."""
    kind = draw(st.sampled_from(["tr", "sum", "inner", "norm", "det", "logsumexp", "quad"]))
    r, c = draw(st.sampled_from(DIMS)), draw(st.sampled_from(DIMS + (1,)))
    if kind == "tr":
        return f"tr({_gen(draw, (r, r), depth - 1)})"
    if kind == "sum":
        return f"sum({_gen(draw, (r, c), depth - 1)})"
    if kind == "inner":
        a, b = _gen(draw, (r, c), depth - 1), _gen(draw, (r, c), depth - 1)
        return draw(st.sampled_from(["<{0}, {1}>", "⟨{0}, {1}⟩"])).format(a, b)
    if kind == "norm":
        body = _gen(draw, (r, c), depth - 1)
        return draw(st.sampled_from(["||{0}||", "‖{0}‖", "norm({0})", "norm2({0})", "norm1({0})", "||{0}||^2",
                                     "||{0}||_F", "||{0}||_1"])).format(body)
    if kind == "det":
        var = draw(st.sampled_from(SQUARE_VARS[r]))
        return draw(st.sampled_from([f"det({var})", f"logdet({SPD_VARS['n'][0]})"]))
    if kind == "logsumexp":
        return f"logsumexp({_mild(draw, (r, 1), depth - 1)})"
    a, m, b = (_gen(draw, shape, depth - 1) for shape in ((r, 1), (r, r), (r, 1)))
    return f"{_p(a)}^T {_p(m)} {_p(b)}"


_GENERAL = [_sum, _product, _scale, _hadamard, _divide, _transpose, _negate, _elementwise, _power]


def _gen(draw: Draw, shape: Shape, depth: int) -> str:
    """Formula text of the given shape, at most depth operations deep."""
    if depth <= 0 or draw(st.integers(0, 4)) == 0:
        return _leaf(draw, shape)
    builders = list(_GENERAL)
    r, c = shape
    if r == c and r != 1:
        builders.append(_square)
    if c == 1 and r != 1:
        builders.append(_column)
    if shape == SCALAR:
        builders += [lambda d, s, k: _scalar(d, k)] * 3
    return draw(st.sampled_from(builders))(draw, shape, depth)


_KINDS = {
    "scalar": [SCALAR],
    "vector": [(d, 1) for d in DIMS],
    "matrix": [(a, b) for a in DIMS for b in DIMS],
}
_KINDS["any"] = _KINDS["scalar"] + _KINDS["vector"] + _KINDS["matrix"] + [(1, d) for d in DIMS]


@st.composite
def formula_texts(draw: Draw, kind: str = "any", max_depth: int = 4) -> str:
    """Plain-text formulas (parse with ``where=WHERE``)."""
    shape = draw(st.sampled_from(_KINDS[kind]))
    return _gen(draw, shape, draw(st.integers(1, max_depth)))


def formulas(kind: str = "any", max_depth: int = 4) -> st.SearchStrategy[matcalc.Formula]:
    """Random well-typed formulas of the given kind (see the module docstring for safety)."""
    if kind not in _KINDS:
        raise ValueError(f"kind must be one of {sorted(_KINDS)}")
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
