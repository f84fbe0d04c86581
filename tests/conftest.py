"""Fixtures shared by the suite.

Integration tests take the ``store`` fixture, which is parametrised over the engines: every such test
runs on SQLite (``[sqlite]``) and on PostgreSQL (``[postgresql]``). Each test gets a fresh database
copied from a migrated, seeded template, so tests never see each other's data.

Engines: ``XIETONG_TEST_ENGINES`` (default ``sqlite,postgresql``). PostgreSQL: ``XIETONG_TEST_DATABASE_URL``
(a server URL whose user may create databases), or else a throwaway server started here
(:mod:`tests.pgserver`).
"""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.engine import make_url

from tests.pgserver import PostgresServer
from xietong.air.domain import AirScope
from xietong.api.app import create_app
from xietong.config import Settings
from xietong.enums import Scope
from xietong.exchange import admin
from xietong.exchange.bootstrap import initialise, operator
from xietong.store.session import Store

DATA = Path(__file__).parent / "data"
ENGINES = [e.strip() for e in os.environ.get("XIETONG_TEST_ENGINES", "sqlite,postgresql").split(",") if e.strip()]
_counter = itertools.count()


@pytest.fixture(scope="session")
def postgres_server_url() -> Iterator[str]:
    """URL of a PostgreSQL server (database ``postgres``) for the session."""
    given = os.environ.get("XIETONG_TEST_DATABASE_URL")
    if given:
        yield given
        return
    server = PostgresServer.start()
    try:
        yield server.url
    finally:
        server.stop()


def _pg_admin(url: str) -> sa.Engine:
    return sa.create_engine(url, isolation_level="AUTOCOMMIT")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated and seeded SQLite file that each test copies."""
    directory = tmp_path_factory.mktemp("sqlite-template")
    store = Store(Settings.from_env({}, data_dir=directory))
    initialise(store)
    with store.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    store.dispose()
    return directory / "xietong.db"


@pytest.fixture(scope="session")
def postgres_template_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The data directory of the PostgreSQL template: its key files sign the template's audit log."""
    return tmp_path_factory.mktemp("postgres-template")


def _copy_keys(template_dir: Path, data_dir: Path) -> None:
    """A copied database goes with the key files that signed its audit log and encrypted its secrets."""
    shutil.copytree(template_dir / "keys", data_dir / "keys")


@pytest.fixture(scope="session")
def postgres_template(request: pytest.FixtureRequest) -> str:
    """Name of a migrated and seeded template database on the session's PostgreSQL server."""
    server_url: str = request.getfixturevalue("postgres_server_url")
    template_dir: Path = request.getfixturevalue("postgres_template_dir")
    engine = _pg_admin(server_url)
    name = f"xt_template_{os.getpid()}"
    with engine.connect() as conn:
        conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}")
        conn.exec_driver_sql(f"CREATE DATABASE {name}")
    url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
    store = Store(Settings.from_env({}, data_dir=template_dir, database_url=url))
    initialise(store)
    store.dispose()
    engine.dispose()
    return name


@dataclass
class Engine:
    """The engine a test runs on, and how to reach its fresh database."""

    name: str
    settings: Settings

    @property
    def env(self) -> dict[str, str]:
        env = {"XIETONG_DATA_DIR": str(self.settings.data_dir)}
        env["XIETONG_DATABASE_URL"] = self.settings.database_url or ""
        return env


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A fresh, migrated and seeded database on SQLite or PostgreSQL (test id ``[sqlite]``/``[postgresql]``)."""
    kind: str = request.param
    if kind == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        data_dir = tmp_path / "data"
        data_dir.mkdir()
        shutil.copy(template, data_dir / "xietong.db")
        _copy_keys(template.parent, data_dir)
        yield Engine("sqlite", Settings.from_env({}, data_dir=data_dir))
        return
    if kind != "postgresql":
        raise ValueError(f"unknown engine {kind!r} in XIETONG_TEST_ENGINES")
    server_url: str = request.getfixturevalue("postgres_server_url")
    template_name: str = request.getfixturevalue("postgres_template")
    name = f"xt_test_{os.getpid()}_{next(_counter)}"
    admin_engine = _pg_admin(server_url)
    with admin_engine.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {name} TEMPLATE {template_name}")
    url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
    _copy_keys(request.getfixturevalue("postgres_template_dir"), tmp_path)
    try:
        yield Engine("postgresql", Settings.from_env({}, data_dir=tmp_path, database_url=url))
    finally:
        with admin_engine.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin_engine.dispose()


@pytest.fixture
def store(engine: Engine) -> Iterator[Store]:
    s = Store(engine.settings)
    s.ensure_schema(auto_upgrade=False)
    try:
        yield s
    finally:
        s.dispose()


@dataclass
class Actors:
    """Principals and tokens of a small exchange: Beijing and Tianjin publishers, a reader, an admin."""

    beijing: str
    tianjin: str
    hebei: str
    reader: str
    no_read: str
    admin: str


@pytest.fixture
def actors(store: Store) -> Actors:
    op = operator(store)
    tokens = {}
    for name, jurisdiction, scopes in [
        ("beijing-feed", "110000", {Scope.READ, AirScope.PUBLISH}),
        ("tianjin-feed", "120000", {Scope.READ, AirScope.PUBLISH}),
        ("hebei-feed", "130000", {Scope.READ, AirScope.PUBLISH}),
        ("analyst", "130100", {Scope.READ}),
        ("warn-only", "130100", {AirScope.WARN}),
        ("office-admin", None, {Scope.ADMIN}),
    ]:
        admin.create_principal(store, op, name, jurisdiction)
        tokens[name] = admin.issue_token(store, op, name, frozenset(scopes)).token
    return Actors(
        beijing=tokens["beijing-feed"],
        tianjin=tokens["tianjin-feed"],
        hebei=tokens["hebei-feed"],
        reader=tokens["analyst"],
        no_read=tokens["warn-only"],
        admin=tokens["office-admin"],
    )


@pytest.fixture
def client(engine: Engine, store: Store) -> Iterator[TestClient]:
    app = create_app(engine.settings, store=store, start_dispatcher=False)
    with TestClient(app) as c:
        yield c


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
