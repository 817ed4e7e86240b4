"""Read a ``model.yaml`` (and its includes) into a validated :class:`SystemModel`.

All problems are collected and reported together, each with ``file:line:column``, the element
id, what is wrong and how to fix it. Non-fatal observations (an evidence hash that no longer
matches) come back as warnings.
"""

from __future__ import annotations

import importlib.util
import os
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import TypeAdapter, ValidationError

from medsecurance._internal.io import read_text_limited
from medsecurance._internal.yamlloc import LocDict, LocList, Position, load_yaml, locate
from medsecurance.errors import Diagnostic, ModelError
from medsecurance.model._positions import LIST_SECTIONS, scan_positions
from medsecurance.model._pydantic_errors import translate_validation_error
from medsecurance.model.kbcheck import check_terms
from medsecurance.model.references import check_references
from medsecurance.model.schema import SystemModel

if TYPE_CHECKING:
    from medsecurance.kb import KnowledgeBase

__all__ = ["LIST_SECTIONS", "LoadResult", "SourceMap", "load", "load_model"]

#: fields holding file paths relative to the file that declares them
_PATH_FIELDS = {"components": "sbom", "evidence": "file"}
MAX_MODEL_BYTES = 64 * 1024 * 1024


class SourceMap:
    """Where each element of a model was written: element id → (file, line, column).

    Positions come from the located reader, or are found lazily by scanning the files' text
    when the fast reader was used (most runs never need them).
    """

    def __init__(self, root: Path, positions: dict[str, Position] | None = None, raw: Any = None,
                 texts: dict[str, str] | None = None) -> None:
        """Build from known positions, or from file texts to scan on first use."""
        self.root = root
        self.raw = raw
        self._positions = positions
        self._texts = texts or {}

    @property
    def positions(self) -> dict[str, Position]:
        """All element positions."""
        if self._positions is None:
            self._positions = scan_positions(self._texts)
        return self._positions

    def position(self, element_id: str) -> Position | None:
        """Position of the element with this id, if known."""
        return self.positions.get(element_id)

    def position_at(self, path: tuple[str | int, ...]) -> Position | None:
        """Position of the value at a path in the merged raw model."""
        return locate(self.raw, path)


@dataclass(frozen=True)
class LoadResult:
    """A validated model with its source map, the files it was read from, and warnings."""

    model: SystemModel
    source_map: SourceMap
    files: tuple[Path, ...]
    warnings: tuple[Diagnostic, ...] = ()

    @property
    def base_dir(self) -> Path:
        """The folder of the root model file; relative paths in the model resolve against it."""
        return self.source_map.root.parent

    def resolve(self, relative: str) -> Path:
        """Absolute path of a file named in the model."""
        return (self.base_dir / relative).resolve()


class _NeedsLocations(Exception):
    """The fast reader met a problem; re-read with positions to report it precisely."""


def _parse_fast(text: str, filename: str) -> tuple[Any, list[Diagnostic]]:
    """yaml-rs (Rust): ~15× faster than PyYAML; no positions, so any problem falls back."""
    import yaml_rs

    try:
        return yaml_rs.loads(text), []
    except Exception as exc:  # yaml-rs raises its own error types; the precise reader reports them
        raise _NeedsLocations(str(exc)) from exc


class _Reader:
    """Reads a root file and its includes into one raw tree, collecting diagnostics.

    In ``fast`` mode values are plain dicts without positions and the first problem raises
    :class:`_NeedsLocations`; otherwise every value carries its ``file:line:column``.
    """

    def __init__(self, root: Path, *, fast: bool = False) -> None:
        self.root = root
        self.fast = fast
        self.errors: list[Diagnostic] = []
        self.files: list[Path] = []
        self.texts: dict[str, str] = {}

    def read(self, path: Path, stack: tuple[Path, ...], where: Position | None) -> dict[str, Any] | None:
        real = path.resolve()
        if real in stack:
            chain = " → ".join(self._show(p) for p in (*stack, real))
            self._error(where, f"include cycle: {chain}", "remove one of the includes")
            return None
        if not real.is_file():
            self._error(where, f"included file not found: {self._show(path)}", "check the path in 'include:'")
            return None
        text = read_text_limited(real, max_bytes=MAX_MODEL_BYTES, error=ModelError)
        parse = _parse_fast if self.fast else _parse_located
        data, dups = parse(text, self._show(real))
        self.errors.extend(dups)
        self.files.append(real)
        self.texts[self._show(real)] = text
        if data is None:
            data = LocDict((self._show(real), 1, 1))
        if not isinstance(data, dict):
            self._error((self._show(real), 1, 1), "a model file must be a YAML mapping", "start with 'system:'")
            return None
        self._rebase_paths(data, real.parent)
        self._merge_includes(data, real, (*stack, real))
        return data

    def _merge_includes(self, data: dict[str, Any], real: Path, stack: tuple[Path, ...]) -> None:
        includes = data.get("include")
        if includes is None:
            return
        items = [includes] if isinstance(includes, str) else includes
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            return  # the schema reports the type error
        for index, rel in enumerate(items):
            where = locate(data, ("include", index)) if isinstance(includes, list) else locate(data, ("include",))
            sub = self.read(real.parent / rel, stack, where)
            if sub is None:
                continue
            for key in sub:
                if key in ("include", "medsec"):
                    continue
                if key not in LIST_SECTIONS:
                    self._error(
                        locate(sub, (key,), key=True),
                        f"'{key}' is not allowed in an included file",
                        f"included files may hold only: {', '.join(LIST_SECTIONS)}",
                    )
                    continue
                self._append(data, key, sub, key)

    @staticmethod
    def _append(data: dict[str, Any], key: str, sub: dict[str, Any], sub_key: str) -> None:
        incoming = sub[sub_key]
        if not isinstance(incoming, list):
            data.setdefault(key, incoming)
            return
        target = data.get(key)
        if target is None:
            data[key] = incoming
            if isinstance(data, LocDict) and isinstance(sub, LocDict):
                data.key_pos[key] = sub.key_pos[sub_key]
                data.value_pos[key] = sub.value_pos[sub_key]
        elif isinstance(target, list):
            target.extend(incoming)
            if isinstance(target, LocList) and isinstance(incoming, LocList):
                target.item_pos.extend(incoming.item_pos)

    def _rebase_paths(self, data: dict[str, Any], folder: Path) -> None:
        """Rewrite file paths declared in an included file relative to the root model's folder."""
        if folder == self.root.parent:
            return
        for section, key in _PATH_FIELDS.items():
            items = data.get(section)
            if not isinstance(items, list):
                continue
            for item in items:
                if isinstance(item, dict) and isinstance(item.get(key), str):
                    absolute = folder / item[key]
                    item[key] = os.path.relpath(absolute, self.root.parent).replace(os.sep, "/")

    def _show(self, path: Path) -> str:
        return display_path(path)

    def _error(self, where: Position | None, message: str, hint: str | None = None) -> None:
        if self.fast:
            raise _NeedsLocations(message)
        file, line, col = where if where else (self._show(self.root), None, None)
        self.errors.append(Diagnostic(message, file=file, line=line, column=col, hint=hint))


def display_path(path: Path) -> str:
    """A path as users want to read it: relative to the working folder when inside it."""
    try:
        rel = os.path.relpath(path)
    except ValueError:  # pragma: no cover - other drive on Windows
        return str(path)
    return str(path.resolve()) if rel.startswith("..") else rel


def _partial_model(raw: LocDict) -> SystemModel | None:
    """The model built from the elements that are valid on their own, to cross-check them too."""
    fields = SystemModel.model_fields
    data: dict[str, Any] = {}
    for key, value in raw.items():
        if key in LIST_SECTIONS and isinstance(value, list):
            adapter = _adapter(key)
            kept = []
            for item in value:
                try:
                    kept.append(adapter.validate_python(item))
                except ValidationError:
                    continue
            data[key] = kept
        elif key in fields or key == "medsec":
            data[key] = value
    try:
        return SystemModel.model_validate(data)
    except ValidationError:
        return None


def _adapter(section: str) -> TypeAdapter[Any]:
    annotation = SystemModel.model_fields[section].annotation
    item_type = typing.get_args(annotation)[0]
    return TypeAdapter(item_type)


def _raw_ids(raw: LocDict) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for section in LIST_SECTIONS:
        items = raw.get(section)
        if isinstance(items, list):
            out[section] = {i["id"] for i in items if isinstance(i, dict) and isinstance(i.get("id"), str)}
    return out


def _parse_located(text: str, filename: str) -> tuple[Any, list[Diagnostic]]:
    data, dups = load_yaml(text, filename, ModelError)
    return data, dups


def _element_positions(raw: LocDict) -> dict[str, Position]:
    positions: dict[str, Position] = {}
    for section in LIST_SECTIONS:
        items = raw.get(section)
        if not isinstance(items, LocList):
            continue
        for item in items:
            if isinstance(item, LocDict) and isinstance(item.get("id"), str):
                positions.setdefault(item["id"], item.key_pos["id"])
    system = raw.get("system")
    if isinstance(system, LocDict) and isinstance(system.get("id"), str):
        positions.setdefault(system["id"], system.key_pos["id"])
    return positions


def load(path: str | Path, *, check_files: bool = True, kb: KnowledgeBase | bool | None = True) -> LoadResult:
    """Load, validate and cross-check a model; raises :class:`ModelError` listing every problem.

    A fast reader handles valid models; at the first problem the files are re-read with
    positions so that every diagnostic names its ``file:line:column``. Vocabulary (types,
    protocols, controls, …) is checked against the knowledge base: ``kb=True`` loads the default
    one, a :class:`KnowledgeBase` is used as given, ``False``/``None`` skips the check.
    """
    root = Path(path)
    if root.is_dir():
        root = root / "model.yaml"
    knowledge = _knowledge(kb)
    try:
        return _load_fast(root, check_files, knowledge)
    except _NeedsLocations:
        return _load_located(root, check_files, knowledge)


def _knowledge(kb: KnowledgeBase | bool | None) -> KnowledgeBase | None:
    if kb is True:
        from medsecurance.kb import load_kb

        return load_kb()
    return kb if kb else None


def _load_fast(root: Path, check_files: bool, kb: KnowledgeBase | None = None) -> LoadResult:
    if importlib.util.find_spec("yaml_rs") is None:  # optional accelerator not installed
        raise _NeedsLocations("yaml-rs not available")
    reader = _Reader(root, fast=True)
    raw = reader.read(root, (), None)
    try:
        model = SystemModel.model_validate(raw)
    except ValidationError as exc:
        raise _NeedsLocations("schema") from exc
    source_map = SourceMap(root=root.resolve(), raw=raw, texts=reader.texts)
    errors, warnings = check_references(model, source_map, check_files=check_files)
    if errors or warnings or (kb is not None and check_terms(model, kb, source_map)):
        raise _NeedsLocations("references")
    return LoadResult(model, source_map, tuple(reader.files), ())


def _load_located(root: Path, check_files: bool, kb: KnowledgeBase | None = None) -> LoadResult:
    reader = _Reader(root)
    raw = reader.read(root, (), None)
    if raw is None or not isinstance(raw, LocDict):
        raise ModelError.from_diagnostics(reader.errors)
    errors = list(reader.errors)
    model: SystemModel | None = None
    checked: SystemModel | None = None
    try:
        model = checked = SystemModel.model_validate(raw)
    except ValidationError as exc:
        errors.extend(translate_validation_error(exc, raw, display_path(root.resolve())))
        checked = _partial_model(raw)
    source_map = SourceMap(root=root.resolve(), positions=_element_positions(raw), raw=raw)
    warnings: list[Diagnostic] = []
    if checked is not None:
        ref_errors, warnings = check_references(
            checked, source_map, check_files=check_files, known=None if model else _raw_ids(raw)
        )
        errors.extend(ref_errors)
        if kb is not None:
            errors.extend(check_terms(checked, kb, source_map))
    if errors or model is None:
        raise ModelError.from_diagnostics(_sorted(errors))
    return LoadResult(model, source_map, tuple(reader.files), tuple(_sorted(warnings)))


def _sorted(items: list[Diagnostic]) -> list[Diagnostic]:
    unique = dict.fromkeys(items)
    return sorted(unique, key=lambda d: (d.file or "", d.line or 0, d.column or 0, d.message))


def load_model(path: str | Path) -> SystemModel:
    """Load and validate a model file; the library's simplest entry point."""
    return load(path).model
