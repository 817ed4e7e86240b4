"""The instantiation engine: patterns × facts → a GSN case with stable ids.

Roles ``{var.field}`` are replaced by model data, ``for_each`` expands the multiplicity,
``when`` drops optional nodes, ``requires`` marks a node undeveloped when a stage did not run,
``analysis:``/``evidence:`` attach shared solutions (``Sn-analysis-<stage>``, ``Sn-<evidence id>``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from types import MappingProxyType
from typing import Any

from medsecurance.assurance.checks import CHECKS
from medsecurance.assurance.facts import Facts
from medsecurance.assurance.model import Case, Node, NodeType
from medsecurance.assurance.patterns import NodeTemplate, Pattern
from medsecurance.errors import AssuranceError

__all__ = ["instantiate"]

_ROLE = re.compile(r"\{([a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)*)\}")
_STAGE_TEXT = {
    "threats": "Threat analysis results (rule-driven threats and attack paths)",
    "risk": "Security-for-safety risk register (exploitability × severity of harm, controls, residual risk)",
    "vulnerabilities": "SBOM check and known-vulnerability matching with VEX status",
    "contracts": "IEC 62443 security-level and assume/guarantee contract check",
    "communications": "Protocol-stack analysis of each data flow",
}


@dataclass
class _Builder:
    facts: Facts
    pattern: Pattern
    nodes: dict[str, Node] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)

    def fail(self, tpl: NodeTemplate, message: str) -> AssuranceError:
        file = self.pattern.file or self.pattern.pattern
        return AssuranceError(f"pattern '{self.pattern.pattern}', node '{tpl.id}': {message}", file=file,
                              line=_line_of(file, tpl.id), hint="fix the pattern file")

    def lookup(self, tpl: NodeTemplate, path: str, env: Mapping[str, Any]) -> Any:
        head, *rest = _split(path)
        if head in env:
            value = env[head]
        elif head in self.pattern.data:
            value = [dict(x) for x in self.pattern.data[head]]
        elif head in self.facts.scope:
            value = self.facts.scope[head]
        else:
            raise self.fail(tpl, f"unknown role '{head}' in '{path}'")
        for part in rest:
            if not (type(value) is dict or isinstance(value, Mapping)) or part not in value:  # dict: fast path
                raise self.fail(tpl, f"'{path}': no field '{part}'")
            value = value[part]
        return value

    def truthy(self, tpl: NodeTemplate, path: str, env: Mapping[str, Any]) -> bool:
        """``when:`` — a missing optional field counts as false, an unknown role is still an error."""
        head = path.split(".")[0]
        if head not in env and head not in self.pattern.data and head not in self.facts.scope:
            raise self.fail(tpl, f"unknown role '{head}' in when: '{path}'")
        try:
            return bool(self.lookup(tpl, path, env))
        except AssuranceError:
            return False

    def stages(self, tpl: NodeTemplate, env: Mapping[str, Any]) -> list[str]:
        """The ``analysis:`` stages, where an entry '{path}' names a list in the data."""
        out: list[str] = []
        for item in tpl.analysis:
            got = self.lookup(tpl, item[1:-1], env) if item.startswith("{") else [item]
            out += [str(x) for x in (got if isinstance(got, list | tuple) else [got])]
        return out

    def fill(self, tpl: NodeTemplate, text: str, env: Mapping[str, Any]) -> str:
        parts = _template(text)
        if len(parts) == 1:
            return text  # no role to fill
        if len(parts) == 3 and type(value := env.get(parts[1])) is str:  # one plain role, e.g. 'G-threat-{f}'
            return parts[0] + value + parts[2]
        out = []
        for i, part in enumerate(parts):
            if i % 2 == 0:
                out.append(part)
                continue
            v = self.lookup(tpl, part, env)
            out.append(", ".join(str(x) for x in v) if isinstance(v, list | tuple) else str(v))
        return "".join(out)

    def add(self, node: Node) -> str:
        old = self.nodes.get(node.id)
        if old is not None and old.type is not node.type:
            raise AssuranceError(f"node id {node.id} is produced as {old.type.value} and as {node.type.value}",
                                 file=self.pattern.file, hint="make the ids of the two templates different")
        if old is None:
            self.nodes[node.id] = node
            self.order.append(node.id)
        elif node.supported_by or node.in_context_of:  # the same claim reached twice: merge its links
            self.nodes[node.id] = Node(old.id, old.type, old.text,
                                       _merge(old.supported_by, node.supported_by),
                                       _merge(old.in_context_of, node.in_context_of),
                                       old.undeveloped and node.undeveloped, old.module, old.pattern,
                                       MappingProxyType(dict(old.facts) | dict(node.facts)))
        return node.id

    def solution_for_stage(self, stage: str) -> str:
        return self.add(Node(f"Sn-analysis-{stage}", NodeType.SOLUTION, _STAGE_TEXT.get(
            stage, f"Results of the {stage} analysis"), pattern=self.pattern.pattern,
            facts=MappingProxyType({"stage": stage})))

    def solutions_for_evidence(self, tpl: NodeTemplate, env: Mapping[str, Any]) -> list[str]:
        sel = tpl.evidence
        assert sel is not None
        kinds = self.lookup(tpl, sel.kinds[1:-1], env) if isinstance(sel.kinds, str) else sel.kinds
        covers = set(self.lookup(tpl, sel.covers[1:-1], env)) if sel.covers else None
        out = []
        for ev in self.facts.scope.get("evidence", ()):
            if ev["kind"] in kinds and (covers is None or covers & set(ev.get("covers") or ())):
                text = ev.get("title") or ev["id"]
                text = f"{text} ({ev['kind']}" + (f", {ev['date']}" if ev.get("date") else "") + ")"
                out.append(self.add(Node(f"Sn-{ev['id']}", NodeType.SOLUTION, text, pattern=self.pattern.pattern,
                                         facts=MappingProxyType({"evidence": ev["id"]}))))
        return sorted(out)

    def expand(self, tpl: NodeTemplate, env: dict[str, Any]) -> list[str]:
        loop = tpl.loop()
        if loop is None:
            if tpl.when and not self.truthy(tpl, tpl.when, env):
                return []
            return [self.one(tpl, env)]
        var, path = loop
        value = self.lookup(tpl, path, env)
        if not isinstance(value, list | tuple):
            raise self.fail(tpl, f"for_each path '{path}' is not a list")
        # One scope for the whole loop, rebound per item: nothing keeps a scope (nodes hold filled
        # text; checks get the item), and a nested loop copies it. Saves two dicts per item.
        scope = dict(env)
        out = []
        for item in value:
            scope[var] = scope["_item"] = item
            if tpl.when and not self.truthy(tpl, tpl.when, scope):
                continue
            out.append(self.fill(tpl, tpl.id, scope) if tpl.ref else self.one(tpl, scope))
        return out

    def one(self, tpl: NodeTemplate, env: dict[str, Any]) -> str:
        nid = self.fill(tpl, tpl.id, env)
        if tpl.ref:
            return nid
        ntype = NodeType(tpl.type)
        facts: dict[str, Any] = {}
        missing = [s for s in tpl.requires if s not in self.facts.stages]
        supported: list[str] = []
        context = [i for c in tpl.context for i in self.expand(c, env)]
        reasons: list[str] = []
        if missing:
            reasons.append(f"the {', '.join(missing)} analysis did not run, so this claim is not argued")
        else:
            if tpl.check:
                verdict = CHECKS[tpl.check](env.get("_item", {}), self.facts)
                if verdict is not None:
                    facts["verdict"] = verdict
            for child in tpl.children:
                got = self.expand(child, env)
                supported += got
                if not got and child.for_each and child.if_none:
                    reasons.append(self.fill(child, child.if_none, env))
            stages = self.stages(tpl, env)
            supported += [self.solution_for_stage(s) for s in stages if s in self.facts.stages]
            reasons += [f"the {s} analysis did not run" for s in stages if s not in self.facts.stages]
            if tpl.evidence is not None:
                supported += self.solutions_for_evidence(tpl, env)
        undeveloped = ntype in (NodeType.GOAL, NodeType.STRATEGY, NodeType.AWAY_GOAL) and not supported
        if undeveloped:
            reasons.append(self.fill(tpl, tpl.undeveloped_reason, env) if tpl.undeveloped_reason
                           else "the model gives no argument or evidence for this claim")
        if reasons:
            facts["notes"] = tuple(reasons)
        return self.add(Node(nid, ntype, self.fill(tpl, tpl.text, env), tuple(dict.fromkeys(supported)),
                             tuple(dict.fromkeys(context)), undeveloped, tpl.module or "main",
                             self.pattern.pattern, MappingProxyType(facts)))


@lru_cache(maxsize=4096)
def _template(text: str) -> tuple[str, ...]:
    """A template split once into literal text and role paths, alternating (literals at even positions)."""
    return tuple(_ROLE.split(text))


@lru_cache(maxsize=4096)
def _split(path: str) -> tuple[str, ...]:
    return tuple(path.split("."))


def _merge(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys((*a, *b)))


def _line_of(file: str, needle: str, key: str = "id:") -> int | None:
    from pathlib import Path

    path = Path(file)
    if not path.is_file():
        from importlib import resources

        name = file.rsplit("/", 1)[-1]
        entry = resources.files("medsecurance.assurance") / "data" / "patterns" / name
        text = entry.read_text(encoding="utf-8") if entry.is_file() else ""
    else:
        text = path.read_text(encoding="utf-8", errors="replace")
    for i, line in enumerate(text.splitlines(), 1):
        if needle in line and key in line:
            return i
    return None


def _validate(pattern: Pattern) -> None:
    todo = [pattern.root]
    while todo:
        tpl = todo.pop()
        if tpl.check and tpl.check not in CHECKS:
            raise AssuranceError(f"pattern '{pattern.pattern}', node '{tpl.id}': unknown check '{tpl.check}'",
                                 file=pattern.file, line=_line_of(pattern.file or "", tpl.id),
                                 hint=f"known checks: {', '.join(sorted(CHECKS))}")
        todo += [*tpl.children, *tpl.context]


def instantiate(patterns: Sequence[Pattern], facts: Facts) -> Case:
    """Instantiate the patterns into one case: exactly one pattern (no ``attach``) gives the root."""
    tops = [p for p in patterns if p.attach is None]
    if len(tops) != 1:
        raise AssuranceError(f"exactly one pattern must have no 'attach' (the top claim); found "
                             f"{', '.join(p.pattern for p in tops) or 'none'}",
                             file=(tops[1].file if len(tops) > 1 else None),
                             hint="give the other patterns 'attach: <node id>'")
    nodes: dict[str, Node] = {}
    order: list[str] = []
    root = ""
    for pattern in [tops[0], *(p for p in patterns if p.attach is not None)]:
        _validate(pattern)
        builder = _Builder(facts, pattern, nodes, order)
        top = builder.expand(pattern.root, {})
        if pattern.attach is None:
            root = top[0]
            continue
        parent = nodes.get(pattern.attach)
        if parent is None:
            raise AssuranceError(f"pattern '{pattern.pattern}' attaches to unknown node '{pattern.attach}'",
                                 file=pattern.file, line=_line_of(pattern.file or "", pattern.attach, "attach:"),
                                 hint="attach to a node id produced by an earlier pattern (lower 'order')")
        nodes[parent.id] = Node(parent.id, parent.type, parent.text, _merge(parent.supported_by, tuple(top)),
                                parent.in_context_of, False, parent.module, parent.pattern,
                                MappingProxyType({k: v for k, v in parent.facts.items() if k != "notes"}))
    return Case(root, MappingProxyType({k: nodes[k] for k in order}))
