"""Benchmark the knowledge base: cold load, warm cached load, warm load with full MITRE imports, CWE import.

Run: .venv/bin/python bench/bench_kb.py   (targets: cold ≤ 1 s, warm ≤ 200 ms, warm+imports ≤ 500 ms,
full CWE import ≤ 10 s). Each load is measured in a fresh interpreter so import costs count.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "kb"
LOAD = ("import time, sys; t = time.perf_counter(); from medsecurance.kb import load_kb; "
        "kb = load_kb(kb_dir=sys.argv[1] if len(sys.argv) > 1 else None); kb.device_type('InfusionPump'); "
        "print(time.perf_counter() - t)")


def _load(env: dict[str, str], kb_dir: Path) -> float:
    out = subprocess.run([sys.executable, "-c", LOAD, str(kb_dir)], env=env, check=True, capture_output=True, text=True)
    return float(out.stdout.strip())


def main() -> None:
    """Print the figures."""
    import os

    from medsecurance.kb.importers import import_catalogue

    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        env = {**os.environ, "MEDSEC_CACHE_DIR": str(base / "cache")}
        empty = base / "empty-kb"
        cold = _load(env, empty)
        warm = min(_load(env, empty) for _ in range(3))
        full = base / "full-kb"
        t = time.perf_counter()
        import_catalogue("cwe", DATA / "cwec_v4.14.xml.gz", kb_dir=full)
        cwe_import = time.perf_counter() - t
        import_catalogue("capec", DATA / "capec-stix2.1-objects.json.gz", kb_dir=full)
        import_catalogue("attack-ics", DATA / "ics-attack.json.gz", kb_dir=full)
        cold_full = _load(env, full)
        warm_full = min(_load(env, full) for _ in range(3))
    rows = [("cold load, shipped KB", cold, 1.0), ("warm (cached) load, shipped KB", warm, 0.2),
            ("cold load, + CWE/CAPEC/ATT&CK ICS", cold_full, None), ("warm load, + CWE/CAPEC/ATT&CK ICS", warm_full, 0.5),
            ("import full CWE 4.14 XML (gz)", cwe_import, 10.0)]
    for name, seconds, target in rows:
        verdict = "" if target is None else ("  ok" if seconds <= target else f"  OVER target {target * 1000:.0f} ms")
        print(f"{name:<40} {seconds * 1000:8.1f} ms{verdict}")


if __name__ == "__main__":
    main()
