"""Severity of harm: which hazards a security effect can reach, the worst ISO 14971 severity, privacy.

Rules (AAMI TIR57 §6.2, SW96 §7, ISO 14971 §5.4):

* A loss of integrity (I) or availability (A) of an asset reaches the hazards the model links to
  that asset (``asset.hazards``) — the manufacturer's own safety analysis.
* A loss of C, I or A of an asset with data category *d* reaches every model hazard whose
  ``hazard_type`` the knowledge base lists for that loss (``hazards_for_loss(d, "C"|"I"|"A")``).
  A KB hazard type no model hazard carries is reported as *unmatched*: a hazardous situation the
  safety file does not yet hold (handed off, with no severity of its own).
* Confidentiality loss of a credential or key counts as integrity loss of that asset (data table).
* Confidentiality loss of health or personal data is rated on the separate privacy scale; hazards
  of the privacy hazard type feed that scale too, never the patient-safety severity.
* Multi-patient harm is flagged for multi-patient hazards and for components serving many patients.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from medsecurance.model.schema import AssetKind, HarmSeverity, Need, SystemModel
from medsecurance.risk._data import Table, load_table, package_table
from medsecurance.risk._index import ModelIndex, norm_id
from medsecurance.risk.scales import PrivacyImpact, worst_severity

__all__ = ["HarmAssessment", "HarmTables", "HazardLink", "HazardsForLoss", "assess_harm", "load_harm_tables"]

#: (data category, "C" | "I" | "A") → KB hazard type ids that loss leads to
HazardsForLoss = Callable[[str, str], Iterable[str]]


@dataclass(frozen=True, order=True)
class HazardLink:
    """One route from a security effect (loss of C/I/A of an asset) to a hazard."""

    hazard: str  # model hazard id; "" when only a KB hazard type is known (unmatched)
    asset: str
    impact: str  # C | I | A
    via: str  # model | kb | kb+model
    hazard_type: str = ""
    severity: HarmSeverity | None = None
    hazardous_situation: str = ""
    harm: str = ""
    safety_file_ref: str = ""


@dataclass(frozen=True)
class HarmAssessment:
    """What a security effect can do to patients: hazards, worst severity, privacy, multi-patient."""

    links: tuple[HazardLink, ...]
    severity: HarmSeverity | None
    worst: HazardLink | None
    privacy: PrivacyImpact
    multi_patient: bool

    @property
    def hazards(self) -> tuple[str, ...]:
        """Model hazard ids reached, sorted."""
        return tuple(sorted({link.hazard for link in self.links if link.hazard}))

    @property
    def unmatched_types(self) -> tuple[str, ...]:
        """KB hazard types reached that no model hazard carries."""
        return tuple(sorted({link.hazard_type for link in self.links if not link.hazard}))


@dataclass(frozen=True)
class HarmTables:
    """The parsed harm tables."""

    privacy_categories: frozenset[str]
    need_to_impact: Mapping[Need, PrivacyImpact]
    multi_patient_privacy: PrivacyImpact
    privacy_hazard_type: str
    privacy_hazard_impact: Mapping[HarmSeverity, PrivacyImpact]
    secrets_as_integrity: frozenset[AssetKind]
    multi_patient_hazard_types: frozenset[str]
    multi_patient_component_types: frozenset[str]
    peers_at_least: int
    stride_impacts: Mapping[str, tuple[str, ...]]

    def index(self, model: SystemModel) -> ModelIndex:
        """Build the model index with these tables' multi-patient rules."""
        return ModelIndex.build(model, multi_patient_types=self.multi_patient_component_types,
                                peers_at_least=self.peers_at_least)


def assess_harm(index: ModelIndex, tables: HarmTables, *, elements: Sequence[str], assets: Sequence[str],
                impacts: Iterable[str], hazards_for_loss: HazardsForLoss) -> HarmAssessment:
    """The hazards, worst severity, privacy impact and multi-patient flag of a security effect."""
    wanted = {i.upper() for i in impacts} & {"C", "I", "A"}
    links: set[HazardLink] = set()
    privacy = PrivacyImpact.NONE
    multi = any(e in index.multi_patient_components for e in elements)
    for asset_id in sorted(set(assets)):
        asset = index.assets.get(asset_id)
        if asset is None:
            continue
        losses = set(wanted)
        if "C" in losses and asset.kind in tables.secrets_as_integrity:
            losses.add("I")
        if "I" in losses or "A" in losses:
            for hid in asset.hazards:
                for impact in sorted(losses & {"I", "A"}):
                    links.add(_link(index, hid, asset_id, impact, "model"))
        for category in asset.data_categories:
            for impact in sorted(losses):
                for htype in hazards_for_loss(category, impact):
                    links.update(_kb_links(index, htype, asset_id, impact))
        if "C" in wanted and any(norm_id(c) in tables.privacy_categories for c in asset.data_categories):
            level = tables.need_to_impact[asset.confidentiality]
            if multi:
                level = max(level, tables.multi_patient_privacy, key=lambda p: p.rank)
            privacy = max(privacy, level, key=lambda p: p.rank)
    safety: list[HazardLink] = []
    for link in _merged(links):
        if norm_id(link.hazard_type) == tables.privacy_hazard_type:
            if link.severity is not None:
                privacy = max(privacy, tables.privacy_hazard_impact[link.severity], key=lambda p: p.rank)
            continue
        safety.append(link)
        hazard = index.hazards.get(link.hazard)
        if hazard is not None and (hazard.multi_patient or
                                   norm_id(hazard.hazard_type or "") in tables.multi_patient_hazard_types):
            multi = True
    severity = worst_severity([link.severity for link in safety])
    worst = next((link for link in safety if link.severity is not None and link.severity == severity), None)
    return HarmAssessment(tuple(safety), severity, worst, privacy, multi)


def _merged(links: set[HazardLink]) -> list[HazardLink]:
    """One link per (hazard, asset, impact), sorted; via is 'kb+model' when both routes exist."""
    merged: dict[tuple[str, str, str, str], HazardLink] = {}
    for link in sorted(links):
        key = (link.hazard, link.hazard_type if not link.hazard else "", link.asset, link.impact)
        prev = merged.get(key)
        merged[key] = link if prev is None else replace(prev, via="+".join(sorted({*prev.via.split("+"), link.via})))
    return sorted(merged.values())


def _link(index: ModelIndex, hid: str, asset: str, impact: str, via: str) -> HazardLink:
    h = index.hazards.get(hid)
    if h is None:
        return HazardLink(hid, asset, impact, via)
    return HazardLink(h.id, asset, impact, via, h.hazard_type or "", h.severity, h.hazardous_situation or "",
                      h.harm or h.description, h.safety_file_ref or "")


def _kb_links(index: ModelIndex, htype: str, asset: str, impact: str) -> list[HazardLink]:
    matched = index.hazards_by_type.get(norm_id(htype), ())
    if not matched:
        return [HazardLink("", asset, impact, "kb", hazard_type=htype)]
    return [_link(index, h.id, asset, impact, "kb") for h in matched]


def load_harm_tables(path: str | Path | None = None) -> HarmTables:
    """Load the harm tables (the shipped ones by default); bad tables → PolicyError file:line."""
    return _build(load_table(path)) if path is not None else _default()


@lru_cache(maxsize=1)
def _default() -> HarmTables:
    return _build(package_table("harm.yaml"))


def _enum_map(t: Table, path: list[str | int], keys: type[Need] | type[HarmSeverity]) -> dict[object, PrivacyImpact]:
    node = t.get(path)
    out: dict[object, PrivacyImpact] = {}
    for key in keys:
        if key.value not in node:
            t.fail(path, f"missing key '{key.value}' (every value must be mapped)")
        value = node[key.value]
        if value not in {p.value for p in PrivacyImpact}:
            t.fail([*path, key.value], f"'{value}' is not a privacy impact ({', '.join(PrivacyImpact)})")
        out[key] = PrivacyImpact(value)
    return out


def _build(t: Table) -> HarmTables:
    multi_privacy = t.get(["privacy", "multi_patient_at_least"], str)
    if multi_privacy not in {p.value for p in PrivacyImpact}:
        t.fail(["privacy", "multi_patient_at_least"], f"'{multi_privacy}' is not a privacy impact")
    kinds = []
    for i, kind in enumerate(t.get(["secrets_as_integrity"], list)):
        if kind not in {k.value for k in AssetKind}:
            t.fail(["secrets_as_integrity", i], f"'{kind}' is not an asset kind")
        kinds.append(AssetKind(kind))
    return HarmTables(
        privacy_categories=frozenset(norm_id(str(c)) for c in t.get(["privacy", "categories"], list)),
        need_to_impact={k: v for k, v in _enum_map(t, ["privacy", "need_to_impact"], Need).items()
                        if isinstance(k, Need)},
        multi_patient_privacy=PrivacyImpact(multi_privacy),
        privacy_hazard_type=norm_id(str(t.get(["privacy", "hazard_type"], str))),
        privacy_hazard_impact={k: v for k, v in _enum_map(t, ["privacy", "hazard_severity_to_impact"],
                                                          HarmSeverity).items() if isinstance(k, HarmSeverity)},
        secrets_as_integrity=frozenset(kinds),
        multi_patient_hazard_types=frozenset(norm_id(str(x)) for x in t.get(["multi_patient", "hazard_types"], list)),
        multi_patient_component_types=frozenset(
            norm_id(str(x)) for x in t.get(["multi_patient", "component_types"], list)),
        peers_at_least=int(t.get(["multi_patient", "peers_at_least"], int)),
        stride_impacts=_stride(t),
    )


def _stride(t: Table) -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for key in t.get(["stride_impacts"]):
        impacts = tuple(str(v) for v in t.get(["stride_impacts", key], list))
        if not impacts or set(impacts) - {"C", "I", "A"}:
            t.fail(["stride_impacts", key], "impacts are a non-empty list of C, I, A")
        out[norm_id(str(key))] = impacts
    return out
