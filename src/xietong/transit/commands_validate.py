"""``xietong transit validate``: the validation notices of a GTFS feed; the one-line notice summary the
other feed-reading commands print on stderr."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from xietong.cli._common import EXIT_USAGE, JsonOpt, echo_json, print_table, run
from xietong.transit.commands import app
from xietong.transit.notices import Notice, summary_line
from xietong.transit.validation import ValidationReport, validate_gtfs


def say_notices(notices: tuple[Notice, ...], name: str | Path) -> None:
    """One line on stderr (stdout stays machine-readable): how many notices the feed has, by severity."""
    typer.echo(summary_line(notices, str(name)), err=True)


@app.command("validate")
def validate(
    feed: Annotated[Path, typer.Argument(help="GTFS zip or directory.")],
    as_json: JsonOpt = False,
) -> None:
    """Check a GTFS feed with the codes and severities of the canonical GTFS validator (MobilityData).

    Prints one row per notice (severity, code, count, first location); ``--json`` prints
    ``{"feed", "usable", "counts", "notices": [{code, severity, count, samples}]}``. Exit 0 when the feed is
    usable (WARNING and INFO only: rows that reference nothing in optional files are dropped), 2 when an
    ERROR makes the routing commands refuse it (or the path is not a feed).
    """
    report: ValidationReport = run(lambda: validate_gtfs(feed))
    if as_json:
        echo_json(report.as_dict())
    else:
        rows = [
            {
                "severity": n.severity.value,
                "code": n.code.value,
                "count": n.count,
                "first": n.samples[0].describe() if n.samples else "",
            }
            for n in report.notices
        ]
        if rows:
            print_table(rows, ["severity", "code", "count", "first"], title=f"validation notices of {feed}")
        verdict = "usable" if report.usable else "refused (ERROR): the routing commands will not read it"
        typer.echo(f"{summary_line(report.notices, str(feed), hint=False)}\n{feed}: {verdict}")
    if not report.usable:
        raise typer.Exit(EXIT_USAGE)


__all__ = ["say_notices", "validate"]
