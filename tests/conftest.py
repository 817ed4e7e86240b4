"""Shared fixtures: offline by default, isolated user folders, helpers to write files."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
DATA = Path(__file__).resolve().parent / "data"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--skip-online", action="store_true", help="skip tests marked online")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--skip-online"):
        skip = pytest.mark.skip(reason="--skip-online")
        for item in items:
            if "online" in item.keywords:
                item.add_marker(skip)


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Keep user data, caches and KB imports out of the real home folder."""
    base = tmp_path_factory.getbasetemp() / "medsec-home"
    monkeypatch.setenv("MEDSEC_CACHE_DIR", str(base / "cache"))
    monkeypatch.setenv("MEDSEC_KB_DIR", str(base / "kb"))
    monkeypatch.setenv("MEDSEC_VULNDB", str(base / "vulndb.sqlite"))
    yield


@pytest.fixture()
def examples() -> Path:
    """The folder of the three reference systems."""
    return EXAMPLES
