"""matcalc in one minute: parse, differentiate, show the derivation, check it, evaluate it.

Run:  python examples/quickstart.py
"""

import numpy as np

import matcalc

# 1. A gradient in closed form, the way the trace trick writes it.
grad = matcalc.grad("a^T exp(X b)", "X")
print("∇_X aᵀexp(Xb) =", grad.unicode())

# 2. The derivation, line by line, each step labelled with the rule it used.
print(matcalc.derive("a^T exp(X b)", "X").show("unicode"))

# 3. Definitions are kept in the answer; several variables at once share one derivation.
mlp = matcalc.grad("Y = sigmoid(W X); <Y, M Y>", ["W", "X"])
for name, g in mlp.items():
    print(f"∇_{name} =", g.unicode())

# 4. Every closed form can be checked against torch.autograd (float64, random sizes).
print(matcalc.check("(x - m)^T inv(S) (x - m) + logdet(S) where S: spd(n)", ["S", "m"]))

# 5. Evaluate a formula or a gradient with NumPy.
rng = np.random.default_rng(0)
a, X, b = rng.standard_normal(3), rng.standard_normal((3, 4)), rng.standard_normal(4)
value = matcalc.compile(grad)(a=a, X=X, b=b)
assert np.allclose(value, np.outer(np.exp(X @ b) * a, b))
print("evaluated gradient matches NumPy:", value.shape)
