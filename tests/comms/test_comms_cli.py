"""The ``medsec comms`` commands, run through ``medsecurance.cli.main``."""

from __future__ import annotations

import json
import ssl
from pathlib import Path

import pytest
from comms_helpers import Pki, tls_context

from medsecurance.cli import main

DATA = Path(__file__).resolve().parents[1] / "data" / "comms"
MODEL = str(DATA / "model.yaml")


def test_stack_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["comms", "stack", MODEL, "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out["flows"]) == {"F-ble", "F-dose-log", "F-hl7", "F-images", "F-orders", "F-status", "F-telemetry"}
    assert any(f["rule"] == "comms.no-mitm-protection" for f in out["findings"])


def test_stack_table_and_gate(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["comms", "stack", MODEL, "--fail-on", "critical"]) == 1
    assert "comms.integrity-unp" in capsys.readouterr().out


def test_pcap_json_is_byte_identical(capsys: pytest.CaptureFixture[str]) -> None:
    args = [
        "comms",
        "pcap",
        str(DATA / "loopback.pcap"),
        "--model",
        MODEL,
        "--hosts",
        str(DATA / "hosts.yaml"),
        "-f",
        "json",
    ]
    assert main(args) == 0
    first = capsys.readouterr().out
    assert main(args) == 0
    assert capsys.readouterr().out == first
    data = json.loads(first)
    assert data["evidence"]["packets"] == 95
    assert any(f["rule"] == "comms.undeclared-flow" for f in data["findings"])


def test_pcap_table_without_hosts(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["comms", "pcap", str(DATA / "external.pcap"), "--model", MODEL, "--fail-on", "high"]) == 1
    out = capsys.readouterr().out
    assert "no --hosts inventory" in out and "sha256" in out


def test_pcap_bad_capture_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["comms", "pcap", str(DATA / "truncated.pcap"), "--model", MODEL]) == 2
    err = capsys.readouterr().err
    assert "truncated.pcap" in err and "byte offset" in err


def test_probe_against_flow(pki: Pki, tls_server: object, capsys: pytest.CaptureFixture[str]) -> None:
    port = tls_server(tls_context(pki, minimum=ssl.TLSVersion.TLSv1_2, maximum=ssl.TLSVersion.TLSv1_3))  # type: ignore[operator]
    args = [
        "comms",
        "probe",
        f"127.0.0.1:{port}",
        "--flow",
        "F-orders",
        "--model",
        MODEL,
        "-f",
        "json",
        "--timeout",
        "3",
    ]
    assert main(args) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["evidence"]["accepted_versions"] == ["TLS1.2", "TLS1.3"]
    assert [f["rule"] for f in data["findings"]] == ["comms.client-cert-not-required"]


def test_probe_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["comms", "probe", "127.0.0.1:1", "--flow", "F-orders"]) == 2
    assert "--flow and --model go together" in capsys.readouterr().err
    assert main(["comms", "probe", "127.0.0.1:1", "--flow", "F-nope", "--model", MODEL]) == 2
    assert "flow 'F-nope' is not in" in capsys.readouterr().err
    assert main(["comms", "probe", "127.0.0.1:1", "--timeout", "1"]) == 2
    assert "127.0.0.1:1: cannot connect" in capsys.readouterr().err
