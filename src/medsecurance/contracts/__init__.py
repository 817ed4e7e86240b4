"""Security-level contracts: IEC 62443 levels, zone/conduit composition, assume/guarantee checks, signed bundles.

Library API::

    from medsecurance.contracts import check, render_zone_table_html
    result = check(load_result.model, source_map=load_result.source_map, kb=kb)
    result.findings          # tuple[Finding], kind "contract"
    result.zones             # JSON-able zone × FR level table
    render_zone_table_html(result)

Bundles (provider ↔ consumer contracts): :func:`medsecurance.contracts.bundle.create_bundle`,
:func:`medsecurance.contracts.signing.sign_bundle`, :func:`medsecurance.contracts.signing.verify_bundle`.
"""

from __future__ import annotations

from medsecurance.contracts.check import ContractResult, check
from medsecurance.contracts.html import render_zone_table_html
from medsecurance.contracts.interface import CompositionRule, ContractInputs, ProtocolProps, WeakestLink
from medsecurance.contracts.kb_adapter import inputs_from_kb

__all__ = [
    "CompositionRule",
    "ContractInputs",
    "ContractResult",
    "ProtocolProps",
    "WeakestLink",
    "check",
    "inputs_from_kb",
    "render_zone_table_html",
]
