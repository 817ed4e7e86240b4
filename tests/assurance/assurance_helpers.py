"""Helpers for the assurance tests: paths, the fixed reference date, running an analysis."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import MappingProxyType
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
DATA = ROOT / "tests" / "data" / "assurance"
AS_OF = dt.date(2026, 11, 29)


def run(model: Path, **extra: Any) -> dict[str, Any]:
    """The ``assurance`` section of a full analysis of ``model`` on the fixed date."""
    from medsecurance import api

    stages = extra.pop("stages", None)
    options = api.AnalysisOptions(as_of=AS_OF, extra=MappingProxyType(extra),
                                  stages=tuple(stages) if stages else None)
    return dict(api.analyze(model, options).sections["assurance"])


def nodes(section: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Nodes by id."""
    return {n["id"]: n for n in section["nodes"]}
