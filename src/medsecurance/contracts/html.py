"""HTML fragment of the zone × FR level table (SL-T / SL-C / SL-A, gaps coloured) for the report."""

from __future__ import annotations

from html import escape
from typing import Any

from medsecurance.contracts.check import ContractResult
from medsecurance.contracts.levels import FR_NAMES, FRS

__all__ = ["render_zone_table_html"]


def _cell(value: Any, css: str = "") -> str:
    text = "–" if value is None else escape(str(value))
    return f'<td class="{css}">{text}</td>' if css else f"<td>{text}</td>"


def _row(label: str, values: dict[str, int] | None, css_of: Any = None) -> str:
    cells = "".join(_cell(values.get(fr) if values else None, css_of(fr) if css_of else "") for fr in FRS)
    return f'<tr><th scope="row">{escape(label)}</th>{cells}</tr>'


def _zone(zone: dict[str, Any]) -> str:
    gap = zone.get("gap") or {}

    def achieved_css(fr: str) -> str:
        return "sl-gap" if gap.get(fr, 0) > 0 else "sl-ok"

    title = escape(zone["id"] + (f" — {zone['name']}" if zone.get("name") else ""))
    head = "".join(f'<th scope="col" title="{escape(FR_NAMES[fr])}">{fr}</th>' for fr in FRS)
    rows = [_row("SL-T", zone["sl_target"])]
    for comp in zone["components"]:
        rows.append(_row(f"SL-C {comp['id']} ({comp['sl_capability_source']})", comp["sl_capability"]))
    if any(zone["countermeasure_levels"].values()):
        rows.append(_row("countermeasures: " + ", ".join(zone["countermeasures"]), zone["countermeasure_levels"]))
    rows.append(_row("SL-A", zone["sl_achieved"], achieved_css).replace("<tr>", '<tr class="sl-achieved">', 1))
    return (
        f'<table class="sl-table"><caption>{title}</caption><thead><tr><th scope="col">zone {escape(zone["id"])}'
        f"</th>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def render_zone_table_html(result: ContractResult) -> str:
    """A zone × FR table per zone (and one for conduits), gaps in class ``sl-gap``, met levels in ``sl-ok``."""
    zones = result.zones.get("zones", [])
    parts = ['<section class="sl-zones">']
    parts += [_zone(z) for z in zones] or ['<p class="sl-empty">The model declares no zones.</p>']
    conduits = result.zones.get("conduits", [])
    if conduits:
        head = "".join(f'<th scope="col">{fr}</th>' for fr in FRS)
        body = []
        for c in conduits:
            gap = c.get("gap") or {}
            body.append(_row(f"{c['id']} SL-T", c["sl_target"]))
            body.append(
                _row(f"{c['id']} SL-A", c["sl_achieved"], lambda fr, g=gap: "sl-gap" if g.get(fr, 0) > 0 else "sl-ok")
            )
        parts.append(
            f'<table class="sl-table sl-conduits"><caption>Conduits</caption><thead><tr><th scope="col">'
            f"conduit</th>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
        )
    policy = result.zones.get("policy", {})
    parts.append(
        f'<p class="sl-policy">Composition rule: {escape(str(policy.get("composition", "")))} — '
        f"{escape(str(policy.get('description', '')))}. {escape(str(policy.get('note', '')))}.</p>"
    )
    parts.append("</section>")
    return "\n".join(parts)
