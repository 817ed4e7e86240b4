"""``medsec kb``: inspect, query, export and extend the knowledge base."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import typer

app = typer.Typer(no_args_is_help=True, help="Inspect, query, export and extend the IoMT knowledge base.")

_KB_DIR_HELP = "User KB folder with imported catalogues (default: $MEDSEC_KB_DIR or the user data dir)."


class StatsFormat(StrEnum):
    """Output formats of ``kb stats``."""

    TABLE = "table"
    JSON = "json"


class QueryFormat(StrEnum):
    """Output formats of ``kb query``."""

    TABLE = "table"
    JSON = "json"
    CSV = "csv"


class ExportFormat(StrEnum):
    """Output formats of ``kb export``."""

    TTL = "ttl"
    JSONLD = "jsonld"


class CatalogueKind(StrEnum):
    """Catalogues ``kb import`` understands."""

    CWE = "cwe"
    CAPEC = "capec"
    ATTACK_ICS = "attack-ics"


@app.command("stats")
def stats_cmd(
    fmt: StatsFormat = typer.Option(StatsFormat.TABLE, "--format", "-f", help="Output format."),
    kb_dir: Path | None = typer.Option(None, "--kb-dir", help=_KB_DIR_HELP),
) -> None:
    """Number of terms per kind."""
    from medsecurance._internal.io import canonical_json
    from medsecurance.cli._console import out_console
    from medsecurance.kb import load_kb

    counts = load_kb(kb_dir=kb_dir).counts()
    if fmt is StatsFormat.JSON:
        out_console.out(canonical_json(counts), end="")
        return
    width = max(len(k) for k in counts)
    for kind, count in counts.items():
        out_console.out(f"{kind:<{width}}  {count:>5}")
    out_console.out(f"{'total':<{width}}  {sum(counts.values()):>5}")


@app.command("show")
def show_cmd(
    term: str = typer.Argument(..., help="Id or alias of a term, e.g. InfusionPump, TLS1.2, CWE-287."),
    kb_dir: Path | None = typer.Option(None, "--kb-dir", help=_KB_DIR_HELP),
) -> None:
    """Label, definition, source and links in and out of one term."""
    from medsecurance.cli._console import out_console
    from medsecurance.errors import KbError
    from medsecurance.kb import load_kb
    from medsecurance.kb.render import render_term

    kb = load_kb(kb_dir=kb_dir)
    found = kb.term(term)
    if found is None:
        hint = kb.suggest(term)
        raise KbError(f"unknown term '{term}'", element=term,
                      hint=f"did you mean: {', '.join(hint)}" if hint else "see: medsec kb stats")
    out_console.out(render_term(kb, found), end="")


@app.command("query")
def query_cmd(
    sparql: str = typer.Argument(..., help="A SPARQL SELECT or ASK query (prefixes iomt:, rdfs:, skos: predefined)."),
    fmt: QueryFormat = typer.Option(QueryFormat.TABLE, "--format", "-f", help="Output format."),
    kb_dir: Path | None = typer.Option(None, "--kb-dir", help=_KB_DIR_HELP),
) -> None:
    """Run a SPARQL query over the knowledge base."""
    from medsecurance.cli._console import out_console
    from medsecurance.kb import load_kb
    from medsecurance.kb.rdf import run_query
    from medsecurance.kb.render import render_rows

    result = run_query(load_kb(kb_dir=kb_dir).graph(), sparql)
    out_console.out(render_rows(result, fmt.value), end="")


@app.command("export")
def export_cmd(
    fmt: ExportFormat = typer.Option(..., "--format", "-f", help="ttl (Turtle) or jsonld (JSON-LD)."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Output file (default: standard output)."),
    kb_dir: Path | None = typer.Option(None, "--kb-dir", help=_KB_DIR_HELP),
) -> None:
    """Export the whole knowledge base (with imported catalogues) as Turtle or JSON-LD."""
    from medsecurance._internal.io import atomic_write_text
    from medsecurance.cli._console import out_console
    from medsecurance.kb import load_kb
    from medsecurance.kb.rdf import export_text

    text = export_text(load_kb(kb_dir=kb_dir).graph(), fmt.value)
    if output is None:
        out_console.out(text, end="")
    else:
        atomic_write_text(output, text)
        out_console.print(f"wrote {output}")


@app.command("import")
def import_cmd(
    kind: CatalogueKind = typer.Argument(..., help="cwe (CWE XML), capec (CAPEC STIX 2.1), attack-ics (ATT&CK ICS)."),
    file: Path = typer.Argument(..., help="MITRE's file, plain or gzip-compressed."),
    kb_dir: Path | None = typer.Option(None, "--kb-dir", help=_KB_DIR_HELP),
) -> None:
    """Import a MITRE catalogue into the user KB folder (atomic: on error nothing changes)."""
    from medsecurance.cli._console import out_console
    from medsecurance.kb.importers import import_catalogue

    result = import_catalogue(kind.value, file, kb_dir=kb_dir)
    out_console.print(f"imported {result.entries} {kind.value} entries (version {result.version}, "
                      f"{result.deprecated} deprecated) into {result.target}")
