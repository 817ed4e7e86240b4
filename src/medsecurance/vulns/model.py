"""Plain, frozen values for SBOMs: documents, components and their identifiers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from medsecurance.errors import Diagnostic

__all__ = ["Component", "Sbom"]


@dataclass(frozen=True, slots=True)
class Component:
    """One SBOM component with the identifiers and metadata the analyses need."""

    bom_ref: str
    name: str
    version: str | None = None
    type: str | None = None
    group: str | None = None
    purl: str | None = None
    cpe: str | None = None
    supplier: str | None = None
    publisher: str | None = None
    manufacturer: str | None = None
    hashes: tuple[tuple[str, str], ...] = ()
    licenses: tuple[str, ...] = ()
    properties: tuple[tuple[str, str], ...] = ()
    #: where the component sits in its file (JSON path, XML path or tag-value line)
    location: str = ""

    @property
    def vendor(self) -> str | None:
        """The best vendor name available: supplier, then manufacturer, then publisher."""
        return self.supplier or self.manufacturer or self.publisher

    def property_values(self, name: str) -> tuple[str, ...]:
        """Values of the properties with exactly this name."""
        return tuple(v for k, v in self.properties if k == name)


@dataclass(frozen=True, slots=True)
class Sbom:
    """A parsed SBOM document: metadata, components, dependencies and reading diagnostics."""

    path: str
    format: str
    spec_version: str
    serial: str | None = None
    timestamp: str | None = None
    authors: tuple[str, ...] = ()
    tools: tuple[str, ...] = ()
    #: the organisation named for the whole document (metadata supplier / manufacturer), if any
    doc_supplier: str | None = None
    subject: Component | None = None
    components: tuple[Component, ...] = ()
    dependencies: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: MappingProxyType({}))
    diagnostics: tuple[Diagnostic, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.dependencies, MappingProxyType):
            object.__setattr__(self, "dependencies", MappingProxyType(dict(self.dependencies)))

    def all_components(self) -> tuple[Component, ...]:
        """The subject (the device or product the SBOM describes) followed by the components."""
        return ((self.subject,) if self.subject is not None else ()) + self.components
