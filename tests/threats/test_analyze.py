"""`medsec analyze` end to end on the reference systems: outputs, determinism, schema, gate, decisions."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import jsonschema
import pytest

from medsecurance import api
from medsecurance.cli import main
from medsecurance.schemas import assessment_schema

AS_OF = "2026-11-29"
SYSTEMS = ("hospital", "clinic", "home")


def run(tmp_path: Path, system: str, *extra: str) -> tuple[int, Path]:
    out = tmp_path / f"out-{system}"
    code = main(["analyze", f"examples/{system}/model.yaml", "-o", str(out), "--format", "json,md,sarif",
                 "--as-of", AS_OF, *extra])
    return code, out


@pytest.mark.parametrize("system", SYSTEMS)
def test_outputs_validate_and_are_deterministic(tmp_path: Path, system: str) -> None:
    code, out = run(tmp_path, system)
    assert code == 0
    first = (out / "assessment.json").read_bytes()
    data = json.loads(first)
    jsonschema.validate(data, assessment_schema())
    threats = [f for f in data["findings"] if f["kind"] == "threat"]
    assert threats, "every example has threats"
    for f in threats:
        assert f["explanation"] and f["why"] and f["references"] and f["sources"]
    assert data["attack_paths"], "every example has attack paths"
    code, out2 = run(tmp_path / "again", system)
    assert (out2 / "assessment.json").read_bytes() == first
    assert (out / "report.md").read_text().startswith("# Security assessment")


def test_fail_on_gate(tmp_path: Path) -> None:
    code, _ = run(tmp_path, "hospital", "--fail-on", "high")
    assert code == 1
    code, _ = run(tmp_path, "hospital", "--fail-on", "critical")
    assert code in (0, 1)


def test_sarif_points_at_model_lines(tmp_path: Path) -> None:
    _, out = run(tmp_path, "hospital")
    sarif = json.loads((out / "findings.sarif").read_text())
    assert sarif["version"] == "2.1.0"
    run0 = sarif["runs"][0]
    rule_ids = [r["id"] for r in run0["tool"]["driver"]["rules"]]
    assert len(rule_ids) == len(set(rule_ids))
    model_lines = Path("examples/hospital/model.yaml").read_text().splitlines()
    for result in run0["results"]:
        assert run0["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
        loc = result["locations"][0]["physicalLocation"]
        if loc["artifactLocation"]["uri"].endswith("hospital/model.yaml"):
            line = model_lines[loc["region"]["startLine"] - 1]
            assert "id:" in line


def test_decisions_set_status_and_stale_ones_are_reported(tmp_path: Path) -> None:
    src = Path("examples/hospital")
    work = tmp_path / "hospital"
    shutil.copytree(src, work)
    assessment = api.analyze(work / "model.yaml", api.AnalysisOptions(as_of=dt.date(2026, 11, 29)))
    target = next(f for f in assessment.findings if f.kind.value == "threat" and f.status == "open")
    (work / "decisions.yaml").write_text(
        "decisions:\n"
        f"  - {{id: {target.id}, status: accepted, by: Jane Doe, role: PSIRT lead, date: 2026-11-01,\n"
        "     rationale: Compensated by network segmentation}\n"
        "  - {id: T-000000000000, status: mitigated, by: Jane Doe, date: 2026-11-01, rationale: old}\n")
    again = api.analyze(work / "model.yaml", api.AnalysisOptions(as_of=dt.date(2026, 11, 29)))
    found = next(f for f in again.findings if f.id == target.id)
    assert found.status == "accepted"
    assert found.details["decision"]["by"] == "Jane Doe"
    stale = [w for w in again.warnings if "T-000000000000" in w]
    assert stale and "decisions.yaml:4:" in stale[0]


def test_bad_decisions_file_is_located(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    work = tmp_path / "hospital"
    shutil.copytree("examples/hospital", work)
    (work / "decisions.yaml").write_text("decisions:\n  - {id: T-1234, status: accepted, by: x, date: soon}\n")
    assert main(["analyze", str(work / "model.yaml"), "-o", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "decisions.yaml:2:" in err and "rationale" in err


def test_unknown_format(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["analyze", "examples/home/model.yaml", "-o", str(tmp_path), "--format", "pdf"]) == 2
    assert "unknown output format 'pdf'" in capsys.readouterr().err


def test_hospital_weaknesses_found(tmp_path: Path) -> None:
    _, out = run(tmp_path, "hospital")
    data = json.loads((out / "assessment.json").read_text())
    rules = {(f["rule"], f["elements"][0]) for f in data["findings"]}
    assert ("MS-HL7-001", "F-orders-hl7") in rules
    hazards = {h for p in data["attack_paths"] for h in p["hazards"]}
    assert "H-over-infusion" in hazards


def test_in_process_run_keeps_nothing_alive(tmp_path: Path) -> None:
    """Only the console script hands the assessment to the process end (see ``keep_until_exit``)."""
    import medsecurance.cli as cli

    code, _ = run(tmp_path, "clinic", "--stage", "threats")
    assert code == 0 and cli._kept == []


def test_console_script_exit_code_and_output(tmp_path: Path) -> None:
    """The console script ends by ``os._exit`` after analyze: outputs, stdout and the gate's code are intact."""
    import subprocess
    import sys

    out = tmp_path / "out"
    script = "import sys; from medsecurance.cli import entry; sys.argv[0] = 'medsec'; entry()"
    done = subprocess.run([sys.executable, "-c", script, "analyze", "examples/clinic/model.yaml", "-o", str(out),
                           "--format", "json", "--stage", "threats", "--as-of", AS_OF, "--fail-on", "low"],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 1, done.stderr
    assert f"wrote {out / 'assessment.json'}" in done.stdout.replace("\n", "")
    assert "gate:" in done.stderr
    assert json.loads((out / "assessment.json").read_text("utf-8"))["findings"]
