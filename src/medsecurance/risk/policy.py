"""The risk-acceptability policy: exploitability × severity (and × privacy) → acceptable/review/unacceptable.

The default policy ships in ``data/policy.yaml``; a user may supply their own file. The loader
checks that every table is total and monotone and reports each problem with file:line.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from medsecurance.errors import Diagnostic, PolicyError
from medsecurance.risk._data import Table, load_table, package_table
from medsecurance.risk.scales import Exploitability, HarmSeverity, PrivacyImpact, RiskLevel

__all__ = ["Policy", "load_policy"]

_C = TypeVar("_C", bound=StrEnum)


@dataclass(frozen=True)
class Policy:
    """A validated acceptability policy."""

    name: str
    file: str
    safety: Mapping[tuple[Exploitability, HarmSeverity], RiskLevel]
    privacy: Mapping[tuple[Exploitability, PrivacyImpact], RiskLevel]
    no_harm: Mapping[Exploitability, RiskLevel]

    def level(self, exploitability: Exploitability, severity: HarmSeverity | None,
              privacy: PrivacyImpact = PrivacyImpact.NONE) -> RiskLevel:
        """The worse of the safety and the privacy judgement (no harm at all: the no-harm row)."""
        if severity is None and privacy is PrivacyImpact.NONE:
            return self.no_harm[exploitability]
        level = self.privacy[(exploitability, privacy)]
        if severity is not None:
            safety = self.safety[(exploitability, severity)]
            if safety.rank > level.rank:
                return safety
        return level


def load_policy(path: str | Path | None = None) -> Policy:
    """Load a policy file (the shipped default when ``path`` is None); bad files → PolicyError file:line."""
    return _build(load_table(path)) if path is not None else _default()


@lru_cache(maxsize=1)
def _default() -> Policy:
    return _build(package_table("policy.yaml"))


def _cell(t: Table, path: list[str | int], problems: list[Diagnostic]) -> RiskLevel | None:
    value: Any = t.raw
    for part in path:
        value = value[part]
    try:
        return RiskLevel(str(value))
    except ValueError:
        problems.append(_diag(t, path, f"'{value}' is not a risk level ({', '.join(RiskLevel)})"))
        return None


def _diag(t: Table, path: Sequence[str | int], message: str, *, key: bool = False) -> Diagnostic:
    try:
        t.fail(path, message, key=key)
    except PolicyError as exc:
        return exc.first
    raise AssertionError("unreachable")  # pragma: no cover


def _row(t: Table, path: list[str | int], columns: type[_C], problems: list[Diagnostic]) -> dict[_C, RiskLevel]:
    node = t.get(path)
    out: dict[_C, RiskLevel] = {}
    for key in node:
        if str(key) not in {c.value for c in columns}:
            problems.append(_diag(t, [*path, key], f"unknown column '{key}' (expected "
                                                   f"{', '.join(columns)})", key=True))
    for col in columns:
        if col.value not in node:
            problems.append(_diag(t, path, f"missing column '{col.value}': the matrix must be total"))
            continue
        level = _cell(t, [*path, col.value], problems)
        if level is not None:
            out[col] = level
    return out


def _matrix(t: Table, name: str, columns: type[_C], problems: list[Diagnostic]
            ) -> dict[tuple[Exploitability, _C], RiskLevel]:
    node = t.get([name])
    cells: dict[tuple[Exploitability, _C], RiskLevel] = {}
    for key in node:
        if str(key) not in {e.value for e in Exploitability}:
            problems.append(_diag(t, [name, key], f"unknown exploitability row '{key}'", key=True))
    for row in Exploitability:
        if row.value not in node:
            problems.append(_diag(t, [name], f"missing row '{row.value}': the matrix must be total"))
            continue
        cells.update({(row, col): lv for col, lv in _row(t, [name, row.value], columns, problems).items()})
    _monotone(t, name, cells, list(columns), problems)
    return cells


def _monotone(t: Table, name: str, cells: Mapping[tuple[Exploitability, _C], RiskLevel], columns: list[_C],
              problems: list[Diagnostic]) -> None:
    rows = list(Exploitability)
    for (row, col), level in sorted(cells.items(), key=lambda kv: (kv[0][0].rank, columns.index(kv[0][1]))):
        worse = [(rows[rows.index(row) + 1], col)] if row is not rows[-1] else []
        if columns.index(col) + 1 < len(columns):
            worse.append((row, columns[columns.index(col) + 1]))
        for other in worse:
            if other in cells and cells[other].rank < level.rank:
                problems.append(_diag(t, [name, other[0].value, other[1].value],
                                      f"not monotone: {other[0].value}×{other[1].value} is '{cells[other]}' but the "
                                      f"less severe {row.value}×{col.value} is '{level}'",
                                      ))


def _build(t: Table) -> Policy:
    problems: list[Diagnostic] = []
    for key in t.raw:
        if key not in {"name", "version", "source", "safety", "privacy", "no_harm"}:
            problems.append(_diag(t, [key], f"unknown key '{key}'", key=True))
    safety = _matrix(t, "safety", HarmSeverity, problems)
    privacy = _matrix(t, "privacy", PrivacyImpact, problems)
    no_harm: dict[Exploitability, RiskLevel] = {}
    node = t.get(["no_harm"])
    for row in Exploitability:
        if row.value not in node:
            problems.append(_diag(t, ["no_harm"], f"missing row '{row.value}': the table must be total"))
        elif (lv := _cell(t, ["no_harm", row.value], problems)) is not None:
            no_harm[row] = lv
    if problems:
        raise PolicyError.from_diagnostics(problems)
    return Policy(str(t.raw.get("name", "policy")), t.file, safety, privacy, no_harm)
