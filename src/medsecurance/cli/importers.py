"""``medsec import``: translate Threagile and Open Threat Model files into a medsec model.yaml."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

__all__ = ["app"]

app = typer.Typer(name="import", no_args_is_help=True,
                  help="Import other threat-modelling formats (Threagile, OTM) as a medsec model.yaml.")


class SettingChoice(StrEnum):
    """Care settings (the foreign formats cannot say which)."""

    hospital = "hospital"
    clinic = "clinic"
    home = "home"


FileArg = Annotated[Path, typer.Argument(metavar="FILE", help="the file to import", show_default=False)]
OutputOpt = Annotated[Path | None, typer.Option("--output", "-o", help="model.yaml to write (default: stdout)")]
SettingOpt = Annotated[SettingChoice | None, typer.Option(help="care setting of the system (default: hospital)")]
VersionOpt = Annotated[str | None, typer.Option("--version", help="version of the system (default: the model's "
                                                "date for Threagile, 0.0.0 otherwise)")]
ForceOpt = Annotated[bool, typer.Option(help="overwrite an existing output file")]


@app.command("threagile")
def threagile(file: FileArg, output: OutputOpt = None, setting: SettingOpt = None,
              version: VersionOpt = None, force: ForceOpt = False) -> None:
    """Import a Threagile YAML model; constructs that do not carry over are listed as warnings."""
    _run("threagile", file, output, setting, version, force)


@app.command("otm")
def otm(file: FileArg, output: OutputOpt = None, setting: SettingOpt = None,
        version: VersionOpt = None, force: ForceOpt = False) -> None:
    """Import an Open Threat Model (OTM) JSON or YAML file; constructs that do not carry over are warnings."""
    _run("otm", file, output, setting, version, force)


def _run(fmt: str, file: Path, output: Path | None, setting: SettingChoice | None, version: str | None,
         force: bool) -> None:
    from rich.markup import escape

    from medsecurance._internal.io import atomic_write_text
    from medsecurance.cli._console import err_console
    from medsecurance.errors import UsageError
    from medsecurance.model.importers import ImportOptions, import_model
    from medsecurance.model.schema import Setting

    if output is not None and output.exists() and not force:
        raise UsageError("output file already exists", file=output, hint="use --force to overwrite it")
    options = ImportOptions(setting=Setting(setting.value) if setting else None, version=version)
    result = import_model(fmt, file, options)
    for warning in result.warnings:
        err_console.print(f"[yellow]warning[/]: {escape(str(warning))}")
    text = result.to_yaml()
    m = result.model
    summary = (f"{len(m.components)} components, {len(m.flows)} flows, {len(m.assets)} assets, "
               f"{len(m.zones)} zones; {len(result.warnings)} warnings")
    if output is None:
        typer.echo(text, nl=False)
        err_console.print(f"imported {escape(result.source)}: {summary}")
    else:
        atomic_write_text(output, text)
        err_console.print(f"wrote {escape(str(output))} from {escape(result.source)}: {summary} — "
                          f"check it with: medsec validate {escape(str(output))}")
