"""Shared helpers for the MITRE importers: bounded reads, gzip, JSON/STIX checks, short definitions."""

from __future__ import annotations

import gzip
import io
import json
import re
import zlib
from pathlib import Path
from typing import Any

from medsecurance._internal.io import read_bytes_limited
from medsecurance.errors import KbError

__all__ = ["external_id", "load_stix_bundle", "read_input", "shorten"]

#: ceiling for a decompressed catalogue (the full CWE XML is about 15 MB)
MAX_DECOMPRESSED = 512 * 1024 * 1024
_CITATION = re.compile(r"\s*\(Citation:[^)]*\)")
_SPACE = re.compile(r"\s+")
_TAG = re.compile(r"<[^>]{1,200}>")


def read_input(path: Path) -> bytes:
    """The file's bytes, gunzipped when it starts with the gzip magic; damage is a located KbError."""
    raw = read_bytes_limited(path, error=KbError)
    if not raw:
        raise KbError("file is empty", file=path, hint="pass the MITRE catalogue file")
    if raw[:2] != b"\x1f\x8b":
        return raw
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(raw)) as fh:
            data = fh.read(MAX_DECOMPRESSED + 1)
    except EOFError as exc:
        raise KbError("gzip file is truncated", file=path, hint="download the file again") from exc
    except (OSError, zlib.error) as exc:
        raise KbError(f"gzip file is corrupt: {exc}", file=path, hint="download the file again") from exc
    if len(data) > MAX_DECOMPRESSED:
        raise KbError(f"decompressed content exceeds {MAX_DECOMPRESSED} bytes", file=path,
                      hint="this does not look like a MITRE catalogue (possible gzip bomb)")
    return data


def load_stix_bundle(path: Path, data: bytes, expected: str) -> list[dict[str, Any]]:
    """Parse a STIX bundle and return its objects; anything else is a KbError naming the file."""
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise KbError("file is not UTF-8 JSON", file=path, hint=f"expected {expected}") from exc
    except json.JSONDecodeError as exc:
        raise KbError(f"invalid JSON: {exc.msg}", file=path, line=exc.lineno, column=exc.colno,
                      hint=f"expected {expected}") from exc
    if not isinstance(doc, dict) or doc.get("type") != "bundle" or not isinstance(doc.get("objects"), list):
        raise KbError("not a STIX bundle (no top-level type 'bundle' with 'objects')", file=path,
                      hint=f"expected {expected}")
    return [o for o in doc["objects"] if isinstance(o, dict)]


def external_id(obj: dict[str, Any], source_name: str) -> str | None:
    """The external id a STIX object carries for ``source_name`` (e.g. 'capec', 'mitre-attack')."""
    for ref in obj.get("external_references") or ():
        if isinstance(ref, dict) and ref.get("source_name") == source_name and ref.get("external_id"):
            return str(ref["external_id"])
    return None


def shorten(text: str, limit: int = 400) -> str:
    """The first sentences of a MITRE description, citations removed, at most ``limit`` characters."""
    clean = _SPACE.sub(" ", _TAG.sub(" ", _CITATION.sub("", text or ""))).strip()
    if len(clean) <= limit:
        return clean
    cut = clean[:limit]
    end = cut.rfind(". ")
    return cut[: end + 1] if end > limit // 3 else cut.rstrip() + "…"
