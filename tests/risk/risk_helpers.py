"""Helpers and fixtures for the risk tests: a small infusion model, a fake KB, attack paths and findings."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from medsecurance.assessment import AttackPath, AttackStep
from medsecurance.findings import Finding, FindingKind, Severity
from medsecurance.model import load_model
from medsecurance.model.schema import SystemModel
from medsecurance.risk.exploitability import ControlFacts

DATA = Path(__file__).parent.parent / "data" / "risk"

#: a fake KB: (data category, loss) → hazard types
KB_LOSS = {
    ("therapy-settings", "I"): ("over-delivery-of-therapy", "under-delivery-of-therapy"),
    ("therapy-settings", "A"): ("delayed-therapy",),
    ("drug-library", "I"): ("multi-patient-harm", "incorrect-therapy"),
    ("phi", "C"): ("privacy-breach",),
}

KB_CONTROLS = {
    "role-based-access": ControlFacts("role-based-access", "medium", ("CR-1.1", "CR-2.1"), ("Authorization",)),
    "mutual-tls": ControlFacts("mutual-tls", "high", ("CR-1.2", "CR-3.1"), ("Authentication",)),
    "message-authentication": ControlFacts("message-authentication", "high", ("CR-3.1",), ("Authentication",)),
    "network-segmentation": ControlFacts("network-segmentation", "medium", ("CR-5.1",), ("Resiliency",)),
    "account-lockout": ControlFacts("account-lockout", "low", ("CR-1.11",), ("Authentication",)),
    "patch-management": ControlFacts("patch-management", "high", ("CR-3.10",), ("Event Detection and Logging",)),
    "secure-boot": ControlFacts("secure-boot", "high", ("CR-3.14",), ("Code, Data, and Execution Integrity",)),
}


def hazards_for_loss(category: str, impact: str) -> tuple[str, ...]:
    """Fake ``kb.hazards_for_loss``."""
    return KB_LOSS.get((category, impact), ())


def control_info(control: str) -> ControlFacts | None:
    """Fake ``kb.control``."""
    return KB_CONTROLS.get(control)


@pytest.fixture(scope="session")
def model() -> SystemModel:
    """The small infusion model."""
    return load_model(DATA / "hospital.yaml")


def make_path(target: str, *, access: str = "network", difficulty: float = 1.0, steps: int = 1,
              privileges: str = "none", ui: bool = False, pid: str | None = None) -> AttackPath:
    """An attack path to ``target``."""
    hops = tuple(AttackStep(target, "entry:hospital-lan", access, difficulty / steps, "test") for _ in range(steps))
    return AttackPath(pid or f"AP-{target}-{access}-{difficulty}", "hospital-lan", None, target, (), (), hops,
                      difficulty, access, privileges, ui)


def threat(fid: str, elements: tuple[str, ...], **details: Any) -> Finding:
    """A threat finding."""
    return Finding(fid, FindingKind.THREAT, "rule-x", f"threat {fid}", Severity.HIGH, elements, details=details)


def vuln(fid: str, component: str, vector: str | None = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
         **details: Any) -> Finding:
    """A vulnerability finding."""
    d: dict[str, Any] = {"cvss": {"vector": vector, "score": 0.0, "version": "3.1"} if vector else None,
                         "kev": False, "epss": None, "component": {"id": component}, "reachable": None}
    d.update(details)
    return Finding(fid, FindingKind.VULNERABILITY, "CVE-2024-0001", f"vuln {fid}", Severity.HIGH, (component,),
                   details=d)


@pytest.fixture
def kb() -> dict[str, Callable[..., Any]]:
    """The fake KB callables as keyword arguments for ``assess``."""
    return {"hazards_for_loss": hazards_for_loss, "control_info": control_info}
