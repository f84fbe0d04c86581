"""API fuzzing: schemathesis over every operation of the OpenAPI document, on SQLite and PostgreSQL.

Twice per engine: with a token that may do everything (every scope, region level) and with no token. For
every generated request (valid and invalid ones): no server error, and the status code and content type
are among those the OpenAPI document declares for the operation (schemathesis' ``not_a_server_error``,
``status_code_conformance`` and ``content_type_conformance`` checks). The store holds a little real data
first (one CNEMC hour of the region's air stations, one month of Haihe water samples), so that reads go
past "nothing found".

Bounded: ``FUZZ_EXAMPLES`` examples per operation (``XIETONG_FUZZ_EXAMPLES``, default 8) and no
Hypothesis deadline, so the suite stays within minutes on a 2-core machine; a seeded run, so a failure
reproduces.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import content_type_conformance, status_code_conformance

from tests.conftest import DATA, Engine
from xietong.air import service as air_service
from xietong.api.app import create_app
from xietong.domains import scopes as domain_scopes
from xietong.enums import Scope
from xietong.exchange import admin
from xietong.exchange.bootstrap import operator
from xietong.store.session import Store
from xietong.water import service as water_service

pytestmark = pytest.mark.integration

FUZZ_EXAMPLES = int(os.environ.get("XIETONG_FUZZ_EXAMPLES", "8"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance]


def _all_scopes() -> frozenset[str]:
    return frozenset({s.value for s in Scope} | set(domain_scopes()))


def _with_data(store: Store) -> None:
    op = operator(store)
    air_service.ingest_files(store, op, [DATA / "air" / "cnemc_hourly_2022-01-01T14_jjj.csv"])
    water_service.ingest_samples(store, op, DATA / "water" / "cnemc_surface_water_haihe_2025-11.csv")


@pytest.fixture
def everything_token(store: Store) -> dict[str, str]:
    """A region-level token with every scope (platform and domains), over a store with a little data."""
    _with_data(store)
    op = operator(store)
    admin.create_principal(store, op, "fuzz-everything", None)
    token = admin.issue_token(store, op, "fuzz-everything", _all_scopes()).token
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def no_token(store: Store) -> dict[str, str]:
    """No credentials at all, over the same data."""
    _with_data(store)
    return {}


@pytest.fixture
def app(engine: Engine, store: Store) -> Iterator[Any]:
    application = create_app(engine.settings, store=store, start_dispatcher=False)
    with TestClient(application):  # run the lifespan once
        yield application


def _fuzz_operation(operation: Any, mode: GenerationMode, headers: dict[str, str]) -> str | None:
    """Run ``FUZZ_EXAMPLES`` generated requests against one operation; the first failure, summarised."""

    @settings(
        max_examples=FUZZ_EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],  # no shrinking: report the failing case as generated
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case: Any) -> None:
        # speed is not checked here (bench/ measures it): a long timeout, as e.g. the water period evaluation
        # of every river takes seconds on a loaded 2-core machine
        case.call_and_validate(headers=headers, checks=CHECKS, timeout=120)

    try:
        run()
    except Unsatisfiable:  # e.g. no invalid request exists for an operation without inputs
        return None
    except Exception as exc:  # a failed check (FailureGroup) or an error of the generator
        return f"{operation.label} [{mode.value}]: {type(exc).__name__}: {str(exc)[:1500]}"
    return None


def _fuzz(app: Any, headers: dict[str, str]) -> tuple[int, list[str]]:
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            failure = _fuzz_operation(operation, mode, headers)
            if failure is not None:
                failures.append(failure)
    return len(operations), failures


def test_every_operation_answers_as_documented_with_every_scope(app: Any, everything_token: dict[str, str]) -> None:
    count, failures = _fuzz(app, everything_token)
    assert count >= 70  # every operation of the platform and the installed domains
    assert failures == [], "\n\n".join(failures)


def test_every_operation_answers_as_documented_without_a_token(app: Any, no_token: dict[str, str]) -> None:
    count, failures = _fuzz(app, no_token)
    assert count >= 70
    assert failures == [], "\n\n".join(failures)
