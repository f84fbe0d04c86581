"""Keys outside the store, secrets at rest, and signed checkpoints.

The signed-note vector is the example of golang.org/x/mod/sumdb/note (package documentation in note.go:
signer key ``PRIVATE+KEY+PeterNeumann+c74f20a3+AYEK…``, verifier key ``PeterNeumann+c74f20a3+ARpc…`` and
the note it signs); it pins the key-id rule and the signature over the note text of c2sp.org/signed-note.
"""

from __future__ import annotations

import base64
import json
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from xietong.errors import InputError, StoreError
from xietong.exchange import checkpoint
from xietong.exchange.crypto import SecretBox, SigningKey, note_key_id, verify_ed25519

GO_SIGNER = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
GO_VERIFIER = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
GO_SIGNATURE = "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM="


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_go_note_vector_key_id_and_signature() -> None:
    name, public = checkpoint.parse_verifier_key(GO_VERIFIER)
    assert name == "PeterNeumann"
    assert note_key_id(name, public).hex() == "c74f20a3"
    blob = base64.b64decode(GO_SIGNATURE)
    assert blob[:4].hex() == "c74f20a3"
    assert verify_ed25519(public, GO_TEXT.encode(), blob[4:])
    seed = base64.b64decode(GO_SIGNER.split("+", 4)[-1])[1:]  # type byte 0x01, then the 32-byte seed
    key = SigningKey(Ed25519PrivateKey.from_private_bytes(seed))
    assert key.public_key == public
    assert key.sign(GO_TEXT.encode()) == blob[4:]  # Ed25519 is deterministic (RFC 8032 §5.1.6)
    assert checkpoint.verifier_key(name, public) == GO_VERIFIER


def test_a_changed_verifier_key_is_refused() -> None:
    with pytest.raises(InputError, match="id does not match"):
        checkpoint.parse_verifier_key(GO_VERIFIER.replace("c74f20a3", "c74f20a4"))
    with pytest.raises(InputError, match="not a verifier key"):
        checkpoint.parse_verifier_key("PeterNeumann")


def test_key_files_are_created_0600_in_a_0700_folder_and_reused(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "audit.key"
    first = SigningKey.from_file(path)
    assert (_mode(path), _mode(path.parent)) == (0o600, 0o700)
    assert SigningKey.from_file(path).public_key == first.public_key
    assert b"PRIVATE KEY" in path.read_bytes()  # PKCS#8 PEM, readable by `openssl pkey`
    with pytest.raises(StoreError, match="no audit signing key file"):
        SigningKey.from_file(tmp_path / "keys" / "missing.key", create=False)


def test_a_key_file_others_may_read_is_refused_with_the_fix(tmp_path: Path) -> None:
    path = tmp_path / "secrets.key"
    SecretBox.from_file(path)
    path.chmod(0o644)
    with pytest.raises(StoreError, match="may be read by other users") as err:
        SecretBox.from_file(path)
    assert f"chmod 600 {path}" in err.value.describe()


def test_secret_box_round_trip_and_tampering(tmp_path: Path) -> None:
    box = SecretBox.from_file(tmp_path / "k")
    token = box.encrypt("tianjin-shared-secret", context=b"webhook")
    assert b"tianjin" not in token
    assert box.decrypt(token, context=b"webhook") == b"tianjin-shared-secret"
    assert box.encrypt("same") != box.encrypt("same")  # a fresh nonce each time
    with pytest.raises(InputError, match="does not decrypt"):
        box.decrypt(token, context=b"another use")
    with pytest.raises(InputError, match="does not decrypt"):
        box.decrypt(token[:-1] + bytes([token[-1] ^ 1]), context=b"webhook")
    with pytest.raises(InputError, match="does not decrypt"):
        SecretBox(SecretBox.generate_key()).decrypt(token, context=b"webhook")
    text = box.encrypt_text("x" * 64, context=b"webhook")
    assert text.startswith("v1:") and len(text) <= 128  # a 64-character secret fits the 128-character column
    assert box.decrypt_text(text, context=b"webhook") == "x" * 64


def _head(key: SigningKey, size: int = 5) -> checkpoint.Checkpoint:
    head = checkpoint.TreeHead("xietong/audit/test", size, bytes(range(32)), 1_765_000_000_123)
    return checkpoint.Checkpoint(head, checkpoint.sign(head, key), key.public_key)


def test_checkpoint_note_is_a_c2sp_checkpoint_and_round_trips(tmp_path: Path) -> None:
    key = SigningKey.from_file(tmp_path / "k")
    cp = _head(key)
    note = cp.note()
    lines = note.split("\n")
    assert lines[:4] == [
        "xietong/audit/test",
        "5",
        base64.b64encode(bytes(range(32))).decode(),
        "timestamp 1765000000123",
    ]
    assert lines[4] == "" and lines[5].startswith("\u2014 xietong/audit/test ")
    saved = json.dumps(cp.as_dict())
    back = checkpoint.read_checkpoint(saved)
    assert back == cp
    assert checkpoint.read_checkpoint(note, public_key=key.public_key) == cp


def test_a_changed_checkpoint_does_not_verify(tmp_path: Path) -> None:
    key = SigningKey.from_file(tmp_path / "k")
    doc = _head(key).as_dict()
    doc["checkpoint"] = doc["checkpoint"].replace("\n5\n", "\n6\n")
    with pytest.raises(InputError, match="signature does not verify"):
        checkpoint.read_checkpoint(json.dumps(doc))
    other = SigningKey.from_file(tmp_path / "other")
    doc = _head(key).as_dict()
    doc["verifier_key"] = checkpoint.verifier_key("xietong/audit/test", other.public_key)
    with pytest.raises(InputError, match="signature does not verify"):
        checkpoint.read_checkpoint(json.dumps(doc))
    with pytest.raises(InputError, match="not a signed checkpoint"):
        checkpoint.read_checkpoint("hello\n", public_key=key.public_key)
    with pytest.raises(InputError, match="unreadable checkpoint file"):
        checkpoint.read_checkpoint("{not json")
