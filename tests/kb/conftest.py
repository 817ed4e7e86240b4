"""Fixtures for knowledge-base tests: isolated KB and cache folders, real MITRE catalogues imported once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from medsecurance.kb import clear_memo
from medsecurance.kb.importers import import_catalogue

DATA = Path(__file__).resolve().parents[1] / "data" / "kb"
CWE_FILE = DATA / "cwec_v4.14.xml.gz"
CAPEC_FILE = DATA / "capec-stix2.1-objects.json.gz"
ATTACK_FILE = DATA / "ics-attack.json.gz"


@pytest.fixture(autouse=True)
def _isolated_kb(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test gets empty user KB and cache folders and a fresh in-process memo."""
    monkeypatch.setenv("MEDSEC_KB_DIR", str(tmp_path / "user-kb"))
    monkeypatch.setenv("MEDSEC_CACHE_DIR", str(tmp_path / "cache"))
    clear_memo()
    yield
    clear_memo()


@pytest.fixture(scope="session")
def imported_kb_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A user KB folder holding the full CWE 4.14, CAPEC and ATT&CK for ICS imports."""
    folder = tmp_path_factory.mktemp("imported-kb")
    import_catalogue("cwe", CWE_FILE, kb_dir=folder)
    import_catalogue("capec", CAPEC_FILE, kb_dir=folder)
    import_catalogue("attack-ics", ATTACK_FILE, kb_dir=folder)
    return folder
