"""A public corpus of Jacobians, JVPs, Hessians and HVPs, each with a hand-written torch reference.

Each entry: (kind, formula, wrt, where, reference, source). ``reference(**inputs)`` is written
by hand in torch (vectors 1-D, matrices 2-D, scalars 0-d); the tests differentiate it with
torch.func (jacrev, hessian, jvp of grad) in float64. Sources: the Matrix Cookbook (Petersen &
Pedersen, 2012 edition, equation numbers), Boyd & Vandenberghe, Convex Optimization (B&V),
Bishop, Pattern Recognition and Machine Learning (PRML), Magnus & Neudecker, Matrix
Differential Calculus (M&N, 3rd ed.), and ML practice.
"""

from __future__ import annotations

from typing import NamedTuple

import torch


class Entry(NamedTuple):
    kind: str  # jacobian | jvp | hessian | hvp
    formula: str
    wrt: str
    where: str | None
    reference: object
    source: str


def softplus(z):
    return torch.nn.functional.softplus(z)


def layer_norm(x, epsilon):
    c = x - x.mean()
    return c / torch.sqrt((c * c).mean() + epsilon)


LAYER_NORM = "(x - mean(x)) / sqrt(mean((x - mean(x)) .^ 2) + epsilon)"
J, V, H, P = "jacobian", "jvp", "hessian", "hvp"

JACOBIANS = [
    Entry(J, "A x", "x", None, lambda A, x: A @ x, "Matrix Cookbook (69)"),
    Entry(J, "exp(x)", "x", None, lambda x: torch.exp(x), "ML practice: elementwise activation"),
    Entry(J, "softmax(x)", "x", None, lambda x: torch.softmax(x, 0), "PRML (4.106)"),
    Entry(J, "W x", "W", None, lambda W, x: W @ x, "M&N ch. 9 (vec(W x) = (xᵀ ⊗ I) vec W)"),
    Entry(J, "x^T A x", "x", None, lambda A, x: x @ A @ x, "Matrix Cookbook (81), as a 1×n row"),
    Entry(J, "sigmoid(W x + b)", "x", None, lambda W, x, b: torch.sigmoid(W @ x + b), "PRML (5.1) one layer"),
    Entry(J, "tanh(W x + b)", "W", None, lambda W, x, b: torch.tanh(W @ x + b), "ML practice: layer in its weights"),
    Entry(J, "A X B", "X", None, lambda A, X, B: A @ X @ B, "M&N (vec(AXB) = (Bᵀ ⊗ A) vec X)"),
    Entry(J, "X^-1", "X", None, lambda X: torch.linalg.inv(X), "M&N ch. 8 (d X⁻¹ = -X⁻¹ dX X⁻¹)"),
    Entry(J, "log(x)", "x", "x: vector(n) positive", lambda x: torch.log(x), "ML practice"),
    Entry(J, "x / norm(x)", "x", None, lambda x: x / torch.linalg.norm(x), "ML practice: normalisation"),
    Entry(J, "x .* y", "x", None, lambda x, y: x * y, "Matrix Cookbook (Hadamard) "),
    Entry(J, "A exp(B x)", "x", None, lambda A, B, x: A @ torch.exp(B @ x), "ML practice: chain rule"),
    Entry(J, LAYER_NORM, "x", None, layer_norm, "ML practice: layer norm (Ba et al. 2016)"),
    Entry(J, "softmax(K q)", "q", None, lambda K, q: torch.softmax(K @ q, 0), "ML practice: attention weights"),
    Entry(J, "softmax(K q)", "K", None, lambda K, q: torch.softmax(K @ q, 0), "ML practice: attention, in the keys"),
    Entry(J, "x + W2 tanh(W1 x)", "x", None, lambda x, W1, W2: x + W2 @ torch.tanh(W1 @ x),
          "ML practice: residual block"),
    Entry(J, "exp(X w)", "w", None, lambda X, w: torch.exp(X @ w), "GLM mean (Poisson), McCullagh & Nelder"),
    Entry(J, "sigmoid(X w)", "w", None, lambda X, w: torch.sigmoid(X @ w), "PRML (4.87) logistic regression"),
    Entry(J, "Sigma^-1 (x - mu)", "x", "mu: vector(n); Sigma: spd(n)",
          lambda Sigma, x, mu: torch.linalg.solve(Sigma, x - mu), "PRML (2.43) Gaussian score"),
    Entry(J, "A X", "X", None, lambda A, X: A @ X, "Matrix Cookbook (520) / M&N"),
    Entry(J, "X B", "X", None, lambda X, B: X @ B, "M&N (vec(X B) = (Bᵀ ⊗ I) vec X)"),
    Entry(J, "exp(X)", "X", None, lambda X: torch.exp(X), "M&N: elementwise, diag(vec exp(X))"),
    Entry(J, "sigmoid(W x)", "W", None, lambda W, x: torch.sigmoid(W @ x), "PRML (5.1) layer in its weights"),
    Entry(J, "(x^T x) x", "x", None, lambda x: (x @ x) * x, "Matrix Cookbook (product rule)"),
    Entry(J, "softplus(x)", "x", None, lambda x: softplus(x), "ML practice"),
    Entry(J, "cos(A x)", "x", None, lambda A, x: torch.cos(A @ x), "ML practice: random features"),
    Entry(J, "x^T X y", "X", None, lambda x, X, y: x @ X @ y, "Matrix Cookbook (70), as a row yᵀ ⊗ xᵀ"),
]

HESSIANS = [
    Entry(H, "x^T A x", "x", None, lambda A, x: x @ A @ x, "Matrix Cookbook (81): A + Aᵀ"),
    Entry(H, "sum(softplus(X w)) - y^T X w", "w", None,
          lambda X, w, y: softplus(X @ w).sum() - y @ X @ w, "PRML (4.97) logistic regression"),
    Entry(H, "sum(log(1 + exp(-y .* (X w))))", "w", None,
          lambda X, w, y: torch.log(1 + torch.exp(-y * (X @ w))).sum(), "B&V 7.1.1 logistic model"),
    Entry(H, "norm(A x - b)^2", "x", None, lambda A, x, b: ((A @ x - b) ** 2).sum(), "B&V 1.2 least squares"),
    Entry(H, "logsumexp(x)", "x", None, lambda x: torch.logsumexp(x, 0), "B&V 3.1.5 log-sum-exp"),
    Entry(H, "-sum(log(x))", "x", "x: vector(n) positive", lambda x: -torch.log(x).sum(), "B&V 11.2 log barrier"),
    Entry(H, "sum(exp(x))", "x", None, lambda x: torch.exp(x).sum(), "B&V 3.1.5"),
    Entry(H, "a^T exp(X b)", "b", None, lambda a, X, b: a @ torch.exp(X @ b), "ML practice"),
    Entry(H, "sum(exp(X w)) - y^T X w", "w", None, lambda X, w, y: torch.exp(X @ w).sum() - y @ X @ w,
          "GLM (Poisson) negative log-likelihood, McCullagh & Nelder"),
    Entry(H, "norm(X w - y)^2 + lambda norm(w)^2", "w", None,
          lambda X, w, y, lam: ((X @ w - y) ** 2).sum() + lam * (w @ w), "PRML (3.27) ridge regression"),
    Entry(H, "0.5 (x - mu)^T Sigma^-1 (x - mu)", "mu", "mu: vector(n); Sigma: spd(n)",
          lambda x, mu, Sigma: 0.5 * (x - mu) @ torch.linalg.solve(Sigma, x - mu), "PRML (2.43) Gaussian"),
    Entry(H, "x^T A x", "x", "A: symmetric(n)", lambda x, A: x @ A @ x, "Matrix Cookbook (82): 2A"),
    Entry(H, "(a^T x)^2", "x", None, lambda a, x: (a @ x) ** 2, "Matrix Cookbook: 2 a aᵀ"),
    Entry(H, "norm(x)^2", "x", None, lambda x: x @ x, "Matrix Cookbook: 2 I"),
    Entry(H, "tr(X^T A X)", "X", None, lambda X, A: torch.trace(X.T @ A @ X), "Matrix Cookbook (108), vec form"),
    Entry(H, "norm(A X - B)^2", "X", None, lambda A, X, B: ((A @ X - B) ** 2).sum(), "M&N: I ⊗ 2AᵀA"),
    Entry(H, "logsumexp(W x) - y^T W x", "x", None, lambda W, x, y: torch.logsumexp(W @ x, 0) - y @ W @ x,
          "PRML (4.108) softmax cross-entropy"),
    Entry(H, "sum(softplus(x))", "x", None, lambda x: softplus(x).sum(), "ML practice"),
    Entry(H, "norm(x)", "x", None, lambda x: torch.linalg.norm(x), "B&V 3.1.5 norm"),
    Entry(H, "log(1 + x^T x)", "x", None, lambda x: torch.log(1 + x @ x), "ML practice: Cauchy loss"),
    Entry(H, "sum(sqrt(x))", "x", "x: vector(n) positive", lambda x: torch.sqrt(x).sum(), "B&V 3.1.5"),
    Entry(H, "a^T x + 0.5 x^T A x", "x", "A: spd(n)", lambda a, x, A: a @ x + 0.5 * x @ A @ x, "B&V 9.5 Newton step"),
    Entry(H, "(x^T A x) / (x^T x)", "x", None, lambda A, x: (x @ A @ x) / (x @ x), "Matrix Cookbook: Rayleigh"),
    Entry(H, "sum(tanh(W x))", "x", None, lambda W, x: torch.tanh(W @ x).sum(), "ML practice"),
    Entry(H, "norm(W2 tanh(W1 x) - y)^2", "x", None,
          lambda W2, W1, x, y: ((W2 @ torch.tanh(W1 @ x) - y) ** 2).sum(), "PRML (5.83) two-layer network"),
    Entry(H, "exp(a^T x)", "x", None, lambda a, x: torch.exp(a @ x), "B&V 3.1.5"),
    Entry(H, "mean(softplus(X w) - y .* (X w))", "w", None,
          lambda X, w, y: (softplus(X @ w) - y * (X @ w)).mean(), "ML practice: mean logistic loss"),
]

HVPS = [
    Entry(P, "tr(X^T A X)", "X", None, lambda X, A: torch.trace(X.T @ A @ X), "Matrix Cookbook (108)"),
    Entry(P, "logdet(X)", "X", "X: spd(n)", lambda X: torch.linalg.slogdet(X)[1], "Matrix Cookbook (57), B&V 3.1.5"),
    Entry(P, "sum(softplus(X w)) - y^T X w", "w", None,
          lambda X, w, y: softplus(X @ w).sum() - y @ X @ w, "PRML (4.97)"),
    Entry(P, "x^T A x", "x", None, lambda A, x: x @ A @ x, "Matrix Cookbook (81)"),
    Entry(P, "norm(A X - B)^2", "X", None, lambda A, X, B: ((A @ X - B) ** 2).sum(), "Matrix Cookbook (ch. 2.6)"),
    Entry(P, "tr(A X^-1)", "X", None, lambda A, X: torch.trace(A @ torch.linalg.inv(X)), "Matrix Cookbook (63)"),
    Entry(P, "logsumexp(x)", "x", None, lambda x: torch.logsumexp(x, 0), "B&V 3.1.5"),
    Entry(P, "sum(exp(X w)) - y^T X w", "w", None, lambda X, w, y: torch.exp(X @ w).sum() - y @ X @ w,
          "GLM (Poisson)"),
    Entry(P, "norm(W2 tanh(W1 x) - y)^2", "W1", None,
          lambda W2, W1, x, y: ((W2 @ torch.tanh(W1 @ x) - y) ** 2).sum(), "Pearlmutter 1994, two-layer network"),
    Entry(P, "a^T exp(X b)", "X", None, lambda a, X, b: a @ torch.exp(X @ b), "ML practice"),
    Entry(P, "tr(X A X^T B)", "X", None, lambda X, A, B: torch.trace(X @ A @ X.T @ B), "Matrix Cookbook (116)"),
    Entry(P, "logdet(X)", "X", None, lambda X: torch.linalg.slogdet(X)[1], "Matrix Cookbook (51)"),
    Entry(P, "det(X)", "X", None, lambda X: torch.linalg.det(X), "Matrix Cookbook (49)"),
    Entry(P, "(x^T x)^2", "x", None, lambda x: (x @ x) ** 2, "Matrix Cookbook"),
    Entry(P, "logsumexp(K q)", "K", None, lambda K, q: torch.logsumexp(K @ q, 0), "ML practice: attention"),
    Entry(P, "-sum(log(x)) + t c^T x", "x", "x: vector(n) positive; t: scalar",
          lambda x, t, c: -torch.log(x).sum() + t * (c @ x), "B&V 11.2 barrier method"),
]

JVPS = [
    Entry(V, "W x", "W", None, lambda W, x: W @ x, "M&N"),
    Entry(V, "X^-1", "X", None, lambda X: torch.linalg.inv(X), "Matrix Cookbook (59)"),
    Entry(V, "softmax(x)", "x", None, lambda x: torch.softmax(x, 0), "PRML (4.106)"),
    Entry(V, "sigmoid(W x + b)", "W", None, lambda W, x, b: torch.sigmoid(W @ x + b), "PRML (5.1)"),
    Entry(V, LAYER_NORM, "x", None, layer_norm, "ML practice: layer norm"),
    Entry(V, "A X B", "X", None, lambda A, X, B: A @ X @ B, "Matrix Cookbook (ch. 2)"),
    Entry(V, "exp(X)", "X", None, lambda X: torch.exp(X), "ML practice"),
    Entry(V, "X^T X", "X", None, lambda X: X.T @ X, "Matrix Cookbook (Gram matrix)"),
    Entry(V, "x + W2 tanh(W1 x)", "W1", None, lambda x, W1, W2: x + W2 @ torch.tanh(W1 @ x),
          "ML practice: residual block"),
    Entry(V, "det(X)", "X", None, lambda X: torch.linalg.det(X), "Matrix Cookbook (46)"),
    Entry(V, "softmax(K q)", "K", None, lambda K, q: torch.softmax(K @ q, 0), "ML practice: attention"),
    Entry(V, "X^3", "X", None, lambda X: X @ X @ X, "M&N ch. 8 (matrix powers)"),
    Entry(V, "logdet(X)", "X", "X: spd(n)", lambda X: torch.linalg.slogdet(X)[1], "Matrix Cookbook (57)"),
    Entry(V, "x x^T", "x", None, lambda x: torch.outer(x, x), "Matrix Cookbook"),
    Entry(V, "norm(x)", "x", None, lambda x: torch.linalg.norm(x), "Matrix Cookbook (129)"),
    Entry(V, "Q K^T", "K", None, lambda Q, K: Q @ K.T, "ML practice: attention scores"),
]

CORPUS = JACOBIANS + HESSIANS + HVPS + JVPS
