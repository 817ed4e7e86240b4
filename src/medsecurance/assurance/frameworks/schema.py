"""The shape of a regulatory framework file: clauses and the checks that show each one is satisfied."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

__all__ = [
    "CHECK_KINDS",
    "Check",
    "Clause",
    "ControlsQuery",
    "FindingsQuery",
    "Framework",
    "FrameworkInfo",
    "RisksQuery",
]

Text = Annotated[str, StringConstraints(min_length=1, max_length=4000, strip_whitespace=True)]
ClauseId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.()\-§]*$", max_length=80)]
#: a dotted path into the model (``components[off_the_shelf=false].update.signed``)
ModelPath = Annotated[
    str,
    StringConstraints(
        pattern=r"^[a-z_]+(\[([a-z_]+=[A-Za-z0-9_.\-]+)?\])?"
        r"(\.[a-z_0-9]+(\[([a-z_]+=[A-Za-z0-9_.\-]+)?\])?)*$"
    ),
]
Severity = Annotated[str, StringConstraints(pattern=r"^(info|low|medium|high|critical)$")]


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class FindingsQuery(_Strict):
    """Open findings that must not exist (filtered by kind, rule-id prefix and minimum severity)."""

    kinds: tuple[str, ...] = ()
    rules: tuple[str, ...] = ()
    min_severity: Severity = "info"


class RisksQuery(_Strict):
    """Open risks at these residual levels that must not exist (optionally only those an FDA category closes)."""

    levels: tuple[str, ...] = ("unacceptable",)
    fda_categories: tuple[str, ...] = ()


class ControlsQuery(_Strict):
    """Controls the model must declare: any of ``ids``, or any control in these FDA categories."""

    ids: tuple[str, ...] = ()
    fda_categories: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _something(self) -> ControlsQuery:
        if not self.ids and not self.fda_categories:
            raise ValueError("name control 'ids' or 'fda_categories'")
        return self


#: the kinds of check a clause may list (exactly one per check)
CHECK_KINDS = ("model", "section", "evidence", "open_findings", "open_risks", "controls", "assurance")


class Check(_Strict):
    """One piece of what satisfies a clause; exactly one of the kind fields is set."""

    label: Text | None = None  # what is needed, in words (default: generated from the kind)
    next: Text | None = None  # what to do when it is not met (default: generated)
    model: ModelPath | None = None
    section: Annotated[str, StringConstraints(pattern=r"^[a-z_]+(\.[a-z_]+)*$")] | None = None
    evidence: tuple[Annotated[str, StringConstraints(pattern=r"^[a-z0-9\-]+$")], ...] | None = None
    open_findings: FindingsQuery | None = None
    open_risks: RisksQuery | None = None
    controls: ControlsQuery | None = None
    assurance: tuple[Annotated[str, StringConstraints(min_length=2)], ...] | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> Check:
        set_kinds = [k for k in CHECK_KINDS if getattr(self, k) is not None]
        if len(set_kinds) != 1:
            raise ValueError(f"a check needs exactly one of {', '.join(CHECK_KINDS)} (found {len(set_kinds)})")
        return self

    @property
    def kind(self) -> str:
        """Which kind of check this is."""
        return next(k for k in CHECK_KINDS if getattr(self, k) is not None)

    @property
    def value(self) -> Any:
        """The check's argument."""
        return getattr(self, self.kind)


class Clause(_Strict):
    """A clause (or documented item) of a framework and the checks that satisfy it."""

    id: ClauseId
    title: Text
    group: Text
    source: Text
    paraphrase: Text
    checks: tuple[Check, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _not_only_assurance(self) -> Clause:
        if all(c.kind == "assurance" for c in self.checks):
            raise ValueError("a clause needs at least one check besides 'assurance' (the case may be absent)")
        return self


class FrameworkInfo(_Strict):
    """Identity and source of a framework file."""

    id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9\-]*$")]
    title: Text
    source: Text
    note: Text | None = None


class Framework(_Strict):
    """A whole framework file."""

    framework: FrameworkInfo
    clauses: tuple[Clause, ...] = Field(min_length=1)
    file: str = ""  # set by the loader
