"""Build and evaluate the assurance case of one analysis: the library entry point of this package."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from medsecurance.assurance.evaluate import ActiveDefeater, NodeEval, evaluate, summarise
from medsecurance.assurance.evidence import (
    EvidencePolicy,
    EvidenceStatus,
    automatic_defeaters,
    check_evidence,
    load_baseline,
    load_evidence_policy,
)
from medsecurance.assurance.facts import build_facts
from medsecurance.assurance.instantiate import instantiate
from medsecurance.assurance.model import Case, check_structure
from medsecurance.assurance.patterns import Pattern, load_patterns
from medsecurance.errors import AssuranceError, Diagnostic
from medsecurance.findings import Finding

__all__ = ["AssuranceResult", "build_assurance"]


@dataclass(frozen=True)
class AssuranceResult:
    """The instantiated case with its evaluation, evidence status and defeaters."""

    case: Case
    evals: Mapping[str, NodeEval]
    evidence: Mapping[str, EvidenceStatus]
    defeaters: tuple[ActiveDefeater, ...]
    patterns: tuple[Pattern, ...]
    policy: EvidencePolicy

    def preorder(self) -> list[str]:
        """Node ids in depth-first order from the root (then any unreachable ones), each once."""
        seen: list[str] = []
        marked: set[str] = set()
        stack = [self.case.root]
        while stack:
            nid = stack.pop()
            if nid in marked or nid not in self.case.nodes:
                continue
            marked.add(nid)
            seen.append(nid)
            node = self.case.nodes[nid]
            stack += list(reversed((*node.in_context_of, *node.supported_by)))
        return seen + [n for n in self.case.nodes if n not in marked]

    def node_dict(self, nid: str) -> dict[str, Any]:
        """The JSON form of one node."""
        n, ev = self.case.nodes[nid], self.evals[nid]
        out: dict[str, Any] = {"id": n.id, "type": n.type.value, "text": n.text, "status": ev.status,
                               "reasons": list(ev.reasons), "supported_by": list(n.supported_by),
                               "in_context_of": list(n.in_context_of), "undeveloped": n.undeveloped,
                               "module": n.module, "pattern": n.pattern}
        if ev.close:
            out["close"] = ev.close
        if "evidence" in n.facts:
            out["evidence"] = dict(self.evidence[n.facts["evidence"]].record)
        if "stage" in n.facts:
            out["analysis"] = n.facts["stage"]
        return out

    def to_dict(self) -> dict[str, Any]:
        """The ``assurance`` section of the assessment JSON."""
        return {
            "root": self.case.root,
            "nodes": [self.node_dict(n) for n in self.preorder()],
            "summary": summarise(self.case, self.evals),
            "defeaters": [{"node": d.node, "text": d.text, "source": d.source, "by": d.by, "date": d.date}
                          for d in self.defeaters],
            "patterns": [{"pattern": p.pattern, "title": p.title, "source": p.source.strip(),
                          "file": p.file} for p in self.patterns],
            "evidence_policy": {"max_age_days": dict(self.policy.max_age_days), "source": self.policy.source.strip()},
            "structure": {"valid": True, "checks": "gsn2x V01-V06, V08, C01-C04, C08"},
        }


def _reviewer_defeaters(decisions: Any, case: Case) -> list[ActiveDefeater]:
    out, bad = [], []
    for i, d in enumerate(getattr(decisions, "defeaters", ())):
        pos = decisions.position("defeaters", i)
        where = f"{pos[0]}:{pos[1]}:{pos[2]}" if pos else (decisions.file or "decisions.yaml")
        if d.node not in case.nodes:
            bad.append(Diagnostic(f"defeaters[{i}]: unknown assurance node '{d.node}'", file=pos[0] if pos else
                                  decisions.file, line=pos[1] if pos else None, column=pos[2] if pos else None,
                                  hint="use a node id of 'medsec assurance MODEL --format json' (e.g. G-hazards)"))
        elif d.status == "open":
            out.append(ActiveDefeater(d.node, d.text, where, d.by, d.date.isoformat() if d.date else None))
    if bad:
        raise AssuranceError.from_diagnostics(bad)
    return out


def _structure(case: Case, patterns: Sequence[Pattern]) -> None:
    problems = check_structure(case)
    if problems:
        files = sorted({p.file or p.pattern for p in patterns})
        raise AssuranceError.from_diagnostics(
            [Diagnostic(f"the instantiated case is not well formed: {p}", file=", ".join(files)) for p in problems])


def build_assurance(load: Any, findings: Sequence[Finding], sections: Mapping[str, Any], stages: Sequence[str],
                    decisions: Any, as_of: dt.date, *, patterns: Sequence[str | Path] = (),
                    policy: str | Path | None = None, baseline: str | Path | None = None) -> AssuranceResult:
    """Instantiate the patterns over the model and results, check the structure, evaluate every node."""
    pats = load_patterns(patterns)
    facts = build_facts(load.model, findings, sections, stages, decisions)
    case = instantiate(pats, facts)
    _structure(case, pats)
    pol = load_evidence_policy(policy)
    evidence = check_evidence(load, as_of, pol, load_baseline(baseline) if baseline else None)
    defeaters = _reviewer_defeaters(decisions, case)
    defeaters += [ActiveDefeater(node, text, "automatic") for node, text in automatic_defeaters(load.model, findings)
                  if node in case.nodes]
    evals = evaluate(case, evidence, defeaters)
    return AssuranceResult(case, evals, evidence, tuple(defeaters), tuple(pats), pol)
