"""Benchmark of the contracts stage: contracts.check on generated models, and bundle sign/verify.

Run: .venv/bin/python bench/bench_contracts.py
"""

from __future__ import annotations

import datetime as dt
import tempfile
import time
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from medsecurance.contracts import ContractInputs, ProtocolProps, check
from medsecurance.contracts.bundle import create_bundle
from medsecurance.contracts.signing import sign_bundle, verify_bundle
from medsecurance.model.schema import SystemModel

FRS = ("FR1", "FR2", "FR3", "FR4", "FR5", "FR6", "FR7")
PROTOCOLS = {"IPv4": ProtocolProps(), "TLS1.0": ProtocolProps(True, True, False, False),
             "TLS1.2": ProtocolProps(True, True, True, True)}


def model(zones: int, per_zone: int) -> SystemModel:
    """A model with ``zones`` zones of ``per_zone`` components, a flow chain and mixed contracts."""
    comps, flows = [], []
    for z in range(zones):
        for i in range(per_zone):
            n = z * per_zone + i
            comps.append({
                "id": f"c{n}", "type": "Server", "zone": f"Z{z}",
                "security_levels": {"capability": {fr: (n + k) % 4 for k, fr in enumerate(FRS)}},
                "guarantees": [{"property": "patched-within-N-days", "params": {"days": 30 + n % 60}},
                               {"property": "integrity-protected", "params": {"min_tls": 1.2}}],
                "assumes": ["time-synchronised", "integrity-protected"],
            })
            if n:
                proto = ["IPv4", "TLS1.0", "TLS1.2"] if n % 3 == 0 else ["IPv4", "TLS1.2"]
                flows.append({"id": f"f{n}", "from": f"c{n - 1}", "to": f"c{n}", "protocol": proto,
                              "assumes": ["integrity-protected"]})
    return SystemModel.model_validate({
        "system": {"id": "bench", "name": "bench", "version": "1", "setting": "hospital"},
        "environment": {"guarantees": ["time-synchronised"],
                        "assumes": [{"property": "patched-within-N-days", "params": {"days": 60}}]},
        "zones": [{"id": f"Z{z}", "sl_target": dict.fromkeys(FRS, 2), "countermeasures": ["network-segmentation"]}
                  for z in range(zones)],
        "components": comps, "flows": flows,
    })


def pki(folder: Path) -> tuple[Path, Path]:
    """A self-signed EC P-256 key and certificate."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "bench")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=9))
            .sign(key, hashes.SHA256()))
    (folder / "k.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                     serialization.NoEncryption()))
    (folder / "c.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return folder / "k.pem", folder / "c.pem"


def main() -> None:
    """Print timings."""
    for zones, per_zone in ((5, 10), (20, 25), (40, 50)):
        m = model(zones, per_zone)
        start = time.perf_counter()
        result = check(m, inputs=ContractInputs(protocols=PROTOCOLS))
        took = time.perf_counter() - start
        n = zones * per_zone
        print(f"check: {n:5d} components, {len(m.flows):5d} flows, {len(result.checks):6d} obligations, "
              f"{len(result.findings):5d} findings: {took:6.2f} s")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        key, cert = pki(folder)
        bundle = folder / "b.asice"
        start = time.perf_counter()
        create_bundle(model(5, 10), folder, bundle, inputs=ContractInputs(protocols=PROTOCOLS))
        created = time.perf_counter() - start
        start = time.perf_counter()
        sign_bundle(bundle, key, cert, "provider")
        signed = time.perf_counter() - start
        start = time.perf_counter()
        ok = verify_bundle(bundle).ok
        verified = time.perf_counter() - start
        print(f"bundle ({bundle.stat().st_size} bytes): create {created:.2f} s, sign {signed:.3f} s, "
              f"verify {verified:.3f} s, ok={ok}")


if __name__ == "__main__":
    main()
