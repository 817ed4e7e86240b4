"""Live TLS probes against real loopback servers (TLS 1.0–1.3, with and without client certificates)."""

from __future__ import annotations

import ssl
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import pytest
from comms_helpers import Pki, make_cert, tls_context
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from medsecurance.comms.probe import parse_target, probe_tls
from medsecurance.comms.probe_compare import compare_probe, declared_tls
from medsecurance.errors import CommsError
from medsecurance.model.schema import Flow

V10, V11, V12, V13 = (ssl.TLSVersion.TLSv1, ssl.TLSVersion.TLSv1_1, ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3)
Start = Callable[[ssl.SSLContext], int]


def _flow(**kw: object) -> Flow:
    return Flow.model_validate({"id": "F-x", "from": "a", "to": "b", **kw})


def _can_serve_tls10() -> bool:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            ctx.set_ciphers("ALL:@SECLEVEL=0")
            ctx.minimum_version = V10
    except (ValueError, ssl.SSLError):
        return False
    return True


def test_tls12_server(pki: Pki, tls_server: Start) -> None:
    port = tls_server(tls_context(pki, minimum=V12, maximum=V12))
    result = probe_tls("127.0.0.1", port, timeout=3)
    assert result.accepted == ("TLS1.2",)
    assert result.client_certificate == "not-required"
    v12 = next(v for v in result.versions if v.version == "TLS1.2")
    assert v12.cipher and v12.cipher.startswith("TLS_ECDHE")
    leaf = result.certificates[0]
    assert leaf.key_type == "RSA" and leaf.key_size == 2048 and leaf.hostname_match is True and not leaf.expired
    evidence = result.to_dict()
    assert evidence["target"] == f"127.0.0.1:{port}" and evidence["started"] <= evidence["finished"]
    assert compare_probe(result, _flow(protocol=["TLS1.2"])) == []


def test_tls13_server_requiring_client_certificate(pki: Pki, tls_server: Start) -> None:
    port = tls_server(tls_context(pki, minimum=V13, maximum=V13, client_cert=True))
    result = probe_tls("127.0.0.1", port, timeout=3)
    assert result.accepted == ("TLS1.3",)
    assert result.client_certificate == "required"
    assert next(v for v in result.versions if v.version == "TLS1.3").cipher.startswith("TLS_AES")  # type: ignore[union-attr]
    findings = compare_probe(result, _flow(protocol=["TLS1.3"], authentication="mutual-tls"))
    assert not [f for f in findings if f.rule == "comms.client-cert-not-required"]


def test_tls12_server_requiring_client_certificate(pki: Pki, tls_server: Start) -> None:
    port = tls_server(tls_context(pki, minimum=V12, maximum=V12, client_cert=True))
    result = probe_tls("127.0.0.1", port, timeout=3)
    assert result.accepted == ("TLS1.2",)  # the ServerHello shows acceptance even though our empty certificate fails
    assert result.client_certificate == "required"
    assert len(result.certificates) >= 1


def test_mutual_flow_against_server_without_client_certificates(pki: Pki, tls_server: Start) -> None:
    port = tls_server(tls_context(pki, minimum=V12, maximum=V13))
    result = probe_tls("127.0.0.1", port, timeout=3)
    assert result.accepted == ("TLS1.2", "TLS1.3")
    findings = compare_probe(result, _flow(protocol=["TLS1.2", "TLS1.3"], authentication="mutual-tls"))
    assert [f.rule for f in findings] == ["comms.client-cert-not-required"]
    assert findings[0].elements == ("F-x", "a", "b")


@pytest.mark.skipif(not _can_serve_tls10(), reason="the local OpenSSL cannot enable TLS 1.0 even at SECLEVEL=0")
def test_tls10_enabled_server_against_flow_declaring_tls12(pki: Pki, tls_server: Start) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        port = tls_server(tls_context(pki, minimum=V10, maximum=V12))
        result = probe_tls("127.0.0.1", port, timeout=3)
    assert result.accepted == ("TLS1.0", "TLS1.1", "TLS1.2")
    findings = compare_probe(result, _flow(protocol=["TLS1.2", "TLS1.3", "HTTPS"]))
    below = {f.details["version"] for f in findings if f.rule == "comms.version-below-declared"}
    assert below == {"TLS1.0", "TLS1.1"}
    assert all(f.references for f in findings)
    # the server offers anonymous suites at SECLEVEL=0, which the weak-suite probe catches
    assert any(f.rule == "comms.weak-cipher" and f.details["weakness"] == "anonymous" for f in findings)
    assert any(f.rule == "comms.version-not-offered" and f.details["version"] == "TLS1.3" for f in findings)


def test_tls11_server_comparison_without_flow(pki: Pki, tls_server: Start) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        port = tls_server(tls_context(pki, minimum=V11, maximum=V11))
        result = probe_tls("127.0.0.1", port, timeout=3)
    if not result.accepted:  # pragma: no cover - OpenSSL build without TLS 1.1
        pytest.skip("TLS 1.1 not available")
    findings = compare_probe(result)
    assert [f.rule for f in findings if f.rule == "comms.deprecated-tls"] == ["comms.deprecated-tls"]


def test_certificate_problems(tmp_path: Path, tls_server: Start) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    cert = make_cert("wrong.example", key, sans=("wrong.example",), days=-1, start_days=-10)
    (tmp_path / "c.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "k.pem").write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.set_ciphers("ALL:@SECLEVEL=0")
    ctx.minimum_version = V12
    ctx.load_cert_chain(tmp_path / "c.pem", tmp_path / "k.pem")
    result = probe_tls("127.0.0.1", tls_server(ctx), timeout=3)
    leaf = result.certificates[0]
    assert leaf.expired and leaf.hostname_match is False and leaf.key_size == 1024 and leaf.self_signed
    texts = " | ".join(f.explanation for f in compare_probe(result) if f.rule == "comms.certificate-problem")
    assert "expired" in texts and "does not name 127.0.0.1" in texts and "below 2048" in texts


def test_plain_http_server_is_not_tls(http_server: int) -> None:
    with pytest.raises(CommsError) as err:
        probe_tls("127.0.0.1", http_server, timeout=2)
    assert "does not speak TLS" in str(err.value) and f"127.0.0.1:{http_server}" in str(err.value)


def test_silent_mllp_listener_times_out(mllp_server: int) -> None:
    started = time.monotonic()
    with pytest.raises(CommsError) as err:
        probe_tls("127.0.0.1", mllp_server, timeout=0.3)
    assert time.monotonic() - started < 10
    assert "within 0.3 s" in str(err.value)


def test_unreachable_port() -> None:
    import socket

    with socket.socket() as s:  # a port that is certainly closed: bind, never listen
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        with pytest.raises(CommsError, match="cannot connect"):
            probe_tls("127.0.0.1", port, timeout=1)


@pytest.mark.parametrize("text", ["nohost", "host:", ":443", "h:99999", "h:x"])
def test_bad_targets(text: str) -> None:
    with pytest.raises(CommsError, match="is not HOST:PORT"):
        parse_target(text)


def test_parse_target_ipv6() -> None:
    assert parse_target("[::1]:2762") == ("::1", 2762)


def test_declared_versions() -> None:
    assert declared_tls(_flow(protocol=["TLS1.3"])) == ("TLS1.3",)
    assert declared_tls(_flow(protocol=["HTTPS"])) == ("TLS1.2", "TLS1.3")
    assert declared_tls(_flow(protocol=["HL7v2-MLLP"])) == ()
