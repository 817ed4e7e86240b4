"""Shared machinery of the importers: located reading, warnings, ids, mapping tables, YAML output."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from medsecurance._internal.io import read_text_limited, sha256_bytes
from medsecurance._internal.yamlloc import Position, load_yaml, locate
from medsecurance.errors import Diagnostic, ModelError
from medsecurance.model.importers.interface import ImportResult
from medsecurance.model.schema import SystemModel

__all__ = ["Document", "IdAllocator", "Reporter", "build_result", "dump_model", "load_map", "read_document", "slug",
           "valid_id"]

_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
_MAX_INPUT_BYTES = 64 * 1024 * 1024
#: the order of sections in the written model.yaml
_SECTION_ORDER = ("system", "assets", "zones", "trust_boundaries", "components", "flows")


class Document:
    """A parsed foreign file: its data (mappings carry positions when the parser could record them)."""

    def __init__(self, path: Path, display: str, data: Any, text: str) -> None:
        self.path = path
        self.display = display
        self.data = data
        self.sha256 = sha256_bytes(text.encode("utf-8"))

    def at(self, node: Any, *path: str | int, key: bool = False) -> Position | None:
        """Position of the value (or key) at ``path`` under ``node``, or of the nearest ancestor."""
        return locate(node, path, key=key)


def read_document(path: Path, format_name: str) -> Document:
    """Read a YAML or JSON file with positions; syntax errors are a located ModelError."""
    from medsecurance.model.loader import display_path

    display = display_path(path)
    text = read_text_limited(path, max_bytes=_MAX_INPUT_BYTES, error=ModelError)
    data: Any = None
    is_json = path.suffix.lower() == ".json"
    if is_json or text.lstrip().startswith(("{", "[")):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            if is_json:
                raise ModelError(f"JSON syntax error: {exc.msg}", file=display, line=exc.lineno, column=exc.colno,
                                 hint=f"a {format_name} JSON file must be valid JSON") from exc
    try:  # YAML (a superset of JSON) also for JSON files, to learn positions
        located, dups = load_yaml(text, display, ModelError)
    except ModelError:
        if data is None:
            raise
    else:
        if dups:
            raise ModelError.from_diagnostics(dups)
        data = located
    if not isinstance(data, dict):
        raise ModelError(f"not a {format_name} model: the file must hold a mapping at the top", file=display,
                         line=1, column=1)
    return Document(path, display, data, text)


class Reporter:
    """Collects warnings (constructs not carried over) and errors, each with its place."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.warnings: list[Diagnostic] = []
        self.errors: list[Diagnostic] = []
        self._dropped: dict[tuple[str, str], list[tuple[str, Position | None]]] = {}

    def _diag(self, where: Position | None, message: str, hint: str | None, element: str | None) -> Diagnostic:
        file, line, col = where if where else (self.doc.display, None, None)
        return Diagnostic(message, file=file, line=line, column=col, element=element, hint=hint)

    def warn(self, where: Position | None, message: str, hint: str | None = None, element: str | None = None) -> None:
        """Record a construct that was not (fully) carried over."""
        self.warnings.append(self._diag(where, message, hint, element))

    def error(self, where: Position | None, message: str, hint: str | None = None, element: str | None = None) -> None:
        """Record a problem that makes the input unusable (raised by :meth:`check`)."""
        self.errors.append(self._diag(where, message, hint, element))

    def dropped(self, kind: str, field: str, element: str, where: Position | None) -> None:
        """A known field without an equivalent; reported once per (kind, field) with its elements."""
        self._dropped.setdefault((kind, field), []).append((element, where))

    def fields(self, kind: str, node: Mapping[str, Any], element: str, used: Iterable[str],
               no_equivalent: Iterable[str]) -> None:
        """Report the fields of ``node`` this importer neither uses nor knows to be without equivalent."""
        known, lost = set(used), set(no_equivalent)
        for key, value in node.items():
            if key in known:
                continue
            where = self.doc.at(node, key, key=True)
            if key in lost or str(key).startswith("diagram_tweak_"):
                if value not in (None, False, "", [], {}):
                    self.dropped(kind, str(key), element, where)
            else:
                self.warn(where, f"unknown {kind} field '{key}' not imported", "check its spelling", element)

    def check(self) -> None:
        """Raise every recorded error at once."""
        if self.errors:
            raise ModelError.from_diagnostics(_sorted(self.errors))

    def all_warnings(self) -> tuple[Diagnostic, ...]:
        """The warnings, with the collapsed field reports, sorted by place."""
        out = list(self.warnings)
        for (kind, field), hits in self._dropped.items():
            names = sorted({name for name, _ in hits})
            shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
            first = min((w for _, w in hits if w), default=None)
            out.append(self._diag(first, f"{kind} field '{field}' has no equivalent in the medsec model; "
                                  f"not imported (in {shown})", None, None))
        return tuple(_sorted(out))


def _sorted(items: list[Diagnostic]) -> list[Diagnostic]:
    unique = dict.fromkeys(items)
    return sorted(unique, key=lambda d: (d.file or "", d.line or 0, d.column or 0, d.message))


def valid_id(text: str) -> bool:
    """Whether ``text`` is a valid medsec element id."""
    return bool(_ID_RE.match(text)) and len(text) <= 120


def slug(text: str) -> str:
    """A valid medsec id from any text (lower case, '-' for runs of other characters)."""
    out = re.sub(r"[^a-z0-9_]+", "-", text.strip().lower()).strip("-_")
    return out or "x"


class IdAllocator:
    """Hands out model-wide unique, valid ids, keeping the foreign ids whenever possible."""

    def __init__(self, reporter: Reporter) -> None:
        self.reporter = reporter
        self.taken: set[str] = set()

    def claim(self, wanted: str, prefix: str, where: Position | None, *, quiet: bool = False) -> str:
        """A unique id close to ``wanted``; renames are reported unless ``quiet``."""
        candidate = wanted if valid_id(wanted) else slug(wanted)[:120]
        if candidate in self.taken:
            candidate = f"{prefix}-{candidate}"
        base, n = candidate, 2
        while candidate in self.taken:
            candidate, n = f"{base}-{n}", n + 1
        self.taken.add(candidate)
        if candidate != wanted and not quiet:
            self.reporter.warn(where, f"id '{wanted}' renamed to '{candidate}'",
                               "medsec ids are unique across the model and use letters, digits, '-', '_', '.'")
        return candidate


@cache
def load_map(name: str) -> Mapping[str, Any]:
    """A mapping table shipped in ``importers/data/<name>.yaml``."""
    text = files("medsecurance.model.importers").joinpath("data", f"{name}.yaml").read_text("utf-8")
    data = yaml.safe_load(text)
    if not isinstance(data, dict):  # pragma: no cover - shipped data
        raise ModelError(f"mapping table {name}.yaml is not a mapping")
    return data


def build_result(document: dict[str, Any], reporter: Reporter, source_format: str) -> ImportResult:
    """Validate the translated document as a model (schema and references) and wrap it."""
    from medsecurance.model.loader import SourceMap
    from medsecurance.model.references import check_references

    reporter.check()
    doc = reporter.doc
    try:
        model = SystemModel.model_validate(document)
    except ValidationError as exc:
        raise ModelError(diagnostics=[
            Diagnostic(f"translated model is invalid at {'.'.join(str(p) for p in err['loc'])}: {err['msg']}",
                       file=doc.display, hint="fix the value in the source file")
            for err in exc.errors()
        ]) from exc
    errors, _warnings = check_references(model, SourceMap(root=doc.path.resolve()), check_files=False)
    if errors:
        raise ModelError(diagnostics=[Diagnostic(f"translated model: {e.message}", file=doc.display,
                                                 element=e.element, hint=e.hint) for e in errors])
    return ImportResult(model=model, document=document, warnings=reporter.all_warnings(),
                        source_format=source_format, source=doc.display, source_sha256=doc.sha256)


#: libyaml's emitter (about 10x faster than PyYAML's pure-Python one on large models)
_Dumper: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def dump_model(result: ImportResult) -> str:
    """Deterministic ``model.yaml`` text: fixed section order, sorted ids, a provenance header."""
    ordered = {key: result.document[key] for key in _SECTION_ORDER if result.document.get(key)}
    body = yaml.dump(ordered, Dumper=_Dumper, sort_keys=False, default_flow_style=False, allow_unicode=True,
                     width=100)
    header = (
        f"# Imported by medsec from the {result.source_format} model {result.source}\n"
        f"# (source sha256 {result.source_sha256}).\n"
        f"# {len(result.warnings)} construct(s) did not carry over; `medsec import` listed them.\n"
        "# Review component types, zones and protocol stacks, then run: medsec validate <this file>\n"
    )
    return header + body
