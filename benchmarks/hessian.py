"""Benchmark: Hessians and an HVP, matcalc's generated NumPy vs hand-written vs torch.func vs jax.jit.

Run ``python benchmarks/hessian.py`` (``--quick`` for a short run). Problems: the Hessian of
xᵀAx (n = 1024), the Hessian of the logistic loss sum(softplus(X w)) - yᵀX w (N = 2000, d = 200)
and its Hessian-vector product. Contenders, timed side by side in one run (repetitions
interleave them in a fresh random order; each timing is the mean over enough calls to last
~10 ms; the table shows the median): the generated NumPy code (``matcalc.codegen`` of
``matcalc.hessian`` / ``matcalc.hvp``), a hand-written NumPy closed form, torch.func.hessian
(or torch.func.jvp of torch.func.grad for the HVP), and jax.hessian / jax.jvp∘grad under
jax.jit when JAX is installed. One thread everywhere, float64. Before timing, every
contender's result is checked against the hand-written one. The last column is the time
matcalc takes to derive the Hessian (simplifier cache cleared).
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable

import codegen as shared  # benchmarks/codegen.py: one thread everywhere, optional JAX, interleaved timing
import numpy as np
import torch

import matcalc
from matcalc.simplification.simplify import clear_cache

jax = shared.jax
if jax is not None:
    import jax.numpy as jnp

QUICK = "--quick" in sys.argv
ROUNDS = 5 if QUICK else 21  # interleaved repetitions; the table shows their median


def generated(result: matcalc.Formula) -> Callable:
    namespace: dict = {}
    exec(matcalc.codegen(result), namespace)  # noqa: S102 - matcalc's generated source
    return namespace["f"]


def derivation_ms(kind: Callable, formula: str, wrt: str) -> float:
    times = []
    for _ in range(5):
        clear_cache()
        start = time.perf_counter()
        kind(formula, wrt)
        times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times)


def problems() -> list[tuple[str, str, str, str, dict[str, Callable[[], object]]]]:
    rng = np.random.default_rng(0)
    out = []

    n = 1024
    A, x = rng.standard_normal((n, n)), rng.standard_normal(n)
    At, xt = torch.tensor(A), torch.tensor(x)
    f = "x^T A x"
    gen = generated(matcalc.hessian(f, "x"))
    contenders = {"generated": lambda: gen(x, A), "hand": lambda: A + A.T,
                  "torch.func": lambda: torch.func.hessian(lambda v: v @ At @ v)(xt)}
    if jax is not None:
        Aj, xj = jnp.asarray(A), jnp.asarray(x)
        hj = jax.jit(jax.hessian(lambda v, M: v @ M @ v))
        contenders["jax.jit"] = lambda: hj(xj, Aj).block_until_ready()
    out.append(("xᵀAx Hessian n=1024", f, "x", "hessian", contenders))

    N, d = 2000, 200
    X, w, y, v = rng.standard_normal((N, d)), rng.standard_normal(d) * 0.1, rng.uniform(size=N), rng.standard_normal(d)
    Xt, wt, yt, vt = (torch.tensor(a) for a in (X, w, y, v))
    f = "sum(softplus(X w)) - y^T X w"

    def loss_t(u: torch.Tensor) -> torch.Tensor:
        z = Xt @ u
        return torch.nn.functional.softplus(z).sum() - yt @ z

    def hand_hess() -> np.ndarray:
        s = 1.0 / (1.0 + np.exp(-(X @ w)))
        return X.T @ ((s * (1.0 - s))[:, None] * X)

    def hand_hvp() -> np.ndarray:
        s = 1.0 / (1.0 + np.exp(-(X @ w)))
        return X.T @ (s * (1.0 - s) * (X @ v))

    gen_h, gen_v = generated(matcalc.hessian(f, "w")), generated(matcalc.hvp(f, "w"))
    hess = {"generated": lambda: gen_h(X, w, y), "hand": hand_hess,
            "torch.func": lambda: torch.func.hessian(loss_t)(wt)}
    hvp = {"generated": lambda: gen_v(X, w, y, v), "hand": hand_hvp,
           "torch.func": lambda: torch.func.jvp(torch.func.grad(loss_t), (wt,), (vt,))[1]}
    if jax is not None:
        Xj, wj, yj, vj = (jnp.asarray(a) for a in (X, w, y, v))

        def loss_j(u, M, t):
            z = M @ u
            return jnp.logaddexp(0.0, z).sum() - t @ z

        hj2 = jax.jit(jax.hessian(loss_j))
        vj2 = jax.jit(lambda u, M, t, s: jax.jvp(lambda q: jax.grad(loss_j)(q, M, t), (u,), (s,))[1])
        hess["jax.jit"] = lambda: hj2(wj, Xj, yj).block_until_ready()
        hvp["jax.jit"] = lambda: vj2(wj, Xj, yj, vj).block_until_ready()
    out.append(("logistic Hessian N=2000 d=200", f, "w", "hessian", hess))
    out.append(("logistic HVP N=2000 d=200", f, "w", "hvp", hvp))
    return out


def main() -> None:
    rows = []
    for label, formula, wrt, kind, contenders in problems():
        want = np.asarray(contenders["hand"]())
        for name, fn in contenders.items():
            got = np.asarray(fn())
            assert np.allclose(got.reshape(want.shape), want, rtol=1e-8, atol=1e-8), (label, name)
        runs = shared.measure(contenders, ROUNDS, 0.01)
        ms = {k: statistics.median(t) * 1e3 for k, t in runs.items()}
        ratios = (shared.paired_ratio(runs, "generated", "hand"), shared.paired_ratio(runs, "torch.func", "generated"))
        derive_ms = derivation_ms(matcalc.hessian if kind == "hessian" else matcalc.hvp, formula, wrt)
        rows.append((label, ms, ratios, derive_ms))
    header = (f"{'problem':<30} | {'generated':>9} | {'hand':>8} | {'torch.func':>10} | {'jax.jit':>8} | "
              f"{'gen/hand':>8} | {'torch/gen':>9} | {'derive ms':>9}")
    print(header)
    print("-" * len(header))
    for label, ms, (gen_hand, torch_gen), derive_ms in rows:
        jax_ms = f"{ms['jax.jit']:8.3f}" if "jax.jit" in ms else f"{'-':>8}"
        print(f"{label:<30} | {ms['generated']:9.3f} | {ms['hand']:8.3f} | {ms['torch.func']:10.3f} | {jax_ms} | "
              f"{gen_hand:8.2f} | {torch_gen:9.1f} | {derive_ms:9.2f}")


if __name__ == "__main__":
    main()
