"""The domain contract: how a domain plugs into the platform without the platform importing it.

A *domain* (air, water, transit, agreements, and every later one) is a package that declares what it adds
to the platform in one :class:`Domain` object and publishes it as an entry point of the group
``xietong.domains``::

    # pyproject.toml of the package that ships the domain
    [project.entry-points."xietong.domains"]
    water = "xietong.water.domain:DOMAIN"

The platform discovers the installed domains here (:func:`installed`) and asks each for its parts. Every
part is optional and named by a dotted path (``"package.module:attribute"``), resolved only when the
platform needs it, so that listing the domains imports nothing heavy and a domain never needs an import
from the platform's side:

==============  ===========================================================================================
part            what the platform does with it
==============  ===========================================================================================
``tables``      imports the module, whose ``sa.Table`` objects are defined on
                :data:`xietong.store.tables.metadata` (the schema test compares them with the migrations)
``migrations``  adds the package's directory to Alembic's version locations; its revisions form a branch
                labelled with the domain's name (``branch_labels = ("water",)``), based on the platform's
                revision it needs (``depends_on``); ``xietong db upgrade`` takes every branch to its head
``seed``        ``(store, operator) -> {"what added": n}``: reference data, run by ``xietong db upgrade``
                (idempotent: must never overwrite a jurisdiction's own corrections)
``indicators``  ``() -> list[Indicator]``: joins :func:`xietong.indicators.default_registry`
``events``      webhook event types a subscription may name (the domain enqueues them through
                :func:`xietong.exchange.notify.enqueue`)
``scopes``      token scopes the domain checks (``publish:water`` …), valid in ``xietong token create``
``api``         FastAPI routers mounted under ``/api/v1``
``cli``         Typer apps added as ``xietong <name> …``
``pages``       dashboard pages: a script in the domain's ``static`` folder (served at
                ``/static/domains/<name>/``) that registers a page with the dashboard shell
``features``    ``() -> list[FeatureCollection]``: the domain's geographic datasets, served as OGC API –
                Features collections (and map layers) by the platform
``datasets``    ``() -> list[Dataset]``: tables other domains may read (:mod:`xietong.datasets`), e.g. the
                agreement tasks that the industry domain links to parks
``warm_up``     ``() -> None`` run in a background thread when the server starts (compile kernels …)
==============  ===========================================================================================

Domains talk to each other only through the platform (indicators, webhook events, the exchange's tables
of shared registries such as jurisdictions and enterprises), never by importing each other:
``tests/unit/test_architecture.py`` fails otherwise. ``docs/ARCHITECTURE.md`` ("Adding a domain") walks
through a new domain.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import metadata as importlib_metadata
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from xietong.errors import XietongError

if TYPE_CHECKING:  # pragma: no cover - types only
    from xietong.exchange.principals import Principal
    from xietong.store.session import Store

#: the entry-point group domains are published under
ENTRY_POINT_GROUP = "xietong.domains"

_NAME_RE = re.compile(r"^[a-z][a-z0-9_]{1,30}$")
_SCOPE_RE = re.compile(r"^[a-z][a-z0-9_]*(:[a-z][a-z0-9_]*)?$")
_EVENT_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")


class DomainError(XietongError, RuntimeError):
    """An installed domain does not keep the contract (bad declaration, a part that cannot be loaded)."""


@dataclass(frozen=True, slots=True)
class ScopeSpec:
    """A token scope a domain checks, with what it allows (shown by ``xietong token create --help``)."""

    name: str
    description: str


@dataclass(frozen=True, slots=True)
class EventType:
    """A webhook event a domain emits; names are dotted and start with the domain's prefix."""

    name: str
    description: str


@dataclass(frozen=True, slots=True)
class Page:
    """A dashboard page: the shell adds ``#/<id>`` to the navigation and loads ``script``."""

    id: str
    title_zh: str
    title_en: str
    script: str
    order: int = 100


@dataclass(frozen=True, slots=True)
class CliGroup:
    """A command group: ``xietong <name> …`` is the Typer app at ``app`` (``"module:attribute"``)."""

    name: str
    app: str


@dataclass(frozen=True, slots=True)
class Domain:
    """What one domain adds to the platform (see the module docstring for each part)."""

    name: str
    title_zh: str
    title_en: str
    description: str = ""
    order: int = 100
    tables: str | None = None
    migrations: str | None = None
    seed: str | None = None
    indicators: str | None = None
    features: str | None = None
    datasets: str | None = None
    warm_up: str | None = None
    events: tuple[EventType, ...] = ()
    scopes: tuple[ScopeSpec, ...] = ()
    api: tuple[str, ...] = ()
    cli: tuple[CliGroup, ...] = ()
    pages: tuple[Page, ...] = ()
    #: ``"package:folder"`` of the dashboard assets (page scripts, styles)
    static: str | None = None
    #: where the declaration came from (the entry point), for error messages
    origin: str = field(default="", compare=False)

    def as_dict(self) -> dict[str, Any]:
        """The public description served at ``/api/v1/domains`` (no import paths)."""
        return {
            "name": self.name,
            "title_zh": self.title_zh,
            "title_en": self.title_en,
            "description": self.description,
            "events": [e.name for e in self.events],
            "scopes": [s.name for s in self.scopes],
            "pages": [
                {"id": p.id, "title_zh": p.title_zh, "title_en": p.title_en, "order": p.order} for p in self.pages
            ],
        }


def resolve(spec: str, *, domain: str = "?") -> Any:
    """The object named by ``"package.module:attribute"`` (``attribute`` may be dotted)."""
    module_name, sep, attribute = spec.partition(":")
    try:
        obj: Any = importlib.import_module(module_name)
        for part in attribute.split(".") if sep else ():
            obj = getattr(obj, part)
    except (ImportError, AttributeError) as exc:
        raise DomainError(
            f"domain {domain!r}: cannot load {spec!r}",
            expected="'package.module:attribute' naming an importable object",
            given=repr(spec),
            hint=f"{type(exc).__name__}: {exc}",
        ) from exc
    return obj


def _check(domain: Domain) -> None:
    where = domain.origin or domain.name
    problems: list[str] = []
    if not _NAME_RE.match(domain.name):
        problems.append(f"name {domain.name!r} is not a lower-case identifier")
    problems += [f"scope {s.name!r} is malformed" for s in domain.scopes if not _SCOPE_RE.match(s.name)]
    problems += [f"event {e.name!r} is not dotted" for e in domain.events if not _EVENT_RE.match(e.name)]
    problems += [f"page {p.id!r} needs the static folder" for p in domain.pages if domain.static is None]
    if problems:
        raise DomainError(
            f"domain {domain.name!r} ({where}) does not keep the contract",
            expected="see xietong.domains",
            given="; ".join(problems),
        )


def _load_entry_point(ep: importlib_metadata.EntryPoint) -> Domain:
    try:
        obj = ep.load()
    except Exception as exc:
        raise DomainError(
            f"the domain entry point {ep.name!r} cannot be loaded",
            expected=f"an importable object at {ep.value}",
            given=f"{type(exc).__name__}: {exc}",
            hint="reinstall the package that provides it, or uninstall it",
        ) from exc
    if not isinstance(obj, Domain):
        raise DomainError(
            f"the domain entry point {ep.name!r} is not a Domain",
            expected="an xietong.domains.Domain",
            given=type(obj).__name__,
        )
    return Domain(**{**{f: getattr(obj, f) for f in obj.__dataclass_fields__}, "origin": f"{ep.value}"})


@cache
def installed() -> tuple[Domain, ...]:
    """Every domain published under :data:`ENTRY_POINT_GROUP`, in navigation order (then by name)."""
    found: dict[str, Domain] = {}
    for ep in importlib_metadata.entry_points(group=ENTRY_POINT_GROUP):
        domain = _load_entry_point(ep)
        _check(domain)
        if domain.name in found:
            raise DomainError(
                f"two installed domains are called {domain.name!r}",
                expected="one domain per name",
                given=f"{found[domain.name].origin} and {domain.origin}",
            )
        found[domain.name] = domain
    return tuple(sorted(found.values(), key=lambda d: (d.order, d.name)))


def get(name: str) -> Domain:
    """The installed domain called ``name``."""
    for domain in installed():
        if domain.name == name:
            return domain
    raise DomainError(
        f"no installed domain {name!r}",
        expected="one of " + ", ".join(d.name for d in installed()),
        given=repr(name),
    )


# ------------------------------------------------------------------------------------- the parts
def load_tables() -> None:
    """Import every domain's tables module, so :data:`xietong.store.tables.metadata` holds the whole schema."""
    for domain in installed():
        if domain.tables:
            resolve(domain.tables, domain=domain.name)


def migration_dirs() -> list[Path]:
    """The Alembic version directories of the domains that have migrations."""
    out: list[Path] = []
    for domain in installed():
        if domain.migrations:
            path = Path(str(resources.files(domain.migrations)))
            if not path.is_dir():
                raise DomainError(
                    f"domain {domain.name!r}: migrations package has no directory",
                    expected="a package directory of Alembic revision files",
                    given=str(path),
                )
            out.append(path)
    return out


Seed = Callable[["Store", "Principal"], Mapping[str, int]]


def seeds() -> list[tuple[str, Seed]]:
    """``(domain name, seed function)`` of every domain with reference data, in domain order."""
    return [(d.name, resolve(d.seed, domain=d.name)) for d in installed() if d.seed]


def indicator_providers() -> list[tuple[str, Callable[[], Sequence[Any]]]]:
    """``(domain name, provider)`` of every domain that publishes indicators."""
    return [(d.name, resolve(d.indicators, domain=d.name)) for d in installed() if d.indicators]


def feature_providers() -> list[tuple[str, Callable[[], Sequence[Any]]]]:
    """``(domain name, provider)`` of every domain with geographic datasets."""
    return [(d.name, resolve(d.features, domain=d.name)) for d in installed() if d.features]


def dataset_providers() -> list[tuple[str, Callable[[], Sequence[Any]]]]:
    """``(domain name, provider)`` of every domain that publishes datasets for the others."""
    return [(d.name, resolve(d.datasets, domain=d.name)) for d in installed() if d.datasets]


def warm_ups() -> list[tuple[str, Callable[[], None]]]:
    """``(domain name, function)`` to run in the background when the server starts."""
    return [(d.name, resolve(d.warm_up, domain=d.name)) for d in installed() if d.warm_up]


def scopes() -> dict[str, str]:
    """Every domain scope and what it allows (the platform adds its own, see ``xietong.enums.Scope``)."""
    return {s.name: s.description for d in installed() for s in d.scopes}


def events() -> dict[str, str]:
    """Every domain event type and its description."""
    return {e.name: e.description for d in installed() for e in d.events}


def routers() -> list[tuple[str, Any]]:
    """``(domain name, FastAPI router)`` for every router of every domain."""
    return [(d.name, resolve(spec, domain=d.name)) for d in installed() for spec in d.api]


def cli_groups() -> list[tuple[str, str, Any]]:
    """``(domain name, command name, Typer app)`` for every command group of every domain."""
    return [(d.name, g.name, resolve(g.app, domain=d.name)) for d in installed() for g in d.cli]


def static_dirs() -> list[tuple[str, Path]]:
    """``(domain name, folder)`` of the domains that ship dashboard assets."""
    out = []
    for d in installed():
        if d.static:
            package, _, folder = d.static.partition(":")
            out.append((d.name, Path(str(resources.files(package).joinpath(folder)))))
    return out


def pages() -> list[tuple[Domain, Page]]:
    """Every dashboard page, in navigation order."""
    found = [(d, p) for d in installed() for p in d.pages]
    return sorted(found, key=lambda dp: (dp[1].order, dp[0].order, dp[1].id))


__all__ = [
    "ENTRY_POINT_GROUP",
    "CliGroup",
    "Domain",
    "DomainError",
    "EventType",
    "Page",
    "ScopeSpec",
    "cli_groups",
    "dataset_providers",
    "events",
    "feature_providers",
    "get",
    "indicator_providers",
    "installed",
    "load_tables",
    "migration_dirs",
    "pages",
    "resolve",
    "routers",
    "scopes",
    "seeds",
    "static_dirs",
    "warm_ups",
]
