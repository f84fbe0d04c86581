"""Keys that live outside the store: key files, secrets encrypted at rest, and the audit signing key.

A database file or dump alone must not reveal a secret nor let anyone re-sign the audit log, so both keys
are files beside the data (``<data dir>/keys/`` by default, paths from the settings), never rows:

* :func:`load_key_file` creates a key file on first use — ``0600`` in a ``0700`` folder, written
  atomically — and refuses one that group or others may read (as OpenSSH refuses a private key), with the
  ``chmod`` that fixes it.
* :class:`SecretBox` encrypts small secrets (webhook HMAC keys; identity numbers in the public-services
  domain) with AES-256-GCM: a fresh 96-bit random nonce per message (NIST SP 800-38D §8.2.2), the
  16-byte tag checked on decryption, and optional associated data binding a ciphertext to its use.
* :class:`SigningKey` is the Ed25519 key (RFC 8032) that signs the audit log's tree heads; its public half
  and key id are published (``GET /api/v1/audit/head``).

OWASP ASVS 4.0.3 V6.4.1 (secrets managed apart from the data they protect) and V6.2.1 (cryptographic
modules fail securely: a wrong key or a changed ciphertext is an error, never garbage).
"""

from __future__ import annotations

import base64
import functools
import hashlib
import os
import secrets
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from xietong.errors import InputError, StoreError

FILE_MODE = 0o600
DIR_MODE = 0o700
_NONCE_BYTES = 12
_TAG_BYTES = 16
#: the text form of a SecretBox ciphertext: ``v1:`` + unpadded URL-safe base64 of nonce || ciphertext || tag
TEXT_PREFIX = "v1:"


def _too_open(mode: int) -> bool:
    return bool(stat.S_IMODE(mode) & 0o077)


def secure_dir(path: Path) -> Path:
    """Create ``path`` (and parents) as ``0700``; tighten it to ``0700`` when it exists with more."""
    try:
        path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
        if _too_open(path.stat().st_mode):
            path.chmod(DIR_MODE)
    except OSError as exc:
        raise StoreError(
            "cannot create or protect a private folder",
            expected="a folder this user owns, mode 0700",
            given=f"{path}: {exc.strerror or exc}",
            hint="create it yourself (mkdir -m 700) or point the setting at a folder you own",
        ) from exc
    return path


def _write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to a new file ``0600`` atomically; an existing file is left alone (first writer wins)."""
    secure_dir(path.parent)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".key")  # created 0600
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.link(tmp, path)  # fails if another process created the key meanwhile: then that key is used
    except FileExistsError:
        pass
    finally:
        os.unlink(tmp)


def load_key_file(path: Path, *, what: str, create: Callable[[], bytes] | None) -> bytes:
    """The bytes of the key file at ``path``, created with ``create()`` when missing (if given).

    Raises :class:`~xietong.errors.StoreError` when the file is missing (and may not be created), cannot be
    read, or may be read by group or others.
    """
    if not path.exists():
        if create is None:
            raise StoreError(
                f"no {what} key file",
                expected=f"a key file at {path}",
                given="no such file",
                hint="the key is created by the first write of this installation; check the key-file setting",
            )
        _write_private(path, create())
    try:
        mode = path.stat().st_mode
        if _too_open(mode):
            raise StoreError(
                f"the {what} key file may be read by other users",
                expected="mode 0600 (owner only)",
                given=f"{path}: mode {stat.S_IMODE(mode):04o}",
                hint=f"chmod 600 {path}",
            )
        return path.read_bytes()
    except OSError as exc:
        raise StoreError(f"cannot read the {what} key file", given=f"{path}: {exc.strerror or exc}") from exc


# -- secrets at rest -------------------------------------------------------------------------------------


class SecretBox:
    """AES-256-GCM for small secrets: ``encrypt`` → ``nonce || ciphertext || tag``, ``decrypt`` checks the tag."""

    def __init__(self, key: bytes) -> None:
        if len(key) != 32:
            raise InputError("a secret-box key is 32 bytes", expected="32 random bytes", given=f"{len(key)} bytes")
        self._aead = AESGCM(key)

    @classmethod
    def generate_key(cls) -> bytes:
        return AESGCM.generate_key(bit_length=256)

    @classmethod
    def from_file(cls, path: Path, *, create: bool = True) -> SecretBox:
        """The box whose key is the file at ``path`` (base64 text), created on first use when ``create``."""
        raw = load_key_file(
            path, what="secrets", create=(lambda: base64.b64encode(cls.generate_key()) + b"\n") if create else None
        )
        try:
            return cls(base64.b64decode(raw.strip(), validate=True))
        except (ValueError, InputError) as exc:
            raise StoreError("the secrets key file is damaged", expected="base64 of 32 bytes", given=str(path)) from exc

    def encrypt(self, plaintext: bytes | str, *, context: bytes = b"") -> bytes:
        """Encrypt ``plaintext``; ``context`` (associated data) must be given again to decrypt."""
        data = plaintext.encode("utf-8") if isinstance(plaintext, str) else plaintext
        nonce = secrets.token_bytes(_NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, data, context)

    def decrypt(self, token: bytes, *, context: bytes = b"") -> bytes:
        """The plaintext of ``token``; :class:`~xietong.errors.InputError` when it was changed or is not ours."""
        if len(token) < _NONCE_BYTES + _TAG_BYTES:
            raise InputError(
                "not an encrypted secret", expected="nonce, ciphertext and tag", given=f"{len(token)} bytes"
            )
        try:
            return self._aead.decrypt(token[:_NONCE_BYTES], token[_NONCE_BYTES:], context)
        except InvalidTag:
            raise InputError(
                "an encrypted secret does not decrypt with this installation's key",
                expected="a value encrypted with the secrets key file in use",
                given=f"{len(token)} bytes",
                hint="was the secrets key file replaced? restore the key that encrypted it",
            ) from None

    def encrypt_text(self, plaintext: str, *, context: bytes = b"") -> str:
        """``v1:<base64url>``: the ciphertext as text, for a text column."""
        return TEXT_PREFIX + base64.urlsafe_b64encode(self.encrypt(plaintext, context=context)).rstrip(b"=").decode()

    def decrypt_text(self, value: str, *, context: bytes = b"") -> str:
        if not value.startswith(TEXT_PREFIX):
            raise InputError("not an encrypted secret", expected=f"a value starting {TEXT_PREFIX}", given=value[:3])
        body = value[len(TEXT_PREFIX) :]
        try:
            token = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        except ValueError:
            raise InputError(
                "not an encrypted secret", expected="URL-safe base64", given=f"{len(body)} characters"
            ) from None
        return self.decrypt(token, context=context).decode("utf-8")


def is_encrypted_text(value: str) -> bool:
    """Whether a text value has the form :meth:`SecretBox.encrypt_text` writes (it may still not decrypt)."""
    return value.startswith(TEXT_PREFIX)


# -- the audit signing key -------------------------------------------------------------------------------

#: the signature type byte of Ed25519 in the signed-note format (c2sp.org/signed-note)
ED25519_NOTE_TYPE = b"\x01"


class SigningKey:
    """An Ed25519 private key (RFC 8032) and what is published about it."""

    def __init__(self, private: Ed25519PrivateKey) -> None:
        self._private = private
        self.public_key = private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)

    @classmethod
    def from_file(cls, path: Path, *, create: bool = True) -> SigningKey:
        """The key in the PKCS#8 PEM file at ``path`` (``openssl pkey -in FILE -pubout`` reads it)."""

        def generate() -> bytes:
            return Ed25519PrivateKey.generate().private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )

        raw = load_key_file(path, what="audit signing", create=generate if create else None)
        try:
            key = serialization.load_pem_private_key(raw, password=None)
        except ValueError as exc:
            raise StoreError(
                "the audit signing key file is damaged", expected="an Ed25519 PEM key", given=str(path)
            ) from exc
        if not isinstance(key, Ed25519PrivateKey):
            raise StoreError("the audit signing key is not an Ed25519 key", given=f"{path}: {type(key).__name__}")
        return cls(key)

    def sign(self, message: bytes) -> bytes:
        return self._private.sign(message)


def verify_ed25519(public_key: bytes, message: bytes, signature: bytes) -> bool:
    """Whether ``signature`` is ``public_key``'s Ed25519 signature of ``message``."""
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


def note_key_id(name: str, public_key: bytes) -> bytes:
    """``SHA-256(name || 0x0A || 0x01 || public key)[:4]``: the signed-note key id of an Ed25519 key."""
    return hashlib.sha256(name.encode("utf-8") + b"\n" + ED25519_NOTE_TYPE + public_key).digest()[:4]


@functools.lru_cache(maxsize=8)
def _signing_key(path: str) -> SigningKey:
    return SigningKey.from_file(Path(path))


@functools.lru_cache(maxsize=8)
def _secret_box(path: str) -> SecretBox:
    return SecretBox.from_file(Path(path))


def signing_key(path: Path) -> SigningKey:
    """The audit signing key at ``path``, created on first use, loaded once per process."""
    return _signing_key(str(path))


def secret_box(path: Path) -> SecretBox:
    """The secret box whose key is at ``path``, created on first use, loaded once per process."""
    return _secret_box(str(path))


__all__ = [
    "DIR_MODE",
    "FILE_MODE",
    "SecretBox",
    "SigningKey",
    "is_encrypted_text",
    "load_key_file",
    "note_key_id",
    "secret_box",
    "secure_dir",
    "signing_key",
    "verify_ed25519",
]
