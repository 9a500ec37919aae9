"""Typeset notation (LaTeX, Unicode copied from a PDF) read by its own rules, into the plain text
the grammar reads.

LaTeX and typeset Unicode: juxtaposed single letters are a product (``Xb`` is ``X b``); a
super- or subscript binds to the one atom before it (``AB^T`` is ``A B^T``, ``W_1x`` is
``W_1 x``); ``\\operatorname{…}``, ``\\mathrm{…}``, ``\\text{…}`` around a function name (in any
capitalisation) are that function; functions take an argument without parentheses
(``\\log\\det X`` is ``logdet(X)``); decorations keep the name (``\\hat{y}`` is ``y_hat``).
Every character written keeps its source position (``origin``) so errors point into what the
user wrote; every guess (a split run of letters) is recorded for the reading.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from matcalc.algebra.ops import call_names
from matcalc.algebra.shapes import ParseError
from matcalc.language.latex import Commands
from matcalc.language.syntax import CONSTANT_ARRAYS, EXPECTATION, INDEX_SUM, function_name, is_greek
from matcalc.language.tokens import (
    ANGLES,
    BARS,
    OPENERS,
    SPACING,
    STOPS,
    SUBSCRIPTS,
    SUPERSCRIPTS_UP,
    TRANSPOSES,
    Tok,
    closing,
    group_text,
    letter_name,
)


@dataclass
class Out:
    """Text for the grammar, with the source position of each character."""

    parts: list[str] = field(default_factory=list)
    origin: list[int] = field(default_factory=list)
    bold: set[str] = field(default_factory=set)  # bold Greek names (\boldsymbol{\mu}): vectors

    def put(self, text: str, start: int, end: int | None = None) -> None:
        """Append text written for the source range [start, end)."""
        end = start + 1 if end is None else max(end, start + 1)
        self.parts.append(text)
        lead = len(text) - len(text.lstrip(" "))
        self.origin.extend(min(start + max(k - lead, 0), end - 1) for k in range(len(text)))

    @property
    def text(self) -> str:
        """Everything written so far."""
        return "".join(self.parts)


class Typeset(Commands):
    """Writes the tokens of one LaTeX or Unicode expression as grammar text, by the rules above."""

    def __init__(self, toks: list[Tok], out: Out, names: set[str], functions: set[str], derivation: bool,
                 guesses: list[str], latex: bool):
        self.toks = [t for t in toks if t.text not in SPACING or t.text in ("\\left", "\\right")]
        self.toks = [t for t in self.toks if t.text not in ("\\left", "\\right")]
        self.i = 0
        self.out, self.names, self.functions = out, names, functions
        self.derivation, self.guesses, self.latex = derivation, guesses, latex

    # ------------------------------------------------------------ helpers

    def peek(self, k: int = 0) -> Tok | None:
        """The token k ahead, or None at the end."""
        j = self.i + k
        return self.toks[j] if j < len(self.toks) else None

    def take(self) -> Tok:
        """The next token (consumed)."""
        t = self.toks[self.i]
        self.i += 1
        return t

    def put(self, text: str, tok: Tok, end: Tok | None = None) -> None:
        """Write text for tok (through end)."""
        self.out.put(text, tok.start, (end or tok).end)

    def error(self, message: str, tok: Tok | None) -> ParseError:
        """A ParseError pointing at tok (or the end)."""
        if tok is None:
            last = self.toks[-1] if self.toks else None
            return ParseError(message, (last.end, last.end + 1) if last else None)
        return ParseError(message, (tok.start, tok.end))

    def starts_atom(self, t: Tok | None) -> bool:
        """True when t begins an operand."""
        if t is None:
            return False
        if t.kind in ("letter", "num") or t.text in OPENERS or t.text in ANGLES or t.text in BARS:
            return True
        if t.text in ("𝟙", "𝟎", "½", "√", "|", "\\lvert"):
            return True
        return t.kind == "cmd" and t.text not in ("\\cdot", "\\times", "\\odot", "\\circ", "\\oslash", "\\ast",
                                                    "\\top", "\\intercal", "\\prime", "\\nabla", "\\partial") \
            and t.text not in STOPS and t.text not in ("\\\\",)

    # ------------------------------------------------------------ sequences

    def wraps(self, t: Tok | None, after: Tok | None) -> bool:
        """Whether t is ⊙ or ⊘ before an operand: its right side is the product written after it."""
        return t is not None and t.text in ("\\odot", "⊙", "\\oslash", "⊘") and self.starts_atom(after)

    def sequence(self, closers: set[str] = frozenset()) -> None:
        """Write elements until a closer (not consumed) or the end."""
        while self.peek() is not None and self.peek().text not in closers:
            self.element()

    def element(self) -> None:
        """One operand with its postfixes, or one operator."""
        t = self.peek()
        if self.starts_atom(t):
            self.factor()
            return
        self.take()
        if t.text == "𝔼":
            raise self.error(EXPECTATION, t)
        if t.text == "\\ast":
            self.put(" *", t)
        elif t.kind == "op" and t.text == "**":
            self.put(".^", t)
        elif t.text in SUPERSCRIPTS_UP or t.text in ("^", "_", "'"):
            raise self.error(f"'{t.text}' needs something before it", t)
        elif self.wraps(t, self.peek()):
            self.put(" " + t.text + " (", t)  # A ⊙ BC is A ⊙ (BC): typeset, juxtaposition binds tighter
            self.factor()
            while self.starts_atom(self.peek()) and self.peek().text not in BARS:
                self.factor()
            self.put(")", self.toks[self.i - 1])
        else:
            self.put(" " + t.text, t)

    def factor(self) -> None:
        """An atom and its postfixes (`^T`, `_1`, `'`, `ᵀ`, `₁`)."""
        self.atom()
        self.postfixes()

    def postfixes(self) -> None:
        """Super- and subscripts, primes and typeset superscripts after an atom."""
        while (t := self.peek()) is not None:
            if t.text == "^":
                self.take()
                self.exponent(t)
            elif t.text == "_":
                self.take()
                name, end = self.subscript()
                ones = self.out.text.endswith("𝟙")  # 𝟙_{d_model}: braces keep the size whole
                self.put("_{%s}" % name if ones else "_" + name, t, end)
            elif t.kind == "sub":
                self.take()
                self.put("_" + "".join(SUBSCRIPTS[c] for c in t.text), t)
            elif t.text in ("'", "\\prime", "′"):
                self.take()
                self.put("'", t)
            elif t.text == "⁽":  # W⁽²⁾: a layer label, the name W_2
                self.take()
                digits = ""
                while (d := self.peek()) is not None and d.text in "⁰¹²³⁴⁵⁶⁷⁸⁹":
                    digits += "0123456789"["⁰¹²³⁴⁵⁶⁷⁸⁹".index(self.take().text)]
                end = self.peek()
                if not digits or end is None or end.text != "⁾":
                    raise self.error("cannot read this superscript label; write W_2 for the second layer", t)
                self.take()
                self.label(digits, "⁽%s⁾" % digits.translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")))
                self.put("_" + digits, t, end)
            elif t.text in SUPERSCRIPTS_UP:
                self.take()
                self.put(t.text, t)
            else:
                return

    def exponent(self, hat: Tok) -> None:
        """What follows `^`: one token or a `{…}` group; `T`, `\\top`, `\\mathsf{T}` is a transpose."""
        t = self.peek()
        if t is None:
            raise self.error("'^' needs an exponent", hat)
        if t.text == "{":
            inner, after = group_text(self.toks, self.i)
            if inner.replace(" ", "") in TRANSPOSES or inner.replace(" ", "") in ("\\mathsf{T}", "\\mathrm{T}"):
                self.i = after
                self.put("^T", hat, self.toks[after - 1])
                return
            label = re.fullmatch(r"\s*[\[(]\s*(\w+)\s*[\])]\s*", inner)
            name = self.out.text[-1:].isalpha() and not self.out.text.endswith(" e")
            if label and name:  # W^{[2]}, W^{(2)}: a layer label, the name W_2
                self.label(label.group(1), "^{%s}" % inner.strip())
                self.i = after
                self.put("_" + label.group(1), hat, self.toks[after - 1])
                return
            j = closing(self.toks, self.i)
            self.take()
            self.put("^{", hat, t)
            self.sub(self.toks[self.i:j])
            self.i = j + 1
            self.put("}", self.toks[j])
            return
        if t.text in TRANSPOSES or t.text in ("\\mathsf", "\\mathrm") and group_text(self.toks, self.i + 1)[0] == "T":
            self.i = group_text(self.toks, self.i + 1)[1] if t.text in ("\\mathsf", "\\mathrm") else self.i + 1
            self.put("^T", hat, t)
            return
        if t.text == "-":  # X^-1, X^-T: a sign and one token
            self.take()
            if self.peek() is None:
                raise self.error("'^-' needs an exponent after the sign", t)
            nxt = self.take()
            self.put("^{-" + ("T" if nxt.text in TRANSPOSES else nxt.text) + "}", hat, nxt)
            return
        if t.kind == "num":
            self.take()
            self.put("^" + t.text, hat, t)
            return
        self.put("^{", hat)
        self.atom()
        self.put("}", hat)

    def label(self, label: str, written: str) -> None:
        """Say that a layer label (W^{(1)}, W⁽¹⁾) is read as a subscript of the name just written."""
        base = self.out.text.split()[-1]
        self.guesses.append(f"{base}{written} → {base}_{label} (a layer label is part of the name; wrt= takes either)")

    def subscript(self) -> tuple[str, Tok]:
        """A subscript as name characters: `_1`, `_{12}`, `_{\\text{out}}`, `_\\alpha`."""
        t = self.peek()
        if t is None:
            raise self.error("'_' needs a subscript", self.toks[-1])
        inner, after = group_text(self.toks, self.i)
        if t.kind in ("letter", "num"):  # y_hat, d_model, W_1x: a word, or digits
            after = self.i + 1
            digits = t.kind == "num"
            while after < len(self.toks) and not self.toks[after].gap and (
                    self.toks[after].kind == "num" if digits else
                    self.toks[after].kind in ("letter", "num") or self.toks[after].text == "_"):
                after += 1
            if self.latex and not digits and after - self.i < 3:
                after = self.i + 1  # LaTeX: W_ix is W_i x; a word (x_new, d_model) stays whole
            inner = "".join(x.text for x in self.toks[self.i:after])
        end = self.toks[after - 1]
        self.i = after
        if re.search(r"\\(max|min)(?![A-Za-z])", inner):  # λ_{\max}(A): an eigenvalue, not a name
            raise self.error("eigenvalues and singular values (λ_max, σ_min) are not supported", t)
        name = re.sub(r"\\(?:text|mathrm|mathit|operatorname|mathbf|textrm|rm)\s*", "", inner)
        name = re.sub(r"\\([A-Za-z]+)", r"\1", name).replace("\\_", "_")
        name = re.sub(r"[{}\s]", "", name)
        if not re.fullmatch(r"[A-Za-z0-9_α-ωΑ-Ω]+", name):
            raise self.error(f"cannot read the subscript '{inner}' (use letters and digits)", t)
        return name, end

    def sub(self, toks: list[Tok]) -> None:
        """Write a token range (a group's inside) by the same rules."""
        inner = Typeset(toks, self.out, self.names, self.functions, self.derivation, self.guesses, self.latex)
        inner.sequence()

    # ------------------------------------------------------------ atoms

    def atom(self) -> None:
        """One operand: a name, a number, a bracketed group, a norm, a call, a LaTeX construct."""
        t = self.peek()
        if t is None:
            raise self.error("an operand is missing at the end", None)
        if t.kind == "letter":
            self.word()
        elif t.kind == "num":
            self.take()
            if t.text == "0" and self.peek() is not None and self.peek().text == "_":
                self.zeros(t)
            elif t.text == "1" and self.peek() is not None and self.peek().text == "_":
                self.take()
                name, end = self.subscript()
                self.put(" 1_{%s}" % name, t, end)
            else:
                self.put(" " + t.text, t)
        elif t.text in OPENERS:
            j = closing(self.toks, self.i)
            self.put(" (", t)
            self.take()
            self.sub(self.toks[self.i:j])
            self.i = j + 1
            self.put(")", self.toks[j])
        elif t.text in ANGLES:
            self.angle()
        elif t.text in BARS:
            self.norm()
        elif t.text in ("|", "\\lvert"):
            self.bars()
        elif t.text == "𝟙":
            self.take()
            self.put(" 𝟙", t)
        elif t.text == "𝟎":
            self.take()
            self.zeros(t)
        elif t.text == "½":
            self.take()
            self.put(" (1/2)", t)
        elif t.text == "√":
            self.take()
            self.call("sqrt", t, t)
        else:
            self.command()

    def word(self) -> None:
        """A run of letters (and digits): a function, a declared name, a Greek name, or one factor per letter."""
        first = self.take()
        if re.fullmatch(r"[α-ωΑ-Ωϵϑϕℓ]", first.text[0]):
            name = letter_name(first)
            while (t := self.peek()) is not None and not t.gap and t.kind == "num" and t.text.isdigit():
                name += self.take().text  # σ2
            return self.greek(first, name)
        run = [first]
        while (t := self.peek()) is not None and not t.gap and (
                t.kind == "letter" and re.fullmatch(r"[A-Za-z]", t.text[0]) or t.kind == "num" and t.text.isdigit()):
            run.append(self.take())
        word = "".join(letter_name(t) if t.kind == "letter" else t.text for t in run)
        nxt = self.peek()
        if word == "E" and "E" not in self.names and nxt is not None and nxt.text == "[" and not nxt.gap:
            raise self.error(EXPECTATION, first)  # E[x]: an expectation, not a matrix E times x
        called = nxt is not None and nxt.text in ("(", "'", "′") or self.starts_atom(nxt) and len(word) > 1
        fname = function_name(word) if len(word) > 1 else None
        if fname == "sum" and nxt is not None and nxt.text in ("_", "^") and not nxt.gap:
            raise self.error(INDEX_SUM, first)
        if fname and called:
            return self.call(fname, run[0], run[-1], word)
        if (word in self.functions or word in CONSTANT_ARRAYS) and nxt is not None and nxt.text == "(":
            self.put(" " + word, run[0], run[-1])
            return self.call_args(run[-1])
        if self.derivation and word == "d" and self.starts_atom(nxt):
            self.put(" d(", first)
            self.factor()
            self.put(")", first)
            return None
        if word in self.names or is_greek(word) or word == "eye" or len(run) == 1 or not self.splits(word):
            return self.put(" " + word, run[0], run[-1])
        pieces = []
        for t in run:
            if t.kind == "num" and pieces and not pieces[-1][0].isdigit():
                pieces[-1] = (pieces[-1][0] + t.text, pieces[-1][1], t)
            else:
                pieces.append((letter_name(t) if t.kind == "letter" else t.text, t, t))
        if len(pieces) > 1:
            self.guesses.append(f"{word} → {' '.join(p[0] for p in pieces)} (letters written together are a product)")
        k = 0
        while k < len(pieces):
            text, start, end = pieces[k]
            if self.derivation and text == "d" and k + 1 < len(pieces):  # MdY: M d(Y)
                self.put(f" d({pieces[k + 1][0]})", start, pieces[k + 1][2])
                k += 2
                continue
            if self.derivation and text == "d" and self.starts_atom(self.peek()):  # Md(Y), Md\Sigma
                self.put(" d(", start)
                self.factor()
                self.put(")", start)
            else:
                self.put(" " + text, start, end)
            k += 1
        return None

    def splits(self, word: str) -> bool:
        """LaTeX splits every run of letters; typeset Unicode all but lowercase words of 4+ letters (`logits`)."""
        letters = re.sub(r"\d", "", word)
        return self.latex or len(letters) <= 3 or not letters.islower()

    def call(self, fname: str, start: Tok, end: Tok, written: str = "") -> None:
        """A function: its arguments in parentheses, or bare (`\\exp x`, `\\log\\det X`, `tr XᵀX`)."""
        if written and written != fname and written.lower() == fname:
            self.guesses.append(f"{written} → the function {fname}")
        if self.peek() is not None and self.peek().text in ("'", "′", "\\prime"):
            end = self.take()
            fname += "'"
        if call_names().get(fname) == "log" and self.peek() is not None and self.peek().text == "|":  # \ln|X|
            return self.log_det(start)
        self.put(" " + fname, start, end)
        nxt = self.peek()
        if nxt is not None and nxt.text == "(":
            return self.call_args(end)
        if nxt is not None and nxt.text == "{" and fname == "sqrt":
            j = closing(self.toks, self.i)
            self.put("(", nxt)
            self.take()
            self.sub(self.toks[self.i:j])
            self.i = j + 1
            self.put(")", self.toks[j])
            return None
        if not self.starts_atom(nxt):
            raise self.error(f"{fname} needs an argument", nxt or end)
        self.put("(", end)
        count = 0
        while self.starts_atom(self.peek()) and not (count and (self.is_function(self.peek())
                                                                or self.peek().text in BARS)):
            self.factor()
            count += 1
        self.put(")", self.toks[self.i - 1])
        return None

    def call_args(self, end: Tok) -> None:
        """`(a, b)` right after a function name."""
        j = closing(self.toks, self.i)
        self.put("(", self.take())
        self.sub(self.toks[self.i:j])
        self.i = j + 1
        self.put(")", self.toks[j])

    def is_function(self, t: Tok) -> bool:
        """True when t starts a function name (which ends a bare argument: `\\sin x \\cos y`)."""
        if t.kind == "cmd":
            name = t.text[1:]
            if name in ("operatorname", "mathrm", "text"):
                return function_name(group_text(self.toks, self.i + 1)[0]) is not None
            return name != "sigma" and function_name(name) is not None
        return False
