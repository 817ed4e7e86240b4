"""ThreatFinding: the engine's findings read, compare and serialise exactly as plain findings do."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import io
import sys
from collections.abc import Iterator
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest

from medsecurance import api
from medsecurance._internal import io as mio
from medsecurance._internal.io import canonical_json
from medsecurance.assessment import Assessment
from medsecurance.decisions import Decision, DecisionStatus
from medsecurance.findings import Finding, FindingKind, Severity
from medsecurance.kb import load_kb
from medsecurance.model.graph import ModelIndex
from medsecurance.report import json_format
from medsecurance.report.json_format import assessment_to_dict, write_json
from medsecurance.threats._finding import ThreatFinding
from medsecurance.threats.engine import _RulePlan, _SubjectParts, _to_finding
from medsecurance.threats.rules import load_rules
from medsecurance.threats.subjects import Facts, iter_subjects

AS_OF = dt.date(2026, 11, 29)
THREATS = api.AnalysisOptions(as_of=AS_OF, stages=("threats",))


@pytest.fixture(params=["orjson", "stdlib"])
def serialiser(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Run a test with orjson, then with the standard library's json (orjson unimportable)."""
    if request.param == "stdlib":
        monkeypatch.setattr(mio, "_orjson", None)
        monkeypatch.setitem(sys.modules, "orjson", None)
    json_format._frame.cache_clear()
    yield request.param
    json_format._frame.cache_clear()


def _same_json(f: ThreatFinding) -> bool:
    value = f.json_value()
    return value is not None and canonical_json(value) == canonical_json(f.to_dict())


@pytest.fixture(scope="module")
def example_findings() -> list[Finding]:
    found: list[Finding] = []
    for system in ("hospital", "clinic", "home"):
        found.extend(api.analyze(f"examples/{system}/model.yaml", THREATS).findings)
    return found


def test_engine_findings_are_threat_findings(example_findings: list[Finding]) -> None:
    assert example_findings and all(type(f) is ThreatFinding for f in example_findings)
    # make_threat_finding sets every field (a field added to Finding must be added there too)
    assert all(getattr(f, field.name, "unset") != "unset" for f in example_findings[:50]
               for field in dataclasses.fields(Finding))


@pytest.mark.usefixtures("serialiser")
def test_json_value_serialises_as_to_dict_for_every_example_finding(example_findings: list[Finding]) -> None:
    for f in example_findings:
        assert isinstance(f, ThreatFinding) and _same_json(f), f.id


def _odd_findings() -> list[ThreatFinding]:
    """Findings with text that needs escaping, a decision, no location, no reasons, no mitigations."""
    kb = load_kb()
    loaded = api.load("examples/home/model.yaml")
    facts = Facts(ModelIndex(loaded.model), kb, AS_OF)
    subject = next(s for s in iter_subjects(facts) if s.kind == "flow")
    rule = next(r for r in load_rules(kb, ()) if r.mitigations)
    odd = dataclasses.replace(
        rule, title='A "quoted" \\ title\twith\x01 control → ✓ é', threat_class=None,
        explanation='{subject}: "{reasons}" \\ missing {missing}\n\x1f end', sources=(), references=("CWE-1", 'x"y'))
    bare = dataclasses.replace(odd, mitigations=())

    class Always(dict[str, Decision]):
        """A decision for every id (not empty: the engine skips an empty mapping)."""

        def __init__(self) -> None:
            super().__init__(placeholder=None)

        def get(self, key: str, default: Any = None) -> Decision:
            return Decision(id=key, status=DecisionStatus.ACCEPTED, by='Dr "Q"', role=None, date=AS_OF,
                            rationale="line one\nline two \u2028 ü")

    out = []
    for plan_rule, location, reasons, decisions in (
            (odd, True, ('a "reason"', "back\\slash\x00nul"), {}),
            (odd, False, (), Always()),
            (bare, True, ("é",), Always())):
        parts = _SubjectParts(subject, loaded.source_map if location else None)
        finding = _to_finding(_RulePlan(plan_rule), parts, reasons, decisions)
        assert isinstance(finding, ThreatFinding)
        out.append(finding)
    return out


@pytest.mark.usefixtures("serialiser")
def test_json_value_of_odd_findings_serialises_as_to_dict() -> None:
    for f in _odd_findings():
        assert _same_json(f)


def test_details_are_built_when_read_and_match_the_fields() -> None:
    with_decision = _odd_findings()[1]
    details = with_decision.details
    assert isinstance(details, MappingProxyType) and with_decision.details is details  # built once
    assert details["why"] == [] and details["threat_class"] is None and details["sources"] == []
    assert details["decision"] == {"by": 'Dr "Q"', "role": None, "date": "2026-11-29",
                                   "rationale": "line one\nline two \u2028 ü"}
    assert with_decision.status == "accepted" and with_decision.location is None


def test_equal_to_the_plain_finding_with_the_same_values(example_findings: list[Finding]) -> None:
    f = example_findings[0]
    plain = Finding(**{field.name: getattr(f, field.name) for field in dataclasses.fields(Finding)})
    assert type(plain) is Finding
    assert f == plain and plain == f
    assert not f != plain  # noqa: SIM202  # __ne__ follows __eq__
    assert f.to_dict() == plain.to_dict()
    assert f != dataclasses.replace(plain, status="accepted")
    with pytest.raises(dataclasses.FrozenInstanceError):
        f.status = "mitigated"  # type: ignore[misc]
    with pytest.raises(TypeError):
        hash(f)


def test_replaced_and_copied_findings_fall_back_to_their_dicts(example_findings: list[Finding]) -> None:
    f = example_findings[0]
    assert isinstance(f, ThreatFinding)
    replaced = dataclasses.replace(f, status="accepted")
    again = copy.copy(f)
    assert again == f and replaced.details == f.details
    for other in (replaced, again):
        assert isinstance(other, ThreatFinding) and other.json_value() is None
    # the writer then goes through to_dict, among findings that write their own text
    vuln = Finding("V-000000000000", FindingKind.VULNERABILITY, "CVE-2024-0001", "A CVE", Severity.HIGH, ("pump",),
                   details={"cvss": 7.5, "kev": False})
    findings = tuple(sorted([*example_findings[:300], replaced, again, vuln], key=lambda x: x.id))
    a = Assessment(system={"id": "s", "name": "n", "version": "1", "setting": "home"},
                   model_digest="sha256:" + "0" * 64, findings=findings)
    buf = io.StringIO()
    write_json(a, buf)
    assert buf.getvalue() == canonical_json(assessment_to_dict(a))


@pytest.mark.usefixtures("serialiser")
def test_written_file_equals_canonical(tmp_path: Path) -> None:
    a = api.analyze("examples/hospital/model.yaml", THREATS)
    with (tmp_path / "a.json").open("w", encoding="utf-8") as fh:  # the byte fast path
        write_json(a, fh)
    assert (tmp_path / "a.json").read_text(encoding="utf-8") == canonical_json(assessment_to_dict(a))


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def test_detail_answers_as_details_without_building_them() -> None:
    findings = [f for f in api.analyze("examples/hospital/model.yaml", THREATS).findings
                if isinstance(f, ThreatFinding)] + _odd_findings()
    keys = ("stride", "threat_class", "element_kind", "impacts", "assets", "hazards", "controls_present",
            "controls_missing", "why", "sources", "rule_file", "decision", "cvss")
    for f in findings:
        answered = {key: f.detail(key, "absent") for key in keys}
        with pytest.raises(AttributeError):  # nothing built the mapping
            Finding.__dict__["details"].__get__(f)
        assert {k: _plain(v) for k, v in answered.items()} == {k: f.details.get(k, "absent") for k in keys}
        assert f.detail("cvss") is None and f.detail("decision", 0) in (0, f.details.get("decision"))
        assert list(f.detail("why")) == f.details["why"]  # the same once the mapping is built
    replaced = dataclasses.replace(findings[0], details={"why": ["changed"]})
    assert replaced.detail("why") == ["changed"] and replaced.detail("stride") is None


def test_detail_of_a_plain_finding_is_details_get() -> None:
    f = Finding("V-1", FindingKind.VULNERABILITY, "CVE-1", "t", Severity.LOW, ("a",), details={"kev": True})
    assert f.detail("kev") is True and f.detail("epss") is None and f.detail("epss", 0.5) == 0.5
