"""Reading a problem set for ``matcalc homework`` (the format is in ``homework.py``'s docstring).

``read_problems(text)`` splits the text at ``##`` headings (or ``Problem …`` lines) and reads
each problem's keys, claims and derivation block, remembering the line each part is on so
the graded copy can put its marks and corrections in place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from matcalc.checking.text import gradient_variable
from matcalc.language.declarations import SIMPLEX, TYPES
from matcalc.language.syntax import GREEK_UNICODE

KEY = re.compile(r"^\s*(?:[-*]\s+)?(?:\*\*|__)?(function|f|where|wrt|claim|derivation|define|layer|upstream)"
                 r"(?:\*\*|__)?\s*:(?:\*\*|__)?\s*(.*)$", re.IGNORECASE)
_LEAD = r"(?:(?:Let|Consider|Define|Suppose|Take|Given|Set)\s+)?"  # `Let $f(\mathbf{w}) = …$.`
_FUNCTION = re.compile(r"^\s*(?:[-*]\s+)?" + _LEAD
                       + r"\$?\s*([A-Za-zℓ]|\\ell|\\mathcal\{[A-Z]\})\s*\(([^()=]*)\)\s*=\s*(.+)$")
_DECLARATION = re.compile(r"^\s*(?:[-*]\s+)?\$?\s*[^\s:=,$()]+(?:\s*,\s*[^\s:=,$()]+)*\s*:\s*(?:"
                          + "|".join(TYPES + SIMPLEX) + r")\b")  # `A: symmetric(n)` alone: a where line
_DIFFERENTIAL = re.compile(r"^\s*\$*\s*(?:d|\\mathrm\{d\}|\\operatorname\{d\})\s*f\s*=")  # `df = …` unheaded
HEADING = re.compile(r"^\s*(?:##\s+(.*)|(Problem\b.*))$")
_CONNECTIVE = r"(?:\\therefore|∴|\\Rightarrow|⇒|\\implies|(?:[Hh]ence|[Tt]hus|[Tt]herefore|[Ss]o)\b,?)(?:\\[ ,;]|\s)*"
_NABLA = re.compile(r"^\s*(?:[-*]\s+)?\$*\s*(?:" + _CONNECTIVE + r")?\$*\s*(?:" + _CONNECTIVE
                    + r")?(?:∇|\\nabla|grad_|\\frac\s*\{\s*\\partial|∂)")


@dataclass
class Problem:
    """One problem as read from the file, with where each part sits (0-based line numbers)."""

    title: str
    heading_line: int
    function: str = ""
    function_line: int = -1
    variables: list[str] = field(default_factory=list)
    where: str = ""
    definitions: list[str] = field(default_factory=list)
    layer: str = ""
    upstream: str = ""
    claims: list[tuple[str, str, int]] = field(default_factory=list)  # (variable or '', expression, line)
    derivation: str = ""
    derivation_start: int = -1  # the file line of the derivation's first text line
    derivation_end: int = -1
    derivation_fence: str = ""  # ``` or $$ (or empty for plain lines)


# ---------------------------------------------------------------- reading


def _strip_math(text: str) -> str:
    """The math of a value: the first `$…$` span if there is one (prose around it is dropped)."""
    spans = re.findall(r"\$\$?([^$]+)\$?\$", text)
    if spans:
        text = spans[0]
    return text.strip().rstrip(".,;").strip().strip("$").strip().rstrip(".,;").strip()  # `…$.` too


def read_problems(text: str) -> list[Problem]:
    """The problems of a problem set (see the module docstring for the format)."""
    lines = text.splitlines()
    headed = any(HEADING.match(line) for line in lines)
    problems: list[Problem] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        head = HEADING.match(line)
        if head:
            problems.append(Problem((head.group(1) or head.group(2)).strip(), i))
            i += 1
            continue
        if not problems:
            if headed or not line.strip():
                i += 1
                continue
            problems.append(Problem("Problem", i))  # plain text with no heading at all: one problem
        i = _read_line(problems[-1], lines, i)
    return problems


def _read_line(p: Problem, lines: list[str], i: int) -> int:
    """Read the line at i into p; return the index of the next unread line."""
    line = lines[i]
    key = KEY.match(line)
    if key:
        name, value = key.group(1).lower(), _strip_math(key.group(2))
        if name == "derivation":
            return _read_derivation(p, lines, i + 1, value)
        if name in ("function", "f"):
            p.function, p.function_line = value, i
        elif name == "where":
            p.where = "; ".join(x for x in (p.where, value) if x)
        elif name == "wrt":
            p.variables = [variable_name(v) for v in re.split(r"[,\s]+", value) if v.strip("$ ")]
        elif name == "define":
            p.definitions.append(value)
        elif name == "layer":
            p.layer, p.function_line = value, i
        elif name == "upstream":
            p.upstream = value.split("=")[0].strip()
        elif name == "claim":
            _add_claim(p, value, i)
        return i + 1
    if _DECLARATION.match(line):
        p.where = "; ".join(x for x in (p.where, _strip_math(line.strip().lstrip("-* "))) if x)
        return i + 1
    if _DIFFERENTIAL.match(line) and p.function and not p.derivation:
        return _read_derivation(p, lines, i, "")
    m = _FUNCTION.match(line)
    if m and not p.function:
        p.function, p.function_line = _strip_math(m.group(3)), i
        if not p.variables:
            p.variables = [variable_name(v) for v in m.group(2).split(",") if v.strip()]
        return i + 1
    if _NABLA.match(line):
        _add_claim(p, _strip_math(line.strip().lstrip("-* ")), i)
    return i + 1


def variable_name(raw: str) -> str:
    """A variable as the parser names it: `\\mathbf{X}` -> X, `α` and `\\alpha` -> alpha."""
    raw = raw.strip().strip("$").strip()
    m = re.fullmatch(r"\\(?:mathbf|boldsymbol|bm|mathrm|mathit)\{(.*)\}", raw)
    raw = m.group(1) if m else raw.lstrip("\\")
    return "".join(GREEK_UNICODE.get(ch, ch) for ch in raw)


def _add_claim(p: Problem, value: str, i: int) -> None:
    """`∇_X f = G` or a bare `G` (for the problem's one variable)."""
    value = re.sub("^" + _CONNECTIVE, "", _strip_math(value))  # "∴ ∇_X f = G", "Hence ∇_X f = G"
    parts = value.split("=", 1)
    variable = variable_name(gradient_variable(parts[0])) if len(parts) == 2 else ""
    expr = _strip_math(parts[1]) if variable else value
    p.claims.append((variable, expr, i))


def _read_derivation(p: Problem, lines: list[str], i: int, inline: str) -> int:
    """The derivation block after a `derivation:` key: a ``` fence, a $$ block, or the following lines."""
    if inline:
        p.derivation, p.derivation_start, p.derivation_end = inline, i - 1, i - 1
        return i
    while i < len(lines) and not lines[i].strip():
        i += 1
    if i >= len(lines):
        return i
    opener = lines[i].strip()
    p.derivation_start = i
    if opener.startswith("```") or opener.startswith("$$"):
        fence = p.derivation_fence = "```" if opener.startswith("```") else "$$"
        rest = opener[len(fence):] if fence == "$$" else ""
        if fence == "$$" and rest.rstrip().endswith("$$"):
            p.derivation, p.derivation_end = rest.rstrip()[:-2], i
            return i + 1
        body = [rest]
        i += 1
        while i < len(lines) and not (lines[i].strip().startswith(fence) or fence == "$$" and "$$" in lines[i]):
            body.append(lines[i])
            i += 1
        if fence == "$$" and i < len(lines):
            body.append(lines[i].split("$$")[0])
        p.derivation, p.derivation_end = "\n".join(body), i
        return i + 1
    body = []
    while i < len(lines) and lines[i].strip() and not KEY.match(lines[i]) and not HEADING.match(lines[i]):
        body.append(lines[i])
        i += 1
    p.derivation, p.derivation_end = "\n".join(body), i - 1
    return i
