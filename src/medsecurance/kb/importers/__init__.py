"""Importers for MITRE's official catalogue files (CWE XML, CAPEC and ATT&CK for ICS STIX bundles)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from medsecurance.errors import KbError
from medsecurance.kb.catalogue import CatalogueFile, user_kb_dir, write_catalogue
from medsecurance.kb.importers.cwe import parse_cwe
from medsecurance.kb.importers.stix import parse_attack_ics, parse_capec

__all__ = ["IMPORTERS", "ImportResult", "import_catalogue", "parse_attack_ics", "parse_capec", "parse_cwe"]

#: catalogue kind → parser
IMPORTERS: dict[str, Callable[[Path], CatalogueFile]] = {
    "cwe": parse_cwe,
    "capec": parse_capec,
    "attack-ics": parse_attack_ics,
}


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What an import stored: kind, version, entry counts and the file written."""

    kind: str
    version: str
    entries: int
    deprecated: int
    target: Path


def import_catalogue(kind: str, path: Path | str, *, kb_dir: Path | str | None = None) -> ImportResult:
    """Parse a MITRE file fully, then store it atomically in the user KB folder (unchanged on any error)."""
    parser = IMPORTERS.get(kind)
    if parser is None:
        raise KbError(f"unknown catalogue kind '{kind}'", hint="use one of: " + ", ".join(IMPORTERS))
    cat = parser(Path(path))
    target = write_catalogue(user_kb_dir(kb_dir), cat)
    return ImportResult(kind=kind, version=cat.version, entries=len(cat.entries),
                        deprecated=sum(1 for e in cat.entries if e.deprecated), target=target)
