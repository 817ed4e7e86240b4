"""Free-text version ranges, natural ordering, OSV ranges and CPE relations."""

from __future__ import annotations

import pytest

from medsecurance.vulns.cpe import CpeError, Relation, cpe_match, guard_rejects, parse_cpe, relation
from medsecurance.vulns.versions import compare, osv_range_contains, parse_spec


@pytest.mark.parametrize(
    ("text", "inside", "outside"),
    [
        ("<= 3.02.1757", ["3.02.1757", "3.01.9999", "2"], ["3.02.1758", "3.10"]),
        ("v6.x", ["6.0", "6.12.1", "v6.3"], ["7.0", "5.9"]),
        ("< 012U000040", ["012U000039", "011U999999"], ["012U000040", "012U000041"]),
        (">= 2018-1 | <= 2021-1", ["2018-1", "2020-5", "2021-1"], ["2017-9", "2021-2"]),
        ("vers:all/*", ["anything", "1"], []),
        ("all versions", ["0.1"], []),
        ("1.1.7.333 | 2.1.1.3069", ["1.1.7.333", "2.1.1.3069"], ["1.1.7.334"]),
        ("<= U61 |<= L81", ["U60", "L81"], ["U62"]),
        (">= v20D29 | <= v20D32 | >= v22D24 | <= v22D28", ["v20D30", "v22D28"], ["v21D01", "v22D29"]),
        ("2.3.6 and  below", ["2.3.6", "1.0"], ["2.3.7"]),
        ("<= 1.54 (integrated into GE MobileLink)", ["1.54"], ["1.55"]),
        ("v6.x (with Wireless Battery Modules v9 | v11 | >= v20D29 | <= v20D32)", ["6.1"], ["9.0"]),
    ],
)
def test_free_text_ranges(text: str, inside: list[str], outside: list[str]) -> None:
    spec = parse_spec(text)
    for version in inside:
        assert spec.contains(version) is True, (text, version)
    for version in outside:
        assert spec.contains(version) is False, (text, version)


@pytest.mark.parametrize("text", ["< august 28", "<  july 1 2017", "<May 2018", "distributed  < april 1, 2018"])
def test_dates_are_undetermined(text: str) -> None:
    spec = parse_spec(text)
    assert not spec.parsed and spec.contains("1.0") is None


def test_natural_order() -> None:
    assert compare("B.06.18", "B.07") < 0
    assert compare("R4.1L1", "R4.1L2") < 0
    assert compare("v1.2", "1.2") == 0
    assert compare("1.10", "1.9") > 0


def test_osv_ranges_pypi_and_go() -> None:
    events = [{"introduced": "0"}, {"fixed": "2.2.24"}, {"introduced": "3.0"}, {"fixed": "3.0.14"}]
    assert osv_range_contains("PyPI", events, "2.2.23")
    assert osv_range_contains("PyPI", events, "3.0rc1") is None  # pre-release of 3.0 is below 3.0
    assert osv_range_contains("PyPI", events, "3.0.13")
    assert osv_range_contains("PyPI", events, "3.0.14") is None
    assert osv_range_contains("Go", [{"introduced": "0"}, {"fixed": "1.6.0"}], "v1.4.0")
    assert osv_range_contains("Go", [{"introduced": "1.0.0"}, {"last_affected": "1.2.0"}], "1.2.0")


def test_cpe_parse_and_relations() -> None:
    cpe = parse_cpe(r"cpe:2.3:a:vendor:prod\:uct:1.0:*:*:*:*:*:*:*")
    assert cpe.product == "prod:uct" and parse_cpe(cpe.to_fs()) == cpe
    assert parse_cpe("cpe:/a:apache:http_server:2.4.1").version == "2.4.1"
    assert relation("*", "x") is Relation.SUPERSET and relation("x", "*") is Relation.SUBSET
    with pytest.raises(CpeError):
        parse_cpe("cpe:2.3:a:too:few")
    with pytest.raises(CpeError):
        parse_cpe("not-a-cpe")


def test_dependency_track_guard() -> None:
    component = parse_cpe("cpe:2.3:a:*:zstandard:*:*:*:*:*:*:*:*")
    criteria = parse_cpe("cpe:2.3:a:pascom:*:*:*:*:*:*:*:*:*")
    assert guard_rejects(component, criteria) and not cpe_match(component, criteria)
    assert cpe_match(
        parse_cpe("cpe:2.3:a:facebook:zstd:1.4:*:*:*:*:*:*:*"), parse_cpe("cpe:2.3:a:facebook:zstd:*:*:*:*:*:*:*:*")
    )
