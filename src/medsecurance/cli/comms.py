"""``medsec comms``: protocol-stack analysis, traffic captures against the model, live TLS probes."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path
from typing import Any

import typer

app = typer.Typer(
    no_args_is_help=True,
    help="Secure communications: protocol stacks, packet captures against the model, live TLS probes.",
)


class OutputFormat(StrEnum):
    """Output formats of the comms commands."""

    TABLE = "table"
    JSON = "json"


class FailOn(StrEnum):
    """Severities that can gate the exit code."""

    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


_FORMAT = typer.Option(OutputFormat.TABLE, "--format", "-f", help="table or json.")
_FAIL_ON = typer.Option(None, "--fail-on", help="Exit 1 when a finding has at least this severity.")


def _render(findings: Sequence[Any], payload: dict[str, Any], fmt: OutputFormat, header: list[str]) -> None:
    from medsecurance.cli._console import out_console

    if fmt is OutputFormat.JSON:
        from medsecurance._internal.io import canonical_json

        out_console.out(canonical_json(payload), end="", highlight=False)
        return
    from rich.markup import escape
    from rich.table import Table

    for line in header:
        out_console.print(escape(line))
    table = Table("severity", "rule", "finding", "recommendation", show_lines=False)
    for f in findings:
        table.add_row(f.severity.value, f.rule, escape(f.title), escape(str(f.details.get("recommendation", ""))))
    out_console.print(table if findings else "no findings")


def _gate(findings: Sequence[Any], fail_on: FailOn | None) -> None:
    if fail_on is None:
        return
    from medsecurance.findings import Severity

    threshold = Severity(fail_on.value).rank
    if any(f.severity.rank >= threshold for f in findings):
        raise typer.Exit(1)


@app.command("stack")
def stack_cmd(
    model: Path = typer.Argument(..., help="System model (model.yaml or its folder)."),
    fmt: OutputFormat = _FORMAT,
    fail_on: FailOn | None = _FAIL_ON,
) -> None:
    """Effective security properties of every flow's protocol stack against its data's needs."""
    from medsecurance.comms import analyze
    from medsecurance.kb import load_kb
    from medsecurance.model import load

    result = analyze(load(model, check_files=False).model, load_kb())
    _render(result.findings, result.to_dict(), fmt, [f"{len(result.flows)} flows analysed"])
    _gate(result.findings, fail_on)


@app.command("pcap")
def pcap_cmd(
    capture: Path = typer.Argument(..., help="Packet capture (pcap or pcapng)."),
    model: Path = typer.Option(..., "--model", "-m", help="System model the traffic is compared with."),
    hosts: Path | None = typer.Option(None, "--hosts", help="Inventory: IP/network/MAC → component id (YAML)."),
    fmt: OutputFormat = _FORMAT,
    fail_on: FailOn | None = _FAIL_ON,
) -> None:
    """Compare the traffic in a capture with the model's flows."""
    from medsecurance.comms.inventory import load_hosts
    from medsecurance.comms.traffic import analyze_capture
    from medsecurance.model import load

    system = load(model, check_files=False).model
    inventory = load_hosts(hosts, system) if hosts else None
    result = analyze_capture(capture, system, hosts=inventory)
    ev = result.evidence
    header = [
        f"{ev['file']} sha256 {ev['sha256']}",
        f"{ev['packets']} packets, {ev['connections']} connections, {ev['conversations']} conversations, "
        f"{ev['first_packet']} … {ev['last_packet']}",
    ]
    if inventory is None:
        header.append("no --hosts inventory: flows were not matched to the model")
    _render(result.findings, result.to_dict(), fmt, header)
    _gate(result.findings, fail_on)


@app.command("probe")
def probe_cmd(
    target: str = typer.Argument(..., metavar="HOST:PORT", help="The one endpoint to contact."),
    flow: str | None = typer.Option(None, "--flow", help="Flow id whose declared stack the result is compared with."),
    model: Path | None = typer.Option(None, "--model", "-m", help="System model holding --flow."),
    timeout: float = typer.Option(5.0, "--timeout", min=0.1, max=120, help="Seconds for every network wait."),
    fmt: OutputFormat = _FORMAT,
    fail_on: FailOn | None = _FAIL_ON,
) -> None:
    """Probe a TLS endpoint: accepted versions, cipher suites, certificate chain, client-certificate demand."""
    from medsecurance.comms.probe import parse_target, probe_tls
    from medsecurance.comms.probe_compare import compare_probe
    from medsecurance.errors import UsageError

    if (flow is None) != (model is None):
        raise UsageError("--flow and --model go together", hint="give both, or neither")
    system = the_flow = None
    if flow and model:
        from medsecurance.model import load

        system = load(model, check_files=False).model
        the_flow = next((f for f in system.flows if f.id == flow), None)
        if the_flow is None:
            known = ", ".join(f.id for f in system.flows) or "none"
            raise UsageError(f"flow '{flow}' is not in {model}", hint=f"flows: {known}")
    host, port = parse_target(target)
    result = probe_tls(host, port, timeout=timeout)
    findings = compare_probe(result, the_flow, system)
    payload = {"evidence": result.to_dict(), "findings": [f.to_dict() for f in findings], "flow": flow}
    accepted = ", ".join(result.accepted)
    leaf = result.certificates[0] if result.certificates else None
    header = [f"{target}: accepts {accepted}; client certificate {result.client_certificate}"]
    if leaf is not None:
        header.append(f"certificate {leaf.subject} ({leaf.key_type} {leaf.key_size}), expires {leaf.not_after}")
    _render(findings, payload, fmt, header)
    _gate(findings, fail_on)
