"""The one rewrite engine: rules as data, indexed by the operation at their root.

A ``Rule`` states ONE identity: its ``name`` is the identity (``(Aᵀ)ᵀ = A``) and its stable id,
``ops`` the operations it can rewrite at the root, ``guard`` its side condition (shapes,
scalar-ness, symmetry, invertibility, nonzero) and ``build`` the rewritten node (or None when
the node does not have the rule's form). A ``RuleList`` collects rules in order with a
decorator; the simplifier (``simplify.py``) and the code generator (``lowering/rules.py``,
``lowering/finish.py``) are rule lists run by the same ``Engine``.

The engine rewrites bottom-up to a fixed point, each distinct node of a DAG once (results are
memoized), tries at a node only the rules indexed under its operation, and records every
application as ``Applied(rule, before, after)`` when asked for a trace (the format derivation
steps share, see ``calculus.diff``). Invariant: every application keeps the node's shape; a
rule that changes it raises ``RuleShapeError`` (an internal error, never a silent change).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from matcalc.algebra.expr import Expr, with_args
from matcalc.algebra.shapes import show_shape

Build = Callable[[Expr], "Expr | None"]
Guard = Callable[[Expr], bool]


def always(e: Expr) -> bool:
    """The guard of an unconditional identity."""
    return True


KNOWN: dict[str, Rule] = {}  # every rule built so far, by its identity (the rule-by-rule test walks it)


@dataclass(frozen=True)
class Rule:
    """One identity ``name``, rewriting nodes whose operation is in ``ops`` when ``guard`` holds."""

    name: str
    ops: tuple[str, ...]
    build: Build
    guard: Guard = always

    def __post_init__(self) -> None:
        KNOWN[self.name] = self

    def apply(self, e: Expr) -> Expr | None:
        """The rewritten node, or None when the rule does not apply to e."""
        if e.op not in self.ops or not self.guard(e):
            return None
        new = self.build(e)
        return None if new is None or new is e else new


@dataclass(frozen=True)
class Applied:
    """One rewrite: the rule (its identity), the node before and the node after."""

    rule: str
    before: Expr
    after: Expr


class RuleShapeError(AssertionError):
    """A rule changed the shape of what it rewrote: a bug in the rule, never a user error."""


class RuleCycleError(AssertionError):
    """Rules rewrote a node back into itself (they do not terminate): a bug, never a user error."""


class RuleList(list):
    """An ordered list of rules with a decorator to add one:

    ``@rules.rule("(Aᵀ)ᵀ = A", "transpose", guard=...)`` above ``def build(e) -> Expr | None``."""

    def rule(self, name: str, *ops: str, guard: Guard = always) -> Callable[[Build], Build]:
        def register(build: Build) -> Build:
            self.append(Rule(name, ops, build, guard))
            return build

        return register


class Engine:
    """Runs a rule list everywhere to a fixed point; ``memo`` maps nodes to their rewritten form."""

    def __init__(self, rules: Iterable[Rule], memo: dict[Expr, Expr] | None = None):
        self.rules = list(rules)
        self.index: dict[str, list[Rule]] = {}
        for r in self.rules:
            for op in r.ops:
                self.index.setdefault(op, []).append(r)
        self.memo: dict[Expr, Expr] = {} if memo is None else memo
        self.trace: list[Applied] | None = None

    def __call__(self, root: Expr) -> Expr:
        """The fixed point of the rules on root (only nodes not seen before are visited).

        Iterative (an explicit stack, children first, a rewrite's result before the node that
        waits for it), so rewriting a deep expression never recurses."""
        memo = self.memo
        waiting: dict[Expr, tuple[Expr, Expr]] = {}  # node -> (node on rewritten children, its rewrite)
        stack = [root]
        while stack:
            node = stack[-1]
            if node in memo:
                stack.pop()
            elif node in waiting:
                rebuilt, new = waiting.pop(node)
                if new not in memo:
                    raise RuleCycleError(f"rules rewrite in a cycle: {node!r} -> {new!r}")
                memo[node] = memo[rebuilt] = memo[new]
                stack.pop()
            elif todo := [a for a in node.args if a not in memo]:
                stack.extend(reversed(todo))
            else:
                rebuilt = with_args(node, tuple(memo[a] for a in node.args))
                new = self._rewrite(rebuilt)
                if new is None:
                    memo[node] = memo[rebuilt] = rebuilt
                    stack.pop()
                else:
                    waiting[node] = (rebuilt, new)
                    stack.append(new)
        return memo[root]

    def run(self, roots: Iterable[Expr]) -> list[Expr]:
        """Every root rewritten (one memo: shared nodes stay shared)."""
        return [self(r) for r in roots]

    def traced(self, root: Expr) -> tuple[Expr, list[Applied]]:
        """The fixed point of root and every rule application on the way (in order)."""
        self.trace = []
        try:
            return self(root), self.trace
        finally:
            self.trace = None

    def _rewrite(self, node: Expr) -> Expr | None:
        """node (whose children are rewritten) after the first rule that applies at its top, or None."""
        for r in self.index.get(node.op, ()):
            new = r.apply(node)
            if new is not None:
                if new.shape != node.shape:
                    raise RuleShapeError(f"rule '{r.name}' changed a shape from {show_shape(node.shape)} "
                                         f"to {show_shape(new.shape)}: {node!r} -> {new!r}")
                if self.trace is not None:
                    self.trace.append(Applied(r.name, node, new))
                return new
        return None
