"""LaTeX commands as operands, and the bracketed atoms typeset notation shares: ⟨A, B⟩ and norms.

``Commands`` is mixed into ``Typeset``: ``\\operatorname{…}``, ``\\mathrm{…}``, ``\\text{…}`` around a
function name are that function (else a name; ``\\operatorname`` always names a function);
fonts keep the name (``\\mathbf{x}`` is x, ``\\mathbf{1}`` the ones vector); decorations make
one (``\\hat{y}`` is y_hat); ``\\frac``, Greek letters, ``\\log\\det`` and function commands.
"""

from __future__ import annotations

import re

from matcalc.algebra.ops import call_names
from matcalc.language.syntax import (
    CAPITAL_GREEK,
    CONSTANT_ARRAYS,
    EXPECTATION,
    GREEK,
    INDEX_SUM,
    closest_function,
    function_name,
)
from matcalc.language.tokens import (
    BARS,
    CLOSE_ANGLES,
    NAME,
    OPENERS,
    STOPS,
    SUBSCRIPTS,
    SUPERSCRIPTS_UP,
    TEXT_COMMANDS,
    Tok,
    closing,
    group_text,
)

FONTS = {"\\mathbf", "\\boldsymbol", "\\bm", "\\vec", "\\mathbb", "\\mathcal", "\\pmb", "\\mathbfit"}
BOLD = {"\\mathbf", "\\boldsymbol", "\\bm", "\\pmb", "\\mathbfit"}
DECORATIONS = {"\\hat": "hat", "\\widehat": "hat", "\\tilde": "tilde", "\\widetilde": "tilde", "\\bar": "bar",
               "\\overline": "bar", "\\dot": "dot", "\\check": "check"}


def _written(toks: list[Tok]) -> str:
    """Tokens as the user wrote them (a space where there was one)."""
    return "".join((" " if t.gap and k else "") + t.text for k, t in enumerate(toks))


class Commands:
    """The LaTeX-command, inner-product and norm rules of ``Typeset``."""

    def angle(self) -> None:
        """⟨A, B⟩ (with `_F` dropped after it)."""
        t = self.take()
        self.put(" ⟨", t)
        self.sequence(CLOSE_ANGLES)
        end = self.peek()
        if end is None:
            raise self.error(f"'{t.text}' is never closed", t)
        self.take()
        self.put("⟩", end)
        if self.peek() is not None and self.peek().text == "_":
            self.take()
            name, _ = self.subscript()
            if name != "F":
                raise self.error(f"unknown inner-product subscript '_{name}' (use _F)", end)

    def norm(self) -> None:
        """‖x‖, \\|x\\|_F, ‖x‖₁: the closing bar is the first one after an operand."""
        t = self.take()
        self.put(" \\lVert ", t)
        operand = False
        while (nxt := self.peek()) is not None and not (operand and nxt.text in BARS and nxt.text != "\\lVert"):
            operand = self.starts_atom(nxt) or self.wraps(nxt, self.peek(1))
            self.element()
        if nxt is None:
            raise self.error("this norm is never closed", t)
        self.take()
        self.put(" \\rVert", nxt)
        power = None
        if self.peek() is not None and self.peek().text in SUPERSCRIPTS_UP and self.peek(1) is not None \
                and (self.peek(1).text == "_" or self.peek(1).kind == "sub"):
            up = self.take()  # ‖X‖²_F: the subscript first
            power = (up, up.text)
        elif self.peek() is not None and self.peek().text == "^" and self.peek(1) is not None:
            braced = self.peek(1).text == "{"
            inner, end = group_text(self.toks, self.i + 1) if braced else (self.peek(1).text, self.i + 2)
            if end < len(self.toks) and self.toks[end].text == "_":  # \|x\|^2_2: the same, written with ^
                hat = self.take()
                self.i = end
                power = (hat, "^{" + inner + "}")
        sub = self.peek()
        if sub is not None and (sub.text == "_" or sub.kind == "sub"):
            self.take()
            name = "".join(SUBSCRIPTS[c] for c in sub.text) if sub.kind == "sub" else self.subscript()[0]
            self.put("_" + name, sub)
        if power is not None:
            self.put(power[1], power[0])

    def zeros(self, start: Tok) -> None:
        """`0_n`, `0_{n×m}`, `\\mathbf{0}_{n \\times m}` (the `0` taken): a zero array; `\\mathbf{0}`: sized by use."""
        if self.peek() is None or self.peek().text != "_":
            return self.put(" 𝟎", start, self.toks[self.i - 1])
        self.take()
        if self.peek() is not None and self.peek().text == "{":
            inner, after = group_text(self.toks, self.i)
            dims = [re.sub(r"\\(?:mathrm|text)\s*|[{}\s]", "", d).replace("\\_", "_")  # d_{\mathrm{model}}
                    for d in re.split(r",|×|\\times|\s+x\s+", inner)]
            if not all(re.fullmatch(r"[A-Za-z0-9_]+", d) for d in dims) or len(dims) > 2:
                raise self.error(f"cannot read the size '{inner}' of a zero array (write 0_n or 0_{{n×m}})",
                                 self.peek())
            self.i = after
            return self.put(" 0_{%s}" % ",".join(dims), start, self.toks[after - 1])
        name, end = self.subscript()
        return self.put(" 0_{%s}" % name, start, end)

    def bars(self) -> None:
        """`|Σ|`, `\\lvert x \\rvert`: the determinant of a matrix, the absolute value of a scalar (by its shape)."""
        bar = self.take()
        close = "\\rvert" if bar.text == "\\lvert" else "|"
        j = next((k for k in range(self.i, len(self.toks)) if self.toks[k].text == close), None)
        if j is None:
            raise self.error(f"'{bar.text}' is never closed", bar)
        self.put(" \\lvert ", bar)
        self.sub(self.toks[self.i:j])
        self.i = j + 1
        self.put(" \\rvert", self.toks[j])

    def log_det(self, start: Tok) -> None:
        """`\\log|X|`, the book's log-determinant: logdet(X)."""
        bar = self.take()
        j = next((k for k in range(self.i, len(self.toks)) if self.toks[k].text == "|"), None)
        if j is None:
            raise self.error("'|' is never closed", bar)
        self.put(" logdet(", start, bar)
        self.sub(self.toks[self.i:j])
        self.i = j + 1
        self.put(")", self.toks[j])
        return None

    def greek(self, tok: Tok, name: str) -> None:
        """A Greek letter: σ( is the logistic sigmoid (unless sigma is a declared name)."""
        nxt = self.peek()
        if name in ("σ", "sigma") and "sigma" not in self.names and nxt is not None and nxt.text in ("(", "'", "′"):
            return self.call("σ", tok, tok)
        if name in ("Σ", "Sigma") and self.index_sum():
            raise self.error(INDEX_SUM + "\n  (a matrix named Σ with a subscript, written before a space and an "
                                         "operand, reads as a sum: declare it, e.g. where Sigma_i: matrix(n, n))", tok)
        return self.put(" " + name, tok)

    def index_sum(self) -> bool:
        """After Σ: true for `_{i=1}^n`, and for `ᵢ xᵢ`, `_i x_i` starting a term (an index, a space, an operand)."""
        t, j = self.peek(), self.i + 1
        if t is None or not (t.kind == "sub" or t.text == "_"):
            return False
        index = t.text
        if t.text == "_":
            index, j = group_text(self.toks, j)
            if "=" in index:  # Σ_{i=1}^n: always a sum
                return True
            if not re.fullmatch(r"[ijklmnt]", index):
                return False
        elif not re.fullmatch(r"[ᵢⱼₖₗₘₙₜ]", t.text):
            return False
        prev = self.toks[self.i - 2] if self.i >= 2 else None  # x^T Σ_k x: a product, Σ_k a matrix
        starts = prev is None or prev.text in ("+", "-", "(", "[", "{", "=", ",", "\\left")
        return starts and "Sigma_" + index.translate(str.maketrans("ᵢⱼₖₗₘₙₜ", "ijklmnt")) not in self.names \
            and j < len(self.toks) and self.toks[j].gap and self.starts_atom(self.toks[j])

    def expectation(self, t: Tok) -> bool:
        """After `\\mathbb` (or `\\mathrm`, `\\operatorname`): true for `{E}` (the expectation), and for `{E}`
        followed by `[` or `_` in the other fonts (𝔼 is also refused where it is read, in ``Typeset``)."""
        inner, after = group_text(self.toks, self.i)
        nxt = self.toks[after] if after < len(self.toks) else None
        return inner.strip() == "E" and (t.text == "\\mathbb" or nxt is not None and nxt.text in ("[", "_"))

    def summed_product(self, start: Tok) -> None:
        """After a bare `\\sum y`: a product following it (`-\\sum y \\log p`) is an index sum written without
        its index, refused with the vector form (`-y^T \\log p`) rather than read as sum(y) log(p)."""
        if self.peek() is None or not self.is_function(self.peek()):
            return
        inside = self.toks[self.toks.index(start) + 1:self.i]
        end, depth = self.i, 0
        while end < len(self.toks) and (depth or self.toks[end].text not in STOPS):
            depth += (self.toks[end].text in OPENERS) - (self.toks[end].text in OPENERS.values())
            end += 1
        at = self.toks.index(start)
        sign = "-" if at and self.toks[at - 1].text == "-" else ""
        vector = f"{sign}{_written(inside)}^T {_written(self.toks[self.i:end])}"
        raise self.error(INDEX_SUM + f"\n  here: write {vector}", start)

    def command(self) -> None:
        """A LaTeX command as an operand."""
        t = self.take()
        name = t.text[1:]
        nxt = self.peek()
        if t.text in FONTS | TEXT_COMMANDS and self.expectation(t):
            raise self.error(EXPECTATION, t)
        if t.text in TEXT_COMMANDS:
            inner, after = group_text(self.toks, self.i)
            self.i = after
            content = inner.replace("\\_", "_").strip()
            fname = function_name(content)
            if fname:
                return self.call(fname, t, self.toks[after - 1], content)
            if (content in CONSTANT_ARRAYS or content in self.functions) and self.peek() is not None \
                    and self.peek().text == "(":
                self.put(" " + content, t, self.toks[after - 1])
                return self.call_args(self.toks[after - 1])
            if content == "d" and self.derivation:
                self.put(" d(", t)
                self.factor()
                return self.put(")", t)
            if t.text == "\\operatorname":
                close = closest_function(content)
                hint = (f"did you mean \\operatorname{{{close}}}?" if close else
                        "matcalc's functions: " + ", ".join(sorted(n for n in call_names() if n.isalpha())))
                raise self.error(f"unknown function '{content}' (\\operatorname names a function)\n  hint: {hint}", t)
            if not NAME.fullmatch(content):
                raise self.error(f"cannot read '{inner}' as math", t)
            return self.put(" " + content, t, self.toks[after - 1])
        if t.text in FONTS:
            inner, after = group_text(self.toks, self.i)
            if inner == "1":
                self.i = after
                return self.put(" 𝟙", t, self.toks[after - 1])
            if inner == "0":
                self.i = after
                return self.zeros(t)
            if t.text in BOLD and inner.strip().lstrip("\\") in GREEK and inner.strip().startswith("\\"):
                self.out.bold.add(inner.strip().lstrip("\\"))  # \boldsymbol{\mu}: bold means a vector
            if nxt is not None and nxt.text == "{":
                j = closing(self.toks, self.i)
                self.i += 1
                self.sub(self.toks[self.i:j])
                self.i = j + 1
            else:
                self.atom()
            return None
        if t.text in DECORATIONS:
            inner, after = group_text(self.toks, self.i)
            self.i = after
            base = re.sub(r"\\(?:mathbf|boldsymbol|bm)\s*|[{}\s]", "", inner).lstrip("\\")
            if not NAME.fullmatch(base):
                raise self.error(f"cannot read '{t.text}{{{inner}}}' as a name", t)
            return self.put(f" {base}_{DECORATIONS[t.text]}", t, self.toks[after - 1])
        if name in ("frac", "tfrac", "dfrac"):
            self.put(" \\frac", t)
            for _ in range(2):
                g = self.peek()
                if g is None:
                    raise self.error("\\frac needs two arguments", t)
                self.put("{", g)
                if g.kind == "num" and len(g.text) > 1 and g.text.isdigit():  # \frac12: one digit each
                    self.toks[self.i] = Tok("num", g.text[1:], g.start + 1, g.end)
                    self.put(g.text[0], g)
                elif g.text == "{":
                    j = closing(self.toks, self.i)
                    self.sub(self.toks[self.i + 1:j])
                    self.i = j + 1
                else:
                    self.atom()
                self.put("}", self.toks[self.i - 1])
            return None
        if name in GREEK or name in CAPITAL_GREEK:
            return self.greek(t, name)
        if name == "ell":
            return self.put(" ell", t)
        if nxt is not None and nxt.kind == "cmd" and function_name(name) and function_name(name + nxt.text[1:]):
            self.take()  # \log\det -> logdet
            return self.call(function_name(name + nxt.text[1:]), t, nxt)
        fname = function_name(name)
        if fname == "sum" and nxt is not None and (nxt.text in ("_", "^") or nxt.kind == "sub"):  # ∑ᵢ
            raise self.error(INDEX_SUM, t)
        if fname:
            self.call(fname, t, t, name)
            return self.summed_product(t) if fname == "sum" and nxt is not None and nxt.text != "(" else None
        return self.put(" " + t.text, t)
