"""Exploitability, harm and policy tables: ratings, and located errors for bad tables."""

from __future__ import annotations

from pathlib import Path

import pytest
from risk_helpers import control_info, make_path

from medsecurance.errors import PolicyError
from medsecurance.risk.cvss import parse_cvss
from medsecurance.risk.exploitability import load_exploitability
from medsecurance.risk.policy import load_policy
from medsecurance.risk.scales import Exploitability as E
from medsecurance.risk.scales import HarmSeverity as S
from medsecurance.risk.scales import PrivacyImpact as P
from medsecurance.risk.scales import RiskLevel as L
from medsecurance.risk.severity import load_harm_tables

SRC = Path(__file__).parents[2] / "src" / "medsecurance" / "risk" / "data"


@pytest.mark.parametrize(("kwargs", "expected"), [
    ({"access": "network"}, E.VERY_HIGH),
    ({"access": "adjacent"}, E.HIGH),
    ({"access": "local"}, E.MEDIUM),
    ({"access": "physical"}, E.LOW),
    ({"access": "network", "privileges": "high", "ui": True}, E.MEDIUM),
    ({"access": "network", "steps": 5, "difficulty": 16.0}, E.MEDIUM),
    ({"access": "network", "steps": 2, "difficulty": 9.0}, E.HIGH),
    ({"access": "physical", "privileges": "high", "ui": True, "steps": 6, "difficulty": 9.0}, E.VERY_LOW),
])
def test_threat_exploitability_from_path(kwargs: dict[str, object], expected: E) -> None:
    assert load_exploitability().threat(make_path("pump", **kwargs)).level is expected  # type: ignore[arg-type]


def test_no_path_is_treated_as_unreachable() -> None:
    rating = load_exploitability().threat(None)
    assert rating.level is E.LOW and "no modelled attack path" in rating.reasons[0]


def test_controls_lower_by_effectiveness_with_a_cap() -> None:
    t = load_exploitability()
    pre = t.threat(make_path("pump"))
    assert t.controlled(pre, ["mutual-tls"], control_info).score == pre.score - 1.5  # high
    assert t.controlled(pre, ["role-based-access"], control_info).score == pre.score - 1  # medium
    assert t.controlled(pre, ["unknown-control"], control_info).score == pre.score - 0.5  # unknown → low
    many = ["mutual-tls", "message-authentication", "secure-boot", "patch-management"]
    assert t.controlled(pre, many, control_info).score == pre.score - 4  # capped
    assert t.controlled(pre, many, control_info, kev=True).score == pre.score


@pytest.mark.parametrize(("vector", "expected"), [
    ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", E.VERY_HIGH),
    ("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H", E.HIGH),
    ("CVSS:3.1/AV:N/AC:H/PR:L/UI:N/S:U/C:H/I:H/A:H", E.MEDIUM),
    ("CVSS:3.1/AV:P/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", E.LOW),
    ("CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:U/C:H/I:H/A:H", E.VERY_LOW),
    ("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", E.VERY_HIGH),
])
def test_vulnerability_exploitability_from_cvss(vector: str, expected: E) -> None:
    rating = load_exploitability().vulnerability(parse_cvss(vector), kev=False, epss=None, reachable=None)
    assert rating.level is expected


def test_kev_epss_and_reachability() -> None:
    t = load_exploitability()
    low = parse_cvss("CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:U/C:H/I:H/A:H")
    assert t.vulnerability(low, kev=True, epss=None, reachable=False).level is E.VERY_HIGH
    assert t.vulnerability(low, kev=False, epss=0.2, reachable=None).level is E.HIGH
    assert t.vulnerability(low, kev=False, epss=0.001, reachable=None).level is E.VERY_LOW
    net = parse_cvss("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")
    assert t.vulnerability(net, kev=False, epss=None, reachable=False).level is E.MEDIUM
    assert t.vulnerability(None, kev=False, epss=None, reachable=None).level is E.MEDIUM


def test_default_policy_matrix() -> None:
    p = load_policy()
    assert len(p.safety) == 25 and len(p.privacy) == 20
    assert p.level(E.VERY_HIGH, S.CATASTROPHIC) is L.UNACCEPTABLE
    assert p.level(E.VERY_LOW, S.NEGLIGIBLE) is L.ACCEPTABLE
    assert p.level(E.MEDIUM, None, P.HIGH) is L.REVIEW
    assert p.level(E.HIGH, S.MINOR, P.HIGH) is L.UNACCEPTABLE  # the worse of the two judgements
    assert p.level(E.VERY_HIGH, None) is L.REVIEW


def _bad(tmp_path: Path, name: str, old: str, new: str) -> Path:
    text = (SRC / name).read_text()
    assert old in text
    path = tmp_path / name
    path.write_text(text.replace(old, new, 1))
    return path


def _line_of(exc: PolicyError, path: Path) -> str:
    item = exc.first
    assert item.file == str(path) and item.line is not None
    return path.read_text().splitlines()[item.line - 1]


@pytest.mark.parametrize(("old", "new", "message", "line_has"), [
    ("catastrophic: unacceptable}\n  high:", "catastrophic: unaceptable}\n  high:", "'unaceptable' is not a risk level",
     "very-high:"),
    ("critical: acceptable,   catastrophic: review}", "critical: acceptable}",
     "missing column 'catastrophic'", "very-low:"),
    ("  low:       {negligible: acceptable, minor: acceptable, serious: acceptable,",
     "  lo:       {negligible: acceptable, minor: acceptable, serious: acceptable,", "unknown exploitability row 'lo'",
     "lo:"),
    ("medium:    {negligible: acceptable, minor: acceptable, serious: review,       critical: review,",
     "medium:    {negligible: acceptable, minor: acceptable, serious: review,       critical: acceptable,",
     "not monotone", "medium:"),
])
def test_bad_policy_is_located(tmp_path: Path, old: str, new: str, message: str, line_has: str) -> None:
    path = _bad(tmp_path, "policy.yaml", old, new)
    with pytest.raises(PolicyError) as info:
        load_policy(path)
    assert any(message in d.message for d in info.value.items), info.value.diagnostics()
    hit = next(d for d in info.value.items if message in d.message)
    assert hit.file == str(path) and hit.line is not None
    assert line_has in path.read_text().splitlines()[hit.line - 1]


def test_policy_missing_file_and_bad_yaml(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="file not found"):
        load_policy(tmp_path / "nope.yaml")
    bad = tmp_path / "p.yaml"
    bad.write_text("safety: [\n")
    with pytest.raises(PolicyError, match=r"p.yaml:\d+"):
        load_policy(bad)


def test_bad_exploitability_and_harm_tables_are_located(tmp_path: Path) -> None:
    path = _bad(tmp_path, "exploitability.yaml", "privileges: {none: 0, low: -0.5", "privileges: {none: 0, low: 0.5")
    with pytest.raises(PolicyError) as info:
        load_exploitability(path)
    assert "must be a number ≤ 0" in str(info.value) and "privileges" in _line_of(info.value, path)
    path = _bad(tmp_path, "harm.yaml", "need_to_impact: {none: moderate", "need_to_impact: {none: huge")
    with pytest.raises(PolicyError) as info:
        load_harm_tables(path)
    assert "'huge' is not a privacy impact" in str(info.value) and "need_to_impact" in _line_of(info.value, path)
    path = _bad(tmp_path, "exploitability.yaml", "- {up_to: null, adjust: -1}", "- {up_to: 9, adjust: -1}")
    with pytest.raises(PolicyError, match="up_to: null"):
        load_exploitability(path)
