"""Forward mode and matrix forms of a linear map: the machinery under Jacobians, JVPs, Hessians, HVPs.

``expand`` applies the registry's d-rules from the outside in, ``d(F)`` -> the differential
``dF`` written in the differentials of the variables, recording each move as a step (the
derivation a user reads). ``coefficient`` then reads a linear form ``L(dX)`` as a matrix:
``vec(L) = J vec(dX)`` (numerator layout), by the identities ``vec(A B C) = (Cᵀ ⊗ A) vec(B)``,
``vec(a ⊙ B) = diag(vec(a)) vec(B)`` and, for a scalar, ``s = vec(∇s)ᵀ vec(dX)`` (the adjoint
moves of ``diff.py``). Where no matrix form exists (``vec(dXᵀ)`` needs a commutation matrix),
it raises an error that points to jvp/vjp.
"""

from __future__ import annotations

from matcalc.algebra import ops
from matcalc.algebra.expr import Expr, walk
from matcalc.algebra.shapes import MatcalcError, dim, is_scalar
from matcalc.algebra.structural import identity_of, kron, row_of, vec
from matcalc.calculus.diff import Linearizer, Step
from matcalc.simplification.simplify import simplify


def substitute(e: Expr, table: dict[Expr, Expr]) -> Expr:
    """e with every node in table replaced (one rebuild of the DAG; shapes recomputed)."""
    built: dict[Expr, Expr] = {}
    for node in walk(e):
        if node in table:
            built[node] = table[node]
        elif not node.args:
            built[node] = node
        else:
            args = tuple(built[a] for a in node.args)
            built[node] = node if args == node.args else ops.make(node.op, *args, attr=node.attr)
    return built[e]


def expand(f: Expr, wrt: list[Expr]) -> tuple[Expr, list[Step]]:
    """d(f) written in the differentials d(X) of wrt, by the d-rules, outermost node first.

    Each step's state is one expression (a Step with the single term <1, state>)."""
    order = {node: i for i, node in enumerate(walk(f))}
    depends: set[Expr] = set()
    for node in walk(f):
        if node in wrt or any(a in depends for a in node.args):
            depends.add(node)
    state = ops.d(f) if f in depends else ops.fill(0, f.shape)
    steps = [Step("", ((ops.const(1), state),))]
    while True:
        pending = [n.args[0] for n in walk(state) if n.op == "d" and n.args[0] not in wrt]
        if not pending:
            return state, steps
        e = max(pending, key=order.__getitem__)
        spec = ops.OPS[e.op]
        if spec.jvp is None:
            raise MatcalcError(f"{e.op} has no derivative rule")
        linear = spec.jvp(e, tuple(ops.d(a) if a in depends else None for a in e.args))
        state = substitute(state, {ops.d(e): ops.fill(0, e.shape) if linear is None else linear})
        steps.append(Step(spec.jvp_rule, ((ops.const(1), state),)))


class NoMatrixForm(MatcalcError):
    """A linear map with no Jacobian matrix built from plain products and Kronecker products."""


_IDENTITY = object()  # the coefficient of dx itself: kept apart so that (xᵀ ⊗ I) I is never written


def coefficient(lin: Expr, dx: Expr) -> Expr:
    """J with vec(lin) = J vec(dx), for lin linear in the differential dx (numerator layout)."""
    return _Reader(dx).read(lin)


class _Reader:
    """Reads the matrix of a linear form in one differential dx, node by node (memoized)."""

    def __init__(self, dx: Expr):
        self.dx = dx
        self.memo: dict[Expr, object] = {dx: _IDENTITY}

    def read(self, lin: Expr) -> Expr:
        for node in walk(lin, self.memo):
            self.memo[node] = self._node(node)
        out = self.memo[lin]
        if out is None:  # lin does not depend on dx
            return ops.fill(0, (vec(lin).shape[0], vec(self.dx).shape[0]))
        return self._plain(out)

    def _plain(self, c: object) -> Expr:
        return identity_of(self.dx.shape) if c is _IDENTITY else c

    def _times(self, m: Expr, c: object) -> Expr:
        """m J, with m I = m for a matrix m and (A ⊗ B)(C ⊗ D) = A C ⊗ B D."""
        if c is _IDENTITY and not is_scalar(m.shape):
            return m
        return mixed_product(m, self._plain(c))

    def _node(self, e: Expr) -> object:
        c = [self.memo[a] for a in e.args]
        if all(x is None for x in c):
            return None
        op = e.op
        if op == "add":
            return ops.add(*(self._spread(e, a, self._plain(x)) for a, x in zip(e.args, c) if x is not None))
        if op == "neg":
            return ops.neg(self._plain(c[0]))
        if op == "matmul":
            return self._matmul(e, c)
        if op in ("hadamard", "div"):
            return self._elementwise(e, c)
        if op == "transpose":
            a = e.args[0]
            if is_scalar(a.shape) or a.shape[0] == 1 or a.shape[1] == 1:
                return c[0]  # vec(aᵀ) = vec(a) for a vector
            raise NoMatrixForm("vec(dXᵀ) needs a commutation matrix")
        if op in ("ref", "vec", "unvec"):  # vec(unvec(da)) = da
            return c[0]
        if is_scalar(e.shape):
            return _scalar_row(e)
        raise NoMatrixForm(f"no matrix form through {op}")

    def _spread(self, e: Expr, term: Expr, c: Expr) -> Expr:
        """A scalar term of an array sum adds to every entry: vec(s 𝟙) = 𝟙 ds."""
        if is_scalar(term.shape) and not is_scalar(e.shape):
            if e.shape[1] != 1:
                raise NoMatrixForm("a scalar spread over a matrix")
            return ops.matmul(ops.fill(1, (e.shape[0], 1)), c)
        return c

    def _matmul(self, e: Expr, c: list[object]) -> Expr:
        """vec(A B) = (I ⊗ A) vec(B) = (Bᵀ ⊗ I) vec(A); a scalar factor scales."""
        (a, b), (ca, cb) = e.args, c
        if ca is not None and cb is not None:
            raise MatcalcError("internal: a differential on both sides of a product")
        if cb is not None:
            if is_scalar(a.shape):
                return self._times(a, cb)
            if is_scalar(b.shape):  # A s with s depending on dX: vec(A) ds
                return self._times(vec(a), cb)
            return self._times(kron(ops.identity(b.shape[1]), a), cb)
        if is_scalar(b.shape):
            return self._times(b, ca)
        if is_scalar(a.shape):
            return self._times(vec(b), ca)
        return self._times(kron(ops.transpose(b), ops.identity(a.shape[0])), ca)

    def _elementwise(self, e: Expr, c: list[object]) -> Expr:
        """vec(a ⊙ B) = diag(vec(a)) vec(B); vec(B ./ a) = diag(vec(1 ./ a)) vec(B)."""
        a, b = e.args
        if e.op == "div":
            if c[1] is not None:
                raise MatcalcError("internal: a differential in a denominator")
            factor, moving, cm = ops.div(ops.const(1), b), a, c[0]
        else:
            factor, moving, cm = (a, b, c[1]) if c[1] is not None else (b, a, c[0])
        if is_scalar(factor.shape):
            return self._times(factor, cm)
        if is_scalar(moving.shape):  # s ⊙ A, s spread: vec(A) ds
            return self._times(vec(factor), cm)
        return self._times(ops.make("diag", vec(factor)), cm)


def mixed_product(m: Expr, c: Expr) -> Expr:
    """m c, folded by (A ⊗ B)(C ⊗ D) = (A C) ⊗ (B D) when the factors' sizes fit (M = M ⊗ 1)."""
    left = m.args if m.op == "kron" else (m, ops.const(1))
    right = c.args if c.op == "kron" else (c, ops.const(1))
    if m.op == "kron" or c.op == "kron":
        (a, b), (p, q) = left, right
        if dim(a.shape[1]) == dim(p.shape[0]) and dim(b.shape[1]) == dim(q.shape[0]):
            return kron(simplify(ops.matmul(a, p)), simplify(ops.matmul(b, q)))
    return ops.matmul(m, c)


def _scalar_row(s: Expr) -> Expr:
    """A scalar linear in one differential: s = <G, dX> = vec(G)ᵀ vec(dX); G by the adjoint moves."""
    terms = Linearizer(s, []).transposed(ops.const(1), s)
    if len(terms) != 1:
        raise MatcalcError("internal: a scalar linear form in several differentials")
    return row_of(simplify(terms[0][0]))
