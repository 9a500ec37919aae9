"""The layout's rules, checked on the source (docs/ARCHITECTURE.md):

(a) imports flow one way along the pipeline, algebra -> language -> simplification ->
    calculus -> lowering -> checking -> cli (the derivation uses the simplifier, which needs
    only the algebra), and the subpackages import one another without a cycle;
(b) facts about operations live in the registry: the places that used to keep lists of
    operation names (sampling domains, symmetry, linearity, arity, call names, lowering
    tables, leaves) hold none;
(c) no module is much over 400 lines.
Explicit exceptions name their owner and are temporary.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import matcalc.lowering  # noqa: F401  (registers code generation's private operations too)
from matcalc.algebra.registry import OPS

ROOT = Path(__file__).resolve().parents[1] / "matcalc"
# Layer of each subpackage / top-level module; an import may only go to the same or a lower layer.
LAYERS = {"algebra": 0, "display": 0, "progress": 0, "language": 1, "simplification": 2, "calculus": 3, "lowering": 4,
          "checking": 5, "display_docs": 6, "cli": 7, "cli_common": 7, "cli_commands": 7, "web": 8,
          "__init__": 9, "__main__": 9}
# (importing file, imported part): imports against the flow that are known and owned by others.
IMPORT_EXCEPTIONS = {
    ("display.py", "display_docs"): "web: display's rich reprs import display_docs lazily",
    ("cli_commands.py", "web"): "web: `matcalc serve` starts the web app lazily",
}


def _sources() -> list[Path]:
    return sorted(p for p in ROOT.rglob("*.py") if "__pycache__" not in p.parts)


def _part(path: Path) -> str:
    rel = path.relative_to(ROOT).parts
    return rel[0] if len(rel) > 1 else path.stem


def _imports(path: Path) -> list[tuple[str, int, bool]]:
    """(imported part of matcalc, line, at module level) for every import in the file."""
    tree = ast.parse(path.read_text())
    top = {id(n) for n in tree.body}
    found = []
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "matcalc":
            names = [f"{node.module}.{a.name}" for a in node.names] if node.module == "matcalc" else [node.module]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names if a.name.split(".")[0] == "matcalc"]
        for name in names:
            parts = name.split(".")
            if len(parts) > 1:
                found.append((parts[1], node.lineno, id(node) in top))
    return found


def test_every_part_has_a_layer() -> None:
    assert {_part(p) for p in _sources()} <= set(LAYERS)


def test_imports_flow_along_the_pipeline() -> None:
    against = []
    for path in _sources():
        src = _part(path)
        for dst, line, _ in _imports(path):
            if dst in LAYERS and LAYERS[dst] > LAYERS[src] and (path.name, dst) not in IMPORT_EXCEPTIONS:
                against.append(f"{path.relative_to(ROOT.parent)}:{line} ({src}) imports {dst}")
    assert not against, "imports against the pipeline:\n" + "\n".join(against)


def test_no_import_cycle_between_parts() -> None:
    graph: dict[str, set[str]] = {}
    for path in _sources():
        src = _part(path)
        graph.setdefault(src, set()).update(d for d, _, top in _imports(path) if top and d != src and d in LAYERS)
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            assert state.get(nxt) != 1, "import cycle: " + " -> ".join(trail + [nxt])
            if nxt not in state:
                visit(nxt, trail + [nxt])
        state[node] = 2

    for part in sorted(graph):
        if part not in state:
            visit(part, [part])


# ---------------------------------------------------------------- (b) no op-name lists

# Files that used to keep facts about operations in name lists, and what replaced them.
FACT_PLACES = {
    "checking/sample.py": "Op.domain / Op.preserves",
    "lowering/rules.py": "Op.preserves (symmetric)",
    "simplification/simplify.py": "Op.linear_in",
    "language/calls.py": "Op.arity, Op.aliases via registry.call_names(), Op.pick",
    "lowering/emit.py": "Op.numpy / Op.torch / Op.scalar_form / Op.takes_numbers",
    "lowering/program.py": "Op.numpy_helper",
    "lowering/evaluate.py": "the registry",
    "calculus/gradients.py": "leaves are registry entries (Op.arity == 0, layout 'leaf')",
}
# Places whose owner has yet to move their list into the registry (remove the entry when done).
PENDING = {
}


def _name_lists(path: Path) -> list[tuple[int, list[str]]]:
    """Literal tuples, lists and sets holding two or more operation names."""
    out = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            names = [e.value for e in node.elts if isinstance(e, ast.Constant) and e.value in OPS]
            if len(names) >= 2:
                out.append((node.lineno, names))
    return out


@pytest.mark.parametrize("place", [
    pytest.param(p, marks=pytest.mark.xfail(strict=True, reason=f"pending: {PENDING[p]} moves it to the registry"))
    if p in PENDING else p for p in sorted(FACT_PLACES)])
def test_no_operation_name_lists_in_known_places(place: str) -> None:
    path = ROOT / place
    if not path.exists():
        pytest.skip(f"{place} is gone")
    found = _name_lists(path)
    assert not found, f"{place} lists operations ({FACT_PLACES[place]} holds these facts): {found}"


def test_the_detector_finds_a_name_list(tmp_path: Path) -> None:
    sample = tmp_path / "m.py"
    sample.write_text('NEEDS = ("log", "sqrt")\nOK = ("log",)\n')
    assert _name_lists(sample) == [(1, ["log", "sqrt"])]


# ---------------------------------------------------------------- (c) module size

MAX_LINES = 420  # "about 400"
SIZE_EXCEPTIONS: dict[str, str] = {}  # module: owner (temporary: split it)


def test_modules_are_short() -> None:
    long = {str(p.relative_to(ROOT)): len(p.read_text().splitlines()) for p in _sources()}
    long = {p: n for p, n in long.items() if n > MAX_LINES and p not in SIZE_EXCEPTIONS}
    assert not long, f"modules over {MAX_LINES} lines: {long}"
