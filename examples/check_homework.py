"""Check the example problem set and print the report.

    python examples/check_homework.py             # the text report
    python examples/check_homework.py markdown    # a graded copy (also: json)

The same report as `matcalc homework examples/homework.md [--format …]`. That command
exits 1 here, because this problem set has wrong answers on purpose; this demo script
says so and exits 0.
"""

import sys
from pathlib import Path

from matcalc.checking.homework import homework_command

if __name__ == "__main__":
    here = Path(__file__).resolve().parent
    fmt = sys.argv[1] if len(sys.argv) > 1 else "text"
    code = homework_command(str(here / "homework.md"), fmt)
    if fmt == "text":
        print(f"(matcalc homework would exit with {code}: {'all right' if code == 0 else 'some answers are wrong'})")
