"""The dashboard in a real browser (Debian Chromium driven by Playwright) against a live server, over demo-like
data: the UCI Beijing sample (Dingling, Dongsi, Tiantan; 10–23 Dec 2016), two warning replays of that December
made for this test (one issued in Beijing, one under consultation), the Nov-2025 Haihe water samples with an
accident at BJ12 (written for this test), the toy regional rail feed, the Beijing–Tianjin agreement, and the
demo's illustrative forecasts and fictitious enterprises.

Every page is loaded in both languages at 1280×800 and 390×844: no console error, no request outside
127.0.0.1, no serious or critical axe-core violation, every Chinese character drawn with Noto Sans CJK SC, and a
screenshot saved under artifacts/screenshots/.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.conftest import DATA
from tests.e2e.conftest import (
    CJK_FACE,
    Watched,
    cjk_fallbacks,
    live_server,
    open_dashboard,
    screenshot,
    serious_axe_violations,
    watched_page,
)
from tests.unit.transit.test_circle import toy_feed
from xietong.agreements import service as agreements
from xietong.agreements.track import TrackingUpdate
from xietong.air import consultation, forecasts, service
from xietong.air.domain import AirScope
from xietong.config import Settings
from xietong.enums import Scope
from xietong.exchange import admin, enterprises
from xietong.exchange.bootstrap import open_store, operator
from xietong.exchange.principals import Principal, authenticate
from xietong.store.session import Store
from xietong.transit.feed import write_feed
from xietong.transit.service import regional_feed_path
from xietong.water import incidents
from xietong.water import service as water

DEMO = Path(__file__).resolve().parents[2] / "demo" / "data"
PAGES = ["", "map", "air", "air/1003A", "warnings", "warnings/1", "water", "transit", "agreements", "agreements/1"]
REPLAY = "replay written for the browser tests, not an official warning: "
T = lambda day, hour=0: datetime(2016, 12, day, hour, tzinfo=UTC) - timedelta(hours=8)  # noqa: E731 - CST clock


def _bureau(store: Store, name: str, jurisdiction: str) -> Principal:
    op = operator(store)
    admin.create_principal(store, op, name, jurisdiction)
    token = admin.issue_token(store, op, name, frozenset({AirScope.WARN, Scope.READ})).token
    with store.read() as conn:
        return authenticate(conn, token)


def _load(store: Store, settings: Settings) -> None:
    op = operator(store)
    service.ingest_files(store, op, sorted((DATA / "air" / "uci").glob("*.csv")))
    beijing = _bureau(store, "beijing-eeb", "110000")
    issued = consultation.propose(
        store, op, rules="key-regions-2024", cities=["北京"], level="red", start=T(16, 1), end=T(22),
        deadline=T(14, 18), reason=REPLAY + "Beijing forecast AQI above 300", now=T(14, 10),
    )  # fmt: skip
    consultation.respond(store, beijing, issued.id, city="北京", answer="accept", now=T(14, 12))
    open_ = consultation.propose(
        store, op, rules="key-regions-2024", cities=["北京", "天津", "保定"], level="orange", start=T(21, 1),
        end=T(24), deadline=T(20, 20), reason=REPLAY + "regional forecast AQI above 200", now=T(20, 9),
    )  # fmt: skip
    consultation.respond(store, beijing, open_.id, city="北京", answer="counter", level="red", now=T(20, 11))
    forecasts.ingest_forecasts(store, op, forecasts.read_forecast_file(DEMO / "forecasts_beijing_2016-12_illustrative.csv"), source="demo")  # fmt: skip
    enterprises.import_enterprises(store, op, enterprises.parse_enterprises(DEMO / "enterprises_illustrative.csv"), source="demo")  # fmt: skip
    water.ingest_samples(store, op, DATA / "water" / "cnemc_surface_water_haihe_2025-11.csv")
    incidents.open_incident(store, op, section="BJ12", started_at=datetime(2025, 11, 18, 8, tzinfo=UTC),
                            pollutant="ammonia", description="written for the browser tests")  # fmt: skip
    write_feed(toy_feed(), regional_feed_path(settings))
    aid = agreements.import_agreement(
        store, op, DATA / "agreements" / "beijing_tianjin_cooperation_agreement.txt"
    ).agreement.id
    agreements.update_task(store, op, aid, "t-85fb2ec5d6", TrackingUpdate(progress_pct=40, note="site chosen"))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    settings = Settings.from_env({}, data_dir=tmp_path_factory.mktemp("e2e"), anonymous_read=True)
    store = open_store(settings)
    _load(store, settings)
    with live_server(settings, store) as url:
        yield url
    store.dispose()


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_every_page_draws_cleanly_in_both_languages_and_sizes(
    browser: Browser, server: str, lang: str, size: str
) -> None:
    with watched_page(browser, lang=lang, size=size) as w:
        problems: dict[str, list[str]] = {}
        for name in PAGES:
            open_dashboard(w, f"{server}/#/{name}")
            expect(w.page.locator("html")).to_have_attribute("lang", "zh-CN" if lang == "zh" else "en")
            expect(w.page.locator("#main h1")).to_be_visible()
            screenshot(w.page, f"{(name or 'overview').replace('/', '-')}-{size}-{lang}")
            found = serious_axe_violations(w.page)
            checked, fallbacks = cjk_fallbacks(w.page)
            if found:
                problems[f"{name} axe"] = found
            if fallbacks:
                problems[f"{name} fonts"] = [str(f) for f in fallbacks[:3]]
            if lang == "zh":
                assert checked >= 5, f"#/{name}: only {checked} Chinese labels checked"
            # no page scrolls sideways as a whole (tables scroll inside their own region)
            overflow = w.page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            if overflow > 1:
                problems[f"{name} width"] = [f"the page is {overflow}px wider than the window"]
        assert problems == {}
        assert w.errors == []
        assert w.hosts == {"127.0.0.1"}


def test_a_fallback_glyph_is_caught(browser: Browser, server: str) -> None:
    """The font check is not vacuous: Chinese text set in another face (here the Japanese one a fallback
    would pick) is reported."""
    with watched_page(browser, lang="zh") as w:
        open_dashboard(w, f"{server}/#/")
        w.page.evaluate("""() => { const p = document.createElement('p'); p.lang = 'ja'; p.textContent = '北京市';
            p.style.fontFamily = '"Noto Sans CJK JP"'; document.querySelector('#main').append(p); }""")
        _, fallbacks = cjk_fallbacks(w.page)
        assert [f["han"] for f in fallbacks] == [3]
        assert {f["familyName"] for f in fallbacks[0]["fonts"]} == {"Noto Sans CJK JP"} != {CJK_FACE}


def _fill(w: Watched, code: str) -> str | None:
    return w.page.locator(f"path.aqi-{code}").get_attribute("fill")


def test_the_map_colours_a_station_by_its_aqi_and_the_slider_moves_through_time(browser: Browser, server: str) -> None:
    with watched_page(browser, lang="zh") as w:
        # Dongsi (1003A), 2016-12-20 08:00 CST: PM2.5 325 µg/m³ → AQI 375, level VI 严重污染, maroon #7E0023
        # (HJ 633-2012 Table 1 and Appendix A)
        open_dashboard(w, f"{server}/#/map/2016-12-20T08:00:00+08:00")
        expect(w.page.locator("#hour-label")).to_have_text("2016-12-20 08:00 北京时间")
        expect(w.page.locator("#map")).to_have_attribute("data-drawn-hour", "2016-12-20T08:00:00+08:00")
        expect(w.page.locator("path.aqi-1003A")).to_have_attribute("fill", "#7E0023")
        w.page.locator("details[data-layer='air-aqi'] summary").click()
        row = w.page.locator("details[data-layer='air-aqi'] tr[data-code='1003A']")
        expect(row).to_contain_text("375")
        expect(row).to_contain_text("VI 严重污染")  # the level's name, not colour alone
        expect(w.page.locator("#legends")).to_contain_text("VI 严重污染 (301–500)")
        # Beijing's replayed red warning is in force then, written beside the city
        expect(w.page.locator(".leaflet-tooltip.map-label", has_text="北京")).to_contain_text("红色预警")
        # by keyboard: 52 steps of one hour → 2016-12-22 12:00, after the north wind: AQI 19, level I 优, green
        slider = w.page.locator("#hour-slider")
        slider.focus()
        for _ in range(52):
            w.page.keyboard.press("ArrowRight")
        expect(w.page.locator("#hour-label")).to_have_text("2016-12-22 12:00 北京时间")
        expect(w.page.locator("#map")).to_have_attribute("data-drawn-hour", "2016-12-22T12:00:00+08:00")
        expect(w.page.locator("path.aqi-1003A")).to_have_attribute("fill", "#00E400")
        assert w.page.url.endswith("#/map/2016-12-22T12%3A00%3A00%2B08%3A00")
        beijing = w.page.locator(".leaflet-tooltip.map-label", has_text="北京")
        expect(beijing).to_have_count(1)
        expect(beijing).to_have_text("北京 无预警 · 会商: 橙色预警")  # the second replay, under consultation
        assert w.errors == []


def test_play_and_pause_step_through_the_hours(browser: Browser, server: str) -> None:
    with watched_page(browser, lang="en") as w:
        open_dashboard(w, f"{server}/#/map/2016-12-18T00:00:00+08:00")
        play = w.page.locator("#play")
        expect(play).to_have_attribute("aria-pressed", "false")
        play.press("Enter")
        expect(play).to_have_attribute("aria-pressed", "true")
        expect(w.page.locator("#hour-label")).to_have_text(re.compile(r"2016-12-18 0[2-9]:00 CST"), timeout=30_000)
        play.click()
        expect(play).to_have_attribute("aria-pressed", "false")
        expect(play).to_have_text("▶ Play")
        assert w.errors == []


def test_layers_are_toggled_by_keyboard_and_have_legends(browser: Browser, server: str) -> None:
    with watched_page(browser, lang="en") as w:
        open_dashboard(w, f"{server}/#/map/2016-12-20T08:00:00+08:00")
        expect(w.page.locator("path.aqi-marker")).to_have_count(135)  # 136 stations, 1045A without coordinates
        for title in ("Air quality index (AQI)", "Heavy-pollution warnings (cities)", "River sections (latest class)"):
            expect(w.page.locator("#legends h3", has_text=title)).to_be_visible()
        aqi = w.page.get_by_role("checkbox", name="Air quality index (AQI)")
        aqi.focus()
        w.page.keyboard.press("Space")
        expect(w.page.locator("path.aqi-marker")).to_have_count(0)
        expect(w.page.locator("#legends h3", has_text="Air quality index")).to_have_count(0)
        w.page.keyboard.press("Space")
        expect(w.page.locator("path.aqi-marker")).to_have_count(135)  # 136 stations, 1045A without coordinates
        # the rail layers are off at first; switching one on draws the toy feed's 6 stations
        w.page.get_by_role("checkbox", name="Rail stations (regional feed)").check()
        expect(w.page.locator("path.rail-marker")).to_have_count(6)
        # water: the accident at BJ12 and the sections downstream are marked
        expect(w.page.locator("path.water-BJ12")).to_have_attribute("stroke", "#a0001c")
        expect(w.page.locator("path.water-HE11")).to_have_attribute("stroke", "#d9480f")
        w.page.evaluate("localStorage.removeItem('xietong-map-layers')")


def test_the_language_switch_relabels_everything_and_is_remembered(browser: Browser, server: str) -> None:
    with watched_page(browser, lang="zh") as w:
        open_dashboard(w, f"{server}/#/warnings")
        expect(w.page.locator("h1")).to_have_text("区域重污染天气预警")
        expect(w.page.locator("nav a[data-page='map']")).to_have_text("一张图")
        w.page.locator("#lang-switch").click()
        w.page.wait_for_selector("#main[data-ready='1']")
        expect(w.page.locator("html")).to_have_attribute("lang", "en")
        expect(w.page.locator("h1")).to_have_text("Regional heavy-pollution warnings")
        expect(w.page.locator("nav a[data-page='map']")).to_have_text("Region map")
        expect(w.page.locator("#warnings")).to_contain_text("Beijing: issued")
        w.page.reload()
        w.page.wait_for_selector("#main[data-ready='1']")
        expect(w.page.locator("h1")).to_have_text("Regional heavy-pollution warnings")


def test_keyboard_reaches_the_navigation_and_opens_a_page(browser: Browser, server: str) -> None:
    with watched_page(browser, lang="en") as w:
        open_dashboard(w, f"{server}/#/")
        w.page.keyboard.press("Tab")
        expect(w.page.locator(".skip")).to_be_focused()
        for _ in range(30):
            w.page.keyboard.press("Tab")
            if w.page.evaluate("document.activeElement.dataset.page") == "water":
                break
        w.page.keyboard.press("Enter")
        w.page.wait_for_url(f"{server}/#/water")
        w.page.wait_for_selector("#main[data-ready='1']")
        expect(w.page.locator("nav a[data-page='water']")).to_have_attribute("aria-current", "page")


def test_air_page_plots_a_station_on_a_cst_axis(browser: Browser, server: str) -> None:
    with watched_page(browser, lang="en") as w:
        open_dashboard(w, f"{server}/#/air/1003A")
        expect(w.page.locator("#station h2")).to_have_text("Station 1003A")
        expect(w.page.locator("svg.chart path")).to_have_count(6)
        # the last hour of the sample is 2016-12-23 23:00 CST (15:00 UTC): the axis says so in CST
        expect(w.page.locator("svg.chart")).to_contain_text("2016-12-23 23:00 CST")
        rows = w.page.locator("#air-stations tr[data-code]")
        expect(rows).to_have_count(3)
        rows.nth(0).locator("a").click()
        expect(w.page).to_have_url(f"{server}/#/air/1002A")


def test_warnings_page_shows_the_replays_and_a_consultation(browser: Browser, server: str) -> None:
    with watched_page(browser, lang="en") as w:
        open_dashboard(w, f"{server}/#/warnings")
        rows = w.page.locator("#warnings tbody tr")
        expect(rows).to_have_count(2)
        expect(rows.nth(0)).to_contain_text("under consultation")
        expect(rows.nth(0)).to_contain_text("Beijing: counter-proposal (red warning)")
        rows.nth(0).locator("a").click()
        w.page.wait_for_selector("#main[data-ready='1']")
        expect(w.page.locator("h1")).to_contain_text("Warning 2")
        expect(w.page.locator("#warning-cities tbody tr")).to_have_count(3)
        expect(w.page.locator("#warning-events")).to_contain_text("2016-12-20 09:00")


def test_api_docs_render_offline(browser: Browser, server: str) -> None:
    with watched_page(browser) as w:
        # a deep link to the tag: past ~116 paths Swagger UI draws only the tags near the viewport
        w.page.goto(server + "/docs#/features%20(OGC%20API)")
        expect(w.page.locator(".opblock-summary-path").first).to_be_visible(timeout=15_000)
        features = w.page.get_by_text("/api/v1/features/collections", exact=True)
        for _ in range(30):  # with a larger document Swagger UI draws the operations as the page scrolls
            if features.count():
                break
            w.page.mouse.wheel(0, 1500)
            w.page.wait_for_timeout(300)
        expect(features.first).to_be_visible()
        assert w.hosts == {"127.0.0.1"}


def test_a_token_error_is_explained(browser: Browser, server: str) -> None:
    with watched_page(browser, lang="en") as w:
        w.page.goto(server + "/#/")
        w.page.evaluate("localStorage.setItem('xietong-token', 'xt_bad')")
        open_dashboard(w, server + "/#/air")
        expect(w.page.locator(".error")).to_contain_text("malformed API token")


def test_transit_page_draws_the_circle_and_a_scenario_diff(browser: Browser, server: str) -> None:
    with watched_page(browser, lang="zh") as w:
        w.page.goto(server + "/#/transit")
        # the first routing request may wait for the Numba kernels to compile (a cold cache in a fresh clone)
        w.page.wait_for_selector("#main[data-ready='1']", timeout=120_000)
        expect(w.page.locator("h1")).to_have_text("石家庄 90 分钟交通圈")
        rows = w.page.locator("#circle-table tbody tr")
        expect(rows).to_have_count(15)  # Beijing, Tianjin, the other 10 Hebei cities, Taiyuan, Jinan, Zhengzhou
        expect(w.page.locator("#circle-table tr[data-city='北京']")).to_contain_text("40")
        expect(w.page.locator("#circle-table tr[data-city='济南']")).to_contain_text("no road data")
        expect(w.page.locator("path.circle-marker")).to_have_count(16)  # the centre and 15 targets
        w.page.locator("#circle-minutes").fill("60")
        w.page.locator("#circle-form button").click()
        expect(w.page.locator("h1")).to_have_text("石家庄 60 分钟交通圈", timeout=30_000)
        w.page.locator("button[data-scenario='tianjin-shijiazhuang']").click()
        expect(w.page.locator("#diff-table")).to_contain_text("天津", timeout=30_000)
        assert w.errors == []


def test_water_page_maps_sections_and_lists_the_incident(browser: Browser, server: str) -> None:
    with watched_page(browser, lang="en") as w:
        open_dashboard(w, f"{server}/#/water")
        expect(w.page.locator("h1")).to_contain_text("GB 3838")
        expect(w.page.locator("#water-table tbody tr")).to_have_count(133)  # sections with samples in Nov 2025
        expect(w.page.locator("#incident-table tbody tr")).to_have_count(1)
        expect(w.page.locator("#incident-table")).to_contain_text("BJ12")
        # 139 sections; 93 belong to a jurisdiction the reference data have a point for (46 to Shanxi, Shandong
        # and Henan cities they do not know: not drawn, and the layer's text says so)
        expect(w.page.locator("path.water-marker")).to_have_count(93)
