"""The user-replaceable data tables of the contracts stage, read with located errors.

``sl_requirements.yaml`` (per-level CR/RE selection), ``countermeasures.yaml`` (compensating
countermeasures), ``conduit_levels.yaml`` (protocol properties → conduit levels) and
``properties.yaml`` (the assume/guarantee vocabulary) ship in ``contracts/data``; each loader takes
an optional path to a replacement file in the same format.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from medsecurance._internal.io import read_text_limited
from medsecurance._internal.yamlloc import LocDict, LocList, load_yaml
from medsecurance.contracts.levels import FRS, Levels, parse_fr, parse_levels
from medsecurance.errors import ContractError

__all__ = [
    "ConduitRule",
    "Countermeasure",
    "RequirementRow",
    "load_conduit_rules",
    "load_countermeasures",
    "load_requirement_rows",
    "normalize_requirement_id",
    "read_table",
]

_REQ_RE = re.compile(r"^(?:CR|SR|EDR|HDR|NDR|SAR)[\s_\-]*(\d)\.(\d{1,2})(?:[\s_\-]*RE[\s_\-]*\(?(\d{1,2})\)?)?$", re.I)


def normalize_requirement_id(text: str) -> str | None:
    """'CR 1.1 RE(2)', 'cr-1.1-re2', 'NDR 5.2' → 'CR-1.1-RE2' / 'CR-5.2'; None if not a requirement id."""
    match = _REQ_RE.match(text.strip())
    if match is None:
        return None
    base = f"CR-{match.group(1)}.{int(match.group(2))}"
    return f"{base}-RE{int(match.group(3))}" if match.group(3) else base


def read_table(name: str, path: str | Path | None) -> tuple[LocDict, str]:
    """Read a shipped table (``data/<name>``) or a replacement file; returns (data, display name)."""
    if path is None:
        text = resources.files("medsecurance.contracts").joinpath("data", name).read_text(encoding="utf-8")
        shown = f"medsecurance/contracts/data/{name}"
    else:
        text = read_text_limited(path, max_bytes=16 * 1024 * 1024, error=ContractError)
        shown = str(path)
    data, dups = load_yaml(text, shown, ContractError)
    if dups:
        raise ContractError(diagnostics=dups)
    if not isinstance(data, LocDict):
        raise ContractError("a contracts table must be a YAML mapping", file=shown, line=1, column=1)
    return data, shown


def _where(container: Any, key: Any, file: str) -> dict[str, Any]:
    pos = None
    if isinstance(container, LocDict):
        pos = container.value_pos.get(key) or container.pos
    elif isinstance(container, LocList) and isinstance(key, int):
        pos = container.item_pos[key]
    return {"file": file, "line": pos[1] if pos else None, "column": pos[2] if pos else None}


def _need(item: Any, key: str, kind: type | tuple[type, ...], file: str) -> Any:
    if not isinstance(item, LocDict):
        raise ContractError("expected a mapping", **_where(item, key, file))
    value = item.get(key)
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is int):
        raise ContractError(f"'{key}' is missing or of the wrong type", hint=f"give '{key}'", **_where(item, key, file))
    return value


@dataclass(frozen=True, slots=True)
class RequirementRow:
    """One CR or RE with the lowest SL-C at which IEC 62443-4-2 selects it."""

    id: str
    fr: str
    sl: int
    title: str
    source: str
    confidence: str
    applies_to: tuple[str, ...] = ()


def load_requirement_rows(path: str | Path | None = None) -> tuple[tuple[RequirementRow, ...], Levels, str]:
    """Rows, the per-FR ``complete_up_to`` cap and the file name of a requirements table."""
    data, file = read_table("sl_requirements.yaml", path)
    cap_raw = _need(data, "complete_up_to", LocDict, file)
    cap = parse_levels(cap_raw, file=file, positions=cap_raw.key_pos)
    items = _need(data, "requirements", LocList, file)
    rows: list[RequirementRow] = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        raw_id = _need(item, "id", str, file)
        rid = normalize_requirement_id(raw_id)
        if rid is None or rid in seen:
            problem = "is not a requirement id (CR-x.y or CR-x.y-REn)" if rid is None else "is listed twice"
            raise ContractError(f"requirement {raw_id!r} {problem}", element=raw_id, **_where(items, index, file))
        seen.add(rid)
        fr = parse_fr(_need(item, "fr", str, file), **_where(item, "fr", file))
        sl = _need(item, "sl", int, file)
        if not 1 <= sl <= 4:
            raise ContractError(f"'sl' must be 1–4, got {sl}", element=rid, **_where(item, "sl", file))
        rows.append(
            RequirementRow(
                id=rid,
                fr=fr,
                sl=sl,
                title=str(item.get("title", "")),
                source=_need(item, "source", str, file),
                confidence=str(item.get("confidence", "M")),
                applies_to=tuple(str(a).upper() for a in item.get("applies_to") or ()),
            )
        )
    return tuple(rows), cap, file


@dataclass(frozen=True, slots=True)
class Countermeasure:
    """A compensating countermeasure and the level it supplies per FR."""

    id: str
    raises: Levels
    rationale: str
    source: str


def load_countermeasures(path: str | Path | None = None) -> dict[str, Countermeasure]:
    """Countermeasure id → :class:`Countermeasure` from ``countermeasures.yaml`` or a replacement."""
    data, file = read_table("countermeasures.yaml", path)
    table = _need(data, "countermeasures", LocDict, file)
    out: dict[str, Countermeasure] = {}
    for cm_id, item in table.items():
        raises = _need(item, "raises", LocDict, file)
        out[str(cm_id)] = Countermeasure(
            id=str(cm_id),
            raises=parse_levels(raises, file=file, positions=raises.key_pos),
            rationale=str(item.get("rationale", "")),
            source=_need(item, "source", str, file),
        )
    return out


@dataclass(frozen=True, slots=True)
class ConduitRule:
    """A conduit level for one FR, met when the stack provides every listed protocol property."""

    fr: str
    level: int
    needs: frozenset[str]
    source: str


_PROTOCOL_PROPERTIES = ("confidentiality", "integrity", "peer_authentication", "replay_protection")


def load_conduit_rules(path: str | Path | None = None) -> tuple[ConduitRule, ...]:
    """Rules from ``conduit_levels.yaml`` or a replacement."""
    data, file = read_table("conduit_levels.yaml", path)
    items = _need(data, "rules", LocList, file)
    rules: list[ConduitRule] = []
    for item in items:
        needs = _need(item, "needs", LocList, file)
        for index, need in enumerate(needs):
            if need not in _PROTOCOL_PROPERTIES:
                raise ContractError(
                    f"unknown protocol property {need!r}",
                    hint=f"use one of: {', '.join(_PROTOCOL_PROPERTIES)}",
                    **_where(needs, index, file),
                )
        level = _need(item, "level", int, file)
        if not 0 <= level <= 4:
            raise ContractError(f"'level' must be 0–4, got {level}", **_where(item, "level", file))
        rules.append(
            ConduitRule(
                fr=parse_fr(_need(item, "fr", str, file), **_where(item, "fr", file)),
                level=level,
                needs=frozenset(str(n) for n in needs),
                source=_need(item, "source", str, file),
            )
        )
    return tuple(sorted(rules, key=lambda r: (FRS.index(r.fr), r.level)))
