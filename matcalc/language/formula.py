"""``Formula``: what ``parse`` and ``grad`` give back to a user.

A Formula is an expression together with its variables' declarations and the
definitions it uses (``Y = sigmoid(W X)``). It prints in three forms, each of which
parses back (with ``where=formula.where``) to an equal expression.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from matcalc.algebra.expr import Expr, Var, walk
from matcalc.algebra.shapes import Shape, is_scalar
from matcalc.display import Display
from matcalc.language.printers import show, show_name, spelled_typeset
from matcalc.language.to_sympy import sympy_form


@dataclass(frozen=True)
class Declaration:
    """A variable's name, kind and shape, as written in a `where` clause."""

    var: Var
    shape: Shape
    typeset: bool = field(default=False, compare=False)  # written typeset (λ, W₁): text output keeps a Greek letter

    @property
    def name(self) -> str:
        """The variable's name."""
        return self.var.name

    def type_text(self) -> str:
        """The type as a declaration writes it: `matrix(n, m)`, `spd(n) positive`."""
        r, c = self.shape
        kind = self.var.kind
        if kind == "scalar" or kind == "vector" and is_scalar(self.shape) and r == 1:
            text = "scalar" if kind == "scalar" else "vector(1)"
        elif kind == "vector":
            text = f"vector({r})"
        elif kind == "matrix":
            text = f"matrix({r}, {c})"
        else:
            text = f"{kind}({r})"
        return text + (" positive" if self.var.positive else "") + (f" {self.var.simplex}" if self.var.simplex else "")

    def __str__(self) -> str:
        return f"{self.name}: {self.type_text()}"


@dataclass(frozen=True)
class Reading:
    """How a formula was read: the formula as read (Unicode) and every guess made on the way
    (`Xb → X b`, `w: vector(n) (lowercase name)`, `ReLU → the function relu`)."""

    formula: str
    guesses: tuple[str, ...] = ()

    def lines(self) -> list[str]:
        """`read as …` and one line per guess."""
        return [f"read as {self.formula}"] + [f"  {g}" for g in self.guesses]

    def __str__(self) -> str:
        return "\n".join(self.lines())

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON."""
        return {"formula": self.formula, "guesses": list(self.guesses)}


class Formula(Display):
    """An expression with its declarations and the definitions it uses; ``reading`` says how
    the text it came from was read (None for a formula matcalc built); ``inputs`` are the
    variables a caller passes when it is evaluated (a gradient's: those of its function; None:
    its own variables); ``what`` says what a derived result is (``Hessian of f in x``)."""

    what: str = ""
    hints: tuple = ()  # declarations that would shorten a derived result (calculus.gradients.Hint)

    def __init__(self, expr: Expr, declarations: tuple[Declaration, ...] = (),
                 definitions: tuple[tuple[str, Expr], ...] = (), reading: Reading | None = None,
                 inputs: tuple[Declaration, ...] | None = None):
        self.expr = expr
        self.reading = reading
        self.inputs = inputs
        self.declarations = declarations
        used = {n.attr for n in walk(expr) if n.op == "ref"}
        self.definitions = tuple((name, ref) for name, ref in definitions if name in used)

    @property
    def shape(self) -> Shape:
        """The shape of the value: (rows, cols)."""
        return self.expr.shape

    @property
    def where(self) -> str:
        """The declarations as a `where` clause body: `a: vector(n); X: matrix(n, m)`."""
        return "; ".join(str(d) for d in self.declarations)

    @property
    def variables(self) -> list[str]:
        """The names of the variables, in order of first appearance."""
        return [d.name for d in self.declarations]

    def show(self, notation: str = "text") -> str:
        """The formula in `text`, `unicode` or `latex`, preceded by the definitions it uses (names
        keep the user's spelling: `λ` stays `λ` in text)."""
        with spelled_typeset(self.typeset_names):
            lines = [f"{show_name(name, notation)} = {show(ref.args[0], notation)}" for name, ref in self.definitions]
            return ("; " if notation != "latex" else ";\\quad ").join(lines + [show(self.expr, notation)])

    @property
    def typeset_names(self) -> list[str]:
        """The variables the user wrote typeset (`λ`, not `lambda`; `W₁`, not `W_1`)."""
        return [d.name for d in self.declarations if d.typeset]

    def text(self) -> str:
        """The plain-text (ASCII) form."""
        return self.show("text")

    def unicode(self) -> str:
        """The Unicode form (⊙, ᵀ, σ)."""
        return self.show("unicode")

    def latex(self) -> str:
        """The LaTeX form."""
        return self.show("latex")

    def to_sympy(self) -> Any:
        """The SymPy matrix expression (MatrixSymbol, HadamardProduct, Trace, …), definitions expanded."""
        return sympy_form(self.expr)

    def _repr_latex_(self) -> str:
        return f"$${self.latex()}$$"

    def __str__(self) -> str:
        return self.text()

    def __repr__(self) -> str:
        return f"Formula({self.text()!r}" + (f", what={self.what!r})" if self.what else ")")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Formula) and self.expr is other.expr

    def __hash__(self) -> int:
        return hash(self.expr)
