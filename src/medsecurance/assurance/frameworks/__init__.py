"""Regulatory frameworks as data: FDA premarket, EU MDR (MDCG 2019-16, IG-NB), IEC 81001-5-1, 62443-4-1, TR 60601-4-5.

Each framework is a YAML file in ``data/`` listing clauses — id, a paraphrase in the toolbox's own
words, the source section — and the checks that show a clause is satisfied (model facts, analysis
sections, evidence kinds, open findings or risks that must not exist, declared controls, assurance
nodes). :func:`load_framework` validates a file and reports problems as ``AssuranceError`` with
file:line::

    from medsecurance.assurance.frameworks import load_framework, framework_ids
    fw = load_framework("fda-premarket")
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from medsecurance._internal.io import read_text_limited
from medsecurance._internal.yamlloc import LocDict, LocList, load_yaml, locate
from medsecurance.assurance.frameworks.schema import CHECK_KINDS, Check, Clause, Framework
from medsecurance.errors import AssuranceError, Diagnostic

__all__ = ["CHECK_KINDS", "Check", "Clause", "Framework", "framework_ids", "load_framework", "load_framework_file"]

_DATA = "medsecurance.assurance.frameworks"


def framework_ids() -> tuple[str, ...]:
    """The ids of the shipped frameworks (file names without ``.yaml``)."""
    files = resources.files(_DATA).joinpath("data").iterdir()
    return tuple(sorted(f.name[:-5] for f in files if f.name.endswith(".yaml") and not f.name.startswith("_")))


def load_framework(name: str) -> Framework:
    """A shipped framework by id, or a framework file by path."""
    if name in framework_ids():
        return _shipped(name)
    path = Path(name)
    if path.suffix in (".yaml", ".yml") or path.exists():
        return load_framework_file(path)
    raise AssuranceError(f"unknown framework '{name}'", hint=f"known: {', '.join(framework_ids())}, or a YAML file")


@lru_cache(maxsize=16)
def _shipped(name: str) -> Framework:
    ref = resources.files(_DATA).joinpath("data", f"{name}.yaml")
    with resources.as_file(ref) as path:
        fw = load_framework_file(path, display=f"medsecurance/assurance/frameworks/data/{name}.yaml")
    return fw


def load_framework_file(path: str | Path, *, display: str | None = None) -> Framework:
    """Read and validate one framework file; every problem becomes a located AssuranceError."""
    shown = display or str(path)
    text = read_text_limited(path, max_bytes=8 * 1024 * 1024, error=AssuranceError)
    raw, problems = load_yaml(text, shown, AssuranceError)
    if problems:
        raise AssuranceError(diagnostics=problems)
    if not isinstance(raw, LocDict):
        raise AssuranceError("a framework file is a mapping with 'framework:' and 'clauses:'", file=shown, line=1)
    problems = _duplicates(raw, shown)
    if problems:
        raise AssuranceError(diagnostics=problems)
    try:
        fw = Framework.model_validate(dict(raw))
    except ValidationError as exc:
        raise AssuranceError(diagnostics=_translate(exc, raw, shown)) from exc
    return fw.model_copy(update={"file": shown})


def _duplicates(raw: LocDict, shown: str) -> list[Diagnostic]:
    clauses = raw.get("clauses")
    out: list[Diagnostic] = []
    if not isinstance(clauses, LocList):
        return out
    seen: dict[str, int] = {}
    for i, c in enumerate(clauses):
        cid = c.get("id") if isinstance(c, dict) else None
        if not isinstance(cid, str):
            continue
        if cid in seen:
            pos = locate(raw, ["clauses", i, "id"])
            out.append(
                Diagnostic(
                    f"clause id '{cid}' appears twice",
                    shown,
                    pos[1] if pos else None,
                    pos[2] if pos else None,
                    hint=f"the first one is clause #{seen[cid] + 1}",
                )
            )
        seen.setdefault(cid, i)
    return out


def _translate(exc: ValidationError, raw: Any, shown: str) -> list[Diagnostic]:
    out = []
    for err in exc.errors():
        path = [p for p in err["loc"] if isinstance(p, (str, int))]
        # pydantic adds the validator name for model-level errors; keep the path into the data only
        while path and not _exists(raw, path):
            path.pop()
        pos = locate(raw, path, key=err["type"] == "extra_forbidden")
        where = ".".join(str(p) for p in err["loc"])
        msg = err["msg"].removeprefix("Value error, ")
        out.append(
            Diagnostic(
                f"{where}: {msg}" if where else msg,
                shown,
                pos[1] if pos else None,
                pos[2] if pos else None,
                hint=_hint(err["type"]),
            )
        )
    return out


def _exists(raw: Any, path: list[str | int]) -> bool:
    node = raw
    for p in path:
        if isinstance(node, dict):
            if p not in node:
                return False
            node = node[p]
        elif isinstance(node, list) and isinstance(p, int) and 0 <= p < len(node):
            node = node[p]
        else:
            return False
    return True


def _hint(kind: str) -> str | None:
    if kind == "extra_forbidden":
        return "remove the key or correct its spelling (see an existing framework file)"
    if kind == "missing":
        return "add the missing key"
    if kind.startswith("string_pattern"):
        return "check the allowed characters for this value"
    return None
