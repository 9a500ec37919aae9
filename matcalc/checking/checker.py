"""The homework checker: claimed gradients and trace-trick derivations.

(Named ``checker``, not ``check``: ``matcalc.check`` is ``verify.check``, the function that
compares matcalc's own gradients with torch.autograd; a submodule ``matcalc/check.py``
would replace that attribute as soon as it was imported.)

    >>> from matcalc.checking.checker import check_claim, check_steps
    >>> check_claim("a^T X b", "X", "b a^T").mistake
    'transpose'

``check_claim`` (``check_claims.py``) judges one claimed gradient: verdict, the correct
gradient, a counterexample and the classic mistake (``check_rules.MISTAKES``).
``check_steps`` (``check_lines.py``) marks every line of a derivation ✓ or ✗, names the
first wrong one and shows what matcalc's own derivation has there. Neither does calculus
of its own: the gradients come from ``matcalc.grad``/``derive``, the numbers from torch.
"""

from matcalc.checking.claims import ClaimResult, Counterexample, Diagnosis, check_claim
from matcalc.checking.lines import LineCheck, StepsReport, check_steps
from matcalc.checking.mistakes import MISTAKES, Mistake

__all__ = ["MISTAKES", "ClaimResult", "Counterexample", "Diagnosis", "LineCheck", "Mistake", "StepsReport",
           "check_claim", "check_steps"]
