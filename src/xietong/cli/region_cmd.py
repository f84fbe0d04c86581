"""``xietong region``: the jurisdictions of the exchange."""

from __future__ import annotations

from typing import Annotated

import typer

from xietong import region
from xietong.cli._common import echo_json, print_table

app = typer.Typer(help="Jurisdictions and cities of the region.", no_args_is_help=True)


@app.command("list")
def list_regions(
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON array.")] = False,
    include_neighbours: Annotated[
        bool, typer.Option("--all", help="Also list the neighbouring provincial capitals (transport targets).")
    ] = False,
) -> None:
    """List the 15 jurisdictions (code, Chinese and English names, parent, representative point)."""
    items = region.places() if include_neighbours else region.jurisdictions()
    rows = [r.as_dict() for r in items]
    if as_json:
        echo_json(rows)
        return
    print_table(rows, ["code", "name_zh", "name_en", "level", "parent", "lon", "lat"], title="Jurisdictions")
