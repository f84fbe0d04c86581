"""The public-services page in a real browser (Debian Chromium, Playwright) against a live server: the
region's statistics for anyone, an office's queue with its deadlines for the office's token; both languages,
desktop and phone, no serious axe-core violation, Chinese drawn with the CJK face. The offices, principals
and applicant are constructed for the test (tests/services_world.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.conftest import cjk_fallbacks, live_server, open_dashboard, serious_axe_violations, watched_page
from tests.services_world import D, make_world, receive_pension_case, written_application
from xietong.config import Settings
from xietong.exchange.bootstrap import open_store
from xietong.services import casework


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    settings = Settings.from_env({}, data_dir=tmp_path_factory.mktemp("e2e-services"), anonymous_read=True)
    store = open_store(settings)
    world = make_world(store)
    case = receive_pension_case(store, world, documents=(written_application(),))
    casework.complete_step(store, world.langfang.principal, case, "completeness_check", on=D(2025, 9, 29))
    with live_server(settings, store) as url:
        yield url, world.langfang.token
    store.dispose()


@pytest.mark.parametrize(("lang", "size"), [("zh", "phone"), ("en", "desktop")])
def test_anyone_sees_the_statistics_and_is_told_how_to_see_a_queue(
    browser: Browser, served: tuple[str, str], lang: str, size: str
) -> None:
    server, _ = served
    with watched_page(browser, lang=lang, size=size) as w:
        open_dashboard(w, server + "/#/services")
        expect(w.page.locator("h1")).to_contain_text("政务服务" if lang == "zh" else "Public services")
        expect(w.page.locator("#services-per-item tbody tr")).to_have_count(1)
        expect(w.page.locator("#services-per-item")).to_contain_text("JJJ-PS-001")
        expect(w.page.locator("#services-queue-note")).to_contain_text("services")
        assert serious_axe_violations(w.page) == []
        checked, fallbacks = cjk_fallbacks(w.page)
        assert fallbacks == [] and (checked >= 5 or lang == "en")
        overflow = w.page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 1, f"the page is {overflow}px wider than the window"
        assert w.errors == [] and w.hosts == {"127.0.0.1"}


def test_an_office_sees_its_queue_with_deadlines(browser: Browser, served: tuple[str, str]) -> None:
    server, token = served
    with watched_page(browser, lang="en") as w:
        w.page.goto(server + "/#/")
        w.page.evaluate(f"localStorage.setItem('xietong-token', '{token}')")
        open_dashboard(w, server + "/#/services")
        rows = w.page.locator("#services-queue tbody tr")
        expect(rows).to_have_count(1)
        expect(rows).to_contain_text("forwarded")
        expect(rows).to_contain_text("2025-10-23")  # 15 working days after receipt on 9/26
        expect(rows).to_contain_text("131002********1238")  # masked in the list
        expect(rows).to_have_class("overdue")
        assert serious_axe_violations(w.page) == []
        assert w.errors == []
