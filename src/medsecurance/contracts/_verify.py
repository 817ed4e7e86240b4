"""Verification of one bundle signature: XAdES validity, covered files, certificate expiry and trust."""

from __future__ import annotations

import datetime as dt
from typing import Any

from medsecurance._internal.io import sha256_bytes
from medsecurance.contracts.signing import _NS, _SIG_RE, SignatureReport, _signed_names

__all__ = ["verify_signature"]


def _certificate(xml: bytes) -> Any:
    """The signer certificate embedded in ds:X509Certificate (parsed without network or entities)."""
    from cryptography import x509
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    root = etree.fromstring(xml, parser)
    found = root.findtext(".//{http://www.w3.org/2000/09/xmldsig#}X509Certificate")
    if not found:
        raise ValueError("no signer certificate in the signature")
    pem = "-----BEGIN CERTIFICATE-----\n" + "".join(found.split()) + "\n-----END CERTIFICATE-----\n"
    return x509.load_pem_x509_certificate(pem.encode())


def _trusted(cert: Any, anchors: list[Any]) -> bool:
    from cryptography.exceptions import InvalidSignature

    for anchor in anchors:
        if cert == anchor:
            return True
        try:
            cert.verify_directly_issued_by(anchor)
        except (ValueError, TypeError, InvalidSignature):  # not issued by this anchor
            continue
        return True
    return False


def verify_signature(
    entry: str, entries: dict[str, bytes], anchors: list[Any] | None, now: dt.datetime
) -> SignatureReport:
    """Check one ``META-INF/signatures-*.xml`` entry against the bundle's current content."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import serialization
    from lxml import etree
    from signxml.exceptions import InvalidInput, SignXMLException
    from signxml.xades import XAdESSignatureConfiguration, XAdESVerifier  # type: ignore[attr-defined]

    report = SignatureReport(entry=entry)
    xml = entries[entry]
    try:
        cert = _certificate(xml)
        pem = cert.public_bytes(serialization.Encoding.PEM)
        # expiry and trust are judged below with their own messages, so signxml checks the maths only
        config = XAdESSignatureConfiguration(verification_time=cert.not_valid_before_utc)
        results = XAdESVerifier().verify(xml, x509_cert=pem, expect_config=config)
    except (SignXMLException, InvalidInput, InvalidSignature, etree.LxmlError, ValueError, TypeError) as exc:
        report.problems.append(f"signature invalid: {type(exc).__name__}: {exc}")
        return report
    report.valid_signature = True
    report.signer = cert.subject.rfc4514_string()
    report.issuer = cert.issuer.rfc4514_string()
    report.not_after = cert.not_valid_after_utc.isoformat()
    signed = results[0].signed_xml
    if signed is None:
        report.problems.append("signature covers no XML content")
        return report
    props = results[1].signed_xml if len(results) > 1 else None
    if props is not None:
        report.signing_time = props.findtext(".//{http://uri.etsi.org/01903/v1.3.2#}SigningTime")
    report.role = signed.get("role")
    expected_role = entry.removeprefix("META-INF/signatures-").removesuffix(".xml")
    if signed.tag != f"{{{_NS}}}BundleManifest" or report.role != expected_role:
        report.problems.append(f"signed content is not the {expected_role} manifest of a contract bundle")
        return report
    _coverage(report, signed, entry, entries)
    _certificate_checks(report, cert, anchors, now)
    return report


def _coverage(report: SignatureReport, signed: Any, entry: str, entries: dict[str, bytes]) -> None:
    """Compare the signed file list with the bundle: altered, added and removed files."""
    listed = {f.get("name"): f.get("sha256") for f in signed.iter(f"{{{_NS}}}File")}
    later = {n for n in entries if _SIG_RE.match(n) and n not in listed}
    current = set(_signed_names(entries, entry)) - later
    report.removed = sorted(n for n in listed if n not in current)
    report.added = sorted(n for n in current if n not in listed)
    report.altered = sorted(n for n in listed if n in current and sha256_bytes(entries[n]) != listed[n])
    for kind in ("altered", "added", "removed"):
        if getattr(report, kind):
            report.problems.append(f"files {kind} since signing: {', '.join(getattr(report, kind))}")


def _certificate_checks(report: SignatureReport, cert: Any, anchors: list[Any] | None, now: dt.datetime) -> None:
    """Validity period at ``now`` and issuance by a trust anchor (when anchors are given)."""
    if now > cert.not_valid_after_utc or now < cert.not_valid_before_utc:
        report.expired = True
        report.problems.append(
            f"certificate not valid now (valid {cert.not_valid_before_utc:%Y-%m-%d} – "
            f"{cert.not_valid_after_utc:%Y-%m-%d})"
        )
    if anchors is not None:
        report.trusted = _trusted(cert, anchors)
        if not report.trusted:
            report.problems.append("certificate not issued by a trusted CA (--trust)")
