"""SBOM readers: CycloneDX JSON/XML and SPDX JSON/tag-value, format detected from the content."""

from __future__ import annotations

import json
from pathlib import Path

from medsecurance._internal.io import read_bytes_limited
from medsecurance.errors import SbomError
from medsecurance.vulns.model import Sbom
from medsecurance.vulns.sources.cyclonedx_json import read_cyclonedx_json
from medsecurance.vulns.sources.cyclonedx_xml import read_cyclonedx_xml
from medsecurance.vulns.sources.spdx import parse_tag_value, read_spdx

__all__ = ["read_sbom", "read_sbom_bytes"]


def read_sbom(path: str | Path, *, max_bytes: int | None = None) -> Sbom:
    """Read an SBOM file (format detected); broken files raise :class:`SbomError` naming the place."""
    data = read_bytes_limited(path, max_bytes=max_bytes, error=SbomError)
    return read_sbom_bytes(data, str(path))


def _xml(data: bytes, file: str) -> Sbom:
    from xml.etree.ElementTree import ParseError

    import defusedxml.ElementTree as DET
    from defusedxml import DefusedXmlException

    try:
        root = DET.fromstring(data)
    except ParseError as exc:
        line, column = exc.position
        raise SbomError(f"broken XML: {exc.msg}", file=file, line=line, column=column + 1) from exc
    except DefusedXmlException as exc:
        raise SbomError(f"unsafe XML refused: {exc}", file=file) from exc
    return read_cyclonedx_xml(root, file)


def read_sbom_bytes(data: bytes, file: str) -> Sbom:
    """Parse SBOM content already in memory; ``file`` is used in messages."""
    try:
        content = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SbomError("not UTF-8 text", file=file, hint="SBOMs must be UTF-8") from exc
    head = content.lstrip()[:1]
    if head == "<":
        return _xml(data, file)
    if head in ("{", "["):
        try:
            doc = json.loads(content)
        except json.JSONDecodeError as exc:
            raise SbomError(f"broken JSON: {exc.msg}", file=file, line=exc.lineno, column=exc.colno) from exc
        if not isinstance(doc, dict):
            raise SbomError("the JSON document is not an object", file=file, line=1, column=1)
        if doc.get("bomFormat") == "CycloneDX":
            return read_cyclonedx_json(doc, file)
        if "spdxVersion" in doc:
            return read_spdx(doc, file)
        raise SbomError(
            "not an SBOM: neither 'bomFormat: CycloneDX' nor 'spdxVersion' found",
            file=file,
            hint="supported: CycloneDX JSON/XML 1.2-1.6, SPDX 2.x JSON and tag-value",
        )
    if "SPDXVersion:" in content[:4096]:
        return read_spdx(parse_tag_value(content, file), file, fmt="spdx-tag-value")
    raise SbomError(
        "unrecognised SBOM format",
        file=file,
        line=1,
        hint="supported: CycloneDX JSON/XML 1.2-1.6, SPDX 2.x JSON and tag-value",
    )
