"""TLS wire-format reading: records, handshake messages and the hello messages' parameters.

dpkt parses the bodies of ClientHello and ServerHello (``dpkt.ssl.TLSClientHello`` /
``TLSServerHello``); the record-to-message reassembly is ours because dpkt reads one handshake
message per record only, while servers pack ServerHello, Certificate and CertificateRequest into
one record and long certificate chains span several.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = [
    "CERTIFICATE",
    "CERTIFICATE_REQUEST",
    "CLIENT_HELLO",
    "SERVER_HELLO",
    "HelloInfo",
    "certificates",
    "handshake_messages",
    "looks_like_tls",
    "parse_hello",
    "version_code",
    "version_name",
]

HANDSHAKE = 22
CHANGE_CIPHER_SPEC = 20
CLIENT_HELLO = 1
SERVER_HELLO = 2
CERTIFICATE = 11
CERTIFICATE_REQUEST = 13
EXT_SNI = 0
EXT_SUPPORTED_VERSIONS = 43
_VERSIONS = {0x0300: "SSL3", 0x0301: "TLS1.0", 0x0302: "TLS1.1", 0x0303: "TLS1.2", 0x0304: "TLS1.3"}
MAX_HANDSHAKE_BYTES = 256 * 1024


def version_name(code: int) -> str:
    """``TLS1.2`` for 0x0303 and so on; unknown codes as hex."""
    return _VERSIONS.get(code, f"0x{code:04x}")


def version_code(name: str) -> int:
    """0x0303 for ``TLS1.2`` and so on (the inverse of :func:`version_name`)."""
    return next(code for code, text in _VERSIONS.items() if text == name)


def looks_like_tls(buf: bytes) -> bool:
    """True if ``buf`` starts with a plausible TLS handshake record header."""
    return len(buf) >= 6 and buf[0] == HANDSHAKE and buf[1] == 3 and buf[2] <= 4 and buf[5] in (1, 2)


def _records(buf: bytes) -> Iterator[tuple[int, bytes]]:
    pos = 0
    while pos + 5 <= len(buf):
        ctype, major, length = buf[pos], buf[pos + 1], struct.unpack_from("!H", buf, pos + 3)[0]
        if major != 3 or ctype not in (20, 21, 22, 23) or length > 18432:
            return
        if pos + 5 + length > len(buf):
            yield ctype, buf[pos + 5 :]  # partial last record: the messages it starts may still be whole
            return
        yield ctype, buf[pos + 5 : pos + 5 + length]
        pos += 5 + length


def handshake_messages(buf: bytes) -> Iterator[tuple[int, bytes]]:
    """(type, body) of each complete cleartext handshake message at the start of a TLS stream."""
    data = bytearray()
    for ctype, fragment in _records(buf[: MAX_HANDSHAKE_BYTES + 5]):
        if ctype != HANDSHAKE:
            break  # after ChangeCipherSpec or application data, handshake records are encrypted
        data += fragment
    pos = 0
    while pos + 4 <= len(data):
        mtype = data[pos]
        length = int.from_bytes(data[pos + 1 : pos + 4], "big")
        if pos + 4 + length > len(data):
            return
        yield mtype, bytes(data[pos + 4 : pos + 4 + length])
        pos += 4 + length


@dataclass(frozen=True, slots=True)
class HelloInfo:
    """Parameters of a ClientHello (offered) or ServerHello (chosen)."""

    role: str
    legacy_version: int
    versions: tuple[int, ...]
    cipher_suites: tuple[int, ...]
    sni: str | None = None

    @property
    def version(self) -> int:
        """The (highest) version: from supported_versions when present, else the legacy field."""
        return max(self.versions) if self.versions else self.legacy_version


def _u16_list(data: bytes) -> tuple[int, ...]:
    count = len(data) // 2
    return tuple(v for v in struct.unpack(f"!{count}H", data[: count * 2]) if (v & 0x0F0F) != 0x0A0A)  # drop GREASE


def _sni(ext: bytes) -> str | None:
    if len(ext) < 5 or ext[2] != 0:
        return None
    length = struct.unpack_from("!H", ext, 3)[0]
    return ext[5 : 5 + length].decode("ascii", "replace") or None


def parse_hello(mtype: int, body: bytes) -> HelloInfo | None:
    """Parse a ClientHello or ServerHello body with dpkt; None when malformed."""
    import dpkt

    try:
        hello = dpkt.ssl.TLSClientHello(body) if mtype == CLIENT_HELLO else dpkt.ssl.TLSServerHello(body)
    except (dpkt.UnpackError, struct.error, ValueError, IndexError):
        return None
    exts: dict[int, bytes] = {t: d for t, d in getattr(hello, "extensions", [])}
    if mtype == CLIENT_HELLO:
        suites = tuple(c.code for c in hello.ciphersuites if (c.code & 0x0F0F) != 0x0A0A)
        sv = exts.get(EXT_SUPPORTED_VERSIONS, b"")
        versions = _u16_list(sv[1 : 1 + sv[0]]) if sv else ()
        return HelloInfo("client", hello.version, versions, suites, _sni(exts.get(EXT_SNI, b"")))
    chosen = exts.get(EXT_SUPPORTED_VERSIONS, b"")
    versions = (struct.unpack("!H", chosen[:2])[0],) if len(chosen) >= 2 else ()
    return HelloInfo("server", hello.version, versions, (hello.ciphersuite.code,))


def certificates(body: bytes, *, tls13: bool = False) -> list[bytes]:
    """The DER certificates of a Certificate handshake message body."""
    pos = 0
    if tls13:  # TLS 1.3 prefixes a request context and adds extensions per entry
        pos = 1 + body[0] if body else 0
    if pos + 3 > len(body):
        return []
    end = min(len(body), pos + 3 + int.from_bytes(body[pos : pos + 3], "big"))
    pos += 3
    out: list[bytes] = []
    while pos + 3 <= end:
        length = int.from_bytes(body[pos : pos + 3], "big")
        out.append(body[pos + 3 : pos + 3 + length])
        pos += 3 + length
        if tls13 and pos + 2 <= end:
            pos += 2 + struct.unpack_from("!H", body, pos)[0]
    return out
