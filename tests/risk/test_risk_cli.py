"""``medsec risk rubric`` and ``medsec risk check-policy``, and appending answers to decisions.yaml."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from risk_helpers import DATA

from medsecurance.cli import main
from medsecurance.decisions import load_decisions
from medsecurance.errors import DecisionsError
from medsecurance.risk.rubric_store import append_rubric_answers

ANSWERS = """answers:
  XAVN: 'no'
  XAVT: 'no'
  XAVW: 'yes'
  XACL: 'yes'
  XPRL: 'no'
  XUI: 'no'
  XS: 'no'
  XCP: none
  XCD: none
  XCT: none
  XCW: none
  XCS: none
  XCO: none
  XIP: none
  XID: none
  XIT: extensive
  XIW: none
  XIS: none
  XIO: none
  XAP: none
  XAD: none
  XAT: extensive
  XAW: none
  XAS: none
  XAO: none
"""

EXISTING = """# triage decisions — keep this comment
decisions:
  - id: T-1234567890ab   # inline comment stays
    status: accepted
    by: Jane
    date: 2026-11-01
    rationale: ok

rubric:
  # answers so far
  - id: V-aaaaaaaaaaaa
    answers: {XAVN: "yes"}

# the VEX statements
vex: []
"""


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    shutil.copy(DATA / "hospital.yaml", tmp_path / "model.yaml")
    (tmp_path / "answers.yaml").write_text(ANSWERS)
    return tmp_path


def test_rubric_with_answers_file_appends_to_decisions(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (workdir / "decisions.yaml").write_text(EXISTING)
    code = main(["risk", "rubric", "V-0123456789ab", "--model", str(workdir / "model.yaml"),
                 "--answers", str(workdir / "answers.yaml"), "--by", "Ann"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:U/C:N/I:H/A:H" in out and "8.1" in out
    text = (workdir / "decisions.yaml").read_text()
    assert text.startswith(EXISTING.split("\n# the VEX")[0])  # nothing before the insertion point changed
    assert text.endswith("\n# the VEX statements\nvex: []\n")
    decisions = load_decisions(workdir / "decisions.yaml")
    assert [r.id for r in decisions.rubric] == ["V-aaaaaaaaaaaa", "V-0123456789ab"]
    assert decisions.rubric[1].answers["XAVN"] == "no" and decisions.rubric[1].by == "Ann"
    assert len(decisions.decisions) == 1


def test_rubric_interactive(workdir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import typer

    from medsecurance.risk.rubric import load_rubric

    questions = load_rubric().questions
    replies = {q: "none" if questions[q].kind == "choice" else "no" for q in questions}
    replies.update({"XAVN": "yes", "XACL": "yes", "XIT": "extensive"})
    asked: list[str] = []

    def fake_prompt(text: str, **_: Any) -> str:
        qid = text.split()[0]
        asked.append(qid)
        return "maybe" if asked == ["XAVN"] else replies[qid]  # an invalid answer is asked again

    monkeypatch.setattr(typer, "prompt", fake_prompt)
    code = main(["risk", "rubric", "T-0123456789ab", "--model", str(workdir / "model.yaml")])
    out = capsys.readouterr().out
    assert code == 0, out
    assert asked[:3] == ["XAVN", "XAVN", "XACL"] and "please answer one of: no/yes" in out
    assert "XAVT" not in asked  # only the questions on the decision path are asked
    assert load_decisions(workdir / "decisions.yaml").rubric[0].id == "T-0123456789ab"
    assert "AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:H/A:N" in out


def test_rubric_errors(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (workdir / "bad.yaml").write_text("XAVN: 'no'\n")
    code = main(["risk", "rubric", "V-1", "--model", str(workdir / "model.yaml"), "--answers", str(workdir / "bad.yaml")])
    err = capsys.readouterr().err
    assert code == 2 and "bad.yaml" in err and "XAVT (AV Q2" in err
    assert not (workdir / "decisions.yaml").exists()
    code = main(["risk", "rubric", "bad id!", "--model", str(workdir / "model.yaml")])
    assert code == 2 and "is not a finding or risk id" in capsys.readouterr().err
    (workdir / "decisions.yaml").write_text("decisions: [\n")
    code = main(["risk", "rubric", "V-1", "--model", str(workdir / "model.yaml"), "--answers",
                 str(workdir / "answers.yaml")])
    assert code == 2 and "decisions.yaml:" in capsys.readouterr().err
    assert (workdir / "decisions.yaml").read_text() == "decisions: [\n"


def test_rubric_dry_run_writes_nothing(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["risk", "rubric", "V-1", "--model", str(workdir / "model.yaml"), "--answers",
                 str(workdir / "answers.yaml"), "--dry-run"])
    assert code == 0 and not (workdir / "decisions.yaml").exists()


def test_check_policy(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = Path(__file__).parents[2] / "src/medsecurance/risk/data/policy.yaml"
    good = tmp_path / "policy.yaml"
    good.write_text(src.read_text())
    assert main(["risk", "check-policy", str(good)]) == 0
    bad = tmp_path / "bad.yaml"
    bad.write_text(src.read_text().replace("high:      {negligible: acceptable,", "high:      {negligible: nope,", 1))
    assert main(["risk", "check-policy", str(bad)]) == 2
    assert f"{bad}:" in capsys.readouterr().err


def test_append_creates_file_and_handles_empty_flow_list(tmp_path: Path) -> None:
    path = tmp_path / "d.yaml"
    append_rubric_answers(path, "V-1", {"XAVN": True})
    append_rubric_answers(path, "V-2", {"XAVN": "no"})
    assert [r.answers["XAVN"] for r in load_decisions(path).rubric] == ["yes", "no"]
    path.write_text("# c\nrubric: []\nvex: []\n")
    append_rubric_answers(path, "V-3", {"XAVN": "no"})
    assert path.read_text().startswith("# c\nrubric:\n  - id: V-3\n")
    assert load_decisions(path).rubric[0].id == "V-3"


def test_append_top_level_sequence_without_indent(tmp_path: Path) -> None:
    path = tmp_path / "d.yaml"
    path.write_text("rubric:\n- id: V-1\n  answers: {XAVN: 'no'}\n")
    append_rubric_answers(path, "V-2", {"XAVN": "yes"})
    assert [r.id for r in load_decisions(path).rubric] == ["V-1", "V-2"]


def test_append_refuses_flow_style(tmp_path: Path) -> None:
    path = tmp_path / "d.yaml"
    original = "rubric: [{id: V-1, answers: {XAVN: 'no'}}]\n"
    path.write_text(original)
    with pytest.raises(DecisionsError, match=r"d.yaml:1: the 'rubric:' section is written in flow style"):
        append_rubric_answers(path, "V-2", {"XAVN": "yes"})
    assert path.read_text() == original
