"""The assurance case: GSN model, argument patterns as data, evidence checks, evaluation and exports.

>>> from medsecurance.assurance import build_assurance          # doctest: +SKIP
>>> result = build_assurance(load, findings, sections, stages, decisions, as_of)   # doctest: +SKIP
>>> result.to_dict()["summary"]["share_supported"]              # doctest: +SKIP

Node ids follow ``.agents/ASSURANCE_IDS.md`` (G-top, G-hazard-<id>, Sn-<evidence id>, …).
"""

from medsecurance.assurance.build import AssuranceResult, build_assurance
from medsecurance.assurance.model import Case, Node, NodeType, check_structure
from medsecurance.assurance.patterns import Pattern, load_patterns

__all__ = ["AssuranceResult", "Case", "Node", "NodeType", "Pattern", "build_assurance", "check_structure",
           "load_patterns"]
