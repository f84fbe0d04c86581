"""The industry page of the dashboard in a real browser (Debian Chromium driven by Playwright): parks on the map
coloured by leading industry, the project pipeline, the structure chart, and the parks layer of the overview.

The project is written for the test; the parks, the agreement text and the panel extract are real."""

from __future__ import annotations

import datetime as dt
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
from xietong.agreements import service as agreements
from xietong.api.app import create_app
from xietong.config import Settings
from xietong.exchange.bootstrap import open_store, operator
from xietong.industry import economy, pipeline

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic",
         "--no-first-run"]  # fmt: skip


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    settings = Settings.from_env({}, data_dir=tmp_path_factory.mktemp("e2e-industry"), anonymous_read=True)
    store = open_store(settings)
    op = operator(store)
    agreements.import_agreement(store, op, DATA / "agreements" / "beijing_tianjin_cooperation_agreement.txt")
    table = economy.from_file(DATA / "industry" / "jjj_city_panel_extract_2013_2019_2020.csv", years=[2019])
    economy.import_table(store, op, table)
    project = pipeline.ProjectIn(
        name="Recycling plant (written for the test)", enterprise="Test Recycling Co.", origin="110000",
        destination="120000", industry_code="4210", date=dt.date(2025, 3, 1), park="ZIYA", investment_cny=3e8, jobs=120,
    )  # fmt: skip
    pipeline.create_project(store, op, project)
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
    yield pg
    context.close()
    assert errors == [], f"JavaScript errors: {errors}"


def test_industry_page_shows_parks_pipeline_and_structure(page: Page, server: str) -> None:
    page.goto(server + "/#/industry")
    expect(page.locator("h1")).to_have_text("Industrial cooperation 产业协同")
    expect(page.locator("#parks tbody tr")).to_have_count(18)
    ziya = page.locator('#parks tr[data-park="ZIYA"]')
    expect(ziya).to_contain_text("废弃资源综合利用业")
    expect(ziya).to_contain_text("3.19")  # the agreement task that names the park
    expect(page.locator('#pipeline tr[data-stage="signed"]')).to_contain_text("3 亿元")
    expect(page.locator("#projects tbody tr")).to_contain_text("Recycling plant")
    expect(page.locator("#industry-map path.industry-park")).to_have_count(18)
    expect(page.locator("#structure-chart rect")).to_have_count(39)
    expect(page.locator("#mean-similarity")).to_have_text("0.9625")


def test_the_overview_map_carries_the_parks_layer(page: Page, server: str) -> None:
    page.goto(server + "/#/")
    expect(page.locator("#map path.industry-park")).to_have_count(18)
