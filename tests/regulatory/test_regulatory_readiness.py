"""Readiness of the hospital example shows its true gaps; the stage adds the readiness section."""

from __future__ import annotations

import json
from typing import Any

import pytest

from conftest import DATA, HOSPITAL
from medsecurance.assurance.readiness import readiness_for, render_markdown
from medsecurance.cli import main


def _clauses(hospital: Any, fw: str) -> dict[str, Any]:
    loaded, assessment, kb, _ = hospital
    return {c.id: c for c in readiness_for(assessment, loaded, kb, fw).clauses}


def test_fda_true_gaps(hospital: Any) -> None:
    c = _clauses(hospital, "fda-premarket")
    # no secure-decommissioning control anywhere in the model
    assert c["LABEL.decommissioning"].status == "missing"
    # the SP-100 takes unsigned updates from an unauthenticated source
    upd = c["VIEW.updatability"]
    assert upd.status == "partial" and "syringe" in upd.links
    # no advisory database: known vulnerabilities were not assessed; openssl 1.1.1k is past end of support
    va = c["A4.vulnerability-assessment"]
    assert va.status != "met" and any("vulndb" in s for s in va.next_steps)
    # the pen test reports open findings (PT-01 … PT-06)
    assert c["TEST.penetration"].status == "partial" and "E-pentest-2026-03" in c["TEST.penetration"].links
    # default service passwords (MS-CRED-001) keep authentication from being met
    assert c["CAT.authentication"].status != "met"
    # stated in the model: CVD policy, contact, patch timeline, monitoring control
    assert c["A4.management-plan"].status == "met"
    assert c["VIEW.global"].status == "met"


def test_eu_mdr_and_81001_gaps(hospital: Any) -> None:
    mdr = _clauses(hospital, "eu-mdr")
    assert mdr["GSPR-18.8"].status != "met"
    assert mdr["GSPR-23.4(ab)"].status == "partial"  # environment stated, IFU evidence missing
    assert mdr["IG-NB-2.1"].status == "met"
    iec = _clauses(hospital, "iec-81001-5-1")
    assert iec["5.7.1"].status == "missing"  # no security requirements test evidence
    # CVD policy and contact are stated (the assurance case may still judge the activity)
    assert all(chk.status == "met" for chk in iec["4.1.7"].checks if chk.kind != "assurance")


def test_custom_framework_file(hospital: Any) -> None:
    c = _clauses(hospital, str(DATA / "good-custom.yaml"))
    assert [c[i].status for i in ("C.1", "C.2", "C.3", "C.4")] == ["met", "partial", "met", "missing"]


def test_stage_section_and_markdown(hospital: Any) -> None:
    _, assessment, _, _ = hospital
    section = assessment.sections["readiness"]
    assert set(section) >= {"fda-premarket", "eu-mdr", "iec-81001-5-1"}
    md = render_markdown(section["fda-premarket"])
    assert "| LABEL.decommissioning |" in md and "missing" in md


def test_cli_readiness_json(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "readiness",
            str(HOSPITAL / "model.yaml"),
            "--framework",
            "eu-mdr",
            "--format",
            "json",
            "--as-of",
            "2026-06-01",
        ]
    )
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert data["framework"] == "eu-mdr" and data["summary"]["total"] == len(data["clauses"])


def test_cli_readiness_bad_inputs(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["readiness", str(HOSPITAL / "model.yaml"), "--framework", "nope"]) == 2
    assert "unknown framework" in capsys.readouterr().err
    assert main(["readiness", str(HOSPITAL / "model.yaml"), "--framework", str(DATA / "bad-duplicate.yaml")]) == 2
    assert "bad-duplicate.yaml:4" in capsys.readouterr().err
    assert main(["readiness", str(HOSPITAL / "model.yaml"), "--framework", "eu-mdr", "--format", "xml"]) == 2
