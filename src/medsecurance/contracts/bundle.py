"""Provider ↔ consumer contract bundles: an ASiC-E style zip of guarantees, requirements and verdict.

Layout (ETSI EN 319 162-1 ASiC-E conventions): ``mimetype`` first and stored, ``META-INF/manifest.xml``
(OpenDocument manifest of the data files), ``provider/guarantees.json`` and the provider's documents
(SBOMs named in the model, files from the provider profile) under ``provider/files/``,
``consumer/requirements.json``, ``verdict.json``; signatures are added later as
``META-INF/signatures-<role>.xml`` (see :mod:`medsecurance.contracts.signing`).
The zip is deterministic (sorted entries, fixed timestamps) and written atomically.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

from medsecurance._internal.io import atomic_write_bytes, canonical_json, read_bytes_limited, sha256_bytes
from medsecurance.contracts.check import ContractResult, check
from medsecurance.contracts.interface import ContractInputs
from medsecurance.contracts.levels import as_dict, to_levels
from medsecurance.contracts.profiles import apply_profiles
from medsecurance.errors import ContractError
from medsecurance.findings import Severity
from medsecurance.model.schema import ContractClause, SystemModel

__all__ = ["MIMETYPE", "create_bundle", "read_bundle", "write_zip"]

MIMETYPE = "application/vnd.etsi.asic-e+zip"
_EPOCH = (1980, 1, 1, 0, 0, 0)


def _clauses(items: tuple[ContractClause, ...]) -> list[dict[str, Any]]:
    return [c.model_dump(exclude_none=True, exclude_defaults=True) | {"property": c.property} for c in items]


def _provider(model: SystemModel, result: ContractResult, files: Mapping[str, str]) -> dict[str, Any]:
    caps = {c["id"]: c for z in result.zones.get("zones", []) for c in z["components"]}
    return {
        "system": {"id": model.system.id, "name": model.system.name, "version": model.system.version},
        "manufacturer": model.system.manufacturer.model_dump(exclude_none=True) if model.system.manufacturer else None,
        "patch_timeline_days": model.system.patch_timeline_days,
        "components": [
            {
                "id": c.id,
                "type": c.type,
                "vendor": c.vendor,
                "product": c.product,
                "version": c.version,
                "end_of_support": c.end_of_support.isoformat() if c.end_of_support else None,
                "sl_capability": caps.get(c.id, {}).get("sl_capability"),
                "sl_capability_source": caps.get(c.id, {}).get("sl_capability_source", "unknown"),
                "guarantees": _clauses(c.guarantees),
                "assumes": _clauses(c.assumes),
            }
            for c in model.components
        ],
        "documents": dict(sorted(files.items())),
    }


def _consumer(model: SystemModel) -> dict[str, Any]:
    env = model.environment
    return {
        "environment": env.name if env else None,
        "zones": [
            {
                "id": z.id,
                "name": z.name,
                "sl_target": as_dict(to_levels(z.sl_target)),
                "countermeasures": list(z.countermeasures),
            }
            for z in model.zones
        ],
        "conduits": [
            {"id": k.id, "zones": list(k.zones), "sl_target": as_dict(to_levels(k.sl_target)) if k.sl_target else None}
            for k in model.conduits
        ],
        "assumes": _clauses(env.assumes) if env else [],
        "guarantees": _clauses(env.guarantees) if env else [],
    }


def _verdict(result: ContractResult) -> dict[str, Any]:
    blocking = [f for f in result.findings if f.severity.rank > Severity.INFO.rank]
    return {
        "compatible": not blocking,
        "blocking": sorted(f.id for f in blocking),
        "findings": [f.to_dict() for f in result.findings],
        "zones": dict(result.zones),
        "discharged": result.discharged(),
    }


def _manifest(names: list[str]) -> str:
    ns = "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<manifest:manifest xmlns:manifest="{ns}">',
        f' <manifest:file-entry manifest:full-path="/" manifest:media-type="{MIMETYPE}"/>',
    ]
    for n in names:
        media = "application/json" if n.endswith(".json") else "application/octet-stream"
        lines.append(f' <manifest:file-entry manifest:full-path={quoteattr(n)} manifest:media-type="{media}"/>')
    return "\n".join([*lines, "</manifest:manifest>", ""])


def write_zip(entries: Mapping[str, bytes]) -> bytes:
    """A deterministic ASiC-E zip: ``mimetype`` first and stored, then the entries sorted by name."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(zipfile.ZipInfo("mimetype", _EPOCH), MIMETYPE.encode(), compress_type=zipfile.ZIP_STORED)
        for name in sorted(n for n in entries if n != "mimetype"):
            zf.writestr(zipfile.ZipInfo(name, _EPOCH), entries[name], compress_type=zipfile.ZIP_DEFLATED)
    return buf.getvalue()


def read_bundle(path: str | Path) -> dict[str, bytes]:
    """All entries of a bundle; a file that is not a well-formed bundle is a ContractError."""
    data = read_bytes_limited(path, error=ContractError)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = zf.namelist()
            if len(names) != len(set(names)):
                raise ContractError("bundle has duplicate entries", file=path, hint="recreate the bundle")
            entries = {n: zf.read(n) for n in names}
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError) as exc:
        raise ContractError(
            f"not a contract bundle (unreadable zip: {exc})",
            file=path,
            hint="give a file made by 'medsec contract create'",
        ) from exc
    if entries.get("mimetype") != MIMETYPE.encode() or "META-INF/manifest.xml" not in entries:
        raise ContractError(
            "not a contract bundle (missing mimetype or META-INF/manifest.xml)",
            file=path,
            hint="give a file made by 'medsec contract create'",
        )
    return entries


def create_bundle(
    model: SystemModel,
    base_dir: Path,
    out: Path,
    *,
    provider_profile: Path | None = None,
    consumer_profile: Path | None = None,
    inputs: ContractInputs | None = None,
    kb: Any = None,
) -> dict[str, Any]:
    """Assemble, check and write a contract bundle; returns the verdict written into it."""
    profiles = apply_profiles(model, provider_profile, consumer_profile)
    model = profiles.model
    sources = [base_dir / c.sbom for c in model.components if c.sbom] + list(profiles.provider_files)
    docs: dict[str, bytes] = {}
    digests: dict[str, str] = {}
    for src in sources:
        name = f"provider/files/{src.name}"
        if name in docs:
            raise ContractError(f"two provider documents are named {src.name}", file=src, hint="rename one of them")
        docs[name] = read_bytes_limited(src, error=ContractError)
        digests[name] = sha256_bytes(docs[name])
    result = check(model, inputs=inputs, kb=kb)
    verdict = _verdict(result)
    entries = dict(docs)
    entries["provider/guarantees.json"] = canonical_json(_provider(model, result, digests)).encode()
    entries["consumer/requirements.json"] = canonical_json(_consumer(model)).encode()
    entries["verdict.json"] = canonical_json(verdict).encode()
    entries["META-INF/manifest.xml"] = _manifest(sorted(entries)).encode()
    atomic_write_bytes(out, write_zip(entries))
    return verdict
