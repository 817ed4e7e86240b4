"""Argument patterns as data: the YAML schema, the loader with located errors, and the registry.

A pattern is a tree of node templates. Roles are written ``{var.field}`` in ids and texts;
``for_each: "var in path"`` gives the multiplicity (one instance per item, GSN's solid ball),
``when: path`` the optionality (hollow ball). ``evidence:`` and ``analysis:`` make solutions
pointing at the model's evidence entries or at an analysis result. See ``data/patterns/*.yaml``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from medsecurance._internal.io import read_text_limited
from medsecurance._internal.yamlloc import LocDict, load_yaml, locate
from medsecurance.errors import AssuranceError, Diagnostic

__all__ = ["EvidenceSelector", "NodeTemplate", "Pattern", "builtin_patterns", "load_pattern", "load_patterns"]

_FOR_EACH = re.compile(r"^\s*([a-z_][a-z0-9_]*)\s+in\s+([a-z_][a-z0-9_.]*)\s*$")
_TYPES = "goal|strategy|solution|context|assumption|justification|away-goal|module"


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class EvidenceSelector(_Strict):
    """Which model evidence entries become solutions: by kind, optionally covering given elements."""

    kinds: tuple[str, ...] | str = Field(description="evidence kinds, or '{path}' to a list of kinds")
    covers: str | None = Field(default=None, description="'{path}' to a list of element ids, one must be covered")


class NodeTemplate(_Strict):
    """One node of a pattern, with its SupportedBy children and InContextOf context."""

    id: str = Field(min_length=1)
    type: str = Field(pattern=rf"^({_TYPES})$")
    text: str = ""
    for_each: str | None = None
    when: str | None = None
    if_none: str | None = Field(default=None, description="reason the parent is undeveloped if for_each is empty")
    requires: tuple[str, ...] = ()
    check: str | None = None
    analysis: tuple[str, ...] = ()
    evidence: EvidenceSelector | None = None
    undeveloped_reason: str | None = None
    module: str | None = None
    ref: bool = Field(default=False, description="link to a node instantiated elsewhere instead of creating one")
    children: tuple[NodeTemplate, ...] = ()
    context: tuple[NodeTemplate, ...] = ()

    @field_validator("for_each")
    @classmethod
    def _for_each(cls, value: str | None) -> str | None:
        if value is not None and not _FOR_EACH.match(value):
            raise ValueError("for_each must read 'var in path', e.g. 'hazard in hazards'")
        return value

    @field_validator("analysis", "requires", mode="before")
    @classmethod
    def _listify(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    def loop(self) -> tuple[str, str] | None:
        """(variable, path) of the multiplicity, if any."""
        m = _FOR_EACH.match(self.for_each or "")
        return (m.group(1), m.group(2)) if m else None


class Pattern(_Strict):
    """An argument pattern: where it attaches, its source, local data tables and its root template."""

    pattern: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    title: str
    source: str = Field(min_length=1, description="standard, clause or guidance the argument follows")
    attach: str | None = Field(default=None, description="id of the node the root is attached under")
    order: int = 100
    data: dict[str, tuple[dict[str, Any], ...]] = Field(default_factory=dict)
    root: NodeTemplate
    file: str | None = Field(default=None, exclude=True)


def _diagnostics(exc: ValidationError, raw: Any, file: str) -> list[Diagnostic]:
    out = []
    for err in exc.errors(include_url=False):
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith(("function-", "tuple["))))
        pos = locate(raw, loc if err["type"] != "missing" else loc[:-1])
        _, line, col = pos if pos else (file, None, None)
        where = ".".join(str(p) for p in loc) or "(top)"
        msg = str(err["msg"]).removeprefix("Value error, ")
        if err["type"] == "missing":
            msg = f"missing required key '{loc[-1]}'"
        elif err["type"] == "extra_forbidden":
            msg = f"unknown key '{loc[-1]}'"
        out.append(Diagnostic(f"{where}: {msg}", file=file, line=line, column=col,
                              hint="see medsecurance/assurance/data/patterns/*.yaml for the pattern format"))
    return out


def load_pattern(path: str | Path, *, display: str | None = None) -> Pattern:
    """Read and validate one pattern file; a malformed file raises a located AssuranceError."""
    name = display or str(path)
    try:
        text = read_text_limited(path, max_bytes=4 * 1024 * 1024, error=AssuranceError)
    except OSError as exc:
        raise AssuranceError(f"cannot read pattern file: {exc.strerror or exc}", file=name) from exc
    return parse_pattern(text, name)


def parse_pattern(text: str, name: str) -> Pattern:
    """Validate pattern YAML text read from ``name``."""
    raw, dups = load_yaml(text, name, AssuranceError)
    if dups:
        raise AssuranceError.from_diagnostics(dups)
    if not isinstance(raw, LocDict):
        raise AssuranceError("a pattern file must be a mapping with keys pattern, title, source, root",
                             file=name, line=1)
    try:
        return Pattern.model_validate(dict(raw) | {"file": name})
    except ValidationError as exc:
        raise AssuranceError.from_diagnostics(_diagnostics(exc, raw, name)) from exc


def builtin_patterns() -> list[Pattern]:
    """The patterns shipped in ``medsecurance/assurance/data/patterns``."""
    folder = resources.files("medsecurance.assurance") / "data" / "patterns"
    out = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yaml"):
            out.append(parse_pattern(entry.read_text(encoding="utf-8"),
                                     f"medsecurance/assurance/data/patterns/{entry.name}"))
    return out


def load_patterns(extra: Iterable[str | Path] = ()) -> list[Pattern]:
    """Built-in patterns plus the user's (files or folders of ``*.yaml``), sorted by order and name.

    A user pattern with the name of a built-in one replaces it.
    """
    by_name = {p.pattern: p for p in builtin_patterns()}
    for item in extra:
        path = Path(item)
        if path.is_dir():
            files = sorted(path.glob("*.yaml"))
        elif path.is_file():
            files = [path]
        else:
            raise AssuranceError("pattern file or folder not found", file=str(path),
                                 hint="give a .yaml pattern file or a folder of them")
        for file in files:
            pat = load_pattern(file)
            by_name[pat.pattern] = pat
    return sorted(by_name.values(), key=lambda p: (p.order, p.pattern))
