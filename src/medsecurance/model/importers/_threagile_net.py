"""Threagile trust boundaries and communication links → medsec zones, trust boundaries, flows, interfaces."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from medsecurance.model.importers._common import slug

if TYPE_CHECKING:
    from medsecurance.model.importers.threagile import _Converter

__all__ = ["Network", "build_network"]

_TB_USED = ("id", "description", "type", "technical_assets_inside", "trust_boundaries_nested")
_LINK_USED = ("target", "protocol", "authentication", "authorization", "vpn", "ip_filtered", "data_assets_sent",
              "data_assets_received", "tags")
_LINK_LOST = ("description", "readonly", "usage")


@dataclass
class _Boundary:
    title: str
    ident: str
    network: bool
    node: Mapping[str, Any]
    inside: list[str] = field(default_factory=list)
    nested: list[str] = field(default_factory=list)
    parent: str | None = None
    zone: str | None = None
    internet: bool = False


class Network:
    """Zones and trust boundaries from Threagile boundaries; flows and interfaces from links."""

    def __init__(self, conv: _Converter) -> None:
        self.conv = conv
        self.table = conv.table
        self.bounds: dict[str, _Boundary] = {}
        self.direct: dict[str, list[str]] = {}  # technical asset id -> boundaries listing it
        self.internet_zone: str | None = None
        self.flows: list[dict[str, Any]] = []
        self.ifaces: dict[str, dict[tuple[Any, ...], dict[str, Any]]] = {}
        self.controls: dict[str, set[str]] = {}

    # -- zones ---------------------------------------------------------------------------------
    def zone_of(self, tid: str, internet: bool) -> str | None:
        """The zone of a technical asset: its innermost enclosing network boundary."""
        doc = self.conv.doc
        where = self.conv.tech[tid][1]
        holders = sorted(self.direct.get(tid, []), key=lambda b: (-self._depth(b), b))
        if len(holders) > 1:
            self.conv.rep.warn(doc.at(where, "id"), f"listed in several trust boundaries ({', '.join(holders)}); "
                               f"placed in '{holders[0]}'", "list a technical asset in one boundary only", tid)
        bid: str | None = holders[0] if holders else None
        while bid is not None and not self.bounds[bid].network:
            bid = self.bounds[bid].parent
        if bid is not None:
            bound = self.bounds[bid]
            bound.internet = bound.internet or internet
            return bound.zone
        if internet:
            if self.internet_zone is None:
                self.internet_zone = self.conv.ids.claim("internet", "zone", None, quiet=True)
            return self.internet_zone
        return None

    def _depth(self, bid: str) -> int:
        depth, parent = 0, self.bounds[bid].parent
        while parent is not None and depth <= len(self.bounds):
            depth, parent = depth + 1, self.bounds[parent].parent
        return depth

    def _descendants(self, bid: str) -> list[str]:
        out, todo = [], [bid]
        while todo:
            cur = todo.pop()
            out.append(cur)
            todo.extend(self.bounds[cur].nested)
        return out

    def zones(self) -> list[dict[str, Any]]:
        """The zones: one per network-type trust boundary, plus 'internet' when needed."""
        out = []
        for bound in self.bounds.values():
            if bound.zone is None:
                continue
            zone: dict[str, Any] = {"id": bound.zone, "name": bound.title}
            if isinstance(bound.node.get("description"), str):
                zone["description"] = bound.node["description"].strip()
            if bound.internet:
                zone["internet_reachable"] = True
            out.append(zone)
        if self.internet_zone:
            out.append({"id": self.internet_zone, "name": "Internet", "internet_reachable": True,
                        "description": "Technical assets marked 'internet: true' outside any network boundary"})
        return sorted(out, key=lambda z: z["id"])

    def boundaries(self) -> list[dict[str, Any]]:
        """One trust boundary per Threagile boundary, around its zones or its components."""
        out = []
        for bid in sorted(self.bounds):
            bound = self.bounds[bid]
            family = self._descendants(bid)
            zones = sorted({z for b in family if (z := self.bounds[b].zone)})
            comps = [] if bound.network else sorted({self.conv.comp_ids[t] for b in family
                                                     for t in self.bounds[b].inside})
            where = self.conv.doc.at(bound.node, "id")
            if not zones and not comps:
                self.conv.rep.warn(where, f"trust boundary '{bid}' encloses nothing; not imported", None, bid)
                continue
            tb: dict[str, Any] = {"id": self.conv.ids.claim(f"TB-{bid}", "boundary", where, quiet=True),
                                  "name": bound.title}
            if isinstance(bound.node.get("description"), str):
                tb["description"] = bound.node["description"].strip()
            if zones:
                tb["zones"] = zones
            if comps:
                tb["components"] = comps
            out.append(tb)
        return out

    # -- links ---------------------------------------------------------------------------------
    def links(self, tid: str, cid: str, node: Mapping[str, Any]) -> None:
        """Flows (and target interfaces) from a technical asset's communication links."""
        conv = self.conv
        links = node.get("communication_links")
        if links is None:
            return
        if not isinstance(links, dict):
            conv.rep.error(conv.doc.at(node, "communication_links"), "'communication_links' must be a mapping",
                           element=cid)
            return
        for title in sorted(links, key=str):
            link = links[title]
            if not isinstance(link, dict):
                conv.rep.error(conv.doc.at(links, title), f"communication link '{title}' must be a mapping",
                               element=cid)
                continue
            self._link(tid, cid, str(title), link, conv.doc.at(links, title, key=True))

    def _link(self, tid: str, cid: str, title: str, link: Mapping[str, Any], where: Any) -> None:
        conv, table = self.conv, self.table
        target = link.get("target")
        if not isinstance(target, str) or target not in conv.tech:
            conv.rep.error(conv.doc.at(link, "target") or where, f"link '{title}' targets unknown technical asset "
                           f"'{target}'", "use the id of a technical asset", cid)
            return
        if target == tid:
            conv.rep.warn(where, f"link '{title}' goes from '{tid}' to itself; not imported", None, cid)
            return
        tcid = conv.comp_ids[target]
        fid = conv.ids.claim(f"{cid}--{slug(title)}", "flow", where, quiet=True)
        proto_name = str(link.get("protocol", "unknown-protocol"))
        proto = self._lookup(link, "protocol", proto_name, table["protocols"], fid,
                             {"stack": [], "encrypted": False, "network": True}, "an unencrypted network protocol")
        auth = self._lookup(link, "authentication", str(link.get("authentication", "none")),
                            table["authentication"], fid, {"value": "none"}, "none")
        authz = self._lookup(link, "authorization", str(link.get("authorization", "none")),
                             table["authorization"], fid, [], "none")
        kind, lower, top = self._link_tags(link, fid)
        vpn = [table["vpn_layer"]] if link.get("vpn") else []
        stack = [*lower, *vpn, *proto["stack"], *top]
        flow: dict[str, Any] = {"id": fid, "name": title, "from": cid, "to": tcid}
        sent = conv.data_refs(link, "data_assets_sent", fid)
        received = conv.data_refs(link, "data_assets_received", fid)
        if sent or received:
            flow["data"] = sorted(set(sent) | set(received))
        if stack:
            flow["protocol"] = stack
        flow["authentication"] = auth["value"]
        flow["encryption"] = "transport" if proto["encrypted"] else "link" if (lower or vpn) else "none"
        if received:
            flow["bidirectional"] = True
        if proto["network"]:
            flow["via"] = self._interface(tcid, slug(top[-1] if top else proto_name), auth["value"], kind, stack)
        wanted = {*auth.get("controls", []), *authz, *(["firewall-allowlist"] if link.get("ip_filtered") else [])}
        self.controls.setdefault(tcid, set()).update(wanted)
        conv.rep.fields("communication link", link, fid, _LINK_USED, _LINK_LOST)
        self.flows.append(flow)

    def _lookup(self, node: Mapping[str, Any], key: str, value: str, table: Mapping[str, Any], element: str,
                default: Any, shown: str) -> Any:
        if value in table:
            return table[value]
        self.conv.rep.warn(self.conv.doc.at(node, key), f"{key} '{value}' is not in the mapping; treated as "
                           f"{shown}", "see importers/data/threagile_map.yaml", element)
        return default

    def _link_tags(self, link: Mapping[str, Any], fid: str) -> tuple[str, list[str], list[str]]:
        kind, lower, top, lost = str(self.table["default_interface"]), [], [], []
        for tag, _where in self.conv.list_of_ids(link, "tags", fid):
            entry = self.table["link_tags"].get(tag)
            if entry is None:
                lost.append(tag)
                continue
            kind = entry.get("interface", kind)
            lower += [entry["protocol"]] if "protocol" in entry else []
            top += [entry["protocol_top"]] if "protocol_top" in entry else []
        if lost:
            self.conv.rep.warn(self.conv.doc.at(link, "tags"), f"link tags not mapped: {', '.join(lost)}",
                               "see 'link_tags' in importers/data/threagile_map.yaml", fid)
        return kind, lower, top

    def _interface(self, cid: str, base: str, auth: str, kind: str, stack: list[str]) -> str:
        known = self.ifaces.setdefault(cid, {})
        key = (kind, tuple(stack), auth)
        if key not in known:
            wanted = base if auth == "none" else f"{base}-{auth}"
            taken = {i["id"] for i in known.values()}
            ident, n = wanted, 2
            while ident in taken:
                ident, n = f"{wanted}-{n}", n + 1
            iface: dict[str, Any] = {"id": ident, "kind": kind, "authentication": auth}
            if stack:
                iface["protocol"] = list(stack)
            known[key] = iface
        return str(known[key]["id"])

    def finish(self, components: list[dict[str, Any]]) -> None:
        """Attach the interfaces and controls the links imply to their target components."""
        for comp in components:
            ifaces = sorted(self.ifaces.get(comp["id"], {}).values(), key=lambda i: i["id"])
            if ifaces:
                comp["interfaces"] = ifaces
            controls = set(comp.pop("controls", [])) | self.controls.get(comp["id"], set())
            if controls:
                comp["controls"] = sorted(controls)


def build_network(conv: _Converter, section: Mapping[str, Any]) -> Network:
    """Parse and check the trust boundaries (references, nesting, cycles) and claim zone ids."""
    net = Network(conv)
    network_types = set(conv.table["network_boundaries"])
    other_types = set(conv.table["other_boundaries"])
    for title, node in section.items():
        ident = conv.entry("trust boundary", title, node, section)
        if ident is None:
            continue
        if ident in net.bounds:
            conv.rep.error(conv.doc.at(node, "id"), f"duplicate trust boundary id '{ident}'", None, ident)
            continue
        btype = node.get("type")
        if btype not in network_types and btype not in other_types:
            conv.rep.warn(conv.doc.at(node, "type"), f"trust boundary type '{btype}' is not in the mapping; "
                          "treated as a boundary around components", None, ident)
        net.bounds[ident] = _Boundary(str(title), ident, btype in network_types, node)
        conv.rep.fields("trust boundary", node, ident, _TB_USED, ("tags",))
    for ident, bound in net.bounds.items():
        _references(net, conv, ident, bound)
    _check_cycles(net, conv)
    for ident in sorted(net.bounds):
        bound = net.bounds[ident]
        if bound.network:
            bound.zone = conv.ids.claim(ident, "zone", conv.doc.at(bound.node, "id"))
    return net


def _references(net: Network, conv: _Converter, ident: str, bound: _Boundary) -> None:
    for tid, where in conv.list_of_ids(bound.node, "technical_assets_inside", ident):
        if tid in conv.tech:
            bound.inside.append(tid)
            net.direct.setdefault(tid, []).append(ident)
        else:
            conv.rep.error(where, f"unknown technical asset '{tid}' in trust boundary", None, ident)
    for child, where in conv.list_of_ids(bound.node, "trust_boundaries_nested", ident):
        if child not in net.bounds:
            conv.rep.error(where, f"unknown trust boundary '{child}' nested", None, ident)
        elif net.bounds[child].parent is not None:
            conv.rep.error(where, f"trust boundary '{child}' is nested in both '{net.bounds[child].parent}' "
                           f"and '{ident}'", "nest a boundary in one parent only", ident)
        else:
            net.bounds[child].parent = ident
            bound.nested.append(child)


def _check_cycles(net: Network, conv: _Converter) -> None:
    for ident in sorted(net.bounds):
        seen, cur = {ident}, net.bounds[ident].parent
        while cur is not None:
            if cur in seen:
                conv.rep.error(conv.doc.at(net.bounds[ident].node, "trust_boundaries_nested"),
                               f"trust boundaries nest in a cycle through '{ident}'", None, ident)
                for b in net.bounds.values():  # break the cycle so later stages terminate
                    b.parent, b.nested = None, []
                return
            seen.add(cur)
            cur = net.bounds[cur].parent
