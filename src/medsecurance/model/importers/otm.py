"""Import an Open Threat Model (OTM, JSON or YAML): trust zones, components, assets, dataflows.

Driven by ``data/otm_map.yaml`` (and the protocol and medium tables of ``threagile_map.yaml`` for
dataflow tags). Every field or value not carried over comes back as a located warning; references
to unknown ids are errors.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from medsecurance.errors import ModelError
from medsecurance.model.importers._common import (
    Document,
    IdAllocator,
    Reporter,
    build_result,
    load_map,
    read_document,
    slug,
)
from medsecurance.model.importers._otm_parts import component_attributes, translate_flow
from medsecurance.model.importers.interface import ImportOptions, ImportResult

__all__ = ["OtmImporter"]

_TOP_USED = ("otmVersion", "project", "assets", "trustZones", "components", "dataflows")
_TOP_LOST = {
    "representations": "diagram layout has no equivalent in the medsec model",
    "threats": "medsec derives threats from its own rules (medsec analyze); export them with medsec export otm",
    "mitigations": "record controls on the components ('controls:') instead",
}
_PROJECT = (("name", "id", "description"), ("owner", "ownerContact", "tags", "attributes"))
_ASSET = (("id", "name", "description", "risk"), ("attributes",))
_ZONE = (("id", "name", "description", "type", "risk", "parent"), ("representations", "attributes"))
_COMPONENT = (("id", "name", "type", "description", "parent", "tags", "assets", "attributes"),
              ("representations", "threats"))
_FLOW = (("id", "name", "source", "destination", "bidirectional", "assets", "tags", "attributes"),
         ("description", "threats", "representations"))


class OtmImporter:
    """Open Threat Model → medsec model."""

    name = "otm"
    description = "Open Threat Model (OTM) 0.1/0.2, JSON or YAML"

    def import_file(self, path: Path, options: ImportOptions) -> ImportResult:
        """Translate an OTM file."""
        doc = read_document(path, "OTM")
        if "otmVersion" not in doc.data:
            raise ModelError("not an Open Threat Model file: no 'otmVersion'", file=doc.display, line=1, column=1,
                             hint="use 'medsec import threagile' for Threagile models")
        rep = Reporter(doc)
        conv = _Converter(doc, rep, IdAllocator(rep))
        return build_result(conv.run(options), rep, self.name)


class _Converter:
    """One translation run."""

    def __init__(self, doc: Document, rep: Reporter, ids: IdAllocator) -> None:
        self.doc, self.rep, self.ids = doc, rep, ids
        self.table = load_map("otm_map")
        self.tg = load_map("threagile_map")
        self.asset_ids: dict[str, str] = {}
        self.zone_ids: dict[str, str] = {}
        self.zone_parent: dict[str, str] = {}
        self.zone_nodes: dict[str, Mapping[str, Any]] = {}
        self.comp_nodes: dict[str, Mapping[str, Any]] = {}
        self.comp_ids: dict[str, str] = {}
        self.ifaces: dict[str, dict[str, dict[str, Any]]] = {}

    def run(self, options: ImportOptions) -> dict[str, Any]:
        data = self.doc.data
        self.rep.fields("OTM", data, "document", _TOP_USED + tuple(_TOP_LOST), ())
        for key, hint in _TOP_LOST.items():
            if isinstance(data.get(key), list) and data[key]:
                self.rep.warn(self.doc.at(data, key, key=True), f"{len(data[key])} OTM {key} not imported", hint)
        system = self._system(data, options)
        assets = [self._asset(n) for n in self._items(data, "assets")]
        zones = [self._zone(n) for n in self._items(data, "trustZones")]
        self._zone_parents(self._items(data, "trustZones"))
        for node in self._items(data, "components"):
            self._index_component(node)
        components = [self._component(cid) for cid in sorted(self.comp_nodes)]
        flows = [f for n in self._items(data, "dataflows") if (f := self._flow(n))]
        for comp in components:
            if comp["id"] in self.ifaces:
                comp["interfaces"] = sorted(self.ifaces[comp["id"]].values(), key=lambda i: i["id"])
        return {"system": system, "assets": sorted((a for a in assets if a), key=lambda a: a["id"]),
                "zones": sorted((z for z in zones if z), key=lambda z: z["id"]), "trust_boundaries": self._bounds(),
                "components": components, "flows": sorted(flows, key=lambda f: f["id"])}

    def _items(self, data: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
        value = data.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.rep.error(self.doc.at(data, key), f"'{key}' must be a list")
            return []
        out: list[Mapping[str, Any]] = []
        for i, node in enumerate(value):
            if isinstance(node, dict) and isinstance(node.get("id"), str) and node["id"]:
                out.append(node)
            else:
                self.rep.error(self.doc.at(data, key, i), f"{key}[{i}] must be an object with an 'id'")
        return out

    def _text(self, node: Mapping[str, Any], key: str) -> str | None:
        value = node.get(key)
        return value.strip() if isinstance(value, str) and value.strip() else None

    def _system(self, data: Mapping[str, Any], options: ImportOptions) -> dict[str, Any]:
        project = data.get("project")
        if not isinstance(project, dict):
            self.rep.error(self.doc.at(data, "project"), "'project' must be an object with 'name' and 'id'")
            project = {}
        name = self._text(project, "name") or "Imported OTM model"
        ident = self._text(project, "id") or slug(name)
        raw = project.get("attributes")
        attrs: dict[str, Any] = raw if isinstance(raw, dict) else {}
        self.rep.fields("project", project, ident, _PROJECT[0] + ("attributes",), _PROJECT[1])
        for key in attrs:
            if key not in ("version", "setting"):
                self.rep.dropped("project", f"attributes.{key}", ident, self.doc.at(attrs, key, key=True))
        version = options.version or (str(attrs["version"]) if attrs.get("version") else None)
        setting = options.setting or attrs.get("setting") or "hospital"
        if version is None:
            version = "0.0.0"
            self.rep.warn(self.doc.at(data, "project"), "OTM has no system version; set to 0.0.0",
                          "pass --version or edit 'system.version'")
        system: dict[str, Any] = {"id": self.ids.claim(ident, "system", self.doc.at(project, "id")), "name": name,
                                  "version": version, "setting": str(setting)}
        if desc := self._text(project, "description"):
            system["description"] = desc
        return system

    def _asset(self, node: Mapping[str, Any]) -> dict[str, Any] | None:
        aid = self.ids.claim(node["id"], "asset", self.doc.at(node, "id"))
        self.asset_ids[node["id"]] = aid
        asset: dict[str, Any] = {"id": aid, "kind": "data"}
        if name := self._text(node, "name"):
            asset["name"] = name
        if desc := self._text(node, "description"):
            asset["description"] = desc
        risk = node.get("risk")
        if isinstance(risk, dict):
            for prop in ("confidentiality", "integrity", "availability"):
                if prop in risk:
                    self._need(risk, prop, asset, aid)
            for key in risk:
                if key not in ("confidentiality", "integrity", "availability", "comment"):
                    self.rep.warn(self.doc.at(risk, key, key=True), f"asset risk field '{key}' not imported",
                                  None, aid)
        self.rep.fields("asset", node, aid, *_ASSET)
        return asset

    def _need(self, risk: Mapping[str, Any], prop: str, asset: dict[str, Any], aid: str) -> None:
        value = risk[prop]
        if isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value <= 100:
            asset[prop] = next(b["need"] for b in self.table["risk_bands"] if value <= b["max"])
        else:
            self.rep.warn(self.doc.at(risk, prop), f"{prop} '{value}' is not a number from 0 to 100; left at 'none'",
                          None, aid)

    def _zone(self, node: Mapping[str, Any]) -> dict[str, Any]:
        zid = self.ids.claim(node["id"], "zone", self.doc.at(node, "id"))
        self.zone_ids[node["id"]] = zid
        self.zone_nodes[node["id"]] = node
        zone: dict[str, Any] = {"id": zid, "name": self._text(node, "name") or zid}
        risk = node.get("risk")
        rating = risk.get("trustRating") if isinstance(risk, dict) else None
        desc = self._text(node, "description")
        if rating is not None:  # medsec zones carry no trust rating: kept in the description
            desc = f"{desc + ' ' if desc else ''}(OTM trust rating {rating})"
        if desc:
            zone["description"] = desc
        names = {slug(str(node.get(k, ""))) for k in ("id", "name", "type")}
        if names & {slug(z) for z in self.table["internet_zones"]}:
            zone["internet_reachable"] = True
        self.rep.fields("trust zone", node, zid, *_ZONE)
        return zone

    def _parent(self, node: Mapping[str, Any], element: str) -> tuple[str, str] | None:
        parent = node.get("parent")
        if parent is None:
            return None
        if isinstance(parent, dict):
            for kind in ("trustZone", "component"):
                if isinstance(parent.get(kind), str):
                    return kind, parent[kind]
        self.rep.error(self.doc.at(node, "parent"), "'parent' must name a 'trustZone' or a 'component'", None,
                       element)
        return None

    def _zone_parents(self, nodes: list[Mapping[str, Any]]) -> None:
        for node in nodes:
            parent = self._parent(node, node["id"])
            if parent is None:
                continue
            kind, ref = parent
            if kind != "trustZone" or ref not in self.zone_ids:
                self.rep.error(self.doc.at(node, "parent"), f"unknown parent trust zone '{ref}'", None, node["id"])
            else:
                self.zone_parent[node["id"]] = ref
        for start in self.zone_parent:  # a cycle would make the boundaries infinite
            seen, cur = {start}, self.zone_parent.get(start)
            while cur is not None:
                if cur in seen:
                    self.rep.error(self.doc.at(self.zone_nodes[start], "parent"),
                                   f"trust zones nest in a cycle through '{start}'")
                    self.zone_parent.clear()
                    return
                seen.add(cur)
                cur = self.zone_parent.get(cur)

    def _bounds(self) -> list[dict[str, Any]]:
        children: dict[str, list[str]] = {}
        for child, parent in self.zone_parent.items():
            children.setdefault(parent, []).append(child)
        out = []
        for otm_id, zid in self.zone_ids.items():
            family, todo = [], [otm_id]
            while todo:
                cur = todo.pop()
                family.append(self.zone_ids[cur])
                todo.extend(children.get(cur, []))
            tb_id = self.ids.claim(f"TB-{zid}", "boundary", None, quiet=True)
            name = self.zone_nodes[otm_id].get("name")
            out.append({"id": tb_id, "name": str(name or zid), "zones": sorted(family)})
        return sorted(out, key=lambda t: t["id"])

    def _index_component(self, node: Mapping[str, Any]) -> None:
        otm_id = node["id"]
        if otm_id in self.comp_nodes:
            self.rep.error(self.doc.at(node, "id"), f"duplicate component id '{otm_id}'", None, otm_id)
            return
        self.comp_nodes[otm_id] = node
        self.comp_ids[otm_id] = self.ids.claim(otm_id, "component", self.doc.at(node, "id"))

    def _component(self, otm_id: str) -> dict[str, Any]:
        node = self.comp_nodes[otm_id]
        cid = self.comp_ids[otm_id]
        comp: dict[str, Any] = {"id": cid, "name": self._text(node, "name") or cid, "type": self._type(node, cid)}
        if desc := self._text(node, "description"):
            comp["description"] = desc
        if zone := self._component_zone(otm_id, set()):
            comp["zone"] = zone
        assets = node.get("assets")
        if isinstance(assets, dict):
            refs = [self._asset_ref(assets, k, i, cid) for k in ("processed", "stored")
                    for i in range(len(assets.get(k) or []))]
            if found := sorted({r for r in refs if r}):
                comp["assets"] = found
        component_attributes(self, node, comp)
        self.rep.fields("component", node, cid, *_COMPONENT)
        return comp

    def _asset_ref(self, node: Mapping[str, Any], key: str, index: int, element: str) -> str | None:
        ref = node[key][index]
        if ref in self.asset_ids:
            return self.asset_ids[ref]
        self.rep.error(self.doc.at(node, key, index), f"unknown asset '{ref}'", "declare it under 'assets:'",
                       element)
        return None

    def _component_zone(self, otm_id: str, seen: set[str]) -> str | None:
        node = self.comp_nodes[otm_id]
        parent = self._parent(node, self.comp_ids[otm_id])
        if parent is None:
            self.rep.warn(self.doc.at(node, "id"), "component has no parent trust zone; imported without a zone",
                          None, self.comp_ids[otm_id])
            return None
        kind, ref = parent
        if kind == "trustZone":
            if ref not in self.zone_ids:
                self.rep.error(self.doc.at(node, "parent"), f"unknown trust zone '{ref}'", None, otm_id)
            return self.zone_ids.get(ref)
        if ref not in self.comp_nodes or ref in seen or ref == otm_id:
            self.rep.error(self.doc.at(node, "parent"), f"unknown or cyclic parent component '{ref}'", None, otm_id)
            return None
        if not seen:
            self.rep.warn(self.doc.at(node, "parent"), f"nested in component '{ref}'; imported as a separate "
                          "component in its zone (medsec components do not nest)", None, self.comp_ids[otm_id])
        return self._component_zone(ref, seen | {otm_id})

    def _type(self, node: Mapping[str, Any], cid: str) -> str:
        kb = {slug(t): str(t) for t in self.table["kb_types"]}
        tags = [str(t) for t in node.get("tags") or [] if t is not None]
        lost = [t for t in tags if slug(t) not in kb and t not in self.tg["type_tags"] and t not in self.table["types"]]
        if lost:
            self.rep.warn(self.doc.at(node, "tags"), f"component tags not mapped: {', '.join(lost)}",
                          "tags may name KB component types or the types in importers/data/otm_map.yaml", cid)
        for candidate in [*tags, str(node.get("type", ""))]:
            if slug(candidate) in kb:
                return kb[slug(candidate)]
        for candidate in [*tags, str(node.get("type", ""))]:
            mapped = self.tg["type_tags"].get(candidate) or self.table["types"].get(candidate)
            if mapped:
                return str(mapped)
        self.rep.warn(self.doc.at(node, "type"), f"component type '{node.get('type')}' (tags: "
                      f"{', '.join(tags) or 'none'}) is not in the mapping; set to Server",
                      "set 'type:' by hand to the KB device type", cid)
        return "Server"

    def _flow(self, node: Mapping[str, Any]) -> dict[str, Any] | None:
        return translate_flow(self, node)
