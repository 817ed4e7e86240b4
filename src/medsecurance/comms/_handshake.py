"""One TLS handshake over a real socket, driven through memory BIOs so the server's bytes can be read.

Used by :mod:`medsecurance.comms.probe`; every wait is bounded by a deadline.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from medsecurance.comms import tlswire
from medsecurance.errors import CommsError

__all__ = ["Attempt", "connect", "context", "handshake"]

T = TypeVar("T")
_MAX_RAW = 256 * 1024


def connect(host: str, port: int, timeout: float) -> socket.socket:
    """A TCP connection to exactly the given address, or a CommsError."""
    try:
        return socket.create_connection((host, port), timeout=timeout)
    except TimeoutError as exc:
        raise CommsError(
            f"no answer within {timeout:g} s", file=f"{host}:{port}", hint="check the address or raise --timeout"
        ) from exc
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise CommsError(
            f"cannot connect: {reason}", file=f"{host}:{port}", hint="check the address and that the service runs"
        ) from exc


class _Wire:
    """One TCP connection driving an ``SSLObject`` through memory BIOs, keeping the server's bytes."""

    def __init__(self, sock: socket.socket, deadline: float) -> None:
        self.sock, self.deadline = sock, deadline
        self.incoming, self.outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
        self.raw = bytearray()

    def flush(self) -> None:
        data = self.outgoing.read()
        if data:
            self.sock.sendall(data)

    def run(self, op: Callable[[], T]) -> T:
        while True:
            try:
                result = op()
            except ssl.SSLWantReadError:
                self.flush()
                remaining = self.deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError from None
                self.sock.settimeout(remaining)
                data = self.sock.recv(65536)
                if not data:
                    self.incoming.write_eof()
                    continue
                if len(self.raw) < _MAX_RAW:
                    self.raw += data
                self.incoming.write(data)
                continue
            except ssl.SSLError:
                with contextlib.suppress(OSError):
                    self.flush()
                raise
            self.flush()
            return result


def context(version: ssl.TLSVersion, ciphers: str | None) -> ssl.SSLContext | None:
    """A non-verifying client context pinned to one version; None if the local OpenSSL refuses it."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    try:
        with warnings.catch_warnings():  # TLS 1.0/1.1 are deprecated in Python: offering them is the point here
            warnings.simplefilter("ignore", DeprecationWarning)
            ctx.minimum_version = ctx.maximum_version = version
        if ciphers and version < ssl.TLSVersion.TLSv1_3:
            ctx.set_ciphers(ciphers)
    except (ValueError, ssl.SSLError):
        return None
    return ctx


@dataclass
class Attempt:
    """What one handshake attempt learned from the server."""

    server_version: int | None = None
    cipher: int | None = None
    completed: bool = False
    cert_request_seen: bool = False
    cert_required_alert: bool = False
    error: str | None = None
    chain: list[bytes] = field(default_factory=list)
    raw_start: bytes = b""


def _read_server_bytes(raw: bytes, att: Attempt) -> None:
    att.raw_start = raw[:16]
    for mtype, body in tlswire.handshake_messages(raw):
        if mtype == tlswire.SERVER_HELLO:
            hello = tlswire.parse_hello(mtype, body)
            if hello is not None:
                att.server_version, att.cipher = hello.version, hello.cipher_suites[0]
        elif mtype == tlswire.CERTIFICATE and not att.chain:
            att.chain = tlswire.certificates(body)
        elif mtype == tlswire.CERTIFICATE_REQUEST:
            att.cert_request_seen = True


def _peer_chain(obj: ssl.SSLObject) -> list[bytes]:
    # get_unverified_chain is private in Python 3.11/3.12 and public from 3.13; the leaf is the fallback.
    getter = getattr(getattr(obj, "_sslobj", None), "get_unverified_chain", None)
    if getter is not None:
        try:
            return [c.public_bytes(ssl._ssl.ENCODING_DER) for c in getter() or ()]  # type: ignore[attr-defined]
        except (AttributeError, ValueError, ssl.SSLError):
            pass
    leaf = obj.getpeercert(binary_form=True)
    return [leaf] if leaf else []


def _post_handshake(obj: ssl.SSLObject, wire: _Wire, att: Attempt, wait: float) -> None:
    """TLS 1.3 servers reject a missing client certificate after the client's Finished: read briefly."""
    wire.deadline = time.monotonic() + wait
    try:
        wire.run(lambda: obj.read(1))
    except ssl.SSLError as exc:
        att.cert_required_alert = "CERTIFICATE_REQUIRED" in str(exc).upper()
    except (TimeoutError, OSError):
        pass


def handshake(host: str, port: int, ctx: ssl.SSLContext, timeout: float, tls13: bool) -> Attempt:
    """Connect, run one handshake with ``ctx`` and read what the server sent (TLS 1.3: wait for a late alert)."""
    att = Attempt()
    with connect(host, port, timeout) as sock:
        wire = _Wire(sock, time.monotonic() + timeout)
        obj = ctx.wrap_bio(wire.incoming, wire.outgoing, server_hostname=host)
        try:
            wire.run(obj.do_handshake)
            att.completed = True
            att.chain = _peer_chain(obj)
            if tls13:
                _post_handshake(obj, wire, att, min(timeout, 1.0))
        except ssl.SSLError as exc:
            att.error = exc.reason or type(exc).__name__
        except TimeoutError:
            att.error = "timeout"
        except OSError as exc:
            att.error = exc.strerror or type(exc).__name__
        _read_server_bytes(bytes(wire.raw), att)
    return att
