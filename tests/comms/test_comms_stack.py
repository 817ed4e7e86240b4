"""Protocol-stack analysis: effective properties of each flow against its data's needs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from medsecurance.comms import CommsResult, MappingCatalogue, analyze
from medsecurance.findings import FindingKind, Severity
from medsecurance.model import load
from medsecurance.model.schema import SystemModel

DATA = Path(__file__).resolve().parents[1] / "data" / "comms"


@pytest.fixture(scope="module")
def model() -> SystemModel:
    return load(DATA / "model.yaml").model


def _rules(result: CommsResult, flow: str) -> set[str]:
    return {f.rule for f in result.findings if f.details.get("flow") == flow}


def _tiny(flow: dict[str, object], *, assets: list[dict[str, object]] | None = None) -> SystemModel:
    return SystemModel.model_validate(
        {
            "system": {"id": "t", "name": "t", "version": "1", "setting": "hospital"},
            "assets": assets or [{"id": "A", "kind": "data", "confidentiality": "high", "integrity": "high"}],
            "components": [
                {
                    "id": "a",
                    "type": "InfusionPump",
                    "interfaces": [{"id": "wifi", "kind": "WiFi", "protocol": ["WPA2-Enterprise"]}],
                },
                {"id": "b", "type": "Server"},
            ],
            "flows": [{"id": "F", "from": "b", "to": "a", "data": ["A"], **flow}],
        }
    )


def test_weak_pairing_and_cleartext_flows_are_flagged_with_recommendations(
    model: SystemModel, catalogue: MappingCatalogue
) -> None:
    result = analyze(model, catalogue)
    ble = _rules(result, "F-ble")
    assert {"comms.link-only-protection", "comms.no-mitm-protection"} <= ble
    hl7 = [f for f in result.findings if f.details.get("flow") == "F-hl7" and f.rule == "comms.cleartext-sensitive"]
    assert hl7 and hl7[0].severity is Severity.HIGH
    assert "MLLP" in hl7[0].details["recommendation"] and any("IHE" in r for r in hl7[0].references)
    dicom = next(
        f for f in result.findings if f.details.get("flow") == "F-images" and f.rule == "comms.cleartext-sensitive"
    )
    assert any("PS3.15" in r for r in dicom.references)
    assert all(
        f.kind is FindingKind.COMMUNICATION and f.references and f.details["recommendation"] for f in result.findings
    )


def test_mutual_tls_flow_over_wifi_is_clean(model: SystemModel, catalogue: MappingCatalogue) -> None:
    result = analyze(model, catalogue)
    assert _rules(result, "F-orders") == set()
    props = result.flows["F-orders"]
    assert props["peer_authentication"] == "mutual"
    assert props["end_to_end"] == {"confidentiality": True, "integrity": True, "replay_protection": True}


def test_with_the_real_knowledge_base(model: SystemModel) -> None:
    from medsecurance.kb import load_kb

    result = analyze(model, load_kb())
    ble = {f.rule: f for f in result.findings if f.details.get("flow") == "F-ble"}
    assert "comms.no-mitm-protection" in ble and "Bluetooth Core" in " ".join(
        ble["comms.no-mitm-protection"].references
    )
    assert ble["comms.integrity-unprotected"].severity is Severity.CRITICAL  # A-rate leads to a catastrophic hazard
    assert "comms.cleartext-sensitive" in _rules(result, "F-hl7")
    assert _rules(result, "F-orders") == set()
    conduit = [f for f in result.findings if f.rule == "comms.conduit-requirement"]
    assert {f.details["flow"] for f in conduit} == {"F-telemetry"}


def test_link_only_protection_is_hop_by_hop(catalogue: MappingCatalogue) -> None:
    model = _tiny({"via": "wifi", "protocol": ["WPA2-Enterprise"]})
    result = analyze(model, catalogue)
    rules = _rules(result, "F")
    assert "comms.link-only-protection" in rules
    assert "comms.cleartext-sensitive" not in rules
    assert result.flows["F"]["link"]["confidentiality"] is True
    assert result.flows["F"]["end_to_end"]["confidentiality"] is False


def test_server_only_tls_on_integrity_critical_flow_is_one_way(catalogue: MappingCatalogue) -> None:
    one_way = analyze(_tiny({"protocol": ["TLS1.2"]}), catalogue)
    assert _rules(one_way, "F") == {"comms.one-way-authentication"}
    mutual = analyze(_tiny({"via": "wifi", "protocol": ["TLS1.2"], "authentication": "mutual-tls"}), catalogue)
    assert _rules(mutual, "F") == set()
    assert mutual.flows["F"]["peer_authentication"] == "mutual"
    assert mutual.flows["F"]["stack"] == ["WPA2-Enterprise", "TLS1.2"]  # the interface's link layer is added


def test_deprecated_and_unknown_protocols(catalogue: MappingCatalogue) -> None:
    result = analyze(_tiny({"protocol": ["TLS1.0", "FancyProto"]}), catalogue)
    rules = _rules(result, "F")
    assert {"comms.deprecated-protocol", "comms.unknown-protocol"} <= rules
    unknown = next(f for f in result.findings if f.rule == "comms.unknown-protocol")
    assert unknown.severity is Severity.INFO and "FancyProto" in unknown.explanation


def test_data_categories_raise_needs(catalogue: MappingCatalogue) -> None:
    assets = [{"id": "A", "kind": "data", "data_categories": ["phi"]}]
    result = analyze(_tiny({"protocol": ["HTTP"]}, assets=assets), catalogue)
    assert result.flows["F"]["needs"]["confidentiality"] == "high"
    assert "comms.cleartext-sensitive" in _rules(result, "F")
    no_data = analyze(_tiny({"protocol": ["HTTP"]}, assets=[{"id": "A", "kind": "data"}]), catalogue)
    assert _rules(no_data, "F") == set()


def test_output_is_deterministic_with_stable_ids(model: SystemModel, catalogue: MappingCatalogue) -> None:
    first = json.dumps(analyze(model, catalogue).to_dict(), sort_keys=True)
    second = json.dumps(analyze(model, catalogue).to_dict(), sort_keys=True)
    assert first == second
    ids = [f["id"] for f in json.loads(first)["findings"]]
    assert len(ids) == len(set(ids)) and all(i.startswith("COMMS-") for i in ids)


def test_shared_key_wifi_under_mutual_tls_is_a_low_link_finding(catalogue: MappingCatalogue) -> None:
    result = analyze(_tiny({"protocol": ["WPA2-PSK", "TLS1.2"], "authentication": "mutual-tls"}), catalogue)
    assert [(f.rule, f.severity) for f in result.findings] == [("comms.weak-link-authentication", Severity.LOW)]
    assert "WPA3-Enterprise" in result.findings[0].details["recommendation"]


EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "hospital"


def test_hospital_example_flags_cleartext_and_weak_pairing() -> None:
    from medsecurance.kb import load_kb

    model = load(EXAMPLE, check_files=False).model
    result = analyze(model, load_kb())
    mllp_flows = {f.id for f in model.flows if "HL7v2-MLLP" in f.protocol}
    cleartext = {f.details["flow"] for f in result.findings if f.rule == "comms.cleartext-sensitive"}
    assert mllp_flows & cleartext
    psk_flows = {f.id for f in model.flows if "WPA2-PSK" in f.protocol}
    weak = {f.details["flow"] for f in result.findings if f.rule == "comms.weak-link-authentication"}
    assert psk_flows and psk_flows <= weak
