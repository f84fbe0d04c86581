"""Opening the store, transactions, and schema migrations.

One :class:`Store` wraps one SQLAlchemy engine. The embedded default is a SQLite file in the data
directory (WAL journal, foreign keys on, writers serialised with ``BEGIN IMMEDIATE``); production is
PostgreSQL through ``XIETONG_DATABASE_URL``. The same code runs on both.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection, Engine

from xietong import domains
from xietong.config import Settings
from xietong.errors import InputError, StoreError, StoreFullError, StoreUnavailableError, XietongError


def _migrations_dir() -> Path:
    return Path(str(resources.files("xietong.store").joinpath("migrations")))


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic configuration for Xietong's migrations (no ``alembic.ini`` needed).

    The version locations are the platform's (``xietong/store/migrations/versions``) and each installed
    domain's migrations package (a branch labelled with the domain's name, see :mod:`xietong.domains`).
    """
    cfg = Config()
    cfg.set_main_option("script_location", str(_migrations_dir()))
    locations = [_migrations_dir() / "versions", *domains.migration_dirs()]
    cfg.set_main_option("path_separator", "os")
    cfg.set_main_option("version_locations", os.pathsep.join(str(p) for p in locations))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def format_revisions(revisions: tuple[str, ...]) -> str:
    """Heads as people read them: ``0005`` or ``0005+trading_0001``; ``""`` for an empty schema."""
    return "+".join(sorted(revisions))


class Store:
    """The database behind one Xietong installation.

    Use :meth:`read` for read-only work and :meth:`write` for a transaction that writes; both are
    context managers yielding a :class:`sqlalchemy.engine.Connection` and commit on success, roll back
    on any exception.
    """

    def __init__(self, settings: Settings, *, engine: Engine | None = None) -> None:
        self.settings = settings
        if engine is None:
            engine = _create_engine(settings)
        self.engine = engine

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    @property
    def url_for_display(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A read transaction (a consistent snapshot on PostgreSQL and in SQLite WAL mode).

        A database that cannot be reached raises :class:`~xietong.errors.StoreUnavailableError`, a full disk
        :class:`~xietong.errors.StoreFullError` (see :func:`database_failure`)."""
        try:
            with self.engine.connect() as conn, conn.begin():
                yield conn
        except sa.exc.DBAPIError as exc:
            failure = database_failure(exc, self.url_for_display)
            if failure is None:
                raise
            raise failure from exc

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A write transaction: all-or-nothing. On SQLite the write lock is taken at the start."""
        try:
            with self.engine.connect().execution_options(xietong_write=True) as conn, conn.begin():
                yield conn
        except sa.exc.DBAPIError as exc:
            failure = database_failure(exc, self.url_for_display)
            if failure is None:
                raise
            raise failure from exc

    # -- schema -------------------------------------------------------------------------------
    def current_revision(self) -> str | None:
        """The schema's revision heads joined by ``+`` (one per branch: platform and domains); ``None`` if empty.

        A branch head that is applied only as the ``depends_on`` of another branch's revision (a domain
        branch based on the platform's newest revision) is not stored by Alembic as a head of its own; it
        is reported here all the same, so that a store at head reports :meth:`head_revision`.
        """
        with self.engine.connect() as conn:
            heads = MigrationContext.configure(conn).get_current_heads()
        if not heads:
            return None
        script = ScriptDirectory.from_config(alembic_config())
        implied = set(script.get_heads()) & _with_ancestors(script, heads)
        return format_revisions(tuple(sorted(set(heads) | implied)))

    def at_head(self) -> bool:
        """Whether every branch's head is applied (a revision that depends on another branch's revision
        implies it, so the stored heads can be fewer than the branches)."""
        with self.engine.connect() as conn:
            current = MigrationContext.configure(conn).get_current_heads()
        script = ScriptDirectory.from_config(alembic_config())
        applied = _with_ancestors(script, current)
        return set(script.get_heads()) <= applied

    def head_revision(self) -> str:
        """The heads this installation's platform and domains need, joined by ``+``."""
        heads = ScriptDirectory.from_config(alembic_config()).get_heads()
        if not heads:  # pragma: no cover - the package always ships migrations
            raise StoreError("no migrations found in the installed package")
        return format_revisions(tuple(heads))

    def upgrade(self) -> tuple[str | None, str]:
        """Migrate the schema to the newest revision of every branch; returns (before, after)."""
        before = self.current_revision()
        with self.engine.begin() as conn:
            command.upgrade(alembic_config(conn), "heads")
        return before, self.head_revision()

    def ensure_schema(self, *, auto_upgrade: bool | None = None) -> None:
        """Make sure the schema is at head.

        The embedded SQLite store upgrades itself (``auto_upgrade`` defaults to ``True`` there); a
        PostgreSQL store must be upgraded explicitly with ``xietong db upgrade``.
        """
        if auto_upgrade is None:
            auto_upgrade = self.settings.embedded
        if self.at_head():
            return
        current = self.current_revision()
        head = self.head_revision()
        if auto_upgrade:
            self.upgrade()
            return
        raise StoreError(
            "the store's schema is not at the version this Xietong needs",
            expected=f"schema revision {head}",
            given=f"{current or 'an empty database'} at {self.url_for_display}",
            hint="run `xietong db upgrade` (take a backup first on a production database)",
        )

    def dispose(self) -> None:
        self.engine.dispose()


#: SQLSTATE codes and classes of PostgreSQL that mean "the server cannot serve now": class 08 (connection
#: exception), 57P01–57P03 (admin shutdown, crash shutdown, cannot connect now: starting up or shutting down)
_PG_UNAVAILABLE = ("08", "57P01", "57P02", "57P03", "53300")
#: SQLSTATE of a full disk (53100 disk_full) and of a write past a size limit (53400 configuration_limit_exceeded)
_PG_FULL = ("53100", "53400")
#: SQLSTATE 22003 numeric_value_out_of_range (e.g. 2^31 as an integer id)
_PG_OUT_OF_RANGE = "22003"
#: SQLite's messages for SQLITE_FULL, and for the store being unreachable (locked past the busy timeout, I/O)
_SQLITE_FULL = ("database or disk is full",)
_SQLITE_UNAVAILABLE = ("database is locked", "unable to open database file", "disk i/o error")


def database_failure(exc: sa.exc.DBAPIError, where: str) -> XietongError | None:
    """The Xietong error for a database failure that is not a bug: the server unreachable or restarting
    (:class:`StoreUnavailableError`, retry later), or the disk full (:class:`StoreFullError`).
    ``None`` for anything else (a bug, which stays a bug)."""
    orig = exc.orig
    sqlstate = str(getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None) or "")
    message = str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
    if sqlstate == _PG_OUT_OF_RANGE:  # a number a column cannot hold that no check caught before the store
        return InputError(
            "a number is out of the range its column holds; nothing was written",
            expected="a value within the column's type (ids and counters are 32-bit integers)",
            given=message,
            hint="check the ids and numbers of the request",
        )
    if sqlstate.startswith(_PG_FULL) or any(m in message.lower() for m in _SQLITE_FULL):
        return StoreFullError(
            "the store is full: the transaction was rolled back and nothing was written",
            expected="free space on the store's disk",
            given=f"{message} ({where})",
            hint="free disk space (or raise the database's size limit) and send the same request again",
        )
    unavailable = (
        exc.connection_invalidated
        or sqlstate.startswith(_PG_UNAVAILABLE)
        or (sqlstate == "" and isinstance(exc, sa.exc.OperationalError) and "sqlite" not in type(orig).__module__)
        or any(m in message.lower() for m in _SQLITE_UNAVAILABLE)
    )
    if unavailable:
        return StoreUnavailableError(
            "the store cannot be reached now; nothing was written",
            expected="a database server that answers",
            given=f"{message} ({where})",
            hint="retry in a few seconds; the service reconnects by itself once the database is back",
        )
    return None


#: the embedded store is readable by its owner only: file 0600, folder 0700 (the WAL and shared-memory files
#: SQLite creates beside it take the file's mode)
SQLITE_FILE_MODE = 0o600
SQLITE_DIR_MODE = 0o700


def _tighten(path: Path, mode: int) -> None:
    if stat.S_IMODE(path.stat().st_mode) & ~mode:
        path.chmod(mode)


def protect_sqlite_file(path: Path) -> None:
    """Create the store file ``0600`` in a ``0700`` folder, or tighten existing ones to that."""
    try:
        path.parent.mkdir(mode=SQLITE_DIR_MODE, parents=True, exist_ok=True)
        _tighten(path.parent, SQLITE_DIR_MODE)
        os.close(os.open(path, os.O_CREAT | os.O_RDWR, SQLITE_FILE_MODE))
        for part in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            if part.exists():
                _tighten(part, SQLITE_FILE_MODE)
    except OSError as exc:
        raise StoreError(
            "cannot create or protect the store file",
            expected="a file this user owns (mode 0600) in a folder it owns (mode 0700)",
            given=f"{path}: {exc.strerror or exc}",
            hint="check the data directory (XIETONG_DATA_DIR) and its owner",
        ) from exc


def _with_ancestors(script: ScriptDirectory, revisions: tuple[str, ...]) -> set[str]:
    """``revisions`` and every revision they stand on: down revisions and ``depends_on`` dependencies."""
    seen: set[str] = set()
    stack = list(revisions)
    while stack:
        for rev in script.get_revisions(stack.pop()):
            if rev is None or rev.revision in seen:
                continue
            seen.add(rev.revision)
            for parent in (rev.down_revision, rev.dependencies):
                if parent:
                    stack.extend([parent] if isinstance(parent, str) else parent)
    return seen


def _create_engine(settings: Settings) -> Engine:
    url = settings.url
    if url.startswith("sqlite"):
        database = sa.engine.make_url(url).database
        if database and database != ":memory:" and not database.startswith("file:"):
            protect_sqlite_file(Path(database))
        engine = sa.create_engine(url, connect_args={"timeout": 60})
        _configure_sqlite(engine)
        return engine
    try:
        return sa.create_engine(url, pool_pre_ping=True)
    except Exception as exc:  # bad URL syntax, missing driver
        raise StoreError("cannot open the database", given=url, hint=f"check XIETONG_DATABASE_URL ({exc})") from exc


def _configure_sqlite(engine: Engine) -> None:
    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event below emit BEGIN, not pysqlite.
        dbapi_connection.isolation_level = None
        cur = dbapi_connection.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=60000")
        cur.execute("PRAGMA cache_size=-65536")
        cur.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = "IMMEDIATE" if conn.get_execution_options().get("xietong_write") else "DEFERRED"
        conn.exec_driver_sql(f"BEGIN {mode}")


__all__ = ["Store", "alembic_config", "database_failure", "format_revisions", "protect_sqlite_file"]
