"""Benchmark of the vulnerability part: advisory import rate and SBOM scan time/memory.

Run: ``.venv/bin/python bench/bench_vulns.py [--osv-dir DIR] [--advisories N] [--components N]``.
Prints figures; targets: import >= 20,000 advisories/s; scan of 10,000 components against
>= 100,000 advisories <= 1 s warm and <= 500 MB peak.
"""

from __future__ import annotations

import argparse
import gzip
import json
import resource
import tempfile
import time
import tracemalloc
from pathlib import Path

from medsecurance.vulns import Component, Sbom, VulnDatabase, scan

ECOSYSTEMS = (("PyPI", "pypi"), ("npm", "npm"), ("Go", "golang"), ("Maven", "maven"))


def _name(eco: str, i: int) -> str:
    if eco == "Maven":
        return f"org.example{i % 97}:lib{i}"
    if eco == "Go":
        return f"github.com/example{i % 97}/mod{i}"
    return f"pkg{i}"


def generate_osv(path: Path, count: int, packages: int) -> None:
    """Write ``count`` OSV records over ``packages`` package names as JSON lines (gzip)."""
    with gzip.open(path, "wt", compresslevel=1) as fh:
        for i in range(count):
            eco, _ = ECOSYSTEMS[i % len(ECOSYSTEMS)]
            pkg = (i // len(ECOSYSTEMS)) % packages
            fixed = f"{1 + i % 5}.{i % 10}.{i % 7}"
            rec = {
                "id": f"GEN-{i:07d}",
                "modified": "2026-01-01T00:00:00Z",
                "aliases": [f"CVE-2099-{i:06d}"],
                "summary": f"generated advisory {i}",
                "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:L/A:N"}],
                "affected": [
                    {
                        "package": {"ecosystem": eco, "name": _name(eco, pkg)},
                        "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": fixed}]}],
                    }
                ],
            }
            fh.write(json.dumps(rec) + "\n")


def generate_sbom(count: int, packages: int) -> Sbom:
    """An SBOM of ``count`` components: purl components over the generated names plus CPE and device ones."""
    comps = []
    for i in range(count):
        eco, ptype = ECOSYSTEMS[i % len(ECOSYSTEMS)]
        name = _name(eco, (i * 7) % packages)
        if i % 50 == 0:
            comps.append(
                Component(f"c{i}", f"fw{i}", "2.3", "firmware", cpe=f"cpe:2.3:o:vendor{i % 13}:fw{i}:2.3:*:*:*:*:*:*:*")
            )
            continue
        if i % 50 == 1:
            comps.append(Component(f"c{i}", "Alaris PC Unit", "9.19", "device", supplier="BD"))
            continue
        if eco == "Maven":
            group, _, art = name.partition(":")
            purl = f"pkg:maven/{group}/{art}@1.{i % 9}.0"
        elif eco == "Go":
            purl = f"pkg:golang/{name}@v1.{i % 9}.0"
        else:
            purl = f"pkg:{ptype}/{name}@1.{i % 9}.0"
        comps.append(Component(f"c{i}", name, f"1.{i % 9}.0", "library", purl=purl))
    return Sbom("generated.cdx.json", "generated", "1.6", components=tuple(comps))


def main() -> None:
    """Run the benchmark and print the figures."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--osv-dir", default="/work/shared/data/osv")
    ap.add_argument("--advisories", type=int, default=200_000)
    ap.add_argument("--components", type=int, default=10_000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        osv_files = sorted(Path(args.osv_dir).glob("*.osv.jsonl.gz")) if Path(args.osv_dir).is_dir() else []
        if osv_files:
            db = VulnDatabase(tmpdir / "osv.sqlite")
            t = time.perf_counter()
            stats = db.import_files(osv_files)
            dt = time.perf_counter() - t
            print(f"import real OSV sets: {stats.advisories} advisories in {dt:.2f} s = {stats.advisories / dt:,.0f}/s")
            db.close()
        gen = tmpdir / "generated.osv.jsonl.gz"
        packages = args.advisories // 5
        generate_osv(gen, args.advisories, packages)
        db = VulnDatabase(tmpdir / "gen.sqlite")
        t = time.perf_counter()
        stats = db.import_files([gen])
        dt = time.perf_counter() - t
        print(f"import generated: {stats.advisories} advisories in {dt:.2f} s = {stats.advisories / dt:,.0f}/s")
        t = time.perf_counter()
        again = db.import_files([gen])
        dt = time.perf_counter() - t
        print(f"re-import unchanged: {again.unchanged} in {dt:.2f} s = {again.unchanged / dt:,.0f}/s")
        sbom = generate_sbom(args.components, packages)
        t = time.perf_counter()
        cold = scan(sbom, db)
        print(
            f"scan cold: {len(sbom.components)} components, {len(cold.matches)} matches "
            f"in {time.perf_counter() - t:.2f} s"
        )
        tracemalloc.start()
        t = time.perf_counter()
        warm = scan(sbom, db)
        dt = time.perf_counter() - t
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        t = time.perf_counter()
        scan(sbom, db)
        untraced = time.perf_counter() - t
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"scan warm: {len(warm.matches)} matches in {untraced:.2f} s "
            f"({dt:.2f} s under tracemalloc); tracemalloc peak {peak / 2**20:.0f} MB; ru_maxrss {rss:.0f} MB"
        )
        db.close()


if __name__ == "__main__":
    main()
