"""Instances of the textbook rules (matcalc/simplification/textbook*.py), by identity: added to
``test_rules_instances.GENERATORS`` so tests/test_rules.py checks each rule on its own.

Formula text over the variables of ``test_rules.WHERE`` (A, B, C: n×m; P, Q: n×n; x, y:
n-vectors; alpha scalar), or a function of them (``V.A``, ``V.n``) for forms the parser folds
(a constant array next to a number) or cannot write (a definition).
"""

from __future__ import annotations

from matcalc.algebra.expr import Expr
from matcalc.algebra.ops import add, const, div, fill, identity, make, matmul, neg, transpose
from matcalc.algebra.structural import count

TEXTBOOK_INSTANCES: dict[str, list] = {
    "A (B / s) = (A B) / s": ["P (A / alpha)", "x^T (y / alpha)"],
    "(A / s) B = (A B) / s": ["(P / alpha) A", "(P / alpha) x"],
    "(A / s) ⊙ B = (A ⊙ B) / s": ["(A / alpha) .* B", "B .* (A / alpha)"],
    "(A / s) ./ B = (A ./ B) / s for a scalar s and an array B": [
        "(A / alpha) ./ B", "(x / (x^T y)) ./ (1 + exp(y))", "(x^T / alpha) ./ y^T"],
    "(s A) / t = (s / t) A for scalars s, t (s a product of arrays: xᵀ A x)": [
        "((x^T y) A) / alpha", "(2 beta x^T y x) / (alpha + beta)", "(x^T P y (P + Q) z) / (x^T x)"],
    "A / s + B / s = (A + B) / s": ["A / alpha + B / alpha", "A / alpha - B / alpha + C"],
    "exp(z) / sum(exp(z)) = softmax(z) for a column z": ["exp(x) / sum(exp(x))"],
    "sqrt(sum(A.^2)) = ‖A‖": ["sqrt(sum(A.^2))"],
    "sqrt(aᵀ a) = ‖a‖": ["sqrt(x^T x)"],
    "D ⊙ (P ./ M + Q ./ N) = D ⊙ P ./ M + D ⊙ Q ./ N when M and N are factors of D (they cancel)": [
        "(A .* B) .* (C ./ A - C ./ B)", "(C ./ A + B ./ A) .* A"],
    "a ⊙ (1 − b) − (1 − a) ⊙ b = a − b": ["A .* (1 - B) - (1 - A) .* B", "(1 - B) .* A - B .* (1 - A)"],
    "A / s + B / sᵏ = (A + B / sᵏ⁻¹) / s (a common number stays in front)": [
        "A / alpha + B / alpha^2", "2 A / alpha - 2 B / alpha^3"],
    "A ./ D + B ./ D.^k = (A ⊙ D.^(k-1) + B) ./ D.^k (k = 1: a common denominator)": [
        "A ./ B + C ./ B", "A ./ B + C ./ B.^2", "1 ./ B - 2 (C ./ B.^3)"],
    "S ⊙ A + S ⊙ B = S ⊙ (A + B)": ["A .* B + A .* C", "A .* B - 2 (C .* A)"],
    # ---------------------------------------------------------------- textbook_arrays.py
    "A + c 𝟙 = A + c: a constant array in a sum is a number spread over it": ["A + matrix(2)", "x + vector(3) + y"],
    "A + s 𝟙 = A + s: a scalar times a constant array in a sum is that scalar spread over it": [
        lambda V: add(V.x, neg(matmul(make("mean", V.x), fill(1, V.x.shape)))),
        lambda V: add(V.A, matmul(V.alpha, fill(2, V.A.shape)), V.B)],
    "c 𝟙 + d 𝟙 = (c + d) 𝟙": [lambda V: add(fill(2, V.A.shape), fill(3, V.A.shape)),
                               lambda V: add(fill(2, V.A.shape), const(1))],
    "(s 𝟙) ./ A = s ./ A": ["matrix(2) ./ A", "(alpha vector(1)) ./ x"],
    "A (-c 𝟙) = -(A (c 𝟙)), (-c 𝟙) A = -((c 𝟙) A)": [lambda V: matmul(V.P, fill(-2, (V.n, V.m))),
                                                    lambda V: matmul(fill(-2, (V.m, V.n)), V.A)],
    "A ⊙ (s ./ B) = (s A) ./ B": ["A .* (alpha ./ B)", "(2 ./ B) .* A"],
    "(A ./ B) ⊙ C = (A ⊙ C) ./ B (one shape)": ["(A ./ B) .* C", "C .* (A ./ B)"],
    "s (1 ./ A) = s ./ A": ["alpha (1 ./ A)"],
    "(s A) / s = A": ["(alpha A) / alpha"],
    "<c 𝟙, A> = c sum(A)": ["<matrix(2), A>", "<A, matrix(1)>"],
    "<A, I> = tr(A)": ["<P, I>", "<I, P>"],
    "(c 𝟙) softmax(Z) = c 𝟙: every column of softmax(Z) sums to 1": [
        lambda V: matmul(fill(2, (3, V.n)), make("softmax", V.A)),
        lambda V: matmul(fill(1, (1, V.n)), make("softmax", V.x))],
    "(c 𝟙ᵀ) a = c sum(a), aᵀ (c 𝟙) = c sum(a)": [lambda V: matmul(fill(2, (1, V.n)), V.x), "x^T vector(1)"],
    "f(A)ᵀ = f(Aᵀ) for an entrywise f and A neither a sum nor a product of arrays (tanh(W X)ᵀ stays)": [
        "exp(A)^T", "sigmoid(x)^T", "tanh(alpha x)^T"],
    "f((A + B)ᵀ) = f(A + B)ᵀ for an entrywise f (a transposed sum stays outside: tanh(W x + b)ᵀ)": [
        "tanh((A + B)^T)", "exp((x + alpha)^T)", "relu'((x - y)^T)"],
    "A ⊙ B + B ⊙ A = 2 A ⊙ B": ["A .* B + B .* A", "A .* B + C + B .* A"],
    "P (-A - B) = -(P (A + B)), (-A - B) Q = -((A + B) Q)": ["P (-A - B)", "(-P - Q) (-A - B)"],
    "diag(a) b = a ⊙ b for a column b (s diag(a) b = s (a ⊙ b))": [
        "diag(x) y", lambda V: matmul(matmul(V.alpha, make("diag", V.x)), V.y)],
    "diag(A + B) = diag(A) + diag(B) (the diagonal of a sum)": ["diag(P + Q)"],
    "diag(Aᵀ) = diag(A) (the diagonal)": ["diag(P^T)"],
    "diag(diag(a) A) = a ⊙ diag(A), diag(A diag(a)) = diag(A) ⊙ a (the diagonal)": [
        "diag(diag(x) P)", "diag(P diag(x))"],
    "Yᵀ = Y for a definition Y = Aᵀ A (or A Aᵀ)": [
        lambda V: transpose(Expr("ref", (matmul(transpose(V.A), V.A),), "G", (V.m, V.m))),
        lambda V: transpose(Expr("ref", (matmul(V.A, transpose(V.A)),), "G", (V.n, V.n)))],
    "(A + s) ⊙ B = A ⊙ B + s B for a scalar s spread over A": ["(A + alpha) .* B", "B .* (x^T y + A)"],
    "sum(a.^2) = aᵀ a for a column a": ["sum(x.^2)"],
    "softmax(a) = 𝟙ᵀ for a row a (each column has one entry)": ["softmax(x^T)", "softmax(u^T)"],
    "diag((c 𝟙𝟙ᵀ) B) = c Bᵀ 𝟙, diag(B (c 𝟙𝟙ᵀ)) = c B 𝟙 (sums of columns, rows)": [
        lambda V: make("diagvec", matmul(fill(2, (V.n, V.m)), transpose(V.A))),
        lambda V: make("diagvec", matmul(fill(1, (V.n, V.n)), V.P)),
        lambda V: make("diagvec", matmul(V.A, fill(1, (V.m, V.n))))],
    "diag(a) (c 𝟙𝟙ᵀ) = a (c 𝟙ᵀ), (c 𝟙𝟙ᵀ) diag(a) = (c 𝟙) aᵀ": [
        lambda V: matmul(make("diag", V.x), fill(3, (V.n, V.m))),
        lambda V: matmul(fill(1, (V.m, V.n)), make("diag", V.x))],
    "sum(y) = 1 for a vector y declared onehot or probability": ["sum(p)"],
    "(c 𝟙ᵀ) Y = c 𝟙ᵀ for Y declared onehot or probability (its columns sum to 1)": [
        lambda V: matmul(fill(2, (3, V.n)), V.Pm), lambda V: matmul(fill(1, (1, V.n)), V.p)],
    "sum(a) = sum(aᵀ) for a row a (the sum of its entries, written as a column)": ["sum(x^T)", "sum(x^T A)"],
    "sqrt(A).^2 = A (where sqrt(A) is defined)": ["sqrt(A).^2", "sqrt(alpha)^2", "sqrt(x^T x + beta)^2"],
    "(A ./ B) ./ B = A ./ B.^2": ["(A ./ B) ./ B", "(x / alpha) / alpha", "(alpha ./ x) ./ x"],
    "-(c A …) = (-c) A …: the sign goes to the leading number of a product or quotient": [
        "-((2 A) / alpha)", "-((3 x^T y) / beta)", "-((2 x y^T) / beta)", "-(((2 alpha) / beta) x^T)"],
    "diag(a) diag(b) = diag(a ⊙ b)": ["diag(x) diag(y)", "P diag(x) diag(y)", "(A^T diag(x)) diag(y)"],
    "(c A).^p = c^p A.^p for a number c > 0 or an integer p": ["(2 A).^3", "(3 x).^0.5", "(-2 alpha)^2"],
    "s^(-p) A = A / s^p for a scalar s and a number p > 0": ["(x^T x)^-0.5 A", "alpha^-1 x", "(alpha^2)^-2 x^T"],
    # ---------------------------------------------------------------- textbook_forms.py
    "(c A) ./ (d B) = ((c / d) A) ./ B for numbers c, d with c / d whole (2 x ./ (2 s) = x ./ s)": [
        "(2 A) ./ (2 B)", "(6 x) ./ (-3 y)", "(2 alpha) / (2 beta)", "A ./ (-1 B)"],
    "sum(A) B / N = mean(A) B for N the number of A's entries (sum(x) / n = mean(x))": [
        lambda V: div(make("sum", V.x), count(V.x.shape)), lambda V: div(make("sum", V.A), count(V.A.shape)),
        lambda V: div(matmul(make("sum", V.x), V.y), count(V.x.shape)),
        lambda V: div(matmul(make("sum", V.A), V.P),
                      matmul(make("sum", fill(1, (V.m, 1))), make("sum", fill(1, (V.n, 1)))))],
    "diag(c 𝟙𝟙ᵀ) = c 𝟙 (the diagonal of a constant square array)": [
        lambda V: make("diagvec", fill(2, (V.n, V.n)))],
    "sum(diag(a)) = tr(diag(a)) = sum(a) (a diagonal matrix holds a's entries)": [
        "sum(diag(x))", "tr(diag(x + y))", "sum(diag(alpha x))"],
    "diag(I) = 𝟙 (the diagonal of the identity)": [lambda V: make("diagvec", identity(V.n))],
    "(A.^2).^0.5 = |A| (entry by entry)": ["(A.^2).^0.5", "(alpha^2)^0.5"],
    "⟨A, A⟩^0.5 = ‖A‖ (the Frobenius norm)": ["<A, A>^0.5", "<x, x>^0.5"],
    "relu′(z) ⊙ relu(z) = relu(z)": ["relu'(x) .* relu(x)", "relu'(A) .* (B .* relu(A))"],
    "relu′(z) ⊙ z = relu(z)": ["relu'(x) .* x", "(A .* relu'(A)) .* B"],
    "sign(z) ⊙ |z| = z": ["sign(x) .* abs(x)", "sign(A) .* (abs(A) .* B)"],
    "sign(z) ⊙ z = |z|": ["sign(x) .* x", "B .* (A .* sign(A))"],
    "(A ⊗ B)ᵀ = Aᵀ ⊗ Bᵀ": ["kron(P, A)^T", "kron(x, A)^T"],
    "(A ⊗ B) vec(X) = vec(B X Aᵀ) (s (A ⊗ B) vec(X) = s vec(B X Aᵀ))": [
        "kron(S, P) vec(Q)", "kron(A, P) vec(B)", lambda V: matmul(matmul(V.alpha, make("kron", transpose(V.x), V.P)),
                                                                   make("vec", V.P))],
    "(K₁ + K₂) vec(X) = K₁ vec(X) + K₂ vec(X) for Kronecker products K₁, K₂": [
        "(kron(P, Q) + kron(Q, P)) vec(S)", "(kron(P, Q) - 2 kron(Q^T, P)) vec(S)"],
    "a vec(A) + b vec(B) = vec(a A + b B)": ["vec(A) + vec(B)", "vec(A) - 2 vec(B) + vec(C)"],
    "vec(a) = a for a column a, vec(a) = aᵀ for a row": [
        lambda V: make("vec", V.x), lambda V: make("vec", transpose(V.x)), lambda V: make("vec", matmul(V.A, V.u))],
    "unvec(vec(M)) = M": [lambda V: make("unvec", make("vec", V.A), attr=V.A.shape)],
    "vec(unvec(a)) = a": [lambda V: make("vec", make("unvec", make("vec", V.P), attr=V.P.shape)),
                          lambda V: make("vec", make("unvec", V.x, attr=(1, V.n)))],
    "vec(X)ᵀ vec(Y) = ⟨X, Y⟩": ["vec(A)^T vec(B)", "vec(P)^T vec(P^T)"],
    "diag(s A) = s diag(A) for a scalar s (both diagonals: of a vector, of a matrix)": [
        "diag(2 x)", "diag(alpha P)", "diag((x^T y) x)"],
    "c A + d S A = (c + d S) A for a scalar S (y + (1 + 2 yᵀ x) y = (2 + 2 yᵀ x) y)": [
        "A + alpha A", "2 x + (x^T y) x + y", "P x - 3 (alpha + beta) P x", "(alpha beta) A^T - A^T"],
    "(A / s) / t = A / (s t) for scalars s ≠ t, neither a number": ["(A / alpha) / beta", "(x / (x^T y)) / alpha"],
    "s aᵀ b + t bᵀ a = (s + t) aᵀ b (a number is its own transpose)": [
        "x^T y + y^T x", "2 x^T P y - y^T P^T x + alpha", "x^T y - y^T x", "u^T A^T x + 3 x^T A u"],
    "diag(c 𝟙) = c I (the diagonal matrix of a constant column)": [
        lambda V: make("diag", fill(1, (V.n, 1))), lambda V: make("diag", fill(-2, (V.m, 1)))],
    "sign(s) s = |s| for a scalar s": [
        "sign(alpha) alpha", "(x^T y) sign(x^T y)",
        lambda V: matmul(make("det", V.P), make("sign", make("det", V.P)))],
    "sum(x - mean(x)) = 0 for a column x (the deviations from the mean sum to zero)": [
        "sum(x - mean(x))", lambda V: make("sum", add(neg(make("mean", V.y)), V.y)), "sum(P x - mean(P x))"],
    "unvec(s a) = s unvec(a) for a scalar s": [
        lambda V: make("unvec", matmul(V.alpha, make("vec", V.A)), attr=V.A.shape),
        lambda V: make("unvec", matmul(const(2), V.x), attr=(1, V.n))],
    # ---------------------------------------------------------------- lowering/reuse.py
    "(A + B) Y = A Y + B Y when A Y is computed anyway (A + B is not formed)": ["(P + Q) A", "(P + P^T) A"],
}
