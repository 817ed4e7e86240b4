"""Change impact: each kind of change is detected and classified as FDA guidance VII.D reads it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import HOSPITAL
from medsecurance.assurance.diff import diff_files
from medsecurance.cli import main
from medsecurance.errors import AssuranceError


def _edit(folder: Path, old: str, new: str) -> Path:
    model = folder / "model.yaml"
    text = model.read_text()
    assert old in text
    model.write_text(text.replace(old, new, 1))
    return model


_WIFI = """      - {id: wifi, kind: WiFi, protocol: [WPA2-Enterprise, IPv4, TLS1.2, HTTPS], ports: [443],
         authentication: certificate,"""


def test_new_ble_interface_is_new_connectivity(hospital_copy: Path) -> None:
    model = _edit(
        hospital_copy,
        _WIFI,
        "      - {id: ble, kind: BLE, protocol: [BLE-LESC-JustWorks], authentication: none}\n" + _WIFI,
    )
    r = diff_files(HOSPITAL / "model.yaml", model, analyze=False)
    assert r.may_affect_cybersecurity is True
    change = next(c for c in r.changes or () if c.field == "interfaces[ble]")
    assert (change.kind, change.category, change.element) == ("added", "new-connectivity", "lvp")
    assert any(e["evidence"] == "E-pentest-2026-03" for e in r.evidence_to_redo)


def test_tls_version_change_is_cryptography(hospital_copy: Path) -> None:
    model = _edit(hospital_copy, _WIFI, _WIFI.replace("TLS1.2", "TLS1.3"))
    r = diff_files(HOSPITAL / "model.yaml", model, analyze=False)
    assert [(c.field, c.category) for c in r.changes or ()] == [
        ("interfaces[wifi].protocol", "authentication-cryptography")
    ]
    assert r.may_affect_cybersecurity and "cryptography" in r.reasons[0]


def test_update_signed_flip_is_update_mechanism(hospital_copy: Path) -> None:
    model = _edit(
        hospital_copy, "update: {method: service-tool, signed: false", "update: {method: service-tool, signed: true"
    )
    r = diff_files(HOSPITAL / "model.yaml", model, analyze=False)
    assert [(c.element, c.field, c.old, c.new, c.category) for c in r.changes or ()] == [
        ("syringe", "update.signed", False, True, "update-mechanism")
    ]
    assert {e["evidence"] for e in r.evidence_to_redo} == {"E-pentest-2026-03"}


def test_cosmetic_rename_is_not_relevant(hospital_copy: Path) -> None:
    model = _edit(hospital_copy, "name: LVP-300 large-volume pump", "name: LVP-300 volumetric infusion pump")
    r = diff_files(HOSPITAL / "model.yaml", model, analyze=False)
    assert [(c.field, c.category) for c in r.changes or ()] == [("name", "cosmetic")]
    assert r.may_affect_cybersecurity is False and r.evidence_to_redo == ()


def test_cli_diff_with_analysis_and_gate(hospital_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    model = _edit(
        hospital_copy,
        _WIFI,
        "      - {id: ble, kind: BLE, protocol: [BLE-LESC-JustWorks], authentication: none}\n" + _WIFI,
    )
    args = ["diff", str(HOSPITAL / "model.yaml"), str(model), "--format", "json", "--as-of", "2026-06-01"]
    assert main(args) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["may_affect_cybersecurity"] is True
    assert data["analysis"]["findings"]["appeared"], "a BLE interface on a pump raises new threats"
    assert main([*args, "--fail-on-impact"]) == 1
    capsys.readouterr()


def test_diff_of_assessments(tmp_path: Path, hospital_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    model = _edit(
        hospital_copy, "update: {method: service-tool, signed: false", "update: {method: service-tool, signed: true"
    )
    for name, src in (("old", HOSPITAL / "model.yaml"), ("new", model)):
        assert main(["analyze", str(src), "-o", str(tmp_path / name), "--format", "json"]) in (0, 1)
    capsys.readouterr()
    r = diff_files(tmp_path / "old" / "assessment.json", tmp_path / "new" / "assessment.json")
    assert r.may_affect_cybersecurity is None and r.changes is None
    gone = {f["id"] for f in r.analysis["findings"]["disappeared"]}
    assert gone, "signing the SP-100 updates removes the unsigned-firmware threat"
    assert (
        main(
            [
                "diff",
                str(tmp_path / "old" / "assessment.json"),
                str(tmp_path / "new" / "assessment.json"),
                "--format",
                "md",
            ]
        )
        == 0
    )
    assert "unknown" in capsys.readouterr().out


def test_diff_bad_inputs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{\n  nope")
    with pytest.raises(AssuranceError) as err:
        diff_files(bad, bad)
    assert err.value.first.file == str(bad) and err.value.first.line == 2
    other = tmp_path / "other.json"
    other.write_text("[]")
    with pytest.raises(AssuranceError, match="must be an assessment"):
        diff_files(other, other)
    assert main(["diff", str(HOSPITAL / "model.yaml"), str(other)]) == 2
    assert "other.json" in capsys.readouterr().err
