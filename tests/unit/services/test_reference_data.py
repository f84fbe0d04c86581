"""The bundled reference data: every row sourced, the loaders refuse rows without a source."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from xietong.errors import InputError
from xietong.services import catalogue, partnerships, recognition


@pytest.mark.parametrize(
    "name",
    [
        "catalogue_jjj.csv",
        "catalogue_jjj_steps.csv",
        "catalogue_jjj_documents.csv",
        "recognition_jjj.csv",
        "recognition_versions.csv",
        "partnerships_jjj.csv",
    ],
)
def test_every_row_has_a_source_url_and_date(name: str) -> None:
    frame = catalogue.read_frame(name)
    assert len(frame) > 0
    urls = frame["source_url"].str.split(" ; ")
    dates = frame["source_date"].str.split(" ; ")
    assert urls.map(lambda us: all(u.startswith(("http://", "https://")) for u in us)).all()
    assert (urls.map(len) == dates.map(len)).all()  # one date per source


def test_the_catalogue_loads_with_its_step_plans_and_document_schema() -> None:
    items = catalogue.bundled_catalogue()
    assert len(items) == len(catalogue.read_frame("catalogue_jjj.csv"))
    pension = items["JJJ-PS-001"]
    assert pension.time_limit_wd == 45
    assert [s.time_limit_wd for s in pension.steps if s.time_limit_wd] == [15, 15, 15, 15]
    assert pension.required_documents == {"written_application"}


def test_a_catalogue_row_without_a_source_is_refused_with_its_row() -> None:
    frame = catalogue.read_frame("catalogue_jjj.csv")
    frame.loc[2, "source_url"] = ""
    with pytest.raises(InputError) as err:
        catalogue.load_catalogue(frame)
    assert "row 3" in str(err.value) and "source_url" in str(err.value)


def test_unknown_modes_and_duplicate_codes_are_refused() -> None:
    frame = catalogue.read_frame("catalogue_jjj.csv")
    frame.loc[0, "mode"] = "by fax"
    frame.loc[1, "code"] = frame.loc[2, "code"]
    with pytest.raises(InputError) as err:
        catalogue.load_catalogue(frame)
    text = str(err.value)
    assert "unknown Mode" in text and "duplicate item code" in text


def test_recognition_answers_with_the_entry_and_the_version_consulted() -> None:
    answer = recognition.is_recognised(
        catalogue="jjjl_clinical_tests",
        item="ALT",
        issuer="a hospital",
        issued_in="131000",
        used_in="110000",
        on=dt.date(2025, 6, 1),
    )
    assert answer.recognised and answer.version == "2023-2024"
    assert answer.entry is not None and answer.entry.item_name_zh == "丙氨酸氨基转移酶"
    assert not answer.issuer_checked  # the participants list is not bundled
    assert "7th batch" in answer.note


def test_recognition_says_no_entry_and_which_version_it_consulted() -> None:
    answer = recognition.is_recognised(
        catalogue="jjjl_clinical_tests",
        item="not-a-test",
        issuer="a hospital",
        issued_in="120000",
        used_in="130000",
        on=dt.date(2025, 6, 1),
    )
    assert not answer.recognised and answer.entry is None
    assert answer.version == "2023-2024" and "no entry" in answer.reason
    before = recognition.is_recognised(
        catalogue="jjjl_clinical_tests",
        item="ALT",
        issuer="a hospital",
        issued_in="120000",
        used_in="130000",
        on=dt.date(2024, 12, 31),
    )
    assert not before.recognised and before.version is None


def test_recognition_checks_the_issuer_when_participants_are_given() -> None:
    kwargs = {
        "catalogue": "jjjl_clinical_tests",
        "item": "K",
        "issued_in": "120000",
        "used_in": "110000",
        "on": dt.date(2025, 6, 1),
    }
    listed = frozenset({"Hospital A (test)"})
    assert recognition.is_recognised(
        issuer="Hospital A (test)", participants={"2023-2024": listed}, **kwargs
    ).issuer_checked
    refused = recognition.is_recognised(issuer="Hospital B (test)", participants={"2023-2024": listed}, **kwargs)
    assert not refused.recognised and "not a participant" in refused.reason


def test_transport_card_recognition_depends_on_issuer_and_direction() -> None:
    common = {"catalogue": "jjj_transport_cards", "item": "jiaotong_lianhe_card_beijing", "on": dt.date(2017, 1, 1)}
    ok = recognition.is_recognised(issuer="北京市政交通一卡通有限公司", issued_in="110000", used_in="131000", **common)
    assert ok.recognised and not ok.entry.confirmed  # type: ignore[union-attr]
    assert not recognition.is_recognised(
        issuer="another issuer", issued_in="110000", used_in="120000", **common
    ).recognised
    assert not recognition.is_recognised(
        issuer="北京市政交通一卡通有限公司", issued_in="110000", used_in="110000", **common
    ).recognised


def test_partnerships_get_travel_times_from_an_indicator_frame() -> None:
    # readings constructed for the test (the transport domain publishes the real ones)
    readings = pd.DataFrame(
        {"origin": ["110000", "133100"], "destination": ["130700", "110000"], "travel_time_min": [56.0, 50.0]}
    )
    out = partnerships.attach_travel_time(partnerships.bundled_partnerships(), readings)
    zjk = out[out["id"] == "JJJ-PT-001"].iloc[0]
    assert (zjk["travel_time_min"], zjk["travel_time_basis"]) == (56.0, "a to b")
    xiongan = out[out["id"] == "JJJ-PT-013"].iloc[0]
    assert (xiongan["travel_time_min"], xiongan["travel_time_basis"]) == (50.0, "b to a (reverse)")
    same = out[out["id"] == "JJJ-PT-021"].iloc[0]
    assert (same["travel_time_min"], same["travel_time_basis"]) == (0.0, "same city")
    alliance = out[out["id"] == "JJJ-PT-022"]
    assert len(alliance) == 2  # Beijing-Tianjin and Beijing-Shijiazhuang
    assert alliance["travel_time_basis"].eq("no reading").all()


def test_partnership_rows_need_city_codes_and_sources() -> None:
    frame = partnerships.bundled_partnerships()
    frame.loc[0, "b_city"] = "Zhangjiakou"
    frame.loc[1, "source_date"] = ""
    with pytest.raises(InputError) as err:
        partnerships.check_partnerships(frame)
    assert "row 1" in str(err.value) and "row 2" in str(err.value)
