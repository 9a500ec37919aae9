"""`matcalc serve`: the JSON API (the same objects as the CLI's --format json) and the page in a real
browser (Playwright driving Debian's headless Chromium). Screenshots go to tests/artifacts/.

The browser tests skip when Playwright or Chromium is missing here; .ci/run installs both.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("starlette")
pytest.importorskip("uvicorn")
pytest.importorskip("latex2mathml")

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "tests" / "artifacts"
HOMEWORK = ROOT / "examples" / "homework.md"
CHROMIUM = os.environ.get("MATCALC_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """The app served by uvicorn on a free loopback port, in a thread of this process."""
    import uvicorn

    from matcalc.web.app import create_app

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert srv.started, "the server did not start"
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=60) as r:
            return r.status, r.read().decode("utf-8")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8")


def _q(**params: str) -> str:
    return urllib.parse.urlencode(params)


# ---------------------------------------------------------------- the JSON API


def test_api_grad_is_the_cli_json(server, cli) -> None:
    status, body = _get(f"{server}/api/grad?{_q(f='Y = sigmoid(W X); <Y, M Y>', wrt='W,X', steps='1')}")
    assert status == 200
    r = cli("grad", "Y = sigmoid(W X); <Y, M Y>", "--wrt", "W,X", "--steps", "--format", "json")
    assert json.loads(body) == json.loads(r.out)


def test_api_parse_is_the_cli_json(server, cli) -> None:
    status, body = _get(f"{server}/api/parse?{_q(f='x^T A x', where='A: symmetric(n)')}")
    assert status == 200
    assert json.loads(body) == json.loads(cli("parse", "x^T A x", "--where", "A: symmetric(n)", "--format", "json").out)


def test_api_error_has_the_caret(server) -> None:
    status, body = _get(f"{server}/api/grad?{_q(f='a^T exp(X b', wrt='X')}")
    assert status == 400
    lines = json.loads(body)["error"].splitlines()
    assert "never closed" in lines[0]
    assert lines[-1].strip() == "^" and lines[-2][lines[-1].index("^")] == "("


def test_api_codegen_and_check(server) -> None:
    pytest.importorskip("torch")
    status, body = _get(f"{server}/api/codegen?{_q(f='a^T exp(X b)', wrt='X')}")
    assert status == 200 and "def f_and_grad(a, X, b)" in json.loads(body)["source"]
    status, body = _get(f"{server}/api/check?{_q(f='a^T exp(X b)', wrt='X')}")
    data = json.loads(body)
    assert status == 200 and data["ok"] is True and data["variables"][0]["max_rel_error"] < 1e-10


def test_api_homework(server) -> None:
    pytest.importorskip("torch")
    req = urllib.request.Request(f"{server}/api/homework", data=HOMEWORK.read_bytes(), method="POST")
    with urllib.request.urlopen(req, timeout=120) as r:
        data = json.loads(r.read())
    assert data["right"] == 3 and len(data["problems"]) == 7 and data["ok"] is False


def test_page_without_javascript_renders_mathml(server) -> None:
    status, body = _get(f"{server}/?{_q(f='a^T exp(X b)', wrt='X', check='0')}")
    assert status == 200
    assert body.count("<math") > 10 and "elementwise chain rule" in body
    assert "http://" not in body.replace("http://www.w3.org/1998/Math/MathML", "")  # nothing from another host


# ---------------------------------------------------------------- in a real browser

@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    missing = pytest.fail if os.environ.get("MATCALC_REQUIRE_BROWSER") else pytest.skip  # .ci/run sets it
    try:
        from playwright import sync_api
    except ImportError:
        missing("playwright is not installed (pip install playwright)")
    if not CHROMIUM:
        missing("no chromium here (apt-get install chromium)")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        yield b
        b.close()


@pytest.fixture
def page(browser, server) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(60_000)
    yield pg
    context.close()


def _shot(pg, name: str) -> None:
    pg.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_type_a_formula_and_see_gradient_and_steps(page, server) -> None:
    page.goto(server + "/")
    page.fill("#f", "a^T exp(X b)")
    page.fill("#wrt", "X")
    page.click("#go")
    result = page.locator("#result math")
    result.first.wait_for()
    assert "exp" in page.locator("#result").inner_text()
    assert result.first.bounding_box()["height"] > 10  # MathML laid out, not raw text
    steps = page.locator("#steps tr")
    assert steps.count() >= 7
    rules = page.locator("#steps").inner_text()
    assert "product rule" in rules and "elementwise chain rule" in rules
    assert "f=a%5ET+exp%28X+b%29" in page.url and "wrt=X" in page.url  # the state is in the URL
    assert page.locator("#reading").inner_text().count("matrix(n, m)") == 1
    assert "def f_and_grad(a, X, b)" in page.locator("#code-numpy").inner_text()
    _shot(page, "derive")


def test_follow_a_shared_url(page, server) -> None:
    url = server + "/?" + _q(f="Y = sigmoid(W X); <Y, M Y>", wrt="W,X")
    page.goto(url)
    text = page.locator("#result").inner_text()
    assert "∇" in text and "where" in text  # both gradients and the definition Y
    assert page.locator("#result math").count() >= 3
    assert page.locator(".chip.on").all_inner_texts() == ["W", "X"]
    assert page.input_value("#f") == "Y = sigmoid(W X); <Y, M Y>"
    if os.environ.get("MATCALC_NO_TORCH_CHECK") is None and page.locator("#check .mc-mark").count():
        assert page.locator("#check .mc-ok").count() == 3  # the check, then one per gradient
    _shot(page, "shared-url")


def test_an_error_shows_the_caret_under_the_position(page, server) -> None:
    page.goto(server + "/")
    page.fill("#f", "a^T exp(X b")
    page.click("#go")
    lines = page.locator("#error pre").inner_text().splitlines()
    assert "never closed" in lines[0]
    assert lines[-1].strip() == "^" and lines[-2][lines[-1].index("^")] == "("
    assert page.locator("#result").count() == 0
    _shot(page, "error")


def test_upload_a_homework_file(page, server) -> None:
    pytest.importorskip("torch")
    page.goto(server + "/homework")
    page.set_input_files("#file", str(HOMEWORK))  # submits on choosing the file
    page.locator("#graded").wait_for(timeout=120_000)
    assert "3 of 7 problems right" in page.locator("#graded h2").inner_text()
    graded = page.locator("#graded")
    assert graded.locator(".mc-ok").count() >= 10 and graded.locator(".mc-bad").count() >= 4
    text = graded.inner_text()
    assert "mistake: a missing or extra transpose" in text and "counterexample" in text
    assert "first wrong line" in text
    lines = graded.locator(".mc-steps td.mc-c2")  # the student's lines, read: math like the rest
    maths = lines.locator("math").count()
    assert maths >= 3 and maths + lines.locator("code").count() == lines.count()
    assert page.locator("#text").input_value().startswith(HOMEWORK.read_text(encoding="utf-8")[:40])
    _shot(page, "homework")


def test_the_page_offers_what_matcalc_can_derive(monkeypatch) -> None:
    """Jacobian, Hessian, JVP and HVP appear in the page's choice only when matcalc has them."""
    import matcalc
    from matcalc.web.views import available_kinds

    assert list(available_kinds()) == ["grad", "jacobian", "hessian", "jvp", "hvp"]
    for kind in ("jacobian", "hessian", "jvp", "hvp"):
        monkeypatch.delattr(matcalc, kind, raising=False)
    monkeypatch.setattr(matcalc, "_EXPORTS", {k: v for k, v in matcalc._EXPORTS.items()
                                              if k not in ("jacobian", "hessian", "jvp", "hvp")})
    assert list(available_kinds()) == ["grad"]


FAMILY = {"jacobian": ("exp(A x)", "∂"), "hessian": ("x^T A x", "∇"), "jvp": ("exp(A x)", "∂"),
          "hvp": ("tr(X^T A X)", "∇")}


@pytest.mark.parametrize("kind", sorted(FAMILY))
def test_api_gives_every_kind_as_the_cli_json(server, cli, kind) -> None:
    f, _ = FAMILY[kind]
    wrt = "X" if "X" in f else "x"
    r = cli(kind, f, "--wrt", wrt, "--steps", "--format", "json")
    want = json.loads(r.out)
    assert len(want["steps"]) >= 2
    for url in (f"/api/{kind}?{_q(f=f, wrt=wrt, steps='1')}", f"/api/grad?{_q(f=f, wrt=wrt, steps='1', what=kind)}"):
        status, body = _get(server + url)
        assert status == 200, body
        assert json.loads(body) == want
    status, body = _get(f"{server}/api/codegen?{_q(f=f, wrt=wrt, what=kind)}")
    assert status == 200 and "return" in json.loads(body)["source"]


def test_api_hessian_check_and_unknown_what(server) -> None:
    for route in ("grad", "check", "codegen"):
        status, body = _get(f"{server}/api/{route}?{_q(f='x^T A x', wrt='x', what='hesian')}")
        assert status == 400 and "unknown derivative 'hesian'" in json.loads(body)["error"], body
    status, body = _get(f"{server}/api/hessian?{_q(f='x^T A x', wrt='x,A')}")
    assert status == 400 and "one variable" in json.loads(body)["error"]
    status, body = _get(f"{server}/?{_q(f='x^T A x', wrt='x', what='hesian')}")
    assert status == 200 and "unknown derivative" in body
    pytest.importorskip("torch")
    status, body = _get(f"{server}/api/check?{_q(f='x^T A x', wrt='x', what='hessian')}")
    data = json.loads(body)
    assert status == 200 and data["ok"] is True and data["reference"] == "torch.func.hessian"


@pytest.mark.parametrize("kind", sorted(FAMILY))
def test_page_shows_steps_code_and_check_for_every_kind(server, kind) -> None:
    f, symbol = FAMILY[kind]
    status, body = _get(f"{server}/?{_q(f=f, what=kind)}")
    assert status == 200 and 'id="error"' not in body
    for section in ('id="result"', 'id="steps"', 'id="code-numpy"', 'id="code-torch"', 'id="check"'):
        assert section in body, section
    steps = body[body.index('id="steps"'):body.index('id="check"')]
    assert steps.count("<tr>") >= 2 and "<math" in steps
    assert f"def {kind}_" in body
    if importlib.util.find_spec("torch") is not None:
        check = body[body.index('id="check"'):body.index('id="code"')]
        assert 'class="card check ok"' in body and "largest relative error" in check
        assert "<code>" not in check and "<math" in check  # the closed form as math, like the rest


def test_a_hessian_in_the_browser(page, server) -> None:
    page.goto(server + "/")
    page.fill("#f", "x^T A x")
    page.fill("#wrt", "x")
    page.select_option("#what", "hessian")
    page.click("#go")
    page.locator("#steps math").first.wait_for()
    assert "what=hessian" in page.url and page.locator("#error").count() == 0
    assert page.locator("#result").inner_text().split()[-5:] == ["=", "𝐴", "+", "𝐴", "⊤"]
    assert page.locator("#steps tr").count() >= 3 and "def hessian_x" in page.locator("#code-numpy").inner_text()
    if importlib.util.find_spec("torch") is not None:
        assert page.locator("#check .mc-ok").count() == 1
    _shot(page, "hessian")


def test_long_math_scrolls_inside_its_box(page, server) -> None:
    f = "-y^T log(sigmoid(X w)) - (1 - y)^T log(1 - sigmoid(X w))"
    page.set_viewport_size({"width": 560, "height": 900})  # a laptop's half screen: the math is wider
    page.goto(server + "/?" + _q(f=f, wrt="w", what="hessian", check="0"))
    page.locator("#result math").first.wait_for()
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0  # no horizontal scrollbar on the page
    steps = page.locator("#steps .mc-doc").first
    assert steps.evaluate("e => e.scrollWidth > e.clientWidth")  # the long lines scroll inside their box
    for card in ("#result", "#steps"):
        box = page.locator(card).bounding_box()
        math = page.locator(f"{card} .mc-doc").first.bounding_box()
        assert math["x"] + math["width"] <= box["x"] + box["width"] + 1, card  # inside its card
    _shot(page, "long-hessian")


def test_the_page_names_gradients_in_latex_whatever_the_spelling() -> None:
    """--wrt W₁ or λ as typed: \\nabla_{W_{1}}, \\nabla_{\\lambda}, never \\mathrm{W₁} (fresh-user trial)."""
    from matcalc.web.views import Query, derive_page

    page = derive_page(Query(f="a^T W₁ b + λ a^T a", wrt=["W₁", "λ"]))
    assert not page.error
    assert 'data-latex="\\nabla_{W_{1}} f = a b^\\top"' in page.result
    assert 'data-latex="\\nabla_{\\lambda} f = a^\\top a"' in page.result
    assert "\\mathrm{W" not in page.result and "W₁" not in page.result.split("<math")[0]
