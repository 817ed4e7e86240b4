"""One risk of the register: the finding's own fields, its shared evaluation, and the JSON form."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from medsecurance.risk.scales import Exploitability, HarmSeverity, PrivacyImpact, RiskLevel
from medsecurance.risk.severity import HazardLink

__all__ = ["RecommendedControl", "RiskEntry", "RiskEvaluation"]


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
class RiskEvaluation:
    """A risk's evaluation: everything in a register entry except what names the finding and the decision.

    Findings that differ only in their id, title and element names get the same evaluation, and the
    register shares one object between them (measured on the 5,000-component benchmark: 40,384 risks,
    about 600 distinct evaluations).
    """

    kind: str  # threat | vulnerability
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
    status: str  # before human decisions: open, acceptable, or the finding's own triage / VEX status
    rationale: str
    attack_path: str | None = None
    cvss: str | None = None

    def to_dict(self, memo: dict[int, Any]) -> dict[str, Any]:
        """The JSON fields an entry takes from its evaluation (``memo`` shares equal hazard lists).

        (``str()`` of a StrEnum member is its value as a plain ``str``, cheaper than ``.value``.)
        """
        hazards = memo.get(id(self.hazards))
        if hazards is None:
            hazards = memo[id(self.hazards)] = _hazards(self.hazards)
        return {
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
            "controls_recommended": [c.to_dict() for c in self.controls_recommended],
            "rationale": self.rationale,
            "attack_path": self.attack_path,
            "cvss": self.cvss,
        }


@dataclass(frozen=True)
class RiskEntry:
    """One security risk, before and after controls, linked to hazards and harm.

    The finding's own fields and the decided status are stored here; the rest is read from the
    shared :class:`RiskEvaluation` (read-only properties of the same names).
    """

    id: str
    finding: str
    rule: str
    title: str
    elements: tuple[str, ...]
    evaluation: RiskEvaluation
    status: str
    acceptance: Mapping[str, Any] | None = None

    @property
    def kind(self) -> str:
        """Threat or vulnerability."""
        return self.evaluation.kind

    @property
    def hazards(self) -> tuple[HazardLink, ...]:
        """The hazard links the risk reaches."""
        return self.evaluation.hazards

    @property
    def severity(self) -> HarmSeverity | None:
        """The worst ISO 14971 severity reached."""
        return self.evaluation.severity

    @property
    def harm(self) -> str:
        """The harm of the worst hazard."""
        return self.evaluation.harm

    @property
    def hazardous_situation(self) -> str:
        """The hazardous situation of the worst hazard."""
        return self.evaluation.hazardous_situation

    @property
    def unmatched_hazard_types(self) -> tuple[str, ...]:
        """KB hazard types that no model hazard covers."""
        return self.evaluation.unmatched_hazard_types

    @property
    def privacy(self) -> PrivacyImpact:
        """The privacy impact (kept apart from patient safety)."""
        return self.evaluation.privacy

    @property
    def multi_patient(self) -> bool:
        """One attack can harm many patients."""
        return self.evaluation.multi_patient

    @property
    def safety_relevant(self) -> bool:
        """The risk can lead to a hazard."""
        return self.evaluation.safety_relevant

    @property
    def exploitability(self) -> Exploitability:
        """Exploitability before controls."""
        return self.evaluation.exploitability

    @property
    def level(self) -> RiskLevel:
        """Risk level before controls."""
        return self.evaluation.level

    @property
    def residual_exploitability(self) -> Exploitability:
        """Exploitability after the controls present."""
        return self.evaluation.residual_exploitability

    @property
    def residual_level(self) -> RiskLevel:
        """Risk level after the controls present."""
        return self.evaluation.residual_level

    @property
    def controls_present(self) -> tuple[str, ...]:
        """The controls counted as present."""
        return self.evaluation.controls_present

    @property
    def controls_recommended(self) -> tuple[RecommendedControl, ...]:
        """Controls that would lower the residual risk, best first."""
        return self.evaluation.controls_recommended

    @property
    def rationale(self) -> str:
        """Why these ratings."""
        return self.evaluation.rationale

    @property
    def attack_path(self) -> str | None:
        """Id of the easiest attack path, if any."""
        return self.evaluation.attack_path

    @property
    def cvss(self) -> str | None:
        """The CVSS vector used, if any."""
        return self.evaluation.cvss

    def to_dict(self, memo: dict[int, Any] | None = None) -> dict[str, Any]:
        """The JSON form of one entry of the assessment's ``risks`` list.

        ``memo`` shares the (read-only) fields of entries with one evaluation: pass the same dict for
        all entries of one register; each entry then costs a dict copy plus its own fields.
        """
        memo = {} if memo is None else memo
        shared = memo.get(id(self.evaluation))
        if shared is None:
            shared = memo[id(self.evaluation)] = self.evaluation.to_dict(memo)
        out = shared.copy()
        out["id"] = self.id
        out["source"] = {"finding": self.finding, "kind": self.evaluation.kind, "rule": self.rule,
                         "title": self.title}
        out["elements"] = list(self.elements)
        out["status"] = self.status
        out["acceptance"] = dict(self.acceptance) if self.acceptance else None
        return out


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
