"""An index over the system model built once per assessment (assets, hazards, flows, evidence)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from medsecurance.model.schema import Asset, Component, Flow, Hazard, SystemModel

__all__ = ["ModelIndex", "norm_id"]


@lru_cache(maxsize=8192)
def norm_id(value: str) -> str:
    """KB id matching: case-insensitive, ignoring '-', '_', ' ' and '.' (KB_IDS.md)."""
    return "".join(ch for ch in value.lower() if ch not in "-_ .")


@dataclass(frozen=True)
class ModelIndex:
    """Look-ups the risk stage needs, each computed once from the model."""

    model: SystemModel
    assets: Mapping[str, Asset]
    hazards: Mapping[str, Hazard]
    hazards_by_type: Mapping[str, tuple[Hazard, ...]]
    components: Mapping[str, Component]
    flows: Mapping[str, Flow]
    element_assets: Mapping[str, tuple[str, ...]]
    evidence_by_element: Mapping[str, tuple[str, ...]]
    multi_patient_components: frozenset[str]
    safety_relevant: frozenset[str]

    @classmethod
    def build(cls, model: SystemModel, *, multi_patient_types: frozenset[str], peers_at_least: int) -> ModelIndex:
        """Index ``model``; ``multi_patient_types`` are normalised component type ids."""
        by_type: dict[str, list[Hazard]] = defaultdict(list)
        for h in model.hazards:
            if h.hazard_type:
                by_type[norm_id(h.hazard_type)].append(h)
        element_assets: dict[str, tuple[str, ...]] = {c.id: c.assets for c in model.components}
        element_assets.update({f.id: f.data for f in model.flows})
        evidence: dict[str, list[str]] = defaultdict(list)
        for e in sorted(model.evidence, key=lambda e: e.id):
            for element in e.covers:
                evidence[element].append(e.id)
        peers: dict[str, set[str]] = defaultdict(set)
        for f in model.flows:
            peers[f.source].add(f.target)
            peers[f.target].add(f.source)
        multi = {c.id for c in model.components
                 if c.patients > 1 or norm_id(c.type) in multi_patient_types or len(peers[c.id]) >= peers_at_least}
        hazard_assets = {a.id for a in model.assets if a.hazards}
        relevant = {c.id for c in model.components
                    if c.life_sustaining or hazard_assets.intersection(c.assets)}
        for f in model.flows:
            if hazard_assets.intersection(f.data):
                relevant.update((f.source, f.target))
        return cls(
            model=model,
            assets={a.id: a for a in model.assets},
            hazards={h.id: h for h in model.hazards},
            hazards_by_type={k: tuple(v) for k, v in by_type.items()},
            components={c.id: c for c in model.components},
            flows={f.id: f for f in model.flows},
            element_assets=element_assets,
            evidence_by_element={k: tuple(v) for k, v in evidence.items()},
            multi_patient_components=frozenset(multi),
            safety_relevant=frozenset(relevant),
        )

    def endpoints(self, element: str) -> tuple[str, ...]:
        """The element itself, and for a flow its two endpoint components."""
        flow = self.flows.get(element)
        return (element, flow.source, flow.target) if flow is not None else (element,)
