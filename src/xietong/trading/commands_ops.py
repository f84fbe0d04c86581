"""``xietong trading`` operations: issue, allocate, auction, transfer (accept, approve, reject, cancel),
surrender, retire, cancel, bank, and the transaction log."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

import typer

from xietong.cli._common import JsonOpt, TokenOpt, echo_json, print_table, run, state
from xietong.trading import oplog, service, transfers
from xietong.trading.commands_common import KeyOpt, quantity, records, serial_ranges
from xietong.trading.enums import OperationKind, TransferState

UnitOpt = Annotated[str, typer.Option("--unit", "-u", help="Unit type code.")]
QuantityOpt = Annotated[
    str | None, typer.Option("--quantity", "-q", help="Units (whole, positive); lowest serials first.")
]
SerialsOpt = Annotated[
    str | None, typer.Option("--serials", help="Explicit serial ranges instead of a quantity: 1-100,250-300.")
]
AccountArg = Annotated[str, typer.Argument(help="Account code.")]
IdArg = Annotated[int, typer.Argument(help="Operation id of the transfer.")]
VersionOpt = Annotated[
    int | None, typer.Option("--expected-version", help="Refuse (exit 2) if the transfer changed since.")
]


def _show(out: dict[str, Any], as_json: bool) -> None:
    if as_json:
        echo_json(out)
        return
    moved = out.get("serials") or [[m["first_serial"], m["last_serial"]] for m in out.get("movements", [])]
    ranges = ", ".join(f"{a}-{b}" for a, b in moved)
    if not ranges and out.get("reserved"):
        ranges = ", ".join(f"{a}-{b}" for a, b in out["reserved"]) + " (reserved)"
    sender, receiver = out.get("from_account"), out.get("to_account")
    where = (
        f"{sender} → {receiver}" if sender and sender != receiver else f"in {receiver}" if sender else f"→ {receiver}"
    )
    typer.echo(
        f"operation {out['id']} {out['kind']} [{out['state']}] {out['quantity']} {out['unit_type']} {where}, serials {ranges or '-'}"
    )
    for a in out.get("required_approvals") or []:
        given = any(g["market"] == a["market"] for g in out.get("approvals", []))
        typer.echo(
            f"  approval {'given' if given else 'needed'}: {a['market']} — {a['approver']} ({a['jurisdiction']})"
        )
    for w in out.get("warnings") or []:
        typer.echo(f"  warning: {w}")
    if out.get("replayed"):
        typer.echo("  (a retry: the first answer, nothing changed)")


def _exec(ctx: typer.Context, token: str | None, as_json: bool, call: Callable[..., dict[str, Any]]) -> None:
    st = state(ctx)
    _show(run(lambda: call(st.store, st.principal(token))), as_json)


def issue(
    ctx: typer.Context,
    unit: UnitOpt,
    qty: QuantityOpt,
    to: Annotated[str, typer.Option("--to", help="Receiving account.")],
    key: KeyOpt = None,
    as_json: JsonOpt = False,
    token: TokenOpt = None,
) -> None:
    """Issue new units into an account (the unit type's issuing jurisdiction, scope issue:trading)."""
    _exec(ctx, token, as_json, lambda s, p: service.issue(s, p, unit, quantity(qty), to, client_key=key))


def allocate(
    ctx: typer.Context,
    unit: UnitOpt,
    qty: QuantityOpt,
    from_: Annotated[str, typer.Option("--from", help="Government account.")],
    to: Annotated[str, typer.Option("--to")],
    year: Annotated[int, typer.Option("--year", help="Allocation year.")],
    key: KeyOpt = None,
    as_json: JsonOpt = False,
    token: TokenOpt = None,
) -> None:
    """Free allocation for a year from a government account (lowest serials first)."""
    _exec(
        ctx,
        token,
        as_json,
        lambda s, p: service.allocate(
            s, p, unit, quantity(qty), from_account=from_, to_account=to, year=year, client_key=key
        ),
    )


def auction(
    ctx: typer.Context,
    unit: UnitOpt,
    qty: QuantityOpt,
    from_: Annotated[str, typer.Option("--from", help="Government account.")],
    to: Annotated[str, typer.Option("--to")],
    price: Annotated[float | None, typer.Option("--price", help="Clearing price [CNY/t].")] = None,
    key: KeyOpt = None,
    as_json: JsonOpt = False,
    token: TokenOpt = None,
) -> None:
    """Deliver units sold at auction from a government account."""
    _exec(
        ctx,
        token,
        as_json,
        lambda s, p: service.auction(
            s, p, unit, quantity(qty), from_account=from_, to_account=to, price_cny_t=price, client_key=key
        ),
    )


def transfer(
    ctx: typer.Context,
    unit: UnitOpt,
    from_: Annotated[str, typer.Option("--from", help="Sending account.")],
    to: Annotated[str, typer.Option("--to", help="Receiving account.")],
    qty: QuantityOpt = None,
    serials: SerialsOpt = None,
    accept: Annotated[bool, typer.Option("--accept", help="Also accept for the receiver (you act for both).")] = False,
    note: Annotated[str, typer.Option("--note")] = "",
    key: KeyOpt = None,
    as_json: JsonOpt = False,
    token: TokenOpt = None,
) -> None:
    """Initiate a transfer: the units are reserved until the receiver accepts and every approval the
    markets' rules name (transfers between jurisdictions) is in; then they move."""
    _exec(
        ctx,
        token,
        as_json,
        lambda s, p: transfers.initiate(
            s,
            p,
            from_,
            to,
            unit,
            quantity=quantity(qty),
            serial_ranges=serial_ranges(serials),
            accept=accept,
            note=note,
            client_key=key,
        ),
    )


def accept(
    ctx: typer.Context, op_id: IdArg, version: VersionOpt = None, as_json: JsonOpt = False, token: TokenOpt = None
) -> None:
    """Accept a transfer into an account of your jurisdiction."""
    _exec(ctx, token, as_json, lambda s, p: transfers.accept(s, p, op_id, expected_version=version))


def approve(
    ctx: typer.Context,
    op_id: IdArg,
    market: Annotated[str | None, typer.Option("--market", help="The market you approve for.")] = None,
    version: VersionOpt = None,
    as_json: JsonOpt = False,
    token: TokenOpt = None,
) -> None:
    """Approve a transfer between jurisdictions for your jurisdiction's market (scope approve:trading)."""
    _exec(ctx, token, as_json, lambda s, p: transfers.approve(s, p, op_id, market=market, expected_version=version))


def reject(
    ctx: typer.Context,
    op_id: IdArg,
    reason: Annotated[str, typer.Option("--reason")] = "",
    version: VersionOpt = None,
    as_json: JsonOpt = False,
    token: TokenOpt = None,
) -> None:
    """Reject a transfer (receiver before accepting, or an approver); the units are free again."""
    _exec(ctx, token, as_json, lambda s, p: transfers.reject(s, p, op_id, reason=reason, expected_version=version))


def cancel_transfer(
    ctx: typer.Context, op_id: IdArg, version: VersionOpt = None, as_json: JsonOpt = False, token: TokenOpt = None
) -> None:
    """Withdraw a transfer the receiver has not accepted yet."""
    _exec(ctx, token, as_json, lambda s, p: transfers.cancel(s, p, op_id, expected_version=version))


def pending(
    ctx: typer.Context,
    jurisdiction: Annotated[str | None, typer.Option("--jurisdiction", "-j")] = None,
    as_json: JsonOpt = False,
    token: TokenOpt = None,
) -> None:
    """Transfers waiting for acceptance or approval."""
    st = state(ctx)
    views = run(lambda: transfers.pending(st.store, st.principal(token), jurisdiction=jurisdiction))
    if as_json:
        echo_json(views)
        return
    for v in views:
        _show(v, False)
    if not views:
        typer.echo("no pending transfers")


def surrender(
    ctx: typer.Context,
    account: AccountArg,
    unit: UnitOpt,
    year: Annotated[int, typer.Option("--year", help="Compliance year.")],
    qty: QuantityOpt = None,
    serials: SerialsOpt = None,
    key: KeyOpt = None,
    as_json: JsonOpt = False,
    token: TokenOpt = None,
) -> None:
    """Surrender units for a compliance year under the account's market rules (caps, acceptance, banking);
    after the deadline the surrender is recorded and flagged late."""
    _exec(
        ctx,
        token,
        as_json,
        lambda s, p: service.surrender(
            s, p, account, unit, year=year, quantity=quantity(qty), serial_ranges=serial_ranges(serials), client_key=key
        ),
    )


def retire(
    ctx: typer.Context,
    account: AccountArg,
    unit: UnitOpt,
    qty: QuantityOpt = None,
    serials: SerialsOpt = None,
    reason: Annotated[str, typer.Option("--reason")] = "",
    key: KeyOpt = None,
    as_json: JsonOpt = False,
    token: TokenOpt = None,
) -> None:
    """Retire units voluntarily."""
    _exec(
        ctx,
        token,
        as_json,
        lambda s, p: service.retire(
            s,
            p,
            account,
            unit,
            quantity=quantity(qty),
            serial_ranges=serial_ranges(serials),
            reason=reason,
            client_key=key,
        ),
    )


def cancel(
    ctx: typer.Context,
    account: AccountArg,
    unit: UnitOpt,
    reason: Annotated[str, typer.Option("--reason")],
    qty: QuantityOpt = None,
    serials: SerialsOpt = None,
    key: KeyOpt = None,
    as_json: JsonOpt = False,
    token: TokenOpt = None,
) -> None:
    """Cancel units (the issuing authority: a correction or an expiry)."""
    _exec(
        ctx,
        token,
        as_json,
        lambda s, p: service.cancel(
            s,
            p,
            account,
            unit,
            quantity=quantity(qty),
            serial_ranges=serial_ranges(serials),
            reason=reason,
            client_key=key,
        ),
    )


def bank(
    ctx: typer.Context,
    account: AccountArg,
    unit: UnitOpt,
    qty: Annotated[str, typer.Option("--quantity", "-q")],
    to_period: Annotated[str, typer.Option("--to-period", help="e.g. phase3.")],
    key: KeyOpt = None,
    as_json: JsonOpt = False,
    token: TokenOpt = None,
) -> None:
    """Bank units into a later trading period where the market's rules allow it."""
    _exec(
        ctx,
        token,
        as_json,
        lambda s, p: service.bank(s, p, account, unit, quantity(qty), to_period=to_period, client_key=key),
    )


def operations(
    ctx: typer.Context,
    account: Annotated[str | None, typer.Option("--account")] = None,
    kind: Annotated[OperationKind | None, typer.Option("--kind")] = None,
    op_state: Annotated[TransferState | None, typer.Option("--state")] = None,
    after: Annotated[int, typer.Option("--after", min=0, help="Only ids after this one (paging).")] = 0,
    limit: Annotated[int, typer.Option("--limit", min=1, max=10_000)] = 100,
    as_json: JsonOpt = False,
    token: TokenOpt = None,
) -> None:
    """The transaction log, oldest first (page with --after)."""
    st = state(ctx)

    def _do() -> list[dict[str, Any]]:
        st.principal(token).require("read", "read the trading registry")
        with st.store.read() as conn:
            return records(
                oplog.operations_frame(
                    conn,
                    account=account,
                    kind=kind.value if kind else None,
                    state=op_state.value if op_state else None,
                    after_id=after,
                    limit=limit,
                )
            )

    rows = run(_do)
    echo_json(rows) if as_json else print_table(
        rows,
        ["id", "kind", "state", "unit_type", "quantity", "from_account", "to_account", "year", "late", "actor"],
        min_width=140,
    )


def operation(
    ctx: typer.Context,
    op_id: Annotated[int, typer.Argument(help="Operation id.")],
    as_json: JsonOpt = False,
    token: TokenOpt = None,
) -> None:
    """One operation: its steps, approvals and the serial ranges it moved."""
    st = state(ctx)

    def _do() -> dict[str, Any]:
        st.principal(token).require("read", "read the trading registry")
        with st.store.read() as conn:
            return oplog.operation_view(conn, op_id)

    out = run(_do)
    if as_json:
        echo_json(out)
        return
    _show(out, False)
    print_table(out["steps"], ["step", "state", "by", "at"])


def register(app: typer.Typer) -> None:
    """Add these commands to ``xietong trading``."""
    for name, fn in (
        ("issue", issue),
        ("allocate", allocate),
        ("auction", auction),
        ("transfer", transfer),
        ("accept", accept),
        ("approve", approve),
        ("reject", reject),
        ("cancel-transfer", cancel_transfer),
        ("pending", pending),
        ("surrender", surrender),
        ("retire", retire),
        ("cancel", cancel),
        ("bank", bank),
        ("operations", operations),
        ("operation", operation),
    ):
        app.command(name)(fn)


__all__ = ["register"]
