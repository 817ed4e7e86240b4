"""CycloneDX JSON (1.2–1.6) read as plain data into an :class:`~medsecurance.vulns.model.Sbom`."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from medsecurance.errors import Diagnostic, SbomError
from medsecurance.vulns.model import Component, Sbom
from medsecurance.vulns.sources._common import check_components, clean_cpe, clean_purl, text

__all__ = ["COMPONENT_TYPES", "read_cyclonedx_json"]

#: component types of the CycloneDX 1.6 schema (``component.type`` enum)
COMPONENT_TYPES = frozenset(
    {
        "application",
        "framework",
        "library",
        "container",
        "platform",
        "operating-system",
        "device",
        "device-driver",
        "firmware",
        "file",
        "machine-learning-model",
        "data",
        "cryptographic-asset",
    }
)


def _entity_name(value: object) -> str | None:
    if isinstance(value, Mapping):
        return text(value.get("name")) or text(value.get("email"))
    return text(value)


def _licenses(items: object) -> tuple[str, ...]:
    out: list[str] = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, Mapping):
            continue
        lic = item.get("license")
        if isinstance(lic, Mapping):
            name = text(lic.get("id")) or text(lic.get("name"))
            if name:
                out.append(name)
        elif text(item.get("expression")):
            out.append(str(item["expression"]).strip())
    return tuple(out)


def _pairs(items: object, key: str, value: str) -> tuple[tuple[str, str], ...]:
    out = []
    for item in items if isinstance(items, list) else []:
        if isinstance(item, Mapping) and text(item.get(key)) and text(item.get(value)) is not None:
            out.append((str(item[key]).strip(), str(item[value]).strip()))
    return tuple(out)


def component_from(data: Mapping[str, Any], where: str, file: str, diags: list[Diagnostic]) -> Component:
    """One component object (JSON shape) → Component; structural errors raise SbomError."""
    ctype = data.get("type")
    if ctype not in COMPONENT_TYPES:
        raise SbomError(
            f"component type {ctype!r} is not a CycloneDX component type",
            file=file,
            element=where,
            hint="use one of: " + ", ".join(sorted(COMPONENT_TYPES)),
        )
    if not isinstance(data.get("name"), str):
        raise SbomError("component has no name", file=file, element=where)
    manufacturer = _entity_name(data.get("manufacturer")) or _entity_name(data.get("author"))
    if manufacturer is None and isinstance(data.get("authors"), list) and data["authors"]:
        manufacturer = _entity_name(data["authors"][0])
    name = str(data["name"]).strip()
    return Component(
        bom_ref=text(data.get("bom-ref")) or where,
        name=name,
        version=text(data.get("version")),
        type=str(ctype),
        group=text(data.get("group")),
        purl=clean_purl(data.get("purl"), file, where, diags),
        cpe=clean_cpe(data.get("cpe"), file, where, diags),
        supplier=_entity_name(data.get("supplier")),
        publisher=text(data.get("publisher")),
        manufacturer=manufacturer,
        hashes=_pairs(data.get("hashes"), "alg", "content"),
        licenses=_licenses(data.get("licenses")),
        properties=_pairs(data.get("properties"), "name", "value"),
        location=where,
    )


def _walk(items: object, prefix: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
    for index, item in enumerate(items if isinstance(items, list) else []):
        where = f"{prefix}[{index}]"
        if isinstance(item, Mapping):
            yield where, item
            yield from _walk(item.get("components"), f"{where}.components")


def _tools(tools: object) -> tuple[str, ...]:
    if isinstance(tools, Mapping):  # 1.5+: {"components": [...], "services": [...]}
        items = list(tools.get("components") or []) + list(tools.get("services") or [])
    else:
        items = tools if isinstance(tools, list) else []
    out = []
    for tool in items:
        if isinstance(tool, Mapping) and text(tool.get("name")):
            vendor = _entity_name(tool.get("vendor")) or _entity_name(tool.get("group"))
            version = text(tool.get("version"))
            out.append(" ".join(x for x in (vendor, str(tool["name"]).strip(), version) if x))
    return tuple(out)


def read_cyclonedx_json(data: Mapping[str, Any], file: str) -> Sbom:
    """Build an Sbom from a decoded CycloneDX JSON document."""
    diags: list[Diagnostic] = []
    meta = data.get("metadata") if isinstance(data.get("metadata"), Mapping) else {}
    assert isinstance(meta, Mapping)
    subject = None
    if isinstance(meta.get("component"), Mapping):
        subject = component_from(meta["component"], "metadata.component", file, diags)
    authors = [a for a in (_entity_name(x) for x in meta.get("authors") or []) if a]
    doc_supplier = next(
        (n for n in (_entity_name(meta.get(k)) for k in ("supplier", "manufacturer", "manufacture")) if n), None
    )
    components = tuple(component_from(c, w, file, diags) for w, c in _walk(data.get("components"), "components"))
    deps: dict[str, tuple[str, ...]] = {}
    for dep in data.get("dependencies") or []:
        if isinstance(dep, Mapping) and text(dep.get("ref")):
            deps[str(dep["ref"])] = tuple(str(x) for x in dep.get("dependsOn") or [] if isinstance(x, str))
    check_components(components, file, diags)
    return Sbom(
        path=file,
        format="cyclonedx-json",
        spec_version=str(data.get("specVersion") or ""),
        serial=text(data.get("serialNumber")),
        timestamp=text(meta.get("timestamp")),
        authors=tuple(authors),
        tools=_tools(meta.get("tools")),
        doc_supplier=doc_supplier,
        subject=subject,
        components=components,
        dependencies=deps,
        diagnostics=tuple(diags),
    )
