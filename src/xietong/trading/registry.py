"""The registry's reference records in the store: unit types and accounts, owned per jurisdiction.

A service module (store work through the exchange): every write is an :func:`~xietong.exchange.actions.audited_write`,
ownership is :meth:`Principal.may_act_for <xietong.exchange.principals.Principal.may_act_for>` of the record's
jurisdiction (NULL: the region, which only a region-level administrator acts for). Operator holding
accounts link to the platform's enterprise registry (:mod:`xietong.exchange.enterprises`); each province-level
jurisdiction gets a government account from :func:`seed`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from xietong import region
from xietong.enums import Scope
from xietong.errors import ConflictError, InputError, Location, NotFoundError, PermissionDeniedError
from xietong.exchange import actions
from xietong.exchange.principals import Principal
from xietong.store.clock import utcnow
from xietong.store.session import Store
from xietong.store.tables import enterprise
from xietong.trading import rules
from xietong.trading.domain import TradingScope
from xietong.trading.enums import AccountKind, UnitKind
from xietong.trading.tables import trading_account, trading_unit_type
from xietong.trading.units import UnitType

_CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")
_UNIT_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,59}$")

#: markets of the region's province-level jurisdictions (rules/index.toml ``jurisdiction``)
GOVERNMENT_ACCOUNT = "GOV-{code}"


@dataclass(frozen=True, slots=True)
class Account:
    """One registry account as stored."""

    code: str
    kind: AccountKind
    name: str
    jurisdiction: str | None
    market: str | None
    enterprise_city: str | None = None
    enterprise_name: str | None = None
    installation: str | None = None
    closed: bool = False

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["kind"] = self.kind.value
        return out


# -- ownership -------------------------------------------------------------------------------------------


def may_act(principal: Principal, jurisdiction: str | None) -> bool:
    """Whether ``principal`` acts for a record owned by ``jurisdiction`` (``None``: the region)."""
    if jurisdiction is None:
        return principal.region_level and principal.has(Scope.ADMIN)
    return principal.may_act_for(jurisdiction)


def require_acts_for(principal: Principal, jurisdiction: str | None, what: str) -> None:
    """Refuse (403) unless ``principal`` acts for ``jurisdiction``."""
    if not may_act(principal, jurisdiction):
        owner = region.display_name(jurisdiction) if jurisdiction else "the region"
        raise PermissionDeniedError(
            f"{principal.describe()} may not {what}: it belongs to {owner}",
            expected=f"a principal of {owner} (or of a jurisdiction containing it)",
            given=principal.name,
            hint="nothing was written; use a token of the owning jurisdiction",
        )


def market_of_jurisdiction(code: str | None) -> str | None:
    """The registered market of the province-level jurisdiction containing ``code`` (``None`` outside)."""
    if code is None:
        return None
    province = region.ancestors(code)[-1]
    for market in rules.markets():
        place = region.find(rules.market_jurisdiction(market))
        if place is not None and place.code == province:
            return market
    return None


# -- reads -------------------------------------------------------------------------------------------------


def _account(row: Any) -> Account:
    return Account(
        code=row.code,
        kind=AccountKind(row.kind),
        name=row.name,
        jurisdiction=row.jurisdiction_code,
        market=row.market,
        enterprise_city=row.enterprise_city,
        enterprise_name=row.enterprise_name,
        installation=row.installation,
        closed=row.closed_at is not None,
    )


def get_account(conn: Connection, code: str) -> Account:
    row = conn.execute(sa.select(trading_account).where(trading_account.c.code == code)).first()
    if row is None:
        raise NotFoundError(
            f"no account {code!r}",
            expected="an account code of the registry",
            given=repr(code),
            hint="list them with `xietong trading accounts`",
        )
    return _account(row)


_ACCOUNTS = sa.select(trading_account).where(trading_account.c.code.in_(sa.bindparam("codes", expanding=True)))


def find_accounts(conn: Connection, codes: Iterable[str]) -> dict[str, Account]:
    """The accounts of these codes that exist, in one query."""
    return {r.code: _account(r) for r in conn.execute(_ACCOUNTS, {"codes": sorted(set(codes))})}


def get_accounts(conn: Connection, codes: list[str]) -> dict[str, Account]:
    """Several accounts in one query; an unknown code is refused (404) like :func:`get_account`."""
    found = find_accounts(conn, codes)
    for code in codes:
        if code not in found:
            get_account(conn, code)  # raises the not-found error
    return found


def _unit_type(row: Any) -> UnitType:
    return UnitType(
        code=row.code,
        kind=UnitKind(row.kind),
        market=row.market,
        standard=row.standard,
        origin=row.origin,
        project_type=row.project_type,
        vintage=row.vintage,
        period=row.period,
        pollutant=row.pollutant,
    )


def get_unit_type(conn: Connection, code: str) -> tuple[UnitType, str | None]:
    """The unit type and its issuing jurisdiction."""
    row = conn.execute(sa.select(trading_unit_type).where(trading_unit_type.c.code == code)).first()
    if row is None:
        raise NotFoundError(
            f"no unit type {code!r}",
            expected="a registered unit type code",
            given=repr(code),
            hint="register it with `xietong trading unit-type add`",
        )
    return _unit_type(row), row.jurisdiction_code


def unit_types(conn: Connection) -> dict[str, UnitType]:
    return {
        r.code: _unit_type(r) for r in conn.execute(sa.select(trading_unit_type).order_by(trading_unit_type.c.code))
    }


def list_unit_types(store: Store, principal: Principal) -> pd.DataFrame:
    principal.require(Scope.READ, "read the trading registry")
    cols = [c.name for c in trading_unit_type.columns]
    with store.read() as conn:
        rows = conn.execute(sa.select(trading_unit_type).order_by(trading_unit_type.c.code)).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=cols).rename(columns={"jurisdiction_code": "jurisdiction"})


def list_accounts(
    store: Store,
    principal: Principal,
    *,
    jurisdiction: str | None = None,
    kind: AccountKind | None = None,
    market: str | None = None,
    limit: int = 1000,
) -> list[Account]:
    principal.require(Scope.READ, "read the trading registry")
    q = sa.select(trading_account).order_by(trading_account.c.code).limit(limit)
    if jurisdiction:
        code = region.get(jurisdiction).code
        inside = [r.code for r in region.jurisdictions() if region.is_within(r.code, code)]
        q = q.where(trading_account.c.jurisdiction_code.in_(inside))
    if kind is not None:
        q = q.where(trading_account.c.kind == AccountKind(kind).value)
    if market:
        q = q.where(trading_account.c.market == market)
    with store.read() as conn:
        return [_account(r) for r in conn.execute(q)]


# -- writes ------------------------------------------------------------------------------------------------


def _check_code(code: str, pattern: re.Pattern[str], what: str) -> str:
    code = code.strip()
    if not pattern.match(code):
        raise InputError(
            f"invalid {what} code",
            expected="letters, digits, '.', '_' or '-' (starting with a letter or digit)",
            given=repr(code),
            where=Location(field="code"),
        )
    return code


def register_unit_type(
    store: Store, principal: Principal, unit: UnitType, *, jurisdiction: str | None
) -> dict[str, Any]:
    """Register a unit type issued by ``jurisdiction`` (its registry authority only; ``None``: a registry
    outside the region, kept by a region-level administrator). Registering the same definition again
    changes nothing; a different definition under an existing code is a conflict."""
    principal.require(TradingScope.ISSUE, "register a unit type")
    _check_code(unit.code, _UNIT_RE, "unit type")
    code = region.get(jurisdiction).code if jurisdiction else None
    require_acts_for(principal, code, f"register unit types of {region.display_name(code) if code else 'the region'}")
    values = {
        "kind": unit.kind.value,
        "market": unit.market,
        "standard": unit.standard,
        "origin": unit.origin,
        "project_type": unit.project_type,
        "vintage": unit.vintage,
        "period": unit.period,
        "pollutant": unit.pollutant.value if unit.pollutant else None,
        "jurisdiction_code": code,
    }
    with actions.audited_write(store, principal, "trading.unit_type.register", f"unit type {unit.code}") as work:
        old = work.conn.execute(sa.select(trading_unit_type).where(trading_unit_type.c.code == unit.code)).first()
        if old is not None:
            differs = {k: (getattr(old, k), v) for k, v in values.items() if getattr(old, k) != v}
            if differs:
                raise ConflictError(
                    f"unit type {unit.code} is already registered with another definition",
                    expected=", ".join(f"{k}={a!r}" for k, (a, _) in differs.items()),
                    given=", ".join(f"{k}={b!r}" for k, (_, b) in differs.items()),
                    where=Location(field="code"),
                    hint="a unit type never changes once units exist; register a new code",
                )
            work.detail = {"unchanged": True}
            return {"code": unit.code, "created": False}
        work.conn.execute(
            trading_unit_type.insert().values(
                code=unit.code, **values, issued=0, created_by=principal.name, created_at=utcnow()
            )
        )
        work.detail = {"code": unit.code, **values}
    return {"code": unit.code, "created": True}


def _check_enterprise(conn: Connection, city: str, name: str, jurisdiction: str | None) -> None:
    found = conn.execute(
        sa.select(enterprise.c.name).where(enterprise.c.city_code == city, enterprise.c.name == name)
    ).first()
    if found is None:
        raise NotFoundError(
            f"no enterprise {name!r} in {region.display_name(city)} in the enterprise registry",
            expected="an enterprise registered by its city (xietong warn enterprises import)",
            given=f"{city} {name}",
            where=Location(field="enterprise"),
        )
    if jurisdiction is not None and not region.is_within(city, jurisdiction):
        raise InputError(
            "the enterprise lies outside the account's jurisdiction",
            expected=f"an enterprise within {region.display_name(jurisdiction)}",
            given=f"{name} ({region.display_name(city)})",
            where=Location(field="enterprise"),
        )


def _account_values(
    kind: AccountKind, market: str | None, enterprise_ref: tuple[str, str] | None, jurisdiction: str | None
) -> dict[str, Any]:
    if market is not None and market not in rules.markets():
        raise InputError(
            "unknown market",
            expected="one of " + ", ".join(rules.markets()),
            given=repr(market),
            where=Location(field="market"),
        )
    if kind is AccountKind.OPERATOR_HOLDING and market is None:
        raise InputError(
            "an operator holding account needs the market whose obligations it meets",
            expected="one of " + ", ".join(rules.markets()),
            given="none",
            where=Location(field="market"),
            hint=f"the market of its jurisdiction is {market_of_jurisdiction(jurisdiction) or 'not registered'}",
        )
    if enterprise_ref is not None and kind is not AccountKind.OPERATOR_HOLDING:
        raise InputError(
            "only operator holding accounts link to an enterprise",
            expected="kind operator_holding",
            given=kind.value,
            where=Location(field="enterprise"),
        )
    city, name = enterprise_ref if enterprise_ref else (None, None)
    return {"market": market, "enterprise_city": city, "enterprise_name": name}


def open_account(
    store: Store,
    principal: Principal,
    code: str,
    *,
    kind: AccountKind | str,
    name: str,
    jurisdiction: str | None,
    market: str | None = None,
    enterprise: tuple[str, str] | None = None,
    installation: str | None = None,
) -> Account:
    """Open an account owned by ``jurisdiction`` (``None``: the region). Government accounts are opened by
    the registry authority (``issue:trading``), the others with ``operate:trading``. Opening the same
    account again returns it; a different definition under the same code is a conflict."""
    kind = AccountKind(kind)
    principal.require(TradingScope.ISSUE if kind is AccountKind.GOVERNMENT else TradingScope.OPERATE, "open an account")
    code = _check_code(code, _CODE_RE, "account")
    owner = region.get(jurisdiction).code if jurisdiction else None
    require_acts_for(principal, owner, f"open accounts of {region.display_name(owner) if owner else 'the region'}")
    ent = (region.get(enterprise[0]).code, enterprise[1].strip()) if enterprise else None
    values = {
        "kind": kind.value,
        "name": name.strip() or code,
        "jurisdiction_code": owner,
        **_account_values(kind, market, ent, owner),
        "installation": installation,
    }
    with actions.audited_write(store, principal, "trading.account.open", f"account {code}") as work:
        if ent is not None:
            _check_enterprise(work.conn, ent[0], ent[1], owner)
        old = work.conn.execute(sa.select(trading_account).where(trading_account.c.code == code)).first()
        if old is not None:
            differs = [k for k, v in values.items() if getattr(old, k) != v]
            if differs:
                raise ConflictError(
                    f"account {code} exists with another definition",
                    expected=", ".join(f"{k}={getattr(old, k)!r}" for k in differs),
                    given=", ".join(f"{k}={values[k]!r}" for k in differs),
                    where=Location(field="code"),
                )
            work.detail = {"unchanged": True}
            return _account(old)
        work.conn.execute(
            trading_account.insert().values(code=code, **values, created_by=principal.name, created_at=utcnow())
        )
        work.detail = {k: v for k, v in values.items() if v is not None}
        return get_account(work.conn, code)


def seed(store: Store, operator: Principal) -> Mapping[str, int]:
    """A government account for each province-level jurisdiction whose market is registered (idempotent;
    an existing account is never changed)."""
    added = 0
    with store.write() as conn:
        have = {r[0] for r in conn.execute(sa.select(trading_account.c.code))}
        for j in region.jurisdictions():
            if j.parent is not None or market_of_jurisdiction(j.code) is None:
                continue
            code = GOVERNMENT_ACCOUNT.format(code=j.code)
            if code in have:
                continue
            conn.execute(
                trading_account.insert().values(
                    code=code,
                    kind=AccountKind.GOVERNMENT.value,
                    name=f"{j.name_zh} government account ({j.name_en})",
                    jurisdiction_code=j.code,
                    market=None,
                    created_by=operator.name,
                    created_at=utcnow(),
                )
            )
            added += 1
    return {"trading government accounts added": added}


__all__ = [
    "GOVERNMENT_ACCOUNT",
    "Account",
    "find_accounts",
    "get_account",
    "get_accounts",
    "get_unit_type",
    "list_accounts",
    "list_unit_types",
    "market_of_jurisdiction",
    "may_act",
    "open_account",
    "register_unit_type",
    "require_acts_for",
    "seed",
    "unit_types",
]
