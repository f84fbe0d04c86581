"""What the browser tests share: Debian's Chromium driven by Playwright, a live server on 127.0.0.1, a page that
records console errors and every request, axe-core (bundled by axe-playwright-python, no CDN), the check that
Chinese text is drawn with the dashboard's CJK face, and screenshots kept as CI artifacts."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
import uvicorn
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, sync_playwright

from xietong.api.app import create_app
from xietong.config import Settings
from xietong.store.session import Store

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic",
         "--no-first-run"]  # fmt: skip
#: screenshots of every page, size and language (git-ignored; CI keeps the folder)
SCREENSHOTS = (
    Path(os.environ.get("XIETONG_ARTIFACTS", Path(__file__).resolve().parents[2] / "artifacts")) / "screenshots"
)
SIZES = {"desktop": (1280, 800), "phone": (390, 844)}
#: the face the dashboard's font stack puts first (app.css); Chinese glyphs must come from it
CJK_FACE = "Noto Sans CJK SC"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def live_server(settings: Settings, store: Store) -> Iterator[str]:
    """The application on 127.0.0.1 and a free port, in a thread, for the module's tests."""
    port = free_port()
    config = uvicorn.Config(create_app(settings, store=store), host="127.0.0.1", port=port, log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        raise RuntimeError("Chromium not found: `make test` installs the Debian packages chromium and chromium-driver")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


@dataclass
class Watched:
    """A page and what it did: console errors, uncaught exceptions, hosts it asked for."""

    page: Page
    errors: list[str] = field(default_factory=list)
    hosts: set[str] = field(default_factory=set)


@contextmanager
def watched_page(browser: Browser, *, lang: str = "en", size: str = "desktop") -> Iterator[Watched]:
    """A fresh browser context at ``size`` with the dashboard language set to ``lang`` before any script runs."""
    width, height = SIZES[size]
    context = browser.new_context(viewport={"width": width, "height": height})
    # the first page of the context starts in `lang`; a switch made on the page is kept across reloads
    context.add_init_script(
        f"if (!localStorage.getItem('xietong-lang')) localStorage.setItem('xietong-lang', '{lang}')"
    )
    w = Watched(context.new_page())
    w.page.on("pageerror", lambda e: w.errors.append(f"uncaught: {e}"))
    w.page.on("console", lambda m: w.errors.append(f"console.{m.type}: {m.text}") if m.type == "error" else None)
    w.page.on("request", lambda r: w.hosts.add(urlparse(r.url).hostname or r.url.split(":")[0]))
    try:
        yield w
    finally:
        context.close()


def open_dashboard(w: Watched, url: str) -> None:
    """Go to a dashboard URL and wait until the page has drawn (the shell sets ``#main[data-ready]``)."""
    w.page.goto(url)
    w.page.wait_for_selector("#main[data-ready='1']", timeout=90_000)


def serious_axe_violations(page: Page) -> list[str]:
    """axe-core's serious and critical violations on the page as it is now, one line each."""
    result = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes'][:3]]}"
        for v in result.response["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


_MARK_CJK = r"""() => {
  const han = /[\u3400-\u9fff\uf900-\ufaff]/g;
  const marked = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!el || el.hasAttribute("data-cjk-check") || !el.getClientRects().length) continue;
    const count = [...el.childNodes].filter((c) => c.nodeType === 3).map((c) => (c.textContent.match(han) || []).length).reduce((a, b) => a + b, 0);
    if (!count) continue;
    el.setAttribute("data-cjk-check", String(count));
    marked.push(count);
  }
  return marked.length;
}"""


def cjk_fallbacks(page: Page, limit: int = 300) -> tuple[int, list[dict[str, Any]]]:
    """Elements whose Chinese characters were not all drawn with :data:`CJK_FACE` (the platform fonts Chromium
    used for each element, through the DevTools protocol), and how many elements were checked."""
    page.evaluate(
        "() => document.querySelectorAll('[data-cjk-check]').forEach((e) => e.removeAttribute('data-cjk-check'))"
    )
    page.evaluate(_MARK_CJK)
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
    ids = cdp.send("DOM.querySelectorAll", {"nodeId": root, "selector": "[data-cjk-check]"})["nodeIds"][:limit]
    bad, checked = [], 0
    for node in ids:
        fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
        if not fonts:  # not drawn as text (an <option> of a closed select)
            continue
        checked += 1
        attrs = cdp.send("DOM.getAttributes", {"nodeId": node})["attributes"]
        han = int(dict(zip(attrs[::2], attrs[1::2], strict=True))["data-cjk-check"])
        drawn = sum(f["glyphCount"] for f in fonts if f["familyName"] == CJK_FACE)
        if drawn < han:
            bad.append(
                {"fonts": fonts, "han": han, "html": cdp.send("DOM.getOuterHTML", {"nodeId": node})["outerHTML"][:120]}
            )
    cdp.detach()
    return checked, bad


def screenshot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path
