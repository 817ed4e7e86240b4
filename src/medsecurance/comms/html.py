"""HTML report section for secure communications: per flow, declared vs observed vs probed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from importlib import resources
from typing import TYPE_CHECKING, Any

from medsecurance.comms.result import CommsResult, sort_findings
from medsecurance.findings import Finding

if TYPE_CHECKING:
    from medsecurance.comms.probe import ProbeResult
    from medsecurance.comms.traffic import TrafficResult

__all__ = ["render_comms_html"]


def _template() -> Any:
    import jinja2

    text = resources.files("medsecurance.comms").joinpath("data", "comms.html.j2").read_text("utf-8")
    env = jinja2.Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)
    return env.from_string(text)


def render_comms_html(
    result: CommsResult,
    observed: TrafficResult | None = None,
    probed: Mapping[str, ProbeResult] | None = None,
    probe_findings: Sequence[Finding] = (),
) -> str:
    """An HTML fragment (``<section>``) with one row per flow: declared, observed and probed, with advice.

    ``probed`` maps flow ids to the probe made for that flow; ``probe_findings`` are the findings of
    :func:`medsecurance.comms.probe_compare.compare_probe` for those probes.
    """
    everything = sort_findings([*result.findings, *(observed.findings if observed else ()), *probe_findings])
    by_flow = observed.by_flow() if observed else {}
    rows = []
    placed: set[str] = set()
    for flow_id, declared in sorted(result.flows.items()):
        mine = [f for f in everything if flow_id in f.elements]
        placed.update(f.id for f in mine)
        probe = (probed or {}).get(flow_id)
        rows.append(
            {
                "id": flow_id,
                "declared": declared,
                "observed": None if observed is None else by_flow.get(flow_id, []),
                "probed": probe.to_dict() if probe else None,
                "findings": mine,
            }
        )
    other = [f for f in everything if f.id not in placed]
    return str(
        _template().render(
            flows=rows,
            other=other,
            total=len(everything),
            evidence=observed.evidence if observed else None,
        )
    )
