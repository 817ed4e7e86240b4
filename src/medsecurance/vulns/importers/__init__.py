"""Advisory importers with format detection: OSV, NVD API 2.0, CVE JSON 5, CSAF 2.0, CISA KEV, EPSS.

Each format module offers ``detect(doc) -> bool`` on a decoded JSON object and ``records(doc, file)``
yielding :mod:`~medsecurance.vulns.records`. Containers (folders, zip, gzip, JSON lines) are
opened here; every problem is an :class:`~medsecurance.errors.AdvisoryError` naming the file and place.
"""

from __future__ import annotations

import json
import zipfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson

from medsecurance._internal.io import _limit, read_bytes_limited
from medsecurance.errors import AdvisoryError
from medsecurance.vulns.importers import csaf, cve5, kev_epss, nvd, osv
from medsecurance.vulns.records import Record

__all__ = ["FORMATS", "read_records"]

#: JSON formats in detection order: name → (detect, records)
FORMATS: dict[str, tuple[Callable[[dict[str, Any]], bool], Callable[[dict[str, Any], str], Iterator[Record]]]] = {
    "nvd": (nvd.detect, nvd.records),
    "nvd-other (nothing to import)": (nvd.detect_other, nvd.no_records),
    "cve5": (cve5.detect, cve5.records),
    "csaf": (csaf.detect, csaf.records),
    "kev": (kev_epss.detect_kev, kev_epss.kev_records),
    "osv": (osv.detect, osv.records),
}
_SUFFIXES = (".json", ".json.gz", ".jsonl", ".jsonl.gz", ".csv", ".csv.gz", ".ndjson", ".zip")


def _gunzip(data: bytes, name: str) -> bytes:
    limit = _limit(None)
    try:
        d = zlib.decompressobj(wbits=31)
        out = d.decompress(data, limit + 1)
        if len(out) > limit:
            raise AdvisoryError(
                f"decompresses to more than {limit} bytes",
                file=name,
                hint="raise MEDSEC_MAX_INPUT_BYTES if the file is trusted",
            )
        if not d.eof:
            raise AdvisoryError(
                "truncated gzip data (unexpected end of file)", file=name, hint="download the file again"
            )
        return out
    except zlib.error as exc:
        raise AdvisoryError(f"broken gzip data: {exc}", file=name) from exc


def _members(path: Path) -> Iterator[tuple[str, bytes]]:
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file() and p.name.endswith(_SUFFIXES))
        if not files:
            raise AdvisoryError("folder holds no advisory files (.json, .jsonl, .csv, .zip, .gz)", file=path)
        for p in files:
            yield from _members(p)
        return
    data = read_bytes_limited(path, error=AdvisoryError)
    if data[:4] == b"PK\x03\x04" or path.suffix == ".zip":
        yield from _zip(path, data)
    elif data[:2] == b"\x1f\x8b":
        yield str(path), _gunzip(data, str(path))
    else:
        yield str(path), data


def _zip(path: Path, data: bytes) -> Iterator[tuple[str, bytes]]:
    import io

    limit = _limit(None)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            for info in sorted(zf.infolist(), key=lambda i: i.filename):
                if info.is_dir() or not info.filename.endswith(_SUFFIXES):
                    continue
                name = f"{path}!{info.filename}"
                if info.file_size > limit:
                    raise AdvisoryError(f"zip member is {info.file_size} bytes, over the limit", file=name)
                member = zf.read(info)
                yield name, _gunzip(member, name) if member[:2] == b"\x1f\x8b" else member
    except (zipfile.BadZipFile, EOFError) as exc:
        raise AdvisoryError(f"broken or truncated zip archive: {exc}", file=path) from exc


def _detect(doc: Any, name: str, line: int | None = None) -> str:
    if isinstance(doc, dict):
        for fmt, (detect, _) in FORMATS.items():
            if detect(doc):
                return fmt
        if doc.get("bomFormat") == "CycloneDX" or "spdxVersion" in doc:
            hint = "this is an SBOM; scan it with 'medsec sbom scan'"
        elif "statements" in doc and "@context" in doc:
            hint = "this is an OpenVEX document; pass it to 'medsec sbom scan --vex'"
        else:
            hint = "expected OSV, NVD API 2.0, CVE JSON 5, CSAF 2.0, CISA KEV (JSON/CSV) or EPSS CSV"
        raise AdvisoryError("not a recognised advisory format", file=name, line=line, hint=hint)
    raise AdvisoryError("expected a JSON object", file=name, line=line)


def _loads(text: str) -> Any:
    """orjson when the text is valid (≈3× faster on large OSV sets); the standard library otherwise,
    whose error carries the message, line and column the user sees."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


def _json_records(name: str, text: str, skipped: list[str] | None) -> Iterator[tuple[str, Iterator[Record]]]:
    try:
        doc = _loads(text)
    except json.JSONDecodeError as exc:
        if exc.msg != "Extra data":
            raise AdvisoryError(f"broken JSON: {exc.msg}", file=name, line=exc.lineno, column=exc.colno) from exc
        yield from _json_lines(name, text)
        return
    if isinstance(doc, list):  # a JSON array of OSV / CVE records
        for index, item in enumerate(doc):
            fmt = _detect(item, f"{name}[{index}]")
            yield fmt, FORMATS[fmt][1](item, f"{name}[{index}]")
        return
    try:
        fmt = _detect(doc, name)
    except AdvisoryError:
        if skipped is None:
            raise
        skipped.append(name)  # inside a folder: e.g. a JSON schema or README data; reported, not fatal
        return
    yield fmt, FORMATS[fmt][1](doc, name)


def _json_lines(name: str, text: str) -> Iterator[tuple[str, Iterator[Record]]]:
    def lines() -> Iterator[tuple[str, Record]]:
        fmt: str | None = None
        for lineno, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                doc = _loads(line)
            except json.JSONDecodeError as exc:
                raise AdvisoryError(f"broken JSON line: {exc.msg}", file=name, line=lineno, column=exc.colno) from exc
            if fmt is None or not isinstance(doc, dict) or not FORMATS[fmt][0](doc):
                fmt = _detect(doc, name, lineno)  # lines normally share one format: detect once
            for record in FORMATS[fmt][1](doc, f"{name}:{lineno}"):
                yield fmt, record

    items = lines()
    first = next(items, None)
    if first is None:
        return
    fmt = first[0]

    def rest() -> Iterator[Record]:
        yield first[1]
        for _, record in items:
            yield record

    yield f"{fmt}-jsonl", rest()


def read_records(path: str | Path, skipped: list[str] | None = None) -> Iterator[tuple[str, Iterator[Record]]]:
    """Yield (format, records) for each document inside ``path`` (file, folder, zip, gzip).

    Inside a folder, JSON documents of no advisory format are appended to ``skipped`` (when given)
    instead of failing the import; a file named directly must always be an advisory file.
    """
    p = Path(path)
    if not p.exists():
        raise AdvisoryError("file not found", file=p, hint="check the path")
    for name, data in _members(p):
        if (
            p.is_dir()
            and name.endswith(".csv")
            and not (
                kev_epss.is_epss_csv(data.decode("utf-8", "replace"))
                or kev_epss.is_kev_csv(data.decode("utf-8", "replace"))
            )
        ):
            continue  # a folder of advisories may carry index files such as changes.csv
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise AdvisoryError("not UTF-8 text", file=name) from exc
        head = text.lstrip()[:1]
        if head in ("{", "["):
            yield from _json_records(name, text, skipped if p.is_dir() else None)
        elif kev_epss.is_epss_csv(text):
            yield "epss", kev_epss.epss_records(text, name)
        elif kev_epss.is_kev_csv(text):
            yield "kev", kev_epss.kev_csv_records(text, name)
        else:
            raise AdvisoryError(
                "not a recognised advisory format",
                file=name,
                line=1,
                hint="expected JSON, JSON lines, KEV CSV or EPSS CSV",
            )
