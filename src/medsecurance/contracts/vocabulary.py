"""The assume/guarantee property vocabulary, and validation of the model's contract clauses against it."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from medsecurance.contracts.tables import read_table
from medsecurance.errors import ContractError, Diagnostic
from medsecurance.model.schema import ContractClause, SystemModel

__all__ = ["PARAM_KINDS", "Property", "Vocabulary", "iter_clauses", "load_vocabulary", "tls_version"]

PARAM_KINDS = ("tls-minimum", "upper-bound")
_PROTOCOL_PROPERTIES = ("confidentiality", "integrity", "peer_authentication", "replay_protection")


def _key(name: str) -> str:
    return name.lower().replace("_", "-").replace(" ", "-")


@dataclass(frozen=True, slots=True)
class Property:
    """A security property: its definition, sources, what implies it and its parameters."""

    name: str
    definition: str
    sources: tuple[str, ...]
    aliases: tuple[str, ...] = ()
    protocol: str | None = None
    controls: tuple[str, ...] = ()
    params: Mapping[str, str] | None = None


@dataclass(frozen=True)
class Vocabulary:
    """Known properties, looked up by name or alias (case-insensitive, '_' = '-')."""

    properties: Mapping[str, Property]
    file: str

    def resolve(self, name: str) -> Property | None:
        """The property with this name or alias, if known."""
        wanted = _key(name)
        for prop in self.properties.values():
            if wanted == _key(prop.name) or wanted in (_key(a) for a in prop.aliases):
                return prop
        return None


def load_vocabulary(path: str | Path | None = None) -> Vocabulary:
    """Read ``properties.yaml`` (or a replacement) into a :class:`Vocabulary`."""
    data, file = read_table("properties.yaml", path)
    items = data.get("properties")
    if not isinstance(items, dict):
        raise ContractError("'properties' must be a mapping of property names", file=file, line=1, column=1)
    out: dict[str, Property] = {}
    for name, item in items.items():
        pos = items.key_pos.get(name) if hasattr(items, "key_pos") else None
        where: dict[str, Any] = {"file": file, "line": pos[1] if pos else None, "column": pos[2] if pos else None}
        if not isinstance(item, dict) or not isinstance(item.get("definition"), str) or not item.get("sources"):
            raise ContractError(f"property {name!r} needs a 'definition' and 'sources'", element=str(name), **where)
        implied = item.get("implied_by") or {}
        params = {str(k): str((v or {}).get("kind")) for k, v in (item.get("params") or {}).items()}
        bad = [k for k, kind in params.items() if kind not in PARAM_KINDS]
        if bad or (implied.get("protocol") not in (None, *_PROTOCOL_PROPERTIES)):
            raise ContractError(
                f"property {name!r} has an unknown parameter kind or protocol property",
                hint=f"parameter kinds: {', '.join(PARAM_KINDS)}",
                element=str(name),
                **where,
            )
        out[str(name)] = Property(
            name=str(name),
            definition=item["definition"],
            sources=tuple(str(s) for s in item["sources"]),
            aliases=tuple(str(a) for a in item.get("aliases") or ()),
            protocol=implied.get("protocol"),
            controls=tuple(str(c) for c in implied.get("controls") or ()),
            params=params,
        )
    return Vocabulary(out, file)


_TLS = {"SSL3": 0.3, "TLS1.0": 1.0, "TLS1.1": 1.1, "TLS1.2": 1.2, "TLS1.3": 1.3, "DTLS1.2": 1.2, "DTLS1.3": 1.3}


def tls_version(value: object) -> float | None:
    """A TLS version number from 1.2, '1.2', 'TLS1.2' or 'TLS 1.2' (None if not one)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value) if 0 < value < 2 else None
    text = str(value).upper().replace(" ", "").replace("V", "")
    if text in _TLS:
        return _TLS[text]
    try:
        number = float(text.removeprefix("TLS"))
    except ValueError:
        return None
    return number if number in _TLS.values() else None


def iter_clauses(model: SystemModel) -> Iterator[tuple[str, str, str, int, ContractClause, tuple[str | int, ...]]]:
    """Every clause: (element id, element kind, 'assumes'|'guarantees', index, clause, raw path)."""
    for i, comp in enumerate(model.components):
        for side in ("assumes", "guarantees"):
            for j, clause in enumerate(getattr(comp, side)):
                yield comp.id, "component", side, j, clause, ("components", i, side, j)
    for i, flow in enumerate(model.flows):
        for side in ("assumes", "guarantees"):
            for j, clause in enumerate(getattr(flow, side)):
                yield flow.id, "flow", side, j, clause, ("flows", i, side, j)
    for i, zone in enumerate(model.zones):
        for j, clause in enumerate(zone.guarantees):
            yield zone.id, "zone", "guarantees", j, clause, ("zones", i, "guarantees", j)
    if model.environment is not None:
        for side in ("assumes", "guarantees"):
            for j, clause in enumerate(getattr(model.environment, side)):
                yield "environment", "environment", side, j, clause, ("environment", side, j)


def validate_clauses(model: SystemModel, vocab: Vocabulary, where: Any) -> None:
    """Raise one ContractError listing every unknown property, parameter or element id in the model."""
    ids = {e.id for section in (model.components, model.flows, model.zones, model.conduits) for e in section}
    problems: list[Diagnostic] = []
    for element, _kind, side, _j, clause, path in iter_clauses(model):
        prop = vocab.resolve(clause.property)
        if prop is None:
            examples = ", ".join(sorted(vocab.properties)[:4])
            message = f"unknown security property {clause.property!r} in '{side}'"
            problems.append(where(path, element, message, f"use a property of {vocab.file} (e.g. {examples}, …)"))
            continue
        problems += _param_problems(prop, clause, path, element, where)
        problems += [
            where(
                (*path, "elements", k),
                element,
                f"unknown element id {target!r} in 'elements'",
                "name a component, flow, zone or conduit of the model",
            )
            for k, target in enumerate(clause.elements)
            if target not in ids
        ]
    if problems:
        raise ContractError(diagnostics=problems)


def _param_problems(
    prop: Property, clause: ContractClause, path: tuple[str | int, ...], element: str, where: Any
) -> list[Diagnostic]:
    """Unknown parameters and values of the wrong kind in one clause."""
    out: list[Diagnostic] = []
    for name, value in clause.params.items():
        kind = (prop.params or {}).get(name)
        if name == "holds" and isinstance(value, bool):
            continue
        if kind is None:
            allowed = ", ".join(sorted(prop.params or {})) or "none besides 'holds'"
            message = f"property {prop.name!r} has no parameter {name!r}"
            out.append(where((*path, "params", name), element, message, f"parameters: {allowed}"))
        elif (kind == "tls-minimum" and tls_version(value) is None) or (
            kind == "upper-bound" and (isinstance(value, bool) or not isinstance(value, int | float))
        ):
            hint = "a TLS version such as 1.2" if kind == "tls-minimum" else "a number"
            out.append(where((*path, "params", name), element, f"bad value {value!r} for {name!r}", hint))
    return out
