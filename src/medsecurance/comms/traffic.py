"""Traffic analysis: a packet capture compared with the system model.

Streams the capture, identifies each conversation's protocol, maps hosts to components through
the inventory and reports observed flows missing from the model, modelled flows not observed,
cleartext carrying sensitive data or credentials, deprecated TLS versions and weak suites
negotiated, and unexpected external destinations — plus an evidence record of the capture.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from medsecurance._internal.io import sha256_file
from medsecurance.comms import traffic_rules
from medsecurance.comms.capture import ReadStats, iter_packets
from medsecurance.comms.dissect import identify, is_server_port
from medsecurance.comms.flows import Conversation, FlowTable
from medsecurance.comms.inventory import Inventory
from medsecurance.comms.result import sort_findings
from medsecurance.comms.traffic_rules import is_external
from medsecurance.findings import Finding
from medsecurance.model.schema import Flow, SystemModel

__all__ = ["Observed", "TrafficResult", "analyze_capture", "is_external"]


@dataclass(frozen=True)
class Observed:
    """One conversation of the capture, mapped to components and a model flow where possible."""

    conversation: Conversation
    client_component: str | None
    server_component: str | None
    flow: Flow | None

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        c = self.conversation
        return {
            "client": c.client,
            "server": c.server,
            "port": c.port,
            "transport": c.transport,
            "protocol": c.protocol,
            "identified_by": c.method,
            "client_component": self.client_component,
            "server_component": self.server_component,
            "flow": self.flow.id if self.flow else None,
            "connections": c.connections,
            "packets": c.packets,
            "bytes": c.bytes,
            "first": _iso(c.first_ts),
            "last": _iso(c.last_ts),
            "facts": {k: sorted(v) for k, v in sorted(c.facts.items())},
        }


@dataclass(frozen=True)
class TrafficResult:
    """Findings, conversations and the evidence record of one capture."""

    findings: tuple[Finding, ...]
    observed: tuple[Observed, ...]
    evidence: dict[str, Any] = field(default_factory=dict)

    def by_flow(self) -> dict[str, list[dict[str, Any]]]:
        """Observed conversations grouped by the model flow they matched."""
        out: dict[str, list[dict[str, Any]]] = {}
        for o in self.observed:
            if o.flow is not None:
                out.setdefault(o.flow.id, []).append(o.to_dict())
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON form: evidence, findings, conversations."""
        return {
            "evidence": dict(self.evidence),
            "findings": [f.to_dict() for f in self.findings],
            "conversations": [o.to_dict() for o in self.observed],
        }


def _iso(ts: float | None) -> str | None:
    if ts is None:
        return None
    return dt.datetime.fromtimestamp(ts, dt.UTC).isoformat(timespec="microseconds")


def _match(model: SystemModel, conv: Conversation, client: str | None, server: str | None) -> Flow | None:
    if client is None or server is None:
        return None
    candidates = [
        f for f in model.flows if {f.source, f.target} == {client, server} and (f.port is None or f.port == conv.port)
    ]
    candidates.sort(key=lambda f: (f.port != conv.port, f.target != server, f.id))
    return candidates[0] if candidates else None


def _stream(path: Path) -> tuple[list[Conversation], ReadStats, int]:
    stats = ReadStats()
    table = FlowTable(identify, is_server_port)
    for pkt in iter_packets(path, stats):
        table.add(pkt)
    total = table.total_connections
    return table.close(), stats, total


def _evidence(path: Path, stats: ReadStats, connections: int, convs: int, hosts: Inventory | None) -> dict[str, Any]:
    return {
        "kind": "packet-capture",
        "file": path.name,
        "sha256": sha256_file(path),
        "size": path.stat().st_size,
        "format": stats.format,
        "linktype": stats.linktype,
        "first_packet": _iso(stats.first_ts),
        "last_packet": _iso(stats.last_ts),
        "packets": stats.packets,
        "ip_packets": stats.decoded,
        "connections": connections,
        "conversations": convs,
        "hosts_file": Path(hosts.file).name if hosts and hosts.file else None,
        "hosts_sha256": hosts.sha256 if hosts else None,
    }


def analyze_capture(capture: str | Path, model: SystemModel, *, hosts: Inventory | None = None) -> TrafficResult:
    """Analyse a pcap/pcapng capture against ``model``; ``hosts`` maps addresses to components.

    Without an inventory, conversations cannot be matched to flows: only cleartext credentials,
    TLS weaknesses and external destinations are reported.
    """
    path = Path(capture)
    conversations, stats, total = _stream(path)
    inventory = hosts or Inventory()
    observed = []
    for conv in conversations:
        client = inventory.component(conv.client, conv.client_mac)
        server = inventory.component(conv.server, conv.server_mac)
        observed.append(Observed(conv, client, server, _match(model, conv, client, server)))
    findings: list[Finding] = []
    for obs in observed:
        findings.extend(traffic_rules.conversation_findings(model, obs, mapped=not inventory.empty))
    if not inventory.empty:
        findings.extend(traffic_rules.unobserved_findings(model, observed, inventory))
    evidence = _evidence(path, stats, total, len(conversations), hosts)
    matched = sorted({o.flow.id for o in observed if o.flow is not None})
    evidence["flows_observed"] = matched
    return TrafficResult(sort_findings(findings), tuple(observed), evidence)
