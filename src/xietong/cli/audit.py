"""``xietong audit``: read the audit log, keep checkpoints of it, and verify it."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from xietong.cli._common import EXIT_USAGE, JsonOpt, echo_json, print_table, run, state
from xietong.config import Settings
from xietong.errors import InputError
from xietong.exchange import audit as audit_log
from xietong.exchange import audit_tree
from xietong.exchange.actions import audit_key
from xietong.exchange.checkpoint import read_checkpoint
from xietong.exchange.crypto import SigningKey
from xietong.inputs import read_input_text
from xietong.times import local_text

app = typer.Typer(help="The append-only audit log: hash chain, Merkle tree, signed tree heads.", no_args_is_help=True)


def _public_key(settings: Settings) -> bytes | None:
    """The log's public key from the key file, if this machine has it (never created here)."""
    path = settings.audit_key_path
    return SigningKey.from_file(path, create=False).public_key if path.exists() else None


@app.command("verify")
def verify(
    ctx: typer.Context,
    checkpoint: Annotated[
        Path | None,
        typer.Option(
            "--checkpoint",
            exists=True,
            dir_okay=False,
            help="A checkpoint saved earlier (`xietong audit checkpoint --save`): the log must still hold its "
            "entries, unchanged, and extend it.",
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Check every entry (hash chain, Merkle leaf), the signed tree heads and, with --checkpoint, a head kept
    elsewhere. Exit 0 when intact; exit 1 naming the first bad entry otherwise.

    The signatures are checked with the key of the checkpoint, else with this installation's key file.
    """
    st = state(ctx)

    def _verify() -> audit_log.VerifyResult:
        pinned = read_checkpoint(read_input_text(checkpoint), source=str(checkpoint)) if checkpoint else None
        key = None if pinned else _public_key(st.settings)
        with st.store.read() as conn:
            return audit_log.verify(conn, public_key=key, checkpoint=pinned)

    result = run(_verify)
    if as_json:
        echo_json(result.as_dict())
    elif result.ok:
        typer.echo(f"audit log OK: {result.checked} entries; head {result.head_seq} {result.head_hash}")
        typer.echo(f"Merkle root {result.root_hash}")
        if result.key_id is None:
            typer.echo(
                f"signatures not checked: no audit key file at {st.settings.audit_key_path} (give --checkpoint FILE)"
            )
        else:
            typer.echo(f"signed tree head of {result.signed_size} entries verified with key {result.key_id}")
        if result.checkpoint_size is not None:
            typer.echo(f"consistent with the checkpoint of {result.checkpoint_size} entries")
    else:
        typer.echo(f"audit log BROKEN at entry {result.first_bad_seq}: {result.reason}", err=True)
    if not result.ok:
        raise typer.Exit(1)


@app.command("checkpoint")
def checkpoint_cmd(
    ctx: typer.Context,
    save: Annotated[
        Path | None, typer.Option("--save", dir_okay=False, help="Write the checkpoint to this file.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """The latest signed tree head (size, root, time, signature, public key) as a checkpoint to keep elsewhere.

    Verify the log against it later with `xietong audit verify --checkpoint FILE`: entries removed or changed
    after it are found even if every hash in the store was recomputed.
    """
    st = state(ctx)

    def _checkpoint() -> dict[str, Any]:
        key = audit_key(st.store)
        with st.store.write() as conn:
            audit_tree.seal(conn, key)  # a log migrated from before signed heads gets its first one
        with st.store.read() as conn:
            return audit_tree.head_document(conn, key.public_key)

    doc = run(_checkpoint)
    if save is not None:
        run(lambda: _write(save, json.dumps(doc, ensure_ascii=False, indent=2) + "\n"))
    if as_json or save is None:
        echo_json(doc)
    else:
        typer.echo(f"checkpoint of {doc['tree_size']} entries, root {doc['root_hash']}, key {doc['key_id']} -> {save}")


def _write(path: Path, text: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError("cannot write the checkpoint file", given=f"{path}: {exc.strerror or exc}") from exc


@app.command("list")
def list_entries(
    ctx: typer.Context,
    after: Annotated[int, typer.Option(help="Show entries after this sequence number.")] = 0,
    limit: Annotated[int, typer.Option(min=1, max=100000)] = 50,
    action: Annotated[str | None, typer.Option(help="Only this action, e.g. air.ingest.")] = None,
    outcome: Annotated[str | None, typer.Option(help="ok, denied or failed.")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """List audit entries in order."""
    st = state(ctx)

    def _read() -> list[audit_log.AuditEntry]:
        with st.store.read() as conn:
            return audit_log.entries(conn, after_seq=after, limit=limit, action=action, outcome=outcome)

    rows = [e.as_dict() for e in run(_read)]
    if as_json:
        echo_json(rows)
        return
    for r in rows:
        r["detail"] = str(r["detail"])[:80]
        r["at"] = local_text(datetime.fromisoformat(str(r["at"]))) if r.get("at") else ""  # shown in CST
    print_table(rows, ["seq", "at", "actor", "jurisdiction", "action", "outcome", "target", "detail"])


__all__ = ["EXIT_USAGE", "app"]
