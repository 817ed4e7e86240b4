"""Contract bundles: creation, two-party XAdES signing, verification and every kind of tampering."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from medsecurance.contracts.bundle import MIMETYPE, create_bundle, read_bundle, write_zip
from medsecurance.contracts.signing import sign_bundle, verify_bundle
from medsecurance.errors import ContractError, UsageError
from medsecurance.model import load

DATA = Path(__file__).resolve().parent.parent / "data" / "contracts"


@pytest.fixture
def signed(tmp_path: Path, pki) -> tuple[Path, object]:  # type: ignore[no-untyped-def]
    loaded = load(DATA / "meets.yaml")
    bundle = tmp_path / "contract.asice"
    verdict = create_bundle(loaded.model, loaded.base_dir, bundle, provider_profile=DATA / "provider_profile.yaml",
                            consumer_profile=DATA / "consumer_profile.yaml")
    assert verdict["compatible"] is False  # the consumer asks a 30-day patch timeline nobody guarantees
    provider, consumer = pki.party("Acme Medical", password="s3cret"), pki.party("St Example Hospital")
    sign_bundle(bundle, provider.key, provider.cert, "provider", provider.password)
    sign_bundle(bundle, consumer.key, consumer.cert, "consumer")
    return bundle, pki


def test_bundle_contents_and_verdict(tmp_path: Path) -> None:
    loaded = load(DATA / "meets.yaml")
    out = tmp_path / "b.asice"
    verdict = create_bundle(loaded.model, loaded.base_dir, out)
    assert verdict["compatible"] is True
    with zipfile.ZipFile(out) as zf:
        first = zf.infolist()[0]
        assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED
        assert zf.read("mimetype") == MIMETYPE.encode()
        assert {"META-INF/manifest.xml", "provider/guarantees.json", "consumer/requirements.json", "verdict.json"} <= set(zf.namelist())
    again = tmp_path / "c.asice"
    create_bundle(loaded.model, loaded.base_dir, again)
    assert out.read_bytes() == again.read_bytes()  # deterministic


def test_profiles_feed_the_bundle(signed) -> None:  # type: ignore[no-untyped-def]
    bundle, _ = signed
    entries = read_bundle(bundle)
    provider = json.loads(entries["provider/guarantees.json"])
    assert provider["manufacturer"]["name"] == "Acme Medical"
    dev_b = next(c for c in provider["components"] if c["id"] == "dev-b")
    assert dev_b["sl_capability"]["FR3"] == 2 and dev_b["end_of_support"] == "2032-12-31"
    assert "provider/files/assurance-summary.md" in entries
    consumer = json.loads(entries["consumer/requirements.json"])
    assert consumer["environment"] == "St. Example Hospital" and consumer["zones"][0]["sl_target"]["FR3"] == 2
    verdict = json.loads(entries["verdict.json"])
    assert {f["rule"] for f in verdict["findings"]} == {"contract.refinement"}  # SL met after the profiles


def test_two_party_signatures_verify(signed) -> None:  # type: ignore[no-untyped-def]
    bundle, pki = signed
    report = verify_bundle(bundle, trust=pki.ca, require=("provider", "consumer"))
    assert report.ok, report.to_dict()
    roles = {s.role: s for s in report.signatures}
    assert roles["provider"].signer == "CN=Acme Medical" and roles["consumer"].trusted is True
    assert roles["provider"].signing_time


def _rewrite(bundle: Path, change: Callable[[dict[str, bytes]], None]) -> None:
    entries = read_bundle(bundle)
    change(entries)
    bundle.write_bytes(write_zip(entries))


def _flip_signature_value(entries: dict[str, bytes]) -> None:
    xml = entries["META-INF/signatures-provider.xml"]
    start = xml.index(b"<ds:SignatureValue>") + len(b"<ds:SignatureValue>")
    entries["META-INF/signatures-provider.xml"] = xml[:start] + (b"A" if xml[start:start + 1] != b"A" else b"B") + xml[start + 1:]


def _rename_signature(entries: dict[str, bytes]) -> None:
    entries["META-INF/signatures-consumer.xml"] = entries.pop("META-INF/signatures-provider.xml")


TAMPERING: dict[str, Callable[[dict[str, bytes]], None]] = {
    "data file altered": lambda e: e.__setitem__("verdict.json", e["verdict.json"].replace(b'"compatible"', b'"compatibl3"')),
    "provider document altered": lambda e: e.__setitem__("provider/files/assurance-summary.md", b"# all fine\n"),
    "file added": lambda e: e.__setitem__("provider/files/extra.pdf", b"%PDF-1.7"),
    "file added in META-INF": lambda e: e.__setitem__("META-INF/notes.txt", b"hi"),
    "file removed": lambda e: e.pop("consumer/requirements.json"),
    "manifest altered": lambda e: e.__setitem__("META-INF/manifest.xml", e["META-INF/manifest.xml"] + b"\n"),
    "signature value altered": _flip_signature_value,
    "signed manifest edited": lambda e: e.__setitem__(
        "META-INF/signatures-provider.xml",
        e["META-INF/signatures-provider.xml"].replace(b'name="verdict.json"', b'name="verdict2.json"')),
    "earlier signature removed": lambda e: e.pop("META-INF/signatures-provider.xml"),
    "signature moved to the other role": _rename_signature,
    "signature file garbage": lambda e: e.__setitem__("META-INF/signatures-provider.xml", b"<not-xml"),
}


@pytest.mark.parametrize("kind", sorted(TAMPERING))
def test_every_tampering_is_detected(signed, kind: str) -> None:  # type: ignore[no-untyped-def]
    bundle, pki = signed
    _rewrite(bundle, TAMPERING[kind])
    report = verify_bundle(bundle, trust=pki.ca, require=("provider", "consumer"))
    assert not report.ok, kind


def test_tampering_reports_what_changed(signed) -> None:  # type: ignore[no-untyped-def]
    bundle, pki = signed
    _rewrite(bundle, lambda e: (e.pop("consumer/requirements.json"), e.__setitem__("x.txt", b"x")))
    provider = next(s for s in verify_bundle(bundle, trust=pki.ca).signatures if s.role == "provider")
    assert provider.removed == ["consumer/requirements.json"] and provider.added == ["x.txt"]


def test_expired_and_untrusted_certificates(tmp_path: Path, pki) -> None:  # type: ignore[no-untyped-def]
    loaded = load(DATA / "meets.yaml")
    bundle = tmp_path / "b.asice"
    create_bundle(loaded.model, loaded.base_dir, bundle)
    old = pki.party("Old Vendor", days=(-30, -1))
    sign_bundle(bundle, old.key, old.cert, "provider")
    stranger = pki.party("Stranger", self_signed=True)
    sign_bundle(bundle, stranger.key, stranger.cert, "consumer")
    report = {s.role: s for s in verify_bundle(bundle, trust=pki.ca).signatures}
    assert report["provider"].expired and report["provider"].trusted
    assert report["consumer"].trusted is False and not report["consumer"].expired
    later = verify_bundle(bundle, now=dt.datetime.now(dt.UTC) - dt.timedelta(days=10))
    assert {s.role: s.expired for s in later.signatures}["provider"] is False
    assert all(s.trusted is None for s in later.signatures)  # no --trust: not checked


def test_unsigned_bundle_fails_verification(tmp_path: Path) -> None:
    loaded = load(DATA / "meets.yaml")
    create_bundle(loaded.model, loaded.base_dir, tmp_path / "b.asice")
    report = verify_bundle(tmp_path / "b.asice")
    assert not report.ok and report.problems == ["the bundle is not signed"]


def test_wrong_password_leaves_bundle_untouched(signed, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bundle, pki = signed
    before = bundle.read_bytes()
    party = pki.party("Locked", password="right")
    with pytest.raises(ContractError, match="wrong password") as exc:
        sign_bundle(bundle, party.key, party.cert, "provider", "wrong")
    assert exc.value.first.file == str(party.key)
    with pytest.raises(ContractError, match="encrypted"):
        sign_bundle(bundle, party.key, party.cert, "provider")
    assert bundle.read_bytes() == before
    assert not [p for p in bundle.parent.iterdir() if p.name.startswith(".")]  # no temp files left


def test_bad_keys_certificates_and_roles(signed, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bundle, pki = signed
    party, other = pki.party("A"), pki.party("B")
    junk = tmp_path / "junk.pem"
    junk.write_text("not a key")
    with pytest.raises(ContractError, match="not a PEM private key"):
        sign_bundle(bundle, junk, party.cert, "provider")
    with pytest.raises(ContractError, match="not a PEM certificate"):
        sign_bundle(bundle, party.key, junk, "provider")
    with pytest.raises(ContractError, match="does not belong to the private key"):
        sign_bundle(bundle, party.key, other.cert, "provider")
    with pytest.raises(ContractError, match="file not found"):
        sign_bundle(bundle, tmp_path / "missing.key", party.cert, "provider")
    with pytest.raises(UsageError, match="unknown role"):
        sign_bundle(bundle, party.key, party.cert, "auditor")


@pytest.mark.parametrize("content", [b"", b"PK\x03\x04 broken", b"plain text"])
def test_malformed_bundles_are_clear_errors(tmp_path: Path, content: bytes) -> None:
    bad = tmp_path / "bad.asice"
    bad.write_bytes(content)
    with pytest.raises(ContractError, match="not a contract bundle") as exc:
        verify_bundle(bad)
    assert exc.value.first.file == str(bad)


def test_zip_without_bundle_structure(tmp_path: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("hello.txt", "hi")
    bad = tmp_path / "other.zip"
    bad.write_bytes(buf.getvalue())
    with pytest.raises(ContractError, match="missing mimetype"):
        verify_bundle(bad)


def test_profile_errors_are_located(tmp_path: Path) -> None:
    loaded = load(DATA / "meets.yaml")
    with pytest.raises(ContractError, match="unknown foundational requirement 'FR9'") as exc:
        create_bundle(loaded.model, loaded.base_dir, tmp_path / "b.asice", consumer_profile=DATA / "bad_fr_profile.yaml")
    assert exc.value.first.line == 3 and str(exc.value.first.file).endswith("bad_fr_profile.yaml")
    profile = tmp_path / "p.yaml"
    profile.write_text("components:\n  ghost: {end_of_support: 2030-01-01}\n")
    with pytest.raises(ContractError, match="unknown component id 'ghost'") as exc:
        create_bundle(loaded.model, loaded.base_dir, tmp_path / "b.asice", provider_profile=profile)
    assert exc.value.first.line == 2
    assert not (tmp_path / "b.asice").exists()
