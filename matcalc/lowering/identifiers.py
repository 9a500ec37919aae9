"""Names in generated code: the identifier checks every code generator uses.

The lowering itself (expressions -> straight-line NumPy/torch statements, one per
distinct node) lives in ``matcalc.lowering``: ``matcalc.compile`` runs ``lowering.value_source``
and ``matcalc.codegen`` the same machinery with the gradients added, so there is one
compiler. This module only decides which formula names may become Python names.
Invariant: a name that passes ``safe_identifier`` is a plain ASCII identifier, not a
keyword and not private (no leading underscore: those are the generator's own).
"""

from __future__ import annotations

import keyword
import re

from matcalc.algebra.shapes import MatcalcError
from matcalc.language.syntax import read_name

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def safe_identifier(name: str) -> str:
    """Return name if it is a plain Python identifier that is not a keyword, else raise."""
    if not _IDENT.match(name) or keyword.iskeyword(name) or name.startswith("_"):
        raise MatcalcError(f"'{name}' cannot be used as a name in generated code")
    return name


def py_name(name: str) -> str:
    """The Python identifier for a formula name in any spelling (`lambda`, `λ` -> `lambda_`; `W₁` -> `W_1`),
    validated: plain ASCII, so generated code pastes anywhere."""
    name = read_name(name)
    return safe_identifier(name + "_" if keyword.iskeyword(name) else name)
