"""Frozen values the knowledge base hands to analyses: terms, device types, protocols, controls, threats."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = [
    "KINDS",
    "NS",
    "CatalogueEntry",
    "Control",
    "DeviceType",
    "Edge",
    "KbIndex",
    "Protocol",
    "Term",
    "ThreatClass",
    "normalise",
]

#: the ontology namespace (prefix ``iomt:``)
NS = "https://w3id.org/medsecurance/iomt#"

#: every kind of term, in the order used to break ties when an id exists in several kinds
KINDS: tuple[str, ...] = (
    "device-type",
    "interface",
    "protocol",
    "data-category",
    "hazard-type",
    "severity",
    "stride",
    "control",
    "requirement",
    "fda-category",
    "activity",
    "threat-class",
    "cwe",
    "capec",
    "attack-ics",
)

_NORMALISE = re.compile(r"[-_ .]+")


def normalise(name: str) -> str:
    """Matching key of a name: lower case without '-', '_', ' ' and '.'."""
    return _NORMALISE.sub("", name.strip().lower())


@dataclass(frozen=True, slots=True)
class Term:
    """One identified entry of the knowledge base."""

    id: str
    kind: str
    label: str
    definition: str
    source: str
    iri: str
    aliases: tuple[str, ...] = ()
    attributes: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Edge:
    """A typed link between two terms (IRIs), named by the ontology property's local name."""

    subject: str
    predicate: str
    object: str


@dataclass(frozen=True, slots=True)
class DeviceType:
    """A device or component type with the defaults models inherit from it."""

    id: str
    label: str
    life_sustaining: bool
    has_essential_performance: bool
    essential_performance: str
    typical_assets: tuple[str, ...]
    typical_hazards: tuple[str, ...]
    typical_interfaces: tuple[str, ...]
    iec62443_component_type: str
    ancestors: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Protocol:
    """The security properties a protocol or mode provides on its own."""

    id: str
    label: str
    family: str
    layer: str
    scope: str
    confidentiality: bool
    integrity: bool
    peer_authentication: bool
    replay_protection: bool
    mitm_resistance: bool
    deprecated: bool
    weaknesses: tuple[str, ...]
    weakness_note: str
    interface: str | None
    source: str


@dataclass(frozen=True, slots=True)
class Control:
    """A security control with the regulatory clauses it helps satisfy."""

    id: str
    label: str
    kind: str
    fr: tuple[str, ...]
    crs: tuple[str, ...]
    fda_categories: tuple[str, ...]
    clauses: tuple[str, ...]
    effectiveness: str
    effectiveness_source: str
    source: str


@dataclass(frozen=True, slots=True)
class ThreatClass:
    """A threat class with its STRIDE category, MITRE links, targets and mitigations."""

    id: str
    label: str
    stride: str
    also_stride: tuple[str, ...]
    violates: tuple[str, ...]
    cwes: tuple[str, ...]
    capecs: tuple[str, ...]
    attack_ics: tuple[str, ...]
    applies_to: tuple[str, ...]
    mitigated_by: tuple[str, ...]
    source: str


@dataclass(frozen=True, slots=True)
class CatalogueEntry:
    """One entry of an imported MITRE catalogue, in compact form."""

    id: str
    name: str
    definition: str
    deprecated: bool = False
    relations: tuple[tuple[str, str], ...] = ()
    attributes: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class KbIndex:
    """The compiled knowledge base: every lookup the analyses need, as plain mappings."""

    key: str
    terms: dict[str, Term]
    by_kind: dict[str, dict[str, str]]
    names: dict[str, dict[str, str]]
    edges_out: dict[str, tuple[tuple[str, str], ...]]
    edges_in: dict[str, tuple[tuple[str, str], ...]]
    device_types: dict[str, DeviceType]
    protocols: dict[str, Protocol]
    controls: dict[str, Control]
    threat_classes: dict[str, ThreatClass]
    losses: dict[tuple[str, str], tuple[str, ...]]
    severity_ranks: dict[str, int]
    sources: tuple[str, ...] = field(default=())
