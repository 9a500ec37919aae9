"""Newton's method for logistic regression, with matcalc's closed-form gradient and Hessian.

matcalc derives ∇f = Xᵀ(σ(X w) - y) and H = Xᵀ diag(σ(X w) ⊙ (1 - σ(X w))) X + λ I, and
`codegen(..., hessian=True)` emits one function computing the value, the gradient and the
Hessian from one shared graph. Each Newton step solves H d = ∇f (a solve, never an inverse).
"""

import numpy as np

import matcalc

LOSS = "sum(softplus(X w)) - y^T X w + 0.5 lambda norm(w)^2"

print("loss     f =", matcalc.parse(LOSS).unicode())
print("gradient ∇f =", matcalc.grad(LOSS, "w").unicode())
print("Hessian  H =", matcalc.hessian(LOSS, "w").unicode())
print("HVP   H[V] =", matcalc.hvp(LOSS, "w").unicode())

namespace: dict = {}
exec(matcalc.codegen(LOSS, ["w"], hessian=True), namespace)  # noqa: S102 - matcalc's generated source
f_grad_hess = namespace["f_grad_hess"]

rng = np.random.default_rng(0)
N, d = 500, 20
X = rng.standard_normal((N, d))
w_true = rng.standard_normal(d)
y = (rng.uniform(size=N) < 1 / (1 + np.exp(-X @ w_true))).astype(float)
lam = 1.0

w = np.zeros(d)
for step in range(8):
    value, grads, hessians = f_grad_hess(X, w, y, lam)
    g, H = grads["w"], hessians["w"]
    print(f"step {step}: f = {value:.10f}   |∇f| = {np.linalg.norm(g):.2e}")
    if np.linalg.norm(g) < 1e-10:
        break
    w = w - np.linalg.solve(H, g)

assert np.linalg.norm(f_grad_hess(X, w, y, lam)[1]["w"]) < 1e-8, "Newton's method converged"
print("converged: Newton's method reached |∇f| < 1e-8")
