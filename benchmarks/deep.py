"""Deep and shared formulas: derivation time against the size of the DAG (issue 10).

Run:  python benchmarks/deep.py [--repeat 5]

Two families, each doubling in size, measured in this one run (parse + derive, median over the
repeats, matcalc's caches cleared before each):
1. ``sin`` nested d deep, up to the parser's nesting limit;
2. k chained definitions reusing the previous one, ``s2 = sin(s1) cos(s1); …; s_k``, up to 100.
For each row: the distinct nodes of the formula's DAG, the time, and the growth ratio against
the row before (a doubling of the DAG: ≈2 is linear, ≈4 quadratic, an exponential path explodes).
"""

from __future__ import annotations

import argparse
import statistics
import time

import matcalc
from matcalc.algebra.expr import walk
from matcalc.simplification.simplify import clear_cache


def nested(depth: int) -> str:
    """sin(sin(…sin(x)…)), depth calls."""
    return "sin(" * depth + "x" + ")" * depth


def chained(count: int) -> str:
    """s1 = sin(x); s2 = sin(s1) cos(s1); …; s_count."""
    defs = ["s1 = sin(x)"] + [f"s{i} = sin(s{i - 1}) cos(s{i - 1})" for i in range(2, count + 1)]
    return "; ".join(defs) + f"; s{count}"


def timed(text: str, repeat: int) -> tuple[int, float]:
    """Distinct nodes of the formula, and the median seconds of parse + derive."""
    times = []
    for _ in range(repeat):
        clear_cache()
        start = time.perf_counter()
        matcalc.derive(matcalc.parse(text, where="x: scalar"), "x")
        times.append(time.perf_counter() - start)
    nodes = sum(1 for _ in walk(matcalc.parse(text, where="x: scalar").expr))
    return nodes, statistics.median(times)


def table(title: str, make, sizes: list[int], repeat: int) -> None:
    print(f"\n{title}\n{'size':>6} {'DAG nodes':>10} {'time (ms)':>10} {'ratio':>7}")
    last = None
    for k in sizes:
        nodes, t = timed(make(k), repeat)
        ratio = f"{t / last:7.2f}" if last else "      -"
        print(f"{k:>6} {nodes:>10} {t * 1e3:>10.1f} {ratio}")
        last = t


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    matcalc.parse("x", where="x: scalar")  # load the grammar before timing
    table("sin nested d deep (parser limit ~164, stack-dependent)", nested, [20, 40, 80, 160], args.repeat)
    table("k chained definitions s_i = sin(s_i-1) cos(s_i-1)", chained, [12, 25, 50, 100], args.repeat)


if __name__ == "__main__":
    main()
