"""Submission packages of the hospital example: complete, verified by their manifest, atomic, deterministic."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conftest import HOSPITAL
from medsecurance.assurance.package import build_package, verify_package
from medsecurance.cli import main
from medsecurance.errors import ReportError, UsageError

_FDA = [
    "01-cybersecurity-risk-management-report/report.html",
    "01-cybersecurity-risk-management-report/report.md",
    "01-cybersecurity-risk-management-report/1-threat-model/threat-model.md",
    "01-cybersecurity-risk-management-report/2-risk-assessment/risk-assessment.md",
    "01-cybersecurity-risk-management-report/3-sbom/sbom-summary.csv",
    "01-cybersecurity-risk-management-report/3-sbom/sboms/lvp-lvp.cdx.json",
    "01-cybersecurity-risk-management-report/4-vulnerability-assessment/vulnerability-assessment.md",
    "01-cybersecurity-risk-management-report/5-unresolved-anomalies/unresolved-anomalies.csv",
    "01-cybersecurity-risk-management-report/6-traceability/traceability.csv",
    "02-measures-and-metrics/metrics.md",
    "03-architecture-views/architecture-views.md",
    "03-architecture-views/1-global-system-view.dot",
    "04-security-requirements/security-controls.md",
    "05-testing/test-evidence-register.md",
    "06-labeling/labeling-draft.md",
    "07-cybersecurity-management-plan/cybersecurity-management-plan.md",
    "08-mds2/mds2.csv",
    "10-readiness/readiness.md",
    "10-readiness/readiness.json",
    "assessment.json",
    "README.md",
    "MANIFEST.json",
    "SHA256SUMS",
]


@pytest.mark.parametrize("framework", ["fda-premarket", "eu-mdr"])
def test_package_complete_and_verified(hospital: Any, tmp_path: Path, framework: str) -> None:
    loaded, assessment, kb, options = hospital
    result = build_package(loaded, assessment, kb, framework, tmp_path / "pkg", options)
    root = result.path
    assert verify_package(root) == []
    if framework == "fda-premarket":
        for name in _FDA:
            assert (root / name).is_file(), name
    else:
        assert (root / "04-gspr-checklist/readiness.md").is_file()
        assert (root / "02-information-supplied/labeling-draft.md").is_file()
    readiness = json.loads(next(root.rglob("readiness.json")).read_text())
    assert readiness["framework"] == framework and readiness["summary"]["missing"] + readiness["summary"]["partial"] > 0
    # nothing invented: what the model does not say is marked
    mds2 = next(root.rglob("mds2.md")).read_text()
    assert "DIDT-x1" in mds2 and "not stated in the model" in mds2
    labeling = next(root.rglob("labeling-draft.md")).read_text()
    assert "Sanitisation of data, keys and credentials: not stated in the model." in labeling
    plan = next(root.rglob("cybersecurity-management-plan.md")).read_text()
    assert "| critical | 30 |" in plan and "aquila-infusion.example/security/cvd" in plan
    register = next(root.rglob("test-evidence-register.csv")).read_text()
    assert "E-pentest-2026-03" in register and "matches" in register
    # the evidence-file tamper check through the manifest
    victim = next(root.rglob("labeling-draft.md"))
    victim.write_text("changed")
    (root / "stray.txt").write_text("x")
    problems = verify_package(root)
    assert any("labeling-draft.md: SHA-256 differs" in p for p in problems)
    assert any("stray.txt: not listed" in p for p in problems)


def test_package_is_deterministic(hospital: Any, tmp_path: Path) -> None:
    loaded, assessment, kb, options = hospital
    a = build_package(loaded, assessment, kb, "fda-premarket", tmp_path / "a", options)
    b = build_package(loaded, assessment, kb, "fda-premarket", tmp_path / "b", options)
    assert (a.path / "MANIFEST.json").read_bytes() == (b.path / "MANIFEST.json").read_bytes()


def test_package_is_atomic(hospital: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    loaded, assessment, kb, options = hospital
    target = tmp_path / "pkg"
    target.mkdir()
    (target / "old.txt").write_text("previous package")
    import medsecurance.assurance.package.mds2 as mds2_module

    def boom(ctx: Any) -> Any:
        raise ReportError("disk full (simulated)")

    monkeypatch.setattr(mds2_module, "mds2", boom)
    with pytest.raises(ReportError):
        build_package(loaded, assessment, kb, "eu-mdr", target, options)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pkg"]  # no half-written sibling left
    assert [p.name for p in target.iterdir()] == ["old.txt"]


def test_package_writing_failure_mid_copy(hospital: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    loaded, assessment, kb, options = hospital
    calls = {"n": 0}
    real = Path.write_text

    def flaky(self: Path, *args: Any, **kwargs: Any) -> int:
        calls["n"] += 1
        if calls["n"] == 5:
            raise OSError("no space left on device")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", flaky)
    with pytest.raises(OSError):
        build_package(loaded, assessment, kb, "fda-premarket", tmp_path / "pkg", options)
    assert list(tmp_path.iterdir()) == []


def test_package_bad_framework(hospital: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    loaded, assessment, kb, options = hospital
    with pytest.raises(UsageError):
        build_package(loaded, assessment, kb, "iec-81001-5-1", tmp_path / "x", options)
    assert main(["package", str(HOSPITAL / "model.yaml"), "--framework", "nope", "-o", str(tmp_path / "y")]) == 2
    assert "no package layout" in capsys.readouterr().err


def test_package_missing_evidence_file(hospital_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (hospital_copy / "evidence" / "fuzz-hl7-mllp-2026-05.md").unlink()
    out = tmp_path / "pkg"
    code = main(
        [
            "package",
            str(hospital_copy / "model.yaml"),
            "--framework",
            "fda-premarket",
            "-o",
            str(out),
            "--as-of",
            "2026-06-01",
        ]
    )
    if code == 0:  # the model loader may accept a missing evidence file with a warning
        register = (out / "05-testing/test-evidence-register.csv").read_text()
        assert "E-fuzz-mllp-2026-05" in register and "file missing or unreadable" in register
        assert verify_package(out) == []
    else:
        assert code == 2 and "fuzz-hl7-mllp-2026-05.md" in capsys.readouterr().err
