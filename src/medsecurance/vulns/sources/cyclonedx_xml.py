"""CycloneDX XML (1.2–1.6) parsed with defusedxml and mapped onto the JSON reader's shape."""

from __future__ import annotations

import dataclasses
import re
from typing import Any
from xml.etree.ElementTree import Element

from medsecurance.errors import SbomError
from medsecurance.vulns.model import Sbom
from medsecurance.vulns.sources.cyclonedx_json import read_cyclonedx_json

__all__ = ["read_cyclonedx_xml"]

_NS = re.compile(r"^\{http://cyclonedx\.org/schema/bom/(\d+\.\d+)\}")


def _tag(el: Element) -> str:
    return el.tag.rsplit("}", 1)[-1]


def _child(el: Element, name: str) -> Element | None:
    for c in el:
        if _tag(c) == name:
            return c
    return None


def _children(el: Element | None, name: str) -> list[Element]:
    return [c for c in el if _tag(c) == name] if el is not None else []


def _text(el: Element, name: str) -> str | None:
    c = _child(el, name)
    return c.text if c is not None and c.text is not None else None


def _entity(el: Element, name: str) -> dict[str, Any] | None:
    c = _child(el, name)
    if c is None:
        return None
    return {"name": _text(c, "name"), "email": _text(c, "email")}


def _component(el: Element) -> dict[str, Any]:
    licenses: list[dict[str, Any]] = []
    for lic in _children(_child(el, "licenses"), "license"):
        licenses.append({"license": {"id": _text(lic, "id"), "name": _text(lic, "name")}})
    for expr in _children(_child(el, "licenses"), "expression"):
        licenses.append({"expression": expr.text})
    return {
        "type": el.get("type"),
        "bom-ref": el.get("bom-ref"),
        "name": _text(el, "name") or "",
        "version": _text(el, "version"),
        "group": _text(el, "group"),
        "publisher": _text(el, "publisher"),
        "author": _text(el, "author"),
        "purl": _text(el, "purl"),
        "cpe": _text(el, "cpe"),
        "supplier": _entity(el, "supplier"),
        "manufacturer": _entity(el, "manufacturer"),
        "hashes": [{"alg": h.get("alg"), "content": h.text} for h in _children(_child(el, "hashes"), "hash")],
        "licenses": licenses,
        "properties": [
            {"name": p.get("name"), "value": p.text or ""} for p in _children(_child(el, "properties"), "property")
        ],
        "components": [_component(c) for c in _children(_child(el, "components"), "component")],
    }


def _tools(meta: Element) -> Any:
    tools = _child(meta, "tools")
    if tools is None:
        return []
    if _child(tools, "components") is not None or _child(tools, "services") is not None:
        return {
            "components": [_component(c) for c in _children(_child(tools, "components"), "component")],
            "services": [{"name": _text(s, "name")} for s in _children(_child(tools, "services"), "service")],
        }
    return [
        {"vendor": _text(t, "vendor"), "name": _text(t, "name"), "version": _text(t, "version")}
        for t in _children(tools, "tool")
    ]


def read_cyclonedx_xml(root: Element, file: str) -> Sbom:
    """Build an Sbom from the root ``<bom>`` element of a CycloneDX XML document."""
    match = _NS.match(root.tag)
    if _tag(root) != "bom" or match is None:
        raise SbomError("not a CycloneDX XML document (root must be <bom> in the CycloneDX namespace)", file=file)
    meta = _child(root, "metadata")
    metadata: dict[str, Any] = {}
    if meta is not None:
        metadata = {
            "timestamp": _text(meta, "timestamp"),
            "authors": [
                {"name": _text(a, "name"), "email": _text(a, "email")}
                for a in _children(_child(meta, "authors"), "author")
            ],
            "tools": _tools(meta),
            "manufacture": _entity(meta, "manufacture"),
            "manufacturer": _entity(meta, "manufacturer"),
            "supplier": _entity(meta, "supplier"),
        }
        if _child(meta, "component") is not None:
            metadata["component"] = _component(_child(meta, "component"))  # type: ignore[arg-type]
    data = {
        "specVersion": match.group(1),
        "serialNumber": root.get("serialNumber"),
        "metadata": metadata,
        "components": [_component(c) for c in _children(_child(root, "components"), "component")],
        "dependencies": [
            {"ref": d.get("ref"), "dependsOn": [x.get("ref") for x in _children(d, "dependency")]}
            for d in _children(_child(root, "dependencies"), "dependency")
        ],
    }
    sbom = read_cyclonedx_json(data, file)
    return dataclasses.replace(sbom, format="cyclonedx-xml")
