"""SHACL validation of the shipped knowledge base."""

from __future__ import annotations

import rdflib

from medsecurance.kb import load_kb
from medsecurance.kb.rdf import validate_shapes

IOMT = rdflib.Namespace("https://w3id.org/medsecurance/iomt#")


def test_shipped_kb_conforms_to_shapes() -> None:
    conforms, messages = validate_shapes(load_kb().graph())
    assert conforms, "\n".join(messages)


def test_shapes_catch_threat_class_without_control_or_stride() -> None:
    graph = rdflib.Graph()
    graph += load_kb().graph()
    graph.remove((IOMT["tc-default-credentials"], IOMT.mitigatedBy, None))
    graph.remove((IOMT["tc-default-credentials"], IOMT.stride, None))
    graph.remove((IOMT["c-secure-boot"], rdflib.URIRef("http://purl.org/dc/terms/source"), None))
    conforms, messages = validate_shapes(graph)
    assert not conforms
    text = "\n".join(messages)
    assert "iomt:tc-default-credentials" in text and "mitigating control" in text and "STRIDE" in text
    assert "iomt:c-secure-boot" in text
