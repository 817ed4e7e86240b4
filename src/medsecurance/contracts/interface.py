"""Values and interfaces crossing the contracts stage: protocol properties, inputs, composition rules."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from medsecurance.contracts.levels import Levels, join, meet

__all__ = ["CompositionRule", "ContractInputs", "ProtocolProps", "WeakestLink"]


@dataclass(frozen=True, slots=True)
class ProtocolProps:
    """Security properties a protocol provides (as the knowledge base states them)."""

    confidentiality: bool = False
    integrity: bool = False
    peer_authentication: bool = False
    replay_protection: bool = False

    def provides(self, name: str) -> bool:
        """Whether the named property (e.g. 'integrity') is provided."""
        return bool(getattr(self, name, False))


class CompositionRule(Protocol):
    """How a zone's SL-A follows from its members' levels and the zone's compensating countermeasures."""

    @property
    def name(self) -> str:
        """Short rule name shown in reports."""
        ...  # pragma: no cover

    @property
    def description(self) -> str:
        """What the rule computes, in one sentence."""
        ...  # pragma: no cover

    def compose(self, members: Sequence[Levels], raises: Levels) -> Levels | None:
        """SL-A of a zone with these member SL-C vectors and countermeasure levels; None if undefined."""
        ...  # pragma: no cover


@dataclass(frozen=True, slots=True)
class WeakestLink:
    """Default rule: per FR, the weakest member after raising each member by the countermeasures.

    ``effective(member, FR) = max(SL-C(member, FR), countermeasure level(FR))`` and
    ``SL-A(zone, FR) = min over members of effective(member, FR)``; a zone without members has no
    SL-A. This is the conservative engineering reading of IEC 62443-3-3 cl. 4.3, a policy and not a
    formula of the standard.
    """

    name: str = "weakest-link"
    description: str = (
        "per FR, SL-A = min over the zone's components of max(component SL-C, level supplied by the "
        "zone's and its conduits' compensating countermeasures); a component without a known SL-C counts as 0"
    )

    def compose(self, members: Sequence[Levels], raises: Levels) -> Levels | None:
        """Weakest effective member per FR."""
        return meet(join(m, raises) for m in members)


@dataclass(frozen=True)
class ContractInputs:
    """Everything the check needs besides the model; every part is replaceable.

    ``control_crs`` maps a control id to the IEC 62443-4-2 CR ids it implements (from the KB);
    ``protocols`` maps a protocol-stack entry (e.g. 'TLS1.2') to its properties (from the KB).
    Table paths of None use the files shipped in ``contracts/data``.
    """

    control_crs: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    protocols: Mapping[str, ProtocolProps] | None = None
    requirements_path: Path | None = None
    countermeasures_path: Path | None = None
    conduit_rules_path: Path | None = None
    properties_path: Path | None = None
    rule: CompositionRule = field(default_factory=WeakestLink)
    component_classes: Mapping[str, str] = field(default_factory=dict)
