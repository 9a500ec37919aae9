"""The reference side of the textbook tests: a hand-written torch function's gradient (float64 autograd)."""

from __future__ import annotations

import numpy as np


def autograd(fn, values: dict, wrt: str) -> np.ndarray:
    """∇_wrt fn at values (vectors as columns), by torch.autograd in float64."""
    import torch

    t = {k: torch.tensor(np.asarray(v, dtype=float), dtype=torch.float64, requires_grad=k == wrt)
         for k, v in values.items()}
    t = {k: v.reshape(-1, 1) if v.ndim == 1 else v for k, v in t.items()}
    (g,) = torch.autograd.grad(fn(**t), [t[wrt]])
    return g.numpy()
