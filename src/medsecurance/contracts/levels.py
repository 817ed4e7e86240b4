"""Security-level vectors over IEC 62443 FR1–FR7: parsing, comparison and lattice arithmetic."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from medsecurance.errors import ContractError
from medsecurance.model.schema import SLVector

__all__ = [
    "FRS",
    "FR_NAMES",
    "ZERO",
    "Levels",
    "as_dict",
    "gap",
    "join",
    "meet",
    "meets",
    "parse_fr",
    "parse_levels",
    "to_levels",
]

#: the seven foundational requirements, in order (IEC TS 62443-1-1)
FRS: tuple[str, ...] = ("FR1", "FR2", "FR3", "FR4", "FR5", "FR6", "FR7")
FR_NAMES: dict[str, str] = {
    "FR1": "identification and authentication control",
    "FR2": "use control",
    "FR3": "system integrity",
    "FR4": "data confidentiality",
    "FR5": "restricted data flow",
    "FR6": "timely response to events",
    "FR7": "resource availability",
}
_ABBREV = {"IAC": "FR1", "UC": "FR2", "SI": "FR3", "DC": "FR4", "RDF": "FR5", "TRE": "FR6", "RA": "FR7"}

Levels = tuple[int, int, int, int, int, int, int]
"""A security-level vector as a plain tuple in FR order (levels 0–4)."""

ZERO: Levels = (0, 0, 0, 0, 0, 0, 0)


def parse_fr(name: object, *, file: str | None = None, line: int | None = None, column: int | None = None) -> str:
    """Canonical FR name ('FR3') from 'FR3', 'fr 3', '3' or an abbreviation ('SI'); else ContractError."""
    text = str(name).strip().upper().replace(" ", "").replace("_", "")
    if text in _ABBREV:
        return _ABBREV[text]
    if not text.startswith("FR"):
        text = "FR" + text
    if text in FRS:
        return text
    raise ContractError(
        f"unknown foundational requirement {name!r}",
        file=file,
        line=line,
        column=column,
        hint="use FR1 … FR7 (or IAC, UC, SI, DC, RDF, TRE, RA)",
    )


def _level(value: object, where: dict[str, Any]) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 4:
        raise ContractError(
            f"security level must be an integer 0–4, got {value!r}", hint="use 0, 1, 2, 3 or 4", **where
        )
    return value


def parse_levels(
    data: Mapping[Any, Any], *, file: str | None = None, positions: Mapping[Any, Any] | None = None
) -> Levels:
    """A Levels tuple from a mapping {FR: level}; unknown FRs and levels outside 0–4 are errors."""
    values = list(ZERO)
    for key, value in data.items():
        pos = (positions or {}).get(key)
        where: dict[str, Any] = {"file": file, "line": pos[1] if pos else None, "column": pos[2] if pos else None}
        fr = parse_fr(key, **where)
        values[FRS.index(fr)] = _level(value, where)
    return _tuple(values)


def _tuple(values: Iterable[int]) -> Levels:
    v = tuple(values)
    return (v[0], v[1], v[2], v[3], v[4], v[5], v[6])


def to_levels(vector: SLVector | None) -> Levels:
    """Levels of a model SLVector (all zero when absent)."""
    return vector.as_tuple() if vector is not None else ZERO


def as_dict(levels: Levels) -> dict[str, int]:
    """JSON form {FR1: n, …}."""
    return dict(zip(FRS, levels, strict=True))


def meet(vectors: Iterable[Levels]) -> Levels | None:
    """Per-FR minimum (lattice meet) of vectors; None for no vectors."""
    items = list(vectors)
    if not items:
        return None
    return _tuple(min(v[i] for v in items) for i in range(7))


def join(*vectors: Levels) -> Levels:
    """Per-FR maximum (lattice join) of vectors; ZERO for none."""
    return _tuple(max((v[i] for v in vectors), default=0) for i in range(7))


def gap(achieved: Levels, target: Levels) -> Levels:
    """Per-FR shortfall max(0, target − achieved)."""
    return _tuple(max(0, t - a) for a, t in zip(achieved, target, strict=True))


def meets(achieved: Levels, target: Levels) -> bool:
    """True when achieved ≥ target on every FR (the IEC 62443 design rule SL-A ≥ SL-T)."""
    return all(a >= t for a, t in zip(achieved, target, strict=True))
