"""SPDX 2.x documents (JSON and tag-value) read as plain data into an Sbom."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from medsecurance.errors import Diagnostic, SbomError
from medsecurance.vulns.model import Component, Sbom
from medsecurance.vulns.sources._common import check_components, clean_cpe, clean_purl, text

__all__ = ["parse_tag_value", "read_spdx"]

_NOASSERT = {"NOASSERTION", "NONE"}
_DEP_FORWARD = {"DEPENDS_ON", "CONTAINS", "HAS_PREREQUISITE", "STATIC_LINK", "DYNAMIC_LINK"}
_DEP_REVERSE = {
    "DEPENDENCY_OF",
    "CONTAINED_BY",
    "PREREQUISITE_FOR",
    "BUILD_DEPENDENCY_OF",
    "RUNTIME_DEPENDENCY_OF",
    "DEV_DEPENDENCY_OF",
    "OPTIONAL_DEPENDENCY_OF",
}


def _actor(value: object) -> str | None:
    """``Organization: ACME (x@y)`` → ``ACME``; NOASSERTION → None."""
    raw = text(value)
    if raw is None or raw.upper() in _NOASSERT:
        return None
    raw = re.sub(r"^(Organization|Person|Tool):\s*", "", raw)
    return re.sub(r"\s*\([^)]*\)\s*$", "", raw).strip() or None


def _package(pkg: Mapping[str, Any], where: str, file: str, diags: list[Diagnostic]) -> Component:
    purl = cpe = None
    for ref in pkg.get("externalRefs") or []:
        if not isinstance(ref, Mapping):
            continue
        rtype = str(ref.get("referenceType", "")).lower()
        if rtype == "purl" and purl is None:
            purl = clean_purl(ref.get("referenceLocator"), file, where, diags)
        elif rtype in ("cpe23type", "cpe22type") and cpe is None:
            cpe = clean_cpe(ref.get("referenceLocator"), file, where, diags)
    licenses = tuple(
        v
        for v in (text(pkg.get("licenseConcluded")), text(pkg.get("licenseDeclared")))
        if v and v.upper() not in _NOASSERT
    )
    if not text(pkg.get("name")):
        raise SbomError("package has no name", file=file, element=where)
    return Component(
        bom_ref=text(pkg.get("SPDXID")) or where,
        name=str(pkg["name"]).strip(),
        version=text(pkg.get("versionInfo")),
        type=text(pkg.get("primaryPackagePurpose")),
        purl=purl,
        cpe=cpe,
        supplier=_actor(pkg.get("supplier")),
        manufacturer=_actor(pkg.get("originator")),
        hashes=tuple(
            (str(c.get("algorithm")), str(c.get("checksumValue")))
            for c in pkg.get("checksums") or []
            if isinstance(c, Mapping)
        ),
        licenses=tuple(dict.fromkeys(licenses)),
        properties=tuple(
            (f"spdx:{k}", str(pkg[k])) for k in ("validUntilDate", "releaseDate", "builtDate") if text(pkg.get(k))
        ),
        location=where,
    )


def read_spdx(data: Mapping[str, Any], file: str, fmt: str = "spdx-json") -> Sbom:
    """Build an Sbom from an SPDX 2.x document in its JSON shape (tag-value is converted first)."""
    diags: list[Diagnostic] = []
    version = str(data.get("spdxVersion") or "")
    if not version.startswith("SPDX-2."):
        raise SbomError(
            f"unsupported SPDX version {version!r}",
            file=file,
            element="spdxVersion",
            hint="SPDX 2.2 and 2.3 are supported",
        )
    info = data.get("creationInfo") if isinstance(data.get("creationInfo"), Mapping) else {}
    assert isinstance(info, Mapping)
    creators = [str(c) for c in info.get("creators") or []]
    tools = tuple(_actor(c) or c for c in creators if c.startswith("Tool:"))
    authors = tuple(a for a in (_actor(c) for c in creators if not c.startswith("Tool:")) if a)
    packages = data.get("packages") or []
    components = tuple(
        _package(p, loc, file, diags)
        for i, p in enumerate(packages)
        if isinstance(p, Mapping)
        for loc in [str(p.get("_location") or f"packages[{i}]")]
    )
    deps: dict[str, list[str]] = {}
    for rel in data.get("relationships") or []:
        if not isinstance(rel, Mapping):
            continue
        kind, a, b = rel.get("relationshipType"), rel.get("spdxElementId"), rel.get("relatedSpdxElement")
        if not (isinstance(a, str) and isinstance(b, str)):
            continue
        if kind in _DEP_FORWARD:
            deps.setdefault(a, []).append(b)
        elif kind in _DEP_REVERSE:
            deps.setdefault(b, []).append(a)
    check_components(components, file, diags)
    return Sbom(
        path=file,
        format=fmt,
        spec_version=version.removeprefix("SPDX-"),
        serial=text(data.get("documentNamespace")),
        timestamp=text(info.get("created")),
        authors=authors,
        tools=tools,
        components=components,
        dependencies={k: tuple(dict.fromkeys(v)) for k, v in deps.items()},
        diagnostics=tuple(diags),
    )


_PKG_FIELDS = {
    "SPDXID": "SPDXID",
    "PackageVersion": "versionInfo",
    "PackageSupplier": "supplier",
    "PackageOriginator": "originator",
    "PackageLicenseConcluded": "licenseConcluded",
    "PackageLicenseDeclared": "licenseDeclared",
    "ValidUntilDate": "validUntilDate",
    "ReleaseDate": "releaseDate",
    "BuiltDate": "builtDate",
    "PrimaryPackagePurpose": "primaryPackagePurpose",
}


def parse_tag_value(content: str, file: str) -> dict[str, Any]:
    """Convert SPDX tag-value text into the JSON document shape (packages carry their line)."""
    doc: dict[str, Any] = {"creationInfo": {"creators": []}, "packages": [], "relationships": []}
    pkg: dict[str, Any] | None = None
    lines = content.splitlines()
    i = 0
    while i < len(lines):
        lineno, line = i + 1, lines[i]
        i += 1
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, sep, value = line.partition(":")
        if not sep:
            raise SbomError("expected 'Tag: value'", file=file, line=lineno, hint="check SPDX tag-value syntax")
        key, value = key.strip(), value.strip()
        if value.startswith("<text>"):
            body = [value[6:]]
            while "</text>" not in body[-1]:
                if i >= len(lines):
                    raise SbomError("unterminated <text> block", file=file, line=lineno)
                body.append(lines[i])
                i += 1
            value = "\n".join(body).split("</text>")[0]
        if key == "PackageName":
            pkg = {"name": value, "_location": f"line {lineno}", "externalRefs": [], "checksums": []}
            doc["packages"].append(pkg)
        elif key in ("FileName", "SnippetSPDXID", "LicenseID"):
            pkg = None
        elif key == "SPDXVersion":
            doc["spdxVersion"] = value
        elif key == "DocumentNamespace":
            doc["documentNamespace"] = value
        elif key == "Creator":
            doc["creationInfo"]["creators"].append(value)
        elif key == "Created":
            doc["creationInfo"]["created"] = value
        elif key == "Relationship":
            parts = value.split()
            if len(parts) == 3:
                doc["relationships"].append(
                    {"spdxElementId": parts[0], "relationshipType": parts[1], "relatedSpdxElement": parts[2]}
                )
        elif pkg is not None and key == "ExternalRef":
            parts = value.split(None, 2)
            if len(parts) == 3:
                pkg["externalRefs"].append(
                    {"referenceCategory": parts[0], "referenceType": parts[1], "referenceLocator": parts[2]}
                )
        elif pkg is not None and key == "PackageChecksum":
            alg, _, digest = value.partition(":")
            pkg["checksums"].append({"algorithm": alg.strip(), "checksumValue": digest.strip()})
        elif pkg is not None and key in _PKG_FIELDS:
            pkg[_PKG_FIELDS[key]] = value
    return doc
