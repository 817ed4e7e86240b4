"""Validation of the rubric table: every metric has a flow, every branch ends in a legal value."""

from __future__ import annotations

from types import MappingProxyType
from typing import TYPE_CHECKING

from medsecurance._internal.yamlloc import LocDict, LocList

if TYPE_CHECKING:
    from medsecurance.risk._data import Table
    from medsecurance.risk.rubric import Outcome, Question, Rubric

__all__ = ["build_rubric"]


def _outcome(table: Table, path: list[str | int], metric: str, known: set[str]) -> Outcome:
    from medsecurance.risk.rubric import METRICS, Outcome

    node = table.get(path)
    keys = set(node) & {"value", "ask", "error"}
    if len(keys) != 1 or set(node) - keys:
        table.fail(path, "an outcome needs exactly one of 'value', 'ask' or 'error'")
    if "value" in node and node["value"] not in METRICS[metric]:
        table.fail([*path, "value"], f"'{node['value']}' is not a value of {metric} ({', '.join(METRICS[metric])})")
    if "ask" in node and node["ask"] not in known:
        table.fail([*path, "ask"], f"unknown question '{node['ask']}'")
    return Outcome(value=node.get("value"), ask=node.get("ask"), error=node.get("error"))


def _question(table: Table, qid: str, known: set[str]) -> Question:
    from medsecurance.risk.rubric import METRICS, Question

    base: list[str | int] = ["questions", qid]
    node = table.get(base)
    metric = node.get("metric")
    if metric not in METRICS:
        table.fail([*base, "metric"], f"unknown metric '{metric}'")
    kind = node.get("kind")
    if kind == "yes-no":
        choices = {a: _outcome(table, [*base, a], metric, known) for a in ("yes", "no")}
    elif kind == "choice":
        raw = table.get([*base, "choices"])
        choices = {str(a): _outcome(table, [*base, "choices", a], metric, known) for a in raw}
    else:
        table.fail([*base, "kind"], f"unknown kind '{kind}'", hint="use yes-no or choice")
    requires = {}
    for dep, allowed in (table.get([*base, "requires"]) if "requires" in node else {}).items():
        if dep not in known or not isinstance(allowed, LocList):
            table.fail([*base, "requires", dep], "requires maps a known question id to a list of answers")
        requires[str(dep)] = tuple(str(a) for a in allowed)
    for key in ("text", "rubric"):
        table.get([*base, key], str)
    return Question(qid, metric, node["rubric"], kind, node["text"], node.get("help"),
                    MappingProxyType(choices), MappingProxyType(requires))


def build_rubric(table: Table) -> Rubric:
    """Validate a parsed rubric table into a :class:`Rubric` (PolicyError with file:line otherwise)."""
    from medsecurance.risk.rubric import METRICS, Rubric

    qnodes = table.get(["questions"])
    known = {str(q) for q in qnodes}
    questions = {qid: _question(table, qid, known) for qid in sorted(known)}
    flows: dict[str, tuple[str, tuple[str, ...]]] = {}
    for metric in METRICS:
        node = table.get(["metrics", metric], LocDict)
        mode = node.get("mode")
        if mode == "flow":
            starts: tuple[str, ...] = (str(table.get(["metrics", metric, "start"], str)),)
        elif mode == "worst":
            starts = tuple(str(q) for q in table.get(["metrics", metric, "questions"], LocList))
        else:
            table.fail(["metrics", metric, "mode"], f"unknown mode '{mode}'", hint="use flow or worst")
        for q in starts:
            if q not in questions or questions[q].metric != metric:
                table.fail(["metrics", metric], f"'{q}' is not a question of metric {metric}")
        flows[metric] = (mode, starts)
    version = str(table.get(["cvss_version"], str))
    if version not in ("3.0", "3.1"):
        table.fail(["cvss_version"], "the rubric scores CVSS v3.0 or v3.1")
    return Rubric(str(table.get(["name"], str)), version, MappingProxyType(flows), MappingProxyType(questions))
