"""The risk register end to end on the small infusion model."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from risk_helpers import control_info, hazards_for_loss, make_path, threat, vuln

from medsecurance._internal.io import canonical_json
from medsecurance.decisions import load_decisions
from medsecurance.errors import DecisionsError
from medsecurance.findings import Finding, FindingKind, Severity, stable_id
from medsecurance.model.schema import SystemModel
from medsecurance.risk import (
    assess,
    handoff_csv,
    heatmap_svg,
    kb_callables,
    load_policy,
    register_csv,
    register_json,
    render_register_table,
    write_handoff,
)
from medsecurance.risk.rubric import RubricError

KB: dict[str, Any] = {"hazards_for_loss": hazards_for_loss, "control_info": control_info}


def _findings() -> list[Finding]:
    return [
        threat("T-orders", ("F-orders",), impacts=["I"], controls_present=["role-based-access"],
               controls_missing=["mutual-tls", "message-authentication"], stride="tampering"),
        threat("T-phi", ("pump-server",), stride="information-disclosure"),
        vuln("V-kev", "pump-server", kev=True, vulnerability="CVE-2024-0001", published="2026-01-01"),
        vuln("V-phys", "pump", "CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:U/C:H/I:H/A:H", vulnerability="CVE-2024-0002"),
    ]


def _paths() -> list[Any]:
    return [make_path("pump"), make_path("pump", difficulty=5, pid="AP-hard"),
            make_path("pump-server", difficulty=4, steps=2)]


def test_worst_risk_traces_from_attack_path_to_overdose(model: SystemModel) -> None:
    reg = assess(model, _findings(), _paths(), **KB)
    worst = reg.worst()
    assert worst is not None and worst.finding == "T-orders"
    assert worst.id == stable_id("R", "T-orders")
    assert worst.attack_path == "AP-pump-network-1.0"  # the easiest path to an endpoint of the flow
    assert worst.severity is not None and worst.severity.value == "catastrophic"
    assert worst.harm == "Overdose leading to death or serious injury"
    assert (worst.exploitability.value, worst.level.value) == ("very-high", "unacceptable")
    assert worst.residual_exploitability.value == "high"
    assert [c.id for c in worst.controls_recommended] == ["message-authentication", "mutual-tls"]
    rec = worst.controls_recommended[0]
    assert rec.crs == ("CR-3.1",) and rec.fda_categories == ("Authentication",)
    assert worst.safety_relevant and "AP-pump-network-1.0" in worst.rationale


def test_json_contract_and_determinism(model: SystemModel) -> None:
    reg = assess(model, _findings(), _paths(), **KB)
    risks = reg.to_dict()
    required = {"id", "source", "elements", "hazards", "severity", "exploitability", "level",
                "residual_exploitability", "residual_level", "controls_recommended", "status"}
    assert all(required <= set(r) for r in risks)
    again = assess(model, list(reversed(_findings())), list(reversed(_paths())), **KB)
    assert register_json(reg) == register_json(again)
    json.loads(register_json(reg))


def test_vulnerabilities_kev_and_remediation(model: SystemModel) -> None:
    reg = assess(model, _findings(), _paths(), **KB)
    kev = next(e for e in reg.entries if e.finding == "V-kev")
    assert kev.exploitability.value == kev.residual_exploitability.value == "very-high"
    assert kev.controls_recommended[0].id == "patch-management"
    assert kev.multi_patient and kev.severity is not None and kev.severity.value == "critical"
    phys = next(e for e in reg.entries if e.finding == "V-phys")
    assert phys.exploitability.value == "very-low" and phys.level.value == "review"


def test_heat_map_moves_when_a_control_is_added(model: SystemModel) -> None:
    before = assess(model, _findings(), _paths(), **KB).heatmap()
    pump = model.component("pump")
    assert pump is not None
    hardened = model.model_copy(update={"components": tuple(
        c.model_copy(update={"controls": (*c.controls, "network-segmentation")}) if c.id == "pump-server" else c
        for c in model.components)})
    findings = [threat("T-orders", ("F-orders",), impacts=["I"],
                       controls_present=["role-based-access", "mutual-tls", "message-authentication"]),
                *_findings()[1:]]
    after = assess(hardened, findings, _paths(), **KB).heatmap()
    assert before["before"] == after["before"]
    assert before["after"] != after["after"]
    assert after["after"]["very-high"]["catastrophic"] == 0


def test_safety_handoff_exports(model: SystemModel, tmp_path: Path) -> None:
    reg = assess(model, _findings(), _paths(), **KB)
    rows = list(csv.DictReader(io.StringIO(handoff_csv(reg))))
    overdose = [r for r in rows if r["hazard"] == "H-overdose"]
    assert overdose and overdose[0]["safety_file_ref"] == "RMF-H-012"
    assert {r["finding"] for r in rows} >= {"T-orders", "V-kev"}
    assert any(r["hazard"] == "" and r["note"].startswith("new hazardous situation") for r in rows)
    assert "T-phi" not in {r["finding"] for r in rows}  # privacy only: not a hazardous situation
    csv_path, json_path = write_handoff(reg, tmp_path / "out")
    assert csv_path.read_text() == handoff_csv(reg)
    assert json.loads(json_path.read_text())["safety_handoff"][0]["risk"]


def test_assessment_keeps_a_handoff_summary_matching_the_exported_rows(model: SystemModel) -> None:
    reg = assess(model, _findings(), _paths(), **KB)
    summary = reg.section()["safety_handoff"]
    assert summary["rows"] == len(reg.handoff) > 0
    per_hazard = {(h["hazard"], h["hazard_type"]): h["risks"] for h in summary["hazards"]}
    exported: dict[tuple[str | None, str | None], int] = {}
    for r in reg.handoff:
        key = (r.hazard or None, None if r.hazard else r.hazard_type or None)
        exported[key] = exported.get(key, 0) + 1
    assert per_hazard == exported
    assert "--handoff" in summary["export"]


def test_traceability_matrix(model: SystemModel) -> None:
    reg = assess(model, _findings(), _paths(), **KB)
    rows = [r for r in reg.trace if r.finding == "T-orders"]
    present = [r for r in rows if r.state == "present"]
    assert [(r.control, r.requirements) for r in present] == [("role-based-access", ("CR-1.1", "CR-2.1"))]
    assert present[0].evidence == ("E-fuzz", "E-pentest-2026")  # the flow and its endpoints
    assert all(r.state == "present" for r in rows)
    assert json.loads(canonical_json(reg.section()))["traceability"][0]["requirements"]


def test_register_renderers(model: SystemModel) -> None:
    from rich.console import Console

    reg = assess(model, _findings(), _paths(), **KB)
    lines = register_csv(reg).splitlines()
    assert lines[0].startswith("id,finding,kind,elements,hazards,severity")
    assert len(lines) == 5
    console = Console(width=220, record=True)
    console.print(render_register_table(reg))
    assert "H-overdose (catastrophic)" in console.export_text()
    svg = heatmap_svg(reg, load_policy())
    assert svg.startswith("<svg") and "before controls" in svg and "after controls" in svg


def test_control_concerns_on_safety_relevant_components(model: SystemModel) -> None:
    reg = assess(model, _findings(), _paths(), **KB)
    lockout = next(c for c in reg.concerns if c.control == "account-lockout")
    assert lockout.component == "pump" and lockout.state == "present" and lockout.open
    assert lockout.hazard_type == "delayed-therapy"
    answered = model.model_copy(update={"components": tuple(
        c.model_copy(update={"controls": (*c.controls, "emergency-access")}) if c.id == "pump" else c
        for c in model.components)})
    lockout = next(c for c in assess(answered, _findings(), _paths(), **KB).concerns
                   if c.control == "account-lockout")
    assert lockout.addressed_by == ("emergency-access",) and not lockout.open
    assert all(c.component != "ehr" for c in reg.concerns)  # not safety-relevant


def _decisions(tmp_path: Path, text: str) -> Any:
    path = tmp_path / "decisions.yaml"
    path.write_text(text)
    return load_decisions(path)


def test_acceptance_rules(model: SystemModel, tmp_path: Path) -> None:
    phys, orders, kev = stable_id("R", "V-phys"), stable_id("R", "T-orders"), stable_id("R", "V-kev")
    dec = _decisions(tmp_path, f"""decisions:
  - {{id: {phys}, status: accepted, by: Jane, role: PSIRT lead, date: 2026-11-01, rationale: physical only}}
  - {{id: {orders}, status: accepted, by: Jane, date: 2026-11-01, rationale: we like it}}
  - {{id: {kev}, status: accepted, by: Jane, date: 2026-11-01, rationale: r, benefit_risk: b, residual_level: review}}
  - {{id: R-000000000000, status: accepted, by: Jane, date: 2026-11-01, rationale: gone}}
""")
    reg = assess(model, _findings(), _paths(), decisions=dec, **KB)
    status = {e.finding: e.status for e in reg.entries}
    assert status["V-phys"] == "accepted"
    entry = next(e for e in reg.entries if e.finding == "V-phys")
    assert entry.acceptance is not None and entry.acceptance["role"] == "PSIRT lead"
    assert status["T-orders"] == "open" and status["V-kev"] == "open"
    text = "\n".join(str(d) for d in reg.diagnostics)
    assert "decisions.yaml:3:" in text and "needs" not in text and "benefit_risk" in text
    assert "decisions.yaml:4:" in text and "worse than the 'review' accepted" in text
    assert "decisions.yaml:5:" in text and "stale decision: risk 'R-000000000000'" in text


def test_invalid_decision_value_is_located(model: SystemModel, tmp_path: Path) -> None:
    dec = _decisions(tmp_path, "decisions:\n  - {id: R-1, status: accepted, by: J, date: 2026-11-01, rationale: r,"
                               " residual_level: low}\n")
    with pytest.raises(DecisionsError, match=r"decisions.yaml:2:.*'low' is not a risk level"):
        assess(model, _findings(), _paths(), decisions=dec, **KB)


def test_rubric_answers_replace_the_cvss_vector(model: SystemModel, tmp_path: Path) -> None:
    answers = ("{XAVN: 'no', XAVT: 'no', XAVW: 'no', XAVR: 'no', XAVP: 'yes', XAVPA: 'no', XACL: 'no', XPRL: 'yes', "
               "XPRZ: 'no', XPRS: 'yes', XUI: 'yes', XS: 'no', XCP: none, XCD: none, XCT: none, XCW: none, XCS: none, "
               "XCO: none, XIP: none, XID: none, XIT: extensive, XIW: none, XIS: none, XIO: none, XAP: none, "
               "XAD: none, XAT: none, XAW: none, XAS: none, XAO: none}")
    dec = _decisions(tmp_path, f"rubric:\n  - id: V-phys\n    answers: {{XAVN: 'yes'}}\n"
                               f"  - id: V-phys\n    answers: {answers}\n  - id: V-gone\n    answers: {{}}\n")
    plain = next(e for e in assess(model, _findings(), _paths(), **KB).entries if e.finding == "V-phys")
    reg = assess(model, [*_findings()[:3], vuln("V-phys", "pump")], _paths(), decisions=dec, **KB)
    entry = next(e for e in reg.entries if e.finding == "V-phys")
    assert entry.cvss == "CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:U/C:N/I:H/A:N"
    assert entry.exploitability == plain.exploitability
    assert "MITRE rubric" in entry.rationale
    assert any("stale rubric answers" in str(d) and "decisions.yaml:6" in str(d) for d in reg.diagnostics)
    bad = _decisions(tmp_path, "rubric:\n  - id: V-phys\n    answers: {XAVN: 'no'}\n")
    with pytest.raises(RubricError, match=r"decisions.yaml:2:.*XAVT"):
        assess(model, _findings(), _paths(), decisions=bad, **KB)


def test_fda_metrics_from_vex(model: SystemModel, tmp_path: Path) -> None:
    dec = _decisions(tmp_path, """vex:
  - {component: pump-server, vulnerability: CVE-2024-0001, status: fixed, by: J, date: 2026-01-31}
""")
    metrics = assess(model, _findings(), _paths(), decisions=dec, **KB).metrics
    assert metrics["vulnerabilities"] == 2 and metrics["by_status"]["fixed"] == 1
    assert metrics["percent_patched"] == 50.0
    assert metrics["time_to_patch_days"] == {"count": 1, "median": 30, "max": 30}


def test_closed_and_other_findings(model: SystemModel) -> None:
    other = Finding("C-1", FindingKind.CONTRACT, "sl", "gap", Severity.HIGH, ("pump",))
    fixed = vuln("V-fixed", "pump")
    fixed = Finding(fixed.id, fixed.kind, fixed.rule, fixed.title, fixed.severity, fixed.elements,
                    status="not_affected", details=fixed.details)
    reg = assess(model, [other, fixed, fixed], [], **KB)
    assert [e.status for e in reg.entries] == ["not-affected"]
    assert sum(sum(row.values()) for row in reg.heatmap()["before"].values()) == 0
    assert any("appears twice" in str(d) for d in reg.diagnostics)
    assert reg.handoff == ()


def test_no_path_threat_is_rated_lower(model: SystemModel) -> None:
    reg = assess(model, [threat("T-x", ("pump",), impacts=["I"])], [], **KB)
    entry = reg.entries[0]
    assert entry.attack_path is None and entry.exploitability.value == "low"
    assert "no modelled attack path" in entry.rationale


def test_with_the_real_knowledge_base(model: SystemModel) -> None:
    from medsecurance.kb import load_kb

    hazards, controls = kb_callables(load_kb())
    assert controls("no-such-control") is None
    assert hazards("no-such-category", "I") == ()
    reg = assess(model, _findings(), _paths(), hazards_for_loss=hazards, control_info=controls)
    worst = reg.worst()
    assert worst is not None and worst.severity is not None and worst.severity.value == "catastrophic"
    assert worst.controls_recommended and worst.controls_recommended[0].crs
    assert canonical_json(reg.section())


def test_rubric_answers_may_be_keyed_by_risk_id(model: SystemModel, tmp_path: Path) -> None:
    answers = ", ".join(f"{q}: none" for q in ("XCP", "XCD", "XCT", "XCW", "XCS", "XCO", "XIP", "XID", "XIW", "XIS",
                                                "XIO", "XAP", "XAD", "XAT", "XAW", "XAS", "XAO"))
    dec = _decisions(tmp_path, f"rubric:\n  - id: {stable_id('R', 'V-phys')}\n    answers: {{XAVN: 'yes', "
                               f"XACL: 'yes', XPRL: 'no', XUI: 'no', XS: 'no', XIT: extensive, {answers}}}\n")
    entry = next(e for e in assess(model, _findings(), _paths(), decisions=dec, **KB).entries if e.finding == "V-phys")
    assert entry.cvss == "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:H/A:N"
    assert entry.exploitability.value == "very-high"


def test_vex_status_attached_by_the_vulnerability_stage(model: SystemModel) -> None:
    fixed = vuln("V-vex", "pump", vex={"status": "fixed", "justification": None, "statement": None})
    reg = assess(model, [fixed, _findings()[3]], [], **KB)
    assert next(e for e in reg.entries if e.finding == "V-vex").status == "fixed"
    assert reg.metrics["by_status"] == {"affected": 1, "fixed": 1, "not_affected": 0, "under_investigation": 0}
