"""VEX: read CycloneDX VEX, OpenVEX 0.2 and CSAF VEX; apply statements to matches; write all three."""

from __future__ import annotations

from medsecurance.vulns.vex.model import STATUSES, VexStatement, apply_vex, decisions_to_statements
from medsecurance.vulns.vex.read import read_vex
from medsecurance.vulns.vex.write import write_csaf_vex, write_cyclonedx_vex, write_openvex

__all__ = [
    "STATUSES",
    "VexStatement",
    "apply_vex",
    "decisions_to_statements",
    "read_vex",
    "write_csaf_vex",
    "write_cyclonedx_vex",
    "write_openvex",
]
