"""CVSS scoring matches Red Hat's reference vectors; malformed vectors give a clear error."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from medsecurance.errors import PolicyError
from medsecurance.risk.cvss import CvssError, exploitability_subscore, parse_cvss

DATA = Path(__file__).parent.parent / "data" / "risk" / "cvss"


def _vectors(name: str) -> list[tuple[str, tuple[float | None, ...]]]:
    out = []
    for line in (DATA / name).read_text().splitlines():
        if line.strip():
            vector, expected = line.split(" - ")
            value = ast.literal_eval(expected.strip())
            out.append((vector.strip(), value if isinstance(value, tuple) else (value,)))
    return out


V3 = [v for n in ("vectors_simple3", "vectors_simple31", "vectors_calculator3", "vectors_cvsslib3") for v in _vectors(n)]
V4_BASE = _vectors("vectors_simple4")
V4_FULL = [v for n in ("vectors_security4", "vectors_threat4", "vectors_supplemental4") for v in _vectors(n)]


def test_vector_files_are_present() -> None:
    assert len(V3) > 500 and len(V4_BASE) > 100 and len(V4_FULL) > 100


@pytest.mark.parametrize(("vector", "expected"), V3, ids=[v for v, _ in V3])
def test_cvss3_scores_match_reference(vector: str, expected: tuple[float | None, ...]) -> None:
    score = parse_cvss(vector)
    base, temporal, env = expected
    assert score.base == pytest.approx(abs(base or 0.0))
    assert score.temporal == pytest.approx(abs(temporal or 0.0))
    assert score.environmental == pytest.approx(abs(env or 0.0))
    assert score.version == vector[5:8]


@pytest.mark.parametrize(("vector", "expected"), V4_BASE, ids=[v for v, _ in V4_BASE])
def test_cvss4_base_scores_match_reference(vector: str, expected: tuple[float, ...]) -> None:
    score = parse_cvss(vector)
    assert score.base == pytest.approx(expected[0])
    assert score.environmental == pytest.approx(expected[0])


@pytest.mark.parametrize(("vector", "expected"), V4_FULL, ids=[v for v, _ in V4_FULL])
def test_cvss4_threat_and_environmental_scores_match_reference(vector: str, expected: tuple[float, ...]) -> None:
    assert parse_cvss(vector).environmental == pytest.approx(expected[0])


def test_cvss4_threat_score_uses_only_exploit_maturity() -> None:
    s = parse_cvss("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:U/CR:L")
    assert s.base == pytest.approx(9.3)
    assert s.temporal < s.base
    assert s.temporal == parse_cvss("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:U").environmental


@pytest.mark.parametrize(
    "vector",
    ["CVSS:3.1/AV:X", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:Q", "CVSS:4.0/AV:N", "AV:N/AC:L/Au:N/C:P/I:P/A:P", ""],
)
def test_malformed_vectors_raise_policy_error_showing_vector(vector: str) -> None:
    with pytest.raises(CvssError) as info:
        parse_cvss(vector)
    assert isinstance(info.value, PolicyError)
    assert f"'{vector}'" in str(info.value)


def test_exploitability_subscore() -> None:
    assert exploitability_subscore(parse_cvss("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")) == pytest.approx(3.887)
    assert exploitability_subscore(parse_cvss("CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:U/C:H/I:H/A:H")) < 0.2
    v4 = parse_cvss("CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:A/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N")
    assert exploitability_subscore(v4) == pytest.approx(
        exploitability_subscore(parse_cvss("CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:H/I:H/A:H"))
    )


def test_impacts() -> None:
    assert parse_cvss("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:H/A:L").impacts() == ("I", "A")
    assert parse_cvss("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N").impacts() == ("C",)
