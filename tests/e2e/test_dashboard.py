"""The dashboard in a real browser (Debian Chromium driven by Playwright) against a live server."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.conftest import DATA
from tests.unit.transit.test_circle import toy_feed
from xietong.air import consultation, service
from xietong.api.app import create_app
from xietong.config import Settings
from xietong.exchange.bootstrap import open_store, operator
from xietong.transit.feed import write_feed
from xietong.transit.service import regional_feed_path
from xietong.water import service as water

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    settings = Settings.from_env({}, data_dir=tmp_path_factory.mktemp("e2e"), anonymous_read=True)
    store = open_store(settings)
    op = operator(store)
    service.ingest_files(store, op, sorted((DATA / "air" / "uci").glob("*.csv")))
    now = datetime.now(UTC)
    consultation.propose(
        store, op, rules="key-regions-2024", cities=["北京", "保定"], level="orange",
        start=now + timedelta(days=1), end=now + timedelta(days=3), deadline=now + timedelta(hours=6),
        reason="regional forecast: AQI > 200 for 48 h",
    )  # fmt: skip
    # the regional rail feed (a toy one with real city points) and the real Nov-2025 Haihe water samples
    write_feed(toy_feed(), regional_feed_path(settings))
    water.ingest_samples(store, op, DATA / "water" / "cnemc_surface_water_haihe_2025-11.csv")
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
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    # a Content-Security-Policy violation is logged to the console, not thrown
    pg.on("console", lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None)
    yield pg
    context.close()
    assert errors == [], f"JavaScript errors or CSP violations: {errors}"


def test_overview_lists_jurisdictions_and_maps_stations(page: Page, server: str) -> None:
    page.goto(server + "/#/")
    expect(page.locator("h1")).to_contain_text("Beijing–Tianjin–Hebei")
    expect(page.locator("table tbody tr")).to_have_count(15)
    # the bundled CNEMC station list: 136 stations, one of them (1045A) without coordinates
    expect(page.locator("path.station-marker")).to_have_count(135)


def test_air_page_plots_a_station(page: Page, server: str) -> None:
    page.goto(server + "/#/air/1003A")
    expect(page.locator("#station h2")).to_have_text("Station 1003A")
    expect(page.locator("svg.chart path")).to_have_count(6)
    expect(page.locator("#plot")).to_contain_text("hours")
    rows = page.locator("tr[data-code]")
    expect(rows).to_have_count(3)
    rows.nth(0).click()
    expect(page).to_have_url(server + "/#/air/1002A")


def test_warnings_page_shows_the_consultation(page: Page, server: str) -> None:
    page.goto(server + "/#/warnings")
    row = page.locator("tr[data-id]")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("proposed")
    row.click()
    expect(page.locator("h1")).to_contain_text("Warning 1")
    expect(page.locator("table").first.locator("tbody tr")).to_have_count(2)


def test_api_docs_render_offline(page: Page, server: str) -> None:
    page.goto(server + "/docs")
    expect(page.locator(".opblock-summary-path").first).to_be_visible(timeout=15_000)
    expect(page.get_by_text("/api/v1/air/observations", exact=True).first).to_be_visible()


def test_a_token_error_is_explained(browser: Browser, server: str) -> None:
    context = browser.new_context()
    pg = context.new_page()
    pg.goto(server + "/#/")
    pg.evaluate("localStorage.setItem('xietong-token', 'xt_bad')")
    pg.goto(server + "/#/air")
    expect(pg.locator(".error")).to_contain_text("malformed API token")
    context.close()


def test_transit_page_draws_the_circle_and_a_scenario_diff(page: Page, server: str) -> None:
    page.goto(server + "/#/transit")
    # the first routing request may wait for the Numba kernels to compile (a cold cache in a fresh clone)
    expect(page.locator("h1")).to_contain_text("90-minute circle from 石家庄", timeout=90_000)
    rows = page.locator("#circle-table tbody tr")
    expect(rows).to_have_count(15)  # Beijing, Tianjin, the other 10 Hebei cities, Taiyuan, Jinan, Zhengzhou
    expect(page.locator("#circle-table tr[data-city='北京']")).to_contain_text("40")
    expect(page.locator("#circle-table tr[data-city='济南']")).to_contain_text("no road data")
    expect(page.locator("path.circle-marker")).to_have_count(16)  # the centre and 15 targets
    page.locator("#circle-minutes").fill("60")
    page.locator("#circle-form button").click()
    expect(page.locator("h1")).to_contain_text("60-minute circle", timeout=30_000)
    page.locator("button[data-scenario='tianjin-shijiazhuang']").click()
    expect(page.locator("#diff-table")).to_contain_text("天津", timeout=30_000)


def test_water_page_shows_the_latest_class_per_section(page: Page, server: str) -> None:
    page.goto(server + "/#/water")
    expect(page.locator("h1")).to_contain_text("GB 3838")
    expect(page.locator("#water-table tbody tr")).to_have_count(133)  # sections with samples in Nov 2025
    expect(page.locator("#incident-table")).to_contain_text("No incidents")
