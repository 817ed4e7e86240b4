"""``medsec contract`` commands through medsecurance.cli.main: check, create, sign, verify and errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from medsecurance.cli import main

DATA = Path(__file__).resolve().parent.parent / "data" / "contracts"


def test_check_json_and_gate(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["contract", "check", str(DATA / "gap.yaml"), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["zones"]["zones"][0]["id"] == "Z-bedside" and data["findings"]
    assert main(["contract", "check", str(DATA / "gap.yaml"), "--fail-on", "high"]) == 1
    assert main(["contract", "check", str(DATA / "meets.yaml"), "--fail-on", "info"]) == 0
    assert "SL-A" in capsys.readouterr().out


def test_check_unknown_property_exits_2_with_location(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["contract", "check", str(DATA / "bad_property.yaml")]) == 2
    err = capsys.readouterr().err
    assert "bad_property.yaml:6" in err and "teleported-safely" in err


def test_create_sign_verify_round_trip(tmp_path: Path, pki, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    bundle = tmp_path / "c.asice"
    assert main(["contract", "create", str(DATA / "meets.yaml"), "-o", str(bundle),
                 "--provider-profile", str(DATA / "provider_profile.yaml")]) == 0
    assert "compatible" in capsys.readouterr().out
    provider, consumer = pki.party("Acme", password="pw"), pki.party("Hospital")
    assert main(["contract", "sign", str(bundle), "--key", str(provider.key), "--cert", str(provider.cert),
                 "--role", "provider", "--password", "pw"]) == 0
    assert main(["contract", "sign", str(bundle), "--key", str(consumer.key), "--cert", str(consumer.cert),
                 "--role", "consumer"]) == 0
    capsys.readouterr()
    assert main(["contract", "verify", str(bundle), "--trust", str(pki.ca), "--require", "provider",
                 "--require", "consumer"]) == 0
    out = capsys.readouterr().out
    assert "role=provider signer=CN=Acme" in out and "all 2 signature(s) valid" in out
    assert main(["contract", "verify", str(bundle), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["ok"] is True


def test_sign_and_verify_errors(tmp_path: Path, pki, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    bundle = tmp_path / "c.asice"
    assert main(["contract", "create", str(DATA / "meets.yaml"), "-o", str(bundle)]) == 0
    party = pki.party("Acme", password="pw")
    before = bundle.read_bytes()
    capsys.readouterr()
    assert main(["contract", "sign", str(bundle), "--key", str(party.key), "--cert", str(party.cert),
                 "--role", "provider", "--password", "nope"]) == 2
    err = capsys.readouterr().err
    assert "wrong password" in err and str(party.key) in err
    assert bundle.read_bytes() == before
    assert main(["contract", "verify", str(bundle)]) == 2
    assert "not signed" in capsys.readouterr().err
    bad = tmp_path / "bad.asice"
    bad.write_text("hello")
    assert main(["contract", "verify", str(bad)]) == 2
    assert "not a contract bundle" in capsys.readouterr().err
