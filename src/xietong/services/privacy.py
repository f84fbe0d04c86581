"""Personal data of service cases: field-level encryption with a key outside the store, and who sees what.

The applicant's identity number and name, each document and its file name are stored only as ciphertexts
of the platform's :class:`~xietong.exchange.crypto.SecretBox` (AES-256-GCM; the key is a ``0600`` file
beside the data, ``Settings.secrets_key_path``, never a row). Each ciphertext is bound to its case and field
by associated data (``xietong.services/case/<id>/<field>``), so a ciphertext copied to another case or
field does not decrypt. A stolen database file or dump therefore holds no identity number in clear
(``tests/integration/test_services_privacy.py`` reads the raw SQLite file and the PostgreSQL rows).

Who sees what (issue 16, "shown only to the offices handling the case"):

* a principal of a jurisdiction whose office is party to the case sees the identity number and name in
  full on the case itself, and may download the documents (every read audited);
* lists show the number masked ``keep_6_4`` (address code and last four characters), logs, events and
  audit entries ``keep_1_1`` (first and last character);
* a region-level principal (the coordination office, the operator) sees the case's procedure but the
  personal data masked: it handles no case;
* anyone else is refused (403) and the refusal is audited.
"""

from __future__ import annotations

from xietong.exchange.crypto import SecretBox, secret_box
from xietong.exchange.principals import Principal
from xietong.services.enums import MaskRule
from xietong.services.identity import mask
from xietong.store.session import Store


def box(store: Store) -> SecretBox:
    """The installation's secret box (key file created ``0600`` on first use)."""
    return secret_box(store.settings.secrets_key_path)


def _context(case_id: int, field: str) -> bytes:
    return f"xietong.services/case/{case_id}/{field}".encode()


def seal_text(sb: SecretBox, case_id: int, field: str, value: str) -> str:
    """``value`` encrypted for ``field`` of case ``case_id`` (``v1:…`` text)."""
    return sb.encrypt_text(value, context=_context(case_id, field))


def open_text(sb: SecretBox, case_id: int, field: str, value: str) -> str:
    return sb.decrypt_text(value, context=_context(case_id, field))


def seal_bytes(sb: SecretBox, case_id: int, field: str, value: bytes) -> bytes:
    return sb.encrypt(value, context=_context(case_id, field))


def open_bytes(sb: SecretBox, case_id: int, field: str, value: bytes) -> bytes:
    return sb.decrypt(value, context=_context(case_id, field))


def sees_personal_data(principal: Principal, party_jurisdictions: list[str]) -> bool:
    """Whether ``principal`` handles the case: a principal of a jurisdiction acting for a party office."""
    return principal.jurisdiction is not None and any(principal.may_act_for(j) for j in party_jurisdictions)


def for_list(number: str) -> str:
    """An identity number as lists show it (``keep_6_4``)."""
    return mask(number, MaskRule.KEEP_6_4)


def for_log(number: str) -> str:
    """An identity number as logs, events and audit entries show it (``keep_1_1``)."""
    return mask(number, MaskRule.KEEP_1_1)


__all__ = [
    "box",
    "for_list",
    "for_log",
    "open_bytes",
    "open_text",
    "seal_bytes",
    "seal_text",
    "sees_personal_data",
]
