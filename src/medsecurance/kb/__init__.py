"""Knowledge base: the IoMT security ontology, control catalogues and MITRE catalogues.

Typical use::

    from medsecurance.kb import load_kb

    kb = load_kb()
    kb.resolve("pump server", "device-type")      # 'InfusionManagementServer'
    kb.device_type("InfusionPump").life_sustaining  # True
    kb.protocol("BLE-LESC-JustWorks").mitm_resistance  # False
    kb.hazards_for_loss("therapy-settings", "I")   # ('incorrect-therapy', 'over-delivery-of-therapy', ...)
    kb.threat_class("tc-default-credentials").mitigated_by

The ontology lives in ``data/*.ttl`` (namespace ``https://w3id.org/medsecurance/iomt#``), its SHACL
shapes in ``shapes/``. :func:`load_kb` compiles it once into frozen records and caches the result.
"""

from __future__ import annotations

from medsecurance.kb.index import KnowledgeBase
from medsecurance.kb.loader import clear_memo, load_kb
from medsecurance.kb.model import KINDS, NS, Control, DeviceType, Protocol, Term, ThreatClass, normalise

__all__ = [
    "KINDS",
    "NS",
    "Control",
    "DeviceType",
    "KnowledgeBase",
    "Protocol",
    "Term",
    "ThreatClass",
    "clear_memo",
    "load_kb",
    "normalise",
]
