"""The installed package works, not only the editable checkout: a wheel built from the
source carries the grammar and the `matcalc` command, and runs from another folder."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _pip(*args: str, cwd: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "pip", "--disable-pip-version-check", *args],
                            capture_output=True, text=True, cwd=cwd, timeout=180)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wheel built from a copy of the source, installed with --target; returns the wheel's folder
    (the install is in its sibling `site`)."""
    pytest.importorskip("setuptools")
    base = tmp_path_factory.mktemp("packaging")
    src = base / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for folder in ("matcalc", "grammar"):
        shutil.copytree(ROOT / folder, src / folder, ignore=ignore)
    wheels = base / "wheels"
    _pip("wheel", "--no-deps", "--no-build-isolation", "--no-index", ".", "-w", str(wheels), cwd=src)
    (wheel,) = wheels.glob("matcalc-*.whl")
    _pip("install", "--no-deps", "--no-index", "--target", str(base / "site"), str(wheel), cwd=base)
    return wheels


def _run(site: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(site), "PYTHONIOENCODING": "utf-8", "PYTHONNOUSERSITE": "1"}
    return subprocess.run(list(args), capture_output=True, text=True, encoding="utf-8", cwd=cwd, env=env, timeout=120)


def test_wheel_contains_grammar_and_cli(installed: Path) -> None:
    (wheel,) = installed.glob("matcalc-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "matcalc/grammar/matcalc.lark" in names
    assert {"matcalc/cli.py", "matcalc/__main__.py", "matcalc/language/parse.py"} <= names
    entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    assert "matcalc = matcalc.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()


def test_wheel_contains_every_module(installed: Path) -> None:
    """Every source module ships: a subpackage missing from pyproject's list breaks `pip install .`."""
    (wheel,) = installed.glob("matcalc-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    source = {p.relative_to(ROOT).as_posix() for p in (ROOT / "matcalc").rglob("*.py")}
    assert source <= names, sorted(source - names)


def test_installed_modules_come_from_the_install(installed: Path, tmp_path: Path) -> None:
    """Import every part from the install; none may be found in the source tree instead
    (an editable install's import hook would otherwise hide a module missing from the wheel)."""
    site = installed.parent / "site"
    modules = sorted(p.relative_to(ROOT).with_suffix("").as_posix().replace("/", ".").removesuffix(".__init__")
                     for p in (ROOT / "matcalc").rglob("*.py") if p.name != "__main__.py")
    code = ("import importlib, sys\n"
            f"for name in {modules!r}: importlib.import_module(name)\n"
            "bad = [m.__file__ for n, m in sys.modules.items() if n.split('.')[0] == 'matcalc'\n"
            f"       and getattr(m, '__file__', None) and not m.__file__.startswith({str(site.resolve())!r})]\n"
            "print(bad); sys.exit(1 if bad else 0)")
    r = _run(site, sys.executable, "-c", code, cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr


def test_installed_package_runs_from_another_folder(installed: Path, tmp_path: Path) -> None:
    site = installed.parent / "site"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    where = _run(site, sys.executable, "-c", "import matcalc; print(matcalc.__file__)", cwd=elsewhere)
    assert where.returncode == 0, where.stderr
    assert Path(where.stdout.strip()).resolve().is_relative_to(site.resolve()), where.stdout
    r = _run(site, sys.executable, "-m", "matcalc", "parse", "a^T exp(X b)", cwd=elsewhere)
    assert r.returncode == 0, r.stderr
    assert "exp(X b)" in r.stdout
    assert "matrix(n, m)" in r.stdout


def test_installed_console_script(installed: Path, tmp_path: Path) -> None:
    site = installed.parent / "site"
    script = site / "bin" / "matcalc"
    if not script.exists():
        pytest.skip("pip put no console script in the --target folder on this platform")
    r = _run(site, str(script), "parse", "x^T A x", "--format", "text", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "x^T A x"


def test_wheel_contains_the_web_page(installed: Path) -> None:
    """`pip install "matcalc[web]"` then `matcalc serve` needs the templates and static files."""
    (wheel,) = installed.glob("matcalc-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    page = {p.relative_to(ROOT).as_posix() for folder in ("templates", "static")
            for p in (ROOT / "matcalc" / "web" / folder).iterdir()}
    assert page and page <= names, sorted(page - names)


def test_runs_from_the_top_folder_of_a_checkout(installed: Path) -> None:
    """After `pip install .`, Python started in the clone's top folder imports ./matcalc (the
    source, which holds no grammar/) ahead of the install: the grammar is still found."""
    site, src = installed.parent / "site", installed.parent / "src"
    r = _run(site, sys.executable, "-m", "matcalc", "grad", "a^T exp(X b)", "--wrt", "X", "--quiet", cwd=src)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "(exp(X b) .* a) b^T"
