"""Bad rule files are rejected at load with file:line:column and the reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from medsecurance.errors import RuleError
from medsecurance.kb import KnowledgeBase, load_kb
from medsecurance.threats import load_rules

GOOD = """\
rules:
  - id: U-001
    title: Custom rule for testing
    stride: tampering
    applies_to: flow
    when:
      protocol: [HTTP]
    impacts: [I]
    severity: medium
    mitigations: [transport-encryption]
    sources: [project]
    explanation: "{subject}: {reasons}"
"""


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_kb()


def _load(kb: KnowledgeBase, tmp_path: Path, text: str) -> RuleError:
    path = tmp_path / "rules.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RuleError) as info:
        load_rules(kb, [path])
    return info.value


def test_user_rule_loads_and_overrides(kb: KnowledgeBase, tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(GOOD, encoding="utf-8")
    rules = {r.id: r for r in load_rules(kb, [path])}
    assert "U-001" in rules and rules["U-001"].mitigations == ("transport-encryption",)
    path.write_text(GOOD.replace("U-001", "MS-HL7-001"), encoding="utf-8")
    assert {r.id: r for r in load_rules(kb, [path])}["MS-HL7-001"].title == "Custom rule for testing"


@pytest.mark.parametrize(("old", "new", "line", "fragment"), [
    ("    impacts: [I]\n", "    impacts: [I\n", 9, "YAML syntax error"),
    ("protocol: [HTTP]", "protocol: [HTTPX]", 7, "unknown protocol 'HTTPX'"),
    ("protocol: [HTTP]", "protokol: [HTTP]", 7, "unknown predicate 'protokol'"),
    ("protocol: [HTTP]", "protocol: [HTTP]\n      credentials: default\n      crosses_zone: true", 7,
     "impossible condition"),
    ("applies_to: flow", "applies_to: component", 7, "impossible condition"),
    ("mitigations: [transport-encryption]", "mitigations: [transport-encryptoin]", 10, "unknown control"),
    ("stride: tampering", "stride: tampering-ish", 4, "unknown STRIDE category"),
    ('explanation: "{subject}: {reasons}"', 'explanation: "{subject}: {why}"', 12, "unknown placeholder '{why}'"),
    ("    sources: [project]\n", "", 2, "missing required key 'sources'"),
    ("    severity: medium\n", "    severity: dire\n", 9, "severity"),
    ("    stride: tampering\n", "    stride: tampering\n    threat_class: tc-nope\n", 5, "unknown threat class"),
    ("    sources: [project]\n", "    sources: [project]\n    references: [CVE-2020-1]\n", 12, "malformed reference"),
    ("protocol: [HTTP]", "need: {integrity: huge}", 7, "bad need"),
    ("protocol: [HTTP]", "any: []", 7, "needs a non-empty list"),
    ("protocol: [HTTP]", "asset: {category: phi}", 7, "expected a mapping with 'data_category'"),
    ("protocol: [HTTP]", "asset: {data_category: phii}", 7, "unknown data-category 'phii'"),
])
def test_bad_rule_is_located(kb: KnowledgeBase, tmp_path: Path, old: str, new: str, line: int, fragment: str) -> None:
    assert old in GOOD
    err = _load(kb, tmp_path, GOOD.replace(old, new))
    hits = [d for d in err.items if fragment in str(d)]
    assert hits, err.diagnostics()
    assert hits[0].file and hits[0].file.endswith("rules.yaml")
    assert hits[0].line == line, str(hits[0])


def test_duplicate_rule_ids(kb: KnowledgeBase, tmp_path: Path) -> None:
    text = GOOD + GOOD.split("rules:\n", 1)[1]
    err = _load(kb, tmp_path, text)
    assert "duplicate rule id 'U-001'" in err.diagnostics()


def test_missing_rules_path(kb: KnowledgeBase, tmp_path: Path) -> None:
    with pytest.raises(RuleError, match="not found"):
        load_rules(kb, [tmp_path / "nope"])


def test_asset_predicate_needs_one_asset_to_satisfy_both(kb: KnowledgeBase, tmp_path: Path) -> None:
    """`asset:` holds only when the same asset has the category and the need."""
    import datetime as dt

    from medsecurance.model import load
    from medsecurance.threats import match_rules

    rules_file = tmp_path / "rules.yaml"
    rules_file.write_text(GOOD.replace("applies_to: flow", "applies_to: component")
                          .replace("protocol: [HTTP]", "asset: {data_category: phi, need: {confidentiality: high}}"))
    model = tmp_path / "model.yaml"
    model.write_text(
        "system: {id: s, name: S, version: '1', setting: clinic}\n"
        "assets:\n"
        "  - {id: A-phi-low, kind: data, confidentiality: low, data_categories: [phi]}\n"
        "  - {id: A-key, kind: key, confidentiality: high, data_categories: [cryptographic-keys]}\n"
        "  - {id: A-phi-high, kind: data, confidentiality: high, data_categories: [phi]}\n"
        "components:\n"
        "  - {id: split, type: Server, assets: [A-phi-low, A-key]}\n"
        "  - {id: same, type: Server, assets: [A-phi-high]}\n")
    rules = [r for r in load_rules(kb, [rules_file]) if r.id == "U-001"]
    found = match_rules(load(model).model, kb, rules, as_of=dt.date(2026, 11, 29))
    assert [f.elements[0] for f in found] == ["same"]
    assert "A-phi-high holds phi data with confidentiality need high" in found[0].explanation
