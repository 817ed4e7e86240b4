"""For every CISA ICSMA advisory: derive affected and unaffected inventories and check the matcher."""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterator
from pathlib import Path

from medsecurance.vulns import Component, Sbom, VulnDatabase, scan
from medsecurance.vulns.importers.csaf import AFFECTED_STATUSES, Product, product_index
from medsecurance.vulns.names import normalize_product
from medsecurance.vulns.versions import VersionSpec, parse_spec


def _bump(version: str, step: int) -> str:
    """The version with its last number moved by ``step`` (or its last letter, if no digits)."""
    digits = list(re.finditer(r"\d+", version))
    if digits:
        m = digits[-1]
        value = max(int(m.group()) + step, 0)
        return version[: m.start()] + str(value).zfill(len(m.group())) + version[m.end() :]
    letters = list(re.finditer(r"[A-Za-z]", version))
    m = letters[-1]
    return version[: m.start()] + chr(ord(m.group()) + step) + version[m.end() :]


def _decrement(version: str) -> str:
    """The version with its right-most non-zero number lowered by one (2.4.0 → 2.3.0)."""
    for m in reversed(list(re.finditer(r"\d+", version))):
        if int(m.group()) > 0:
            return version[: m.start()] + str(int(m.group()) - 1).zfill(len(m.group())) + version[m.end() :]
    return _bump(version, -1)


def _inside(spec: VersionSpec) -> str:
    if spec.all_versions or not spec.parsed:
        return "1.0"
    clause = spec.clauses[0]
    upper = [c for c in clause if c.op in ("<", "<=", "=")]
    c = upper[0] if upper else clause[0]
    if c.op == "~":
        return c.version + ".1"
    return _decrement(c.version) if c.op == "<" else c.version


def _outside(spec: VersionSpec) -> str | None:
    if spec.all_versions or not spec.parsed:
        return None
    bounds = [c for clause in spec.clauses for c in clause]
    if any(c.op in (">", ">=") and len(clause) == 1 for clause in spec.clauses for c in clause):
        return None  # open-ended upwards: nothing above is unaffected
    top = max(bounds, key=lambda c: c.version)
    return _bump(top.version, 1) if top.op != "~" else _bump(top.version, 1) + ".0"


def _cases(vdata: Path) -> Iterator[tuple[str, str, Product, VersionSpec, list[VersionSpec]]]:
    with gzip.open(vdata / "advisories" / "cisa-icsma-2017-2020.csaf.jsonl.gz", "rt") as fh:
        for line in fh:
            doc = json.loads(line)
            doc_id = doc["document"]["tracking"]["id"]
            products = product_index(doc)
            for vuln in doc.get("vulnerabilities") or []:
                pids = [p for s in AFFECTED_STATUSES for p in vuln.get("product_status", {}).get(s) or []]
                same: dict[str, list[VersionSpec]] = {}
                for pid in pids:
                    p = products[pid]
                    same.setdefault(normalize_product(p.product), []).append(parse_spec(p.version or "*"))
                for pid in pids:
                    p = products[pid]
                    yield (doc_id, vuln["cve"], p, parse_spec(p.version or "*"), same[normalize_product(p.product)])


def test_icsma_affected_and_unaffected_inventories(vdata: Path, loaded_db: VulnDatabase) -> None:
    affected, unaffected, foreign, expect = [], [], [], []
    for n, (doc_id, cve, p, spec, siblings) in enumerate(_cases(vdata)):
        key = (f"csaf:{doc_id}", cve)
        version = _inside(spec)
        affected.append(Component(f"a{n}", p.product, version, "device", supplier=p.vendor))
        foreign.append(Component(f"f{n}", p.product, version, "device", supplier="Unrelated Widgets Ltd"))
        out = _outside(spec)
        if out is not None and not any(s.contains(out) for s in siblings):
            unaffected.append(Component(f"u{n}", p.product, out, "device", supplier=p.vendor))
        expect.append((n, key, spec.parsed))
    result = {
        c: scan(Sbom("inv.json", "test", "1", components=tuple(comps)), loaded_db)
        for c, comps in (("a", affected), ("u", unaffected), ("f", foreign))
    }
    hits = {c: {(m.component.bom_ref, (m.source, m.vuln_id)): m for m in r.matches} for c, r in result.items()}
    for n, key, parsed in expect:
        match = hits["a"].get((f"a{n}", key))
        assert match is not None, (n, key, affected[n])
        assert match.method == "product" and match.confidence == ("medium" if parsed else "low")
        assert (f"f{n}", key) not in hits["f"], foreign[n]
    for comp in unaffected:
        n = int(comp.bom_ref[1:])
        assert (comp.bom_ref, expect[n][1]) not in hits["u"], (comp, hits["u"][(comp.bom_ref, expect[n][1])].reason)
    assert len(expect) > 400 and len(unaffected) > 80
