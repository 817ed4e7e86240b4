"""Advisory database: format detection, incremental upserts, transactions, KEV/EPSS, bad input."""

from __future__ import annotations

import gzip
import json
import zipfile
from pathlib import Path

import pytest

from medsecurance.errors import AdvisoryError
from medsecurance.vulns import VulnDatabase

KEV_JSON = {
    "title": "CISA Catalog of Known Exploited Vulnerabilities",
    "catalogVersion": "2026.01.01",
    "count": 1,
    "vulnerabilities": [
        {
            "cveID": "CVE-2018-19010",
            "vendorProject": "Draeger",
            "product": "Infinity Delta",
            "dateAdded": "2026-01-01",
            "dueDate": "2026-01-22",
            "knownRansomwareCampaignUse": "Unknown",
        }
    ],
}
KEV_CSV = "cveID,vendorProject,product,vulnerabilityName,dateAdded,dueDate\nCVE-2023-0001,Palo,Cortex,X,2026-01-02,\n"
EPSS_CSV = (
    "#model_version:v2025.03.14,score_date:2026-01-01T00:00:00+0000\ncve,epss,percentile\nCVE-2018-19010,0.01234,0.5\n"
)


def test_every_sample_imports(loaded_db: VulnDatabase) -> None:
    stats = loaded_db.stats()
    assert stats["sources"]["csaf"] >= 260 and stats["sources"]["osv"] == 348
    assert stats["sources"]["nvd"] >= 200 and stats["sources"]["cve5"] == 60
    assert stats["aliases"] > 0


def test_reimport_is_incremental(tmp_path: Path, vdata: Path) -> None:
    src = vdata / "advisories" / "go-sample.osv.jsonl.gz"
    db = VulnDatabase(tmp_path / "db.sqlite")
    first = db.import_files([src])
    assert first.added == 107 and first.updated == 0
    again = db.import_files([src])
    assert again.added == 0 and again.unchanged == 107
    record = json.loads(gzip.decompress(src.read_bytes()).splitlines()[0])
    record["modified"] = "2099-01-01T00:00:00Z"
    record["summary"] = "changed"
    newer = tmp_path / "newer.json"
    newer.write_text(json.dumps(record))
    third = db.import_files([newer])
    assert third.updated == 1
    assert db.conn.execute("SELECT count(*) FROM advisory").fetchone()[0] == 107
    assert db.conn.execute("SELECT summary FROM advisory WHERE id=?", (record["id"],)).fetchone()[0] == "changed"


def test_failed_import_leaves_nothing(tmp_path: Path, vdata: Path) -> None:
    db = VulnDatabase(tmp_path / "db.sqlite")
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"id": "X-1", "modified": "2020", "affected": []}\n{"id": \n')
    with pytest.raises(AdvisoryError) as err:
        db.import_files([vdata / "advisories" / "go-sample.osv.jsonl.gz", broken])
    assert err.value.first.line == 2 and "broken.jsonl" in str(err.value)
    assert db.stats()["advisories"] == 0


def test_kev_and_epss(tmp_path: Path) -> None:
    (tmp_path / "kev.json").write_text(json.dumps(KEV_JSON))
    (tmp_path / "kev.csv").write_text(KEV_CSV)
    (tmp_path / "epss.csv").write_text(EPSS_CSV)
    db = VulnDatabase(tmp_path / "db.sqlite")
    stats = db.import_files([tmp_path / "kev.json", tmp_path / "kev.csv", tmp_path / "epss.csv"])
    assert (stats.kev, stats.epss) == (2, 1)
    kev, epss = db.kev_epss(["CVE-2018-19010", "CVE-2023-0001"])
    assert set(kev) == {"CVE-2018-19010", "CVE-2023-0001"}
    assert epss["CVE-2018-19010"].score == pytest.approx(0.01234) and epss["CVE-2018-19010"].date == "2026-01-01"


def test_folder_and_zip(tmp_path: Path, vdata: Path) -> None:
    folder = tmp_path / "osv"
    folder.mkdir()
    lines = gzip.decompress((vdata / "advisories" / "go-sample.osv.jsonl.gz").read_bytes()).splitlines()
    for i, line in enumerate(lines[:5]):
        (folder / f"{i}.json").write_bytes(line)
    archive = tmp_path / "all.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for i, line in enumerate(lines[5:9]):
            zf.writestr(f"GO-{i}.json", line)
    db = VulnDatabase(tmp_path / "db.sqlite")
    stats = db.import_files([folder, archive])
    assert stats.added == 9


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("trunc.json.gz", gzip.compress(b'{"id": "x"}' * 100)[:30], "truncated gzip"),
        ("trunc.zip", b"PK\x03\x04garbage", "broken or truncated zip"),
        ("sbom.json", b'{"bomFormat": "CycloneDX", "specVersion": "1.6"}', "this is an SBOM"),
        ("x.txt", b"hello", "not a recognised advisory format"),
        ("bad.json", b'{"id": 1,', "broken JSON"),
        ("kev.csv", b"cveID,vendorProject\nnot-a-cve,x\n", "no valid cveID"),
    ],
)
def test_bad_inputs_are_located(tmp_path: Path, name: str, content: bytes, expected: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(AdvisoryError) as err:
        VulnDatabase(tmp_path / "db.sqlite").import_files([path])
    assert expected in str(err.value) and name in str(err.value)


def test_oversized_advisory_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MEDSEC_MAX_INPUT_BYTES", "10")
    path = tmp_path / "big.json"
    path.write_text('{"id": "X", "modified": "1"}')
    with pytest.raises(AdvisoryError, match="limit"):
        VulnDatabase(tmp_path / "db.sqlite").import_files([path])


def test_default_path_from_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from medsecurance.vulns import default_db_path

    monkeypatch.setenv("MEDSEC_VULNDB", str(tmp_path / "env.sqlite"))
    assert default_db_path() == tmp_path / "env.sqlite"


def test_folder_skips_non_advisory_json_but_named_file_fails(tmp_path: Path, vdata: Path) -> None:
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "schema.json").write_text('{"$schema": "https://json-schema.org/draft/2020-12/schema"}')
    (folder / "adv.json").write_bytes(
        gzip.decompress((vdata / "advisories" / "go-sample.osv.jsonl.gz").read_bytes()).splitlines()[0]
    )
    db = VulnDatabase(tmp_path / "db.sqlite")
    stats = db.import_files([folder])
    assert stats.added == 1 and stats.skipped == [str(folder / "schema.json")]
    with pytest.raises(AdvisoryError, match="not a recognised advisory format"):
        db.import_files([folder / "schema.json"])
