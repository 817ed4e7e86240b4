"""Benefit-risk of security controls (TIR57 §6.5, SW96 §7.4): controls that can get in the way of care."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from medsecurance.risk._data import Table, load_table, package_table
from medsecurance.risk._index import norm_id

__all__ = ["ControlConcern", "InterferenceRule", "control_concerns", "load_interference_rules"]


@dataclass(frozen=True)
class InterferenceRule:
    """A control that can interfere with clinical function, and the usual answers."""

    control: str
    hazard_type: str
    concern: str
    answers: tuple[str, ...]
    answered_by: tuple[str, ...]


@dataclass(frozen=True, order=True)
class ControlConcern:
    """One flagged control on one safety-relevant component."""

    component: str
    control: str
    state: str  # present | recommended
    hazard_type: str
    concern: str
    answers: tuple[str, ...]
    addressed_by: tuple[str, ...]  # answering controls already present on the component

    @property
    def open(self) -> bool:
        """True when no answering control is present."""
        return not self.addressed_by

    def to_dict(self) -> dict[str, Any]:
        """The JSON form."""
        return {"component": self.component, "control": self.control, "state": self.state,
                "hazard_type": self.hazard_type, "concern": self.concern, "answers": list(self.answers),
                "addressed_by": list(self.addressed_by), "open": self.open}


def control_concerns(rules: Mapping[str, InterferenceRule], safety_relevant: Iterable[str],
                     present: Mapping[str, Iterable[str]], recommended: Mapping[str, Iterable[str]]
                     ) -> tuple[ControlConcern, ...]:
    """Flag interfering controls (present or recommended) on each safety-relevant component, sorted.

    Concerns are collected as field tuples, deduplicated and sorted as tuples (the dataclass order),
    then built once each: comparing and hashing dataclasses costs a Python call per operation.
    """
    fields: set[tuple[str, str, str, str, str, tuple[str, ...], tuple[str, ...]]] = set()
    for comp in safety_relevant:
        have = {norm_id(c) for c in present.get(comp, ())}
        for state, controls in (("present", present.get(comp, ())), ("recommended", recommended.get(comp, ()))):
            for control in controls:
                rule = rules.get(norm_id(control))
                if rule is None:
                    continue
                addressed = tuple(sorted(a for a in rule.answered_by if norm_id(a) in have))
                fields.add((comp, rule.control, state, rule.hazard_type, rule.concern, rule.answers, addressed))
    return tuple(ControlConcern(*f) for f in sorted(fields))


def load_interference_rules(path: str | Path | None = None) -> Mapping[str, InterferenceRule]:
    """The interference table keyed by normalised control id (shipped table by default)."""
    return _build(load_table(path)) if path is not None else _default()


@lru_cache(maxsize=1)
def _default() -> Mapping[str, InterferenceRule]:
    return _build(package_table("benefit_risk.yaml"))


def _build(t: Table) -> dict[str, InterferenceRule]:
    rules: dict[str, InterferenceRule] = {}
    for i in range(len(t.get(["controls"], list))):
        p: list[str | int] = ["controls", i]
        control = str(t.get([*p, "control"], str))
        if norm_id(control) in rules:
            t.fail([*p, "control"], f"control '{control}' is listed twice")
        rules[norm_id(control)] = InterferenceRule(
            control, str(t.get([*p, "hazard_type"], str)), str(t.get([*p, "concern"], str)),
            tuple(str(a) for a in t.get([*p, "answers"], list)),
            tuple(str(a) for a in t.get([*p, "answered_by"], list)))
    return rules
