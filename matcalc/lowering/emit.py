"""Emission: an optimized expression DAG -> straight-line statements for one target.

``Emitter.emit(root)`` walks the DAG children first and gives every distinct node one
statement (``t3 = np.exp(t2)``), so a subexpression shared by the value and the
gradients is computed once. A user definition keeps its name (``Y = …``); variables,
numbers and transposes of named values are written inline (``X.T``, ``0.5``).
Templates come from the target's table, else from the operation registry.

Value conventions inside the generated code: matrices are 2-D, vectors (rows and
columns alike) 1-D, scalars 0-d (NumPy scalars / 0-d tensors, never (1, 1) arrays),
numbers Python floats (so float32 stays float32). Which is which follows from the
static shapes, so ``u vᵀ`` is an outer product (``np.einsum("i,j->ij", u, v)``) and
``diag(v) M`` is ``v[:, None] * M``.
Invariant: code holds only validated identifiers, ``repr``-formatted floats and templates.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from matcalc.algebra.expr import Expr, walk
from matcalc.algebra.ops import OPS
from matcalc.algebra.shapes import MatcalcError, is_scalar
from matcalc.lowering.identifiers import py_name

Template = str | Callable[[Expr, list[str]], str]
_ATOM = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def literal(value: float) -> str:
    """A number as Python source: repr of a float, parenthesized when negative."""
    v = float(value)
    if not math.isfinite(v):
        return f"float({str(v)!r})"
    return repr(v) if v >= 0 else f"({v!r})"


def is_literal(code: str) -> bool:
    """The code is a number written out (not an array or a name)."""
    return code.startswith(("float(", "(-")) or code[:1].isdigit()


# Operations that take Python numbers as they are; any other gets a number as a 0-d array.
ARITHMETIC = {"add", "addsub", "neg", "hadamard", "matmul", "div", "bmul", "bsub", "bdiv", "hpow", "mask"}


def is_vector(shape: tuple) -> bool:
    """A row or column: held as a 1-D array inside generated code."""
    return (shape[0] == 1) != (shape[1] == 1)


def _matmul(node: Expr, args: list[str], module: str) -> str:
    a, b = node.args
    if is_scalar(a.shape) or is_scalar(b.shape):
        return f"{args[0]} * {args[1]}"
    if a.shape[1] == 1:  # a column times a row (NumPy's einsum writes it ~1.5x faster than np.outer)
        return f'np.einsum("i,j->ij", {args[0]}, {args[1]})' if module == "np" else f"torch.outer({args[0]}, {args[1]})"
    return f"{args[0]} @ {args[1]}"  # on 1-D operands: a dot product, or a row/column product


def _bmul(node: Expr, args: list[str]) -> str:
    """v ⊙ each column of M (v a column, diag(v) M), or M ⊙ each row (M diag(v))."""
    a, b = node.args
    if a.shape[1] == 1 and not is_vector(b.shape) and not is_scalar(b.shape):
        return f"{args[0]}[:, None] * {args[1]}"
    return f"{args[0]} * {args[1]}"


def _rowdot(node: Expr, args: list[str], total: str) -> str:
    """diag(A B) as row sums of A ⊙ Bᵀ (the second argument is Bᵀ; entrywise when A is a column)."""
    if is_vector(node.args[0].shape):
        return f"{args[0]} * {args[1]}"
    return total.format(*args)


def _addsub(node: Expr, args: list[str]) -> str:
    signs = node.attr if node.op == "addsub" else (1,) * len(args)
    out = args[0] if signs[0] > 0 else f"-{args[0]}"
    return out + "".join(f" {'+' if s > 0 else '-'} {a}" for s, a in zip(signs[1:], args[1:]))


def _colmax(node: Expr, args: list[str], keep: str) -> str:
    return f"{args[0]}.max()" if is_scalar(node.shape) else f"{args[0]}.{keep}"


COMMON: dict[str, Template] = {
    "bsub": "{0} - {1}", "bdiv": "{0} / {1}", "neg": "-{0}", "hadamard": "{0} * {1}", "bmul": _bmul,
    "div": "{0} / {1}", "hpow": "{0} ** {1}",
    "add": _addsub, "addsub": _addsub, "mask": "{1} * ({0} > 0)",
}
# Forms for a scalar (0-d) argument, where the array form would fail or waste work.
SCALAR_FORMS: dict[str, str] = {
    "inv": "1.0 / {0}", "det": "{0}", "trace": "{0}", "sum": "{0}", "diag": "{0}", "diagvec": "{0}",
    "mpow": "{0} ** {a}", "norm2": "abs({0})", "norm1": "abs({0})", "logsumexp": "{0}", "softmax": "{0} * 0.0 + 1.0",
}


@dataclass(frozen=True)
class Target:
    """A library the code is generated for: its module name, prelude and templates."""

    name: str
    module: str
    prelude: str
    templates: dict[str, Template]

    def code(self, node: Expr, args: list[str]) -> str:
        """The expression computing node from its arguments' code."""
        if node.args and all(is_scalar(a.shape) for a in node.args) and node.op in SCALAR_FORMS:
            return SCALAR_FORMS[node.op].format(*args, a=node.attr)
        if node.op == "logdet" and is_scalar(node.args[0].shape):
            return f"{self.module}.log(abs({args[0]}))"
        if node.op == "matmul":
            return _matmul(node, args, self.module)
        t = self.templates.get(node.op) or COMMON.get(node.op)
        if t is None:
            if node.op not in OPS:
                raise MatcalcError(f"no {self.name} code for operation '{node.op}'")
            spec = OPS[node.op]
            t = spec.numpy if self.module == "np" else spec.torch
            t = t(node) if callable(t) else t
            if is_scalar(node.shape):
                t = t.removesuffix(".reshape(1, 1)")
        code = t(node, args) if callable(t) else t.format(*args, a=node.attr)
        return code


NUMPY = Target("numpy", "np", prelude=(
    "def _sigmoid(z):\n"
    "    with np.errstate(over=\"ignore\"):  # exp(-z) = inf gives 0, as it should\n"
    "        return 1.0 / (1.0 + np.exp(-z))\n\n\n"
    "def _softmax(z):\n"
    "    e = np.exp(z - z.max(axis=0))\n"
    "    return e / e.sum(axis=0)\n\n\n"
    "def _logsumexp(z):\n"
    "    m = z.max(axis=0)\n"
    "    return m + np.log(np.exp(z - m).sum(axis=0))\n"
), templates={
    "softmax": "_softmax({0})", "logsumexp": "_logsumexp({0})",
    "inner": "np.vdot({0}, {1})", "sum": "np.sum({0})", "trace": "np.trace({0})", "norm2": "np.linalg.norm({0})",
    "norm1": "np.abs({0}).sum()", "det": "np.linalg.det({0})", "logdet": "np.linalg.slogdet({0})[1]",
    "inv": "np.linalg.inv({0})", "solve": "np.linalg.solve({0}, {1})",
    "colmax": lambda n, a: _colmax(n, a, "max(axis=0)"), "colsum": "{0}.sum(axis=0)", "rowsum": "{0}.sum(axis=1)",
    "rowdot": lambda n, a: _rowdot(n, a, "np.sum({0} * {1}, axis=1)"),
    "sigmoid": "_sigmoid({0})", "softplus": "np.logaddexp(0.0, {0})", "relu": "np.maximum({0}, 0.0)",
    "step": "({0} > 0).astype({0}.dtype)", "diag": "np.diag({0})", "diagvec": "np.diag({0})",
})

TORCH = Target("torch", "torch", prelude="", templates={
    "softmax": "torch.softmax({0}, dim=0)", "logsumexp": "torch.logsumexp({0}, dim=0)",
    "inner": "torch.sum({0} * {1})", "sum": "torch.sum({0})", "trace": "torch.trace({0})",
    "norm2": "torch.linalg.norm({0})", "norm1": "torch.sum(torch.abs({0}))", "det": "torch.linalg.det({0})",
    "logdet": "torch.linalg.slogdet({0})[1]", "inv": "torch.linalg.inv({0})", "solve": "torch.linalg.solve({0}, {1})",
    "colmax": lambda n, a: _colmax(n, a, "amax(dim=0)"), "colsum": "{0}.sum(dim=0)", "rowsum": "{0}.sum(dim=1)",
    "rowdot": lambda n, a: _rowdot(n, a, "torch.sum({0} * {1}, dim=1)"),
    "sigmoid": "torch.sigmoid({0})", "softplus": "torch.nn.functional.softplus({0})", "relu": "torch.relu({0})",
    "step": "({0} > 0).to({0}.dtype)", "diag": "torch.diag({0})", "diagvec": "torch.diagonal({0})",
})
TARGETS = {"numpy": NUMPY, "torch": TORCH}


@dataclass
class Emitter:
    """Accumulates the statements of one function; ``emit`` returns the code naming a value."""

    target: Target
    dims: dict[str, str]  # dimension name -> the variable holding it
    preferred: dict[Expr, str] = field(default_factory=dict)  # node -> user definition name
    taken: set[str] = field(default_factory=set)
    lines: list[str] = field(default_factory=list)
    codes: dict[Expr, str] = field(default_factory=dict)
    floats: set[Expr] = field(default_factory=set)  # nodes whose code is a plain Python number
    _count: int = 0

    def emit(self, root: Expr) -> str:
        """Emit statements for everything root needs that is not emitted yet; return root's code."""
        for node in walk(root, self.codes):
            self.codes[node] = self._node(node)
            if node.op == "const" or node.op == "fill" and is_scalar(node.shape) or \
                    node.op in ARITHMETIC and node.args and all(a in self.floats for a in node.args):
                self.floats.add(node)
        return self.codes[root]

    def _fresh(self) -> str:
        while f"t{self._count}" in self.taken:
            self._count += 1
        self._count += 1
        return f"t{self._count - 1}"

    def _assign(self, node: Expr, code: str) -> str:
        name = self.preferred.get(node) or self._fresh()
        self.taken.add(name)
        self.lines.append(f"{name} = {code}")
        return name

    def _array(self, literal_code: str) -> str:
        m = self.target.module
        return f"_dt.type({literal_code})" if m == "np" else f"torch.tensor({literal_code}, dtype=_dt)"

    def dim(self, d: object) -> str:
        """Code for a dimension: an integer, or the variable read off an input."""
        if isinstance(d, int):
            return str(d)
        if str(d) not in self.dims:
            raise MatcalcError(f"dimension {d} cannot be read off any input")
        return self.dims[str(d)]

    def _node(self, node: Expr) -> str:
        op, m = node.op, self.target.module
        if op == "var":
            code = py_name(node.attr.name)
            return self._assign(node, code) if node in self.preferred else code
        if op == "const":
            return literal(node.attr)
        if op == "ref":
            return self.codes[node.args[0]]
        if op == "fill":
            if is_scalar(node.shape):
                return literal(node.attr)
            r, c = (self.dim(d) for d in node.shape)
            size = f"({c if r == '1' else r},)" if is_vector(node.shape) else f"({r}, {c})"
            return self._assign(node, f"{m}.full({size}, {literal(node.attr)}, dtype=_dt)")
        if op == "identity":
            return self._assign(node, f"{m}.eye({self.dim(node.shape[0])}, dtype=_dt)")
        args = [self.codes[a] for a in node.args]
        if op not in ARITHMETIC:  # exp(2.0), exp(0.5 * 2.0) need an array (torch.exp refuses a float)
            args = [self._array(a) if is_literal(a) or x in self.floats else a for a, x in zip(args, node.args)]
        if op == "transpose":
            if is_scalar(node.shape) or is_vector(node.shape):  # 0-d and 1-D values are their own transposes
                return args[0]
            if _ATOM.match(args[0]) and node not in self.preferred:
                return f"{args[0]}.T"
        return self._assign(node, self.target.code(node, args))
