"""How students write math, turned into what ``matcalc.language.parse`` reads.

Text preparation only, no algebra: ``X^{-T}`` and ``X⁻ᵀ`` become ``X^{-1}^T``; in a
derivation ``dX``, ``\\mathrm{d}X``, ``d\\mathbf{x}`` become ``d(X)`` (in LaTeX ``dX`` would
otherwise read as d times X); ``\\left( … \\right)`` lose their sizing commands;
annotations (``[product rule]``, ``\\text{…}``, ``\\quad …``, ``# …``) are dropped; and a
derivation is split into labelled segments at its ``=`` signs.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from matcalc.language.printers import show_name
from matcalc.language.syntax import GREEK_UNICODE, is_greek, read_name
from matcalc.language.syntax import function_name as builtin_function
from matcalc.language.tokens import SUBSCRIPTS

_SUBSCRIPT_OF = {v: k for k, v in SUBSCRIPTS.items()}

GREEK_LETTER = {name: letter for letter, name in GREEK_UNICODE.items()}

_SIZING = re.compile(r"\\(?:left|right|bigl?|bigr|Bigl?|Bigr|biggl?|biggr)(?![A-Za-z])\s*")
_TEXT = re.compile(r"\\(?:text|textrm|textit|mbox|tag)\s*\{([^{}]*)\}")
_QUAD_TAIL = re.compile(r"\\q?quad(?![A-Za-z]).*$")
_REASON_TAIL = re.compile(r"(?:^|\s)(?:\\because|∵).*$")  # `… \because tr(AB) = tr(BA)`: a reason
_DASH_TAIL = re.compile(r"\s(—|–|--)\s*(.*)$")  # `…   — since X is constant`
_WORD_TAIL = re.compile(r"(?:(?:,|\s{2})\s*(?:by|using|via|as|from|recall)|\s(?:since|because))\s+\S.*$", re.I)
_THEREFORE = re.compile(r"^\s*(?:\\therefore|∴|\\Rightarrow|\\implies|\\Longrightarrow|⇒|⟹|=>)"
                        r"(?:\s|\\[,;:! ]|\\q?quad(?![A-Za-z]))*")
_COEFFICIENT = re.compile(r"(?<![\w.\\])(\d+(?:\.\d+)?)(?=[A-Za-z])(?![eE][-+]?\d)")  # 2Ax: 2 Ax
_HASH_NOTE = re.compile(r"(?:\s#|(?<!\\)%).*$")
_CLOSE = {")": "(", "]": "["}


def normalize(text: str) -> str:
    """Rewrite notations the parser does not read into ones it does (LaTeX spacing, sizing commands,
    a coefficient written against a product: ``2Ax`` is ``2 Ax``, which the parser splits into declared names);
    ``X^{-T}`` and ``X⁻ᵀ`` stay: the parser reads them, so a claim is shown back as written."""
    text = re.sub(r"(?<!\\)\\[,;:! ]", " ", text)
    text = text.replace("^{\\top}", "^\\top")
    text = re.sub("(?<![⁻⁰¹²³⁴-⁹])([²³])", lambda m: "^" + str("²³".index(m.group(1)) + 2), text)  # X⁻² stays
    text = _COEFFICIENT.sub(r"\1 ", text)
    text = _SIZING.sub("", text)
    return text


def strip_annotations(line: str) -> str:
    """Drop a line's justification: ``[product rule]``, ``(tr(Mᵀ) = tr(M))``, ``\\text{(chain rule)}``,
    ``\\text{since } …``, ``\\quad …``, ``— since …``, ``\\because …``, ``# …``, and a leading ``\\therefore``."""
    line = line.split("&&")[0]
    line = _THEREFORE.sub("", line)
    line = _TEXT.sub(_text_group, line)
    line = line.split(_PROSE)[0]
    for tail in (_QUAD_TAIL, _REASON_TAIL, _HASH_NOTE, _WORD_TAIL):
        line = tail.sub("", line)
    if (m := _DASH_TAIL.search(line)) and (m.group(1) == "—" or _prose(m.group(2))):
        line = line[:m.start()]
    line = line.rstrip(" ,.;")
    while (group := _trailing_group(line)) and _is_note(line[group[0]:], group[1]):
        line = line[:group[0]].rstrip(" ,.;")
    line = line.replace("&", " ").strip()
    line = re.sub(r"\\\\\s*$", "", line).strip()
    return line.strip(" ,.;$")


_PROSE = "\x00"  # where a justification written in \text{…} starts


def _text_group(m: re.Match[str]) -> str:
    """``\\text{d}``, ``\\text{tr}``: math, kept; ``\\text{ }``: dropped; prose (``\\text{since }``,
    ``\\text{(product rule)}``) starts the justification: the rest of the line goes."""
    inside = m.group(1).strip()
    if inside == "d" or builtin_function(inside):
        return m.group(0)
    return _PROSE if re.search(r"[^\W\d_]", inside) else " "


def _prose(text: str) -> bool:
    """Words, not math: a word of three letters or more that names no function, or a letter of
    another script."""
    return bool(_words(text)) or _foreign(text)


def _words(text: str) -> list[str]:
    """The English words in text: runs of three letters or more that are no LaTeX command (\\odot),
    no part of a name (x_hat), no function (tr, relu) and no Greek letter's name."""
    return [w for w in re.findall(r"(?<![\\A-Za-z0-9_])[A-Za-z]{3,}(?![A-Za-z0-9_(])", text)
            if not builtin_function(w) and not is_greek(w)]


def _foreign(text: str) -> bool:
    """A letter of a language other than English or Greek (`곱의 법칙`, `règle`), not a typeset symbol (ᵀ, ₁, 𝟙)."""
    return any(c.isalpha() and not c.isascii() and unicodedata.category(c) in ("Lu", "Ll", "Lo")
               and not re.match(r"[α-ωΑ-Ωϵϑϕℓ]", c) and "MATHEMATICAL" not in unicodedata.name(c, "")
               for c in text)


def _trailing_group(line: str) -> tuple[int, bool] | None:
    """Where a bracketed group ending the line starts (brackets inside it balanced: `(tr(Mᵀ) = tr(M))`),
    and whether two spaces or more precede it; None when the line does not end so or the group is
    the whole line or not set off by a space."""
    if not line or line[-1] not in _CLOSE:
        return None
    close, depth = line[-1], 0
    for i in range(len(line) - 1, -1, -1):
        depth += (line[i] == close) - (line[i] == _CLOSE[close])
        if depth == 0:
            before = line[:i]
            if not before.strip() or not before[-1:].isspace():
                return None
            return i, before.endswith("  ")
    return None


def _is_note(group: str, spaced: bool) -> bool:
    """True when a bracketed group ending a line is a justification, not math: it has letters of a
    language other than English or Greek (`[곱의 법칙]`), two words (`(product rule)`), one word of
    four letters or more (`(adjoint)`) or in square brackets or after two spaces (`[sum]`), an `=`,
    or it is in square brackets after two spaces (matcalc's rule labels). Function names are math."""
    inside = group[1:-1]
    if spaced and group[0] == "[" or "=" in inside:  # `   [<G, A B> = <G Bᵀ, A>]`: a rule
        return True
    if _foreign(inside):
        return True
    words = _words(inside)
    return len(words) >= 2 or bool(words) and (spaced or group[0] == "[" or len(words[0]) > 3)


def spellings(name: str) -> str:
    """A pattern for a variable's name as written: `Sigma`, `\\Sigma`, `Σ`, `\\mathbf{x}`."""
    n = re.escape(name)
    alternatives = [rf"\\(?:mathbf|boldsymbol|bm|mathrm|mathit)\{{{n}\}}", n]
    base, _, sub = name.partition("_")
    if sub and all(c in _SUBSCRIPT_OF for c in sub):  # W_1 written W₁
        alternatives.append(re.escape(base + "".join(_SUBSCRIPT_OF[c] for c in sub)))
    head = re.match(r"[A-Za-z]+", name)
    if head and is_greek(head.group()):
        rest = re.escape(name[head.end():])
        alternatives += [rf"\\{head.group()}{rest}", re.escape(GREEK_LETTER[head.group()]) + rest]
    return "(" + "|".join(alternatives) + ")"


def differentials(text: str, names: list[str]) -> str:
    """``dX``, ``d X``, ``\\mathrm{d}X``, ``d\\mathbf{X}`` -> ``d(X)`` for the given variable names;
    ``\\mathrm{d}(`` -> ``d(``."""
    text = re.sub(r"\\(?:mathrm|text|operatorname|mathit)\{d\}\s*", "d", text)
    text = _wrap_applied(text)
    for name in sorted(names, key=len, reverse=True):
        text = re.sub(rf"(?<![A-Za-z0-9_\\])d\s*{spellings(name)}(?![A-Za-z0-9_])", r"d(\1)", text)
    return text


_D_CALL = re.compile(r"(?<![A-Za-z0-9_\\])d\s*(\\(?:operatorname|mathrm)\{[A-Za-z]+\}|\\?[A-Za-z]+)\s*\(")


def _wrap_applied(text: str) -> str:
    """``d\\exp(X b)`` and ``d tr(A X)`` -> ``d(\\exp(X b))``: a differential applied without parentheses."""
    out, pos = [], 0
    for m in _D_CALL.finditer(text):
        if m.start() < pos or m.group(1).lstrip("\\") == "d" or builtin_function("d" + m.group(1).lstrip("\\")):
            continue  # det(X) is no differential
        depth, end = 0, None
        for i in range(m.end() - 1, len(text)):
            depth += {"(": 1, ")": -1}.get(text[i], 0)
            if depth == 0:
                end = i + 1
                break
        if end is None:
            continue
        out.append(text[pos:m.start()] + "d(" + text[m.start() + 1:end].lstrip() + ")")
        pos = end
    return "".join(out) + text[pos:]


_VARIABLE = (r"(?:\\(?:mathbf|boldsymbol|bm|mathrm)\{)?\\?"
             r"([A-Za-zα-ωΑ-Ω][A-Za-z0-9]*(?:_(?:\{[A-Za-z0-9]+\}|[A-Za-z0-9]+)|[₀-₉]+)?)")
GRADIENT_LABEL = re.compile(
    r"^\s*(?:∇|\\nabla|grad|nabla)\s*_\s*\{?\s*" + _VARIABLE
    + r"|^\s*\\[dt]?frac\{\s*\\partial[^}]*\}\{\s*\\partial\s*" + _VARIABLE
    + r"|^\s*\\partial\s*\w+\s*/\s*\\partial\s*" + _VARIABLE
    + r"|^\s*∂\s*\w+\s*/\s*∂\s*" + _VARIABLE
    + r"|^\s*∇\s*([ₐₑₒₓₕₖₗₘₙₚₛₜᵢⱼ])")  # ∇ₓf
DIFFERENTIAL_LABEL = re.compile(
    r"^\s*(?:d|\\mathrm\{d\}|\\text\{d\}|\\operatorname\{d\})\s*"
    r"(?:\\mathcal\{\w+\}|\\ell|\\[A-Za-z]+|[A-Za-zℓα-ω][A-Za-z0-9_]*)\s*(?:\([^()]*\))?\s*$")


def function_name(label: str) -> str:
    """The function a label names: f in `df`, `∇_X f`, `∂f/∂X`; L in `d\\mathcal{L}`; ℓ for `\\ell`."""
    for pattern in (r"\\mathcal\{(\w+)\}", r"\\partial\s*(\w+)\s*\}\s*\{", r"(?:∂|\\partial)\s*(\w+)\s*/"):
        m = re.search(pattern, label)
        if m:
            return m.group(1)
    if "\\ell" in label or "ℓ" in label:
        return "ℓ"
    m = GRADIENT_LABEL.match(label)
    rest = label[m.end():] if m else re.sub(r"^\s*(?:\\mathrm\{d\}|\\text\{d\}|\\operatorname\{d\}|d)", "", label)
    words = re.findall(r"(?<!\\)\b[A-Za-z]\w*", rest)
    return words[-1 if m else 0] if words else "f"


def unicode_label(label: str, variable: str = "") -> str:
    """A line's label the same way whatever the notation: `df`, `dL`, `∇_X f`."""
    if not label:
        return ""
    if variable:
        return f"∇_{show_name(variable, 'unicode')} {function_name(label)}"
    if DIFFERENTIAL_LABEL.match(label):
        return "d" + function_name(label)
    return label


@dataclass
class Segment:
    """One equality of a derivation: its label (``df``, ``∇_X f`` or empty), the expression, its source line."""

    label: str
    text: str
    source_line: int
    gradient_of: str = ""  # the variable, for a ∇_X f line


def gradient_variable(label: str) -> str:
    """X for ``∇_X f``, ``\\nabla_{\\mathbf{X}} f``, ``grad_X f``, ``\\frac{\\partial f}{\\partial X}``; else ''."""
    m = GRADIENT_LABEL.match(label)
    return read_name(SUBSCRIPTS.get(name, name)) if m and (name := next(g for g in m.groups() if g)) else ""


def _split_top(text: str) -> list[str]:
    """Split at '=' signs outside brackets."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch in "([{⟨":
            depth += 1
        elif ch in ")]}⟩":
            depth -= 1
        elif ch == "=" and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


def segments(text: str) -> list[Segment]:
    """A derivation (one equality per line, or chained ``a = b = c``; LaTeX rows split at ``\\\\``)
    as labelled segments, each with the number of the text line it is on."""
    out: list[Segment] = []
    for number, raw in _rows(text):
        raw = re.sub(r"\\(?:begin|end)\{(?:aligned|align\*?|eqnarray\*?|split|gather\*?)\}", " ", raw)
        for piece in raw.replace("$$", " ").split("\\\\"):
            out += _segments_of(strip_annotations(piece.replace("$", " ")), number)
    return out


_CONTINUES = re.compile(r"^\s*&?\s*(?:\\q?quad\s*)*(?:[+\-−]|\\cdot|\\odot|\\otimes|⊙)")
_OPENS = re.compile(r"\\langle(?![A-Za-z])|(?<!\\)[(\[⟨]")
_CLOSES = re.compile(r"\\rangle(?![A-Za-z])|(?<!\\)[)\]⟩]")


def _rows(text: str) -> list[tuple[int, str]]:
    """The text's lines with their numbers; a long row wrapped in the source (the next line starts
    with `+` or `-`, or a bracket is still open) is joined to the row before it, unless that row
    ended with `\\\\` or the next line starts a new one (`=`, `&=`)."""
    rows: list[tuple[int, str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        last = rows[-1][1] if rows else ""
        opened = len(_OPENS.findall(last)) > len(_CLOSES.findall(last))
        if (last.strip() and not last.rstrip().endswith("\\\\") and not re.match(r"\s*&?\s*=", line)
                and (opened or _CONTINUES.match(line))):
            rows[-1] = (rows[-1][0], last + " " + line.replace("&", " "))
        else:
            rows.append((number, line))
    return rows


def _segments_of(line: str, number: int) -> list[Segment]:
    if not line or re.match(r"where\b", line):  # `where Y = …`: a definition listed after a result
        return []
    parts = _split_top(line)
    first = parts[0].strip()
    label = ""
    if len(parts) > 1 and (not first or DIFFERENTIAL_LABEL.match(first) or gradient_variable(first)):
        label = first
        parts = parts[1:]
    elif len(parts) > 1 and re.fullmatch(r"[A-Za-z]\w*(\([^()]*\))?", first):
        label = first  # `f = ...`: a name being defined or the function itself
        parts = parts[1:]
    grad_var = gradient_variable(label) if label else ""
    return [Segment(label if k == 0 else "", part.strip(), number, grad_var if k == 0 else "")
            for k, part in enumerate(parts) if part.strip()]
