"""Rich tables summarising a model for ``medsec show``."""

from __future__ import annotations

from rich.markup import escape
from rich.table import Table

from medsecurance.cli._console import err_console, out_console
from medsecurance.model import LoadResult

__all__ = ["render_summary"]

_SEVERITY_STYLE = {
    "catastrophic": "bold red",
    "critical": "red",
    "serious": "yellow",
    "minor": "cyan",
    "negligible": "dim",
}


def _join(items: tuple[str, ...] | list[str], limit: int = 6) -> str:
    shown = ", ".join(items[:limit])
    return shown + (f" (+{len(items) - limit})" if len(items) > limit else "")


def _system(result: LoadResult) -> Table:
    s = result.model.system
    t = Table(title=f"{escape(s.name)} {escape(s.version)}", show_header=False, title_justify="left")
    t.add_column(style="bold")
    t.add_column()
    t.add_row("id", s.id)
    t.add_row("setting", s.setting.value)
    if s.intended_use:
        t.add_row("intended use", escape(s.intended_use.strip()))
    if s.manufacturer:
        t.add_row("manufacturer", escape(s.manufacturer.name))
    if s.device_class:
        dc = s.device_class
        t.add_row("class", f"EU MDR {dc.eu_mdr or '–'} · FDA {dc.fda or '–'}")
    t.add_row("files", ", ".join(str(p.name) for p in result.files))
    return t


def _components(result: LoadResult) -> Table:
    t = Table(title="Components", title_justify="left")
    for col in ("id", "type", "zone", "interfaces", "controls", "end of support"):
        t.add_column(col)
    for c in result.model.components:
        ifaces = [f"{i.id}:{i.kind}" + ("(phys)" if i.physical else "") for i in c.interfaces]
        t.add_row(c.id, c.type, c.zone or "–", escape(_join(ifaces, 4)), str(len(c.controls)),
                  c.end_of_support.isoformat() if c.end_of_support else "–")
    return t


def _flows(result: LoadResult) -> Table:
    t = Table(title="Flows", title_justify="left")
    for col in ("id", "from → to", "protocol", "data"):
        t.add_column(col)
    for f in result.model.flows:
        t.add_row(f.id, f"{f.source} → {f.target}", escape(" / ".join(f.protocol) or "–"), _join(f.data, 4))
    return t


def _hazards(result: LoadResult) -> Table:
    t = Table(title="Hazards", title_justify="left")
    for col in ("id", "severity", "description"):
        t.add_column(col)
    for h in result.model.hazards:
        style = _SEVERITY_STYLE.get(h.severity.value, "")
        t.add_row(h.id, f"[{style}]{h.severity.value}[/]", escape(h.description))
    return t


def _zones(result: LoadResult) -> Table:
    t = Table(title="Zones (SL-T FR1…FR7)", title_justify="left")
    for col in ("id", "name", "SL-T", "components"):
        t.add_column(col)
    members: dict[str, list[str]] = {}
    for c in result.model.components:
        if c.zone:
            members.setdefault(c.zone, []).append(c.id)
    for z in result.model.zones:
        t.add_row(z.id, escape(z.name or ""), " ".join(str(v) for v in z.sl_target.as_tuple()),
                  _join(members.get(z.id, []), 5))
    return t


def render_summary(result: LoadResult) -> None:
    """Print the summary tables of a loaded model."""
    for warning in result.warnings:
        err_console.print(f"[yellow]warning[/]: {escape(str(warning))}")
    for table in (_system(result), _zones(result), _components(result), _flows(result), _hazards(result)):
        if table.row_count:
            out_console.print(table)
