"""Rule predicates about controls, data, needs, hazards, safety, updates, support and SBOMs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from medsecurance.threats._condition_base import (
    ALL_KINDS,
    NEEDS,
    SEVERITIES,
    CompileError,
    Leaf,
    Reasons,
    Resolver,
    flag_value,
    name_list,
)
from medsecurance.threats.subjects import Subject

__all__ = ["asset", "control", "data_category", "element", "end_of_support", "has_sbom", "hazard_severity",
           "life_sustaining", "missing_controls", "need", "update"]


def control(value: Any, path: tuple[str | int, ...], resolve: Resolver) -> Leaf:
    """The ``control`` predicate: one of the controls is present."""
    wanted = frozenset(resolve(n, "control", path) for n in name_list(value, path))

    def fn(s: Subject) -> Reasons:
        hit = wanted & s.controls
        return [f"control {min(hit)} present"] if hit else None

    return Leaf("control", f"control {' or '.join(sorted(wanted))} present", fn)


def missing_controls(value: Any, path: tuple[str | int, ...], resolve: Resolver) -> Leaf:
    """The ``missing_controls`` predicate: none of the controls is present."""
    wanted = sorted(frozenset(resolve(n, "control", path) for n in name_list(value, path)))
    wanted_set, text = frozenset(wanted), f"none of the controls {', '.join(wanted)} is present"

    def fn(s: Subject) -> Reasons:
        return [text] if s.controls.isdisjoint(wanted_set) else None

    return Leaf("missing_controls", f"none of {', '.join(wanted)} present", fn)


def data_category(value: Any, path: tuple[str | int, ...], resolve: Resolver) -> Leaf:
    """The ``data_category`` predicate: an asset holds data of one of the categories."""
    wanted = frozenset(resolve(n, "data-category", path) for n in name_list(value, path))

    def fn(s: Subject) -> Reasons:
        for asset in s.assets:
            hit = s.facts.data_categories(asset) & wanted
            if hit:
                return [f"{asset.id} holds {min(hit)} data"]
        return None

    return Leaf("data_category", f"data of category {' or '.join(sorted(wanted))}", fn,
                 holds=lambda g: not wanted.isdisjoint(g.categories))


def need(value: Any, path: tuple[str | int, ...], resolve: Resolver) -> Leaf:
    """The ``need`` predicate: an asset needs one of the properties at least at that level."""
    if not isinstance(value, Mapping) or not value:
        raise CompileError("expected a mapping like {integrity: high}", path)
    wants: list[tuple[str, int]] = []
    for prop, level in value.items():
        if prop not in ("confidentiality", "integrity", "availability") or level not in NEEDS:
            raise CompileError(f"bad need {prop}: {level}", (*path, str(prop)),
                               "use confidentiality/integrity/availability: low|medium|high")
        wants.append((prop, NEEDS[level]))

    def fn(s: Subject) -> Reasons:
        for prop, level in wants:
            for asset in s.assets:
                if getattr(asset, prop).rank >= level:
                    return [f"{asset.id} needs {prop} {getattr(asset, prop).value}"]
        return None

    return Leaf("need", "an asset needs " + " or ".join(f"{p} ≥ {v}" for p, v in value.items()), fn)


def asset(value: Any, path: tuple[str | int, ...], resolve: Resolver) -> Leaf:
    """One and the same asset has one of the data categories and every listed need."""
    if not isinstance(value, Mapping) or not value or set(value) - {"data_category", "need"}:
        raise CompileError("expected a mapping with 'data_category' and/or 'need'", path,
                           "e.g. asset: {data_category: phi, need: {confidentiality: high}}")
    wanted = frozenset(resolve(n, "data-category", (*path, "data_category"))
                       for n in name_list(value["data_category"], (*path, "data_category"))) \
        if "data_category" in value else None
    needs: list[tuple[str, int]] = []
    for prop, level in (value.get("need") or {}).items():
        if prop not in ("confidentiality", "integrity", "availability") or level not in NEEDS:
            raise CompileError(f"bad need {prop}: {level}", (*path, "need", str(prop)),
                               "use confidentiality/integrity/availability: low|medium|high")
        needs.append((prop, NEEDS[level]))

    def fn(s: Subject) -> Reasons:
        for asset in s.assets:
            cats = s.facts.data_categories(asset)
            if wanted is not None and cats.isdisjoint(wanted):
                continue
            if all(getattr(asset, prop).rank >= level for prop, level in needs):
                parts = [f"{min(cats & wanted)} data"] if wanted is not None else []
                parts += [f"{prop} need {getattr(asset, prop).value}" for prop, _ in needs]
                return [f"{asset.id} holds {' with '.join(parts)}"]
        return None

    text = "an asset with " + " and ".join(
        ([f"category {' or '.join(sorted(wanted))}"] if wanted is not None else [])
        + [f"{p} ≥ {lv}" for p, lv in (value.get("need") or {}).items()])
    return Leaf("asset", text, fn)


def hazard_severity(value: Any, path: tuple[str | int, ...], resolve: Resolver) -> Leaf:
    """The ``hazard_severity`` predicate: the assets lead to a hazard at least this severe."""
    if value not in SEVERITIES:
        raise CompileError(f"unknown severity '{value}'", path, "use " + ", ".join(SEVERITIES))
    floor = SEVERITIES[value]

    def fn(s: Subject) -> Reasons:
        rank = s.worst_hazard_rank
        if rank < floor:
            return None
        name = next(k for k, v in SEVERITIES.items() if v == rank)
        return [f"its assets lead to a {name} hazard"]

    return Leaf("hazard_severity", f"hazard severity ≥ {value}", fn)


def life_sustaining(value: Any, path: tuple[str | int, ...], resolve: Resolver) -> Leaf:
    """The ``life_sustaining`` predicate: an owner (a flow's target) is life-sustaining (or not)."""
    want = flag_value(value, path)

    def fn(s: Subject) -> Reasons:
        comps = (s.target,) if s.kind == "flow" else s.owners
        got = False
        for c in comps:
            if c is not None and s.facts.life_sustaining(c):
                got = True
                break
        return ([f"{'/'.join(c.id for c in comps if c)} is life-sustaining"] if got else []) if got == want else None

    return Leaf("life_sustaining", f"life-sustaining is {want}", fn)


def update(value: Any, path: tuple[str | int, ...], resolve: Resolver) -> Leaf:
    """The ``update`` predicate: the component's update mechanism has these properties."""
    if not isinstance(value, Mapping) or not value:
        raise CompileError("expected a mapping like {signed: false}", path)
    fields = ("method", "signed", "authenticated_source", "encrypted", "rollback_protection", "during_therapy")
    for key in value:
        if key not in fields:
            raise CompileError(f"unknown update field '{key}'", (*path, str(key)), "use " + ", ".join(fields))

    checks = [(key, want, isinstance(want, list)) for key, want in value.items()]

    def fn(s: Subject) -> Reasons:
        comp = s.component
        if comp is None:
            return None
        if comp.update is None:
            return ["no update mechanism is declared"] if value.get("method") == "none" else None
        for key, want, among in checks:
            got = getattr(comp.update, key)
            if (got not in want) if among else (got != want):
                return None
        return [f"update {', '.join(f'{k}={getattr(comp.update, k)}' for k in value)}"]

    return Leaf("update", f"update mechanism {dict(value)}", fn, frozenset({"component"}))


def end_of_support(value: Any, path: tuple[str | int, ...], resolve: Resolver) -> Leaf:
    """The ``end_of_support`` predicate: support has ended, or no end date is declared."""
    if value not in ("passed", "unknown"):
        raise CompileError("expected 'passed' or 'unknown'", path)

    def fn(s: Subject) -> Reasons:
        comp = s.component
        if comp is None:
            return None
        eos = comp.end_of_support
        if value == "unknown":
            return ["no end-of-support date is declared"] if eos is None else None
        return [f"support ended on {eos.isoformat()}"] if eos is not None and eos < s.facts.as_of else None

    return Leaf("end_of_support", f"end of support {value}", fn, frozenset({"component"}))


def has_sbom(value: Any, path: tuple[str | int, ...], resolve: Resolver) -> Leaf:
    """The ``has_sbom`` predicate: the component declares an SBOM (or not)."""
    want = flag_value(value, path)

    def fn(s: Subject) -> Reasons:
        assert s.component is not None
        got = s.component.sbom is not None
        return ([] if got else ["no SBOM is declared"]) if got == want else None

    return Leaf("has_sbom", f"has an SBOM is {want}", fn, frozenset({"component"}))


def element(value: Any, path: tuple[str | int, ...], resolve: Resolver) -> Leaf:
    """The ``element`` predicate: the subject is of one of the element kinds."""
    kinds = frozenset(name_list(value, path))
    if not kinds <= ALL_KINDS:
        raise CompileError(f"unknown element kind {sorted(kinds - ALL_KINDS)}", path, "use component, interface, flow")
    return Leaf("element", f"element is a {' or '.join(sorted(kinds))}", lambda s: [], kinds, holds=lambda g: True)

