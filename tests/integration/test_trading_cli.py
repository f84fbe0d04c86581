"""``xietong trading``: the replay acceptance interface, the registry import, quotes, series and indicators.

The replays read the trimmed real samples in ``tests/data/trading`` (EUTL: 20 Austrian and Irish
installations; UK ETS: 30 rows of the 2025-06-11 compliance report; quotes: 47 rows of the pilot markets).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import DATA, Engine
from xietong.cli import app
from xietong.exchange.bootstrap import operator
from xietong.indicators import Context, default_registry
from xietong.store.clock import utcnow
from xietong.store.session import Store
from xietong.trading import read_eutl, read_uk_ets, replay_eutl, replay_uk_ets

pytestmark = pytest.mark.integration
EUTL = DATA / "trading" / "eutl_AT_IE_20"
UK = DATA / "trading" / "uk_ets_compliance_report_30.xlsx"
QUOTES = DATA / "trading" / "pilot_quotes_50.csv"


def xietong(engine: Engine, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), env={**engine.env, "COLUMNS": "200"}, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_replay_eutl_json_has_the_acceptance_keys_and_writes_the_mismatch_report(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = xietong(engine, "trading", "replay", str(EUTL), "--format", "eutl", "--json")
    assert code == 0, err
    result = json.loads(out)
    expected = replay_eutl(read_eutl(EUTL))
    assert (result["compared"], result["agreeing"]) == (expected.compared, expected.agreeing)
    assert result["agreement"] == pytest.approx(expected.agreeing / expected.compared)
    assert result["by_year"] == {str(y): a for y, a in expected.by_year.items()}
    report = tmp_path / "eutl_AT_IE_20-mismatches.md"
    assert "mismatch report written to eutl_AT_IE_20-mismatches.md" in err
    assert "## Mismatch classes" in report.read_text("utf-8")


def test_the_acceptance_command_needs_no_store(tmp_path: Path) -> None:
    empty = tmp_path / "no-store"
    env = {"XIETONG_DATA_DIR": str(empty), "XIETONG_DATABASE_URL": "", "COLUMNS": "200"}
    result = CliRunner().invoke(
        app, ["trading", "replay", str(EUTL), "--format", "eutl", "--json", "--no-report"], env=env
    )
    assert result.exit_code == 0 and json.loads(result.stdout)["compared"] > 0
    assert not empty.exists()  # nothing was opened or written


def test_replay_uk_json_and_csv_report(engine: Engine, tmp_path: Path) -> None:
    report = tmp_path / "uk.csv"
    code, out, _ = xietong(
        engine, "trading", "replay", str(UK), "--format", "uk-ets", "--year", "2024", "--json", "--report", str(report)
    )
    assert code == 0
    result = json.loads(out)
    expected = replay_uk_ets(read_uk_ets(UK), year=2024)
    assert (result["compared"], result["agreeing"], result["agreement"]) == (expected.compared, expected.agreeing, 1.0)
    assert result["by_year"] == {"2024": 1.0}
    assert report.read_text("utf-8").startswith("installation,year,published_code")


def test_replay_refuses_bad_input_with_exit_2(engine: Engine, tmp_path: Path) -> None:
    code, _, err = xietong(engine, "trading", "replay", str(UK), "--format", "uk-ets", "--no-report")
    assert code == 2 and "--year" in err
    (tmp_path / "eutl").mkdir()
    (tmp_path / "eutl" / "installations.csv").write_text(
        "account_id,initial_emissions_year,final_emissions_year,country\n1,2005,0,AT\n"
    )
    code, _, err = xietong(engine, "trading", "replay", str(tmp_path / "eutl"), "--format", "eutl", "--no-report")
    assert code == 2 and "EUTL table missing" in err and "allocated_allowances.csv" in err


def test_replay_into_the_store_gives_the_same_codes_from_the_store(engine: Engine, store: Store) -> None:
    code, out, err = xietong(
        engine, "trading", "replay", str(EUTL), "--format", "eutl", "--json", "--no-report", "--store"
    )
    assert code == 0, err
    imported = json.loads(out)["store"]
    assert imported["accounts_added"] == 20 and imported["written"] > 0
    again = json.loads(
        xietong(engine, "trading", "replay", str(EUTL), "--format", "eutl", "--json", "--no-report", "--store")[1]
    )
    assert again["store"]["written"] == 0 and again["store"]["accounts_added"] == 0  # the same tables twice: nothing
    code, out, _ = xietong(engine, "trading", "compliance", "--market", "eu_ets", "--json")
    from_store = {(r["installation"], r["year"]): r["code"] for r in json.loads(out)}
    replay = replay_eutl(read_eutl(EUTL))
    files = read_eutl(EUTL).installation_years
    coded = files.dropna(subset=["published_code"])
    compared = coded.loc[coded["published_code"].str[0].isin(["A", "B"]) & coded["year"].between(2005, 2019)]
    agree = sum(
        (from_store[(f"EU-{int(r.installation)}", int(r.year))] or "")[:1] == str(r.published_code)[0]
        for r in compared.itertuples()
    )
    assert (len(compared), agree) == (replay.compared, replay.agreeing)


def test_quotes_series_and_the_volume_indicator(engine: Engine, store: Store) -> None:
    code, out, err = xietong(engine, "trading", "quotes", "ingest", str(QUOTES), "--json")
    assert code == 0, err
    ingested = json.loads(out)
    assert ingested["n_problems"] == len(ingested["problems"]) > 0 and ingested["inserted"] == ingested["read"]
    assert all(p["row"] and p["source"] == QUOTES.name for p in ingested["problems"])
    assert (
        json.loads(xietong(engine, "trading", "quotes", "ingest", str(QUOTES), "--json")[1])["unchanged"]
        == ingested["read"]
    )
    code, _, err = xietong(engine, "trading", "quotes", "ingest", str(QUOTES), "--strict")
    assert code == 2 and "nothing was written" in err
    code, out, _ = xietong(engine, "trading", "series", "--market", "beijing", "--freq", "year", "--json")
    rows = json.loads(out)
    assert rows and all(r["market"] == "beijing" for r in rows)
    year = int(rows[-1]["period"])
    ind = default_registry().get("trading.volume_traded")
    reading = ind.compute(Context(store, ind.normalise({"market": "beijing", "year": year}), operator(store), utcnow()))
    assert reading.value == pytest.approx(rows[-1]["volume_t"])
    code, _, err = xietong(engine, "trading", "series", "--freq", "fortnight")
    assert code == 2 and "unknown frequency" in err
