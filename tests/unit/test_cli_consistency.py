"""The CLI is consistent: every ``--format`` has its choices from an enum, and a reversed period is refused."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import click
import pytest
import typer

from xietong.cli import app
from xietong.errors import InputError
from xietong.times import check_period


def _commands(group: click.Command, path: str = "xietong") -> list[tuple[str, click.Command]]:
    found = [(path, group)]
    if isinstance(group, click.Group):
        for name, sub in group.commands.items():
            found += _commands(sub, f"{path} {name}")
    return found


def test_every_format_option_offers_a_fixed_set_of_choices() -> None:
    """`--format xml` is refused by every command: the options are an enum (the only source of choices)."""
    loose = [
        path
        for path, command in _commands(typer.main.get_command(app))
        for param in command.params
        if isinstance(param, click.Option) and "--format" in param.opts and not isinstance(param.type, click.Choice)
    ]
    assert loose == []


def test_a_reversed_or_empty_period_is_refused_naming_both_options() -> None:
    start, end = datetime(2016, 12, 21, tzinfo=UTC), datetime(2016, 12, 16, tzinfo=UTC)
    with pytest.raises(InputError, match="reversed") as caught:
        check_period(start, end)
    assert "--from" in caught.value.describe() and "--to" in caught.value.describe()
    with pytest.raises(InputError, match="empty"):
        check_period(start, start)
    check_period(date(2016, 12, 16), date(2016, 12, 16))  # one day, both bounds inclusive
    check_period(start, None)  # an open period


def test_an_empty_result_says_why_and_a_reversed_period_exits_2(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    base = ["--data-dir", str(tmp_path / "data")]
    runner = CliRunner()
    assert runner.invoke(app, [*base, "db", "upgrade"]).exit_code == 0
    empty = runner.invoke(
        app, [*base, "air", "observations", "--station", "1003A", "--as-of", "2016-01-01T00:00+08:00"]
    )
    assert empty.exit_code == 0 and "no revision recorded before 2016-01-01T00:00+08:00" in empty.output
    for command in (["air", "observations"], ["water", "samples"]):
        reversed_ = runner.invoke(app, [*base, *command, "--from", "2016-12-21", "--to", "2016-12-16"])
        assert reversed_.exit_code == 2 and "reversed" in reversed_.output, reversed_.output
    xml = runner.invoke(app, [*base, "air", "observations", "--format", "xml"])
    assert xml.exit_code == 2


@pytest.mark.parametrize(
    "command",
    [
        ["trading", "series", "--from", "0001-01-01", "--to", "9999-12-31"],
        ["services", "working-days", "--start", "2026-01-05", "--end", "9999-12-31"],
        ["transit", "circle", "--centre", "石家庄", "--minutes", "90", "--date", "9999-01-01"],
        ["warn", "backtest", "--from", "0001-01-01", "--to", "2017-01-31"],
        ["air", "aqi", "--from", "0001-01-01", "--to", "9999-12-31"],
    ],
    ids=lambda c: " ".join(c[:2]),
)
def test_every_typed_day_is_bounded_to_the_years_the_platform_holds(tmp_path: Path, command: list[str]) -> None:
    """A day such as 9999-12-31 would overflow once shifted by a time zone or a day: refused, exit 2, naming the
    option (`times.parse_day`), before any work is done."""
    from typer.testing import CliRunner

    base = ["--data-dir", str(tmp_path / "data")]
    runner = CliRunner()
    assert runner.invoke(app, [*base, "db", "upgrade"]).exit_code == 0
    result = runner.invoke(app, [*base, *command])
    assert result.exit_code == 2, result.output
    assert "year out of range" in result.output and "1900 to 2199" in result.output
    assert not (tmp_path / "data" / "transit").exists()  # no feed was built for a refused date


def test_a_report_read_from_a_file_is_read_at_the_boundary(tmp_path: Path) -> None:
    """`--report @FILE`: a missing or GBK file is an input error (exit 2) naming the file, not a traceback."""
    from typer.testing import CliRunner

    base = ["--data-dir", str(tmp_path / "data")]
    runner = CliRunner()
    assert runner.invoke(app, [*base, "db", "upgrade"]).exit_code == 0
    gbk = tmp_path / "report_gbk.txt"
    gbk.write_bytes("关闭报告".encode("gbk"))  # written for this test
    for arg, words in ((f"@{tmp_path / 'missing.txt'}", "not found"), (f"@{gbk}", "not UTF-8")):
        result = runner.invoke(app, [*base, "water", "incident", "close", "1", "--report", arg])
        assert result.exit_code == 2 and words in result.output, result.output


def test_a_missing_value_prints_as_a_blank_cell_never_nan(capsys: pytest.CaptureFixture[str]) -> None:
    import numpy as np
    import pandas as pd

    from xietong.cli._common import print_table

    print_table(
        [{"city": "北京", "aqi": np.nan, "primary": pd.NA, "level": None}, {"city": "天津", "aqi": 0}],
        ["city", "aqi", "primary", "level"],
    )
    out = capsys.readouterr().out
    assert "nan" not in out.lower() and "<na>" not in out.lower() and "none" not in out.lower()
    assert "北京" in out and " 0 " in out  # a zero is a value, not a missing one


def test_a_file_without_any_task_is_refused_not_stored_as_an_empty_agreement(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    base = ["--data-dir", str(tmp_path / "data")]
    runner = CliRunner()
    assert runner.invoke(app, [*base, "db", "upgrade"]).exit_code == 0
    table = tmp_path / "stations.csv"  # written for this test: a table, not an agreement
    table.write_text("code,name,city\n1001A,万寿西宫,北京\n1002A,定陵,北京\n", encoding="utf-8")
    result = runner.invoke(app, [*base, "agreements", "import", str(table)])
    assert result.exit_code == 2 and "no task found" in result.output, result.output
    listed = runner.invoke(app, [*base, "agreements", "list", "--json"])
    assert listed.exit_code == 0 and "stations" not in listed.output
