"""Adapter from the knowledge base (``medsecurance.kb``) to the contracts stage's plain inputs.

Uses only ``kb.control(id).crs`` and ``kb.protocol(id)`` (booleans ``confidentiality``,
``integrity``, ``peer_authentication``, ``replay_protection``), looked up for the ids a model uses,
so the contracts stage does not depend on the KB's internals.
"""

from __future__ import annotations

from typing import Any

from medsecurance.contracts.interface import ContractInputs, ProtocolProps
from medsecurance.errors import KbError
from medsecurance.model.schema import SystemModel

__all__ = ["inputs_from_kb"]


def _lookup(getter: Any, key: str) -> Any:
    """The KB record for an id, or None when the KB does not know it."""
    try:
        return getter(key)
    except (KbError, KeyError, LookupError):
        return None


def inputs_from_kb(kb: Any, model: SystemModel | None = None) -> ContractInputs:
    """ContractInputs with the KB's control → CR map and protocol properties for the model's ids."""
    if kb is None or model is None:
        return ContractInputs()
    control_crs: dict[str, tuple[str, ...]] = {}
    for control in sorted({c for comp in model.components for c in comp.controls}):
        entry = _lookup(kb.control, control)
        if entry is not None:
            control_crs[control] = tuple(str(cr) for cr in getattr(entry, "crs", ()) or ())
    protocols: dict[str, ProtocolProps] = {}
    names = {p for f in model.flows for p in f.protocol} | {p for k in model.conduits for p in k.protocol}
    names |= {p for comp in model.components for i in comp.interfaces for p in i.protocol}
    for name in sorted(names):
        entry = _lookup(kb.protocol, name)
        if entry is not None:
            protocols[name] = ProtocolProps(
                confidentiality=bool(getattr(entry, "confidentiality", False)),
                integrity=bool(getattr(entry, "integrity", False)),
                peer_authentication=bool(getattr(entry, "peer_authentication", False)),
                replay_protection=bool(getattr(entry, "replay_protection", False)),
            )
    return ContractInputs(control_crs=control_crs, protocols=protocols)
