"""Helpers and fixtures for the comms tests: certificates, real loopback TLS/MLLP/HTTP servers, a test catalogue."""

from __future__ import annotations

import datetime as dt
import http.server
import ipaddress
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from medsecurance.comms.catalogue import MappingCatalogue, ProtocolProps

DATA = Path(__file__).resolve().parents[1] / "data" / "comms"


@dataclass(frozen=True)
class Pki:
    """A CA, a server certificate for 127.0.0.1/localhost and a client certificate, as PEM files."""

    ca: Path
    server_cert: Path
    server_key: Path
    client_cert: Path
    client_key: Path


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def make_cert(
    subject: str,
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey,
    issuer: tuple[str, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey] | None = None,
    *,
    days: int = 365,
    start_days: int = -1,
    sans: tuple[str, ...] = (),
    ca: bool = False,
) -> x509.Certificate:
    """A certificate signed by ``issuer`` (self-signed when None)."""
    now = dt.datetime.now(dt.UTC)
    issuer_name, issuer_key = (issuer[0], issuer[1]) if issuer else (subject, key)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(_name(issuer_name))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now + dt.timedelta(days=start_days))
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    names: list[x509.GeneralName] = []
    for s in sans:
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(s)))
        except ValueError:
            names.append(x509.DNSName(s))
    if names:
        builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def _write(path: Path, cert: x509.Certificate, key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> Path:
    path.with_suffix(".key").write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return path


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    """Certificates generated once per session with ``cryptography``."""
    folder = tmp_path_factory.mktemp("pki")
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = make_cert("Test CA", ca_key, ca=True, days=365)
    server_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    server = make_cert("localhost", server_key, ("Test CA", ca_key), sans=("localhost", "127.0.0.1"))
    client_key = ec.generate_private_key(ec.SECP256R1())
    client = make_cert("pump-42", client_key, ("Test CA", ca_key))
    _write(folder / "ca.pem", ca, ca_key)
    return Pki(
        ca=folder / "ca.pem",
        server_cert=_write(folder / "server.pem", server, server_key),
        server_key=folder / "server.key",
        client_cert=_write(folder / "client.pem", client, client_key),
        client_key=folder / "client.key",
    )


class _Listener:
    """A loopback TCP listener that hands each accepted connection to ``handle`` in a thread."""

    def __init__(self, handle: Callable[[socket.socket], None]) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.handle = handle
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            conn.settimeout(3.0)
            threading.Thread(target=self._one, args=(conn,), daemon=True).start()

    def _one(self, conn: socket.socket) -> None:
        try:
            self.handle(conn)
        except (OSError, ssl.SSLError):
            pass
        finally:
            conn.close()

    def close(self) -> None:
        self.stop.set()
        self.thread.join(2)
        self.sock.close()


def tls_context(
    pki: Pki,
    *,
    minimum: ssl.TLSVersion,
    maximum: ssl.TLSVersion,
    client_cert: bool = False,
) -> ssl.SSLContext:
    """A server context pinned to a version range, optionally requiring client certificates."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    if minimum < ssl.TLSVersion.TLSv1_2:
        ctx.set_ciphers("ALL:@SECLEVEL=0")
    ctx.minimum_version = minimum
    ctx.maximum_version = maximum
    ctx.load_cert_chain(pki.server_cert, pki.server_key)
    if client_cert:
        ctx.verify_mode = ssl.CERT_REQUIRED
        ctx.load_verify_locations(pki.ca)
    return ctx


def _tls_handler(ctx: ssl.SSLContext) -> Callable[[socket.socket], None]:
    def handle(conn: socket.socket) -> None:
        with ctx.wrap_socket(conn, server_side=True) as tls:
            data = tls.recv(4096)
            if data:
                tls.sendall(b"ok:" + data)

    return handle


@pytest.fixture
def tls_server() -> Iterator[Callable[[ssl.SSLContext], int]]:
    """Start real TLS servers on loopback; returns a function ctx → port."""
    listeners: list[_Listener] = []

    def start(ctx: ssl.SSLContext) -> int:
        listener = _Listener(_tls_handler(ctx))
        listeners.append(listener)
        return listener.port

    yield start
    for listener in listeners:
        listener.close()


def _mllp_handler(conn: socket.socket) -> None:
    data = b""
    while not data.endswith(b"\x1c\x0d"):
        chunk = conn.recv(4096)
        if not chunk:
            return
        data += chunk
    control = data.split(b"|")[9] if data.count(b"|") > 9 else b"0"
    ack = b"MSH|^~\\&|RCV|HOSP|SND|PUMP|20260101000000||ACK^R01|" + control + b"|P|2.6\rMSA|AA|" + control + b"\r"
    conn.sendall(b"\x0b" + ack + b"\x1c\x0d")


@pytest.fixture
def mllp_server() -> Iterator[int]:
    """A minimal HL7 v2 MLLP listener that acknowledges one message; yields the port."""
    listener = _Listener(_mllp_handler)
    yield listener.port
    listener.close()


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b'{"status":"ok"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def http_server() -> Iterator[int]:
    """A plain HTTP server on loopback; yields the port."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Quiet)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def _p(ident: str, scope: str = "end-to-end", **flags: bool) -> ProtocolProps:
    return ProtocolProps(id=ident, scope=scope, **flags)


_TLS = {
    "confidentiality": True,
    "integrity": True,
    "peer_authentication": True,
    "replay_protection": True,
    "mitm_resistance": True,
}
_LINK = {**_TLS}


@pytest.fixture(scope="session")
def catalogue() -> MappingCatalogue:
    """Protocol properties as the knowledge base describes them (for tests independent of the KB)."""
    entries = [
        _p("TLS1.2", **_TLS),
        _p("TLS1.3", **_TLS),
        _p("TLS1.0", deprecated=True, **_TLS),
        _p("HTTPS", **_TLS),
        _p("DICOM-TLS", **_TLS),
        _p("HTTP"),
        _p("HL7v2-MLLP"),
        _p("DICOM"),
        _p("MQTT"),
        _p("Telnet", deprecated=True),
        _p("IPv4"),
        _p("Ethernet", scope="link"),
        _p("WPA2-Enterprise", scope="link", **_LINK),
        _p("WPA2-PSK", scope="link", confidentiality=True, integrity=True, replay_protection=True),
        _p("BLE-Legacy-JustWorks", scope="link", confidentiality=True, integrity=True),
        _p("BLE-LESC-NumericComparison", scope="link", **_LINK),
    ]
    return MappingCatalogue({e.id: e for e in entries})
