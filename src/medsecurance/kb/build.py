"""Typed views (device types, protocols, controls, threat classes, losses) over compiled terms and links."""

from __future__ import annotations

from collections import deque

from medsecurance.errors import Diagnostic
from medsecurance.kb.model import Control, DeviceType, Protocol, Term, ThreatClass

__all__ = ["CATALOGUE_KINDS", "Views"]

#: kinds filled from MITRE catalogues; their links may point outside the knowledge base
CATALOGUE_KINDS = frozenset({"cwe", "capec", "attack-ics"})

_LOSS_PREDICATES = {
    "confidentialityLossLeadsTo": "C",
    "integrityLossLeadsTo": "I",
    "availabilityLossLeadsTo": "A",
}


class Views:
    """Computes the typed records from terms and outgoing links (used once, at compile time)."""

    def __init__(self, terms: dict[str, Term], by_kind: dict[str, dict[str, str]],
                 edges_out: dict[str, tuple[tuple[str, str], ...]]) -> None:
        """Keep references to the compiled terms and links."""
        self.terms = terms
        self.by_kind = by_kind
        self.edges_out = edges_out

    def _targets(self, iri: str, predicate: str) -> tuple[str, ...]:
        return tuple(sorted(self.terms[o].id for p, o in self.edges_out.get(iri, ()) if p == predicate
                            and o in self.terms))

    def _attr(self, term: Term, name: str, default: str = "") -> str:
        for key, value in term.attributes:
            if key == name:
                return value
        return default

    def _flag(self, term: Term, name: str) -> bool:
        return self._attr(term, name).lower() == "true"

    def _iter(self, kind: str) -> list[Term]:
        return [self.terms[iri] for _, iri in sorted(self.by_kind.get(kind, {}).items())]

    def dangling(self) -> list[Diagnostic]:
        """Links from curated terms to IRIs that are not terms (typos in the Turtle)."""
        problems = []
        for iri, links in sorted(self.edges_out.items()):
            term = self.terms.get(iri)
            if term is None or term.kind in CATALOGUE_KINDS:
                continue
            for pred, target in links:
                if target not in self.terms:
                    problems.append(Diagnostic(f"'{pred}' points to unknown term <{target}>", element=term.id,
                                               hint="define the target term or fix the reference"))
        return problems

    def _ancestors(self, iri: str) -> tuple[str, ...]:
        seen: list[str] = []
        queue = deque(o for p, o in self.edges_out.get(iri, ()) if p == "subClassOf")
        while queue:
            parent = queue.popleft()
            term = self.terms.get(parent)
            if term is None or term.id in seen:
                continue
            seen.append(term.id)
            queue.extend(o for p, o in self.edges_out.get(parent, ()) if p == "subClassOf")
        return tuple(seen)

    def device_types(self) -> dict[str, DeviceType]:
        """Device types with their own values, falling back to the nearest ancestor's for lists."""
        result: dict[str, DeviceType] = {}
        for term in self._iter("device-type"):
            result[term.id] = DeviceType(
                id=term.id, label=term.label,
                life_sustaining=self._flag(term, "lifeSustaining"),
                has_essential_performance=self._flag(term, "hasEssentialPerformance"),
                essential_performance=self._attr(term, "essentialPerformance"),
                typical_assets=self._inherited(term, "typicalAsset"),
                typical_hazards=self._inherited(term, "typicalHazard"),
                typical_interfaces=self._own_or_nearest(term, "typicalInterface"),
                iec62443_component_type=self._attr(term, "iec62443ComponentType"),
                ancestors=self._ancestors(term.iri),
            )
        return result

    def _inherited(self, term: Term, predicate: str) -> tuple[str, ...]:
        """Union of the type's own values and those of all its ancestors."""
        values = set(self._targets(term.iri, predicate))
        for ancestor in self._ancestors(term.iri):
            values.update(self._targets(self.by_kind["device-type"][ancestor], predicate))
        return tuple(sorted(values))

    def _own_or_nearest(self, term: Term, predicate: str) -> tuple[str, ...]:
        """The type's own values, else those of the nearest ancestor that has some."""
        for iri in (term.iri, *(self.by_kind["device-type"][a] for a in self._ancestors(term.iri))):
            values = self._targets(iri, predicate)
            if values:
                return values
        return ()

    def protocols(self) -> dict[str, Protocol]:
        """Protocols and modes with their security properties."""
        result: dict[str, Protocol] = {}
        for t in self._iter("protocol"):
            carried = self._targets(t.iri, "carriedBy")
            result[t.id] = Protocol(
                id=t.id, label=t.label, family=self._attr(t, "family"), layer=self._attr(t, "layer"),
                scope=self._attr(t, "scope"), confidentiality=self._flag(t, "confidentiality"),
                integrity=self._flag(t, "integrity"), peer_authentication=self._flag(t, "peerAuthentication"),
                replay_protection=self._flag(t, "replayProtection"), mitm_resistance=self._flag(t, "mitmResistance"),
                deprecated=self._flag(t, "deprecated"), weaknesses=self._targets(t.iri, "weakness"),
                weakness_note=self._attr(t, "weaknessNote"), interface=carried[0] if carried else None,
                source=t.source,
            )
        return result

    def controls(self) -> dict[str, Control]:
        """Controls with the requirements, FDA categories and clauses they help satisfy."""
        result: dict[str, Control] = {}
        for t in self._iter("control"):
            sat = [self.terms[o] for p, o in self.edges_out.get(t.iri, ()) if p == "satisfies" and o in self.terms]
            crs = tuple(sorted((s.id for s in sat if s.kind == "requirement" and s.id.startswith("CR-")),
                               key=lambda c: tuple(int(x) for x in c[3:].split("."))))
            frs = {f"FR{c[3:].split('.')[0]}" for c in crs} | {s.id for s in sat if s.id.startswith("FR")}
            result[t.id] = Control(
                id=t.id, label=t.label, kind=self._attr(t, "controlKind"), fr=tuple(sorted(frs)), crs=crs,
                fda_categories=tuple(sorted(s.id for s in sat if s.kind == "fda-category")),
                clauses=tuple(sorted(s.id for s in sat if s.kind == "activity")),
                effectiveness=self._attr(t, "effectiveness"),
                effectiveness_source=self._attr(t, "effectivenessSource"), source=t.source,
            )
        return result

    def threat_classes(self) -> dict[str, ThreatClass]:
        """Threat classes with their links."""
        result: dict[str, ThreatClass] = {}
        for t in self._iter("threat-class"):
            stride = self._targets(t.iri, "stride")
            result[t.id] = ThreatClass(
                id=t.id, label=t.label, stride=stride[0] if stride else "",
                also_stride=self._targets(t.iri, "alsoStride"),
                violates=tuple(sorted(v for k, v in t.attributes if k == "violates")),
                cwes=self._targets(t.iri, "exploits"), capecs=self._targets(t.iri, "realisedBy"),
                attack_ics=self._targets(t.iri, "attackTechnique"), applies_to=self._targets(t.iri, "appliesTo"),
                mitigated_by=self._targets(t.iri, "mitigatedBy"), source=t.source,
            )
        return result

    def losses(self) -> dict[tuple[str, str], tuple[str, ...]]:
        """(data category, C|I|A) → hazard types."""
        result: dict[tuple[str, str], tuple[str, ...]] = {}
        for t in self._iter("data-category"):
            for pred, prop in _LOSS_PREDICATES.items():
                hazards = self._targets(t.iri, pred)
                if hazards:
                    result[(t.id, prop)] = hazards
        return result

    def severity_ranks(self) -> dict[str, int]:
        """Severity level id → rank 1..5."""
        return {t.id: int(self._attr(t, "rank", "0")) for t in self._iter("severity")}
