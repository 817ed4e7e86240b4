"""``medsec sbom``: SBOM completeness checks and vulnerability scans (thin layer over medsecurance.vulns)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Any

import typer

app = typer.Typer(no_args_is_help=True, help="Check SBOM completeness and scan SBOMs for known vulnerabilities.")


class CheckFormat(StrEnum):
    """Output formats of ``sbom check``."""

    TABLE = "table"
    JSON = "json"


class ScanFormat(StrEnum):
    """Output formats of ``sbom scan``."""

    TABLE = "table"
    JSON = "json"
    SARIF = "sarif"
    CYCLONEDX_VEX = "cyclonedx-vex"
    OPENVEX = "openvex"
    CSAF_VEX = "csaf-vex"


class Gate(StrEnum):
    """Severities a ``--fail-on`` gate accepts."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"
    KEV = "kev"


@app.command("check")
def check(
    sbom: Path = typer.Argument(..., help="SBOM file (CycloneDX JSON/XML, SPDX JSON/tag-value)."),
    fmt: CheckFormat = typer.Option(CheckFormat.TABLE, "--format", "-f", help="Output format."),
) -> None:
    """NTIA minimum elements and FDA level of support / end-of-support per component."""
    from medsecurance._internal.io import canonical_json
    from medsecurance.cli._console import out_console
    from medsecurance.vulns import check_sbom, read_sbom

    result = check_sbom(read_sbom(sbom))
    if fmt is CheckFormat.JSON:
        out_console.out(canonical_json(result.to_dict()), end="")
        return
    from rich.table import Table

    table = Table(title=f"SBOM completeness: {sbom}")
    for column in ("bom-ref", "name", "missing", "fallbacks", "end of support"):
        table.add_column(column)
    for c in result.components:
        eos = (c.end_of_support or "") + (" [red](past)[/]" if c.past_end_of_support else "")
        table.add_row(
            c.bom_ref,
            c.name,
            ", ".join(c.missing) or "[green]complete[/]",
            ", ".join(f"{e}←{f}" for e, f in c.fallbacks),
            eos,
        )
    out_console.print(table)
    summary = result.summary()
    out_console.print(f"document missing: {', '.join(result.document_missing) or 'nothing'}")
    out_console.print(
        f"missing per element: {summary['missing']}; past end-of-support: {summary['past_end_of_support']}"
    )


def _render(result: Any, fmt: ScanFormat) -> str:
    from medsecurance._internal.io import canonical_json
    from medsecurance.vulns import to_sarif, write_csaf_vex, write_cyclonedx_vex, write_openvex

    stamp = result.sbom.timestamp or "1970-01-01T00:00:00Z"
    doc: dict[str, Any]
    if fmt is ScanFormat.SARIF:
        doc = to_sarif(result)
    elif fmt is ScanFormat.CYCLONEDX_VEX:
        doc = write_cyclonedx_vex(result)
    elif fmt is ScanFormat.OPENVEX:
        doc = write_openvex(result, timestamp=stamp)
    elif fmt is ScanFormat.CSAF_VEX:
        doc = write_csaf_vex(result, timestamp=stamp)
    else:
        doc = result.to_dict()
    return canonical_json(doc)


@app.command("scan")
def scan_cmd(
    sbom: Path = typer.Argument(..., help="SBOM file to scan."),
    db: Path | None = typer.Option(None, "--db", help="Advisory database (default: $MEDSEC_VULNDB or user data dir)."),
    vex: list[Path] = typer.Option([], "--vex", help="VEX file(s): CycloneDX VEX, OpenVEX or CSAF VEX."),
    fmt: ScanFormat = typer.Option(ScanFormat.TABLE, "--format", "-f", help="Output format."),
    fail_on: Gate | None = typer.Option(None, "--fail-on", help="Exit 1 if an unsuppressed match reaches this."),
    explain: bool = typer.Option(False, "--explain", help="Table: show why each match matched (JSON always does)."),
) -> None:
    """Match SBOM components against the offline advisory database, explaining each match."""
    from medsecurance.cli._console import out_console
    from medsecurance.findings import Severity
    from medsecurance.vulns import VulnDatabase, read_sbom, read_vex, scan

    statements = [s for path in vex for s in read_vex(path)]
    with VulnDatabase(db) as database:
        result = scan(read_sbom(sbom), database, vex=statements)
    if fmt is ScanFormat.TABLE:
        _table(result, sbom, explain)
    else:
        out_console.out(_render(result, fmt), end="")
    if fail_on is not None:
        active = result.active  # VEX is applied before the gate
        if fail_on is Gate.KEV:
            met = any(m.kev for m in active)
        else:
            met = any(m.severity.rank >= Severity(fail_on.value).rank for m in active)
        if met:
            raise typer.Exit(1)


def _table(result: Any, sbom: Path, explain: bool) -> None:
    from rich.table import Table

    from medsecurance.cli._console import out_console

    table = Table(title=f"Vulnerabilities: {sbom}")
    columns = ["component", "vulnerability", "severity", "confidence", "KEV", "VEX"] + (["why"] if explain else [])
    for column in columns:
        table.add_column(column)
    for m in result.matches:
        row = [
            f"{m.component.name} {m.component.version or ''}",
            m.vuln_id,
            m.severity.value,
            m.confidence,
            "yes" if m.kev else "",
            m.vex_status or "",
        ]
        table.add_row(*row, *([m.reason] if explain else []))
    out_console.print(table)
    out_console.print(f"{len(result.matches)} matches, {len(result.matches) - len(result.active)} suppressed by VEX")
