"""CSV reading shared by the industry readers: leading ``#`` comment lines are skipped and counted, so
that row numbers in problems are line numbers of the file."""

from __future__ import annotations

import io
from pathlib import Path
from typing import IO

import pandas as pd

from xietong.errors import InputError, Location
from xietong.inputs import CSV_ERRORS, csv_error, read_input_text


def read_text_csv(data: str | Path | IO[str], *, source: str | None) -> tuple[pd.DataFrame, int]:
    """All cells as text (empty cells as ``""``) and the file line of the first data row."""
    text = read_input_text(data, source=source) if isinstance(data, (str, Path)) else data.read()
    if not text.strip():
        raise InputError("the file is empty", expected="a CSV header line, then data rows", where=Location(source, 1))
    lines = text.splitlines()
    skip = 0
    while skip < len(lines) and lines[skip].lstrip().startswith("#"):
        skip += 1
    try:
        df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, skiprows=skip)
    except CSV_ERRORS as exc:
        raise csv_error(exc, source=source) from None
    return df, skip + 2
