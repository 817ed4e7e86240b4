"""The risk stage: threat and vulnerability findings → the security-for-safety risk register.

.. code-block:: python

    register = assess(model, findings, attack_paths, decisions=decisions,
                      policy=load_policy(), hazards_for_loss=kb_hazards, control_info=kb_control)
    register.to_dict()    # the assessment JSON "risks" list
    register.section()    # heat map, traceability, safety hand-off, control concerns, metrics
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from operator import attrgetter

from medsecurance.assessment import AttackPath
from medsecurance.decisions import Decisions
from medsecurance.errors import Diagnostic
from medsecurance.findings import Finding, FindingKind
from medsecurance.model.schema import SystemModel
from medsecurance.risk._decide import apply_decisions, rubric_scores
from medsecurance.risk._evaluate import Context, best_paths, evaluate_finding
from medsecurance.risk._index import norm_id
from medsecurance.risk._trace import trace_rows
from medsecurance.risk.benefit_risk import (
    ControlConcern,
    InterferenceRule,
    control_concerns,
    load_interference_rules,
)
from medsecurance.risk.exploitability import ControlInfo, ExploitabilityTables, load_exploitability
from medsecurance.risk.metrics import fda_metrics
from medsecurance.risk.policy import Policy, load_policy
from medsecurance.risk.register import RiskEntry, RiskRegister
from medsecurance.risk.rubric import Rubric, load_rubric
from medsecurance.risk.scales import Exploitability, HarmSeverity, RiskLevel
from medsecurance.risk.severity import HarmTables, HazardsForLoss, load_harm_tables

__all__ = ["RiskTables", "assess"]


@dataclass(frozen=True)
class RiskTables:
    """The data tables of the risk stage (the shipped ones unless replaced)."""

    exploitability: ExploitabilityTables = field(default_factory=load_exploitability)
    harm: HarmTables = field(default_factory=load_harm_tables)
    interference: Mapping[str, InterferenceRule] = field(default_factory=load_interference_rules)
    rubric: Rubric = field(default_factory=load_rubric)


def _no_hazards(category: str, impact: str) -> tuple[str, ...]:
    return ()


def _no_control(control: str) -> ControlInfo | None:
    return None


def _memo_hazards(fn: HazardsForLoss) -> HazardsForLoss:
    memo: dict[tuple[str, str], tuple[str, ...]] = {}

    def lookup(category: str, impact: str) -> tuple[str, ...]:
        key = (category, impact)
        if key not in memo:
            memo[key] = tuple(sorted(set(fn(category, impact))))
        return memo[key]
    return lookup


def _memo_controls(fn: Callable[[str], ControlInfo | None]) -> Callable[[str], ControlInfo | None]:
    memo: dict[str, ControlInfo | None] = {}

    def lookup(control: str) -> ControlInfo | None:
        if control not in memo:
            memo[control] = fn(control)
        return memo[control]
    return lookup


# Register order: worst residual level, severity, residual exploitability, level first, then the id.
# Negated ranks by member, looked up in dicts: cheaper than four ``.rank`` properties per entry.
_LEVEL_KEY: dict[RiskLevel, int] = {lv: -lv.rank for lv in RiskLevel}
_SEVERITY_KEY: dict[HarmSeverity | None, int] = {None: 0} | {s: -s.rank for s in HarmSeverity}
_EXPLOITABILITY_KEY: dict[Exploitability, int] = {e: -e.rank for e in Exploitability}


def _ordered(entries: list[RiskEntry]) -> tuple[RiskEntry, ...]:
    """Entries in register order: worst residual level, severity, residual exploitability, level, then id.

    The rank is a property of the shared evaluation: entries are sorted by id once (C-level key),
    then stably by their evaluation's rank, computed once per evaluation instead of per entry.
    """
    ranks: dict[int, tuple[int, int, int, int]] = {}
    for e in entries:
        v = e.evaluation
        if id(v) not in ranks:
            ranks[id(v)] = (_LEVEL_KEY[v.residual_level], _SEVERITY_KEY[v.severity],
                            _EXPLOITABILITY_KEY[v.residual_exploitability], _LEVEL_KEY[v.level])
    by_id = sorted(entries, key=attrgetter("id"))
    return tuple(sorted(by_id, key=lambda e: ranks[id(e.evaluation)]))


def _concerns(model: SystemModel, entries: tuple[RiskEntry, ...], ctx: Context, tables: RiskTables
              ) -> tuple[ControlConcern, ...]:
    """Interfering controls present on, or among the top three recommended for, safety-relevant components.

    Only safety-relevant components and controls with an interference rule can raise a concern, so
    the rest is filtered out before the per-element work.
    """
    relevant = ctx.index.safety_relevant
    rules = tables.interference
    present = {c.id: sorted(c.controls) for c in model.components if c.id in relevant}
    # Entries sharing an evaluation share their recommended tuple: gather elements per tuple (by
    # identity; the entries keep the tuples alive), then add each tuple's interfering top three once.
    groups: dict[int, tuple[list[str], set[str]]] = {}
    for e in entries:
        v = e.evaluation
        controls = v.controls_recommended
        if not controls or not v.safety_relevant:  # not safety-relevant: none of its elements is
            continue
        group = groups.get(id(controls))
        if group is None:
            group = groups[id(controls)] = ([c.id for c in controls[:3] if norm_id(c.id) in rules], set())
        if group[0]:
            group[1].update(e.elements)
    recommended: dict[str, set[str]] = {}
    for top3, elements in groups.values():
        for el in elements & present.keys():
            recommended.setdefault(el, set()).update(top3)
    return control_concerns(rules, sorted(relevant), present, {k: sorted(v) for k, v in recommended.items()})


def assess(
    model: SystemModel,
    findings: Iterable[Finding],
    attack_paths: Iterable[AttackPath] = (),
    *,
    decisions: Decisions | None = None,
    policy: Policy | None = None,
    hazards_for_loss: HazardsForLoss | None = None,
    control_info: Callable[[str], ControlInfo | None] | None = None,
    tables: RiskTables | None = None,
) -> RiskRegister:
    """Evaluate every threat and vulnerability finding into a deterministic :class:`RiskRegister`.

    Other finding kinds are ignored. Bad rubric answers or decision values raise located errors;
    stale or ignored decisions are diagnostics in the register.
    """
    tables = tables or RiskTables()
    policy = policy or load_policy()
    decisions = decisions or Decisions()
    relevant = sorted((f for f in findings if f.kind in (FindingKind.THREAT, FindingKind.VULNERABILITY)),
                      key=attrgetter("id"))
    controls = _memo_controls(control_info or _no_control)
    rubric, diags = rubric_scores(decisions, tables.rubric, relevant)
    ctx = Context(tables.harm.index(model), tables.exploitability, tables.harm, policy,
                  _memo_hazards(hazards_for_loss or _no_hazards), controls,
                  best_paths(attack_paths, tables.exploitability), rubric)
    entries: dict[str, RiskEntry] = {}
    for f in relevant:
        entry = evaluate_finding(ctx, f)
        if entry.id in entries:
            diags.append(Diagnostic(f"finding '{f.id}' appears twice; evaluated once", element=f.id))
            continue
        entries[entry.id] = entry
    decided, decision_diags = apply_decisions(entries.values(), decisions)
    ordered = _ordered(decided)
    return RiskRegister(
        entries=ordered,
        trace=trace_rows(ordered, ctx.index, controls),
        concerns=_concerns(model, ordered, ctx, tables),
        metrics=fda_metrics(relevant, decisions),
        diagnostics=tuple(diags + decision_diags),
        policy=policy.name,
    )
