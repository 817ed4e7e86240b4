"""Shared evaluations: findings evaluated together give exactly what each gives alone."""

from __future__ import annotations

from typing import Any

from risk_helpers import control_info, hazards_for_loss, make_path, threat, vuln

from medsecurance.findings import Finding
from medsecurance.model.schema import SystemModel
from medsecurance.risk import assess
from medsecurance.risk.benefit_risk import ControlConcern, InterferenceRule, control_concerns

KB: dict[str, Any] = {"hazards_for_loss": hazards_for_loss, "control_info": control_info}


def _findings() -> list[Finding]:
    # pairs that differ only in id and elements share one evaluation; the others must not borrow it
    return [
        threat("T-a", ("F-orders",), impacts=["I"], controls_present=["role-based-access"],
               controls_missing=["mutual-tls"], stride="tampering"),
        threat("T-b", ("pump",), impacts=["I"], controls_present=["role-based-access"],
               controls_missing=["mutual-tls"], stride="tampering"),
        threat("T-c", ("pump",), impacts=["C"], controls_present=["role-based-access"],
               controls_missing=["mutual-tls"], stride="tampering"),
        threat("T-d", ("pump-server", "pump"), stride="information-disclosure"),
        threat("T-e", ("pump", "pump-server"), stride="information-disclosure"),
        vuln("V-a", "pump", kev=True),
        vuln("V-b", "pump-server", kev=True),
        vuln("V-c", "pump", kev=False),
    ]


def test_each_entry_equals_its_finding_assessed_alone(model: SystemModel) -> None:
    paths = [make_path("pump"), make_path("pump-server", difficulty=4, steps=2)]
    together = assess(model, _findings(), paths, **KB)
    for f in _findings():
        alone = assess(model, [f], paths, **KB)
        entry = next(e for e in together.entries if e.finding == f.id)
        assert alone.entries == (entry,)
        assert alone.to_dict() == [entry.to_dict()]
        assert [r for r in together.handoff if r.finding == f.id] == list(alone.handoff)
        assert [r for r in together.trace if r.finding == f.id] == list(alone.trace)


def test_control_concerns_are_unique_and_in_dataclass_order() -> None:
    rules = {"accountlockout": InterferenceRule("account-lockout", "delayed-therapy", "locks out", ("a",),
                                                ("emergency-access",)),
             "autologoff": InterferenceRule("auto-logoff", "delayed-therapy", "logs off", ("b",), ())}
    present = {"pump": ["Account_Lockout", "account-lockout", "emergency-access"], "srv": ["auto-logoff"]}
    recommended = {"pump": ["auto-logoff"], "srv": ["account-lockout"]}
    concerns = control_concerns(rules, ["srv", "pump"], present, recommended)
    assert list(concerns) == sorted(set(concerns))  # ControlConcern is order=True: its own order
    assert [(c.component, c.control, c.state) for c in concerns] == [
        ("pump", "account-lockout", "present"), ("pump", "auto-logoff", "recommended"),
        ("srv", "account-lockout", "recommended"), ("srv", "auto-logoff", "present")]
    assert all(isinstance(c, ControlConcern) for c in concerns)
    assert concerns[0].addressed_by == ("emergency-access",)


def test_made_entries_equal_constructed_ones(model: SystemModel) -> None:
    """RiskEntry.made sets every field as the constructor does (a new field must be added there too)."""
    import dataclasses

    from medsecurance.risk.entry import RiskEntry

    register = assess(model, _findings(), [make_path("pump")], **KB)
    assert register.entries
    for made in register.entries:
        values = {f.name: getattr(made, f.name) for f in dataclasses.fields(RiskEntry)}
        plain = RiskEntry(**values)
        assert made == plain and made.to_dict() == plain.to_dict() and vars(made) == vars(plain)
        assert dataclasses.replace(made, status="accepted").status == "accepted"
