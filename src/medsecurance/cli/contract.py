"""``medsec contract``: security-level checks and signed provider ↔ consumer contract bundles."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

import typer

from medsecurance.errors import ContractError

__all__ = ["app"]

app = typer.Typer(no_args_is_help=True, help="IEC 62443 security-level contracts and signed contract bundles.")

_SEVERITIES = ("info", "low", "medium", "high", "critical")


def _kb() -> Any:
    """The knowledge base when it loads; contracts still work (with fewer inputs) without it."""
    from medsecurance.kb.loader import load_kb

    return load_kb()


@app.command("check")
def check_cmd(
    model: Annotated[Path, typer.Argument(help="model.yaml (or its folder)")],
    json_out: Annotated[bool, typer.Option("--json", help="print the result as JSON")] = False,
    fail_on: Annotated[str | None, typer.Option(help="exit 1 if a finding has this severity or higher")] = None,
) -> None:
    """Check security levels (SL-A vs SL-T) and assume/guarantee contracts of a model."""
    from medsecurance._internal.io import canonical_json
    from medsecurance.cli._console import out_console
    from medsecurance.contracts import check
    from medsecurance.errors import UsageError
    from medsecurance.findings import Severity
    from medsecurance.model import load

    if fail_on is not None and fail_on not in _SEVERITIES:
        raise UsageError(f"unknown severity {fail_on!r}", hint=f"use one of: {', '.join(_SEVERITIES)}")
    loaded = load(model)
    result = check(loaded.model, source_map=loaded.source_map, kb=_kb())
    if json_out:
        typer.echo(canonical_json(result.to_dict()), nl=False)
    else:
        _print_table(result.zones, out_console)
        for f in result.findings:
            out_console.print(f"[bold]{f.severity.value:8}[/] {f.id} {f.title}\n         {f.explanation}", markup=True)
    if fail_on is not None and any(f.severity.rank >= Severity(fail_on).rank for f in result.findings):
        raise typer.Exit(1)


def _print_table(zones: Mapping[str, Any], console: Any) -> None:
    from rich.table import Table

    for zone in zones.get("zones", []):
        table = Table(title=f"zone {zone['id']}")
        table.add_column("")
        frs = list(zone["sl_target"])
        for fr in frs:
            table.add_column(fr, justify="right")
        table.add_row("SL-T", *(str(v) for v in zone["sl_target"].values()))
        for comp in zone["components"]:
            caps = comp["sl_capability"] or {}
            table.add_row(f"SL-C {comp['id']}", *(str(caps.get(fr, "–")) for fr in frs))
        achieved = zone["sl_achieved"] or {}
        table.add_row(
            "SL-A",
            *(f"[red]{achieved.get(fr, '–')}[/]" if zone["gap"][fr] else str(achieved.get(fr, "–")) for fr in frs),
        )
        console.print(table)


@app.command("create")
def create_cmd(
    model: Annotated[Path, typer.Argument(help="model.yaml (or its folder)")],
    output: Annotated[Path, typer.Option("-o", "--output", help="bundle file to write (.asice / .zip)")],
    provider_profile: Annotated[Path | None, typer.Option(help="YAML overriding the manufacturer's guarantees")] = None,
    consumer_profile: Annotated[Path | None, typer.Option(help="YAML overriding the hospital's requirements")] = None,
) -> None:
    """Assemble a provider ↔ consumer contract bundle with its compatibility verdict."""
    from medsecurance.contracts.bundle import create_bundle
    from medsecurance.model import load

    loaded = load(model)
    verdict = create_bundle(
        loaded.model,
        loaded.base_dir,
        output,
        provider_profile=provider_profile,
        consumer_profile=consumer_profile,
        kb=_kb(),
    )
    state = "compatible" if verdict["compatible"] else f"NOT compatible ({len(verdict['blocking'])} blocking findings)"
    typer.echo(f"wrote {output}: {state}")


@app.command("sign")
def sign_cmd(
    bundle: Annotated[Path, typer.Argument(help="the contract bundle")],
    key: Annotated[Path, typer.Option(help="PEM private key")],
    cert: Annotated[Path, typer.Option(help="PEM certificate (chain) of the key")],
    role: Annotated[str, typer.Option(help="provider or consumer")],
    password: Annotated[
        str | None, typer.Option(help="password of an encrypted key", envvar="MEDSEC_KEY_PASSWORD")
    ] = None,
) -> None:
    """Add an XAdES signature of one party to a bundle (written atomically)."""
    from medsecurance.contracts.signing import sign_bundle

    entry = sign_bundle(bundle, key, cert, role, password)
    typer.echo(f"signed {bundle} as {role} ({entry})")


@app.command("verify")
def verify_cmd(
    bundle: Annotated[Path, typer.Argument(help="the contract bundle")],
    trust: Annotated[Path | None, typer.Option(help="PEM file of trusted CA certificates")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="print the report as JSON")] = False,
    require: Annotated[list[str] | None, typer.Option(help="a role that must have signed (repeatable)")] = None,
) -> None:
    """Report who signed what; fails (exit 2) on any altered, added or removed file or bad certificate."""
    from medsecurance._internal.io import canonical_json
    from medsecurance.contracts.signing import verify_bundle

    report = verify_bundle(bundle, trust, require=tuple(require or ()))
    if json_out:
        typer.echo(canonical_json(report.to_dict()), nl=False)
    else:
        for s in report.signatures:
            trust_text = {True: "trusted", False: "NOT trusted", None: "trust not checked"}[s.trusted]
            typer.echo(
                f"{s.entry}: role={s.role} signer={s.signer} issuer={s.issuer} signed={s.signing_time} "
                f"({trust_text}) — {'OK' if s.ok else '; '.join(s.problems)}"
            )
    if not report.ok:
        problems = report.problems + [f"{s.entry}: {p}" for s in report.signatures for p in s.problems]
        raise ContractError(f"bundle verification failed: {'; '.join(problems)}", file=bundle)
    if not json_out:
        typer.echo(f"{bundle}: all {len(report.signatures)} signature(s) valid")
