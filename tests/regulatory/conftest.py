"""Shared fixtures for the regulatory tests: the hospital example analysed once."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
HOSPITAL = ROOT / "examples" / "hospital"
DATA = ROOT / "tests" / "data" / "regulatory"
AS_OF = dt.date(2026, 6, 1)


@pytest.fixture(scope="session")
def hospital() -> Any:
    """(loaded, assessment, kb, options) of the hospital example."""
    from medsecurance import api

    options = api.AnalysisOptions(as_of=AS_OF, vulndb=Path("/nonexistent/vulndb.sqlite"))
    loaded = api.load(HOSPITAL / "model.yaml")
    kb = api.load_kb(options)
    return loaded, api.analyze_loaded(loaded, options, kb), kb, options


@pytest.fixture()
def hospital_copy(tmp_path: Path) -> Path:
    """A writable copy of the hospital example folder."""
    target = tmp_path / "hospital"
    shutil.copytree(HOSPITAL, target)
    return target
