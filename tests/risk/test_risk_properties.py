"""Property tests (hypothesis) of the risk stage, as the issue asks."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from risk_helpers import KB_CONTROLS, control_info, hazards_for_loss, make_path, threat, vuln

from medsecurance.model.schema import HarmSeverity, SystemModel
from medsecurance.risk import assess, register_json
from medsecurance.risk.register import RiskRegister

KB: dict[str, Any] = {"hazards_for_loss": hazards_for_loss, "control_info": control_info}
ELEMENTS = ["pump", "pump-server", "ehr", "F-orders", "F-adt"]
CONTROLS = [*sorted(KB_CONTROLS), "unknown-control", "emergency-access"]
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

paths = st.lists(st.builds(
    make_path, st.sampled_from(["pump", "pump-server", "ehr"]),
    access=st.sampled_from(["network", "adjacent", "local", "physical"]),
    difficulty=st.floats(0, 10, allow_nan=False), steps=st.integers(1, 5),
    privileges=st.sampled_from(["none", "low", "high"]), ui=st.booleans()), max_size=4)

threats = st.lists(st.builds(
    lambda i, els, imp, present, missing, stride: threat(
        f"T-{i}", tuple(els), impacts=sorted(imp), controls_present=sorted(present), controls_missing=sorted(missing),
        stride=stride),
    st.integers(0, 10**6), st.lists(st.sampled_from(ELEMENTS), min_size=1, max_size=3, unique=True),
    st.sets(st.sampled_from("CIA")), st.sets(st.sampled_from(CONTROLS)), st.sets(st.sampled_from(CONTROLS)),
    st.sampled_from(["tampering", "denial-of-service", "information-disclosure", "spoofing"])),
    min_size=1, max_size=6, unique_by=lambda f: f.id)

VECTORS = ["CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:U/C:N/I:L/A:N",
           "CVSS:4.0/AV:A/AC:H/AT:P/PR:H/UI:A/VC:N/VI:H/VA:N/SC:N/SI:N/SA:N", None]


def _ranks(reg: RiskRegister) -> dict[str, tuple[int, int, int, int]]:
    return {e.id: (e.exploitability.rank, e.level.rank, e.residual_exploitability.rank, e.residual_level.rank)
            for e in reg.entries}


@SETTINGS
@given(findings=threats, attack_paths=paths, data=st.data())
def test_adding_a_control_never_raises_residual_risk(model: SystemModel, findings: list[Any], attack_paths: list[Any],
                                                      data: st.DataObject) -> None:
    before = _ranks(assess(model, findings, attack_paths, **KB))
    extra = data.draw(st.sampled_from(CONTROLS))
    more = [threat(f.id, f.elements, **{**f.details, "controls_present": sorted({*f.details["controls_present"], extra})})
            for f in findings]
    after = _ranks(assess(model, more, attack_paths, **KB))
    for rid, (_, _, res_e, res_l) in before.items():
        assert after[rid][2] <= res_e and after[rid][3] <= res_l


@SETTINGS
@given(findings=threats, attack_paths=paths, data=st.data())
def test_raising_a_hazard_severity_never_lowers_risk(model: SystemModel, findings: list[Any], attack_paths: list[Any],
                                                     data: st.DataObject) -> None:
    hazard = data.draw(st.sampled_from([h.id for h in model.hazards]))
    current = next(h for h in model.hazards if h.id == hazard).severity
    higher = data.draw(st.sampled_from([s for s in HarmSeverity if s.rank >= current.rank]))
    raised = model.model_copy(update={"hazards": tuple(
        h.model_copy(update={"severity": higher}) if h.id == hazard else h for h in model.hazards)})
    before = _ranks(assess(model, findings, attack_paths, **KB))
    after = _ranks(assess(raised, findings, attack_paths, **KB))
    for rid, ranks in before.items():
        assert after[rid][1] >= ranks[1] and after[rid][3] >= ranks[3]


@SETTINGS
@given(vector=st.sampled_from(VECTORS), epss=st.none() | st.floats(0, 1), reachable=st.none() | st.booleans(),
       component=st.sampled_from(["pump", "pump-server", "ehr"]), attack_paths=paths)
def test_kev_is_never_below_the_highest_exploitability(model: SystemModel, vector: str | None, epss: float | None,
                                                       reachable: bool | None, component: str,
                                                       attack_paths: list[Any]) -> None:
    finding = vuln("V-kev", component, vector, kev=True, epss=epss, reachable=reachable)
    entry = assess(model, [finding], attack_paths, **KB).entries[0]
    assert entry.exploitability.value == "very-high"
    assert entry.residual_exploitability.value == "very-high"


@SETTINGS
@given(findings=threats, attack_paths=paths, data=st.data())
def test_output_is_independent_of_element_order(model: SystemModel, findings: list[Any], attack_paths: list[Any],
                                                data: st.DataObject) -> None:
    shuffled_model = model.model_copy(update={
        key: tuple(data.draw(st.permutations(list(getattr(model, key)))))
        for key in ("components", "flows", "assets", "hazards", "evidence")})
    shuffled = [threat(f.id, tuple(data.draw(st.permutations(list(f.elements)))), **dict(f.details))
                for f in data.draw(st.permutations(findings))]
    shuffled.append(vuln("V-1", "pump"))
    findings = [*findings, vuln("V-1", "pump")]
    a = assess(model, findings, attack_paths, **KB)
    b = assess(shuffled_model, shuffled, data.draw(st.permutations(attack_paths)), **KB)
    assert register_json(a) == register_json(b)
