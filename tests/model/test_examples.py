"""The three reference systems in examples/: they load cleanly, their SBOMs and evidence are valid,
and every weakness their README documents is really in the model."""

from __future__ import annotations

import hashlib
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator
from packageurl import PackageURL

from medsecurance.model import SystemModel, load
from medsecurance.model.schema import ContractClause

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SYSTEMS = ("hospital", "clinic", "home")
CPE23 = re.compile(r"^cpe:2\.3:[aho]:[^:]+:[^:]+(:[^:]*){8}$")
FR = ("FR1", "FR2", "FR3", "FR4", "FR5", "FR6", "FR7")


@cache
def _model(system: str) -> SystemModel:
    return load(EXAMPLES / system / "model.yaml").model


def _sboms(system: str) -> list[Path]:
    return sorted((EXAMPLES / system / "sboms").glob("*.cdx.json"))


def _components(sbom: Path) -> list[dict[str, Any]]:
    data: dict[str, Any] = json.loads(sbom.read_text(encoding="utf-8"))
    return list(data["components"])


def _props(component: dict[str, Any]) -> dict[str, str]:
    return {p["name"]: p["value"] for p in component.get("properties", [])}


# --- loading ---------------------------------------------------------------------------------


@pytest.mark.parametrize("system", SYSTEMS)
def test_example_loads_without_errors_or_warnings(system: str) -> None:
    result = load(EXAMPLES / system / "model.yaml")
    assert result.warnings == ()
    assert result.model.system.setting.value == system


@pytest.mark.parametrize("system", SYSTEMS)
def test_example_uses_only_knowledge_base_ids(system: str) -> None:
    from medsecurance.kb import load_kb

    kb = load_kb()
    model = _model(system)
    wanted: list[tuple[str, str]] = []
    for comp in model.components:
        wanted.append((comp.type, "device-type"))
        wanted += [(c, "control") for c in comp.controls]
        for iface in comp.interfaces:
            wanted.append((iface.kind, "interface"))
            wanted += [(p, "protocol") for p in iface.protocol]
    wanted += [(p, "protocol") for f in model.flows for p in f.protocol]
    wanted += [(c, "control") for z in model.zones for c in z.countermeasures]
    wanted += [(c, "control") for cd in model.conduits for c in cd.countermeasures]
    wanted += [(d, "data-category") for a in model.assets for d in a.data_categories]
    wanted += [(h.hazard_type, "hazard-type") for h in model.hazards if h.hazard_type]
    unknown = sorted({(name, kind) for name, kind in wanted if kb.resolve(name, kind) is None})
    assert unknown == []


@pytest.mark.parametrize("system", SYSTEMS)
def test_every_element_is_documented(system: str) -> None:
    model = _model(system)
    info = model.system
    assert info.intended_use and info.manufacturer and info.manufacturer.cvd_policy
    assert info.device_class and info.device_class.eu_mdr and info.device_class.fda
    assert info.patch_timeline_days and info.patch_timeline_days["critical"] <= 30
    for comp in model.components:
        assert comp.name and comp.zone and comp.interfaces, comp.id
        assert comp.end_of_support is not None and comp.update is not None, comp.id
        if not comp.off_the_shelf and comp.type not in ("Server",):
            assert comp.sbom and comp.vendor and comp.version, comp.id
    for hazard in model.hazards:
        assert hazard.hazard_type, hazard.id
    assert any(a.attacker for a in model.actors)


# --- SBOMs -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sbom", [p for s in SYSTEMS for p in _sboms(s)], ids=lambda p: f"{p.parent.parent.name}/{p.name}"
)
def test_sbom_validates_against_cyclonedx_1_6(sbom: Path) -> None:
    validator = JsonStrictValidator(SchemaVersion.V1_6)
    error = validator.validate_str(sbom.read_text(encoding="utf-8"))
    assert error is None, f"{sbom}: {error}"


@pytest.mark.parametrize("system", SYSTEMS)
def test_sboms_are_referenced_and_complete(system: str) -> None:
    model = _model(system)
    referenced = {EXAMPLES / system / c.sbom for c in model.components if c.sbom}
    assert referenced == set(_sboms(system))
    for sbom in _sboms(system):
        data = json.loads(sbom.read_text(encoding="utf-8"))
        assert data["specVersion"] == "1.6" and data["metadata"]["timestamp"]
        assert data["metadata"]["authors"] and data["metadata"]["component"]["name"]
        refs = {c["bom-ref"] for c in data["components"]}
        assert {d["ref"] for d in data["dependencies"]} == refs | {data["metadata"]["component"]["bom-ref"]}
        for comp in data["components"]:
            assert comp["supplier"]["name"] and comp["version"] and comp["licenses"], comp["name"]
            if "purl" in comp:
                purl = PackageURL.from_string(comp["purl"])
                assert purl.version and comp["version"].lstrip("v") in purl.version, comp["purl"]
            if "cpe" in comp:
                assert CPE23.match(comp["cpe"]), comp["cpe"]
            props = _props(comp)
            assert set(props) in (set(), {"Level of Support", "End-of-Support"}), comp["name"]
            if props:
                assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", props["End-of-Support"])
                assert props["Level of Support"] in ("actively maintained", "no longer maintained", "abandoned")


#: SBOM components deliberately left without FDA support properties, and those past end of support
WITHOUT_SUPPORT = {
    "hospital": {"u-boot", "freertos-kernel", "lwip"},
    "clinic": {"libjpeg-turbo", "vtk", "openvpn"},
    "home": {"freertos-kernel", "zephyr", "lodash"},
}
PAST_EOS = {"hospital": {"openssl@1.1.1k"}, "clinic": {"qt@5.15.2"}, "home": {"okhttp@3.12.0"}}
TODAY = "2026-11-29"  # date the examples were written; the past-EOS set is fixed relative to it


@pytest.mark.parametrize("system", SYSTEMS)
def test_sbom_support_gaps_are_exactly_the_documented_ones(system: str) -> None:
    missing, past = set(), set()
    for sbom in _sboms(system):
        for comp in _components(sbom):
            props = _props(comp)
            if not props:
                missing.add(comp["name"])
            elif props["End-of-Support"] < TODAY:
                assert props["Level of Support"] == "no longer maintained"
                past.add(f"{comp['name']}@{comp['version']}")
    assert missing == WITHOUT_SUPPORT[system]
    assert past == PAST_EOS[system]
    readme = (EXAMPLES / system / "README.md").read_text(encoding="utf-8").lower()
    for name in missing | {p.split("@")[0] for p in past}:
        assert name.replace("-kernel", "") in readme.replace(" kernel", ""), name


@pytest.mark.parametrize(
    ("system", "name", "version"),
    [
        ("hospital", "log4j-core", "2.14.1"),
        ("hospital", "openssl", "1.1.1k"),
        ("hospital", "busybox", "1.31.1"),
        ("hospital", "lwip", "2.1.2"),
        ("clinic", "dcmtk", "3.6.5"),
        ("clinic", "openvpn", "2.5.1"),
        ("home", "pyjwt", "1.7.1"),
        ("home", "okhttp", "3.12.0"),
    ],
)
def test_known_vulnerable_versions_are_present(system: str, name: str, version: str) -> None:
    found = {(c["name"], c["version"]) for s in _sboms(system) for c in _components(s)}
    assert (name, version) in found


# --- evidence --------------------------------------------------------------------------------


@pytest.mark.parametrize("system", SYSTEMS)
def test_evidence_hashes_match(system: str) -> None:
    model = _model(system)
    assert len(model.evidence) >= 3
    files = set()
    for ev in model.evidence:
        assert ev.file and ev.sha256 and ev.date and ev.covers, ev.id
        path = EXAMPLES / system / ev.file
        assert hashlib.sha256(path.read_bytes()).hexdigest() == ev.sha256, ev.id
        files.add(path)
    assert files == set((EXAMPLES / system / "evidence").iterdir())


# --- weaknesses ------------------------------------------------------------------------------


def _undischarged(model: SystemModel) -> set[tuple[str, str]]:
    """(property, element) assumptions no guarantee covers: a simplified check for the examples only."""
    given: set[tuple[str, str]] = set()

    def add(owner: str, clauses: tuple[ContractClause, ...]) -> None:
        for c in clauses:
            given.update((c.property, e) for e in (*c.elements, owner))

    env = model.environment
    add("*", env.guarantees if env else ())
    for comp in model.components:
        add(comp.id, comp.guarantees)
    for flow in model.flows:
        add(flow.id, flow.guarantees)
    for zone in model.zones:
        add(zone.id, zone.guarantees)
    assumed = [("*", env.assumes if env else ())]
    assumed += [(c.id, c.assumes) for c in model.components] + [(f.id, f.assumes) for f in model.flows]
    wanted: set[tuple[str, str]] = set()
    for owner, clauses in assumed:
        for c in clauses:
            wanted.update((c.property, e) for e in (c.elements or (owner,)))
    return {(p, e) for p, e in wanted if (p, e) not in given and (p, "*") not in given}


UNDISCHARGED = {
    "hospital": {("integrity-protected", "F-orders-hl7"), ("logs-forwarded", "lvp"), ("logs-forwarded", "syringe")},
    "clinic": {("remote-session-approved", "F-remote-ct"), ("remote-session-approved", "F-remote-workstation")},
    "home": {
        ("replay-protected", "F-bolus"),
        ("replay-protected", "F-remote-bolus-relay"),
        ("patched-within-N-days", "app"),
    },
}


@pytest.mark.parametrize("system", SYSTEMS)
def test_undischarged_assumptions_are_exactly_the_documented_ones(system: str) -> None:
    assert _undischarged(_model(system)) == UNDISCHARGED[system]


SL_GAPS = {
    "hospital": {"lvp": {"FR1", "FR3"}, "syringe": set(FR)},
    "clinic": {"ct": {"FR1", "FR3", "FR4"}, "rsg": {"FR1", "FR2", "FR3"}},
    "home": {"pump": {"FR3"}, "cgm": {"FR1", "FR2", "FR3", "FR4", "FR6", "FR7"}, "cloud": {"FR6"}},
}


@pytest.mark.parametrize("system", SYSTEMS)
def test_security_level_gaps(system: str) -> None:
    model = _model(system)
    zones = {z.id: z for z in model.zones}
    gaps = {}
    for comp in model.components:
        if comp.security_levels and comp.security_levels.capability and comp.zone:
            cap, target = comp.security_levels.capability, zones[comp.zone].sl_target
            below = {fr for fr in FR if getattr(cap, fr) < getattr(target, fr)}
            if below:
                gaps[comp.id] = below
    assert gaps == SL_GAPS[system]


def _flow(model: SystemModel, flow_id: str) -> Any:
    return next(f for f in model.flows if f.id == flow_id)


def _iface(model: SystemModel, comp_id: str, iface_id: str) -> Any:
    comp = model.component(comp_id)
    assert comp is not None
    return comp.interface(iface_id)


def test_hospital_weaknesses() -> None:
    m = _model("hospital")
    hl7 = _flow(m, "F-orders-hl7")  # H-W1
    assert "HL7v2-MLLP" in hl7.protocol and not any(p.startswith("TLS") for p in hl7.protocol)
    assert hl7.encryption == "none" and "A-orders" in hl7.data
    wifi = _iface(m, "syringe", "wifi")  # H-W2
    assert wifi.protocol[0] == "WPA2-PSK" and wifi.credentials.shared
    assert _iface(m, "lvp", "usb-service").credentials.default  # H-W3
    assert _iface(m, "syringe", "serial-service").credentials.default
    uart = _iface(m, "lvp", "debug-uart")  # H-W4
    assert uart.kind == "UART" and uart.enabled and uart.exposed and uart.physical
    lvp, syringe = m.component("lvp"), m.component("syringe")
    assert lvp is not None and syringe is not None
    assert "debug-port-disabled" not in lvp.controls
    ldap = _flow(m, "F-ldap-bind")  # H-W5
    assert "LDAP" in ldap.protocol and "LDAPS" not in ldap.protocol and ldap.port == 389
    assert "LDAPS" in _flow(m, "F-ldaps-engine").protocol
    for pump in (lvp, syringe):  # H-W6
        assert "log-forwarding" not in pump.controls
        assert not [f for f in m.flows if f.source == pump.id and f.target == "siem"]
    assert {f.source for f in m.flows if f.target == "siem"} == {"pump-server", "hl7-engine"}
    assert syringe.update is not None and not syringe.update.signed  # H-W8
    assert m.component("pump-server").patients > 1  # type: ignore[union-attr]
    tamper = next(h for h in m.hazards if h.id == "H-druglib-tamper")
    assert tamper.multi_patient and tamper.severity.value == "catastrophic"
    druglib = next(a for a in m.assets if a.id == "A-druglib")
    assert "drug-library" in druglib.data_categories and druglib.integrity.value == "high"


def test_clinic_weaknesses() -> None:
    m = _model("clinic")
    store = _flow(m, "F-images-store")  # C-W1
    assert store.protocol == ("IPv4", "DICOM") and store.encryption == "none" and store.port == 104
    assert "DICOM-TLS" in _flow(m, "F-images-reading").protocol
    smb = _iface(m, "workstation", "smb")  # C-W2
    assert "SMB1" in smb.protocol and smb.enabled and smb.exposed
    assert "smb-signing" not in m.component("workstation").controls  # type: ignore[union-attr]
    assert _iface(m, "rsg", "vpn").credentials.shared  # C-W3
    # C-W4: the chain vendor-rsc -> rsg -> ct carries the scan protocols linked to over-exposure
    assert (_flow(m, "F-remote-vpn").source, _flow(m, "F-remote-vpn").target) == ("vendor-rsc", "rsg")
    remote = _flow(m, "F-remote-ct")
    assert (remote.source, remote.target) == ("rsg", "ct") and "A-protocols" in remote.data
    protocols = next(a for a in m.assets if a.id == "A-protocols")
    assert "H-overexposure" in protocols.hazards
    assert not any(c.property == "remote-session-approved" for c in m.environment.guarantees)  # type: ignore[union-attr]
    assert _iface(m, "ct", "remote").authentication == "password"  # C-W6


def test_home_weaknesses() -> None:
    m = _model("home")
    for comp, iface in (("cgm", "ble"), ("pump", "ble-cgm"), ("app", "ble-cgm")):  # M-W1
        assert _iface(m, comp, iface).protocol == ("BLE-Legacy-JustWorks",)
    assert _iface(m, "pump", "ble-app").protocol == ("BLE-LESC-NumericComparison",)
    assert "A-glucose" in _flow(m, "F-cgm-pump").data
    pump, portal = m.component("pump"), m.component("portal")
    assert pump is not None and portal is not None
    assert "replay-protection" not in pump.controls  # M-W2
    assert "multi-factor-authentication" not in portal.controls  # M-W3
    assert _iface(m, "portal", "https").authentication == "password"
    assert next(z for z in m.zones if z.id == portal.zone).internet_reachable
    swd = _iface(m, "pump", "swd")
    assert not swd.enabled and "debug-port-disabled" in pump.controls


@pytest.mark.parametrize(
    ("system", "ids"),
    [
        ("hospital", [f"H-W{i}" for i in range(1, 11)]),
        ("clinic", [f"C-W{i}" for i in range(1, 7)]),
        ("home", [f"M-W{i}" for i in range(1, 6)]),
    ],
)
def test_readme_lists_the_weaknesses(system: str, ids: list[str]) -> None:
    readme = (EXAMPLES / system / "README.md").read_text(encoding="utf-8")
    for wid in ids:
        assert f"| {wid} |" in readme, wid
    assert not re.search(rf"\| {ids[0][0]}-W{len(ids) + 1} \|", readme)
