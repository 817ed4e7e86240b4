"""The public library surface of medsecurance.

>>> from medsecurance import api
>>> model = api.load_model("examples/hospital/model.yaml")      # doctest: +SKIP
>>> assessment = api.analyze("examples/hospital/model.yaml")    # doctest: +SKIP

The CLI, the web service and the fleet runner are thin layers over these functions.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from medsecurance.model import LoadResult, SystemModel
from medsecurance.model import load as _load

__all__ = ["load", "load_model", "model_json_schema"]


def load_model(path: str | Path) -> SystemModel:
    """Load and validate a model file (with its includes); raises ModelError listing every problem."""
    return load(path).model


def load(path: str | Path, *, check_files: bool = True) -> LoadResult:
    """Load a model with its source map and warnings (e.g. evidence whose hash changed)."""
    return _load(path, check_files=check_files)


def model_json_schema() -> dict[str, Any]:
    """The JSON Schema of model files."""
    from medsecurance.model.jsonschema import model_json_schema as _schema

    return _schema()
