"""The host inventory for traffic analysis: IP address, network or MAC address → model component id.

``hosts.yaml``::

    hosts:
      10.1.0.21: pump-bed-12          # one address
      10.1.2.0/24: pump               # a whole network (the most specific entry wins)
      "02:00:5e:10:00:21": pump-server   # a MAC address (quote it: YAML reads a:b as base-60)
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from pathlib import Path

from medsecurance._internal.io import read_text_limited, sha256_file
from medsecurance._internal.yamlloc import LocDict, load_yaml
from medsecurance.errors import CaptureError, Diagnostic
from medsecurance.model.schema import SystemModel

__all__ = ["Inventory", "load_hosts"]

_MAC = re.compile(r"^[0-9a-fA-F]{2}([:-][0-9a-fA-F]{2}){5}$")
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class Inventory:
    """Maps observed addresses to component ids."""

    by_ip: dict[str, str] = field(default_factory=dict)
    by_mac: dict[str, str] = field(default_factory=dict)
    networks: tuple[tuple[Network, str], ...] = ()
    file: str | None = None
    sha256: str | None = None

    def component(self, ip: str, mac: str | None = None) -> str | None:
        """The component at ``ip`` (or with ``mac``), or None when unknown."""
        if ip in self.by_ip:
            return self.by_ip[ip]
        if mac and mac.lower() in self.by_mac:
            return self.by_mac[mac.lower()]
        try:
            addr = ipaddress.ip_address(ip)
        except ValueError:
            return None
        best = [(n.prefixlen, c) for n, c in self.networks if addr.version == n.version and addr in n]
        return max(best)[1] if best else None

    @property
    def empty(self) -> bool:
        """True when no host is mapped."""
        return not (self.by_ip or self.by_mac or self.networks)


def _entry(key: object, value: object, model: SystemModel | None) -> tuple[str, str, str | None]:
    """(kind, normalised key, problem) for one inventory line."""
    if not isinstance(value, str) or not value:
        return "", "", "the value must be a component id"
    if model is not None and model.component(value) is None:
        return "", "", f"'{value}' is not a component of the model"
    text = str(key)
    if _MAC.match(text):
        return "mac", text.lower().replace("-", ":"), None
    try:
        return "ip", ipaddress.ip_address(text).compressed, None
    except ValueError:
        pass
    try:
        return "net", str(ipaddress.ip_network(text, strict=False)), None
    except ValueError:
        return "", "", f"'{text}' is not an IP address, network or MAC address"


def load_hosts(path: str | Path, model: SystemModel | None = None) -> Inventory:
    """Read and validate ``hosts.yaml``; every problem is reported with its line and column."""
    p = Path(path)
    data, problems = load_yaml(
        read_text_limited(p, max_bytes=16 * 1024 * 1024, error=CaptureError), str(p), CaptureError
    )
    hosts = data.get("hosts") if isinstance(data, LocDict) else None
    if not isinstance(hosts, LocDict):
        raise CaptureError(
            "the inventory must be a mapping with a 'hosts:' mapping",
            file=p,
            line=1,
            column=1,
            hint="write 'hosts:' then one 'ADDRESS: component-id' per line",
        )
    by_ip: dict[str, str] = {}
    by_mac: dict[str, str] = {}
    nets: list[tuple[Network, str]] = []
    for key, value in hosts.items():
        kind, norm, problem = _entry(key, value, model)
        if problem:
            _file, line, col = hosts.key_pos[key]
            hint = "component ids are listed by 'medsec show MODEL'" if "component" in problem else None
            problems.append(Diagnostic(problem, file=str(p), line=line, column=col, hint=hint))
            continue
        if kind == "ip":
            by_ip[norm] = str(value)
        elif kind == "mac":
            by_mac[norm] = str(value)
        else:
            nets.append((ipaddress.ip_network(norm), str(value)))
    if problems:
        raise CaptureError(diagnostics=problems)
    return Inventory(by_ip, by_mac, tuple(sorted(nets, key=str)), str(p), sha256_file(p))
