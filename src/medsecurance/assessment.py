"""The values that cross stage boundaries: attack paths, stage outputs and the Assessment."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from medsecurance.findings import Finding

__all__ = ["SCHEMA_VERSION", "Assessment", "AttackPath", "AttackStep", "StageOutput"]

#: version of the assessment JSON contract (see schemas/assessment.schema.json)
SCHEMA_VERSION = "1.0"


@dataclass(frozen=True, slots=True)
class AttackStep:
    """One hop of an attack path: reaching an element through an interface or flow."""

    element: str  # component id reached
    via: str  # how: "entry:<entry point>", "flow:<flow id>" or "interface:<component>.<interface>"
    access: str  # network | adjacent | local | physical
    difficulty: float  # cost of this hop (higher is harder), from KB protocol properties and controls
    reason: str  # why the hop is possible, for the report


@dataclass(frozen=True, slots=True)
class AttackPath:
    """A ranked route from where an attacker stands to a component holding a critical asset."""

    id: str
    entry: str  # EntryPoint value
    actor: str | None  # attacker actor id when the model names one
    target: str  # component id
    assets: tuple[str, ...]  # critical assets held by the target
    hazards: tuple[str, ...]  # hazards those assets lead to
    steps: tuple[AttackStep, ...]
    difficulty: float  # total cost
    access: str  # the access the first hop needs: network | adjacent | local | physical
    privileges: str  # none | low | high
    user_interaction: bool
    controls: tuple[str, ...] = ()  # controls present along the path

    def to_dict(self) -> dict[str, Any]:
        """The JSON form."""
        return {
            "id": self.id,
            "entry": self.entry,
            "actor": self.actor,
            "target": self.target,
            "assets": list(self.assets),
            "hazards": list(self.hazards),
            "steps": [
                {"element": s.element, "via": s.via, "access": s.access, "difficulty": s.difficulty,
                 "reason": s.reason}
                for s in self.steps
            ],
            "difficulty": self.difficulty,
            "access": self.access,
            "privileges": self.privileges,
            "user_interaction": self.user_interaction,
            "controls": list(self.controls),
        }


@dataclass(frozen=True)
class StageOutput:
    """What one analysis stage contributes: findings and named top-level sections of the JSON."""

    findings: tuple[Finding, ...] = ()
    sections: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    data: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))  # typed values for later stages


@dataclass(frozen=True)
class Assessment:
    """The one immutable result of ``medsecurance.api.analyze``."""

    system: Mapping[str, Any]
    model_digest: str
    findings: tuple[Finding, ...]
    attack_paths: tuple[AttackPath, ...] = ()
    sections: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    stages: Mapping[str, StageOutput] = field(default_factory=lambda: MappingProxyType({}))
    warnings: tuple[str, ...] = ()
    tool: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
