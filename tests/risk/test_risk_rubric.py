"""The MITRE rubric decision flows, per metric, and the errors for bad answers or tables."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from medsecurance.errors import PolicyError
from medsecurance.risk.rubric import RubricError, load_rubric

IMPACT_NONE = {q: "none" for q in ("XCP", "XCD", "XCT", "XCW", "XCS", "XCO", "XIP", "XID", "XIT", "XIW", "XIS", "XIO",
                                   "XAP", "XAD", "XAT", "XAW", "XAS", "XAO")}
BASE: dict[str, Any] = {"XAVN": "yes", "XACL": "yes", "XPRL": "no", "XUI": "no", "XS": "no", **IMPACT_NONE}


def _metric(answers: dict[str, Any], metric: str) -> str:
    vector = load_rubric().evaluate(answers).vector
    return dict(part.split(":") for part in vector.split("/")[1:])[metric]


def _with(**changes: Any) -> dict[str, Any]:
    out = {k: v for k, v in BASE.items() if k not in changes.get("drop", ())}
    out.update({k: v for k, v in changes.items() if k != "drop"})
    return out


@pytest.mark.parametrize(("answers", "expected"), [
    ({"XAVN": "yes"}, "N"),
    ({"XAVN": "no", "XAVT": "yes"}, "A"),
    ({"XAVN": "no", "XAVT": "no", "XAVW": "yes"}, "A"),
    ({"XAVN": "no", "XAVT": "no", "XAVW": "no", "XAVR": "yes"}, "L"),
    ({"XAVN": "no", "XAVT": "no", "XAVW": "no", "XAVR": "no", "XAVP": "yes", "XAVPA": "yes"}, "L"),
    ({"XAVN": "no", "XAVT": "no", "XAVW": "no", "XAVR": "no", "XAVP": "yes", "XAVPA": "no"}, "P"),
])
def test_attack_vector_flow(answers: dict[str, Any], expected: str) -> None:
    assert _metric(_with(**answers), "AV") == expected


@pytest.mark.parametrize(("metric", "answers", "expected"), [
    ("AC", {"XACL": "yes"}, "L"), ("AC", {"XACL": "no"}, "H"),
    ("PR", {"XPRL": "no"}, "N"), ("PR", {"XPRL": "yes", "XPRZ": "yes"}, "N"),
    ("PR", {"XPRL": "yes", "XPRZ": "no", "XPRS": "no"}, "L"),
    ("PR", {"XPRL": "yes", "XPRZ": "no", "XPRS": "yes"}, "H"),
    ("UI", {"XUI": "yes"}, "R"), ("UI", {"XUI": False}, "N"),
    ("S", {"XS": True}, "C"), ("S", {"XS": "n"}, "U"),
])
def test_exploitability_and_scope_flows(metric: str, answers: dict[str, Any], expected: str) -> None:
    assert _metric(_with(**answers), metric) == expected


@pytest.mark.parametrize(("metric", "answers", "expected"), [
    ("C", {}, "N"),
    ("C", {"XCP": "limited", "XCPM": "no"}, "L"),
    ("C", {"XCP": "limited", "XCPM": "yes"}, "H"),
    ("C", {"XCP": "extensive"}, "H"),
    ("C", {"XCS": "limited", "XCW": "extensive"}, "H"),
    ("I", {"XIT": "extensive"}, "H"),
    ("I", {"XID": "limited", "XIW": "limited"}, "L"),
    ("A", {"XAT": "limited"}, "L"),
    ("A", {"XAD": "extensive", "XAO": "limited"}, "H"),
])
def test_impact_takes_the_worst_kind(metric: str, answers: dict[str, Any], expected: str) -> None:
    assert _metric(_with(**answers), metric) == expected


def test_full_vector_and_steps() -> None:
    result = load_rubric().evaluate(_with(XAVN="no", XAVT="no", XAVW="yes", XIT="extensive", XAT="extensive"))
    assert result.vector == "CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:U/C:N/I:H/A:H"
    assert result.score.base == pytest.approx(8.1)
    assert [s.question for s in result.steps if s.metric == "AV"] == ["XAVN", "XAVT", "XAVW"]
    assert result.steps[0].rubric == "AV Q1"


def test_incomplete_answers_name_the_question() -> None:
    with pytest.raises(RubricError) as info:
        load_rubric().evaluate(_with(XAVN="no", drop=("XAO",)), file="decisions.yaml", line=7)
    text = str(info.value)
    assert "XAVT (AV Q2" in text and "XAO (Q6.A" in text and "decisions.yaml:7" in text


def test_contradictory_answers_name_the_question() -> None:
    rubric = load_rubric()
    with pytest.raises(RubricError, match=r"XCPM \(Q1.1.C\) is answered 'yes' but it applies only when XCP"):
        rubric.evaluate(_with(XCPM="yes"))
    with pytest.raises(RubricError, match=r"XPRS \(PR Q3\) is answered but the earlier answers already decide PR"):
        rubric.evaluate(_with(XPRS="yes"))
    with pytest.raises(RubricError, match="every attack-vector question was answered 'no'"):
        rubric.evaluate(_with(XAVN="no", XAVT="no", XAVW="no", XAVR="no", XAVP="no"))


def test_unknown_question_and_bad_answer() -> None:
    with pytest.raises(RubricError) as info:
        load_rubric().evaluate(_with(XFOO="yes", XACL="maybe", XCD="lots"))
    text = str(info.value)
    assert "unknown rubric question 'XFOO'" in text
    assert "question XACL (AC Q1): 'maybe' is not an answer; use one of no, yes" in text
    assert "question XCD (Q2.C): 'lots' is not an answer" in text


def test_answers_are_case_insensitive_ids() -> None:
    answers = {k.lower(): v for k, v in BASE.items()}
    assert load_rubric().evaluate(answers).vector.startswith("CVSS:3.1/AV:N/")


def test_next_question_walks_the_flow() -> None:
    rubric = load_rubric()
    assert rubric.next_question({}).id == "XAVN"  # type: ignore[union-attr]
    assert rubric.next_question({"XAVN": "no"}).id == "XAVT"  # type: ignore[union-attr]
    assert rubric.next_question({"XAVN": "yes"}).id == "XACL"  # type: ignore[union-attr]
    assert rubric.next_question(_with(XCP="limited")).id == "XCPM"  # type: ignore[union-attr]
    assert rubric.next_question(BASE) is None


def test_every_question_cites_the_rubric() -> None:
    rubric = load_rubric()
    assert len(rubric.questions) == 31
    assert all(q.rubric and q.text for q in rubric.questions.values())


def test_bad_rubric_table_is_located(tmp_path: Path) -> None:
    src = (Path(__file__).parents[2] / "src/medsecurance/risk/data/mitre_rubric.yaml").read_text()
    bad = tmp_path / "rubric.yaml"
    bad.write_text(src.replace('"yes": {value: N}', '"yes": {value: Q}', 1))
    with pytest.raises(PolicyError) as info:
        load_rubric(bad)
    assert f"{bad}:" in str(info.value) and "'Q' is not a value of AV" in str(info.value)
    line = int(str(info.value).split(":")[1])
    assert '"yes": {value: Q}' in bad.read_text().splitlines()[line - 1]
    bad.write_text(src.replace("ask: XAVT", "ask: XNOPE"))
    with pytest.raises(PolicyError, match="unknown question 'XNOPE'"):
        load_rubric(bad)
