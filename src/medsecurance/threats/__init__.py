"""Threat analysis: rules as data, a compiled condition language, threat instances and attack paths.

>>> from medsecurance.kb import load_kb                                   # doctest: +SKIP
>>> from medsecurance.threats import load_rules, match_rules              # doctest: +SKIP
>>> findings = match_rules(model, kb, load_rules(kb))                     # doctest: +SKIP
"""

from medsecurance.threats.engine import match_rules
from medsecurance.threats.paths import PathOptions, find_attack_paths
from medsecurance.threats.rules import RULES_DIR, Rule, load_rules

__all__ = ["RULES_DIR", "PathOptions", "Rule", "find_attack_paths", "load_rules", "match_rules"]
