"""SBOM and vulnerability analysis: SBOM readers, completeness checks, advisory DB, matching, VEX.

Library surface::

    from medsecurance.vulns import read_sbom, check_sbom, VulnDatabase, scan, vulnerability_findings
    sbom = read_sbom("pump.cdx.json")          # Sbom (frozen), with located diagnostics
    report = check_sbom(sbom)                   # NTIA + FDA support elements; report.to_dict()
    with VulnDatabase("vulndb.sqlite") as db:   # one SQLite file
        db.import_files(["osv.jsonl.gz", "icsma/"])
        result = scan(sbom, db, vex=read_vex("pump.openvex.json"))
    findings = vulnerability_findings(result, "pump")
"""

from __future__ import annotations

from medsecurance.vulns.check import ComponentCheck, SbomCheck, check_sbom
from medsecurance.vulns.db import ImportStats, VulnDatabase, default_db_path
from medsecurance.vulns.model import Component, Sbom
from medsecurance.vulns.report import to_sarif, vulnerability_findings
from medsecurance.vulns.scan import Match, ScanResult, scan
from medsecurance.vulns.sources import read_sbom
from medsecurance.vulns.vex import (
    VexStatement,
    read_vex,
    write_csaf_vex,
    write_cyclonedx_vex,
    write_openvex,
)

__all__ = [
    "Component",
    "ComponentCheck",
    "ImportStats",
    "Match",
    "Sbom",
    "SbomCheck",
    "ScanResult",
    "VexStatement",
    "VulnDatabase",
    "check_sbom",
    "default_db_path",
    "read_sbom",
    "read_vex",
    "scan",
    "to_sarif",
    "vulnerability_findings",
    "write_csaf_vex",
    "write_cyclonedx_vex",
    "write_openvex",
]
