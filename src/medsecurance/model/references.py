"""Cross-reference checks of a validated model: unique ids, dangling references, files, hashes."""

from __future__ import annotations

import difflib
import operator
from collections.abc import Iterable, Mapping, Sequence
from itertools import chain
from typing import TYPE_CHECKING, Protocol

from medsecurance._internal.io import sha256_file
from medsecurance.errors import Diagnostic
from medsecurance.model.schema import Component, ContractClause, Flow, SystemModel

if TYPE_CHECKING:
    from medsecurance.model.loader import SourceMap

__all__ = ["check_references"]

Path_ = tuple[str | int, ...]


class _HasId(Protocol):
    @property
    def id(self) -> str: ...


class _Checker:
    def __init__(self, model: SystemModel, smap: SourceMap, known: dict[str, set[str]] | None) -> None:
        self.model = model
        self.smap = smap
        self.errors: list[Diagnostic] = []
        self.warnings: list[Diagnostic] = []
        self.component_ids = [c.id for c in model.components]
        self.interfaces: set[tuple[str, str]] = set()  # (component id, interface id), from components_clean()
        lists: dict[str, list[str]] = {
            "hazard": [h.id for h in model.hazards],
            "asset": [a.id for a in model.assets],
            "zone": [z.id for z in model.zones],
            "conduit": [c.id for c in model.conduits],
            "component": self.component_ids,
            "flow": [f.id for f in model.flows],
            "actor": [a.id for a in model.actors],
            "evidence": [e.id for e in model.evidence],
            "trust boundary": [t.id for t in model.trust_boundaries],
        }
        self.declared = {kind: set(ids) for kind, ids in lists.items()}
        self.all_ids: set[str] = set().union(*self.declared.values())
        self._declared_count = sum(map(len, lists.values()))
        self._unique = len(self.all_ids) == self._declared_count
        self.ids: dict[str, set[str]] = self.declared
        if known:  # ids of elements that failed validation: not reported again as unknown
            self.ids = {kind: ids | known.get(_SECTIONS[kind], set()) for kind, ids in self.declared.items()}
            self.all_ids = set().union(*self.ids.values())
        self.all_ids.add(model.system.id)

    def ids_unique(self) -> bool:
        """True when no id is declared twice, within or across sections: unique_ids() would report nothing."""
        return self._unique

    def report(
        self, path: Path_, message: str, hint: str | None = None, element: str | None = None, warn: bool = False
    ) -> None:
        pos = self.smap.position_at(path)
        file, line, col = pos if pos else (str(self.smap.root), None, None)
        diag = Diagnostic(message, file=file, line=line, column=col, element=element, hint=hint)
        (self.warnings if warn else self.errors).append(diag)

    def ref(self, kind: str, value: str, path: Path_, element: str, pool: set[str] | None = None) -> None:
        known = self.ids[kind] if pool is None else pool
        if value in known:
            return
        close = difflib.get_close_matches(value, sorted(known), n=1, cutoff=0.6)
        hint = f"did you mean '{close[0]}'?" if close else f"declare it under '{_section(kind)}:' first"
        self.report(path, f"unknown {kind} '{value}'", hint, element)

    def unique_ids(self) -> None:
        seen: dict[str, Path_] = {}
        sections: list[tuple[str, tuple[_HasId, ...]]] = [
            ("hazards", self.model.hazards),
            ("assets", self.model.assets),
            ("zones", self.model.zones),
            ("conduits", self.model.conduits),
            ("trust_boundaries", self.model.trust_boundaries),
            ("components", self.model.components),
            ("flows", self.model.flows),
            ("actors", self.model.actors),
            ("evidence", self.model.evidence),
        ]
        for section, items in sections:
            for index, item in enumerate(items):
                path: Path_ = (section, index, "id")
                if item.id in seen:
                    first = self.smap.position_at(seen[item.id])
                    where = f" (first declared at line {first[1]})" if first else ""
                    self.report(path, f"duplicate id '{item.id}'{where}", "ids must be unique in the model", item.id)
                else:
                    seen[item.id] = path

    def assets_and_zones(self) -> None:
        for i, asset in enumerate(self.model.assets):
            for j, hz in enumerate(asset.hazards):
                self.ref("hazard", hz, ("assets", i, "hazards", j), asset.id)
        for i, conduit in enumerate(self.model.conduits):
            for j, zone in enumerate(conduit.zones):
                self.ref("zone", zone, ("conduits", i, "zones", j), conduit.id)
        for i, tb in enumerate(self.model.trust_boundaries):
            for j, zone in enumerate(tb.zones):
                self.ref("zone", zone, ("trust_boundaries", i, "zones", j), tb.id)
            for j, comp in enumerate(tb.components):
                self.ref("component", comp, ("trust_boundaries", i, "components", j), tb.id)

    # Fast path: components_clean() and flows_clean() test all references of their section in bulk (set
    # inclusion, no paths); the located walks components() and flows() run only when a test fails, so the
    # diagnostics and their order are the walk's. 5,000 components / 5,000 flows: check_references 26 → 11 ms.

    def _clauses_clean(self, owners: Sequence[Component] | Sequence[Flow]) -> bool:
        targets = {e for o in owners if o.assumes or o.guarantees
                   for clause in (*o.assumes, *o.guarantees) for e in clause.elements}
        return targets <= self.all_ids

    def components_clean(self) -> bool:
        """True when components() would report nothing."""
        comps = self.model.components
        zones = {c.zone for c in comps} - {None}
        assets = set(chain.from_iterable([c.assets for c in comps]))
        if not zones <= self.ids["zone"] or not assets <= self.ids["asset"]:
            return False
        if len(self.declared["component"]) != len(comps):  # duplicate component id: already an error
            return False
        ifaces = [c.interfaces for c in comps]
        self.interfaces = {(cid, i.id) for cid, its in zip(self.component_ids, ifaces, strict=True) for i in its}
        return len(self.interfaces) == sum(map(len, ifaces)) and self._clauses_clean(comps)

    def flows_clean(self) -> bool:
        """True when flows() would report nothing; needs components_clean() to have returned True."""
        flows, comps = self.model.flows, self.declared["component"]
        sources, targets = [f.source for f in flows], [f.target for f in flows]
        if not set(sources) <= comps or not set(targets) <= comps or any(map(operator.eq, sources, targets)):
            return False
        if not set(chain.from_iterable([f.data for f in flows])) <= self.ids["asset"]:
            return False
        if not {f.conduit for f in flows} - {None} <= self.ids["conduit"]:
            return False
        vias = [f.via for f in flows]
        # the usual case, an interface of the flow's target, in bulk; the other flows one by one
        missing = {(dst, via) for dst, via in set(zip(targets, vias, strict=True)) - self.interfaces if via is not None}
        if missing or "." in "\0".join(filter(None, vias)):
            for via, src, dst in zip(vias, sources, targets, strict=True):
                if via is None or ((dst, via) not in missing and "." not in via):
                    continue
                owner, _, iface = via.rpartition(".")
                ends = (owner,) if owner else (dst, src)
                if owner not in ("", src, dst) or not any((end, iface) in self.interfaces for end in ends):
                    return False
        return self._clauses_clean(flows)

    # components() and flows() test membership before calling ref(): building each reference's path
    # only when it is reported saved ~30 ms of a 5,000-component model's load (~50,000 references)

    def components(self) -> None:
        zones, assets = self.ids["zone"], self.ids["asset"]
        for i, comp in enumerate(self.model.components):
            if comp.zone is not None and comp.zone not in zones:
                self.ref("zone", comp.zone, ("components", i, "zone"), comp.id)
            for j, asset in enumerate(comp.assets):
                if asset not in assets:
                    self.ref("asset", asset, ("components", i, "assets", j), comp.id)
            seen: set[str] = set()
            for j, iface in enumerate(comp.interfaces):
                if iface.id in seen:
                    self.report(
                        ("components", i, "interfaces", j, "id"),
                        f"duplicate interface id '{iface.id}' on component '{comp.id}'",
                        "interface ids must be unique within a component",
                        comp.id,
                    )
                seen.add(iface.id)
            self.clauses(comp.assumes, ("components", i, "assumes"), comp.id)
            self.clauses(comp.guarantees, ("components", i, "guarantees"), comp.id)

    def flows(self) -> None:
        comps = {c.id: c for c in self.model.components}
        assets = self.ids["asset"]
        for i, flow in enumerate(self.model.flows):
            if flow.source not in comps:
                self.ref("component", flow.source, ("flows", i, "from"), flow.id)
            if flow.target not in comps:
                self.ref("component", flow.target, ("flows", i, "to"), flow.id)
            if flow.source == flow.target:
                self.report(("flows", i, "to"), "a flow cannot go from a component to itself", None, flow.id)
            for j, asset in enumerate(flow.data):
                if asset not in assets:
                    self.ref("asset", asset, ("flows", i, "data", j), flow.id)
            if flow.conduit is not None:
                self.ref("conduit", flow.conduit, ("flows", i, "conduit"), flow.id)
            if flow.via is not None:
                self.via(flow.via, flow.source, flow.target, comps, ("flows", i, "via"), flow.id)
            self.clauses(flow.assumes, ("flows", i, "assumes"), flow.id)
            self.clauses(flow.guarantees, ("flows", i, "guarantees"), flow.id)

    def via(self, via: str, src: str, dst: str, comps: Mapping[str, Component], path: Path_, element: str) -> None:
        owner, _, iface = via.rpartition(".")
        candidates = [owner] if owner else [dst, src]
        if owner and owner not in (src, dst):
            self.report(path, f"interface '{via}' belongs to '{owner}', which is not an end of this flow",
                        f"use an interface of '{src}' or '{dst}'", element)
            return
        names: list[str] = []
        for cid in candidates:
            comp = comps.get(cid)
            if comp is not None:
                if comp.interface(iface) is not None:
                    return
                names.extend(i.id for i in comp.interfaces)
        if not any(c in comps for c in candidates):
            return  # the endpoint itself is unknown and already reported
        close = difflib.get_close_matches(iface, sorted(set(names)), n=1, cutoff=0.6)
        hint = f"did you mean '{close[0]}'?" if close else f"declare it under the interfaces of '{candidates[0]}'"
        self.report(path, f"interface '{iface}' is not on {' or '.join(repr(c) for c in candidates)}", hint, element)

    def actors(self) -> None:
        for i, actor in enumerate(self.model.actors):
            for j, comp in enumerate(actor.uses):
                self.ref("component", comp, ("actors", i, "uses", j), actor.id)
            if actor.attacker is not None:
                for j, comp in enumerate(actor.attacker.targets):
                    self.ref("component", comp, ("actors", i, "attacker", "targets", j), actor.id)

    def clauses(self, clauses: Iterable[ContractClause], path: Path_, element: str) -> None:
        for i, clause in enumerate(clauses):
            for j, target in enumerate(clause.elements):
                self.ref("element", target, (*path, i, "elements", j), element, pool=self.all_ids)

    def files(self, check_files: bool) -> None:
        base = self.smap.root.parent
        for i, comp in enumerate(self.model.components):
            if comp.sbom and check_files and not (base / comp.sbom).is_file():
                self.report(("components", i, "sbom"), f"SBOM file not found: {comp.sbom}",
                            "give a path relative to the model file", comp.id)
        for i, ev in enumerate(self.model.evidence):
            for j, target in enumerate(ev.covers):
                self.ref("element", target, ("evidence", i, "covers", j), ev.id, pool=self.all_ids)
            if not ev.file or not check_files:
                continue
            path = base / ev.file
            if not path.is_file():
                self.report(("evidence", i, "file"), f"evidence file not found: {ev.file}",
                            "give a path relative to the model file", ev.id)
            elif ev.sha256 and sha256_file(path) != ev.sha256.lower():
                self.report(("evidence", i, "sha256"), f"evidence file {ev.file} has changed since it was recorded "
                            "(sha256 mismatch)", "review the evidence, then update 'sha256:'", ev.id, warn=True)


_SECTIONS = {
    "hazard": "hazards",
    "asset": "assets",
    "zone": "zones",
    "conduit": "conduits",
    "component": "components",
    "flow": "flows",
    "actor": "actors",
    "evidence": "evidence",
    "trust boundary": "trust_boundaries",
}


def _section(kind: str) -> str:
    return {"trust boundary": "trust_boundaries", "evidence": "evidence", "element": "any section"}.get(
        kind, kind + "s"
    )


def check_references(
    model: SystemModel,
    smap: SourceMap,
    *,
    check_files: bool = True,
    known: dict[str, set[str]] | None = None,
) -> tuple[list[Diagnostic], list[Diagnostic]]:
    """All reference errors, and the warnings (e.g. evidence hash mismatch), of a validated model.

    ``known`` adds ids (by section) of elements that exist but failed validation.
    """
    checker = _Checker(model, smap, known)
    if not checker.ids_unique():
        checker.unique_ids()
    checker.assets_and_zones()
    components_clean = checker.components_clean()
    if not components_clean:
        checker.components()
    if not (components_clean and checker.flows_clean()):
        checker.flows()
    checker.actors()
    checker.clauses(model.environment.guarantees if model.environment else (), ("environment", "guarantees"),
                    "environment")
    checker.files(check_files)
    return checker.errors, checker.warnings
