"""Patterns, bad input, structure checks, evidence units, exports and the CLI of the assurance case."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
import yaml
from assurance_helpers import AS_OF, DATA, EXAMPLES, nodes, run

from medsecurance.assurance.evidence import automatic_defeaters, check_evidence, load_evidence_policy
from medsecurance.assurance.export import render_case, to_gsn_yaml
from medsecurance.assurance.model import Case, Node, NodeType, check_structure
from medsecurance.assurance.patterns import builtin_patterns, load_patterns
from medsecurance.cli import main
from medsecurance.errors import AssuranceError
from medsecurance.findings import Finding, FindingKind, Severity


def test_builtin_patterns_name_their_sources() -> None:
    pats = builtin_patterns()
    assert {p.pattern for p in pats} >= {"top", "hazards", "threats", "vulnerabilities", "sbom", "contracts",
                                         "communications", "lifecycle"}
    assert all(p.source.strip() for p in pats)


def test_user_pattern_adds_a_branch() -> None:
    by_id = nodes(run(EXAMPLES / "clinic" / "model.yaml", patterns=[str(DATA / "custom-pattern.yaml")]))
    assert by_id["G-boundaries"]["status"] == "supported"
    assert {"G-boundary-TB-a", "G-boundary-TB-b"} <= set(by_id)
    assert "G-boundaries" in by_id["S-top"]["supported_by"]


def test_malformed_pattern_is_a_located_error() -> None:
    with pytest.raises(AssuranceError) as err:
        load_patterns([DATA / "bad-pattern.yaml"])
    msg = str(err.value)
    assert "bad-pattern.yaml:8" in msg and "unknown key 'txt'" in msg


def test_pattern_yaml_syntax_error_is_located(tmp_path: Path) -> None:
    bad = tmp_path / "syntax.yaml"
    bad.write_text("pattern: x\nroot: [unclosed\n", encoding="utf-8")
    with pytest.raises(AssuranceError, match=r"syntax\.yaml:\d+"):
        load_patterns([bad])


def test_unknown_check_names_file_and_line() -> None:
    with pytest.raises(AssuranceError) as err:
        run(EXAMPLES / "clinic" / "model.yaml", patterns=[str(DATA / "unknown-check.yaml")])
    assert "unknown-check.yaml:6" in str(err.value) and "no-such-check" in str(err.value)


def test_unknown_attach_point_is_reported(tmp_path: Path) -> None:
    pat = tmp_path / "p.yaml"
    pat.write_text("pattern: p\ntitle: t\nsource: s\nattach: S-nowhere\nroot: {id: G-x, type: goal, text: x}\n",
                   encoding="utf-8")
    with pytest.raises(AssuranceError) as err:
        run(EXAMPLES / "clinic" / "model.yaml", patterns=[str(pat)])
    assert "p.yaml:4" in str(err.value) and "S-nowhere" in str(err.value)


def test_missing_pattern_path_is_reported(tmp_path: Path) -> None:
    with pytest.raises(AssuranceError, match="not found"):
        load_patterns([tmp_path / "absent"])


def test_missing_evidence_file_is_a_located_error(tmp_path: Path) -> None:
    from medsecurance import api

    shutil.copytree(EXAMPLES / "home", tmp_path / "home")
    loaded = api.load(tmp_path / "home" / "model.yaml")
    (tmp_path / "home" / "evidence" / "cloud-pentest-2026-07.md").unlink()
    with pytest.raises(AssuranceError) as err:
        check_evidence(loaded, AS_OF, load_evidence_policy())
    msg = str(err.value)
    assert "model.yaml:" in msg and "E-cloud-pentest-2026-07" in msg and "not found" in msg


def test_unreadable_evidence_file_is_a_located_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from medsecurance import api
    from medsecurance.assurance import evidence

    shutil.copytree(EXAMPLES / "home", tmp_path / "home")
    loaded = api.load(tmp_path / "home" / "model.yaml")

    def deny(path: object) -> str:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(evidence, "sha256_file", deny)
    with pytest.raises(AssuranceError, match="cannot be read: Permission denied"):
        check_evidence(loaded, AS_OF, load_evidence_policy())


def test_bad_evidence_policy_is_reported(tmp_path: Path) -> None:
    bad = tmp_path / "policy.yaml"
    bad.write_text("max_age_days: {penetration-test: -3}\n", encoding="utf-8")
    with pytest.raises(AssuranceError, match=r"policy\.yaml"):
        load_evidence_policy(bad)


def test_vulnerability_published_after_pentest_is_an_automatic_defeater() -> None:
    from medsecurance import api

    model = api.load(EXAMPLES / "hospital" / "model.yaml").model
    new = Finding("V-1", FindingKind.VULNERABILITY, "vuln/purl", "CVE-2026-0001 in openssl", Severity.HIGH,
                  ("lvp",), ("CVE-2026-0001",), details={"published": "2026-06-01"})
    old = Finding("V-2", FindingKind.VULNERABILITY, "vuln/purl", "CVE-2020-0001 in zlib", Severity.HIGH,
                  ("lvp",), ("CVE-2020-0001",), details={"published": "2020-01-01"})
    got = automatic_defeaters(model, [new, old])
    assert got == [("Sn-E-pentest-2026-03", "CVE-2026-0001 was published on 2026-06-01, after the "
                    "penetration-test of 2026-03-27 that covered lvp")]


def test_structure_checks_find_what_gsn2x_finds() -> None:
    good = {"G1": Node("G1", NodeType.GOAL, "g", ("S1",)), "S1": Node("S1", NodeType.STRATEGY, "s", ("G2",)),
            "G2": Node("G2", NodeType.GOAL, "g2", ("Sn1",)), "Sn1": Node("Sn1", NodeType.SOLUTION, "e")}
    assert check_structure(Case("G1", good)) == []
    bad = dict(good) | {
        "G2": Node("G2", NodeType.GOAL, "g2", ("Sn1", "S1")),  # cycle G2 → S1 → G2
        "Sn1": Node("Sn1", NodeType.SOLUTION, "e", ("G1",)),  # a solution with support
        "S2": Node("S2", NodeType.STRATEGY, "orphan", ("Sn1",)),  # strategy → solution, unreachable
        "G3": Node("G3", NodeType.GOAL, "bare"),
    }
    problems = " | ".join(check_structure(Case("G1", bad)))
    for code in ("C04", "V04: solution Sn1 must be a leaf", "V04: S2 (strategy)", "C08", "V02/V03", "C01"):
        assert code in problems, code


def test_gsn_yaml_follows_the_gsn2x_format() -> None:
    section = run(EXAMPLES / "hospital" / "model.yaml")
    doc = yaml.safe_load(to_gsn_yaml(section, name="smart-infusion"))
    assert doc.pop("module") == {"name": "smart-infusion", "brief": "Assurance case (G-top)"}
    assert set(doc) == {n["id"] for n in section["nodes"]}
    prefixes = ("Sn", "G", "S", "C", "A", "J")
    for nid, el in doc.items():
        assert nid.startswith(prefixes) and isinstance(el["text"], str) and el["text"]
        assert set(el) <= {"text", "supportedBy", "inContextOf", "undeveloped", "url", "nodeType", "status",
                           "reasons", "sha256"}
        for target in (*el.get("supportedBy", ()), *el.get("inContextOf", ())):
            assert target in doc
        assert not (el.get("undeveloped") and el.get("supportedBy"))
    assert doc["Sn-E-pentest-2026-03"]["url"] == "evidence/pentest-2026-03.md"


def test_cli_exports_every_format(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    model = str(EXAMPLES / "clinic" / "model.yaml")
    assert main(["assurance", model, "--format", "json", "--as-of", "2026-11-29"]) == 0
    section = json.loads(capsys.readouterr().out)
    assert section["root"] == "G-top" and section["summary"]["claims"] > 10
    assert main(["assurance", model, "-f", "gsn-yaml", "-o", str(tmp_path / "c.gsn.yaml"), "--as-of",
                 "2026-11-29"]) == 0
    assert "G-top:" in (tmp_path / "c.gsn.yaml").read_text(encoding="utf-8")
    if shutil.which("dot"):
        assert main(["assurance", model, "-f", "html", "-o", str(tmp_path / "c.html")]) == 0
        assert "<svg" in (tmp_path / "c.html").read_text(encoding="utf-8")
        assert render_case(section, "svg").lstrip().startswith("<?xml")
    assert main(["assurance", model, "--as-of", "yesterday"]) == 2


def test_cli_reports_bad_pattern_without_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["assurance", str(EXAMPLES / "clinic" / "model.yaml"), "--patterns", str(DATA / "bad-pattern.yaml")])
    assert code == 2
    assert "bad-pattern.yaml:8" in capsys.readouterr().err


def test_html_report_has_the_assurance_section(tmp_path: Path) -> None:
    from medsecurance import api

    loaded = api.load(EXAMPLES / "home" / "model.yaml")
    assessment = api.analyze_loaded(loaded, api.AnalysisOptions(as_of=dt.date(2026, 11, 29)))
    html = api.render(assessment, "html", loaded)
    assert "G-top" in html and "What would close it" in html
