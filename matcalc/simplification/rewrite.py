"""Rewriting: rules as data, applied bottom-up to a fixed point.

A ``Rule`` has a name (the identity it applies, e.g. ``(Aᵀ)ᵀ = A``) and a function
that returns the rewritten node or None when the rule does not apply. ``Rewriter``
applies a rule list to every node, children first, until nothing changes; results
are memoized per node (nodes are hash-consed, so a DAG is rewritten once per
distinct node).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from matcalc.algebra.expr import Expr
from matcalc.algebra.ops import make

RuleFn = Callable[[Expr], "Expr | None"]


@dataclass(frozen=True)
class Rule:
    """A named rewrite: ``apply(node)`` returns the new node, or None."""

    name: str
    apply: Callable[[Expr], Expr | None]


def collector(rules: list[Rule]) -> Callable[[str], Callable[[RuleFn], RuleFn]]:
    """A decorator ``@rule("identity")`` that appends the function to rules, in order."""

    def rule(name: str) -> Callable[[RuleFn], RuleFn]:
        def register(fn: RuleFn) -> RuleFn:
            rules.append(Rule(name, fn))
            return fn

        return register

    return rule


@dataclass
class Rewriter:
    """Applies a list of rules everywhere to a fixed point."""

    rules: list[Rule]
    memo: dict[Expr, Expr] = field(default_factory=dict)

    def __call__(self, root: Expr) -> Expr:
        """The fixed point of the rules on root (only nodes not seen before are visited)."""
        stack: list[tuple[Expr, bool]] = [(root, False)]
        while stack:
            node, expanded = stack.pop()
            if node in self.memo:
                continue
            if expanded:
                self.memo[node] = self._at(node)
            else:
                stack.append((node, True))
                stack.extend((a, False) for a in reversed(node.args) if a not in self.memo)
        return self.memo[root]

    def _at(self, node: Expr) -> Expr:
        """Rebuild node from rewritten children, then rewrite it at the top until stable."""
        args = tuple(self.memo[a] if a in self.memo else self(a) for a in node.args)
        if args != node.args:
            node = Expr(node.op, args, node.attr, node.shape) if node.op in ("ref", "d") or not args else \
                make(node.op, *args, attr=node.attr)
        new = self._once(node)
        return node if new is None else self(new)

    def _once(self, node: Expr) -> Expr | None:
        for rule in self.rules:
            new = rule.apply(node)
            if new is not None and new is not node:
                return new
        return None
