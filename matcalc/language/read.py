"""Which notation a formula is written in, and the text the grammar reads for it.

``prepare`` lays out the items (definitions before or after the formula, a head such as
``f(X) =`` or ``L =``, the ``where`` clause), then writes each one: plain text as it is
(names are words), LaTeX and typeset Unicode by their own rules (``typeset.py``). The result
keeps, for every character, the source position it came from, so an error's caret points
into what the user wrote, and lists the guesses made (``Xb`` read as ``X b``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from matcalc.algebra.shapes import MatcalcError
from matcalc.language.bare import bare_calls
from matcalc.language.declarations import where_items
from matcalc.language.sets import IN, set_type
from matcalc.language.syntax import function_name
from matcalc.language.tokens import MATH_LETTERS, NAME, SPACING, Item, Tok, layout, skip_space, tokenize
from matcalc.language.typeset import Out, Typeset

NOTATIONS = ("text", "unicode", "latex")
_TYPESET = set("∑ᵀ⁻¹²³⁴⁵⁶⁷⁸⁹⊙∘‖⟨⟩·∇∂⊤𝟙½√−₀₁₂₃₄₅₆₇₈₉ᵢⱼₙₘₖ′") | {"\u0302", "\u0303", "\u0304", "ŷ", "x̄"}

# LaTeX written without a backslash: `AB^{-1}C`, `x^TAx`, `A^TB`, `W_1x`, `x_{i}`
_LATEX_HABITS = re.compile(r"[\^_]\{|\^T[A-Za-z(]|\^-?1[A-Za-z(]|_\d[A-Za-z]")
_WORD = re.compile(r"(?<![A-Za-z0-9_\\'.])([A-Za-z][A-Za-z0-9]*)(?![A-Za-z0-9_(])")
_CAPITALS = re.compile(r"[A-Z]{2,3}")


def notation_of(text: str, notation: str | None = None) -> str:
    """`latex` when the text has a backslash, `unicode` when it has typeset characters (ᵀ, ‖, ⊙, ₁, −, |Σ|),
    else `text`; an explicit notation wins."""
    if notation is not None:
        if notation not in NOTATIONS:
            raise MatcalcError(f"unknown notation '{notation}' (use one of: {', '.join(NOTATIONS)})")
        return notation
    if "\\" in text or _LATEX_HABITS.search(text):
        return "latex"
    typeset = any(ch in _TYPESET or MATH_LETTERS[0] <= ch <= MATH_LETTERS[1] for ch in text) \
        or re.search(r"(?<!\|)\|(?!\|)", text)  # |Σ|: a bar alone
    return "unicode" if typeset else "text"


@dataclass
class Prepared:
    """The grammar's text, the source position of each of its characters, and the guesses made."""

    text: str
    origin: list[int]
    guesses: list[str] = field(default_factory=list)
    notation: str = "text"
    bold: set[str] = field(default_factory=set)  # names written bold: vectors

    def span(self, span: tuple[int, int] | None, source: str) -> tuple[int, int] | None:
        """A span in the grammar's text as a span in the source."""
        if span is None or not self.origin:
            return span
        last = len(self.origin) - 1
        start = self.origin[min(span[0], last)] if span[0] <= last else len(source)
        end = self.origin[min(max(span[1] - 1, span[0]), last)] + 1 if span[0] <= last else len(source)
        return start, max(end, start + 1)


def prepare(source: str, notation: str, names: set[str], derivation: bool = False) -> Prepared:
    """The text the grammar reads for source (see the module docstring); ``names`` are declared."""
    text = source.replace("−", "-").replace("′", "'")  # same length: positions are kept
    toks = tokenize(text)
    items = layout(toks)
    defs = [it for it in items if it.kind == "def"]
    exprs = [it for it in items if it.kind == "expr"]
    decls = [it for it in items if it.kind == "decl"]
    head = None
    if not exprs and defs:  # a head: `f(X) = …`, `L = …` (the definition no other item uses)
        head = _head(defs)
        defs.remove(head)
        exprs = [Item("expr", head.toks)]
    functions = {_function_def(it.lhs)[0] for it in defs if _function_def(it.lhs)}
    out, guesses = Out(), []
    writer = _Writer(text, notation, out, guesses, derivation, functions)
    known = set(names) | {n for it in decls for n, _ in writer.declared(it)[0]}
    known |= {writer.lhs_name(it.lhs) for it in defs if not _function_def(it.lhs)}
    writer.names = known
    if head is not None:
        _check_head(writer, head)
    for it in defs:
        fdef = _function_def(it.lhs)
        if fdef:
            out.put(f"{fdef[0]}({fdef[1]})", it.lhs[0].start, it.lhs[-1].end)
        else:
            out.put(writer.lhs_name(it.lhs), it.lhs[0].start, it.lhs[-1].end)
        out.put(" = ", it.lhs[-1].end)
        writer.write(it.toks, it.lhs[-1])
        out.put("; ", it.lhs[-1].end)
    for k, it in enumerate(exprs):
        writer.write(it.toks, None)
        if k < len(exprs) - 1:
            out.put("; ", it.toks[-1].end)
    if decls:
        out.put(" where ", decls[0].toks[0].start)
        for k, it in enumerate(decls):
            writer.declaration(it)
            if k < len(decls) - 1:
                out.put("; ", it.toks[-1].end)
    return Prepared(out.text, out.origin, guesses, notation, out.bold)


def _declared_split(word: str, names: set[str]) -> list[str] | None:
    """`Xb` as X, b when both are declared (and `Xb` is not): the fewest declared names that spell word."""
    if len(word) > 64:  # no formula runs that many declared names together; keeps the search small
        return None
    best: dict[int, list[str] | None] = {len(word): []}
    for i in range(len(word) - 1, -1, -1):
        options = [[word[i:j]] + best[j] for j in range(i + 1, len(word) + 1)
                   if word[i:j] in names and best[j] is not None and not word[j:j + 1].isdigit()]
        best[i] = min(options, key=len) if options else None
    return best[0] if best[0] is not None and len(best[0]) > 1 else None


def _raw(text: str, toks: list[Tok]) -> str:
    return text[toks[0].start:toks[-1].end] if toks else ""


def _function_def(lhs: list[Tok]) -> tuple[str, str] | None:
    """(g, t) for a left side `g(t)` (an elementwise function definition)."""
    m = re.fullmatch(r"([A-Za-z][A-Za-z0-9_]*)\(([A-Za-z][A-Za-z0-9_]*)\)", "".join(t.text for t in lhs))
    return (m.group(1), m.group(2)) if m else None


def _head(defs: list[Item]) -> Item:
    """The definition that is the formula: the last one whose name no other definition uses."""
    used = {t.text.lstrip("\\") for it in defs for t in it.toks if t.kind in ("letter", "cmd")}
    unused = [it for it in defs if not any(t.text.lstrip("\\") in used for t in it.lhs[:1])]
    return (unused or defs)[-1]


def _check_head(writer: _Writer, head: Item) -> None:
    """A head is a name (`L = …`) or a call (`f(X) = …`); anything else (`x^T x = 3`) is an equation."""
    if any(t.text == "(" for t in head.lhs):
        return
    try:
        writer.lhs_name(head.lhs)
    except MatcalcError:
        left = _raw(writer.text, head.lhs)
        raise MatcalcError(f"'{left} = …' is an equation, not a function\n  hint: write the expression alone "
                           f"({left}), or name it first: f = {left}", (head.lhs[0].start, head.lhs[-1].end),
                           writer.text) from None


class _Writer:
    """Writes items: plain text as it is, LaTeX and Unicode through ``Typeset``."""

    def __init__(self, text: str, notation: str, out: Out, guesses: list[str], derivation: bool,
                 functions: set[str]):
        self.text, self.notation, self.out, self.guesses = text, notation, out, guesses
        self.derivation, self.functions = derivation, functions
        self.names: set[str] = set()

    def write(self, toks: list[Tok], after: Tok | None) -> None:
        """One expression."""
        if not toks:
            at = after.end if after else len(self.text)
            raise MatcalcError("an expression is missing", (at, at + 1), self.text)
        if self.notation == "text":
            return self.plain(toks[0].start, toks[-1].end)
        Typeset(toks, self.out, self.names, self.functions, self.derivation, self.guesses,
                self.notation == "latex").sequence()

    def plain(self, start: int, end: int) -> None:
        """Plain text as written (names are words), but for a run of two or three capitals (`QK^T`):
        a product of matrices, unless declared; and a function written without parentheses
        (`log det X`): parentheses around the product after it (``bare.py``)."""
        edits, guesses = bare_calls(self.text, start, end, self.names | self.functions)
        pos = start
        for m in _WORD.finditer(self.text, start, end):
            word = m.group(1)
            if word in self.names or function_name(word):
                continue
            pieces = _declared_split(word, self.names)
            why = "declared names written together are a product"
            if not pieces and _CAPITALS.fullmatch(word):
                pieces, why = list(word), "capitals written together are a product"
            if not pieces:
                continue
            offset = m.start()
            for piece in pieces:
                edits.append((offset, " " + piece, offset + len(piece)))
                offset += len(piece)
            self.guesses.append(f"{word} → {' '.join(pieces)} ({why})")
        for at, piece, *upto in sorted(edits, key=lambda e: (e[0], e[1] == "(")):
            self.raw(pos, at)
            self.out.put(piece, min(at, len(self.text) - 1))
            pos = upto[0] if upto else at
        self.raw(pos, end)
        self.guesses.extend(guesses)

    def raw(self, start: int, end: int) -> None:
        """The source text from start to end, as written."""
        if end > start:
            self.out.parts.append(self.text[start:end])
            self.out.origin.extend(range(start, end))

    def declared(self, it: Item) -> tuple[list[tuple[str, Tok]], int | None]:
        """The names a declaration declares (each with its first token), and the index of its ∈
        (None for `name: type`)."""
        at = next((j for j, t in enumerate(it.toks) if t.text in IN), None)
        if at is None:  # x: vector(n), A: matrix(n, n)
            try:
                return [(name, it.toks[0]) for name, _ in where_items(_raw(self.text, it.toks))], None
            except MatcalcError:  # the grammar says what is wrong, with a caret
                return [], None
        groups: list[list[Tok]] = [[]]
        for t in it.toks[skip_space(it.toks, 0):at]:
            groups.append([]) if t.text == "," else groups[-1].append(t) if t.text not in SPACING else None
        if not all(groups):
            raise MatcalcError("a name is missing before '∈'", (it.toks[at].start, it.toks[at].end), self.text)
        return [(self.lhs_name(g), g[0]) for g in groups], at

    def declaration(self, it: Item) -> None:
        """A declaration: `name: type` as written, `X \\in \\mathbb{R}^{n \\times m}` as `X: matrix(n, m)`."""
        names, at = self.declared(it)
        if at is None:
            return self.raw(it.toks[0].start, it.toks[-1].end)
        if at + 1 >= len(it.toks):
            raise MatcalcError("a set is missing after '∈'", (it.toks[at].start, it.toks[at].end), self.text)
        start, end = it.toks[at + 1].start, it.toks[-1].end
        try:
            kind = set_type(self.text[start:end])
        except MatcalcError as e:
            raise type(e)(e.message, (start, end), self.text) from None
        for k, (name, tok) in enumerate(names):
            self.out.put((", " if k else "") + name, tok.start, tok.end)
        self.out.put(": " + kind, start, end)
        return None

    def lhs_name(self, lhs: list[Tok]) -> str:
        """The name a definition defines (`Y`, `\\hat{y}` -> y_hat, `\\mathbf{z}` -> z)."""
        if self.notation == "text":
            name = _raw(self.text, lhs)
        else:
            scratch = Out()
            Typeset(lhs, scratch, {"".join(t.text for t in lhs)}, set(), False, [], self.notation == "latex").sequence()
            name = scratch.text.strip()
        if not NAME.fullmatch(name):
            raise MatcalcError(f"cannot read '{_raw(self.text, lhs)}' as the name of a definition",
                               (lhs[0].start, lhs[-1].end), self.text)
        return name
