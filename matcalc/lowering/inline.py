"""Temporaries only where they help a reader: a short statement used once is written into its user.

The emitter writes one statement per distinct node (``t3 = A + A.T``, ``t4 = t3 @ x``, …). A
temporary earns its name when the value is used twice (computed once) or when its code is long;
``inline_temporaries`` folds every other one into the one line using it, in parentheses, so
the computation (and its cost) is unchanged and ``0.5 * ((A + A.T) @ x)`` reads as one line.
Invariant: only matcalc's own ``t<k>`` temporaries are folded (the user's definition names stay),
each into a later statement, never past a statement that overwrites an array it reads or
shares memory with (``inplace.py``), and the functions' outputs keep their names.
"""

from __future__ import annotations

import re

from matcalc.lowering.inplace import buffers, writes

_TEMP = re.compile(r"(t\d+) = (.+)")
_NAME = re.compile(r"[\w.]+")
_TEMPS = re.compile(r"\bt\d+\b")
SHORT = 40  # longest code folded into its user
LINE = 88  # longest line a fold may produce


def _atomic(code: str) -> bool:
    """Whether code needs no parentheses inside another expression: a name, or a call `f(…)`
    whose first parenthesis closes at the end."""
    head = _NAME.match(code)
    if head is None or head.end() == len(code):
        return head is not None
    if code[head.end()] != "(" or not code.endswith(")"):
        return False
    depth = 0
    for i, c in enumerate(code[head.end():], head.end()):
        depth += (c == "(") - (c == ")")
        if depth == 0:
            return i == len(code) - 1
    return False


def _fold(code: str, use: re.Match) -> str:
    """code in place of the use: bare when atomic or a whole argument `f(t3)`, `f(a, t3)`, else bracketed."""
    line, start, end = use.string, use.start(), use.end()
    whole = line[:start].endswith(("(", ", ")) and line[end:].startswith((")", ","))
    return code if whole or _atomic(code) else f"({code})"


def inline_temporaries(lines: list[str], keep: list[str]) -> list[str]:
    """The statements with each short temporary used once written into its user (see module doc);
    the temporaries named in ``keep`` (the outputs' code) keep their statements."""
    lines = list(lines)
    kept = {name for code in keep for name in _TEMPS.findall(code)}
    users: dict[str, list[int]] = {}  # temporary -> the lines using it (once per use)
    for j, line in enumerate(lines):
        for name in _TEMPS.findall(line.split(" = ", 1)[1] if _TEMP.fullmatch(line) else line):
            users.setdefault(name, []).append(j)
    dropped: set[int] = set()
    buf = buffers(lines)
    for i, line in enumerate(lines):
        m = _TEMP.fullmatch(line)
        if m is None or m[1] in kept or len(m[2]) > SHORT or len(users.get(m[1], ())) != 1:
            continue
        j = users[m[1]][0]
        if any(buf.shared(w, m[2]) for k in range(i + 1, j) for w in writes(lines[k])):
            continue  # an array it reads (or a view of one) is overwritten before its user runs
        folded = re.sub(rf"\b{m[1]}\b", lambda u, code=m[2]: _fold(code, u), lines[j])
        if len(folded) > LINE:
            continue
        lines[j] = folded
        dropped.add(i)
        for name in _TEMPS.findall(m[2]):  # its uses move to line j
            users[name] = [j if k == i else k for k in users[name]]
    return [line for i, line in enumerate(lines) if i not in dropped]
