"""Security-level arithmetic, requirement tables and the default composition rule (with property tests)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from medsecurance.contracts import ContractInputs, WeakestLink, check
from medsecurance.contracts.capability import derive_levels
from medsecurance.contracts.levels import gap, join, meet, meets, parse_fr, parse_levels
from medsecurance.contracts.tables import load_countermeasures, load_requirement_rows, normalize_requirement_id
from medsecurance.errors import ContractError
from medsecurance.model.schema import SystemModel

LEVEL = st.integers(min_value=0, max_value=4)
VECTOR = st.tuples(LEVEL, LEVEL, LEVEL, LEVEL, LEVEL, LEVEL, LEVEL)


def test_vector_arithmetic() -> None:
    a, b = (1, 2, 3, 4, 0, 1, 2), (2, 2, 1, 4, 1, 0, 0)
    assert meet([a, b]) == (1, 2, 1, 4, 0, 0, 0)
    assert join(a, b) == (2, 2, 3, 4, 1, 1, 2)
    assert gap(a, b) == (1, 0, 0, 0, 1, 0, 0)
    assert meets(join(a, b), a) and not meets(a, b)
    assert meet([]) is None


def test_parse_fr_names_and_errors() -> None:
    assert parse_fr("fr 3") == "FR3" and parse_fr("SI") == "FR3" and parse_fr(7) == "FR7"
    with pytest.raises(ContractError, match="unknown foundational requirement 'FR9'") as exc:
        parse_fr("FR9", file="x.yaml", line=3, column=5)
    assert exc.value.first.location == "x.yaml:3:5"


@pytest.mark.parametrize("bad", [5, -1, "2", True, 2.5])
def test_levels_outside_0_to_4_are_rejected(bad: object) -> None:
    with pytest.raises(ContractError, match="0–4"):
        parse_levels({"FR1": bad}, file="p.yaml")


def test_requirement_ids_normalise() -> None:
    assert normalize_requirement_id("CR 1.1 RE(2)") == "CR-1.1-RE2"
    assert normalize_requirement_id("ndr-5.2") == "CR-5.2"
    assert normalize_requirement_id("cr-1.11") == "CR-1.11"
    assert normalize_requirement_id("secure-boot") is None


def test_shipped_tables_load_with_sources() -> None:
    rows, cap, _ = load_requirement_rows()
    assert rows and all(r.source and r.confidence in {"S", "M", "V"} for r in rows)
    assert {r.id for r in rows} >= {"CR-1.1", "CR-1.1-RE1", "CR-2.7", "CR-7.8"}
    assert cap == (1, 1, 1, 1, 1, 1, 1)
    assert all(c.source for c in load_countermeasures().values())


def test_derivation_from_a_replacement_table(tmp_path: Path) -> None:
    table = tmp_path / "sl.yaml"
    table.write_text(
        "complete_up_to: {FR1: 4}\nrequirements:\n"
        "  - {id: CR-1.1, fr: FR1, sl: 1, source: test}\n"
        "  - {id: CR-1.1-RE1, fr: FR1, sl: 2, source: test}\n"
        "  - {id: CR-1.2, fr: FR1, sl: 2, source: test}\n"
        "  - {id: CR-1.1-RE2, fr: FR1, sl: 3, source: test}\n"
    )
    rows, cap, _ = load_requirement_rows(table)
    levels, missing, capped = derive_levels(frozenset({"CR-1.1", "CR-1.1-RE1"}), rows, cap)
    assert levels[0] == 1 and missing["FR1"] == ("CR-1.2",) and "FR1" not in capped
    levels, missing, capped = derive_levels(frozenset({"CR-1.1", "CR-1.1-RE1", "CR-1.2", "CR-1.1-RE2"}), rows, cap)
    assert levels[0] == 4  # nothing more is selected above SL 3 in this table
    # the shipped table caps derivation at what public sources establish
    rows, cap, _ = load_requirement_rows()
    all_ids = frozenset(r.id for r in rows)
    levels, _, capped = derive_levels(all_ids, rows, cap, "EDR")
    assert levels == (1, 1, 1, 1, 1, 1, 1) and "FR1" in capped


def test_table_errors_are_located(tmp_path: Path) -> None:
    table = tmp_path / "sl.yaml"
    table.write_text("complete_up_to: {FR1: 1}\nrequirements:\n  - {id: CR-1.1, fr: FR8, sl: 1, source: s}\n")
    with pytest.raises(ContractError, match="unknown foundational requirement") as exc:
        load_requirement_rows(table)
    assert exc.value.first.file == str(table) and exc.value.first.line == 3
    table.write_text("complete_up_to: {FR1: 1}\nrequirements:\n  - {id: secure-boot, fr: FR1, sl: 1, source: s}\n")
    with pytest.raises(ContractError, match="not a requirement id"):
        load_requirement_rows(table)


@settings(max_examples=200, deadline=None)
@given(st.lists(VECTOR, min_size=1, max_size=6), VECTOR, VECTOR)
def test_adding_a_countermeasure_never_lowers_sl_a(members: list, raises: tuple, extra: tuple) -> None:
    rule = WeakestLink()
    before = rule.compose(members, raises)
    after = rule.compose(members, join(raises, extra))
    assert before is not None and after is not None and meets(after, before)


@settings(max_examples=200, deadline=None)
@given(st.lists(VECTOR, min_size=2, max_size=6), VECTOR, st.data())
def test_removing_a_component_never_lowers_sl_a(members: list, raises: tuple, data: st.DataObject) -> None:
    rule = WeakestLink()
    index = data.draw(st.integers(min_value=0, max_value=len(members) - 1))
    before = rule.compose(members, raises)
    after = rule.compose(members[:index] + members[index + 1 :], raises)
    assert before is not None and after is not None and meets(after, before)


_CMS = sorted(load_countermeasures())


def _model(caps: list[tuple[int, ...]], zone_cms: list[str], conduit_cms: list[str]) -> SystemModel:
    frs = ("FR1", "FR2", "FR3", "FR4", "FR5", "FR6", "FR7")
    return SystemModel.model_validate({
        "system": {"id": "s", "name": "s", "version": "1", "setting": "hospital"},
        "zones": [{"id": "Z", "sl_target": dict.fromkeys(frs, 3), "countermeasures": zone_cms}, {"id": "Y"}],
        "conduits": [{"id": "K", "zones": ["Z", "Y"], "countermeasures": conduit_cms}],
        "components": [{"id": f"c{i}", "type": "Server", "zone": "Z",
                        "security_levels": {"capability": dict(zip(frs, cap, strict=True))}}
                       for i, cap in enumerate(caps)],
    })


def _sl_a(model: SystemModel) -> tuple[int, ...]:
    zone = check(model, inputs=ContractInputs()).zones["zones"][0]
    return tuple(zone["sl_achieved"].values())


@settings(max_examples=25, deadline=None)
@given(st.lists(VECTOR, min_size=2, max_size=4), st.lists(st.sampled_from(_CMS), max_size=3),
       st.sampled_from(_CMS), st.booleans(), st.data())
def test_end_to_end_monotonicity(caps: list, cms: list, new_cm: str, on_conduit: bool, data: st.DataObject) -> None:
    base = _sl_a(_model(caps, cms, []))
    raised = _sl_a(_model(caps, cms, [new_cm]) if on_conduit else _model(caps, [*cms, new_cm], []))
    assert all(a >= b for a, b in zip(raised, base, strict=True))
    drop = data.draw(st.integers(min_value=0, max_value=len(caps) - 1))
    fewer = _sl_a(_model(caps[:drop] + caps[drop + 1 :], cms, []))
    assert all(a >= b for a, b in zip(fewer, base, strict=True))
