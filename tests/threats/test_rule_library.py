"""The shipped threat-rule library: it loads, every rule is well formed and alive, and the examples' weaknesses are found."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
import yaml

from medsecurance.findings import Finding
from medsecurance.kb import KnowledgeBase, load_kb
from medsecurance.model import SystemModel, load
from medsecurance.threats import Rule, load_rules, match_rules

AS_OF = dt.date(2026, 11, 29)
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_kb()


@pytest.fixture(scope="module")
def rules(kb: KnowledgeBase) -> tuple[Rule, ...]:
    return load_rules(kb)


# --- synthetic models --------------------------------------------------------------------------


def _iface(iid: str, kind: str, protocol: Iterable[str] = (), **extra: Any) -> dict[str, Any]:
    return {"id": iid, "kind": kind, "protocol": list(protocol), **extra}


def _flow(fid: str, src: str, dst: str, data: Iterable[str], protocol: Iterable[str], **extra: Any) -> dict[str, Any]:
    return {"id": fid, "from": src, "to": dst, "data": list(data), "protocol": list(protocol), **extra}


def _model(name: str, setting: str, components: list[dict[str, Any]], flows: list[dict[str, Any]],
           zones: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {
        "system": {"id": name, "name": f"Synthetic {name}", "version": "1.0", "setting": setting},
        "hazards": [
            {"id": "H-cat", "description": "Overdose", "severity": "catastrophic"},
            {"id": "H-crit", "description": "Missed alarm", "severity": "critical"},
        ],
        "assets": [
            {"id": "A-therapy", "kind": "data", "data_categories": ["therapy-settings", "phi"],
             "confidentiality": "medium", "integrity": "high", "availability": "high", "hazards": ["H-cat"]},
            {"id": "A-alarms", "kind": "function", "data_categories": ["alarms"],
             "integrity": "high", "availability": "high", "hazards": ["H-crit"]},
            {"id": "A-vitals", "kind": "data", "data_categories": ["monitoring-data", "phi"],
             "confidentiality": "medium", "integrity": "high", "availability": "high", "hazards": ["H-cat"]},
            {"id": "A-records", "kind": "data", "data_categories": ["phi", "pii", "diagnostic-data"],
             "confidentiality": "high", "integrity": "high", "availability": "medium"},
            {"id": "A-druglib", "kind": "data", "data_categories": ["drug-library", "configuration"],
             "integrity": "high", "availability": "medium", "hazards": ["H-cat"]},
            {"id": "A-config", "kind": "data", "data_categories": ["configuration"], "integrity": "high"},
            {"id": "A-keys", "kind": "key", "data_categories": ["cryptographic-keys", "credentials"],
             "confidentiality": "high", "integrity": "high"},
            {"id": "A-logs", "kind": "data", "data_categories": ["audit-logs"], "integrity": "medium"},
        ],
        "zones": zones or [
            {"id": "Z-lan", "name": "Clinical LAN"},
            {"id": "Z-dev", "name": "Device network"},
            {"id": "Z-net", "name": "Internet-facing", "internet_reachable": True},
        ],
        "components": components,
        "flows": flows,
    }


def _bedside() -> dict[str, Any]:
    """Hospital bedside devices with many weaknesses (wireless, service ports, updates, safety flows)."""
    pump = {
        "id": "pump", "type": "LargeVolumeInfusionPump", "zone": "Z-dev",
        "assets": ["A-therapy", "A-alarms", "A-druglib", "A-keys", "A-config"],
        "interfaces": [
            _iface("wifi", "WiFi", ["WPA2-PSK", "IPv4", "HTTP"], ports=[80], authentication="password",
                   credentials={"shared": True}),
            _iface("eth", "Ethernet", ["Ethernet", "IPv4", "HTTPS"], ports=[443], authentication="none"),
            _iface("usb", "USB", ["USB"], physical=True, authentication="none"),
            _iface("svc", "USB", ["USB"], physical=True, authentication="password", credentials={"default": True}),
            _iface("backdoor", "Ethernet", ["Ethernet", "IPv4", "Telnet"], ports=[23],
                   authentication="password", credentials={"hardcoded": True}),
            _iface("jtag", "JTAG", ["JTAG"], physical=True),
            _iface("uart", "UART", ["UART"], physical=True),
            _iface("serial", "Serial", ["RS-232"], physical=True, authentication="none"),
            _iface("ble", "BLE", ["BLE-LESC-JustWorks"], authentication="none"),
            _iface("zb", "Zigbee", ["Zigbee"]),
        ],
        "update": {"method": "usb", "signed": False, "during_therapy": True},
    }
    pump2 = {
        "id": "pump2", "type": "SyringePump", "zone": "Z-dev", "assets": ["A-therapy", "A-druglib"],
        "interfaces": [_iface("wifi", "WiFi", ["WPA2-Enterprise", "IPv4", "TLS1.2", "HTTPS"],
                              authentication="certificate")],
        "controls": ["audit-logging", "secure-boot", "input-validation"],
        "update": {"method": "ota", "signed": True, "authenticated_source": False, "rollback_protection": False},
        "end_of_support": "2020-01-01",
    }
    monitor = {
        "id": "monitor", "type": "PatientMonitor", "zone": "Z-dev", "assets": ["A-vitals", "A-alarms"],
        "interfaces": [
            _iface("wifi", "WiFi", ["WiFi-Open", "IPv4"]),
            _iface("bt", "BluetoothClassic", ["BluetoothClassic-SSP"]),
            _iface("gw", "Zigbee", []),
            _iface("nfc", "NFC", ["NFC"], authentication="none"),
        ],
        "controls": ["audit-logging"],
        "update": {"method": "ota", "signed": True, "authenticated_source": True, "rollback_protection": True},
    }
    oxi = {
        "id": "oxi", "type": "PulseOximeter", "zone": "Z-dev", "assets": ["A-vitals", "A-alarms"],
        "interfaces": [_iface("ble", "BLE", ["BLE-Legacy-JustWorks"], authentication="none")],
    }
    ecg = {"id": "ecg", "type": "WearableECG", "zone": "Z-dev", "assets": ["A-vitals"],
           "interfaces": [_iface("ble", "BLE", ["BLE-Unpaired"])]}
    server = {
        "id": "ims", "type": "InfusionManagementServer", "zone": "Z-lan",
        "assets": ["A-druglib", "A-therapy", "A-records", "A-keys"],
        "interfaces": [
            _iface("mllp", "Ethernet", ["Ethernet", "IPv4", "HL7v2-MLLP"], ports=[2575], authentication="none"),
            _iface("web", "Ethernet", ["Ethernet", "IPv4", "TLS1.0", "HTTPS"], ports=[443], authentication="password"),
            _iface("snmp", "Ethernet", ["Ethernet", "IPv4", "SNMPv2c"], ports=[161]),
            _iface("ftp", "Ethernet", ["Ethernet", "IPv4", "FTP"], ports=[21], authentication="password"),
            _iface("mqtt", "Ethernet", ["Ethernet", "IPv4", "MQTT"], ports=[1883], authentication="none"),
            _iface("admin", "Ethernet", ["Ethernet", "IPv4", "HTTPS"], authentication="password",
                   credentials={"default": True}),
        ],
        "update": {"method": "ota", "signed": False},
    }
    central = {"id": "central", "type": "CentralStation", "zone": "Z-lan", "assets": ["A-alarms", "A-vitals"],
               "controls": ["backup-restore"], "update": {"method": "manual", "signed": True}}
    syslog = {"id": "siem", "type": "Server", "zone": "Z-lan", "assets": ["A-logs"],
              "interfaces": [_iface("key", "Ethernet", ["Ethernet", "IPv4", "SSH"], authentication="certificate",
                                    credentials={"hardcoded": True})],
              "update": {"method": "manual", "signed": True}}
    dirsrv = {"id": "idp", "type": "IdentityProvider", "zone": "Z-lan", "update": {"method": "manual"},
              "interfaces": [_iface("ldap", "Ethernet", ["Ethernet", "IPv4", "LDAP"], ports=[389],
                                    authentication="password")]}
    flows = [
        _flow("F-hl7", "central", "ims", ["A-therapy"], ["IPv4", "HL7v2-MLLP"]),
        _flow("F-cmd", "ims", "pump", ["A-therapy"], ["IPv4", "HTTP"], authentication="password"),
        _flow("F-tls", "ims", "pump2", ["A-therapy"], ["IPv4", "TLS1.2", "HTTPS"], authentication="none"),
        _flow("F-lib", "ims", "pump2", ["A-druglib"], ["IPv4", "TLS1.2", "HTTPS"],
              authentication="server-certificate"),
        _flow("F-psk", "pump", "ims", ["A-vitals"], ["WPA2-PSK", "IPv4", "CoAP"]),
        _flow("F-alarm", "monitor", "central", ["A-alarms", "A-vitals"], ["WiFi-Open", "IPv4", "MQTT"]),
        _flow("F-spo2", "oxi", "monitor", ["A-vitals"], ["BLE-Legacy-JustWorks"]),
        _flow("F-ble-cmd", "monitor", "pump", ["A-therapy"], ["BLE-LESC-NumericComparison"]),
        _flow("F-ldap", "ims", "idp", ["A-records"], ["IPv4", "LDAP"], authentication="password"),
        _flow("F-dns", "pump", "ims", [], ["IPv4", "DNS"]),
        _flow("F-ntp", "ims", "central", [], ["IPv4", "NTP"]),
        _flow("F-ntp-pump", "ims", "pump", [], ["IPv4", "NTP"]),
        _flow("F-syslog", "ims", "siem", ["A-logs"], ["IPv4", "Syslog"]),
        _flow("F-export", "monitor", "siem", ["A-records"], ["Ethernet", "IPv4"]),
    ]
    return _model("bedside", "hospital", [pump, pump2, monitor, oxi, ecg, server, central, syslog, dirsrv], flows)


def _imaging() -> dict[str, Any]:
    """Imaging suite: DICOM, SMB, remote desktop, vendor remote access."""
    ct = {
        "id": "ct", "type": "CTScanner", "zone": "Z-dev", "assets": ["A-records", "A-config", "A-keys"],
        "interfaces": [
            _iface("dicom", "Ethernet", ["Ethernet", "IPv4", "DICOM"], ports=[104], authentication="ae-title"),
            _iface("usb", "USB", ["USB"], physical=True),
            _iface("vnc", "Ethernet", ["Ethernet", "IPv4", "VNC"], ports=[5900], authentication="password"),
        ],
        "controls": ["audit-logging", "secure-boot", "input-validation", "role-based-access"],
        "update": {"method": "service-tool", "signed": True, "authenticated_source": True},
    }
    pacs = {
        "id": "pacs", "type": "PACS", "zone": "Z-net", "assets": ["A-records"],
        "interfaces": [
            _iface("dicom", "Ethernet", ["Ethernet", "IPv4", "DICOM"], ports=[104], authentication="none"),
            _iface("web", "Ethernet", ["Ethernet", "IPv4", "HTTPS"], ports=[443], authentication="password"),
            _iface("rdp", "Ethernet", ["Ethernet", "IPv4", "RDP"], ports=[3389], authentication="password"),
        ],
        "update": {"method": "manual", "signed": True},
    }
    ws = {
        "id": "ws", "type": "DiagnosticWorkstation", "zone": "Z-lan", "assets": ["A-records"],
        "interfaces": [
            _iface("smb1", "Ethernet", ["Ethernet", "IPv4", "SMB1"], ports=[445], authentication="password"),
            _iface("smb3", "Ethernet", ["Ethernet", "IPv4", "SMB3"], ports=[445], authentication="password"),
            _iface("rdp", "Ethernet", ["Ethernet", "IPv4", "TLS1.2", "RDP"], ports=[3389], authentication="password"),
            _iface("usb", "USB", ["USB"], physical=True),
            _iface("share", "Ethernet", ["Ethernet", "IPv4", "HTTPS"], authentication="password",
                   credentials={"shared": True}),
        ],
        "update": {"method": "manual", "signed": True},
    }
    rsg = {
        "id": "rsg", "type": "RemoteServiceGateway", "zone": "Z-net", "assets": ["A-keys"],
        "interfaces": [_iface("vpn", "Ethernet", ["Ethernet", "IPv4", "TLS1.2"], authentication="password",
                              credentials={"shared": True})],
        "update": {"method": "ota", "signed": True, "authenticated_source": True, "rollback_protection": True},
        "controls": ["audit-logging"],
    }
    fw = {"id": "fw", "type": "Firewall", "zone": "Z-net", "update": {"method": "manual", "signed": True},
          "interfaces": [_iface("mgmt", "Ethernet", ["Ethernet", "IPv4", "HTTPS"], authentication="password")]}
    ris = {"id": "ris", "type": "RIS", "zone": "Z-net", "assets": ["A-records"], "update": {"method": "manual"},
           "controls": ["backup-restore", "firewall-allowlist"]}
    flows = [
        _flow("F-store", "ct", "pacs", ["A-records"], ["IPv4", "DICOM"]),
        _flow("F-read", "pacs", "ws", ["A-records"], ["IPv4", "TLS1.2", "DICOM-TLS"], authentication="server-certificate"),
        _flow("F-remote", "rsg", "ct", ["A-config"], ["IPv4", "SSH"], authentication="password"),
        _flow("F-fhir", "ris", "pacs", ["A-records"], ["IPv4", "FHIR-REST"]),
    ]
    return _model("imaging", "clinic", [ct, pacs, ws, rsg, fw, ris], flows)


def _home() -> dict[str, Any]:
    """Home insulin delivery with app, cloud and portal."""
    pump = {
        "id": "ipump", "type": "InsulinPump", "zone": "Z-dev", "assets": ["A-therapy", "A-keys"],
        "interfaces": [
            _iface("ble", "BLE", ["BLE-LESC-NumericComparison"]),
            _iface("rf", "MICS", ["Proprietary-RF"], authentication="none"),
            _iface("lte", "Cellular", ["LTE", "IPv4", "TLS1.2", "HTTPS"], authentication="certificate"),
        ],
        "controls": ["secure-boot", "audit-logging", "log-forwarding", "input-validation", "fail-safe-mode"],
        "update": {"method": "ota", "signed": True, "authenticated_source": True, "rollback_protection": True},
    }
    app = {"id": "app", "type": "CompanionApp", "zone": "Z-lan", "assets": ["A-therapy", "A-keys"],
           "interfaces": [_iface("ble", "BLE", ["BLE-LESC-NumericComparison"])],
           "update": {"method": "app-store", "signed": True, "authenticated_source": True}}
    viewer = {"id": "viewer", "type": "CompanionApp", "zone": "Z-lan", "assets": ["A-records"],
              "update": {"method": "app-store", "signed": True, "authenticated_source": True}}
    cloud = {
        "id": "cloud", "type": "CloudBackend", "zone": "Z-net", "assets": ["A-records", "A-keys"],
        "interfaces": [
            _iface("api", "Ethernet", ["Ethernet", "IPv4", "TLS1.2", "HTTPS"], authentication="password"),
            _iface("open", "Ethernet", ["Ethernet", "IPv4", "TLS1.2", "HTTPS"], authentication="none"),
        ],
        "update": {"method": "cloud", "signed": True, "authenticated_source": True},
    }
    portal = {"id": "portal", "type": "ClinicianPortal", "zone": "Z-net", "assets": ["A-therapy"],
              "interfaces": [_iface("https", "Ethernet", ["Ethernet", "IPv4", "TLS1.3", "HTTPS"],
                                    authentication="password")],
              "controls": ["rate-limiting", "api-authentication"],
              "update": {"method": "cloud", "signed": True, "authenticated_source": True}}
    flows = [
        _flow("F-bolus", "app", "ipump", ["A-therapy"], ["BLE-LESC-NumericComparison"]),
        _flow("F-rf-bolus", "app", "ipump", ["A-therapy"], ["Proprietary-RF"]),
        _flow("F-cell", "ipump", "cloud", ["A-records"], ["LTE", "IPv4", "HTTP"]),
    ]
    return _model("home", "home", [pump, app, viewer, cloud, portal], flows)


def _implant() -> dict[str, Any]:
    """Pacemaker with MICS telemetry, its programmer and an unupdatable implant accessory."""
    pm = {"id": "pm", "type": "Pacemaker", "zone": "Z-dev", "assets": ["A-therapy"],
          "interfaces": [_iface("mics", "MICS", ["MICS"], authentication="none"),
                         _iface("eth", "Ethernet", ["Ethernet", "IPv4"])],
          "controls": ["secure-boot", "audit-logging", "log-forwarding", "input-validation", "role-based-access",
                       "encryption-at-rest"],
          "update": {"method": "none"}}
    prog = {"id": "prog", "type": "ImplantProgrammer", "zone": "Z-dev", "assets": ["A-therapy"],
            "interfaces": [_iface("mics", "MICS", ["MICS"], authentication="none"),
                           _iface("cell", "Cellular", ["LTE", "IPv4", "TLS1.2", "HTTPS"], authentication="certificate")],
            "update": {"method": "ota", "signed": True, "authenticated_source": True, "rollback_protection": True}}
    flows = [_flow("F-program", "prog", "pm", ["A-therapy"], ["MICS"])]
    return _model("implant", "hospital", [pm, prog], flows)


SYNTHETIC = {"bedside": _bedside, "imaging": _imaging, "home": _home, "implant": _implant}


def _load_dict(tmp_path: Path, name: str, data: dict[str, Any]) -> SystemModel:
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return load(path).model


def _findings(model: SystemModel, kb: KnowledgeBase, rules: tuple[Rule, ...]) -> list[Finding]:
    return match_rules(model, kb, rules, as_of=AS_OF)


# --- the library itself ------------------------------------------------------------------------


def test_library_loads_with_at_least_80_rules(rules: tuple[Rule, ...]) -> None:
    assert len(rules) >= 80
    assert len({r.id for r in rules}) == len(rules)


def test_every_rule_is_complete(rules: tuple[Rule, ...]) -> None:
    for rule in rules:
        assert rule.sources and all(len(s) > 10 for s in rule.sources), rule.id
        assert rule.threat_class or rule.references, rule.id
        assert rule.mitigations, rule.id
        assert "{subject}" in rule.explanation and "{reasons}" in rule.explanation, rule.id


def test_rule_ids_are_unique_across_files(rules: tuple[Rule, ...]) -> None:
    seen: dict[str, str] = {}
    for path in sorted((Path(rules[0].file).parent).glob("*.yaml")):
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        for item in raw["rules"]:
            assert item["id"] not in seen, f"{item['id']} in {path.name} and {seen.get(item['id'])}"
            seen[item["id"]] = path.name
    assert set(seen) == {r.id for r in rules}


def test_references_exist_in_the_knowledge_base(kb: KnowledgeBase, rules: tuple[Rule, ...]) -> None:
    known = set(kb.ids("cwe")) | set(kb.ids("capec")) | set(kb.ids("attack-ics"))
    unknown = {(r.id, ref) for r in rules for ref in r.references if ref not in known}
    assert not unknown


# --- no dead rules -------------------------------------------------------------------------------


def test_every_rule_fires_on_a_synthetic_model(kb: KnowledgeBase, rules: tuple[Rule, ...], tmp_path: Path) -> None:
    fired: set[str] = set()
    for name, build in SYNTHETIC.items():
        fired |= {f.rule for f in _findings(_load_dict(tmp_path, name, build()), kb, rules)}
    dead = sorted({r.id for r in rules} - fired)
    assert not dead, f"rules that never fire: {dead}"


def test_hardened_device_has_no_open_threats(kb: KnowledgeBase, rules: tuple[Rule, ...], tmp_path: Path) -> None:
    controls = sorted(kb.ids("control"))
    data = _model("hardened", "hospital", [
        {"id": "pump", "type": "InfusionPump", "zone": "Z-dev", "assets": ["A-therapy", "A-alarms", "A-druglib"],
         "controls": controls, "end_of_support": "2035-01-01",
         "interfaces": [_iface("wifi", "WiFi", ["WPA3-Enterprise", "IPv4", "TLS1.3", "HTTPS"],
                               authentication="mutual-tls")],
         "update": {"method": "ota", "signed": True, "authenticated_source": True, "rollback_protection": True}},
        {"id": "srv", "type": "InfusionManagementServer", "zone": "Z-lan", "assets": ["A-druglib"],
         "controls": controls, "end_of_support": "2035-01-01",
         "interfaces": [_iface("api", "Ethernet", ["Ethernet", "IPv4", "TLS1.3", "HTTPS"],
                               authentication="mutual-tls")],
         "update": {"method": "manual", "signed": True, "authenticated_source": True}},
    ], [_flow("F-lib", "srv", "pump", ["A-druglib", "A-therapy"], ["IPv4", "TLS1.3", "HTTPS"],
              authentication="mutual-tls")])
    found = _findings(_load_dict(tmp_path, "hardened", data), kb, rules)
    still_open = sorted((f.rule, f.elements[0]) for f in found if f.status == "open")
    # only the SBOM rule may remain: the synthetic model declares no SBOM file
    assert {r for r, _ in still_open} <= {"MS-SBOM-001"}, still_open


# --- the reference examples ----------------------------------------------------------------------

DOCUMENTED = {
    "hospital": [
        ("MS-HL7-001", "F-orders-hl7"),        # H-W1 cleartext MLLP orders
        ("MS-WIFI-002", "syringe.wifi"),       # H-W2 WPA2-PSK
        ("MS-CRED-001", "lvp.usb-service"),    # H-W3 default service passwords
        ("MS-CRED-001", "syringe.serial-service"),
        ("MS-DBG-002", "lvp.debug-uart"),      # H-W4 exposed UART
        ("MS-LDAP-001", "F-ldap-bind"),        # H-W5 LDAP simple bind
        ("MS-LOG-002", "lvp"),                 # H-W6 no log forwarding
        ("MS-LOG-002", "syringe"),
        ("MS-FW-001", "syringe"),              # H-W8 unsigned firmware
    ],
    "clinic": [
        ("MS-DICOM-001", "F-images-store"),    # C-W1 DICOM without TLS
        ("MS-SMB-001", "workstation.smb"),     # C-W2 SMBv1
        ("MS-RA-002", "rsg.vpn"),              # C-W3 shared remote-service credentials
        ("MS-RA-001", "rsg"),                  # C-W4 no enforced session approval
        ("MS-VNC-001", "ct.remote"),           # C-W6 password remote desktop into the CT
        ("MS-RA-003", "F-remote-ct"),
    ],
    "home": [
        ("MS-BLE-001", "cgm.ble"),             # M-W1 CGM LE legacy Just Works
        ("MS-BLE-002", "pump.ble-cgm"),
        ("MS-MON-001", "F-cgm-pump"),
        ("MS-THR-002", "F-bolus"),             # M-W2 replayable bolus
        ("MS-ACC-001", "portal.https"),        # M-W3 portal without MFA
    ],
}

# mitigations the example READMEs say must be credited: no open finding of these rules on these elements
CREDITED = {
    "hospital": [("MS-FW-001", "lvp"), ("MS-SB-001", "lvp"), ("MS-WIFI-001", "lvp.wifi"), ("MS-HL7-001", "F-orders-fhir")],
    "clinic": [("MS-DICOM-001", "F-images-reading"), ("MS-DICOM-001", "F-worklist")],
    "home": [("MS-DBG-001", "pump.swd"), ("MS-FW-001", "pump"), ("MS-FW-004", "pump"), ("MS-MQTT-001", "F-upload")],
}


def _example_findings(name: str, kb: KnowledgeBase, rules: tuple[Rule, ...]) -> set[tuple[str, str]]:
    path = EXAMPLES / name / "model.yaml"
    found = match_rules(load(path).model, kb, rules, as_of=AS_OF)
    return {(f.rule, _element(f)) for f in found if f.status == "open"}


@pytest.mark.parametrize("name", sorted(DOCUMENTED))
def test_documented_weaknesses_of_the_examples_are_found(name: str, kb: KnowledgeBase, rules: tuple[Rule, ...]) -> None:
    found = _example_findings(name, kb, rules)
    missing = [pair for pair in DOCUMENTED[name] if pair not in found]
    assert not missing, f"{name}: documented weaknesses not reported as open threats: {missing}"


@pytest.mark.parametrize("name", sorted(CREDITED))
def test_credited_mitigations_of_the_examples_hold(name: str, kb: KnowledgeBase, rules: tuple[Rule, ...]) -> None:
    found = _example_findings(name, kb, rules)
    wrong = [pair for pair in CREDITED[name] if pair in found]
    assert not wrong, f"{name}: threats reported although the model mitigates them: {wrong}"


# rule groups designed to be mutually exclusive on one element (no duplicate noise)
EXCLUSIVE = [
    {"MS-CRED-001", "MS-CRED-002"}, {"MS-CRED-003", "MS-CRED-004"}, {"MS-CRED-005", "MS-RA-002", "MS-WIFI-002"},
    {"MS-BLE-001", "MS-BLE-002", "MS-BLE-004"}, {"MS-RDP-001", "MS-RDP-002", "MS-VNC-001", "MS-CRED-006"},
    {"MS-SMB-001", "MS-SMB-002"}, {"MS-NTP-001", "MS-NTP-002"}, {"MS-FW-001", "MS-FW-002", "MS-FW-003"},
    {"MS-FW-001", "MS-FW-004"}, {"MS-ACC-001", "MS-ACC-002"}, {"MS-APP-001", "MS-APP-002"},
    {"MS-DICOM-002", "MS-DICOM-003"}, {"MS-RF-002", "MS-RF-003"}, {"MS-PHI-001", "MS-PHI-002"},
    {"MS-NET-001", "MS-HL7-001", "MS-DICOM-001", "MS-LDAP-001", "MS-HTTP-001", "MS-MQTT-001", "MS-FHIR-001"},
    {"MS-LDAP-001", "MS-ADM-004"}, {"MS-NET-010", "MS-NET-011"}, {"MS-THR-001", "MS-THR-002"},
]


def _element(f: Finding) -> str:
    return f.elements[1] if f.elements[1:] and "." in f.elements[1] else f.elements[0]


def test_exclusive_rules_never_report_the_same_element(kb: KnowledgeBase, rules: tuple[Rule, ...],
                                                       tmp_path: Path) -> None:
    """Duplicate-noise guard over the examples and the synthetic models."""
    models = [load(EXAMPLES / name / "model.yaml").model for name in DOCUMENTED]
    models += [_load_dict(tmp_path, name, build()) for name, build in SYNTHETIC.items()]
    for model in models:
        by_element: dict[str, set[str]] = {}
        for f in _findings(model, kb, rules):
            by_element.setdefault(_element(f), set()).add(f.rule)
        for element, fired in by_element.items():
            for group in EXCLUSIVE:
                assert len(fired & group) <= 1, f"{model.system.id}: {sorted(fired & group)} all report {element}"
