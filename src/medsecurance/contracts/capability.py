"""Component SL-C: declared in the model, or derived from the requirements its controls implement."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from medsecurance.contracts.levels import FRS, Levels
from medsecurance.contracts.tables import RequirementRow, normalize_requirement_id
from medsecurance.model.schema import Component

__all__ = ["Capability", "capability_of", "derive_levels", "implemented_requirements"]


@dataclass(frozen=True, slots=True)
class Capability:
    """A component's SL-C and where it comes from (declared, derived or unknown).

    ``missing[fr]`` lists the requirement ids that would raise the FR one level (empty when the
    table cannot say, see ``capped``); ``capped`` names FRs whose derived level stopped at the
    table's ``complete_up_to`` limit.
    """

    component: str
    levels: Levels | None
    source: str
    implemented: tuple[str, ...] = ()
    missing: Mapping[str, tuple[str, ...]] | None = None
    capped: tuple[str, ...] = ()


def implemented_requirements(component: Component, control_crs: Mapping[str, Sequence[str]]) -> frozenset[str]:
    """CR/RE ids a component implements: listed directly in ``controls`` or via the control → CR map."""
    found: set[str] = set()
    for control in component.controls:
        direct = normalize_requirement_id(control)
        if direct is not None:
            found.add(direct)
        for cr in control_crs.get(control, ()):
            norm = normalize_requirement_id(cr)
            if norm is not None:
                found.add(norm)
    return frozenset(found)


def _applies(row: RequirementRow, component_class: str | None) -> bool:
    if not row.applies_to:
        return True
    return component_class is not None and component_class.upper() in row.applies_to


def derive_levels(
    implemented: frozenset[str], rows: Sequence[RequirementRow], cap: Levels, component_class: str | None = None
) -> tuple[Levels, dict[str, tuple[str, ...]], tuple[str, ...]]:
    """Per FR, the highest level whose selected requirements are all implemented (capped by the table).

    Returns (levels, missing requirement ids for the next level per FR, FRs stopped by the cap).
    """
    levels: list[int] = []
    missing: dict[str, tuple[str, ...]] = {}
    capped: list[str] = []
    for index, fr in enumerate(FRS):
        fr_rows = [r for r in rows if r.fr == fr and _applies(r, component_class)]
        level = 0
        while level < 4:
            needed = [r.id for r in fr_rows if r.sl == level + 1 and r.id not in implemented]
            if needed or level >= cap[index]:
                if not needed and level < 4:
                    capped.append(fr)
                missing[fr] = tuple(sorted(needed))
                break
            level += 1
        levels.append(level)
    vec = (levels[0], levels[1], levels[2], levels[3], levels[4], levels[5], levels[6])
    return vec, missing, tuple(capped)


def capability_of(
    component: Component,
    rows: Sequence[RequirementRow],
    cap: Levels,
    control_crs: Mapping[str, Sequence[str]],
    component_class: str | None = None,
) -> Capability:
    """The component's SL-C: the declared vector wins; else derived when it implements any requirement."""
    implemented = implemented_requirements(component, control_crs)
    derived, missing, capped = derive_levels(implemented, rows, cap, component_class)
    declared = component.security_levels.capability if component.security_levels else None
    if declared is not None:
        return Capability(component.id, declared.as_tuple(), "declared", tuple(sorted(implemented)), missing, ())
    if implemented:
        return Capability(component.id, derived, "derived", tuple(sorted(implemented)), missing, capped)
    return Capability(component.id, None, "unknown", (), missing, ())
