"""Threagile and OTM importers, OTM export, and their CLI commands."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from medsecurance.cli import main
from medsecurance.errors import DataError, ModelError, UsageError
from medsecurance.model import load
from medsecurance.model.exporters import EXPORTERS, get_exporter
from medsecurance.model.exporters.otm import export_otm, read_assessment
from medsecurance.model.importers import IMPORTERS, ImportOptions, ImportResult, import_model
from medsecurance.model.importers._common import load_map
from medsecurance.model.schema import Setting

DATA = Path(__file__).resolve().parent.parent / "data" / "importers"
THREAGILE = DATA / "hospital-threagile.yaml"
OTM = DATA / "homecare.otm.json"

#: the KB ids of .agents/KB_IDS.md (component types, interface kinds, protocols, data categories, controls)
KB_TYPES = set(load_map("otm_map")["kb_types"])
KB_INTERFACES = set(load_map("otm_map")["kb_interfaces"])
KB_PROTOCOLS = set(load_map("otm_map")["kb_protocols"])
KB_DATA = {"phi", "pii", "therapy-settings", "diagnostic-data", "monitoring-data", "alarms", "credentials",
           "cryptographic-keys", "firmware", "configuration", "drug-library", "audit-logs", "workflow",
           "device-identity"}
KB_CONTROLS = {"encryption-at-rest", "secure-key-storage", "api-authentication", "mutual-tls",
               "multi-factor-authentication", "role-based-access", "firewall-allowlist"}


def _write_and_load(result: ImportResult, tmp_path: Path) -> Any:
    out = tmp_path / "model.yaml"
    out.write_text(result.to_yaml(), encoding="utf-8")
    return load(out).model


def _messages(result: ImportResult) -> str:
    return "\n".join(str(w) for w in result.warnings)


# -- mapping tables --------------------------------------------------------------------------------
def test_threagile_map_uses_only_kb_ids() -> None:
    table = load_map("threagile_map")
    assert set(table["technologies"].values()) | set(table["type_tags"].values()) | set(
        table["asset_types"].values()) <= KB_TYPES
    stacks = {p for entry in table["protocols"].values() for p in entry["stack"]} | {table["vpn_layer"]}
    stacks |= {e[k] for e in table["link_tags"].values() for k in ("protocol", "protocol_top") if k in e}
    assert stacks <= KB_PROTOCOLS
    kinds = {e["interface"] for e in table["link_tags"].values() if "interface" in e} | {table["default_interface"]}
    assert kinds <= KB_INTERFACES
    assert set(table["data_tags"].values()) <= KB_DATA
    controls = {c for e in table["authentication"].values() for c in e.get("controls", [])}
    controls |= {c for v in [*table["authorization"].values(), *table["encryption"].values()] for c in v}
    assert controls <= KB_CONTROLS
    assert set(table["confidentiality"].values()) | set(table["criticality"].values()) <= {
        "none", "low", "medium", "high"}


def test_otm_map_uses_only_kb_ids() -> None:
    assert set(load_map("otm_map")["types"].values()) <= KB_TYPES


# -- Threagile ------------------------------------------------------------------------------------
def test_threagile_fixture_imports_to_a_valid_model(tmp_path: Path) -> None:
    result = import_model("threagile", THREAGILE)
    model = _write_and_load(result, tmp_path)
    comps = {c.id: c for c in model.components}
    assert comps["pumps"].type == "InfusionPump" and comps["pumps"].zone == "clinical-wifi"
    assert comps["pump-server"].type == "InfusionManagementServer"
    assert comps["interface-engine"].type == "HL7InterfaceEngine"
    assert comps["waf"].type == "Firewall" and comps["patient-browser"].zone == "internet"
    assert {"encryption-at-rest", "secure-key-storage", "firewall-allowlist"} <= set(comps["pump-server"].controls)
    flows = {f.id: f for f in model.flows}
    program = flows["pump-server--program-pumps"]
    assert program.protocol == ("WPA2-Enterprise", "TLS1.2", "HTTPS")
    iface = comps["pumps"].interface(program.via or "")
    assert iface is not None and iface.kind == "WiFi" and iface.authentication == "certificate"
    assert flows["ehr-app--send-orders"].protocol == ("IPv4", "HL7v2-MLLP")
    assert flows["vendor-laptop--remote-support"].protocol == ("IPsec", "SSH")
    assert flows["clinician-ws--order-entry"].bidirectional
    assets = {a.id: a for a in model.assets}
    assert (assets["patient-record"].confidentiality.value, assets["patient-record"].integrity.value) == ("high",
                                                                                                          "high")
    assert assets["clinician-credentials"].kind.value == "credential"
    assert assets["drug-library"].confidentiality.value == "low"
    zones = {z.id: z for z in model.zones}
    assert zones["internet"].internet_reachable and not zones["dmz"].internet_reachable
    tbs = {t.id: t for t in model.trust_boundaries}
    assert tbs["TB-ehr-host"].components == ("ehr-app", "ehr-db")
    assert tbs["TB-clinical-servers"].zones == ("clinical-servers",)
    assert model.system.version == "2026-01-15" and model.system.setting is Setting.HOSPITAL


def test_threagile_unknown_constructs_are_reported_with_their_place() -> None:
    text = _messages(import_model("threagile", THREAGILE))
    name = "tests/data/importers/hospital-threagile.yaml"
    expected = [
        "unknown Threagile field 'custom_field'",
        "abuse case 'Ransomware on the EHR' not imported",
        "security requirement 'Audit' not imported",
        "risk tracking entry",
        "shared runtime 'Clinical VM Cluster'",
        "protocol 'syslog-tls' is not in the mapping",
        "authentication 'biometric' is not in the mapping",
        "technology 'quantum-log-lake' is not in the mapping",
        "data-asset tags not mapped to a data category: retention-10y",
        "availability 'top-secret-ish' is not a Threagile rating",
        "id 'backup nas' renamed to 'backup-nas'",
        "id 'audit-log' renamed to 'component-audit-log'",
        "listed in several trust boundaries",
        "technical asset field 'machine' has no equivalent",
        "'diagram_tweak_nodesep' has no equivalent",
    ]
    for fragment in expected:
        assert fragment in text, fragment
    lines = {line for line in text.splitlines() if "custom_field" in line}
    assert lines == {f"{name}:59:1: unknown Threagile field 'custom_field' not imported — check its spelling"}


def test_threagile_output_is_deterministic_and_sorted() -> None:
    first = import_model("threagile", THREAGILE).to_yaml()
    assert first == import_model("threagile", THREAGILE).to_yaml()
    assert first.startswith("# Imported by medsec from the threagile model")
    data = yaml.safe_load(first)
    for section in ("assets", "zones", "trust_boundaries", "components", "flows"):
        ids = [item["id"] for item in data[section]]
        assert ids == sorted(ids), section
    assert "{" not in first.split("\n", 4)[4]  # block style only


def test_threagile_options_override_setting_and_version(tmp_path: Path) -> None:
    result = import_model("threagile", THREAGILE, ImportOptions(setting=Setting.CLINIC, version="4.1"))
    model = _write_and_load(result, tmp_path)
    assert (model.system.setting, model.system.version) == (Setting.CLINIC, "4.1")


def _threagile(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "tm.yaml"
    path.write_text("threagile_version: 1.0.0\ntitle: T\n" + body, encoding="utf-8")
    return path


@pytest.mark.parametrize(("body", "line", "message"), [
    ("data_assets:\n  D:\n    id: d\ntechnical_assets:\n  A:\n    id: a\n    data_assets_stored: [d, nope]\n",
     7, "unknown data asset 'nope'"),
    ("technical_assets:\n  A:\n    id: a\n    communication_links:\n      L:\n        target: ghost\n",
     6, "targets unknown technical asset 'ghost'"),
    ("technical_assets:\n  A:\n    id: a\ntrust_boundaries:\n  B:\n    id: b\n    type: network-on-prem\n"
     "    technical_assets_inside: [a]\n    trust_boundaries_nested: [zz]\n", 9, "unknown trust boundary 'zz'"),
    ("technical_assets:\n  A:\n    id: a\ntrust_boundaries:\n  B:\n    id: b\n    type: network-on-prem\n"
     "    technical_assets_inside: [x]\n", 8, "unknown technical asset 'x' in trust boundary"),
    ("technical_assets:\n  A:\n    id: a\n  B:\n    id: a\n", 5, "duplicate technical asset id 'a'"),
    ("technical_assets:\n  A:\n    description: no id\n", 2, "technical asset 'A' has no 'id'"),
    ("technical_assets:\n  A:\n    id: a\ntrust_boundaries:\n  B:\n    id: b\n    type: network-on-prem\n"
     "    trust_boundaries_nested: [c]\n  C:\n    id: c\n    type: network-on-prem\n"
     "    trust_boundaries_nested: [b]\n", 8, "nest in a cycle"),
])
def test_threagile_bad_references_are_located(tmp_path: Path, body: str, line: int, message: str) -> None:
    path = _threagile(tmp_path, body)
    with pytest.raises(ModelError) as info:
        import_model("threagile", path)
    hits = [d for d in info.value.items if message in d.message]
    assert hits, info.value.diagnostics()
    assert hits[0].file is not None and hits[0].file.endswith("tm.yaml")
    assert hits[0].line == line + 2  # the body starts after two header lines


def test_threagile_syntax_error_and_wrong_format_are_located(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("threagile_version: 1\ntechnical_assets:\n  A: [unclosed\n", encoding="utf-8")
    with pytest.raises(ModelError, match="YAML syntax error") as info:
        import_model("threagile", bad)
    assert info.value.first.line is not None and info.value.first.file and info.value.first.file.endswith("bad.yaml")
    with pytest.raises(ModelError, match="not a Threagile model") as info:
        import_model("threagile", OTM)
    assert info.value.first.line == 1
    listing = tmp_path / "list.yaml"
    listing.write_text("- a\n- b\n", encoding="utf-8")
    with pytest.raises(ModelError, match="mapping at the top"):
        import_model("threagile", listing)
    with pytest.raises(ModelError, match="file not found"):
        import_model("threagile", tmp_path / "missing.yaml")


# -- OTM -------------------------------------------------------------------------------------------
def test_otm_fixture_imports_to_a_valid_model(tmp_path: Path) -> None:
    result = import_model("otm", OTM)
    model = _write_and_load(result, tmp_path)
    comps = {c.id: c for c in model.components}
    assert comps["pump"].type == "InsulinPump" and comps["pump"].zone == "body-area"
    assert comps["cgm"].type == "ContinuousGlucoseMonitor" and comps["app"].type == "CompanionApp"
    assert comps["app-crypto"].zone == "home"  # nested in the app component
    flows = {f.id: f for f in model.flows}
    assert flows["app-to-pump"].protocol == ("BLE-Legacy-JustWorks",) and flows["app-to-pump"].bidirectional
    assert flows["app-to-cloud"].protocol == ("TLS1.2", "HTTPS")
    assert comps["pump"].interface(flows["app-to-pump"].via or "") is not None
    assert comps["pump"].interfaces[0].kind == "BLE"
    tbs = {t.id: t for t in model.trust_boundaries}
    assert tbs["TB-home"].zones == ("body-area", "home")
    zones = {z.id: z for z in model.zones}
    assert zones["f0ba7722-39b6-4c81-8290-a30a248bb8d9"].internet_reachable
    assets = {a.id: a for a in model.assets}
    assert assets["glucose-readings"].confidentiality.value == "medium"
    assert assets["cloud-credentials"].availability.value == "none"


def test_otm_unknown_constructs_are_reported() -> None:
    text = _messages(import_model("otm", OTM))
    for fragment in ("availability '150' is not a number from 0 to 100", "component type 'code-class'",
                     "nested in component 'app'", "dataflow tags not mapped: gzip", "1 OTM threats not imported",
                     "1 OTM mitigations not imported", "unknown OTM field 'extensions'",
                     "dataflow field 'attributes.colour'", "component field 'threats'", "bluetooth-le"):
        assert fragment in text, fragment
    assert "homecare.otm.json:70:3: [document] unknown OTM field 'extensions'" in text


def test_otm_yaml_input(tmp_path: Path) -> None:
    path = tmp_path / "tm.otm.yaml"
    path.write_text(
        "otmVersion: 0.1.0\nproject: {name: Web, id: web}\ntrustZones:\n"
        "  - {id: internet, name: Internet, risk: {trustRating: 1}}\n"
        "components:\n  - {id: client, name: Client, type: web-client, parent: {trustZone: internet}}\n"
        "  - {id: svc, name: Service, type: web-service, parent: {trustZone: internet}}\n"
        "dataflows:\n  - {id: f1, name: call, source: client, destination: svc, tags: [https]}\n",
        encoding="utf-8")
    model = _write_and_load(import_model("otm", path, ImportOptions(version="1.0")), tmp_path)
    assert [c.type for c in model.components] == ["Workstation", "Server"]
    assert model.flows[0].via == "https" and model.system.version == "1.0"


@pytest.mark.parametrize(("text", "line", "message"), [
    ('{"otmVersion": "0.2.0", "project": {"name": "x", "id": "x"},\n "components": [}', 2, "JSON syntax error"),
    ('{"otmVersion": "0.2.0", "project": {"name": "x", "id": "x"}, "trustZones": [],\n'
     ' "components": [{"id": "a", "name": "a", "type": "x", "parent": {"trustZone": "nowhere"}}]}',
     2, "unknown trust zone 'nowhere'"),
    ('{"otmVersion": "0.2.0", "project": {"name": "x", "id": "x"},\n'
     ' "components": [{"id": "a", "name": "a", "type": "x", "assets": {"processed": ["ghost"]}}]}',
     2, "unknown asset 'ghost'"),
    ('{"otmVersion": "0.2.0", "project": {"name": "x", "id": "x"},\n'
     ' "components": [{"id": "a", "name": "a", "type": "x"}],\n'
     ' "dataflows": [{"id": "f", "name": "f", "source": "a", "destination": "b"}]}', 3,
     "dataflow destination 'b' is not a component"),
    ('{"project": {"name": "x", "id": "x"}}', 1, "not an Open Threat Model file"),
])
def test_otm_errors_are_located(tmp_path: Path, text: str, line: int, message: str) -> None:
    path = tmp_path / "tm.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ModelError) as info:
        import_model("otm", path)
    hits = [d for d in info.value.items if message in d.message]
    assert hits, info.value.diagnostics()
    assert hits[0].file is not None and hits[0].file.endswith("tm.json") and hits[0].line == line


def test_unknown_import_format() -> None:
    with pytest.raises(UsageError, match="known formats: otm, threagile"):
        import_model("pytm", THREAGILE)


# -- OTM export ------------------------------------------------------------------------------------
def _schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads((DATA / "otm-0.2.0.subset.schema.json").read_text(encoding="utf-8"))
    return schema


def test_otm_export_validates_and_round_trips(tmp_path: Path) -> None:
    model = _write_and_load(import_model("threagile", THREAGILE), tmp_path)
    text = get_exporter("otm").render(model)
    assert text == get_exporter("otm").render(model)
    doc = json.loads(text)
    jsonschema.validate(doc, _schema())
    assert {z["id"] for z in doc["trustZones"]} == {z.id for z in model.zones}
    assert {c["id"] for c in doc["components"]} == {c.id for c in model.components}
    assert "threats" not in doc
    otm_file = tmp_path / "x.otm.json"
    otm_file.write_text(text, encoding="utf-8")
    back_dir = tmp_path / "back"
    back_dir.mkdir()
    back = _write_and_load(import_model("otm", otm_file), back_dir)
    assert back.system.version == model.system.version
    assert {(c.id, c.type, c.zone, c.controls, c.interfaces) for c in back.components} == {
        (c.id, c.type, c.zone, c.controls, c.interfaces) for c in model.components}
    assert {(f.id, f.source, f.target, f.protocol, f.via, f.data) for f in back.flows} == {
        (f.id, f.source, f.target, f.protocol, f.via, f.data) for f in model.flows}
    assert {(a.id, a.confidentiality, a.integrity, a.availability) for a in back.assets} == {
        (a.id, a.confidentiality, a.integrity, a.availability) for a in model.assets}


def test_otm_export_with_assessment_threats(tmp_path: Path) -> None:
    model = _write_and_load(import_model("threagile", THREAGILE), tmp_path)
    doc = export_otm(model, read_assessment(DATA / "assessment.json"))
    jsonschema.validate(doc, _schema())
    threats = {t["id"]: t for t in doc["threats"]}
    assert set(threats) == {"T-0a1b2c3d4e5f", "T-ffeeddccbbaa"}  # the vulnerability is not a threat
    assert threats["T-0a1b2c3d4e5f"]["categories"] == ["Spoofing", "Tampering"]
    assert threats["T-0a1b2c3d4e5f"]["cwes"] == ["CWE-300"] and threats["T-ffeeddccbbaa"]["risk"]["impact"] == 100
    assert "TB-clinical-wifi" in threats["T-0a1b2c3d4e5f"]["attributes"]["elements"]
    pumps = next(c for c in doc["components"] if c["id"] == "pumps")
    assert pumps["threats"][0]["mitigations"] == [{"mitigation": "mutual-tls", "state": "implemented"},
                                                  {"mitigation": "ble-secure-pairing", "state": "required"}]
    flow = next(f for f in doc["dataflows"] if f["id"] == "interface-engine--orders-to-pump-server")
    assert flow["threats"] == [{"threat": "T-ffeeddccbbaa", "state": "accepted",
                                "mitigations": [{"mitigation": "message-authentication", "state": "required"}]}]
    assert {m["id"] for m in doc["mitigations"]} == {"mutual-tls", "ble-secure-pairing", "message-authentication"}


def test_otm_export_puts_zoneless_components_in_a_zone(tmp_path: Path) -> None:
    path = tmp_path / "model.yaml"
    path.write_text("system: {id: s, name: S, version: '1', setting: home}\n"
                    "components:\n  - {id: a, type: Server}\n", encoding="utf-8")
    doc = export_otm(load(path).model)
    jsonschema.validate(doc, _schema())
    assert doc["components"][0]["parent"] == {"trustZone": "medsec-unzoned"}


def test_bad_assessment_is_located(tmp_path: Path) -> None:
    bad = tmp_path / "a.json"
    bad.write_text('{"findings": [\n{"id": 1}]}', encoding="utf-8")
    with pytest.raises(DataError, match=r"findings\[0\]"):
        read_assessment(bad)
    bad.write_text('{"findings": [\n', encoding="utf-8")
    with pytest.raises(DataError, match="JSON syntax error") as info:
        read_assessment(bad)
    assert info.value.first.line == 2
    bad.write_text("[]", encoding="utf-8")
    with pytest.raises(DataError, match="not an assessment"):
        read_assessment(bad)


# -- CLI -------------------------------------------------------------------------------------------
def test_cli_covers_every_registered_format() -> None:
    from medsecurance.cli import exporters as cli_exporters
    from medsecurance.cli import importers as cli_importers

    assert {c.name for c in cli_importers.app.registered_commands} == set(IMPORTERS)
    assert {c.name for c in cli_exporters.app.registered_commands} == set(EXPORTERS)


def test_cli_import_validate_export(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "model.yaml"
    assert main(["import", "threagile", str(THREAGILE), "-o", str(out)]) == 0
    err = capsys.readouterr().err
    assert "warning" in err and "custom_field" in err and "wrote" in err
    assert main(["validate", str(out)]) == 0
    assert main(["import", "threagile", str(THREAGILE), "-o", str(out)]) == 2
    assert "already exists" in capsys.readouterr().err
    otm = tmp_path / "m.otm.json"
    assert main(["export", "otm", str(out), "-o", str(otm), "--assessment", str(DATA / "assessment.json")]) == 0
    jsonschema.validate(json.loads(otm.read_text(encoding="utf-8")), _schema())
    assert main(["import", "otm", str(otm), "--setting", "clinic"]) == 0
    captured = capsys.readouterr()
    assert yaml.safe_load(captured.out)["system"]["setting"] == "clinic"


def test_cli_bad_input_exits_2_with_location(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _threagile(tmp_path, "technical_assets:\n  A:\n    id: a\n    data_assets_processed: [ghost]\n")
    assert main(["import", "threagile", str(path), "-o", str(tmp_path / "o.yaml")]) == 2
    err = capsys.readouterr().err
    assert "tm.yaml:6:" in err and "unknown data asset 'ghost'" in err
    assert not (tmp_path / "o.yaml").exists()
