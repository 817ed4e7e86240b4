"""Secure communications: protocol-stack analysis, traffic captures against the model, live TLS probes.

Library surface::

    from medsecurance.comms import analyze, render_comms_html
    result = analyze(model, kb)              # CommsResult: .findings, .flows, .to_dict()
    inventory = load_hosts("hosts.yaml", model)                      # Inventory (IP/network/MAC → component)
    observed = analyze_capture("capture.pcapng", model, hosts=inventory)   # TrafficResult: findings, evidence
    probed = probe_tls("10.0.0.5", 443, timeout=5.0)                 # ProbeResult (timestamped evidence)
    extra = compare_probe(probed, flow, model)                       # findings against the flow's stack
    html = render_comms_html(result, observed=observed, probed={flow.id: probed}, probe_findings=extra)

Heavy modules (dpkt, ssl, cryptography) are imported lazily by the functions that need them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from medsecurance.comms.catalogue import MappingCatalogue, ProtocolCatalogue, ProtocolProps
from medsecurance.comms.result import CommsResult, analyze

if TYPE_CHECKING:
    from medsecurance.comms.html import render_comms_html as render_comms_html

__all__ = [
    "CommsResult",
    "MappingCatalogue",
    "ProtocolCatalogue",
    "ProtocolProps",
    "analyze",
    "analyze_capture",
    "compare_probe",
    "load_hosts",
    "probe_tls",
    "render_comms_html",
]

_LAZY = {
    "render_comms_html": "medsecurance.comms.html",
    "analyze_capture": "medsecurance.comms.traffic",
    "load_hosts": "medsecurance.comms.inventory",
    "probe_tls": "medsecurance.comms.probe",
    "compare_probe": "medsecurance.comms.probe_compare",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(name)
    import importlib

    return getattr(importlib.import_module(module), name)
