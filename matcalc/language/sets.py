"""Declarations as textbooks write them: `X \\in \\mathbb{R}^{n \\times m}`, `x ∈ ℝⁿ`, `Σ ∈ 𝕊ⁿ₊₊`.

``set_type`` reads the set after `\\in` / `∈` as the type a `where` clause writes: ℝ is a scalar,
ℝⁿ a vector(n), ℝ^{n×m} a matrix(n, m) (ℝ^{n×1} a vector), 𝕊ⁿ symmetric(n), 𝕊ⁿ₊₊ spd(n), and
ℝ₊ / ℝ_{>0} / ℝ_{++} positive entries.
"""

from __future__ import annotations

import re

from matcalc.algebra.shapes import ParseError

IN = ("\\in", "∈")
_SUPERS = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹ⁿᵐᵈᵏᵖʳˢᵗᵃᵇᶜᵉᶠᵍʰⁱʲˡᵒᵘᵛʷˣʸᶻ⁺", "0123456789nmdkprstabcefghijlouvw×yz+"))
_SUBS = dict(zip("₀₁₂₃₄₅₆₇₈₉₊ₙₘₖ", "0123456789+nmk"))  # ℝⁿ₊, 𝕊ⁿ₊₊
_FIELD = re.compile(r"\\mathbb\s*\{?\s*([RS])\s*\}?|\\mathbf\s*\{?\s*([RS])\s*\}?|\\(R)eals|\\(R)(?![A-Za-z])"
                    r"|([ℝ𝕊])|\\mathcal\s*\{?\s*(S)\s*\}?|([RS])(?![A-Za-z])")
_POSITIVE = {"+", "++", ">0", "\\geq0", "\\ge0"}


def _script(text: str, i: int, mark: str, unicode_map: dict[str, str]) -> tuple[str | None, int]:
    """A `^{…}` / `_{…}` / `^n` script at i (or a run of Unicode super/subscripts), and the index after it."""
    if text.startswith(mark, i):
        i += 1
        if text.startswith("{", i):
            depth, j = 0, i
            for j in range(i, len(text)):
                depth += {"{": 1, "}": -1}.get(text[j], 0)
                if depth == 0:
                    break
            return text[i + 1:j], j + 1
        m = re.compile(r"\\[A-Za-z]+|[A-Za-z0-9+]").match(text, i)
        return (m.group(), m.end()) if m else ("", i)
    j = i
    while j < len(text) and text[j] in unicode_map:
        j += 1
    return ("".join(unicode_map[c] for c in text[i:j]) or None), j


def _dims(sup: str, whole: str) -> list[str]:
    parts = re.split(r"\\times|×|\\cdot|,|(?<=[\s}])x(?=[\s{])|(?<=\w)x(?=\d)|(?<=\d)x(?=\w)", sup)
    dims = []
    for part in parts:
        name = re.sub(r"\\(?:text|mathrm|mathit|operatorname)\s*|[{}\s]|\\(?=_)", "", part)
        name = re.sub(r"\\([A-Za-z]+)", r"\1", name)
        if not re.fullmatch(r"[A-Za-z0-9_]+", name):
            raise ParseError(f"cannot read the size '{sup}' in '{whole}' (write n, or n \\times m)")
        dims.append(name)
    return dims


def set_type(text: str) -> str:
    """The type text (`matrix(n, m)`, `vector(d) positive`, `spd(n)`) of a set written after ∈."""
    whole = text.strip()
    s = re.sub(r"\\[,;:! ]|\\q?quad", " ", whole).strip()
    m = _FIELD.match(s)
    if m is None:
        raise ParseError(f"cannot read the set '{whole}' (write \\mathbb{{R}}^{{n \\times m}}, ℝⁿ or ℝ)")
    field = "S" if "S" in (m.group(0).replace("\\mathbf", "")) or "𝕊" in m.group(0) else "R"
    i, sub, sup = m.end(), None, None
    for _ in range(2):
        while i < len(s) and s[i] == " ":
            i += 1
        if sup is None and (s.startswith("^", i) or i < len(s) and s[i] in _SUPERS):
            sup, i = _script(s, i, "^", _SUPERS)
        elif sub is None and (s.startswith("_", i) or i < len(s) and s[i] in _SUBS):
            sub, i = _script(s, i, "_", _SUBS)
    if s[i:].strip():
        raise ParseError(f"cannot read '{s[i:].strip()}' after the set in '{whole}'")
    positive = sub is not None and re.sub(r"[{}\s]", "", sub) in _POSITIVE
    if sub is not None and not positive:
        raise ParseError(f"cannot read the subscript '{sub}' of the set '{whole}' (ℝ₊ or ℝ_{{>0}}: positive)")
    dims = _dims(sup, whole) if sup else []
    if field == "S":
        if len(dims) != 1 and not (len(dims) == 2 and dims[0] == dims[1]):
            raise ParseError(f"'{whole}': a set of symmetric matrices takes one size, 𝕊ⁿ")
        return ("spd" if sub and "++" in sub else "symmetric") + f"({dims[0]})"
    if len(dims) > 2:
        raise ParseError(f"'{whole}': matcalc has scalars, vectors and matrices (at most two sizes)")
    kind = ("scalar" if not dims else f"vector({dims[0]})" if len(dims) == 1 or dims[1] == "1"
            else f"matrix({dims[0]}, {dims[1]})")
    return kind + (" positive" if positive else "")


def set_declarations(text: str) -> list[tuple[str, str]]:
    """(name, type text) pairs of `x, y ∈ ℝⁿ, A ∈ ℝ^{n×n}`: commas outside braces separate the names
    of one declaration and the declarations."""
    pieces, depth, start = [], 0, 0
    for i, ch in enumerate(text + ","):
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if ch == "," and depth == 0:
            pieces.append(text[start:i].strip().strip("$").strip())
            start = i + 1
    out, names = [], []
    for piece in pieces:
        mark = next((m for m in IN if m in piece), None)
        if mark is None:
            names.append(piece)
            continue
        name, kind = piece.split(mark, 1)
        out += [(n, set_type(kind)) for n in names + [name.strip()] if n]
        names = []
    if names:
        raise ParseError(f"'{', '.join(names)}' needs a set after it (x ∈ ℝⁿ)")
    return out
