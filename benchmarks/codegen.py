"""Benchmark: generated NumPy vs hand-written NumPy vs torch eager vs jax.jit, value + gradient.

Run ``python benchmarks/codegen.py`` (``--quick`` for a short run, ``--only NAME`` to repeat one
problem, ``--reps N`` for more timings per contender). Every problem is timed
side by side in one run: repetitions interleave the contenders (in a fresh random order each
time), each timing is the mean over enough calls to last ~10 ms (31 timings), and the table shows
their median; the ratio columns are the median of the ratios within each repetition. Timings
are CPU time of this process (``time.process_time``): on a shared machine
the time other processes hold the CPU does not count. One
thread everywhere (environment variables set before NumPy/torch/JAX import). JAX is
optional: its column says "-" when it does not import. Before timing, every contender's
value and gradients are checked against the generated code's.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "VECLIB_MAXIMUM_THREADS"):
    os.environ[_var] = "1"
os.environ.setdefault("XLA_FLAGS", "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1")

import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402

from matcalc.lowering.codegen import codegen  # noqa: E402

try:
    import jax  # noqa: E402

    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp  # noqa: E402
except ImportError:  # JAX is optional
    jax = None

torch.set_num_threads(1)

# ---------------------------------------------------------------- problems: formula, wrt, sizes


def _sigmoid(z):
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-z))


def hand_tt1(a, X, b):
    e = np.exp(X @ b)
    return a @ e, {"X": np.outer(a * e, b)}


def hand_tt2(W, X, M):
    Y = _sigmoid(W @ X)
    MY = M @ Y
    G = (MY + M.T @ Y) * Y * (1.0 - Y)
    return np.vdot(Y, MY), {"W": G @ X.T}


def hand_lstsq(A, x, y):
    r = A @ x - y
    return r @ r, {"x": 2.0 * (A.T @ r)}


def hand_logreg(y, X, w):
    m = -y * (X @ w)
    return np.logaddexp(0.0, m).sum(), {"w": -(X.T @ (y * _sigmoid(m)))}


def _ce(Z, Yl):
    mx = Z.max(axis=0, keepdims=True)
    E = np.exp(Z - mx)
    s = E.sum(axis=0, keepdims=True)
    return (mx + np.log(s)).sum() - np.vdot(Yl, Z), E / s - Yl


def hand_softmax_ce(W, X, Yl):
    f, D = _ce(W @ X, Yl)
    return f, {"W": D @ X.T}


def hand_mlp(W1, X, W2, Yl):
    Z1 = W1 @ X
    H = np.maximum(Z1, 0.0)
    f, D = _ce(W2 @ H, Yl)
    return f, {"W1": ((W2.T @ D) * (Z1 > 0)) @ X.T, "W2": D @ H.T}


def hand_quadforms(w, X, A):
    AX = A @ X
    return w @ np.sum(X * AX, axis=0), {"A": (X * w) @ X.T}


def hand_diag_chain(v, A, X, B):
    XB = X @ B
    return v @ np.sum(A * XB.T, axis=1), {"X": (A.T * v) @ B.T}


def hand_kron(x, A, B, y):
    X2, Y2 = x.reshape(A.shape[0], B.shape[0]), y.reshape(A.shape[1], B.shape[1])  # (A ⊗ B) y = rows of A Y₂ Bᵀ
    XB = X2 @ B
    return np.vdot(XB, A @ Y2), {"y": (A.T @ XB).reshape(-1)}


def _kron_value(x, A, B, y):  # the same reshapes, for torch and JAX
    return (x.reshape(A.shape[0], B.shape[0]) * (A @ y.reshape(A.shape[1], B.shape[1]) @ B.T)).sum()


def _torch_ce(Z, Yl):
    return torch.logsumexp(Z, dim=0).sum() - (Yl * Z).sum()


TORCH = {
    "tt1": lambda a, X, b: a @ torch.exp(X @ b),
    "tt2": lambda W, X, M: (lambda Y: (Y * (M @ Y)).sum())(torch.sigmoid(W @ X)),
    "lstsq": lambda A, x, y: ((A @ x - y) ** 2).sum(),
    "logreg": lambda y, X, w: torch.nn.functional.softplus(-y * (X @ w)).sum(),
    "softmax_ce": lambda W, X, Yl: _torch_ce(W @ X, Yl),
    "mlp": lambda W1, X, W2, Yl: _torch_ce(W2 @ torch.relu(W1 @ X), Yl),
    "quadforms": lambda w, X, A: w @ (X * (A @ X)).sum(dim=0),
    "diag_chain": lambda v, A, X, B: v @ (A * (X @ B).T).sum(dim=1),
    "kron": _kron_value,
}


def _jax_fns():
    def ce(Z, Yl):
        return jax.nn.logsumexp(Z, axis=0).sum() - (Yl * Z).sum()

    return {
        "tt1": lambda a, X, b: a @ jnp.exp(X @ b),
        "tt2": lambda W, X, M: (lambda Y: (Y * (M @ Y)).sum())(jax.nn.sigmoid(W @ X)),
        "lstsq": lambda A, x, y: ((A @ x - y) ** 2).sum(),
        "logreg": lambda y, X, w: jax.nn.softplus(-y * (X @ w)).sum(),
        "softmax_ce": lambda W, X, Yl: ce(W @ X, Yl),
        "mlp": lambda W1, X, W2, Yl: ce(W2 @ jax.nn.relu(W1 @ X), Yl),
        "quadforms": lambda w, X, A: w @ (X * (A @ X)).sum(axis=0),
        "diag_chain": lambda v, A, X, B: v @ (A * (X @ B).T).sum(axis=1),
        "kron": _kron_value,
    }


def _onehot(rng, classes: int, batch: int) -> np.ndarray:
    Y = np.zeros((classes, batch))
    Y[rng.integers(0, classes, batch), np.arange(batch)] = 1.0
    return Y


# name, formula, wrt, hand-written, inputs (in the generated function's argument order)
PROBLEMS = [
    ("tt1", "a^T exp(X b)", ["X"], hand_tt1,
     lambda r: [r.standard_normal(1000), 0.03 * r.standard_normal((1000, 1000)), r.standard_normal(1000)]),
    ("tt2", "Y = sigmoid(W X); <Y, M Y>", ["W"], hand_tt2,
     lambda r: [r.standard_normal((256, 256)) / 16, r.standard_normal((256, 256)), r.standard_normal((256, 256))]),
    ("lstsq", "||A x - y||^2", ["x"], hand_lstsq,
     lambda r: [r.standard_normal((2000, 500)), r.standard_normal(500), r.standard_normal(2000)]),
    ("logreg", "sum(softplus(-y .* (X w)))", ["w"], hand_logreg,
     lambda r: [np.sign(r.standard_normal(4096)), r.standard_normal((4096, 256)), r.standard_normal(256) / 16]),
    ("softmax_ce", "sum(logsumexp(W X)) - <Yl, W X>", ["W"], hand_softmax_ce,
     lambda r: [r.standard_normal((10, 784)) / 28, r.standard_normal((784, 256)), _onehot(r, 10, 256)]),
    ("mlp", "H = relu(W1 X); Z = W2 H; sum(logsumexp(Z)) - <Yl, Z>", ["W1", "W2"], hand_mlp,
     lambda r: [r.standard_normal((512, 784)) / 28, r.standard_normal((784, 256)),
                r.standard_normal((10, 512)) / 22, _onehot(r, 10, 256)]),
    # einsum row/column dots: a batched quadratic form (w_j x_jᵀ A x_j) and the diagonal of a chain
    ("quadforms", "w^T diag(X^T A X)", ["A"], hand_quadforms,
     lambda r: [r.standard_normal(256), r.standard_normal((512, 256)), r.standard_normal((512, 512))]),
    ("diag_chain", "v^T diag(A X B)", ["X"], hand_diag_chain,
     lambda r: [r.standard_normal(256), r.standard_normal((256, 512)), r.standard_normal((512, 512)) / 22,
                r.standard_normal((512, 256))]),
    # a contraction of three factors (A, B, y reshaped) in opt_einsum's order: A ⊗ B (16384²) is never formed
    ("kron", "x^T kron(A, B) y", ["y"], hand_kron,
     lambda r: [r.standard_normal(128 * 128), r.standard_normal((128, 128)) / 11, r.standard_normal((128, 128)) / 11,
                r.standard_normal(128 * 128)]),
]

# ---------------------------------------------------------------- contenders


def _generated(formula: str, wrt: list[str]) -> Callable:
    ns: dict = {}
    exec(codegen(formula, wrt), ns)  # noqa: S102 - matcalc's own generated source
    return ns["f_and_grad"]


def _torch_runner(fn: Callable, args: list[np.ndarray], names: list[str], wrt: list[str], dtype) -> Callable:
    tensors = [torch.tensor(a, dtype=dtype, requires_grad=n in wrt) for a, n in zip(args, names)]
    leaves = [t for t, n in zip(tensors, names) if n in wrt]
    leaf_names = [n for n in names if n in wrt]

    def run():
        value = fn(*tensors)
        grads = torch.autograd.grad(value, leaves)
        return value, dict(zip(leaf_names, grads))

    return run


def _jax_runner(fn: Callable, args: list[np.ndarray], names: list[str], wrt: list[str], dtype) -> Callable:
    arrays = [jnp.asarray(a, dtype=dtype) for a in args]
    argnums = tuple(i for i, n in enumerate(names) if n in wrt)
    vg = jax.jit(jax.value_and_grad(fn, argnums=argnums))

    def run():
        value, grads = vg(*arrays)
        jax.block_until_ready(grads)
        return value, dict(zip([names[i] for i in argnums], grads))

    return run


def _np(a) -> np.ndarray:
    return np.asarray(a.detach() if isinstance(a, torch.Tensor) else a, dtype=np.float64)


def _close(a, b, tol: float) -> bool:
    a, b = _np(a), _np(b)
    return a.shape == b.shape and float(np.max(np.abs(a - b))) <= tol * max(1.0, float(np.max(np.abs(b))))


def _calls_for(fn: Callable, target: float) -> int:
    start = time.process_time()
    fn()
    once = max(time.process_time() - start, 1e-7)
    return max(1, int(target / once))


def measure(contenders: dict[str, Callable], reps: int, target: float) -> dict[str, list[float]]:
    """Seconds per call of each contender, one timing per repetition (repetitions interleaved)."""
    for fn in contenders.values():
        fn()
        fn()  # warm up (JIT compilation, caches)
    calls = {k: _calls_for(fn, target) for k, fn in contenders.items()}
    times: dict[str, list[float]] = {k: [] for k in contenders}
    shuffle = np.random.default_rng(0)
    for _ in range(reps):
        for k in shuffle.permutation(list(contenders)):  # no contender always runs right after another
            fn = contenders[k]
            start = time.process_time()
            for _ in range(calls[k]):
                fn()
            times[k].append((time.process_time() - start) / calls[k])
    return times


def paired_ratio(times: dict[str, list[float]], a: str, b: str) -> float:
    """The median over repetitions of a's time over b's in the same repetition (the two ran
    back to back, so a change in the machine's load between repetitions cancels)."""
    return statistics.median(x / y for x, y in zip(times[a], times[b]))


def main(quick: bool = False, only: str | None = None, reps: int = 31) -> None:
    """Measure every problem (or the one named ``only``) in float32 and float64 and print one table."""
    reps, target = (3, 0.005) if quick else (reps, 0.01)
    jax_fns = _jax_fns() if jax is not None else {}
    header = ("problem", "dtype", "generated", "hand NumPy", "torch eager", "jax.jit", "gen/hand", "gen/torch")
    rows = []
    for name, formula, wrt, hand, make in PROBLEMS:
        if only is not None and name != only:
            continue
        gen = _generated(formula, wrt)
        names = list(gen.__code__.co_varnames[: gen.__code__.co_argcount])
        assert names == list(hand.__code__.co_varnames[: hand.__code__.co_argcount]), (name, names)
        for np_dt, t_dt in ((np.float32, torch.float32), (np.float64, torch.float64)):
            args = [np.asarray(a, dtype=np_dt) for a in make(np.random.default_rng(0))]
            contenders = {"generated": lambda g=gen, a=args: g(*a), "hand": lambda h=hand, a=args: h(*a),
                          "torch": _torch_runner(TORCH[name], args, names, wrt, t_dt)}
            if jax_fns:
                contenders["jax"] = _jax_runner(jax_fns[name], args, names, wrt, np_dt)
            value, grads = contenders["generated"]()
            assert all(np.asarray(g).dtype == np_dt for g in grads.values()), "dtype not preserved"
            tol = 1e-3 if np_dt == np.float32 else 1e-9
            for k, fn in contenders.items():
                v, g = fn()
                ok = _close(v, value, tol) and all(_close(_np(g[n]).reshape(np.shape(grads[n])), grads[n], tol)
                                                   for n in wrt)
                assert ok, f"{name} {np_dt.__name__}: {k} disagrees with the generated code"
            runs = measure(contenders, reps, target)
            t = {k: statistics.median(v) for k, v in runs.items()}
            jx = f"{t['jax'] * 1e3:.3f}" if "jax" in t else "-"
            rows.append((name, np_dt.__name__, f"{t['generated'] * 1e3:.3f}", f"{t['hand'] * 1e3:.3f}",
                         f"{t['torch'] * 1e3:.3f}", jx, f"{paired_ratio(runs, 'generated', 'hand'):.2f}",
                         f"{paired_ratio(runs, 'generated', 'torch'):.2f}"))
            print(f"  measured {name} {np_dt.__name__}", file=sys.stderr)
    widths = [max(len(r[i]) for r in rows + [header]) for i in range(len(header))]
    print("value + gradient, milliseconds per call (median), 1 thread")
    for r in [header] + rows:
        print(" | ".join(c.rjust(w) if i > 1 else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths))))


def _option(flag: str) -> str | None:
    return sys.argv[sys.argv.index(flag) + 1] if flag in sys.argv else None


if __name__ == "__main__":
    main(quick="--quick" in sys.argv, only=_option("--only"), reps=int(_option("--reps") or 31))
