"""``medsec assurance``: build, evaluate and export the GSN assurance case of a model."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

__all__ = ["register"]


class CaseFormat(StrEnum):
    """Export formats of the assurance case."""

    gsn_yaml = "gsn-yaml"
    json = "json"
    svg = "svg"
    html = "html"


def assurance(
    model: Annotated[Path, typer.Argument(metavar="MODEL", help="model.yaml (or its folder)")],
    fmt: Annotated[CaseFormat, typer.Option("--format", "-f", help="gsn-yaml, json, svg or html")] = (
        CaseFormat.gsn_yaml),
    out: Annotated[Path | None, typer.Option("--out", "-o", help="output file (default: standard output)")] = None,
    patterns: Annotated[list[Path] | None, typer.Option("--patterns", help="extra pattern file or folder")] = None,
    decisions: Annotated[Path | None, typer.Option(help="decisions file (default: beside the model)")] = None,
    as_of: Annotated[str | None, typer.Option(help="reference date YYYY-MM-DD (default: today)")] = None,
    baseline: Annotated[Path | None, typer.Option(help="earlier assessment JSON: flags evidence whose covered "
                                                       "elements changed since")] = None,
    evidence_policy: Annotated[Path | None, typer.Option(help="maximum evidence age per kind (YAML)")] = None,
    vulndb: Annotated[Path | None, typer.Option(help="advisory database (default: the user's)")] = None,
) -> None:
    """Build the assurance case from the analysis and export it (gsn2x YAML, JSON, SVG or HTML)."""
    from types import MappingProxyType

    from medsecurance import api
    from medsecurance._internal.io import atomic_write_text
    from medsecurance.assurance.export import render_case
    from medsecurance.errors import UsageError

    try:
        when = dt.date.fromisoformat(as_of) if as_of else None
    except ValueError as exc:
        raise UsageError(f"--as-of: '{as_of}' is not a date", hint="use YYYY-MM-DD") from exc
    extra: dict[str, object] = {"patterns": tuple(patterns or ())}
    if baseline:
        extra["assurance_baseline"] = baseline
    if evidence_policy:
        extra["evidence_policy"] = evidence_policy
    options = api.AnalysisOptions(decisions=decisions, as_of=when, vulndb=vulndb, extra=MappingProxyType(extra))
    assessment = api.analyze(model, options)
    text = render_case(dict(assessment.sections["assurance"]), fmt.value, name=str(assessment.system["id"]))
    if out is None:
        typer.echo(text, nl=False)
    else:
        atomic_write_text(out, text)
        typer.echo(f"wrote {out}", err=True)


def register(app: typer.Typer) -> None:
    """Add ``medsec assurance`` to the root app."""
    app.command("assurance")(assurance)
