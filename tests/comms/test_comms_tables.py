"""The comms data tables and the HTML section."""

from __future__ import annotations

import re
from pathlib import Path

import dpkt
import yaml

from medsecurance.comms import analyze
from medsecurance.comms._tables import advice, weak_suites
from medsecurance.comms.catalogue import MappingCatalogue
from medsecurance.comms.html import render_comms_html
from medsecurance.comms.inventory import load_hosts
from medsecurance.comms.traffic import analyze_capture
from medsecurance.model import load

SRC = Path(__file__).resolve().parents[2] / "src" / "medsecurance" / "comms"
DATA = Path(__file__).resolve().parents[1] / "data" / "comms"


def test_every_rule_used_in_code_has_advice_with_sources() -> None:
    used = set()
    for module in SRC.glob("*.py"):
        used |= set(re.findall(r'"(comms\.[a-z0-9-]+)"', module.read_text()))
    rules = yaml.safe_load((SRC / "data" / "recommendations.yaml").read_text())["rules"]
    assert used <= set(rules), used - set(rules)
    for rule in rules:
        adv = advice(rule)
        assert adv.title and adv.recommendation and adv.sources


def test_weak_suites_match_the_iana_names_in_dpkt() -> None:
    table = weak_suites()
    assert len(table) > 40
    for code, suite in table.items():
        assert dpkt.ssl_ciphersuites.BY_CODE[code].name == suite.name
        assert suite.sources and suite.severity in {"low", "medium", "high", "critical"}
    assert table[0x0005].weakness == "rc4" and table[0x002F].weakness == "static-rsa"


def test_html_section(catalogue: MappingCatalogue) -> None:
    model = load(DATA / "model.yaml").model
    result = analyze(model, catalogue)
    observed = analyze_capture(DATA / "loopback.pcap", model, hosts=load_hosts(DATA / "hosts.yaml", model))
    html = render_comms_html(result, observed=observed)
    assert html.startswith("<section") and html.count('<tr id="comms-') == len(model.flows)
    assert "not observed" in html and "TLS1.3 127.0.0.21" in html and "IHE ITI TF-2" in html
    assert "Traffic not matched to a flow" in html and "biomed-laptop" in html
    plain = render_comms_html(result)
    assert "no capture" in plain and "not probed" in plain


def test_html_escapes_model_text(catalogue: MappingCatalogue) -> None:
    from medsecurance.comms.result import CommsResult

    result = CommsResult(
        findings=(),
        flows={
            "F": {
                "flow": "F",
                "from": "<script>",
                "to": "b",
                "stack": [],
                "end_to_end": {},
                "peer_authentication": "none",
                "needs": {},
            }
        },
    )
    assert "<script>" not in render_comms_html(result)
