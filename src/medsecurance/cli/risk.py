"""``medsec risk``: the MITRE medical-device CVSS rubric and risk-policy checks (thin layer over medsecurance.risk)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import typer
import typer.core


class _RiskGroup(typer.core.TyperGroup):
    """``medsec risk MODEL`` runs the ``register`` command; ``medsec risk rubric …`` the sub-command."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and not args[0].startswith("-") and args[0] not in self.commands:
            args = ["register", *args]
        return list(super().parse_args(ctx, args))


app = typer.Typer(
    cls=_RiskGroup,
    no_args_is_help=True,
    help="Security-for-safety risk: the register (medsec risk MODEL), MITRE CVSS rubric, risk policy.",
)


@app.command("register")
def register_cmd(
    model: Path = typer.Argument(..., metavar="MODEL", help="System model (model.yaml or its folder)."),
    fmt: str = typer.Option("table", "--format", "-f", help="table, json or csv."),
    handoff: Path | None = typer.Option(None, "--handoff", help="Folder to write the ISO 14971 safety hand-off to."),
    vulndb: Path | None = typer.Option(None, "--vulndb", help="Advisory database for vulnerability risks."),
    policy: Path | None = typer.Option(None, "--policy", help="Risk acceptability policy (YAML)."),
    as_of: str | None = typer.Option(None, "--as-of", help="Reference date YYYY-MM-DD (default: today)."),
) -> None:
    """The security-for-safety risk register of a model (runs the analysis stages it needs)."""
    import datetime as dt

    from medsecurance import api
    from medsecurance.cli._console import out_console
    from medsecurance.errors import UsageError
    from medsecurance.risk import register_csv, register_json, render_register_table, write_handoff

    if fmt not in ("table", "json", "csv"):
        raise UsageError(f"unknown format '{fmt}'", hint="use table, json or csv")
    try:
        when = dt.date.fromisoformat(as_of) if as_of else None
    except ValueError as exc:
        raise UsageError(f"--as-of: '{as_of}' is not a date", hint="use YYYY-MM-DD") from exc
    options = api.AnalysisOptions(stages=("threats", "vulnerabilities", "risk"), vulndb=vulndb, policy=policy,
                                  as_of=when)
    assessment = api.analyze(model, options)
    register = assessment.stages["risk"].data["register"]
    if handoff is not None:
        for path in write_handoff(register, handoff):
            out_console.print(f"wrote {path}")
    if fmt == "json":
        typer.echo(register_json(register), nl=False)
    elif fmt == "csv":
        typer.echo(register_csv(register), nl=False)
    else:
        out_console.print(render_register_table(register))

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")


def _read_answers(path: Path) -> dict[str, Any]:
    from medsecurance._internal.io import read_text_limited
    from medsecurance._internal.yamlloc import load_yaml
    from medsecurance.risk.rubric import RubricError

    raw, dups = load_yaml(read_text_limited(path, max_bytes=1024 * 1024, error=RubricError), str(path), RubricError)
    if dups:
        raise RubricError.from_diagnostics(dups)
    if isinstance(raw, dict) and isinstance(raw.get("answers"), dict):
        raw = raw["answers"]
    if not isinstance(raw, dict):
        raise RubricError("expected a mapping of rubric question ids to answers", file=str(path), line=1,
                          hint="e.g. XAVN: 'no'  (or a mapping with an 'answers:' key)")
    return {str(k): v for k, v in raw.items()}


def _ask(rubric: Any) -> dict[str, Any]:
    from rich.markup import escape

    from medsecurance.cli._console import out_console

    answers: dict[str, Any] = {}
    while (q := rubric.next_question(answers)) is not None:
        out_console.print(f"[bold]{q.id}[/] ({escape(q.rubric)}, {q.metric}) {escape(q.text)}")
        if q.help:
            out_console.print(f"  [dim]{escape(q.help)}[/]")
        options = "/".join(sorted(q.choices))
        while (answer := q.normalise(typer.prompt(f"  {q.id} [{options}]"))) is None:
            out_console.print(f"  please answer one of: {options}")
        answers[q.id] = answer
    return answers


@app.command("rubric")
def rubric_cmd(
    finding_id: str = typer.Argument(..., metavar="ID", help="Finding (or risk) id the answers are for."),
    model: Path = typer.Option(..., "--model", "-m", help="System model (decisions.yaml sits beside it)."),
    answers_file: Path | None = typer.Option(None, "--answers", help="YAML mapping of answers (non-interactive)."),
    decisions: Path | None = typer.Option(None, "--decisions", help="Decisions file [default: beside the model]."),
    by: str | None = typer.Option(None, "--by", help="Who answered (recorded with the answers)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show the resulting vector without recording it."),
) -> None:
    """Answer the MITRE medical-device CVSS rubric for one finding and record the answers in decisions.yaml."""
    from medsecurance.cli._console import out_console
    from medsecurance.errors import UsageError
    from medsecurance.model import load
    from medsecurance.risk.rubric import load_rubric
    from medsecurance.risk.rubric_store import append_rubric_answers

    if not _ID.match(finding_id):
        raise UsageError(f"'{finding_id}' is not a finding or risk id", hint="ids look like V-0123456789ab")
    loaded = load(model, check_files=False)
    target = decisions or loaded.base_dir / "decisions.yaml"
    rubric = load_rubric()
    answers = _read_answers(answers_file) if answers_file else _ask(rubric)
    result = rubric.evaluate(answers, file=str(answers_file) if answers_file else None)
    score = result.score
    out_console.print(f"{finding_id}: {score.vector}  base {score.base:.1f} ({score.severity})")
    if dry_run:
        return
    normalised = {step.question: step.answer for step in result.steps}
    append_rubric_answers(target, finding_id, normalised, by=by)
    out_console.print(f"recorded in {target}")


@app.command("check-policy")
def check_policy(policy: Path = typer.Argument(..., help="Risk policy YAML file.")) -> None:
    """Validate a risk-acceptability policy file (total, monotone matrices)."""
    from medsecurance.cli._console import out_console
    from medsecurance.risk.policy import load_policy

    loaded = load_policy(policy)
    out_console.print(f"{policy}: policy '{loaded.name}' is valid ({len(loaded.safety)} safety cells, "
                      f"{len(loaded.privacy)} privacy cells)")
