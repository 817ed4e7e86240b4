"""The risk stage inside the analysis pipeline on the hospital example (the issue's "done when")."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from medsecurance.decisions import Decisions
from medsecurance.kb import load_kb
from medsecurance.model import load
from medsecurance.pipeline import STAGES, AnalysisOptions, _load_builtin_stages, run_pipeline
from medsecurance.risk.register import RiskRegister
from medsecurance.risk.stage import RiskStage

HOSPITAL = Path(__file__).parents[2] / "examples" / "hospital" / "model.yaml"


@pytest.fixture
def with_risk_stage(monkeypatch: pytest.MonkeyPatch) -> None:
    if not STAGES:
        _load_builtin_stages()
    monkeypatch.setitem(STAGES, "risk", RiskStage())


def _register(loaded: object) -> RiskRegister:
    assessment = run_pipeline(loaded, load_kb(), AnalysisOptions(), Decisions())  # type: ignore[arg-type]
    register = assessment.stages["risk"].data["register"]
    assert isinstance(register, RiskRegister)
    assert assessment.sections["risks"] == register.to_dict()
    return register


def test_hospital_worst_risk_traces_to_over_infusion(with_risk_stage: None) -> None:
    register = _register(load(HOSPITAL))
    worst = register.worst()
    assert worst is not None and worst.kind == "threat"
    assert worst.attack_path is not None
    assert worst.severity is not None and worst.severity.value == "catastrophic"
    assert any(h.hazard_type == "over-delivery-of-therapy" and h.severity is not None
               and h.severity.value == "catastrophic" for h in worst.hazards)
    assert register.handoff


def test_heat_map_moves_when_a_control_is_added_to_the_model(with_risk_stage: None) -> None:
    loaded = load(HOSPITAL)
    before = _register(loaded)
    worst = before.worst()
    assert worst is not None and worst.controls_recommended
    control = worst.controls_recommended[0].id
    model = loaded.model
    targets = set(worst.elements)
    hardened = model.model_copy(update={"components": tuple(
        c.model_copy(update={"controls": (*c.controls, control)}) if c.id in targets else c
        for c in model.components)})
    after = _register(dataclasses.replace(loaded, model=hardened))
    assert before.heatmap()["after"] != after.heatmap()["after"]


def test_report_lists_the_hand_off_per_hazard() -> None:
    import datetime as dt

    from medsecurance import api

    loaded = load(HOSPITAL)
    assessment = api.analyze_loaded(loaded, AnalysisOptions(as_of=dt.date(2026, 11, 29)))
    summary = assessment.sections["risk"]["safety_handoff"]
    html = api.render(assessment, "html", loaded)
    assert "Risks handed off" in html and f"has {summary['rows']} rows" in html
    over = next(h for h in summary["hazards"] if h["hazard"] == "H-over-infusion")
    assert f"<td>H-over-infusion</td><td>{over['risks']}</td>" in html
    assert "(not in the safety file yet)" in html  # KB hazard types the safety file does not hold
