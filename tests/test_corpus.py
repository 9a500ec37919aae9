"""The public corpus (tests/corpus.py, every entry of ENTRIES) checked against references that are not matcalc.

Every entry carries a hand-written torch function of its inputs computing the formula's
value, and (where the source gives a closed form) one computing that closed form
(``corpus.REFERENCES``). The reference gradient is torch.autograd (float64) of the
hand-written value, so a misparse or a wrong lowering in matcalc cannot agree with itself.
For every entry:
- matcalc's value of the formula equals the hand-written value (catches misparses);
- the hand-written closed form equals the autograd reference (the corpus itself is right);
- the engine's gradient (``matcalc.grad``) and matcalc's reading of the cited form agree
  with the autograd reference at two random size draws;
- the NumPy code matcalc generates computes the same value and gradient;
- the engine's printed result parses back (text, Unicode and LaTeX) to the same values;
- issue 3's readability target: for Matrix Cookbook entries the result is no longer than
  the book's form (one test listing every entry that misses it).
"""

from __future__ import annotations

import inspect
import keyword
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pytest
from corpus import CORPUS, ENTRIES, KNOWN_WRONG, REFERENCES, Identity, Reference

import matcalc
from matcalc.checking.sample import sample_inputs, sizes_of
from matcalc.checking.verify import evaluate_closed_form, relative_error

torch = pytest.importorskip("torch")
torch.set_num_threads(1)

TOL = 1e-6
DRAWS = (11, 12)  # two random size/value draws per entry
IDS = [e.id for e in ENTRIES]
WITH_EXPECTED = [e for e in ENTRIES if e.expected is not None]

_GRADS: dict[str, Any] = {}
_FORMULAS: dict[str, matcalc.Formula] = {}
_AUTOGRAD: dict[tuple[str, int], Any] = {}
_GENERATED: dict[str, Any] = {}
_EXTRA: dict[str, Reference] = {}  # references of the vjp cases below


def formula_of(e: Identity) -> matcalc.Formula:
    """The parsed formula of an entry (cached)."""
    if e.id not in _FORMULAS:
        _FORMULAS[e.id] = matcalc.parse(e.formula, where=e.where)
    return _FORMULAS[e.id]


def engine_gradient(e: Identity) -> matcalc.Formula:
    """The engine's gradient for an entry (cached)."""
    if e.id not in _GRADS:
        _GRADS[e.id] = matcalc.grad(formula_of(e), e.wrt)
    return _GRADS[e.id]


def py(name: str) -> str:
    """The parameter name of a variable in a hand-written reference (`lambda` -> `lambda_`)."""
    return name + "_" if keyword.iskeyword(name) else name


def draw(e: Identity, seed: int) -> dict[str, Any]:
    """Random inputs respecting the entry's declared types, in the shapes the references expect.

    ``sample_inputs`` only draws numbers; its shape convention (scalars as floats, vectors 1-D,
    matrices 2-D) is checked here against the declarations."""
    f = formula_of(e)
    values = sample_inputs(f, np.random.default_rng(seed))
    dims = sizes_of(f, values)
    for d in f.declarations:
        rows, cols = (k if isinstance(k, int) else dims[str(k)] for k in d.shape)
        want = () if d.var.kind == "scalar" else (rows,) if d.var.kind == "vector" else (rows, cols)
        assert np.shape(values[d.name]) == want, f"{e.id}: {d.name} sampled with shape {np.shape(values[d.name])}"
    return values


def as_tensors(values: Mapping[str, Any], wrt: str | None = None) -> dict[str, Any]:
    """Inputs for a hand-written reference: vectors as n×1 columns, scalars 0-d, float64."""
    out = {}
    for name, v in values.items():
        arr = np.asarray(v, dtype=np.float64)
        t = torch.tensor(arr.reshape(-1, 1) if arr.ndim == 1 else arr, dtype=torch.float64)
        out[py(name)] = t.requires_grad_(name == wrt)
    return out


def call(fn: Callable[..., Any], tensors: Mapping[str, Any]) -> Any:
    """Call a hand-written reference with the inputs it names."""
    return fn(**{p: tensors[p] for p in inspect.signature(fn).parameters})


def reference_of(e: Identity) -> Reference:
    """The hand-written reference of an entry."""
    ref = REFERENCES.get(e.id) or _EXTRA.get(e.id)
    assert ref is not None, f"{e.id}: no hand-written reference in corpus.REFERENCES"
    return ref


def hand_value(e: Identity, values: Mapping[str, Any]) -> float:
    """The hand-written value of the formula at values."""
    out = call(reference_of(e).value, as_tensors(values))
    assert out.numel() == 1, f"{e.id}: the hand-written value has shape {tuple(out.shape)}"
    return float(out.reshape(()))


def hand_gradient(e: Identity, seed: int) -> Any:
    """torch.autograd (float64) of the hand-written value at draw ``seed``, in the variable's convention (cached)."""
    wrt = e.wrt
    key = (e.id, seed)
    if key not in _AUTOGRAD:
        values = draw(e, seed)
        tensors = as_tensors(values, wrt)
        out = call(reference_of(e).value, tensors)
        assert out.numel() == 1, f"{e.id}: the hand-written value has shape {tuple(out.shape)}"
        (g,) = torch.autograd.grad(out.reshape(()), [tensors[py(wrt)]], allow_unused=True)
        arr = np.zeros(np.shape(values[wrt])) if g is None else g.detach().numpy()
        _AUTOGRAD[key] = float(arr) if np.ndim(values[wrt]) == 0 else arr.reshape(np.shape(values[wrt]))
    return _AUTOGRAD[key]


def evaluate_text(text: str, e: Identity, values: Mapping[str, Any]) -> Any:
    """matcalc's value of a closed form written as text, with the entry's declarations, at values."""
    g = matcalc.parse(text, where=formula_of(e).where)
    return evaluate_formula(g, e, values)


def evaluate_formula(g: matcalc.Formula, e: Identity, values: Mapping[str, Any]) -> Any:
    """Evaluate a gradient Formula at values; its free dimensions are pinned by the variable's shape."""
    dims = sizes_of(formula_of(e), values)
    dims.update(sizes_of(g, values))
    like = values[e.wrt]
    target = (1, 1) if np.ndim(like) == 0 else (np.shape(like)[0], 1) if np.ndim(like) == 1 else np.shape(like)
    for d, k in zip(g.expr.shape, target):
        if not isinstance(d, int):
            dims.setdefault(str(d), int(k))
    return evaluate_closed_form(g, values, dims, like)


def known_wrong(e: Identity, engine: bool = True) -> list[Any]:
    """The xfail mark of an entry in KNOWN_WRONG (none for the others).

    In a test of matcalc's results any failure is expected; in a test of the corpus itself
    (``engine=False``) only matcalc refusing to read the formula is, so a wrong hand-written
    reference still fails."""
    reason = KNOWN_WRONG.get(e.id)
    if reason is None:
        return []
    raises = Exception if engine else matcalc.MatcalcError
    return [pytest.mark.xfail(reason=f"matcalc is wrong here: {reason}", raises=raises, strict=False)]


def cases(entries: list[Identity], engine: bool = True) -> list[Any]:
    """Entries as test parameters, named by id, known-wrong ones marked."""
    return [pytest.param(e, id=e.id, marks=known_wrong(e, engine)) for e in entries]


# ---------------------------------------------------------------- the corpus and its references


@pytest.mark.parametrize("e", cases(ENTRIES, engine=False))
def test_entry_is_well_formed(e: Identity) -> None:
    f = formula_of(e)
    assert f.shape == (1, 1), f"{e.id}: the formula is not scalar"
    assert e.wrt in f.variables, f"{e.id}: {e.wrt} is not a variable of {e.formula}"
    assert e.citation


def test_corpus_size_and_unique_ids() -> None:
    assert len(ENTRIES) >= 110
    assert len(set(IDS)) == len(IDS)


def test_every_entry_has_a_hand_written_reference() -> None:
    """Each entry has a hand-written value, and a hand-written closed form iff the source gives one."""
    missing = [e.id for e in ENTRIES if e.id not in REFERENCES]
    assert not missing, f"{len(missing)} entries have no hand-written reference: {', '.join(missing)}"
    stale = sorted(set(REFERENCES) - set(IDS))
    assert not stale, f"references for no entry: {', '.join(stale)}"
    unmatched = [e.id for e in ENTRIES if (e.expected is None) != (REFERENCES[e.id].closed is None)]
    assert not unmatched, f"closed form given without a hand-written twin (or the reverse): {', '.join(unmatched)}"


@pytest.mark.parametrize("e", cases(ENTRIES, engine=False))
def test_reference_names_the_formula_variables(e: Identity) -> None:
    """The hand-written value takes exactly the formula's variables; the closed form a subset of them."""
    ref = reference_of(e)
    names = {py(v) for v in formula_of(e).variables}
    params = set(inspect.signature(ref.value).parameters)
    assert params == names, f"{e.id}: the reference takes {sorted(params)}, the formula has {sorted(names)}"
    if ref.closed is not None:
        extra = set(inspect.signature(ref.closed).parameters) - names
        assert not extra, f"{e.id}: the closed form names {sorted(extra)}, not variables of the formula"


@pytest.mark.parametrize("e", cases(ENTRIES))
def test_value_matches_hand_written(e: Identity) -> None:
    """matcalc reads the formula as the hand-written function computes it (a misparse fails here)."""
    fn = matcalc.compile(formula_of(e))
    for seed in DRAWS:
        values = draw(e, seed)
        got = np.asarray(fn(**{py(k): v for k, v in values.items()}), dtype=np.float64)
        assert got.size == 1, f"{e.id}: matcalc's value has shape {got.shape}"
        want = hand_value(e, values)
        err = relative_error(got.reshape(()), want)
        assert err < TOL, f"{e.id}: matcalc evaluates {e.formula} to {float(got.reshape(()))}, by hand {want}"


@pytest.mark.parametrize("e", cases(WITH_EXPECTED, engine=False))
def test_hand_written_closed_form_matches_autograd(e: Identity) -> None:
    """The corpus itself is right: the source's closed form (by hand) equals autograd of the value (by hand)."""
    closed = reference_of(e).closed
    assert closed is not None, f"{e.id}: the closed form {e.expected} has no hand-written twin"
    for seed in DRAWS:
        values = draw(e, seed)
        tensors = as_tensors(values)
        got = call(closed, tensors).detach()
        var = tensors[py(e.wrt)]
        assert got.shape == var.shape or got.numel() == var.numel() == 1, \
            f"{e.id}: the closed form has shape {tuple(got.shape)}, {e.wrt} has {tuple(var.shape)}"
        err = relative_error(got.numpy().reshape(np.shape(values[e.wrt])), hand_gradient(e, seed))
        assert err < TOL, f"{e.id}: closed form {e.expected} off by {err:.2e} from autograd"


@pytest.mark.parametrize("e", cases(WITH_EXPECTED))
def test_cited_form_as_read_by_matcalc(e: Identity) -> None:
    """matcalc reads the cited closed form (as written in our language) to the autograd gradient."""
    for seed in DRAWS:
        values = draw(e, seed)
        err = relative_error(evaluate_text(e.expected, e, values), hand_gradient(e, seed))
        assert err < TOL, f"{e.id}: matcalc reads {e.expected} to values off by {err:.2e} from autograd"


@pytest.mark.parametrize("e", cases(ENTRIES))
def test_engine_matches_autograd(e: Identity) -> None:
    """matcalc.grad agrees with autograd of the hand-written value at two size draws, with the variable's shape."""
    g = engine_gradient(e)
    declared = next(d.shape for d in formula_of(e).declarations if d.name == e.wrt)
    assert tuple(g.shape) == tuple(declared), f"{e.id}: ∇ has shape {g.shape}, {e.wrt} has {declared}"
    for seed in DRAWS:
        values = draw(e, seed)
        err = relative_error(evaluate_formula(g, e, values), hand_gradient(e, seed))
        assert err < TOL, f"{e.id}: grad gave {g}, off by {err:.2e} from autograd"


def generated(e: Identity) -> Callable[..., Any]:
    """``f_and_grad`` of the NumPy code matcalc generates for an entry (cached)."""
    if e.id not in _GENERATED:
        namespace: dict[str, Any] = {}
        exec(matcalc.codegen(formula_of(e), [e.wrt], backend="numpy"), namespace)  # noqa: S102 - matcalc's output
        _GENERATED[e.id] = namespace["f_and_grad"]
    return _GENERATED[e.id]


@pytest.mark.parametrize("e", cases(ENTRIES))
def test_generated_code_matches_hand_written(e: Identity) -> None:
    """The code matcalc generates computes the hand-written value and autograd's gradient."""
    f_and_grad = generated(e)
    for seed in DRAWS:
        values = draw(e, seed)
        value, grads = f_and_grad(*(values[d.name] for d in formula_of(e).declarations))
        assert np.size(value) == 1, f"{e.id}: the generated value has shape {np.shape(value)}"
        want = hand_value(e, values)
        err = relative_error(np.asarray(value, dtype=np.float64).reshape(()), want)
        assert err < TOL, f"{e.id}: generated code gives the value {value}, by hand {want}"
        got, ref = np.asarray(grads[e.wrt], dtype=np.float64), hand_gradient(e, seed)
        assert got.shape == np.shape(ref), f"{e.id}: generated ∇ has shape {got.shape}, {e.wrt} has {np.shape(ref)}"
        err = relative_error(got, ref)
        assert err < TOL, f"{e.id}: generated ∇_{e.wrt} off by {err:.2e} from autograd"


@pytest.mark.parametrize("notation", ["text", "unicode", "latex"])
@pytest.mark.parametrize("e", cases(ENTRIES))
def test_engine_result_parses_back(e: Identity, notation: str) -> None:
    """The printed gradient parses back (with its declarations) to the same values."""
    g = engine_gradient(e)
    printed = g.show(notation)
    back = matcalc.parse(printed, where=formula_of(e).where)
    values = draw(e, DRAWS[0])
    err = relative_error(evaluate_formula(back, e, values), evaluate_formula(g, e, values))
    assert err < TOL, f"{e.id}: {printed!r} re-parsed to {back} which is off by {err:.2e}"


def test_check_reports_whole_corpus_sample() -> None:
    """matcalc.checking.verify.check (the user-facing tool) passes on a handful of corpus entries."""
    from matcalc.checking.verify import check

    for e in CORPUS[::25]:
        report = check(e.formula, e.wrt, where=e.where, trials=2, seed=1)
        assert report.ok, str(report)


BOOK = [e for e in WITH_EXPECTED if e.citation.startswith("Matrix Cookbook")]


def _printed_length(f: matcalc.Formula) -> int:
    """Symbols of the final expression in Unicode form (X⁻¹): spaces, parentheses and ᵀ not counted.

    Transposes are not counted because issue 3 asks for them at the leaves (Aᵀ Xᵀ, not (X A)ᵀ)."""
    text = matcalc.Formula(f.expr).unicode()
    for constant in ("matrix", "vector"):  # matrix(1) is one symbol, like 𝟙
        text = text.replace(constant, "")
    return len(text.replace(" ", "").replace("(", "").replace(")", "").replace("ᵀ", ""))


# Known exceptions, each with the reason; test_known_longer_results_are_still_longer keeps the list honest.
LONGER_THAN_THE_BOOK = {
    # ∇_α det(α X) = det(α X) tr(I) / α needs tr(I) = n, a dimension as a number: the language has none.
    "mc49_det_scalar_factor",
}


def test_known_longer_results_are_still_longer() -> None:
    """An exception that the simplifier has since fixed must leave the list."""
    for e in BOOK:
        if e.id in LONGER_THAN_THE_BOOK:
            book = matcalc.parse(e.expected, where=formula_of(e).where)
            assert _printed_length(engine_gradient(e)) > _printed_length(book), e.id


def test_cookbook_results_no_longer_than_the_book() -> None:
    """Issue 3's target: for Matrix Cookbook identities the result is no longer than the book's form.

    Both sides are printed by our printer (the book's form parsed, then printed); spaces,
    parentheses and ᵀ are not counted, so grouping (``(B + Bᵀ) X``) and transposes pushed to
    the leaves (``Aᵀ Xᵀ`` for ``(X A)ᵀ``) are not penalized."""
    longer = []
    for e in BOOK:
        if e.id in LONGER_THAN_THE_BOOK:
            continue
        g = engine_gradient(e)
        book = matcalc.parse(e.expected, where=formula_of(e).where)
        if _printed_length(g) > _printed_length(book):
            ours, theirs = matcalc.Formula(g.expr).unicode(), matcalc.Formula(book.expr).unicode()
            longer.append(f"{e.id}: {ours}   (book: {theirs})")
    assert not longer, f"{len(longer)} of {len(BOOK)} results are longer than the book's form:\n" + "\n".join(longer)


# ---------------------------------------------------------------- backward rules of layers (vjp)

def _sigmoid_layer(W: Any, x: Any, b: Any) -> Any:
    return torch.sigmoid(W @ x + b)


VJP_CASES = [
    # (F, wrt, upstream name, expected vjp or None, citation, <upstream, F> written by hand)
    ("W X", "X", "G", "W^T G", "issue 3: Y = W X gives ∇_X = Wᵀ G", lambda G, W, X: (G * (W @ X)).sum()),
    ("W X", "W", "G", "G X^T", "issue 3: Y = W X gives ∇_W = G Xᵀ", lambda G, W, X: (G * (W @ X)).sum()),
    ("A X B", "X", "G", "A^T G B^T", "Matrix Cookbook (2012) eq. 101 as a backward rule",
     lambda G, A, X, B: (G * (A @ X @ B)).sum()),
    ("X^T", "X", "G", "G^T", "transpose layer", lambda G, X: (G * X.T).sum()),
    ("inv(X)", "X", "G", "-(inv(X)^T G inv(X)^T)", "Matrix Cookbook (2012) eq. 59 as a backward rule",
     lambda G, X: (G * torch.linalg.inv(X)).sum()),
    ("exp(X) .* Y", "X", "G", "G .* exp(X) .* Y", "elementwise layer", lambda G, X, Y: (G * torch.exp(X) * Y).sum()),
    ("sigmoid(W x + b)", "b", "g", "sigmoid(W x + b) .* (1 - sigmoid(W x + b)) .* g", "sigmoid layer, bias",
     lambda g, W, x, b: (g * _sigmoid_layer(W, x, b)).sum()),
    ("sigmoid(W x + b)", "W", "g", "(sigmoid(W x + b) .* (1 - sigmoid(W x + b)) .* g) x^T", "sigmoid layer, weights",
     lambda g, W, x, b: (g * _sigmoid_layer(W, x, b)).sum()),
    ("softmax(z)", "z", "g", "softmax(z) .* (g - (softmax(z)^T g))", "softmax layer: s ⊙ (g - sᵀg)",
     lambda g, z: (g * torch.softmax(z, dim=0)).sum()),
    ("tanh(W H + b 1_n^T)", "b", "G", "((1 - tanh(W H + b 1_n^T).^2) .* G) 1_n", "batched tanh layer, bias",
     lambda G, W, H, b: (G * torch.tanh(W @ H + b)).sum()),  # b 1ᵀ: b added to every column
    ("relu(X)", "X", "G", "relu'(X) .* G", "ReLU layer", lambda G, X: (G * torch.relu(X)).sum()),
    ("X .* X", "X", "G", "2 X .* G", "square layer", lambda G, X: (G * X * X).sum()),
]


@pytest.mark.parametrize(("layer", "wrt", "up", "expected", "citation", "value"), VJP_CASES,
                         ids=[f"vjp[{c[0]}]/{c[1]}" for c in VJP_CASES])
def test_vjp_matches_autograd(layer: str, wrt: str, up: str, expected: str | None, citation: str,
                              value: Callable[..., Any]) -> None:
    """matcalc.vjp(F, wrt, upstream) equals autograd of a hand-written <G, F> (and so does the expected rule)."""
    rule = matcalc.vjp(layer, wrt, upstream=up)
    entry = Identity(f"vjp:{layer}:{wrt}", f"<{up}, {layer}>", None, wrt, expected, citation)
    _EXTRA[entry.id] = Reference(value)
    for seed in DRAWS:
        values = draw(entry, seed)
        ref = hand_gradient(entry, seed)
        err = relative_error(evaluate_formula(rule, entry, values), ref)
        assert err < TOL, f"vjp({layer}, {wrt}) gave {rule}, off by {err:.2e}"
        if expected is not None:
            err = relative_error(evaluate_text(expected, entry, values), ref)
            assert err < TOL, f"expected rule {expected} is off by {err:.2e}"


def test_known_wrong_entries_are_still_wrong() -> None:
    """An entry matcalc now gets right (value, gradient, generated code at every draw) must leave KNOWN_WRONG."""
    fixed = []
    for e in ENTRIES:
        if e.id not in KNOWN_WRONG:
            continue
        try:
            test_value_matches_hand_written(e)
            test_engine_matches_autograd(e)
            test_generated_code_matches_hand_written(e)
        except Exception:  # noqa: BLE001 - a wrong value, a wrong shape or a crash: still wrong
            continue
        fixed.append(e.id)
    assert not fixed, ("matcalc now agrees with the hand-written reference: "
                       f"remove {', '.join(fixed)} from KNOWN_WRONG (tests/corpus.py)")
    assert set(KNOWN_WRONG) <= set(IDS), "KNOWN_WRONG names an entry the corpus does not have"


def _is_symmetric_variable(e: Identity) -> bool:
    try:
        declarations = formula_of(e).declarations
    except matcalc.MatcalcError:  # test_entry_is_well_formed reports it
        return False
    return any(d.name == e.wrt and d.var.kind in ("symmetric", "spd") for d in declarations)


SYMMETRIC = [e for e in ENTRIES if _is_symmetric_variable(e)]


@pytest.mark.parametrize("e", cases(SYMMETRIC))
def test_symmetrized_gradient(e: Identity) -> None:
    """For a symmetric variable, matcalc.symmetrize(grad) is (G + Gᵀ)/2 of autograd's unconstrained G."""
    sym = matcalc.symmetrize(engine_gradient(e))
    for seed in DRAWS:
        values = draw(e, seed)
        ref = hand_gradient(e, seed)
        err = relative_error(evaluate_formula(sym, e, values), (ref + ref.T) / 2)
        assert err < TOL, f"{e.id}: symmetrize gave {sym}, off by {err:.2e}"


def _groups() -> list[tuple[str, str | None, list[Identity]]]:
    by: dict[tuple[str, str | None], list[Identity]] = {}
    for e in ENTRIES:
        by.setdefault((e.formula, e.where), []).append(e)
    return [(f, w, es) for (f, w), es in by.items() if len({e.wrt for e in es}) > 1]


GROUPS = [pytest.param(f, w, es, id=es[0].id, marks=[m for e in es for m in known_wrong(e)]) for f, w, es in _groups()]


@pytest.mark.parametrize(("formula", "where", "entries"), GROUPS)
def test_several_variables_at_once(formula: str, where: str | None, entries: list[Identity]) -> None:
    """grad(f, [X, Y, …]) gives a dict whose entries agree with autograd of the hand-written value."""
    names = [e.wrt for e in entries]
    together = matcalc.grad(formula_of(entries[0]), names)
    assert isinstance(together, dict) and set(together) == set(names)
    for e in entries:
        values = draw(e, DRAWS[0])
        err = relative_error(evaluate_formula(together[e.wrt], e, values), hand_gradient(e, DRAWS[0]))
        assert err < TOL, f"{e.id}: grad with wrt={names} is off by {err:.2e} for {e.wrt}"
