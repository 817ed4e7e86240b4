"""The risk register: one entry per threat or vulnerability, with trace, hand-off and heat map."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import Any, NamedTuple

from medsecurance.errors import Diagnostic
from medsecurance.risk.benefit_risk import ControlConcern
from medsecurance.risk.entry import RecommendedControl, RiskEntry, RiskEvaluation
from medsecurance.risk.scales import Exploitability, HarmSeverity

__all__ = ["HandoffRow", "RecommendedControl", "RiskEntry", "RiskEvaluation", "RiskRegister", "TraceRow"]

#: statuses that take a risk out of the heat map and the safety hand-off
CLOSED = frozenset({"false-positive", "not-affected", "fixed"})


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
    concerns: tuple[ControlConcern, ...] = ()
    metrics: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    diagnostics: tuple[Diagnostic, ...] = ()
    policy: str = ""

    def to_dict(self) -> list[dict[str, Any]]:
        """The assessment JSON ``risks`` list (entries sharing an evaluation share its nested lists)."""
        memo: dict[int, Any] = {}
        return [e.to_dict(memo) for e in self.entries]

    @cached_property
    def handoff(self) -> tuple[HandoffRow, ...]:
        """The safety hand-off rows (built on first use: only exports need them)."""
        from medsecurance.risk._trace import handoff_rows

        return handoff_rows(self.entries)

    def section(self) -> dict[str, Any]:
        """Everything else the report shows: heat map, trace, hand-off summary, concerns, metrics, diagnostics."""
        from medsecurance.risk._trace import handoff_summary

        return {
            "policy": self.policy,
            "heatmap": self.heatmap(),
            "traceability": [dict(zip(TraceRow._fields, r, strict=True)) for r in self.trace],
            "safety_handoff": handoff_summary(self.entries),
            "control_concerns": [c.to_dict() for c in self.concerns],
            "metrics": dict(self.metrics),
            "diagnostics": [str(d) for d in self.diagnostics],
        }

    def heatmap(self) -> dict[str, dict[str, dict[str, int]]]:
        """Counts of open risks per exploitability × severity, before and after controls.

        Severity columns are the five ISO 14971 levels plus ``none`` (privacy-only or no harm).
        """
        columns = [str(s) for s in HarmSeverity] + ["none"]
        # Count open entries per shared evaluation first (by identity: one C-level pass), then per cell.
        per_evaluation = Counter(id(e.evaluation) for e in self.entries if e.status not in CLOSED)
        evaluations = {id(e.evaluation): e.evaluation for e in self.entries}
        Cell = tuple[Exploitability, HarmSeverity | None]
        counts: dict[str, Counter[Cell]] = {"before": Counter(), "after": Counter()}
        for key, n in per_evaluation.items():
            v = evaluations[key]
            counts["before"][(v.exploitability, v.severity)] += n
            counts["after"][(v.residual_exploitability, v.severity)] += n
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
