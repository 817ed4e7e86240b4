"""The model commands through the real entry point: exit codes and messages."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from medsecurance import cli
from medsecurance.cli import main


def test_validate_ok(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["init", str(tmp_path), "--setting", "clinic"]) == 0
    assert main(["validate", str(tmp_path / "model.yaml")]) == 0
    assert "valid" in capsys.readouterr().out
    schema = json.loads((tmp_path / "medsec.schema.json").read_text())
    assert schema["title"] == "MedSecurance system model"
    assert (tmp_path / "model.yaml").read_text().startswith("# yaml-language-server: $schema=./medsec.schema.json")


def test_init_refuses_to_overwrite(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["init", str(tmp_path)]) == 0
    assert main(["init", str(tmp_path)]) == 2
    assert "already exists" in capsys.readouterr().err


def test_validate_bad_model_exits_2_with_locations(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "model.yaml"
    path.write_text("system: {id: s, name: n, version: '1', setting: mars}\nzones: [{id: z, bogus: 1}]\n")
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert "model.yaml:1:" in err and "invalid value 'mars'" in err
    assert "model.yaml:2:" in err and "unknown key 'bogus'" in err
    assert "2 errors" in err


def test_missing_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(tmp_path / "nope.yaml")]) == 2
    assert "not found" in capsys.readouterr().err


def test_usage_error_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate"]) == 2
    assert main(["no-such-command"]) == 2


def test_internal_error_exits_3_without_traceback(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def boom(*_args: object, **_kw: object) -> None:
        raise RuntimeError("kaput")

    monkeypatch.setattr("medsecurance.api.load", boom)
    assert main(["validate", str(tmp_path)]) == 3
    err = capsys.readouterr().err
    assert "internal error" in err and "kaput" in err and "Traceback" not in err


def test_schema_is_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["title"] == "MedSecurance system model"


def test_show_prints_tables(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["init", str(tmp_path), "--setting", "home"])
    assert main(["show", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "Components" in out and "Flows" in out


def test_help_is_fast() -> None:
    exe = Path(sys.executable).parent / "medsec"
    best = min(_timed([str(exe), "--help"]) for _ in range(3))
    assert best < 1.5  # the 300 ms target is measured by bench/bench_model.py; this guards regressions


def _timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True)
    return time.perf_counter() - start


def test_every_registered_module_is_importable() -> None:
    import importlib

    for _name, module in cli._SUBCOMMANDS:
        importlib.import_module(module)
