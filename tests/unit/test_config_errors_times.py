"""Settings, the error tree and time parsing."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
import pytest

from xietong import errors
from xietong.config import Settings
from xietong.errors import InputError, Location, Problem, UnitError
from xietong.times import local_iso, parse_day, parse_when


def test_settings_default_to_the_embedded_store(tmp_path: Path) -> None:
    s = Settings.from_env({"XIETONG_DATA_DIR": str(tmp_path)})
    assert s.embedded
    assert s.url == f"sqlite:///{tmp_path / 'xietong.db'}"
    pg = Settings.from_env({"XIETONG_DATA_DIR": str(tmp_path), "XIETONG_DATABASE_URL": "postgresql://u@h/db"})
    assert pg.url == "postgresql+psycopg://u@h/db"
    assert not pg.embedded


def test_settings_refuse_bad_values(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="PostgreSQL or SQLite"):
        Settings.from_env({"XIETONG_DATA_DIR": str(tmp_path), "XIETONG_DATABASE_URL": "mysql://x"})
    with pytest.raises(InputError, match="yes/no"):
        Settings.from_env({"XIETONG_DATA_DIR": str(tmp_path), "XIETONG_ANONYMOUS_READ": "maybe"})


def test_every_error_is_a_xietong_error_and_a_builtin() -> None:
    for name in errors.__all__:
        cls = getattr(errors, name)
        if isinstance(cls, type) and issubclass(cls, Exception) and cls is not errors.XietongError:
            assert issubclass(cls, errors.XietongError), name
            assert any(b in cls.__mro__ for b in (ValueError, KeyError, PermissionError, RuntimeError, ImportError)), (
                name
            )


def test_messages_say_expected_given_where_and_how() -> None:
    exc = UnitError(
        "CO = 300 looks like µg/m³",
        expected="mg/m³",
        given="300",
        where=Location("feed.csv", 17, "CO"),
        hint="divide by 1000",
    )
    assert (
        str(exc)
        == "CO = 300 looks like µg/m³; expected mg/m³, given 300 (feed.csv, row 17, field 'CO'). divide by 1000"
    )


def test_refusing_a_batch_keeps_the_specific_class() -> None:
    p = Problem("bad CO", Location("f.csv", 2, "CO"), kind=UnitError)
    single = InputError.refuse([p], summary="1 problem")
    assert type(single) is UnitError
    assert "nothing was written" in str(single)
    mixed = InputError.refuse([p, Problem("other", Location("f.csv", 3))], summary="2 problems")
    assert type(mixed) is InputError
    assert "  - bad CO" in str(mixed)


def test_a_day_means_its_hour_labels_01_to_24_cst() -> None:
    assert parse_when("2016-12-16") == datetime(2016, 12, 15, 17, tzinfo=UTC)  # 01:00 +08:00
    assert parse_when("2016-12-16", end=True) == datetime(2016, 12, 16, 16, tzinfo=UTC)  # 24:00 +08:00
    assert parse_when("2016-12-16T08:00+08:00") == datetime(2016, 12, 16, 0, tzinfo=UTC)
    with pytest.raises(InputError, match="without a time zone"):
        parse_when("2016-12-16T08:00")
    with pytest.raises(InputError, match="not a date or time"):
        parse_when("yesterday")


def test_local_iso_shows_china_standard_time() -> None:
    s = pd.Series(pd.to_datetime(["2016-12-16T00:00Z"], utc=True))
    assert local_iso(s).tolist() == ["2016-12-16T08:00:00+08:00"]


def test_a_day_outside_the_accepted_years_is_refused_by_its_option_not_an_overflow() -> None:
    assert parse_day(" 2026-03-10 ", option="--from") == date(2026, 3, 10)
    for text in ("9999-12-31", "0001-01-01"):
        with pytest.raises(InputError, match="--to: year out of range"):
            parse_day(text, option="--to")
    with pytest.raises(InputError, match="--to: not a date"):
        parse_day("2026-3-10", option="--to")


def test_an_aqi_period_at_the_limits_of_the_calendar_is_an_input_error() -> None:
    from xietong.air.reports import AqiRequest, Level, ReportKind, read_window

    for first, last in ((date(1, 1, 1), date(2026, 1, 1)), (date(2026, 1, 1), date(9999, 12, 31))):
        with pytest.raises(InputError, match="year out of range"):
            read_window(AqiRequest(Level.STATION, ReportKind.HOURLY, first, last))
