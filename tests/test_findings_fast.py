"""Finding's fast paths (``_trusted`` construction, ``to_dict``) give what the plain ones give."""

from __future__ import annotations

import dataclasses
from types import MappingProxyType
from typing import Any

import pytest

from medsecurance.findings import Finding, FindingKind, Severity, SourceLocation


def _values(**override: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "id": "T-0123456789ab", "kind": FindingKind.THREAT, "rule": "MS-X-001", "title": "A threat title",
        "severity": Severity.HIGH, "elements": ("pump", "pump.ble"), "references": ("CWE-306",),
        "status": "open", "explanation": "why", "details": MappingProxyType({"stride": "S", "why": ["x"]}),
        "location": SourceLocation("model.yaml", 3, 5),
    }
    values.update(override)
    return values


@pytest.mark.parametrize("location", [SourceLocation("m.yaml", 7, 2), None])
def test_trusted_equals_constructor(location: SourceLocation | None) -> None:
    values = _values(location=location)
    made = Finding(**values)
    fast = Finding._trusted(*values.values())
    assert fast == made
    assert hash(fast.id) == hash(made.id) and fast.to_dict() == made.to_dict()
    with pytest.raises(dataclasses.FrozenInstanceError):
        fast.status = "mitigated"  # type: ignore[misc]


def test_trusted_sets_every_field() -> None:
    """A field added to Finding must be added to _trusted too (its arguments follow the fields)."""
    names = [f.name for f in dataclasses.fields(Finding)]
    assert names == list(_values())
    fast = Finding._trusted(*_values().values())
    assert all(getattr(fast, n) == v for n, v in _values().items())


def test_to_dict_details_do_not_override_common_fields() -> None:
    f = Finding(**_values(details={"status": "hidden", "zeta": 1, "alpha": 2}))
    data = f.to_dict()
    assert data["status"] == "open"
    assert list(data)[-4:] == ["explanation", "zeta", "alpha", "location"]
    plain = Finding(**_values(details={"zeta": 1, "alpha": 2}, location=None)).to_dict()
    assert list(plain)[-3:] == ["explanation", "zeta", "alpha"]
