"""iter_subjects builds subjects without the dataclass __init__: they must equal constructed ones."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from medsecurance import api
from medsecurance.kb import load_kb
from medsecurance.model.graph import ModelIndex
from medsecurance.threats.subjects import Facts, Subject, iter_subjects

CACHED = ("owners", "types", "protocols", "canonical_stack")


@pytest.mark.parametrize("system", ["hospital", "clinic", "home"])
def test_fast_subjects_equal_constructed_ones(system: str) -> None:
    loaded = api.load(f"examples/{system}/model.yaml")
    facts = Facts(ModelIndex(loaded.model), load_kb(), dt.date(2026, 11, 29))
    subjects = list(iter_subjects(facts))
    assert {s.kind for s in subjects} == {"component", "interface", "flow"}
    for fast in subjects:
        # every field is set (a field added to Subject must be added to iter_subjects too)
        values = {f.name: getattr(fast, f.name) for f in dataclasses.fields(Subject)}
        plain = Subject(**values)
        assert fast == plain
        for name in CACHED:  # the values filled in at once are those the descriptors compute
            assert getattr(fast, name) == getattr(plain, name), (fast.id, name)
        assert fast.controls == plain.controls and fast.worst_hazard_rank == plain.worst_hazard_rank
        with pytest.raises(dataclasses.FrozenInstanceError):
            fast.id = "other"  # type: ignore[misc]
