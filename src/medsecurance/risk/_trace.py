"""Traceability matrix (risk → control → CR → evidence) and the safety hand-off rows."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from medsecurance.risk._index import ModelIndex
from medsecurance.risk.exploitability import ControlInfo
from medsecurance.risk.register import CLOSED, HandoffRow, RiskEntry, TraceRow
from medsecurance.risk.severity import HazardLink

__all__ = ["handoff_rows", "handoff_summary", "trace_rows"]


def trace_rows(entries: Iterable[RiskEntry], index: ModelIndex,
               control_info: Callable[[str], ControlInfo | None]) -> tuple[TraceRow, ...]:
    """One row per (risk, control present): its CRs, FDA categories and the evidence verifying it.

    Recommended controls carry their CRs and FDA categories in the register entry itself. Rows follow
    the register order, then control order.
    """
    rows: list[TraceRow] = []
    evidence_memo: dict[tuple[str, ...], set[str]] = {}
    info_memo: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}
    row_memo: dict[tuple[tuple[str, ...], str], tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {}
    for e in entries:
        for control in e.controls_present:
            parts = row_memo.get((e.elements, control))  # the same for every risk on these elements
            if parts is None:
                covered = evidence_memo.get(e.elements)
                if covered is None:
                    covered = evidence_memo[e.elements] = {ev for el in e.elements for t in index.endpoints(el)
                                                           for ev in index.evidence_by_element.get(t, ())}
                if control not in info_memo:
                    info = control_info(control)
                    info_memo[control] = ((tuple(sorted(info.crs)), tuple(sorted(info.fda_categories)))
                                          if info else ((), ()))
                crs, fda = info_memo[control]
                evidence = tuple(sorted(covered | set(index.evidence_by_element.get(control, ()))))
                parts = row_memo[e.elements, control] = (crs, fda, evidence)
            rows.append(TraceRow(e.id, e.finding, control, "present", *parts))
    return tuple(rows)


_NEW_SITUATION = ("new hazardous situation: the knowledge base links this loss to a hazard type the safety "
                  "file does not hold")


def _hazard_parts(links: tuple[HazardLink, ...]) -> tuple[tuple[str, str, str, str, str, str, str], ...]:
    """Per distinct hazard (or unmatched KB hazard type): the hand-off columns that come from the hazard."""
    parts = []
    seen: set[tuple[str, str]] = set()
    for h in links:
        key = (h.hazard, h.hazard_type if not h.hazard else "")
        if key in seen:
            continue
        seen.add(key)
        parts.append((h.hazard, h.safety_file_ref, h.hazard_type, h.hazardous_situation, h.harm,
                      str(h.severity) if h.severity else "", "" if h.hazard else _NEW_SITUATION))
    return tuple(parts)


def handoff_rows(entries: Iterable[RiskEntry]) -> tuple[HandoffRow, ...]:
    """Risks that can lead to a hazardous situation, one row per hazard, for the ISO 14971 file (register order).

    Entries sharing an evaluation share their hazard and control tuples, so the columns derived from
    those are computed once per tuple (memo keyed by identity; the entries keep the tuples alive).
    """
    rows: list[HandoffRow] = []
    hazard_memo: dict[int, tuple[tuple[str, str, str, str, str, str, str], ...]] = {}
    controls_memo: dict[tuple[int, int], tuple[str, str]] = {}
    for e in entries:
        if not e.hazards or e.status in CLOSED:
            continue
        hazards = hazard_memo.get(id(e.hazards))
        if hazards is None:
            hazards = hazard_memo[id(e.hazards)] = _hazard_parts(e.hazards)
        key = (id(e.controls_present), id(e.controls_recommended))
        controls = controls_memo.get(key)
        if controls is None:
            controls = controls_memo[key] = (";".join(e.controls_present),
                                             ";".join(c.id for c in e.controls_recommended[:3]))
        present, recommended = controls
        # str() of a StrEnum member is its value (plain str), without the slower Enum .value descriptor
        elements, expl, res_expl = ";".join(e.elements), str(e.exploitability), str(e.residual_exploitability)
        level, res_level = str(e.level), str(e.residual_level)
        for hazard, ref, hazard_type, situation, harm, severity, note in hazards:
            rows.append(HandoffRow(
                e.id, e.finding, e.kind, elements, hazard, ref, hazard_type, situation, harm, severity, expl,
                res_expl, level, res_level, present, recommended, e.multi_patient, e.status, note))
    return tuple(rows)


def handoff_summary(entries: Iterable[RiskEntry]) -> dict[str, object]:
    """How many hand-off rows there are per hazard, without building the rows.

    Model hazards come first, then the KB hazard types the safety file does not hold. The rows
    join each risk with each hazard it reaches: everything in them is already in the register
    (``risks``) and the model, so the assessment keeps this summary and the rows are exported on
    demand (``medsec risk MODEL --handoff DIR``, the submission package).
    """
    per_tuple: dict[int, tuple[tuple[str, str], ...]] = {}
    counts: dict[tuple[str, str], int] = {}
    for e in entries:
        links = e.evaluation.hazards
        if not links or e.status in CLOSED:
            continue
        keys = per_tuple.get(id(links))
        if keys is None:  # entries sharing an evaluation share the tuple (identity memo, kept alive by them)
            keys = per_tuple[id(links)] = tuple(dict.fromkeys(
                (h.hazard, h.hazard_type if not h.hazard else "") for h in links))
        for key in keys:
            counts[key] = counts.get(key, 0) + 1
    hazards = [{"hazard": hazard or None, "hazard_type": hazard_type or None, "risks": n}
               for (hazard, hazard_type), n in sorted(counts.items(), key=lambda kv: (not kv[0][0], kv[0]))]
    return {"rows": sum(counts.values()), "hazards": hazards,
            "export": "medsec risk MODEL --handoff DIR (CSV and JSON for the ISO 14971 risk management file)"}
