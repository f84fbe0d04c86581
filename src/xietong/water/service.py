"""Surface-water services: the section registry and river graph, samples, classification of stored data.

CLI commands (``xietong water …``) and API routes (``/api/v1/water/…``) call these functions; the
pure core (:mod:`xietong.water.classify`, :mod:`~xietong.water.evaluate`, :mod:`~xietong.water.network`,
:mod:`~xietong.water.formats`) does the computing. This module is the services' one entry point over
:mod:`~xietong.water.registry` (sections, links, the river graph) and :mod:`~xietong.water.samples`
(samples, classification and evaluation of stored data). Incidents are in :mod:`xietong.water.incidents`.

Ownership: a section belongs to the jurisdiction in its ``jurisdiction`` column; only a principal of
that jurisdiction (or of the province above it, or a region-level administrator) publishes the section,
the links that leave it, and its samples. Sections outside the 15 jurisdictions of the exchange (the
Haihe basin reaches into Shanxi, Henan, Inner Mongolia and Shandong) are kept by the region.

Revisions: sections, links and samples are system-versioned like air stations and observations: a
changed record moves its current revision to the ``_history`` table with ``superseded_at``; re-sending
an unchanged batch writes nothing; ``as_of`` reads the store as it was. Every write is one audited,
all-or-nothing transaction.
"""

from __future__ import annotations

from xietong.water.registry import (
    BUNDLED_LINKS,
    BUNDLED_SECTIONS,
    LINK_ATTRS,
    LINK_FRAME_COLUMNS,
    MAX_PROBLEMS_KEPT,
    SECTION_ATTRS,
    SECTION_FRAME_COLUMNS,
    Counts,
    downstream_of,
    jurisdiction_label,
    links_frame,
    list_links,
    list_sections,
    may_publish,
    network_of,
    publish_links,
    publish_sections,
    section_history,
    sections_frame,
    seed,
    seed_haihe,
    write_links,
    write_sections,
)
from xietong.water.samples import (
    EvaluateBy,
    SampleResult,
    classify_stored,
    classify_wide,
    evaluate_stored,
    ingest_samples,
    read_samples_stored,
    samples_frame,
    write_samples,
)

__all__ = [
    "BUNDLED_LINKS",
    "BUNDLED_SECTIONS",
    "LINK_ATTRS",
    "LINK_FRAME_COLUMNS",
    "MAX_PROBLEMS_KEPT",
    "SECTION_ATTRS",
    "SECTION_FRAME_COLUMNS",
    "Counts",
    "EvaluateBy",
    "SampleResult",
    "classify_stored",
    "classify_wide",
    "downstream_of",
    "evaluate_stored",
    "ingest_samples",
    "jurisdiction_label",
    "links_frame",
    "list_links",
    "list_sections",
    "may_publish",
    "network_of",
    "publish_links",
    "publish_sections",
    "read_samples_stored",
    "samples_frame",
    "section_history",
    "sections_frame",
    "seed",
    "seed_haihe",
    "write_links",
    "write_samples",
    "write_sections",
]
