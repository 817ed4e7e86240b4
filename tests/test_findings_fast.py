"""Finding.to_dict's fast paths give what the plain ones give."""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

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


def test_to_dict_details_do_not_override_common_fields() -> None:
    f = Finding(**_values(details={"status": "hidden", "zeta": 1, "alpha": 2}))
    data = f.to_dict()
    assert data["status"] == "open"
    assert list(data)[-4:] == ["explanation", "zeta", "alpha", "location"]
    plain = Finding(**_values(details={"zeta": 1, "alpha": 2}, location=None)).to_dict()
    assert list(plain)[-3:] == ["explanation", "zeta", "alpha"]
