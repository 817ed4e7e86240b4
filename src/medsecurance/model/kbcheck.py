"""Check the vocabulary a model uses against the knowledge base, with "did you mean" suggestions.

Component types, interface kinds, protocol stack entries, controls and countermeasures, data
categories and hazard types must be terms of the knowledge base (shipped or imported), so that
every analysis decision can be traced to a reviewed, sourced definition.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import chain
from typing import TYPE_CHECKING

from medsecurance.errors import Diagnostic
from medsecurance.model.schema import SystemModel

if TYPE_CHECKING:
    from medsecurance.kb import KnowledgeBase
    from medsecurance.model.loader import SourceMap

__all__ = ["check_terms"]

Path_ = tuple[str | int, ...]


def _terms(model: SystemModel) -> Iterator[tuple[str, str, Path_, str]]:
    """(kind, value, path, element id) for every KB term the model uses."""
    for i, h in enumerate(model.hazards):
        if h.hazard_type:
            yield "hazard-type", h.hazard_type, ("hazards", i, "hazard_type"), h.id
    for i, a in enumerate(model.assets):
        for j, cat in enumerate(a.data_categories):
            yield "data-category", cat, ("assets", i, "data_categories", j), a.id
    for i, z in enumerate(model.zones):
        for j, c in enumerate(z.countermeasures):
            yield "control", c, ("zones", i, "countermeasures", j), z.id
    for i, cd in enumerate(model.conduits):
        for j, c in enumerate(cd.countermeasures):
            yield "control", c, ("conduits", i, "countermeasures", j), cd.id
        for j, p in enumerate(cd.protocol):
            yield "protocol", p, ("conduits", i, "protocol", j), cd.id
    for i, comp in enumerate(model.components):
        yield "device-type", comp.type, ("components", i, "type"), comp.id
        for j, c in enumerate(comp.controls):
            yield "control", c, ("components", i, "controls", j), comp.id
        for j, iface in enumerate(comp.interfaces):
            yield "interface", iface.kind, ("components", i, "interfaces", j, "kind"), comp.id
            for k, p in enumerate(iface.protocol):
                yield "protocol", p, ("components", i, "interfaces", j, "protocol", k), comp.id
    for i, f in enumerate(model.flows):
        for j, p in enumerate(f.protocol):
            yield "protocol", p, ("flows", i, "protocol", j), f.id


def _distinct_terms(model: SystemModel) -> Iterator[tuple[str, Iterable[str]]]:
    """(kind, distinct values) of the terms _terms() yields, gathered in bulk without paths."""
    chained = chain.from_iterable
    interfaces = list(chained([c.interfaces for c in model.components]))
    yield "hazard-type", {h.hazard_type for h in model.hazards if h.hazard_type}
    yield "data-category", set(chained([a.data_categories for a in model.assets]))
    yield "control", set(chained([
        *[z.countermeasures for z in model.zones], *[c.countermeasures for c in model.conduits],
        *[c.controls for c in model.components],
    ]))
    yield "protocol", set(chained([
        *[c.protocol for c in model.conduits], *[i.protocol for i in interfaces], *[f.protocol for f in model.flows],
    ]))
    yield "device-type", {c.type for c in model.components}
    yield "interface", {i.kind for i in interfaces}


def _all_known(model: SystemModel, kb: KnowledgeBase) -> bool:
    """True when the knowledge base knows every term of the model: check_terms() would report nothing."""
    return all(kb.resolve(value, kind) is not None for kind, values in _distinct_terms(model) for value in values)


_NOUN = {"device-type": "component type", "data-category": "data category", "hazard-type": "hazard type"}


def check_terms(model: SystemModel, kb: KnowledgeBase, smap: SourceMap) -> list[Diagnostic]:
    """One diagnostic per term the knowledge base does not know."""
    # Fast path: resolve each distinct (kind, value) once; the located walk below runs only when a
    # term is unknown, so diagnostics and their order are those of the walk (20 → 5.5 ms, 5,000 nodes).
    if _all_known(model, kb):
        return []
    out: list[Diagnostic] = []
    cache: dict[tuple[str, str], bool] = {}
    for kind, value, path, element in _terms(model):
        key = (kind, value)
        if key not in cache:
            cache[key] = kb.resolve(value, kind) is not None
        if cache[key]:
            continue
        close = kb.suggest(value, kind)
        noun = _NOUN.get(kind, kind)
        hint = f"did you mean {' or '.join(repr(c) for c in close)}?" if close else \
            f"list the known ones with: medsec kb stats --format json ({kind})"
        pos = smap.position_at(path)
        file, line, col = pos if pos else (str(smap.root), None, None)
        out.append(Diagnostic(f"unknown {noun} '{value}' (not in the knowledge base)", file=file, line=line,
                              column=col, element=element, hint=hint))
    return out
