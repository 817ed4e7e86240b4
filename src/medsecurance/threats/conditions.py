"""The rule condition language, compiled once into small predicate objects (never ``eval``).

A condition is a YAML mapping; each key is a predicate and all keys must hold. ``all``, ``any``
and ``not`` combine conditions. A predicate returns the reasons it holds (shown in the finding's
explanation) or ``None`` when it does not. See ``threats/rules/README.md`` for the vocabulary.

This module compiles conditions and combines predicates; the predicates themselves are built in
``_predicates_network`` and ``_predicates_device``, on the types of ``_condition_base``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from medsecurance.threats import _predicates_device as dev
from medsecurance.threats import _predicates_network as net
from medsecurance.threats._condition_base import (
    ALL_KINDS,
    Builder,
    CompileError,
    Condition,
    Reasons,
    Resolver,
    Signature,
    Test,
)
from medsecurance.threats.subjects import Subject

__all__ = ["ALL_KINDS", "PREDICATES", "CompileError", "Condition", "Reasons", "Resolver", "Signature", "Test",
           "compile_condition"]


@dataclass(frozen=True)
class _All:
    parts: tuple[Condition, ...]
    kinds: frozenset[str]

    def test(self, s: Subject) -> Reasons:
        reasons: list[str] = []
        for part in self.parts:
            got = part.test(s)
            if got is None:
                return None
            reasons.extend(got)
        return reasons

    def describe(self) -> str:
        return " and ".join(p.describe() for p in self.parts)

    def prefilter(self) -> tuple[str, frozenset[str]] | None:
        found = [f for p in self.parts if (f := p.prefilter()) is not None]
        found.sort(key=lambda f: (f[0] != "protocol", len(f[1])))
        return found[0] if found else None

    def static(self, sig: Signature) -> bool | None:
        values = [p.static(sig) for p in self.parts]
        return False if False in values else (None if None in values else True)

    def for_kind(self, kind: str) -> Test | None:
        tests = [p.for_kind(kind) for p in self.parts]
        if not tests or any(t is None for t in tests):
            return None  # a part that never holds for this kind makes the conjunction fail
        fns = [t for t in tests if t is not None]
        test = fns[-1]
        for fn in reversed(fns[:-1]):  # a and (b and (c …)): the parts in order, reasons concatenated
            test = _both(fn, test)
        return test


def _both(first: Test, second: Test) -> Test:
    def test(s: Subject) -> Reasons:
        a = first(s)
        if a is None:
            return None
        b = second(s)
        return None if b is None else a + b

    return test


@dataclass(frozen=True)
class _Any:
    parts: tuple[Condition, ...]
    kinds: frozenset[str]

    def test(self, s: Subject) -> Reasons:
        for part in self.parts:
            got = part.test(s)
            if got is not None:
                return got
        return None

    def describe(self) -> str:
        return "(" + " or ".join(p.describe() for p in self.parts) + ")"

    def prefilter(self) -> tuple[str, frozenset[str]] | None:
        found = [p.prefilter() for p in self.parts]
        if not found or any(f is None for f in found) or len({f[0] for f in found if f}) != 1:
            return None
        return found[0][0], frozenset().union(*(f[1] for f in found if f))  # type: ignore[index]

    def static(self, sig: Signature) -> bool | None:
        values = [p.static(sig) for p in self.parts]
        return True if True in values else (None if None in values else False)

    def for_kind(self, kind: str) -> Test | None:
        fns = tuple(t for p in self.parts if (t := p.for_kind(kind)) is not None)
        if not fns:
            return None
        if len(fns) == 1:
            return fns[0]

        def test(s: Subject) -> Reasons:
            for fn in fns:
                got = fn(s)
                if got is not None:
                    return got
            return None

        return test


@dataclass(frozen=True)
class _Not:
    part: Condition
    kinds: frozenset[str]

    def test(self, s: Subject) -> Reasons:
        if s.kind not in self.kinds:
            return None
        return [f"not: {self.part.describe()}"] if self.part.test(s) is None else None

    def describe(self) -> str:
        return f"not: {self.part.describe()}"

    def prefilter(self) -> tuple[str, frozenset[str]] | None:
        return None

    def static(self, sig: Signature) -> bool | None:
        if sig.kind not in self.kinds:
            return False
        inner = self.part.static(sig)
        return None if inner is None else not inner

    def for_kind(self, kind: str) -> Test | None:
        if kind not in self.kinds:
            return None
        inner, text = self.part.for_kind(kind), self.describe()
        if inner is None:
            return lambda s: [text]

        def test(s: Subject) -> Reasons:
            return [text] if inner(s) is None else None

        return test


PREDICATES: dict[str, Builder] = {
    "element": dev.element,
    "type": net.type_is,
    "source_type": net.end_type("source"),
    "target_type": net.end_type("target"),
    "interface_kind": net.interface_kind,
    "protocol": net.protocol,
    "stack_lacks": net.lacks(True),
    "link_lacks": net.lacks(False),
    "deprecated_protocol": net.deprecated_protocol,
    "authentication": net.authentication,
    "credentials": net.credentials,
    "physical": net.interface_flag("physical"),
    "exposed": net.interface_flag("exposed"),
    "control": dev.control,
    "missing_controls": dev.missing_controls,
    "data_category": dev.data_category,
    "need": dev.need,
    "asset": dev.asset,
    "hazard_severity": dev.hazard_severity,
    "life_sustaining": dev.life_sustaining,
    "crosses_boundary": net.crosses("boundary"),
    "crosses_zone": net.crosses("zone"),
    "internet_facing": net.internet_facing,
    "update": dev.update,
    "end_of_support": dev.end_of_support,
    "port": net.port,
    "has_sbom": dev.has_sbom,
}


def compile_condition(node: Any, path: tuple[str | int, ...], resolve: Resolver) -> Condition:
    """Compile a condition mapping (or list, meaning all) into a predicate tree."""
    if isinstance(node, list):
        return _combine("all", node, path, resolve)
    if not isinstance(node, Mapping) or not node:
        raise CompileError("a condition must be a non-empty mapping of predicates", path)
    parts: list[Condition] = []
    for key, value in node.items():
        sub = (*path, str(key))
        if key in ("all", "any"):
            parts.append(_combine(str(key), value, sub, resolve))
        elif key == "not":
            inner = compile_condition(value, sub, resolve)
            parts.append(_Not(inner, inner.kinds))
        elif key in PREDICATES:
            parts.append(PREDICATES[str(key)](value, sub, resolve))
        else:
            import difflib

            close = difflib.get_close_matches(str(key), [*PREDICATES, "all", "any", "not"], n=1)
            raise CompileError(f"unknown predicate '{key}'", sub,
                               f"did you mean '{close[0]}'?" if close else "see threats/rules/README.md")
    if len(parts) == 1:
        return parts[0]
    return _intersect(parts, path)


def _combine(op: str, items: Any, path: tuple[str | int, ...], resolve: Resolver) -> Condition:
    if not isinstance(items, list) or not items:
        raise CompileError(f"'{op}' needs a non-empty list of conditions", path)
    parts = [compile_condition(item, (*path, i), resolve) for i, item in enumerate(items)]
    if op == "any":
        return _Any(tuple(parts), frozenset().union(*(p.kinds for p in parts)))
    return _intersect(parts, path)


def _intersect(parts: Sequence[Condition], path: tuple[str | int, ...]) -> Condition:
    kinds = frozenset(ALL_KINDS)
    for p in parts:
        kinds &= p.kinds
    if not kinds:
        raise CompileError("impossible condition: its predicates apply to different element kinds "
                           f"({'; '.join(p.describe() for p in parts)})", path,
                           "split the rule, or use 'any' between predicates for different elements")
    return _All(tuple(parts), kinds)
