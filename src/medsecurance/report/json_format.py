"""The assessment as deterministic JSON: the stable contract of the toolbox (schemas/assessment.schema.json)."""

from __future__ import annotations

from collections import Counter
from typing import IO, Any

from medsecurance._internal.io import canonical_json
from medsecurance.assessment import SCHEMA_VERSION, Assessment
from medsecurance.report.interface import ReportContext

__all__ = ["JsonFormat", "assessment_to_dict"]


def _summary(assessment: Assessment) -> dict[str, Any]:
    by_kind = Counter(str.__str__(f.kind) for f in assessment.findings)
    by_sev = Counter(str.__str__(f.severity) for f in assessment.findings)
    by_status = Counter(f.status for f in assessment.findings)
    return {
        "findings": len(assessment.findings),
        "by_kind": dict(sorted(by_kind.items())),
        "by_severity": dict(sorted(by_sev.items())),
        "by_status": dict(sorted(by_status.items())),
        "attack_paths": len(assessment.attack_paths),
    }


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
    data = assessment_to_dict_lazy(assessment)
    keys = sorted(data)
    fh.write("{\n")
    for i, key in enumerate(keys):
        value = data[key]
        fh.write(f"  {canonical_json(key)[:-1]}: ")
        if isinstance(value, _Lazy):
            _write_list(fh, value)
        else:
            fh.write(_indented(value, 1))
        fh.write(",\n" if i < len(keys) - 1 else "\n")
    fh.write("}\n")


def _write_list(fh: IO[str], value: _Lazy, chunk: int = 2000) -> None:
    """Write a lazy list in chunks: each chunk is serialised at once, then shifted one level in."""
    if not value.count:
        fh.write("[]")
        return
    fh.write("[\n")
    items = value.items()
    written = 0
    while written < value.count:
        batch = [next(items) for _ in range(min(chunk, value.count - written))]
        text = canonical_json(batch)[2:-3]  # drop the enclosing "[\n" and "\n]\n"
        fh.write("  " + text.replace("\n", "\n  "))
        written += len(batch)
        fh.write(",\n" if written < value.count else "\n")
    fh.write("  ]")


class _Lazy:
    """A list rendered item by item (findings, attack paths)."""

    def __init__(self, items: Any, count: int) -> None:
        self._items = items
        self.count = count

    def items(self) -> Any:
        return (item.to_dict() for item in self._items)


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
