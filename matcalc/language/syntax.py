"""From text to a lark parse tree: the grammar, norm-bar pairing, and syntax errors.

``parse_tree(text)`` loads ``grammar/matcalc.lark`` (shipped as ``matcalc.grammar``), checks
brackets first (so an unmatched one is named, with a caret), maps lark's exceptions to one
``ParseError`` with a position, and refuses trees deeper than ``MAX_DEPTH`` (no recursion
crash later). ``read_name`` normalizes a name token (`x_{hat}`, `\\mathbf{x}`, `λ`).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache
from importlib import resources
from pathlib import Path

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from matcalc.algebra.ops import call_names
from matcalc.algebra.shapes import ParseError
from matcalc.language.tokens import MATH_LETTERS, SUBSCRIPTS

MAX_DEPTH = 1000  # nesting levels (parse-tree depth): deeper formulas are refused with a caret, never a crash
FRAMES_PER_LEVEL = 12  # Python frames reading may take per level (it recurses; see parse.parse)
GREEK = ("alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu xi "
         "omicron pi rho sigma tau upsilon phi varphi chi psi omega").split()
GREEK_UNICODE = dict(zip("αβγδεϵζηθϑικλμνξοπρστυφϕχψω", GREEK))
GREEK_UNICODE.update(zip("ΓΔΘΛΞΠΣΦΨΩ", "Gamma Delta Theta Lambda Xi Pi Sigma Phi Psi Omega".split()))
CAPITAL_GREEK = set("Gamma Delta Theta Lambda Xi Pi Sigma Phi Psi Omega".split())

_OPENERS = {"(", "{", "\\{", "[", "<", "⟨", "\\langle"}
_CLOSERS = {")", "}", "\\}", "]", ">", "⟩", "\\rangle"}
_OPERAND_END = {"NAME", "LATEX_NAME", "NUMBER", "SIGNED", "ONES", "ZEROS", "TRANSPOSE", "INVERSE", "TOP", "NORM_CLOSE"}


class _PairNorms:
    """Post-lexer: decide whether each norm bar (`||`, `‖`, `\\|`) opens or closes a norm.

    A bar closes the innermost open norm when that norm was opened inside the same
    brackets and the bar follows an operand (`||x|| (y)`, `||(||x|| y)||`); otherwise it
    opens one (`||x|| ||y||`, `|| ||x|| y ||`). `\\lVert` always opens, `\\rVert` closes."""

    always_accept = ("NORM",)

    def process(self, stream: Iterator[Token]) -> Iterator[Token]:
        """Rename each NORM token to NORM_OPEN or NORM_CLOSE."""
        stack: list[str] = []  # open brackets, "norm" for an open norm
        after_operand = False
        for tok in stream:
            text = str(tok)
            if tok.type == "NORM":
                closes = text == "\\rVert" or (text != "\\lVert" and stack[-1:] == ["norm"] and after_operand)
                if closes and stack[-1:] == ["norm"]:
                    stack.pop()
                elif not closes:
                    stack.append("norm")
                tok = Token.new_borrow_pos("NORM_CLOSE" if closes else "NORM_OPEN", text, tok)
            elif text in _OPENERS:
                stack.append(text)
            elif text in _CLOSERS and stack and stack[-1] != "norm":
                stack.pop()
            after_operand = tok.type in _OPERAND_END or text in _CLOSERS
            yield tok


def _grammar_text() -> str:
    """grammar/matcalc.lark: shipped as ``matcalc.grammar``; in a source checkout run from its top
    folder (where ``./matcalc`` shadows the installed package) it sits beside the package."""
    try:
        return resources.files("matcalc.grammar").joinpath("matcalc.lark").read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError):
        return (Path(__file__).resolve().parents[2] / "grammar" / "matcalc.lark").read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def _parser() -> Lark:
    return Lark(_grammar_text(), parser="lalr", propagate_positions=True,
                postlex=_PairNorms(), cache=True)  # cache: the parse table, 10x faster start


def parse_tree(text: str) -> Tree:
    """The lark tree of text, or a ParseError with the position."""
    _check_brackets(text)
    try:
        tree = _parser().parse(text)
    except UnexpectedInput as e:
        raise _syntax_error(e, text) from None
    _check_depth(tree, text)
    return tree


_PAIRS = {")": "(", "]": "[", "}": "{", "⟩": "⟨"}


def _check_brackets(text: str) -> None:
    """Name the first unmatched bracket (lark would only say 'unexpected token')."""
    stack: list[tuple[str, int]] = []
    for i, ch in enumerate(text):
        if ch in "([{⟨" and not text.startswith("\\", i - 1 if i else 0) or ch in "([{⟨" and i == 0:
            stack.append((ch, i))
        elif ch in _PAIRS and (i == 0 or text[i - 1] != "\\"):
            if not stack or stack[-1][0] != _PAIRS[ch]:
                raise ParseError(f"unmatched '{ch}'", (i, i + 1), text)
            stack.pop()
    if stack:
        ch, i = stack[-1]
        raise ParseError(f"'{ch}' is never closed", (i, i + 1), text)


def _ends_early(text: str) -> ParseError:
    """At a premature end, name a ⟨ or ‖ left open (`<A, B`, `||x`): the bracket check cannot pair them."""
    angles: list[int] = []
    for m in re.finditer(r"<|\\langle|>|\\rangle", text):
        if m.group() in ("<", "\\langle"):
            angles.append(m.start())
        elif angles:
            angles.pop()
    if angles:
        return ParseError("'⟨' is never closed", (angles[-1], angles[-1] + 1), text)
    bars = [m.start() for m in re.finditer(r"\|\||‖|\\\||\\[lr]Vert", text)]
    if len(bars) % 2:
        return ParseError("'‖' is never closed", (bars[-1], bars[-1] + 1), text)
    return ParseError("the formula ends too early (an operand is missing)", (len(text), len(text)), text)


def _syntax_error(e: UnexpectedInput, text: str) -> ParseError:
    pos = getattr(e, "pos_in_stream", None)
    if isinstance(e, UnexpectedEOF) or pos is None:
        return _ends_early(text)
    if isinstance(e, UnexpectedCharacters):
        return ParseError(f"unexpected character '{text[pos]}'", (pos, pos + 1), text)
    token = e.token if isinstance(e, UnexpectedToken) else None
    shown = str(token) if token is not None and str(token) else "end of formula"
    if token is not None and token.type == "$END":
        return _ends_early(text)
    return ParseError(f"unexpected '{shown}'", (pos, pos + max(1, len(shown))), text)


def _check_depth(tree: Tree, text: str) -> None:
    stack: list[tuple[Tree, int]] = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            start = node.meta.start_pos if not node.meta.empty else 0
            raise ParseError(f"formula nested too deeply (at most {MAX_DEPTH} levels)", (start, start + 1), text)
        stack.extend((c, depth + 1) for c in node.children if isinstance(c, Tree))


_SUBSCRIPT_END = re.compile("(?<=[^_%s])[%s]+$" % (("".join(SUBSCRIPTS),) * 2))


def read_name(raw: str) -> str:
    """Normalize a name token: `x_{hat}` -> x_hat, `\\mathbf{x}` -> x, `λ` -> lambda, `W₁` -> W_1, and a layer
    label as slides write it (`W^{(1)}`, `W^{[1]}`, `W⁽¹⁾`, as in ``wrt=``) -> W_1."""
    raw = re.sub(r"\^\{?\s*[\[(]\s*(\w+)\s*[\])]\s*\}?$", r"_\1", raw.strip())
    raw = "".join(unicodedata.normalize("NFKC", ch) if MATH_LETTERS[0] <= ch <= MATH_LETTERS[1] else ch
                  for ch in raw)  # 𝐱 (a PDF's bold x): x, as the tokenizer reads it
    raw = re.sub("⁽([⁰¹²³⁴⁵⁶⁷⁸⁹]+)⁾$", lambda m: "_" + m.group(1).translate(str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")),
                 raw)
    m = re.fullmatch(r"\\(?:mathbf|boldsymbol|bm|mathrm|mathit|operatorname)\{(.*)\}(.*)", raw)
    if m:
        raw = m.group(1).replace("\\_", "_") + m.group(2)
    elif raw.startswith("\\"):
        raw = raw[1:]
    raw = re.sub(r"_\{([A-Za-z0-9]+)\}", r"_\1", raw)
    raw = _SUBSCRIPT_END.sub(lambda m: "_" + "".join(SUBSCRIPTS[c] for c in m.group()), raw)  # W₁ is W_1
    return "".join(GREEK_UNICODE.get(ch, ch) for ch in raw)


def is_greek(name: str) -> bool:
    """A Greek name, spelled, maybe with digits or a subscript (`sigma2`, `lambda_1`)."""
    return re.fullmatch(r"(%s)(\d+|_\w+)?" % "|".join(GREEK + sorted(CAPITAL_GREEK)), name) is not None


CONSTANT_ARRAYS = ("vector", "matrix")  # `vector(c)`, `matrix(c, n, m)`: constant arrays, not functions


def function_name(word: str) -> str | None:
    """The name a built-in function is called by, for a word in any capitalisation (`ReLU` -> relu,
    `Tr` -> tr), from the operation registry; None when the word names no function."""
    names = call_names()
    for candidate in (word, word.lower()):
        if candidate in names:
            return candidate
    return None


def closest_function(word: str) -> str | None:
    """The built-in function whose name is closest to word (`softmx` -> softmax), or None."""
    close = difflib.get_close_matches(word.lower(), call_names(), n=1, cutoff=0.6)
    return close[0] if close else None


INDEX_SUM = ("index sums (Σᵢ xᵢ) are not supported: matcalc works with whole vectors and matrices"
             "\n  hint: write Σᵢ xᵢ as sum(x) or 1^T x, Σᵢ aᵢ bᵢ as a^T b, Σᵢⱼ Aᵢⱼ as sum(A), "
             "Σᵢ wᵢ log(pᵢ) as w^T log(p)")
EXPECTATION = ("expectations (𝔼[…]) are not supported: matcalc differentiates one expression of whole vectors "
               "and matrices\n  hint: write the expression inside the brackets alone (its gradient is the "
               "gradient for one sample)")
