"""Derivations written as lecture slides write them, graded by `matcalc homework` (issue 9): no false
alarm on a correct derivation, and on a wrong one the first wrong line is found.

Slides' habits covered: LaTeX `\\begin{aligned}` with `&=` and `\\\\`, `\\mathrm{d}`, `\\therefore\\ `,
`\\because`, `\\frac{\\partial f}{\\partial X}` and `\\nabla_w f` heads, justifications after `&&`,
in `\\text{…}`, after `\\quad`, in parentheses holding an `=` or brackets, after an em-dash or `--`,
after `since`; Unicode with `∴`, `∵`, `∂f/∂X`, `∇_Σ f`, superscripts and the minus sign U+2212.

Each case carries f and its gradient written by hand in torch / NumPy; the first test checks those
against torch.autograd, so the derivations below are known to be right before the checker sees them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

from matcalc.checking.homework import check_homework, text_report

torch = pytest.importorskip("torch")


@dataclass
class Slides:
    """A problem: f as the slides write it, the derivation, and f and ∇f by hand."""

    name: str
    f: str
    wrt: str
    derivation: str
    inputs: Callable[[np.random.Generator], dict[str, np.ndarray]]
    torch_f: Callable[..., Any]
    gradient: Callable[..., np.ndarray]  # NumPy, by hand: the derivation's last line
    where: str = ""
    mistakes: tuple[tuple[str, str, int], ...] = ()  # (written, wrong instead, first wrong line)

    def markdown(self, derivation: str | None = None) -> str:
        where = f"where: {self.where}\n\n" if self.where else ""
        return f"## {self.name}\n\nf({self.wrt}) = {self.f}\n\n{where}derivation:\n{derivation or self.derivation}\n"


def _spd(rng: np.random.Generator, n: int) -> np.ndarray:
    a = rng.standard_normal((n, n))
    return a @ a.T + n * np.eye(n)


def _ls_inputs(rng: np.random.Generator) -> dict[str, np.ndarray]:
    return {"X": rng.standard_normal((5, 3)), "w": rng.standard_normal(3), "y": rng.standard_normal(5)}


def _ls(X: Any, w: Any, y: Any) -> Any:
    return 0.5 * ((X @ w - y) ** 2).sum()


def _trace_inputs(rng: np.random.Generator) -> dict[str, np.ndarray]:
    return {"X": rng.standard_normal((4, 3)), "A": rng.standard_normal((4, 4))}


def _gauss_inputs(rng: np.random.Generator) -> dict[str, np.ndarray]:
    return {"Sigma": _spd(rng, 4), "S": _spd(rng, 4)}


def _gauss(Sigma: Any, S: Any) -> Any:
    return torch.logdet(Sigma) + torch.trace(torch.linalg.inv(Sigma) @ S)


def _gauss_grad(Sigma: np.ndarray, S: np.ndarray) -> np.ndarray:
    inv = np.linalg.inv(Sigma)
    return inv - inv @ S @ inv


CASES = [
    Slides("least squares, LaTeX aligned", r"$\frac{1}{2}\|Xw - y\|_2^2$", "w", r"""$$
\begin{aligned}
\mathrm{d}f &= \tfrac12\,\mathrm{d}\langle Xw - y, Xw - y\rangle \\
 &= \langle Xw - y, \mathrm{d}(Xw - y)\rangle && \text{(product rule, symmetry of } \langle\cdot,\cdot\rangle) \\
 &= \langle Xw - y, X\,\mathrm{d}w\rangle \quad \text{since $X$, $y$ are constant} \\
 &= \langle X^\top(Xw - y), \mathrm{d}w\rangle \qquad (\langle A, BC\rangle = \langle B^\top A, C\rangle) \\
\therefore\ \nabla_w f &= X^\top(Xw - y)
\end{aligned}
$$""", _ls_inputs, _ls, lambda X, w, y: X.T @ (X @ w - y),
           mistakes=((r"X\,\mathrm{d}w\rangle \quad", r"2X\,\mathrm{d}w\rangle \quad", 3),
                     (r"X^\top(Xw - y), \mathrm{d}w", r"X(Xw - y)^\top, \mathrm{d}w", 4))),
    Slides("least squares, Unicode with an em-dash", "½‖Xw − y‖²", "w", """```
df = ⟨Xw − y, d(Xw − y)⟩            [product rule]
   = ⟨Xw − y, X dw⟩                 — since X, y are constant
   = ⟨Xᵀ(Xw − y), dw⟩.              (using ⟨A, BC⟩ = ⟨BᵀA, C⟩)
∴ ∇_w f = Xᵀ(Xw − y)
```""", _ls_inputs, _ls, lambda X, w, y: X.T @ (X @ w - y),
           mistakes=(("⟨Xw − y, X dw⟩", "⟨Xw − y, Xᵀ dw⟩", 2), ("⟨Xᵀ(Xw − y), dw⟩.", "⟨Xᵀ(Xw + y), dw⟩.", 3))),
    Slides("quadratic trace form, Unicode", "tr(XᵀAX)", "X", """```
df = d tr(XᵀAX)
   = tr(dXᵀ A X) + tr(Xᵀ A dX)        (product rule)
   = tr(Xᵀ Aᵀ dX) + tr(Xᵀ A dX)        (tr(Mᵀ) = tr(M))
   = tr(Xᵀ(Aᵀ + A) dX)                -- linearity of the trace
   = ⟨(A + Aᵀ)X, dX⟩                  ∵ tr(AᵀB) = ⟨A, B⟩
∴ ∂f/∂X = (A + Aᵀ)X
```""", _trace_inputs, lambda X, A: torch.trace(X.T @ A @ X), lambda X, A: (A + A.T) @ X,
           mistakes=(("tr(Xᵀ Aᵀ dX) + tr(Xᵀ A dX)", "tr(Xᵀ A dX) + tr(Xᵀ A dX)", 3),
                     ("⟨(A + Aᵀ)X, dX⟩", "⟨2 A X, dX⟩", 5))),
    Slides("quadratic trace form, LaTeX with a partial-derivative head", r"$\operatorname{tr}(X^TAX)$", "X", r"""$$
\begin{aligned}
\mathrm{d}f &= \operatorname{tr}(\mathrm{d}X^\top AX)
  + \operatorname{tr}(X^\top A\,\mathrm{d}X) && \text{(product rule)} \\
 &= \operatorname{tr}(X^\top A^\top \mathrm{d}X) + \operatorname{tr}(X^\top A\,\mathrm{d}X)
  && (\operatorname{tr}(M^\top) = \operatorname{tr}(M)) \\
 &= \operatorname{tr}\big(X^\top(A^\top + A)\,\mathrm{d}X\big) \\
 &= \langle (A + A^\top)X, \mathrm{d}X\rangle_F \because \operatorname{tr}(A^\top B) = \langle A, B\rangle \\
\therefore\ \frac{\partial f}{\partial X} &= (A + A^\top)X
\end{aligned}
$$""", _trace_inputs, lambda X, A: torch.trace(X.T @ A @ X), lambda X, A: (A + A.T) @ X,
           mistakes=((r"(X^\top A^\top \mathrm{d}X) +", r"(X^\top A \mathrm{d}X) +", 2),)),
    Slides("Gaussian log-likelihood, Unicode", "log det Σ + tr(Σ⁻¹S)", "Σ", """```
df = tr(Σ⁻¹ dΣ) − tr(Σ⁻¹ dΣ Σ⁻¹ S)      (d log det Σ = tr(Σ⁻¹dΣ), dΣ⁻¹ = −Σ⁻¹dΣΣ⁻¹)
   = tr(Σ⁻¹dΣ) − tr(Σ⁻¹SΣ⁻¹dΣ)         (cyclic property)
   = ⟨Σ⁻ᵀ − Σ⁻ᵀSᵀΣ⁻ᵀ, dΣ⟩               (tr(AᵀB) = ⟨A, B⟩)
   = ⟨Σ⁻¹ − Σ⁻¹SΣ⁻¹, dΣ⟩                (Σ, S symmetric)
∴ ∇_Σ f = Σ⁻¹ − Σ⁻¹SΣ⁻¹
```""", _gauss_inputs, _gauss, _gauss_grad, where="Σ: spd(n); S: spd(n)",
           mistakes=(("tr(Σ⁻¹dΣ) − tr(Σ⁻¹SΣ⁻¹dΣ)", "tr(Σ⁻¹dΣ) + tr(Σ⁻¹SΣ⁻¹dΣ)", 2),)),
    Slides("Gaussian log-likelihood, LaTeX", r"$\log\det\Sigma + \operatorname{tr}(\Sigma^{-1}S)$", r"\Sigma", r"""$$
\begin{aligned}
\mathrm{d}f &= \operatorname{tr}(\Sigma^{-1}\mathrm{d}\Sigma)
  - \operatorname{tr}(\Sigma^{-1}\,\mathrm{d}\Sigma\,\Sigma^{-1}S) \\
&= \operatorname{tr}\left((\Sigma^{-1} - \Sigma^{-1}S\Sigma^{-1})\,\mathrm{d}\Sigma\right)
  && \text{by the cyclic property} \\
&= \left\langle \Sigma^{-1} - \Sigma^{-1}S\Sigma^{-1}, \mathrm{d}\Sigma \right\rangle_F
  \qquad \text{($\Sigma$, $S$ symmetric)} \\
\therefore\quad \nabla_{\Sigma} f &= \Sigma^{-1} - \Sigma^{-1}S\Sigma^{-1}
\end{aligned}
$$""", _gauss_inputs, _gauss, _gauss_grad, where=r"\Sigma: spd(n); S: spd(n)",
           mistakes=((r"\mathrm{d}\Sigma\,\Sigma^{-1}S)", r"\mathrm{d}\Sigma\,S)", 1),)),
    Slides("logistic loss, LaTeX with sigma prime", r"$-\mathbf{y}^\top\log\sigma(X\mathbf{w}) - "
           r"(\mathbf{1}-\mathbf{y})^\top\log(\mathbf{1}-\sigma(X\mathbf{w}))$", "w", r"""$$
\begin{aligned}
\mathrm{d}f &= -\langle \mathbf{y} \oslash \sigma(X\mathbf{w}), \sigma'(X\mathbf{w}) \odot X\mathrm{d}\mathbf{w}\rangle
  + \langle (\mathbf{1}-\mathbf{y}) \oslash (\mathbf{1}-\sigma(X\mathbf{w})),
  \sigma'(X\mathbf{w}) \odot X\mathrm{d}\mathbf{w}\rangle && \text{(chain rule)} \\
 &= \langle \sigma(X\mathbf{w}) - \mathbf{y}, X\,\mathrm{d}\mathbf{w}\rangle && (\sigma' = \sigma(1-\sigma)) \\
 &= \langle X^\top(\sigma(X\mathbf{w}) - \mathbf{y}), \mathrm{d}\mathbf{w}\rangle \\
\therefore\ \nabla_{\mathbf{w}} f &= X^\top(\sigma(X\mathbf{w}) - \mathbf{y})
\end{aligned}
$$""", lambda rng: {"y": rng.uniform(size=5), "X": rng.standard_normal((5, 3)), "w": rng.standard_normal(3)},
           lambda y, X, w: -(y @ torch.log(torch.sigmoid(X @ w))) - (1 - y) @ torch.log(1 - torch.sigmoid(X @ w)),
           lambda y, X, w: X.T @ (1 / (1 + np.exp(-X @ w)) - y),
           mistakes=((r"\sigma(X\mathbf{w}) - \mathbf{y}, X", r"\mathbf{y} - \sigma(X\mathbf{w}), X", 2),)),
    Slides("bilinear form, plain text with comments", "a^T X b", "X", """```
df = a^T dX b
   = tr(b a^T dX)    # cyclic property
   = <a b^T, dX>     -- by definition of the Frobenius product
=> grad_X f = a b^T
```""", lambda rng: {"a": rng.standard_normal(4), "X": rng.standard_normal((4, 3)), "b": rng.standard_normal(3)},
           lambda a, X, b: a @ X @ b, lambda a, X, b: np.outer(a, b),
           mistakes=(("tr(b a^T dX)", "tr(a b^T dX)", 2),)),
    Slides("Frobenius least squares, LaTeX with a because line", r"$\|XW - Y\|_F^2$", "W", r"""$$
\begin{aligned}
\mathrm{d}f &= 2\langle XW - Y, X\,\mathrm{d}W\rangle \\
\because\ & \mathrm{d}\|E\|_F^2 = 2\langle E, \mathrm{d}E\rangle \\
&= 2\langle X^\top(XW - Y), \mathrm{d}W\rangle && \text{(adjoint of } X\cdot) \\
\therefore\ \nabla_W f &= 2X^\top(XW - Y)
\end{aligned}
$$""", lambda rng: {"X": rng.standard_normal((5, 3)), "W": rng.standard_normal((3, 2)),
                    "Y": rng.standard_normal((5, 2))},
           lambda X, W, Y: ((X @ W - Y) ** 2).sum(), lambda X, W, Y: 2 * X.T @ (X @ W - Y),
           mistakes=((r"&= 2\langle X^\top(XW - Y)", r"&= \langle X^\top(XW - Y)", 2),)),
    Slides("ridge regression with λ, Unicode", "½‖Xw − y‖² + ½λ‖w‖²", "w", """```
df = ⟨Xw − y, X dw⟩ + λ⟨w, dw⟩          — chain rule on each term
   = ⟨Xᵀ(Xw − y) + λw, dw⟩               (adjoint: ⟨A, BC⟩ = ⟨BᵀA, C⟩)
∴ ∇_w f = Xᵀ(Xw − y) + λw
```""", lambda rng: {"X": rng.standard_normal((5, 3)), "w": rng.standard_normal(3), "y": rng.standard_normal(5),
                    "lambda": 0.7},
           lambda X, w, y, lam: 0.5 * ((X @ w - y) ** 2).sum() + 0.5 * lam * (w @ w),
           lambda X, w, y, lam: X.T @ (X @ w - y) + lam * w,
           mistakes=(("+ λ⟨w, dw⟩", "+ 2λ⟨w, dw⟩", 1),)),
    Slides("quadratic form, plain text with since", "x^T A x", "x", """
df = dx^T A x + x^T A dx
   = x^T A^T dx + x^T A dx,  since a scalar equals its transpose
   = <(A + A^T) x, dx>   (collect terms)
grad_x f = (A + A^T) x
""", lambda rng: {"x": rng.standard_normal(4), "A": rng.standard_normal((4, 4))},
           lambda x, A: x @ A @ x, lambda x, A: (A + A.T) @ x,
           mistakes=(("x^T A^T dx + x^T A dx", "2 x^T A dx", 2),)),
]
IDS = [c.name for c in CASES]


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_the_derivations_are_right(case: Slides) -> None:
    """The test data: the hand-written gradient (the derivation's last line) is torch.autograd's."""
    values = case.inputs(np.random.default_rng(0))
    tensors = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in values.values()]
    case.torch_f(*tensors).backward()
    position = list(values).index({"Σ": "Sigma", r"\Sigma": "Sigma"}.get(case.wrt, case.wrt))
    want = tensors[position].grad.numpy()
    if case.where:  # Σ symmetric: the derivation's last lines use it
        want = (want + want.T) / 2
    np.testing.assert_allclose(case.gradient(*values.values()), want, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_no_false_alarm(case: Slides) -> None:
    (result,) = check_homework(case.markdown())
    assert result.ok, text_report([result])
    assert result.steps is not None and len(result.steps.lines) >= 2
    assert result.steps.lines[-1].is_gradient  # the ∴ ∇ f = … line was read as the gradient


MISTAKES = [(c, m) for c in CASES for m in c.mistakes]


@pytest.mark.parametrize(("case", "mistake"), MISTAKES, ids=[f"{c.name}: {m[1]}" for c, m in MISTAKES])
def test_the_first_wrong_line_is_found(case: Slides, mistake: tuple[str, str, int]) -> None:
    written, wrong, line = mistake
    assert case.derivation.count(written) == 1
    (result,) = check_homework(case.markdown(case.derivation.replace(written, wrong)))
    assert not result.ok
    steps = result.steps
    assert steps.first_wrong_line == line, text_report([result])
    assert all(x.ok for x in steps.lines[:line - 1]), text_report([result])  # no false alarm before it
    first = steps.first_wrong
    assert not first.error or "cannot" not in first.error, text_report([result])


def test_the_trial_problem_set() -> None:
    """The fresh-user trial's file: four correct problems and problem 3's deliberate mistake in line 3."""
    text = "\n\n".join(c.markdown() for c in CASES if c.name.startswith(("least squares, LaTeX", "Gaussian")))
    wrong = CASES[2].markdown(CASES[2].derivation.replace(*CASES[2].mistakes[0][:2]))
    results = check_homework(text + "\n\n" + wrong)
    assert [r.ok for r in results] == [True, True, True, False]
    steps = results[3].steps
    assert steps.first_wrong_line == 3
    assert "not equal to the line before it" in text_report([results[3]])
