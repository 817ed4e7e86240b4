"""Published JSON Schemas (package data): ``assessment.schema.json``."""

from __future__ import annotations

import json
from importlib.resources import files
from typing import Any

__all__ = ["assessment_schema"]


def assessment_schema() -> dict[str, Any]:
    """The JSON Schema of ``assessment.json``."""
    data: dict[str, Any] = json.loads(files(__package__).joinpath("assessment.schema.json").read_text("utf-8"))
    return data
