"""Change impact between two releases: model changes, findings, risks, assurance nodes, evidence to redo.

Library use::

    from medsecurance.assurance.diff import diff_files
    result = diff_files("v2.3/model.yaml", "v2.4/model.yaml")      # or two assessment JSON files
    result.may_affect_cybersecurity, result.reasons                    # FDA premarket guidance VII.D

Model changes are classified by the data rules in ``frameworks/data/_change-impact.yaml``.
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from medsecurance._internal.io import read_text_limited
from medsecurance.errors import AssuranceError
from medsecurance.model.loader import LIST_SECTIONS

__all__ = ["Change", "DiffResult", "classify", "diff_assessments", "diff_files", "diff_models"]

_COLLECTIONS = LIST_SECTIONS  # the model's element lists


@dataclass(frozen=True)
class Change:
    """One model change: an element added or removed, or one field changed."""

    kind: str  # added | removed | changed
    collection: str
    element: str
    field: str  # display path inside the element ("interfaces[ble].protocol"), "" for the element itself
    key: str  # matching key without ids ("components.interfaces.protocol")
    old: Any = None
    new: Any = None
    category: str = "other"
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The JSON form."""
        return {
            "kind": self.kind,
            "collection": self.collection,
            "element": self.element,
            "field": self.field,
            "old": self.old,
            "new": self.new,
            "category": self.category,
            "reason": self.reason,
        }


@lru_cache(maxsize=1)
def _rules() -> dict[str, Any]:
    ref = resources.files("medsecurance.assurance.frameworks").joinpath("data", "_change-impact.yaml")
    data: dict[str, Any] = yaml.safe_load(ref.read_text(encoding="utf-8"))
    return data


def classify(change: Change) -> Change:
    """The change with its category and reason from the first matching rule."""
    for rule in _rules()["rules"]:
        if fnmatch.fnmatchcase(change.key, rule["match"]) and rule.get("change", change.kind) == change.kind:
            cat = rule["category"]
            reason = rule.get("reason") or _rules()["categories"][cat]["title"]
            return Change(
                change.kind,
                change.collection,
                change.element,
                change.field,
                change.key,
                change.old,
                change.new,
                cat,
                reason,
            )
    return change


def _keyed(items: Any) -> dict[str, Any] | None:
    if isinstance(items, list) and items and all(isinstance(i, dict) and "id" in i for i in items):
        return {str(i["id"]): i for i in items}
    return None


def _walk(coll: str, elem: str, old: Any, new: Any, field: list[str], key: list[str], out: list[Change]) -> None:
    ok, nk = _keyed(old or None), _keyed(new or None)
    if isinstance(old, dict) and isinstance(new, dict):
        for k in sorted(set(old) | set(new)):
            _walk(coll, elem, old.get(k), new.get(k), [*field, k], [*key, k], out)
    elif (ok is not None and nk is not None) or (ok is not None and not new) or (nk is not None and not old):
        ok, nk = ok or {}, nk or {}
        for i in sorted(set(ok) | set(nk)):
            f = [*field[:-1], f"{field[-1]}[{i}]"] if field else [i]
            if i not in ok or i not in nk:
                out.append(
                    Change(
                        "added" if i not in ok else "removed",
                        coll,
                        elem,
                        ".".join(f),
                        ".".join([coll, *key]),
                        None,
                        None,
                    )
                )
            else:
                _walk(coll, elem, ok[i], nk[i], f, key, out)
    elif old != new:
        out.append(Change("changed", coll, elem, ".".join(field), ".".join([coll, *key]), old, new))


def diff_models(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Change]:
    """Element- and field-level changes between two models (their JSON forms), classified."""
    out: list[Change] = []
    _walk("system", str(new.get("system", {}).get("id", "system")), old.get("system"), new.get("system"), [], [], out)
    _walk("environment", "environment", old.get("environment") or {}, new.get("environment") or {}, [], [], out)
    for coll in _COLLECTIONS:
        o = {str(e["id"]): e for e in old.get(coll) or ()}
        n = {str(e["id"]): e for e in new.get(coll) or ()}
        for eid in sorted(set(o) | set(n)):
            if eid not in o or eid not in n:
                out.append(Change("added" if eid not in o else "removed", coll, eid, "", coll))
            else:
                _walk(coll, eid, o[eid], n[eid], [], [], out)
    return [classify(c) for c in out]


def _by_id(items: Any) -> dict[str, Mapping[str, Any]]:
    return {str(i["id"]): i for i in items or () if isinstance(i, Mapping) and "id" in i}


def _compare(old: Any, new: Any, fields: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
    o, n = _by_id(old), _by_id(new)
    changed = []
    for i in sorted(set(o) & set(n)):
        delta = {f: [o[i].get(f), n[i].get(f)] for f in fields if o[i].get(f) != n[i].get(f)}
        if delta:
            changed.append({"id": i, "title": n[i].get("title") or n[i].get("text") or "", "changes": delta})
    brief = ("id", "title", "severity", "status", "level", "residual_level", "text")
    return {
        "appeared": [{k: n[i][k] for k in brief if k in n[i]} for i in sorted(set(n) - set(o))],
        "disappeared": [{k: o[i][k] for k in brief if k in o[i]} for i in sorted(set(o) - set(n))],
        "changed": changed,
    }


def _nodes(data: Mapping[str, Any]) -> Any:
    case = data.get("assurance")
    return case.get("nodes", ()) if isinstance(case, Mapping) else case or ()


def diff_assessments(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    """Findings, risks and assurance nodes that appeared, disappeared or changed (assessment JSON forms)."""
    return {
        "findings": _compare(old.get("findings"), new.get("findings"), ("severity", "status")),
        "risks": _compare(old.get("risks"), new.get("risks"), ("level", "residual_level", "status")),
        "assurance": _compare(_nodes(old), _nodes(new), ("status",)),
        "assurance_present": bool(_nodes(old) or _nodes(new)),
    }


@dataclass(frozen=True)
class DiffResult:
    """The change impact between two releases."""

    old: str
    new: str
    changes: tuple[Change, ...] | None  # None: inputs were assessments, model changes unknown
    analysis: Mapping[str, Any]
    evidence_to_redo: tuple[Mapping[str, Any], ...]
    uncovered: tuple[str, ...]  # new or changed elements no evidence covers

    @property
    def reasons(self) -> tuple[str, ...]:
        """Why the change may affect cybersecurity (one line per affecting category)."""
        cats = _rules()["categories"]
        out: dict[str, list[str]] = {}
        for c in self.changes or ():
            if cats[c.category]["affects"]:
                where = f"{c.collection} {c.element}" + (f" {c.field}" if c.field else "")
                out.setdefault(c.category, []).append(f"{where} ({c.kind}: {c.reason})")
        return tuple(
            f"{cats[k]['title']} [{cats[k]['source']}]: "
            + "; ".join(v[:6])
            + (f"; and {len(v) - 6} more" if len(v) > 6 else "")
            for k, v in sorted(out.items())
        )

    @property
    def may_affect_cybersecurity(self) -> bool | None:
        """True when a change falls in an affecting category; None when the model changes are unknown."""
        return None if self.changes is None else bool(self.reasons)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form."""
        return {
            "old": self.old,
            "new": self.new,
            "may_affect_cybersecurity": self.may_affect_cybersecurity,
            "reasons": list(self.reasons),
            "model_changes": None if self.changes is None else [c.to_dict() for c in self.changes],
            "analysis": dict(self.analysis),
            "evidence_to_redo": list(self.evidence_to_redo),
            "not_covered_by_evidence": list(self.uncovered),
        }


def _evidence(
    new_model: Mapping[str, Any], changes: Sequence[Change]
) -> tuple[tuple[Mapping[str, Any], ...], tuple[str, ...]]:
    cats = _rules()["categories"]
    touched: dict[str, list[str]] = {}
    for c in changes:
        if (
            cats[c.category]["affects"]
            and c.collection in ("components", "flows", "zones", "conduits")
            and c.kind != "removed"
        ):
            touched.setdefault(c.element, []).append(c.field or c.kind)
    flows = {f["id"]: f for f in new_model.get("flows") or ()}
    redo, covered = [], set()
    for e in new_model.get("evidence") or ():
        covers = set(e.get("covers") or ())
        # a flow changed: evidence covering either endpoint also exercised it
        hit = sorted(
            el for el in touched if el in covers or (el in flows and {flows[el]["from"], flows[el]["to"]} & covers)
        )
        covered |= set(hit)
        if hit:
            redo.append(
                {
                    "evidence": e["id"],
                    "kind": e.get("kind"),
                    "because": [f"{h}: {', '.join(sorted(set(touched[h])))}" for h in hit],
                }
            )
    return tuple(redo), tuple(sorted(set(touched) - covered))


def _read(path: Path) -> tuple[str, Mapping[str, Any]]:
    """('assessment', json) or ('model', model json) for a file."""
    if path.suffix == ".json":
        try:
            data = json.loads(read_text_limited(path, error=AssuranceError))
        except json.JSONDecodeError as exc:
            raise AssuranceError(f"not valid JSON: {exc.msg}", file=path, line=exc.lineno, column=exc.colno) from exc
        if isinstance(data, dict) and "findings" in data and "model_digest" in data:
            return "assessment", data
        raise AssuranceError(
            "a JSON input must be an assessment (medsec analyze --format json)",
            file=path,
            hint="or pass the model YAML files",
        )
    return "model", {}


def diff_files(old: str | Path, new: str | Path, *, options: Any = None, analyze: bool = True) -> DiffResult:
    """Compare two model files (analysed here unless ``analyze`` is False) or two assessment JSON files."""
    from medsecurance import api
    from medsecurance.report.json_format import assessment_to_dict

    po, pn = Path(old), Path(new)
    (ko, do), (kn, dn) = _read(po), _read(pn)
    if ko != kn:
        raise AssuranceError("compare like with like: two model files or two assessment JSON files", file=pn)
    if ko == "assessment":
        return DiffResult(str(po), str(pn), None, diff_assessments(do, dn), (), ())
    lo, ln = api.load(po), api.load(pn)
    mo, mn = (x.model.model_dump(mode="json", by_alias=True, exclude={"include"}) for x in (lo, ln))
    changes = diff_models(mo, mn)
    analysis: dict[str, Any] = {}
    if analyze:
        opts = options or api.AnalysisOptions()
        kb = api.load_kb(opts)
        ao, an = (
            json.loads(json.dumps(assessment_to_dict(api.analyze_loaded(x, opts, kb)), default=str)) for x in (lo, ln)
        )
        analysis = diff_assessments(ao, an)
    redo, uncovered = _evidence(mn, changes)
    return DiffResult(str(po), str(pn), tuple(changes), analysis, redo, uncovered)
