"""Top-level model commands: ``validate``, ``show``, ``init`` and ``schema``."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

__all__ = ["register"]


class SettingChoice(StrEnum):
    """Care settings a starter model can be made for."""

    hospital = "hospital"
    clinic = "clinic"
    home = "home"


ModelArg = Annotated[
    Path, typer.Argument(metavar="MODEL", help="model.yaml (or a folder containing one)", show_default=False)
]


def validate(model: ModelArg) -> None:
    """Check a model: YAML, schema, references, files, evidence hashes. Exit 0 if valid, 2 with all errors."""
    from medsecurance import api
    from medsecurance.cli._console import err_console, out_console

    result = api.load(model)
    for warning in result.warnings:
        err_console.print(f"[yellow]warning[/]: {_escape(str(warning))}")
    m = result.model
    out_console.print(
        f"[green]✓[/] {_escape(str(model))}: valid — {m.system.name} {m.system.version} "
        f"({len(m.components)} components, {len(m.flows)} flows, {len(m.assets)} assets, "
        f"{len(m.hazards)} hazards, {len(m.zones)} zones)"
    )


def show(model: ModelArg) -> None:
    """Summarise a model in tables: system, zones, components, flows, hazards."""
    from medsecurance import api
    from medsecurance.cli._summary import render_summary

    render_summary(api.load(model))


def init(
    directory: Annotated[Path, typer.Argument(help="folder to create the starter model in")],
    setting: Annotated[SettingChoice, typer.Option(help="care setting of the system")] = SettingChoice.hospital,
    force: Annotated[bool, typer.Option(help="overwrite an existing model.yaml")] = False,
) -> None:
    """Write a commented starter model.yaml for a care setting (it validates as is), and the model's
    JSON Schema beside it so that YAML-aware editors complete and check it while typing."""
    from importlib.resources import files

    from medsecurance import api
    from medsecurance._internal.io import atomic_write_text, canonical_json
    from medsecurance.cli._console import out_console
    from medsecurance.errors import UsageError

    target = directory / "model.yaml"
    if target.exists() and not force:
        raise UsageError("model.yaml already exists", file=target, hint="use --force to overwrite it")
    text = files("medsecurance.model").joinpath("templates", f"{setting.value}.yaml").read_text("utf-8")
    atomic_write_text(directory / "medsec.schema.json", canonical_json(api.model_json_schema()))
    atomic_write_text(target, text)
    out_console.print(f"wrote {target} and medsec.schema.json — edit the model, then run: medsec validate {target}")


def schema() -> None:
    """Print the JSON Schema of model files (for editors' YAML language servers)."""
    from medsecurance import api
    from medsecurance._internal.io import canonical_json

    typer.echo(canonical_json(api.model_json_schema()), nl=False)


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def register(app: typer.Typer) -> None:
    """Mount these commands at the top level of ``app``."""
    app.command()(validate)
    app.command()(show)
    app.command()(init)
    app.command()(schema)
