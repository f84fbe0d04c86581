"""One validated settings object, shared by the CLI, the API and the services.

Settings come from keyword arguments, then environment variables, then defaults. Nothing reads the
environment anywhere else.

==========================  =====================================================================
environment variable        meaning
==========================  =====================================================================
``XIETONG_DATA_DIR``        directory of the embedded store (SQLite file ``xietong.db``) and of
                            exported files; default ``$XDG_DATA_HOME/xietong`` or
                            ``~/.local/share/xietong``
``XIETONG_DATABASE_URL``    SQLAlchemy URL of a PostgreSQL store (``postgresql+psycopg://…``);
                            when unset the embedded SQLite store in the data directory is used
``XIETONG_ANONYMOUS_READ``  ``1`` lets requests without a token read public data (demo, kiosk)
``XIETONG_MAX_BODY_MB``     largest request body the API accepts, in MB (default 64)
==========================  =====================================================================
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, field_validator

from xietong.errors import InputError

#: Times are stored in UTC and shown in China Standard Time.
DISPLAY_TZ = ZoneInfo("Asia/Shanghai")

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _default_data_dir(env: Mapping[str, str]) -> Path:
    base = env.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "xietong"


def _flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise InputError(
        f"environment variable {name} is not a yes/no value",
        expected="1, true, yes, on, 0, false, no or off",
        given=repr(raw),
    )


class Settings(BaseModel):
    """Validated configuration of one Xietong installation."""

    model_config = ConfigDict(frozen=True)

    data_dir: Path = Field(description="directory of the embedded SQLite store and exports")
    database_url: str | None = Field(default=None, description="PostgreSQL URL; None = embedded SQLite")
    anonymous_read: bool = Field(default=False, description="allow reading public data without a token")
    max_body_bytes: int = Field(default=64 * 1024 * 1024, gt=0, description="largest accepted request body [bytes]")

    @field_validator("database_url")
    @classmethod
    def _check_url(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        if not value.startswith(("postgresql", "sqlite")):
            raise ValueError(
                "XIETONG_DATABASE_URL must be a PostgreSQL or SQLite SQLAlchemy URL, "
                f"e.g. postgresql+psycopg://user@127.0.0.1:5432/xietong; given {value!r}"
            )
        if value.startswith("postgresql://"):
            # psycopg 3 is the driver we ship; make the bare scheme use it.
            value = "postgresql+psycopg://" + value.removeprefix("postgresql://")
        return value

    @property
    def url(self) -> str:
        """The SQLAlchemy URL of the store actually used."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'xietong.db'}"

    @property
    def embedded(self) -> bool:
        """``True`` when the store is the embedded SQLite file."""
        return self.url.startswith("sqlite")

    @classmethod
    def from_env(
        cls,
        env: Mapping[str, str] | None = None,
        *,
        data_dir: Path | str | None = None,
        database_url: str | None = None,
        anonymous_read: bool | None = None,
    ) -> Settings:
        """Build settings from explicit arguments, then ``env`` (default: ``os.environ``), then defaults."""
        env = os.environ if env is None else env
        resolved_dir = Path(data_dir) if data_dir else Path(env.get("XIETONG_DATA_DIR") or _default_data_dir(env))
        max_mb = env.get("XIETONG_MAX_BODY_MB")
        try:
            max_bytes = int(float(max_mb) * 1024 * 1024) if max_mb else 64 * 1024 * 1024
        except ValueError:
            raise InputError(
                "XIETONG_MAX_BODY_MB is not a number", expected="a size in MB, e.g. 64", given=repr(max_mb)
            ) from None
        return cls(
            data_dir=resolved_dir.expanduser(),
            database_url=database_url or env.get("XIETONG_DATABASE_URL") or None,
            anonymous_read=(
                anonymous_read if anonymous_read is not None else _flag(env, "XIETONG_ANONYMOUS_READ", False)
            ),
            max_body_bytes=max_bytes,
        )


__all__ = ["DISPLAY_TZ", "Settings"]
