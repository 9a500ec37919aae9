"""Formulas as textbooks, slides and PDFs write them, each with its intended reading.

Every row is one way a source writes a formula (LaTeX from slides or a textbook, Unicode copied
from a PDF or a web page, plain text as matrixcalculus.org, NumPy or course notes write it). A
group of rows shares its intended reading (in matcalc's plain text) and a reference written by
hand in NumPy. Each row is checked twice: its parse equals the parse of the intended reading,
and its value, at random inputs, equals the hand-written NumPy value (never matcalc's lowering
on the reference side). Misreadings allowed: none.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pytest

import matcalc
from matcalc.algebra.expr import walk

LS, LT = "LaTeX (slides)", "LaTeX (textbook)"
UP, UW = "Unicode (PDF copy)", "Unicode (web page)"
TM, TN, TC = "text (matrixcalculus.org)", "text (NumPy habits)", "text (course notes)"


def softmax(z: np.ndarray) -> np.ndarray:
    """Column-wise softmax, written by hand."""
    e = np.exp(z - z.max(axis=0))
    return e / e.sum(axis=0)


def torch_kron(a: object, b: object) -> object:
    """A ⊗ B in torch (imported only where a gradient test runs)."""
    import torch

    return torch.kron(a, b)


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-z))


@dataclass
class Group:
    """One formula: its intended reading, a NumPy reference (a function of the variables by name),
    declarations when the formula needs them, and the ways sources write it."""

    intended: str
    ref: Callable[[dict], object]
    rows: list[tuple[str, str]]
    where: str | None = None


G = Group
GROUPS = [
    G(
        "tr(A B^T)",
        lambda v: np.trace(v["A"] @ v["B"].T),
        [
            (LS, r"\operatorname{tr}(AB^T)"),
            (LT, r"\mathrm{Tr}(AB^\top)"),
            (LS, r"\text{tr}\left(A B^{T}\right)"),
            (UP, "tr(ABᵀ)"),
            (TC, "Tr(A B')"),
            (LT, r"\operatorname{tr} AB^{\mathsf{T}}"),
        ],
    ),
    G(
        "tr(X X^T)",
        lambda v: np.trace(v["X"] @ v["X"].T),
        [(LS, r"\operatorname{tr}(XX^T)"), (LT, r"\operatorname{tr} XX^\top"), (UP, "tr(XXᵀ)"), (TM, "tr(X*X')")],
    ),
    G(
        "||X W^T - Y||^2",
        lambda v: np.sum((v["X"] @ v["W"].T - v["Y"]) ** 2),
        [
            (LS, r"\|XW^T - Y\|_F^2"),
            (LT, r"\left\| X W^{\top} - Y \right\|_F^2"),
            (UP, "‖XWᵀ − Y‖²_F"),
            (UW, "‖XWᵀ − Y‖_F²"),
            (TM, "norm2(X*W' - Y)^2"),
            (TC, "||X W^T - Y||_F^2"),
        ],
    ),
    G(
        "Q K^T",
        lambda v: v["Q"] @ v["K"].T,
        [(LS, r"QK^T"), (LT, r"QK^\top"), (UP, "QKᵀ"), (TC, "QK^T"), (TN, "Q @ K.T")],
    ),
    G(
        "A B^-1 C",
        lambda v: v["A"] @ np.linalg.inv(v["B"]) @ v["C"],
        [(LS, r"AB^{-1}C"), (LT, r"A B^{-1} C"), (UP, "AB⁻¹C"), (TM, "A*inv(B)*C"), (TC, "AB^{-1}C")],
    ),
    G(
        "<A, B D C^T>",
        lambda v: np.sum(v["A"] * (v["B"] @ v["D"] @ v["C"].T)),
        [
            (LS, r"\langle A, BDC^T \rangle"),
            (UP, "⟨A, BDCᵀ⟩"),
            (TC, "<A, B*D*C'>"),
            (LT, r"\langle A,BDC^{\top}\rangle_F"),
        ],
    ),
    G(
        "A^T B",
        lambda v: v["A"].T @ v["B"],
        [(TC, "A^TB"), (LS, r"A^\top B"), (UP, "AᵀB"), (TM, "A'*B"), (TN, "A.T @ B")],
    ),
    G("X^T X", lambda v: v["X"].T @ v["X"], [(TC, "X^TX"), (LS, r"X^{T}X"), (UP, "XᵀX"), (TN, "X.T @ X")]),
    G(
        "x^T A x",
        lambda v: v["x"].T @ v["A"] @ v["x"],
        [
            (TC, "x^TAx"),
            (LS, r"\mathbf{x}^\top A \mathbf{x}"),
            (UP, "xᵀAx"),
            (TM, "x'*A*x"),
            (TN, "x.T @ A @ x"),
            (LT, r"\boldsymbol{x}^{\mathsf T} \mathbf{A} \boldsymbol{x}"),
        ],
    ),
    G(
        "a^T b",
        lambda v: v["a"].T @ v["b"],
        [(TC, "a^Tb"), (LS, r"\mathbf{a}^\top\mathbf{b}"), (UP, "aᵀb"), (TM, "a' * b")],
    ),
    G(
        "<a, b>",
        lambda v: v["a"].T @ v["b"],
        [(UW, "a·b"), (LT, r"\mathbf{a} \cdot \mathbf{b}"), (LS, r"\langle a, b\rangle")],
    ),
    G("W^T G", lambda v: v["W"].T @ v["G"], [(TC, "W^TG"), (UP, "WᵀG"), (LS, r"W^\intercal G")]),
    G(
        "W_1 x",
        lambda v: v["W_1"] @ v["x"],
        [(TC, "W_1x"), (LS, r"W_{1}\mathbf{x}"), (UP, "W₁x"), (TC, "W_1 x"), (LT, r"\mathbf{W}_1 \mathbf{x}")],
    ),
    G(
        "𝟙^T relu(W x)",
        lambda v: np.sum(np.maximum(v["W"] @ v["x"], 0)),
        [
            (LS, r"\mathbf{1}^T \operatorname{ReLU}(Wx)"),
            (UP, "𝟙ᵀ ReLU(Wx)"),
            (LT, r"\mathbb{1}^\top \mathrm{ReLU}(W x)"),
        ],
    ),
    G(
        "tanh(W x + b)",
        lambda v: np.tanh(v["W"] @ v["x"] + v["b"]),
        [
            (LS, r"\tanh(Wx + b)"),
            (TC, "Tanh(W x + b)"),
            (LT, r"\operatorname{Tanh}(W\mathbf{x}+\mathbf{b})"),
            (UW, "Tanh(W·x + b)"),
        ],
    ),
    G(
        "softmax(W x)",
        lambda v: softmax(v["W"] @ v["x"]),
        [
            (LS, r"\operatorname{softmax}(Wx)"),
            (LT, r"\mathrm{Softmax}(W x)"),
            (TC, "Softmax(W x)"),
            (UW, "SOFTMAX(W x)"),
        ],
    ),
    G(
        "log(x)",
        lambda v: np.log(v["x"]),
        [(LS, r"\log x"), (LT, r"\log(x)"), (TC, "Log(x)"), (LT, r"\log \mathbf{x}")],
    ),
    G(
        "exp(x)",
        lambda v: np.exp(v["x"]),
        [(LS, r"\exp x"), (LT, r"e^{x}"), (TC, "e^x"), (TM, "exp(x)"), (TC, "EXP(x)")],
    ),
    G(
        "||X w - y||^2 where X: matrix(n, d); w: vector(d); y: vector(n)",
        lambda v: np.sum((v["X"] @ v["w"] - v["y"]) ** 2),
        [
            (LS, r"\|Xw - y\|^2, \quad X \in \mathbb{R}^{n\times d}"),
            (LT, r"\|Xw - y\|_2^2 \quad X \in \mathbb{R}^{n \times d}, w \in \mathbb{R}^{d}, y \in \mathbb{R}^n"),
            (UP, "‖Xw − y‖², X ∈ ℝⁿˣᵈ, w ∈ ℝᵈ"),
            (LS, r"\|Xw - y\|^2 \quad \text{where } X \in \mathbb{R}^{n\times d}"),
            (TC, "||X w - y||^2 where X ∈ R^{n x d}"),
        ],
    ),
    G(
        "x^T A x where x: vector(n); A: matrix(n, n)",
        lambda v: v["x"].T @ v["A"] @ v["x"],
        [
            (LT, r"\mathbf{x}^T\mathbf{A}\mathbf{x}, \quad \mathbf{x} \in \mathbb{R}^n, "
                 r"\mathbf{A} \in \mathbb{R}^{n\times n}"),
            (UP, "xᵀAx where A ∈ ℝⁿˣⁿ, x ∈ ℝⁿ"),
            (LT, r"x^\top A x, \qquad A \in \mathbb{R}^{n \times n},\ x \in \mathbb{R}^{n}"),
        ],
    ),
    G(
        "logdet(X) where X: spd(n)",
        lambda v: np.linalg.slogdet(v["X"])[1],
        [(LT, r"\log\det X, \quad X \in \mathbb{S}^n_{++}"), (LS, r"\log\det X \quad X \in \mathbb{S}^{n}_{++}")],
    ),
    G(
        "log(det(X)) where X: spd(n)",
        lambda v: np.log(np.linalg.det(v["X"])),
        [(UP, "log det X, X ∈ 𝕊ⁿ₊₊"), (TC, "log det X where X ∈ S^n_{++}")],
    ),
    G(
        "1_n^T log(x) where x: vector(n) positive",
        lambda v: np.sum(np.log(v["x"])),
        [(LT, r"\mathbf{1}^T \log x, \quad x \in \mathbb{R}^n_{+}"), (UP, "𝟙ᵀlog(x), x ∈ ℝⁿ₊")],
    ),
    G(
        "tr(W^T W) where W: matrix(d_model, d_k)",
        lambda v: np.trace(v["W"].T @ v["W"]),
        [(LS, r"\operatorname{tr}(W^T W), \quad W \in \mathbb{R}^{d_{model} \times d_k}")],
    ),
    G(  # attention slides: softmax of a matrix is column-wise in matcalc, and the reading says so
        "softmax(Q K^T)",
        lambda v: softmax(v["Q"] @ v["K"].T),
        [(LS, r"\operatorname{softmax}(QK^T)"), (UP, "softmax(QKᵀ)"), (TC, "Softmax(Q K')")],
    ),
    G(  # row-wise, as attention means it: each row sums to 1
        "softmax((Q K^T)^T)^T V",
        lambda v: softmax((v["Q"] @ v["K"].T).T).T @ v["V"],
        [(LS, r"\operatorname{softmax}\left((QK^\top)^\top\right)^\top V"), (UP, "softmax((QKᵀ)ᵀ)ᵀV")],
    ),
    G(  # plain text with declarations: declared names written together are a product
        "sum(exp(X b)) where X: matrix(n, m); b: vector(m)",
        lambda v: np.sum(np.exp(v["X"] @ v["b"])),
        [(TC, "sum(exp(Xb)) where X: matrix(n, m); b: vector(m)"), (TC, "sum(exp(Xb)), X ∈ R^{n x m}, b ∈ R^m")],
    ),
    G(
        "log(det(X))",
        lambda v: np.log(np.linalg.det(v["X"])),
        [(TC, "log det X"), (TC, "log det(X)"), (TC, "Log Det X")],
    ),
    G(
        "log(det(Sigma)) + x^T Sigma^-1 x",
        lambda v: np.log(np.linalg.det(v["Sigma"])) + v["x"].T @ np.linalg.inv(v["Sigma"]) @ v["x"],
        [(TC, "log det Σ + x^T Σ^-1 x"), (TC, "log det Sigma + x' inv(Sigma) x")],
    ),
    G(
        "tr(X^T A X) + log(x^T x) + 1",
        lambda v: np.trace(v["X"].T @ v["A"] @ v["X"]) + np.log(v["x"].T @ v["x"]) + 1,
        [(TC, "tr X^T A X + log x^T x + 1"), (TC, "tr X' A X + log x'x + 1")],
    ),
    G(
        "sum(log(sigmoid(X w)))",
        lambda v: np.sum(np.log(sigmoid(v["X"] @ v["w"]))),
        [(TC, "sum log sigmoid(X w)"), (TC, "sum log sigmoid X w")],
    ),
    G(
        "logdet(X)",
        lambda v: np.linalg.slogdet(v["X"])[1],
        [(LS, r"\log\det X"), (LT, r"\log \det(X)"), (TM, "logdet(X)"), (TC, "LogDet(X)")],
    ),
    G(
        "tr(X)",
        lambda v: np.trace(v["X"]),
        [
            (LS, r"\operatorname{tr} X"),
            (LT, r"\text{tr}(X)"),
            (LS, r"\mathrm{Tr}\,X"),
            (TC, "Tr(X)"),
            (LT, r"\operatorname{Tr}X"),
        ],
    ),
    G(
        "y_hat^T x",
        lambda v: v["y_hat"].T @ v["x"],
        [
            (LS, r"\hat{y}^T x"),
            (LT, r"\hat{\mathbf{y}}^\top\mathbf{x}"),
            (UP, "ŷᵀx"),
            (TC, "y_hat' * x"),
            (LS, r"\widehat{y}^{T}x"),
        ],
    ),
    G(
        "x_tilde^T x_bar",
        lambda v: v["x_tilde"].T @ v["x_bar"],
        [(LS, r"\tilde{x}^T \bar{x}"), (UP, "x̃ᵀx̄"), (LT, r"\widetilde{x}^\top\overline{x}")],
    ),
    G(
        "<A, B>",
        lambda v: np.sum(v["A"] * v["B"]),
        [(LS, r"\langle A, B\rangle_F"), (UP, "⟨A, B⟩_F"), (TC, "<A, B>"), (LT, r"\left\langle A, B \right\rangle")],
    ),
    G(
        "||X||^2",
        lambda v: np.sum(v["X"] ** 2),
        [(UP, "‖X‖²_F"), (LS, r"\|X\|_F^2"), (TM, "norm2(X)^2"), (TC, "||X||_F^2"), (LT, r"\lVert X \rVert_F^2")],
    ),
    G(
        "norm1(x)",
        lambda v: np.sum(np.abs(v["x"])),
        [(UP, "‖x‖₁"), (LS, r"\|x\|_1"), (TM, "norm1(x)"), (TC, "||x||_1")],
    ),
    G(
        "x^T A x - 1",
        lambda v: v["x"].T @ v["A"] @ v["x"] - 1,
        [(UP, "xᵀAx − 1"), (UW, "x^T A x − 1"), (LS, r"\mathbf{x}^\top A\mathbf{x} - 1")],
    ),
    G("exp(log(2) x)", lambda v: 2.0 ** v["x"], [(TM, "2 .^ x"), (TC, "2.^x"), (TN, "2**x")]),
    G("X.^-0.001", lambda v: v["X"] ** -1e-3, [(TC, "X .^ -1e-3"), (TM, "X.^(-1e-3)"), (TN, "X**-1E-3")]),
    G("x.^2", lambda v: v["x"] ** 2, [(TN, "x**2"), (TM, "x.^2"), (LT, r"\mathbf{x}^{\circ 2}"), (TC, "x .^ 2")]),
    G(
        "Y = sigmoid(W X); <Y, M Y>",
        lambda v: np.sum(sigmoid(v["W"] @ v["X"]) * (v["M"] @ sigmoid(v["W"] @ v["X"]))),
        [
            (LS, r"\langle Y, MY \rangle, \quad Y = \sigma(WX)"),
            (UP, "⟨Y, MY⟩ where Y = σ(WX)"),
            (TC, "<Y, M Y> where Y = sigmoid(W X)"),
            (UW, "Y = σ(WX); ⟨Y, MY⟩"),
            (LT, r"\langle Y, M Y\rangle \quad\text{where}\quad Y = \sigma(W X)"),
        ],
    ),
    G(
        "tr(X^T A X)",
        lambda v: np.trace(v["X"].T @ v["A"] @ v["X"]),
        [(TC, "f(X) = tr(X^T A X)"), (LS, r"f(X) = \operatorname{tr}(X^\top AX)"), (UP, "f(X) = tr(XᵀAX)")],
    ),
    G(
        "||A x - b||^2",
        lambda v: np.sum((v["A"] @ v["x"] - v["b"]) ** 2),
        [
            (TC, "L = ||A x - b||^2"),
            (LS, r"\|Ax - b\|^2"),
            (LT, r"\|A\mathbf{x}-\mathbf{b}\|_2^2"),
            (UP, "‖Ax − b‖²"),
            (TM, "norm2(A*x-b)^2"),
            (LS, r"\mathcal{L} = \left\|Ax-b\right\|^2"),
        ],
    ),
    G(
        "1/2 ||X w - y||^2",
        lambda v: 0.5 * np.sum((v["X"] @ v["w"] - v["y"]) ** 2),
        [
            (LS, r"J(w) = \frac{1}{2}\|Xw - y\|^2"),
            (UP, "½‖Xw − y‖²"),
            (TC, "1/2 ||X w - y||^2"),
            (LT, r"\tfrac12 \|Xw-y\|_2^2"),
        ],
    ),
    G(
        "x^T I x",
        lambda v: v["x"].T @ v["I"] @ v["x"],
        [(TC, "x^T I x"), (LS, r"x^\top I x"), (UP, "xᵀIx")],
        where="I: matrix(n, n)",
    ),
    G(
        "alpha^exp(beta)",
        lambda v: v["alpha"] ** np.exp(v["beta"]),
        [(TC, "alpha^exp(beta)"), (LS, r"\alpha^{\exp(\beta)}"), (UP, "α^exp(β)")],
    ),
    G(
        "alpha^||x||",
        lambda v: v["alpha"] ** np.linalg.norm(v["x"]),
        [(TC, "alpha^||x||"), (LS, r"\alpha^{\|x\|}"), (UP, "α^‖x‖")],
    ),
    G(
        "sigmoid'(z)",
        lambda v: sigmoid(v["z"]) * (1 - sigmoid(v["z"])),
        [(UP, "σ′(z)"), (LS, r"\sigma'(z)"), (TC, "sigmoid'(z)"), (TC, "Sigmoid'(z)")],
    ),
    G(
        "relu'(z)",
        lambda v: (v["z"] > 0).astype(float),
        [(TC, "relu'(z)"), (TC, "ReLU'(z)"), (LS, r"\operatorname{relu}'(z)")],
    ),
    G(
        "lambda ||w||^2",
        lambda v: v["lambda"] * np.sum(v["w"] ** 2),
        [(LS, r"\lambda\|w\|^2"), (UP, "λ‖w‖²"), (TM, "lambda*norm2(w)^2")],
    ),
    G("sqrt(x)", lambda v: np.sqrt(v["x"]), [(LS, r"\sqrt{x}"), (UP, "√x"), (TC, "sqrt(x)"), (TC, "Sqrt(x)")]),
    G(
        "diag(x)",
        lambda v: np.diagflat(v["x"]),
        [(LS, r"\operatorname{diag}(\mathbf{x})"), (TC, "Diag(x)"), (TM, "diag(x)")],
    ),
    G("X^-1", lambda v: np.linalg.inv(v["X"]), [(LS, r"X^{-1}"), (UP, "X⁻¹"), (TM, "inv(X)"), (TC, "X^-1")]),
    G("X^-T", lambda v: np.linalg.inv(v["X"].T), [(LS, r"X^{-T}"), (UP, "X⁻ᵀ"), (LT, r"X^{-\top}"), (TC, "inv(X')")]),
    G("A^2", lambda v: v["A"] @ v["A"], [(TC, "A^2"), (UP, "A²"), (LS, r"A^{2}")]),
    G(
        "W^T (y - sigmoid(W x))",
        lambda v: v["W"].T @ (v["y"] - sigmoid(v["W"] @ v["x"])),
        [(LS, r"W^\top(\mathbf{y} - \sigma(W\mathbf{x}))"), (UP, "Wᵀ(y − σ(Wx))"), (TM, "W'*(y - sigmoid(W*x))")],
    ),
    G(
        "exp(x)^T y / alpha",
        lambda v: (np.exp(v["x"]).T @ v["y"]) / v["alpha"],
        [(LS, r"\frac{\exp(x)^T y}{\alpha}"), (TC, "exp(x)^T y / alpha"), (UP, "exp(x)ᵀy / α")],
    ),
    G(
        "tr(Sigma^-1 S)",
        lambda v: np.trace(np.linalg.inv(v["Sigma"]) @ v["S"]),
        [(LS, r"\operatorname{tr}(\Sigma^{-1} S)"), (UP, "tr(Σ⁻¹S)"), (TC, "tr(Sigma^-1 S)")],
    ),
    G(
        "logdet(Sigma) + tr(Sigma^-1 S)",
        lambda v: np.linalg.slogdet(v["Sigma"])[1] + np.trace(np.linalg.inv(v["Sigma"]) @ v["S"]),
        [
            (LS, r"\log\det\Sigma + \operatorname{tr}(\Sigma^{-1}S)"),
            (TC, "logdet(Sigma) + tr(Sigma^-1 S)"),
            (UP, "logdet(Σ) + tr(Σ⁻¹S)"),
        ],
    ),
    G(
        "sum(log(exp(-y .* (X * w)) + vector(1)))",
        lambda v: np.sum(np.log(np.exp(-v["y"] * (v["X"] @ v["w"])) + 1)),
        [
            (TM, "sum(log(exp(-y.*(X*w)) + vector(1)))"),
            (UP, "sum(log(exp(-y ⊙ (Xw)) + vector(1)))"),
            (LS, r"\operatorname{sum}(\log(\exp(-y \odot (Xw)) + \operatorname{vector}(1)))"),
        ],
    ),
    G(
        "x^T (A + eye) x",
        lambda v: v["x"].T @ (v["A"] + np.eye(len(v["x"]))) @ v["x"],
        [(TM, "x'*(A + eye)*x"), (TC, "x^T (A + I) x"), (LS, r"x^\top (A + I) x"), (UP, "xᵀ(A + I)x")],
    ),
    G(
        "(X w - y)^T (X w - y)",
        lambda v: (v["X"] @ v["w"] - v["y"]).T @ (v["X"] @ v["w"] - v["y"]),
        [(TN, "(X @ w - y).T @ (X @ w - y)"), (LS, r"(Xw - y)^T(Xw - y)"), (UP, "(Xw − y)ᵀ(Xw − y)")],
    ),
    G(
        "0.001 ||x||^2",
        lambda v: 1e-3 * np.sum(v["x"] ** 2),
        [(TN, "1e-3 * ||x||^2"), (TC, "1E-3 ||x||^2"), (UP, "0.001‖x‖²")],
    ),
    G("250 x^T x", lambda v: 250 * v["x"].T @ v["x"], [(TN, "2.5e+2 * x.T @ x"), (TC, "2.5E2 x^T x"), (UP, "250 xᵀx")]),
    G(
        "Y = W X; ||Y||^2",
        lambda v: np.sum((v["W"] @ v["X"]) ** 2),
        [(TC, "||Y||^2 where Y = W X"), (LS, r"\|Y\|_F^2, \quad Y = WX"), (UP, "‖Y‖², Y = WX")],
    ),
    G(
        "z^T softmax(W x)",
        lambda v: v["z"].T @ softmax(v["W"] @ v["x"]),
        [(UP, "zᵀsoftmax(Wx)"), (LS, r"z^T\operatorname{softmax}(Wx)"), (TC, "z^T Softmax(W x)")],
    ),
    G(
        "a^T exp(X b)",
        lambda v: v["a"].T @ np.exp(v["X"] @ v["b"]),
        [
            (UP, "aᵀexp(Xb)"),
            (LS, r"\mathbf{a}^\top \exp(X\mathbf{b})"),
            (TC, "a^T exp(X b)"),
            (LT, r"a^T e^{Xb}"),
            (TM, "a'*exp(X*b)"),
        ],
    ),
    G(
        "W_2 tanh(W_1 x)",
        lambda v: v["W_2"] @ np.tanh(v["W_1"] @ v["x"]),
        [(UP, "W₂tanh(W₁x)"), (LS, r"W_2\tanh(W_1x)"), (TC, "W_2 tanh(W_1 x)"), (LT, r"W_{2}\tanh W_{1}x")],
    ),
    G(
        "x^T A^T A x",
        lambda v: v["x"].T @ v["A"].T @ v["A"] @ v["x"],
        [(TC, "x^TA^TAx"), (UP, "xᵀAᵀAx"), (LS, r"\mathbf{x}^T\mathbf{A}^T\mathbf{A}\mathbf{x}")],
    ),
    G(
        "sum(x .* log(x))",
        lambda v: np.sum(v["x"] * np.log(v["x"])),
        [(TC, "sum(x .* log(x))"), (UP, "sum(x ⊙ log(x))"), (LS, r"\operatorname{sum}(x \odot \log x)")],
    ),
]


@dataclass
class Row:
    style: str
    text: str
    group: Group


# Pasted as an adversarial user would, from the books and slides named (issue 9, item 6).
GB, CS, PR, MC, AT = ("LaTeX (Goodfellow, Deep Learning)", "LaTeX (CS229 notes)", "LaTeX (Bishop, PRML)",
                      "LaTeX (Matrix Cookbook)", "LaTeX (attention slides)")
PDF = "Unicode (PDF copy of lecture notes)"


def _gauss(v: dict) -> float:
    d = v["x"] - v["mu"]
    return (-0.5 * d.T @ np.linalg.inv(v["Sigma"]) @ d - 0.5 * np.linalg.slogdet(v["Sigma"])[1]).item()


GROUPS += [
    G("(1/2) ||X w - y||^2 + (lambda / 2) ||w||^2",
      lambda v: 0.5 * np.sum((v["X"] @ v["w"] - v["y"]) ** 2) + v["lambda"] / 2 * np.sum(v["w"] ** 2),
      [(CS, r"\frac{1}{2}\|Xw - y\|_2^2 + \frac{\lambda}{2}\|w\|_2^2")]),
    G("(1/2) (X theta - y)^T (X theta - y) where theta: vector(n)",
      lambda v: 0.5 * (v["X"] @ v["theta"] - v["y"]).T @ (v["X"] @ v["theta"] - v["y"]),
      [(CS, r"J(\theta) = \frac{1}{2}(X\theta - \vec{y})^T(X\theta - \vec{y}), \quad \theta \in \mathbb{R}^n")]),
    G("tr(A X B X^T C)", lambda v: np.trace(v["A"] @ v["X"] @ v["B"] @ v["X"].T @ v["C"]),
      [(MC, r"\mathrm{tr}(A X B X^T C)"), (MC, r"\text{Tr}(AXBX^TC)")]),
    G("tr(X^T B X)", lambda v: np.trace(v["X"].T @ v["B"] @ v["X"]), [(MC, r"\text{Tr}(X^TBX)")]),
    G("tr(A X^-1 B)", lambda v: np.trace(v["A"] @ np.linalg.inv(v["X"]) @ v["B"]), [(MC, r"\text{Tr}(A X^{-1} B)")]),
    G("tr((A X B)^T C)", lambda v: np.trace((v["A"] @ v["X"] @ v["B"]).T @ v["C"]),
      [(MC, r"\operatorname{Tr}\left[ (A X B)^T C \right]")]),
    G("a^T X b", lambda v: v["a"].T @ v["X"] @ v["b"], [(MC, r"\mathbf{a}^T\mathbf{X}\mathbf{b}"), (TM, "a'*X*b")]),
    G("a^T X^T X b", lambda v: v["a"].T @ v["X"].T @ v["X"] @ v["b"], [(MC, r"a^T X^T X b")]),
    G("det(X^T A X)", lambda v: np.linalg.det(v["X"].T @ v["A"] @ v["X"]), [(MC, r"\det(X^T A X)")]),
    G("x^T A x + b^T x + c where c: scalar", lambda v: v["x"].T @ v["A"] @ v["x"] + v["b"].T @ v["x"] + v["c"],
      [(GB, r"\mathbf{x}^\top \mathbf{A} \mathbf{x} + \mathbf{b}^\top \mathbf{x} + c")]),
    G("||W x + b||^2", lambda v: np.sum((v["W"] @ v["x"] + v["b"]) ** 2),
      [(GB, r"\|\mathbf{W}\mathbf{x} + \mathbf{b}\|^2")]),
    G("log(sigmoid(w^T x))", lambda v: np.log(sigmoid(v["w"].T @ v["x"])),
      [(GB, r"\log \sigma(\boldsymbol{w}^\top\boldsymbol{x})")]),
    G("1_n^T exp(X theta) where theta: vector(m)", lambda v: np.sum(np.exp(v["X"] @ v["theta"])),
      [(GB, r"\mathbf{1}^\top \exp(\mathbf{X}\boldsymbol{\theta})")]),
    G("(y - X beta)^T (y - X beta) where beta: vector(m)",
      lambda v: (v["y"] - v["X"] @ v["beta"]).T @ (v["y"] - v["X"] @ v["beta"]),
      [(GB, r"(\mathbf{y}-\mathbf{X}\boldsymbol{\beta})^\top(\mathbf{y}-\mathbf{X}\boldsymbol{\beta})")]),
    G("logdet(Sigma)", lambda v: np.linalg.slogdet(v["Sigma"])[1], [(PR, r"\ln |\boldsymbol{\Sigma}|")]),
    G("-(1/2) (x - mu)^T Sigma^-1 (x - mu) - (1/2) logdet(Sigma) where mu: vector(d)", _gauss,
      [(PR, r"\log p(x) = -\frac{1}{2}(x-\mu)^T \Sigma^{-1} (x-\mu) - \frac{1}{2}\log|\Sigma|, "
            r"\quad \mu \in \mathbb{R}^d")]),
    G("-(1/2) logdet(2 pi Sigma)", lambda v: -0.5 * np.linalg.slogdet(2 * np.pi * v["Sigma"])[1],
      [(PR, r"-\frac{1}{2}\log\det(2\pi\Sigma)")]),
    G("logdet(X^T X + lambda I)",
      lambda v: np.linalg.slogdet(v["X"].T @ v["X"] + v["lambda"] * np.eye(v["X"].shape[1]))[1],
      [(PR, r"\log \det (X^T X + \lambda I)")]),
    G("||A - B C||^2", lambda v: np.sum((v["A"] - v["B"] @ v["C"]) ** 2), [(LT, r"\|A - BC\|_F^2")]),
    G("||Y - W X||^2 + lambda ||W||^2",
      lambda v: np.sum((v["Y"] - v["W"] @ v["X"]) ** 2) + v["lambda"] * np.sum(v["W"] ** 2),
      [(LS, r"\|Y - WX\|_F^2 + \lambda \|W\|_F^2")]),
    G("h = sigmoid(W_1 x + b_1); y_hat = W_2 h + b_2; (1/2) ||y_hat - y||^2",
      lambda v: 0.5 * np.sum((v["W_2"] @ sigmoid(v["W_1"] @ v["x"] + v["b_1"]) + v["b_2"] - v["y"]) ** 2),
      [(GB, r"h = \sigma(W_1 x + b_1); \hat{y} = W_2 h + b_2; \frac12\|\hat y - y\|^2")]),
    G("softmax((Q K^T) / sqrt(d_k)) V where d_k: scalar",
      lambda v: softmax(v["Q"] @ v["K"].T / np.sqrt(v["d_k"])) @ v["V"],
      [(AT, r"\operatorname{softmax}\left(\frac{QK^T}{\sqrt{d_k}}\right)V, \quad d_k \in \mathbb{R}")]),
    G("y^T log(softmax(W x))", lambda v: v["y"].T @ np.log(softmax(v["W"] @ v["x"])),
      [(AT, r"y^\top \log \operatorname{softmax}(Wx)")]),
    G("log(1 + exp(-y w^T x)) where y: scalar", lambda v: np.log(1 + np.exp(-v["y"] * v["w"].T @ v["x"])),
      [(CS, r"\log(1+e^{-y w^T x})")]),
    G("||A x - b||^2 + lambda norm1(x)",
      lambda v: np.sum((v["A"] @ v["x"] - v["b"]) ** 2) + v["lambda"] * np.sum(np.abs(v["x"])),
      [(PDF, "‖Ax − b‖₂² + λ‖x‖₁")]),
    G("(1/2) x^T A x - b^T x", lambda v: 0.5 * v["x"].T @ v["A"] @ v["x"] - v["b"].T @ v["x"], [(PDF, "½ xᵀAx − bᵀx")]),
    G("||X - U V^T||^2", lambda v: np.sum((v["X"] - v["U"] @ v["V"].T) ** 2), [(PDF, "‖X − UVᵀ‖²_F")]),
    G("x^T Sigma^-1 x", lambda v: v["x"].T @ np.linalg.inv(v["Sigma"]) @ v["x"], [(PDF, "xᵀΣ⁻¹x")]),
    G("exp(-||x - y||^2 / (2 sigma^2))", lambda v: np.exp(-np.sum((v["x"] - v["y"]) ** 2) / (2 * v["sigma"] ** 2)),
      [(PDF, "exp(−‖x − y‖²/(2σ²))")]),
    G("sum(log(1 + exp(-y .* (X w))))", lambda v: np.sum(np.log(1 + np.exp(-v["y"] * (v["X"] @ v["w"])))),
      [(TM, "sum(log(1+exp(-y.*(X*w))))")]),
    G("x^T inv(A) x", lambda v: v["x"].T @ np.linalg.inv(v["A"]) @ v["x"],
      [(TM, "x'*inv(A)*x"), (LT, r"x^T A^{-1} x")]),
    G("log(sum(exp(W x)))", lambda v: np.log(np.sum(np.exp(v["W"] @ v["x"]))), [(TM, "log(sum(exp(W*x)))")]),
    G("sigmoid(W2 relu(W1 x + b1) + b2)",
      lambda v: sigmoid(v["W2"] @ np.maximum(v["W1"] @ v["x"] + v["b1"], 0) + v["b2"]),
      [(TM, "sigma(W2*relu(W1*x+b1)+b2)")]),
    # a dimension the user named, used as a number, is that size (fresh-user trial)
    G("(1/n) ||X w - y||^2 where X: matrix(n, d)",
      lambda v: np.sum((v["X"] @ v["w"] - v["y"]) ** 2) / v["X"].shape[0],
      [(LS, r"\frac{1}{n}\|Xw-y\|^2, X \in \mathbb{R}^{n\times d}"), (UP, "(1/n)‖Xw − y‖², X ∈ ℝⁿˣᵈ"),
       (TC, "(1/n) ||X w - y||^2 where X: matrix(n, d)"), (TC, "1/n * ||X*w - y||^2 where X: matrix(n, d)")]),
    G("sum(x) / n where x: vector(n)", lambda v: np.sum(v["x"]) / v["x"].shape[0],
      [(TC, "sum(x)/n where x: vector(n)"), (LS, r"\operatorname{sum}(x)/n, \quad x \in \mathbb{R}^n")]),
    G("(1/n) 1_n^T x", lambda v: np.sum(v["x"]) / v["x"].shape[0],
      [(LS, r"\frac{1}{n}\mathbf{1}_n^\top x"), (UP, "(1/n) 𝟙ₙᵀx")]),
    G("softmax((Q K^T) / sqrt(d)) V where Q: matrix(n, d)",
      lambda v: softmax(v["Q"] @ v["K"].T / np.sqrt(v["Q"].shape[1])) @ v["V"],
      [(LS, r"\mathrm{softmax}(QK^\top/\sqrt{d})V, Q \in \mathbb{R}^{n\times d}"),
       (LS, r"\operatorname{softmax}\left(\frac{QK^T}{\sqrt{d}}\right)V, \quad Q \in \mathbb{R}^{n \times d}")]),
    # |M| of a matrix is its determinant, of a scalar the absolute value
    G("det(Sigma)", lambda v: np.linalg.det(v["Sigma"]),
      [(LT, r"|\Sigma|"), (UP, "|Σ|"), (LS, r"\left|\Sigma\right|")]),
    G("abs(x^T y)", lambda v: np.abs(v["x"].T @ v["y"]), [(UP, "|xᵀy|"), (LS, r"\lvert x^\top y \rvert")]),
    # typeset · binds looser than letters written together
    G("<x, Sigma x>", lambda v: v["x"].T @ v["Sigma"] @ v["x"], [(UP, "x · Σx"), (LS, r"x \cdot \Sigma x")]),
    # after '/', factors written together (no space) are all the divisor: /2N is / (2 N) (the reading says so)
    G("||w||^2 / (2 N) where N: scalar", lambda v: np.sum(v["w"] ** 2) / (2 * v["N"]),
      [(UP, "‖w‖²/2N"), (TC, "||w||^2 / 2N"), (LT, r"\|w\|^2 / 2N")], where="N: scalar"),
    G("(1 / (2 N)) ||X w - y||^2 where N: scalar", lambda v: np.sum((v["X"] @ v["w"] - v["y"]) ** 2) / (2 * v["N"]),
      [(TC, "1/2N ||X w - y||^2"), (UP, "1/2N ‖Xw − y‖²")], where="N: scalar"),
    G("(lambda / (2 N)) ||w||^2 where N: scalar", lambda v: v["lambda"] * np.sum(v["w"] ** 2) / (2 * v["N"]),
      [(UP, "λ/2N ‖w‖²"), (LS, r"\lambda/2N \|w\|^2")], where="N: scalar"),
    G("(x^T y) / (||x|| ||y||)", lambda v: (v["x"].T @ v["y"]) / (np.linalg.norm(v["x"]) * np.linalg.norm(v["y"])),
      [(UP, "xᵀy/‖x‖‖y‖"), (LS, r"x^\top y/\|x\|\|y\|")]),
    G("(x^T A x) / (x^T x)", lambda v: (v["x"].T @ v["A"] @ v["x"]) / (v["x"].T @ v["x"]), [(UP, "xᵀAx / xᵀx")]),
    # 1ᵀ, 1^T, 1^\top: the all-ones vector, sized by the product (the reading says so)
    G("𝟙ᵀ x", lambda v: np.sum(v["x"]), [(TC, "1^T x"), (UP, "1ᵀx"), (LS, r"1^\top x"), (LS, "1^Tx"), (TN, "1'x")]),
    G("log(𝟙ᵀ exp(x))", lambda v: np.log(np.sum(np.exp(v["x"]))), [(UP, "log(1ᵀexp(x))")]),
    # math-bold and math-italic letters (a PDF's \mathbf{x}, $x$ copied): the plain letter; ∑ alone is sum
    G("x^T A x", lambda v: v["x"].T @ v["A"] @ v["x"], [(UP, "𝐱ᵀ𝐀𝐱"), (UP, "𝒙ᵀ𝑨𝒙")]),
    G("||X w - y||^2", lambda v: np.sum((v["X"] @ v["w"] - v["y"]) ** 2), [(UP, "‖𝐗𝐰 − 𝐲‖²")]),
    G("sum(exp(x))", lambda v: np.sum(np.exp(v["x"])), [(UP, "∑ exp(x)"), (UP, "∑exp(x)")]),
    G("sum(x)", lambda v: np.sum(v["x"]), [(UP, "∑x"), (UP, "∑ x")]),
    # one factor over a number, then a space: a coefficient
    G("(lambda / 2) ||w||^2", lambda v: v["lambda"] / 2 * np.sum(v["w"] ** 2), [(UP, "λ/2 ‖w‖²")]),
]

ROWS = [Row(style, text, g) for g in GROUPS for style, text in g.rows]


def test_the_table_is_large() -> None:
    assert len(ROWS) >= 150
    assert {"LaTeX", "Unicode", "text"} == {r.style.split()[0] for r in ROWS}


def _inputs(formula: matcalc.Formula, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Random values respecting the declared shapes; every dimension name gets its own size, square
    matrices are well conditioned, entries lie in (0.1, 0.9) (logs, roots and powers are defined)."""
    sizes: dict[str, int] = {}

    def size(d: object) -> int:
        return d if isinstance(d, int) else sizes.setdefault(str(d), 3 + len(sizes))

    values = {}
    for d in formula.declarations:
        r, c = size(d.shape[0]), size(d.shape[1])
        x = rng.uniform(0.1, 0.9, size=(r, c))
        if r == c and r > 1:
            x = x + r * np.eye(r)
        values[d.name] = x if (r, c) != (1, 1) else float(x[0, 0])
    return values


@pytest.mark.parametrize("row", ROWS, ids=[f"{r.style}: {r.text}" for r in ROWS])
def test_reading(row: Row) -> None:
    f = matcalc.parse(row.text, where=row.group.where)
    intended = matcalc.parse(row.group.intended, where=f.where)
    assert f.expr is intended.expr, f"read as {f.text()}, meant {intended.text()}"
    values = _inputs(f, np.random.default_rng(0))
    ours = np.asarray(matcalc.compile(f)(**values), dtype=float)
    ref = np.asarray(row.group.ref(values), dtype=float)
    assert ours.size == ref.size
    assert np.allclose(ours.reshape(-1), ref.reshape(-1), rtol=1e-9, atol=1e-12)


# ---------------------------------------------------------------- refusals: an error with a caret and a hint

REFUSED = [
    ("x log", "'log' is a function", 2),
    # adversarial pastes (issue 9, item 6): refused with the retype, split or index-sum hint, never misread
    (r"\operatorname{softmax}\left(\frac{QK^T}{\sqrt{d_k}}\right)V", "declare it: where d_k: scalar", None),
    ("(y − Xβ)ᵀ(y − Xβ)", "declare it: where beta: vector(n)", None),
    (r"\frac{1}{N}\mathbf{1}^T\log(1 + \exp(-y \odot Xw))", "declare it: where N: scalar", None),
    (r"-\sum_{i=1}^n y_i \log \sigma(w^T x_i)", "index sums (Σᵢ xᵢ) are not supported", 1),
    (r"\frac{\partial}{\partial X} \operatorname{tr}(AX)", "give the function alone and the variable apart", 6),
    ("(Ax+b)^T C (Dx + e)", "'Ax' is one name here; did you mean 'A x'?", None),
    (r"\mathrm{KL} = \frac{1}{2}\left(\operatorname{tr}(\Sigma_2^{-1}\Sigma_1) + (\mu_2-\mu_1)^T\Sigma_2^{-1}"
     r"(\mu_2-\mu_1) - k + \ln\frac{\det\Sigma_2}{\det\Sigma_1}\right)", "declare it: where mu_2: vector(n)", None),
    ("tr A * B", "hint: write tr(A * B) or tr(A) * B", 0),
    ("sum log x .* y", "where does the argument of 'log' end?", 4),
    ("relu(Wx) + b", "did you mean 'W x'?", 9),
    ("\\foo x", "unknown LaTeX command", 0),
    ("\\|x", "never closed", 0),
    ("\\|X\\|_2", "hint: write ‖X‖_F for the Frobenius norm", 0),
    ("||A x||^2 + ||B||_2 where B: matrix(3, 4)", "spectral norm", 12),
    ("\\log|X", "'|' is never closed", 4),
    ("x^T A x where A: tensor(n)", "unknown type 'tensor'", None),
    ("\\frac{1}", "\\frac needs two arguments", None),
    ("\\exp", "exp needs an argument", None),
    ("x_{\\alpha+1}", "cannot read the subscript", 2),
    # fresh-user trial: refused, never misread
    (r"\mathbb{E}[x^T A x]", "expectations (𝔼[…]) are not supported", 0),
    ("𝔼[xᵀAx]", "write the expression inside the brackets alone", 0),
    (r"-\mathbb{E}_{x}\left[\log p\right]", "expectations", 1),
    (r"-\sum y\log p", "here: write -y^T \\log p", 1),
    ("-sum y log p", "here: write -y^T log p", 1),
    ("sum(x) / n", "declare n: scalar, or if n is the length of x, declare x: vector(n)", 7),
    (r"\mathrm{softmax}(QK^\top/\sqrt{d})V", "hint: d was typed as a vector from its name: declare d: scalar", 24),
    ("x^T x * 1e400", "this number is too large for float64", 8),
    ("x^T x / 1e-400", "it underflows to 0", 8),
    ("x.^-1e400", "too large for float64", 3),
    ("|x|", "|x| of a vector: write abs(x)", 0),
    ("vec(X)^T kron(A, B) vec(X)", "hint: declare the shapes of A and B", 9),
    ("2^T x", "a number cannot be transposed (2)", 0),
    ("∑ᵢ xᵢ", "index sums (Σᵢ xᵢ) are not supported", 0),
    # what to write instead (fresh-user trial F8)
    (r"\max(0, 1 - y\,\mathbf{w}^\top\mathbf{x})", "hint: max(0, z) is relu(z)", 0),
    ("max(0, 1 - y w^T x)", "hint: max(0, z) is relu(z)", 0),
    (r"\max_i x_i", "hint: max(0, z) is relu(z)", 0),
    ("x^2", "write x.^2 for each entry to the power 2, or ‖x‖² for its squared norm", 2),
    ("(A x)^2", "write (A x).^2", 6),
    ("norm(A*x - b, 2)", "hint: norm(x) takes one argument", 0),
    ("sum(X.^2, 1)", "column sums are 1^T X, row sums X 𝟙", 0),
    (r"X^\dagger", "the pseudo-inverse is not supported", 2),
    (r"\lambda_{\max}(A)", "eigenvalues and singular values (λ_max, σ_min) are not supported", 8),
    # '/' then a spaced product: a / (b c) or (a / b) c? refused (fresh-user trial F6)
    ("x^T y / 2 alpha", "hint: write x^T y / (2 alpha) or (x^T y / 2) alpha", 6),
    ("x^T y / ||x|| ||y||", "hint: write x^T y / (||x|| ||y||) or (x^T y / ||x||) ||y||", 6),
    (r"x^\top y / \|x\| \|y\|", r"or (x^\top y / \|x\|) \|y\|", 9),
    ("||w||^2 / 2N", "hint: N was typed as a matrix from its name: declare N: scalar", 8),
    ("vec(X)^T kron(A, B) vec(X) where X: matrix(n, m)", "does not guess how a size splits", 9),
]


@pytest.mark.parametrize(("text", "message", "column"), REFUSED)
def test_refusal_has_a_caret_and_a_hint(text: str, message: str, column: int | None) -> None:
    with pytest.raises(matcalc.MatcalcError) as info:
        matcalc.parse(text)
    assert message in str(info.value)
    if column is not None:
        assert info.value.column == column, str(info.value)


def test_an_operatorname_is_never_a_variable() -> None:
    with pytest.raises(matcalc.MatcalcError, match="unknown function 'foo'"):
        matcalc.parse(r"\operatorname{foo}(x)")
    assert matcalc.parse(r"\mathrm{W1} x").variables == ["W1", "x"]


def test_errors_say_how_names_were_typed_and_suggest_the_closest_function() -> None:
    with pytest.raises(matcalc.MatcalcError) as info:
        matcalc.parse("w A")
    assert "w was typed as a vector" in str(info.value) and "where w: scalar" in str(info.value)
    with pytest.raises(matcalc.MatcalcError, match="did you mean softmax"):
        matcalc.parse("softmx(z)")


# ---------------------------------------------------------------- gradients of the formulas the issue saw misread

GRADIENTS = [  # (formula as written, variable, hand-written torch function of the variables)
    (r"\operatorname{tr}(AB^T)", "A", lambda v: (v["A"] @ v["B"].T).trace()),
    (r"\operatorname{tr}(XX^T)", "X", lambda v: (v["X"] @ v["X"].T).trace()),
    (r"\|XW^T - Y\|_F^2", "W", lambda v: ((v["X"] @ v["W"].T - v["Y"]) ** 2).sum()),
    ("x^TAx", "x", lambda v: (v["x"].T @ v["A"] @ v["x"]).sum()),
    ("𝟙ᵀ ReLU(Wx)", "W", lambda v: (v["W"] @ v["x"]).clamp(min=0).sum()),
    ("aᵀexp(Xb)", "X", lambda v: (v["a"].T @ (v["X"] @ v["b"]).exp()).sum()),
    (r"\log\det X", "X", lambda v: v["X"].logdet()),
    (r"\log|X X^\top|", "X", lambda v: (v["X"] @ v["X"].T).logdet()),
    (r"\ln(x^\top x)", "x", lambda v: (v["x"].T @ v["x"]).log().sum()),
    (r"x^T \Sigma x", "Sigma", lambda v: (v["x"].T @ v["Sigma"] @ v["x"]).sum()),
    (r"\frac{1}{n}\|Xw-y\|^2, X \in \mathbb{R}^{n\times d}", "w",
     lambda v: ((v["X"] @ v["w"] - v["y"]) ** 2).sum() / v["X"].shape[0]),
    (r"|\Sigma|", "Sigma", lambda v: v["Sigma"].det()),
    ("x · Σx", "x", lambda v: (v["x"].T @ v["Sigma"] @ v["x"]).sum()),
    ("vec(X)^T kron(A, B) vec(X) where X: matrix(n, m); A: matrix(m, m); B: matrix(n, n)", "X",
     lambda v: (v["X"].T.reshape(-1, 1).T @ torch_kron(v["A"], v["B"]) @ v["X"].T.reshape(-1, 1)).sum()),
    ("‖w‖²/2N where N: scalar", "w", lambda v: (v["w"] ** 2).sum() / (2 * v["N"])),
    ("1ᵀσ(Wx + b)", "W", lambda v: (v["W"] @ v["x"] + v["b"]).sigmoid().sum()),
    ("H = relu(W1 X + b1 1^T); -sum(Y .* log(softmax(W2 H)))", "W1",
     lambda v: -(v["Y"] * ((v["W2"] @ (v["W1"] @ v["X"] + v["b1"]).clamp(min=0)).softmax(dim=0)).log()).sum()),
    ("𝒙ᵀ𝑨𝒙", "x", lambda v: (v["x"].T @ v["A"] @ v["x"]).sum()),
    ("xᵀy/‖x‖‖y‖", "x", lambda v: (v["x"].T @ v["y"]).sum() / (v["x"].norm() * v["y"].norm())),
    (r"\langle Y, MY \rangle, \quad Y = \sigma(WX)", "W",
     lambda v: ((v["W"] @ v["X"]).sigmoid() * (v["M"] @ (v["W"] @ v["X"]).sigmoid())).sum()),
]


@pytest.mark.parametrize(("text", "wrt", "ref"), GRADIENTS, ids=[g[0] for g in GRADIENTS])
def test_gradient_of_the_reading_matches_autograd(text: str, wrt: str, ref: Callable) -> None:
    torch = pytest.importorskip("torch")
    f = matcalc.parse(text)
    values = _inputs(f, np.random.default_rng(1))
    tensors = {k: torch.tensor(np.atleast_2d(x), dtype=torch.float64, requires_grad=k == wrt)
               for k, x in values.items()}
    ref(tensors).backward()
    g = matcalc.grad(f, wrt)
    ours = np.asarray(matcalc.compile(g)(**values), dtype=float)
    assert np.allclose(ours.reshape(-1), tensors[wrt].grad.numpy().reshape(-1), rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("name", ["Σ", "\\Sigma", "Sigma"])
def test_wrt_takes_any_spelling_of_a_greek_name(name: str) -> None:
    f = matcalc.parse("x^T Σ x + α λ")
    x = np.array([[1.0], [2.0], [-1.0]])
    assert np.allclose(matcalc.compile(matcalc.grad(f, name))(x=x, Sigma=np.eye(3), alpha=2.0, **{"lambda": 3.0}),
                       x @ x.T)
    for greek in ("α", "\\alpha", "alpha"):
        assert np.isclose(float(matcalc.compile(matcalc.grad(f, greek))(
            x=x, Sigma=np.eye(3), alpha=2.0, **{"lambda": 3.0})), 3.0)


@pytest.mark.parametrize(("text", "wrt", "hint"), [
    (r"\frac{1}{N}\|Xw-y\|^2", "w", "N was typed as a matrix from its capital letter; if it is a scalar, "
                                    "declare it: where N: scalar"),
    (r"\mu^\top x", "x", "mu was typed as a scalar as a Greek letter; if it is a vector, "
                                      "declare it: where mu: vector(n)"),
])
def test_a_non_scalar_function_names_the_name_typed_by_its_spelling(text: str, wrt: str, hint: str) -> None:
    with pytest.raises(matcalc.MatcalcError, match="must be a scalar") as info:
        matcalc.grad(text, wrt)
    assert hint in str(info.value)


def test_typeset_letters_written_together_bind_tighter_than_hadamard() -> None:
    """A ⊙ BC in LaTeX or typeset Unicode is A ⊙ (BC), as typeset math means; plain text stays MATLAB's."""
    rng = np.random.default_rng(0)
    X, y, w = rng.normal(size=(4, 3)), rng.normal(size=(4, 1)), rng.normal(size=(3, 1))
    for text in (r"\mathbf{1}^\top (-y \odot Xw)", "𝟙ᵀ (-y ⊙ Xw)"):
        assert "⊙ (X w)" in matcalc.parse(text).reading.formula
        g = matcalc.grad(text, "w")
        assert np.allclose(np.asarray(matcalc.compile(g)(X=X, y=y, w=w)).reshape(-1), -(X.T @ y).reshape(-1))
    assert matcalc.parse(r"A \odot B^T C + D").reading.formula == "A ⊙ (Bᵀ C) + D"
    with pytest.raises(matcalc.ShapeError, match="Hadamard"):
        matcalc.parse("-y .* X*w")  # plain text: (-y .* X) * w


@pytest.mark.parametrize("text", [r"\|W^{[2]}\sigma(W^{[1]}x) - y\|^2", r"\|W^{(2)} \sigma(W^{(1)} x) - y\|^2",
                                  "‖W⁽²⁾ σ(W⁽¹⁾ x) - y‖^2"])
def test_a_bracketed_superscript_is_a_layer_label_not_a_power(text: str) -> None:
    reading = matcalc.parse(text).reading
    assert reading.formula == "‖W₂ σ(W₁ x) - y‖²"
    one, two = ("W_1", "W_2") if text.isascii() else ("W₁", "W₂")  # names as the user wrote them
    assert {f"{one}: matrix(m, k)", f"{two}: matrix(n, m)"} <= {g.split(" (")[0].strip() for g in reading.guesses}


def test_bold_greek_is_a_vector() -> None:
    """\\boldsymbol{\\mu} is a vector (bold), \\mu a scalar (Greek)."""
    reading = matcalc.parse(r"\|x - \boldsymbol{\mu}\|^2").reading
    assert "mu: vector(n) (bold)" in [g.strip() for g in reading.guesses]
    g = matcalc.grad(r"\mathbf{\mu}^\top x", "mu")
    x = np.random.default_rng(1).normal(size=(3, 1))
    assert np.allclose(np.asarray(matcalc.compile(g)(x=x, mu=x)).reshape(-1), x.reshape(-1))
    assert "mu: scalar (Greek name)" in [g.strip() for g in matcalc.parse(r"\mu x").reading.guesses]


@pytest.mark.parametrize(("text", "said"), [
    ("softmax(Q K^T)", "softmax(Q Kᵀ): column-wise (each column sums to 1); row-wise, as attention uses it, is "
                       "softmax(Xᵀ)ᵀ"),
    ("sum(logsumexp(X))", "logsumexp(X): column-wise"),
    ("softmax(x^T) 1_n", "on a 1×m row each entry is a column of its own"),
])
def test_the_reading_says_softmax_of_a_matrix_is_column_wise(cli, text: str, said: str) -> None:
    assert said in matcalc.parse(text).reading.guesses[0]
    assert said in cli("parse", text).out
    x = np.random.default_rng(2).uniform(-1, 1, (3, 4))  # and it is: columns sum to 1
    assert np.allclose(matcalc.compile(matcalc.parse("softmax(X)"))(X=x).sum(axis=0), 1)
    assert not any("column-wise" in g for g in matcalc.parse("z^T softmax(W x)").reading.guesses)


def test_a_transposed_one_is_the_ones_vector_and_a_transposed_scalar_is_flagged() -> None:
    assert "1ᵀ → 𝟙ᵀ" in "\n".join(matcalc.parse("1^T x").reading.guesses)
    assert "declare γ: vector(n)" in "\n".join(matcalc.parse("γᵀx").reading.guesses)
    assert not [g for g in matcalc.parse("γᵀx where γ: scalar").reading.guesses if "transpose" in g]


def test_a_divisor_written_together_is_said_in_the_reading() -> None:
    assert "/2N → / (2 N)" in "\n".join(matcalc.parse("‖w‖²/2N", where="N: scalar").reading.guesses)
    assert "/‖x‖‖y‖ → / (‖x‖ ‖y‖)" in "\n".join(matcalc.parse("xᵀy/‖x‖‖y‖").reading.guesses)
    assert not [g for g in matcalc.parse("1/2 x^T A x").reading.guesses if "/" in g]  # a coefficient


def test_a_greek_mean_spread_over_a_vector_is_said_and_pi_is_the_number() -> None:
    f = matcalc.parse(r"\frac{1}{2}(x-\mu)^T\Sigma^{-1}(x-\mu)")
    assert any("μ is a scalar as a Greek name; a vector: declare mu: vector(n)" in g for g in f.reading.guesses)
    g = matcalc.parse(r"\log\det(2\pi\Sigma)")
    assert any(n.op == "const" and n.attr == np.pi for n in walk(g.expr)) and "pi" not in g.variables
    assert "pi" in matcalc.parse("pi x where pi: scalar").variables
