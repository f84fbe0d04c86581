"""Backup and restore of the store, while the server runs.

- **SQLite** (the embedded store): SQLite's online backup API (``sqlite3.Connection.backup``) copies the
  database page by page inside one read transaction, so the copy is the state of one moment even while
  writers commit (WAL mode lets them go on). The backup file is itself an SQLite database.
- **PostgreSQL**: ``pg_dump --format=custom`` (one repeatable-read snapshot; writers are not blocked) and
  ``pg_restore --single-transaction`` (all or nothing). The client binaries come from ``PATH`` or from
  Debian's ``/usr/lib/postgresql/<version>/bin``.

A restore goes into the store in effect (the data directory's SQLite file, or ``XIETONG_DATABASE_URL``)
and refuses to overwrite a store that already holds audit entries unless told to (``replace=True``). Both
kinds of backup are checked before anything is written (SQLite ``PRAGMA integrity_check``,
``pg_restore --list``). A backup cannot be restored across engines.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from xietong.errors import ConflictError, InputError, Location, StoreError
from xietong.store.session import Store

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"
#: pages copied per step of the SQLite backup (-1: all in one step, one consistent read transaction)
_ALL_PAGES = -1


@dataclass(frozen=True, slots=True)
class BackupResult:
    """What a backup or restore did, for the CLI's report."""

    path: Path
    engine: str
    size_bytes: int
    audit_entries: int

    def describe(self, verb: str) -> str:
        return (
            f"{verb} {self.engine} store {'to' if verb == 'backed up' else 'from'} {self.path} "
            f"({self.size_bytes:,} bytes, {self.audit_entries} audit entries)"
        )


def _audit_entries(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        if not sa.inspect(conn).has_table("audit_log"):
            return 0
        return int(conn.exec_driver_sql("SELECT count(*) FROM audit_log").scalar_one())


def _sqlite_path(store: Store) -> Path:
    database = store.engine.url.database
    if not database or database == ":memory:":
        raise StoreError("this SQLite store has no file to back up", given=store.url_for_display)
    return Path(database)


def pg_binary(name: str) -> str:
    """Path of a PostgreSQL client binary (``pg_dump``, ``pg_restore``): ``PATH`` first, then Debian's."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), key=lambda p: p.parts[-3])
    if candidates:
        return str(candidates[-1])
    raise StoreError(
        f"{name} is not installed",
        expected=f"the PostgreSQL client program {name} on PATH",
        given="none found on PATH or under /usr/lib/postgresql/*/bin",
        hint="install the Debian package postgresql-client (or postgresql)",
    )


def _libpq(store: Store) -> tuple[str, dict[str, str]]:
    """A libpq connection URI without the password, and the environment that carries it (PGPASSWORD)."""
    url = make_url(store.engine.url.render_as_string(hide_password=False))
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _run(args: list[str], env: dict[str, str], what: str) -> None:
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # noqa: S603 - our own binaries
    if done.returncode != 0:
        raise StoreError(
            f"{what} failed",
            expected=f"{Path(args[0]).name} to exit 0",
            given=(done.stderr.strip() or done.stdout.strip() or f"exit {done.returncode}")[:500],
        )


def backup(store: Store, target: Path) -> BackupResult:
    """Write a consistent copy of the store to ``target`` (replaced atomically when it exists)."""
    target = target.expanduser().resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        if store.dialect == "sqlite":
            source = sqlite3.connect(_sqlite_path(store), timeout=60)
            copy = sqlite3.connect(partial)
            try:
                source.backup(copy, pages=_ALL_PAGES)
            finally:
                copy.close()
                source.close()
        else:
            uri, env = _libpq(store)
            _run([pg_binary("pg_dump"), "--format=custom", f"--file={partial}", f"--dbname={uri}"], env, "pg_dump")
        os.chmod(partial, 0o600)  # the backup holds what the store holds
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    entries = _audit_entries(_engine_for(target)) if store.dialect == "sqlite" else _audit_entries(store.engine)
    return BackupResult(target, store.dialect, target.stat().st_size, entries)


def _engine_for(sqlite_file: Path) -> sa.Engine:
    return sa.create_engine(f"sqlite:///{sqlite_file}")


def kind_of(path: Path) -> str:
    """``sqlite`` or ``postgresql``: the engine a backup file was taken from (by its first bytes)."""
    try:
        with path.open("rb") as fh:
            head = fh.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise InputError(
            "cannot read the backup file", given=f"{path}: {exc.strerror}", where=Location(str(path))
        ) from None
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PG_DUMP_MAGIC):
        return "postgresql"
    raise InputError(
        "not a Xietong backup",
        expected="a file written by `xietong db backup` (an SQLite database or a pg_dump custom archive)",
        given=repr(head[:16]),
        where=Location(str(path)),
    )


def _check_sqlite_backup(path: Path) -> None:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        verdict = con.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        con.close()
    if verdict != "ok":
        raise InputError("the backup file is damaged", expected="PRAGMA integrity_check = ok", given=str(verdict)[:300])


def restore(store: Store, source: Path, *, replace: bool = False) -> BackupResult:
    """Restore the backup ``source`` into the store in effect (see the module docstring)."""
    source = source.expanduser().resolve()
    kind = kind_of(source)
    if kind != store.dialect:
        raise InputError(
            "the backup is of another engine",
            expected=f"a {store.dialect} backup for the store in effect ({store.url_for_display})",
            given=f"a {kind} backup",
            where=Location(str(source)),
            hint="restore into a store of the same engine (set XIETONG_DATABASE_URL or XIETONG_DATA_DIR)",
        )
    held = _audit_entries(store.engine)
    if held and not replace:
        raise ConflictError(
            "the store in effect is not empty",
            expected="an empty store, or --replace to overwrite it",
            given=f"{held} audit entries at {store.url_for_display}",
            hint="restore into a fresh data directory or database, or stop the server and pass --replace",
        )
    if kind == "sqlite":
        _check_sqlite_backup(source)
        store.dispose()
        backup_con = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        target_con = sqlite3.connect(_sqlite_path(store), timeout=60)
        try:
            backup_con.backup(target_con, pages=_ALL_PAGES)
        finally:
            target_con.close()
            backup_con.close()
    else:
        uri, env = _libpq(store)
        binary = pg_binary("pg_restore")
        _run([binary, "--list", str(source)], env, "reading the backup (pg_restore --list)")
        args = [binary, "--single-transaction", "--no-owner", "--no-privileges", f"--dbname={uri}", str(source)]
        if held:
            args[1:1] = ["--clean", "--if-exists"]
        store.dispose()
        _run(args, env, "pg_restore")
    return BackupResult(source, kind, source.stat().st_size, _audit_entries(store.engine))


__all__ = ["BackupResult", "backup", "kind_of", "pg_binary", "restore"]
