"""Shared plumbing of the ``xietong`` command: settings, the acting principal, output and errors."""

from __future__ import annotations

import csv
import io
import json
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar

import pandas as pd
import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from xietong.config import Settings
from xietong.errors import XietongError
from xietong.exchange.bootstrap import open_store, operator
from xietong.exchange.idempotency import AlreadyAppliedError
from xietong.exchange.principals import Principal, authenticate
from xietong.store.session import Store

#: exit code for errors in the user's input or request (as documented in --help)
EXIT_USAGE = 2
T = TypeVar("T")

stderr = Console(stderr=True, highlight=False)


#: ``--token``: act as that token's principal (shared by every command that reads or writes the store).
TokenOpt = Annotated[
    str | None,
    typer.Option(
        "--token", envvar="XIETONG_TOKEN", help="Act as this token's principal instead of the local operator."
    ),
]
#: ``--json``: one JSON document on stdout.
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]


@dataclass
class AppState:
    """What the global options resolve to; stored on the Typer context."""

    data_dir: Path | None = None
    database_url: str | None = None
    _settings: Settings | None = None
    _store: Store | None = None
    _stores: list[Store] = field(default_factory=list)

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = Settings.from_env(data_dir=self.data_dir, database_url=self.database_url)
        return self._settings

    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = open_store(self.settings)
        return self._store

    def principal(self, token: str | None) -> Principal:
        """The principal a command acts as: the token's, or the local operator's.

        A command run on the machine that holds the store acts as the built-in region-level
        ``operator`` (every write is still in the audit log under that name); ``--token`` (or
        ``XIETONG_TOKEN``) makes it act as a specific principal with that token's scopes.
        """
        token = token or os.environ.get("XIETONG_TOKEN")
        if token:
            with self.store.read() as conn:
                return authenticate(conn, token)
        return operator(self.store)

    def close(self) -> None:
        if self._store is not None:
            self._store.dispose()


def state(ctx: typer.Context) -> AppState:
    obj = ctx.find_root().obj
    if not isinstance(obj, AppState):
        obj = AppState()
        ctx.find_root().obj = obj
    return obj


def fail(exc: XietongError) -> NoReturn:
    # the message is text, not markup: "xietong[streets]" or a "[C:S12]" tag must print as written
    stderr.print(f"[bold red]error:[/] {escape(exc.describe())}", markup=True, soft_wrap=True)
    raise typer.Exit(EXIT_USAGE)


@contextmanager
def errors_as_exit() -> Iterator[None]:
    """Turn Xietong errors into a message on stderr and exit code 2."""
    try:
        yield
    except AlreadyAppliedError as exc:  # a retry with --idempotency-key of a write that committed
        stderr.print(f"already applied: {exc.describe()}", markup=False, soft_wrap=True)
        raise typer.Exit(0) from None
    except XietongError as exc:
        fail(exc)


def run(fn: Callable[[], T]) -> T:
    with errors_as_exit():
        return fn()


# -- output ----------------------------------------------------------------------------------------


def echo_json(value: Any) -> None:
    typer.echo(json.dumps(value, ensure_ascii=False, indent=2, default=str))


def frame_to_csv(frame: pd.DataFrame) -> str:
    buf = io.StringIO()
    frame.to_csv(buf, index=False, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    return buf.getvalue()


def _cell(value: Any) -> str:
    """A table cell: blank for a missing value (``None``, NaN, ``pd.NA``, ``NaT``), never "nan"."""
    if value is None or (not isinstance(value, (str, bytes, list, tuple, dict)) and pd.isna(value)):
        return ""
    return str(value)


def print_table(
    rows: Sequence[dict[str, Any]], columns: Sequence[str], title: str | None = None, *, min_width: int = 0
) -> None:
    """A table on stdout; ``min_width`` widens it beyond a non-terminal's default 80 columns."""
    table = Table(title=title, show_lines=False, header_style="bold")
    for c in columns:
        table.add_column(c)
    for row in rows:
        table.add_row(*[_cell(row.get(c)) for c in columns])
    console = Console(highlight=False)
    if min_width > console.width:
        console = Console(highlight=False, width=min_width)
    console.print(table)


def write_stdout(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


__all__ = [
    "EXIT_USAGE",
    "AppState",
    "JsonOpt",
    "TokenOpt",
    "echo_json",
    "errors_as_exit",
    "fail",
    "frame_to_csv",
    "print_table",
    "run",
    "state",
    "write_stdout",
]
