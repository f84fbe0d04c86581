"""Principals and files for the industry integration tests (everything here is written for the tests)."""

from __future__ import annotations

from pathlib import Path

from xietong.enums import Scope
from xietong.exchange import admin
from xietong.exchange.bootstrap import operator
from xietong.exchange.principals import Principal, authenticate
from xietong.industry.domain import IndustryScope
from xietong.store.session import Store

PUBLISH = frozenset({Scope.READ.value, IndustryScope.PUBLISH.value})


def principal(store: Store, name: str, jurisdiction: str | None, scopes: frozenset[str] = PUBLISH) -> Principal:
    """A principal of ``jurisdiction`` acting with a fresh token of ``scopes``."""
    return authenticate_token(store, token(store, name, jurisdiction, scopes))


def token(store: Store, name: str, jurisdiction: str | None, scopes: frozenset[str] = PUBLISH) -> str:
    op = operator(store)
    admin.create_principal(store, op, name, jurisdiction)
    return admin.issue_token(store, op, name, scopes).token


def authenticate_token(store: Store, text: str) -> Principal:
    with store.read() as conn:
        return authenticate(conn, text)


def write(path: Path, text: str) -> Path:
    """A file written for a test (its first line says so when the format allows comments)."""
    path.write_text(text, encoding="utf-8")
    return path
