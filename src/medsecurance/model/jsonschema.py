"""The JSON Schema of the model file, for editors' YAML language servers and other tools."""

from __future__ import annotations

from typing import Any

from medsecurance.model.schema import SystemModel

__all__ = ["SCHEMA_ID", "model_json_schema"]

SCHEMA_ID = "https://w3id.org/medsecurance/schema/model-1.json"


def model_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) that ``model.yaml`` files satisfy."""
    schema = SystemModel.model_json_schema(by_alias=True, mode="validation")
    defs = schema.get("$defs", {})
    clause = defs.get("ContractClause")
    if clause is not None:  # the loader also accepts a bare property name
        defs["ContractClause"] = {
            "anyOf": [{"type": "string", "description": "a property name (shorthand)"}, clause],
            "title": clause.get("title", "ContractClause"),
        }
    include = schema["properties"].get("include")
    if include is not None:
        schema["properties"]["include"] = {"anyOf": [{"type": "string"}, include], "description":
                                           "other model files (relative paths) merged into this one"}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        **schema,
        "title": "MedSecurance system model",
    }
