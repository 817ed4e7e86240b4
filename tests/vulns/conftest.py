"""Shared fixtures for the vulnerability-analysis tests."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from medsecurance.vulns import VulnDatabase

DATA = Path(__file__).resolve().parents[1] / "data" / "vulns"


@pytest.fixture(scope="session")
def vdata() -> Path:
    """The copied test data folder."""
    return DATA


@pytest.fixture(scope="session")
def loaded_db(tmp_path_factory: pytest.TempPathFactory) -> VulnDatabase:
    """A database with every advisory sample of tests/data/vulns imported once."""
    path = tmp_path_factory.mktemp("db") / "vulndb.sqlite"
    db = VulnDatabase(path)
    db.import_files(sorted((DATA / "advisories").iterdir()))
    return db


@pytest.fixture()
def proton_sbom(tmp_path: Path) -> Path:
    """The proton-bridge CycloneDX SBOM, decompressed."""
    target = tmp_path / "proton-bridge.cdx.json"
    target.write_bytes(gzip.decompress((DATA / "sbom" / "proton-bridge-v1.8.0.cdx.json.gz").read_bytes()))
    return target
