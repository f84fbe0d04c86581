"""CSV reading shared by the industry readers: leading ``#`` comment lines are skipped and counted, so
that row numbers in problems are line numbers of the file."""

from __future__ import annotations

import io
from pathlib import Path
from typing import IO

import pandas as pd

from xietong.errors import InputError, Location


def read_text_csv(data: str | Path | IO[str], *, source: str | None) -> tuple[pd.DataFrame, int]:
    """All cells as text (empty cells as ``""``) and the file line of the first data row."""
    try:
        text = Path(data).read_text("utf-8-sig") if isinstance(data, (str, Path)) else data.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError("cannot read the file as UTF-8 text", given=str(exc), where=Location(source)) from exc
    lines = text.splitlines()
    skip = 0
    while skip < len(lines) and lines[skip].lstrip().startswith("#"):
        skip += 1
    try:
        df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, skiprows=skip)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError("cannot read the file as CSV", given=str(exc), where=Location(source)) from exc
    return df, skip + 2
