"""Options of the public-services domain: the single source for core, CLI and API."""

from __future__ import annotations

from enum import StrEnum


class Mode(StrEnum):
    """How a cross-province item is handled (国办发〔2020〕35号, section on the three modes).

    ``online`` 全程网办: the applicant applies online to the competent office, wherever they are.
    ``forwarded`` 异地代收代办: a window in another jurisdiction receives and checks the application
    and forwards it, with the documents, to the competent office ("收受分离").
    ``joint`` 多地联办: one office receives, the offices of several jurisdictions each handle their part.
    """

    ONLINE = "online"
    FORWARDED = "forwarded"
    JOINT = "joint"


class StepKind(StrEnum):
    """The steps of a case, in their usual order."""

    RECEIVED = "received"
    COMPLETENESS_CHECK = "completeness_check"
    FORWARDED = "forwarded"
    ACCEPTED = "accepted"
    DECIDED = "decided"
    RESULT_RETURNED = "result_returned"
    #: the receiving office finishes the case after the result came back (e.g. a pension transfer-in)
    COMPLETED = "completed"


class OfficeRole(StrEnum):
    """Which party does a step: the office that received the case, or a competent office."""

    RECEIVING = "receiving"
    COMPETENT = "competent"


class Decision(StrEnum):
    APPROVED = "approved"
    REFUSED = "refused"


class CaseStatus(StrEnum):
    OPEN = "open"
    SUSPENDED = "suspended"
    CLOSED = "closed"


class EventType(StrEnum):
    """Events a case emits; the service layer queues each as a webhook of the same name, addressed to the
    jurisdictions of the event's recipient offices (declared in :mod:`xietong.services.domain`)."""

    CASE_RECEIVED = "services.case.received"
    STEP_OPENED = "services.step.opened"
    STEP_COMPLETED = "services.step.completed"
    CASE_SUSPENDED = "services.case.suspended"
    CASE_RESUMED = "services.case.resumed"
    STEP_OVERDUE = "services.step.overdue"
    CASE_CLOSED = "services.case.closed"


class RecognitionKind(StrEnum):
    CLINICAL_TEST = "clinical_test"
    TRANSPORT_CARD = "transport_card"
    SOCIAL_SECURITY_CARD = "social_security_card"
    QUALIFICATION = "qualification"


class PartnershipKind(StrEnum):
    HOSPITAL = "hospital"
    SCHOOL = "school"
    UNIVERSITY = "university"
    LIBRARY = "library"
    MUSEUM = "museum"


class MaskRule(StrEnum):
    """How identity numbers are shown (see :func:`xietong.services.identity.mask`).

    ``keep_6_4``: address code and the last four characters, birth date hidden (lists shown to staff).
    ``keep_1_1``: first and last character only (logs).
    """

    KEEP_6_4 = "keep_6_4"
    KEEP_1_1 = "keep_1_1"


__all__ = [
    "CaseStatus",
    "Decision",
    "EventType",
    "MaskRule",
    "Mode",
    "OfficeRole",
    "PartnershipKind",
    "RecognitionKind",
    "StepKind",
]
