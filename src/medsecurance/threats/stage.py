"""The ``threats`` analysis stage: rule-driven threat instances and attack paths."""

from __future__ import annotations

from types import MappingProxyType

from medsecurance.assessment import StageOutput
from medsecurance.pipeline import StageContext
from medsecurance.threats.engine import match_rules
from medsecurance.threats.paths import find_attack_paths
from medsecurance.threats.rules import load_rules
from medsecurance.threats.subjects import Facts

__all__ = ["ThreatStage"]


class ThreatStage:
    """Match the threat rules and find attack paths."""

    name = "threats"
    after: tuple[str, ...] = ()

    def run(self, ctx: StageContext) -> StageOutput:
        """Threat findings plus the ``attack_paths`` section."""
        rules = load_rules(ctx.kb, ctx.options.rules)
        findings = match_rules(ctx.model, ctx.kb, rules, decisions=ctx.decisions.by_id(),
                               source_map=ctx.load.source_map, as_of=ctx.as_of, index=ctx.index)
        paths = find_attack_paths(Facts(ctx.index, ctx.kb, ctx.as_of))
        sections = {"attack_paths": [p.to_dict() for p in paths], "rules": {"count": len(rules)}}
        return StageOutput(tuple(findings), MappingProxyType(sections),
                           MappingProxyType({"attack_paths": paths, "rules": rules}))
