"""OTM dataflows and interfaces → medsec flows and interfaces (stacks from tags, medsec attributes)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from medsecurance.model.importers._common import slug, valid_id

if TYPE_CHECKING:
    from medsecurance.model.importers.otm import _Converter

__all__ = ["component_attributes", "declared_interface", "translate_flow"]

_FLOW_USED = ("id", "name", "source", "destination", "bidirectional", "assets", "tags", "attributes")
_FLOW_LOST = ("description", "threats", "representations")
#: dataflow attributes medsec writes on export and reads back
_ATTRS = ("interface", "interfaceKind", "authentication", "encryption")


def translate_flow(conv: _Converter, node: Mapping[str, Any]) -> dict[str, Any] | None:
    """One flow, or None when an end is unknown (an error) or it loops on one component (a warning)."""
    ends = []
    for key in ("source", "destination"):
        ref = node.get(key)
        if not isinstance(ref, str) or ref not in conv.comp_ids:
            conv.rep.error(conv.doc.at(node, key) or conv.doc.at(node, "id"), f"dataflow {key} '{ref}' is not a "
                           "component", "dataflows join components by their ids", str(node["id"]))
        ends.append(conv.comp_ids.get(ref) if isinstance(ref, str) else None)
    src, dst = ends
    if src is None or dst is None:
        return None
    fid = conv.ids.claim(node["id"], "flow", conv.doc.at(node, "id"))
    if src == dst:
        conv.rep.warn(conv.doc.at(node, "destination"), "dataflow from a component to itself not imported", None, fid)
        return None
    flow: dict[str, Any] = {"id": fid, "from": src, "to": dst}
    if name := conv._text(node, "name"):
        flow["name"] = name
    data = [r for i in range(len(node.get("assets") or [])) if (r := conv._asset_ref(node, "assets", i, fid))]
    if data:
        flow["data"] = sorted(set(data))
    if node.get("bidirectional") is True:
        flow["bidirectional"] = True
    stack, kind = _stack(conv, node, fid)
    attrs = _attributes(conv, node, fid)
    if stack:
        flow["protocol"] = stack
    for key in ("authentication", "encryption"):
        if key in attrs:
            flow[key] = attrs[key]
    if "interface" in attrs and attrs["interface"] in conv.ifaces.get(dst, {}):
        flow["via"] = attrs["interface"]  # declared on the destination (medsec's own export)
    elif stack or "interface" in attrs:
        flow["via"] = _interface(conv, dst, attrs.get("interface") or slug(stack[-1]),
                                 attrs.get("interfaceKind") or kind, stack, attrs.get("authentication"))
    conv.rep.fields("dataflow", node, fid, _FLOW_USED, _FLOW_LOST)
    return flow


def _stack(conv: _Converter, node: Mapping[str, Any], fid: str) -> tuple[list[str], str]:
    kb = {slug(p): str(p) for p in conv.table["kb_protocols"]}
    protocols, links = conv.tg["protocols"], conv.tg["link_tags"]
    kb_stack: list[str] = []
    lower: list[str] = []
    middle: list[str] = []
    top: list[str] = []
    lost: list[str] = []
    kind = str(conv.tg["default_interface"])
    for tag in node.get("tags") or []:
        if not isinstance(tag, str):
            continue
        if tag in kb.values():  # exactly a KB protocol id (as medsec exports them)
            kb_stack.append(tag)
        elif tag in protocols:  # a Threagile protocol name, e.g. 'https' -> TLS1.2, HTTPS
            middle += protocols[tag]["stack"]
        elif slug(tag) in kb:
            kb_stack.append(kb[slug(tag)])
        elif tag in links:
            kind = links[tag].get("interface", kind)
            lower += [links[tag]["protocol"]] if "protocol" in links[tag] else []
            top += [links[tag]["protocol_top"]] if "protocol_top" in links[tag] else []
        else:
            lost.append(tag)
    if lost:
        conv.rep.warn(conv.doc.at(node, "tags"), f"dataflow tags not mapped: {', '.join(lost)}",
                      "tags may name KB protocols, Threagile protocols or media (see importers/data)", fid)
    return (kb_stack or [*lower, *middle, *top]), kind


def _attributes(conv: _Converter, node: Mapping[str, Any], fid: str) -> dict[str, str]:
    attrs = node.get("attributes")
    if not isinstance(attrs, dict):
        return {}
    out: dict[str, str] = {}
    kinds = {slug(k): str(k) for k in conv.table["kb_interfaces"]}
    for key, value in attrs.items():
        where = conv.doc.at(attrs, key, key=True)
        if key not in _ATTRS or not isinstance(value, str) or not value:
            if value not in (None, "", [], {}):
                conv.rep.dropped("dataflow", f"attributes.{key}", fid, where)
        elif key == "interfaceKind" and slug(value) not in kinds:
            conv.rep.warn(where, f"interface kind '{value}' is not a KB interface kind; ignored", None, fid)
        else:
            out[key] = kinds[slug(value)] if key == "interfaceKind" else value
    return out


def _interface(conv: _Converter, cid: str, wanted: str, kind: str, stack: list[str], auth: str | None) -> str:
    """The id of the destination's interface for this stack (created on first use)."""
    known = conv.ifaces.setdefault(cid, {})
    iface: dict[str, Any] = {"id": wanted if valid_id(wanted) else slug(wanted), "kind": kind}
    if stack:
        iface["protocol"] = list(stack)
    if auth:
        iface["authentication"] = auth
    base, n = iface["id"], 2
    while iface["id"] in known and known[iface["id"]] != iface:
        iface["id"], n = f"{base}-{n}", n + 1
    known[iface["id"]] = iface
    return str(iface["id"])


def declared_interface(conv: _Converter, cid: str, item: Any, where: Any) -> None:
    """An interface listed in a component's ``attributes.interfaces`` (as medsec exports them)."""
    kinds = {slug(k): str(k) for k in conv.table["kb_interfaces"]}
    kb = {slug(p): str(p) for p in conv.table["kb_protocols"]}
    ok = (isinstance(item, dict) and isinstance(item.get("id"), str) and valid_id(item["id"])
          and isinstance(item.get("kind"), str) and slug(item["kind"]) in kinds
          and all(isinstance(p, str) and slug(p) in kb for p in item.get("protocol") or []))
    known = conv.ifaces.setdefault(cid, {})
    if not ok or item["id"] in known:
        conv.rep.warn(where, "interface attribute needs a new 'id', a KB interface 'kind' and KB 'protocol' "
                      "entries; not imported", None, cid)
        return
    iface: dict[str, Any] = {"id": item["id"], "kind": kinds[slug(item["kind"])]}
    if item.get("protocol"):
        iface["protocol"] = [kb[slug(p)] for p in item["protocol"]]
    if isinstance(item.get("authentication"), str) and item["authentication"]:
        iface["authentication"] = item["authentication"]
    if item.get("physical") is True:
        iface["physical"] = True
    known[item["id"]] = iface


def component_attributes(conv: _Converter, node: Mapping[str, Any], comp: dict[str, Any]) -> None:
    """What medsec's own OTM export writes in ``attributes`` (vendor, controls, interfaces)."""
    attrs = node.get("attributes")
    if not isinstance(attrs, dict):
        return
    for key, value in attrs.items():
        if key in ("vendor", "product", "version") and isinstance(value, str):
            comp[key] = value
        elif key == "controls" and isinstance(value, list) and all(isinstance(v, str) for v in value):
            comp["controls"] = sorted(set(value))
        elif key == "interfaces" and isinstance(value, list):
            for i, item in enumerate(value):
                declared_interface(conv, comp["id"], item, conv.doc.at(attrs, key, i))
        elif value not in (None, "", [], {}):
            conv.rep.dropped("component", f"attributes.{key}", comp["id"], conv.doc.at(attrs, key, key=True))
