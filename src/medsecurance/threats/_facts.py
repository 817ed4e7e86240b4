"""The per-run context subjects are built from: the model index, the KB, the date, and KB look-up caches.

Split from :mod:`medsecurance.threats.subjects` (which re-exports :class:`Facts`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Generic, TypeVar, overload

from medsecurance.model.graph import ModelIndex
from medsecurance.model.schema import Asset, Component

if TYPE_CHECKING:
    from medsecurance.kb import KnowledgeBase, Protocol

__all__ = ["Facts", "cached"]


_T = TypeVar("_T")


class cached(Generic[_T]):  # a drop-in for functools.cached_property
    """Like :class:`functools.cached_property`, without its per-instance lock.

    Python 3.11's version takes a lock on every first access; subjects are built and read on
    one thread, and ~100,000 such first accesses are made on a large model.
    """

    def __init__(self, fn: Callable[[Any], _T]) -> None:
        """Wrap the method computing the value."""
        self.fn = fn
        self.name = fn.__name__
        self.__doc__ = fn.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        """Remember the attribute name the value is cached under."""
        self.name = name

    @overload
    def __get__(self, obj: None, owner: type | None = None) -> cached[_T]: ...

    @overload
    def __get__(self, obj: object, owner: type | None = None) -> _T: ...

    def __get__(self, obj: object | None, owner: type | None = None) -> _T | cached[_T]:
        """Compute once, then the instance attribute shadows this (non-data) descriptor."""
        if obj is None:
            return self
        value = obj.__dict__[self.name] = self.fn(obj)
        return value


class Facts:
    """Shared context for building subjects: the model index, the KB and the analysis date.

    Every knowledge-base look-up the conditions make goes through a per-run cache here: rules
    ask the same questions about thousands of elements.
    """

    def __init__(self, index: ModelIndex, kb: KnowledgeBase, as_of: dt.date) -> None:
        """Wrap the model index and KB for one analysis run."""
        self.index = index
        self.kb = kb
        self.as_of = as_of
        self._resolved: dict[tuple[str, str], str | None] = {}
        self._protocols: dict[str, Protocol | None] = {}
        self._types: dict[str, frozenset[str]] = {}
        self._hazard_rank: dict[str, int] = {}
        # keyed by id(): components and assets belong to the model, which outlives this object
        self._iface_kinds: dict[int, frozenset[str]] = {}
        self._categories: dict[int, frozenset[str]] = {}
        self._kind_sets: dict[str, frozenset[str]] = {}
        self._kind_tuples: dict[tuple[str, ...], frozenset[str]] = {}
        self._comp_controls: dict[int, frozenset[str]] = {}
        self._life_sustaining: dict[str, bool] = {}  # type name -> KB default
        self._stacks: dict[tuple[str, ...], tuple[tuple[Protocol, ...], frozenset[str]]] = {}
        self._controls: dict[tuple[str, ...], frozenset[str]] = {}
        self._hazard_ids: dict[tuple[str, ...], list[str]] = {}

    def resolve(self, name: str, kind: str) -> str | None:
        """Canonical KB id of a name (cached)."""
        key = (name, kind)
        try:
            return self._resolved[key]
        except KeyError:
            found = self._resolved[key] = self.kb.resolve(name, kind)
            return found

    def protocol(self, name: str) -> Protocol | None:
        """KB protocol record for a stack entry (None when the KB does not know it)."""
        try:
            return self._protocols[name]
        except KeyError:
            canonical = self.resolve(name, "protocol")
            found = self._protocols[name] = self.kb.index.protocols.get(canonical) if canonical else None
            return found

    def types_of(self, type_name: str) -> frozenset[str]:
        """The type and all its KB super-types (canonical ids)."""
        try:
            return self._types[type_name]
        except KeyError:
            canonical = self.resolve(type_name, "device-type")
            found = frozenset((canonical, *self.kb.ancestors(canonical))) if canonical else frozenset()
            self._types[type_name] = found
            return found

    def hazard_rank(self, asset_id: str) -> int:
        """Worst severity rank (1–5) of the hazards an asset leads to (0: none)."""
        try:
            return self._hazard_rank[asset_id]
        except KeyError:
            rank = max((h.severity.rank for h in self.index.hazards_of_asset(asset_id)), default=0)
            self._hazard_rank[asset_id] = rank
            return rank

    def life_sustaining(self, comp: Component) -> bool:
        """Model override, else the KB default of the component's type."""
        if comp.life_sustaining is not None:
            return comp.life_sustaining
        try:
            return self._life_sustaining[comp.type]
        except KeyError:
            canonical = self.resolve(comp.type, "device-type")
            dtype = self.kb.index.device_types.get(canonical) if canonical else None
            found = self._life_sustaining[comp.type] = bool(dtype and dtype.life_sustaining)
            return found

    def interface_kinds(self, comp: Component) -> frozenset[str]:
        """Canonical kinds of a component's enabled interfaces (cached per component)."""
        kinds = self._iface_kinds.get(id(comp))  # not try/except: a miss per component, ~1 µs a raise
        if kinds is None:
            names = tuple([i.kind for i in comp.interfaces if i.enabled])
            kinds = self._kind_tuples.get(names)  # components with the same kinds share one set
            if kinds is None:
                kinds = self._kind_tuples[names] = frozenset(self.resolve(n, "interface") or n for n in names)
            self._iface_kinds[id(comp)] = kinds
        return kinds

    def kind_set(self, kind: str) -> frozenset[str]:
        """{canonical kind} of an interface kind (one shared set per kind, cached)."""
        try:
            return self._kind_sets[kind]
        except KeyError:
            found = self._kind_sets[kind] = frozenset({self.resolve(kind, "interface") or kind})
            return found

    def data_categories(self, asset: Asset) -> frozenset[str]:
        """Canonical data categories of an asset (cached per asset)."""
        try:
            return self._categories[id(asset)]
        except KeyError:
            cats = frozenset(self.resolve(c, "data-category") or c for c in asset.data_categories)
            self._categories[id(asset)] = cats
            return cats

    def stack(self, stack: tuple[str, ...]) -> tuple[tuple[Protocol, ...], frozenset[str]]:
        """(KB records of the entries the KB knows, entries and their canonical ids) of a stack (cached).

        Subjects with equal stacks share one result: signatures holding it then compare by identity.
        """
        try:
            return self._stacks[stack]
        except KeyError:
            protocols = tuple(p for p in (self.protocol(n) for n in stack) if p is not None)
            found = self._stacks[stack] = (protocols, frozenset(p.id for p in protocols) | frozenset(stack))
            return found

    def canonical_controls(self, names: tuple[str, ...]) -> frozenset[str]:
        """Control ids as the KB spells them (unknown names kept as written; cached per list of names).

        Components mostly repeat a few control lists: the cache saved ~15 ms of 25,000 calls on
        a 5,000-component model.
        """
        try:
            return self._controls[names]
        except KeyError:
            found = self._controls[names] = frozenset(self.resolve(n, "control") or n for n in names)
            return found

    def controls_of(self, comp: Component) -> frozenset[str]:
        """Canonical controls of a component and its zone's countermeasures (cached per component)."""
        found = self._comp_controls.get(id(comp))
        if found is None:
            zone = self.index.zones.get(comp.zone) if comp.zone else None
            names = comp.controls + zone.countermeasures if zone is not None else comp.controls
            found = self._comp_controls[id(comp)] = self.canonical_controls(names)
        return found

    def hazard_ids(self, assets: tuple[Asset, ...]) -> list[str]:
        """Sorted ids of the hazards the assets lead to (cached per list of assets: do not modify)."""
        key = tuple([a.id for a in assets])
        try:
            return self._hazard_ids[key]
        except KeyError:
            found = self._hazard_ids[key] = sorted({h.id for a in key for h in self.index.hazards_of_asset(a)})
            return found
