"""Instances of every rewrite rule, by the rule's identity (its stable id): the data of test_rules.py.

An instance is formula text over the variables of ``test_rules.WHERE`` (A, B, C: n×m; P, Q, S:
n×n; Y symmetric; x, y, z: n-vectors; u, v: m-vectors; alpha, beta, gamma scalars), or a function
of those variables (``V.A``, ``V.n``) for forms the language cannot write (a 1×1 filled array,
code generation's private operations). Sizes run over rows, columns and 1×1 in turn, so each
instance also covers scalars spread over arrays; repeated subterms appear as written.
"""

from __future__ import annotations

from textbook_instances import TEXTBOOK_INSTANCES

from matcalc.algebra.expr import Expr
from matcalc.algebra.ops import add, const, fill, identity, make, matmul, transpose


def _private(op: str, *args: Expr, shape: tuple) -> Expr:
    return Expr(op, args, None, shape)


def _log_of_softmax(V) -> Expr:
    e = make("exp", V.A)
    return make("log", _private("bdiv", e, _private("colsum", e, shape=(1, V.m)), shape=V.A.shape))


GENERATORS: dict[str, list] = {
    # ---------------------------------------------------------------- simplifier: leaves, transposes, signs
    "an array of one entry is a number": [lambda V: fill(2.5, (1, 1))],
    "I (1×1) = 1": [lambda V: identity(1)],
    "(Aᵀ)ᵀ = A": ["(A^T)^T", "(x^T)^T"],
    "sᵀ = s": ["alpha^T", "(x^T y)^T"],
    "Iᵀ = I": [lambda V: transpose(identity(V.n))],
    "diag(v)ᵀ = diag(v)": ["diag(x)^T"],
    "Xᵀ = X for symmetric X": ["Y^T"],
    "(c 𝟙)ᵀ = c 𝟙ᵀ": [lambda V: transpose(fill(2, (V.n, V.m)))],
    "(A B)ᵀ = Bᵀ Aᵀ": ["(P A)^T", "(alpha A)^T", "(x^T A)^T", "(A A^T)^T"],
    "(-A)ᵀ = -Aᵀ": ["(-A)^T"],
    "(A ⊙ B)ᵀ = Aᵀ ⊙ Bᵀ": ["(A .* B)^T", "(A .* A)^T", "(alpha .* A)^T"],
    "(A ./ B)ᵀ = Aᵀ ./ Bᵀ": ["(A ./ B)^T", "(alpha ./ A)^T", "(A ./ alpha)^T"],
    "(A⁻¹)ᵀ = (Aᵀ)⁻¹": ["inv(P)^T"],
    "(Aᵏ)ᵀ = (Aᵀ)ᵏ": [lambda v: transpose(make("mpow", v.P, attr=3))],  # built: the parser reads (P^3)^T as (Pᵀ)³
    "(A.^p)ᵀ = (Aᵀ).^p": ["(A.^2)^T", "(A.^alpha)^T"],
    "(aᵀ + bᵀ)ᵀ = a + b: a row sum, transposed, is written as a column": [
        "(x^T + y^T)^T", "(x^T + alpha)^T", "(u^T A^T + x^T)^T"],
    "(A + B)ᵀ = A + B when the sum is symmetric": ["(P + P^T)^T", "(Y + alpha)^T"],
    "-(-A) = A": ["--A", "--alpha"],
    "-(c) = (-c)": [lambda V: make("neg", const(2)), lambda V: make("neg", fill(3, (V.n, V.m)))],
    "-(c A) = (-c) A": ["-(2 A)"],
    "-((c A) B) = ((-c) A) B": ["-(2 A u)"],
    # ---------------------------------------------------------------- products
    "0 A = 0": ["0 A", "0 alpha"],
    "A 0 = 0": ["A 0", lambda V: matmul(V.A, fill(0, (V.m, 2)))],
    "c1 c2 = c": [lambda V: matmul(const(2), const(3))],
    "I A = A": [lambda V: matmul(identity(V.n), V.A)],
    "1 A = A": ["1 A", lambda V: matmul(fill(1, (1, 1)), V.A)],
    "A I = A": [lambda V: matmul(V.A, identity(V.m))],
    "A 1 = A": ["A 1"],
    "c (d 𝟙) = (c d) 𝟙": [lambda V: matmul(const(2), fill(3, (V.n, V.m)))],
    "(s I) A = s A": ["(2 I) P", "(alpha I) A"],
    "(±A) (±B) = ±(A B): signs out of a product": ["(-P) A", "P (-A)", "(-P) (-A)", "(-alpha) A"],
    "(±A) ⊙ (±B) = ±(A ⊙ B): signs out of a ⊙ product": ["(-A) .* B", "(-A) .* (-A)", "A .* (-alpha)"],
    "(±A) ./ (±B) = ±(A ./ B): signs out of a quotient": ["(-A) ./ B", "A ./ (-alpha)", "(-A) ./ (-A)"],
    "(-1) A = -A": [lambda V: matmul(const(-1), V.A)],
    "A s = s A": ["A alpha", "x (y^T z)"],
    "A (s B) = (s A) B": ["P (alpha A)"],
    "s (t A) = (s t) A": ["alpha (beta A)", "alpha (alpha A)"],
    "s (A B) = (s A) B": ["alpha (P A)"],
    "0 ⊙ A = 0": ["0 .* A", "A .* matrix(0)"],
    "1 ⊙ A = A": ["matrix(1) .* A"],
    "A ⊙ 1 = A": ["A .* matrix(1)"],
    "s ⊙ A = s A": ["alpha .* A", "A .* alpha"],
    "(c 𝟙) ⊙ A = c A": ["matrix(2) .* A"],
    "A ⊙ (c 𝟙) = c A": ["A .* matrix(2)"],
    "A ⊙ A = A.^2": ["A .* A"],
    "0 ./ A = 0": ["0 ./ A", "matrix(0) ./ A"],
    "A ./ 1 = A": ["A ./ matrix(1)", "A ./ 1"],
    "c ./ d = c/d": ["2 ./ 4"],
    "A ./ c = (1/c) A": ["A ./ 4"],
    "(s A) ⊙ B = s (A ⊙ B)": ["(alpha A) .* B", "B .* (alpha A)"],
    "A ⊙ B ./ A = B: a ⊙/./ chain of one shape cancels equal factors (1 ./ A ⊙ B = B ./ A)": [
        "A .* (B ./ A)", "(1 ./ A) .* B", "(A .* B) ./ (A .* C)", "(B ./ A) ./ A", "(A .* B) .* A"],
    "(p / s) A = (p A) / s unless p is a product of arrays (xᵀ A x)": ["(1 / alpha) A", "(beta / alpha) A"],
    "a s^2 / s = a s: products and quotients of scalars as c · Π xᵏ": [
        "alpha^2 / alpha", "beta alpha", "(-alpha) (-alpha)", "alpha (x^T y) alpha", "2 alpha / (3 beta)",
        "sqrt(x^T x) (x^T x)", "alpha / (sqrt(x^T x + beta) (x^T x + beta))", "sqrt(x^T x)^2 / (x^T x)"],
    # ---------------------------------------------------------------- reductions and named forms
    "sum(-A) = -sum(A)": ["sum(-A)"],
    "tr(-A) = -tr(A)": ["tr(-P)"],
    "sum(s A) = s sum(A)": ["sum(alpha A)"],
    "tr(s A) = s tr(A)": ["tr(alpha P)"],
    "sum(A / s) = sum(A) / s": ["sum(A / alpha)"],
    "tr(A / s) = tr(A) / s": ["tr(P / alpha)"],
    "mean(-A) = -mean(A)": ["mean(-A)"],
    "mean(s A) = s mean(A)": ["mean(alpha A)"],
    "mean(A / s) = mean(A) / s": ["mean(A / alpha)"],
    "mean(s) = s": ["mean(alpha)"],
    "s (A / t) = (s A) / t": ["alpha (A / beta)"],
    "diag(a bᵀ) = a ⊙ b": ["diag(x y^T)", "diag(x x^T)"],
    "(c 𝟙)(d 𝟙ᵀ) = c d 𝟙𝟙ᵀ (a filled array)": [lambda V: matmul(fill(2, (V.n, 1)), fill(3, (1, V.m)))],
    "aᵀ (b ./ a) = sum(b) for b of a's shape": ["x^T (y ./ x)", "x^T (x ./ x)", "x^T (alpha ./ x)"],
    "exp(A) ./ (1 + exp(A)) = σ(A)": ["exp(A) ./ (1 + exp(A))"],
    # ---------------------------------------------------------------- sums and chains
    "A + (B + C) = A + B + C": [lambda V: make("add", V.A, make("add", V.B, V.alpha))],
    "A + (B + C)ᵀ = A + Bᵀ + Cᵀ": ["x^T + (y + z)^T", "A + (A^T + alpha)^T"],
    "a A + b A = (a + b) A: like terms collected (numbers add up, zeros drop)": [
        "A + A", "A - A + alpha", "x - x + alpha + beta", "2 A + 3 A - 5 A", "alpha + 1 + 2"],
    "c (a A + b B) = (c a) A + (c b) B when that leaves fewer numbers": ["0.5 (2 A + 2 B)"],
    "P A + P B = P (A + B): a common left factor": ["P A + P B", "P x + P y + alpha", "P x + P (alpha x)"],
    "A Q + B Q = (A + B) Q: a common right factor": ["P Q + S Q", "x^T P + y^T P"],
    "c A + c B = c (A + B)": ["2 A + 2 B"],
    "A (B C) = A B C": ["P (Q A)", "x^T (P x)"],
    "A b (cᵀ d) = (cᵀ d) A b: a number inside a product moves to its front": [
        "x (y^T z)", "P x (y^T P z)", lambda V: matmul(matmul(V.x, transpose(V.y)), V.z), "A u (v^T u)"],
    "Aʲ Aᵏ = Aʲ⁺ᵏ (integer powers: A A = A², A⁻¹ A = I)": ["P P", "inv(P) P", "P^2 P", "(Q P) P"],
    "(P Q)⁻¹ = Q⁻¹ P⁻¹ when P and Q are square": ["inv(P Q)", "inv(P P)"],
    "<A, s B> = s <A, B>": ["<A, alpha B>", "<alpha A, B>"],
    "<A, B / s> = <A, B> / s": ["<A, B / alpha>"],
    "tr(Aᵀ) = tr(A)": ["tr(P^T)"],
    "logdet(Aᵀ) = logdet(A)": ["logdet(P^T)"],
    "det(Aᵀ) = det(A)": ["det(P^T)"],
    "(s A)⁻¹ = A⁻¹ / s": ["inv(alpha P)"],
    "<0, A> = 0": ["<matrix(0), A>"],
    "<s, t> = s t": ["<alpha, beta>"],
    "<a, b> = aᵀ b for columns": ["<x, y>", "<A, B>"],
    "<a, b> = a bᵀ for rows": ["<x^T, y^T>", "<A, B>"],
    "A.^1 = A": ["A.^1"],
    "A.^0 = 1": ["A.^0", "alpha.^0"],
    "c.^k = c^k": ["2.^3"],
    "tr(s) = s": ["tr(alpha)"],
    "sum(s) = s": ["sum(alpha)"],
    "(A⁻¹)⁻¹ = A": ["inv(inv(P))"],
    "sum(c 𝟙_(n×m)) = c n m": [lambda V: make("sum", fill(2, (V.n, V.m)))],
    # ---------------------------------------------------------------- code generation: stable forms
    "log(1 + exp(z)) = softplus(z)": ["log(1 + exp(A))", "log(exp(x) + 1)"],
    "log(σ(z)) = -softplus(-z)": ["log(sigmoid(A))"],
    "log(1 - σ(z)) = -softplus(z)": ["log(1 - sigmoid(A))"],
    "log(exp(u) ./ s) = u - log(s) (log softmax without a log of a rounded ratio)": [_log_of_softmax],
    "log(exp(z)) = z": ["log(exp(A))"],
    "log(sum(exp(z))) = logsumexp(z) (z a column: no overflow, and it shares softmax's parts)":
        ["log(sum(exp(x)))", "log(sum(exp(A u)))", "log(sum(exp(A)))"],
    "f(Mᵀ) = f(M)ᵀ for f entry by entry (so f(M) and f(Mᵀ) are one computation)":
        ["exp(A^T)", "tanh(x^T)", "sigmoid((A u)^T)", "softplus(A^T)", "relu'(P^T)"],
    "exp(z) ./ (1 + exp(z)) = σ(z)": ["exp(A) ./ (1 + exp(A))"],
    "1 ./ (1 + exp(-z)) = σ(z)": ["1 ./ (1 + exp(-A))"],
    "logsumexp(z) = m + log(sum(exp(z - m))), m = max(z) (per column)": ["logsumexp(x)", "logsumexp(A)"],
    "softmax(z) = exp(z - m) ./ sum(exp(z - m)), m = max(z) (per column)": ["softmax(x)", "softmax(A)"],
    # ---------------------------------------------------------------- code generation: fast forms
    "A ./ c𝟙 = A ./ c (a filled array broadcasts as a number)": ["A ./ matrix(2)"],
    "A ⊙ c𝟙 = A ⊙ c (a filled array broadcasts as a number)": ["A .* matrix(2)"],
    "A + c𝟙 = A + c (a filled array broadcasts as a number)": ["A + matrix(2)", "A + matrix(2) + A"],
    "‖x‖² = <x, x>": ["||x||^2", "||A||^2"],
    "tr(A B) = <Aᵀ, B> = sum(A ⊙ Bᵀ)": ["tr(P Q)", "tr(A B^T)", "tr(P^T Q)"],
    "(A + B) v = A v + B v when A or B is a product (never form it)": ["(P Q + S) x", "(inv(P) - Q) x"],
    "vᵀ (A + B) = vᵀ A + vᵀ B when A or B is a product (never form it)": ["x^T (P Q + S)"],
    "uᵀ M = (Mᵀ u)ᵀ (rows as transposed columns: uᵀ Aᵀ and A u are computed once)": ["x^T A", "x^T P"],
    # ---------------------------------------------------------------- code generation: last rules
    "A⁻¹ B = solve(A, B)": ["inv(P) A", "inv(P)^T A"],
    "B A⁻¹ = solve(Aᵀ, Bᵀ)ᵀ": ["A^T inv(P)", "P inv(Q)^T"],
    "𝟙ᵀ B = column sums of B": [lambda V: matmul(transpose(fill(1, (V.n, 1))), V.A),
                                lambda V: matmul(fill(2, (1, V.n)), V.A)],
    "A 𝟙 = row sums of A": [lambda V: matmul(V.A, fill(1, (V.m, 1))), lambda V: matmul(V.A, fill(3, (V.m, 1)))],
    "diag(c 𝟙) B = c B": [lambda V: matmul(make("diag", fill(2, (V.n, 1))), V.A)],
    "B diag(c 𝟙) = c B": [lambda V: matmul(V.A, make("diag", fill(2, (V.m, 1))))],
    "diag(v) B = v ⊙ B (broadcast)": ["diag(x) A"],
    "B diag(v) = B ⊙ vᵀ (broadcast)": ["A diag(u)"],
    "diag(u rᵀ) = u ⊙ r": ["diag(x y^T)"],
    "diag(A B) = row sums of A ⊙ Bᵀ": ["diag(A B^T)", "diag(P Q)"],
    "column sums of A ⊙ B = column dots of A and B (no A ⊙ B formed)":
        [lambda V: _private("colsum", make("hadamard", V.A, V.B), shape=(1, V.m)),
         lambda V: _private("colsum", make("hadamard", V.P, transpose(V.Q)), shape=(1, V.n))],
    "row sums of A ⊙ B = row dots of A and B (no A ⊙ B formed)":
        [lambda V: _private("rowsum", make("hadamard", V.A, V.C), shape=(V.n, 1))],
    "(A ⊗ B) M = rows of A M_(k×p) Bᵀ (an einsum: A ⊗ B is never formed)":
        ["kron(A, P) kron(v, x)", "kron(x, y)^T kron(y, z)", "kron(P, Q) kron(A, B)", "kron(x^T, P) kron(P, A)"],
    "M (A ⊗ B) = ((Aᵀ ⊗ Bᵀ) Mᵀ)ᵀ (an einsum: A ⊗ B is never formed)":
        ["P kron(x^T, P)", "A^T kron(y^T, A)"],
    "<Y, M Y> = ½ <Y, (M + Mᵀ) Y> when (M + Mᵀ) Y is computed anyway (M Y is not formed)":
        ["<A, P A>", "<P, Q P>", "<A, Y A>"],
    "σ(z) = exp(z - softplus(z)) when softplus(z) is computed anyway": ["sigmoid(A)", "sigmoid(-(y .* x))"],
    "uᵀ (M v) = (Mᵀ u)ᵀ v when Mᵀ u is computed anyway": ["x^T (A u)", "y^T (P z)"],
    "relu'(Z) ⊙ G = G where Z > 0": ["relu'(A) .* B", "B .* relu'(A)"],
    "G where Z > 0 = G where relu(Z) > 0 when relu(Z) is computed anyway":
        [lambda V: _private("mask", V.A, V.B, shape=V.A.shape), lambda V: _private("mask", V.x, V.y, shape=V.x.shape)],
    "A Bᵀ = mulnt(A, B) (the product in the layout the BLAS runs fastest)": ["A B^T", "P Q^T", "A^T P^T"],
    "A + Bᵀ = copy(Bᵀ) + A (Bᵀ copied in row order, then A added into the copy)": ["P + Q^T", "P^T + P", "P Q + S^T"],
    "A + (-B) = A - B": ["A - B", "-A + B", "-A - B", "x - alpha"],
    "unnamed definitions are inlined": [lambda V: Expr("ref", (add(V.A, V.B),), "_t", V.A.shape)],
}
GENERATORS.update(TEXTBOOK_INSTANCES)  # the textbook rules' instances live with their tests (issue 13)
