"""The ASGI application behind ``matcalc serve`` (Starlette, Jinja2 templates).

Routes:
  GET  /                  the derivation page; its state is the URL: ?f=…&wrt=X&where=…&what=grad
  GET  /homework          the homework form; POST /homework grades a pasted or uploaded problem set
  GET  /api/parse         ?f=&where=                the same object as `matcalc parse --format json`
  GET  /api/grad          ?f=&wrt=&where=&steps=1   the same object as `matcalc grad --format json`
  GET  /api/check         ?f=&wrt=&where=           the same object as `matcalc check --format json`
  GET  /api/codegen       ?f=&wrt=&where=&backend=  {"source": …}
  GET  /api/jacobian, /api/jvp, /api/hessian, /api/hvp   ?f=&wrt=&where=&steps=1&direction=V
                          the same object as `matcalc hessian … --format json`; grad, check and codegen
                          take what=jacobian|jvp|hessian|hvp (or kind=) too (another what is a 400 error)
  POST /api/homework      the problem set as the body: the same object as `matcalc homework --format json`
  GET  /static/…          the stylesheet and the small script (copy buttons, file upload)

Everything is served from the package: no page fetches anything from another host.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

import matcalc
from matcalc.cli_commands import grad_data, parse_data
from matcalc.cli_common import variables_once
from matcalc.display import STYLE
from matcalc.web.views import EXAMPLES, Query, available_kinds, derive_page, has_torch, homework_html, unknown_kind

HERE = Path(__file__).parent
TEMPLATES = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"]))
MAX_UPLOAD = 1_000_000  # characters of a problem set


def _query(request: Request) -> Query:
    params = request.query_params
    return Query(f=params.get("f", ""), wrt=variables_once(params.getlist("wrt")), where=params.get("where", ""),
                 what=(_asked(request) or ["grad"])[0], check=params.get("check", "1") != "0")


def _asked(request: Request) -> list[str]:
    """The kinds asked for by what= and by kind= (the CLI's --kind: gradient is grad)."""
    return [{"gradient": "grad"}.get(v, v) for k in ("what", "kind") if (v := request.query_params.get(k))]


def _render(name: str, **context: Any) -> HTMLResponse:
    return HTMLResponse(TEMPLATES.get_template(name).render(mc_style=STYLE, **context))


async def index(request: Request) -> Response:
    q = _query(request)
    page = await run_in_threadpool(derive_page, q)
    return _render("index.html", page=page, q=q, examples=EXAMPLES, torch=has_torch(), view="derive")


async def homework(request: Request) -> Response:
    text, graded_html, result = "", "", None
    if request.method == "POST":
        form = await request.form()
        upload = form.get("file")
        if upload is not None and not isinstance(upload, str) and upload.filename:
            text = (await upload.read()).decode("utf-8", errors="replace")
        else:
            text = str(form.get("text", ""))
        graded_html, result = await run_in_threadpool(homework_html, text[:MAX_UPLOAD])
    error = result if isinstance(result, str) else ""
    summary = "" if result is None or error else result.tally
    return _render("homework.html", text=text, graded=graded_html, error=error, summary=summary,
                   ok=bool(result) and not error and result.ok, view="homework")


def _api(compute: Any) -> Any:
    """A JSON endpoint: compute(query params) -> data; bad input -> 400 {"error": message}."""

    async def endpoint(request: Request) -> Response:
        try:
            data = await run_in_threadpool(compute, request)
        except matcalc.MatcalcError as e:
            return JSONResponse({"error": str(e)}, status_code=400)
        except KeyError as e:
            return JSONResponse({"error": f"missing parameter {e}"}, status_code=400)
        return Response(json.dumps(data, ensure_ascii=False), media_type="application/json")

    return endpoint


def _formula(request: Request) -> Any:
    return matcalc.parse(request.query_params["f"], where=request.query_params.get("where") or None)


def _wrt(request: Request) -> list[str]:
    names = _query(request).wrt
    if not names:
        raise matcalc.MatcalcError("name a variable: wrt=X")
    return names


def _what(request: Request) -> str:
    """The kind asked for (what= or kind=, grad by default); an unknown one is an error."""
    asked = set(_asked(request))
    if len(asked) > 1:
        raise matcalc.MatcalcError(f"what= and kind= ask for different things: {' and '.join(sorted(asked))}")
    what = _query(request).what
    if what not in available_kinds():
        raise matcalc.MatcalcError(unknown_kind(what, available_kinds()))
    return what


def _one_wrt(request: Request) -> str:
    names = _wrt(request)
    if len(names) != 1:
        raise matcalc.MatcalcError("a Jacobian, Hessian, JVP or HVP is taken with respect to one variable: wrt=X")
    return names[0]


def api_family(kind: str) -> Any:
    """/api/jacobian, /api/hessian, …: the same object as `matcalc <kind> --format json`."""

    def compute(request: Request) -> Any:
        from matcalc.calculus.commands import derive_kind, family_data

        formula, name = _formula(request), _one_wrt(request)
        direction = request.query_params.get("direction", "V")
        result = derive_kind(kind, formula, name, direction=direction)
        steps = request.query_params.get("steps", "0") not in ("0", "")
        return family_data(kind, name, formula, result, result.derivation if steps else None)

    return compute


def api_parse(request: Request) -> Any:
    return parse_data(_formula(request))


def api_grad(request: Request) -> Any:
    what = _what(request)
    if what != "grad":
        return api_family(what)(request)
    formula, names = _formula(request), _wrt(request)
    derivation = matcalc.derive(formula, names)
    steps = request.query_params.get("steps", "0") not in ("0", "")
    return grad_data(formula, names, derivation.gradients, derivation if steps else None)


def api_check(request: Request) -> Any:
    what = _what(request)
    if what != "grad":
        from matcalc.checking.family import check_kind

        return check_kind(_formula(request), _one_wrt(request), what).as_dict()
    return matcalc.check(_formula(request), _wrt(request)).as_dict()


def api_codegen(request: Request) -> Any:
    backend, what = request.query_params.get("backend", "numpy"), _what(request)
    if what != "grad":
        result = getattr(matcalc, what)(_formula(request), _one_wrt(request))
        return {"backend": backend, "source": matcalc.codegen(result, backend=backend)}
    return {"backend": backend, "source": matcalc.codegen(_formula(request), _wrt(request), backend=backend)}


async def api_homework(request: Request) -> Response:
    from matcalc.checking.homework import json_report

    text = (await request.body()).decode("utf-8", errors="replace")[:MAX_UPLOAD]
    _, result = await run_in_threadpool(homework_html, text)
    if isinstance(result, str):
        return JSONResponse({"error": result}, status_code=400)
    return Response(json_report(result), media_type="application/json")


def create_app() -> Starlette:
    """The application: the page, the homework view, the JSON API and the static files."""
    return Starlette(routes=[
        Route("/", index),
        Route("/homework", homework, methods=["GET", "POST"]),
        Route("/api/parse", _api(api_parse)),
        Route("/api/grad", _api(api_grad)),
        Route("/api/check", _api(api_check)),
        Route("/api/codegen", _api(api_codegen)),
        *(Route(f"/api/{kind}", _api(api_family(kind))) for kind in available_kinds() if kind != "grad"),
        Route("/api/homework", api_homework, methods=["POST"]),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ])
