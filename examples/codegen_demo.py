"""Backward-code generation in three steps: generate, import without matcalc, use.

Run ``python examples/codegen_demo.py``. It writes ``f_and_grad`` for the trace-trick
example ``a^T exp(X b)`` to a module, imports that module as plain Python (it needs only
NumPy), checks the gradient against torch.autograd, then uses the torch-function backend
so that ``loss.backward()`` runs matcalc's closed form.
"""

from __future__ import annotations

import importlib.util
import tempfile
from pathlib import Path

import numpy as np

from matcalc.lowering.codegen import codegen


def load(path: Path, name: str):
    """Import a generated module from a file."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> None:
    """Generate, import, check and use the code for aᵀexp(X b) and a sigmoid layer."""
    source = codegen("a^T exp(X b)", "X", backend="numpy")
    print(source)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "tt1.py"
        path.write_text(source)
        f_and_grad = load(path, "tt1").f_and_grad

    rng = np.random.default_rng(0)
    a, X, b = rng.standard_normal(4), rng.standard_normal((4, 3)), rng.standard_normal(3)
    value, grads = f_and_grad(a, X, b)
    print(f"f = {value:.6f}; grad_X has shape {grads['X'].shape}")

    try:
        import torch
    except ImportError:
        print("(torch is not installed: skipping the autograd comparison)")
        return
    Xt = torch.tensor(X, requires_grad=True)
    (torch.tensor(a) @ torch.exp(Xt @ torch.tensor(b))).backward()
    print("max |generated - autograd| =", float(np.max(np.abs(grads["X"] - Xt.grad.numpy()))))

    layer_source = codegen("Y = sigmoid(W X); <Y, M Y>", "W", backend="torch-function")
    namespace: dict = {}
    exec(layer_source, namespace)  # noqa: S102 - matcalc's own generated source
    W = torch.randn(5, 4, dtype=torch.float64, requires_grad=True)
    X, M = torch.randn(4, 6, dtype=torch.float64), torch.randn(5, 5, dtype=torch.float64)
    loss = namespace["f"](W, X, M)
    loss.backward()  # runs FAndGrad.backward: the closed form Y ⊙ (1 - Y) ⊙ ((M + Mᵀ) Y) Xᵀ
    print("torch Function passes gradcheck:", torch.autograd.gradcheck(namespace["f"], (W, X, M)))


if __name__ == "__main__":
    main()
