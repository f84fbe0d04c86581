"""The trading page of the dashboard in a real browser (Debian Chromium driven by Playwright).

The store holds a Beijing operator with an allocation, a pending transfer from Chengde awaiting approval,
verified emissions and a surrender (accounts, unit types and quantities written for the test), and the
trimmed real pilot quotes of ``tests/data/trading``.
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.conftest import DATA
from xietong.api.app import create_app
from xietong.config import Settings
from xietong.exchange.bootstrap import open_store, operator
from xietong.trading import cycle, quotes, registry, service, transfers
from xietong.trading.enums import UnitKind
from xietong.trading.units import UnitType

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic",
         "--no-first-run"]  # fmt: skip
YEAR = date.today().year


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _seed(settings: Settings) -> None:
    store = open_store(settings)
    op = operator(store)
    bea, offset = f"BEA-{YEAR}", f"HB-FOREST-CHENGDE-{YEAR}"
    registry.register_unit_type(
        store, op, UnitType(bea, UnitKind.ALLOWANCE, "beijing_pilot", standard="BEA"), jurisdiction="北京"
    )
    registry.register_unit_type(
        store,
        op,
        UnitType(offset, UnitKind.OFFSET_CREDIT, "hebei_forestry", origin="hebei-chengde", project_type="forestry"),
        jurisdiction="河北",
    )
    registry.open_account(
        store, op, "BJ-OP", kind="operator_holding", name="op", jurisdiction="北京", market="beijing_pilot"
    )
    registry.open_account(store, op, "CD-1", kind="trading", name="chengde", jurisdiction="承德")
    service.issue(store, op, bea, 1000, "GOV-110000")
    service.allocate(store, op, bea, 800, from_account="GOV-110000", to_account="BJ-OP", year=YEAR)
    service.issue(store, op, offset, 500, "CD-1")
    transfers.initiate(store, op, "CD-1", "BJ-OP", offset, quantity=30, accept=True)  # waits for two approvals
    cycle.record_emissions(
        store,
        op,
        [
            {
                "account": "BJ-OP",
                "year": YEAR,
                "verified_t": 900,
                "verifier": "v",
                "verified_on": date.today().isoformat(),
            }
        ],
    )
    service.surrender(store, op, "BJ-OP", bea, year=YEAR, quantity=700)
    quotes.ingest_quotes(store, op, DATA / "trading" / "pilot_quotes_50.csv")
    store.dispose()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    settings = Settings.from_env({}, data_dir=tmp_path_factory.mktemp("e2e-trading"), anonymous_read=True)
    _seed(settings)
    store = open_store(settings)
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


def test_trading_page_shows_holdings_compliance_pending_transfers_and_prices(page: Page, server: str) -> None:
    page.goto(server + "/#/trading")
    expect(page.locator("h1")).to_contain_text("Emission trading")
    holdings = page.locator("#trading-holdings tbody tr")
    expect(holdings.filter(has_text="BJ-OP")).to_have_count(1)
    expect(holdings.filter(has_text="BJ-OP")).to_contain_text("700")  # surrendered
    expect(page.locator("#trading-compliance tbody tr")).to_contain_text(["beijing_pilot"])
    expect(page.locator("#trading-compliance tbody tr").first).to_contain_text("200")  # owed: 900 − 700 t
    expect(page.locator("#trading-pending tbody tr")).to_contain_text(["CD-1 → BJ-OP"])
    expect(page.locator("svg.chart path")).not_to_have_count(0)
    expect(page.locator("#nav a[data-page='trading']")).to_have_count(1)
