"""The protocol security properties the comms analyses need, and where they come from.

The knowledge base (``medsecurance.kb``) is the normal source; :class:`MappingCatalogue`
adapts a plain mapping so the logic can be used and tested without it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from medsecurance.errors import MedsecError

__all__ = ["MappingCatalogue", "ProtocolCatalogue", "ProtocolProps", "normalise", "view_of"]


@runtime_checkable
class ProtocolCatalogue(Protocol):
    """Anything that resolves protocol names and returns their properties (the KB does)."""

    def protocol(self, id: str) -> Any:
        """The protocol entry with this id."""

    def resolve(self, name: str, kind: str = ...) -> Any:
        """The id a user-written name refers to."""


@dataclass(frozen=True, slots=True)
class ProtocolProps:
    """Security properties of one protocol or mode, as plain values."""

    id: str
    confidentiality: bool = False
    integrity: bool = False
    peer_authentication: bool = False
    replay_protection: bool = False
    mitm_resistance: bool = False
    scope: str = "end-to-end"
    deprecated: bool = False
    layer: str = ""
    weaknesses: tuple[str, ...] = ()
    source: str = ""


def normalise(name: str) -> str:
    """Case-insensitive key ignoring '-', '_', ' ', '.' (the KB's id matching rule)."""
    return re.sub(r"[-_ .]", "", name).lower()


@dataclass(frozen=True)
class MappingCatalogue:
    """A :class:`ProtocolCatalogue` over a mapping id → :class:`ProtocolProps` (for tests and offline use)."""

    entries: Mapping[str, ProtocolProps]
    aliases: Mapping[str, str] = field(default_factory=dict)

    def resolve(self, name: str, kind: str = "protocol") -> str | None:
        """The id ``name`` refers to, or None."""
        key = normalise(name)
        for ident in (*self.entries, *self.aliases):
            if normalise(ident) == key:
                return self.aliases.get(ident, ident)
        return None

    def protocol(self, id: str) -> ProtocolProps | None:
        """The entry with this id, or None."""
        return self.entries.get(id)


def _flag(entry: Any, name: str) -> bool:
    return bool(getattr(entry, name, False))


def view_of(catalogue: Any, name: str) -> ProtocolProps | None:
    """Resolve ``name`` in ``catalogue`` and copy its properties into a :class:`ProtocolProps`.

    Returns None when the catalogue does not know the name (an unknown protocol).
    """
    try:
        resolved = catalogue.resolve(name, kind="protocol")
    except (LookupError, ValueError, MedsecError):
        return None
    if resolved is None:
        return None
    ident = resolved if isinstance(resolved, str) else str(getattr(resolved, "id", resolved))
    try:
        entry = catalogue.protocol(ident)
    except (LookupError, ValueError, MedsecError):
        return None
    if entry is None:
        return None
    weaknesses = getattr(entry, "weaknesses", ()) or ()
    source = getattr(entry, "source", "") or ""
    return ProtocolProps(
        id=ident,
        confidentiality=_flag(entry, "confidentiality"),
        integrity=_flag(entry, "integrity"),
        peer_authentication=_flag(entry, "peer_authentication"),
        replay_protection=_flag(entry, "replay_protection"),
        mitm_resistance=_flag(entry, "mitm_resistance"),
        scope=str(getattr(entry, "scope", "end-to-end") or "end-to-end"),
        deprecated=_flag(entry, "deprecated"),
        layer=str(getattr(entry, "layer", "") or ""),
        weaknesses=tuple(str(w) for w in weaknesses) if isinstance(weaknesses, Sequence) else (),
        source=source if isinstance(source, str) else "; ".join(map(str, source)),
    )
