"""Exporters of the medsec system model to other threat-modelling formats.

>>> from medsecurance.model.exporters import get_exporter
>>> text = get_exporter("otm").render(model)      # doctest: +SKIP

Each exporter is registered by format name in :data:`EXPORTERS` (the word after ``medsec export``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from medsecurance.errors import UsageError
from medsecurance.model.schema import SystemModel

__all__ = ["EXPORTERS", "Exporter", "OtmExporter", "get_exporter"]


class Exporter(Protocol):
    """Renders a model (and optionally assessment findings) in a foreign format."""

    name: str
    description: str

    def render(self, model: SystemModel, findings: Sequence[Mapping[str, Any]] = ()) -> str:
        """The exported document as text (deterministic)."""
        ...


class OtmExporter:
    """medsec model → Open Threat Model JSON."""

    name = "otm"
    description = "Open Threat Model (OTM) 0.2.0 JSON"

    def render(self, model: SystemModel, findings: Sequence[Mapping[str, Any]] = ()) -> str:
        """OTM JSON text."""
        from medsecurance.model.exporters.otm import render_otm

        return render_otm(model, findings)


#: exporters by format name
EXPORTERS: dict[str, Exporter] = {"otm": OtmExporter()}


def get_exporter(format_name: str) -> Exporter:
    """The exporter registered for ``format_name``; UsageError naming the known ones otherwise."""
    try:
        return EXPORTERS[format_name]
    except KeyError:
        raise UsageError(f"unknown export format '{format_name}'",
                         hint=f"known formats: {', '.join(sorted(EXPORTERS))}") from None
