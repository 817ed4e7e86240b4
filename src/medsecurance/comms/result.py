"""The comms stage entry point: ``analyze(model, kb) -> CommsResult``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from medsecurance.comms.stack import profile_flow, stack_findings
from medsecurance.findings import Finding
from medsecurance.model.schema import SystemModel

__all__ = ["CommsResult", "analyze", "sort_findings"]


def sort_findings(findings: list[Finding] | tuple[Finding, ...]) -> tuple[Finding, ...]:
    """Findings most severe first, then by rule and id, without duplicates (deterministic)."""
    unique = {f.id: f for f in findings}
    return tuple(sorted(unique.values(), key=lambda f: (-f.severity.rank, f.rule, f.id)))


@dataclass(frozen=True)
class CommsResult:
    """Findings of the protocol-stack analysis and each flow's declared properties."""

    findings: tuple[Finding, ...]
    flows: Mapping[str, Mapping[str, Any]] = field(default_factory=lambda: MappingProxyType({}))

    def to_dict(self) -> dict[str, Any]:
        """JSON form: findings and per-flow properties, sorted."""
        return {
            "findings": [f.to_dict() for f in self.findings],
            "flows": {k: dict(v) for k, v in sorted(self.flows.items())},
        }


def analyze(model: SystemModel, kb: Any) -> CommsResult:
    """Analyse every flow's protocol stack against the needs of its data and conduit.

    ``kb`` is a knowledge base (``medsecurance.kb.load_kb()``) or any object with
    ``resolve(name, kind="protocol")`` and ``protocol(id)`` (see :class:`MappingCatalogue`).
    """
    findings: list[Finding] = []
    flows: dict[str, Mapping[str, Any]] = {}
    for flow in model.flows:
        prof = profile_flow(model, flow, kb)
        flows[flow.id] = MappingProxyType(prof.to_dict())
        findings.extend(stack_findings(model, prof))
    return CommsResult(sort_findings(findings), MappingProxyType(dict(sorted(flows.items()))))
