"""Emission: an optimized expression DAG -> straight-line statements for one target.

``Emitter.emit(root)`` walks the DAG children first and gives every distinct node one
statement (``t3 = np.exp(t2)``), so a subexpression shared by the value and the
gradients is computed once. A user definition keeps its name (``Y = …``); variables,
numbers and transposes of named values are written inline (``X.T``, ``0.5``).
Every lowering comes from the operation's registry entry (``Op.numpy``, ``Op.torch``,
``Op.scalar_form`` for 0-d arguments); operations private to code generation are entries of ``codeops.py``.

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
from dataclasses import dataclass, field

from matcalc.algebra.expr import Expr, Var, walk
from matcalc.algebra.registry import OPS, Template
from matcalc.algebra.shapes import MatcalcError, is_scalar, one_dimensional
from matcalc.lowering import codeops  # noqa: F401  (registers solve, bmul, colsum, …)
from matcalc.lowering.identifiers import py_name

_NUMBER = r"\d[\d.e+-]*|\(-\d[\d.e+-]*\)|float\('-?(?:inf|nan)'\)"  # what literal() writes
_INLINE = re.compile(rf"[A-Za-z_][A-Za-z0-9_]*(?:\.T)?\Z|(?:{_NUMBER})\Z")  # a name, its transpose, a number


def literal(value: float) -> str:
    """A number as Python source: repr of a float, parenthesized when negative."""
    v = float(value)
    if not math.isfinite(v):
        return f"float({str(v)!r})"
    return repr(v) if v >= 0 else f"({v!r})"


def is_literal(code: str) -> bool:
    """The code is a number written out (not an array or a name)."""
    return re.fullmatch(_NUMBER, code) is not None


@dataclass(frozen=True)
class Target:
    """A library the code is generated for: the registry field holding its lowerings, its module name."""

    name: str  # "numpy" | "torch": the Op field with the lowering
    module: str

    def template(self, node: Expr) -> Template:
        """The lowering of node's operation for this target."""
        spec = OPS.get(node.op)
        if spec is None or not getattr(spec, self.name):
            raise MatcalcError(f"no {self.name} code for operation '{node.op}'")
        return getattr(spec, self.name)

    def helpers(self) -> list[str]:
        """Source of the helper functions lowerings may call (NumPy only), in registry order."""
        return [op.numpy_helper for op in OPS.values() if op.numpy_helper] if self.name == "numpy" else []


TARGETS = {"numpy": Target("numpy", "np"), "torch": Target("torch", "torch")}


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

    @property
    def module(self) -> str:
        """The target's module name in the code (``np`` or ``torch``)."""
        return self.target.module

    def emit(self, root: Expr) -> str:
        """Emit statements for everything root needs that is not emitted yet; return root's code."""
        for node in walk(root, self.codes):
            code = self.codes[node] = self._node(node)
            numbers = OPS[node.op].takes_numbers and node.args and all(a in self.floats for a in node.args)
            if numbers or is_literal(code):
                self.floats.add(node)
        return self.codes[root]

    def _fresh(self) -> str:
        while f"t{self._count}" in self.taken:
            self._count += 1
        self._count += 1
        return f"t{self._count - 1}"

    def _array(self, literal_code: str) -> str:
        m = self.target.module
        return f"_dt.type({literal_code})" if m == "np" else f"torch.tensor({literal_code}, dtype=_dt)"

    def dim(self, d: object) -> str:
        """Code for a dimension: an integer, or the variable read off an input."""
        if isinstance(d, int):
            return str(d)
        if str(d) not in self.dims and "*" in str(d):  # a product (the size of a kron or a vec): n*m
            return "(" + " * ".join(f if f.isdigit() else self.dim(f) for f in str(d).split("*")) + ")"
        if str(d) not in self.dims:
            raise MatcalcError(f"dimension {d} cannot be read off any input")
        return self.dims[str(d)]

    def size(self, shape: tuple) -> str:
        """Code for the shape of an array held in the emitter's convention: `(n,)` or `(n, m)`."""
        r, c = (self.dim(d) for d in shape)
        return f"({c if r == '1' else r},)" if one_dimensional(shape) else f"({r}, {c})"

    def number(self, value: float) -> str:
        """A number as code."""
        return literal(value)

    def variable(self, var: Var) -> str:
        """A variable's name in the code."""
        return py_name(var.name)

    def _node(self, node: Expr) -> str:
        """Code for node: inline when it is a name, a number or a name's transpose, else a new statement;
        an operation on 0-d arguments is lowered through its scalar form (tr(s) = s)."""
        form = OPS[node.op].scalar_form
        if form is not None and node.args and all(is_scalar(a.shape) for a in node.args):
            new = form(node, node.args)
            if new is not node:
                code = self.emit(new)
                if new in self.floats:
                    self.floats.add(node)
                return self._named(node, code)
        args = [self.codes[a] for a in node.args]
        if not OPS[node.op].takes_numbers:  # exp(2.0), exp(0.5 * 2.0) need an array (torch.exp refuses a float)
            args = [self._array(a) if is_literal(a) or x in self.floats else a for a, x in zip(args, node.args)]
        t = self.target.template(node)
        return self._named(node, t(node, args, self) if callable(t) else t.format(*args, a=node.attr, m=self.module))

    def _named(self, node: Expr, code: str) -> str:
        """code written inline when it is a name, a number or a name's transpose; else a statement."""
        if node not in self.preferred and _INLINE.match(code):
            return code
        name = self.preferred.get(node) or self._fresh()
        self.taken.add(name)
        self.lines.append(f"{name} = {code}")
        return name
