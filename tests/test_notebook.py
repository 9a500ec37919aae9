"""The example notebook runs headless (nbclient) and every result type shows itself as math."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")
pytest.importorskip("torch")
pytest.importorskip("latex2mathml")

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

# the repr of every result type, as the notebook's cells give it
REPRS = {
    "Formula": r"^Formula\('(a\^T exp\(X b\)|\(exp\(X b\) \.\* a\) b\^T)'\)$",
    "Gradients": r"^Gradients\(W='\(Y \.\* \(1 - Y\).*', X='W\^T \(Y .*'\)$",
    "Derivation": r"^Derivation\('a\^T exp\(X b\)', wrt=\['X'\], 7 steps\)$",
    "CheckReport": r"^CheckReport\(ok, 'a\^T exp\(X b\)', X: \d\.\de-\d\d\)$",
    "ClaimResult": r"^ClaimResult\(✗ ∇_x f = '2 A \(A x - b\)'\)$",
    "StepsReport": r"^StepsReport\(✗ 4 lines, first wrong line 4\)$",
    "Homework": r"^Homework\(3 of 7 problems right\)$",
}


@pytest.fixture(scope="module")
def executed() -> object:
    nb = nbformat.read(EXAMPLES / "notebook.ipynb", as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
    nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(EXAMPLES)}}).execute()
    return nb


def _results(nb: object) -> list[dict[str, str]]:
    return [o["data"] for c in nb.cells if c.cell_type == "code" for o in c.outputs
            if o["output_type"] == "execute_result"]


def test_notebook_runs_without_errors(executed) -> None:
    errors = [o for c in executed.cells if c.cell_type == "code" for o in c.outputs if o["output_type"] == "error"]
    assert not errors, errors[:1]


@pytest.mark.parametrize("kind", list(REPRS))
def test_every_result_type_renders_as_math(executed, kind) -> None:
    shown = [d for d in _results(executed) if d["text/plain"].startswith(kind + "(")]
    assert shown, f"no {kind} displayed"
    for data in shown:
        assert re.match(REPRS[kind], data["text/plain"]), data["text/plain"]
        assert "<math" in data["text/html"] and "<script" not in data["text/html"]
        assert "$" in data["text/markdown"]


def test_committed_notebook_has_its_outputs() -> None:
    """The notebook in the repository shows its results to a reader who does not run it."""
    nb = nbformat.read(EXAMPLES / "notebook.ipynb", as_version=4)
    shown = {d["text/plain"].split("(")[0] for d in _results(nb)}
    assert set(REPRS) <= shown
