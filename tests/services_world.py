"""A small world of offices for the public-services integration tests. WRITTEN FOR THE TESTS.

Everything here is constructed: the principals, the office codes and names ("test office"), the
applicant's name, the document text and the citizen identity numbers (a county address code of GB/T 2260,
a chosen birth date and sequence, and the GB 11643-1999 check character; none is a real person's number).
The catalogue item is the bundled, sourced one (JJJ-PS-001, 国办发〔2009〕66号 第八条), and the expected due
dates are worked on the State Council's 2025 holiday notice (国办发明电〔2024〕12号: 10月1日–8日 off,
9月28日 (Sunday) and 10月11日 (Saturday) working days).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tests.conftest import bearer
from xietong.enums import Scope
from xietong.exchange import admin
from xietong.exchange.bootstrap import operator
from xietong.exchange.principals import Principal, authenticate
from xietong.services import casework, registry
from xietong.services.domain import ServicesScope
from xietong.services.identity import check_character
from xietong.store.session import Store

D = dt.date
PENSION = "JJJ-PS-001"
#: constructed: Anci district of Langfang (131002), 1980-01-01, sequence 123
APPLICANT_ID = "13100219800101123" + check_character("13100219800101123")
APPLICANT_NAME = "测试申请人"
DOCUMENT_TEXT = "书面申请（为测试而写）written application, constructed for the test".encode()


@dataclass(frozen=True)
class Party:
    principal: Principal
    token: str
    office: str

    @property
    def headers(self) -> dict[str, str]:
        return bearer(self.token)


@dataclass(frozen=True)
class World:
    langfang: Party
    beijing: Party
    tianjin: Party
    region: Party  # the coordination office: region level, admin


def _party(store: Store, name: str, jurisdiction: str | None, office: str, *scopes: str) -> Party:
    op = operator(store)
    admin.create_principal(store, op, name, jurisdiction)
    token = admin.issue_token(store, op, name, frozenset(scopes)).token
    with store.read() as conn:
        principal = authenticate(conn, token)
    if jurisdiction is not None:
        registry.add_office(
            store, principal, office, jurisdiction, name_zh=f"{office}（测试窗口）", name_en="test office"
        )
    return Party(principal, token, office)


def make_world(store: Store) -> World:
    handle = (ServicesScope.HANDLE.value, ServicesScope.PUBLISH.value, Scope.READ.value)
    return World(
        langfang=_party(store, "lf-services", "131000", "LF-SI-TEST", *handle),
        beijing=_party(store, "bj-services", "110000", "BJ-SI-TEST", *handle),
        tianjin=_party(store, "tj-services", "120000", "TJ-WIN-TEST", *handle),
        region=_party(store, "jjj-office", None, "", Scope.ADMIN.value),
    )


def receive_pension_case(store: Store, world: World, *, documents: tuple[casework.DocumentIn, ...] = ()) -> int:
    """The worked case's receipt: Langfang receives a pension transfer for Beijing on Friday 2025-09-26."""
    result = casework.receive_case(
        store, world.langfang.principal, item=PENSION, receiving_office=world.langfang.office,
        competent_offices=[world.beijing.office], received_on=D(2025, 9, 26), identity_number=APPLICANT_ID,
        applicant_name=APPLICANT_NAME, mode="forwarded", documents=documents,
    )  # fmt: skip
    return int(result["case"])


def written_application() -> casework.DocumentIn:
    return casework.DocumentIn("written_application", DOCUMENT_TEXT, "申请书-测试.txt", "text/plain")


__all__ = [
    "APPLICANT_ID",
    "APPLICANT_NAME",
    "DOCUMENT_TEXT",
    "PENSION",
    "Party",
    "World",
    "make_world",
    "receive_pension_case",
    "written_application",
]
