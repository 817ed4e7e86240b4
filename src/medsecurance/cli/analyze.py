"""``medsec analyze``: the main job — every analysis stage and the reports."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

__all__ = ["register"]


class FailOn(StrEnum):
    """Severities a CI gate can be set at."""

    low = "low"
    medium = "medium"
    high = "high"
    critical = "critical"


def analyze(
    model: Annotated[Path, typer.Argument(metavar="MODEL", help="model.yaml (or its folder)")],
    out: Annotated[Path, typer.Option("--out", "-o", help="output folder")] = Path("out"),
    formats: Annotated[str, typer.Option("--format", "-f", help="comma-separated: html,json,md,sarif")] = (
        "html,json,md,sarif"),
    fail_on: Annotated[FailOn | None, typer.Option(help="exit 1 if an open finding is at least this severe")] = None,
    rules: Annotated[list[Path] | None, typer.Option("--rules", help="extra threat-rule file or folder")] = None,
    decisions: Annotated[
        Path | None, typer.Option(help="decisions file (default: decisions.yaml beside the model)")
    ] = None,
    as_of: Annotated[str | None, typer.Option(help="reference date YYYY-MM-DD (default: today)")] = None,
    kb_dir: Annotated[Path | None, typer.Option(help="folder of imported MITRE catalogues")] = None,
    vulndb: Annotated[Path | None, typer.Option(help="advisory database (default: the user's)")] = None,
    vex: Annotated[list[Path] | None, typer.Option("--vex", help="VEX document to apply (repeatable)")] = None,
    stage: Annotated[list[str] | None, typer.Option("--stage", help="run only these stages (repeatable)")] = None,
    capture: Annotated[Path | None, typer.Option(help="packet capture (pcap/pcapng) to compare with the model")] = None,
    hosts: Annotated[Path | None, typer.Option(help="hosts.yaml mapping addresses to components")] = None,
) -> int:
    """Analyse a model: threats, attack paths and the other stages; write the reports."""
    with _gc_paused_then_frozen():  # from the imports on: they allocate much and free little (−8 % of their time)
        from medsecurance import api
        from medsecurance.cli import keep_until_exit
        from medsecurance.cli._console import err_console, out_console
        from medsecurance.cli._results import print_assessment_summary
        from medsecurance.errors import UsageError
        from medsecurance.findings import Severity

        names = [f.strip() for f in formats.split(",") if f.strip()]
        if not names:
            raise UsageError("--format is empty", hint="e.g. --format html,json")
        try:
            when = dt.date.fromisoformat(as_of) if as_of else None
        except ValueError as exc:
            raise UsageError(f"--as-of: '{as_of}' is not a date", hint="use YYYY-MM-DD") from exc
        options = api.AnalysisOptions(
            rules=tuple(rules or ()), decisions=decisions, as_of=when, kb_dir=kb_dir, vulndb=vulndb,
            vex=tuple(vex or ()), stages=tuple(stage) if stage else None,
            extra={k: v for k, v in (("capture", capture), ("hosts", hosts)) if v is not None})
        loaded = api.load(model)
        kb = api.load_kb(options)
        assessment = api.analyze_loaded(loaded, options, kb)
        written = api.write_outputs(assessment, out, names, loaded, kb)
        for warning in assessment.warnings:
            err_console.print(f"[yellow]warning[/]: {_escape(warning)}")
        print_assessment_summary(assessment)
    for path in written:
        out_console.print(f"wrote {path}")
    code = 0
    if fail_on is not None:
        hits = api.gate(assessment.findings, Severity(fail_on.value))
        if hits:
            err_console.print(f"[red]gate:[/] {len(hits)} open finding(s) at or above {fail_on.value}")
            code = 1
    keep_until_exit(loaded, kb, assessment)  # every output is written and closed: see its docstring
    return code


@contextlib.contextmanager
def _gc_paused_then_frozen() -> Iterator[None]:
    """Pause the cyclic GC for the whole command, then freeze what is alive (measured: about −1.5 s of 5 s).

    A large model leaves millions of tracked objects (model, findings, reports) alive until the
    command ends. Collections during the run, the first one after re-enabling, and the one at
    interpreter exit would each walk them all for nothing: they are acyclic and freed by reference
    counting. ``gc.freeze`` moves them to the permanent generation, which collections skip.
    """
    import gc

    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def register(app: typer.Typer) -> None:
    """Mount ``analyze`` at the top level."""
    app.command()(analyze)
