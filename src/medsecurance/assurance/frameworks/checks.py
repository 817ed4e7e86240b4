"""Evaluating one framework check against the model, the analysis results and the evidence."""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from medsecurance.assurance.frameworks.schema import Check, ControlsQuery, FindingsQuery, RisksQuery
from medsecurance.findings import Finding, Severity

__all__ = ["CheckResult", "ReadinessInputs", "evaluate_check"]

_SEGMENT = re.compile(r"^([a-z_0-9]+)(?:\[(?:([a-z_]+)=([^\]]+))?\])?$")
_GOOD_RESULTS = frozenset({"pass", "passed", "findings-closed"})
#: which stage produces a top-level section (for the "what to do next" text)
_STAGE_OF = {
    "risks": "risk",
    "risk": "risk",
    "sbom": "vulnerabilities",
    "rules": "threats",
    "attack_paths": "threats",
    "zones": "contracts",
    "communications": "comms",
    "assurance": "assurance",
}
_SHOWN = 8
_NEXT = {
    "sbom.vulndb": "import advisories (medsec vulndb import, CISA KEV included) and re-run so known vulnerabilities "
    "of the SBOM components are matched and assessed"
}


@dataclass(frozen=True)
class ReadinessInputs:
    """Everything a check may read, gathered once per assessment."""

    model: Mapping[str, Any]  # the model as JSON (aliases, e.g. flows' "from"/"to")
    facts: Mapping[str, Any]  # assessment sections plus ``attack_paths``
    findings: tuple[Finding, ...]
    evidence_files: Mapping[str, str]  # evidence id → ok | no-file | missing | hash-mismatch
    control_categories: Mapping[str, tuple[str, ...]]  # KB control id → FDA (sub)categories

    # Indexes built once per assessment and shared by every check of every framework, so that each
    # check costs about the size of its answer rather than a scan of all findings, risks or nodes.
    # (cached_property writes the instance __dict__ directly, which a frozen dataclass allows.)

    @cached_property
    def open_findings_by_kind(self) -> dict[str, list[tuple[int, str, Finding]]]:
        """Open findings per kind as (-severity rank, id, finding), sorted."""
        out: dict[str, list[tuple[int, str, Finding]]] = {}
        for f in self.findings:
            if f.status == "open":
                out.setdefault(f.kind.value, []).append((-f.severity.rank, f.id, f))
        for items in out.values():
            items.sort(key=lambda t: (t[0], t[1]))
        return out

    @cached_property
    def open_risks_by_level(self) -> dict[Any, list[tuple[str, frozenset[Any]]]]:
        """Open risks per residual level as (id, the FDA categories and their top levels of its controls)."""
        out: dict[Any, list[tuple[str, frozenset[Any]]]] = {}
        # Risks with one evaluation share their control list: categories once per list (identity memo;
        # the facts keep the lists alive).
        memo: dict[int, frozenset[Any]] = {}
        for r in self.facts.get("risks") or ():
            if not isinstance(r, Mapping) or r.get("status") != "open":
                continue
            controls = r.get("controls_recommended") or ()
            cats = memo.get(id(controls))
            if cats is None:
                cats = memo[id(controls)] = _categories(controls)
            level = r.get("residual_level")
            try:
                out.setdefault(level, []).append((str(r.get("id")), cats))
            except TypeError:  # an unhashable level matches no query level
                continue
        return out

    @cached_property
    def assurance_nodes(self) -> list[tuple[str, str]] | None:
        """The assurance case's (node id, status) pairs, sorted; None when there is no case."""
        section = self.facts.get("assurance")
        if section is None:
            return None
        nodes = section.get("nodes", ()) if isinstance(section, Mapping) else section
        return sorted((str(n.get("id")), str(n.get("status"))) for n in nodes or () if isinstance(n, Mapping))

    @cached_property
    def _walks(self) -> dict[str, tuple[bool, list[tuple[str, Any]]]]:
        return {}

    def walk(self, path: str) -> tuple[bool, list[tuple[str, Any]]]:
        """:func:`_walk` over the model, remembered per path (frameworks share many paths)."""
        got = self._walks.get(path)
        if got is None:
            got = self._walks[path] = _walk(self.model, path)
        return got

    @cached_property
    def declared_controls(self) -> dict[str, list[str]]:
        """Control id → ids of the elements that declare it (each control is matched once per check)."""
        out: dict[str, list[str]] = {}
        for el, ctl in _declared_controls(self.model):
            out.setdefault(ctl, []).append(el)
        return out


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one check: met, partial, missing, or None when it could not be evaluated."""

    kind: str
    label: str
    status: str | None
    detail: str
    links: tuple[str, ...] = ()
    next: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON form."""
        return {
            "kind": self.kind,
            "label": self.label,
            "status": self.status or "not-evaluated",
            "detail": self.detail,
            "links": list(self.links),
            "next": self.next,
        }


def _few(items: list[str] | tuple[str, ...]) -> str:
    shown = ", ".join(items[:_SHOWN])
    return shown + (f" and {len(items) - _SHOWN} more" if len(items) > _SHOWN else "")


def _truthy(value: Any) -> bool:
    return value not in (None, False, "", [], {}, ())


def _walk(model: Mapping[str, Any], path: str) -> tuple[bool, list[tuple[str, Any]]]:
    """Follow ``path``; returns whether it iterated a list and the (element label, value) pairs reached."""
    nodes: list[tuple[str, Any]] = [("", model)]
    iterated = False
    for seg in path.split("."):
        m = _SEGMENT.match(seg)
        if m is None:  # the schema pattern makes this unreachable; guard anyway
            return iterated, []
        name, fkey, fval = m.groups()
        nxt: list[tuple[str, Any]] = []
        for lab, node in nodes:
            value = node.get(name) if isinstance(node, Mapping) else None
            if "[" not in seg:
                nxt.append((lab, value))
                continue
            iterated = True
            for i, item in enumerate(value or ()):
                if fkey and str(item.get(fkey) if isinstance(item, Mapping) else None).lower() != fval.lower():
                    continue
                ident = item.get("id") if isinstance(item, Mapping) else None
                nxt.append((f"{lab}.{ident or i}".lstrip("."), item))
        nodes = nxt
    return iterated, nodes


def _model_check(c: Check, inp: ReadinessInputs) -> CheckResult:
    path = str(c.model)
    label = c.label or f"model states {path}"
    iterated, nodes = inp.walk(path)
    if not iterated:
        ok = bool(nodes) and _truthy(nodes[0][1])
        return CheckResult(
            "model",
            label,
            "met" if ok else "missing",
            f"{path} is stated" if ok else f"{path} is not stated in the model",
            (path,),
            None if ok else c.next or f"state {path} in the model",
        )
    if not nodes:
        return CheckResult(
            "model",
            label,
            "missing",
            f"the model has no element matching {path}",
            (path,),
            c.next or f"add the elements {path} names to the model",
        )
    lacking = [lab for lab, v in nodes if not _truthy(v)]
    if not lacking:
        return CheckResult(
            "model", label, "met", f"stated for all {len(nodes)} element(s)", tuple(lab for lab, _ in nodes)
        )
    status = "missing" if len(lacking) == len(nodes) else "partial"
    return CheckResult(
        "model",
        label,
        status,
        f"not stated (or false) for {len(lacking)} of {len(nodes)}: {_few(lacking)}",
        tuple(lacking),
        c.next or f"state {path} for {_few(lacking)}",
    )


def _lookup(facts: Mapping[str, Any], dotted: str) -> Any:
    node: Any = facts
    for part in dotted.split("."):
        node = node.get(part) if isinstance(node, Mapping) else None
    return node


def _section_check(c: Check, inp: ReadinessInputs) -> CheckResult:
    key = str(c.section)
    label = c.label or f"analysis result {key}"
    if _truthy(_lookup(inp.facts, key)):
        return CheckResult("section", label, "met", f"the assessment has {key}", (f"assessment:{key}",))
    stage = _STAGE_OF.get(key.split(".")[0], key.split(".")[0])
    return CheckResult(
        "section",
        label,
        "missing",
        f"the assessment has no (or an empty) {key}",
        (),
        c.next or _NEXT.get(key) or f"run the '{stage}' analysis stage with the inputs it needs so it produces {key}",
    )


def _evidence_check(c: Check, inp: ReadinessInputs) -> CheckResult:
    kinds = tuple(c.evidence or ())
    label = c.label or f"evidence of kind {' or '.join(kinds)}"
    items = [e for e in inp.model.get("evidence") or () if e.get("kind") in kinds]
    if not items:
        return CheckResult(
            "evidence",
            label,
            "missing",
            "no such evidence in the model",
            (),
            c.next or f"add evidence of kind {kinds[0]} to the model (file, sha256, date, covers, result)",
        )
    good, notes = [], []
    for e in items:
        state = inp.evidence_files.get(e["id"], "no-file")
        result = e.get("result")
        if state == "ok" and result in _GOOD_RESULTS:
            good.append(e["id"])
        else:
            why = state if state != "ok" else f"result {result}" if result else "result not stated"
            notes.append(f"{e['id']} ({why})")
    ids = tuple(e["id"] for e in items)
    if good:
        return CheckResult("evidence", label, "met", f"{_few(good)}", ids)
    return CheckResult(
        "evidence",
        label,
        "partial",
        f"present but not conclusive: {_few(notes)}",
        ids,
        c.next or "close the open test findings, re-test, record the result and the file's sha256",
    )


def _findings_check(c: Check, inp: ReadinessInputs) -> CheckResult:
    q: FindingsQuery = c.open_findings  # type: ignore[assignment]
    floor = Severity(q.min_severity).rank
    index = inp.open_findings_by_kind
    kinds = dict.fromkeys(q.kinds) if q.kinds else index
    rules = tuple(q.rules)
    found: list[tuple[int, str, Finding]] = []
    for kind in kinds:
        items = index.get(kind, [])
        cut = bisect_left(items, -floor + 1, key=lambda t: t[0])  # items are sorted by -rank
        found += [t for t in items[:cut] if not rules or t[2].rule.startswith(rules)]
    found.sort(key=lambda t: (t[0], t[1]))
    hits = [t[2] for t in found]
    scope = " ".join(q.kinds) or "any"
    label = (
        c.label
        or f"no open {scope} finding{' of ' + ', '.join(q.rules) if q.rules else ''} at or above {q.min_severity}"
    )
    if not hits:
        return CheckResult("open_findings", label, "met", "none open", ())
    ids = [f.id for f in hits]
    return CheckResult(
        "open_findings",
        label,
        "missing",
        f"{len(hits)} open: {_few([f'{f.id} ({f.severity.value}, {f.rule})' for f in hits])}",
        tuple(ids),
        c.next or f"fix, mitigate or accept (decisions.yaml) {_few(ids)}",
    )


def _risks_check(c: Check, inp: ReadinessInputs) -> CheckResult:
    q: RisksQuery = c.open_risks  # type: ignore[assignment]
    cats = q.fda_categories
    label = c.label or (
        f"no open {'/'.join(q.levels)} risk" + (f" that {', '.join(cats)} controls address" if cats else "")
    )
    if inp.facts.get("risks") is None:
        return CheckResult("open_risks", label, None, "the risk stage did not run", ())
    wanted = frozenset(cats)
    index = inp.open_risks_by_level
    hits = sorted(
        rid
        for level in dict.fromkeys(q.levels)
        for rid, rcats in index.get(level, ())
        if not cats or not wanted.isdisjoint(rcats)
    )
    if not hits:
        return CheckResult("open_risks", label, "met", "none open", ())
    return CheckResult(
        "open_risks",
        label,
        "missing",
        f"{len(hits)} open: {_few(hits)}",
        tuple(hits),
        c.next or f"apply the recommended controls or accept with a benefit-risk justification: {_few(hits)}",
    )


def _declared_controls(model: Mapping[str, Any]) -> list[tuple[str, str]]:
    out = [
        (str(comp.get("id")), str(ctl)) for comp in model.get("components") or () for ctl in comp.get("controls") or ()
    ]
    for key in ("zones", "conduits"):
        out += [(str(z.get("id")), str(ctl)) for z in model.get(key) or () for ctl in z.get("countermeasures") or ()]
    return out


def _controls_check(c: Check, inp: ReadinessInputs) -> CheckResult:
    q: ControlsQuery = c.controls  # type: ignore[assignment]
    wanted = q.ids + q.fda_categories
    label = c.label or f"model declares a control for {', '.join(wanted)}"

    def matches(ctl: str) -> bool:
        cats = inp.control_categories.get(ctl, ())
        return ctl in q.ids or any(fc.split(".")[0] in q.fda_categories or fc in q.fda_categories for fc in cats)

    found = sorted({f"{el}:{ctl}" for ctl, els in inp.declared_controls.items() if matches(ctl) for el in els})
    if found:
        return CheckResult("controls", label, "met", f"{len(found)} declared: {_few(found)}", tuple(found))
    return CheckResult(
        "controls",
        label,
        "missing",
        "no such control is declared in the model",
        (),
        c.next or f"implement and declare a control for {', '.join(wanted)}, or justify its absence",
    )


def _assurance_check(c: Check, inp: ReadinessInputs) -> CheckResult:
    patterns = tuple(c.assurance or ())
    label = c.label or f"assurance claims {', '.join(patterns)} supported"
    nodes = inp.assurance_nodes
    if nodes is None:
        return CheckResult("assurance", label, None, "no assurance case in this assessment", ())
    hit = [nodes[i] for i in sorted({i for p in patterns for i in _matching(nodes, p)})]
    if not hit:
        return CheckResult(
            "assurance",
            label,
            "missing",
            f"the case has no node {', '.join(patterns)}",
            (),
            c.next or "extend the assurance case (patterns) to argue this clause",
        )
    bad = [f"{i} ({s})" for i, s in hit if s != "supported"]
    links = tuple(i for i, _ in hit)
    if not bad:
        return CheckResult("assurance", label, "met", f"{len(hit)} node(s) supported", links)
    status = "missing" if len(bad) == len(hit) else "partial"
    return CheckResult(
        "assurance",
        label,
        status,
        f"not supported: {_few(bad)}",
        links,
        c.next or f"close the assurance gaps of {_few(bad)}",
    )


def _matching(nodes: list[tuple[str, str]], pattern: str) -> range:
    """Positions in the sorted (id, status) pairs of the nodes whose id is ``pattern`` or, for ``X*``, starts with X."""
    prefix = pattern.endswith("*")
    key = pattern[:-1] if prefix else pattern
    start = end = bisect_left(nodes, key, key=lambda t: t[0])
    while end < len(nodes) and (nodes[end][0].startswith(key) if prefix else nodes[end][0] == key):
        end += 1
    return range(start, end)


_EVALUATORS = {
    "model": _model_check,
    "section": _section_check,
    "evidence": _evidence_check,
    "open_findings": _findings_check,
    "open_risks": _risks_check,
    "controls": _controls_check,
    "assurance": _assurance_check,
}


def evaluate_check(check: Check, inputs: ReadinessInputs) -> CheckResult:
    """Evaluate one check."""
    return _EVALUATORS[check.kind](check, inputs)


def _categories(controls: Any) -> frozenset[Any]:
    """FDA categories (and their top levels) of a risk's recommended controls."""
    cats: set[Any] = set()
    for ctl in controls:
        for fc in ctl.get("fda_categories") or ():
            cats.add(str(fc).split(".")[0])
            if isinstance(fc, str):
                cats.add(fc)
    return frozenset(cats)
