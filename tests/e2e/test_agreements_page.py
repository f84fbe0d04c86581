"""The agreements page of the dashboard in a real browser (Debian Chromium driven by Playwright)."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.conftest import DATA
from xietong.agreements import service
from xietong.agreements.track import TrackingUpdate
from xietong.api.app import create_app
from xietong.config import Settings
from xietong.exchange.bootstrap import open_store, operator

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic",
         "--no-first-run"]  # fmt: skip
SAMPLE = DATA / "agreements" / "beijing_tianjin_cooperation_agreement.txt"
FREIGHT_HUB = "t-85fb2ec5d6"  # 2.1, transport, led by Beijing and Tianjin
HUB = "t-2215df57d5"  # 2.2, "Beijing supports Tianjin to build a regional freight hub"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    settings = Settings.from_env({}, data_dir=tmp_path_factory.mktemp("e2e-agreements"), anonymous_read=True)
    store = open_store(settings)
    op = operator(store)
    aid = service.import_agreement(store, op, SAMPLE).agreement.id
    service.update_task(
        store, op, aid, FREIGHT_HUB,
        TrackingUpdate(progress_pct=40, due="2020-01-01", note="site chosen",
                       milestones=[{"title": "site chosen", "done": True}],
                       add_evidence=[{"kind": "link", "url": "https://example.org/hub", "title": "site notice"}]),
    )  # fmt: skip
    service.update_task(store, op, aid, HUB, TrackingUpdate(status="done"))
    service.bind_indicator(store, op, aid, FREIGHT_HUB, "warnings.issued_through_consultation", target=1)
    service.refresh_indicators(store, op)
    port = _free_port()
    config = uvicorn.Config(create_app(settings, store=store), host="127.0.0.1", port=port, log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(10)
    store.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        raise RuntimeError("Chromium not found: `make test` installs the Debian packages chromium and chromium-driver")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1300, "height": 900})
    context.add_init_script("localStorage.setItem('xietong-lang', 'en')")
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    # a Content-Security-Policy violation is logged to the console, not thrown
    pg.on("console", lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None)
    yield pg
    context.close()
    assert errors == [], f"JavaScript errors or CSP violations: {errors}"


def test_agreements_page_shows_progress_and_tasks(page: Page, server: str) -> None:
    page.goto(server + "/#/agreements")
    expect(page.locator("h1")).to_have_text("Cooperation agreements")
    expect(page.locator("tr.agreement")).to_have_count(1)
    expect(page.locator("tr.agreement")).to_contain_text("Beijing-Tianjin-Hebei integration cooperation agreement")
    expect(page.locator("tr.area")).to_have_count(15)
    expect(page.locator('tr.area[data-key="transport"]')).to_contain_text("10.0 %")  # (40 + 100) / 14 tasks
    expect(page.locator("tr.jurisdiction")).to_have_count(3)
    expect(page.locator('tr.jurisdiction[data-key="130000"]')).to_contain_text("Hebei 河北省")
    rows = page.locator("#tasks tr.task")
    expect(rows).to_have_count(93)
    hub = page.locator(f'tr.task[data-task="{FREIGHT_HUB}"]')
    expect(hub).to_contain_text("in progress")
    expect(hub).to_contain_text("overdue")
    expect(hub.locator(".indicator")).to_contain_text("Regional warnings issued through consultation: 0 ≥ 1 warnings")
    expect(hub.locator(".indicator")).to_contain_text("not met")
    # filter the task table by clicking an area, then by status
    page.locator('tr.area[data-key="transport"]').click()
    expect(page.locator("#task-count")).to_have_text("14 task(s)")
    page.select_option("#task-filter select[name=status]", "done")
    expect(page.locator("#task-count")).to_have_text("1 task(s)")
    expect(page.locator("#tasks tr.task:visible")).to_contain_text("Beijing supports Tianjin")


def test_agreement_detail_with_sections_and_task_history(page: Page, server: str) -> None:
    page.goto(server + "/#/agreements")
    page.locator("tr.agreement").click()
    expect(page).to_have_url(server + "/#/agreements/1")
    expect(page.locator("h1")).to_contain_text("Beijing-Tianjin-Hebei integration cooperation agreement")
    expect(page.locator("#sections tr.section").first).to_contain_text("Collaborative establishment of planning")
    page.locator(f'tr.task[data-task="{FREIGHT_HUB}"]').click()
    expect(page).to_have_url(server + f"/#/agreements/1/{FREIGHT_HUB}")
    card = page.locator("#task-card")
    expect(card.locator("h2").first).to_contain_text("Task 2.1")
    expect(card).to_contain_text("site chosen")
    expect(card.get_by_role("link", name="site notice")).to_have_attribute("href", "https://example.org/hub")
    expect(card.locator("#history tbody tr")).to_have_count(3)
    expect(card.locator("#history tbody tr").nth(1)).to_contain_text(
        "status, progress_pct, due, milestones, evidence, note"
    )
