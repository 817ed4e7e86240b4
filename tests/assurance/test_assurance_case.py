"""The generated case: structure, ids, determinism, and the evaluation rules on the examples."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from assurance_helpers import AS_OF, EXAMPLES, nodes, run

from medsecurance.assurance.model import Case, Node, NodeType, check_structure
from medsecurance.errors import AssuranceError


def _case(section: dict[str, object]) -> Case:
    built = {}
    for n in section["nodes"]:  # type: ignore[attr-defined]
        built[n["id"]] = Node(n["id"], NodeType(n["type"]), n["text"], tuple(n["supported_by"]),
                              tuple(n["in_context_of"]), n["undeveloped"])
    return Case(str(section["root"]), built)


@pytest.mark.parametrize("example", ["hospital", "clinic", "home"])
def test_each_example_gives_a_structurally_valid_case(example: str) -> None:
    section = run(EXAMPLES / example / "model.yaml")
    assert check_structure(_case(section)) == []
    by_id = nodes(section)
    assert section["root"] == "G-top"
    for required in ("G-hazards", "S-argument-over-hazards", "G-threats", "G-vulns", "G-sbom", "G-contracts",
                     "G-comms", "G-lifecycle", "Sn-analysis-threats"):
        assert required in by_id, required
    for n in section["nodes"]:
        assert n["status"] in {"supported", "undeveloped", "failed", "stale", "challenged"}
        if n["status"] != "supported":
            assert n["reasons"], n["id"]


def test_ids_follow_the_shared_scheme_and_cite_the_model() -> None:
    by_id = nodes(run(EXAMPLES / "hospital" / "model.yaml"))
    assert {"G-hazard-H-over-infusion", "G-hazard-H-druglib-tamper", "G-zone-Z-bedside", "G-flow-F-orders-hl7",
            "G-activity-5.7.4", "Sn-E-pentest-2026-03", "C-intended-use", "A-network-segmented"} <= set(by_id)
    assert by_id["Sn-E-pentest-2026-03"]["evidence"]["sha256"].startswith("400f8bfb")
    assert "Aquila Smart Infusion System" in by_id["G-top"]["text"]


def test_output_is_deterministic() -> None:
    first = json.dumps(run(EXAMPLES / "clinic" / "model.yaml"), sort_keys=True)
    assert first == json.dumps(run(EXAMPLES / "clinic" / "model.yaml"), sort_keys=True)


def test_open_unacceptable_risk_fails_its_branch() -> None:
    section = run(EXAMPLES / "hospital" / "model.yaml")
    by_id = nodes(section)
    # The hazard argument links to the claims over the threats whose risks lead to the hazard.
    linked = {c for n in section["nodes"] if n["id"].startswith("S-hazard-") for c in n["supported_by"]}
    assert linked and all(c.startswith(("G-threat-", "G-vuln-")) for c in linked)
    failed = [by_id[c] for c in sorted(linked) if by_id[c]["status"] == "failed"]
    assert failed and all(any("unacceptable" in r for r in n["reasons"]) for n in failed)
    risk = failed[0]["id"]
    parents = [n["id"] for n in section["nodes"] if risk in n["supported_by"]]
    assert {p.split("-")[0] for p in parents} == {"S"} and len(parents) >= 2  # S-argument-over-threats, S-hazard-…
    assert all(by_id[p]["status"] == "failed" for p in parents)
    assert by_id["G-hazards"]["status"] == "failed" and by_id["G-top"]["status"] == "failed"
    assert any(g["node"] == risk and "decisions.yaml" in g["close"] for g in section["summary"]["gaps"])


def test_accepted_risk_is_argued_by_benefit_risk_under_its_threat(hospital: Path) -> None:
    before = run(hospital)
    by_id = nodes(before)
    threat = next(by_id[c] for n in before["nodes"] if n["id"].startswith("S-hazard-") for c in n["supported_by"]
                  if by_id[c]["status"] == "failed" and c.startswith("G-threat-"))
    from medsecurance import api

    risks = api.analyze(hospital, api.AnalysisOptions(as_of=AS_OF, stages=("threats", "risk"))).sections["risks"]
    risk = next(r for r in risks if r["source"]["finding"] == threat["id"].removeprefix("G-threat-"))
    (hospital.parent / "decisions.yaml").write_text(
        "decisions:\n"
        f"  - id: {risk['id']}\n    status: accepted\n    by: Jane Doe\n    role: Product security lead\n"
        "    date: 2026-11-01\n    rationale: Pump keeps its hard dose limits.\n"
        "    benefit_risk: Remote titration is essential in the ICU.\n", encoding="utf-8")
    after = nodes(run(hospital))
    goal = after[f"G-risk-{risk['id']}-accepted"]
    assert goal["id"] in after[threat["id"]]["supported_by"]
    justification = after[f"J-risk-{risk['id']}"]
    assert "Jane Doe" in justification["text"] and "Remote titration" in justification["text"]
    assert justification["id"] in goal["in_context_of"]
    assert after[threat["id"]]["status"] != "failed"


def test_changed_evidence_file_makes_solution_and_claims_stale(hospital: Path) -> None:
    before = nodes(run(hospital))
    assert before["G-activity-5.7.4"]["status"] == "supported"
    (hospital.parent / "evidence" / "pentest-2026-03.md").write_text("tampered\n", encoding="utf-8")
    after = nodes(run(hospital))
    assert after["Sn-E-pentest-2026-03"]["status"] == "stale"
    assert "changed since it was recorded" in after["Sn-E-pentest-2026-03"]["reasons"][0]
    assert after["G-activity-5.7.4"]["status"] == "stale"
    assert after["S-argument-over-activities"]["status"] == "stale"
    assert after["G-lifecycle"]["status"] == "stale"
    threat = next(n for n in after.values() if n["id"].startswith("G-threat-") and "Sn-E-pentest-2026-03"
                  in n["supported_by"])
    assert threat["status"] in {"stale", "failed", "challenged"}
    assert "Sn-E-pentest-2026-03 is stale" in threat["reasons"]


def test_old_evidence_is_stale_by_the_age_policy(hospital: Path, tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text("max_age_days: {penetration-test: 30, default: 3650}\n", encoding="utf-8")
    by_id = nodes(run(hospital, evidence_policy=str(policy)))
    assert by_id["Sn-E-pentest-2026-03"]["status"] == "stale"
    assert "days old" in " ".join(by_id["Sn-E-pentest-2026-03"]["reasons"])


def test_covered_element_changed_since_baseline(hospital: Path, tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.json"
    baseline.write_text(json.dumps({"assurance": run(hospital)}), encoding="utf-8")
    text = hospital.read_text(encoding="utf-8").replace("version: 4.2.1", "version: 4.3.0", 1)
    hospital.write_text(text, encoding="utf-8")
    sast = nodes(run(hospital, assurance_baseline=str(baseline)))["Sn-E-sast-lvp-4.2.1"]
    assert sast["status"] == "stale"
    assert "covered element(s) changed" in " ".join(sast["reasons"]) and "lvp" in " ".join(sast["reasons"])


def test_reviewer_defeater_challenges_its_node(hospital: Path) -> None:
    (hospital.parent / "decisions.yaml").write_text(
        "defeaters:\n  - {node: G-activity-5.7.4, text: The pen test did not cover firmware 4.2.1, by: NB reviewer,"
        " date: 2026-11-10, status: open}\n  - {node: G-activity-5.5, text: resolved doubt, status: resolved}\n",
        encoding="utf-8")
    by_id = nodes(run(hospital))
    assert by_id["G-activity-5.7.4"]["status"] == "challenged"
    assert "did not cover firmware" in " ".join(by_id["G-activity-5.7.4"]["reasons"])
    assert by_id["G-activity-5.5"]["status"] == "supported"


def test_defeater_naming_unknown_node_is_a_located_error(hospital: Path) -> None:
    (hospital.parent / "decisions.yaml").write_text(
        "defeaters:\n  - {node: G-nothing, text: doubt}\n", encoding="utf-8")
    with pytest.raises(AssuranceError) as err:
        run(hospital)
    msg = str(err.value)
    assert "decisions.yaml:2" in msg and "G-nothing" in msg


def test_missing_stage_leaves_its_branch_undeveloped() -> None:
    by_id = nodes(run(EXAMPLES / "home" / "model.yaml", stages=["threats", "assurance"]))
    assert by_id["G-hazards"]["status"] == "undeveloped"
    assert "risk analysis did not run" in " ".join(by_id["G-hazards"]["reasons"])
    assert by_id["G-hazards"]["undeveloped"] is True
    assert by_id["G-contracts"]["status"] == "undeveloped"


def test_summary_counts_claims_and_lists_gaps() -> None:
    summary = run(EXAMPLES / "hospital" / "model.yaml")["summary"]
    assert summary["claims"] == sum(summary["claims_by_status"].values())
    assert summary["share_supported"] == round(summary["supported_claims"] / summary["claims"], 4)
    assert all(g["reason"] and g["close"] for g in summary["gaps"])
    assert AS_OF.year == 2026


def test_many_weak_supporting_elements_are_counted_not_listed() -> None:
    from types import MappingProxyType

    from medsecurance.assurance.evaluate import CHILD_REASONS_LISTED, evaluate, summarise

    goals = [Node(f"G-{i:02d}", NodeType.GOAL, f"claim {i}", undeveloped=True,
                  facts=MappingProxyType({"notes": ("no evidence",)})) for i in range(20)]
    strategy = Node("S-all", NodeType.STRATEGY, "over each", tuple(g.id for g in goals))
    root = Node("G-top", NodeType.GOAL, "top", ("S-all",))
    case = Case("G-top", MappingProxyType({n.id: n for n in (root, strategy, *goals)}))
    evals = evaluate(case, {}, [])
    assert evals["S-all"].status == "undeveloped"
    assert evals["S-all"].reasons == (
        f"20 supporting elements, {', '.join(f'G-{i:02d}' for i in range(CHILD_REASONS_LISTED))} and "
        f"{20 - CHILD_REASONS_LISTED} more, are undeveloped",)
    assert evals["G-top"].reasons == ("S-all is undeveloped",)
    gaps = {g["node"] for g in summarise(case, evals)["gaps"]}
    assert gaps == {g.id for g in goals}  # the inherited statuses are not gaps of their own
