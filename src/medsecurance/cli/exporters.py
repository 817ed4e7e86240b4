"""``medsec export``: write a medsec model in another threat-modelling format (OTM)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

__all__ = ["app"]

app = typer.Typer(name="export", no_args_is_help=True, help="Export a model to other threat-modelling formats (OTM).")


@app.command("otm")
def otm(
    model: Annotated[Path, typer.Argument(metavar="MODEL", help="model.yaml (or a folder containing one)",
                                          show_default=False)],
    output: Annotated[Path | None, typer.Option("--output", "-o", help="OTM JSON file (default: stdout)")] = None,
    assessment: Annotated[Path | None, typer.Option(help="assessment JSON of 'medsec analyze'; its threat "
                                                    "findings become OTM threats")] = None,
) -> None:
    """Export a model as Open Threat Model (OTM 0.2.0) JSON, with the threats of an assessment if given."""
    from medsecurance import api
    from medsecurance._internal.io import atomic_write_text
    from medsecurance.cli._console import err_console
    from medsecurance.model.exporters import get_exporter
    from medsecurance.model.exporters.otm import read_assessment

    loaded = api.load(model)
    findings = read_assessment(assessment) if assessment is not None else []
    text = get_exporter("otm").render(loaded.model, findings)
    if output is None:
        typer.echo(text, nl=False)
        return
    atomic_write_text(output, text)
    m = loaded.model
    threats = sum(1 for f in findings if f.get("kind", "threat") == "threat")
    err_console.print(f"wrote {output}: {len(m.components)} components, {len(m.flows)} dataflows, "
                      f"{len(m.zones)} trust zones, {threats} threats")
