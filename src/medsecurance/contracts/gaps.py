"""Gap findings (SL-A below SL-T, required SL-C of open slots) and the JSON zone level table."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from medsecurance.contracts.capability import Capability
from medsecurance.contracts.levels import FR_NAMES, FRS, ZERO, Levels, as_dict, gap, join
from medsecurance.contracts.tables import Countermeasure
from medsecurance.contracts.zones import ConduitLevels, ZoneLevels
from medsecurance.findings import Finding, FindingKind, Severity, SourceLocation, stable_id

__all__ = ["conduit_findings", "level_table", "zone_findings"]

Locate = Callable[[str], SourceLocation | None]
_REFS = ("IEC 62443-3-3:2013 cl. 4.3", "IEC 62443-3-2:2020 ZCR 5", "IEC TR 60601-4-5:2021")


def _severity(shortfall: int) -> Severity:
    return Severity.HIGH if shortfall >= 2 else Severity.MEDIUM


def _member_text(member: Capability, index: int, effective: int) -> str:
    if member.levels is None:
        return f"{member.component} (no SL-C declared or derivable, counted as 0)"
    text = f"{member.component} ({member.source} SL-C {member.levels[index]}, effective {effective}"
    needed = (member.missing or {}).get(FRS[index])
    if member.source == "derived" and needed:
        text += f"; next level needs {', '.join(needed)}"
    elif FRS[index] in member.capped:
        text += "; the requirements table cannot establish a higher level"
    return text + ")"


def _closers(fr_index: int, target: int, table: Mapping[str, Countermeasure]) -> list[str]:
    return sorted(c.id for c in table.values() if c.raises[fr_index] >= target)


def zone_findings(zones: tuple[ZoneLevels, ...], table: Mapping[str, Countermeasure], locate: Locate) -> list[Finding]:
    """One finding per zone and FR with SL-A < SL-T, plus required SL-C for members without one."""
    findings: list[Finding] = []
    for z in zones:
        zid = z.zone.id
        if not z.members:
            if any(z.target):
                findings.append(_empty(zid, locate))
            continue
        for i in range(len(FRS)):
            if (z.achieved or ZERO)[i] < z.target[i]:
                findings.append(_gap(z, i, table, locate))
        findings.extend(_required(z, locate))
    return findings


def _empty(zid: str, locate: Locate) -> Finding:
    return Finding(
        stable_id("C", "zone-empty", zid),
        FindingKind.CONTRACT,
        "contract.zone-empty",
        f"Zone {zid} has an SL-T but no components",
        Severity.INFO,
        (zid,),
        _REFS,
        explanation="no SL-A can be computed for a zone without members; assign components to it",
        location=locate(zid),
    )


def _gap(z: ZoneLevels, i: int, table: Mapping[str, Countermeasure], locate: Locate) -> Finding:
    """The finding for one FR of a zone whose SL-A is below SL-T: who limits it and what would close it."""
    zid, fr = z.zone.id, FRS[i]
    target, achieved = z.target[i], (z.achieved or ZERO)[i]
    binding = [(m, max(m.levels[i] if m.levels else 0, z.raises[i])) for m in z.members]
    weak = [(m, e) for m, e in binding if e < target]
    names = sorted(m.component for m, _ in weak)
    closers = _closers(i, target, table)
    text = (
        f"SL-A({fr}, {zid}) = {achieved} < SL-T {target} ({FR_NAMES[fr]}). Limited by: "
        + "; ".join(_member_text(m, i, e) for m, e in weak)
        + f". To close: raise the SL-C of {', '.join(m.component for m, _ in weak)} to {target} in {fr}"
    )
    text += (
        f", or add a compensating countermeasure at zone or conduit level ({', '.join(closers)})." if closers else "."
    )
    return Finding(
        stable_id("C", "sl-gap", zid, fr),
        FindingKind.CONTRACT,
        "contract.sl-gap",
        f"Zone {zid} achieves {fr} SL {achieved}, below its target {target}",
        _severity(target - achieved),
        (zid, *names),
        _REFS,
        explanation=text,
        details={
            "fr": fr,
            "sl_target": target,
            "sl_achieved": achieved,
            "limiting_components": names,
            "missing_requirements": sorted({r for m, _ in weak for r in (m.missing or {}).get(fr, ())}),
            "closing_countermeasures": closers,
        },
        location=locate(zid),
    )


def _required(z: ZoneLevels, locate: Locate) -> list[Finding]:
    required = tuple(t if r < t else 0 for t, r in zip(z.target, z.raises, strict=True))
    out = []
    for m in z.members:
        if m.levels is not None or not any(required):
            continue
        vec = (required[0], required[1], required[2], required[3], required[4], required[5], required[6])
        out.append(
            Finding(
                stable_id("C", "required-slc", m.component),
                FindingKind.CONTRACT,
                "contract.required-slc",
                f"Component {m.component} has no SL-C; zone {z.zone.id} requires {_vec_text(vec)}",
                Severity.MEDIUM,
                (m.component, z.zone.id),
                _REFS,
                explanation=(
                    f"{m.component} declares no security_levels.capability and implements no requirement of the "
                    f"table. To meet SL-T of {z.zone.id} with its countermeasures, choose a product with SL-C "
                    f"≥ {_vec_text(vec)}, or declare its capability."
                ),
                details={"required_sl_c": as_dict(vec)},
                location=locate(m.component),
            )
        )
    return out


def _vec_text(levels: Levels) -> str:
    return "{" + " ".join(str(v) for v in levels) + "}"


def conduit_findings(conduits: tuple[ConduitLevels, ...], locate: Locate) -> list[Finding]:
    """One finding per conduit and FR where the conduit's level falls below its SL-T."""
    out: list[Finding] = []
    for c in conduits:
        if c.target is None:
            continue
        for i, fr in enumerate(FRS):
            if c.achieved[i] >= c.target[i]:
                continue
            unknown = (
                f" Protocols without known properties: {', '.join(c.unknown_protocols)}." if c.unknown_protocols else ""
            )
            out.append(
                Finding(
                    stable_id("C", "conduit-gap", c.conduit.id, fr),
                    FindingKind.CONTRACT,
                    "contract.conduit-gap",
                    f"Conduit {c.conduit.id} supplies {fr} SL {c.achieved[i]}, below its target {c.target[i]}",
                    _severity(c.target[i] - c.achieved[i]),
                    (c.conduit.id, *(s for s, _ in c.stacks if s != c.conduit.id)),
                    _REFS,
                    explanation=(
                        f"the weakest channel of {c.conduit.id} supplies {fr} level {c.achieved[i]} "
                        f"from its protocol stack and countermeasures.{unknown} To close: use a stack "
                        "with the missing properties or add a conduit countermeasure."
                    ),
                    details={"fr": fr, "sl_target": c.target[i], "sl_achieved": c.achieved[i]},
                    location=locate(c.conduit.id),
                )
            )
    return out


def level_table(
    zones: tuple[ZoneLevels, ...], conduits: tuple[ConduitLevels, ...], policy: dict[str, Any]
) -> dict[str, Any]:
    """The JSON-able per-zone level table for the report's ``zones`` section."""
    zone_rows = []
    for z in zones:
        zone_rows.append(
            {
                "id": z.zone.id,
                "name": z.zone.name,
                "sl_target": as_dict(z.target),
                "sl_achieved": as_dict(z.achieved) if z.achieved is not None else None,
                "gap": as_dict(z.gap),
                "meets_target": z.achieved is not None and not any(z.gap),
                "countermeasures": list(z.countermeasures),
                "countermeasure_levels": as_dict(z.raises),
                "components": [
                    {
                        "id": m.component,
                        "sl_capability_source": m.source,
                        "sl_capability": as_dict(m.levels) if m.levels is not None else None,
                        "effective": as_dict(join(m.levels or ZERO, z.raises)),
                        "implemented_requirements": list(m.implemented),
                    }
                    for m in z.members
                ],
            }
        )
    conduit_rows = [
        {
            "id": c.conduit.id,
            "zones": list(c.conduit.zones),
            "sl_target": as_dict(c.target) if c.target is not None else None,
            "sl_achieved": as_dict(c.achieved),
            "gap": as_dict(gap(c.achieved, c.target)) if c.target is not None else None,
            "channels": [{"id": s, "protocol": list(p)} for s, p in c.stacks],
            "unknown_protocols": list(c.unknown_protocols),
        }
        for c in conduits
    ]
    return {"policy": policy, "zones": zone_rows, "conduits": conduit_rows}
