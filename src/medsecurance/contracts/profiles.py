"""Provider and consumer profiles: YAML files that override what the model states for a contract bundle.

Provider profile keys: ``manufacturer`` (name, contact), ``patch_timeline_days``, ``components``
({id: {sl_capability: {FR: n}, end_of_support: date, guarantees: [clauses]}}), ``files`` (extra
documents to bundle: SBOM, VEX, MDS2, assurance summary; paths relative to the profile).
Consumer profile keys: ``name``, ``zones`` ({id: {sl_target: {FR: n}}}), ``assumes`` and
``guarantees`` (environment clauses). Unknown ids, FR names and keys are located errors.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from medsecurance._internal.yamlloc import LocDict
from medsecurance.contracts.levels import as_dict, parse_levels
from medsecurance.contracts.tables import read_table
from medsecurance.errors import ContractError
from medsecurance.model.schema import ContractClause, Environment, SystemModel

__all__ = ["Profiles", "apply_profiles"]

_PROVIDER_KEYS = {"manufacturer", "patch_timeline_days", "components", "files"}
_CONSUMER_KEYS = {"name", "zones", "assumes", "guarantees"}


@dataclass(frozen=True)
class Profiles:
    """The model with both profiles applied, plus the extra provider files to bundle."""

    model: SystemModel
    provider_files: tuple[Path, ...] = ()


def _at(d: Any, key: Any, file: str) -> dict[str, Any]:
    if not isinstance(d, LocDict):
        return {"file": file}
    pos = d.key_pos.get(key) or d.pos
    return {"file": file, "line": pos[1], "column": pos[2]}


def _read(path: Path, allowed: set[str]) -> tuple[LocDict, str]:
    data, file = read_table("", path)
    for key in data:
        if key not in allowed:
            raise ContractError(
                f"unknown profile key {key!r}", hint=f"allowed: {', '.join(sorted(allowed))}", **_at(data, key, file)
            )
    return data, file


def _clauses(items: Any, file: str, where: dict[str, Any]) -> tuple[ContractClause, ...]:
    try:
        return tuple(ContractClause.model_validate(i) for i in items or ())
    except ValidationError as exc:
        raise ContractError(f"bad contract clause: {exc.errors()[0]['msg']}", **where) from exc


def _provider(model: SystemModel, path: Path) -> tuple[SystemModel, tuple[Path, ...]]:
    data, file = _read(path, _PROVIDER_KEYS)
    system: dict[str, Any] = {}
    if "manufacturer" in data:
        system["manufacturer"] = {
            "name": str(data["manufacturer"].get("name", "")),
            **{k: data["manufacturer"][k] for k in ("contact", "psirt_url") if k in data["manufacturer"]},
        }
    if "patch_timeline_days" in data:
        system["patch_timeline_days"] = dict(data["patch_timeline_days"])
    comps = {c.id: c.model_dump(by_alias=True, exclude_none=True) for c in model.components}
    entries = data.get("components") or {}
    for cid, entry in entries.items():
        if cid not in comps:
            raise ContractError(
                f"unknown component id {cid!r}", hint="use a component id of the model", **_at(entries, cid, file)
            )
        if "sl_capability" in entry:
            levels = parse_levels(entry["sl_capability"], file=file, positions=entry["sl_capability"].key_pos)
            comps[cid]["security_levels"] = {"capability": as_dict(levels)}
        if "end_of_support" in entry:
            comps[cid]["end_of_support"] = entry["end_of_support"]
        if "guarantees" in entry:
            comps[cid]["guarantees"] = [
                c.model_dump() for c in _clauses(entry["guarantees"], file, _at(entry, "guarantees", file))
            ]
    files = tuple((path.parent / str(f)).resolve() for f in data.get("files") or ())
    return _rebuild(model, system, list(comps.values()), None, file), files


def _consumer(model: SystemModel, path: Path) -> SystemModel:
    data, file = _read(path, _CONSUMER_KEYS)
    zones = {z.id: z.model_dump(by_alias=True, exclude_none=True) for z in model.zones}
    entries = data.get("zones") or {}
    for zid, entry in entries.items():
        if zid not in zones:
            raise ContractError(
                f"unknown zone id {zid!r}", hint="use a zone id of the model", **_at(entries, zid, file)
            )
        if isinstance(entry, dict) and "sl_target" in entry:
            zones[zid]["sl_target"] = as_dict(
                parse_levels(entry["sl_target"], file=file, positions=entry["sl_target"].key_pos)
            )
    env = model.environment or Environment()
    environment = Environment(
        name=str(data.get("name", env.name or "")) or None,
        description=env.description,
        assumes=_clauses(data["assumes"], file, _at(data, "assumes", file)) if "assumes" in data else env.assumes,
        guarantees=_clauses(data["guarantees"], file, _at(data, "guarantees", file))
        if "guarantees" in data
        else env.guarantees,
    )
    dumped = model.model_dump(by_alias=True, exclude_none=True)
    dumped["zones"] = list(zones.values())
    dumped["environment"] = environment.model_dump(exclude_none=True)
    return _validate(dumped, file)


def _rebuild(model: SystemModel, system: dict[str, Any], comps: list[Any], _z: Any, file: str) -> SystemModel:
    dumped = model.model_dump(by_alias=True, exclude_none=True)
    dumped["system"].update(system)
    dumped["components"] = comps
    return _validate(dumped, file)


def _validate(dumped: dict[str, Any], file: str) -> SystemModel:
    try:
        return SystemModel.model_validate(dumped)
    except ValidationError as exc:
        err = exc.errors()[0]
        raise ContractError(
            f"profile makes the model invalid at {'.'.join(map(str, err['loc']))}: {err['msg']}", file=file
        ) from exc


def apply_profiles(model: SystemModel, provider: Path | None, consumer: Path | None) -> Profiles:
    """The model as the two parties state it (profiles default to what the model states)."""
    files: tuple[Path, ...] = ()
    if provider is not None:
        model, files = _provider(model, provider)
    if consumer is not None:
        model = _consumer(model, consumer)
    return Profiles(model, files)
