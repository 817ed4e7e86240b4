"""Loader behaviour beyond single errors: includes, warnings, source maps, graph view, schema."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from medsecurance.errors import ModelError
from medsecurance.model import load
from medsecurance.model.graph import ModelIndex, build_graph
from medsecurance.model.jsonschema import model_json_schema

ROOT_MODEL = """\
system: {id: sys, name: S, version: "1", setting: clinic}
include: [parts/devices.yaml]
zones:
  - {id: Z-a}
"""
DEVICES = """\
components:
  - {id: modality, type: CTScanner, zone: Z-a, sbom: ../sboms/ct.json,
     interfaces: [{id: eth, kind: Ethernet}]}
  - {id: pacs, type: PACS, zone: Z-a}
flows:
  - {id: F-img, from: modality, to: pacs, protocol: [DICOM]}
"""


def write(base: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = base / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return base / "model.yaml"


def test_include_merges_lists_and_rebases_paths(tmp_path: Path) -> None:
    root = write(tmp_path, {"model.yaml": ROOT_MODEL, "parts/devices.yaml": DEVICES, "sboms/ct.json": "{}"})
    result = load(root)
    assert [c.id for c in result.model.components] == ["modality", "pacs"]
    assert result.model.components[0].sbom == "sboms/ct.json"
    assert result.resolve("sboms/ct.json") == (tmp_path / "sboms/ct.json").resolve()
    pos = result.source_map.position("pacs")
    assert pos is not None and pos[0].endswith("devices.yaml") and pos[1] == 4


def test_error_in_included_file_names_that_file(tmp_path: Path) -> None:
    root = write(tmp_path, {"model.yaml": ROOT_MODEL, "parts/devices.yaml": DEVICES.replace("zone: Z-a}", "zone: Z-q}"),
                            "sboms/ct.json": "{}"})
    with pytest.raises(ModelError) as info:
        load(root)
    assert any(d.file and d.file.endswith("devices.yaml") and d.line == 4 and "Z-q" in d.message
               for d in info.value.items)


def test_include_cycle_rejected(tmp_path: Path) -> None:
    root = write(tmp_path, {"model.yaml": ROOT_MODEL, "parts/devices.yaml": "include: [../model.yaml]\n"})
    with pytest.raises(ModelError, match="include cycle"):
        load(root)


def test_include_missing_file(tmp_path: Path) -> None:
    root = write(tmp_path, {"model.yaml": ROOT_MODEL})
    with pytest.raises(ModelError) as info:
        load(root)
    diag = info.value.first
    assert "included file not found" in diag.message and diag.line == 2 and diag.column == 11


def test_system_not_allowed_in_include(tmp_path: Path) -> None:
    root = write(tmp_path, {"model.yaml": ROOT_MODEL,
                            "parts/devices.yaml": "system: {id: x, name: x, version: '1', setting: home}\n"})
    with pytest.raises(ModelError, match="'system' is not allowed in an included file"):
        load(root)


def test_evidence_hash_mismatch_is_a_warning(tmp_path: Path) -> None:
    (tmp_path / "report.md").write_text("pen test: all good\n")
    digest = hashlib.sha256(b"something else").hexdigest()
    root = write(tmp_path, {"model.yaml": ROOT_MODEL.replace("include: [parts/devices.yaml]\n", "") +
                            f"evidence:\n  - {{id: E-1, kind: penetration-test, file: report.md, sha256: {digest}}}\n"})
    result = load(root)
    assert len(result.warnings) == 1
    assert "has changed since it was recorded" in result.warnings[0].message


def test_all_errors_in_one_run(tmp_path: Path) -> None:
    text = ROOT_MODEL.replace("include: [parts/devices.yaml]\n", "") + (
        "components:\n  - {id: a, type: X, zone: Z-nope, colour: red}\n  - {id: b, type: X, zone: Z-gone}\n"
    )
    with pytest.raises(ModelError) as info:
        load(write(tmp_path, {"model.yaml": text}))
    messages = [d.message for d in info.value.items]
    assert any("unknown key 'colour'" in m for m in messages)
    assert any("unknown zone 'Z-gone'" in m for m in messages)


def test_directory_argument_finds_model_yaml(tmp_path: Path) -> None:
    write(tmp_path, {"model.yaml": ROOT_MODEL.replace("include: [parts/devices.yaml]\n", "")})
    assert load(tmp_path).model.system.id == "sys"


def test_graph_view(tmp_path: Path) -> None:
    root = write(tmp_path, {"model.yaml": ROOT_MODEL, "parts/devices.yaml": DEVICES, "sboms/ct.json": "{}"})
    model = load(root).model
    g = build_graph(model)
    assert g.has_edge("component:modality", "component:pacs", key="F-img")
    assert g.nodes["interface:modality.eth"]["ikind"] == "Ethernet"
    index = ModelIndex(model)
    assert [f.id for f in index.flows_by_component["pacs"]] == ["F-img"]


def test_json_schema_accepts_shorthands_and_rejects_bad_values() -> None:
    schema = model_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    good = yaml.safe_load(ROOT_MODEL)
    good["components"] = [{"id": "c", "type": "PACS", "guarantees": ["confidential"]}]
    good["include"] = "x.yaml"
    jsonschema.validate(json.loads(json.dumps(good)), schema)
    bad = dict(good, system={"id": "s", "name": "n", "version": "1", "setting": "mars"})
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)


def test_fast_and_located_readers_agree(tmp_path: Path) -> None:
    import medsecurance.model.loader as load_mod

    root = write(tmp_path, {"model.yaml": ROOT_MODEL, "parts/devices.yaml": DEVICES, "sboms/ct.json": "{}"})
    fast = load_mod._load_fast(root, True)
    slow = load_mod._load_located(root, True)
    assert fast.model == slow.model
    assert fast.source_map.positions == slow.source_map.positions


def test_works_without_the_fast_reader(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "yaml_rs" else real(name, *a))
    root = write(tmp_path, {"model.yaml": ROOT_MODEL, "parts/devices.yaml": DEVICES, "sboms/ct.json": "{}"})
    assert load(root).model.system.id == "sys"


def test_yaml_12_booleans(tmp_path: Path) -> None:
    """'on', 'yes' and 'no' stay strings (YAML 1.2), in both readers."""
    root = write(tmp_path, {"model.yaml": ROOT_MODEL.replace("include: [parts/devices.yaml]\n", "")
                            .replace("name: S,", "name: no,")})
    assert load(root).model.system.name == "no"
