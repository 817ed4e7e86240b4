"""Match compiled rules against a model's subjects and produce threat findings.

Severity of a threat instance starts from the rule's severity and is then adjusted, in this order:
raised one level when the threat impacts integrity or availability of an asset whose hazards reach
``catastrophic`` severity (security-for-safety, AAMI TIR57 §4.4 / ANSI/AAMI SW96 §5); lowered one
level when some, but not all, of the rule's mitigations are present. The finding is ``mitigated``
when all of them are present, unless a human decision says otherwise.

Speed (a 5,000-component model gives ~40,000 findings): what depends only on the rule is worked out
once per rule (:class:`_RulePlan`), what depends only on the subject once per subject
(:class:`_SubjectParts`), and each condition is specialised to the subject kind beforehand.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import string
from collections.abc import Iterable, Mapping
from operator import attrgetter
from types import MappingProxyType
from typing import TYPE_CHECKING

from medsecurance.findings import Finding, Severity, SourceLocation
from medsecurance.model.graph import ModelIndex
from medsecurance.model.schema import SystemModel
from medsecurance.threats._finding import make_threat_finding
from medsecurance.threats.conditions import Signature
from medsecurance.threats.subjects import Facts, Subject, iter_subjects

if TYPE_CHECKING:
    from medsecurance.decisions import Decision
    from medsecurance.kb import KnowledgeBase
    from medsecurance.model.loader import SourceMap
    from medsecurance.threats.conditions import Reasons, Test
    from medsecurance.threats.rules import Rule

__all__ = ["match_rules"]

_ORDER = list(Severity)
_SUBJECT_FIELDS = ("subject", "component", "interface", "flow", "source", "target", "stack", "assets")


def _shift(sev: Severity, by: int) -> Severity:
    return _ORDER[max(1, min(len(_ORDER) - 1, _ORDER.index(sev) + by))]


class _SafeDict(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


class _RulePlan:
    """The parts of a rule's findings that do not depend on the subject, computed once."""

    __slots__ = ("_split", "details", "id_head", "json_base", "mitigations", "raises", "rule", "rule_file",
                 "severities", "template", "wants", "wants_present")

    def __init__(self, rule: Rule) -> None:
        self.rule = rule
        self.mitigations = rule.mitigations
        self.id_head = rule.id.encode("utf-8")  # + id_tail: stable_id("T", rule.id, kind, id)
        self.raises = bool({"I", "A"} & set(rule.impacts))
        # severities[raised][lowered], as _severity gave them: raise first, then lower
        self.severities = tuple(tuple(_shift(_shift(rule.severity, +r) if r else rule.severity, -1) if low
                                      else (_shift(rule.severity, +1) if r else rule.severity)
                                      for low in (0, 1)) for r in (0, 1))
        self.rule_file = f"{rule.file.rsplit('/', 1)[-1]}:{rule.line}"
        self.template = rule.explanation
        fields = {f.split(".")[0].split("[")[0] for _, f, _, _ in string.Formatter().parse(rule.explanation)
                  if f is not None}
        self.wants = tuple(f for f in _SUBJECT_FIELDS if f in fields)
        self.wants_present = "present" in fields  # no template uses it today: its join is skipped
        self.details = MappingProxyType({"stride": rule.stride, "threat_class": rule.threat_class,
                                         "impacts": rule.impacts, "sources": rule.sources,
                                         "rule_file": self.rule_file})
        self._split: dict[frozenset[str], tuple[tuple[str, ...], tuple[str, ...]]] = {}
        #: the rule's fields of its findings' JSON values (see ThreatFinding.json_value)
        self.json_base = {"impacts": rule.impacts, "kind": "threat", "references": rule.references, "rule": rule.id,
                          "rule_file": self.rule_file, "sources": rule.sources, "stride": rule.stride,
                          "threat_class": rule.threat_class, "title": rule.title}

    def split(self, controls: frozenset[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(present, missing): the rule's mitigations in and not in ``controls`` (cached per set of controls)."""
        try:
            return self._split[controls]
        except KeyError:
            found = self._split[controls] = (tuple(c for c in self.mitigations if c in controls),
                                             tuple(c for c in self.mitigations if c not in controls))
            return found

    def rule_details(self) -> Mapping[str, object]:
        """The findings' details that come from the rule (read by :class:`ThreatFinding`)."""
        return self.details

    def explain(self, parts: _SubjectParts, reasons: tuple[str, ...], present: tuple[str, ...],
                missing: tuple[str, ...]) -> str:
        """The explanation text (the rule's template filled in)."""
        values = parts.values(self.wants)  # the subject's own table: these three keys are reset for every rule
        values["reasons"] = "; ".join(reasons)
        values["missing"] = ", ".join(missing) or "(none)"
        if self.wants_present:
            values["present"] = ", ".join(present) or "(none)"
        return self.template.format_map(values)


class _SubjectParts:
    """The parts of a subject's findings that do not depend on the rule, computed once."""

    __slots__ = ("_details", "_json_base", "_values", "assets", "hazards", "id_tail", "location", "subject", "worst")

    def __init__(self, s: Subject, source_map: SourceMap | None) -> None:
        self.subject = s
        self.id_tail = f"\x1f{s.kind}\x1f{s.id}".encode()
        self.assets = [a.id for a in s.assets]
        self.hazards = s.facts.hazard_ids(s.assets)  # shared: copied into each finding
        self.worst = s.worst_hazard_rank >= 5
        self.location = None
        if source_map is not None and (pos := source_map.position(s.elements[0].split(".")[0])):
            self.location = SourceLocation(pos[0], pos[1], pos[2])
        self._values = _SafeDict()
        self._json_base: dict[str, object] | None = None
        self._details: MappingProxyType[str, object] | None = None

    def subject_details(self) -> Mapping[str, object]:
        """The findings' details that come from the subject (read by :class:`ThreatFinding`; built once)."""
        found = self._details
        if found is None:
            found = self._details = MappingProxyType({"element_kind": self.subject.kind, "assets": self.assets,
                                                      "hazards": self.hazards})
        return found

    def json_base(self) -> dict[str, object]:
        """The subject's fields of its findings' JSON values (built once; see ThreatFinding.json_value)."""
        found = self._json_base
        if found is None:
            found = self._json_base = {"assets": self.assets, "element_kind": self.subject.kind,
                                       "elements": self.subject.elements, "hazards": self.hazards}
            if (loc := self.location) is not None:
                found["location"] = {"file": loc.file, "line": loc.line, "column": loc.column}
        return found

    def values(self, wanted: tuple[str, ...]) -> _SafeDict:
        """Subject placeholders of an explanation template (each computed once)."""
        known = self._values
        for name in wanted:
            if name not in known:
                known[name] = _subject_value(self.subject, name)
        return known


def _subject_value(s: Subject, name: str) -> str:
    if name == "subject":
        return s.label()
    if name in ("component", "interface", "flow"):
        part = getattr(s, name)
        return part.id if part else ""
    if name in ("source", "target"):
        return getattr(s.flow, name) if s.flow else ""
    if name == "stack":
        return " / ".join(s.stack) or "(none declared)"
    return ", ".join(a.id for a in s.assets) or "(none)"  # assets


def _to_finding(plan: _RulePlan, parts: _SubjectParts, reasons: tuple[str, ...],
                decisions: Mapping[str, Decision]) -> Finding:
    rule = plan.rule
    mitigations = plan.mitigations
    present, missing = plan.split(parts.subject.controls) if mitigations else ((), ())
    fid = "T-" + hashlib.sha256(plan.id_head + parts.id_tail).hexdigest()[:12]
    decision = decisions.get(fid) if decisions else None
    status = decision.status.value if decision else ("mitigated" if mitigations and not missing else "open")
    severity = plan.severities[plan.raises and parts.worst][0 < len(present) < len(mitigations)]
    return make_threat_finding(fid, rule.id, rule.title, severity, parts.subject.elements, rule.references, status,
                               plan.explain(parts, reasons, present, missing), parts.location, plan, parts,
                               present, missing, reasons, decision)


Candidate = tuple[_RulePlan, "Test"]


class _RuleIndex:
    """Rules by subject kind, with protocol- and type-keyed buckets for rules that need one.

    A rule whose condition requires one of a set of protocols (or types) is only tried on
    subjects that have one, and a rule whose condition cannot hold for the subject's
    :class:`Signature` is not tried at all; the result is the same as trying every rule, only
    faster. The candidates depend only on the signature, so they are memoised on it.
    """

    def __init__(self, rules: Iterable[Rule]) -> None:
        self.always: dict[str, list[Candidate]] = {}
        self.by_key: dict[tuple[str, str, str], list[Candidate]] = {}
        self._memo: dict[Signature, list[Candidate]] = {}
        for rule in rules:
            plan, pre = _RulePlan(rule), rule.condition.prefilter()
            for kind in sorted(rule.applies_to & rule.condition.kinds):
                test = rule.condition.for_kind(kind)
                if test is None:
                    continue  # never holds for this kind: trying it could only give None
                if pre is None:
                    self.always.setdefault(kind, []).append((plan, test))
                else:
                    for key in pre[1]:
                        self.by_key.setdefault((kind, pre[0], key), []).append((plan, test))

    def candidates(self, subject: Subject) -> list[Candidate]:
        """The rules worth trying on a subject, with their tests for its kind."""
        sig = Signature.of(subject)
        found = self._memo.get(sig)
        if found is None:
            keyed: dict[str, Candidate] = {}
            for what, keys in (("protocol", sig.stack), ("type", sig.types)):
                for key in keys:
                    for cand in self.by_key.get((sig.kind, what, key), ()):
                        keyed[cand[0].rule.id] = cand
            found = [*self.always.get(sig.kind, ()), *(keyed[k] for k in sorted(keyed))]
            found = self._memo[sig] = [c for c in found if c[0].rule.condition.static(sig) is not False]
        return found


def _findings(rules: Iterable[Rule], subjects: Iterable[Subject], decisions: Mapping[str, Decision],
              source_map: SourceMap | None) -> list[Finding]:
    index = _RuleIndex(rules)
    out: list[Finding] = []
    for subject in subjects:
        parts: _SubjectParts | None = None
        for plan, test in index.candidates(subject):
            reasons: Reasons = test(subject)
            if reasons is None:
                continue
            if parts is None:
                parts = _SubjectParts(subject, source_map)
            unique = tuple(reasons) if len(reasons) < 2 else tuple(dict.fromkeys(reasons))
            out.append(_to_finding(plan, parts, unique, decisions))
    return out


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
    found = _findings(rules, iter_subjects(facts), decisions or {}, source_map)
    found.sort(key=attrgetter("id"))
    return found
