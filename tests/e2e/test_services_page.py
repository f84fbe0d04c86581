"""The public-services page in a real browser (Debian Chromium, Playwright) against a live server: the
region's statistics for anyone, an office's queue with its deadlines for the office's token. The offices,
principals and applicant are constructed for the test (tests/services_world.py)."""

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

from tests.services_world import D, make_world, receive_pension_case, written_application
from xietong.api.app import create_app
from xietong.config import Settings
from xietong.exchange.bootstrap import open_store
from xietong.services import casework

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    settings = Settings.from_env({}, data_dir=tmp_path_factory.mktemp("e2e-services"), anonymous_read=True)
    store = open_store(settings)
    world = make_world(store)
    case = receive_pension_case(store, world, documents=(written_application(),))
    casework.complete_step(store, world.langfang.principal, case, "completeness_check", on=D(2025, 9, 29))
    port = _free_port()
    config = uvicorn.Config(create_app(settings, store=store), host="127.0.0.1", port=port, log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", world.langfang.token
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


def test_anyone_sees_the_statistics_and_is_told_how_to_see_a_queue(page: Page, served: tuple[str, str]) -> None:
    server, _ = served
    page.goto(server + "/#/services")
    expect(page.locator("h1")).to_contain_text("Public services")
    expect(page.locator("#services-per-item tbody tr")).to_have_count(1)
    expect(page.locator("#services-per-item")).to_contain_text("JJJ-PS-001")
    expect(page.locator("#services-queue-note")).to_contain_text("token of an office")


def test_an_office_sees_its_queue_with_deadlines(page: Page, served: tuple[str, str]) -> None:
    server, token = served
    page.goto(server + "/#/")
    page.evaluate(f"localStorage.setItem('xietong-token', '{token}')")
    page.goto(server + "/#/services")
    rows = page.locator("#services-queue tbody tr")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("forwarded")
    expect(rows).to_contain_text("2025-10-23")  # 15 working days after receipt on 9/26
    expect(rows).to_contain_text("131002********1238")  # masked in the list
    expect(rows).to_have_class("overdue")
