"""contracts.check: composition verdicts, gap findings, assume/guarantee reasoning, errors, HTML."""

from __future__ import annotations

from pathlib import Path

import pytest

from medsecurance._internal.io import canonical_json
from medsecurance.contracts import ContractInputs, ProtocolProps, check, render_zone_table_html
from medsecurance.errors import ContractError
from medsecurance.findings import FindingKind
from medsecurance.model import load
from medsecurance.model.schema import SystemModel

DATA = Path(__file__).resolve().parent.parent / "data" / "contracts"
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
P = ProtocolProps
PROTOCOLS = {"IPv4": P(), "TLS1.0": P(), "TLS1.2": P(True, True, True, True), "HTTPS": P(), "Syslog": P()}


CONTROL_CRS = {"unique-credentials": ("CR-1.1", "CR-1.3", "CR-1.4"), "password-policy": ("CR-1.5",)}


def _run(name: str, **kw: object):  # type: ignore[no-untyped-def]
    kw.setdefault("control_crs", CONTROL_CRS)
    loaded = load(DATA / name)
    return check(loaded.model, source_map=loaded.source_map, inputs=ContractInputs(**kw))  # type: ignore[arg-type]


def _by_rule(result, rule: str) -> list:  # type: ignore[no-untyped-def]
    return [f for f in result.findings if f.rule == rule]


def test_zone_meets_target_thanks_to_countermeasure() -> None:
    result = _run("meets.yaml")
    zone = result.zones["zones"][0]
    assert zone["sl_achieved"] == {"FR1": 2, "FR2": 0, "FR3": 1, "FR4": 0, "FR5": 2, "FR6": 0, "FR7": 0}
    assert zone["meets_target"] and result.findings == ()


def test_gap_findings_name_components_requirements_and_closers() -> None:
    result = _run("gap.yaml")
    gaps = {(f.details["fr"], f.elements[0]): f for f in _by_rule(result, "contract.sl-gap")}
    fr3 = gaps[("FR3", "Z-bedside")]
    assert fr3.kind is FindingKind.CONTRACT and fr3.id.startswith("C-")
    assert set(fr3.details["limiting_components"]) == {"pump", "monitor"}
    assert "mutual-tls" in fr3.details["closing_countermeasures"]
    assert ("FR5", "Z-bedside") not in gaps  # network-segmentation raises FR5 to 2
    server = gaps[("FR1", "Z-server")]
    assert "CR-1.7" in server.details["missing_requirements"]  # derived SL-C: next requirements listed
    assert fr3.location is not None and fr3.location.file.endswith("gap.yaml") and fr3.location.line == 9
    required = _by_rule(result, "contract.required-slc")
    assert [f.elements[0] for f in required] == ["monitor"]
    assert required[0].details["required_sl_c"]["FR5"] == 0 and required[0].details["required_sl_c"]["FR1"] == 2


def test_conduit_levels_from_protocol_properties() -> None:
    weak = _run("gap.yaml", protocols=PROTOCOLS)
    assert {f.details["fr"] for f in _by_rule(weak, "contract.conduit-gap")} == {"FR1", "FR3", "FR4"}
    strong = dict(PROTOCOLS, **{"TLS1.0": P(True, True, True, True)})
    assert _by_rule(_run("gap.yaml", protocols=strong), "contract.conduit-gap") == []


def test_tls_counterexample_is_readable() -> None:
    result = _run("ag.yaml", protocols=PROTOCOLS)
    undischarged = {f.elements[0]: f for f in _by_rule(result, "contract.undischarged-assumption")}
    orders = undischarged["F-orders"]
    assert "server guarantees it only for TLS ≥ 1.2, but F-orders allows TLS 1.0" in orders.explanation
    assert orders.details["counterexample"]["tls"] == 1.0
    assert "F-good" not in undischarged
    assert [d["discharged_by"] for d in result.discharged() if d["element"] == "F-good"]


def test_patch_timeline_refinement_counterexample() -> None:
    result = _run("ag.yaml")
    (finding,) = _by_rule(result, "contract.refinement")
    assert finding.elements[0] == "server"
    assert "guarantees it only with days ≤ 60" in finding.explanation
    assert 30 < finding.details["counterexample"]["days"] <= 60


def test_contradicting_guarantees_and_environment_discharge() -> None:
    result = _run("ag.yaml")
    (contradiction,) = _by_rule(result, "contract.contradicting-guarantees")
    assert set(contradiction.elements) == {"Z-b", "server"}
    found = {f.elements[0] for f in _by_rule(result, "contract.undischarged-assumption")}
    assert "gw" in found and "pump" not in found  # pump's assumptions are discharged by the environment


def test_output_is_deterministic() -> None:
    a = canonical_json(_run("ag.yaml", protocols=PROTOCOLS).to_dict())
    b = canonical_json(_run("ag.yaml", protocols=PROTOCOLS).to_dict())
    assert a == b


def test_unknown_property_and_parameter_are_located() -> None:
    loaded = load(DATA / "bad_property.yaml")
    with pytest.raises(ContractError) as exc:
        check(loaded.model, source_map=loaded.source_map)
    items = exc.value.items
    assert "unknown security property 'teleported-safely'" in items[0].message
    assert items[0].file is not None and items[0].file.endswith("bad_property.yaml") and items[0].line == 6
    assert "has no parameter 'weeks'" in items[1].message and items[1].line == 7


def test_unknown_element_id_in_clause() -> None:
    model = SystemModel.model_validate({
        "system": {"id": "s", "name": "s", "version": "1", "setting": "home"},
        "components": [{"id": "a", "type": "Server", "assumes": [{"property": "confidential", "elements": ["ghost"]}]}],
    })
    with pytest.raises(ContractError, match="unknown element id 'ghost'"):
        check(model)


def test_bad_replacement_vocabulary_is_an_error(tmp_path: Path) -> None:
    vocab = tmp_path / "props.yaml"
    vocab.write_text("properties:\n  x: {definition: d}\n")
    with pytest.raises(ContractError, match="needs a 'definition' and 'sources'") as exc:
        check(load(DATA / "meets.yaml").model, inputs=ContractInputs(properties_path=vocab))
    assert exc.value.first.line == 2


def test_html_table_colours_gaps() -> None:
    html = render_zone_table_html(_run("gap.yaml"))
    assert html.startswith('<section class="sl-zones">') and "<script" not in html
    assert 'class="sl-gap"' in html and 'class="sl-ok"' in html and "SL-C pump (declared)" in html


def test_clinic_example_reports_undischarged_session_approval_with_chain() -> None:
    model = EXAMPLES / "clinic" / "model.yaml"
    from medsecurance.kb.loader import load_kb

    loaded = load(model)
    result = check(loaded.model, source_map=loaded.source_map, kb=load_kb())
    hits = [f for f in _by_rule(result, "contract.undischarged-assumption") if f.details["property"] == "session-approved"]
    assert hits, "the clinic's remote-session approval assumption must be reported"
    chain = [step["element"] for step in hits[0].details["chain"]]
    assert hits[0].elements[0] == "rsg" and "F-remote-ct" in chain and chain[-1] == "environment"
    assert any(f.rule == "contract.sl-gap" for f in result.findings)


def test_bad_parameter_value_is_reported() -> None:
    model = SystemModel.model_validate({
        "system": {"id": "s", "name": "s", "version": "1", "setting": "home"},
        "components": [{"id": "a", "type": "Server", "guarantees": [
            {"property": "confidential", "params": {"min_tls": "TLS9"}},
            {"property": "patched-within-N-days", "params": {"days": "soon"}}]}],
    })
    with pytest.raises(ContractError) as exc:
        check(model)
    messages = [d.message for d in exc.value.items]
    assert "bad value 'TLS9' for 'min_tls'" in messages[0] and "bad value 'soon' for 'days'" in messages[1]


def test_kb_adapter_maps_controls_and_protocols() -> None:
    from medsecurance.contracts import inputs_from_kb
    from medsecurance.kb.loader import load_kb

    loaded = load(DATA / "ag.yaml")
    inputs = inputs_from_kb(load_kb(), loaded.model)
    assert inputs.protocols is not None and inputs.protocols["TLS1.2"].integrity
    assert "Syslog" in inputs.protocols and inputs_from_kb(None, loaded.model).protocols is None


def test_guarantees_of_an_element_with_undischarged_assumptions_are_not_relied_on() -> None:
    model = SystemModel.model_validate({
        "system": {"id": "s", "name": "s", "version": "1", "setting": "hospital"},
        "components": [
            {"id": "a", "type": "Server", "assumes": ["mfa-enforced"], "guarantees": ["logs-forwarded"]},
            {"id": "b", "type": "Server", "assumes": ["logs-forwarded"]},
        ],
        "flows": [{"id": "f", "from": "a", "to": "b"}],
    })
    findings = {f.elements[0]: f for f in check(model).findings if f.rule == "contract.undischarged-assumption"}
    assert set(findings) == {"a", "b"}
    assert findings["b"].details["suspended_providers"] == ["a"] and "not relied on" in findings["b"].explanation
    data = model.model_dump(by_alias=True)
    data["environment"] = {"guarantees": [{"property": "mfa-enforced"}]}
    fixed = SystemModel.model_validate(data)
    assert [f for f in check(fixed).findings if f.rule == "contract.undischarged-assumption"] == []
