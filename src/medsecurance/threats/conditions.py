"""The rule condition language, compiled once into small predicate objects (never ``eval``).

A condition is a YAML mapping; each key is a predicate and all keys must hold. ``all``, ``any``
and ``not`` combine conditions. A predicate returns the reasons it holds (shown in the finding's
explanation) or ``None`` when it does not. See ``threats/rules/README.md`` for the vocabulary.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

from medsecurance.model.schema import Component, Interface
from medsecurance.threats.subjects import INTERNET_FACING_TYPES, PROPERTIES, Facts, Subject

__all__ = ["PREDICATES", "CompileError", "Condition", "Signature", "compile_condition"]

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
        """The signature of a subject."""
        facts, kinds, flags, ends = s.facts, _EMPTY, _EMPTY, (_EMPTY, _EMPTY)
        if s.kind == "interface" and s.interface is not None:
            kinds = frozenset({facts.resolve(s.interface.kind, "interface") or s.interface.kind})
            flags = _flags((s.interface,))
        elif s.kind == "component" and s.component is not None:
            kinds, flags = facts.interface_kinds(s.component), _flags(s.component.interfaces)
        elif s.kind == "flow":
            ends = (_types(facts, s.source), _types(facts, s.target))
        assets = s.assets
        categories = facts.data_categories(assets[0]) if len(assets) == 1 else \
            _EMPTY.union(*(facts.data_categories(a) for a in assets))
        ports = s.ports
        return cls(s.kind, s.canonical_stack, s.types, frozenset(ports) if ports else _NO_PORTS, kinds,
                   (s.authentication or "none").lower(), flags, categories, ends[0], ends[1])


_EMPTY: frozenset[str] = frozenset()
_NO_PORTS: frozenset[int] = frozenset()


def _types(facts: Facts, comp: Component | None) -> frozenset[str]:
    return facts.types_of(comp.type) if comp is not None else _EMPTY


def _flags(ifaces: Sequence[Interface]) -> frozenset[str]:
    """Credential flags set on any of the interfaces."""
    found = [f for i in ifaces for f in _FLAGS if getattr(i.credentials, f)]
    return frozenset(found) if found else _EMPTY


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
class _Leaf:
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


def _names(value: Any, path: tuple[str | int, ...]) -> list[str]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not items or not all(isinstance(i, str) for i in items):
        raise CompileError("expected a name or a non-empty list of names", path)
    return items


def _bool(value: Any, path: tuple[str | int, ...]) -> bool:
    if not isinstance(value, bool):
        raise CompileError("expected true or false", path)
    return value


Builder = Callable[[Any, tuple[str | int, ...], Resolver], _Leaf]


def _type(value: Any, path: tuple[str | int, ...], resolve: Resolver) -> _Leaf:
    wanted = frozenset(resolve(n, "device-type", path) for n in _names(value, path))

    def fn(s: Subject) -> Reasons:
        hit = wanted & s.types
        return [f"{'/'.join(c.id for c in s.owners)} is of type {min(hit)}"] if hit else None

    return _Leaf("type", f"type is {' or '.join(sorted(wanted))}", fn, ALL_KINDS, wanted,
                 lambda g: not wanted.isdisjoint(g.types))


def _end_type(end: str) -> Builder:
    def build(value: Any, path: tuple[str | int, ...], resolve: Resolver) -> _Leaf:
        wanted = frozenset(resolve(n, "device-type", path) for n in _names(value, path))

        def fn(s: Subject) -> Reasons:
            comp = s.source if end == "source" else s.target
            if comp is None:
                return None
            hit = wanted & s.facts.types_of(comp.type)
            return [f"{end} {comp.id} is of type {min(hit)}"] if hit else None

        return _Leaf(f"{end}_type", f"{end} is {' or '.join(sorted(wanted))}", fn, frozenset({"flow"}),
                     holds=lambda g: not wanted.isdisjoint(g.source_types if end == "source" else g.target_types))

    return build


def _interface_kind(value: Any, path: tuple[str | int, ...], resolve: Resolver) -> _Leaf:
    wanted = frozenset(resolve(n, "interface", path) for n in _names(value, path))

    def fn(s: Subject) -> Reasons:
        if s.kind == "interface" and s.interface is not None:
            kind = s.facts.resolve(s.interface.kind, "interface") or s.interface.kind
            return [f"interface kind {kind}"] if kind in wanted else None
        if s.kind == "component" and s.component is not None:
            hit = s.facts.interface_kinds(s.component) & wanted
            return [f"has a {min(hit)} interface"] if hit else None
        return None

    return _Leaf("interface_kind", f"interface kind in {sorted(wanted)}", fn, frozenset({"interface", "component"}),
                 holds=lambda g: not wanted.isdisjoint(g.iface_kinds))


def _protocol(value: Any, path: tuple[str | int, ...], resolve: Resolver) -> _Leaf:
    wanted = frozenset(resolve(n, "protocol", path) for n in _names(value, path))

    def fn(s: Subject) -> Reasons:
        hit = wanted & s.canonical_stack
        return [f"protocol stack includes {', '.join(sorted(hit))}"] if hit else None

    return _Leaf("protocol", f"stack uses {' or '.join(sorted(wanted))}", fn, frozenset({"interface", "flow"}),
                 wanted, lambda g: not wanted.isdisjoint(g.stack))


def _lacks(end_to_end: bool) -> Builder:
    def build(value: Any, path: tuple[str | int, ...], resolve: Resolver) -> _Leaf:
        props = _names(value, path)
        for p in props:
            if p not in PROPERTIES:
                raise CompileError(f"unknown security property '{p}'", path, f"use one of: {', '.join(PROPERTIES)}")

        def fn(s: Subject) -> Reasons:
            if not s.stack:
                return None  # nothing declared: other rules report undeclared stacks
            missing = [p for p in props if not s.provides(p, end_to_end=end_to_end)]
            if len(missing) != len(props):
                return None
            scope = "end-to-end " if end_to_end else ""
            stack = " / ".join(s.stack)
            return [f"the stack {stack} provides no {scope}{', '.join(p.replace('_', ' ') for p in missing)}"]

        name = "stack_lacks" if end_to_end else "link_lacks"
        return _Leaf(name, f"stack lacks {', '.join(props)}", fn, frozenset({"interface", "flow"}))

    return build


def _deprecated_protocol(value: Any, path: tuple[str | int, ...], resolve: Resolver) -> _Leaf:
    want = _bool(value, path)

    def fn(s: Subject) -> Reasons:
        old = sorted(p.id for p in s.protocols if p.deprecated)
        if want:
            return [f"deprecated protocol {', '.join(old)} in the stack"] if old else None
        return [] if not old else None

    return _Leaf("deprecated_protocol", "stack uses a deprecated protocol", fn, frozenset({"interface", "flow"}))


def _authentication(value: Any, path: tuple[str | int, ...], resolve: Resolver) -> _Leaf:
    wanted = frozenset(n.lower() for n in _names(value, path))

    def fn(s: Subject) -> Reasons:
        auth = (s.authentication or "none").lower()
        return [f"authentication is '{auth}'"] if auth in wanted else None

    return _Leaf("authentication", f"authentication in {sorted(wanted)}", fn, frozenset({"interface", "flow"}),
                 holds=lambda g: g.auth in wanted)


def _credentials(value: Any, path: tuple[str | int, ...], resolve: Resolver) -> _Leaf:
    flags = _names(value, path)
    for f in flags:
        if f not in ("default", "shared", "hardcoded"):
            raise CompileError(f"unknown credential flag '{f}'", path, "use default, shared or hardcoded")

    def fn(s: Subject) -> Reasons:
        ifaces = [s.interface] if s.interface else (list(s.component.interfaces) if s.component else [])
        for iface in ifaces:
            hit = [f for f in flags if getattr(iface.credentials, f)]
            if hit:
                return [f"{iface.id} uses {' and '.join(hit)} credentials"]
        return None

    return _Leaf("credentials", f"credentials are {' or '.join(flags)}", fn, frozenset({"interface", "component"}),
                 holds=lambda g: not g.credentials.isdisjoint(flags))


def _interface_flag(attr: str) -> Builder:
    def build(value: Any, path: tuple[str | int, ...], resolve: Resolver) -> _Leaf:
        want = _bool(value, path)

        def fn(s: Subject) -> Reasons:
            if s.interface is None:
                return None
            got = bool(getattr(s.interface, attr))
            return ([f"interface is {'' if want else 'not '}{attr}"] if got == want else None)

        return _Leaf(attr, f"{attr} is {want}", fn, frozenset({"interface"}))

    return build


def _control(value: Any, path: tuple[str | int, ...], resolve: Resolver) -> _Leaf:
    wanted = frozenset(resolve(n, "control", path) for n in _names(value, path))

    def fn(s: Subject) -> Reasons:
        hit = wanted & s.controls
        return [f"control {min(hit)} present"] if hit else None

    return _Leaf("control", f"control {' or '.join(sorted(wanted))} present", fn)


def _missing_controls(value: Any, path: tuple[str | int, ...], resolve: Resolver) -> _Leaf:
    wanted = sorted(frozenset(resolve(n, "control", path) for n in _names(value, path)))
    wanted_set, text = frozenset(wanted), f"none of the controls {', '.join(wanted)} is present"

    def fn(s: Subject) -> Reasons:
        return [text] if s.controls.isdisjoint(wanted_set) else None

    return _Leaf("missing_controls", f"none of {', '.join(wanted)} present", fn)


def _data_category(value: Any, path: tuple[str | int, ...], resolve: Resolver) -> _Leaf:
    wanted = frozenset(resolve(n, "data-category", path) for n in _names(value, path))

    def fn(s: Subject) -> Reasons:
        for asset in s.assets:
            hit = s.facts.data_categories(asset) & wanted
            if hit:
                return [f"{asset.id} holds {min(hit)} data"]
        return None

    return _Leaf("data_category", f"data of category {' or '.join(sorted(wanted))}", fn,
                 holds=lambda g: not wanted.isdisjoint(g.categories))


def _need(value: Any, path: tuple[str | int, ...], resolve: Resolver) -> _Leaf:
    if not isinstance(value, Mapping) or not value:
        raise CompileError("expected a mapping like {integrity: high}", path)
    wants: list[tuple[str, int]] = []
    for prop, level in value.items():
        if prop not in ("confidentiality", "integrity", "availability") or level not in NEEDS:
            raise CompileError(f"bad need {prop}: {level}", (*path, str(prop)),
                               "use confidentiality/integrity/availability: low|medium|high")
        wants.append((prop, NEEDS[level]))

    def fn(s: Subject) -> Reasons:
        for prop, level in wants:
            for asset in s.assets:
                if getattr(asset, prop).rank >= level:
                    return [f"{asset.id} needs {prop} {getattr(asset, prop).value}"]
        return None

    return _Leaf("need", "an asset needs " + " or ".join(f"{p} ≥ {v}" for p, v in value.items()), fn)


def _asset(value: Any, path: tuple[str | int, ...], resolve: Resolver) -> _Leaf:
    """One and the same asset has one of the data categories and every listed need."""
    if not isinstance(value, Mapping) or not value or set(value) - {"data_category", "need"}:
        raise CompileError("expected a mapping with 'data_category' and/or 'need'", path,
                           "e.g. asset: {data_category: phi, need: {confidentiality: high}}")
    wanted = frozenset(resolve(n, "data-category", (*path, "data_category"))
                       for n in _names(value["data_category"], (*path, "data_category"))) \
        if "data_category" in value else None
    needs: list[tuple[str, int]] = []
    for prop, level in (value.get("need") or {}).items():
        if prop not in ("confidentiality", "integrity", "availability") or level not in NEEDS:
            raise CompileError(f"bad need {prop}: {level}", (*path, "need", str(prop)),
                               "use confidentiality/integrity/availability: low|medium|high")
        needs.append((prop, NEEDS[level]))

    def fn(s: Subject) -> Reasons:
        for asset in s.assets:
            cats = s.facts.data_categories(asset)
            if wanted is not None and cats.isdisjoint(wanted):
                continue
            if all(getattr(asset, prop).rank >= level for prop, level in needs):
                parts = [f"{min(cats & wanted)} data"] if wanted is not None else []
                parts += [f"{prop} need {getattr(asset, prop).value}" for prop, _ in needs]
                return [f"{asset.id} holds {' with '.join(parts)}"]
        return None

    text = "an asset with " + " and ".join(
        ([f"category {' or '.join(sorted(wanted))}"] if wanted is not None else [])
        + [f"{p} ≥ {lv}" for p, lv in (value.get("need") or {}).items()])
    return _Leaf("asset", text, fn)


def _hazard_severity(value: Any, path: tuple[str | int, ...], resolve: Resolver) -> _Leaf:
    if value not in SEVERITIES:
        raise CompileError(f"unknown severity '{value}'", path, "use " + ", ".join(SEVERITIES))
    floor = SEVERITIES[value]

    def fn(s: Subject) -> Reasons:
        rank = s.worst_hazard_rank
        if rank < floor:
            return None
        name = next(k for k, v in SEVERITIES.items() if v == rank)
        return [f"its assets lead to a {name} hazard"]

    return _Leaf("hazard_severity", f"hazard severity ≥ {value}", fn)


def _life_sustaining(value: Any, path: tuple[str | int, ...], resolve: Resolver) -> _Leaf:
    want = _bool(value, path)

    def fn(s: Subject) -> Reasons:
        comps = [s.target] if s.kind == "flow" else list(s.owners)
        got = any(c is not None and s.facts.life_sustaining(c) for c in comps)
        return ([f"{'/'.join(c.id for c in comps if c)} is life-sustaining"] if got else []) if got == want else None

    return _Leaf("life_sustaining", f"life-sustaining is {want}", fn)


def _crosses(what: str) -> Builder:
    def build(value: Any, path: tuple[str | int, ...], resolve: Resolver) -> _Leaf:
        want = _bool(value, path)

        def fn(s: Subject) -> Reasons:
            assert s.flow is not None
            index = s.facts.index
            got = index.crosses_boundary(s.flow) if what == "boundary" else index.crosses_zone(s.flow)
            return ([f"the flow crosses a {'trust boundary' if what == 'boundary' else 'zone'}"] if got else []) \
                if got == want else None

        return _Leaf(f"crosses_{what}", f"crosses a {what} is {want}", fn, frozenset({"flow"}))

    return build


def _internet_facing(value: Any, path: tuple[str | int, ...], resolve: Resolver) -> _Leaf:
    want = _bool(value, path)
    facing = frozenset(resolve(t, "device-type", path) for t in INTERNET_FACING_TYPES)

    def fn(s: Subject) -> Reasons:
        for comp in s.owners:
            zone = s.facts.index.zones.get(comp.zone or "")
            reason = None
            if zone is not None and zone.internet_reachable:
                reason = f"{comp.id} sits in internet-reachable zone {zone.id}"
            elif facing & s.facts.types_of(comp.type):
                reason = f"{comp.id} is of type {comp.type}, reachable from the internet"
            elif any((s.facts.resolve(i.kind, "interface") or i.kind) == "Cellular" for i in comp.interfaces):
                reason = f"{comp.id} has a cellular interface"
            if reason:
                return [reason] if want else None
        return [] if not want else None

    return _Leaf("internet_facing", f"internet-facing is {want}", fn)


def _update(value: Any, path: tuple[str | int, ...], resolve: Resolver) -> _Leaf:
    if not isinstance(value, Mapping) or not value:
        raise CompileError("expected a mapping like {signed: false}", path)
    fields = ("method", "signed", "authenticated_source", "encrypted", "rollback_protection", "during_therapy")
    for key in value:
        if key not in fields:
            raise CompileError(f"unknown update field '{key}'", (*path, str(key)), "use " + ", ".join(fields))

    def fn(s: Subject) -> Reasons:
        comp = s.component
        if comp is None:
            return None
        if comp.update is None:
            return ["no update mechanism is declared"] if value.get("method") == "none" else None
        for key, want in value.items():
            got = getattr(comp.update, key)
            if (got not in want) if isinstance(want, list) else (got != want):
                return None
        return [f"update {', '.join(f'{k}={getattr(comp.update, k)}' for k in value)}"]

    return _Leaf("update", f"update mechanism {dict(value)}", fn, frozenset({"component"}))


def _end_of_support(value: Any, path: tuple[str | int, ...], resolve: Resolver) -> _Leaf:
    if value not in ("passed", "unknown"):
        raise CompileError("expected 'passed' or 'unknown'", path)

    def fn(s: Subject) -> Reasons:
        comp = s.component
        if comp is None:
            return None
        eos = comp.end_of_support
        if value == "unknown":
            return ["no end-of-support date is declared"] if eos is None else None
        return [f"support ended on {eos.isoformat()}"] if eos is not None and eos < s.facts.as_of else None

    return _Leaf("end_of_support", f"end of support {value}", fn, frozenset({"component"}))


def _port(value: Any, path: tuple[str | int, ...], resolve: Resolver) -> _Leaf:
    ports = [value] if isinstance(value, int) else value
    if not isinstance(ports, list) or not ports or not all(isinstance(p, int) for p in ports):
        raise CompileError("expected a port number or a list of them", path)
    wanted = frozenset(ports)

    def fn(s: Subject) -> Reasons:
        hit = wanted.intersection(s.ports)
        return [f"port {min(hit)} is open"] if hit else None

    return _Leaf("port", f"port in {sorted(wanted)}", fn, frozenset({"interface", "flow"}),
                 holds=lambda g: not wanted.isdisjoint(g.ports))


def _has_sbom(value: Any, path: tuple[str | int, ...], resolve: Resolver) -> _Leaf:
    want = _bool(value, path)

    def fn(s: Subject) -> Reasons:
        assert s.component is not None
        got = s.component.sbom is not None
        return ([] if got else ["no SBOM is declared"]) if got == want else None

    return _Leaf("has_sbom", f"has an SBOM is {want}", fn, frozenset({"component"}))


def _element(value: Any, path: tuple[str | int, ...], resolve: Resolver) -> _Leaf:
    kinds = frozenset(_names(value, path))
    if not kinds <= ALL_KINDS:
        raise CompileError(f"unknown element kind {sorted(kinds - ALL_KINDS)}", path, "use component, interface, flow")
    return _Leaf("element", f"element is a {' or '.join(sorted(kinds))}", lambda s: [], kinds, holds=lambda g: True)


PREDICATES: dict[str, Builder] = {
    "element": _element,
    "type": _type,
    "source_type": _end_type("source"),
    "target_type": _end_type("target"),
    "interface_kind": _interface_kind,
    "protocol": _protocol,
    "stack_lacks": _lacks(True),
    "link_lacks": _lacks(False),
    "deprecated_protocol": _deprecated_protocol,
    "authentication": _authentication,
    "credentials": _credentials,
    "physical": _interface_flag("physical"),
    "exposed": _interface_flag("exposed"),
    "control": _control,
    "missing_controls": _missing_controls,
    "data_category": _data_category,
    "need": _need,
    "asset": _asset,
    "hazard_severity": _hazard_severity,
    "life_sustaining": _life_sustaining,
    "crosses_boundary": _crosses("boundary"),
    "crosses_zone": _crosses("zone"),
    "internet_facing": _internet_facing,
    "update": _update,
    "end_of_support": _end_of_support,
    "port": _port,
    "has_sbom": _has_sbom,
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
