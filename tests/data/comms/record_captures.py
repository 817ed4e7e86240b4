"""Record the test captures of this folder (run as root on Linux: `python record_captures.py`).

Real exchanges: TLS, MLLP, MQTT, DICOM, HTTP, FTP, Telnet and DNS servers and clients run on
loopback aliases (127.0.0.x) and the traffic on `lo` is captured with an AF_PACKET raw socket
(tcpdump is not installed here) and written with dpkt as `loopback.pcap` and `loopback.pcapng`.
Synthetic edge cases are built packet by packet with dpkt: `external.pcap` (TLS 1.0 + RC4 to a
public address), `reordered.pcap` (Linux SLL link type, an MLLP message in out-of-order segments),
`truncated.pcap`, `badlength.pcap`, `malformed.pcap`, `unknown-linktype.pcap` and `empty.pcap`.
All data is synthetic; no real patient data. Certificates are generated on each run.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import socket
import ssl
import struct
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import dpkt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

HERE = Path(__file__).resolve().parent
ADDRS = {"127.0.0.5", "127.0.0.7", "127.0.0.9", "127.0.0.21", "127.0.0.31", "127.0.0.32", "127.0.0.40", "127.0.0.60"}
PACKET_OUTGOING = 4


def _cert(folder: Path) -> tuple[Path, Path]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "pump-server.test")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    (folder / "c.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "k.pem").write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return folder / "c.pem", folder / "k.pem"


class Sniffer(threading.Thread):
    """Capture IPv4 frames between our loopback aliases (incoming copies only, no duplicates)."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
        self.sock.bind(("lo", 0))
        self.sock.settimeout(0.1)
        self.frames: list[tuple[float, bytes]] = []
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                data, addr = self.sock.recvfrom(65535)
            except TimeoutError:
                continue
            if addr[2] == PACKET_OUTGOING or data[12:14] != b"\x08\x00":
                continue
            src, dst = socket.inet_ntoa(data[26:30]), socket.inet_ntoa(data[30:34])
            if src in ADDRS and dst in ADDRS:
                self.frames.append((time.time(), data))


def serve(addr: str, port: int, handle: Callable[[socket.socket], None]) -> socket.socket:
    srv = socket.create_server((addr, port))
    srv.settimeout(5)

    def loop() -> None:
        try:
            conn, _ = srv.accept()
        except OSError:
            return
        with conn:
            conn.settimeout(5)
            with contextlib.suppress(OSError, ssl.SSLError):
                handle(conn)

    threading.Thread(target=loop, daemon=True).start()
    return srv


def client(src: str, dst: str, port: int) -> socket.socket:
    return socket.create_connection((dst, port), timeout=5, source_address=(src, 0))


def tls_server_ctx(cert: Path, key: Path, lo: ssl.TLSVersion, hi: ssl.TLSVersion) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.set_ciphers("ALL:@SECLEVEL=0")
    ctx.minimum_version, ctx.maximum_version = lo, hi
    ctx.load_cert_chain(cert, key)
    return ctx


def tls_echo(ctx: ssl.SSLContext) -> Callable[[socket.socket], None]:
    def handle(conn: socket.socket) -> None:
        with ctx.wrap_socket(conn, server_side=True) as tls:
            tls.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok" if tls.recv(4096) else b"")

    return handle


def tls_client(src: str, dst: str, port: int, version: ssl.TLSVersion, ciphers: str | None = None) -> None:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname, ctx.verify_mode = False, ssl.CERT_NONE
    ctx.minimum_version = ctx.maximum_version = version
    if ciphers:
        ctx.set_ciphers(ciphers)
    with client(src, dst, port) as raw, ctx.wrap_socket(raw, server_hostname="pump-server.test") as tls:
        tls.sendall(b"GET /orders HTTP/1.1\r\nHost: pump-server.test\r\n\r\n")
        tls.recv(4096)


def reply(first: bytes | None, answer: bytes, expect: int = 1) -> Callable[[socket.socket], None]:
    def handle(conn: socket.socket) -> None:
        if first:
            conn.sendall(first)
        for _ in range(expect):
            if not conn.recv(4096):
                return
            conn.sendall(answer)

    return handle


MLLP = (
    b"\x0bMSH|^~\\&|PUMPSRV|HOSP|EHR|HOSP|20260101120000||ORU^R01|MSG00001|P|2.6\r"
    b"PID|1||TEST-0001^^^HOSP||TEST^PATIENT||19700101|U\r"
    b"OBX|1|NM|RATE^Infusion rate||12.5|mL/h\r\x1c\x0d"
)


def dicom_rq() -> bytes:
    body = struct.pack("!HH", 1, 0) + b"PACS".ljust(16) + b"CT01".ljust(16) + b"\x00" * 32
    items = b"\x10\x00" + struct.pack("!H", 21) + b"1.2.840.10008.3.1.1.1"  # application context item
    return struct.pack("!BBI", 1, 0, len(body) + len(items)) + body + items


def mqtt_connect() -> bytes:
    payload = b"\x00\x06pump42" + b"\x00\x04pump" + b"\x00\x06secret"
    var = b"\x00\x04MQTT\x04\xc2\x00\x3c"  # level 4, flags: username + password + clean session
    return bytes([0x10, len(var) + len(payload)]) + var + payload


def dns_server() -> socket.socket:
    srv = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    srv.bind(("127.0.0.60", 53))
    srv.settimeout(5)

    def loop() -> None:
        try:
            data, peer = srv.recvfrom(512)
        except OSError:
            return
        q = dpkt.dns.DNS(data)
        q.op, q.rcode = dpkt.dns.DNS_RA | 0x8000, dpkt.dns.DNS_RCODE_NXDOMAIN
        srv.sendto(bytes(q), peer)

    threading.Thread(target=loop, daemon=True).start()
    return srv


def record_loopback() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        cert, key = _cert(Path(tmp))
        sniffer = Sniffer()
        sniffer.start()
        v10, v12, v13 = ssl.TLSVersion.TLSv1, ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3
        servers = [
            serve("127.0.0.5", 8443, tls_echo(tls_server_ctx(cert, key, v12, v13))),
            serve("127.0.0.5", 4443, tls_echo(tls_server_ctx(cert, key, v10, v10))),
            serve(
                "127.0.0.7",
                2575,
                reply(
                    None, b"\x0bMSH|^~\\&|EHR|HOSP|PUMPSRV|HOSP|20260101120001||ACK|A1|P|2.6\rMSA|AA|MSG00001\r\x1c\x0d"
                ),
            ),
            serve("127.0.0.5", 1883, reply(None, b"\x20\x02\x00\x00")),
            serve("127.0.0.32", 11112, reply(None, b"\x03\x00\x00\x00\x00\x04\x00\x01\x01\x01")),
            serve("127.0.0.9", 80, reply(None, b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok")),
            serve("127.0.0.40", 21, reply(b"220 service ready\r\n", b"331 password please\r\n", expect=2)),
            serve("127.0.0.5", 23, reply(b"\xff\xfb\x01\xff\xfb\x03login: ", b"Password: ")),
            dns_server(),
        ]
        time.sleep(0.2)
        tls_client("127.0.0.21", "127.0.0.5", 8443, v13)
        tls_client("127.0.0.21", "127.0.0.5", 4443, v10, "AES128-SHA:@SECLEVEL=0")
        for src, dst, port, data in [
            ("127.0.0.5", "127.0.0.7", 2575, MLLP),
            ("127.0.0.21", "127.0.0.5", 1883, mqtt_connect()),
            ("127.0.0.31", "127.0.0.32", 11112, dicom_rq()),
            (
                "127.0.0.21",
                "127.0.0.9",
                80,
                b"GET /service HTTP/1.0\r\nHost: 127.0.0.9\r\nAuthorization: Basic YmlvbWVkOmJpb21lZA==\r\n\r\n",
            ),
            ("127.0.0.21", "127.0.0.5", 23, b"admin\r\n"),
        ]:
            with client(src, dst, port) as s:
                if port == 23:
                    s.recv(64)
                s.sendall(data)
                s.recv(4096)
        with client("127.0.0.31", "127.0.0.40", 21) as s:
            s.recv(64)
            s.sendall(b"USER service\r\n")
            s.recv(64)
            s.sendall(b"PASS service123\r\n")
            s.recv(64)
        q = dpkt.dns.DNS(id=0x4D53, qd=[dpkt.dns.DNS.Q(name="update.vendor.example")])
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
            u.bind(("127.0.0.21", 0))
            u.settimeout(5)
            u.sendto(bytes(q), ("127.0.0.60", 53))
            u.recvfrom(512)
        time.sleep(0.5)
        sniffer.stop.set()
        sniffer.join()
        for s in servers:
            s.close()
    with (HERE / "loopback.pcap").open("wb") as fh:
        w = dpkt.pcap.Writer(fh, linktype=dpkt.pcap.DLT_EN10MB)
        for ts, frame in sniffer.frames:
            w.writepkt(frame, ts)
    with (HERE / "loopback.pcapng").open("wb") as fh:
        wn = dpkt.pcapng.Writer(fh, linktype=dpkt.pcap.DLT_EN10MB)
        for ts, frame in sniffer.frames:
            wn.writepkt(frame, ts)
    print(f"loopback: {len(sniffer.frames)} frames")


# --- synthetic edge cases -------------------------------------------------------------------------


def _tcp_frame(src: str, sport: int, dst: str, dport: int, seq: int, flags: int, data: bytes = b"") -> bytes:
    tcp = dpkt.tcp.TCP(sport=sport, dport=dport, seq=seq, ack=0, flags=flags, data=data)
    ip = dpkt.ip.IP(src=socket.inet_aton(src), dst=socket.inet_aton(dst), p=dpkt.ip.IP_PROTO_TCP, data=tcp)
    ip.len = len(ip)
    eth = dpkt.ethernet.Ethernet(src=b"\x02\x00\x00\x00\x00\x21", dst=b"\x02\x00\x00\x00\x00\x01", data=ip)
    return bytes(eth)


def _hello(mtype: int, body: bytes) -> bytes:
    hs = bytes([mtype]) + len(body).to_bytes(3, "big") + body
    return b"\x16\x03\x01" + struct.pack("!H", len(hs)) + hs


def client_hello() -> bytes:
    suites = [0xC02F, 0x0005, 0x000A, 0x002F]
    sni = b"cloud.vendor.example"
    ext_sni = struct.pack("!HHHBH", 0, len(sni) + 5, len(sni) + 3, 0, len(sni)) + sni
    body = b"\x03\x03" + b"\x11" * 32 + b"\x00" + struct.pack("!H", 2 * len(suites))
    body += struct.pack(f"!{len(suites)}H", *suites) + b"\x01\x00" + struct.pack("!H", len(ext_sni)) + ext_sni
    return _hello(1, body)


def server_hello() -> bytes:
    return _hello(2, b"\x03\x01" + b"\x22" * 32 + b"\x00" + b"\x00\x05" + b"\x00")  # TLS 1.0, RC4-SHA


def write(name: str, frames: list[bytes], linktype: int = dpkt.pcap.DLT_EN10MB) -> bytes:
    path = HERE / name
    with path.open("wb") as fh:
        w = dpkt.pcap.Writer(fh, linktype=linktype)
        for i, frame in enumerate(frames):
            w.writepkt(frame, 1767225600.0 + i * 0.01)  # 2026-01-01T00:00:00Z
    return path.read_bytes()


def synthetic() -> None:
    c, s = ("10.1.0.21", 50000), ("93.184.216.34", 443)
    ch, sh = client_hello(), server_hello()
    write(
        "external.pcap",
        [
            _tcp_frame(*c, *s, 1000, 0x02),
            _tcp_frame(*s, *c, 5000, 0x12),
            _tcp_frame(*c, *s, 1001, 0x10),
            _tcp_frame(*c, *s, 1001, 0x18, ch),
            _tcp_frame(*s, *c, 5001, 0x18, sh),
            _tcp_frame(*c, *s, 1001 + len(ch), 0x11),
            _tcp_frame(*s, *c, 5001 + len(sh), 0x11),
        ],
    )
    a, b = ("10.1.0.5", 40000), ("10.1.0.7", 2575)
    parts = [MLLP[:30], MLLP[30:80], MLLP[80:]]
    seqs = [101, 131, 181]

    def sll(frame: bytes) -> bytes:  # Linux cooked header (16 bytes) instead of Ethernet
        return struct.pack("!HHH8sH", 4, 1, 6, b"\x02\x00\x00\x00\x00\x05\x00\x00", 0x0800) + frame[14:]

    write(
        "reordered.pcap",
        [
            sll(f)
            for f in [
                _tcp_frame(*a, *b, 100, 0x02),
                _tcp_frame(*b, *a, 900, 0x12),
                _tcp_frame(*a, *b, 101, 0x10),
                _tcp_frame(*a, *b, seqs[0], 0x18, parts[0]),
                _tcp_frame(*a, *b, seqs[2], 0x18, parts[2]),
                _tcp_frame(*a, *b, seqs[0], 0x18, parts[0]),
                _tcp_frame(*a, *b, seqs[1], 0x18, parts[1]),
                _tcp_frame(*a, *b, 101 + len(MLLP), 0x11),
            ]
        ],
        linktype=113,
    )
    full = (HERE / "loopback.pcap").read_bytes()
    (HERE / "truncated.pcap").write_bytes(full[: len(full) - 37])
    (HERE / "malformed.pcap").write_bytes(b"this is not a packet capture\n" * 4)
    header = full[:24]
    (HERE / "badlength.pcap").write_bytes(
        header + struct.pack("<IIII", 1767225600, 0, 0x7FFFFFFF, 0x7FFFFFFF) + b"\x00" * 64
    )
    write("unknown-linktype.pcap", [b"\x00" * 40], linktype=147)
    write("empty.pcap", [])


if __name__ == "__main__":
    record_loopback()
    synthetic()
