"""Recognise the protocol of a connection from its first bytes, falling back to the port.

Recognised by payload: TLS (ClientHello/ServerHello: versions incl. supported_versions, suites,
SNI), HL7 v2 over MLLP (0x0B … 0x1C 0x0D with an MSH segment), DICOM A-ASSOCIATE-RQ (PDU type
0x01), HTTP requests, MQTT CONNECT, DNS queries, SSH banners, Telnet option negotiation and FTP
(USER/PASS). Protocol names are knowledge-base ids (``TLS1.2``, ``HL7v2-MLLP``, ``DICOM`` …).
"""

from __future__ import annotations

import functools
from importlib import resources
from typing import Any

import yaml

from medsecurance.comms import tlswire
from medsecurance.comms.flows import Connection, Identified

__all__ = ["CLEARTEXT_CREDENTIAL_FACT", "identify", "is_server_port", "port_table"]

CLEARTEXT_CREDENTIAL_FACT = "cleartext_credentials"
_HTTP_METHODS = (b"GET ", b"POST ", b"PUT ", b"DELETE ", b"HEAD ", b"OPTIONS ", b"PATCH ", b"CONNECT ")


@functools.cache
def port_table() -> dict[str, Any]:
    """The well-known port table (``data/ports.yaml``)."""
    text = resources.files("medsecurance.comms").joinpath("data", "ports.yaml").read_text("utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


def _by_port(proto: int, port: int) -> str | None:
    table = port_table()["tcp" if proto == 6 else "udp"]
    value = table.get(port)
    return str(value) if value is not None else None


def is_server_port(proto: int, port: int) -> bool:
    """True for a well-known service port (used to orient connections whose start was not captured)."""
    return _by_port(proto, port) is not None


def _text(raw: bytes, limit: int = 64) -> str:
    return raw[:limit].decode("latin-1").strip("\x00 \r\n")


def _tls(conn: Connection, c: bytes, s: bytes, final: bool) -> Identified | None:
    client = server = None
    for mtype, body in tlswire.handshake_messages(c):
        if mtype == tlswire.CLIENT_HELLO:
            client = tlswire.parse_hello(mtype, body)
        break
    for mtype, body in tlswire.handshake_messages(s):
        if mtype == tlswire.SERVER_HELLO:
            server = tlswire.parse_hello(mtype, body)
        break
    if server is None and not final:
        return None  # wait for the ServerHello
    facts: list[tuple[str, str]] = []
    service = _by_port(6, conn.sport)
    if service:
        facts.append(("service", service))
    if client is not None:
        facts.append(("client_max_version", tlswire.version_name(client.version)))
        if client.sni:
            facts.append(("sni", client.sni))
    if server is None:
        return Identified("TLS", "payload", tuple(facts))
    facts += [
        ("tls_version", tlswire.version_name(server.version)),
        ("cipher_code", f"0x{server.cipher_suites[0]:04X}"),
    ]
    return Identified(tlswire.version_name(server.version), "payload", tuple(facts))


def _mllp(c: bytes) -> Identified:
    facts = [("framing", "complete" if b"\x1c\x0d" in c else "partial")]
    segment = c[1:].split(b"\r", 1)[0].split(b"|")
    if len(segment) > 8:
        facts.append(("hl7_message", _text(segment[8], 20)))
    return Identified("HL7v2-MLLP", "payload", tuple(facts))


def _dicom(c: bytes) -> Identified:
    called, calling = _text(c[10:26]), _text(c[26:42])
    return Identified("DICOM", "payload", (("called_ae", called), ("calling_ae", calling)))


def _http(c: bytes) -> Identified:
    head = c.split(b"\r\n\r\n", 1)[0]
    lines = head.split(b"\r\n")
    facts = [("request", _text(lines[0], 80))]
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"host":
            facts.append(("host", _text(value, 80)))
        if name.strip().lower() == b"authorization" and value.strip().lower().startswith(b"basic"):
            facts.append((CLEARTEXT_CREDENTIAL_FACT, "http-basic"))
    return Identified("HTTP", "payload", tuple(facts))


def _mqtt(c: bytes) -> Identified | None:
    pos, length, shift = 1, 0, 0
    while pos < min(len(c), 5):  # remaining length: variable-length integer (MQTT 5.0 §1.5.5)
        length |= (c[pos] & 0x7F) << shift
        shift += 7
        pos += 1
        if not c[pos - 1] & 0x80:
            break
    name_len = int.from_bytes(c[pos : pos + 2], "big")
    if c[pos + 2 : pos + 2 + name_len] not in (b"MQTT", b"MQIsdp"):
        return None
    flags = c[pos + 3 + name_len] if len(c) > pos + 3 + name_len else 0
    facts = [("mqtt_level", str(c[pos + 2 + name_len]) if len(c) > pos + 2 + name_len else "?")]
    if flags & 0x40:
        facts.append((CLEARTEXT_CREDENTIAL_FACT, "mqtt-password"))
    return Identified("MQTT", "payload", tuple(facts))


def _dns(c: bytes) -> Identified:
    import dpkt

    facts: list[tuple[str, str]] = []
    try:
        msg = dpkt.dns.DNS(c)
        facts = [("query", q.name) for q in msg.qd[:4]]
    except (dpkt.UnpackError, IndexError, ValueError):
        pass
    return Identified("DNS", "payload" if facts else "port", tuple(facts))


def _server_first(s: bytes, c: bytes) -> Identified | None:
    if c.startswith(b"SSH-") or s.startswith(b"SSH-"):
        return Identified("SSH", "payload", (("banner", _text(s or c, 60)),))
    if (s[:1] == b"\xff" and s[1:2] in (b"\xfb", b"\xfd")) or (c[:1] == b"\xff" and c[1:2] in (b"\xfb", b"\xfd")):
        login = b"ogin:" in s or b"assword" in s
        return Identified("Telnet", "payload", ((CLEARTEXT_CREDENTIAL_FACT, "telnet-login"),) if login else ())
    if c.startswith(b"USER ") or (s.startswith(b"220") and c.startswith(b"AUTH ")):
        facts = [(CLEARTEXT_CREDENTIAL_FACT, "ftp-user-pass")] if b"\r\nPASS " in c or c.startswith(b"PASS ") else []
        return Identified("FTP", "payload", tuple(facts))
    return None


def _tcp(conn: Connection, c: bytes, s: bytes, final: bool) -> Identified | None:
    if tlswire.looks_like_tls(c):
        return _tls(conn, c, s, final)
    if c[:1] == b"\x0b" and b"MSH|" in c[:16]:
        return _mllp(c) if final or b"\x1c\x0d" in c else None  # wait for the end of the first message
    if len(c) >= 42 and c[0] == 1 and c[1] == 0 and c[6:8] == b"\x00\x01":
        return _dicom(c)
    if c.startswith(_HTTP_METHODS):
        return _http(c)
    if c[:1] == b"\x10":
        found = _mqtt(c)
        if found is not None:
            return found
    found = _server_first(s, c)
    if found is not None:
        if found.protocol == "FTP" and not final and b"PASS " not in c and conn.sport in (21,):
            return None  # wait for the password line
        if found.protocol == "Telnet" and not final and not found.facts:
            return None
        return found
    if not c and not final:
        return None  # server speaks first, or nothing yet
    port = _by_port(6, conn.sport)
    return Identified(port, "port") if port else Identified(f"unknown-{conn.sport}", "unknown")


def identify(conn: Connection, final: bool) -> Identified | None:
    """The protocol of ``conn`` from its buffered bytes; None to wait for more data."""
    c, s = bytes(conn.to_server.data), bytes(conn.to_client.data)
    if conn.proto == 6:
        try:
            return _tcp(conn, c, s, final)
        except (IndexError, ValueError):
            port = _by_port(6, conn.sport)
            return Identified(port or f"unknown-{conn.sport}", "port" if port else "unknown")
    port = _by_port(17, conn.sport)
    if port == "DNS" and c:
        return _dns(c)
    return Identified(port, "port") if port else Identified(f"unknown-udp-{conn.sport}", "unknown")
