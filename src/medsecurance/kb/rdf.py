"""The RDF side of the knowledge base: the full graph, SPARQL queries, Turtle/JSON-LD export, SHACL."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import rdflib
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, XSD

from medsecurance.errors import KbError, MissingDependencyError
from medsecurance.kb.catalogue import read_catalogue
from medsecurance.kb.compile import parse_sources
from medsecurance.kb.model import NS

__all__ = ["SHAPES_FILE", "QueryResult", "build_graph", "export_text", "run_query", "validate_shapes"]

IOMT = rdflib.Namespace(NS)
SHAPES_FILE = Path(__file__).resolve().parent / "shapes" / "kb-shapes.ttl"
_KIND_CLASS = {"cwe": IOMT.Weakness, "capec": IOMT.AttackPattern, "attack-ics": IOMT.IcsTechnique}
_PREFIXES = {"iomt": IOMT, "rdf": RDF, "rdfs": RDFS, "owl": OWL, "skos": SKOS, "dcterms": DCTERMS, "xsd": XSD}


def _bind(graph: rdflib.Graph) -> rdflib.Graph:
    for prefix, ns in _PREFIXES.items():
        graph.bind(prefix, ns, override=True)
    return graph


def build_graph(ttl_files: Sequence[Path], catalogue_files: Sequence[Path]) -> rdflib.Graph:
    """Shipped Turtle plus the imported catalogue entries as triples."""
    graph, _ = parse_sources(list(ttl_files))
    for path in catalogue_files:
        cat = read_catalogue(path)
        for entry in cat.entries:
            node = IOMT[entry.id]
            for old in (RDFS.label, SKOS.definition, DCTERMS.source):
                graph.remove((node, old, None))
            graph.add((node, RDF.type, _KIND_CLASS[cat.kind]))
            graph.add((node, IOMT.id, rdflib.Literal(entry.id)))
            graph.add((node, RDFS.label, rdflib.Literal(entry.name)))
            graph.add((node, SKOS.definition, rdflib.Literal(entry.definition)))
            graph.add((node, DCTERMS.source, rdflib.Literal(f"{cat.source_label}, {entry.id}")))
            for pred, target in entry.relations:
                graph.add((node, IOMT[pred], IOMT[target]))
    return _bind(graph)


def export_text(graph: rdflib.Graph, fmt: str) -> str:
    """Serialise as Turtle ('ttl') or JSON-LD ('jsonld')."""
    formats = {"ttl": "turtle", "turtle": "turtle", "jsonld": "json-ld", "json-ld": "json-ld"}
    if fmt not in formats:
        raise KbError(f"unknown export format '{fmt}'", hint="use ttl or jsonld")
    if formats[fmt] == "json-ld":
        context = {prefix: str(ns) for prefix, ns in _PREFIXES.items()}
        return str(graph.serialize(format="json-ld", context=context, indent=2, sort_keys=True))
    return str(graph.serialize(format="turtle"))


@dataclass(frozen=True, slots=True)
class QueryResult:
    """A SELECT result as strings (or an ASK answer as one row with one boolean cell)."""

    variables: tuple[str, ...]
    rows: tuple[tuple[str | None, ...], ...]


def _cell(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, rdflib.URIRef) and str(value).startswith(NS):
        return "iomt:" + str(value)[len(NS) :]
    return str(value)


def run_query(graph: rdflib.Graph, text: str) -> QueryResult:
    """Run a SPARQL SELECT or ASK query; the usual prefixes (iomt, rdfs, skos, dcterms, owl) are predefined."""
    try:
        result = graph.query(text, initNs=_PREFIXES)
    except Exception as exc:  # pyparsing raises ParseException, rdflib assorted errors
        raise KbError(f"SPARQL query failed: {exc}", element="query",
                      hint="check the query syntax; prefixes iomt:, rdfs:, skos:, dcterms: are predefined") from exc
    if result.type == "ASK":
        return QueryResult(("ask",), ((str(bool(result.askAnswer)).lower(),),))
    if result.type != "SELECT":
        raise KbError(f"{result.type} queries are not supported", element="query", hint="use SELECT or ASK")
    variables = tuple(str(v) for v in (result.vars or ()))
    rows = tuple(tuple(_cell(row[i]) for i in range(len(variables))) for row in result)  # type: ignore[index]
    return QueryResult(variables, rows)


def validate_shapes(graph: rdflib.Graph, shapes_file: Path = SHAPES_FILE) -> tuple[bool, list[str]]:
    """Validate the graph against the SHACL shapes; (conforms, messages) with one line per violation."""
    try:
        import pyshacl
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise MissingDependencyError("SHACL validation of the knowledge base", "shacl") from exc
    shapes = rdflib.Graph().parse(shapes_file, format="turtle")
    conforms, report, _ = pyshacl.validate(graph, shacl_graph=shapes, inference="none", advanced=True)
    messages: list[str] = []
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    for res in report.subjects(RDF.type, sh.ValidationResult):
        focus = report.value(res, sh.focusNode)
        path = report.value(res, sh.resultPath)
        msg = report.value(res, sh.resultMessage)
        messages.append(f"{_cell(focus)}: {_cell(path) or ''} {msg}".strip())
    return bool(conforms), sorted(messages)
