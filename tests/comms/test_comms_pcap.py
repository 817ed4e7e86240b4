"""Traffic analysis of real loopback captures and synthetic edge cases against the model."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import dpkt
import pytest

from medsecurance.comms.capture import iter_packets
from medsecurance.comms.flows import BUFFER_CAP, MAX_CONNECTIONS
from medsecurance.comms.inventory import Inventory, load_hosts
from medsecurance.comms.traffic import TrafficResult, analyze_capture
from medsecurance.errors import CaptureError
from medsecurance.findings import Severity
from medsecurance.model import load
from medsecurance.model.schema import SystemModel

DATA = Path(__file__).resolve().parents[1] / "data" / "comms"


@pytest.fixture(scope="module")
def model() -> SystemModel:
    return load(DATA / "model.yaml").model


@pytest.fixture(scope="module")
def hosts(model: SystemModel) -> Inventory:
    return load_hosts(DATA / "hosts.yaml", model)


@pytest.fixture(scope="module")
def loopback(model: SystemModel, hosts: Inventory) -> TrafficResult:
    return analyze_capture(DATA / "loopback.pcap", model, hosts=hosts)


def _by_rule(result: TrafficResult, rule: str) -> list[str]:
    return sorted(f.title for f in result.findings if f.rule == rule)


def test_protocols_identified_by_payload(loopback: TrafficResult) -> None:
    seen = {(o.conversation.port, o.conversation.protocol, o.conversation.method) for o in loopback.observed}
    assert seen == {
        (8443, "TLS1.3", "payload"),
        (4443, "TLS1.0", "payload"),
        (2575, "HL7v2-MLLP", "payload"),
        (1883, "MQTT", "payload"),
        (11112, "DICOM", "payload"),
        (80, "HTTP", "payload"),
        (21, "FTP", "payload"),
        (23, "Telnet", "payload"),
        (53, "DNS", "payload"),
    }
    tls13 = next(o for o in loopback.observed if o.conversation.port == 8443).to_dict()
    assert tls13["facts"]["sni"] == ["pump-server.test"] and tls13["flow"] == "F-orders"
    dicom = next(o for o in loopback.observed if o.conversation.port == 11112).to_dict()
    assert dicom["facts"]["called_ae"] == ["PACS"] and dicom["facts"]["calling_ae"] == ["CT01"]
    hl7 = next(o for o in loopback.observed if o.conversation.port == 2575).to_dict()
    assert hl7["facts"]["hl7_message"] == ["ORU^R01"]


def test_capture_reported_against_model(loopback: TrafficResult) -> None:
    undeclared = _by_rule(loopback, "comms.undeclared-flow")
    assert any("biomed-laptop:80 (HTTP)" in t for t in undeclared)
    assert any("pump-server:23 (Telnet)" in t for t in undeclared)
    assert _by_rule(loopback, "comms.unobserved-flow") == [
        "Modelled flow not seen in the capture: F-dose-log (pump → pump-server)"
    ]
    cleartext = {f.elements[0] for f in loopback.findings if f.rule == "comms.cleartext-observed"}
    assert cleartext == {"F-hl7", "F-images", "F-telemetry"}
    creds = {f.details["observed"]["protocol"] for f in loopback.findings if f.rule == "comms.cleartext-credentials"}
    assert creds == {"FTP", "HTTP", "MQTT", "Telnet"}
    deprecated = [f for f in loopback.findings if f.rule == "comms.deprecated-tls"]
    assert len(deprecated) == 1 and deprecated[0].elements[0] == "F-status" and deprecated[0].severity is Severity.HIGH
    weak = [f for f in loopback.findings if f.rule == "comms.weak-cipher"]
    assert [f.details["cipher"] for f in weak] == ["TLS_RSA_WITH_AES_128_CBC_SHA"]
    dns = next(f for f in loopback.findings if "(DNS)" in f.title)
    assert dns.severity is Severity.INFO and "127.0.0.60" in dns.explanation


def test_evidence_record(loopback: TrafficResult) -> None:
    ev = loopback.evidence
    assert ev["packets"] == 95 and ev["connections"] == 9 and ev["format"] == "pcap"
    assert len(ev["sha256"]) == 64 and ev["first_packet"] <= ev["last_packet"]
    assert ev["flows_observed"] == ["F-hl7", "F-images", "F-orders", "F-status", "F-telemetry"]


def test_pcapng_gives_the_same_result(model: SystemModel, hosts: Inventory, loopback: TrafficResult) -> None:
    ng = analyze_capture(DATA / "loopback.pcapng", model, hosts=hosts)
    assert ng.evidence["format"] == "pcapng"
    assert [f.to_dict() for f in ng.findings] == [f.to_dict() for f in loopback.findings]


def test_output_is_deterministic(model: SystemModel, hosts: Inventory, loopback: TrafficResult) -> None:
    again = analyze_capture(DATA / "loopback.pcap", model, hosts=hosts)
    assert json.dumps(again.to_dict(), sort_keys=True) == json.dumps(loopback.to_dict(), sort_keys=True)


def test_external_destination_with_rc4_and_tls10(model: SystemModel, hosts: Inventory) -> None:
    result = analyze_capture(DATA / "external.pcap", model, hosts=hosts)
    rules = {f.rule: f for f in result.findings if "93.184.216.34" in f.title}
    assert set(rules) == {"comms.external-destination", "comms.deprecated-tls", "comms.weak-cipher"}
    assert rules["comms.weak-cipher"].details["cipher"] == "TLS_RSA_WITH_RC4_128_SHA"
    assert any("RFC 7465" in r for r in rules["comms.weak-cipher"].references)
    facts = result.observed[0].to_dict()["facts"]
    assert facts["sni"] == ["cloud.vendor.example"] and facts["client_max_version"] == ["TLS1.2"]


def test_without_inventory_only_wire_facts_are_reported(model: SystemModel) -> None:
    result = analyze_capture(DATA / "loopback.pcap", model)
    rules = {f.rule for f in result.findings}
    assert "comms.undeclared-flow" not in rules and "comms.unobserved-flow" not in rules
    assert {"comms.cleartext-credentials", "comms.deprecated-tls"} <= rules


def test_reordered_segments_are_reassembled(model: SystemModel) -> None:
    result = analyze_capture(DATA / "reordered.pcap", model)
    assert result.evidence["linktype"] == 113
    facts = result.observed[0].to_dict()["facts"]
    assert facts["framing"] == ["complete"] and facts["hl7_message"] == ["ORU^R01"]


def test_empty_capture(model: SystemModel) -> None:
    result = analyze_capture(DATA / "empty.pcap", model)
    assert result.evidence["packets"] == 0 and result.evidence["first_packet"] is None and not result.findings


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("truncated.pcap", "truncated capture: packet 95 at byte offset"),
        ("badlength.pcap", "corrupt capture: a record at byte offset 40 (packet 1)"),
        ("malformed.pcap", "not a pcap or pcapng capture"),
        ("unknown-linktype.pcap", "unsupported link type 147 (packet 1, byte offset 24)"),
    ],
)
def test_bad_captures_are_located_errors(model: SystemModel, name: str, expected: str) -> None:
    with pytest.raises(CaptureError) as err:
        analyze_capture(DATA / name, model)
    assert expected in str(err.value) and name in str(err.value)


def test_missing_capture(model: SystemModel, tmp_path: Path) -> None:
    with pytest.raises(CaptureError, match="cannot open capture"):
        analyze_capture(tmp_path / "nope.pcap", model)


def test_corrupt_pcapng_block(tmp_path: Path, model: SystemModel) -> None:
    good = (DATA / "loopback.pcapng").read_bytes()
    bad = tmp_path / "bad.pcapng"
    pos = 0
    for _ in range(3):  # skip the section header, the interface description and one packet block
        pos += struct.unpack_from("<I", good, pos + 4)[0]
    bad.write_bytes(good[:pos] + struct.pack("<II", 6, 4) + good[pos + 8 :])  # a block claiming 4 bytes (< 12)
    with pytest.raises(CaptureError, match="corrupt capture"):
        analyze_capture(bad, model)


def test_hosts_validation_names_line_and_column(tmp_path: Path, model: SystemModel) -> None:
    bad = tmp_path / "hosts.yaml"
    bad.write_text("hosts:\n  10.0.0.1: pump\n  not-an-address: pump\n  10.0.0.2: no-such-component\n")
    with pytest.raises(CaptureError) as err:
        load_hosts(bad, model)
    lines = [str(d) for d in err.value.items]
    assert any(":3:3:" in line and "not an IP address" in line for line in lines)
    assert any(":4:3:" in line and "no-such-component" in line for line in lines)
    top = tmp_path / "top.yaml"
    top.write_text("- 10.0.0.1\n")
    with pytest.raises(CaptureError, match="'hosts:' mapping"):
        load_hosts(top)


def test_inventory_networks_and_macs(tmp_path: Path) -> None:
    f = tmp_path / "hosts.yaml"
    f.write_text('hosts:\n  10.1.0.0/16: pump\n  10.1.2.0/24: pump-server\n  "02:00:5E:10:00:21": ehr\n')
    inv = load_hosts(f)
    assert inv.component("10.1.9.9") == "pump" and inv.component("10.1.2.3") == "pump-server"
    assert inv.component("192.168.0.1", "02:00:5e:10:00:21") == "ehr" and inv.component("192.168.0.1") is None


def _frame(i: int) -> bytes:
    payload = b"\x16\x03\x01" + b"\x00" * 60
    tcp = dpkt.tcp.TCP(sport=10000 + i % 50000, dport=443, seq=1, flags=0x18, data=payload)
    ip = dpkt.ip.IP(src=bytes([10, 9, (i >> 8) & 255, i & 255]), dst=b"\x0a\x00\x00\x01", p=6, data=tcp)
    ip.len = len(ip)
    return bytes(dpkt.ethernet.Ethernet(data=ip))


def test_connection_table_is_bounded(tmp_path: Path, model: SystemModel) -> None:
    path = tmp_path / "many.pcap"
    n = MAX_CONNECTIONS + 500
    with path.open("wb") as fh:
        w = dpkt.pcap.Writer(fh)
        for i in range(n):
            w.writepkt(_frame(i), 1767225600 + i / 1000)
    result = analyze_capture(path, model)
    assert result.evidence["connections"] == n
    assert sum(o.conversation.connections for o in result.observed) == n
    assert BUFFER_CAP <= 64 * 1024


def test_iter_packets_skips_non_ip(tmp_path: Path) -> None:
    path = tmp_path / "arp.pcap"
    with path.open("wb") as fh:
        w = dpkt.pcap.Writer(fh)
        w.writepkt(bytes(dpkt.ethernet.Ethernet(type=0x0806, data=b"\x00" * 28)), 1.0)
        w.writepkt(_frame(1), 2.0)
    assert [p.dport for p in iter_packets(path)] == [443]
