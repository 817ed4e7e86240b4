"""The offline advisory set in examples/advisories gives true findings (with reasons) for the example SBOMs."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from medsecurance.cli import main

ROOT = Path(__file__).resolve().parents[2]
ADVISORIES = ROOT / "examples" / "advisories"
NVD_FILE = ADVISORIES / "nvd" / "nvd-transcribed-example-cves.json"

#: every (component name → advisory ids) the scan must report, per example SBOM; nothing else
EXPECTED: dict[str, dict[str, set[str]]] = {
    "clinic/ct": {
        "sqlite": {"CVE-2020-11655", "CVE-2020-11656"},
        "zlib": {"CVE-2018-25032", "CVE-2022-37434"},
    },
    "clinic/pacs": {"httpd": {"CVE-2023-25690"}},
    "clinic/ris": {},
    "clinic/rsg": {
        "github.com/gin-gonic/gin": {"GO-2023-1737"},
        "golang.org/x/crypto": {
            "GO-2023-2402",
            "GO-2024-3321",
            "GO-2025-3487",
            "GO-2025-4116",
            "GO-2025-4134",
            "GO-2025-4135",
            "GO-2026-5005",
            "GO-2026-5006",
            "GO-2026-5013",
            "GO-2026-5014",
            "GO-2026-5015",
            "GO-2026-5016",
            "GO-2026-5017",
            "GO-2026-5018",
            "GO-2026-5019",
            "GO-2026-5020",
            "GO-2026-5021",
            "GO-2026-5023",
            "GO-2026-5033",
            "GO-2026-5932",
        },
        "golang.org/x/net": {
            "GO-2023-1988",
            "GO-2023-2102",
            "GO-2024-2687",
            "GO-2024-3333",
            "GO-2025-3503",
            "GO-2025-3595",
            "GO-2026-4440",
            "GO-2026-4441",
            "GO-2026-4918",
            "GO-2026-5025",
            "GO-2026-5026",
            "GO-2026-5027",
            "GO-2026-5028",
            "GO-2026-5029",
            "GO-2026-5030",
            "GO-2026-5942",
        },
    },
    "clinic/workstation": {"zlib": {"CVE-2018-25032", "CVE-2022-37434"}},
    "home/app": {"gson": {"CVE-2022-25647"}},
    "home/cgm": {},
    "home/cloud": {
        "celery": {"PYSEC-2021-858"},
        "cryptography": {"PYSEC-2021-63", "PYSEC-2023-11", "PYSEC-2023-254"},
        "flask": {"PYSEC-2023-62"},
        "pyjwt": {"PYSEC-2022-202"},
        "requests": {"PYSEC-2023-74"},
        "urllib3": {"PYSEC-2021-108", "PYSEC-2023-192", "PYSEC-2023-212"},
        "werkzeug": {"PYSEC-2023-221", "PYSEC-2023-57", "PYSEC-2023-58"},
    },
    "home/portal": {"lodash": {"CVE-2021-23337"}},
    "home/pump": {},
    "hospital/hl7-engine": {
        "jackson-databind": {"CVE-2020-36518"},
        "log4j-core": {"CVE-2021-44228", "CVE-2021-45046"},
    },
    "hospital/lvp": {
        "busybox": {"CVE-2022-28391"},
        "openssl": {"CVE-2021-3711", "CVE-2021-3712", "CVE-2022-0778", "CVE-2023-0286"},
        "sqlite": {"CVE-2020-11655", "CVE-2020-11656"},
        "zlib": {"CVE-2018-25032", "CVE-2022-37434"},
    },
    "hospital/pump-server": {"jackson-databind": {"CVE-2020-36518"}},
    "hospital/service-tool": {
        "Newtonsoft.Json": {"CVE-2024-21907"},
        "sqlite": {"CVE-2020-11655", "CVE-2020-11656"},
    },
    "hospital/syringe": {},
}

#: advisories that ARE in the set for a component of the SBOM, whose version is outside the affected range
NEAR_MISSES: dict[str, set[tuple[str, str]]] = {
    "clinic/ct": {("openssl", "CVE-2022-0778"), ("openssl", "CVE-2023-0286"), ("openssl", "CVE-2021-3711")},
    "clinic/rsg": {
        ("openssl", "CVE-2023-0286"),  # 3.5.1 is after the 3.0.8 fix line
        ("github.com/gin-gonic/gin", "GO-2021-0052"),  # fixed in 1.7.7
        ("golang.org/x/net", "GO-2023-1495"),  # fixed in 0.1.1-0.2022…
        ("golang.org/x/net", "GO-2026-4559"),  # introduced in 0.50.0
        ("golang.org/x/crypto", "GO-2024-2961"),  # fixed in a 2022 pseudo-version
    },
    "clinic/pacs": {("httpd", "CVE-2022-31813")},  # fixed in 2.4.54 itself
    "home/cloud": {
        ("pyjwt", "PYSEC-2017-24"),  # fixed in 1.5.1
        ("cryptography", "PYSEC-2021-62"),  # fixed in 3.2.1
        ("cryptography", "PYSEC-2023-112"),  # introduced in 40.0.0
        ("urllib3", "PYSEC-2021-59"),  # fixed in 1.26.4 itself
        ("werkzeug", "PYSEC-2022-203"),  # fixed in 2.1.1
        ("gunicorn", "PYSEC-2018-55"),  # fixed in 19.5.0
        ("celery", "PYSEC-2011-17"),  # fixed in 2.4.4
    },
    "hospital/hl7-engine": {("log4j-api", "CVE-2021-44228"), ("log4j-api", "CVE-2021-45046")},
    "hospital/service-tool": {("openssl", "CVE-2022-0778"), ("openssl", "CVE-2021-3712")},
}


@pytest.fixture(scope="module")
def example_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database with the whole examples/advisories folder imported through the CLI."""
    db = tmp_path_factory.mktemp("example-advisories") / "demo.sqlite"
    assert main(["vulndb", "import", str(ADVISORIES), "--db", str(db)]) == 0
    return db


def _scan(example: str, db: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    system, name = example.split("/")
    sbom = ROOT / "examples" / system / "sboms" / f"{name}.cdx.json"
    capsys.readouterr()
    assert main(["sbom", "scan", str(sbom), "--db", str(db), "--explain", "--format", "json"]) == 0
    result: dict[str, Any] = json.loads(capsys.readouterr().out)
    return result


def _pairs(result: dict[str, Any]) -> set[tuple[str, str]]:
    return {(m["component"]["name"], m["vulnerability"]) for m in result["matches"]}


def test_every_example_sbom_is_covered() -> None:
    """The expectation table names every example SBOM (a new SBOM needs an entry)."""
    found = {
        f"{p.parents[1].name}/{p.name.removesuffix('.cdx.json')}" for p in ROOT.glob("examples/*/sboms/*.cdx.json")
    }
    assert found == set(EXPECTED)


@pytest.mark.parametrize("example", sorted(EXPECTED))
def test_example_sbom_findings(example: str, example_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Exactly the expected (component, advisory) pairs, none of the near misses, each with a reason."""
    result = _scan(example, example_db, capsys)
    want = {(component, adv) for component, ids in EXPECTED[example].items() for adv in ids}
    got = _pairs(result)
    assert got == want
    assert not got & NEAR_MISSES.get(example, set())
    for m in result["matches"]:
        reason = m["match"]["reason"]
        version = m["component"]["version"]
        assert m["vulnerability"] in reason and version in reason, reason
        assert re.search(r"\b(range|within)\b", reason), reason  # names the affected range it fell in


def test_log4shell_carries_kev_and_cvss(example_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Log4Shell is critical, on the KEV list since 2021-12-10, and the reason names the 2.13.0–2.15.0 range."""
    result = _scan("hospital/hl7-engine", example_db, capsys)
    by_id = {m["vulnerability"]: m for m in result["matches"]}
    log4shell = by_id["CVE-2021-44228"]
    assert log4shell["kev"] is True and log4shell["kev_date_added"] == "2021-12-10"
    assert log4shell["severity"] == "critical" and log4shell["cvss"]["score"] == 10.0
    assert ">= 2.13.0, < 2.15.0" in log4shell["match"]["reason"]
    assert by_id["CVE-2021-45046"]["kev_date_added"] == "2023-05-01"
    assert by_id["CVE-2020-36518"]["kev"] is False


def test_openssl_reason_uses_letter_versions(example_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """1.1.1k is compared with the letter releases 1.1.1l / 1.1.1n / 1.1.1t of the OpenSSL fix lines."""
    result = _scan("hospital/lvp", example_db, capsys)
    reasons = {
        m["vulnerability"]: m["match"]["reason"] for m in result["matches"] if m["component"]["name"] == "openssl"
    }
    assert ">= 1.1.1, <= 1.1.1k" in reasons["CVE-2021-3711"]
    assert ">= 1.1.1, < 1.1.1n" in reasons["CVE-2022-0778"]
    assert ">= 1.1.1, < 1.1.1t" in reasons["CVE-2023-0286"]


def test_folder_is_small_and_documented() -> None:
    """Under 300 KB; every transcribed NVD record cites its NVD page and appears in SOURCES.md."""
    size = sum(p.stat().st_size for p in ADVISORIES.rglob("*") if p.is_file())
    assert size < 300_000
    sources = (ADVISORIES / "SOURCES.md").read_text(encoding="utf-8")
    doc = json.loads(NVD_FILE.read_text(encoding="utf-8"))
    assert doc["totalResults"] == len(doc["vulnerabilities"])
    for item in doc["vulnerabilities"]:
        cve = item["cve"]
        assert f"https://nvd.nist.gov/vuln/detail/{cve['id']}" in {r["url"] for r in cve["references"]}
        assert cve["id"] in sources
        assert all(m["vulnerable"] for c in cve["configurations"] for n in c["nodes"] for m in n["cpeMatch"])
