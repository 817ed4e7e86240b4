"""``medsec vulndb``: import advisory data sets into the offline SQLite database and show its contents."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import typer

app = typer.Typer(no_args_is_help=True, help="Manage the offline vulnerability advisory database.")


class StatsFormat(StrEnum):
    """Output formats of ``vulndb stats``."""

    TABLE = "table"
    JSON = "json"


@app.command("import")
def import_cmd(
    files: list[Path] = typer.Argument(..., help="OSV, NVD 2.0, CVE 5, CSAF, KEV or EPSS files, folders or zips."),
    db: Path | None = typer.Option(None, "--db", help="Database file (default: $MEDSEC_VULNDB or user data dir)."),
) -> None:
    """Import advisory files in one transaction (all or nothing); re-imports update changed records."""
    from medsecurance.cli._console import out_console
    from medsecurance.vulns import VulnDatabase

    with VulnDatabase(db) as database:
        stats = database.import_files(files)
        path = database.path
    formats = ", ".join(f"{k}: {v}" for k, v in sorted(stats.formats.items()))
    out_console.print(
        f"imported into {path}: {stats.added} added, {stats.updated} updated, "
        f"{stats.unchanged} unchanged, {stats.kev} KEV, {stats.epss} EPSS ({formats})"
    )
    if stats.skipped:
        out_console.print(f"skipped {len(stats.skipped)} file(s) of no advisory format: " + ", ".join(stats.skipped))


@app.command("stats")
def stats_cmd(
    db: Path | None = typer.Option(None, "--db", help="Database file."),
    fmt: StatsFormat = typer.Option(StatsFormat.TABLE, "--format", "-f", help="Output format."),
) -> None:
    """Counts of advisories per source, affected entries, aliases, KEV and EPSS rows."""
    from medsecurance._internal.io import canonical_json
    from medsecurance.cli._console import out_console
    from medsecurance.vulns import VulnDatabase

    with VulnDatabase(db) as database:
        stats = database.stats()
    if fmt is StatsFormat.JSON:
        out_console.out(canonical_json(stats), end="")
        return
    for key, value in stats.items():
        out_console.print(f"{key}: {value}")
