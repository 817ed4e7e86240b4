"""Turn assume/guarantee checks (and solver counter-examples) into readable contract findings."""

from __future__ import annotations

from collections.abc import Callable

from medsecurance.contracts._smt import Clause
from medsecurance.contracts.agreements import Check
from medsecurance.findings import Finding, FindingKind, Severity, SourceLocation, stable_id

__all__ = ["check_findings"]

Where = Callable[[tuple[str | int, ...], str], SourceLocation | None]
_REFS = (
    "Benveniste et al., Contracts for System Design (2018)",
    "IEC 62443-4-1:2018 practice 8 (integration assumptions)",
)


def _num(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:g}"


def _tls(v: float) -> str:
    return "no TLS" if v == 0 else ("SSL 3.0" if v == 0.3 else f"TLS {v:.1f}")


def _assumed(a: Clause) -> str:
    text = f"{a.element} assumes {a.prop}"
    if a.tls_min is not None:
        text += f" with TLS ≥ {_num(a.tls_min)}"
    for name, value in a.bounds:
        text += f" with {name} ≤ {_num(value)}"
    return text


def _reason(k: Check) -> str:
    """Why the assumption fails, from the solver's counter-example."""
    a, counter = k.assumption, k.outcome.counter or {}
    tls = counter.get("tls")
    where = ", ".join(k.channels.get(tls, ())) if tls is not None else ""
    if tls is not None:
        cond = [g for g in _candidates(k) if g.tls_min is not None and g.tls_min > tls]
        if cond:
            g = cond[0]
            channel = where or "the channel"
            return f"{g.element} guarantees it only for TLS ≥ {_num(g.tls_min or 0)}, but {channel} allows {_tls(tls)}"
        if a.tls_min is not None and tls < a.tls_min:
            return f"{where or 'the channel'} allows {_tls(tls)}"
        stack = [g for g in _candidates(k) if g.tls_eq == tls and not g.holds]
        if stack:
            return f"{where} allows {_tls(tls)}, whose protocol does not provide it"
    for name, value in a.bounds:
        got = counter.get(name)
        weaker = [g for g in _candidates(k) if any(n == name and v > value for n, v in g.bounds)]
        if got is not None and got > value and weaker:
            g = weaker[0]
            bound = dict(g.bounds)[name]
            return (
                f"{g.element} guarantees it only with {name} ≤ {_num(bound)}, so {name} = {_num(got)} "
                "satisfies the guarantee but not the assumption"
            )
    refusing = [g for g in _candidates(k) if not g.holds and g.tls_eq is None]
    if refusing:
        return f"{refusing[0].element} states it does not provide it"
    return "no connected element guarantees it" if k.chain else "no element guarantees it"


def _candidates(k: Check) -> list[Clause]:
    return list(k.outcome.conflicts) + list(k.outcome.used) + list(k.offered)


def check_findings(checks: list[Check], where: Where) -> list[Finding]:
    """Findings for undischarged assumptions, failed refinements and contradicting guarantees."""
    out: dict[str, Finding] = {}
    for k in checks:
        if k.outcome.conflicts:
            finding = _contradiction(k, where)
            out.setdefault(finding.id, finding)
        if not k.outcome.discharged:
            finding = _undischarged(k, where)
            out[finding.id] = finding
    return [out[key] for key in sorted(out)]


def _contradiction(k: Check, where: Where) -> Finding:
    a = k.assumption
    labels = sorted({g.label() for g in k.outcome.conflicts})
    return Finding(
        stable_id("C", "contradiction", *labels),
        FindingKind.CONTRACT,
        "contract.contradicting-guarantees",
        f"Contradicting guarantees on {a.prop}",
        Severity.MEDIUM,
        tuple(sorted({g.element for g in k.outcome.conflicts})),
        _REFS,
        explanation="these guarantees cannot all hold: " + "; ".join(labels),
        details={"property": a.prop, "clauses": labels},
        location=where(k.path, a.element),
    )


def _undischarged(k: Check, where: Where) -> Finding:
    """An assumption (or environment requirement) that the providers' guarantees do not entail."""
    a = k.assumption
    parts = (a.element, a.prop, *(f"{n}={v}" for n, v in a.bounds), str(a.tls_min), *((k.via,) if k.via else ()))
    chain = " → ".join(f"{e} ({r})" for e, r in k.chain)
    text = f"{_assumed(a)}; {_reason(k)}."
    if k.suspended:
        text += f" Guarantees of {', '.join(k.suspended)} are not relied on: their own assumptions are not discharged."
    if k.rule == "discharge":
        title = f"Assumption {a.prop} of {a.element} is not discharged" + (f" on {k.via}" if k.via else "")
    else:
        title = f"{a.element} does not meet the environment's requirement {a.prop}"
    return Finding(
        stable_id("C", k.rule, *parts),
        FindingKind.CONTRACT,
        "contract.undischarged-assumption" if k.rule == "discharge" else "contract.refinement",
        title,
        Severity.MEDIUM,
        (a.element, *dict.fromkeys(e for e, _ in k.chain if e != a.element)),
        _REFS,
        explanation=f"{text} Chain: {chain}." if chain else text,
        details={
            "property": a.prop,
            "via": k.via,
            "chain": [{"element": e, "relation": r} for e, r in k.chain],
            "counterexample": k.outcome.counter,
            "suspended_providers": list(k.suspended),
        },
        location=where(k.path, a.element),
    )
