"""The :class:`KnowledgeBase`: fast lookups over the compiled index for the analyses."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from medsecurance.errors import KbError
from medsecurance.kb.model import KINDS, Control, DeviceType, KbIndex, Protocol, Term, ThreatClass, normalise

if TYPE_CHECKING:  # pragma: no cover
    import rdflib

__all__ = ["KnowledgeBase"]

_CATALOGUES = ("cwe", "capec", "attack-ics")
_PROPS = {"C": "C", "I": "I", "A": "A", "CONFIDENTIALITY": "C", "INTEGRITY": "I", "AVAILABILITY": "A"}


class KnowledgeBase:
    """Read-only view of the knowledge base; every method is a dictionary lookup."""

    def __init__(self, index: KbIndex, *, ttl_files: tuple[Path, ...] = (),
                 catalogue_files: tuple[Path, ...] = ()) -> None:
        """Wrap a compiled index; the source paths are kept for :meth:`graph`."""
        self.index = index
        self.ttl_files = ttl_files
        self.catalogue_files = catalogue_files
        self._graph: Any = None

    @property
    def key(self) -> str:
        """Content hash of all sources."""
        return self.index.key

    # ---- generic terms -------------------------------------------------------------------------
    def _lookup(self, ident: str, kind: str | None) -> Term | None:
        kinds = (kind,) if kind else KINDS
        for k in kinds:
            iri = self.index.by_kind.get(k, {}).get(ident)
            if iri is not None:
                return self.index.terms[iri]
        return None

    def term(self, id: str, kind: str | None = None) -> Term | None:
        """The term with this id or alias (of ``kind`` if given; else the first kind that has it)."""
        found = self._lookup(id, kind)
        if found is None:
            canonical = self.resolve(id, kind)
            found = self._lookup(canonical, kind) if canonical else None
        return found

    def term_by_iri(self, iri: str) -> Term | None:
        """The term with this IRI."""
        return self.index.terms.get(iri)

    def resolve(self, name: str, kind: str | None = None) -> str | None:
        """Canonical id for an id or alias, ignoring case, '-', '_', ' ' and '.'; None if unknown."""
        key = normalise(name)
        for k in (kind,) if kind else KINDS:
            found = self.index.names.get(k, {}).get(key)
            if found is not None:
                return found
        return None

    def suggest(self, name: str, kind: str | None = None, n: int = 3) -> list[str]:
        """Did-you-mean: the closest ids (matching ids and aliases) for an unknown name."""
        key = normalise(name)
        table: dict[str, str] = {}
        for k in (kind,) if kind else KINDS:
            table.update(self.index.names.get(k, {}))
        matches = difflib.get_close_matches(key, list(table), n=n * 3, cutoff=0.6)
        seen: list[str] = []
        for m in matches:
            if table[m] not in seen:
                seen.append(table[m])
        return seen[:n]

    def ids(self, kind: str) -> tuple[str, ...]:
        """All ids of a kind, sorted."""
        if kind not in KINDS:
            raise KbError(f"unknown kind '{kind}'", hint="one of: " + ", ".join(KINDS))
        return tuple(sorted(self.index.by_kind.get(kind, {})))

    def counts(self) -> dict[str, int]:
        """Number of terms per kind."""
        return {k: len(self.index.by_kind.get(k, {})) for k in KINDS}

    def links_out(self, term: Term) -> tuple[tuple[str, str], ...]:
        """(property, target IRI) pairs leaving the term."""
        return self.index.edges_out.get(term.iri, ())

    def links_in(self, term: Term) -> tuple[tuple[str, str], ...]:
        """(property, source IRI) pairs arriving at the term."""
        return self.index.edges_in.get(term.iri, ())

    # ---- type hierarchy ------------------------------------------------------------------------
    def ancestors(self, type_id: str) -> tuple[str, ...]:
        """Super-types of a device type, nearest first (empty for unknown ids)."""
        canonical = self.resolve(type_id, "device-type")
        dt = self.index.device_types.get(canonical) if canonical else None
        return dt.ancestors if dt else ()

    def is_a(self, type_id: str, class_id: str) -> bool:
        """True when ``type_id`` is ``class_id`` or one of its sub-types."""
        t = self.resolve(type_id, "device-type")
        c = self.resolve(class_id, "device-type")
        return t is not None and c is not None and (t == c or c in self.ancestors(t))

    # ---- typed records -------------------------------------------------------------------------
    def _typed(self, table: dict[str, Any], ident: str, kind: str) -> Any:
        canonical = self.resolve(ident, kind)
        if canonical is None or canonical not in table:
            hint = self.suggest(ident, kind)
            raise KbError(f"unknown {kind} '{ident}'", element=ident,
                          hint=f"did you mean: {', '.join(hint)}" if hint else f"see: medsec kb stats ({kind})")
        return table[canonical]

    def device_type(self, id: str) -> DeviceType:
        """The device type record (KbError with suggestions if unknown)."""
        return self._typed(self.index.device_types, id, "device-type")  # type: ignore[no-any-return]

    def protocol(self, id: str) -> Protocol:
        """The protocol record (KbError with suggestions if unknown)."""
        return self._typed(self.index.protocols, id, "protocol")  # type: ignore[no-any-return]

    def control(self, id: str) -> Control:
        """The control record (KbError with suggestions if unknown)."""
        return self._typed(self.index.controls, id, "control")  # type: ignore[no-any-return]

    def threat_class(self, id: str) -> ThreatClass:
        """The threat class record (KbError with suggestions if unknown)."""
        return self._typed(self.index.threat_classes, id, "threat-class")  # type: ignore[no-any-return]

    def threat_classes_for(self, element_type: str) -> tuple[ThreatClass, ...]:
        """Threat classes that apply to a device type (or its super-types), interface kind or protocol."""
        targets = {element_type, *self.ancestors(element_type)}
        for kind in ("device-type", "interface", "protocol"):
            canonical = self.resolve(element_type, kind)
            if canonical:
                targets.add(canonical)
        return tuple(tc for _, tc in sorted(self.index.threat_classes.items()) if targets & set(tc.applies_to))

    def hazards_for_loss(self, data_category: str, prop: str) -> tuple[str, ...]:
        """Hazard types that can follow the loss of C, I or A of a data category."""
        p = _PROPS.get(prop.upper())
        if p is None:
            raise KbError(f"unknown security property '{prop}'", hint="use C, I or A")
        canonical = self.resolve(data_category, "data-category") or data_category
        return self.index.losses.get((canonical, p), ())

    def severity_rank(self, name: str) -> int:
        """Rank 1 (negligible) … 5 (catastrophic) of an ISO 14971 severity level."""
        canonical = self.resolve(name, "severity")
        if canonical is None:
            hint = self.suggest(name, "severity")
            raise KbError(f"unknown severity '{name}'", hint="use one of: " + ", ".join(
                sorted(self.index.severity_ranks, key=self.index.severity_ranks.__getitem__)) if not hint
                else f"did you mean: {', '.join(hint)}")
        return self.index.severity_ranks[canonical]

    def catalogue_entry(self, ident: str) -> Term | None:
        """A CWE, CAPEC or ATT&CK for ICS entry by id (e.g. 'CWE-287', 'capec-94', 'T0830')."""
        for kind in _CATALOGUES:
            term = self.term(ident, kind)
            if term is not None:
                return term
        return None

    # ---- RDF (users and export only) -----------------------------------------------------------
    def graph(self) -> rdflib.Graph:
        """The whole knowledge base as an rdflib Graph (built on first use; for SPARQL and export)."""
        if self._graph is None:
            from medsecurance.kb.rdf import build_graph

            self._graph = build_graph(self.ttl_files, self.catalogue_files)
        graph: rdflib.Graph = self._graph
        return graph
