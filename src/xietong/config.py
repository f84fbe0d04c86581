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
``XIETONG_WEBHOOK_ALLOW``   comma-separated host patterns webhooks may target (default:
                            ``127.0.0.1,localhost``), e.g. ``*.gov.cn,10.1.2.3``
``XIETONG_WEBHOOK_RETRY_S`` first retry delay of a failed webhook delivery, doubled on each further
                            attempt (default 2 s; at most 8 attempts)
``XIETONG_BOUNDARIES``      a GeoJSON file of boundaries the dashboard draws under its maps
                            (optional; none is bundled because of its licence)
``XIETONG_WEBHOOK_TIMEOUT_S`` how long a receiver has to answer (default 10 s); a delivery being sent
                            is retried by another dispatcher only after timeout + 5 s
``XIETONG_WEBHOOK_POLL_S``  how often the server looks for due deliveries (default 1 s; 0 = the
                            server does not deliver, run ``xietong webhook deliver`` instead)
``XIETONG_AUDIT_KEY_FILE``  the Ed25519 key that signs the audit log's tree heads (created ``0600`` on
                            first use; default ``<data dir>/keys/audit-ed25519.key``). Never in the
                            database; every process that writes to one store needs the same file
``XIETONG_SECRETS_KEY_FILE`` the AES-256 key that encrypts webhook secrets at rest (created ``0600`` on
                            first use; default ``<data dir>/keys/secrets-aes256gcm.key``)
``XIETONG_CORS_ORIGINS``    comma-separated origins allowed to call the API from a browser on another
                            origin (default: none, CORS off)
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
    webhook_allow: tuple[str, ...] = Field(
        default=("127.0.0.1", "localhost"), description="host patterns webhook URLs may point to"
    )
    webhook_retry_s: float = Field(default=2.0, gt=0, description="first retry delay [s], doubled per attempt")
    webhook_max_attempts: int = Field(default=8, ge=1, description="attempts before a delivery is marked failed")
    webhook_poll_s: float = Field(default=1.0, ge=0, description="delivery polling interval [s]; 0 = off")
    webhook_timeout_s: float = Field(default=10.0, gt=0, description="time a receiver has to answer [s]")
    boundaries_file: Path | None = Field(default=None, description="GeoJSON drawn under the dashboard maps")
    audit_key_file: Path | None = Field(default=None, description="Ed25519 key signing audit tree heads")
    secrets_key_file: Path | None = Field(default=None, description="AES-256 key of secrets at rest")
    cors_origins: tuple[str, ...] = Field(default=(), description="origins allowed cross-origin; empty = CORS off")

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
    def keys_dir(self) -> Path:
        """``<data dir>/keys``: the default folder of the key files (``0700``)."""
        return self.data_dir / "keys"

    @property
    def audit_key_path(self) -> Path:
        """The audit signing key file in use."""
        return self.audit_key_file or self.keys_dir / "audit-ed25519.key"

    @property
    def secrets_key_path(self) -> Path:
        """The key file that encrypts secrets at rest."""
        return self.secrets_key_file or self.keys_dir / "secrets-aes256gcm.key"

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
        numbers: dict[str, float] = {}
        for key, field_name in (
            ("XIETONG_WEBHOOK_RETRY_S", "webhook_retry_s"),
            ("XIETONG_WEBHOOK_POLL_S", "webhook_poll_s"),
            ("XIETONG_WEBHOOK_TIMEOUT_S", "webhook_timeout_s"),
        ):
            raw = env.get(key)
            if raw:
                try:
                    numbers[field_name] = float(raw)
                except ValueError:
                    raise InputError(f"{key} is not a number", expected="seconds, e.g. 2", given=repr(raw)) from None
        allow_raw = env.get("XIETONG_WEBHOOK_ALLOW")
        allow = tuple(a.strip() for a in allow_raw.split(",") if a.strip()) if allow_raw is not None else None
        boundaries = env.get("XIETONG_BOUNDARIES")
        key_files = {
            field_name: Path(raw).expanduser()
            for field_name, raw in (
                ("audit_key_file", env.get("XIETONG_AUDIT_KEY_FILE")),
                ("secrets_key_file", env.get("XIETONG_SECRETS_KEY_FILE")),
            )
            if raw
        }
        cors = tuple(o.strip().rstrip("/") for o in env.get("XIETONG_CORS_ORIGINS", "").split(",") if o.strip())
        return cls(
            data_dir=resolved_dir.expanduser(),
            boundaries_file=Path(boundaries) if boundaries else None,
            cors_origins=cors,
            **key_files,
            **({"webhook_allow": allow} if allow is not None else {}),
            **numbers,
            database_url=database_url or env.get("XIETONG_DATABASE_URL") or None,
            anonymous_read=(
                anonymous_read if anonymous_read is not None else _flag(env, "XIETONG_ANONYMOUS_READ", False)
            ),
            max_body_bytes=max_bytes,
        )


__all__ = ["DISPLAY_TZ", "Settings"]
