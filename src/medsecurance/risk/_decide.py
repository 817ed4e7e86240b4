"""Applying human decisions (decisions.yaml) to the register: acceptance, stale entries, rubric answers."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from medsecurance.decisions import Decision, Decisions, DecisionStatus
from medsecurance.errors import DecisionsError, Diagnostic
from medsecurance.findings import Finding
from medsecurance.risk.cvss import CvssScore
from medsecurance.risk.register import RiskEntry
from medsecurance.risk.rubric import Rubric
from medsecurance.risk.scales import RiskLevel

__all__ = ["apply_decisions", "rubric_scores"]


def _where(decisions: Decisions, section: str, index: int) -> tuple[str | None, int | None, int | None]:
    pos = decisions.position(section, index)
    return (pos[0], pos[1], pos[2]) if pos else (decisions.file, None, None)


def rubric_scores(decisions: Decisions, rubric: Rubric, findings: Iterable[Finding]
                  ) -> tuple[dict[str, CvssScore], list[Diagnostic]]:
    """CVSS vectors from rubric answers, keyed by finding id (a later entry for an id supersedes)."""
    if not decisions.rubric:
        return {}, []
    by_risk = {_risk_id(f.id): f.id for f in findings}
    known = set(by_risk.values())
    latest: dict[str, int] = {}
    for i, entry in enumerate(decisions.rubric):
        latest[by_risk.get(entry.id, entry.id)] = i
    scores: dict[str, CvssScore] = {}
    diags: list[Diagnostic] = []
    for fid, i in sorted(latest.items()):
        file, line, col = _where(decisions, "rubric", i)
        if fid not in known:
            diags.append(Diagnostic(f"stale rubric answers: no finding or risk '{decisions.rubric[i].id}' any more",
                                    file=file, line=line, column=col, hint="remove the entry or fix the id"))
            continue
        scores[fid] = rubric.evaluate(decisions.rubric[i].answers, file=file, line=line).score
    return scores, diags


def _risk_id(finding_id: str) -> str:
    from medsecurance.findings import stable_id

    return stable_id("R", finding_id)


def _latest(decisions: Decisions) -> dict[str, tuple[int, Decision]]:
    out: dict[str, tuple[int, Decision]] = {}
    for i, d in enumerate(decisions.decisions):
        out[d.id] = (i, d)
        if d.residual_level is not None and d.residual_level not in {lv.value for lv in RiskLevel}:
            file, line, col = _where(decisions, "decisions", i)
            raise DecisionsError(f"decisions[{i}].residual_level: '{d.residual_level}' is not a risk level",
                                 file=file, line=line, column=col, element=d.id,
                                 hint=f"use one of {', '.join(RiskLevel)}")
    return out


def _acceptance(d: Decision) -> dict[str, object]:
    return {"status": d.status.value, "by": d.by, "role": d.role, "date": d.date.isoformat(),
            "rationale": d.rationale, "benefit_risk": d.benefit_risk, "residual_level": d.residual_level}


def apply_decisions(entries: Iterable[RiskEntry], decisions: Decisions
                    ) -> tuple[list[RiskEntry], list[Diagnostic]]:
    """Entries with decision statuses applied, and diagnostics for ignored or stale decisions."""
    latest = _latest(decisions)
    if not latest:
        return list(entries), []
    out: list[RiskEntry] = []
    diags: list[Diagnostic] = []
    ids = set()
    for entry in entries:
        ids.add(entry.id)
        found = latest.get(entry.id) or latest.get(entry.finding)
        if found is None:
            out.append(entry)
            continue
        i, d = found
        file, line, col = _where(decisions, "decisions", i)
        problem = _problem(entry, d)
        if problem:
            diags.append(Diagnostic(problem, file=file, line=line, column=col, element=entry.id,
                                    hint="re-assess the risk and record a new decision"))
            out.append(entry)
        elif d.status is DecisionStatus.OPEN:
            out.append(replace(entry, acceptance=_acceptance(d)))
        else:
            out.append(replace(entry, status=d.status.value, acceptance=_acceptance(d)))
    for key, (i, _) in sorted(latest.items()):
        if key.startswith("R-") and key not in ids:
            file, line, col = _where(decisions, "decisions", i)
            diags.append(Diagnostic(f"stale decision: risk '{key}' no longer exists", file=file, line=line,
                                    column=col, element=key, hint="remove the decision or fix its id"))
    return out, diags


def _problem(entry: RiskEntry, d: Decision) -> str | None:
    if d.status is not DecisionStatus.ACCEPTED:
        return None
    if entry.residual_level is RiskLevel.UNACCEPTABLE and not d.benefit_risk:
        return ("acceptance ignored: the residual risk is unacceptable and the decision gives no "
                "'benefit_risk' justification (ISO 14971 §7.4, TIR57 §6.5)")
    if d.residual_level is not None and RiskLevel(d.residual_level).rank < entry.residual_level.rank:
        return (f"stale acceptance: the residual risk is now '{entry.residual_level}', worse than the "
                f"'{d.residual_level}' accepted on {d.date.isoformat()}")
    return None

