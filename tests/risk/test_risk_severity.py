"""Severity of harm: hazards reached through the model and the KB, privacy, multi-patient harm."""

from __future__ import annotations

from risk_helpers import hazards_for_loss

from medsecurance.model.schema import SystemModel
from medsecurance.risk.scales import HarmSeverity, PrivacyImpact
from medsecurance.risk.severity import assess_harm, load_harm_tables


def _harm(model: SystemModel, elements: tuple[str, ...], assets: tuple[str, ...], impacts: tuple[str, ...],
          kb: bool = True):  # type: ignore[no-untyped-def]
    tables = load_harm_tables()
    return assess_harm(tables.index(model), tables, elements=elements, assets=assets, impacts=impacts,
                       hazards_for_loss=hazards_for_loss if kb else (lambda c, i: ()))


def test_integrity_loss_reaches_the_worst_model_hazard(model: SystemModel) -> None:
    harm = _harm(model, ("pump",), ("A-rate",), ("I",), kb=False)
    assert harm.severity is HarmSeverity.CATASTROPHIC
    assert harm.worst is not None and harm.worst.hazard == "H-overdose"
    assert harm.worst.harm == "Overdose leading to death or serious injury"
    assert harm.worst.hazardous_situation == "Pump delivers a rate above the prescribed one"
    assert harm.worst.safety_file_ref == "RMF-H-012"
    assert harm.hazards == ("H-delay", "H-overdose")
    assert not harm.multi_patient


def test_kb_links_match_model_hazards_by_type_and_report_unmatched(model: SystemModel) -> None:
    harm = _harm(model, ("pump",), ("A-rate",), ("I",))
    assert {link.via for link in harm.links if link.hazard == "H-overdose"} == {"kb+model"}
    assert harm.unmatched_types == ("under-delivery-of-therapy",)


def test_confidentiality_only_goes_to_the_privacy_scale(model: SystemModel) -> None:
    harm = _harm(model, ("ehr",), ("A-phi",), ("C",))
    assert harm.severity is None and harm.links == ()
    assert harm.privacy is PrivacyImpact.HIGH
    # a model hazard is never reached through confidentiality alone
    assert _harm(model, ("pump",), ("A-rate",), ("C",), kb=False).severity is None


def test_credential_disclosure_counts_as_integrity_loss(model: SystemModel) -> None:
    tables = load_harm_tables()
    from medsecurance.risk.severity import assess_harm as run

    harm = run(tables.index(model), tables, elements=("pump-server",), assets=("A-admin-pw",), impacts=("C",),
               hazards_for_loss=lambda c, i: ("over-delivery-of-therapy",) if (c, i) == ("credentials", "I") else ())
    assert harm.severity is HarmSeverity.CATASTROPHIC


def test_multi_patient_flags(model: SystemModel) -> None:
    assert _harm(model, ("pump-server",), ("A-phi",), ("C",)).multi_patient  # server type
    harm = _harm(model, ("F-orders",), ("A-druglib",), ("I",), kb=False)
    assert harm.multi_patient and harm.severity is HarmSeverity.CRITICAL  # H-fleet is multi_patient
    assert not _harm(model, ("pump",), ("A-rate",), ("A",)).multi_patient


def test_no_assets_no_harm(model: SystemModel) -> None:
    harm = _harm(model, ("ehr",), (), ("C", "I", "A"))
    assert harm.severity is None and harm.privacy is PrivacyImpact.NONE and harm.worst is None
