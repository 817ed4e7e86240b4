"""The risk register: one entry per threat or vulnerability, with trace, hand-off and heat map."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, NamedTuple

from medsecurance.errors import Diagnostic
from medsecurance.risk.benefit_risk import ControlConcern
from medsecurance.risk.scales import Exploitability, HarmSeverity, PrivacyImpact, RiskLevel
from medsecurance.risk.severity import HazardLink

__all__ = ["HandoffRow", "RecommendedControl", "RiskEntry", "RiskRegister", "TraceRow"]

#: statuses that take a risk out of the heat map and the safety hand-off
CLOSED = frozenset({"false-positive", "not-affected", "fixed"})


@dataclass(frozen=True)
class RecommendedControl:
    """A control that would lower the residual risk, with what it would leave."""

    id: str
    residual_exploitability: Exploitability
    residual_level: RiskLevel
    levels_removed: int  # drop in residual risk level
    exploitability_removed: int  # drop in residual exploitability (levels)
    fda_categories: tuple[str, ...] = ()
    crs: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The JSON form."""
        return {"id": self.id, "residual_exploitability": str(self.residual_exploitability),
                "residual_level": str(self.residual_level), "levels_removed": self.levels_removed,
                "exploitability_removed": self.exploitability_removed,
                "fda_categories": list(self.fda_categories), "crs": list(self.crs)}


@dataclass(frozen=True)
class RiskEntry:
    """One security risk, before and after controls, linked to hazards and harm."""

    id: str
    finding: str
    kind: str  # threat | vulnerability
    rule: str
    title: str
    elements: tuple[str, ...]
    hazards: tuple[HazardLink, ...]
    severity: HarmSeverity | None
    harm: str
    hazardous_situation: str
    unmatched_hazard_types: tuple[str, ...]
    privacy: PrivacyImpact
    multi_patient: bool
    safety_relevant: bool
    exploitability: Exploitability
    level: RiskLevel
    residual_exploitability: Exploitability
    residual_level: RiskLevel
    controls_present: tuple[str, ...]
    controls_recommended: tuple[RecommendedControl, ...]
    status: str
    rationale: str
    attack_path: str | None = None
    cvss: str | None = None
    acceptance: Mapping[str, Any] | None = None

    def to_dict(self, memo: dict[int, Any] | None = None) -> dict[str, Any]:
        """The JSON form of one entry of the assessment's ``risks`` list.

        ``memo`` lets a register share the (read-only) hazard and control lists of entries that share
        one evaluation; pass the same dict for all entries of one register. (``str()`` of a StrEnum
        member is its value as a plain ``str``, cheaper than the Enum ``.value`` descriptor.)
        """
        memo = {} if memo is None else memo
        hazards = memo.get(id(self.hazards))
        if hazards is None:
            hazards = memo[id(self.hazards)] = _hazards(self.hazards)
        recommended = memo.get(id(self.controls_recommended))
        if recommended is None:
            recommended = memo[id(self.controls_recommended)] = [c.to_dict() for c in self.controls_recommended]
        return {
            "id": self.id,
            "source": {"finding": self.finding, "kind": self.kind, "rule": self.rule, "title": self.title},
            "elements": list(self.elements),
            "hazards": hazards,
            "severity": str(self.severity) if self.severity else None,
            "harm": self.harm,
            "hazardous_situation": self.hazardous_situation,
            "unmatched_hazard_types": list(self.unmatched_hazard_types),
            "privacy_impact": str(self.privacy),
            "multi_patient": self.multi_patient,
            "safety_relevant": self.safety_relevant,
            "exploitability": str(self.exploitability),
            "level": str(self.level),
            "residual_exploitability": str(self.residual_exploitability),
            "residual_level": str(self.residual_level),
            "controls_present": list(self.controls_present),
            "controls_recommended": recommended,
            "status": self.status,
            "rationale": self.rationale,
            "attack_path": self.attack_path,
            "cvss": self.cvss,
            "acceptance": dict(self.acceptance) if self.acceptance else None,
        }


def _hazards(links: tuple[HazardLink, ...]) -> list[dict[str, Any]]:
    """One object per hazard (or unmatched KB hazard type) with the assets, losses and routes reaching it.

    Harm and hazardous-situation texts are given once per risk (the worst) and in the safety hand-off.
    """
    grouped: dict[tuple[str, str], list[HazardLink]] = {}
    for h in links:
        grouped.setdefault((h.hazard, h.hazard_type if not h.hazard else ""), []).append(h)
    out = []
    for (hazard, _), group in grouped.items():
        first = group[0]
        out.append({"id": hazard or None, "hazard_type": first.hazard_type or None,
                    "severity": str(first.severity) if first.severity else None,
                    "assets": sorted({h.asset for h in group}), "impacts": sorted({h.impact for h in group}),
                    "via": sorted({v for h in group for v in h.via.split("+")}),
                    "safety_file_ref": first.safety_file_ref or None})
    return out


class TraceRow(NamedTuple):
    """Traceability: risk → threat/vulnerability → control → requirements (CRs) → verification evidence.

    (Named tuples: registers of tens of thousands of risks build many rows, and they construct fast.)
    """

    risk: str
    finding: str
    control: str
    state: str  # present (recommended controls carry their CRs in the register entry)
    requirements: tuple[str, ...]  # IEC 62443-4-2 CR ids the KB maps the control to
    fda_categories: tuple[str, ...]
    evidence: tuple[str, ...]  # model evidence covering the risk's elements (present controls only)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (tuples serialise as JSON arrays)."""
        return self._asdict()


class HandoffRow(NamedTuple):
    """A security risk that can lead to a hazardous situation, for the ISO 14971 safety file."""

    risk: str
    finding: str
    kind: str
    elements: str  # ';'-joined
    hazard: str  # model hazard id, "" for a KB hazard type the safety file does not hold yet
    safety_file_ref: str
    hazard_type: str
    hazardous_situation: str
    harm: str
    severity: str
    exploitability: str
    residual_exploitability: str
    level: str
    residual_level: str
    risk_controls: str  # ';'-joined security controls present, to register as risk controls
    recommended_controls: str
    multi_patient: bool
    status: str
    note: str

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (also the CSV columns, in this order)."""
        return self._asdict()


@dataclass(frozen=True)
class RiskRegister:
    """The result of the risk stage."""

    entries: tuple[RiskEntry, ...]
    trace: tuple[TraceRow, ...] = ()
    handoff: tuple[HandoffRow, ...] = ()
    concerns: tuple[ControlConcern, ...] = ()
    metrics: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    diagnostics: tuple[Diagnostic, ...] = ()
    policy: str = ""

    def to_dict(self) -> list[dict[str, Any]]:
        """The assessment JSON ``risks`` list (entries sharing an evaluation share its nested lists)."""
        memo: dict[int, Any] = {}
        return [e.to_dict(memo) for e in self.entries]

    def section(self) -> dict[str, Any]:
        """Everything else the report shows: heat map, trace, hand-off, concerns, metrics, diagnostics."""
        return {
            "policy": self.policy,
            "heatmap": self.heatmap(),
            "traceability": [dict(zip(TraceRow._fields, r, strict=True)) for r in self.trace],
            "safety_handoff": [dict(zip(HandoffRow._fields, r, strict=True)) for r in self.handoff],
            "control_concerns": [c.to_dict() for c in self.concerns],
            "metrics": dict(self.metrics),
            "diagnostics": [str(d) for d in self.diagnostics],
        }

    def heatmap(self) -> dict[str, dict[str, dict[str, int]]]:
        """Counts of open risks per exploitability × severity, before and after controls.

        Severity columns are the five ISO 14971 levels plus ``none`` (privacy-only or no harm).
        """
        columns = [str(s) for s in HarmSeverity] + ["none"]
        open_entries = [e for e in self.entries if e.status not in CLOSED]
        counts = {"before": Counter((e.exploitability, e.severity) for e in open_entries),
                  "after": Counter((e.residual_exploitability, e.severity) for e in open_entries)}
        out: dict[str, dict[str, dict[str, int]]] = {}
        for phase, cells in counts.items():
            grid = {str(e): dict.fromkeys(columns, 0) for e in Exploitability}
            for (row, severity), n in cells.items():
                grid[str(row)][str(severity) if severity else "none"] += n
            out[phase] = grid
        return out

    def worst(self) -> RiskEntry | None:
        """The highest residual risk (entries are sorted worst first)."""
        return self.entries[0] if self.entries else None
