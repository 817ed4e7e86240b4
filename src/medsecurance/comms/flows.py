"""Group packets into connections and conversations with bounded memory.

A *connection* is one TCP connection or UDP exchange (5-tuple). Its first bytes in each
direction are kept in sequence order (at most :data:`BUFFER_CAP`) until the protocol is
identified; then the buffers are dropped. A *conversation* aggregates the connections between a
client, a server and a server port that carry the same protocol — that is what is compared with
the model's flows. The connection table is bounded: the oldest connections are folded into their
conversations and evicted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from medsecurance.comms.capture import Packet

__all__ = ["BUFFER_CAP", "Connection", "Conversation", "FlowTable", "Identified"]

BUFFER_CAP = 4096
MAX_CONNECTIONS = 10_000
MAX_PENDING = 8
_SYN, _ACK, _FIN, _RST = 0x02, 0x10, 0x01, 0x04


@dataclass(frozen=True)
class Identified:
    """What a connection carries: the protocol id, how it was recognised, and observations."""

    protocol: str
    method: str  # payload | port | unknown
    facts: tuple[tuple[str, str], ...] = ()


@dataclass
class _Side:
    data: bytearray = field(default_factory=bytearray)
    next_seq: int | None = None
    pending: dict[int, bytes] = field(default_factory=dict)

    def add(self, seq: int, payload: bytes, tcp: bool) -> None:
        room = BUFFER_CAP - len(self.data)
        if room <= 0 or not payload:
            return
        if tcp and self.next_seq is not None and seq != self.next_seq:
            ahead = (seq - self.next_seq) & 0xFFFFFFFF
            if 0 < ahead < 0x80000000 and len(self.pending) < MAX_PENDING:
                self.pending.setdefault(seq, payload)  # after a gap: keep a few segments
            return  # a retransmission, or too far ahead
        self.data += payload[:room]
        self.next_seq = (seq + len(payload)) & 0xFFFFFFFF
        while self.next_seq in self.pending and len(self.data) < BUFFER_CAP:
            nxt = self.pending.pop(self.next_seq)
            self.data += nxt[: BUFFER_CAP - len(self.data)]
            self.next_seq = (self.next_seq + len(nxt)) & 0xFFFFFFFF

    @property
    def full(self) -> bool:
        return len(self.data) >= BUFFER_CAP


@dataclass
class Connection:
    """One TCP connection or UDP exchange, oriented client → server."""

    proto: int
    client: str
    cport: int
    server: str
    sport: int
    first_ts: float
    last_ts: float = 0.0
    client_mac: str | None = None
    server_mac: str | None = None
    packets: int = 0
    bytes: int = 0
    to_server: _Side = field(default_factory=_Side)
    to_client: _Side = field(default_factory=_Side)
    identified: Identified | None = None


@dataclass
class Conversation:
    """All connections between a client and a server port that carry the same protocol."""

    client: str
    server: str
    port: int
    transport: str
    protocol: str
    method: str
    client_mac: str | None = None
    server_mac: str | None = None
    connections: int = 0
    packets: int = 0
    bytes: int = 0
    first_ts: float = 0.0
    last_ts: float = 0.0
    facts: dict[str, set[str]] = field(default_factory=dict)

    def add_fact(self, name: str, value: str) -> None:
        """Record an observation (a TLS version, a cipher, an SNI …), at most 32 per kind."""
        values = self.facts.setdefault(name, set())
        if len(values) < 32:
            values.add(value)


Identify = Callable[[Connection, bool], Identified | None]


def _client_sent(pkt: Packet, is_server_port: Callable[[int, int], bool]) -> bool:
    """Orientation of a connection's first packet: True when its sender is the client."""
    if pkt.proto == 6 and pkt.flags & _SYN:
        return not pkt.flags & _ACK
    to_known, from_known = is_server_port(pkt.proto, pkt.dport), is_server_port(pkt.proto, pkt.sport)
    if to_known != from_known:
        return to_known
    return pkt.sport >= pkt.dport


class FlowTable:
    """Feeds packets to connections and folds identified connections into conversations."""

    def __init__(self, identify: Identify, is_server_port: Callable[[int, int], bool]) -> None:
        self.identify = identify
        self.is_server_port = is_server_port
        self.connections: dict[tuple[int, str, int, str, int], Connection] = {}
        self.conversations: dict[tuple[str, str, int, str, str], Conversation] = {}
        self.total_connections = 0

    def add(self, pkt: Packet) -> None:
        """Account one packet to its connection; identify the protocol once data has arrived."""
        conn = self.connections.get((pkt.proto, pkt.src, pkt.sport, pkt.dst, pkt.dport))
        from_client = conn is not None
        if conn is None:
            conn = self.connections.get((pkt.proto, pkt.dst, pkt.dport, pkt.src, pkt.sport))
        if conn is None:
            from_client = _client_sent(pkt, self.is_server_port)
            conn = self._new(pkt, from_client)
        conn.packets += 1
        conn.bytes += pkt.size
        conn.last_ts = pkt.ts
        if from_client and conn.client_mac is None:
            conn.client_mac = pkt.src_mac
        elif not from_client and conn.server_mac is None:
            conn.server_mac = pkt.src_mac
        if conn.identified is not None:
            return
        side = conn.to_server if from_client else conn.to_client
        side.add(pkt.seq + (1 if pkt.flags & _SYN else 0), pkt.payload, pkt.proto == 6)
        if pkt.payload or pkt.flags & (_FIN | _RST):
            final = bool(pkt.flags & (_FIN | _RST)) or side.full
            conn.identified = self.identify(conn, final)
            if conn.identified is not None:
                conn.to_server = conn.to_client = _Side()  # drop the buffers

    def _new(self, pkt: Packet, from_client: bool) -> Connection:
        if len(self.connections) >= MAX_CONNECTIONS:
            for key in list(self.connections)[: MAX_CONNECTIONS // 4]:
                self._fold(self.connections.pop(key))
        if from_client:
            key = (pkt.proto, pkt.src, pkt.sport, pkt.dst, pkt.dport)
        else:
            key = (pkt.proto, pkt.dst, pkt.dport, pkt.src, pkt.sport)
        conn = Connection(pkt.proto, key[1], key[2], key[3], key[4], first_ts=pkt.ts)
        self.connections[key] = conn
        self.total_connections += 1
        return conn

    def _fold(self, conn: Connection) -> None:
        ident = conn.identified or self.identify(conn, True) or Identified(f"unknown-{conn.sport}", "unknown")
        transport = "tcp" if conn.proto == 6 else "udp"
        key = (conn.client, conn.server, conn.sport, transport, ident.protocol)
        conv = self.conversations.get(key)
        if conv is None:
            conv = Conversation(conn.client, conn.server, conn.sport, transport, ident.protocol, ident.method)
            conv.first_ts = conn.first_ts
            self.conversations[key] = conv
        conv.client_mac = conv.client_mac or conn.client_mac
        conv.server_mac = conv.server_mac or conn.server_mac
        conv.connections += 1
        conv.packets += conn.packets
        conv.bytes += conn.bytes
        conv.first_ts = min(conv.first_ts, conn.first_ts)
        conv.last_ts = max(conv.last_ts, conn.last_ts)
        for name, value in ident.facts:
            conv.add_fact(name, value)

    def close(self) -> list[Conversation]:
        """Fold every remaining connection (end of capture); the conversations, sorted."""
        for conn in self.connections.values():
            self._fold(conn)
        self.connections.clear()
        return [self.conversations[k] for k in sorted(self.conversations)]
