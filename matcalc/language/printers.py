"""Text, Unicode and LaTeX printers: one generic walker over the registry's forms.

Each operation's layout (``call``, ``infix``, ``postfix``, …) and its three forms come
from ``ops.OPS``; only leaves (names, numbers, 𝟙, I) are printed here by kind.
Invariant: parentheses are the fewest that make the printed text parse back to the
same tree (the grammar's precedence: sum < product < unary minus < postfix < atom).
"""

from __future__ import annotations

import re
import unicodedata
import weakref
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from matcalc.algebra.expr import Expr, walk
from matcalc.algebra.ops import ATOM, NEG, OPS, POSTFIX, PRODUCT, SUM, const, div, fill, matmul
from matcalc.algebra.shapes import is_scalar, show_dim
from matcalc.language.syntax import read_name

NOTATIONS = ("text", "unicode", "latex")
_INDEX = {"text": 0, "unicode": 1, "latex": 2}
_GREEK = ("alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu xi "
          "omicron pi rho sigma tau upsilon phi varphi chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma "
          "Phi Psi Omega").split()
_GREEK_LETTER = dict(zip(_GREEK, "αβγδεϵζηθϑικλμνξοπρστυφϕχψωΓΔΘΛΞΠΣΦΨΩ"))


def show(e: Expr, notation: str = "text") -> str:
    """Print an expression in one of NOTATIONS (Greek names as ``spelled_typeset`` says in text).

    Each node's text is kept while the node lives (shared parts, and a derivation's lines, print
    once), and the nodes not printed yet are printed children first (all but the inner links of
    a product chain, which ``_infix`` prints in a loop), so printing never recurses deeply."""
    if notation not in _INDEX:
        raise ValueError(f"notation must be one of {NOTATIONS}")
    token = _NAMED_SIZES.set(_sizes_read_back(e))
    try:
        return _show_all(e, notation)
    finally:
        _NAMED_SIZES.reset(token)


def _show_all(e: Expr, notation: str) -> str:
    nodes = list(walk(e, _shown(notation)))
    links = {n.args[0] for n in nodes if _in_chain(n, notation) and _in_chain(n.args[0], notation)}
    for node in nodes:
        if node not in links:
            _show(node, notation)
    return _show(e, notation)[0]


_SHOWN: dict[tuple[str, frozenset[str], bool], weakref.WeakKeyDictionary] = {}  # node -> (text, precedence)
_TYPESET: ContextVar[frozenset[str]] = ContextVar("typeset", default=frozenset())


@contextmanager
def spelled_typeset(names: Iterable[str]) -> Iterator[None]:
    """Within: the variables the user wrote typeset (`λ`, not `lambda`) keep their Greek letter in
    the text notation too (results keep the user's spelling); Unicode and LaTeX always show it."""
    token = _TYPESET.set(frozenset(read_name(n) for n in names))
    try:
        yield
    finally:
        _TYPESET.reset(token)


_NAMED_SIZES: ContextVar[bool] = ContextVar("named_sizes", default=True)


def _sizes_read_back(e: Expr) -> bool:
    """Whether every size sum(𝟙_n) in e may print as `n`: n is also the size of something else printed (a
    variable, 𝟙_n, I_n), so `n` reads back as that size with the formula's declarations; else sum(𝟙_n) stays."""
    for node in walk(e, _DIMS):  # each node once while it lives: a derivation's lines share their parts
        if _size(node):
            _DIMS[node] = (frozenset(), frozenset(node.args[0].shape[:1]))
        else:
            parts = [_DIMS[a] for a in node.args]
            named = frozenset(node.shape).union(*(p[0] for p in parts))
            _DIMS[node] = (named, frozenset().union(*(p[1] for p in parts)))
    named, sized = _DIMS[e]
    return sized <= named


_DIMS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # node -> (its dimensions, the sizes printed n in it)


def _shown(notation: str) -> weakref.WeakKeyDictionary:
    """The texts printed so far in a notation (per spelling of Greek names in text, and per printing of sizes)."""
    key = (notation, _TYPESET.get() if notation == "text" else frozenset(), _NAMED_SIZES.get())
    return _SHOWN.setdefault(key, weakref.WeakKeyDictionary())


def _show(e: Expr, notation: str) -> tuple[str, int]:
    shown = _shown(notation)
    known = shown.get(e)
    if known is None:
        known = shown[e] = _render(e, notation)
    return known


def _in_chain(e: Expr, notation: str) -> bool:
    return OPS[e.op].layout == "infix" and _infix_in(e, notation)


def show_name(name: str, notation: str) -> str:
    """A variable, definition or dimension name, in any spelling (`λ`, `lambda`, `W₁`), in a notation:
    text keeps ASCII but for Greek letters the user typed (``spelled_typeset``); Unicode writes
    λ, W₁; LaTeX \\lambda, W_{1}, d_{\\mathrm{model}}, \\mathrm{W1}."""
    name = read_name(name)
    head, *subs = name.split("_")
    greek = re.fullmatch(r"([A-Za-z]+?)(\d*)", head)
    letter = _GREEK_LETTER.get(greek.group(1)) if greek else None
    if notation == "text":
        return letter + name[len(greek.group(1)):] if letter and name in _TYPESET.get() else name
    if subs and subs[0] in _DECORATIONS and (len(head) == 1 or head in _GREEK_LETTER):  # y_hat: ŷ, \hat{y}
        base = show_name(head, notation)
        rest = show_name("x_" + "_".join(subs[1:]), notation)[1:] if subs[1:] else ""
        mark = _DECORATIONS[subs[0]][notation == "latex"]
        return (f"{mark}{{{base}}}" if notation == "latex" else unicodedata.normalize("NFC", base + mark)) + rest
    if notation == "unicode":
        text = letter + name[len(greek.group(1)):] if letter else name
        if len(subs) == 1 and subs[0].isdigit():  # W₁, λ₁₂
            text = text[:-len(subs[0]) - 1] + subs[0].translate(_SUBSCRIPT_DIGITS)
        return text
    if name.isdigit():
        return name
    if len(head) == 1 or head in _GREEK_LETTER:
        return ("\\" + head if head in _GREEK_LETTER else head) + "".join(
            "_{%s}" % (s if len(s) == 1 or s.isdigit() else "\\mathrm{%s}" % s) for s in subs)
    return "\\mathrm{%s}" % name.replace("_", "\\_")


_SUBSCRIPT_DIGITS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
_DECORATIONS = {"hat": ("\u0302", "\\hat"), "tilde": ("\u0303", "\\tilde"), "bar": ("\u0304", "\\bar"),
                "dot": ("\u0307", "\\dot")}  # y_hat is ŷ and \hat{y}, as the reader reads them
_SUPERSCRIPT_DIGITS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def _number(value: float | int, notation: str) -> str:
    text = repr(value) if isinstance(value, float) else str(value)
    return text.replace("inf", "1e999")


_TRANSPOSE = dict(zip(NOTATIONS, OPS["transpose"].forms))


def _leaf(e: Expr, notation: str) -> tuple[str, int]:
    if e.op == "var":
        return show_name(e.attr.name, notation), ATOM
    if e.op == "ref":
        return show_name(e.attr, notation), ATOM
    if e.op == "const":
        return _number(e.attr, notation), NEG if e.attr < 0 else ATOM
    if e.op == "identity":  # always with its size: `s I` or `tr(I)` would not say which I
        size = _dim(e.shape[0], notation)
        return ("I_{%s}" if notation == "latex" else "I_%s") % size, ATOM
    if e.op == "fill":
        return _fill(e, notation)
    assert e.op == "d", e.op
    inner, prec = _show(e.args[0], notation)
    if e.args[0].op == "var":
        return "d" + inner, ATOM
    return f"d({inner})", ATOM


def _dim(size: int | str, notation: str) -> str:
    """A dimension in a subscript: `d_model` in text and Unicode, `d_{\\mathrm{model}}` in LaTeX."""
    return show_name(str(size), "latex") if notation == "latex" else str(size)


def _ones(length, notation: str) -> str:
    sub = "{%s}" % _dim(length, notation) if "_" in str(length) or notation == "latex" else str(length)
    return {"text": "1_", "unicode": "𝟙_", "latex": "\\mathbf{1}_"}[notation] + sub


def _zeros(rows, cols, notation: str) -> tuple[str, int]:
    """A zero array with its size, as books write it: 0_n, 0_nᵀ, 0_{n×m} (so it reads back sized)."""
    zero = "\\mathbf{0}_" if notation == "latex" else "0_"
    if cols == 1 or rows == 1:
        size = rows if cols == 1 else cols
        sub = "{%s}" % _dim(size, notation) if "_" in str(size) or notation == "latex" else str(size)
        return zero + sub + ("" if cols == 1 else _TRANSPOSE[notation]), ATOM if cols == 1 else POSTFIX
    times = {"text": ",", "unicode": "×", "latex": " \\times "}[notation]
    return zero + "{%s%s%s}" % (_dim(rows, notation), times, _dim(cols, notation)), ATOM


def _fill(e: Expr, notation: str) -> tuple[str, int]:
    """A constant array as the book writes it: 0_n, 0_{n×m}, 𝟙_n, 2 𝟙_nᵀ, c 𝟙_n 𝟙_mᵀ (always sized, like I_n)."""
    rows, cols = e.shape
    if is_scalar(e.shape):
        return _number(e.attr, notation), NEG if e.attr < 0 else ATOM
    if e.attr == 0:
        return _zeros(rows, cols, notation)
    if cols == 1 or rows == 1:
        ones = _ones(rows if cols == 1 else cols, notation) + ("" if cols == 1 else _TRANSPOSE[notation])
        prec = ATOM if cols == 1 else POSTFIX
    else:
        ones, prec = _ones(rows, notation) + " " + _ones(cols, notation) + _TRANSPOSE[notation], PRODUCT
    if e.attr == 1:
        return ones, prec
    return _number(e.attr, notation) + " " + ones, NEG if e.attr < 0 else PRODUCT


def _leading_number(e: Expr) -> bool:
    """True for a number or a product or quotient chain that starts with one (2 A x, 2 x / s)."""
    while e.op in ("matmul", "div"):
        e = e.args[0]
    return e.op == "const" or e.op == "fill" and e.attr not in (0, 1)


def _negated(term: Expr) -> Expr | None:
    """-term when term reads as a negative (-A, -2, -2 A x), so a sum prints `B - 2 A x`."""
    if term.op == "neg":  # -(2 A) stays `+ -(2 A)`: `- 2 A` reads back as (-2) A
        return None if _leading_number(term.args[0]) else term.args[0]
    if term.op == "const" and term.attr < 0:
        return const(-term.attr)
    if term.op == "fill" and term.attr < 0 and term.attr != -1:  # `B - 1_n` is B - 𝟙_n: -1 𝟙_n stays `+ -1 1_n`
        return fill(-term.attr, term.shape)
    if term.op == "div" and term.args[0].op != "neg" and _negated(term.args[0]) is not None:
        return div(_negated(term.args[0]), term.args[1])  # B - 2 A x / s; (-x) / s stays `+ -x / s`
    if term.op == "matmul":
        head = _negated(term.args[0])
        return None if head is None or term.args[0].op == "neg" else matmul(head, term.args[1])
    return None


_LATEX_BRACED = {"\\sqrt"}  # LaTeX commands whose argument goes in braces: \sqrt{x}
_LATEX_COMMAND_END = re.compile(r"\\(?:(?:mathrm|operatorname)\{[A-Za-z]+\}|([A-Za-z]+))$")


def _reads_as_call(left: str) -> bool:
    """True when LaTeX text ending in `left` and followed by `(` would read as a call
    (`\\sigma (x)`, `\\mathrm{Wa} (x)`): the grammar's CALLNAME; Greek letters but σ are names."""
    m = _LATEX_COMMAND_END.search(left)
    return m is not None and (m.group(1) is None or m.group(1) == "sigma" or m.group(1) not in _GREEK_LETTER
                              and m.group(1) not in ("top", "rangle", "rVert"))


def _wrap(text: str, prec: int, need: int) -> str:
    return text if prec >= need else f"({text})"


def _render(e: Expr, notation: str) -> tuple[str, int]:
    spec = OPS[e.op]
    i = _INDEX[notation]
    if spec.layout == "leaf":
        return _leaf(e, notation)
    if spec.layout == "sum":
        parts = []
        for k, term in enumerate(e.args):
            positive = _negated(term)
            if positive is not None and k > 0:
                body = _show(positive, notation)
                parts.append(" - " + _wrap(body[0], body[1], PRODUCT))
            else:
                text, prec = _show(term, notation)
                parts.append((" + " if k else "") + _wrap(text, prec, PRODUCT))
        return "".join(parts), SUM
    if spec.layout == "infix" and not _infix_in(e, notation):  # A ⊗ B is kron(A, B) in ASCII
        return f"{spec.name}({', '.join(_show(a, notation)[0] for a in e.args)})", ATOM
    if spec.layout == "infix":
        return _infix(e, notation), PRODUCT
    if spec.layout == "prefix":
        text, prec = _show(e.args[0], notation)
        return spec.forms[i] + _wrap(text, prec, NEG), NEG
    if spec.layout == "postfix":
        fused = dict(spec.fused).get(e.args[0].op)
        if fused:  # (Xᵀ)⁻¹ as X⁻ᵀ
            return _superscript(e.args[0].args[0], fused[i], notation), POSTFIX
        if e.op == "mpow" or e.op == "inv" and e.args[0].op == "mpow":  # (X²)⁻¹ as X⁻²
            return _matrix_power(*((e.args[0], e.attr) if e.op == "mpow" else (e.args[0].args[0], -e.args[0].attr)),
                                 notation), POSTFIX
        return _superscript(e.args[0], spec.forms[i].format(a=e.attr), notation), POSTFIX
    if spec.layout == "power":
        return _power(e, notation), POSTFIX
    if _size(e) and _NAMED_SIZES.get():  # sum(𝟙_n) is the size n, written as the user writes it
        return show_name(e.args[0].shape[0], notation), ATOM
    args = [_show(a, notation)[0] for a in e.args] + ([show_dim(d) for d in e.attr] if spec.sizes else [])
    if spec.layout == "wrap":
        return spec.forms[i].format(*args), ATOM
    assert spec.layout == "call", spec.layout
    if notation == "latex" and spec.forms[i] in _LATEX_BRACED:
        return spec.forms[i] + "{%s}" % ", ".join(args), ATOM
    return f"{spec.forms[i]}({', '.join(args)})", ATOM


def _size(e: Expr) -> bool:
    """True for sum(𝟙_n) with n a dimension name: the size n (a bare `n` reads back so where n is a dimension)."""
    ones = e.args[0] if e.op == "sum" else None
    return ones is not None and ones.op == "fill" and ones.attr == 1 and ones.shape[1] == 1 \
        and isinstance(ones.shape[0], str) and ones.shape[0].isidentifier()


def _infix(e: Expr, notation: str) -> str:
    """A chain of level-2 operations, printed left to right without recursing down the left
    spine (a 30,000-factor product prints): `A B .* C` needs `(A B) .* C` only for reading."""
    spine = [e]
    while OPS[spine[-1].args[0].op].layout == "infix" and _infix_in(spine[-1].args[0], notation):
        spine.append(spine[-1].args[0])
    text, prec = _show(spine[-1].args[0], notation)
    pieces, opens, last = [text], 0, text
    for link in reversed(spine):
        left = link.args[0]
        # (A ⊙ B) C reads better
        mixed = OPS[left.op].layout == "infix" and left.op != link.op and _infix_in(left, notation)
        if prec < (POSTFIX if mixed else PRODUCT) or _scalar_group(link) or _ones_outer(link):
            opens, last = opens + 1, ")"
            pieces.append(")")
        sep, right = _link(link, last, notation)
        pieces += [sep, right]
        last, prec = right, PRODUCT
    return "(" * opens + "".join(pieces)


def _scalar_group(link: Expr) -> bool:
    """A scalar formed from arrays or a quotient scaling an array: grouped, `(xᵀ A x) x`,
    `((xᵀ A x) / (xᵀ x)) x`, never `xᵀ A x x` (the same tree: products group to the left)."""
    left = link.args[0]
    if link.op != "matmul" or not is_scalar(left.shape) or is_scalar(link.shape):
        return False
    while left.op == "matmul":
        if not is_scalar(left.args[1].shape) or left.args[1].op == "div":
            return True
        left = left.args[0]
    return left.op == "div" or not is_scalar(left.shape)


def _ones_factor(e: Expr, column: bool) -> bool:
    """c 𝟙_n (column) or c 𝟙_nᵀ (row), as the parser's ``folded_chain`` sees them."""
    if e.op == "transpose":
        e = e.args[0]
        column = not column
    return e.op == "fill" and not is_scalar(e.shape) and e.shape[1 if column else 0] == 1


def _ones_outer(link: Expr) -> bool:
    """(P 𝟙_n) 𝟙_kᵀ keeps its parentheses: without them it reads as P (𝟙_n 𝟙_kᵀ), printed P 𝟙_n 𝟙_kᵀ."""
    left = link.args[0]
    return link.op == "matmul" and left.op == "matmul" and _ones_factor(link.args[1], column=False) \
        and _ones_factor(left.args[1], column=True)


def _ones_matrix(e: Expr) -> bool:
    """𝟙_n 𝟙_kᵀ, a product that needs no parentheses as a right factor (see ``_ones_outer``)."""
    return e.op == "fill" and e.attr == 1 and e.shape[0] != 1 and e.shape[1] != 1


def _infix_in(e: Expr, notation: str) -> bool:
    """An infix operation prints as one unless its sign is not ASCII and the notation is text."""
    return notation != "text" or OPS[e.op].forms[0].isascii()


def _link(e: Expr, left_end: str, notation: str) -> tuple[str, str]:
    """The operator and the right operand of one infix node (left_end: the text before it)."""
    spec = OPS[e.op]
    right, rp = _show(e.args[1], notation)
    forms = spec.scalar_forms if spec.scalar_forms and is_scalar(e.args[1].shape) else spec.forms
    sep = forms[_INDEX[notation]]
    right = right if e.op == "matmul" and _ones_matrix(e.args[1]) else _wrap(right, rp, POSTFIX)
    if notation == "latex" and sep == " " and (right[:1].isdigit() or right[:1] == "(" and _reads_as_call(left_end)):
        sep = " \\cdot "  # `2 \cdot 3`, and `\sigma \cdot (x)` for a variable sigma
    return sep, right


def _superscript(base: Expr, suffix: str, notation: str) -> str:
    text, prec = _show(base, notation)
    return _wrap(text, prec, ATOM) + suffix  # no stacked postfixes: (X⁻²)ᵀ, not Xᵀ^2⁻¹


def _typeset(k: float) -> str:
    """A whole exponent 2…999 or -2…-999 as a typeset superscript (², ⁻², ¹⁰), else ''."""
    if k != int(k) or not 2 <= abs(k) <= 999:
        return ""
    return ("⁻" if k < 0 else "") + str(abs(int(k))).translate(_SUPERSCRIPT_DIGITS)


def _matrix_power(base: Expr, k: int, notation: str) -> str:
    """Xᵏ, with a typeset superscript in Unicode (X², X⁻²), and the transpose outside: (X⁻²)ᵀ."""
    if notation == "unicode" and _typeset(k):
        suffix = _typeset(k)
    else:
        suffix = OPS["mpow"].forms[_INDEX[notation]].format(a=k)
    if base.op != "transpose":
        return _superscript(base, suffix, notation)
    return f"({_superscript(base.args[0], suffix, notation)}){OPS['transpose'].forms[_INDEX[notation]]}"


def _power(e: Expr, notation: str) -> str:
    base, p = e.args
    scalar_base = is_scalar(base.shape)
    if p.op == "const":
        exponent = _number(p.attr, notation)
    else:
        text, prec = _show(p, notation)
        exponent = text if prec == ATOM and notation != "latex" or notation == "latex" else f"({text})"
    if notation == "unicode" and scalar_base and p.op == "const" and _typeset(p.attr):
        suffix = _typeset(p.attr)  # ‖x‖², α³, α⁻² as typeset
    elif notation == "latex":
        suffix = "^{%s}" % exponent if scalar_base else "^{\\circ %s}" % exponent
    elif notation == "unicode" and not scalar_base:  # typeset, never ASCII .^ beside ᵀ: x^{∘-1.5}
        suffix = "^{∘%s}" % exponent
    else:
        suffix = ("^" if scalar_base else ".^") + exponent
    return _superscript(base, suffix, notation)
