"""The building blocks of rule conditions: subject signatures, the condition protocol, leaf predicates.

Split from :mod:`medsecurance.threats.conditions` (which compiles conditions and lists the
predicates); the predicate builders live in ``_predicates_network`` and ``_predicates_device``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple, Protocol

from medsecurance.model.schema import Component, Interface
from medsecurance.threats.subjects import Facts, Subject

__all__ = [
    "ALL_KINDS",
    "NEEDS",
    "SEVERITIES",
    "Builder",
    "CompileError",
    "Condition",
    "Leaf",
    "Reasons",
    "Resolver",
    "Signature",
    "Test",
    "flag_value",
    "name_list",
]

Reasons = list[str] | None
Test = Callable[[Subject], Reasons]
NEEDS = {"none": 0, "low": 1, "medium": 2, "high": 3}
SEVERITIES = {"negligible": 1, "minor": 2, "serious": 3, "critical": 4, "catastrophic": 5}


class Signature(NamedTuple):
    """The facts of a subject that decide whether some predicates can hold (see ``Condition.static``)."""

    kind: str
    stack: frozenset[str]  # canonical stack
    types: frozenset[str]
    ports: frozenset[int]
    iface_kinds: frozenset[str]  # canonical kind of the interface, or of a component's enabled interfaces
    auth: str  # declared authentication, lower case ("none" when undeclared)
    credentials: frozenset[str]  # credential flags set on the interface (or on any of a component's)
    categories: frozenset[str]  # canonical data categories of the subject's assets
    source_types: frozenset[str]  # types (with super-types) of a flow's source
    target_types: frozenset[str]

    @classmethod
    def of(cls, s: Subject) -> Signature:
        """The signature of a subject (its sets shared with other subjects where the facts are equal)."""
        facts, kind, iface, flow = s.facts, s.kind, s.interface, s.flow
        kinds, flags, source_types, target_types = _EMPTY, _EMPTY, _EMPTY, _EMPTY
        if kind == "interface" and iface is not None:
            kinds = facts.kind_set(iface.kind)
            creds = iface.credentials
            if creds.default or creds.shared or creds.hardcoded:
                flags = _flags((iface,))
        elif kind == "component" and s.component is not None:
            kinds, flags = facts.interface_kinds(s.component), _flags(s.component.interfaces)
        elif kind == "flow":
            source_types, target_types = _types(facts, s.source), _types(facts, s.target)
        # s.ports and s.authentication, inlined
        ports: tuple[int, ...]
        auth: str | None
        if iface is not None:
            ports, auth = iface.ports, iface.authentication
        elif flow is not None:
            ports, auth = ((flow.port,) if flow.port is not None else ()), s.authentication
        else:
            ports, auth = (), None
        assets = s.assets
        categories = facts.data_categories(assets[0]) if len(assets) == 1 else \
            _EMPTY.union(*(facts.data_categories(a) for a in assets))
        return _tuple_new(cls, (kind, s.canonical_stack, s.types, _port_set(ports) if ports else _NO_PORTS, kinds,
                                (auth or "none").lower(), flags, categories, source_types, target_types))


_tuple_new = tuple.__new__  # Signature(...) without the NamedTuple's Python-level __new__ (20,000 calls)


_EMPTY: frozenset[str] = frozenset()
_NO_PORTS: frozenset[int] = frozenset()


@lru_cache(maxsize=4096)
def _port_set(ports: tuple[int, ...]) -> frozenset[int]:
    """One shared set per tuple of ports (equal signatures then compare by identity)."""
    return frozenset(ports)


def _types(facts: Facts, comp: Component | None) -> frozenset[str]:
    return facts.types_of(comp.type) if comp is not None else _EMPTY


def _flags(ifaces: Sequence[Interface]) -> frozenset[str]:
    """Credential flags set on any of the interfaces."""
    found = _EMPTY
    for iface in ifaces:
        creds = iface.credentials
        if creds.default or creds.shared or creds.hardcoded:  # rare: most interfaces set none
            found = found.union(f for f in _FLAGS if getattr(creds, f))
    return found


_FLAGS = ("default", "shared", "hardcoded")


class CompileError(Exception):
    """A condition cannot be compiled; ``path`` says where inside the condition."""

    def __init__(self, message: str, path: tuple[str | int, ...], hint: str | None = None) -> None:
        super().__init__(message)
        self.path = path
        self.hint = hint


class Resolver(Protocol):
    """Maps names in rules to canonical KB ids (raises CompileError for unknown names)."""

    def __call__(self, name: str, kind: str, path: tuple[str | int, ...]) -> str: ...


class Condition(Protocol):
    """A compiled condition."""

    @property
    def kinds(self) -> frozenset[str]:
        """Subject kinds the condition can hold for."""
        ...

    def test(self, s: Subject) -> Reasons: ...

    def describe(self) -> str: ...

    def prefilter(self) -> tuple[str, frozenset[str]] | None:
        """("protocol"|"type", ids): a subject must have one of these ids for the condition to hold."""
        ...

    def static(self, sig: Signature) -> bool | None:
        """Whether the condition holds for every (True) or no (False) subject of this signature; None: unknown.

        Used only to skip rules that cannot hold; the reasons always come from :meth:`test`.
        """
        ...

    def for_kind(self, kind: str) -> Test | None:
        """The test specialised to subjects of one kind (None: never holds for that kind).

        Gives the same reasons as :meth:`test` for every subject of that kind, without the
        per-call kind checks and method dispatch (rules are tried ~300,000 times on a large model).
        """
        ...


ALL_KINDS = frozenset({"component", "interface", "flow"})


@dataclass(frozen=True)
class Leaf:
    """A predicate: its name, a description, the test, and what decides it without a subject."""

    name: str
    text: str
    fn: Callable[[Subject], Reasons]
    kinds: frozenset[str] = ALL_KINDS
    needs: frozenset[str] | None = None  # protocols or types one of which a subject must have
    holds: Callable[[Signature], bool] | None = None  # fn(s) is not None, from the signature alone

    def test(self, s: Subject) -> Reasons:
        return self.fn(s) if s.kind in self.kinds else None

    def static(self, sig: Signature) -> bool | None:
        if sig.kind not in self.kinds:
            return False
        return None if self.holds is None else self.holds(sig)

    def describe(self) -> str:
        return self.text

    def prefilter(self) -> tuple[str, frozenset[str]] | None:
        return (self.name, self.needs) if self.needs is not None and self.name in ("protocol", "type") else None

    def for_kind(self, kind: str) -> Test | None:
        return self.fn if kind in self.kinds else None


def name_list(value: Any, path: tuple[str | int, ...]) -> list[str]:
    """A name or a non-empty list of names, as a list (CompileError otherwise)."""
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not items or not all(isinstance(i, str) for i in items):
        raise CompileError("expected a name or a non-empty list of names", path)
    return items


def flag_value(value: Any, path: tuple[str | int, ...]) -> bool:
    """A boolean value (CompileError otherwise)."""
    if not isinstance(value, bool):
        raise CompileError("expected true or false", path)
    return value


Builder = Callable[[Any, tuple[str | int, ...], Resolver], Leaf]

