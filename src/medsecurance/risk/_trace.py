"""Traceability matrix (risk → control → CR → evidence) and the safety hand-off rows."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from medsecurance.risk._index import ModelIndex
from medsecurance.risk.exploitability import ControlInfo
from medsecurance.risk.register import CLOSED, HandoffRow, RiskEntry, TraceRow

__all__ = ["handoff_rows", "trace_rows"]


def trace_rows(entries: Iterable[RiskEntry], index: ModelIndex,
               control_info: Callable[[str], ControlInfo | None]) -> tuple[TraceRow, ...]:
    """One row per (risk, control present): its CRs, FDA categories and the evidence verifying it.

    Recommended controls carry their CRs and FDA categories in the register entry itself. Rows follow
    the register order, then control order.
    """
    rows: list[TraceRow] = []
    evidence_memo: dict[tuple[str, ...], set[str]] = {}
    info_memo: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}
    for e in entries:
        covered = evidence_memo.get(e.elements)
        if covered is None:
            covered = evidence_memo[e.elements] = {ev for el in e.elements for t in index.endpoints(el)
                                                   for ev in index.evidence_by_element.get(t, ())}
        for control in e.controls_present:
            if control not in info_memo:
                info = control_info(control)
                info_memo[control] = ((tuple(sorted(info.crs)), tuple(sorted(info.fda_categories)))
                                      if info else ((), ()))
            crs, fda = info_memo[control]
            evidence = tuple(sorted(covered | set(index.evidence_by_element.get(control, ()))))
            rows.append(TraceRow(e.id, e.finding, control, "present", crs, fda, evidence))
    return tuple(rows)


def handoff_rows(entries: Iterable[RiskEntry]) -> tuple[HandoffRow, ...]:
    """Risks that can lead to a hazardous situation, one row per hazard, for the ISO 14971 file (register order)."""
    rows: list[HandoffRow] = []
    new_situation = ("new hazardous situation: the knowledge base links this loss to a hazard type the safety "
                     "file does not hold")
    for e in entries:
        if e.status in CLOSED or not e.hazards:
            continue
        common = (";".join(e.elements), e.exploitability.value, e.residual_exploitability.value, e.level.value,
                  e.residual_level.value, ";".join(e.controls_present),
                  ";".join(c.id for c in e.controls_recommended[:3]))
        elements, expl, res_expl, level, res_level, present, recommended = common
        seen: set[tuple[str, str]] = set()
        for h in e.hazards:
            key = (h.hazard, h.hazard_type if not h.hazard else "")
            if key in seen:
                continue
            seen.add(key)
            rows.append(HandoffRow(
                e.id, e.finding, e.kind, elements, h.hazard, h.safety_file_ref, h.hazard_type,
                h.hazardous_situation, h.harm, h.severity.value if h.severity else "", expl, res_expl, level,
                res_level, present, recommended, e.multi_patient, e.status, "" if h.hazard else new_situation))
    return tuple(rows)
