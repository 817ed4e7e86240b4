"""Match compiled rules against a model's subjects and produce threat findings.

Severity of a threat instance starts from the rule's severity and is then adjusted, in this order:
raised one level when the threat impacts integrity or availability of an asset whose hazards reach
``catastrophic`` severity (security-for-safety, AAMI TIR57 §4.4 / ANSI/AAMI SW96 §5); lowered one
level when some, but not all, of the rule's mitigations are present. The finding is ``mitigated``
when all of them are present, unless a human decision says otherwise.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING

from medsecurance.findings import Finding, FindingKind, Severity, SourceLocation, stable_id
from medsecurance.model.graph import ModelIndex
from medsecurance.model.schema import SystemModel
from medsecurance.threats.subjects import Facts, Subject, iter_subjects

if TYPE_CHECKING:
    from medsecurance.decisions import Decision
    from medsecurance.kb import KnowledgeBase
    from medsecurance.model.loader import SourceMap
    from medsecurance.threats.rules import Rule

__all__ = ["match_rules"]

_ORDER = list(Severity)


@dataclass(frozen=True)
class _Match:
    rule: Rule
    subject: Subject
    reasons: tuple[str, ...]


def _shift(sev: Severity, by: int) -> Severity:
    return _ORDER[max(1, min(len(_ORDER) - 1, _ORDER.index(sev) + by))]


class _SafeDict(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _explain(m: _Match, present: list[str], missing: list[str]) -> str:
    s = m.subject
    values = _SafeDict(
        subject=s.label(),
        reasons="; ".join(m.reasons),
        component=s.component.id if s.component else "",
        interface=s.interface.id if s.interface else "",
        flow=s.flow.id if s.flow else "",
        source=s.flow.source if s.flow else "",
        target=s.flow.target if s.flow else "",
        stack=" / ".join(s.stack) or "(none declared)",
        assets=", ".join(a.id for a in s.assets) or "(none)",
        missing=", ".join(missing) or "(none)",
        present=", ".join(present) or "(none)",
    )
    return m.rule.explanation.format_map(values)


def _severity(m: _Match, present: list[str]) -> Severity:
    sev = m.rule.severity
    if {"I", "A"} & set(m.rule.impacts) and m.subject.worst_hazard_rank >= 5:
        sev = _shift(sev, +1)
    if present and len(present) < len(m.rule.mitigations):
        sev = _shift(sev, -1)
    return sev


def _hazards(s: Subject) -> list[str]:
    index = s.facts.index
    return sorted({h.id for a in s.assets for h in index.hazards_of_asset(a.id)})


def _to_finding(m: _Match, decisions: Mapping[str, Decision], source_map: SourceMap | None) -> Finding:
    s, rule = m.subject, m.rule
    present = [c for c in rule.mitigations if c in s.controls]
    missing = [c for c in rule.mitigations if c not in s.controls]
    fid = stable_id("T", rule.id, s.kind, s.id)
    decision = decisions.get(fid)
    status = decision.status.value if decision else ("mitigated" if rule.mitigations and not missing else "open")
    location = None
    if source_map is not None and (pos := source_map.position(s.elements[0].split(".")[0])):
        location = SourceLocation(pos[0], pos[1], pos[2])
    details: dict[str, object] = {
        "stride": rule.stride,
        "threat_class": rule.threat_class,
        "element_kind": s.kind,
        "impacts": list(rule.impacts),
        "assets": [a.id for a in s.assets],
        "hazards": _hazards(s),
        "controls_present": present,
        "controls_missing": missing,
        "why": list(m.reasons),
        "sources": list(rule.sources),
        "rule_file": f"{rule.file.rsplit('/', 1)[-1]}:{rule.line}",
    }
    if decision is not None:
        details["decision"] = {"by": decision.by, "role": decision.role, "date": decision.date.isoformat(),
                               "rationale": decision.rationale}
    return Finding(fid, FindingKind.THREAT, rule.id, rule.title, _severity(m, present), s.elements,
                   rule.references, status, _explain(m, present, missing), MappingProxyType(details), location)


class _RuleIndex:
    """Rules by subject kind, with protocol- and type-keyed buckets for rules that need one.

    A rule whose condition requires one of a set of protocols (or types) is only tried on
    subjects that have one; the result is the same as trying every rule, only faster.
    """

    def __init__(self, rules: Iterable[Rule]) -> None:
        self.always: dict[str, list[Rule]] = {}
        self.by_key: dict[tuple[str, str, str], list[Rule]] = {}
        for rule in rules:
            pre = rule.condition.prefilter()
            for kind in sorted(rule.applies_to & rule.condition.kinds):
                if pre is None:
                    self.always.setdefault(kind, []).append(rule)
                else:
                    for key in pre[1]:
                        self.by_key.setdefault((kind, pre[0], key), []).append(rule)

    def candidates(self, subject: Subject) -> list[Rule]:
        found = list(self.always.get(subject.kind, ()))
        keyed: dict[str, Rule] = {}
        for what, keys in (("protocol", subject.canonical_stack), ("type", subject.types)):
            for key in keys:
                for rule in self.by_key.get((subject.kind, what, key), ()):
                    keyed[rule.id] = rule
        return found + [keyed[k] for k in sorted(keyed)]


def _matches(rules: Iterable[Rule], subjects: Iterable[Subject]) -> Iterator[_Match]:
    index = _RuleIndex(rules)
    for subject in subjects:
        for rule in index.candidates(subject):
            reasons = rule.condition.test(subject)
            if reasons is not None:
                yield _Match(rule, subject, tuple(dict.fromkeys(reasons)))


def match_rules(
    model: SystemModel,
    kb: KnowledgeBase,
    rules: Iterable[Rule],
    *,
    decisions: Mapping[str, Decision] | None = None,
    source_map: SourceMap | None = None,
    as_of: dt.date | None = None,
    index: ModelIndex | None = None,
) -> list[Finding]:
    """Every threat instance of the model, sorted by id."""
    facts = Facts(index or ModelIndex(model), kb, as_of or dt.date.today())
    found = [_to_finding(m, decisions or {}, source_map) for m in _matches(rules, iter_subjects(facts))]
    return sorted(found, key=lambda f: f.id)
