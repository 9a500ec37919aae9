"""Check the example problem set and print the report.

    python examples/check_homework.py             # the text report
    python examples/check_homework.py markdown    # a graded copy (also: json)

The same as `matcalc homework examples/homework.md [--format …]`; exits 0 when every
problem is right, 1 otherwise (this problem set has wrong answers on purpose).
"""

import sys
from pathlib import Path

from matcalc.homework import homework_command

if __name__ == "__main__":
    here = Path(__file__).resolve().parent
    fmt = sys.argv[1] if len(sys.argv) > 1 else "text"
    sys.exit(homework_command(str(here / "homework.md"), fmt))
