"""Zone SL-A by the composition rule, and conduit levels from protocol stacks and countermeasures."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from medsecurance.contracts.capability import Capability
from medsecurance.contracts.interface import CompositionRule, ProtocolProps
from medsecurance.contracts.levels import FRS, ZERO, Levels, gap, join, meet, to_levels
from medsecurance.contracts.tables import ConduitRule, Countermeasure
from medsecurance.contracts.vocabulary import tls_version
from medsecurance.model.schema import Conduit, SystemModel, Zone

__all__ = ["ConduitLevels", "ZoneLevels", "conduit_levels", "countermeasure_levels", "zone_levels"]


@dataclass(frozen=True, slots=True)
class ZoneLevels:
    """A zone's SL-T, its members' SL-C, the countermeasures that apply and the resulting SL-A."""

    zone: Zone
    members: tuple[Capability, ...]
    countermeasures: tuple[str, ...]
    raises: Levels
    achieved: Levels | None

    @property
    def target(self) -> Levels:
        """The zone's SL-T."""
        return to_levels(self.zone.sl_target)

    @property
    def gap(self) -> Levels:
        """Per-FR shortfall of SL-A below SL-T (all of SL-T when SL-A is undefined)."""
        return gap(self.achieved if self.achieved is not None else ZERO, self.target)


def countermeasure_levels(names: Sequence[str], table: Mapping[str, Countermeasure]) -> Levels:
    """Levels supplied by the known countermeasures among ``names`` (unknown ones supply nothing)."""
    return join(*(table[n].raises for n in names if n in table))


def _zone_countermeasures(model: SystemModel, zone: Zone) -> tuple[str, ...]:
    names = list(zone.countermeasures)
    for conduit in model.conduits:
        if zone.id in conduit.zones:
            names.extend(conduit.countermeasures)
    return tuple(sorted(set(names)))


def zone_levels(
    model: SystemModel,
    capabilities: Mapping[str, Capability],
    countermeasures: Mapping[str, Countermeasure],
    rule: CompositionRule,
) -> tuple[ZoneLevels, ...]:
    """Per zone (model order): members, applicable countermeasures and SL-A under ``rule``."""
    out: list[ZoneLevels] = []
    for zone in model.zones:
        members = tuple(capabilities[c.id] for c in model.components if c.zone == zone.id)
        names = _zone_countermeasures(model, zone)
        raises = countermeasure_levels(names, countermeasures)
        vectors = [m.levels if m.levels is not None else ZERO for m in members]
        out.append(ZoneLevels(zone, members, names, raises, rule.compose(vectors, raises)))
    return tuple(out)


@dataclass(frozen=True, slots=True)
class ConduitLevels:
    """A conduit's channels, the level its weakest stack supplies, and its SL-A against SL-T."""

    conduit: Conduit
    stacks: tuple[tuple[str, tuple[str, ...]], ...]
    unknown_protocols: tuple[str, ...]
    achieved: Levels

    @property
    def target(self) -> Levels | None:
        """The conduit's SL-T, if declared."""
        return to_levels(self.conduit.sl_target) if self.conduit.sl_target is not None else None


def stack_levels(stack: Sequence[str], protocols: Mapping[str, ProtocolProps], rules: Sequence[ConduitRule]) -> Levels:
    """Levels a protocol stack supplies: per FR, the highest rule whose properties some layer provides.

    Several TLS/DTLS versions in one stack are alternatives the channel may negotiate, so the stack
    supplies what its weakest version supplies.
    """
    versions = [p for p in stack if tls_version(p) is not None]
    if len(versions) > 1:
        plain = [p for p in stack if tls_version(p) is None]
        return meet(_levels([*plain, v], protocols, rules) for v in versions) or ZERO
    return _levels(stack, protocols, rules)


def _levels(stack: Sequence[str], protocols: Mapping[str, ProtocolProps], rules: Sequence[ConduitRule]) -> Levels:
    provided = {name for p in stack if p in protocols for name in _PROPS if protocols[p].provides(name)}
    values = list(ZERO)
    for r in rules:
        if r.needs <= provided:
            i = FRS.index(r.fr)
            values[i] = max(values[i], r.level)
    return (values[0], values[1], values[2], values[3], values[4], values[5], values[6])


_PROPS = ("confidentiality", "integrity", "peer_authentication", "replay_protection")


def conduit_levels(
    model: SystemModel,
    protocols: Mapping[str, ProtocolProps],
    rules: Sequence[ConduitRule],
    countermeasures: Mapping[str, Countermeasure],
) -> tuple[ConduitLevels, ...]:
    """Per conduit: the weakest channel's levels (its own stack, its flows' stacks), raised by its countermeasures."""
    out: list[ConduitLevels] = []
    for conduit in model.conduits:
        stacks: list[tuple[str, tuple[str, ...]]] = []
        if conduit.protocol:
            stacks.append((conduit.id, conduit.protocol))
        stacks.extend((f.id, f.protocol) for f in model.flows if f.conduit == conduit.id)
        unknown = sorted({p for _, s in stacks for p in s if p not in protocols})
        base = meet(stack_levels(s, protocols, rules) for _, s in stacks) or ZERO
        raised = join(base, countermeasure_levels(conduit.countermeasures, countermeasures))
        out.append(ConduitLevels(conduit, tuple(stacks), tuple(unknown), raised))
    return tuple(out)
