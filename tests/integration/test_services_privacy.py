"""Personal data of service cases (issue 16): encrypted at the field level with a key outside the store,
shown only to the offices handling the case, masked in lists and logs, every read audited, deleted when
the retention period ends with the audit trail intact. The applicant, offices and document are
constructed for the tests (tests/services_world.py).
"""

from __future__ import annotations

import json
import shutil
import stat
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from tests.conftest import Engine
from tests.services_world import (
    APPLICANT_ID,
    APPLICANT_NAME,
    DOCUMENT_TEXT,
    PENSION,
    D,
    World,
    make_world,
    receive_pension_case,
    written_application,
)
from xietong.config import Settings
from xietong.errors import InputError, PermissionDeniedError
from xietong.exchange import audit
from xietong.services import caseviews, casework, registry, retention
from xietong.store.session import Store
from xietong.store.tables import outbox

pytestmark = pytest.mark.integration
FILENAME = written_application().filename or ""
SECRETS = {
    "identity number": APPLICANT_ID.encode(),
    "name": APPLICANT_NAME.encode(),
    "document": DOCUMENT_TEXT,
    "file name": FILENAME.encode(),
}


@pytest.fixture
def world(store: Store) -> World:
    return make_world(store)


def _raw_sqlite(store: Store) -> bytes:
    with store.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    path = Path(store.settings.data_dir) / "xietong.db"
    wal = path.with_name(path.name + "-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def _raw_postgres_rows(store: Store) -> bytes:
    """Every row of every table of the database, as PostgreSQL renders it (bytea as hex)."""
    out = []
    with store.engine.connect() as conn:
        tables = conn.execute(
            sa.text("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")
        ).scalars()
        for name in list(tables):
            out += conn.execute(sa.text(f'SELECT row_to_json(t)::text FROM "{name}" t')).scalars().all()
    return "\n".join(out).encode()


def test_a_stolen_store_file_reveals_no_identity_number(store: Store, engine: Engine, world: World) -> None:
    case = receive_pension_case(store, world, documents=(written_application(),))
    view = caseviews.get_case(store, world.langfang.principal, case)
    assert view["applicant"]["identity_number"] == APPLICANT_ID  # the office handling it reads it
    if engine.name == "sqlite":
        raw = _raw_sqlite(store)
        hexed = raw  # bytes are stored as they are
    else:
        raw = _raw_postgres_rows(store)
        hexed = raw.lower()
    assert len(raw) > 10_000  # the whole store was read
    assert b"v1:" in raw  # the ciphertexts are there …
    for what, value in SECRETS.items():  # … and nothing in clear
        assert value not in raw, what
        assert value.hex().encode() not in hexed, what
    # the key is a file outside the store, readable by its owner only
    key = store.settings.secrets_key_path
    assert key.exists() and not key.is_relative_to(Path(store.url_for_display))
    assert stat.S_IMODE(key.stat().st_mode) == 0o600


def test_the_store_without_the_key_file_opens_nothing(
    store: Store, engine: Engine, world: World, tmp_path: Path
) -> None:
    case = receive_pension_case(store, world)
    elsewhere = tmp_path / "stolen"
    elsewhere.mkdir()
    if engine.name == "sqlite":  # the database file copied to another machine
        _raw_sqlite(store)
        shutil.copy(Path(store.settings.data_dir) / "xietong.db", elsewhere / "xietong.db")
        settings = Settings.from_env({}, data_dir=elsewhere)
    else:  # the database read by a process that lacks the key file
        settings = Settings.from_env({}, data_dir=elsewhere, database_url=store.settings.database_url)
    thief = Store(settings)
    try:
        with pytest.raises(InputError, match="does not decrypt with this installation's key"):
            caseviews.get_case(thief, world.langfang.principal, case)
    finally:
        thief.dispose()


def test_masked_in_lists_and_logs_and_never_in_webhooks(store: Store, world: World) -> None:
    case = receive_pension_case(store, world, documents=(written_application(),))
    [row] = caseviews.queue(store, world.langfang.principal, as_of=D(2025, 9, 29))
    assert row["case"] == case and row["applicant"] == "131002********1238"  # keep_6_4: no birth date
    assert [r["applicant"] for r in caseviews.queue(store, world.region.principal)] == [None]
    with store.read() as conn:
        entries = audit.entries(conn, limit=10_000)
        bodies = conn.execute(sa.select(outbox.c.body)).scalars().all()
    logged = json.dumps([e.as_dict() for e in entries], ensure_ascii=False, default=str)
    assert APPLICANT_ID not in logged and APPLICANT_NAME not in logged
    assert "1****************8" in logged  # keep_1_1 in the log
    assert not any(APPLICANT_ID in b or APPLICANT_NAME in b for b in bodies)


def test_documents_only_for_the_offices_handling_the_case(store: Store, world: World) -> None:
    case = receive_pension_case(store, world, documents=(written_application(),))
    [doc] = caseviews.get_case(store, world.beijing.principal, case)["documents"]
    assert (doc["key"], doc["filename"], doc["copy_kept"]) == ("written_application", FILENAME, True)
    assert caseviews.get_document(store, world.beijing.principal, case, doc["id"]) == (
        FILENAME,
        "text/plain",
        DOCUMENT_TEXT,
    )
    with pytest.raises(PermissionDeniedError, match="shown only to the offices handling it"):
        caseviews.get_document(store, world.region.principal, case, doc["id"])
    with pytest.raises(PermissionDeniedError, match="not party"):
        caseviews.get_document(store, world.tianjin.principal, case, doc["id"])
    with store.read() as conn:
        reads = audit.entries(conn, action="services.document.read", limit=100)
    assert [(e.actor, e.outcome) for e in reads] == [
        ("bj-services", "ok"),
        ("jjj-office", "denied"),
        ("tj-services", "denied"),
    ]


def test_reading_another_jurisdictions_case_is_403_problem_json_and_audited(
    client: TestClient, store: Store, world: World
) -> None:
    case = receive_pension_case(store, world)
    r = client.get(f"/api/v1/services/cases/{case}", headers=world.tianjin.headers)
    assert r.status_code == 403 and r.headers["content-type"] == "application/problem+json"
    assert r.json()["type"].endswith("/not-party-to-case") and "not party" in r.json()["detail"]
    ok = client.get(f"/api/v1/services/cases/{case}", headers=world.langfang.headers)
    assert ok.status_code == 200 and ok.json()["applicant"]["identity_number"] == APPLICANT_ID
    assert ok.headers["cache-control"] == "no-store"
    with store.read() as conn:
        reads = audit.entries(conn, action="services.case.read", limit=100)
    assert [(e.actor, e.outcome) for e in reads] == [("tj-services", "denied"), ("lf-services", "ok")]


def _close(store: Store, world: World, case: int) -> None:
    lf, bj = world.langfang.principal, world.beijing.principal
    for who, kind, day in [
        (lf, "completeness_check", D(2025, 9, 29)), (lf, "forwarded", D(2025, 9, 30)), (bj, "accepted", D(2025, 10, 9)),
        (bj, "decided", D(2025, 10, 10)), (bj, "result_returned", D(2025, 10, 13)), (lf, "completed", D(2025, 10, 14)),
    ]:  # fmt: skip
        casework.complete_step(store, who, case, kind, on=day, outcome="approved" if kind == "decided" else None)


def test_retention_deletes_personal_data_and_leaves_the_audit_trail(store: Store, world: World) -> None:
    # the region publishes a new version of the item with a one-year retention period (written for the test)
    current = registry.item_history(store, world.region.principal, PENSION)[-1]
    published = registry.publish_item(store, world.region.principal, {**current, "retention_years": 1})
    assert (published["version"], published["retention_years"]) == (2, 1)
    with pytest.raises(PermissionDeniedError, match="belongs to the region"):
        registry.publish_item(store, world.beijing.principal, {**current, "retention_years": 2})
    case = receive_pension_case(store, world, documents=(written_application(),))
    _close(store, world, case)
    kept = receive_pension_case(store, world)  # still open: never purged
    caseviews.get_case(store, world.langfang.principal, case)
    with store.read() as conn:
        before = audit.entries(conn, limit=10_000)
    with pytest.raises(InputError, match="in the future"):
        retention.purge(store, world.region.principal, as_of=D(2099, 1, 1))
    assert retention.purge(store, world.region.principal, as_of=D(2026, 10, 13))["cases_purged"] == []
    result = retention.purge(store, world.region.principal, as_of=D(2026, 10, 14))  # 2025-10-14 + 1 year
    assert result == {"as_of": "2026-10-14", "cases_purged": [case], "documents_deleted": 1}
    view = caseviews.get_case(store, world.langfang.principal, case)
    assert view["applicant"] == {"identity_number": None, "name": None, "purged_on": "2026-10-14"}
    assert view["documents"] == [] and view["steps"][-1]["done_on"] == "2025-10-14"  # the procedure stays
    assert caseviews.get_case(store, world.langfang.principal, kept)["applicant"]["identity_number"] == APPLICANT_ID
    with store.read() as conn:
        after = audit.entries(conn, limit=10_000)
        assert audit.verify(conn).ok
    assert [e.as_dict() for e in after[: len(before)]] == [e.as_dict() for e in before]  # nothing rewritten
    purges = [e for e in after[len(before) :] if e.action == "services.retention.purge"]
    assert [(e.outcome, e.detail.get("cases")) for e in purges] == [("failed", None), ("ok", []), ("ok", [case])]
