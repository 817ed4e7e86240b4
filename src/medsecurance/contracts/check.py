"""The contracts stage: ``check(model) -> ContractResult`` (security levels and assume/guarantee contracts)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from medsecurance._internal.yamlloc import LocDict, Position, load_yaml, locate
from medsecurance.contracts.agreements import Check, Contracts, evaluate
from medsecurance.contracts.capability import capability_of
from medsecurance.contracts.explain import check_findings
from medsecurance.contracts.gaps import conduit_findings, level_table, zone_findings
from medsecurance.contracts.interface import ContractInputs
from medsecurance.contracts.kb_adapter import inputs_from_kb
from medsecurance.contracts.levels import as_dict
from medsecurance.contracts.tables import load_conduit_rules, load_countermeasures, load_requirement_rows
from medsecurance.contracts.vocabulary import load_vocabulary, validate_clauses
from medsecurance.contracts.zones import conduit_levels, zone_levels
from medsecurance.errors import ContractError, Diagnostic
from medsecurance.findings import Finding, SourceLocation
from medsecurance.model.loader import SourceMap, display_path
from medsecurance.model.schema import SystemModel

__all__ = ["ContractResult", "check"]


@dataclass(frozen=True)
class ContractResult:
    """Findings of kind ``contract``, the zone level table and the discharged obligations."""

    findings: tuple[Finding, ...]
    zones: Mapping[str, Any]
    checks: tuple[Check, ...] = ()

    def discharged(self) -> list[dict[str, Any]]:
        """Assumptions that hold, each with the guarantees that discharge it (the proof chain)."""
        return [
            {
                "element": k.assumption.element,
                "property": k.assumption.prop,
                "rule": k.rule,
                "discharged_by": [g.label() for g in k.outcome.used],
            }
            for k in self.checks
            if k.outcome.discharged
        ]

    def to_dict(self) -> dict[str, Any]:
        """JSON form: findings, zones table and discharged obligations."""
        return {
            "findings": [f.to_dict() for f in self.findings],
            "zones": dict(self.zones),
            "discharged": self.discharged(),
        }


def _locator(source_map: SourceMap | None) -> Any:
    def locate(element: str) -> SourceLocation | None:
        pos = source_map.position(element) if source_map else None
        return SourceLocation(*pos) if pos else None

    return locate


def _where_clause(source_map: SourceMap | None) -> Any:
    def where(path: tuple[str | int, ...], element: str) -> SourceLocation | None:
        pos = (source_map.position_at(path) or source_map.position(element)) if source_map else None
        return SourceLocation(*pos) if pos else None

    return where


def _precise(source_map: SourceMap, path: tuple[str | int, ...], element: str) -> Position | None:
    """Exact position of a clause; re-reads the root file if the fast loader kept no positions (errors only)."""
    raw = source_map.raw
    if not isinstance(raw, LocDict):
        try:
            raw, _ = load_yaml(
                source_map.root.read_text(encoding="utf-8"), display_path(source_map.root), ContractError
            )
        except (OSError, ContractError):
            return source_map.position(element)
    item = locate_item(raw, path)
    if isinstance(item, dict) and item.get("id") not in (None, element):
        return source_map.position(element)  # the element came from an included file
    return locate(raw, path) or source_map.position(element)


def locate_item(raw: Any, path: tuple[str | int, ...]) -> Any:
    """The raw element (e.g. a component mapping) at the first two steps of a clause path."""
    node = raw
    for part in path[:2]:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return None
    return node


def _diagnostic(source_map: SourceMap | None) -> Any:
    def make(path: tuple[str | int, ...], element: str, message: str, hint: str) -> Diagnostic:
        pos = _precise(source_map, path, element) if source_map else None
        file, line, col = pos if pos else (None, None, None)
        return Diagnostic(message, file=file, line=line, column=col, element=element, hint=hint)

    return make


def check(
    model: SystemModel, *, source_map: SourceMap | None = None, kb: Any = None, inputs: ContractInputs | None = None
) -> ContractResult:
    """Security-level gaps and assume/guarantee obligations of a model, as findings and a zone table.

    ``inputs`` supplies the control → CR map, protocol properties and replacement tables; when it is
    omitted they come from ``kb`` (the knowledge base) if given. Raises ContractError for unknown
    property names, parameters or element ids (located through ``source_map``).
    """
    inputs = inputs or inputs_from_kb(kb, model)
    vocab = load_vocabulary(inputs.properties_path)
    validate_clauses(model, vocab, _diagnostic(source_map))
    rows, cap, req_file = load_requirement_rows(inputs.requirements_path)
    countermeasures = load_countermeasures(inputs.countermeasures_path)
    caps = {
        c.id: capability_of(c, rows, cap, inputs.control_crs, inputs.component_classes.get(c.id))
        for c in model.components
    }
    zones = zone_levels(model, caps, countermeasures, inputs.rule)
    conduits = conduit_levels(
        model, inputs.protocols or {}, load_conduit_rules(inputs.conduit_rules_path), countermeasures
    )
    checks = evaluate(Contracts(model, vocab, inputs.protocols).build())
    locate = _locator(source_map)
    findings = [
        *zone_findings(zones, countermeasures, locate),
        *conduit_findings(conduits, locate),
        *check_findings(checks, _where_clause(source_map)),
    ]
    policy = {
        "composition": inputs.rule.name,
        "description": inputs.rule.description,
        "requirements_table": req_file,
        "requirements_complete_up_to": as_dict(cap),
        "protocol_properties": "knowledge base" if inputs.protocols is not None else "unavailable",
        "note": "aggregation and conduit rules are replaceable policies, not formulas of IEC 62443",
    }
    ordered = tuple(sorted(findings, key=lambda f: (f.rule, f.id)))
    return ContractResult(ordered, level_table(zones, conduits, policy), tuple(checks))
