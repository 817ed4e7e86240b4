"""The assessment as deterministic JSON: the stable contract of the toolbox (schemas/assessment.schema.json)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import IO, Any

from medsecurance._internal.io import canonical_json
from medsecurance.assessment import SCHEMA_VERSION, Assessment
from medsecurance.report.interface import ReportContext

__all__ = ["JsonFormat", "assessment_to_dict"]


def _summary(assessment: Assessment) -> dict[str, Any]:
    findings = assessment.findings
    # counted on the members themselves (StrEnum: hashed as their value), turned into plain str after
    by_kind = _plain(Counter(f.kind for f in findings))
    by_sev = _plain(Counter(f.severity for f in findings))
    by_status = Counter(f.status for f in findings)
    return {
        "findings": len(findings),
        "by_kind": dict(sorted(by_kind.items())),
        "by_severity": dict(sorted(by_sev.items())),
        "by_status": dict(sorted(by_status.items())),
        "attack_paths": len(assessment.attack_paths),
    }


def _plain(counts: Counter[Any]) -> Counter[str]:
    out: Counter[str] = Counter()
    for key, n in counts.items():
        out[str.__str__(key)] += n
    return out


def assessment_to_dict(assessment: Assessment, *, lazy: bool = False) -> dict[str, Any]:
    """The JSON-ready dict: same assessment, same dict, byte for byte once serialised."""
    data: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "tool": dict(assessment.tool),
        "system": dict(assessment.system),
        "model_digest": assessment.model_digest,
        "summary": _summary(assessment),
        "findings": [] if lazy else [f.to_dict() for f in assessment.findings],
        "attack_paths": [] if lazy else [p.to_dict() for p in assessment.attack_paths],
        "warnings": list(assessment.warnings),
    }
    for key, value in sorted(assessment.sections.items()):
        if key not in data and key != "attack_paths":
            data[key] = value
    return data


def _indented(value: Any, depth: int) -> str:
    return canonical_json(value)[:-1].replace("\n", "\n" + "  " * depth)


def write_json(assessment: Assessment, fh: IO[str]) -> None:
    """Stream the canonical JSON of an assessment to a text file, one finding at a time.

    Writes exactly ``canonical_json(assessment_to_dict(assessment))`` without holding the whole
    document (or a copy of every finding as a dict) in memory at once.
    """
    out = _Sink(fh)
    data = assessment_to_dict_lazy(assessment)
    keys = sorted(data)
    out.text("{\n")
    for i, key in enumerate(keys):
        value = data[key]
        out.text(f"  {canonical_json(key)[:-1]}: ")
        if isinstance(value, _Lazy):
            _write_list(out, value)
        else:
            out.text(_indented(value, 1))
        out.text(",\n" if i < len(keys) - 1 else "\n")
    out.text("}\n")
    out.close()


class _Sink:
    """Where the JSON goes: straight to the bytes under a UTF-8 text file when there are any.

    orjson produces UTF-8 bytes; decoding them to text only for the file to encode them again
    cost ~0.3 s on a 70 MB document. Everything is then written to the binary layer, so the
    text layer never holds anything that could be written out of order.
    """

    def __init__(self, fh: IO[str]) -> None:
        self.fh = fh
        raw = getattr(fh, "buffer", None)
        encoding = str(getattr(fh, "encoding", "")).lower().replace("_", "-")
        self.raw: IO[bytes] | None = raw if raw is not None and encoding in ("utf-8", "utf8") else None
        if self.raw is not None:
            fh.flush()

    def text(self, text: str) -> None:
        if self.raw is not None:
            self.raw.write(text.encode("utf-8"))
        else:
            self.fh.write(text)

    def chunk(self, obj: Any) -> None:
        """``canonical_json(obj)`` without its first and last lines (see :func:`_write_list`)."""
        if self.raw is not None:
            data = _canonical_bytes(obj, newline=False)  # the final newline is cut off anyway
            self.raw.write(memoryview(data)[_CHUNK_HEAD:len(data) + 1 - _CHUNK_TAIL])
        else:
            self.fh.write(canonical_json(obj)[_CHUNK_HEAD:-_CHUNK_TAIL])

    def close(self) -> None:
        if self.raw is not None:
            self.raw.flush()


def _canonical_bytes(obj: Any, *, newline: bool = True) -> bytes:
    """``canonical_json(obj).encode("utf-8")``, without the round trip through text when orjson can.

    ``newline=False`` leaves out the final newline: appending it copies the whole chunk (3.6 MB
    for 2,000 findings) into a new buffer: 70 MB of copying (and of fresh pages) for a 70 MB document.
    """
    try:
        import orjson

        data = orjson.dumps(obj, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS)
        return data + b"\n" if newline else data
    except (ImportError, TypeError):  # the same fallbacks as canonical_json
        text = canonical_json(obj)
        return (text if newline else text[:-1]).encode("utf-8")


def _write_list(out: _Sink, value: _Lazy, chunk: int = 2000) -> None:
    """Write a lazy list in chunks, each serialised at once at the depth it has in the document.

    A chunk is serialised as ``{"_": [items]}``: its items then come out indented two levels, as
    they are under a top-level key, so the text is cut out as it is (no re-indenting pass).
    """
    if not value.count:
        out.text("[]")
        return
    out.text("[\n")
    for start in range(0, value.count, chunk):
        out.chunk({"_": value.dicts(start, start + chunk)})
        out.text(",\n" if start + chunk < value.count else "\n")
    out.text("  ]")


_CHUNK_HEAD = len('{\n  "_": [\n')
_CHUNK_TAIL = len("\n  ]\n}\n")


class _Lazy:
    """A list rendered item by item (findings, attack paths)."""

    def __init__(self, items: Sequence[Any], count: int) -> None:
        self._items = items
        self.count = count

    def dicts(self, start: int, stop: int) -> list[dict[str, Any]]:
        """The JSON forms of items ``start`` to ``stop`` (a slice and a list comprehension: no generator)."""
        return [item.to_dict() for item in self._items[start:stop]]


def assessment_to_dict_lazy(assessment: Assessment) -> dict[str, Any]:
    """Like :func:`assessment_to_dict`, with findings and attack paths left lazy."""
    data = assessment_to_dict(assessment, lazy=True)
    data["findings"] = _Lazy(assessment.findings, len(assessment.findings))
    data["attack_paths"] = _Lazy(assessment.attack_paths, len(assessment.attack_paths))
    return data


class JsonFormat:
    """``assessment.json``."""

    name = "json"
    filename = "assessment.json"

    def render(self, assessment: Assessment, ctx: ReportContext) -> str:
        """Canonical JSON text."""
        return canonical_json(assessment_to_dict(assessment))

    def write(self, assessment: Assessment, ctx: ReportContext, fh: IO[str]) -> None:
        """Stream the same text to an open file (bounded memory on large models)."""
        write_json(assessment, fh)
