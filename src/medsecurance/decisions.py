"""Human decisions kept beside the model in ``decisions.yaml``.

They are the user's data: threat and risk acceptance, VEX statuses, MITRE rubric answers and
reviewer defeaters, each keyed by a stable id so they survive re-analysis. This module only reads
and validates them; stages apply them and report decisions whose ids no longer exist.

.. code-block:: yaml

    decisions:            # status of a finding or a risk, by its stable id
      - id: T-3f2a9c0b1d4e
        status: accepted          # open | mitigated | accepted | false-positive
        by: Jane Doe
        role: Product security lead
        date: 2026-11-01
        rationale: Compensated by network segmentation (see E-pentest-2026).
        benefit_risk: ...         # required to accept an unacceptable risk
    vex:                  # per (component, vulnerability)
      - component: pump
        vulnerability: CVE-2021-3711
        status: not_affected      # affected | not_affected | fixed | under_investigation
        justification: vulnerable_code_not_in_execute_path
        by: Jane Doe
        date: 2026-11-01
    rubric:               # answers to the MITRE medical-device CVSS rubric, by finding id
      - id: V-0123456789ab
        answers: {XAVN: "yes"}     # question ids of risk/data/mitre_rubric.yaml
    defeaters:            # reviewer challenges to assurance-case nodes
      - node: G-hazards
        text: The pen test did not cover the new firmware.
        by: Notified body reviewer
        date: 2026-11-10
        status: open              # open | resolved
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from medsecurance._internal.io import read_text_limited
from medsecurance._internal.yamlloc import LocDict, Position, load_yaml, locate
from medsecurance.errors import DecisionsError, Diagnostic

__all__ = [
    "Decision",
    "DecisionStatus",
    "Decisions",
    "Defeater",
    "RubricAnswers",
    "VexDecision",
    "load_decisions",
]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class DecisionStatus(StrEnum):
    """Triage status of a finding or risk."""

    OPEN = "open"
    MITIGATED = "mitigated"
    ACCEPTED = "accepted"
    FALSE_POSITIVE = "false-positive"


class Decision(_Frozen):
    """A human decision on one finding or risk."""

    id: str = Field(min_length=3)
    status: DecisionStatus
    by: str = Field(min_length=1)
    role: str | None = None
    date: dt.date
    rationale: str = Field(min_length=1)
    benefit_risk: str | None = None
    residual_level: str | None = Field(default=None, description="risk level at the time of acceptance")


class VexDecision(_Frozen):
    """A VEX statement made by a person about one vulnerability in one component."""

    component: str
    vulnerability: str
    bom_ref: str | None = None
    status: str = Field(pattern=r"^(affected|not_affected|fixed|under_investigation)$")
    justification: str | None = None
    detail: str | None = None
    by: str | None = None
    date: dt.date | None = None

    @model_validator(mode="after")
    def _justified(self) -> VexDecision:
        if self.status == "not_affected" and not (self.justification or self.detail):
            raise ValueError("a not_affected status needs a 'justification' or a 'detail'")
        return self


class RubricAnswers(_Frozen):
    """Answers to the MITRE CVSS rubric questions for one finding."""

    id: str
    answers: dict[str, str | bool | int]
    by: str | None = None
    date: dt.date | None = None


class Defeater(_Frozen):
    """A reviewer's challenge to an assurance-case node."""

    node: str
    text: str = Field(min_length=1)
    by: str | None = None
    date: dt.date | None = None
    status: str = Field(default="open", pattern=r"^(open|resolved)$")


class _File(_Frozen):
    decisions: tuple[Decision, ...] = ()
    vex: tuple[VexDecision, ...] = ()
    rubric: tuple[RubricAnswers, ...] = ()
    defeaters: tuple[Defeater, ...] = ()


@dataclass(frozen=True)
class Decisions:
    """All decisions of one file, with the position of each entry for later reports."""

    decisions: tuple[Decision, ...] = ()
    vex: tuple[VexDecision, ...] = ()
    rubric: tuple[RubricAnswers, ...] = ()
    defeaters: tuple[Defeater, ...] = ()
    file: str | None = None
    positions: dict[tuple[str, int], Position] = field(default_factory=dict)

    def by_id(self) -> dict[str, Decision]:
        """Decisions keyed by the finding or risk id they concern."""
        return {d.id: d for d in self.decisions}

    def position(self, section: str, index: int) -> Position | None:
        """Where entry ``index`` of ``section`` was written."""
        return self.positions.get((section, index))


def _diagnostics(exc: ValidationError, raw: Any, file: str) -> list[Diagnostic]:
    out = []
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        pos = locate(raw, loc if err["type"] != "missing" else loc[:-1])
        _, line, col = pos if pos else (file, None, None)
        where = ".".join(str(p) for p in loc)
        msg = str(err["msg"]).removeprefix("Value error, ")
        if err["type"] == "missing":
            msg = f"missing required key '{loc[-1]}'"
        elif err["type"] == "extra_forbidden":
            msg = f"unknown key '{loc[-1]}'"
        out.append(Diagnostic(f"{where}: {msg}", file=file, line=line, column=col))
    return out


def load_decisions(path: str | Path | None) -> Decisions:
    """Read ``decisions.yaml``; a missing path gives empty decisions, a bad file a located error."""
    if path is None or not Path(path).exists():
        return Decisions()
    text = read_text_limited(path, max_bytes=32 * 1024 * 1024, error=DecisionsError)
    name = str(path)
    raw, dups = load_yaml(text, name, DecisionsError)
    if raw is None:
        return Decisions(file=name)
    if not isinstance(raw, LocDict):
        raise DecisionsError("decisions file must be a mapping", file=name, line=1,
                             hint="use the keys decisions, vex, rubric, defeaters")
    try:
        parsed = _File.model_validate(raw)
    except ValidationError as exc:
        raise DecisionsError.from_diagnostics([*dups, *_diagnostics(exc, raw, name)]) from exc
    if dups:
        raise DecisionsError.from_diagnostics(dups)
    positions: dict[tuple[str, int], Position] = {}
    for section in ("decisions", "vex", "rubric", "defeaters"):
        for index in range(len(getattr(parsed, section))):
            pos = locate(raw, (section, index))
            if pos:
                positions[(section, index)] = pos
    return Decisions(parsed.decisions, parsed.vex, parsed.rubric, parsed.defeaters, name, positions)
