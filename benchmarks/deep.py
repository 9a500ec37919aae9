"""Deep and shared formulas: derivation and printing time against the size of the DAG (issue 10).

Run:  python benchmarks/deep.py [--repeat 3] [--quick]

Families, each doubling in size, all measured in this one run (median over the repeats,
matcalc's caches cleared before each):
- nesting up to the parser's limit (``MAX_DEPTH`` levels): ``sin`` nested d deep, a tanh MLP of
  L layers (two levels each), d transposes, d nested matrix products;
- k chained definitions reusing the previous one, ``s2 = sin(s1) cos(s1); …``, up to 100 and beyond;
- a product of n distinct factors and a sum of n terms (their gradients: n terms of n - 1
  factors, and n terms: the product's answer itself grows as n²).
For each row: the distinct nodes of the formula's DAG, the time to parse and derive, the time to
print the derivation (``--steps``, text), their growth ratios against the row before (a doubling:
≈2 is linear, ≈4 quadratic, an exponential path explodes), and the printed sizes.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import matcalc
from matcalc.algebra.expr import walk
from matcalc.language.syntax import MAX_DEPTH
from matcalc.simplification.simplify import clear_cache


def nested(depth: int) -> str:
    """sin(sin(…sin(x)…)), depth calls."""
    return "sin(" * depth + "x" + ")" * depth


def mlp(layers: int) -> str:
    """sum(tanh(W tanh(W … tanh(W x)))): two nesting levels per layer."""
    return "sum(" + "tanh(W " * layers + "x" + ")" * layers + ")"


def transposes(depth: int) -> str:
    """tr((((X)ᵀ)ᵀ…)ᵀ A)."""
    return "tr(" + "(" * depth + "X" + ")^T" * depth + " A)"


def products(depth: int) -> str:
    """aᵀ A (A (… (A x)))."""
    return "a^T " + "A (" * depth + "x" + ")" * depth


def chained(count: int) -> str:
    """s1 = sin(x); s2 = sin(s1) cos(s1); …; s_count."""
    defs = ["s1 = sin(x)"] + [f"s{i} = sin(s{i - 1}) cos(s{i - 1})" for i in range(2, count + 1)]
    return "; ".join(defs) + f"; s{count}"


def product(count: int) -> str:
    """sin(x + 1) sin(x + 2) … sin(x + count): distinct factors."""
    return " ".join(f"sin(x + {i})" for i in range(1, count + 1))


def total(count: int) -> str:
    """sin(1 x) + sin(2 x) + … + sin(count x)."""
    return " + ".join(f"sin({i} x)" for i in range(1, count + 1))


FAMILIES: list[tuple[str, Callable[[int], str], str | None, str, list[int]]] = [
    # title, formula of the size, where, wrt, sizes (doubling)
    (f"sin nested d deep (the parser's limit is {MAX_DEPTH} levels)", nested, "x: scalar", "x",
     [62, 125, 250, 500, MAX_DEPTH - 1]),
    ("tanh MLP of L layers, gradient wrt W (2 levels per layer)", mlp, None, "W",
     [31, 62, 125, 250, MAX_DEPTH // 2 - 1]),
    ("d nested transposes tr((Xᵀ)ᵀ… A), wrt X", transposes, None, "X", [62, 125, 250, 500, MAX_DEPTH - 3]),
    ("d nested products aᵀ A (A (… x)), wrt x", products, None, "x", [62, 125, 250, 500, MAX_DEPTH - 1]),
    ("k chained definitions s_i = sin(s_i-1) cos(s_i-1)", chained, "x: scalar", "x", [12, 25, 50, 100, 200]),
    ("product of n distinct factors sin(x + i) (answer: n terms of n - 1 factors)", product, "x: scalar", "x",
     [12, 25, 50, 100]),
    ("sum of n terms sin(i x)", total, "x: scalar", "x", [188, 375, 750, 1500]),
]


def measure(text: str, where: str | None, wrt: str, repeat: int) -> tuple[int, float, float, int, int]:
    """DAG nodes, median seconds to parse and derive, median seconds to print the derivation,
    characters of the printed gradient and of the printed derivation."""
    derive_times, print_times = [], []
    for _ in range(repeat):
        clear_cache()
        start = time.perf_counter()
        d = matcalc.derive(matcalc.parse(text, where=where), wrt)
        middle = time.perf_counter()
        steps = d.show("text")
        derive_times.append(middle - start)
        print_times.append(time.perf_counter() - middle)
    nodes = sum(1 for _ in walk(d.formula.expr))
    return nodes, statistics.median(derive_times), statistics.median(print_times), len(str(d.result)), len(steps)


def table(title: str, make: Callable[[int], str], where: str | None, wrt: str, sizes: list[int], repeat: int) -> None:
    print(f"\n{title}")
    print(f"{'size':>6} {'DAG nodes':>9} | {'derive ms':>9} {'ratio':>5} | {'steps ms':>9} {'ratio':>5} | "
          f"{'answer chars':>12} {'steps chars':>11}")
    last = None
    for n in sizes:
        nodes, t_derive, t_print, answer, steps = measure(make(n), where, wrt, repeat)
        r1, r2 = (f"{t_derive / last[0]:5.2f}", f"{t_print / last[1]:5.2f}") if last else ("    -", "    -")
        print(f"{n:>6} {nodes:>9} | {t_derive * 1e3:>9.1f} {r1} | {t_print * 1e3:>9.1f} {r2} | "
              f"{answer:>12} {steps:>11}", flush=True)
        last = (t_derive, t_print)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="only the first three sizes of each family")
    args = parser.parse_args()
    matcalc.parse("x", where="x: scalar")  # load the grammar before timing
    for title, make, where, wrt, sizes in FAMILIES:
        table(title, make, where, wrt, sizes[:3] if args.quick else sizes, args.repeat)


if __name__ == "__main__":
    main()
