"""Turn pydantic validation errors into located, human diagnostics with "did you mean"."""

from __future__ import annotations

import difflib
import types
import typing
from typing import Any

from pydantic import BaseModel, ValidationError

from medsecurance._internal.yamlloc import LocDict, LocList, locate
from medsecurance.errors import Diagnostic
from medsecurance.model.schema import SystemModel

__all__ = ["field_names_at", "translate_validation_error"]


def _unwrap(annotation: Any) -> Any:
    """Strip Optional/Annotated/tuple[...] to the element type that holds fields."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            models = [a for a in args if isinstance(a, type) and issubclass(a, BaseModel)]
            annotation = models[0] if models else args[0]
        elif origin in (tuple, list):
            annotation = typing.get_args(annotation)[0]
        else:
            return annotation


def _model_at(path: tuple[str | int, ...]) -> type[BaseModel] | None:
    cls: type[BaseModel] = SystemModel
    for part in path:
        if isinstance(part, int):
            continue
        field = cls.model_fields.get(part) or next(
            (f for f in cls.model_fields.values() if f.alias == part), None
        )
        if field is None:
            return None
        inner = _unwrap(field.annotation)
        if not (isinstance(inner, type) and issubclass(inner, BaseModel)):
            return None
        cls = inner
    return cls


def field_names_at(path: tuple[str | int, ...]) -> list[str]:
    """The keys allowed at a place in the model (aliases where a field has one)."""
    cls = _model_at(path)
    if cls is None:
        return []
    return sorted(f.alias or name for name, f in cls.model_fields.items())


def _element_id(raw: Any, loc: tuple[str | int, ...]) -> str | None:
    node, found = raw, None
    for part in loc:
        in_dict = isinstance(node, LocDict) and part in node
        in_list = isinstance(node, LocList) and isinstance(part, int) and 0 <= part < len(node)
        if not (in_dict or in_list):
            break
        node = node[part]
        if isinstance(node, LocDict) and isinstance(node.get("id"), str):
            found = node["id"]
    return found


def _message(err: Any, loc: tuple[str | int, ...]) -> tuple[str, str | None]:
    kind = err["type"]
    where = ".".join(str(p) for p in loc) or "model"
    if kind == "extra_forbidden":
        key = str(loc[-1])
        allowed = field_names_at(loc[:-1])
        close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
        hint = f"did you mean '{close[0]}'?" if close else f"allowed keys: {', '.join(allowed)}"
        return f"unknown key '{key}'", hint
    if kind == "missing":
        return f"missing required key '{loc[-1]}'", f"add '{loc[-1]}:' here"
    if kind == "enum":
        expected = err.get("ctx", {}).get("expected", "")
        return f"{where}: invalid value {err.get('input')!r}", f"expected one of {expected}"
    if kind == "string_pattern_mismatch":
        return f"{where}: {err.get('input')!r} has an invalid form", _pattern_hint(str(loc[-1]))
    if kind == "value_error":
        return f"{where}: {str(err['msg']).removeprefix('Value error, ')}", None
    return f"{where}: {err['msg']} (got {err.get('input')!r})", None


def _pattern_hint(field: str) -> str:
    if field == "sha256":
        return "give the 64 hex digits of the file's SHA-256 (sha256sum FILE)"
    if field in ("eu_mdr", "fda"):
        return "EU MDR classes: I, Is, Im, Ir, IIa, IIb, III; FDA classes: I, II, III"
    return "ids use letters, digits, '-', '_' and '.', and start with a letter or digit"


def translate_validation_error(exc: ValidationError, raw: Any, root_file: str) -> list[Diagnostic]:
    """One diagnostic per pydantic error, located in the YAML it came from."""
    out: list[Diagnostic] = []
    for err in exc.errors(include_url=False):
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
        # union members repeat the path with a type tag; keep the first error per path
        loc = tuple(p for p in loc if p not in ("str", "ContractClause"))
        pos = locate(raw, loc, key=err["type"] == "extra_forbidden")
        if err["type"] == "missing":
            pos = locate(raw, loc[:-1])
        file, line, col = pos if pos else (root_file, None, None)
        message, hint = _message(err, loc)
        out.append(
            Diagnostic(message, file=file, line=line, column=col, element=_element_id(raw, loc), hint=hint)
        )
    return out
