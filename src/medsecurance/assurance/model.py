"""The GSN assurance-case model (GSN Community Standard v3) and its structural checks.

Elements: goal, strategy, solution, context, assumption, justification, away goal and module,
with the *undeveloped* decorator and the SupportedBy / InContextOf relations. The checks are the
ones gsn2x applies (its V01–V06 per file, C01–C04 and C08 across files), reported as diagnostics.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any

__all__ = ["Case", "Node", "NodeType", "check_structure"]


class NodeType(StrEnum):
    """GSN element types (SCSC-141C v3 §1)."""

    GOAL = "goal"
    STRATEGY = "strategy"
    SOLUTION = "solution"
    CONTEXT = "context"
    ASSUMPTION = "assumption"
    JUSTIFICATION = "justification"
    AWAY_GOAL = "away-goal"
    MODULE = "module"

    @property
    def prefix(self) -> str:
        """The gsn2x id prefix of this type."""
        return _PREFIX[self.value]


_PREFIX = {"goal": "G", "strategy": "S", "solution": "Sn", "context": "C", "assumption": "A",
           "justification": "J", "away-goal": "G", "module": "M"}

#: SupportedBy targets allowed per source type (GSN v3 §1.3; gsn2x V04)
SUPPORTED_BY: Mapping[NodeType, frozenset[NodeType]] = MappingProxyType({
    NodeType.GOAL: frozenset({NodeType.GOAL, NodeType.STRATEGY, NodeType.SOLUTION, NodeType.AWAY_GOAL,
                              NodeType.MODULE}),
    NodeType.STRATEGY: frozenset({NodeType.GOAL, NodeType.AWAY_GOAL, NodeType.MODULE}),
    NodeType.MODULE: frozenset({NodeType.MODULE}),
})
#: InContextOf targets allowed per source type
IN_CONTEXT_OF: Mapping[NodeType, frozenset[NodeType]] = MappingProxyType({
    NodeType.GOAL: frozenset({NodeType.CONTEXT, NodeType.ASSUMPTION, NodeType.JUSTIFICATION, NodeType.MODULE}),
    NodeType.STRATEGY: frozenset({NodeType.CONTEXT, NodeType.ASSUMPTION, NodeType.JUSTIFICATION,
                                  NodeType.MODULE}),
    NodeType.AWAY_GOAL: frozenset({NodeType.CONTEXT, NodeType.ASSUMPTION, NodeType.JUSTIFICATION}),
})


@dataclass(frozen=True)
class Node:
    """One GSN element with its outgoing links; ``facts`` carries evaluation inputs (evidence, verdicts)."""

    id: str
    type: NodeType
    text: str
    supported_by: tuple[str, ...] = ()
    in_context_of: tuple[str, ...] = ()
    undeveloped: bool = False
    module: str = "main"
    pattern: str | None = None
    facts: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class Case:
    """An assurance case: nodes by id (insertion order is the instantiation order) and its root."""

    root: str
    nodes: Mapping[str, Node]
    modules: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({"main": "Assurance case"}))

    def parents(self) -> dict[str, list[str]]:
        """Node id → ids of the nodes linking to it (SupportedBy or InContextOf), sorted."""
        out: dict[str, list[str]] = {n: [] for n in self.nodes}
        for node in self.nodes.values():
            for child in (*node.supported_by, *node.in_context_of):
                if child in out:
                    out[child].append(node.id)
        return {k: sorted(v) for k, v in out.items()}


def _links(node: Node) -> Iterable[tuple[str, str, Mapping[NodeType, frozenset[NodeType]]]]:
    for target in node.supported_by:
        yield "supportedBy", target, SUPPORTED_BY
    for target in node.in_context_of:
        yield "inContextOf", target, IN_CONTEXT_OF


def _check_links(case: Case) -> list[str]:
    problems = []
    for node in case.nodes.values():
        seen: set[tuple[str, str]] = set()
        for rel, target, table in _links(node):
            if target == node.id:
                problems.append(f"V06: {node.id} refers to itself in {rel}")
            elif (rel, target) in seen:
                problems.append(f"V05: {node.id} lists {target} twice in {rel}")
            seen.add((rel, target))
            other = case.nodes.get(target)
            if other is None:
                problems.append(f"C03: {node.id} {rel} unknown element {target}")
            elif other.type not in table.get(node.type, frozenset()):
                problems.append(f"V04: {node.id} ({node.type.value}) may not have {rel} to "
                                f"{target} ({other.type.value})")
        if node.type in (NodeType.GOAL, NodeType.STRATEGY) and not node.supported_by and not node.undeveloped:
            problems.append(f"V02/V03: {node.type.value} {node.id} is neither supported nor marked undeveloped")
        if node.type is NodeType.SOLUTION and node.supported_by:
            problems.append(f"V04: solution {node.id} must be a leaf")
        if not node.id.startswith(node.type.prefix):
            problems.append(f"V08: {node.id} does not carry the prefix '{node.type.prefix}' of a {node.type.value}")
    return problems


def _check_cycles(case: Case) -> list[str]:
    state: dict[str, int] = {}
    problems: list[str] = []
    for start in case.nodes:  # iterative DFS: deep cases must not hit the recursion limit
        if state.get(start):
            continue
        stack: list[tuple[str, int]] = [(start, 0)]
        state[start] = 1
        while stack:
            nid, i = stack.pop()
            children = case.nodes[nid].supported_by if nid in case.nodes else ()
            if i < len(children):
                stack.append((nid, i + 1))
                child = children[i]
                if state.get(child) == 1:
                    problems.append(f"C04: SupportedBy cycle through {nid} → {child}")
                elif not state.get(child) and child in case.nodes:
                    state[child] = 1
                    stack.append((child, 0))
            else:
                state[nid] = 2
    return problems


def _check_root(case: Case) -> list[str]:
    referenced = {t for n in case.nodes.values() for t in (*n.supported_by, *n.in_context_of)}
    roots = sorted(n for n in case.nodes if n not in referenced)
    problems = []
    if roots != [case.root]:
        found = ", ".join(roots) or "none"
        problems.append(f"C01: exactly one unreferenced root expected ({case.root}), found: {found}")
    root = case.nodes.get(case.root)
    if root is None or root.type is not NodeType.GOAL:
        problems.append(f"C02: the root {case.root} must be a goal")
    reached: set[str] = set()
    todo = [case.root]
    while todo:
        nid = todo.pop()
        if nid in reached or nid not in case.nodes:
            continue
        reached.add(nid)
        todo.extend((*case.nodes[nid].supported_by, *case.nodes[nid].in_context_of))
    unreached = sorted(set(case.nodes) - reached)
    if unreached:
        problems.append(f"C08: not reachable from the root: {', '.join(unreached[:10])}")
    return problems


def check_structure(case: Case) -> list[str]:
    """Structural problems of the case (empty when it is well formed), with the gsn2x check id."""
    return sorted(set(_check_links(case) + _check_cycles(case) + _check_root(case)))
