"""Compile the Turtle sources (and imported catalogues) into the in-memory :class:`KbIndex`.

This is the cold path: it parses RDF with rdflib once; the result is cached by the loader.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path

import rdflib
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from medsecurance._internal.io import read_text_limited
from medsecurance.errors import Diagnostic, KbError
from medsecurance.kb import build
from medsecurance.kb.catalogue import CatalogueFile
from medsecurance.kb.model import NS, KbIndex, Term, normalise

__all__ = ["compile_index", "parse_sources"]

IOMT = rdflib.Namespace(NS)

_CLASS_KIND: dict[str, str] = {
    "InterfaceKind": "interface",
    "Protocol": "protocol",
    "DataCategory": "data-category",
    "HazardType": "hazard-type",
    "SeverityLevel": "severity",
    "StrideCategory": "stride",
    "Control": "control",
    "FoundationalRequirement": "requirement",
    "Requirement": "requirement",
    "FdaCategory": "fda-category",
    "LifecycleActivity": "activity",
    "ThreatClass": "threat-class",
    "Weakness": "cwe",
    "AttackPattern": "capec",
    "IcsTechnique": "attack-ics",
}


def parse_sources(paths: Sequence[Path]) -> tuple[rdflib.Graph, dict[str, str]]:
    """Parse each Turtle file; return the merged graph and the file defining each term IRI."""
    graph = rdflib.Graph()
    origin: dict[str, str] = {}
    for path in paths:
        text = read_text_limited(path, error=KbError)
        part = rdflib.Graph()
        try:
            part.parse(data=text, format="turtle", publicID=NS)
        except Exception as exc:  # rdflib raises BadSyntax and assorted builtins
            line = getattr(exc, "lines", None)
            raise KbError(
                f"invalid Turtle: {getattr(exc, 'message', None) or exc}",
                file=path,
                line=int(line) + 1 if isinstance(line, int) else None,
                hint="fix the syntax of the knowledge-base file",
            ) from exc
        for subject in part.subjects(IOMT.id, None):
            origin.setdefault(str(subject), str(path))
        graph += part
    return graph, origin


def _kind_of(graph: rdflib.Graph, subject: rdflib.term.Node) -> str | None:
    for cls in graph.objects(subject, RDF.type):
        name = str(cls)[len(NS) :] if str(cls).startswith(NS) else ""
        if name in _CLASS_KIND:
            return _CLASS_KIND[name]
    if (subject, RDF.type, OWL.Class) in graph:
        return "device-type"
    return None


def _text(graph: rdflib.Graph, subject: rdflib.term.Node, prop: rdflib.URIRef) -> str:
    value = graph.value(subject, prop)
    return str(value) if value is not None else ""


def _read_terms(graph: rdflib.Graph, origin: dict[str, str]) -> tuple[dict[str, Term], list[Diagnostic]]:
    terms: dict[str, Term] = {}
    problems: list[Diagnostic] = []
    for subject in sorted(set(graph.subjects(IOMT.id, None)), key=str):
        kind = _kind_of(graph, subject)
        ident = _text(graph, subject, IOMT.id)
        if kind is None:
            problems.append(Diagnostic("term has no known kind (rdf:type)", file=origin.get(str(subject)),
                                       element=ident, hint="type it with one of the iomt: term classes"))
            continue
        attributes = tuple(sorted(
            (str(p)[len(NS):], str(o)) for p, o in graph.predicate_objects(subject)
            if isinstance(o, rdflib.Literal) and str(p).startswith(NS) and str(p) not in (str(IOMT.id), str(IOMT.alias))
        ))
        terms[str(subject)] = Term(
            id=ident,
            kind=kind,
            label=_text(graph, subject, RDFS.label),
            definition=_text(graph, subject, SKOS.definition),
            source=_text(graph, subject, DCTERMS.source),
            iri=str(subject),
            aliases=tuple(sorted(str(a) for a in graph.objects(subject, IOMT.alias))),
            attributes=attributes,
        )
    return terms, problems


def _read_edges(graph: rdflib.Graph, terms: dict[str, Term]) -> list[tuple[str, str, str]]:
    edges: list[tuple[str, str, str]] = []
    for subject in terms:
        for pred, obj in graph.predicate_objects(rdflib.URIRef(subject)):
            if not isinstance(obj, rdflib.URIRef) or not str(obj).startswith(NS):
                continue
            if pred == RDFS.subClassOf:
                edges.append((subject, "subClassOf", str(obj)))
            elif str(pred).startswith(NS):
                edges.append((subject, str(pred)[len(NS) :], str(obj)))
    return edges


def _merge_catalogue(terms: dict[str, Term], edges: list[tuple[str, str, str]], cat: CatalogueFile) -> None:
    """Imported entries replace the curated name and text of the same id; links are added."""
    for entry in cat.entries:
        iri = NS + entry.id
        old = terms.get(iri)
        attrs = dict(old.attributes) if old else {}
        attrs.update(dict(entry.attributes))
        attrs["deprecated"] = "true" if entry.deprecated else "false"
        terms[iri] = Term(
            id=entry.id, kind=cat.kind, label=entry.name, definition=entry.definition,
            source=f"{cat.source_label}, {entry.id} (imported from {cat.source_file})", iri=iri,
            aliases=old.aliases if old else (), attributes=tuple(sorted(attrs.items())),
        )
        edges.extend((iri, pred, NS + target) for pred, target in entry.relations)


def _name_index(terms: dict[str, Term]) -> tuple[dict[str, dict[str, str]], list[Diagnostic]]:
    names: dict[str, dict[str, str]] = defaultdict(dict)
    problems: list[Diagnostic] = []
    for term in sorted(terms.values(), key=lambda t: (t.kind, t.id)):
        table = names[term.kind]
        for name in (term.id, *term.aliases):
            key = normalise(name)
            other = table.get(key)
            if other is not None and other != term.id:
                problems.append(Diagnostic(
                    f"name '{name}' of {term.kind} '{term.id}' clashes with '{other}'", element=term.id,
                    hint="rename the id or drop the alias"))
            elif other is None:
                table[key] = term.id
    return dict(names), problems


def _adjacency(edges: Iterable[tuple[str, str, str]]) -> tuple[
        dict[str, tuple[tuple[str, str], ...]], dict[str, tuple[tuple[str, str], ...]]]:
    out: dict[str, set[tuple[str, str]]] = defaultdict(set)
    inc: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for s, p, o in edges:
        out[s].add((p, o))
        inc[o].add((p, s))
    return ({k: tuple(sorted(v)) for k, v in out.items()}, {k: tuple(sorted(v)) for k, v in inc.items()})


def compile_index(key: str, graph: rdflib.Graph, origin: dict[str, str],
                  catalogues: Sequence[CatalogueFile] = (), sources: Sequence[str] = ()) -> KbIndex:
    """Build the index from the parsed graph and imported catalogues; raise KbError on inconsistency."""
    terms, problems = _read_terms(graph, origin)
    edges = _read_edges(graph, terms)
    for cat in catalogues:
        _merge_catalogue(terms, edges, cat)
    names, clashes = _name_index(terms)
    problems.extend(clashes)
    edges_out, edges_in = _adjacency(edges)
    by_kind: dict[str, dict[str, str]] = defaultdict(dict)
    for iri, term in terms.items():
        by_kind[term.kind][term.id] = iri
    views = build.Views(terms, dict(by_kind), edges_out)
    problems.extend(views.dangling())
    if problems:
        raise KbError(diagnostics=problems)
    return KbIndex(
        key=key, terms=terms, by_kind=dict(by_kind), names=names, edges_out=edges_out, edges_in=edges_in,
        device_types=views.device_types(), protocols=views.protocols(), controls=views.controls(),
        threat_classes=views.threat_classes(), losses=views.losses(), severity_ranks=views.severity_ranks(),
        sources=tuple(sources),
    )
