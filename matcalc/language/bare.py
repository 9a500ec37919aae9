"""Plain text functions applied without parentheses, as people type them: `log det X`, `tr X' A X`.

``bare_calls`` finds, in plain text, a built-in function's name followed by a space and an
operand, and says where the parentheses go: the argument is the product written after the name
(its factors side by side, each with its postfixes), up to the next operator, closing bracket,
norm bar or other function name, as typeset notation reads `\\log\\det X` and `\\operatorname{tr} X^TAX`.
So `log det X + y` is log(det(X)) + y and `tr X' A X` is tr(X' A X); `tr A * B` is refused (is it
tr(A) * B or tr(A * B)?), with a hint that writes both.
"""

from __future__ import annotations

import re

from matcalc.algebra.shapes import ParseError
from matcalc.language.syntax import INDEX_SUM, function_name

_WORD = re.compile(r"(?<![A-Za-z0-9_\\.])([A-Za-z]+)[ \t]+")
_ATOM = re.compile(r"\d+(?:\.(?![\^*/])\d*)?(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?"
                   r"|[A-Za-zα-ωΑ-Ω][A-Za-z0-9α-ωΑ-Ω]*(?:_(?:\{[A-Za-z0-9_]+\}|[A-Za-z0-9]+))*")
_EXPONENT = re.compile(r"-?\s*(?:[A-Za-z0-9.]+)")
_POSTFIX = ("'", "ᵀ", "⁻¹", "⁻ᵀ", *(f"⁻{d}" for d in "²³⁴⁵⁶⁷⁸⁹"), *"²³⁴⁵⁶⁷⁸⁹")
_PAIRS = {"(": ")", "[": "]", "{": "}", "<": ">", "⟨": "⟩"}
_BARS = ("||", "‖")
_PRODUCTS = ("*", "@", ".*", "./", "/", "⊙", "∘", "·", "⊘")


class _Scan:
    """One pass over a plain-text range; ``edits`` are (position, text) insertions."""

    def __init__(self, text: str, end: int, names: set[str]):
        self.text, self.end, self.names = text, end, names
        self.edits: list[tuple[int, str]] = []
        self.calls: list[tuple[int, int]] = []  # (name start, argument end) of each bare call

    def function_at(self, i: int) -> re.Match | None:
        """A built-in function's name followed by a space and an operand at i."""
        m = _WORD.match(self.text, i)
        if m is None or m.end() >= self.end or m.group(1) in self.names or not function_name(m.group(1)):
            return None
        return m if self.factor(m.end(), probe=True) is not None else None

    def closing(self, i: int) -> int:
        """The index after the bracket closing the one at i (the end of the range when none)."""
        opener, depth = self.text[i], 0
        for j in range(i, self.end):
            if self.text[j] == opener:
                depth += 1
            elif self.text[j] == _PAIRS[opener]:
                depth -= 1
                if depth == 0:
                    return j + 1
        return self.end

    def factor(self, i: int, probe: bool = False) -> int | None:
        """The end of the factor (an atom and its postfixes) at i, or None when none starts there."""
        text = self.text
        if i >= self.end:
            return None
        if text[i] in _PAIRS:
            j = self.closing(i)
        elif text.startswith(_BARS, i):
            bar = "||" if text.startswith("||", i) else "‖"
            close = text.find(bar, i + len(bar), self.end)
            if close < 0:
                return None
            j = close + len(bar)
            sub = re.compile(r"_(?:\{?[F12]\}?)").match(text, j)
            j = sub.end() if sub else j
        else:
            m = _ATOM.match(text, i, self.end)
            if m is None:
                return None
            j = m.end()
            if not probe and self.function_at(i):
                return self.call(self.function_at(i))
            if j < self.end and text[j] == "(":
                j = self.closing(j)
        return self.postfixes(j)

    def postfixes(self, j: int) -> int:
        text = self.text
        while j < self.end:
            if text.startswith(_POSTFIX, j):
                j += 2 if text[j] == "⁻" else 1
            elif text.startswith(".T", j) and not re.match(r"[A-Za-z0-9_]", text[j + 2:j + 3]):
                j += 2
            elif text.startswith(("^", ".^", "**"), j):
                k = j + (1 if text[j] == "^" else 2)
                if k < self.end and text[k] in "({":
                    j = self.closing(k)
                else:
                    m = _EXPONENT.match(text, k, self.end)
                    if m is None:
                        return j
                    j = m.end()
            else:
                return j
        return j

    def call(self, m: re.Match) -> int:
        """Write the parentheses of the bare call whose name m matched; the end of its argument."""
        j = self.factor(m.end())
        while True:
            k = j
            while k < self.end and self.text[k] in " \t":
                k += 1
            if k >= self.end or self.text.startswith(_BARS, k) or self.function_at(k):
                break
            nxt = self.factor(k)
            if nxt is None:
                break
            j = nxt
        k = j
        while k < self.end and self.text[k] in " \t":
            k += 1
        if function_name(m.group(1)) == "sum" and self.function_at(k):
            rest = re.split(r"(?<!\()[+\-=)]", self.text[k:self.end])[0].strip()  # `-sum y log p`: an index sum
            sign = "-" if self.text[:m.start()].rstrip().endswith("-") else ""
            raise ParseError(INDEX_SUM + f"\n  here: write {sign}{self.text[m.end():j].strip()}^T {rest}",
                             (m.start(), m.end(1)), self.text)
        if self.text.startswith(_PRODUCTS, k):  # `sum log x .* y`: sum(log(x) .* y) or sum(log(x)) .* y?
            name, arg, rest = m.group(1), self.text[m.end():j], self.text[k:self.end].split("+")[0].strip()
            op = next(p for p in sorted(_PRODUCTS, key=len, reverse=True) if self.text.startswith(p, k))
            raise ParseError(f"where does the argument of '{name}' end? A function without parentheses takes "
                             f"the product after it, and '{op}' follows"
                             f"\n  hint: write {name}({arg} {rest}) or {name}({arg}) {rest}", (m.start(), m.end(1)),
                             self.text)
        self.edits += [(m.end(1), "("), (j, ")")]
        self.calls.append((m.start(), j))
        return j


def bare_calls(text: str, start: int, end: int, names: set[str]) -> tuple[list[tuple[int, str]], list[str]]:
    """The parentheses to insert in text[start:end] for functions written without them (sorted
    (position, text) pairs), and one guess per outermost call (`log det X → log(det(X))`)."""
    scan = _Scan(text, end, names)
    i = start
    while i < end:
        m = scan.function_at(i) if i == start or not re.match(r"[A-Za-z0-9_\\.]", text[i - 1]) else None
        i = scan.call(m) if m else i + 1
    guesses = []
    for a, b in scan.calls:
        inside = sorted(e for e in scan.edits if a <= e[0] <= b)
        written, pos = [], a
        for at, piece in inside:
            written += [text[pos:at], piece]
            pos = at
        written.append(text[pos:b])
        shown = re.sub(r"\(\s+", "(", "".join(written))
        guesses.append(f"{text[a:b]} → {shown} (a function without parentheses takes the product after it)")
    outer = [g for g, (a, b) in zip(guesses, scan.calls) if not any(c < a and b <= d for c, d in scan.calls)]
    return sorted(scan.edits, key=lambda e: (e[0], e[1] == "(")), outer
