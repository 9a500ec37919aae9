"""Derivation speed: matcalc per corpus formula, side by side with SymPy, and scaling.

Run:  python benchmarks/derive.py [--repeat 7] [--sympy-timeout 10]

Prints three tables, all measured in this one run:
1. per corpus formula (tests/corpus.py): matcalc parse+derive time (median and p95 over
   the repeats, caches cleared before each), and SymPy's matrix-expression ``diff`` on the
   same formula (``to_sympy`` form): its time, or how it failed;
2. a summary: medians over the corpus, and how many formulas SymPy accepts;
3. scaling: an L-layer tanh MLP (gradient wrt W1) and a k-matrix chain aᵀA1…Ak b (wrt A1)
   for L, k = 1…64: derivation time and printed size, with the growth ratio per doubling
   (≈2 means linear);
4. Kronecker products: ∇ xᵀ (A ⊗ B) y derived, then evaluated beside NumPy written by hand.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import matcalc  # noqa: E402
from matcalc.simplification.simplify import clear_cache  # noqa: E402


def timed(fn, repeat: int) -> tuple[float, float]:
    """Median and p95 of fn's wall time in ms, with matcalc's caches cleared each time."""
    times = []
    for _ in range(repeat):
        clear_cache()
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1e3)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(0.95 * len(times)))]


def _sympy_diff(text: str, where: str | None, wrt: str, out: mp.Queue) -> None:
    try:
        import sympy as sp

        f = matcalc.parse(text, where=where)
        expr = matcalc.to_sympy(f)
        var = next(s for s in expr.free_symbols if getattr(s, "name", None) == wrt)
        t = time.perf_counter()
        result = expr.diff(var)
        elapsed = (time.perf_counter() - t) * 1e3
        status = "ok" if result != 0 else "0 (wrong)"
        if isinstance(result, sp.Array) or getattr(result, "shape", (1, 1)).__len__() > 2:
            status = "array"
        out.put((status, elapsed))
    except Exception as e:  # SymPy's failures are what we report
        out.put((type(e).__name__, None))


def sympy_diff(text: str, where: str | None, wrt: str, timeout: float) -> tuple[str, float | None]:
    """SymPy's diff of the formula in a subprocess: (status, ms)."""
    q: mp.Queue = mp.Queue()
    p = mp.Process(target=_sympy_diff, args=(text, where, wrt, q))
    p.start()
    p.join(timeout)
    if p.is_alive():
        p.kill()
        return "timeout", None
    return q.get() if not q.empty() else ("crashed", None)


def corpus_table(repeat: int, timeout: float) -> None:
    from corpus import CORPUS

    print(f"{'id':<28} {'matcalc ms':>10} {'p95':>7}   {'sympy':<12} {'sympy ms':>9}")
    medians, accepted = [], 0
    for entry in CORPUS:
        wrt = entry.wrt if isinstance(entry.wrt, str) else entry.wrt[0]
        med, p95 = timed(lambda e=entry: matcalc.grad(e.formula, e.wrt, where=e.where), repeat)
        medians.append(med)
        status, ms = sympy_diff(entry.formula, entry.where, wrt, timeout)
        accepted += status == "ok"
        print(f"{entry.id:<38} {med:>10.2f} {p95:>7.2f}   {status:<12} {'' if ms is None else f'{ms:9.1f}'}")
    print(f"\ncorpus: {len(medians)} formulas; matcalc median {statistics.median(medians):.2f} ms, "
          f"max {max(medians):.2f} ms; SymPy returned a non-zero matrix answer for {accepted}/{len(medians)} "
          "(not checked for correctness here; ANCHORS.md lists SymPy's silently wrong results)")


def mlp(depth: int) -> str:
    """sum(tanh(W_L … tanh(W1 x + b1) … + b_L))."""
    e = "x"
    for i in range(1, depth + 1):
        e = f"tanh(W{i} {e} + b{i})"
    return f"sum({e})"


def chain(k: int) -> str:
    """aᵀ A1 A2 … Ak b."""
    return "a^T " + " ".join(f"A{i}" for i in range(1, k + 1)) + " b"


def scaling_table(repeat: int) -> None:
    print(f"\n{'L or k':>6} | {'MLP ms':>8} {'ratio':>6} {'chars':>7} | {'chain ms':>8} {'ratio':>6} {'chars':>6}")
    prev = None
    for n in (1, 2, 4, 8, 16, 32, 64):
        f1, f2 = matcalc.parse(mlp(n)), matcalc.parse(chain(n))
        t1, _ = timed(lambda f=f1: matcalc.grad(f, "W1"), repeat)
        t2, _ = timed(lambda f=f2: matcalc.grad(f, "A1"), repeat)
        c1, c2 = len(str(matcalc.grad(f1, "W1"))), len(str(matcalc.grad(f2, "A1")))
        r1, r2 = ("", "") if prev is None else (f"{t1 / prev[0]:.1f}", f"{t2 / prev[1]:.1f}")
        print(f"{n:>6} | {t1:>8.2f} {r1:>6} {c1:>7} | {t2:>8.2f} {r2:>6} {c2:>6}")
        prev = (t1, t2)


def kron_table(repeat: int) -> None:
    """∇_A and ∇_B of xᵀ (A ⊗ B) y: derivation time, then the derived form evaluated (compile) at n×n
    factors beside NumPy written by hand (Xᵀ B Y, X A Yᵀ with X, Y the unvecs of x, y): the gradient
    must never form an n²×n² array (it did, as a chain of Kronecker products with identities)."""
    import numpy as np

    f = matcalc.parse("x^T kron(A, B) y")
    print(f"\n{'xᵀ (A ⊗ B) y':<14} {'derive ms':>9} | " + " ".join(f"{'n=' + str(n):>17}" for n in (4, 16, 64)))
    for wrt in ("A", "B"):
        ms, _ = timed(lambda w=wrt: matcalc.grad(f, w), repeat)
        fn = matcalc.compile(matcalc.grad(f, wrt))
        cells = []
        for n in (4, 16, 64):
            rng = np.random.default_rng(0)
            A, B, x, y = (rng.normal(size=s) for s in ((n, n), (n, n), n * n, n * n))
            X, Y = x.reshape(n, n).T, y.reshape(n, n).T

            def hand(w=wrt, A=A, B=B, X=X, Y=Y):
                return X.T @ B @ Y if w == "A" else X @ A @ Y.T

            ours, _ = timed(lambda fn=fn, values=dict(x=x, A=A, B=B, y=y): fn(**values), repeat)
            theirs, _ = timed(hand, repeat)
            cells.append(f"{ours * 1e3:7.1f}/{theirs * 1e3:5.1f} µs")
        print(f"∇_{wrt:<12} {ms:>9.2f} | " + " ".join(f"{c:>17}" for c in cells))
    print("(generated / hand-written, µs per evaluation)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--sympy-timeout", type=float, default=10.0)
    ap.add_argument("--no-corpus", action="store_true", help="only the scaling table")
    args = ap.parse_args()
    if not args.no_corpus:
        corpus_table(args.repeat, args.sympy_timeout)
    scaling_table(args.repeat)
    kron_table(args.repeat)


if __name__ == "__main__":
    main()
