"""Lowering: expressions -> a straight-line Python program for one backend.

``lower({"value": e, …}, backend)`` walks the DAG once (children first) and emits one
statement per distinct node, so shared subexpressions are computed once. Every
operation's code comes from its registry template; this file knows only leaves
(inputs, numbers, 𝟙, I), dimensions and the backend's own prelude.
Invariant: the program text contains only validated identifiers, numbers formatted
by ``repr`` and registry templates: nothing a user typed is pasted in as code.
"""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass, field

from .expr import Expr, Var, walk
from .ops import OPS
from .shapes import MatcalcError, is_scalar

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def safe_identifier(name: str) -> str:
    """Return name if it is a plain Python identifier that is not a keyword, else raise."""
    if not _IDENT.match(name) or keyword.iskeyword(name) or name.startswith("_"):
        raise MatcalcError(f"'{name}' cannot be used as a name in generated code")
    return name


def py_name(name: str) -> str:
    """The Python identifier for a formula name (`lambda` -> `lambda_`), validated."""
    return safe_identifier(name + "_" if keyword.iskeyword(name) else name)


@dataclass(frozen=True)
class Backend:
    """What one target library needs: its module, array helpers and the prelude."""

    name: str
    module: str  # np | torch
    prelude: str  # helper functions the templates call
    to_array: str  # converts an input to an array of the program's dtype
    scalar_out: str
    vector_out: str

    def template(self, e: Expr) -> str:
        """The registry template of e's operation for this backend."""
        spec = OPS[e.op]
        t = spec.numpy if self.name == "numpy" else spec.torch
        return t(e) if callable(t) else t


NUMPY = Backend(
    "numpy", "np",
    prelude=(
        "def _softmax(z):\n"
        "    e = np.exp(z - z.max(axis=0, keepdims=True))\n"
        "    return e / e.sum(axis=0, keepdims=True)\n\n\n"
        "def _logsumexp(z):\n"
        "    m = z.max(axis=0, keepdims=True)\n"
        "    return m + np.log(np.exp(z - m).sum(axis=0, keepdims=True))\n"
    ),
    to_array="np.asarray({0}, dtype=_dt)",
    scalar_out="float({0}[0, 0])",
    vector_out="{0}.reshape(-1)",
)
TORCH = Backend(
    "torch", "torch", prelude="",
    to_array="torch.as_tensor({0}, dtype=_dt)",
    scalar_out="{0}.reshape(())",
    vector_out="{0}.reshape(-1)",
)
BACKENDS = {"numpy": NUMPY, "torch": TORCH}


@dataclass
class Program:
    """A lowered function: its inputs, the statements, and the output expressions."""

    inputs: list[Var]
    shapes: list[tuple]
    dims: dict[str, str]  # dimension name -> code giving it
    statements: list[str] = field(default_factory=list)
    outputs: dict[str, str] = field(default_factory=dict)
    backend: Backend = NUMPY

    def source(self, name: str = "f") -> str:
        """The program as the source of a Python function `name(**inputs)`."""
        b = self.backend
        arrays = [py_name(v.name) for v in self.inputs]
        lines = [f"def {safe_identifier(name)}({', '.join(arrays)}):"]
        if b.name == "numpy":
            as_arrays = [f"np.asarray({a})" for a in arrays]  # lists and floats are accepted too
            lines.append(f"    _dt = np.result_type({', '.join(as_arrays + ['np.float32'])}, np.float64)"
                         if arrays else "    _dt = np.float64")
        else:
            lines.append("    _dt = torch.float64")
        for v, shape in zip(self.inputs, self.shapes):
            reshape = ".reshape(1, 1)" if is_scalar(shape) else ".reshape(-1, 1)" if shape[1] == 1 else ""
            lines.append(f"    {py_name(v.name)} = {b.to_array.format(py_name(v.name))}{reshape}")
        lines += [f"    {k} = {v}" for k, v in self.dims.items()]
        lines += ["    " + s for s in self.statements]
        lines.append(f"    return {', '.join(self.outputs.values())}")
        return "\n".join(lines) + "\n"


def lower(outputs: dict[str, Expr], backend: str = "numpy") -> Program:
    """Lower named output expressions to one program that computes them all."""
    b = BACKENDS[backend]
    roots = list(outputs.values())
    inputs: dict[str, Var] = {}
    for r in roots:
        for node in walk(r):
            if node.op == "var":
                inputs.setdefault(node.attr.name, node.attr)
            elif node.op == "d":
                raise MatcalcError("a differential (dX) cannot be evaluated")
    for name in inputs:
        py_name(name)
    shapes = {n.attr.name: n.shape for r in roots for n in walk(r) if n.op == "var"}
    prog = Program(list(inputs.values()), [shapes[n] for n in inputs], {}, backend=b)
    names: dict[Expr, str] = {}
    for r in roots:
        for node in walk(r):
            if node not in names:
                names[node] = _emit(node, names, prog, shapes)
    for key, r in outputs.items():
        prog.outputs[key] = _output(r, names[r], b)
    return prog


def _emit(node: Expr, names: dict[Expr, str], prog: Program, shapes: dict) -> str:
    """Emit node's statement (if it needs one) and return the code that names its value."""
    b = prog.backend
    if node.op == "var":
        return py_name(node.attr.name)
    if node.op == "const":
        return _literal(node.attr, b)
    if node.op == "ref":
        return names[node.args[0]]
    if node.op == "fill":
        r, c = (_dim(d, prog, shapes) for d in node.shape)
        code = f"{b.module}.full(({r}, {c}), {float(node.attr)!r}, dtype=_dt)"
    elif node.op == "identity":
        code = f"{b.module}.eye({_dim(node.shape[0], prog, shapes)}, dtype=_dt)"
    else:
        template = b.template(node)
        args = [names[a] for a in node.args]
        code = " + ".join(args) if template == "{*}" else template.format(*args, a=node.attr)
    tmp = f"_t{len(prog.statements)}"
    prog.statements.append(f"{tmp} = {code}")
    return tmp


def _literal(value: float, b: Backend) -> str:
    return f"{b.module}.full((1, 1), {float(value)!r}, dtype=_dt)"


def _dim(d: object, prog: Program, shapes: dict) -> str:
    if isinstance(d, int):
        return str(d)
    name = f"_{safe_identifier(str(d))}"
    if name not in prog.dims:
        for var, shape in shapes.items():
            for axis in (0, 1):
                if shape[axis] == d:
                    prog.dims[name] = f"{py_name(var)}.shape[{axis}]"
                    break
            if name in prog.dims:
                break
        else:
            raise MatcalcError(f"dimension {d} cannot be read off any input")
    return name


def _output(e: Expr, code: str, b: Backend) -> str:
    if is_scalar(e.shape):
        return b.scalar_out.format(code)
    if e.shape[1] == 1:
        return b.vector_out.format(code)
    return code
