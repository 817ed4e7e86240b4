"""The library surface: analysis options as library callers tend to write them."""

from __future__ import annotations

from pathlib import Path

from medsecurance import api


def test_options_take_paths_given_as_strings() -> None:
    options = api.AnalysisOptions(vulndb="db.sqlite", rules=["r1", Path("r2")], vex="v.json",  # type: ignore[arg-type]
                                  stages=["threats"])  # type: ignore[arg-type]
    assert options.vulndb == Path("db.sqlite")
    assert options.rules == (Path("r1"), Path("r2")) and options.vex == (Path("v.json"),)
    assert options.stages == ("threats",)
