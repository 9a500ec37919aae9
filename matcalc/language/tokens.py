"""Tokens of a formula, and the layout of its items (definitions, the formula, declarations).

``tokenize`` cuts text into commands (``\\exp``), letters (one each: in LaTeX and typeset
Unicode ``Xb`` is two letters), numbers (``2.5``, ``1e-3``), operators and brackets, with the
source position of each. ``layout`` finds the items: definitions before or after the formula
(``⟨Y, MY⟩, Y = σ(WX)``, ``… where Y = σ(WX)``), a head (``f(X) = …``, ``L = …``) and the
declarations of a ``where`` clause.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from matcalc.algebra.shapes import ParseError
from matcalc.language.sets import IN

_TOKEN = re.compile(r"""
 (?P<cmd>\\[A-Za-z]+|\\.)
|(?P<num>(?:\d+(?:\.(?![\^*/])\d*)?|\.\d+)(?:[eE][-+]?\d+)?)
|(?P<op>\.\*|\./|\.\^|\*\*|\|\||:=|\.T(?![A-Za-z0-9_]))
|(?P<letter>[A-Za-zα-ωΑ-Ωϵϑϕℓ][\u0300-\u036f]*)
|(?P<sub>[₀-₉ₐₑₒₓₕₖₗₘₙₚₛₜᵢⱼ]+)
|(?P<newline>\n)
|(?P<space>[ \t\r\f]+)
|(?P<char>.)""", re.X | re.S)

SUBSCRIPTS = dict(zip("₀₁₂₃₄₅₆₇₈₉ₐₑₒₓₕₖₗₘₙₚₛₜᵢⱼ", "0123456789aeoxhklmnpstij"))
MARKS = {"\u0302": "hat", "\u0303": "tilde", "\u0304": "bar", "\u0305": "bar", "\u0307": "dot"}
SPACING = {"\\,", "\\;", "\\:", "\\!", "\\ ", "\\quad", "\\qquad", "\\left", "\\right", "\\big", "\\Big",
           "\\bigl", "\\bigr", "\\Bigl", "\\Bigr", "\\biggl", "\\biggr", "\\displaystyle", "\\textstyle", "$"}
TEXT_COMMANDS = {"\\text", "\\textrm", "\\mbox", "\\mathrm", "\\operatorname", "\\textit", "\\mathit", "\\mathsf"}
MATH_LETTERS = ("\U0001d400", "\U0001d7cb")  # the bold, italic, script… letters (digits, 𝟙 among them, after)
OPENERS = {"(": ")", "[": "]", "{": "}", "\\{": "\\}"}


@dataclass(frozen=True)
class Tok:
    """One token: its kind, its text, where it is, and whether space came before it."""

    kind: str  # cmd | num | op | letter | sub | newline | char
    text: str
    start: int
    end: int
    gap: bool = False


def tokenize(text: str) -> list[Tok]:
    """The tokens of text (spaces dropped, remembered as ``gap``); a precomposed ŷ is y + a hat."""
    out: list[Tok] = []
    gap = False
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        if kind == "space":
            gap = True
            continue
        s = m.group()
        if kind == "char" and s.isalpha() and len(unicodedata.normalize("NFD", s)) == 2:
            base, mark = unicodedata.normalize("NFD", s)
            kind, s = ("letter", base + mark) if mark in MARKS else (kind, s)
        elif kind == "char" and s.isalpha() and MATH_LETTERS[0] <= s <= MATH_LETTERS[1]:
            kind, s = "letter", unicodedata.normalize("NFKC", s)  # 𝐱, 𝑨, 𝛍 (copied from a PDF): x, A, μ
        elif s == "∑":
            kind, s = "cmd", "\\sum"  # ∑ x is read as \sum x
        out.append(Tok(kind, s, m.start(), m.end(), gap))
        gap = kind == "newline"
    return out


def letter_name(tok: Tok) -> str:
    """A letter token as a name: `y` + combining hat is y_hat."""
    return tok.text[0] + "".join("_" + MARKS[m] for m in tok.text[1:] if m in MARKS)


def closing(toks: list[Tok], i: int) -> int:
    """The index of the bracket closing the one at i (an error when there is none)."""
    opener = toks[i].text
    closer = OPENERS[opener]
    depth = 0
    for j in range(i, len(toks)):
        if toks[j].text == opener:
            depth += 1
        elif toks[j].text == closer:
            depth -= 1
            if depth == 0:
                return j
    raise ParseError(f"'{opener}' is never closed", (toks[i].start, toks[i].end))


def group_text(toks: list[Tok], i: int) -> tuple[str, int]:
    """The raw text of a `{…}` group (or of the single token) at i, and the index after it."""
    if i < len(toks) and toks[i].text == "{":
        j = closing(toks, i)
        return "".join(t.text if not t.gap else " " + t.text for t in toks[i + 1:j]).strip(), j + 1
    if i < len(toks):
        return toks[i].text, i + 1
    return "", i


# ---------------------------------------------------------------- items


@dataclass
class Item:
    """One item of a formula: a token range and what it is."""

    kind: str  # expr | def | decl
    toks: list[Tok]
    lhs: list[Tok] = field(default_factory=list)  # a definition's left side
    after: bool = False  # written after the formula (or after `where`)


def _is_where(toks: list[Tok], i: int) -> int:
    """The number of tokens of a `where` at i (`where`, `\\text{where}`, `\\quad\\text{where}`), else 0."""
    t = toks[i]
    starts_word = i == 0 or toks[i - 1].kind != "letter" or t.gap
    if starts_word and t.kind == "letter" and "".join(x.text for x in toks[i:i + 5]) == "where" and \
            all(not x.gap for x in toks[i + 1:i + 5]) and (i + 5 == len(toks) or toks[i + 5].kind != "letter"
                                                             or toks[i + 5].gap):
        return 5
    if t.text in TEXT_COMMANDS and i + 1 < len(toks) and toks[i + 1].text == "{":
        inner, after = group_text(toks, i + 1)
        if inner.replace(" ", "") in ("where", ",where", "where:"):
            return after - i
    return 0


def _defines(toks: list[Tok], i: int) -> bool:
    """True when the tokens from i read `name =` (or `f(x) =`): a definition starts there."""
    depth = 0
    for j in range(i, min(len(toks), i + 16)):
        t = toks[j]
        if t.text in ("=", ":=") and depth == 0:
            return j > i and (j + 1 == len(toks) or toks[j + 1].text != "=")
        if t.text in ("(", "{", "\\{"):
            depth += 1
        elif t.text in (")", "}", "\\}"):
            depth -= 1
        elif depth == 0 and not (t.kind in ("letter", "num", "sub", "cmd") or t.text in ("_", "'", "^")):
            return False
    return False


def declares(toks: list[Tok], i: int) -> bool:
    """True when the tokens from i read `x, y \\in …` (names, then ∈): a declaration starts there.
    A name is written without spaces inside (`W_1`, `\\mathbf{x}`, `\\Sigma`); `A x` and `x^T` are no names."""
    depth, fresh = 0, True  # fresh: a name may start here
    for j in range(i, min(len(toks), i + 24)):
        t = toks[j]
        if t.text in IN and depth == 0:
            return j > i
        if t.gap and depth == 0 and not fresh and t.text != ",":
            return False
        fresh = t.text == ","
        if t.text == "^" and depth == 0 and re.fullmatch(r"[\[(]\w+[\])]", group_text(toks, j + 1)[0]):
            continue  # W^{(1)} ∈ …: a layer label is part of the name
        if t.text == "{":
            depth += 1
        elif t.text == "}":
            depth -= 1
        elif depth == 0 and not (t.kind in ("letter", "num", "sub", "cmd") or t.text in ("_", ",")):
            return False
    return False


def _declares_any(toks: list[Tok], i: int) -> bool:
    """True when the tokens from i read `x, y ∈ …` or `x, y: …` (names, then ∈ or a colon)."""
    if declares(toks, i):
        return True
    for j in range(i, min(len(toks), i + 24)):
        if toks[j].text == ":":
            return j > i and (j + 1 == len(toks) or toks[j + 1].text != "=")
        if not (toks[j].kind in ("letter", "num", "sub", "cmd") or toks[j].text in ("_", ",", "{", "}")):
            return False
    return False


def layout(toks: list[Tok]) -> list[Item]:
    """Split tokens into items at `;`, new lines, `where`, and a top-level comma (or `\\quad`)
    that starts a definition or a declaration; each item is a definition, a declaration or an expression."""
    pieces: list[tuple[list[Tok], bool]] = []
    current: list[Tok] = []
    depth, after, listing = 0, False, _declares_any(toks, 0)  # listing: the names of `x, y ∈ …` so far
    i = 0
    while i < len(toks):
        t = toks[i]
        n = _is_where(toks, i) if depth == 0 else 0
        ahead = skip_space(toks, i + (n or 1))
        split = depth == 0 and (t.text == ";" or t.kind == "newline" or n or t.text in (",", "\\quad", "\\qquad") and (
            _defines(toks, ahead) or _declares_any(toks, ahead) and not (listing and t.text == ",")))
        if split:
            pieces.append((current, after))
            current = []
            after = after or bool(n) or t.text != ";" and t.kind != "newline"
            i += n or 1
            listing = _declares_any(toks, ahead)
            continue
        listing = listing and t.text not in IN and t.text != ":"
        if t.text in OPENERS or t.text in ("\\langle", "⟨"):
            depth += 1
        elif t.text in OPENERS.values() or t.text in ("\\rangle", "⟩"):
            depth -= 1
        current.append(t)
        i += 1
    pieces.append((current, after))
    return [_classify(p, a) for p, a in pieces if [t for t in p if t.text not in SPACING]]


def skip_space(toks: list[Tok], i: int) -> int:
    while i < len(toks) and toks[i].text in SPACING:
        i += 1
    return i


def _classify(toks: list[Tok], after: bool) -> Item:
    toks = toks[skip_space(toks, 0):]
    depth = 0
    for j, t in enumerate(toks):
        if t.text in OPENERS:
            depth += 1
        elif t.text in OPENERS.values():
            depth -= 1
        elif depth == 0 and (t.text == ":" and (j + 1 == len(toks) or toks[j + 1].text != "=") or t.text in IN):
            return Item("decl", toks, after=after)
    if _defines(toks, 0):
        j = next(k for k, t in enumerate(toks) if t.text in ("=", ":="))
        return Item("def", toks[j + 1:], toks[:j], after)
    return Item("expr", toks, after=after)


# ---------------------------------------------------------------- token classes of typeset notation

TRANSPOSES = {"T", "\\top", "\\intercal", "\\mathsf{T}", "\\mathrm{T}", "\\mathsf T", "\\rm T", "⊤", "ᵀ"}
BARS = {"\\|", "‖", "||", "\\Vert", "\\lVert", "\\rVert"}
ANGLES = {"\\langle": "⟨", "⟨": "⟨", "<": "⟨"}
CLOSE_ANGLES = {"\\rangle", "⟩", ">"}
SUPERSCRIPTS_UP = set("ᵀ⁻⁰¹²³⁴⁵⁶⁷⁸⁹⊤")
STOPS = {"+", "-", "=", ",", ";", ")", "]", "}", "\\}", "&", "\\\\", "<", ">", "|"} | CLOSE_ANGLES | BARS
NAME = re.compile(r"[A-Za-zα-ωΑ-Ω][A-Za-z0-9_α-ωΑ-Ω]*")
