"""The dashboard: the platform's shell page plus the pages the installed domains declare.

``/static`` serves the shell (``xietong/web/static``: ``index.html``, ``app.js``, styles, vendored Leaflet);
``/static/domains/<name>/`` serves each domain's assets (domain contract: ``Domain.static``); ``/`` is the
shell's ``index.html`` with the navigation and the domains' page scripts filled in, in page order.
"""

from __future__ import annotations

import html
from functools import cache
from importlib import resources
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from xietong import domains

SHELL = Path(str(resources.files("xietong.web").joinpath("static")))


@cache
def index_html() -> str:
    """The shell page with one navigation link and one script per domain page."""
    nav, scripts = [], []
    for domain, page in domains.pages():
        pid, zh, en = html.escape(page.id), html.escape(page.title_zh), html.escape(page.title_en)
        # the shell shows one language at a time (data-zh / data-en, switched in app.js)
        nav.append(f'    <a href="#/{pid}" data-page="{pid}" data-zh="{zh}" data-en="{en}">{zh}</a>')
        scripts.append(f'<script src="/static/domains/{html.escape(domain.name)}/{html.escape(page.script)}"></script>')
    text = (SHELL / "index.html").read_text(encoding="utf-8")
    return text.replace("<!--xt:nav-->", "\n".join(nav)).replace("<!--xt:scripts-->", "\n".join(scripts))


def mount(app: FastAPI) -> None:
    """Serve the shell, every domain's assets and the dashboard page at ``/``."""
    for name, folder in domains.static_dirs():
        app.mount(f"/static/domains/{name}", StaticFiles(directory=folder), name=f"static-{name}")
    app.mount("/static", StaticFiles(directory=SHELL), name="static")

    @app.get("/", include_in_schema=False)
    def index() -> HTMLResponse:
        """The dashboard (a static page that reads the API)."""
        return HTMLResponse(index_html())


__all__ = ["SHELL", "index_html", "mount"]
