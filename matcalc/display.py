"""How matcalc's results look in a notebook and on the web page, and their short ``repr``.

Every result type (``Formula``, ``Gradients``, ``Derivation``, ``CheckReport``, ``ClaimResult``,
``StepsReport``, ``ProblemResult``, ``Homework``) inherits ``Display``, which gives it:

- ``_repr_html_``: HTML with the math as MathML, made here by latex2mathml (no script, no
  network: browsers render MathML natively); ``None`` when latex2mathml is not installed, so
  that Jupyter falls back to the next form;
- ``_repr_markdown_``: Markdown with ``$…$`` math (Jupyter typesets it with its MathJax);
- ``__repr__``: one short line.

The content of each is written once, as a list of ``Row`` of text and ``Math`` pieces (see
``doc``), then rendered to either form. The web page (``matcalc.web``) shows the same HTML.
"""

from __future__ import annotations

import html as _html
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any


@dataclass(frozen=True)
class Math:
    """A piece of math, in LaTeX."""

    latex: str


@dataclass(frozen=True)
class Code:
    """A piece shown in a fixed-width font (program text, a student's line as written)."""

    text: str


Piece = str | Math | Code


@dataclass
class Row:
    """One line of a report: an optional ✓/✗ mark, pieces, an indentation level and a style."""

    pieces: list[Piece]
    mark: str = ""
    level: int = 0
    style: str = ""  # title | note | error | pre


@dataclass
class Table:
    """Rows of cells (each cell a list of pieces); the first column may carry ✓/✗ marks."""

    cells: list[list[list[Piece]]]
    marks: list[str] = field(default_factory=list)
    level: int = 0
    style: str = ""  # derivation: the last column holds rule labels; steps: a checked derivation


Block = Row | Table


# ---------------------------------------------------------------- rendering

@lru_cache(maxsize=4096)
def mathml(latex: str, block: bool = False) -> str:
    """MathML of a LaTeX string (latex2mathml); raises ImportError when it is not installed."""
    from latex2mathml.converter import convert

    return convert(latex, display="block" if block else "inline")


def has_mathml() -> bool:
    """True when latex2mathml is installed (the ``web`` extra)."""
    try:
        import latex2mathml.converter  # noqa: F401
    except ImportError:
        return False
    return True


def _piece_html(p: Piece) -> str:
    if isinstance(p, Math):
        return f'<span class="mc-math" data-latex="{_html.escape(p.latex)}">{mathml(p.latex)}</span>'
    if isinstance(p, Code):
        return f"<code>{_html.escape(p.text)}</code>"
    return _html.escape(p)


def _mark_html(mark: str) -> str:
    if not mark:
        return ""
    return f'<span class="mc-mark mc-{"ok" if mark == "✓" else "bad"}">{mark}</span> '


STYLE = """<style>
.mc-doc{font-family:system-ui,sans-serif;line-height:1.7}
.mc-doc math{font-size:1.12em}
.mc-row.mc-title{font-weight:600;margin-top:.4em}
.mc-row.mc-note,.mc-row.mc-pre{color:#555}
.mc-row.mc-pre{font-family:ui-monospace,monospace;white-space:pre-wrap;font-size:.9em}
.mc-row.mc-error{color:#b00020}
.mc-mark.mc-ok{color:#1a7f37;font-weight:700}.mc-mark.mc-bad{color:#cf222e;font-weight:700}
.mc-table{border-collapse:collapse;margin:.2em 0}
.mc-table td{padding:.15em .6em;vertical-align:middle}
.mc-table.mc-derivation td:last-child{color:#6e7781;font-size:.85em}
.mc-table.mc-steps td.mc-c2{min-width:22em}.mc-table.mc-steps td.mc-c3{min-width:16em}
</style>"""


def to_html(blocks: Iterable[Block], style: bool = True) -> str:
    """The blocks as one HTML fragment (with the small stylesheet unless style=False)."""
    out = [STYLE if style else "", '<div class="mc-doc">']
    for b in blocks:
        pad = f' style="margin-left:{1.5 * b.level}em"' if b.level else ""
        if isinstance(b, Row):
            cls = "mc-row" + (f" mc-{b.style}" if b.style else "")
            out.append(f'<div class="{cls}"{pad}>{_mark_html(b.mark)}{"".join(map(_piece_html, b.pieces))}</div>')
            continue
        out.append(f'<table class="mc-table{" mc-" + b.style if b.style else ""}"{pad}>')
        for i, row in enumerate(b.cells):
            mark = f"<td>{_mark_html(b.marks[i])}</td>" if b.marks else ""
            cells = "".join(f'<td class="mc-c{j}">' + "".join(map(_piece_html, cell)) + "</td>"
                            for j, cell in enumerate(row))
            out.append(f"<tr>{mark}{cells}</tr>")
        out.append("</table>")
    out.append("</div>")
    return "\n".join(out)


def _piece_md(p: Piece) -> str:
    if isinstance(p, Math):
        return f"${p.latex}$"
    if isinstance(p, Code):
        return f"`{p.text}`"
    return p.replace("*", "\\*").replace("_", "\\_")


def to_markdown(blocks: Iterable[Block]) -> str:
    """The blocks as Markdown, math between dollars; one paragraph line per row."""
    out = []
    for b in blocks:
        indent = "&emsp;" * (2 * b.level)
        rows = [(b.mark, b.pieces)] if isinstance(b, Row) else [
            (b.marks[i] if b.marks else "", [q for cell in row for q in (*cell, " ")])
            for i, row in enumerate(b.cells)]
        for mark, pieces in rows:
            text = "".join(map(_piece_md, pieces))
            if isinstance(b, Row) and b.style == "title":
                text = f"**{text}**"
            out.append(f"{indent}{mark + ' ' if mark else ''}{text}".rstrip())
    return "  \n".join(out)


# ---------------------------------------------------------------- the mixin


class Display:
    """Notebook display and a short repr, from ``doc(self)`` and ``short(self)`` below."""

    def _repr_html_(self) -> str | None:
        return to_html(doc(self)) if has_mathml() else None

    def _repr_markdown_(self) -> str:
        return to_markdown(doc(self))

    def __repr__(self) -> str:
        return short(self)


class Gradients(Display, dict):
    """Several gradients by variable name (a dict: ``grads["X"]``), shown as ∇ equations."""


class Homework(Display, list):
    """A graded problem set: the list of ``ProblemResult``, shown problem by problem."""

    @property
    def ok(self) -> bool:
        """Every problem right (and there was at least one)."""
        return bool(self) and all(r.ok for r in self)

    @property
    def right(self) -> int:
        """How many problems are right."""
        return sum(r.ok for r in self)

    @property
    def tally(self) -> str:
        """`2 of 3 problems right (1 not graded)`: a problem that could not be graded is not counted wrong."""
        graded = sum(r.graded for r in self)
        return f"{self.right} of {graded} problems right" + (f" ({len(self) - graded} not graded)"
                                                             if graded < len(self) else "")


def doc(obj: Any) -> list[Block]:
    """The blocks that show a result object (dispatched on its class name)."""
    from matcalc import display_docs

    return getattr(display_docs, type(obj).__name__.lower() + "_doc")(obj)


def short(obj: Any) -> str:
    """A one-line repr of a result object."""
    from matcalc import display_docs

    return getattr(display_docs, type(obj).__name__.lower() + "_short")(obj)
