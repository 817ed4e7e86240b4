"""The compiled knowledge base: required identifiers, lookups, hierarchy, caching and errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from medsecurance.errors import KbError
from medsecurance.kb import KINDS, clear_memo, load_kb
from medsecurance.kb import loader as kb_loader

REQUIRED = {
    "device-type": "MedicalDevice InfusionPump LargeVolumeInfusionPump SyringePump PCAPump InsulinPump "
    "InfusionManagementServer PatientMonitor CentralStation Ventilator AnesthesiaWorkstation Defibrillator "
    "ImplantableDevice Pacemaker ImplantableCardioverterDefibrillator Neurostimulator ImplantProgrammer "
    "ContinuousGlucoseMonitor PulseOximeter WearableECG ImagingModality CTScanner MRIScanner XRaySystem "
    "UltrasoundSystem PACS RIS EHR HIS HL7InterfaceEngine MedicalGateway CompanionApp CloudBackend ClinicianPortal "
    "DiagnosticWorkstation ServiceLaptop RemoteServiceGateway WirelessAccessPoint WirelessLANController "
    "NetworkSwitch Firewall VPNGateway IdentityProvider Server Workstation MobileDevice Component "
    "ClinicalITSystem NetworkInfrastructure SoftwareComponent",
    "interface": "BLE BluetoothClassic NFC WiFi Ethernet USB Serial JTAG SWD UART Cellular Zigbee MICS Inductive",
    "protocol": "BLE-Legacy-JustWorks BLE-Legacy-Passkey BLE-Legacy-OOB BLE-LESC-JustWorks BLE-LESC-NumericComparison "
    "BLE-LESC-Passkey BLE-LESC-OOB BLE-Unpaired BluetoothClassic-SSP NFC WiFi-Open WPA2-PSK WPA2-Enterprise "
    "WPA3-Personal WPA3-Enterprise Ethernet USB RS-232 JTAG SWD UART LTE Zigbee MICS IPv4 IPv6 IPsec WireGuard SSL3 "
    "TLS1.0 TLS1.1 TLS1.2 TLS1.3 DTLS1.2 DTLS1.3 HTTP HTTPS MQTT CoAP HL7v2-MLLP FHIR-REST DICOM DICOM-TLS SMB1 "
    "SMB2 SMB3 SSH Telnet FTP SFTP SNMPv1 SNMPv2c SNMPv3 RDP VNC DNS NTP Syslog LDAP LDAPS Proprietary-RF",
    "data-category": "phi pii therapy-settings diagnostic-data monitoring-data alarms credentials cryptographic-keys "
    "firmware configuration drug-library audit-logs workflow device-identity",
    "hazard-type": "over-delivery-of-therapy under-delivery-of-therapy delayed-therapy incorrect-therapy "
    "loss-of-monitoring loss-of-alarm misdiagnosis loss-of-essential-performance multi-patient-harm privacy-breach",
    "severity": "negligible minor serious critical catastrophic",
    "stride": "spoofing tampering repudiation information-disclosure denial-of-service elevation-of-privilege",
    "control": "secure-boot signed-firmware-update authenticated-update-channel firmware-rollback-protection "
    "firmware-encryption role-based-access multi-factor-authentication unique-credentials password-policy "
    "account-lockout session-timeout emergency-access mutual-tls transport-encryption message-authentication "
    "replay-protection encryption-at-rest secure-key-storage certificate-management audit-logging log-forwarding "
    "intrusion-detection network-segmentation firewall-allowlist debug-port-disabled tamper-evidence "
    "input-validation rate-limiting signed-configuration ble-secure-pairing wifi-enterprise-auth "
    "protected-management-frames vpn-remote-access remote-access-approval code-signing sbom-management "
    "vulnerability-monitoring patch-management backup-restore fail-safe-mode resource-limits "
    "application-allowlisting system-hardening smb-signing time-synchronization data-minimisation "
    "secure-decommissioning alarm-integrity-monitoring api-authentication anti-malware",
    "fda-category": "FDA-AUTHN FDA-AUTHZ FDA-CRYPTO FDA-INTEGRITY FDA-CONFIDENTIALITY FDA-EVENT-DETECTION "
    "FDA-RESILIENCY FDA-UPDATABILITY",
    "requirement": "FR1 FR2 FR3 FR4 FR5 FR6 FR7 CR-1.1 CR-1.14 CR-2.13 CR-3.14 CR-4.3 CR-5.3 CR-6.2 CR-7.8",
    "activity": "IEC81001-5-1:5.2 IEC81001-5-1:5.7.3 IEC81001-5-1:7.2 IEC81001-5-1:9",
    "threat-class": "tc-ble-pairing-mitm tc-cleartext-hl7-injection tc-default-credentials tc-unsigned-firmware "
    "tc-debug-port-access tc-rf-command-replay tc-wifi-deauth-dos tc-cloud-account-takeover "
    "tc-insecure-remote-access tc-deprecated-tls tc-missing-audit-log tc-phi-at-rest-unencrypted tc-smb-exposure "
    "tc-drug-library-tampering tc-alarm-suppression tc-dicom-cleartext",
}


@pytest.mark.parametrize("kind", sorted(REQUIRED))
def test_required_identifiers_exist(kind: str) -> None:
    kb = load_kb()
    missing = [i for i in REQUIRED[kind].split() if kb.term(i, kind) is None or kb.term(i, kind).id != i]  # type: ignore[union-attr]
    assert not missing


def test_every_kind_is_populated_and_terms_are_documented() -> None:
    kb = load_kb()
    counts = kb.counts()
    assert set(counts) == set(KINDS) and all(counts.values())
    assert counts["threat-class"] >= 40 and counts["requirement"] >= 50
    for kind in KINDS:
        for ident in kb.ids(kind):
            term = kb.term(ident, kind)
            assert term is not None and term.label and term.definition and term.source, ident


def test_resolve_aliases_and_suggest() -> None:
    kb = load_kb()
    assert kb.resolve("pump server", "device-type") == "InfusionManagementServer"
    assert kb.resolve("drug_library_server") == "InfusionManagementServer"
    assert kb.resolve("tls 1.2", "protocol") == "TLS1.2"
    assert kb.resolve("wpa2 enterprise") == "WPA2-Enterprise"
    assert kb.resolve("ICD") == "ImplantableCardioverterDefibrillator"
    assert kb.resolve("nothing-like-this") is None
    assert "InfusionPump" in kb.suggest("InfusionPmp", "device-type")
    assert kb.term("NFC").kind == "interface" and kb.term("NFC", "protocol").kind == "protocol"  # type: ignore[union-attr]


def test_hierarchy_and_device_types() -> None:
    kb = load_kb()
    assert kb.is_a("PCAPump", "InfusionPump") and kb.is_a("PCAPump", "MedicalDevice") and kb.is_a("PACS", "PACS")
    assert not kb.is_a("PACS", "MedicalDevice")
    assert kb.ancestors("Pacemaker") == ("ImplantableDevice", "MedicalDevice", "Component")
    pump = kb.device_type("insulin pump")
    assert pump.life_sustaining and pump.has_essential_performance and "BLE" in pump.typical_interfaces
    assert {"therapy-settings", "drug-library"} <= set(pump.typical_assets)  # inherited from InfusionPump
    assert "over-delivery-of-therapy" in pump.typical_hazards
    with pytest.raises(KbError) as err:
        kb.device_type("InfusionPmp")
    assert "did you mean" in str(err.value) and "InfusionPump" in str(err.value)


def test_protocol_control_threat_and_hazard_records() -> None:
    kb = load_kb()
    jw = kb.protocol("BLE-LESC-JustWorks")
    assert jw.confidentiality and not jw.mitm_resistance and jw.scope == "link" and jw.interface == "BLE"
    assert kb.protocol("TLS1.0").deprecated and "CWE-757" in kb.protocol("TLS1.0").weaknesses
    assert kb.protocol("WPA2-PSK").layer == "link" and kb.protocol("HTTPS").scope == "end-to-end"
    boot = kb.control("secure-boot")
    assert "CR-3.14" in boot.crs and boot.fr == ("FR3",) and boot.effectiveness == "high"
    assert any(c.startswith("FDA-INTEGRITY") for c in boot.fda_categories)
    tc = kb.threat_class("tc-ble-pairing-mitm")
    assert tc.stride == "spoofing" and "ble-secure-pairing" in tc.mitigated_by and "CAPEC-94" in tc.capecs
    assert "T0830" in tc.attack_ics and "BLE" in tc.applies_to
    assert set(kb.hazards_for_loss("therapy-settings", "I")) >= {"over-delivery-of-therapy", "under-delivery-of-therapy"}
    assert kb.hazards_for_loss("alarms", "A") == ("delayed-therapy", "loss-of-alarm")
    assert kb.hazards_for_loss("phi", "C") == ("privacy-breach",)
    assert kb.hazards_for_loss("diagnostic-data", "integrity")[0] in ("incorrect-therapy", "misdiagnosis")
    assert [kb.severity_rank(s) for s in REQUIRED["severity"].split()] == [1, 2, 3, 4, 5]
    with pytest.raises(KbError):
        kb.severity_rank("deadly")
    assert any(t.id == "tc-drug-library-tampering" for t in kb.threat_classes_for("LargeVolumeInfusionPump"))


def test_catalogue_entries_ship_without_import() -> None:
    kb = load_kb()
    cwe = kb.catalogue_entry("cwe-287")
    assert cwe is not None and cwe.label == "Improper Authentication" and cwe.kind == "cwe"
    assert kb.catalogue_entry("CAPEC-94").label.startswith("Adversary in the Middle")  # type: ignore[union-attr]
    assert kb.catalogue_entry("T0878").label == "Alarm Suppression"  # type: ignore[union-attr]


def test_warm_load_uses_disk_cache_and_memo(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    first = load_kb()
    assert load_kb() is first
    assert list((tmp_path / "cache" / "kb").glob("kb-index-*.pickle"))
    clear_memo()

    def no_compile(*_: object) -> None:
        raise AssertionError("compiled although a cache exists")

    monkeypatch.setattr(kb_loader, "_compile", no_compile)
    second = load_kb()
    assert second is not first and second.key == first.key and second.counts() == first.counts()


def test_corrupt_cache_is_rebuilt(tmp_path: Path) -> None:
    kb = load_kb()
    for cached in (tmp_path / "cache" / "kb").glob("kb-index-*.pickle"):
        cached.write_bytes(b"not a pickle")
    clear_memo()
    assert load_kb().counts() == kb.counts()


def test_broken_turtle_names_the_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "bad.ttl").write_text("@prefix iomt: <https://w3id.org/medsecurance/iomt#> .\n\niomt:x iomt:id \n", "utf-8")
    monkeypatch.setattr(kb_loader, "DATA_DIR", data)
    with pytest.raises(KbError) as err:
        load_kb()
    assert "bad.ttl" in str(err.value) and "invalid Turtle" in str(err.value)


def test_dangling_reference_is_reported(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "x.ttl").write_text(
        "@prefix iomt: <https://w3id.org/medsecurance/iomt#> .\n@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        'iomt:c-x a iomt:Control ; iomt:id "x" ; rdfs:label "X" ; iomt:satisfies iomt:CR-9.9 .\n', "utf-8")
    monkeypatch.setattr(kb_loader, "DATA_DIR", data)
    with pytest.raises(KbError) as err:
        load_kb()
    assert "[x]" in str(err.value) and "CR-9.9" in str(err.value)
