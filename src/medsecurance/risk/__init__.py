"""Security-for-safety risk (AAMI TIR57 / SW96): exploitability × ISO 14971 severity of harm.

Public API::

    from medsecurance.risk import assess, load_policy, kb_callables
    hazards_for_loss, control_info = kb_callables(load_kb())
    register = assess(model, findings, attack_paths, decisions=decisions, policy=load_policy(),
                      hazards_for_loss=hazards_for_loss, control_info=control_info)
    register.to_dict()                        # the assessment JSON "risks" list
    register.section()                        # heat map, traceability, safety hand-off, metrics
    render_register_table(register)           # rich table; register_csv / register_json / write_handoff

Scoring primitives: :func:`parse_cvss` (CVSS 3.x/4.0 through Red Hat's ``cvss``),
:func:`load_rubric` (the MITRE medical-device CVSS rubric as data), exploitability, harm and policy
tables under ``risk/data``.
"""

from medsecurance.risk.assess import RiskTables, assess
from medsecurance.risk.benefit_risk import ControlConcern, load_interference_rules
from medsecurance.risk.cvss import CvssError, CvssScore, parse_cvss
from medsecurance.risk.exploitability import ControlFacts, ControlInfo, load_exploitability
from medsecurance.risk.kb_adapter import kb_callables
from medsecurance.risk.policy import Policy, load_policy
from medsecurance.risk.register import HandoffRow, RecommendedControl, RiskEntry, RiskRegister, TraceRow
from medsecurance.risk.render import (
    handoff_csv,
    handoff_json,
    heatmap_svg,
    register_csv,
    register_json,
    render_register_table,
    write_handoff,
)
from medsecurance.risk.rubric import Rubric, RubricError, RubricResult, load_rubric
from medsecurance.risk.rubric_store import append_rubric_answers
from medsecurance.risk.scales import Exploitability, PrivacyImpact, RiskLevel
from medsecurance.risk.severity import HazardsForLoss, load_harm_tables

__all__ = [
    "ControlConcern",
    "ControlFacts",
    "ControlInfo",
    "CvssError",
    "CvssScore",
    "Exploitability",
    "HandoffRow",
    "HazardsForLoss",
    "Policy",
    "PrivacyImpact",
    "RecommendedControl",
    "RiskEntry",
    "RiskLevel",
    "RiskRegister",
    "RiskTables",
    "Rubric",
    "RubricError",
    "RubricResult",
    "TraceRow",
    "append_rubric_answers",
    "assess",
    "handoff_csv",
    "handoff_json",
    "heatmap_svg",
    "kb_callables",
    "load_exploitability",
    "load_harm_tables",
    "load_interference_rules",
    "load_policy",
    "load_rubric",
    "parse_cvss",
    "register_csv",
    "register_json",
    "render_register_table",
    "write_handoff",
]
