"""Evidence status: hash check, age policy, covered elements changed, and automatic defeaters.

Each model evidence entry is re-verified on every run: its file is hashed and compared with the
recorded ``sha256``; its date is compared with the policy's maximum age for its kind; and, when a
baseline (an earlier assessment or assurance JSON) is given, the elements it covers are compared
with their state when that baseline was made. Missing or unreadable files are errors.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from medsecurance._internal.io import read_text_limited, sha256_file
from medsecurance.errors import AssuranceError
from medsecurance.findings import Finding

__all__ = [
    "EvidencePolicy",
    "EvidenceStatus",
    "automatic_defeaters",
    "check_evidence",
    "element_digests",
    "load_baseline",
    "load_evidence_policy",
]

_SECTIONS = ("components", "flows", "zones", "conduits", "hazards", "assets", "trust_boundaries", "actors")
#: evidence kinds whose conclusions a later-published vulnerability on a covered element undermines
DEFEATED_BY_NEW_VULNS = frozenset({"penetration-test", "vulnerability-scan"})


@dataclass(frozen=True)
class EvidencePolicy:
    """Maximum evidence age per kind, in days."""

    max_age_days: Mapping[str, int]
    source: str = ""

    def limit(self, kind: str) -> int | None:
        """Maximum age for ``kind`` (or the default)."""
        return self.max_age_days.get(kind, self.max_age_days.get("default"))


@dataclass(frozen=True)
class EvidenceStatus:
    """Verification result of one evidence entry."""

    id: str
    status: str  # supported | stale | failed | undeveloped
    reasons: tuple[str, ...]
    close: str
    record: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))


def load_evidence_policy(path: str | Path | None = None) -> EvidencePolicy:
    """The shipped policy, or a user's file with ``max_age_days: {kind: days, default: days}``."""
    if path is None:
        text = (resources.files("medsecurance.assurance") / "data" / "evidence_policy.yaml").read_text("utf-8")
        name = "medsecurance/assurance/data/evidence_policy.yaml"
    else:
        name = str(path)
        text = read_text_limited(path, max_bytes=1024 * 1024, error=AssuranceError)
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise AssuranceError(f"evidence policy is not valid YAML: {exc}", file=name) from exc
    ages = raw.get("max_age_days") if isinstance(raw, dict) else None
    if not isinstance(ages, dict) or not all(isinstance(v, int) and v > 0 for v in ages.values()):
        raise AssuranceError("evidence policy needs 'max_age_days: {<kind>: <positive days>, default: <days>}'",
                             file=name, line=1)
    return EvidencePolicy(MappingProxyType({str(k): v for k, v in ages.items()}), str(raw.get("source", "")))


def element_digests(model: Any, ids: Iterable[str]) -> dict[str, str]:
    """A short SHA-256 of each element's validated model content (formatting ignored)."""
    wanted = set(ids)
    out: dict[str, str] = {}
    for section in _SECTIONS:
        for item in getattr(model, section):
            if item.id in wanted:
                data = json.dumps(item.model_dump(mode="json", by_alias=True), sort_keys=True)
                out[item.id] = hashlib.sha256(data.encode()).hexdigest()[:16]
    return dict(sorted(out.items()))


def load_baseline(path: str | Path) -> dict[str, Mapping[str, Any]]:
    """Evidence records (by evidence id) of an earlier assessment or assurance JSON."""
    text = read_text_limited(path, max_bytes=256 * 1024 * 1024, error=AssuranceError)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise AssuranceError(f"baseline is not JSON: {exc.msg}", file=str(path), line=exc.lineno,
                             column=exc.colno) from exc
    section = data.get("assurance", data) if isinstance(data, dict) else None
    nodes = section.get("nodes") if isinstance(section, dict) else None
    if not isinstance(nodes, list):
        raise AssuranceError("baseline has no assurance nodes", file=str(path),
                             hint="give an assessment.json or 'medsec assurance --format json' output")
    return {n["evidence"]["id"]: n["evidence"] for n in nodes
            if isinstance(n, dict) and isinstance(n.get("evidence"), dict) and "id" in n["evidence"]}


def _where(load: Any, index: int, ev_id: str) -> tuple[str | None, int | None, int | None]:
    pos = load.source_map.position_at(("evidence", index, "file")) or load.source_map.position(ev_id)
    if pos:
        return pos[0], pos[1], pos[2]
    return str(load.source_map.root), None, None


def _hash(load: Any, index: int, ev: Any) -> str:
    path = load.base_dir / ev.file
    file, line, col = _where(load, index, ev.id)
    if not path.is_file():
        raise AssuranceError(f"evidence file not found: {ev.file}", file=file, line=line, column=col, element=ev.id,
                             hint="restore the file or correct 'file:' (relative to the model)")
    try:
        return sha256_file(path)
    except OSError as exc:
        raise AssuranceError(f"evidence file {ev.file} cannot be read: {exc.strerror or exc}", file=file, line=line,
                             column=col, element=ev.id, hint="check the file's permissions") from exc


def _one(load: Any, index: int, ev: Any, as_of: dt.date, policy: EvidencePolicy,
         baseline: Mapping[str, Mapping[str, Any]] | None) -> EvidenceStatus:
    reasons: list[str] = []
    close: list[str] = []
    record: dict[str, Any] = {"id": ev.id, "kind": ev.kind, "file": ev.file, "date": ev.date.isoformat()
                              if ev.date else None, "sha256": ev.sha256, "result": ev.result,
                              "covers": list(ev.covers), "covered": element_digests(load.model, ev.covers)}
    if not ev.file:
        return EvidenceStatus(ev.id, "undeveloped", (f"{ev.id} names no file to verify",),
                              f"add 'file:' and 'sha256:' to evidence {ev.id}", MappingProxyType(record))
    actual = _hash(load, index, ev)
    record["sha256_actual"] = actual
    if ev.sha256 is None:
        reasons.append(f"{ev.id}: no sha256 recorded, changes cannot be detected")
    elif ev.sha256.lower() != actual:
        reasons.append(f"{ev.file} changed since it was recorded (sha256 {actual[:12]}… ≠ {ev.sha256[:12]}…)")
        close.append(f"review {ev.file}, then record its new sha256 in evidence {ev.id}")
    limit = policy.limit(ev.kind)
    if ev.date is not None and limit is not None and (as_of - ev.date).days > limit:
        reasons.append(f"{ev.id} is {(as_of - ev.date).days} days old (policy maximum for {ev.kind}: {limit})")
        close.append(f"repeat the {ev.kind} and update evidence {ev.id}")
    old = (baseline or {}).get(ev.id)
    if old and old.get("sha256_actual") == actual and old.get("date") == record["date"]:
        changed = sorted(k for k, v in record["covered"].items() if old.get("covered", {}).get(k, v) != v)
        if changed:
            reasons.append(f"covered element(s) changed since the evidence was recorded: {', '.join(changed)}")
            close.append(f"repeat or extend the {ev.kind} for {', '.join(changed)}")
    stale = bool(close)
    if ev.result == "fail":
        return EvidenceStatus(ev.id, "failed", (f"{ev.id} reports result 'fail'", *reasons),
                              "; ".join([f"resolve the failures reported in {ev.file}", *close]),
                              MappingProxyType(record))
    return EvidenceStatus(ev.id, "stale" if stale else "supported", tuple(reasons) or (f"{ev.id} verified",),
                          "; ".join(close), MappingProxyType(record))


def check_evidence(load: Any, as_of: dt.date, policy: EvidencePolicy,
                   baseline: Mapping[str, Mapping[str, Any]] | None = None) -> dict[str, EvidenceStatus]:
    """Status of every evidence entry of the model, by evidence id."""
    return {ev.id: _one(load, i, ev, as_of, policy, baseline) for i, ev in enumerate(load.model.evidence)}


def automatic_defeaters(model: Any, findings: Iterable[Finding]) -> list[tuple[str, str]]:
    """(node id, text): a vulnerability published after a pen test's date on an element it covered."""
    out = []
    vulns = [f for f in findings if f.kind.value == "vulnerability" and f.status == "open"]
    for ev in model.evidence:
        if ev.kind not in DEFEATED_BY_NEW_VULNS or ev.date is None:
            continue
        for f in vulns:
            published = str(f.details.get("published") or "")[:10]
            hit = sorted(set(f.elements) & set(ev.covers))
            if hit and published and published > ev.date.isoformat():
                ref = f.references[0] if f.references else f.id
                out.append((f"Sn-{ev.id}", f"{ref} was published on {published}, after the {ev.kind} of "
                            f"{ev.date.isoformat()} that covered {', '.join(hit)}"))
    return sorted(set(out))
