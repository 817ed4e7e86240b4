"""Import a Threagile YAML model (data assets, technical assets, links, trust boundaries).

The translation is driven by the mapping table ``data/threagile_map.yaml``; every field or value
it does not cover comes back as a located warning. References to unknown ids are errors.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from medsecurance.model.importers._common import Document, IdAllocator, Reporter, build_result, load_map, slug
from medsecurance.model.importers._threagile_net import Network, build_network
from medsecurance.model.importers.interface import ImportOptions, ImportResult

__all__ = ["ThreagileImporter"]

_TOP_USED = {"threagile_version", "title", "date", "business_overview", "data_assets", "technical_assets",
             "trust_boundaries"}
_TOP_LOST = {
    "author": "the model author is not the device manufacturer",
    "management_summary_comment": "report text",
    "business_criticality": "medsec rates assets and hazards instead",
    "technical_overview": "report text",
    "tags_available": "tags are mapped where they are used",
    "questions": "open questions belong in the review, not the model",
    "includes": "merge the included Threagile files first",
}
_PER_ENTRY = {
    "abuse_cases": ("abuse case", "medsec derives threats from its rules; record the concern as a hazard or a rule"),
    "security_requirements": ("security requirement", "express it as controls on the components concerned"),
    "shared_runtimes": ("shared runtime", "its technical assets were imported as separate components"),
    "individual_risk_categories": ("individual risk category", "write it as a medsec threat rule (--rules DIR)"),
    "risk_tracking": ("risk tracking entry", "record triage decisions in decisions.yaml after analysis"),
}
_ASSET_USED = ("id", "description", "tags", "confidentiality", "integrity", "availability")
_ASSET_LOST = ("usage", "origin", "owner", "quantity", "justification_cia_rating")
_TECH_USED = ("id", "description", "type", "technology", "technologies", "tags", "internet", "encryption",
              "data_assets_processed", "data_assets_stored", "communication_links")
_TECH_LOST = ("usage", "used_as_client_by_human", "out_of_scope", "justification_out_of_scope", "size", "machine",
              "owner", "confidentiality", "integrity", "availability", "justification_cia_rating", "multi_tenant",
              "redundant", "custom_developed_parts", "data_formats_accepted")


class ThreagileImporter:
    """Threagile model YAML → medsec model."""

    name = "threagile"
    description = "Threagile YAML model (threagile.io)"

    def import_file(self, path: Path, options: ImportOptions) -> ImportResult:
        """Translate a Threagile model file."""
        doc = _read(path)
        rep = Reporter(doc)
        ids = IdAllocator(rep)
        conv = _Converter(doc, rep, ids, load_map("threagile_map"))
        document = conv.run(options)
        return build_result(document, rep, self.name)


def _read(path: Path) -> Document:
    from medsecurance.errors import ModelError
    from medsecurance.model.importers._common import read_document

    doc = read_document(path, "Threagile")
    if not any(k in doc.data for k in ("technical_assets", "threagile_version")):
        raise ModelError("not a Threagile model: no 'technical_assets' or 'threagile_version'", file=doc.display,
                         line=1, column=1, hint="use 'medsec import otm' for Open Threat Model files")
    return doc


class _Converter:
    """One translation run."""

    def __init__(self, doc: Document, rep: Reporter, ids: IdAllocator, table: Mapping[str, Any]) -> None:
        self.doc, self.rep, self.ids, self.table = doc, rep, ids, table
        self.asset_ids: dict[str, str] = {}  # Threagile data-asset id -> medsec id
        self.tech: dict[str, tuple[str, Mapping[str, Any]]] = {}  # Threagile id -> (title, node)
        self.comp_ids: dict[str, str] = {}

    def run(self, options: ImportOptions) -> dict[str, Any]:
        data = self.doc.data
        self._top_level(data)
        assets = self._assets(self._section(data, "data_assets"))
        self._index_tech(self._section(data, "technical_assets"))
        for tid in sorted(self.tech):
            self.comp_ids[tid] = self.ids.claim(tid, "component", self._where(tid))
        net = build_network(self, self._section(data, "trust_boundaries"))
        components = [self._component(tid, net) for tid in sorted(self.tech)]
        net.finish(components)
        return {
            "system": self._system(data, options),
            "assets": assets,
            "zones": net.zones(),
            "trust_boundaries": net.boundaries(),
            "components": sorted(components, key=lambda c: c["id"]),
            "flows": sorted(net.flows, key=lambda f: f["id"]),
        }

    # -- helpers -------------------------------------------------------------------------------
    def _where(self, tid: str) -> Any:
        return self.doc.at(self.tech[tid][1], "id")

    def _section(self, data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
        value = data.get(key)
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.rep.error(self.doc.at(data, key), f"'{key}' must be a mapping of titles to entries")
            return {}
        return value

    def entry(self, section: str, title: str, node: Any, parent: Mapping[str, Any]) -> str | None:
        """The id of one titled entry, or None (with an error) when it is malformed."""
        if not isinstance(node, dict):
            self.rep.error(self.doc.at(parent, title), f"{section} '{title}' must be a mapping")
            return None
        ident = node.get("id")
        if not isinstance(ident, str) or not ident:
            self.rep.error(self.doc.at(parent, title, key=True), f"{section} '{title}' has no 'id'",
                           "give every entry an 'id:'")
            return None
        return ident

    def list_of_ids(self, node: Mapping[str, Any], key: str, element: str) -> list[tuple[str, Any]]:
        """The string items of a list field with their positions (non-strings are errors)."""
        value = node.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.rep.error(self.doc.at(node, key), f"'{key}' must be a list of ids", element=element)
            return []
        out = []
        for i, item in enumerate(value):
            if isinstance(item, str):
                out.append((item, self.doc.at(node, key, i)))
            else:
                self.rep.error(self.doc.at(node, key, i), f"'{key}' items must be ids", element=element)
        return out

    def data_refs(self, node: Mapping[str, Any], key: str, element: str) -> list[str]:
        """Data-asset references of a field, translated; unknown ones are errors."""
        out = []
        for ref, where in self.list_of_ids(node, key, element):
            if ref in self.asset_ids:
                out.append(self.asset_ids[ref])
            else:
                self.rep.error(where, f"unknown data asset '{ref}' in '{key}'", "declare it under 'data_assets:'",
                               element)
        return sorted(set(out))

    # -- sections ------------------------------------------------------------------------------
    def _top_level(self, data: Mapping[str, Any]) -> None:
        for key, value in data.items():
            where = self.doc.at(data, key, key=True)
            if key in _TOP_USED or value in (None, "", [], {}):
                continue
            if key in _PER_ENTRY and isinstance(value, dict):
                what, hint = _PER_ENTRY[key]
                for title in value:
                    self.rep.warn(self.doc.at(value, title, key=True), f"{what} '{title}' not imported", hint)
            elif key in _TOP_LOST or key in _PER_ENTRY or str(key).startswith("diagram_tweak_"):
                reason = _TOP_LOST.get(key, "diagram layout only")
                self.rep.warn(where, f"'{key}' has no equivalent in the medsec model; not imported ({reason})")
            else:
                self.rep.warn(where, f"unknown Threagile field '{key}' not imported", "check its spelling")

    def _system(self, data: Mapping[str, Any], options: ImportOptions) -> dict[str, Any]:
        title = data.get("title")
        name = title if isinstance(title, str) and title.strip() else "Imported Threagile model"
        version = options.version or (str(data["date"]) if data.get("date") else None)
        if version is None:
            version = "0.0.0"
            self.rep.warn(self.doc.at(data, "title"), "no version or date in the model; system version set to "
                          "0.0.0", "pass --version or edit 'system.version'")
        system: dict[str, Any] = {"id": self.ids.claim(slug(name), "system", None, quiet=True), "name": name,
                                  "version": version,
                                  "setting": options.setting.value if options.setting else "hospital"}
        overview = data.get("business_overview")
        if isinstance(overview, dict) and isinstance(overview.get("description"), str):
            system["description"] = overview["description"].strip()
        return system

    def _assets(self, section: Mapping[str, Any]) -> list[dict[str, Any]]:
        table, out = self.table, []
        for title, node in section.items():
            ident = self.entry("data asset", title, node, section)
            if ident is None:
                continue
            aid = self.ids.claim(ident, "asset", self.doc.at(node, "id"))
            self.asset_ids[ident] = aid
            asset: dict[str, Any] = {"id": aid, "name": str(title), "kind": "data"}
            if isinstance(node.get("description"), str):
                asset["description"] = node["description"].strip()
            for prop, scale in (("confidentiality", "confidentiality"), ("integrity", "criticality"),
                                ("availability", "criticality")):
                self._need(node, prop, table[scale], asset, aid)
            cats = self._data_categories(node, aid)
            if cats:
                asset["data_categories"] = cats
                asset["kind"] = next((table["asset_kinds"][c] for c in cats if c in table["asset_kinds"]), "data")
            self.rep.fields("data asset", node, aid, _ASSET_USED, _ASSET_LOST)
            out.append(asset)
        return sorted(out, key=lambda a: a["id"])

    def _need(self, node: Mapping[str, Any], prop: str, scale: Mapping[str, str], asset: dict[str, Any],
              aid: str) -> None:
        value = node.get(prop)
        if value is None:
            return
        if value in scale:
            asset[prop] = scale[value]
        else:
            self.rep.warn(self.doc.at(node, prop), f"{prop} '{value}' is not a Threagile rating; left at 'none'",
                          f"use one of: {', '.join(scale)}", aid)

    def _data_categories(self, node: Mapping[str, Any], aid: str) -> list[str]:
        table = self.table["data_tags"]
        known = set(table.values())
        cats, lost = [], []
        for tag, _where in self.list_of_ids(node, "tags", aid):
            if tag in table or tag in known:
                cats.append(table.get(tag, tag))
            else:
                lost.append(tag)
        if lost:
            self.rep.warn(self.doc.at(node, "tags"), f"data-asset tags not mapped to a data category: "
                          f"{', '.join(lost)}", "see importers/data/threagile_map.yaml 'data_tags'", aid)
        return sorted(set(cats))

    def _index_tech(self, section: Mapping[str, Any]) -> None:
        for title, node in section.items():
            ident = self.entry("technical asset", title, node, section)
            if ident is None:
                continue
            if ident in self.tech:
                self.rep.error(self.doc.at(node, "id"), f"duplicate technical asset id '{ident}'", None, ident)
                continue
            self.tech[ident] = (str(title), node)

    def _component(self, tid: str, net: Network) -> dict[str, Any]:
        title, node = self.tech[tid]
        cid = self.comp_ids[tid]
        comp: dict[str, Any] = {"id": cid, "name": title, "type": self._type(node, cid)}
        if isinstance(node.get("description"), str):
            comp["description"] = node["description"].strip()
        zone = net.zone_of(tid, bool(node.get("internet")))
        if zone:
            comp["zone"] = zone
        assets = self.data_refs(node, "data_assets_processed", cid) + self.data_refs(node, "data_assets_stored", cid)
        if assets:
            comp["assets"] = sorted(set(assets))
        enc = node.get("encryption")
        if enc is not None and enc not in self.table["encryption"]:
            self.rep.warn(self.doc.at(node, "encryption"), f"encryption '{enc}' is not in the mapping; ignored",
                          None, cid)
        controls = set(self.table["encryption"].get(enc, [])) if isinstance(enc, str) else set()
        if controls:
            comp["controls"] = sorted(controls)
        self.rep.fields("technical asset", node, cid, _TECH_USED, _TECH_LOST)
        net.links(tid, cid, node)
        return comp

    def _type(self, node: Mapping[str, Any], cid: str) -> str:
        table = self.table
        tags = [t for t, _ in self.list_of_ids(node, "tags", cid)]
        lost = [t for t in tags if t not in table["type_tags"]]
        if lost:
            self.rep.warn(self.doc.at(node, "tags"), f"technical-asset tags not mapped: {', '.join(lost)}",
                          "see 'type_tags' in importers/data/threagile_map.yaml", cid)
        mapped = [str(table["type_tags"][t]) for t in tags if t in table["type_tags"]]
        if mapped:
            return mapped[0]
        techs = node.get("technologies", node.get("technology"))
        key = "technologies" if "technologies" in node else "technology"
        found = None
        for tech in [techs] if isinstance(techs, str) else techs if isinstance(techs, list) else []:
            if tech in table["technologies"]:
                found = found or str(table["technologies"][tech])
            else:
                self.rep.warn(self.doc.at(node, key), f"technology '{tech}' is not in the mapping", None, cid)
        if found:
            return found
        fallback = table["asset_types"].get(node.get("type"), "Server")
        self.rep.warn(self.doc.at(node, key), f"no mapped technology; component type set to {fallback}",
                      "set 'type:' by hand to the KB device type", cid)
        return str(fallback)
