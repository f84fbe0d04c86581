"""``xietong industry``: the acceptance commands (structure, similarity) on the committed panel extract, the
stored structure tables and their indicators, interest sharing, technology contracts and their indicator.

The panel extract is real (China City Statistical Yearbook figures, tests/data/NOTICE.md); the enterprises,
taxes and contracts are written for the tests."""

from __future__ import annotations

import csv
import io
import json
import math
from collections import defaultdict
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import DATA, Engine
from tests.integration.industry_helpers import write
from xietong.cli import app
from xietong.exchange.bootstrap import operator
from xietong.indicators import Context, default_registry
from xietong.store.clock import utcnow
from xietong.store.session import Store

pytestmark = pytest.mark.integration
PANEL = DATA / "industry" / "jjj_city_panel_extract_2013_2019_2020.csv"
CONTRACTS = DATA / "industry" / "tech_contracts_written_for_tests.csv"
SECTORS = {"gdp_primind": "primary", "gdp_secind": "secondary", "gdp_terind": "tertiary"}


def xietong(engine: Engine, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), env={**engine.env, "COLUMNS": "200"}, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def _plain_values(year: int) -> dict[str, dict[str, float]]:
    """city → sector → value, read with the csv module (an independent reading of the file)."""
    out: dict[str, dict[str, float]] = defaultdict(dict)
    with PANEL.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if int(row["year"]) == year:
                for column, sector in SECTORS.items():
                    out[row["city_id"]][sector] = float(row[column])
    return out


def test_structure_csv_equals_a_plain_computation(engine: Engine) -> None:
    code, out, err = xietong(
        engine, "industry", "structure", "--panel", str(PANEL), "--year", "2019", "--format", "csv"
    )
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert {"city", "sector", "share", "lq"} <= set(rows[0])
    values = _plain_values(2019)
    sector_total = {s: sum(v[s] for v in values.values()) for s in SECTORS.values()}
    grand = sum(sector_total.values())
    assert len(rows) == 3 * len(values) == 39
    for r in rows:
        city = values[r["city"]]
        share = city[r["sector"]] / sum(city.values())
        assert math.isclose(float(r["share"]), 100 * share, rel_tol=1e-9)
        assert math.isclose(float(r["lq"]), share / (sector_total[r["sector"]] / grand), rel_tol=1e-9)


def test_similarity_csv_is_the_cosine_of_the_share_vectors(engine: Engine) -> None:
    code, out, err = xietong(
        engine, "industry", "similarity", "--panel", str(PANEL), "--year", "2019", "--format", "csv"
    )
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 78 and {"city_a", "city_b", "similarity"} <= set(rows[0])
    values = _plain_values(2019)

    def shares(c: str) -> list[float]:
        total = sum(values[c].values())
        return [values[c][s] / total for s in SECTORS.values()]

    for r in rows:
        a, b = shares(r["city_a"]), shares(r["city_b"])
        cosine = sum(x * y for x, y in zip(a, b, strict=True)) / math.sqrt(
            sum(x * x for x in a) * sum(y * y for y in b)
        )
        assert math.isclose(float(r["similarity"]), cosine, rel_tol=1e-12)


def test_an_inconsistent_panel_row_is_refused_with_file_row_and_field(engine: Engine, tmp_path: Path) -> None:
    text = PANEL.read_text("utf-8").splitlines()
    header = text[0].split(",")
    cells = text[5].split(",")  # file line 6: a 2013 row
    cells[header.index("gdpct03")] = "70"  # shares no longer add up to 100
    bad = write(tmp_path / "panel_altered_for_the_test.csv", "\n".join([*text[:5], ",".join(cells), *text[6:]]) + "\n")
    code, _, err = xietong(engine, "industry", "structure", "--panel", str(bad), "--year", "2013", "--format", "csv")
    assert code == 2 and "panel_altered_for_the_test.csv, row 6, field 'share'" in err and "do not add up to 100" in err
    # the same row does not block another year, and is named as a note
    code, out, err = xietong(engine, "industry", "structure", "--panel", str(bad), "--year", "2019", "--format", "csv")
    assert code == 0 and "rows of other years" in err and "rows 6" in err and out.count("\n") == 40
    code, _, err = xietong(engine, "industry", "import-structure", str(bad))
    assert code == 2 and "row 6" in err


def test_stored_structure_serves_the_commands_and_the_indicators(engine: Engine, store: Store) -> None:
    code, out, err = xietong(engine, "industry", "import-structure", str(PANEL), "--year", "2019", "--year", "2013")
    assert code == 0, err
    assert json.loads(out)["new"] == 2 * 13 * 7  # 3 values, the total and 3 reported shares per city and year
    code, out, _ = xietong(engine, "industry", "import-structure", str(PANEL), "--year", "2019")
    assert json.loads(out)["unchanged"] == 13 * 7
    code, stored, _ = xietong(engine, "industry", "similarity", "--year", "2019", "--format", "csv")
    _, from_file, _ = xietong(
        engine, "industry", "similarity", "--panel", str(PANEL), "--year", "2019", "--format", "csv"
    )
    assert code == 0 and stored == from_file
    code, _, err = xietong(engine, "industry", "structure", "--year", "2020")
    assert code == 2 and "no structure table stored for 2020" in err and "2013, 2019" in err
    ctx = Context(store, {"city_a": "110000", "city_b": "120000", "year": "2019"}, operator(store), utcnow())
    reading = default_registry().get("industry.structure_similarity").compute(ctx)
    pair = next(r for r in csv.DictReader(io.StringIO(stored)) if (r["city_a"], r["city_b"]) == ("110000", "120000"))
    assert reading.value is not None and math.isclose(reading.value, float(pair["similarity"]), rel_tol=1e-12)
    code, out, _ = xietong(engine, "industry", "shift-share", "--base", "2013", "--end", "2019", "--format", "json")
    parts = json.loads(out)
    assert code == 0 and all(
        math.isclose(
            p["national_share"] + p["industry_mix"] + p["competitive"], p["change"], rel_tol=1e-9, abs_tol=1e-3
        )
        for p in parts
    )


def test_sharing_statement_per_jurisdiction(engine: Engine, tmp_path: Path) -> None:
    # the worked example of docs/industry.md: enterprises and amounts written for the example
    ent = write(tmp_path / "enterprises.csv", "# written for the test\nenterprise,origin,destination,start_year,"
                "pre_move_local_cny,government_led\nE1,110000,130200,2017,90000000,true\n"
                "E2,110000,131000,2017,200000000,true\n")  # fmt: skip
    rows = [
        f"{e},{y},{t},{a}" for e in ("E1", "E2") for y in range(2017, 2024) for t, a in (("vat", 8e7), ("cit", 5e7))
    ]
    tax = write(tmp_path / "taxes.csv", "enterprise,year,tax,paid_cny\n" + "\n".join(rows) + "\n")
    code, out, err = xietong(engine, "industry", "sharing", "--enterprises", str(ent), "--taxes", str(tax),
                             "--statement", "--format", "csv")  # fmt: skip
    assert code == 0, err
    statement = {(r["jurisdiction"], r["year"]): float(r["total_cny"]) for r in csv.DictReader(io.StringIO(out))}
    assert statement[("110000", "2017")] == 60e6 and statement[("110000", "2020")] == 30e6
    assert statement[("130200", "2020")] == 60e6 and statement[("131000", "2020")] == 30e6
    assert "tax_sharing_jjj-2015.period_counting" in err  # the unconfirmed rule row is named
    code, _, err = xietong(engine, "industry", "sharing", "--enterprises", str(ent), "--taxes", str(tax), "--strict")
    assert code == 2 and "not confirmed" in err
    bad = write(tmp_path / "bad_taxes.csv", "enterprise,year,tax,paid_cny\nE1,2017,vat,80000000\nE1,2018,salt,1\n")
    code, _, err = xietong(engine, "industry", "sharing", "--enterprises", str(ent), "--taxes", str(bad))
    assert code == 2 and "bad_taxes.csv, row 3, field 'tax'" in err


def test_contracts_flow_and_the_beijing_indicator(engine: Engine, store: Store, tmp_path: Path) -> None:
    code, out, err = xietong(engine, "industry", "transfer", "import", str(CONTRACTS))
    assert code == 0 and json.loads(out)["new"] == 7, err
    code, out, _ = xietong(engine, "industry", "transfer", "beijing", "--format", "csv")
    by_year = {r["year"]: r for r in csv.DictReader(io.StringIO(out))}
    # 2023: C001 12 M to Tianjin; C002 8 M to Baoding and C003 2.5 M to Tangshan (Hebei); C005 goes to Shanghai
    assert float(by_year["2023"]["to_tianjin_cny"]) == 12e6 and float(by_year["2023"]["to_hebei_cny"]) == 10.5e6
    ctx = Context(store, {"year": "2023"}, operator(store), utcnow())
    reading = default_registry().get("industry.tech_contracts_beijing_to_tianjin_hebei_cny").compute(ctx)
    assert reading.value == 22.5e6 and reading.details["contracts"] == 3
    code, out, _ = xietong(engine, "industry", "transfer", "flows", "--year", "2023", "--matrix", "--format", "csv")
    assert code == 0 and out.startswith("from,")
    bad = write(tmp_path / "bad_contracts.csv", CONTRACTS.read_text("utf-8").replace("2023-03-15", "2023-13-45"))
    code, _, err = xietong(engine, "industry", "transfer", "import", str(bad))
    assert code == 2 and "bad_contracts.csv, row 3, field 'date'" in err
