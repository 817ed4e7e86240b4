"""Framework files: every shipped file loads; malformed files give located errors."""

from __future__ import annotations

import pytest

from conftest import DATA
from medsecurance.assurance.frameworks import framework_ids, load_framework, load_framework_file
from medsecurance.errors import AssuranceError


def test_shipped_frameworks_load() -> None:
    ids = framework_ids()
    assert {"fda-premarket", "eu-mdr", "iec-81001-5-1", "iec-62443-4-1", "iec-tr-60601-4-5"} <= set(ids)
    fda = load_framework("fda-premarket")
    clause_ids = {c.id for c in fda.clauses}
    assert {
        "524B(b)(1)",
        "524B(b)(2)",
        "524B(b)(3)",
        "VIEW.global",
        "VIEW.multi-patient",
        "VIEW.updatability",
        "VIEW.use-case",
    } <= clause_ids
    assert sum(c.group == "Security control categories" for c in fda.clauses) == 8
    mdr = {c.id for c in load_framework("eu-mdr").clauses}
    assert {"GSPR-17.2", "GSPR-17.4", "GSPR-18.8", "GSPR-23.4(ab)", "IG-NB-5.2"} <= mdr
    for fid in ids:
        for c in load_framework(fid).clauses:
            assert c.source and c.paraphrase


@pytest.mark.parametrize(
    ("name", "line", "words"),
    [
        ("bad-extra-key.yaml", 9, "colour"),
        ("bad-duplicate.yaml", 4, "appears twice"),
        ("bad-two-kinds.yaml", 9, "exactly one of"),
        ("bad-syntax.yaml", None, "YAML syntax error"),
        ("bad-only-assurance.yaml", 3, "besides 'assurance'"),
    ],
)
def test_malformed_framework_is_located(name: str, line: int | None, words: str) -> None:
    with pytest.raises(AssuranceError) as err:
        load_framework_file(DATA / name)
    d = err.value.first
    assert d.file and d.file.endswith(name)
    assert words in str(err.value)
    if line is not None:
        assert d.line == line
    else:
        assert d.line is not None


def test_unknown_framework_and_missing_file() -> None:
    with pytest.raises(AssuranceError, match="unknown framework"):
        load_framework("no-such-framework")
    with pytest.raises(AssuranceError, match="file not found"):
        load_framework(str(DATA / "absent.yaml"))
