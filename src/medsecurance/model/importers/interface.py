"""The importer interface: options in, a validated model plus located warnings out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from medsecurance.errors import Diagnostic
from medsecurance.model.schema import Setting, SystemModel

__all__ = ["ImportOptions", "ImportResult", "Importer"]


@dataclass(frozen=True)
class ImportOptions:
    """What the foreign format cannot say: the care setting and the version of the system."""

    setting: Setting | None = None  # None: what the file says (medsec's own OTM export), else hospital
    version: str | None = None


@dataclass(frozen=True)
class ImportResult:
    """A model translated from another format, with every construct that did not carry over."""

    model: SystemModel
    document: Mapping[str, Any] = field(repr=False)
    warnings: tuple[Diagnostic, ...]
    source_format: str
    source: str
    source_sha256: str

    def to_yaml(self) -> str:
        """The model as deterministic ``model.yaml`` text with a provenance header."""
        from medsecurance.model.importers._common import dump_model

        return dump_model(self)


class Importer(Protocol):
    """Translates one foreign threat-model format into the medsec system model."""

    name: str
    description: str

    def import_file(self, path: Path, options: ImportOptions) -> ImportResult:
        """Read ``path`` and translate it; raises ModelError with the file and place on bad input."""
        ...
