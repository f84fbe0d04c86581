"""The industry page of the dashboard in a real browser (Debian Chromium driven by Playwright): parks on the map
coloured by leading industry, the project pipeline, the structure chart, and the parks layer of the overview.

The project is written for the test; the parks, the agreement text and the panel extract are real."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.conftest import DATA
from tests.e2e.conftest import live_server, watched_page
from xietong.agreements import service as agreements
from xietong.config import Settings
from xietong.exchange.bootstrap import open_store, operator
from xietong.industry import economy, pipeline


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
    with live_server(settings, store) as url:
        yield url
    store.dispose()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    with watched_page(browser, lang="en") as w:
        yield w.page
        assert w.errors == [], f"JavaScript errors: {w.errors}"
        assert w.hosts <= {"127.0.0.1"}


def test_industry_page_shows_parks_pipeline_and_structure(page: Page, server: str) -> None:
    page.goto(server + "/#/industry")
    page.wait_for_selector("#main[data-ready='1']", timeout=90_000)
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
    page.wait_for_selector("#main[data-ready='1']", timeout=90_000)
    expect(page.locator("#map path.industry-park")).to_have_count(18)
