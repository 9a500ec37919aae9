"""Start-up cost of the command line, side by side with importing NumPy.

Run:  python benchmarks/startup.py [--repeat 21]

Times, end to end as fresh processes, interleaved in random order:
  matcalc grad "a^T exp(X b)" --wrt X      (``python -m matcalc``, the same code as ``matcalc``)
  matcalc parse "x^T A x"
  python -c "import numpy"                 (the target: the command must be no slower)
  python -c "pass"                         (the interpreter alone)

and prints the median and p90 in ms and each one's ratio to ``import numpy``. Byte-code
is written once before timing (as ``pip install`` does), so the runs measure a normal set-up
even where PYTHONDONTWRITEBYTECODE is set; the lark parse table is cached on the first run.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import time

CASES = {
    "matcalc grad": [sys.executable, "-m", "matcalc", "grad", "a^T exp(X b)", "--wrt", "X"],
    "matcalc parse": [sys.executable, "-m", "matcalc", "parse", "x^T A x"],
    "import numpy": [sys.executable, "-c", "import numpy"],
    "python (nothing)": [sys.executable, "-c", "pass"],
}


def run(argv: list[str], env: dict[str, str]) -> float:
    """Wall time of one process in ms; it must succeed."""
    t = time.perf_counter()
    subprocess.run(argv, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return (time.perf_counter() - t) * 1e3


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=21)
    args = ap.parse_args()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    for argv in CASES.values():  # warm-up: byte-code, the lark cache, the disk cache
        run(argv, env)
    order = [name for name in CASES for _ in range(args.repeat)]
    random.Random(0).shuffle(order)
    times: dict[str, list[float]] = {name: [] for name in CASES}
    for name in order:
        times[name].append(run(CASES[name], env))
    base = statistics.median(times["import numpy"])
    print(f"{'command':<18} | {'median ms':>9} | {'p90 ms':>7} | vs import numpy")
    for name, ts in times.items():
        ts.sort()
        med, p90 = statistics.median(ts), ts[int(0.9 * (len(ts) - 1))]
        print(f"{name:<18} | {med:9.1f} | {p90:7.1f} | {med / base:.2f}")


if __name__ == "__main__":
    main()
