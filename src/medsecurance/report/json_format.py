"""The assessment as deterministic JSON: the stable contract of the toolbox (schemas/assessment.schema.json)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from functools import lru_cache
from operator import attrgetter
from typing import IO, Any

from medsecurance._internal.io import canonical_json
from medsecurance.assessment import SCHEMA_VERSION, Assessment
from medsecurance.report.interface import ReportContext

__all__ = ["JsonFormat", "assessment_to_dict"]


def _summary(assessment: Assessment) -> dict[str, Any]:
    findings = assessment.findings
    # counted on the members themselves (StrEnum: hashed as their value), turned into plain str after
    by_kind = _plain(Counter(map(_KIND, findings)))  # map with attrgetter: no generator frame per finding
    by_sev = _plain(Counter(map(_SEVERITY, findings)))
    by_status = Counter(map(_STATUS, findings))
    return {
        "findings": len(findings),
        "by_kind": dict(sorted(by_kind.items())),
        "by_severity": dict(sorted(by_sev.items())),
        "by_status": dict(sorted(by_status.items())),
        "attack_paths": len(assessment.attack_paths),
    }


_KIND, _SEVERITY, _STATUS = attrgetter("kind"), attrgetter("severity"), attrgetter("status")


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
    """Stream the canonical JSON of an assessment to a text file, one chunk of a large list at a time.

    Writes exactly ``canonical_json(assessment_to_dict(assessment))`` without holding the whole
    document (or a copy of every finding as a dict) in memory at once. Large lists anywhere in the
    sections (the risk register, the assurance nodes) are written in chunks too: serialising a
    100 MB section as one text, re-indenting it and encoding it again cost ~1 s on the
    5,000-component benchmark.
    """
    out = _Sink(fh)
    _write_value(out, assessment_to_dict_lazy(assessment), 0)
    out.text("\n")
    out.close()


#: lists longer than this are written in chunks; shorter values are serialised in one go
_STREAM_MIN = 256


def _streams(value: Any) -> bool:
    """True when ``value`` is, or is a dict holding at some depth, a list worth writing in chunks."""
    if isinstance(value, _Lazy):
        return True
    if type(value) is list:
        return len(value) > _STREAM_MIN
    return type(value) is dict and any(_streams(v) for v in value.values())


def _write_value(out: _Sink, value: Any, depth: int) -> None:
    """Write ``value`` as it appears ``depth`` levels deep in the canonical document."""
    if isinstance(value, _Lazy):
        _write_list(out, value, depth)
    elif type(value) is list and len(value) > _STREAM_MIN:
        _write_list(out, _Lazy(value, len(value), plain=True), depth)
    elif type(value) is dict and value and _streams(value):
        pad = "  " * (depth + 1)
        keys = sorted(value)
        out.text("{\n")
        for i, key in enumerate(keys):
            out.text(f"{pad}{canonical_json(key)[:-1]}: ")
            _write_value(out, value[key], depth + 1)
            out.text(",\n" if i < len(keys) - 1 else "\n")
        out.text("  " * depth + "}")
    else:
        out.text(_indented(value, depth))


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

    def chunk(self, items: list[Any], depth: int) -> None:
        """The items of a list ``depth`` levels deep, as canonical JSON without the brackets."""
        head, tail = _frame(depth)
        wrapped = _wrap(items, depth)
        if self.raw is not None:
            data = _canonical_bytes(wrapped, newline=False)  # the final newline is cut off anyway
            self.raw.write(memoryview(data)[len(head):len(data) - len(tail)])
        else:
            text = canonical_json(wrapped)[:-1]
            self.fh.write(text[len(head.decode("utf-8")):len(text) - len(tail.decode("utf-8"))])

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


def _write_list(out: _Sink, value: _Lazy, depth: int, chunk: int = 2000) -> None:
    """Write a list ``depth`` levels deep in chunks, each serialised at once at the right depth.

    A chunk is serialised wrapped in ``depth`` one-key objects (``{"_": [items]}`` for a top-level
    key's list): its items then come out indented as they are in the document, so the text between
    the wrapper's head and tail is cut out as it is (no re-indenting pass).
    """
    if not value.count:
        out.text("[]")
        return
    out.text("[\n")
    for start in range(0, value.count, chunk):
        out.chunk(value.dicts(start, start + chunk), depth)
        out.text(",\n" if start + chunk < value.count else "\n")
    out.text("  " * depth + "]")


def _wrap(items: list[Any], depth: int) -> Any:
    wrapped: Any = items
    for _ in range(depth):
        wrapped = {"_": wrapped}
    return wrapped


@lru_cache(maxsize=16)
def _frame(depth: int) -> tuple[bytes, bytes]:
    """What surrounds a list's items when serialised by :func:`_wrap`: (head, tail) bytes.

    Found by serialising a one-item list and splitting around the item, so the frame always
    matches the serialiser in use (orjson or the standard library).
    """
    data = _canonical_bytes(_wrap(["\x00"], depth), newline=False)
    marker = data.index(b'"\\u0000"')
    line_start = data.rindex(b"\n", 0, marker) + 1  # the items keep their own indentation
    return data[:line_start], data[marker + len(b'"\\u0000"'):]


class _Lazy:
    """A list rendered item by item (findings, attack paths), or a plain list of JSON values."""

    def __init__(self, items: Sequence[Any], count: int, *, plain: bool = False) -> None:
        self._items = items
        self.count = count
        self._plain = plain

    def dicts(self, start: int, stop: int) -> list[Any]:
        """The JSON values of items ``start`` to ``stop``.

        An item's value is its ``json_value()`` when it has one that gives a value (threat
        findings: see :class:`medsecurance.threats._finding.ThreatFinding`), else its ``to_dict()``.
        """
        items = self._items[start:stop]
        if self._plain:
            return list(items)
        out: list[Any] = []
        for item in items:
            own = getattr(item, "json_value", None)
            value = own() if own is not None else None
            out.append(item.to_dict() if value is None else value)
        return out


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
