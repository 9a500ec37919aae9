"""``matcalc serve``: a local web page that shows the math (the ``web`` extra).

    pip install "matcalc[web]"
    matcalc serve --open

The page reads a formula (text, Unicode or LaTeX, with declarations), shows how it was read,
the gradient and every step of its derivation rendered as MathML (made on the server: no
network needed), the generated NumPy and torch code, a check against torch.autograd, and a
homework view. The application is in ``app.py``; what it shows is computed in ``views.py``.
"""

from __future__ import annotations

import threading
import webbrowser


def serve(host: str = "127.0.0.1", port: int = 8000, open_browser: bool = False) -> None:
    """Run the page with uvicorn until interrupted; open it in a browser when asked."""
    import uvicorn

    from matcalc.web.app import create_app

    url = f"http://{host}:{port}/"
    print(f"matcalc: serving {url}  (Ctrl-C stops)", flush=True)
    if open_browser:
        threading.Timer(1.0, webbrowser.open, args=(url,)).start()
    uvicorn.run(create_app(), host=host, port=port, log_level="warning")
