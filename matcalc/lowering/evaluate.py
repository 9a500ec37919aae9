"""``compile``: a formula -> a Python callable, through the one lowering in ``matcalc.lowering``.

The callable takes each variable as an array, by keyword or positionally in the order the
formula first names them (a gradient takes the inputs of its function) (a vector 1-D, a matrix 2-D, a
scalar a float) and returns the value in the same convention, computed in float64. Its
source comes from ``lowering.value_source`` (the lowering ``codegen`` uses too): validated
identifiers and registry templates only, executed in a namespace holding just the backend
module.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from matcalc.algebra.expr import Expr
from matcalc.algebra.shapes import MatcalcError
from matcalc.language.formula import Formula
from matcalc.language.parse import as_formula  # noqa: F401  (re-exported for the checking layer)
from matcalc.language.syntax import read_name
from matcalc.lowering import value_source
from matcalc.lowering.identifiers import py_name


def backend_namespace(backend: str) -> dict[str, Any]:
    """The globals a generated program runs in: only its backend module."""
    if backend == "torch":
        import torch  # torch is imported only when asked for

        return {"torch": torch}
    import numpy as np

    return {"np": np}


def compile(f: str | Formula | Expr, where: str | dict | None = None, backend: str = "numpy") -> Callable[..., Any]:
    """A callable evaluating the formula: ``compile("a^T exp(X b)")(a=..., X=..., b=...)``."""
    if backend not in ("numpy", "torch"):
        raise MatcalcError(f"unknown backend '{backend}' (use 'numpy' or 'torch')")
    formula = as_formula(f, where)
    source, names = value_source(formula, backend, name="formula")
    namespace = backend_namespace(backend)
    exec(source, namespace)  # noqa: S102 - the source holds validated identifiers only
    fn = namespace["formula"]

    def evaluate(*args: Any, **values: Any) -> Any:
        values = {read_name(k) if read_name(k) in names else k: v for k, v in values.items()}  # λ= is lambda=
        if len(args) > len(names):
            raise TypeError(f"expected at most {len(names)} positional values ({', '.join(names)}), got {len(args)}")
        values.update(zip(names, args))
        missing = [n for n in names if n not in values and py_name(n) not in values]
        extra = [k for k in values if k not in names and k not in map(py_name, names)]
        if missing or extra:
            raise TypeError(f"expected values for {', '.join(names) or 'no variables'}"
                            + (f"; missing {', '.join(missing)}" if missing else "")
                            + (f"; unexpected {', '.join(extra)}" if extra else ""))
        return fn(*(values[n] if n in values else values[py_name(n)] for n in names))

    evaluate.__signature__ = inspect.Signature(
        [inspect.Parameter(py_name(n), inspect.Parameter.POSITIONAL_OR_KEYWORD) for n in names])
    evaluate.__doc__ = f"Evaluate {formula.text()}  (variables: {formula.where or 'none'})"
    evaluate.source = source
    return evaluate
