"""Threat findings that share their rule's and their subject's parts.

A 5,000-component model gives ~40,000 threat findings, and most of each one repeats its rule
(STRIDE, references, sources …) or its subject (assets, hazards, elements, location). A
:class:`ThreatFinding` is a plain :class:`~medsecurance.findings.Finding` to every reader: same
fields, same ``details``, same ``to_dict``, equal to the ``Finding`` with the same values. Two
things differ, and only in cost:

- ``details`` is built when first read, from the rule plan, the subject parts and the finding's
  own values (a JSON-only run never reads them);
- :meth:`ThreatFinding.json_value` gives the JSON writer one dict that shares the rule's and the
  subject's lists instead of copying them, without the details mapping: the same JSON text as
  ``to_dict()`` for half the work.

Tests compare both forms for every finding of the examples and for edge cases (quotes, control
characters, non-ASCII text, decisions, missing locations), with orjson and with the standard library.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Protocol

from medsecurance.findings import Finding, FindingKind, Severity, SourceLocation

if TYPE_CHECKING:
    from medsecurance.decisions import Decision

__all__ = ["RuleParts", "SubjectParts", "ThreatFinding", "make_threat_finding"]


class RuleParts(Protocol):
    """What a finding's rule gives it (the engine's rule plan)."""

    json_base: dict[str, Any]  # the rule's fields of the JSON value: impacts, kind, references, rule …

    def rule_details(self) -> Mapping[str, Any]:
        """stride, threat_class, impacts, sources, rule_file."""
        ...


class SubjectParts(Protocol):
    """What a finding's subject gives it (the engine's subject parts)."""

    def json_base(self) -> dict[str, Any]:
        """The subject's fields of the JSON value: assets, element_kind, elements, hazards, location."""
        ...

    def subject_details(self) -> Mapping[str, Any]:
        """element_kind, assets, hazards."""
        ...


class ThreatFinding(Finding):
    """A threat finding built by the rule engine (see the module docstring)."""

    __slots__ = ("_decision", "_missing", "_plan", "_present", "_subject", "_why")

    _plan: RuleParts
    _subject: SubjectParts
    _present: tuple[str, ...]
    _missing: tuple[str, ...]
    _why: tuple[str, ...]
    _decision: Decision | None

    def __eq__(self, other: object) -> bool:
        """Equal to any finding (plain or not) with the same field values."""
        if not isinstance(other, Finding):
            return NotImplemented
        return _fields(self) == _fields(other)

    def _build_details(self) -> MappingProxyType[str, Any]:
        rule = self._plan.rule_details()
        subject = self._subject.subject_details()
        details: dict[str, object] = {
            "stride": rule["stride"],
            "threat_class": rule["threat_class"],
            "element_kind": subject["element_kind"],
            "impacts": list(rule["impacts"]),
            "assets": list(subject["assets"]),
            "hazards": list(subject["hazards"]),
            "controls_present": list(self._present),
            "controls_missing": list(self._missing),
            "why": list(self._why),
            "sources": list(rule["sources"]),
            "rule_file": rule["rule_file"],
        }
        if self._decision is not None:
            details["decision"] = _decision(self._decision)
        return MappingProxyType(details)

    def detail(self, key: str, default: Any = None) -> Any:
        """One detail without building ``details`` (see :meth:`Finding.detail`): shared values, as they are."""
        try:
            plan = self._plan
        except AttributeError:  # not made by the engine (copied, replaced): its details are what counts
            return self.details.get(key, default)
        if key in _RULE_KEYS:
            return plan.rule_details()[key]
        if key in _SUBJECT_KEYS:
            return self._subject.subject_details()[key]
        if key == "controls_present":
            return self._present
        if key == "controls_missing":
            return self._missing
        if key == "why":
            return self._why
        if key == "decision" and self._decision is not None:
            return _decision(self._decision)
        return default

    def json_value(self) -> dict[str, Any] | None:
        """What :meth:`to_dict` gives, for a serialiser only: lists may be shared tuples (None: unknown).

        One dict built from the rule's and the subject's parts, without the details mapping and
        its copies (the serialiser sorts the keys). None when the finding was not made by the
        engine (e.g. copied, or changed with ``dataclasses.replace``): then serialise :meth:`to_dict`.
        """
        try:  # the rule's JSON fields, then the subject's: shared values, copied into one new dict
            data: dict[str, Any] = self._plan.json_base | self._subject.json_base()
        except AttributeError:
            return None
        data["controls_missing"] = self._missing
        data["controls_present"] = self._present
        data["explanation"] = self.explanation
        data["id"] = self.id
        data["severity"] = str.__str__(self.severity)
        data["status"] = self.status
        data["why"] = self._why
        if self._decision is not None:
            data["decision"] = _decision(self._decision)
        return data


#: the details keys that come from the rule, and from the subject (see _build_details)
_RULE_KEYS = frozenset({"stride", "threat_class", "impacts", "sources", "rule_file"})
_SUBJECT_KEYS = frozenset({"element_kind", "assets", "hazards"})


def _decision(d: Decision) -> dict[str, Any]:
    return {"by": d.by, "role": d.role, "date": d.date.isoformat(), "rationale": d.rationale}


def _fields(f: Finding) -> tuple[Any, ...]:
    return (f.id, f.kind, f.rule, f.title, f.severity, f.elements, f.references, f.status, f.explanation,
            f.details, f.location)


def _details_descriptor() -> Any:
    """``ThreatFinding.details``: Finding's slot, filled from the shared parts when first read."""
    slot = Finding.__dict__["details"]
    get, put = slot.__get__, slot.__set__

    class LazyDetails:
        def __get__(self, obj: ThreatFinding | None, owner: type | None = None) -> Any:
            if obj is None:
                return self
            try:
                return get(obj)
            except AttributeError:
                value = obj._build_details()
                put(obj, value)
                return value

        def __set__(self, obj: ThreatFinding, value: Any) -> None:  # Finding.__init__ and dataclasses.replace
            put(obj, value)

    return LazyDetails()


ThreatFinding.details = _details_descriptor()  # type: ignore[misc]  # replaces the inherited slot on purpose


_new = object.__new__
(_set_id, _set_kind, _set_rule, _set_title, _set_severity, _set_elements, _set_references, _set_status,
 _set_explanation, _set_location) = (
    Finding.__dict__[name].__set__ for name in (
        "id", "kind", "rule", "title", "severity", "elements", "references", "status", "explanation", "location"))
_set_plan, _set_subject, _set_present, _set_missing, _set_why, _set_decision = (
    ThreatFinding.__dict__[name].__set__ for name in ("_plan", "_subject", "_present", "_missing", "_why",
                                                      "_decision"))


def make_threat_finding(fid: str, rule: str, title: str, severity: Severity, elements: tuple[str, ...],
                        references: tuple[str, ...], status: str, explanation: str,
                        location: SourceLocation | None, plan: RuleParts, subject: SubjectParts,
                        present: tuple[str, ...],
                        missing: tuple[str, ...], why: tuple[str, ...],
                        decision: Decision | None) -> ThreatFinding:
    """A threat finding from values in their final form (details are built from ``plan`` and ``subject`` when read).

    Sets the slots directly, without the generated ``__init__``'s per-field ``object.__setattr__``
    look-ups: the engine makes tens of thousands (0.9 µs instead of 1.8 µs a finding).
    """
    self = _new(ThreatFinding)
    _set_id(self, fid)
    _set_kind(self, FindingKind.THREAT)
    _set_rule(self, rule)
    _set_title(self, title)
    _set_severity(self, severity)
    _set_elements(self, elements)
    _set_references(self, references)
    _set_status(self, status)
    _set_explanation(self, explanation)
    _set_location(self, location)
    _set_plan(self, plan)
    _set_subject(self, subject)
    _set_present(self, present)
    _set_missing(self, missing)
    _set_why(self, why)
    _set_decision(self, decision)
    return self
