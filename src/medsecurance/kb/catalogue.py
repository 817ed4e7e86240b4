"""Imported MITRE catalogues in the user KB folder: compact JSON files, written atomically."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from medsecurance._internal.io import atomic_write_text, canonical_json, read_text_limited
from medsecurance.errors import KbError
from medsecurance.kb.model import CatalogueEntry

__all__ = [
    "CATALOGUE_FILES",
    "FORMAT",
    "CatalogueFile",
    "catalogue_paths",
    "read_catalogue",
    "user_kb_dir",
    "write_catalogue",
]

FORMAT = "medsecurance-kb-catalogue/1"

#: kind → file name inside the user KB folder
CATALOGUE_FILES: dict[str, str] = {"cwe": "cwe.json", "capec": "capec.json", "attack-ics": "attack-ics.json"}


@dataclass(frozen=True, slots=True)
class CatalogueFile:
    """A whole imported catalogue: its kind, provenance and entries."""

    kind: str
    version: str
    source_label: str
    source_file: str
    source_sha256: str
    entries: tuple[CatalogueEntry, ...]


def user_kb_dir(kb_dir: Path | str | None = None) -> Path:
    """The user KB folder: ``kb_dir``, else $MEDSEC_KB_DIR, else the platform user data dir."""
    if kb_dir is not None:
        return Path(kb_dir)
    env = os.environ.get("MEDSEC_KB_DIR")
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_data_dir("medsecurance", appauthor=False)) / "kb"


def catalogue_paths(kb_dir: Path) -> list[Path]:
    """The imported catalogue files present in ``kb_dir``, in a fixed order."""
    return [kb_dir / name for name in CATALOGUE_FILES.values() if (kb_dir / name).is_file()]


def _to_json(cat: CatalogueFile) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "kind": cat.kind,
        "version": cat.version,
        "source_label": cat.source_label,
        "source_file": cat.source_file,
        "source_sha256": cat.source_sha256,
        "entries": [
            {"id": e.id, "name": e.name, "definition": e.definition, "deprecated": e.deprecated,
             "relations": [list(r) for r in e.relations], "attributes": [list(a) for a in e.attributes]}
            for e in sorted(cat.entries, key=lambda e: e.id)
        ],
    }


def write_catalogue(kb_dir: Path, cat: CatalogueFile) -> Path:
    """Write ``cat`` into ``kb_dir`` atomically (readers see the old file or the new one)."""
    target = kb_dir / CATALOGUE_FILES[cat.kind]
    try:
        atomic_write_text(target, canonical_json(_to_json(cat)))
    except Exception as exc:
        raise KbError(f"cannot write the imported catalogue: {exc}", file=target,
                      hint="check the --kb-dir folder is writable") from exc
    return target


def _pairs(value: Any) -> tuple[tuple[str, str], ...]:
    return tuple((str(a), str(b)) for a, b in value)


def read_catalogue(path: Path) -> CatalogueFile:
    """Read a catalogue file written by :func:`write_catalogue`; a damaged file is a located KbError."""
    text = read_text_limited(path, error=KbError)
    try:
        data = json.loads(text)
        if data.get("format") != FORMAT or data.get("kind") not in CATALOGUE_FILES:
            raise ValueError(f"not a {FORMAT} file")
        entries = tuple(
            CatalogueEntry(id=str(e["id"]), name=str(e["name"]), definition=str(e["definition"]),
                           deprecated=bool(e["deprecated"]), relations=_pairs(e["relations"]),
                           attributes=_pairs(e["attributes"]))
            for e in data["entries"]
        )
        return CatalogueFile(kind=data["kind"], version=str(data["version"]), source_label=str(data["source_label"]),
                             source_file=str(data["source_file"]), source_sha256=str(data["source_sha256"]),
                             entries=entries)
    except json.JSONDecodeError as exc:
        raise KbError(f"damaged imported catalogue: {exc.msg}", file=path, line=exc.lineno, column=exc.colno,
                      hint="delete it or import the MITRE file again") from exc
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise KbError(f"damaged imported catalogue: {exc}", file=path,
                      hint="delete it or import the MITRE file again") from exc
