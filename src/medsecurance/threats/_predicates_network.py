"""Rule predicates about an element's type, interfaces, protocols, credentials, ports and reachability."""

from __future__ import annotations

from typing import Any

from medsecurance.threats._condition_base import (
    ALL_KINDS,
    Builder,
    CompileError,
    Leaf,
    Reasons,
    Resolver,
    flag_value,
    name_list,
)
from medsecurance.threats.subjects import INTERNET_FACING_TYPES, PROPERTIES, Subject

__all__ = ["authentication", "credentials", "crosses", "deprecated_protocol", "end_type", "interface_flag",
           "interface_kind", "internet_facing", "lacks", "port", "protocol", "type_is"]


def type_is(value: Any, path: tuple[str | int, ...], resolve: Resolver) -> Leaf:
    """The ``type`` predicate: an owner is of one of the device types (or a sub-type)."""
    wanted = frozenset(resolve(n, "device-type", path) for n in name_list(value, path))

    def fn(s: Subject) -> Reasons:
        hit = wanted & s.types
        if not hit:
            return None
        owners = s.owners  # mostly one: its id without a generator (~40,000 calls on a large model)
        return [f"{owners[0].id if len(owners) == 1 else '/'.join(c.id for c in owners)} is of type {min(hit)}"]

    return Leaf("type", f"type is {' or '.join(sorted(wanted))}", fn, ALL_KINDS, wanted,
                 lambda g: not wanted.isdisjoint(g.types))


def end_type(end: str) -> Builder:
    """The ``source_type`` / ``target_type`` predicates: a flow's end is of one of the types."""
    def build(value: Any, path: tuple[str | int, ...], resolve: Resolver) -> Leaf:
        wanted = frozenset(resolve(n, "device-type", path) for n in name_list(value, path))

        def fn(s: Subject) -> Reasons:
            comp = s.source if end == "source" else s.target
            if comp is None:
                return None
            hit = wanted & s.facts.types_of(comp.type)
            return [f"{end} {comp.id} is of type {min(hit)}"] if hit else None

        return Leaf(f"{end}_type", f"{end} is {' or '.join(sorted(wanted))}", fn, frozenset({"flow"}),
                     holds=lambda g: not wanted.isdisjoint(g.source_types if end == "source" else g.target_types))

    return build


def interface_kind(value: Any, path: tuple[str | int, ...], resolve: Resolver) -> Leaf:
    """The ``interface_kind`` predicate: the interface (or one of the component's) is of a kind."""
    wanted = frozenset(resolve(n, "interface", path) for n in name_list(value, path))

    def fn(s: Subject) -> Reasons:
        if s.kind == "interface" and s.interface is not None:
            kind = s.facts.resolve(s.interface.kind, "interface") or s.interface.kind
            return [f"interface kind {kind}"] if kind in wanted else None
        if s.kind == "component" and s.component is not None:
            hit = s.facts.interface_kinds(s.component) & wanted
            return [f"has a {min(hit)} interface"] if hit else None
        return None

    return Leaf("interface_kind", f"interface kind in {sorted(wanted)}", fn, frozenset({"interface", "component"}),
                 holds=lambda g: not wanted.isdisjoint(g.iface_kinds))


def protocol(value: Any, path: tuple[str | int, ...], resolve: Resolver) -> Leaf:
    """The ``protocol`` predicate: the stack uses one of the protocols."""
    wanted = frozenset(resolve(n, "protocol", path) for n in name_list(value, path))

    def fn(s: Subject) -> Reasons:
        hit = wanted & s.canonical_stack
        return [f"protocol stack includes {', '.join(sorted(hit))}"] if hit else None

    return Leaf("protocol", f"stack uses {' or '.join(sorted(wanted))}", fn, frozenset({"interface", "flow"}),
                 wanted, lambda g: not wanted.isdisjoint(g.stack))


def lacks(end_to_end: bool) -> Builder:
    """The ``stack_lacks`` (end to end) / ``link_lacks`` predicates: no protocol provides the properties."""
    def build(value: Any, path: tuple[str | int, ...], resolve: Resolver) -> Leaf:
        props = name_list(value, path)
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
        return Leaf(name, f"stack lacks {', '.join(props)}", fn, frozenset({"interface", "flow"}))

    return build


def deprecated_protocol(value: Any, path: tuple[str | int, ...], resolve: Resolver) -> Leaf:
    """The ``deprecated_protocol`` predicate: the stack uses a deprecated protocol (or not)."""
    want = flag_value(value, path)

    def fn(s: Subject) -> Reasons:
        old = sorted(p.id for p in s.protocols if p.deprecated)
        if want:
            return [f"deprecated protocol {', '.join(old)} in the stack"] if old else None
        return [] if not old else None

    return Leaf("deprecated_protocol", "stack uses a deprecated protocol", fn, frozenset({"interface", "flow"}))


def authentication(value: Any, path: tuple[str | int, ...], resolve: Resolver) -> Leaf:
    """The ``authentication`` predicate: the declared authentication is one of these."""
    wanted = frozenset(n.lower() for n in name_list(value, path))

    def fn(s: Subject) -> Reasons:
        auth = (s.authentication or "none").lower()
        return [f"authentication is '{auth}'"] if auth in wanted else None

    return Leaf("authentication", f"authentication in {sorted(wanted)}", fn, frozenset({"interface", "flow"}),
                 holds=lambda g: g.auth in wanted)


def credentials(value: Any, path: tuple[str | int, ...], resolve: Resolver) -> Leaf:
    """The ``credentials`` predicate: an interface uses default, shared or hard-coded credentials."""
    flags = name_list(value, path)
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

    return Leaf("credentials", f"credentials are {' or '.join(flags)}", fn, frozenset({"interface", "component"}),
                 holds=lambda g: not g.credentials.isdisjoint(flags))


def interface_flag(attr: str) -> Builder:
    """The ``physical`` / ``exposed`` predicates: the interface flag has this value."""
    def build(value: Any, path: tuple[str | int, ...], resolve: Resolver) -> Leaf:
        want = flag_value(value, path)

        def fn(s: Subject) -> Reasons:
            if s.interface is None:
                return None
            got = bool(getattr(s.interface, attr))
            return ([f"interface is {'' if want else 'not '}{attr}"] if got == want else None)

        return Leaf(attr, f"{attr} is {want}", fn, frozenset({"interface"}))

    return build


def crosses(what: str) -> Builder:
    """The ``crosses_boundary`` / ``crosses_zone`` predicates: the flow crosses one (or not)."""
    def build(value: Any, path: tuple[str | int, ...], resolve: Resolver) -> Leaf:
        want = flag_value(value, path)

        def fn(s: Subject) -> Reasons:
            assert s.flow is not None
            index = s.facts.index
            got = index.crosses_boundary(s.flow) if what == "boundary" else index.crosses_zone(s.flow)
            return ([f"the flow crosses a {'trust boundary' if what == 'boundary' else 'zone'}"] if got else []) \
                if got == want else None

        return Leaf(f"crosses_{what}", f"crosses a {what} is {want}", fn, frozenset({"flow"}))

    return build


def internet_facing(value: Any, path: tuple[str | int, ...], resolve: Resolver) -> Leaf:
    """The ``internet_facing`` predicate: an owner is reachable from the internet (or not)."""
    want = flag_value(value, path)
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

    return Leaf("internet_facing", f"internet-facing is {want}", fn)


def port(value: Any, path: tuple[str | int, ...], resolve: Resolver) -> Leaf:
    """The ``port`` predicate: one of the ports is open."""
    ports = [value] if isinstance(value, int) else value
    if not isinstance(ports, list) or not ports or not all(isinstance(p, int) for p in ports):
        raise CompileError("expected a port number or a list of them", path)
    wanted = frozenset(ports)

    def fn(s: Subject) -> Reasons:
        hit = wanted.intersection(s.ports)
        return [f"port {min(hit)} is open"] if hit else None

    return Leaf("port", f"port in {sorted(wanted)}", fn, frozenset({"interface", "flow"}),
                 holds=lambda g: not wanted.isdisjoint(g.ports))

