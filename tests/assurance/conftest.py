"""Fixtures for the assurance tests: a private copy of an example to edit."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from assurance_helpers import EXAMPLES


@pytest.fixture
def hospital(tmp_path: Path) -> Path:
    """A copy of the hospital example that a test may edit."""
    target = tmp_path / "hospital"
    shutil.copytree(EXAMPLES / "hospital", target)
    return target / "model.yaml"
