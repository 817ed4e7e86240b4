"""The system model: schema (pydantic), YAML loader with locations, graph view.

>>> from medsecurance.model import load
>>> result = load("examples/hospital/model.yaml")   # doctest: +SKIP
>>> result.model.system.name                        # doctest: +SKIP
'Smart Infusion System'
"""

from medsecurance.model.loader import LoadResult, SourceMap, load, load_model
from medsecurance.model.schema import (
    Actor,
    Asset,
    Component,
    Conduit,
    Evidence,
    Flow,
    HarmSeverity,
    Hazard,
    Interface,
    Need,
    SLVector,
    SystemModel,
    TrustBoundary,
    Zone,
)

__all__ = [
    "Actor",
    "Asset",
    "Component",
    "Conduit",
    "Evidence",
    "Flow",
    "HarmSeverity",
    "Hazard",
    "Interface",
    "LoadResult",
    "Need",
    "SLVector",
    "SourceMap",
    "SystemModel",
    "TrustBoundary",
    "Zone",
    "load",
    "load_model",
]
