"""The public corpus of gradient identities (issue 3), as data.

Each entry: ``Identity(id, formula, where, wrt, expected, citation)``. ``formula`` is a
scalar formula in the matcalc language (LANGUAGE.md), ``where`` its declarations (or None:
names are typed by convention), ``wrt`` the variable, ``expected`` the closed form the
source gives, written in our language with the same names (or None where the source has
no short closed form), and ``citation`` where the identity comes from.

Conventions: gradients are in the Frobenius convention (df = <∇_X f, dX>, the shape of X),
i.e. the Matrix Cookbook's ∂f/∂X and Wikipedia's denominator layout. For symmetric / spd
variables the expected form is the unconstrained gradient (what torch.autograd reports);
where the textbook writes a symmetric-case simplification (2 A x for xᵀAx) the variable
that is symmetric is declared so. ``MC`` = Petersen & Pedersen, The Matrix Cookbook
(version of November 15, 2012); ``WP`` = Wikipedia, "Matrix calculus", identity tables.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple


class Identity(NamedTuple):
    """One corpus entry."""

    id: str
    formula: str
    where: str | None
    wrt: str
    expected: str | None
    citation: str


class Reference(NamedTuple):
    """An entry's hand-written torch twin: ``value`` computes the formula from its inputs (named as
    in the formula, ``lambda`` as ``lambda_``; vectors n×1 columns, scalars 0-d tensors),
    ``closed`` the source's closed form (None when the entry has none)."""

    value: Callable[..., Any]
    closed: Callable[..., Any] | None = None


MC = "Matrix Cookbook (2012)"
WP = "Wikipedia, Matrix calculus"
TT1 = "trace-trick worked example 1 (issue 3)"
TT2 = "trace-trick worked example 2 (issue 3)"

SQUARE = "X: matrix(n, n)"

CORPUS: list[Identity] = [
    # ------------------------------------------------------------ Matrix Cookbook: determinants
    Identity("mc49_det", "det(X)", SQUARE, "X", "det(X) inv(X)^T",
             f"{MC} eq. 49: ∂det(X)/∂X = det(X) (X⁻¹)ᵀ"),
    Identity("mc51_det_AXB", "det(A X B)", "A, X, B: matrix(n, n)", "X", "det(A X B) inv(X)^T",
             f"{MC} eq. 51: ∂det(AXB)/∂X = det(AXB) (X⁻¹)ᵀ"),
    Identity("mc52_det_XtAX_square", "det(X^T A X)", "A, X: matrix(n, n)", "X", "2 det(X^T A X) inv(X)^T",
             f"{MC} eq. 52: ∂det(XᵀAX)/∂X = 2 det(XᵀAX) X⁻ᵀ (X square, invertible)"),
    Identity("mc53_det_XtAX_rect_sym", "det(X^T A X)", "X: matrix(5, 3); A: symmetric(5)", "X",
             "2 det(X^T A X) A X inv(X^T A X)",
             f"{MC} eq. 53: ∂det(XᵀAX)/∂X = 2 det(XᵀAX) A X (XᵀAX)⁻¹ (X not square, A symmetric)"),
    Identity("mc54_det_XtAX_rect", "det(X^T A X)", "X: matrix(5, 3); A: matrix(5, 5)", "X",
             "det(X^T A X) (A X inv(X^T A X) + A^T X inv(X^T A^T X))",
             f"{MC} eq. 54: ∂det(XᵀAX)/∂X = det(XᵀAX)(AX(XᵀAX)⁻¹ + AᵀX(XᵀAᵀX)⁻¹)"),
    Identity("mc55_logdet_XtX", "logdet(X^T X)", "X: matrix(5, 3)", "X", "2 X inv(X^T X)",
             f"{MC} eq. 55: ∂ln det(XᵀX)/∂X = 2 (X⁺)ᵀ = 2 X (XᵀX)⁻¹ (full column rank)"),
    Identity("mc57_logdet", "logdet(X)", SQUARE, "X", "inv(X)^T",
             f"{MC} eq. 57: ∂ln|det(X)|/∂X = (X⁻¹)ᵀ"),
    Identity("mc57_log_det", "log(det(X))", SQUARE, "X", "inv(X)^T",
             f"{MC} eq. 57 (det X > 0): ∂ln det(X)/∂X = (X⁻¹)ᵀ"),
    Identity("mc58_det_Xk", "det(X^3)", SQUARE, "X", "3 det(X^3) inv(X)^T",
             f"{MC} eq. 58: ∂det(Xᵏ)/∂X = k det(Xᵏ) X⁻ᵀ"),
    Identity("mc49_logdet_spd", "logdet(S)", "S: spd(n)", "S", "inv(S)",
             f"{MC} eq. 57 with S symmetric: (S⁻¹)ᵀ = S⁻¹ (unconstrained gradient)"),
    Identity("wp_logdet_scaled", "logdet(alpha X)", SQUARE + "; alpha: scalar positive", "X", "inv(X)^T",
             f"{WP}, scalar-by-matrix table: ∂ln|aX|/∂X = X⁻ᵀ"),
    Identity("mc49_det_scalar_factor", "det(alpha X)", SQUARE + "; alpha: scalar positive", "alpha",
             "det(alpha X) tr(inv(alpha X) X)",
             f"{MC} eq. 46: ∂det(Y)/∂x = det(Y) Tr(Y⁻¹ ∂Y/∂x) with Y = αX"),
    # ------------------------------------------------------------ inverses
    Identity("mc61_aT_Xinv_b", "a^T inv(X) b", SQUARE, "X", "-(inv(X)^T a b^T inv(X)^T)",
             f"{MC} eq. 61: ∂aᵀX⁻¹b/∂X = -X⁻ᵀ a bᵀ X⁻ᵀ"),
    Identity("mc61_aT_Xinv_b_caret", "a^T X^-1 b", SQUARE, "X", "-(X^-1^T a b^T X^-1^T)",
             f"{MC} eq. 61, written with ^-1"),
    Identity("mc62_det_inv", "det(inv(X))", SQUARE, "X", "-(det(inv(X)) inv(X)^T)",
             f"{MC} eq. 62: ∂det(X⁻¹)/∂X = -det(X⁻¹) (X⁻¹)ᵀ"),
    Identity("mc63_tr_AXinvB", "tr(A inv(X) B)", "A: matrix(k, n); X: matrix(n, n); B: matrix(n, k)", "X",
             "-((inv(X) B A inv(X))^T)",
             f"{MC} eqs. 63 and 124: ∂Tr(AX⁻¹B)/∂X = -(X⁻¹BAX⁻¹)ᵀ"),
    Identity("mc64_tr_inv_sum", "tr(inv(X + A))", "X, A: matrix(n, n)", "X", "-((inv(X + A) inv(X + A))^T)",
             f"{MC} eq. 64: ∂Tr((X+A)⁻¹)/∂X = -((X+A)⁻¹(X+A)⁻¹)ᵀ"),
    Identity("inv_tr", "tr(inv(X))", SQUARE, "X", "-(inv(X)^T inv(X)^T)",
             f"{MC} eq. 64 with A = 0"),
    Identity("inv_sum_entries", "sum(inv(X))", SQUARE, "X", "-(inv(X)^T matrix(1) inv(X)^T)",
             f"{MC} eq. 59 (∂Y⁻¹ = -Y⁻¹ ∂Y Y⁻¹) with the trace trick"),
    Identity("inv_quadratic_x", "x^T inv(A) x", "A: matrix(n, n)", "x", "(inv(A) + inv(A)^T) x",
             f"{MC} eq. 81 with B = A⁻¹"),
    Identity("inv_quadratic_A", "x^T inv(A) x", "A: matrix(n, n)", "A", "-(inv(A)^T x x^T inv(A)^T)",
             f"{MC} eq. 61 with a = b = x"),
    Identity("inv_regularized_logdet", "logdet(X^T X + lambda I)", "X: matrix(5, 3); lambda: scalar positive", "X",
             "2 X inv(X^T X + lambda I)", f"{MC} eq. 57 with the chain rule (d(XᵀX) = dXᵀ X + Xᵀ dX)"),
    # ------------------------------------------------------------ first order (2.4.1)
    Identity("mc69_xTa", "x^T a", None, "x", "a", f"{MC} eq. 69: ∂xᵀa/∂x = a"),
    Identity("mc69_aTx", "a^T x", None, "x", "a", f"{MC} eq. 69: ∂aᵀx/∂x = a; {WP}: ∂(a·x)/∂x = a"),
    Identity("mc70_aTXb", "a^T X b", None, "X", "a b^T", f"{MC} eq. 70: ∂aᵀXb/∂X = a bᵀ"),
    Identity("mc70_aTXb_a", "a^T X b", None, "a", "X b", f"{MC} eq. 69 applied to aᵀ(Xb)"),
    Identity("mc71_aTXTb", "a^T X^T b", None, "X", "b a^T", f"{MC} eq. 71: ∂aᵀXᵀb/∂X = b aᵀ"),
    Identity("mc72_aTXa", "a^T X a", None, "X", "a a^T", f"{MC} eq. 72: ∂aᵀXa/∂X = a aᵀ"),
    Identity("mc72_aTXTa", "a^T X^T a", None, "X", "a a^T", f"{MC} eq. 72: ∂aᵀXᵀa/∂X = a aᵀ"),
    # ------------------------------------------------------------ second order (2.4.2)
    Identity("mc77_bTXTXc", "b^T X^T X c", None, "X", "X (b c^T + c b^T)",
             f"{MC} eq. 77: ∂bᵀXᵀXc/∂X = X(bcᵀ + cbᵀ)"),
    Identity("mc78_affine_quadratic", "(B x + b)^T C (D x + d)",
             "B: matrix(k, n); C: matrix(k, l); D: matrix(l, n); x: vector(n); b: vector(k); d: vector(l)", "x",
             "B^T C (D x + d) + D^T C^T (B x + b)",
             f"{MC} eq. 78: ∂(Bx+b)ᵀC(Dx+d)/∂x = BᵀC(Dx+d) + DᵀCᵀ(Bx+b)"),
    Identity("mc81_xTBx", "x^T B x", None, "x", "(B + B^T) x", f"{MC} eq. 81: ∂xᵀBx/∂x = (B + Bᵀ)x"),
    Identity("mc81_xTBx_B", "x^T B x", None, "B", "x x^T", f"{MC} eq. 72 with a = x"),
    Identity("mc82_bTXTDXc", "b^T X^T D X c", None, "X", "D^T X b c^T + D X c b^T",
             f"{MC} eq. 82: ∂bᵀXᵀDXc/∂X = DᵀXbcᵀ + DXcbᵀ"),
    Identity("mc83_affine_quadratic_X", "(X b + c)^T D (X b + c)", None, "X", "(D + D^T) (X b + c) b^T",
             f"{MC} eq. 83: ∂(Xb+c)ᵀD(Xb+c)/∂X = (D + Dᵀ)(Xb+c)bᵀ"),
    Identity("mc84_weighted_ls_s", "(x - A s)^T W (x - A s)", "W: symmetric(n)", "s", "-2 A^T W (x - A s)",
             f"{MC} eq. 84 (W symmetric): ∂(x-As)ᵀW(x-As)/∂s = -2AᵀW(x-As)"),
    Identity("mc85_weighted_dist_x", "(x - s)^T W (x - s)", "W: symmetric(n)", "x", "2 W (x - s)",
             f"{MC} eq. 85 (W symmetric): ∂(x-s)ᵀW(x-s)/∂x = 2W(x-s)"),
    Identity("mc86_weighted_dist_s", "(x - s)^T W (x - s)", "W: symmetric(n)", "s", "-2 W (x - s)",
             f"{MC} eq. 86 (W symmetric): ∂(x-s)ᵀW(x-s)/∂s = -2W(x-s)"),
    Identity("mc87_weighted_ls_x", "(x - A s)^T W (x - A s)", "W: symmetric(n)", "x", "2 W (x - A s)",
             f"{MC} eq. 87 (W symmetric): ∂(x-As)ᵀW(x-As)/∂x = 2W(x-As)"),
    Identity("mc88_weighted_ls_A", "(x - A s)^T W (x - A s)", "W: symmetric(n)", "A", "-2 W (x - A s) s^T",
             f"{MC} eq. 88 (W symmetric): ∂(x-As)ᵀW(x-As)/∂A = -2W(x-As)sᵀ"),
    Identity("mc88_weighted_ls_W", "(x - A s)^T W (x - A s)", "W: symmetric(n)", "W", "(x - A s) (x - A s)^T",
             f"{MC} eq. 72 with a = x - As (unconstrained gradient in the symmetric W)"),
    # ------------------------------------------------------------ higher order (2.4.3)
    Identity("mc91_aTX2b", "a^T X^2 b", None, "X", "a b^T X^T + X^T a b^T",
             f"{MC} eq. 91: ∂aᵀXⁿb/∂X = Σ_r (Xʳ)ᵀ a bᵀ (Xⁿ⁻¹⁻ʳ)ᵀ, n = 2"),
    Identity("mc91_aTX3b", "a^T X^3 b", None, "X", "a b^T (X^2)^T + X^T a b^T X^T + (X^2)^T a b^T",
             f"{MC} eq. 91, n = 3"),
    Identity("mc92_aTXnTXnb", "a^T (X^2)^T X^2 b", None, "X", None,
             f"{MC} eq. 92: ∂aᵀ(Xⁿ)ᵀXⁿb/∂X (sum of four terms for n = 2)"),
    Identity("mpow_quadratic_A", "x^T A^2 x", None, "A", "x x^T A^T + A^T x x^T",
             f"{MC} eq. 91 with a = b = x, n = 2"),
    # ------------------------------------------------------------ traces (2.5)
    Identity("mc99_tr", "tr(X)", None, "X", "I", f"{MC} eq. 99: ∂Tr(X)/∂X = I"),
    Identity("mc100_tr_XA", "tr(X A)", None, "X", "A^T", f"{MC} eq. 100: ∂Tr(XA)/∂X = Aᵀ"),
    Identity("mc101_tr_AXB", "tr(A X B)", None, "X", "A^T B^T", f"{MC} eq. 101: ∂Tr(AXB)/∂X = AᵀBᵀ"),
    Identity("mc102_tr_AXTB", "tr(A X^T B)", None, "X", "B A", f"{MC} eq. 102: ∂Tr(AXᵀB)/∂X = BA"),
    Identity("mc103_tr_XTA", "tr(X^T A)", None, "X", "A", f"{MC} eq. 103: ∂Tr(XᵀA)/∂X = A"),
    Identity("mc104_tr_AXT", "tr(A X^T)", None, "X", "A", f"{MC} eq. 104: ∂Tr(AXᵀ)/∂X = A"),
    Identity("mc106_tr_X2", "tr(X^2)", None, "X", "2 X^T", f"{MC} eq. 106: ∂Tr(X²)/∂X = 2Xᵀ"),
    Identity("mc107_tr_X2B", "tr(X^2 B)", None, "X", "(X B + B X)^T", f"{MC} eq. 107: ∂Tr(X²B)/∂X = (XB + BX)ᵀ"),
    Identity("mc108_tr_XTBX", "tr(X^T B X)", None, "X", "B X + B^T X", f"{MC} eq. 108: ∂Tr(XᵀBX)/∂X = BX + BᵀX"),
    Identity("mc109_tr_BXXT", "tr(B X X^T)", None, "X", "B X + B^T X", f"{MC} eq. 109: ∂Tr(BXXᵀ)/∂X = BX + BᵀX"),
    Identity("mc110_tr_XXTB", "tr(X X^T B)", None, "X", "B X + B^T X", f"{MC} eq. 110: ∂Tr(XXᵀB)/∂X = BX + BᵀX"),
    Identity("mc111_tr_XBXT", "tr(X B X^T)", None, "X", "X B^T + X B", f"{MC} eq. 111: ∂Tr(XBXᵀ)/∂X = XBᵀ + XB"),
    Identity("mc112_tr_BXTX", "tr(B X^T X)", None, "X", "X B^T + X B", f"{MC} eq. 112: ∂Tr(BXᵀX)/∂X = XBᵀ + XB"),
    Identity("mc113_tr_XTXB", "tr(X^T X B)", None, "X", "X B^T + X B", f"{MC} eq. 113: ∂Tr(XᵀXB)/∂X = XBᵀ + XB"),
    Identity("mc114_tr_AXBX", "tr(A X B X)", None, "X", "A^T X^T B^T + B^T X^T A^T",
             f"{MC} eq. 114: ∂Tr(AXBX)/∂X = AᵀXᵀBᵀ + BᵀXᵀAᵀ"),
    Identity("mc115_tr_XTX", "tr(X^T X)", None, "X", "2 X", f"{MC} eq. 115: ∂Tr(XᵀX)/∂X = 2X"),
    Identity("mc115_tr_XXT", "tr(X X^T)", None, "X", "2 X", f"{MC} eq. 115: ∂Tr(XXᵀ)/∂X = 2X"),
    Identity("mc116_tr_BTXTCXB", "tr(B^T X^T C X B)", None, "X", "C^T X B B^T + C X B B^T",
             f"{MC} eq. 116: ∂Tr(BᵀXᵀCXB)/∂X = CᵀXBBᵀ + CXBBᵀ"),
    Identity("mc117_tr_XTBXC", "tr(X^T B X C)", None, "X", "B X C + B^T X C^T",
             f"{MC} eq. 117: ∂Tr(XᵀBXC)/∂X = BXC + BᵀXCᵀ"),
    Identity("mc118_tr_AXBXTC", "tr(A X B X^T C)", None, "X", "A^T C^T X B^T + C A X B",
             f"{MC} eq. 118: ∂Tr(AXBXᵀC)/∂X = AᵀCᵀXBᵀ + CAXB"),
    Identity("mc119_tr_affine_gram", "tr((A X B + C) (A X B + C)^T)", None, "X", "2 A^T (A X B + C) B^T",
             f"{MC} eq. 119: ∂Tr[(AXB+C)(AXB+C)ᵀ]/∂X = 2Aᵀ(AXB+C)Bᵀ"),
    Identity("mc121_tr_X3", "tr(X^3)", None, "X", "3 (X^2)^T", f"{MC} eq. 121: ∂Tr(Xᵏ)/∂X = k(Xᵏ⁻¹)ᵀ, k = 3"),
    Identity("mc121_tr_X4", "tr(X^4)", None, "X", "4 (X^3)^T", f"{MC} eq. 121, k = 4"),
    Identity("mc122_tr_AX2", "tr(A X^2)", None, "X", "(A X)^T + (X A)^T",
             f"{MC} eq. 122: ∂Tr(AXᵏ)/∂X = Σ_r (XʳAXᵏ⁻ʳ⁻¹)ᵀ, k = 2"),
    Identity("mc122_tr_AX3", "tr(A X^3)", None, "X", "(A X^2)^T + (X A X)^T + (X^2 A)^T", f"{MC} eq. 122, k = 3"),
    Identity("mc123_tr_quartic", "tr(B^T X^T C X X^T C X B)", None, "X",
             "C X X^T C X B B^T + C^T X B B^T X^T C^T X + C X B B^T X^T C X + C^T X X^T C^T X B B^T",
             f"{MC} eq. 123: ∂Tr[BᵀXᵀCXXᵀCXB]/∂X"),
    Identity("mc125_tr_inv_gram_A", "tr(inv(X^T C X) A)", "X: matrix(5, 3); C: symmetric(5); A: matrix(3, 3)", "X",
             "-(C X inv(X^T C X) (A + A^T) inv(X^T C X))",
             f"{MC} eq. 125 (C symmetric): ∂Tr[(XᵀCX)⁻¹A]/∂X = -(CX(XᵀCX)⁻¹)(A + Aᵀ)(XᵀCX)⁻¹"),
    Identity("mc126_tr_gram_ratio", "tr(inv(X^T C X) (X^T B X))", "X: matrix(5, 3); B, C: symmetric(5)", "X",
             "-2 C X inv(X^T C X) X^T B X inv(X^T C X) + 2 B X inv(X^T C X)",
             f"{MC} eq. 126 (B, C symmetric): ∂Tr[(XᵀCX)⁻¹(XᵀBX)]/∂X"),
    # ------------------------------------------------------------ norms (2.6)
    Identity("mc_norm_dist", "||x - a||", None, "x", "(x - a) / ||x - a||",
             f"{MC} §2.6.1 eq. 129: ∂‖x - a‖₂/∂x = (x - a)/‖x - a‖₂; {WP}"),
    Identity("mc_norm_sq", "||x||^2", None, "x", "2 x", f"{MC} §2.6.1: ∂‖x‖₂²/∂x = 2x"),
    Identity("mc_norm_sq_xTx", "x^T x", None, "x", "2 x", f"{WP}, scalar-by-vector table: ∂xᵀx/∂x = 2x"),
    Identity("mc_frob_sq", "||X||_F^2", None, "X", "2 X", f"{MC} §2.6.2: ∂‖X‖_F²/∂X = 2X"),
    Identity("mc_frob", "||X||_F", None, "X", "X / ||X||", f"{MC} §2.6.2: ∂‖X‖_F/∂X = X/‖X‖_F"),
    Identity("norm_sqrt_form", "sqrt(x^T x)", None, "x", "x / sqrt(x^T x)", f"{WP}: ∂‖x‖/∂x = x/‖x‖"),
    Identity("norm1_vector", "norm1(x)", None, "x", "sign(x)", "subgradient of ‖x‖₁ (sign), LANGUAGE.md norm1"),
    Identity("norm1_affine", "norm1(A x - b)", None, "x", "A^T sign(A x - b)",
             "chain rule on ‖Ax - b‖₁ (LAD regression)"),
    Identity("norm_frob_affine", "||A X - B||", None, "X", "A^T (A X - B) / ||A X - B||",
             f"{MC} §2.6.2 with the chain rule"),
    # ------------------------------------------------------------ Wikipedia tables
    Identity("wp_xTAx_sym", "x^T A x", "A: symmetric(n)", "x", "2 A x",
             f"{WP}, scalar-by-vector table: ∂xᵀAx/∂x = 2Ax (A symmetric)"),
    Identity("wp_aTx_xTb", "a^T x x^T b", None, "x", "(a b^T + b a^T) x",
             f"{WP}, scalar-by-vector table: ∂(aᵀx)(xᵀb)/∂x = (abᵀ + baᵀ)x"),
    Identity("wp_aTXTXb", "a^T X^T X b", None, "X", "X (a b^T + b a^T)",
             f"{WP}, scalar-by-matrix table: ∂aᵀXᵀXb/∂X = X(abᵀ + baᵀ)"),
    Identity("wp_aTXTXa", "a^T X^T X a", None, "X", "2 X a a^T",
             f"{WP}, scalar-by-matrix table: ∂aᵀXᵀXa/∂X = 2Xaaᵀ"),
    Identity("wp_quad_Xa_b", "(X a + b)^T C (X a + b)", None, "X", "(C + C^T) (X a + b) a^T",
             f"{WP}, scalar-by-matrix table: ∂(Xa+b)ᵀC(Xa+b)/∂X = (C + Cᵀ)(Xa+b)aᵀ"),
    Identity("wp_tr_AXBXTC", "tr(A X B X^T C)", None, "C", "(A X B X^T)^T",
             f"{MC} eq. 100 applied to Tr(C (AXBXᵀ))"),
    Identity("wp_det_AXB_A", "det(A X B)", "A, X, B: matrix(n, n)", "A", "det(A X B) inv(A)^T",
             f"{WP}, scalar-by-matrix table: ∂|AXB|/∂X = |AXB| X⁻ᵀ, applied to A"),
    Identity("wp_mahalanobis_M", "(x - y)^T M (x - y)", None, "M", "(x - y) (x - y)^T",
             f"{WP}: ∂aᵀXa/∂X = aaᵀ; metric learning (Xing et al. 2002)"),
    # ------------------------------------------------------------ the two worked trace-trick examples
    Identity("tt1_aT_exp_Xb_X", "a^T exp(X b)", None, "X", "(exp(X b) .* a) b^T",
             f"{TT1}; LANGUAGE.md: ∇_X (aᵀ exp(X b)) = (exp(X b) ⊙ a) bᵀ"),
    Identity("tt1_aT_exp_Xb_b", "a^T exp(X b)", None, "b", "X^T (exp(X b) .* a)", f"{TT1}, wrt b"),
    Identity("tt1_aT_exp_Xb_a", "a^T exp(X b)", None, "a", "exp(X b)", f"{TT1}, wrt a"),
    Identity("tt1_unicode", "aᵀ exp(X b)", None, "X", "(exp(X b) ⊙ a) bᵀ", f"{TT1}, Unicode input"),
    Identity("tt2_sigmoid_quadratic_W", "Y = sigmoid(W X); <Y, M Y>", None, "W",
             "Y = sigmoid(W X); (Y .* (1 - Y) .* ((M + M^T) Y)) X^T", f"{TT2}: ∇_W"),
    Identity("tt2_sigmoid_quadratic_X", "Y = sigmoid(W X); <Y, M Y>", None, "X",
             "Y = sigmoid(W X); W^T (Y .* (1 - Y) .* ((M + M^T) Y))", f"{TT2}: ∇_X"),
    Identity("tt2_sigmoid_quadratic_X_prime", "Y = σ(W X); ⟨Y, M Y⟩", None, "X",
             "W^T (σ'(W X) .* ((M + M^T) σ(W X)))", f"{TT2}: ∇_X = Wᵀ(σ'(WX) ⊙ ((M + Mᵀ)Y)), Unicode input"),
    Identity("tt2_sigmoid_quadratic_M", "Y = sigmoid(W X); <Y, M Y>", None, "M", "Y = sigmoid(W X); Y Y^T",
             f"{TT2}: ∇_M = Y Yᵀ ({MC} eq. 100)"),
    # ------------------------------------------------------------ ML: least squares, ridge, regression
    Identity("ls_x", "||A x - b||^2", None, "x", "2 A^T (A x - b)",
             "least squares normal equations (Boyd & Vandenberghe §A.4)"),
    Identity("ls_A", "||A x - b||^2", None, "A", "2 (A x - b) x^T", "least squares, gradient in the design matrix"),
    Identity("ls_b", "||A x - b||^2", None, "b", "-2 (A x - b)", "least squares, gradient in the target"),
    Identity("ls_mc_compat", "norm2(A*x-b)^2", None, "x", "2 A'*(A*x-b)", "matrixcalculus.org syntax: least squares"),
    Identity("ls_quadratic_expanded", "x^T A^T A x - 2 b^T A x + b^T b", None, "x", "2 A^T A x - 2 A^T b",
             "least squares, expanded form (normal equations)"),
    Identity("ridge_x", "||A x - b||^2 + lambda ||x||^2", None, "x", "2 A^T (A x - b) + 2 lambda x",
             "ridge regression (Hoerl & Kennard 1970)"),
    Identity("ridge_lambda", "||A x - b||^2 + lambda ||x||^2", None, "lambda", "||x||^2",
             "ridge regression, gradient in the penalty weight"),
    Identity("ridge_matrix", "||X W - Y||^2 + lambda <W, W>", None, "W", "2 X^T (X W - Y) + 2 lambda W",
             "multi-output ridge regression"),
    Identity("tikhonov_general", "||A x - b||^2 + ||G x||^2", None, "x", "2 A^T (A x - b) + 2 G^T G x",
             "Tikhonov regularisation with a general operator G"),
    Identity("elastic_net", "||A x - b||^2 + lambda norm1(x) + mu ||x||^2", None, "x",
             "2 A^T (A x - b) + lambda sign(x) + 2 mu x", "elastic net (Zou & Hastie 2005), subgradient of ‖x‖₁"),
    Identity("linreg_matrix", "||X W - Y||^2", None, "W", "2 X^T (X W - Y)", "multivariate linear regression"),
    Identity("logistic_w", "sum(log(1 + exp(-y .* (X w))))", None, "w", "-(X^T (y .* sigmoid(-y .* (X w))))",
             "logistic regression, labels ±1 (Hastie, Tibshirani & Friedman, ESL §4.4)"),
    Identity("logistic_softplus_w", "sum(softplus(-y .* (X w)))", None, "w", "-(X^T (y .* sigmoid(-y .* (X w))))",
             "logistic regression, softplus form"),
    Identity("logistic_mc_compat", "sum(log(exp(-y.*(X*w)) + vector(1)))", None, "w",
             "-(X' * (y .* sigmoid(-y .* (X*w))))", "matrixcalculus.org example: logistic regression"),
    Identity("logistic_X", "sum(softplus(-y .* (X w)))", None, "X", "-((y .* sigmoid(-y .* (X w))) w^T)",
             "logistic regression, gradient in the inputs"),
    Identity("logistic_xent01", "-(y^T log(sigmoid(X w)) + (1 - y)^T log(1 - sigmoid(X w)))", None, "w",
             "X^T (sigmoid(X w) - y)", "logistic regression, labels 0/1: ∇ = Xᵀ(σ(Xw) - y) (Bishop PRML eq. 4.91)"),
    Identity("logistic_l2", "sum(softplus(-y .* (X w))) + lambda / 2 ||w||^2", None, "w",
             "-(X^T (y .* sigmoid(-y .* (X w)))) + lambda w", "L2-regularised logistic regression"),
    Identity("poisson_glm", "sum(exp(X w) - y .* (X w))", None, "w", "X^T (exp(X w) - y)",
             "Poisson regression NLL, canonical link (McCullagh & Nelder, GLM)"),
    Identity("hinge_svm", "sum(relu(1 - y .* (X w)))", None, "w", "-(X^T (y .* relu'(1 - y .* (X w))))",
             "hinge loss (linear SVM), subgradient"),
    Identity("rbf_kernel_x", "exp(-||x - c||^2 / sigma2)", "sigma2: scalar positive", "x",
             "-2 / sigma2 exp(-||x - c||^2 / sigma2) (x - c)", "Gaussian RBF kernel gradient"),
    # ------------------------------------------------------------ softmax cross-entropy
    Identity("softmax_xent_W", "-y^T log(softmax(W x))", None, "W", "(sum(y) softmax(W x) - y) x^T",
             "softmax cross-entropy: (softmax(Wx) - y)xᵀ when 1ᵀy = 1 (Goodfellow et al., Deep Learning §6.2.2.3)"),
    Identity("softmax_xent_x", "-y^T log(softmax(W x))", None, "x", "W^T (sum(y) softmax(W x) - y)",
             "softmax cross-entropy, gradient in the input"),
    Identity("softmax_xent_bias", "-y^T log(softmax(W x + b))", None, "b", "sum(y) softmax(W x + b) - y",
             "softmax cross-entropy, gradient in the bias"),
    Identity("softmax_xent_lse_W", "logsumexp(W x) - y^T W x", None, "W", "(softmax(W x) - y) x^T",
             "softmax cross-entropy, logsumexp form"),
    Identity("softmax_xent_batch_lse", "sum(logsumexp(W X)) - <Y, W X>", None, "W", "(softmax(W X) - Y) X^T",
             "batched softmax cross-entropy, logsumexp form (columns are samples)"),
    Identity("softmax_xent_batch_log", "-sum(Y .* log(softmax(W X)))", None, "W", None,
             "batched softmax cross-entropy, log-softmax form"),
    Identity("logsumexp_grad", "logsumexp(x)", None, "x", "softmax(x)",
             "∇ logsumexp = softmax (log-sum-exp, Boyd & Vandenberghe §3.1.5)"),
    Identity("logsumexp_cols", "sum(logsumexp(X))", None, "X", "softmax(X)", "column-wise logsumexp"),
    Identity("softmax_linear", "a^T softmax(x)", None, "x", "softmax(x) .* a - softmax(x) (softmax(x)^T a)",
             "softmax Jacobian diag(s) - s sᵀ"),
    Identity("attention_query", "a^T softmax(K q)", None, "q",
             "K^T (softmax(K q) .* a - softmax(K q) (softmax(K q)^T a))", "single-query attention weights"),
    # ------------------------------------------------------------ Gaussian NLL
    Identity("gauss_nll_m", "1/2 logdet(S) + 1/2 (x - m)^T inv(S) (x - m)", "S: spd(n)", "m", "-(inv(S) (x - m))",
             "Gaussian NLL, gradient in the mean (Bishop PRML §2.3.4)"),
    Identity("gauss_nll_x", "1/2 logdet(S) + 1/2 (x - m)^T inv(S) (x - m)", "S: spd(n)", "x", "inv(S) (x - m)",
             "Gaussian NLL, score in x"),
    Identity("gauss_nll_S", "1/2 logdet(S) + 1/2 (x - m)^T inv(S) (x - m)", "S: spd(n)", "S",
             "1/2 inv(S) - 1/2 inv(S) (x - m) (x - m)^T inv(S)",
             f"Gaussian NLL in the covariance ({MC} eqs. 57, 61; unconstrained gradient)"),
    Identity("gauss_nll_precision", "-1/2 logdet(P) + 1/2 (x - m)^T P (x - m)", "P: spd(n)", "P",
             "-1/2 inv(P) + 1/2 (x - m) (x - m)^T", "Gaussian NLL in the precision matrix"),
    Identity("gauss_mle_cov", "logdet(S) + tr(inv(S) C)", "S, C: spd(n)", "S", "inv(S) - inv(S) C inv(S)",
             "Gaussian MLE of the covariance: N/2 [log det S + tr(S⁻¹C)] (Bishop PRML §2.3.4)"),
    Identity("gp_marginal_likelihood", "1/2 y^T inv(K) y + 1/2 logdet(K)", "K: spd(n)", "K",
             "1/2 inv(K) - 1/2 inv(K) y y^T inv(K)",
             "GP marginal likelihood (Rasmussen & Williams 2006, eq. 5.9: ½tr((ααᵀ - K⁻¹)∂K))"),
    # ------------------------------------------------------------ MLPs
    Identity("mlp1_tanh_W", "h = tanh(W x + b); ||h - y||^2", None, "W",
             "h = tanh(W x + b); (2 (h - y) .* (1 - h.^2)) x^T", "one-layer tanh network, squared loss (backprop)"),
    Identity("mlp1_tanh_b", "h = tanh(W x + b); ||h - y||^2", None, "b",
             "h = tanh(W x + b); 2 (h - y) .* (1 - h.^2)", "one-layer tanh network, bias"),
    Identity("mlp1_sigmoid_W", "v^T sigmoid(W x + b)", None, "W",
             "(v .* sigmoid(W x + b) .* (1 - sigmoid(W x + b))) x^T", "one-layer sigmoid network"),
    Identity("mlp1_relu_W", "v^T relu(W x + b)", None, "W", "(v .* relu'(W x + b)) x^T",
             "one-layer ReLU network (subgradient relu'(0) = 0)"),
    Identity("mlp1_softplus_W", "v^T softplus(W x)", None, "W", "(v .* sigmoid(W x)) x^T",
             "one-layer softplus network"),
    Identity("mlp2_tanh_W1", "h = tanh(W1 x + b1); ||W2 h + b2 - y||^2", None, "W1",
             "h = tanh(W1 x + b1); ((2 W2^T (W2 h + b2 - y)) .* (1 - h.^2)) x^T", "two-layer tanh MLP, backprop to W1"),
    Identity("mlp2_tanh_b1", "h = tanh(W1 x + b1); ||W2 h + b2 - y||^2", None, "b1",
             "h = tanh(W1 x + b1); (2 W2^T (W2 h + b2 - y)) .* (1 - h.^2)", "two-layer tanh MLP, b1"),
    Identity("mlp2_tanh_W2", "h = tanh(W1 x + b1); ||W2 h + b2 - y||^2", None, "W2",
             "h = tanh(W1 x + b1); 2 (W2 h + b2 - y) h^T", "two-layer tanh MLP, W2"),
    Identity("mlp2_tanh_b2", "h = tanh(W1 x + b1); ||W2 h + b2 - y||^2", None, "b2",
             "h = tanh(W1 x + b1); 2 (W2 h + b2 - y)", "two-layer tanh MLP, b2"),
    Identity("mlp2_sigmoid_xent_W2", "h = sigmoid(W1 x); logsumexp(W2 h) - y^T W2 h", None, "W2",
             "h = sigmoid(W1 x); (softmax(W2 h) - y) h^T", "two-layer sigmoid MLP with softmax cross-entropy"),
    Identity("mlp2_sigmoid_xent_W1", "h = sigmoid(W1 x); logsumexp(W2 h) - y^T W2 h", None, "W1",
             "h = sigmoid(W1 x); ((W2^T (softmax(W2 h) - y)) .* h .* (1 - h)) x^T",
             "two-layer sigmoid MLP with softmax cross-entropy, W1"),
    Identity("mlp2_relu_batch_W1", "H = relu(W1 X); ||W2 H - Y||^2", None, "W1",
             "H = relu(W1 X); ((2 W2^T (W2 H - Y)) .* relu'(W1 X)) X^T", "two-layer ReLU network on a batch"),
    Identity("mlp2_relu_batch_W2", "H = relu(W1 X); ||W2 H - Y||^2", None, "W2",
             "H = relu(W1 X); 2 (W2 H - Y) H^T", "two-layer ReLU network on a batch, W2"),
    Identity("mlp2_softplus_x", "v^T softplus(W2 tanh(W1 x))", None, "x",
             "W1^T ((W2^T (v .* sigmoid(W2 tanh(W1 x)))) .* (1 - tanh(W1 x).^2))",
             "two-layer tanh/softplus network, input gradient (saliency)"),
    # ------------------------------------------------------------ factorization, PCA, trace forms
    Identity("mf_U", "||X - U V^T||^2", None, "U", "-2 (X - U V^T) V", "matrix factorisation ‖X - UVᵀ‖_F²"),
    Identity("mf_V", "||X - U V^T||^2", None, "V", "-2 (X - U V^T)^T U", "matrix factorisation, V"),
    Identity("mf_reg_U", "||X - U V^T||^2 + lambda (||U||^2 + ||V||^2)", None, "U",
             "-2 (X - U V^T) V + 2 lambda U", "regularised matrix factorisation (Koren et al. 2009)"),
    Identity("mf_weighted_U", "||M .* (X - U V^T)||^2", None, "U", "-2 (M .* M .* (X - U V^T)) V",
             "weighted low-rank approximation (Srebro & Jaakkola 2003)"),
    Identity("pca_trace", "tr(W^T A W)", None, "W", "(A + A^T) W", f"PCA objective tr(WᵀAW) ({MC} eq. 108)"),
    Identity("pca_trace_sym", "tr(W^T A W)", "A: symmetric(n)", "W", "2 A W",
             "PCA objective, A symmetric (covariance)"),
    Identity("pca_lagrangian", "tr(W^T A W) - tr(L (W^T W - I))", "A: symmetric(n)", "W", "2 A W - W (L + L^T)",
             "PCA Lagrangian with orthonormality constraint"),
    Identity("rayleigh_quotient", "x^T A x / (x^T x)", "A: symmetric(n)", "x",
             "2 / (x^T x) (A x - (x^T A x) / (x^T x) x)", "Rayleigh quotient gradient (Golub & Van Loan §8.2)"),
    Identity("lda_fisher_ratio", "(w^T A w) / (w^T B w)", "A, B: spd(n)", "w",
             "2 / (w^T B w) A w - 2 (w^T A w) / (w^T B w)^2 B w",
             "Fisher LDA criterion (generalised Rayleigh quotient)"),
    Identity("gram_frob", "||X^T X - A||^2", None, "X", "4 X (X^T X - (A + A^T) / 2)",
             f"{MC} eq. 119-style: ‖XᵀX - A‖_F², symmetric-part form"),
    # ------------------------------------------------------------ elementwise functions (every one in LANGUAGE.md)
    Identity("ew_exp", "sum(exp(x))", None, "x", "exp(x)", "d exp = exp"),
    Identity("ew_exp_matrix", "sum(exp(X))", None, "X", "exp(X)", "d exp = exp, matrix argument"),
    Identity("ew_log", "a^T log(x)", "x: vector(n) positive", "x", "a ./ x", "d log x = dx / x"),
    Identity("ew_neg_log_barrier", "-sum(log(x))", None, "x", "-(1 ./ x)", "log-barrier (Boyd & Vandenberghe §11.2)"),
    Identity("ew_sin", "a^T sin(x)", None, "x", "a .* cos(x)", "d sin = cos"),
    Identity("ew_cos", "a^T cos(x)", None, "x", "-(a .* sin(x))", "d cos = -sin"),
    Identity("ew_tan", "sum(tan(x))", None, "x", "1 + tan(x).^2", "d tan = 1 + tan²"),
    Identity("ew_arcsin", "sum(arcsin(x))", None, "x", "1 ./ sqrt(1 - x.^2)", "d arcsin = 1/√(1 - x²)"),
    Identity("ew_arccos", "sum(arccos(x))", None, "x", "-(1 ./ sqrt(1 - x.^2))", "d arccos = -1/√(1 - x²)"),
    Identity("ew_arctan", "sum(arctan(x))", None, "x", "1 ./ (1 + x.^2)", "d arctan = 1/(1 + x²)"),
    Identity("ew_tanh", "sum(tanh(X))", None, "X", "1 - tanh(X).^2", "d tanh = 1 - tanh²"),
    Identity("ew_sigmoid", "sum(sigmoid(x))", None, "x", "sigmoid(x) .* (1 - sigmoid(x))", "σ' = σ(1 - σ)"),
    Identity("ew_sigma_unicode", "sum(σ(x))", None, "x", "σ'(x)", "σ' = σ(1 - σ), Unicode name and f' notation"),
    Identity("ew_relu", "sum(relu(x))", None, "x", "relu'(x)", "relu' = 1[x > 0] (subgradient 0 at 0)"),
    Identity("ew_softplus", "sum(softplus(x))", None, "x", "sigmoid(x)", "softplus' = σ"),
    Identity("ew_sqrt", "sum(sqrt(x))", None, "x", "1 ./ (2 sqrt(x))", "d √x = 1/(2√x)"),
    Identity("ew_abs", "sum(abs(x))", None, "x", "sign(x)", "d|x| = sign(x) (subgradient 0 at 0)"),
    Identity("ew_sign", "sum(sign(x) .* x)", None, "x", "sign(x)", "sign is piecewise constant: d sign = 0 a.e."),
    Identity("ew_chain_exp_affine", "sum(exp(A x + b))", None, "x", "A^T exp(A x + b)", "elementwise chain rule"),
    Identity("ew_log1p_exp", "sum(log(1 + exp(X)))", None, "X", "sigmoid(X)", "d log(1 + eˣ) = σ(x)"),
    Identity("ew_sin_matrix_product", "<A, sin(X B)>", None, "X", "(A .* cos(X B)) B^T",
             "elementwise chain rule through a product (trace trick)"),
    # ------------------------------------------------------------ Hadamard, ./ and .^
    Identity("had_aT_xy", "a^T (x .* y)", None, "x", "a .* y", "<a, x ⊙ y> = <a ⊙ y, x>"),
    Identity("had_inner", "<A, X .* B>", None, "X", "A .* B", "<A, X ⊙ B> = <A ⊙ B, X>"),
    Identity("had_square", "sum(x .* x)", None, "x", "2 x", "d(x ⊙ x) = 2 x ⊙ dx"),
    Identity("had_odot_unicode", "sum(X ⊙ Y ⊙ X)", None, "X", "2 X ⊙ Y", "Unicode ⊙"),
    Identity("div_numerator", "sum(x ./ a)", None, "x", "1 ./ a", "<𝟙, x ⊘ a> = <𝟙 ⊘ a, x>"),
    Identity("div_denominator", "sum(a ./ x)", None, "x", "-(a ./ x.^2)", "quotient rule"),
    Identity("div_both", "a^T (x ./ y)", None, "y", "-((a .* x) ./ y.^2)", "quotient rule, denominator"),
    Identity("div_scalar", "sum(X) / alpha", "alpha: scalar positive", "alpha", "-(sum(X) / alpha^2)",
             "division by a scalar"),
    Identity("hpow_cube", "sum(x.^3)", None, "x", "3 x.^2", "d xᵖ = p xᵖ⁻¹ dx"),
    Identity("hpow_sqrt", "sum(x.^0.5)", None, "x", "0.5 x.^(-0.5)", "fractional elementwise power"),
    Identity("hpow_negative", "a^T x.^(-1)", None, "x", "-(a .* x.^(-2))", "negative elementwise power"),
    Identity("hpow_variable_exponent_x", "sum(x.^alpha)", None, "x", "alpha x.^(alpha - 1)",
             "power rule with a scalar exponent"),
    Identity("hpow_variable_exponent_alpha", "sum(x.^alpha)", None, "alpha", "sum(x.^alpha .* log(x))",
             "d(xᵃ)/da = xᵃ log x"),
    Identity("hpow_affine_square", "sum((A x).^2)", None, "x", "2 A^T (A x)", "‖Ax‖² as an elementwise power"),
    # ------------------------------------------------------------ matrix powers, diag, sum, <A, B>
    Identity("scalar_power", "(x^T x)^2", None, "x", "4 (x^T x) x", "scalar power of a quadratic form"),
    Identity("diag_extract", "a^T diag(X)", SQUARE, "X", "diag(a)", "<a, diag(X)> = <Diag(a), X>"),
    Identity("diag_build_quadratic_v", "x^T diag(v) x", None, "v", "x .* x", "xᵀ Diag(v) x = <v, x ⊙ x>"),
    Identity("diag_build_quadratic_x", "x^T diag(v) x", None, "x", "2 diag(v) x", "xᵀ Diag(v) x, gradient in x"),
    Identity("diag_trace_build", "tr(A diag(x))", None, "x", "diag(A)", "tr(A Diag(x)) = <diag(A), x>"),
    Identity("diag_norm", "||diag(X)||^2", SQUARE, "X", "2 diag(diag(X))", "‖diag(X)‖² keeps the diagonal"),
    Identity("sum_all", "sum(X)", None, "X", "matrix(1)", "∂ sum(X)/∂X = 𝟙𝟙ᵀ"),
    Identity("sum_product", "sum(A X)", None, "X", "A^T matrix(1)", "sum(AX) = 𝟙ᵀAX𝟙 (eq. 70 with a = b = 𝟙)"),
    Identity("sum_vector", "sum(x)", None, "x", "1_n", "∂ 𝟙ᵀx/∂x = 𝟙"),
    Identity("ones_quadratic", "1_n^T X 1_n", None, "X", "1_n 1_n^T", f"{MC} eq. 70 with a = b = 𝟙"),
    Identity("inner_linear", "<A, X>", None, "X", "A", "∂<A, X>/∂X = A"),
    Identity("inner_self", "<X, X>", None, "X", "2 X", "∂<X, X>/∂X = 2X"),
    Identity("inner_product", "<A X, B>", None, "X", "A^T B", "<AX, B> = <X, AᵀB>"),
    Identity("inner_unicode_quadratic", "⟨X, A X⟩", None, "X", "(A + A^T) X", f"{MC} eq. 108, Unicode ⟨ ⟩"),
    # ------------------------------------------------------------ definitions, scalars, symmetric/spd
    Identity("def_gram_trace", "Y = X^T X; tr(Y Y)", None, "X", "4 X X^T X", "definitions: tr((XᵀX)²)"),
    Identity("def_linear_exp", "z = W x; sum(exp(z))", None, "W", "z = W x; exp(z) x^T", "definitions: sum(exp(Wx))"),
    Identity("def_chain", "u = A x; v = tanh(u); v^T v", None, "x", "2 A^T (tanh(A x) .* (1 - tanh(A x).^2))",
             "definitions used in a chain"),
    Identity("scalar_scale_alpha", "alpha x^T x", None, "alpha", "x^T x", "gradient in a scalar factor"),
    Identity("scalar_square", "alpha^2", None, "alpha", "2 alpha", "scalar power"),
    Identity("scalar_exp_factor", "exp(alpha) sum(x)", None, "alpha", "exp(alpha) sum(x)",
             "scalar elementwise function"),
    Identity("scalar_in_matrix", "tr(alpha X)", SQUARE, "alpha", "tr(X)", "tr(αX) = α tr(X)"),
    Identity("sym_quadratic", "x^T S x", "S: symmetric(n)", "x", "2 S x", f"{MC} eq. 81 with B symmetric"),
    Identity("sym_tr_SA", "tr(S A)", "S: symmetric(n)", "S", "A^T",
             f"{MC} eq. 100, unconstrained gradient for symmetric S"),
    Identity("sym_tr_S2", "tr(S^2)", "S: symmetric(n)", "S", "2 S", f"{MC} eq. 106 with S = Sᵀ"),
    Identity("spd_quadratic_inv", "x^T inv(S) x", "S: spd(n)", "S", "-(inv(S) x x^T inv(S))",
             f"{MC} eq. 61 with S = Sᵀ"),
    Identity("spd_det", "det(S)", "S: spd(n)", "S", "det(S) inv(S)", f"{MC} eq. 49 with S = Sᵀ"),
    Identity("spd_quadratic_x", "x^T S x", "S: spd(n)", "x", "2 S x", "spd quadratic form"),
    # ------------------------------------------------------------ matrixcalculus.org compatibility
    Identity("mc_org_quadratic", "x'*A*x", None, "x", "(A + A')*x", "matrixcalculus.org default example"),
    Identity("mc_org_eye", "x'*(A + eye)*x", None, "x", "(A + A^T + 2 I) x", "matrixcalculus.org: eye"),
    # ------------------------------------------------------------ further identities (chain rule, scalars, edge cases)
    Identity("x_exp_trace", "exp(tr(X))", None, "X", "exp(tr(X)) I", f"{MC} eq. 99 with the scalar chain rule"),
    Identity("x_trace_squared", "tr(X)^2", None, "X", "2 tr(X) I", f"{MC} eq. 99 with the scalar chain rule"),
    Identity("x_det_squared", "det(X)^2", SQUARE, "X", "2 det(X)^2 inv(X)^T", f"{MC} eq. 49 with the chain rule"),
    Identity("x_cubic_linear", "(a^T x)^3", None, "x", "3 (a^T x)^2 a", "scalar chain rule"),
    Identity("x_log_sum_exp_manual", "log(sum(exp(x)))", None, "x", "exp(x) / sum(exp(x))",
             "logsumexp written out: ∇ = softmax"),
    Identity("x_trace_over_det", "tr(X) / det(X)", SQUARE, "X", "I / det(X) - tr(X) / det(X) inv(X)^T",
             f"quotient rule with {MC} eqs. 49 and 99"),
    Identity("x_quartic_norm", "x^T x x^T x", None, "x", "4 (x^T x) x", "‖x‖⁴"),
    Identity("x_frob_sqrt_inner", "<X, X>^0.5", None, "X", "X / <X, X>^0.5", f"{MC} §2.6.2, ‖X‖_F = <X, X>^½"),
    Identity("x_abs_matrix", "sum(abs(X))", None, "X", "sign(X)", "subgradient of Σ|Xᵢⱼ|"),
    Identity("x_norm1_matrix", "norm1(X)", None, "X", "sign(X)", "entrywise 1-norm of a matrix (LANGUAGE.md norm1)"),
    Identity("x_softmax_columns_weighted", "sum(softmax(X) .* A)", None, "X",
             "softmax(X) .* (A - matrix(1) (softmax(X) .* A))", "column-wise softmax Jacobian"),
    Identity("x_softmax_columns_sum", "sum(softmax(X))", None, "X", "matrix(0)",
             "columns of softmax sum to 1: the gradient vanishes"),
    Identity("x_logsumexp_columns_product", "sum(logsumexp(W X))", None, "X", "W^T softmax(W X)",
             "column-wise logsumexp through a product"),
    Identity("x_tr_inv_squared", "tr(inv(X)^2)", None, "X", "-2 (inv(X)^3)^T", f"{MC} eqs. 59 and 121"),
    Identity("x_logdet_square", "logdet(X^2)", None, "X", "2 inv(X)^T", f"{MC} eq. 57: log|det X²| = 2 log|det X|"),
    Identity("x_logdet_rank_one", "logdet(S + x x^T)", "S: spd(n)", "x", "2 inv(S + x x^T) x",
             f"{MC} eq. 57 with a rank-one update"),
    Identity("x_logdet_I_AX", "logdet(I + A X)", "A, X: matrix(n, n)", "X", "A^T inv(I + A X)^T",
             f"{MC} eq. 57 with the chain rule"),
    Identity("x_sigmoid_scalar", "sigmoid(a^T x)", None, "x", "sigmoid(a^T x) (1 - sigmoid(a^T x)) a",
             "logistic unit"),
    Identity("x_log_sigmoid_scalar", "log(sigmoid(a^T x))", None, "x", "(1 - sigmoid(a^T x)) a",
             "log-likelihood of one logistic observation"),
    Identity("x_scalar_only", "tanh(alpha) + alpha^3", None, "alpha", "1 - tanh(alpha)^2 + 3 alpha^2",
             "scalar calculus"),
    Identity("x_diag_cubic", "x^T diag(x) x", None, "x", "3 x.^2", "xᵀ Diag(x) x = Σ xᵢ³"),
    Identity("x_diag_sandwich", "tr(diag(x) A diag(x))", None, "x", "2 diag(A) .* x", "tr(D A D) = Σ Aᵢᵢ xᵢ²"),
    Identity("x_norm_cubed", "||x||^3", None, "x", "3 ||x|| x", "∇‖x‖ᵏ = k‖x‖ᵏ⁻² x"),
    Identity("x_frob_fourth", "||X||^4", None, "X", "4 ||X||^2 X", "∇‖X‖_F⁴ = 4‖X‖_F² X"),
    Identity("x_inverse_norm", "1 / ||x||", None, "x", "-(x / ||x||^3)", "∇‖x‖⁻¹ = -x/‖x‖³"),
    Identity("x_quadratic_model", "x^T A x / 2 + b^T x + c0", "c0: scalar", "x", "(A + A^T) x / 2 + b",
             "quadratic model (Nocedal & Wright §2.2)"),
    Identity("x_inverse_quadratic", "(x^T A x)^-1", "A: spd(n)", "x", "-2 / (x^T A x)^2 A x", "scalar inverse"),
    Identity("x_rational_elementwise", "sum(x.^2 ./ (1 + x.^2))", None, "x", "2 x ./ (1 + x.^2).^2",
             "elementwise quotient rule"),
    Identity("x_scalar_reciprocal", "alpha^-1", "alpha: scalar positive", "alpha", "-(1 / alpha^2)", "d(1/α) = -dα/α²"),
    Identity("x_product_of_inners", "<A, X> <B, X>", None, "X", "<B, X> A + <A, X> B", "product rule"),
    Identity("x_frob_squared_squared", "tr(X^T X)^2", None, "X", "4 tr(X^T X) X", f"{MC} eq. 115 with the chain rule"),
    Identity("x_inverse_transpose", "a^T inv(X^T) b", None, "X", "-(inv(X)^T b a^T inv(X)^T)",
             f"{MC} eq. 61 with a and b swapped"),
    Identity("x_tr_Xinv_A", "tr(X^-1 A)", None, "X", "-((inv(X) A inv(X))^T)", f"{MC} eq. 63 with B = I"),
    Identity("x_det_transpose", "det(X^T)", SQUARE, "X", "det(X) inv(X)^T", f"{MC} eq. 49, det Xᵀ = det X"),
    Identity("x_logdet_inverse", "logdet(inv(X))", None, "X", "-inv(X)^T", f"{MC} eq. 57, log|det X⁻¹| = -log|det X|"),
    Identity("x_sym_sandwich", "tr(S X S)", "S: symmetric(n)", "S", "S X^T + X^T S",
             f"{MC} eq. 107 with B = X (unconstrained gradient)"),
    Identity("x_sym_square_quadratic", "x^T S^2 x", "S: symmetric(n)", "S", "x x^T S + S x x^T",
             f"{MC} eq. 91 with S = Sᵀ"),
    Identity("x_spd_logdet_minus_trace", "logdet(S) - tr(S)", "S: spd(n)", "S", "inv(S) - I",
             "Gaussian log-likelihood in the precision (up to constants)"),
    Identity("x_softplus_minus_identity", "sum(softplus(X) - X)", None, "X", "sigmoid(X) - 1",
             "softplus(x) - x = softplus(-x)"),
    Identity("x_log_sigmoid_matrix", "sum(log(sigmoid(X)))", None, "X", "1 - sigmoid(X)", "d log σ = (1 - σ)"),
    Identity("x_nested_tanh", "v^T tanh(W2 tanh(W1 x))", None, "W1",
             "((W2^T (v .* (1 - tanh(W2 tanh(W1 x)).^2))) .* (1 - tanh(W1 x).^2)) x^T", "two tanh layers, backprop"),
    Identity("x_three_layer_defs", "h1 = tanh(W1 x); h2 = tanh(W2 h1); v^T tanh(W3 h2)", None, "W1", None,
             "three-layer tanh network through definitions"),
    Identity("x_cos_sin", "sum(cos(X) .* sin(X))", None, "X", "cos(X).^2 - sin(X).^2", "d(cos·sin) = cos² - sin²"),
    Identity("x_hadamard_transpose", "sum(X .* X^T)", None, "X", "2 X^T", "Σ Xᵢⱼ Xⱼᵢ"),
    Identity("x_power4_bilinear", "a^T X^4 b", None, "X", None, f"{MC} eq. 91, n = 4"),
    Identity("x_exp_scaled", "sum(exp(alpha x))", None, "alpha", "x^T exp(alpha x)", "gradient in a scale parameter"),
    Identity("x_logsumexp_squared", "logsumexp(x)^2", None, "x", "2 logsumexp(x) softmax(x)", "scalar chain rule"),
    Identity("x_scalar_poly", "alpha x^T x + alpha^2 sum(x)", None, "alpha", "x^T x + 2 alpha sum(x)",
             "scalar appearing twice"),
    Identity("x_variance_param", "||x - y||^2 / (2 sigma2)", "sigma2: scalar positive", "sigma2",
             "-(||x - y||^2 / (2 sigma2^2))", "Gaussian NLL in the variance"),
    Identity("x_ones_quadratic_square", "1_n^T X^2 1_n", None, "X", "1_n 1_n^T X^T + X^T 1_n 1_n^T",
             f"{MC} eq. 91 with a = b = 𝟙"),
    Identity("x_ones_right", "a^T X 1_n", None, "X", "a 1_n^T", f"{MC} eq. 70 with b = 𝟙"),
    Identity("x_constant_vector", "vector(2)^T x", None, "x", "vector(2)", "matrixcalculus.org vector(c)"),
    Identity("x_constant_matrix", "sum(matrix(3) .* X)", None, "X", "matrix(3)", "matrixcalculus.org matrix(c)"),
    Identity("x_tr_XAXTB", "tr(X A X^T B)", None, "X", "B^T X A^T + B X A", f"{MC} eq. 118 with C = I"),
    Identity("x_product_of_linear", "(a^T x) (b^T x)", None, "x", "(b^T x) a + (a^T x) b", "product rule"),
    Identity("x_sigma_inner", "σ(x)^T σ(x)", None, "x", "2 σ(x) .* σ'(x)", "σ' notation in the expected form"),
    Identity("x_user_function", "g(t) = log(1 + t^2); sum(g(x))", None, "x", "2 x ./ (1 + x.^2)",
             "user-defined elementwise function (LANGUAGE.md definitions)"),
    Identity("x_relu_prime_constant", "sum(relu'(x) .* x)", None, "x", "relu'(x)", "relu' is piecewise constant"),
    Identity("x_cos_quadratic", "cos(x^T x)", None, "x", "-2 sin(x^T x) x", "scalar chain rule through cos"),
    Identity("x_cos_scaled_quadratic", "cos(alpha x^T x)", None, "x", "-2 alpha sin(alpha x^T x) x",
             "scalar chain rule, like terms collected"),
    Identity("x_shared_quadratic", "x^T x + lambda x^T x", None, "x", "2 (1 + lambda) x", "like terms collected"),
    Identity("x_broadcast_scalar_sum", "sum(y - y^T y)", None, "y", "1_n - 2 sum(1_n) y",
             "a scalar subtracted from every entry (LANGUAGE.md broadcasting)"),
    Identity("x_scalar_factor_chain", "(x + x)^T cos(y) sum(A)", None, "y", "-2 sum(A) (x .* sin(y))",
             "scalar factors around an elementwise chain rule"),
    Identity("x_broadcast_bilinear", "(y - 2)^T (x - y^T A x)", None, "y", "x - sum(y - 2) A x - (y^T A x) 1_n",
             "product rule with scalars broadcast over vectors"),
    Identity("x_scalar_fractional_power", "(1 + alpha^2)^1.5", None, "alpha", "3 alpha (1 + alpha^2)^0.5",
             "scalar power rule with a fractional exponent"),
    Identity("x_fractional_power_quadratic", "(1 + x^T x)^1.5", None, "x", "3 (1 + x^T x)^0.5 x",
             "fractional power of a quadratic form (pseudo-Huber-like)"),
    Identity("x_even_then_fractional_power", "(alpha^2)^1.5", None, "alpha", "3 alpha (alpha^2)^0.5",
             "(α²)^1.5 = |α|³: its derivative is 3 α |α|, not 3 α²"),
    Identity("x_even_then_fractional_power_vector", "sum((x.^2).^1.5)", None, "x", "3 x .* (x.^2).^0.5",
             "Σ |xᵢ|³ written with powers"),
    Identity("x_scalar_hadamard_power", "(1 + beta .* beta).^1.5", None, "beta", "3 beta (1 + beta^2)^0.5",
             "a scalar written with elementwise operators"),
    Identity("x_matrix_plus_scalar_factoring", "x^T A y + (a^T x) (x^T y)", None, "x", "A y + (a^T x) y + (x^T y) a",
             "M v + c v = (M + c I) v, not (M + c) v: a scalar added to a matrix fills every entry"),
    Identity("x_linear_softmax", "(A x)^T softmax(x)", None, "x",
             "A^T softmax(x) + softmax(x) .* (A x) - (softmax(x)^T A x) softmax(x)",
             "softmax Jacobian diag(s) - s sᵀ next to a linear term"),
    Identity("x_scalar_times_vector_inner", "a^T (x^T y x)", None, "x", "(x^T y) a + (a^T x) y",
             "product rule through a scalar times a vector"),
    Identity("x_diag_minus_scalar", "diag(y y^T)^T (0.5 y - y^T y)", None, "y", "1.5 y.^2 - 4 (y^T y) y",
             "Σ yᵢ²(yᵢ/2 - yᵀy); Diag(v) - c is not Diag(v - c)"),
    Identity("ridge_homogeneous", "||A x||^2 + lambda ||x||^2", None, "x", "2 A^T A x + 2 lambda x",
             "ridge penalty next to a quadratic form: 2(AᵀA + λI)x (Hoerl & Kennard 1970)"),
    Identity("quadratic_plus_scaled_norm", "x^T A x + alpha x^T x", None, "x", "(A + A^T) x + 2 alpha x",
             f"{MC} eq. 81 plus a multiple of ‖x‖²: (A + Aᵀ + 2αI)x"),
    Identity("trace_plus_weight_decay", "tr(W^T A W) + beta <W, W>", None, "W", "(A + A^T) W + 2 beta W",
             f"{MC} eq. 108 plus weight decay"),
    Identity("linear_plus_scaled_linear", "a^T A x + alpha a^T x", None, "x", "A^T a + alpha a",
             f"{MC} eq. 69 twice: (Aᵀ + αI) a, not (Aᵀ + α) a"),
    Identity("mc_org_trace", "tr(X'*A*X)", None, "X", "(A + A')*X", "matrixcalculus.org syntax, eq. 108"),
]


# ---------------------------------------------------------------- hand-written references
# Each formula and closed form is written again, by hand, as torch code (not derived from the
# formula text). tests/test_corpus.py differentiates ``value`` with torch.autograd.


class _LazyTorch:
    """torch, imported on first use: the corpus data loads without it (tests/test_codegen.py)."""

    def __getattr__(self, name: str) -> Any:
        import torch as module

        return getattr(module, name)


torch = _LazyTorch()


def det(A: Any) -> Any:
    return torch.linalg.det(A)


def inv(A: Any) -> Any:
    return torch.linalg.inv(A)


def logabsdet(A: Any) -> Any:
    """log |det A| (the language's logdet)."""
    return torch.linalg.slogdet(A).logabsdet


def tr(A: Any) -> Any:
    return torch.trace(A)


def eye(n: int) -> Any:
    return torch.eye(n, dtype=torch.float64)


def ones(n: int, m: int = 1) -> Any:
    return torch.ones(n, m, dtype=torch.float64)


def inner(A: Any, B: Any) -> Any:
    """<A, B> = Σ Aᵢⱼ Bᵢⱼ."""
    return (A * B).sum()


def sq(A: Any) -> Any:
    """‖A‖² (Frobenius)."""
    return (A * A).sum()


def norm(A: Any) -> Any:
    """‖A‖ (Frobenius; the 2-norm of a vector)."""
    return torch.sqrt((A * A).sum())


def sigmoid(A: Any) -> Any:
    return 1 / (1 + torch.exp(-A))


def softplus(A: Any) -> Any:
    return torch.log(1 + torch.exp(A))


def step(A: Any) -> Any:
    """relu'(A) = 1[A > 0]."""
    return (A > 0).to(torch.float64)


def softmax(A: Any) -> Any:
    """Column by column."""
    return torch.exp(A) / torch.exp(A).sum(dim=0, keepdim=True)


def logsumexp(A: Any) -> Any:
    """Column by column: a 1×m row."""
    return torch.log(torch.exp(A).sum(dim=0, keepdim=True))


def diagvec(A: Any) -> Any:
    """diag of a square matrix: its diagonal as a column."""
    return torch.diagonal(A).reshape(-1, 1)


def diagmat(v: Any) -> Any:
    """diag of a column: the diagonal matrix."""
    return torch.diag(v.reshape(-1))


R = Reference
REFERENCES: dict[str, Reference] = {
    # ------------------------------------------------------------ determinants
    "mc49_det": R(lambda X: det(X), lambda X: det(X) * inv(X).T),
    "mc51_det_AXB": R(lambda A, X, B: det(A @ X @ B), lambda A, X, B: det(A @ X @ B) * inv(X).T),
    "mc52_det_XtAX_square": R(lambda A, X: det(X.T @ A @ X), lambda A, X: 2 * det(X.T @ A @ X) * inv(X).T),
    "mc53_det_XtAX_rect_sym": R(lambda A, X: det(X.T @ A @ X),
                                lambda A, X: 2 * det(X.T @ A @ X) * A @ X @ inv(X.T @ A @ X)),
    "mc54_det_XtAX_rect": R(lambda A, X: det(X.T @ A @ X),
                            lambda A, X: det(X.T @ A @ X) * (A @ X @ inv(X.T @ A @ X) + A.T @ X @ inv(X.T @ A.T @ X))),
    "mc55_logdet_XtX": R(lambda X: logabsdet(X.T @ X), lambda X: 2 * X @ inv(X.T @ X)),
    "mc57_logdet": R(lambda X: logabsdet(X), lambda X: inv(X).T),
    "mc57_log_det": R(lambda X: torch.log(det(X)), lambda X: inv(X).T),
    "mc58_det_Xk": R(lambda X: det(X @ X @ X), lambda X: 3 * det(X @ X @ X) * inv(X).T),
    "mc49_logdet_spd": R(lambda S: logabsdet(S), lambda S: inv(S)),
    "wp_logdet_scaled": R(lambda X, alpha: logabsdet(alpha * X), lambda X: inv(X).T),
    "mc49_det_scalar_factor": R(lambda X, alpha: det(alpha * X),
                                lambda X, alpha: det(alpha * X) * tr(inv(alpha * X) @ X)),
    # ------------------------------------------------------------ inverses
    "mc61_aT_Xinv_b": R(lambda a, X, b: a.T @ inv(X) @ b, lambda a, X, b: -(inv(X).T @ a @ b.T @ inv(X).T)),
    "mc61_aT_Xinv_b_caret": R(lambda a, X, b: a.T @ inv(X) @ b, lambda a, X, b: -(inv(X).T @ a @ b.T @ inv(X).T)),
    "mc62_det_inv": R(lambda X: det(inv(X)), lambda X: -(det(inv(X)) * inv(X).T)),
    "mc63_tr_AXinvB": R(lambda A, X, B: tr(A @ inv(X) @ B), lambda A, X, B: -(inv(X) @ B @ A @ inv(X)).T),
    "mc64_tr_inv_sum": R(lambda X, A: tr(inv(X + A)), lambda X, A: -(inv(X + A) @ inv(X + A)).T),
    "inv_tr": R(lambda X: tr(inv(X)), lambda X: -(inv(X).T @ inv(X).T)),
    "inv_sum_entries": R(lambda X: inv(X).sum(), lambda X: -(inv(X).T @ torch.ones_like(X) @ inv(X).T)),
    "inv_quadratic_x": R(lambda x, A: x.T @ inv(A) @ x, lambda x, A: (inv(A) + inv(A).T) @ x),
    "inv_quadratic_A": R(lambda x, A: x.T @ inv(A) @ x, lambda x, A: -(inv(A).T @ x @ x.T @ inv(A).T)),
    "inv_regularized_logdet": R(lambda X, lambda_: logabsdet(X.T @ X + lambda_ * eye(X.shape[1])),
                                lambda X, lambda_: 2 * X @ inv(X.T @ X + lambda_ * eye(X.shape[1]))),
    # ------------------------------------------------------------ first order
    "mc69_xTa": R(lambda x, a: x.T @ a, lambda a: a),
    "mc69_aTx": R(lambda a, x: a.T @ x, lambda a: a),
    "mc70_aTXb": R(lambda a, X, b: a.T @ X @ b, lambda a, b: a @ b.T),
    "mc70_aTXb_a": R(lambda a, X, b: a.T @ X @ b, lambda X, b: X @ b),
    "mc71_aTXTb": R(lambda a, X, b: a.T @ X.T @ b, lambda a, b: b @ a.T),
    "mc72_aTXa": R(lambda a, X: a.T @ X @ a, lambda a: a @ a.T),
    "mc72_aTXTa": R(lambda a, X: a.T @ X.T @ a, lambda a: a @ a.T),
    # ------------------------------------------------------------ second order
    "mc77_bTXTXc": R(lambda b, X, c: b.T @ X.T @ X @ c, lambda b, X, c: X @ (b @ c.T + c @ b.T)),
    "mc78_affine_quadratic": R(lambda B, x, b, C, D, d: (B @ x + b).T @ C @ (D @ x + d),
                               lambda B, x, b, C, D, d: B.T @ C @ (D @ x + d) + D.T @ C.T @ (B @ x + b)),
    "mc81_xTBx": R(lambda x, B: x.T @ B @ x, lambda x, B: (B + B.T) @ x),
    "mc81_xTBx_B": R(lambda x, B: x.T @ B @ x, lambda x: x @ x.T),
    "mc82_bTXTDXc": R(lambda b, X, D, c: b.T @ X.T @ D @ X @ c,
                      lambda b, X, D, c: D.T @ X @ b @ c.T + D @ X @ c @ b.T),
    "mc83_affine_quadratic_X": R(lambda X, b, c, D: (X @ b + c).T @ D @ (X @ b + c),
                                 lambda X, b, c, D: (D + D.T) @ (X @ b + c) @ b.T),
    "mc84_weighted_ls_s": R(lambda x, A, s, W: (x - A @ s).T @ W @ (x - A @ s),
                            lambda x, A, s, W: -2 * A.T @ W @ (x - A @ s)),
    "mc85_weighted_dist_x": R(lambda x, s, W: (x - s).T @ W @ (x - s), lambda x, s, W: 2 * W @ (x - s)),
    "mc86_weighted_dist_s": R(lambda x, s, W: (x - s).T @ W @ (x - s), lambda x, s, W: -2 * W @ (x - s)),
    "mc87_weighted_ls_x": R(lambda x, A, s, W: (x - A @ s).T @ W @ (x - A @ s),
                            lambda x, A, s, W: 2 * W @ (x - A @ s)),
    "mc88_weighted_ls_A": R(lambda x, A, s, W: (x - A @ s).T @ W @ (x - A @ s),
                            lambda x, A, s, W: -2 * W @ (x - A @ s) @ s.T),
    "mc88_weighted_ls_W": R(lambda x, A, s, W: (x - A @ s).T @ W @ (x - A @ s),
                            lambda x, A, s: (x - A @ s) @ (x - A @ s).T),
    # ------------------------------------------------------------ higher order
    "mc91_aTX2b": R(lambda a, X, b: a.T @ X @ X @ b, lambda a, X, b: a @ b.T @ X.T + X.T @ a @ b.T),
    "mc91_aTX3b": R(lambda a, X, b: a.T @ X @ X @ X @ b,
                    lambda a, X, b: a @ b.T @ (X @ X).T + X.T @ a @ b.T @ X.T + (X @ X).T @ a @ b.T),
    "mc92_aTXnTXnb": R(lambda a, X, b: a.T @ (X @ X).T @ X @ X @ b),
    "mpow_quadratic_A": R(lambda x, A: x.T @ A @ A @ x, lambda x, A: x @ x.T @ A.T + A.T @ x @ x.T),
    # ------------------------------------------------------------ traces
    "mc99_tr": R(lambda X: tr(X), lambda X: eye(X.shape[0])),
    "mc100_tr_XA": R(lambda X, A: tr(X @ A), lambda A: A.T),
    "mc101_tr_AXB": R(lambda A, X, B: tr(A @ X @ B), lambda A, B: A.T @ B.T),
    "mc102_tr_AXTB": R(lambda A, X, B: tr(A @ X.T @ B), lambda A, B: B @ A),
    "mc103_tr_XTA": R(lambda X, A: tr(X.T @ A), lambda A: A),
    "mc104_tr_AXT": R(lambda A, X: tr(A @ X.T), lambda A: A),
    "mc106_tr_X2": R(lambda X: tr(X @ X), lambda X: 2 * X.T),
    "mc107_tr_X2B": R(lambda X, B: tr(X @ X @ B), lambda X, B: (X @ B + B @ X).T),
    "mc108_tr_XTBX": R(lambda X, B: tr(X.T @ B @ X), lambda X, B: B @ X + B.T @ X),
    "mc109_tr_BXXT": R(lambda B, X: tr(B @ X @ X.T), lambda B, X: B @ X + B.T @ X),
    "mc110_tr_XXTB": R(lambda X, B: tr(X @ X.T @ B), lambda X, B: B @ X + B.T @ X),
    "mc111_tr_XBXT": R(lambda X, B: tr(X @ B @ X.T), lambda X, B: X @ B.T + X @ B),
    "mc112_tr_BXTX": R(lambda B, X: tr(B @ X.T @ X), lambda B, X: X @ B.T + X @ B),
    "mc113_tr_XTXB": R(lambda X, B: tr(X.T @ X @ B), lambda X, B: X @ B.T + X @ B),
    "mc114_tr_AXBX": R(lambda A, X, B: tr(A @ X @ B @ X), lambda A, X, B: A.T @ X.T @ B.T + B.T @ X.T @ A.T),
    "mc115_tr_XTX": R(lambda X: tr(X.T @ X), lambda X: 2 * X),
    "mc115_tr_XXT": R(lambda X: tr(X @ X.T), lambda X: 2 * X),
    "mc116_tr_BTXTCXB": R(lambda B, X, C: tr(B.T @ X.T @ C @ X @ B),
                          lambda B, X, C: C.T @ X @ B @ B.T + C @ X @ B @ B.T),
    "mc117_tr_XTBXC": R(lambda X, B, C: tr(X.T @ B @ X @ C), lambda X, B, C: B @ X @ C + B.T @ X @ C.T),
    "mc118_tr_AXBXTC": R(lambda A, X, B, C: tr(A @ X @ B @ X.T @ C),
                         lambda A, X, B, C: A.T @ C.T @ X @ B.T + C @ A @ X @ B),
    "mc119_tr_affine_gram": R(lambda A, X, B, C: tr((A @ X @ B + C) @ (A @ X @ B + C).T),
                              lambda A, X, B, C: 2 * A.T @ (A @ X @ B + C) @ B.T),
    "mc121_tr_X3": R(lambda X: tr(X @ X @ X), lambda X: 3 * (X @ X).T),
    "mc121_tr_X4": R(lambda X: tr(X @ X @ X @ X), lambda X: 4 * (X @ X @ X).T),
    "mc122_tr_AX2": R(lambda A, X: tr(A @ X @ X), lambda A, X: (A @ X).T + (X @ A).T),
    "mc122_tr_AX3": R(lambda A, X: tr(A @ X @ X @ X),
                      lambda A, X: (A @ X @ X).T + (X @ A @ X).T + (X @ X @ A).T),
    "mc123_tr_quartic": R(lambda B, X, C: tr(B.T @ X.T @ C @ X @ X.T @ C @ X @ B),
                          lambda B, X, C: C @ X @ X.T @ C @ X @ B @ B.T + C.T @ X @ B @ B.T @ X.T @ C.T @ X
                          + C @ X @ B @ B.T @ X.T @ C @ X + C.T @ X @ X.T @ C.T @ X @ B @ B.T),
    "mc125_tr_inv_gram_A": R(lambda X, C, A: tr(inv(X.T @ C @ X) @ A),
                             lambda X, C, A: -(C @ X @ inv(X.T @ C @ X) @ (A + A.T) @ inv(X.T @ C @ X))),
    "mc126_tr_gram_ratio": R(lambda X, C, B: tr(inv(X.T @ C @ X) @ (X.T @ B @ X)),
                             lambda X, C, B: -2 * C @ X @ inv(X.T @ C @ X) @ X.T @ B @ X @ inv(X.T @ C @ X)
                             + 2 * B @ X @ inv(X.T @ C @ X)),
    # ------------------------------------------------------------ norms
    "mc_norm_dist": R(lambda x, a: norm(x - a), lambda x, a: (x - a) / norm(x - a)),
    "mc_norm_sq": R(lambda x: sq(x), lambda x: 2 * x),
    "mc_norm_sq_xTx": R(lambda x: x.T @ x, lambda x: 2 * x),
    "mc_frob_sq": R(lambda X: sq(X), lambda X: 2 * X),
    "mc_frob": R(lambda X: norm(X), lambda X: X / norm(X)),
    "norm_sqrt_form": R(lambda x: torch.sqrt(x.T @ x), lambda x: x / torch.sqrt(x.T @ x)),
    "norm1_vector": R(lambda x: x.abs().sum(), lambda x: torch.sign(x)),
    "norm1_affine": R(lambda A, x, b: (A @ x - b).abs().sum(), lambda A, x, b: A.T @ torch.sign(A @ x - b)),
    "norm_frob_affine": R(lambda A, X, B: norm(A @ X - B), lambda A, X, B: A.T @ (A @ X - B) / norm(A @ X - B)),
    # ------------------------------------------------------------ Wikipedia tables
    "wp_xTAx_sym": R(lambda x, A: x.T @ A @ x, lambda x, A: 2 * A @ x),
    "wp_aTx_xTb": R(lambda a, x, b: a.T @ x @ x.T @ b, lambda a, x, b: (a @ b.T + b @ a.T) @ x),
    "wp_aTXTXb": R(lambda a, X, b: a.T @ X.T @ X @ b, lambda a, X, b: X @ (a @ b.T + b @ a.T)),
    "wp_aTXTXa": R(lambda a, X: a.T @ X.T @ X @ a, lambda a, X: 2 * X @ a @ a.T),
    "wp_quad_Xa_b": R(lambda X, a, b, C: (X @ a + b).T @ C @ (X @ a + b),
                      lambda X, a, b, C: (C + C.T) @ (X @ a + b) @ a.T),
    "wp_tr_AXBXTC": R(lambda A, X, B, C: tr(A @ X @ B @ X.T @ C), lambda A, X, B: (A @ X @ B @ X.T).T),
    "wp_det_AXB_A": R(lambda A, X, B: det(A @ X @ B), lambda A, X, B: det(A @ X @ B) * inv(A).T),
    "wp_mahalanobis_M": R(lambda x, y, M: (x - y).T @ M @ (x - y), lambda x, y: (x - y) @ (x - y).T),
    # ------------------------------------------------------------ the two worked trace-trick examples
    "tt1_aT_exp_Xb_X": R(lambda a, X, b: a.T @ torch.exp(X @ b), lambda a, X, b: (torch.exp(X @ b) * a) @ b.T),
    "tt1_aT_exp_Xb_b": R(lambda a, X, b: a.T @ torch.exp(X @ b), lambda a, X, b: X.T @ (torch.exp(X @ b) * a)),
    "tt1_aT_exp_Xb_a": R(lambda a, X, b: a.T @ torch.exp(X @ b), lambda X, b: torch.exp(X @ b)),
    "tt1_unicode": R(lambda a, X, b: a.T @ torch.exp(X @ b), lambda a, X, b: (torch.exp(X @ b) * a) @ b.T),
    "tt2_sigmoid_quadratic_W": R(lambda W, X, M: inner(Y := sigmoid(W @ X), M @ Y),
                                 lambda W, X, M: (Y := sigmoid(W @ X)) * (1 - Y) * ((M + M.T) @ Y) @ X.T),
    "tt2_sigmoid_quadratic_X": R(lambda W, X, M: inner(Y := sigmoid(W @ X), M @ Y),
                                 lambda W, X, M: W.T @ ((Y := sigmoid(W @ X)) * (1 - Y) * ((M + M.T) @ Y))),
    "tt2_sigmoid_quadratic_X_prime": R(lambda W, X, M: inner(Y := sigmoid(W @ X), M @ Y),
                                       lambda W, X, M: W.T @ ((Y := sigmoid(W @ X)) * (1 - Y) * ((M + M.T) @ Y))),
    "tt2_sigmoid_quadratic_M": R(lambda W, X, M: inner(Y := sigmoid(W @ X), M @ Y),
                                 lambda W, X: (Y := sigmoid(W @ X)) @ Y.T),
    # ------------------------------------------------------------ least squares, ridge, regression
    "ls_x": R(lambda A, x, b: sq(A @ x - b), lambda A, x, b: 2 * A.T @ (A @ x - b)),
    "ls_A": R(lambda A, x, b: sq(A @ x - b), lambda A, x, b: 2 * (A @ x - b) @ x.T),
    "ls_b": R(lambda A, x, b: sq(A @ x - b), lambda A, x, b: -2 * (A @ x - b)),
    "ls_mc_compat": R(lambda A, x, b: sq(A @ x - b), lambda A, x, b: 2 * A.T @ (A @ x - b)),
    "ls_quadratic_expanded": R(lambda x, A, b: x.T @ A.T @ A @ x - 2 * b.T @ A @ x + b.T @ b,
                               lambda x, A, b: 2 * A.T @ A @ x - 2 * A.T @ b),
    "ridge_x": R(lambda A, x, b, lambda_: sq(A @ x - b) + lambda_ * sq(x),
                 lambda A, x, b, lambda_: 2 * A.T @ (A @ x - b) + 2 * lambda_ * x),
    "ridge_lambda": R(lambda A, x, b, lambda_: sq(A @ x - b) + lambda_ * sq(x), lambda x: sq(x)),
    "ridge_matrix": R(lambda X, W, Y, lambda_: sq(X @ W - Y) + lambda_ * inner(W, W),
                      lambda X, W, Y, lambda_: 2 * X.T @ (X @ W - Y) + 2 * lambda_ * W),
    "tikhonov_general": R(lambda A, x, b, G: sq(A @ x - b) + sq(G @ x),
                          lambda A, x, b, G: 2 * A.T @ (A @ x - b) + 2 * G.T @ G @ x),
    "elastic_net": R(lambda A, x, b, lambda_, mu: sq(A @ x - b) + lambda_ * x.abs().sum() + mu * sq(x),
                     lambda A, x, b, lambda_, mu: 2 * A.T @ (A @ x - b) + lambda_ * torch.sign(x) + 2 * mu * x),
    "linreg_matrix": R(lambda X, W, Y: sq(X @ W - Y), lambda X, W, Y: 2 * X.T @ (X @ W - Y)),
    "logistic_w": R(lambda y, X, w: torch.log(1 + torch.exp(-y * (X @ w))).sum(),
                    lambda y, X, w: -(X.T @ (y * sigmoid(-y * (X @ w))))),
    "logistic_softplus_w": R(lambda y, X, w: softplus(-y * (X @ w)).sum(),
                             lambda y, X, w: -(X.T @ (y * sigmoid(-y * (X @ w))))),
    "logistic_mc_compat": R(lambda y, X, w: torch.log(torch.exp(-y * (X @ w)) + 1).sum(),
                            lambda y, X, w: -(X.T @ (y * sigmoid(-y * (X @ w))))),
    "logistic_X": R(lambda y, X, w: softplus(-y * (X @ w)).sum(),
                    lambda y, X, w: -((y * sigmoid(-y * (X @ w))) @ w.T)),
    "logistic_xent01": R(lambda y, X, w: -(y.T @ torch.log(sigmoid(X @ w)) + (1 - y).T @ torch.log(1 - sigmoid(X @ w))),
                         lambda y, X, w: X.T @ (sigmoid(X @ w) - y)),
    "logistic_l2": R(lambda y, X, w, lambda_: softplus(-y * (X @ w)).sum() + lambda_ / 2 * sq(w),
                     lambda y, X, w, lambda_: -(X.T @ (y * sigmoid(-y * (X @ w)))) + lambda_ * w),
    "poisson_glm": R(lambda X, w, y: (torch.exp(X @ w) - y * (X @ w)).sum(),
                     lambda X, w, y: X.T @ (torch.exp(X @ w) - y)),
    "hinge_svm": R(lambda y, X, w: torch.clamp(1 - y * (X @ w), min=0).sum(),
                   lambda y, X, w: -(X.T @ (y * step(1 - y * (X @ w))))),
    "rbf_kernel_x": R(lambda x, c, sigma2: torch.exp(-sq(x - c) / sigma2),
                      lambda x, c, sigma2: -2 / sigma2 * torch.exp(-sq(x - c) / sigma2) * (x - c)),
    # ------------------------------------------------------------ softmax cross-entropy
    "softmax_xent_W": R(lambda y, W, x: -y.T @ torch.log(softmax(W @ x)),
                        lambda y, W, x: (y.sum() * softmax(W @ x) - y) @ x.T),
    "softmax_xent_x": R(lambda y, W, x: -y.T @ torch.log(softmax(W @ x)),
                        lambda y, W, x: W.T @ (y.sum() * softmax(W @ x) - y)),
    "softmax_xent_bias": R(lambda y, W, x, b: -y.T @ torch.log(softmax(W @ x + b)),
                           lambda y, W, x, b: y.sum() * softmax(W @ x + b) - y),
    "softmax_xent_lse_W": R(lambda W, x, y: logsumexp(W @ x) - y.T @ W @ x,
                            lambda W, x, y: (softmax(W @ x) - y) @ x.T),
    "softmax_xent_batch_lse": R(lambda W, X, Y: logsumexp(W @ X).sum() - inner(Y, W @ X),
                                lambda W, X, Y: (softmax(W @ X) - Y) @ X.T),
    "softmax_xent_batch_log": R(lambda Y, W, X: -(Y * torch.log(softmax(W @ X))).sum()),
    "logsumexp_grad": R(lambda x: logsumexp(x), lambda x: softmax(x)),
    "logsumexp_cols": R(lambda X: logsumexp(X).sum(), lambda X: softmax(X)),
    "softmax_linear": R(lambda a, x: a.T @ softmax(x),
                        lambda a, x: softmax(x) * a - softmax(x) @ (softmax(x).T @ a)),
    "attention_query": R(lambda a, K, q: a.T @ softmax(K @ q),
                         lambda a, K, q: K.T @ ((s := softmax(K @ q)) * a - s @ (s.T @ a))),
    # ------------------------------------------------------------ Gaussian NLL
    "gauss_nll_m": R(lambda S, x, m: logabsdet(S) / 2 + (x - m).T @ inv(S) @ (x - m) / 2,
                     lambda S, x, m: -(inv(S) @ (x - m))),
    "gauss_nll_x": R(lambda S, x, m: logabsdet(S) / 2 + (x - m).T @ inv(S) @ (x - m) / 2,
                     lambda S, x, m: inv(S) @ (x - m)),
    "gauss_nll_S": R(lambda S, x, m: logabsdet(S) / 2 + (x - m).T @ inv(S) @ (x - m) / 2,
                     lambda S, x, m: inv(S) / 2 - inv(S) @ (x - m) @ (x - m).T @ inv(S) / 2),
    "gauss_nll_precision": R(lambda P, x, m: -logabsdet(P) / 2 + (x - m).T @ P @ (x - m) / 2,
                             lambda P, x, m: -inv(P) / 2 + (x - m) @ (x - m).T / 2),
    "gauss_mle_cov": R(lambda S, C: logabsdet(S) + tr(inv(S) @ C), lambda S, C: inv(S) - inv(S) @ C @ inv(S)),
    "gp_marginal_likelihood": R(lambda y, K: y.T @ inv(K) @ y / 2 + logabsdet(K) / 2,
                                lambda y, K: inv(K) / 2 - inv(K) @ y @ y.T @ inv(K) / 2),
    # ------------------------------------------------------------ MLPs
    "mlp1_tanh_W": R(lambda W, x, b, y: sq(torch.tanh(W @ x + b) - y),
                     lambda W, x, b, y: (2 * ((h := torch.tanh(W @ x + b)) - y) * (1 - h ** 2)) @ x.T),
    "mlp1_tanh_b": R(lambda W, x, b, y: sq(torch.tanh(W @ x + b) - y),
                     lambda W, x, b, y: 2 * ((h := torch.tanh(W @ x + b)) - y) * (1 - h ** 2)),
    "mlp1_sigmoid_W": R(lambda v, W, x, b: v.T @ sigmoid(W @ x + b),
                        lambda v, W, x, b: (v * (s := sigmoid(W @ x + b)) * (1 - s)) @ x.T),
    "mlp1_relu_W": R(lambda v, W, x, b: v.T @ torch.clamp(W @ x + b, min=0),
                     lambda v, W, x, b: (v * step(W @ x + b)) @ x.T),
    "mlp1_softplus_W": R(lambda v, W, x: v.T @ softplus(W @ x), lambda v, W, x: (v * sigmoid(W @ x)) @ x.T),
    "mlp2_tanh_W1": R(lambda W1, x, b1, W2, b2, y: sq(W2 @ torch.tanh(W1 @ x + b1) + b2 - y),
                      lambda W1, x, b1, W2, b2, y:
                      ((2 * W2.T @ (W2 @ (h := torch.tanh(W1 @ x + b1)) + b2 - y)) * (1 - h ** 2)) @ x.T),
    "mlp2_tanh_b1": R(lambda W1, x, b1, W2, b2, y: sq(W2 @ torch.tanh(W1 @ x + b1) + b2 - y),
                      lambda W1, x, b1, W2, b2, y:
                      (2 * W2.T @ (W2 @ (h := torch.tanh(W1 @ x + b1)) + b2 - y)) * (1 - h ** 2)),
    "mlp2_tanh_W2": R(lambda W1, x, b1, W2, b2, y: sq(W2 @ torch.tanh(W1 @ x + b1) + b2 - y),
                      lambda W1, x, b1, W2, b2, y: 2 * (W2 @ (h := torch.tanh(W1 @ x + b1)) + b2 - y) @ h.T),
    "mlp2_tanh_b2": R(lambda W1, x, b1, W2, b2, y: sq(W2 @ torch.tanh(W1 @ x + b1) + b2 - y),
                      lambda W1, x, b1, W2, b2, y: 2 * (W2 @ torch.tanh(W1 @ x + b1) + b2 - y)),
    "mlp2_sigmoid_xent_W2": R(lambda W1, x, W2, y: logsumexp(W2 @ sigmoid(W1 @ x)) - y.T @ W2 @ sigmoid(W1 @ x),
                              lambda W1, x, W2, y: (softmax(W2 @ (h := sigmoid(W1 @ x))) - y) @ h.T),
    "mlp2_sigmoid_xent_W1": R(lambda W1, x, W2, y: logsumexp(W2 @ sigmoid(W1 @ x)) - y.T @ W2 @ sigmoid(W1 @ x),
                              lambda W1, x, W2, y:
                              ((W2.T @ (softmax(W2 @ (h := sigmoid(W1 @ x))) - y)) * h * (1 - h)) @ x.T),
    "mlp2_relu_batch_W1": R(lambda W1, X, W2, Y: sq(W2 @ torch.clamp(W1 @ X, min=0) - Y),
                            lambda W1, X, W2, Y:
                            ((2 * W2.T @ (W2 @ torch.clamp(W1 @ X, min=0) - Y)) * step(W1 @ X)) @ X.T),
    "mlp2_relu_batch_W2": R(lambda W1, X, W2, Y: sq(W2 @ torch.clamp(W1 @ X, min=0) - Y),
                            lambda W1, X, W2, Y: 2 * (W2 @ (H := torch.clamp(W1 @ X, min=0)) - Y) @ H.T),
    "mlp2_softplus_x": R(lambda v, W2, W1, x: v.T @ softplus(W2 @ torch.tanh(W1 @ x)),
                         lambda v, W2, W1, x:
                         W1.T @ ((W2.T @ (v * sigmoid(W2 @ torch.tanh(W1 @ x)))) * (1 - torch.tanh(W1 @ x) ** 2))),
    # ------------------------------------------------------------ factorization, PCA, trace forms
    "mf_U": R(lambda X, U, V: sq(X - U @ V.T), lambda X, U, V: -2 * (X - U @ V.T) @ V),
    "mf_V": R(lambda X, U, V: sq(X - U @ V.T), lambda X, U, V: -2 * (X - U @ V.T).T @ U),
    "mf_reg_U": R(lambda X, U, V, lambda_: sq(X - U @ V.T) + lambda_ * (sq(U) + sq(V)),
                  lambda X, U, V, lambda_: -2 * (X - U @ V.T) @ V + 2 * lambda_ * U),
    "mf_weighted_U": R(lambda M, X, U, V: sq(M * (X - U @ V.T)), lambda M, X, U, V: -2 * (M * M * (X - U @ V.T)) @ V),
    "pca_trace": R(lambda W, A: tr(W.T @ A @ W), lambda W, A: (A + A.T) @ W),
    "pca_trace_sym": R(lambda W, A: tr(W.T @ A @ W), lambda W, A: 2 * A @ W),
    "pca_lagrangian": R(lambda W, A, L: tr(W.T @ A @ W) - tr(L @ (W.T @ W - eye(W.shape[1]))),
                        lambda W, A, L: 2 * A @ W - W @ (L + L.T)),
    "rayleigh_quotient": R(lambda x, A: x.T @ A @ x / (x.T @ x),
                           lambda x, A: 2 / (x.T @ x) * (A @ x - (x.T @ A @ x) / (x.T @ x) * x)),
    "lda_fisher_ratio": R(lambda w, A, B: (w.T @ A @ w) / (w.T @ B @ w),
                          lambda w, A, B: 2 / (w.T @ B @ w) * A @ w - 2 * (w.T @ A @ w) / (w.T @ B @ w) ** 2 * B @ w),
    "gram_frob": R(lambda X, A: sq(X.T @ X - A), lambda X, A: 4 * X @ (X.T @ X - (A + A.T) / 2)),
    # ------------------------------------------------------------ elementwise functions
    "ew_exp": R(lambda x: torch.exp(x).sum(), lambda x: torch.exp(x)),
    "ew_exp_matrix": R(lambda X: torch.exp(X).sum(), lambda X: torch.exp(X)),
    "ew_log": R(lambda a, x: a.T @ torch.log(x), lambda a, x: a / x),
    "ew_neg_log_barrier": R(lambda x: -torch.log(x).sum(), lambda x: -(1 / x)),
    "ew_sin": R(lambda a, x: a.T @ torch.sin(x), lambda a, x: a * torch.cos(x)),
    "ew_cos": R(lambda a, x: a.T @ torch.cos(x), lambda a, x: -(a * torch.sin(x))),
    "ew_tan": R(lambda x: torch.tan(x).sum(), lambda x: 1 + torch.tan(x) ** 2),
    "ew_arcsin": R(lambda x: torch.arcsin(x).sum(), lambda x: 1 / torch.sqrt(1 - x ** 2)),
    "ew_arccos": R(lambda x: torch.arccos(x).sum(), lambda x: -(1 / torch.sqrt(1 - x ** 2))),
    "ew_arctan": R(lambda x: torch.arctan(x).sum(), lambda x: 1 / (1 + x ** 2)),
    "ew_tanh": R(lambda X: torch.tanh(X).sum(), lambda X: 1 - torch.tanh(X) ** 2),
    "ew_sigmoid": R(lambda x: sigmoid(x).sum(), lambda x: sigmoid(x) * (1 - sigmoid(x))),
    "ew_sigma_unicode": R(lambda x: sigmoid(x).sum(), lambda x: sigmoid(x) * (1 - sigmoid(x))),
    "ew_relu": R(lambda x: torch.clamp(x, min=0).sum(), lambda x: step(x)),
    "ew_softplus": R(lambda x: softplus(x).sum(), lambda x: sigmoid(x)),
    "ew_sqrt": R(lambda x: torch.sqrt(x).sum(), lambda x: 1 / (2 * torch.sqrt(x))),
    "ew_abs": R(lambda x: x.abs().sum(), lambda x: torch.sign(x)),
    "ew_sign": R(lambda x: (torch.sign(x) * x).sum(), lambda x: torch.sign(x)),
    "ew_chain_exp_affine": R(lambda A, x, b: torch.exp(A @ x + b).sum(), lambda A, x, b: A.T @ torch.exp(A @ x + b)),
    "ew_log1p_exp": R(lambda X: torch.log(1 + torch.exp(X)).sum(), lambda X: sigmoid(X)),
    "ew_sin_matrix_product": R(lambda A, X, B: inner(A, torch.sin(X @ B)), lambda A, X, B: (A * torch.cos(X @ B)) @ B.T),
    # ------------------------------------------------------------ Hadamard, ./ and .^
    "had_aT_xy": R(lambda a, x, y: a.T @ (x * y), lambda a, y: a * y),
    "had_inner": R(lambda A, X, B: inner(A, X * B), lambda A, B: A * B),
    "had_square": R(lambda x: (x * x).sum(), lambda x: 2 * x),
    "had_odot_unicode": R(lambda X, Y: (X * Y * X).sum(), lambda X, Y: 2 * X * Y),
    "div_numerator": R(lambda x, a: (x / a).sum(), lambda a: 1 / a),
    "div_denominator": R(lambda a, x: (a / x).sum(), lambda a, x: -(a / x ** 2)),
    "div_both": R(lambda a, x, y: a.T @ (x / y), lambda a, x, y: -((a * x) / y ** 2)),
    "div_scalar": R(lambda X, alpha: X.sum() / alpha, lambda X, alpha: -(X.sum() / alpha ** 2)),
    "hpow_cube": R(lambda x: (x ** 3).sum(), lambda x: 3 * x ** 2),
    "hpow_sqrt": R(lambda x: (x ** 0.5).sum(), lambda x: 0.5 * x ** -0.5),
    "hpow_negative": R(lambda a, x: a.T @ x ** -1, lambda a, x: -(a * x ** -2)),
    "hpow_variable_exponent_x": R(lambda x, alpha: (x ** alpha).sum(), lambda x, alpha: alpha * x ** (alpha - 1)),
    "hpow_variable_exponent_alpha": R(lambda x, alpha: (x ** alpha).sum(),
                                      lambda x, alpha: (x ** alpha * torch.log(x)).sum()),
    "hpow_affine_square": R(lambda A, x: ((A @ x) ** 2).sum(), lambda A, x: 2 * A.T @ (A @ x)),
}
