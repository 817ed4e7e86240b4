"""Indexes the HTML report needs, computed once: families, findings per element, weak flows, KB labels."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from medsecurance.errors import KbError
from medsecurance.findings import Finding, FindingKind, Severity

if TYPE_CHECKING:
    from medsecurance.assessment import Assessment
    from medsecurance.kb import KnowledgeBase, Protocol
    from medsecurance.model.schema import Asset, Component, Flow, Hazard, SystemModel
    from medsecurance.report.interface import ReportContext

__all__ = ["DETAIL_LIMIT", "FAMILIES", "GENERAL_FAMILY", "UNKNOWN_FAMILY", "Facts", "build_facts", "finding_order"]

#: above this many components the diagrams summarise (zones as aggregate nodes) instead of drawing every node
DETAIL_LIMIT = 300

#: KB device-type ancestors that name a colour family, nearest match wins: (key, label)
FAMILIES: dict[str, tuple[str, str]] = {
    "MedicalDevice": ("medical", "Medical device"),
    "ClinicalITSystem": ("clinical", "Clinical IT system"),
    "NetworkInfrastructure": ("network", "Network infrastructure"),
    "SoftwareComponent": ("software", "Software, app or cloud"),
    "MobileDevice": ("software", "Software, app or cloud"),
}
GENERAL_FAMILY = ("it", "General IT")
UNKNOWN_FAMILY = ("other", "Type not in the knowledge base")
#: finding kinds whose open instances make a flow "weak" in the data-flow diagram
_WEAK_KINDS = (FindingKind.THREAT, FindingKind.COMMUNICATION)


def finding_order(f: Finding) -> tuple[int, bool, str, str]:
    """Most severe first, open before closed, then rule and id (stable)."""
    return (-f.severity.rank, f.status != "open", f.rule, f.id)


@dataclass
class Facts:
    """The model, the KB and the assessment, indexed for the report's views."""

    model: SystemModel
    kb: KnowledgeBase
    assessment: Assessment
    as_of: str
    family: dict[str, tuple[str, str]] = field(default_factory=dict)
    comp: dict[str, Component] = field(default_factory=dict)
    flow: dict[str, Flow] = field(default_factory=dict)
    asset: dict[str, Asset] = field(default_factory=dict)
    hazard: dict[str, Hazard] = field(default_factory=dict)
    findings_of: dict[str, list[Finding]] = field(default_factory=dict)
    weak_flows: dict[str, Severity] = field(default_factory=dict)
    findings_of_all: list[Finding] = field(default_factory=list)
    positions: dict[str, str] = field(default_factory=dict)
    _control_labels: dict[str, str] = field(default_factory=dict)
    _protocols: dict[str, Protocol | None] = field(default_factory=dict)

    @property
    def large(self) -> bool:
        """True when diagrams summarise instead of drawing every component."""
        return len(self.model.components) > DETAIL_LIMIT

    def control_label(self, control_id: str) -> str:
        """The KB label of a control, or the id itself when the KB does not know it."""
        if control_id not in self._control_labels:
            try:
                self._control_labels[control_id] = self.kb.control(control_id).label
            except KbError:
                self._control_labels[control_id] = control_id
        return self._control_labels[control_id]

    def protocol(self, protocol_id: str) -> Protocol | None:
        """The KB protocol record, None when unknown."""
        if protocol_id not in self._protocols:
            try:
                self._protocols[protocol_id] = self.kb.protocol(protocol_id)
            except KbError:
                self._protocols[protocol_id] = None
        return self._protocols[protocol_id]

    def reference_label(self, ref: str) -> str:
        """``CWE-798 Use of Hard-coded Credentials`` when the KB's catalogues know the id (no network)."""
        term = self.kb.catalogue_entry(ref)
        return f"{ref} {term.label}" if term is not None and term.label else ref

    def worst_hazard(self, hazard_ids: Iterable[str]) -> int:
        """Highest ISO 14971 severity rank (1–5) among these hazards, 0 when none is known."""
        return max((self.hazard[h].severity.rank for h in hazard_ids if h in self.hazard), default=0)

    def asset_hazards(self, asset_ids: Iterable[str]) -> list[str]:
        """Hazard ids the assets lead to, in model order."""
        wanted = {h for a in asset_ids if a in self.asset for h in self.asset[a].hazards}
        return [h for h in self.hazard if h in wanted]

    def anchor(self, element_id: str) -> str:
        """The report section an element id points at (an interface ``comp.iface`` → its component)."""
        if element_id in self.comp or element_id in self.flow:
            return element_id
        return element_id.split(".", 1)[0]

    def position(self, element_id: str) -> str:
        """``file:line:column`` where the model defines the element, or ''."""
        return self.positions.get(element_id, "")

    def open_findings(self, element_id: str) -> list[Finding]:
        """Open findings on an element."""
        return [f for f in self.findings_of.get(element_id, ()) if f.status == "open"]


def _family(kb: KnowledgeBase, type_id: str) -> tuple[str, str]:
    try:
        dt = kb.device_type(type_id)
    except KbError:
        return UNKNOWN_FAMILY
    for t in (dt.id, *dt.ancestors):
        if t in FAMILIES:
            return FAMILIES[t]
    return GENERAL_FAMILY


def _relative(path: str, base: Path) -> str:
    """A model file name relative to the model's folder, so reports do not depend on where they were made."""
    try:
        return Path(path).resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return Path(path).name


def build_facts(assessment: Assessment, ctx: ReportContext) -> Facts:
    """Index the model and the assessment once for every view of the report."""
    model = ctx.load.model
    facts = Facts(model, ctx.kb, assessment, str(assessment.sections.get("as_of", "")))
    facts.comp = {c.id: c for c in model.components}
    facts.flow = {f.id: f for f in model.flows}
    facts.asset = {a.id: a for a in model.assets}
    facts.hazard = {h.id: h for h in model.hazards}
    by_type: dict[str, tuple[str, str]] = {}
    for c in model.components:
        if c.type not in by_type:
            by_type[c.type] = _family(ctx.kb, c.type)
        facts.family[c.id] = by_type[c.type]
    base = ctx.load.base_dir
    files: dict[str, str] = {}
    for eid in () if facts.large else (*facts.comp, *facts.flow):
        pos = ctx.load.source_map.position(eid)
        if pos is not None:
            name = files.setdefault(str(pos[0]), _relative(str(pos[0]), base))
            facts.positions[eid] = f"{name}:{pos[1]}:{pos[2]}"
    facts.findings_of_all = sorted(assessment.findings, key=finding_order)
    for f in facts.findings_of_all:
        targets = {facts.anchor(e) for e in f.elements}
        for e in sorted(targets):
            facts.findings_of.setdefault(e, []).append(f)
            if e in facts.flow and f.status == "open" and f.kind in _WEAK_KINDS:
                prev = facts.weak_flows.get(e)
                if prev is None or f.severity.rank > prev.rank:
                    facts.weak_flows[e] = f.severity
    return facts
