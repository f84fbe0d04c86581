"""``/api/v1/tiny/notes``."""

from __future__ import annotations

from fastapi import APIRouter

from xietong.api.deps import PrincipalDep, StoreDep
from xietong_tiny.service import notes

router = APIRouter(prefix="/tiny", tags=["tiny"])


@router.get("/notes", operation_id="listTinyNotes")
def list_notes(store: StoreDep, principal: PrincipalDep) -> list[str]:
    principal.require("read", "read tiny notes")
    return notes(store)
