"""``medsec readiness``, ``medsec package`` and ``medsec diff``: thin layers over medsecurance.assurance."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:
    from medsecurance.pipeline import AnalysisOptions

__all__ = ["register"]

_FORMATS = ("table", "json", "md")


def _options(vulndb: Path | None, policy: Path | None, as_of: str | None) -> AnalysisOptions:
    import datetime as dt

    from medsecurance import api
    from medsecurance.errors import UsageError

    try:
        when = dt.date.fromisoformat(as_of) if as_of else None
    except ValueError as exc:
        raise UsageError(f"--as-of: '{as_of}' is not a date", hint="use YYYY-MM-DD") from exc
    return api.AnalysisOptions(vulndb=vulndb, policy=policy, as_of=when)


def _check_format(fmt: str) -> None:
    from medsecurance.errors import UsageError

    if fmt not in _FORMATS:
        raise UsageError(f"unknown format '{fmt}'", hint=f"use {', '.join(_FORMATS)}")


def _table(title: str, header: list[str], rows: list[list[str]]) -> None:
    from rich.table import Table

    from medsecurance.cli._console import out_console

    t = Table(title=title, show_lines=False)
    for h in header:
        t.add_column(h, overflow="fold")
    for r in rows:
        t.add_row(*r)
    out_console.print(t)


def readiness_cmd(
    model: Path = typer.Argument(..., metavar="MODEL", help="System model (model.yaml)."),
    framework: str = typer.Option(
        ...,
        "--framework",
        help="fda-premarket, eu-mdr, iec-81001-5-1, iec-62443-4-1, iec-tr-60601-4-5, or a framework YAML file.",
    ),
    fmt: str = typer.Option("table", "--format", "-f", help="table, json or md."),
    vulndb: Path | None = typer.Option(None, "--vulndb", help="Advisory database."),
    policy: Path | None = typer.Option(None, "--policy", help="Risk acceptability policy (YAML)."),
    as_of: str | None = typer.Option(None, "--as-of", help="Reference date YYYY-MM-DD (default: today)."),
) -> None:
    """Readiness against a regulatory framework: each clause met, partial or missing, with next steps."""
    from medsecurance import api
    from medsecurance._internal.io import canonical_json
    from medsecurance.assurance.frameworks import load_framework
    from medsecurance.assurance.readiness import readiness_for, render_markdown

    _check_format(fmt)
    load_framework(framework)  # a bad framework fails before the analysis runs
    options = _options(vulndb, policy, as_of)
    loaded = api.load(model)
    kb = api.load_kb(options)
    table = readiness_for(api.analyze_loaded(loaded, options, kb), loaded, kb, framework).to_dict()
    if fmt == "json":
        typer.echo(canonical_json(table), nl=False)
    elif fmt == "md":
        typer.echo(render_markdown(table))
    else:
        s = table["summary"]
        _table(
            f"{table['title']}: {s['met']} met, {s['partial']} partial, {s['missing']} missing",
            ["clause", "title", "status", "next steps"],
            [[c["id"], c["title"], c["status"], "; ".join(c["next"])] for c in table["clauses"]],
        )


def package_cmd(
    model: Path = typer.Argument(..., metavar="MODEL", help="System model (model.yaml)."),
    framework: str = typer.Option(..., "--framework", help="fda-premarket or eu-mdr."),
    out: Path = typer.Option(..., "--out", "-o", help="Package folder (replaced atomically)."),
    vulndb: Path | None = typer.Option(None, "--vulndb", help="Advisory database."),
    policy: Path | None = typer.Option(None, "--policy", help="Risk acceptability policy (YAML)."),
    as_of: str | None = typer.Option(None, "--as-of", help="Reference date YYYY-MM-DD (default: today)."),
) -> None:
    """Assemble the submission package (FDA Appendix 4 or MDR technical documentation) with a hash manifest."""
    from medsecurance import api
    from medsecurance.assurance.package import PACKAGE_FRAMEWORKS, build_package
    from medsecurance.cli._console import out_console
    from medsecurance.errors import UsageError

    if framework not in PACKAGE_FRAMEWORKS:
        raise UsageError(f"no package layout for framework '{framework}'", hint=f"use {', '.join(PACKAGE_FRAMEWORKS)}")
    options = _options(vulndb, policy, as_of)
    loaded = api.load(model)
    kb = api.load_kb(options)
    result = build_package(loaded, api.analyze_loaded(loaded, options, kb), kb, framework, out, options)
    out_console.print(f"wrote {len(result.files)} files to {result.path}")


def diff_cmd(
    old: Path = typer.Argument(..., metavar="OLD", help="Old model.yaml (or assessment JSON)."),
    new: Path = typer.Argument(..., metavar="NEW", help="New model.yaml (or assessment JSON)."),
    fmt: str = typer.Option("table", "--format", "-f", help="table, json or md."),
    fail_on_impact: bool = typer.Option(
        False, "--fail-on-impact", help="Exit 1 when the change may affect cybersecurity."
    ),
    vulndb: Path | None = typer.Option(None, "--vulndb", help="Advisory database."),
    as_of: str | None = typer.Option(None, "--as-of", help="Reference date YYYY-MM-DD (default: today)."),
) -> int:
    """Change impact between two releases, and whether it may affect cybersecurity (FDA guidance VII.D)."""
    from medsecurance._internal.io import canonical_json
    from medsecurance.assurance.diff import diff_files

    _check_format(fmt)
    result = diff_files(old, new, options=_options(vulndb, None, as_of))
    data = result.to_dict()
    if fmt == "json":
        typer.echo(canonical_json(data), nl=False)
    else:
        text = _diff_text(data)
        if fmt == "md":
            typer.echo(text)
        else:
            from medsecurance.cli._console import out_console

            out_console.print(text, markup=False, highlight=False)
    return 1 if fail_on_impact and result.may_affect_cybersecurity else 0


def _diff_text(d: dict[str, Any]) -> str:
    verdict = {
        True: "MAY AFFECT CYBERSECURITY",
        False: "not expected to affect cybersecurity",
        None: "unknown (assessment inputs carry no model)",
    }[d["may_affect_cybersecurity"]]
    lines = [f"# Change impact: {d['old']} → {d['new']}", "", f"**{verdict}**", ""]
    lines += [f"- {r}" for r in d["reasons"]]
    if d["model_changes"] is not None:
        lines += ["", "## Model changes", ""]
        lines += [
            f"- [{c['category']}] {c['kind']} {c['collection']} {c['element']}"
            + (f" {c['field']}: {c['old']!r} → {c['new']!r}" if c["kind"] == "changed" else f" {c['field']}")
            for c in d["model_changes"]
        ] or ["- none"]
    for key in ("findings", "risks", "assurance"):
        part = d["analysis"].get(key)
        if part:
            lines += [
                "",
                f"## {key.capitalize()}: {len(part['appeared'])} appeared, {len(part['disappeared'])} "
                f"disappeared, {len(part['changed'])} changed",
                "",
            ]
            lines += [f"- appeared {x['id']} {x.get('title') or x.get('text', '')}" for x in part["appeared"]]
            lines += [f"- disappeared {x['id']} {x.get('title') or x.get('text', '')}" for x in part["disappeared"]]
            lines += [f"- changed {x['id']}: {x['changes']}" for x in part["changed"]]
    lines += ["", "## Evidence to redo", ""]
    lines += [f"- {e['evidence']} ({e['kind']}): {'; '.join(e['because'])}" for e in d["evidence_to_redo"]] or [
        "- none"
    ]
    if d["not_covered_by_evidence"]:
        lines += ["", "Changed elements no evidence covers: " + ", ".join(d["not_covered_by_evidence"])]
    return "\n".join(lines)


def register(app: typer.Typer) -> None:
    """Mount ``readiness``, ``package`` and ``diff`` as top-level commands."""
    app.command("readiness")(readiness_cmd)
    app.command("package")(package_cmd)
    app.command("diff")(diff_cmd)
