"""Load the comms data tables (recommendations, TLS versions and weak cipher suites) once."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml

from medsecurance.errors import CommsError

__all__ = ["Advice", "WeakSuite", "advice", "category_needs", "conduit_requirements", "tls_versions", "weak_suites"]


@dataclass(frozen=True, slots=True)
class Advice:
    """What a rule means, what to do about it and where the advice comes from."""

    rule: str
    title: str
    recommendation: str
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class WeakSuite:
    """A cipher suite judged weak, with why, how bad, and the sources of the judgement."""

    code: int
    name: str
    weakness: str
    reason: str
    severity: str
    sources: tuple[str, ...]


@functools.cache
def _load(name: str) -> dict[str, Any]:
    text = resources.files("medsecurance.comms").joinpath("data", name).read_text("utf-8")
    data = yaml.safe_load(text)
    if not isinstance(data, dict):  # pragma: no cover - packaged data is checked by tests
        raise CommsError("comms data table is not a mapping", file=name)
    return data


def advice(rule: str, stack: tuple[str, ...] = ()) -> Advice:
    """The advice for a rule, picking the first variant whose protocols appear in ``stack``."""
    entry = _load("recommendations.yaml")["rules"].get(rule)
    if entry is None:
        raise CommsError(f"no recommendation for rule '{rule}'", file="comms/data/recommendations.yaml")
    rec, sources = entry["recommendation"], entry["sources"]
    for variant in entry.get("variants", ()):
        if set(variant["when"]) & set(stack):
            rec, sources = variant["recommendation"], variant["sources"]
            break
    return Advice(rule, entry["title"], rec, tuple(sources))


def category_needs(prop: str) -> dict[str, str]:
    """Minimum need ('low'…'high') of a property implied by each data category."""
    return dict(_load("recommendations.yaml")["category_needs"].get(prop, {}))


def conduit_requirements() -> tuple[dict[str, Any], ...]:
    """Conduit SL-target thresholds that demand a property of flows through the conduit."""
    return tuple(_load("recommendations.yaml")["conduit_requirements"])


@functools.cache
def tls_versions() -> dict[int, tuple[str, bool, str]]:
    """Wire version code → (name, deprecated, source)."""
    return {v["code"]: (v["name"], v["deprecated"], v["source"]) for v in _load("tls.yaml")["versions"]}


@functools.cache
def weak_suites() -> dict[int, WeakSuite]:
    """IANA cipher-suite code → :class:`WeakSuite` for every suite in the weak table."""
    data = _load("tls.yaml")
    classes = data["classes"]
    out: dict[int, WeakSuite] = {}
    for s in data["suites"]:
        cls = classes[s["class"]]
        out[s["code"]] = WeakSuite(
            s["code"], s["name"], s["class"], cls["reason"], cls["severity"], tuple(cls["sources"])
        )
    return out
