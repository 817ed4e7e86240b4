"""Import MITRE's CWE XML catalogue (plain or gzip) into a compact catalogue, parsed with defusedxml."""

from __future__ import annotations

import hashlib
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError

import defusedxml
import defusedxml.ElementTree as SafeET

from medsecurance.errors import KbError
from medsecurance.kb.catalogue import CatalogueFile
from medsecurance.kb.importers._common import read_input, shorten
from medsecurance.kb.model import CatalogueEntry

__all__ = ["parse_cwe"]

_NS = "{http://cwe.mitre.org/cwe-7}"


def _parse_xml(path: Path, data: bytes) -> Element:
    try:
        return SafeET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except ParseError as exc:
        line, column = getattr(exc, "position", (None, None))
        raise KbError(f"broken XML: {exc}", file=path, line=line, column=column,
                      hint="expected MITRE's CWE XML (cwec_vX.Y.xml or .xml.gz)") from exc
    except defusedxml.DefusedXmlException as exc:
        raise KbError(f"refused unsafe XML ({type(exc).__name__}): DTDs and entities are not allowed",
                      file=path,
                      hint="MITRE's CWE XML has neither; this file may be an entity-expansion attack") from exc


def _entry(w: Element) -> CatalogueEntry:
    ident = f"CWE-{w.get('ID')}"
    desc = w.find(f"{_NS}Description")
    relations: list[tuple[str, str]] = []
    for rel in w.iter(f"{_NS}Related_Weakness"):
        if rel.get("Nature") == "ChildOf" and rel.get("CWE_ID"):
            relations.append(("childOf", f"CWE-{rel.get('CWE_ID')}"))
    for rel in w.iter(f"{_NS}Related_Attack_Pattern"):
        if rel.get("CAPEC_ID"):
            relations.append(("relatedAttackPattern", f"CAPEC-{rel.get('CAPEC_ID')}"))
    status = w.get("Status") or ""
    attrs = [("status", status)]
    if w.get("Abstraction"):
        attrs.append(("abstraction", w.get("Abstraction") or ""))
    return CatalogueEntry(
        id=ident, name=w.get("Name") or ident,
        definition=shorten("".join(desc.itertext()) if desc is not None else ""),
        deprecated=status == "Deprecated", relations=tuple(sorted(set(relations))), attributes=tuple(attrs),
    )


def parse_cwe(path: Path) -> CatalogueFile:
    """Read a CWE catalogue file; every weakness becomes an entry. Malformed files raise KbError."""
    data = read_input(path)
    root = _parse_xml(path, data)
    if root.tag != f"{_NS}Weakness_Catalog":
        raise KbError(f"not a CWE catalogue: root element is <{root.tag.split('}')[-1]}>", file=path,
                      hint="expected <Weakness_Catalog> from MITRE's cwec_vX.Y.xml")
    weaknesses = root.find(f"{_NS}Weaknesses")
    entries = [_entry(w) for w in (weaknesses if weaknesses is not None else ()) if w.get("ID")]
    if not entries:
        raise KbError("the CWE catalogue contains no weaknesses", file=path, hint="is the file complete?")
    version = root.get("Version") or "unknown"
    return CatalogueFile(kind="cwe", version=version, source_label=f"MITRE CWE {version}", source_file=path.name,
                         source_sha256=hashlib.sha256(data).hexdigest(), entries=tuple(entries))
