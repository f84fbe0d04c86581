"""The trading page of the dashboard in a real browser (Debian Chromium driven by Playwright).

The store holds a Beijing operator with an allocation, a pending transfer from Chengde awaiting approval,
verified emissions and a surrender (accounts, unit types and quantities written for the test), and the
trimmed real pilot quotes of ``tests/data/trading``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from playwright.sync_api import Browser, expect

from tests.conftest import DATA
from tests.e2e.conftest import (
    cjk_fallbacks,
    live_server,
    open_dashboard,
    screenshot,
    serious_axe_violations,
    watched_page,
)
from xietong.config import Settings
from xietong.exchange.bootstrap import open_store, operator
from xietong.trading import cycle, quotes, registry, service, transfers
from xietong.trading.enums import UnitKind
from xietong.trading.units import UnitType

YEAR = date.today().year


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
    with live_server(settings, store) as url:
        yield url
    store.dispose()


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_the_trading_page_shows_holdings_compliance_pending_transfers_and_prices(
    browser: Browser, server: str, lang: str, size: str
) -> None:
    with watched_page(browser, lang=lang, size=size) as w:
        open_dashboard(w, f"{server}/#/trading")
        page = w.page
        expect(page.locator("#main h1")).to_have_text("碳排放权交易" if lang == "zh" else "Emission trading")
        bj = page.locator("#trading-holdings tbody tr").filter(has_text="BJ-OP")
        expect(bj).to_have_count(1)
        expect(bj).to_contain_text("700")  # surrendered
        expect(page.locator("#trading-compliance tbody tr").first).to_contain_text("beijing_pilot")
        expect(page.locator("#trading-compliance tbody tr").first).to_contain_text("200")  # owed: 900 − 700 t
        expect(page.locator("#trading-pending tbody tr").first).to_contain_text("CD-1 → BJ-OP")
        expect(page.locator("#trading-prices path")).not_to_have_count(0)
        screenshot(page, f"trading-{size}-{lang}")
        assert serious_axe_violations(page) == []
        checked, fallbacks = cjk_fallbacks(page)
        assert fallbacks == [] and (lang == "en" or checked >= 5)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 1, f"the page is {overflow}px wider than the window"
        assert w.errors == [] and w.hosts == {"127.0.0.1"}
