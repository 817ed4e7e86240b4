"""SBOM completeness: NTIA minimum elements and FDA level of support / end-of-support per component."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from medsecurance.vulns.model import Component, Sbom

__all__ = ["COMPONENT_ELEMENTS", "DOCUMENT_ELEMENTS", "ComponentCheck", "SbomCheck", "check_sbom"]

COMPONENT_ELEMENTS = ("supplier", "name", "version", "unique_identifier", "level_of_support", "end_of_support")
DOCUMENT_ELEMENTS = ("author", "timestamp", "dependencies")


@lru_cache(maxsize=1)
def _aliases() -> dict[str, frozenset[str]]:
    text = resources.files("medsecurance.vulns").joinpath("data/sbom_elements.yaml").read_text("utf-8")
    data = yaml.safe_load(text)
    return {key: frozenset(values) for key, values in data.items()}


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.rsplit(":", 1)[-1].lower())


def support_properties(component: Component) -> tuple[str | None, str | None]:
    """(level of support, end-of-support) values found among the component's properties."""
    aliases = _aliases()
    level = eos = None
    for name, value in component.properties:
        key = _norm(name)
        if level is None and key in aliases["level_of_support"] and value.strip():
            level = value.strip()
        elif eos is None and key in aliases["end_of_support"] and value.strip():
            eos = value.strip()
    return level, eos


def parse_date(value: str) -> date | None:
    """A date from ``YYYY-MM-DD``, ``YYYY-MM-DDThh:mm…`` or ``YYYY-MM`` (last day unknown → first)."""
    match = re.match(r"^\s*(\d{4})-(\d{2})(?:-(\d{2}))?", value)
    if not match:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3] or 1))
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class ComponentCheck:
    """Completeness of one component: what is missing and which fallback fields stood in."""

    bom_ref: str
    name: str
    missing: tuple[str, ...]
    fallbacks: tuple[tuple[str, str], ...] = ()
    level_of_support: str | None = None
    end_of_support: str | None = None
    past_end_of_support: bool = False
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "bom_ref": self.bom_ref,
            "name": self.name,
            "missing": list(self.missing),
            "fallbacks": dict(self.fallbacks),
            "level_of_support": self.level_of_support,
            "end_of_support": self.end_of_support,
            "past_end_of_support": self.past_end_of_support,
            "notes": list(self.notes),
        }


@dataclass(frozen=True, slots=True)
class SbomCheck:
    """The completeness report of one SBOM."""

    file: str
    format: str
    reference_date: date
    components: tuple[ComponentCheck, ...]
    document_missing: tuple[str, ...]
    document_fallbacks: tuple[tuple[str, str], ...] = ()
    diagnostics: tuple[str, ...] = field(default=())

    @property
    def complete(self) -> bool:
        """True when nothing is missing and nothing is past end-of-support."""
        return not self.document_missing and all(not c.missing and not c.past_end_of_support for c in self.components)

    def summary(self) -> dict[str, Any]:
        """Counts: components, missing per element, past end-of-support, fallbacks used."""
        missing = {e: sum(e in c.missing for c in self.components) for e in COMPONENT_ELEMENTS}
        missing.update({e: int(e in self.document_missing) for e in DOCUMENT_ELEMENTS})
        fallbacks: dict[str, int] = {}
        for c in self.components:
            for element, _ in c.fallbacks:
                fallbacks[element] = fallbacks.get(element, 0) + 1
        return {
            "components": len(self.components),
            "missing": missing,
            "fallbacks": fallbacks,
            "past_end_of_support": sum(c.past_end_of_support for c in self.components),
            "complete": self.complete,
        }

    def to_dict(self) -> dict[str, Any]:
        """JSON form (the ``medsec sbom check --format json`` contract)."""
        return {
            "sbom": self.file,
            "format": self.format,
            "reference_date": self.reference_date.isoformat(),
            "components": [c.to_dict() for c in self.components],
            "document": {"missing": list(self.document_missing), "fallbacks": dict(self.document_fallbacks)},
            "diagnostics": list(self.diagnostics),
            "summary": self.summary(),
        }


def _check_component(c: Component, today: date) -> ComponentCheck:
    missing: list[str] = []
    fallbacks: list[tuple[str, str]] = []
    notes: list[str] = []
    if not c.supplier:
        if c.manufacturer:
            fallbacks.append(("supplier", "manufacturer"))
        elif c.publisher:
            fallbacks.append(("supplier", "publisher"))
        else:
            missing.append("supplier")
    if not c.name:
        missing.append("name")
    if not c.version:
        missing.append("version")
    if not (c.purl or c.cpe):
        missing.append("unique_identifier")
    level, eos = support_properties(c)
    if level is None:
        missing.append("level_of_support")
    past = False
    if eos is None:
        missing.append("end_of_support")
    else:
        when = parse_date(eos)
        if when is None:
            notes.append(f"end-of-support value {eos!r} is not a date (expected YYYY-MM-DD)")
        else:
            past = when < today
    return ComponentCheck(c.bom_ref, c.name, tuple(missing), tuple(fallbacks), level, eos, past, tuple(notes))


def check_sbom(sbom: Sbom, *, today: date | None = None) -> SbomCheck:
    """Check NTIA minimum elements and FDA support information; ``today`` fixes the reference date."""
    ref = today or date.today()
    doc_missing: list[str] = []
    doc_fallbacks: list[tuple[str, str]] = []
    if not sbom.authors:
        if sbom.doc_supplier:
            doc_fallbacks.append(("author", "supplier"))
        elif sbom.tools:
            doc_fallbacks.append(("author", "tools"))
        else:
            doc_missing.append("author")
    if not sbom.timestamp:
        doc_missing.append("timestamp")
    if not any(sbom.dependencies.values()):
        doc_missing.append("dependencies")
    return SbomCheck(
        file=sbom.path,
        format=f"{sbom.format} {sbom.spec_version}".strip(),
        reference_date=ref,
        components=tuple(_check_component(c, ref) for c in sbom.all_components()),
        document_missing=tuple(doc_missing),
        document_fallbacks=tuple(doc_fallbacks),
        diagnostics=tuple(str(d) for d in sbom.diagnostics),
    )
