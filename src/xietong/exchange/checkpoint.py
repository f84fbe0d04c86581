"""Signed tree heads as checkpoints: the C2SP signed-note text that Trillian, Sigstore Rekor and Go's checksum
database exchange.

A tree head (RFC 9162 §4.10: tree size, root hash, timestamp) is written as the note text of a
c2sp.org/tlog-checkpoint::

    <origin>
    <tree size>
    <base64 root hash>
    timestamp <milliseconds since 1970-01-01 UTC>

and signed as a c2sp.org/signed-note: a blank line, then ``— <key name> <base64(key id || Ed25519
signature of the text)>``, key name = origin, key id = ``SHA-256(name || 0x0A || 0x01 || public key)[:4]``.
The timestamp is an extension line (the checkpoint spec allows them and says monitors cannot audit
them; RFC 9162 signs it, so the log signs it too). A verifier is configured with the *verifier key*
``<name>+<key id hex>+<base64(0x01 || public key)>`` (the form Go's ``golang.org/x/mod/sumdb/note``
reads).

A checkpoint file (``xietong audit checkpoint --save FILE``) is a small JSON document holding the signed
note and the verifier key; :func:`read_checkpoint` also accepts the bare note when the key is known.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from xietong.errors import InputError, excerpt
from xietong.exchange.crypto import ED25519_NOTE_TYPE, SigningKey, note_key_id, verify_ed25519

_DASH = "\u2014"


@dataclass(frozen=True, slots=True)
class TreeHead:
    """What a log signs: its identity, size and root at a time."""

    origin: str
    size: int
    root: bytes
    timestamp_ms: int

    def text(self) -> str:
        """The note text that is signed (four lines, each ending in a newline)."""
        root = base64.b64encode(self.root).decode("ascii")
        return f"{self.origin}\n{self.size}\n{root}\ntimestamp {self.timestamp_ms}\n"

    @property
    def timestamp(self) -> datetime:
        return datetime.fromtimestamp(self.timestamp_ms / 1000, tz=UTC)


def timestamp_ms(at: datetime) -> int:
    """Milliseconds since the epoch (RFC 9162 §4.10 time stamps)."""
    return int(at.timestamp() * 1000)


def sign(head: TreeHead, key: SigningKey) -> bytes:
    """The Ed25519 signature of the head's note text."""
    return key.sign(head.text().encode("utf-8"))


def verify(head: TreeHead, signature: bytes, public_key: bytes) -> bool:
    return verify_ed25519(public_key, head.text().encode("utf-8"), signature)


def verifier_key(name: str, public_key: bytes) -> str:
    """``<name>+<key id hex>+<base64(0x01 || public key)>``."""
    key_id = note_key_id(name, public_key).hex()
    return f"{name}+{key_id}+{base64.b64encode(ED25519_NOTE_TYPE + public_key).decode('ascii')}"


def parse_verifier_key(value: str) -> tuple[str, bytes]:
    """``(name, public key)`` of a verifier key; :class:`InputError` unless it is a well-formed Ed25519 one."""
    parts = value.strip().split("+", 2)  # the base64 key may itself contain "+"
    try:
        name, key_id_hex, encoded = parts
        raw = base64.b64decode(encoded, validate=True)
        key_id = bytes.fromhex(key_id_hex)
    except (ValueError, binascii.Error):
        raise InputError(
            "not a verifier key", expected="<name>+<8 hex digits>+<base64 key>", given=value[:80]
        ) from None
    if len(raw) != 33 or raw[:1] != ED25519_NOTE_TYPE:
        raise InputError(
            "not an Ed25519 verifier key", expected="type byte 0x01 and 32 key bytes", given=f"{len(raw)} bytes"
        )
    if note_key_id(name, raw[1:]) != key_id:
        raise InputError("the verifier key's id does not match its key", given=value[:80])
    return name, raw[1:]


def note(head: TreeHead, signature: bytes, public_key: bytes) -> str:
    """The signed note: text, blank line, one signature line."""
    blob = note_key_id(head.origin, public_key) + signature
    return f"{head.text()}\n{_DASH} {head.origin} {base64.b64encode(blob).decode('ascii')}\n"


def _bad_note(why: str, given: str) -> InputError:
    return InputError(
        "not a signed checkpoint",
        expected="origin, tree size, base64 root and timestamp lines, a blank line and a '— name signature' line",
        given=f"{why}: {given[:80]!r}",
        hint="save one with `xietong audit checkpoint --save FILE` or GET /api/v1/audit/head",
    )


def parse_note(text: str) -> tuple[TreeHead, list[tuple[str, bytes, bytes]]]:
    """The tree head of a signed note and its signatures ``(key name, key id, signature)``; not verified."""
    body, sep, sigs = text.rpartition("\n\n")
    if not sep:
        raise _bad_note("no blank line before the signatures", text)
    lines = (body + "\n").split("\n")[:-1]
    if len(lines) < 3:
        raise _bad_note("fewer than three lines", body)
    origin, size_text, root_text, *extensions = lines
    try:
        size = int(size_text)
        root = base64.b64decode(root_text, validate=True)
    except (ValueError, binascii.Error):
        raise _bad_note("tree size or root hash unreadable", body) from None
    stamps = [e.removeprefix("timestamp ") for e in extensions if e.startswith("timestamp ")]
    if size < 0 or len(root) != 32 or len(stamps) != 1 or not stamps[0].isdigit():
        raise _bad_note("tree size, 32-byte root or timestamp line missing", body)
    signatures = []
    for line in sigs.strip("\n").split("\n"):
        dash, _, rest = line.partition(" ")
        name, _, encoded = rest.partition(" ")
        try:
            blob = base64.b64decode(encoded, validate=True)
        except (ValueError, binascii.Error):
            raise _bad_note("signature line unreadable", line) from None
        if dash != _DASH or len(blob) < 5:
            raise _bad_note("signature line unreadable", line)
        signatures.append((name, blob[:4], blob[4:]))
    return TreeHead(origin, size, root, int(stamps[0])), signatures


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A verified signed tree head, and the key that signed it."""

    head: TreeHead
    signature: bytes
    public_key: bytes

    @property
    def key_id(self) -> str:
        return note_key_id(self.head.origin, self.public_key).hex()

    @property
    def verifier_key(self) -> str:
        return verifier_key(self.head.origin, self.public_key)

    def note(self) -> str:
        return note(self.head, self.signature, self.public_key)

    def as_dict(self) -> dict[str, Any]:
        return {
            "origin": self.head.origin,
            "tree_size": self.head.size,
            "root_hash": base64.b64encode(self.head.root).decode("ascii"),
            "timestamp": self.head.timestamp.isoformat(timespec="milliseconds"),
            "key_id": self.key_id,
            "public_key": base64.b64encode(self.public_key).decode("ascii"),
            "verifier_key": self.verifier_key,
            "checkpoint": self.note(),
        }


def open_note(text: str, public_key: bytes) -> Checkpoint:
    """Verify a signed note with ``public_key``; :class:`InputError` when no signature of that key verifies."""
    head, signatures = parse_note(text)
    key_id = note_key_id(head.origin, public_key)
    for name, kid, signature in signatures:
        if name == head.origin and kid == key_id and verify(head, signature, public_key):
            return Checkpoint(head, signature, public_key)
    raise InputError(
        "the checkpoint's signature does not verify",
        expected=f"a signature by key {key_id.hex()} ({head.origin})",
        given=", ".join(f"{n} key {k.hex()}" for n, k, _ in signatures) or "no signature",
        hint="the checkpoint was changed, or it was signed by another key",
    )


def read_checkpoint(text: str, *, public_key: bytes | None = None, source: str | None = None) -> Checkpoint:
    """A checkpoint file: the JSON written by ``audit checkpoint --save`` (its verifier key is used unless
    ``public_key`` is given), or a bare signed note with ``public_key``. Errors name ``source`` (the file)."""
    try:
        return _read_checkpoint(text, public_key)
    except InputError as exc:
        raise exc.in_file(source) from None


def _read_checkpoint(text: str, public_key: bytes | None) -> Checkpoint:
    stripped = text.lstrip()
    if stripped.startswith("{"):
        try:
            doc = json.loads(stripped)
            note_text, key_text = str(doc["checkpoint"]), str(doc["verifier_key"])
        except (ValueError, KeyError, TypeError):
            raise InputError(
                "unreadable checkpoint file",
                expected="JSON with 'checkpoint' and 'verifier_key'",
                given=excerpt(stripped, 80),
            ) from None
        _, key = parse_verifier_key(key_text)
        return open_note(note_text, public_key or key)
    if public_key is None:
        raise InputError(
            "a bare checkpoint note needs the log's public key",
            expected="the JSON file written by `xietong audit checkpoint --save`",
            given="a signed note without a verifier key",
        )
    return open_note(text, public_key)


__all__ = [
    "Checkpoint",
    "TreeHead",
    "note",
    "open_note",
    "parse_note",
    "parse_verifier_key",
    "read_checkpoint",
    "sign",
    "timestamp_ms",
    "verifier_key",
    "verify",
]
