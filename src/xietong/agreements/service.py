"""Agreement tracking on the store: import, tasks, tracking updates with history, progress, CSV, indicators.

This module is the service's one entry point (the CLI, the API and the tests call it); the work is done in
:mod:`~xietong.agreements.importing` (agreement texts and their revisions),
:mod:`~xietong.agreements.updates` (tracking updates, corrections, evidence files),
:mod:`~xietong.agreements.tracking_csv` (the tracking CSV), :mod:`~xietong.agreements.bindings`
(indicator bindings and values), :mod:`~xietong.agreements.queries` (reading and progress), over
:mod:`~xietong.agreements.task_rows` (task rows, permissions, history versions) and the views of
:mod:`~xietong.agreements.views`.

The service layer of issue 7 §3–5 over the pure core (:mod:`xietong.agreements` reads the text,
:mod:`xietong.agreements.track` validates updates and rolls progress up, :mod:`xietong.indicators`
computes indicators). Every write goes through :func:`xietong.exchange.actions.audited_write`: it is in
the audit log with who and when, and a refused or failed attempt is too (nothing else is written then).

Tables (``xietong.store.tables``): ``agreement`` (one row per agreement, the current revision of its
text), ``agreement_import`` (each import), ``agreement_task`` (the tasks with their current tracking
state), ``agreement_task_history`` (every version of every task: who, when, what changed, the full state),
``agreement_file`` (evidence files by SHA-256), ``indicator_binding`` and ``indicator_value``.

Who may do what:

=====================================  =============================================================
import an agreement                    scope ``admin``; a jurisdiction's administrator only for
                                       agreements its jurisdiction (or one inside it) is a party to
update a task, attach evidence, bind   a write scope (``publish:air``, ``publish:water``, ``warn`` or
an indicator, import tracking CSV      ``admin``), held by a principal of one of the task's lead or
                                       partner jurisdictions (or of a jurisdiction they lie in: Hebei
                                       for Shijiazhuang's tasks), or by a region-level principal
correct a task's area, lead, partners  the same, region-level only (the coordination office)
recompute indicators                   any authenticated principal with ``read`` (values are derived)
read                                   scope ``read``
=====================================  =============================================================

Re-importing: the same file again changes nothing. A revised text (same title, or ``agreement_id``
given) becomes the next revision: tasks whose id (the hash of their text) is unchanged keep their
tracking state and history; new tasks start "not started"; tasks no longer in the text are kept, marked
``in_text = false`` and left out of progress (they come back, with their state, if a later revision has
them again).
"""

from __future__ import annotations

from xietong.agreements.bindings import (
    bind_indicator,
    indicator_values,
    list_indicators,
    refresh_indicators,
    unbind_indicator,
)
from xietong.agreements.importing import import_agreement
from xietong.agreements.queries import get_agreement, get_file, get_task, list_agreements, progress, task_history
from xietong.agreements.task_rows import TRACK_SCOPE, may_track, title_key, today_cst
from xietong.agreements.tracking_csv import (
    CSV_COLUMNS,
    CSV_EDITABLE,
    CsvRow,
    export_tracking_csv,
    import_tracking_csv,
    parse_tracking_csv,
)
from xietong.agreements.updates import Correction, attach_file, update_task
from xietong.agreements.views import (
    AgreementSummary,
    AgreementView,
    BindingView,
    HistoryAction,
    HistoryEntry,
    ImportResult,
    ProgressBy,
    ProgressReport,
    SeriesView,
    TaskView,
)

__all__ = [
    "CSV_COLUMNS",
    "CSV_EDITABLE",
    "TRACK_SCOPE",
    "AgreementSummary",
    "AgreementView",
    "BindingView",
    "Correction",
    "CsvRow",
    "HistoryAction",
    "HistoryEntry",
    "ImportResult",
    "ProgressBy",
    "ProgressReport",
    "SeriesView",
    "TaskView",
    "attach_file",
    "bind_indicator",
    "export_tracking_csv",
    "get_agreement",
    "get_file",
    "get_task",
    "import_agreement",
    "import_tracking_csv",
    "indicator_values",
    "list_agreements",
    "list_indicators",
    "may_track",
    "parse_tracking_csv",
    "progress",
    "refresh_indicators",
    "task_history",
    "title_key",
    "today_cst",
    "unbind_indicator",
    "update_task",
]
