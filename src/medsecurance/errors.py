"""The one exception hierarchy of medsecurance, with the diagnostics a user sees.

Every error a user can cause derives from :class:`MedsecError`. It carries one or more
:class:`Diagnostic` values — each naming the file, the place (line and column, 1-based),
the element id when there is one, what is wrong and how to fix it. The CLI catches
``MedsecError`` in exactly one place and prints :meth:`MedsecError.diagnostics`.

Subtrees, one per stage::

    MedsecError
      ModelError          the system model (YAML, schema, references, includes)
      KbError             knowledge base and catalogue imports
      DataError           SBOMs, advisories, VEX, captures: untrusted input files
        SbomError, AdvisoryError, VexError, CaptureError
      RuleError           threat-rule files
      DecisionsError      decisions.yaml (triage, acceptance, rubric answers)
      PolicyError         risk policy and scoring tables
      ContractError       security levels, contracts, signed bundles
      CommsError          live probes and protocol analysis
      AssuranceError      assurance patterns, frameworks, evidence
      ReportError         rendering and writing outputs
      UsageError          bad command-line usage
      MissingDependencyError  an optional extra is not installed
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "AdvisoryError",
    "AssuranceError",
    "CaptureError",
    "CommsError",
    "ContractError",
    "DataError",
    "DecisionsError",
    "Diagnostic",
    "KbError",
    "MedsecError",
    "MissingDependencyError",
    "ModelError",
    "PolicyError",
    "ReportError",
    "RuleError",
    "SbomError",
    "UsageError",
    "VexError",
]


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One located problem: where it is, what is wrong, how to fix it."""

    message: str
    file: str | None = None
    line: int | None = None
    column: int | None = None
    element: str | None = None
    hint: str | None = None

    @property
    def location(self) -> str:
        """``file:line:column`` (as much of it as is known)."""
        parts = [self.file or "<input>"]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def __str__(self) -> str:
        text = f"{self.location}: "
        if self.element:
            text += f"[{self.element}] "
        text += self.message
        if self.hint:
            text += f" — {self.hint}"
        return text


class MedsecError(Exception):
    """Root of every error a user can cause; carries the diagnostics to show."""

    #: the process exit code the CLI uses for this error
    exit_code: int = 2

    def __init__(
        self,
        message: str | None = None,
        *,
        file: str | Path | None = None,
        line: int | None = None,
        column: int | None = None,
        element: str | None = None,
        hint: str | None = None,
        diagnostics: Iterable[Diagnostic] = (),
    ) -> None:
        items = list(diagnostics)
        if message is not None:
            items.insert(
                0,
                Diagnostic(
                    message=message,
                    file=str(file) if file is not None else None,
                    line=line,
                    column=column,
                    element=element,
                    hint=hint,
                ),
            )
        if not items:
            items.append(Diagnostic(message=type(self).__name__))
        self.items: tuple[Diagnostic, ...] = tuple(items)
        super().__init__(str(self.items[0]) if len(self.items) == 1 else self.diagnostics())

    @property
    def first(self) -> Diagnostic:
        """The first (or only) diagnostic."""
        return self.items[0]

    def diagnostics(self) -> str:
        """All diagnostics, one per line, as the user sees them."""
        return "\n".join(str(d) for d in self.items)

    @classmethod
    def from_diagnostics(cls, items: Sequence[Diagnostic]) -> MedsecError:
        """Build an error of this class that reports several problems at once."""
        return cls(diagnostics=items)


class ModelError(MedsecError):
    """The system model is malformed, inconsistent or references something absent."""


class KbError(MedsecError):
    """The knowledge base or a catalogue import is malformed."""


class DataError(MedsecError):
    """An untrusted input data file (SBOM, advisory, VEX, capture) is unusable."""


class SbomError(DataError):
    """An SBOM cannot be read."""


class AdvisoryError(DataError):
    """A vulnerability advisory file or database cannot be read or imported."""


class VexError(DataError):
    """A VEX document cannot be read or written."""


class CaptureError(DataError):
    """A packet capture cannot be read."""


class RuleError(MedsecError):
    """A threat-rule file is malformed or refers to unknown terms."""


class DecisionsError(MedsecError):
    """decisions.yaml is malformed or refers to unknown ids."""


class PolicyError(MedsecError):
    """A risk policy or scoring table is malformed."""


class ContractError(MedsecError):
    """Security levels, contracts or signed bundles are malformed or invalid."""


class CommsError(MedsecError):
    """A live probe or protocol analysis cannot be carried out."""


class AssuranceError(MedsecError):
    """Assurance patterns, framework files or evidence are malformed."""


class ReportError(MedsecError):
    """An output cannot be rendered or written."""


class UsageError(MedsecError, ValueError):
    """The command line or API was called with invalid arguments."""


class MissingDependencyError(MedsecError, ImportError):
    """An optional extra needed for this feature is not installed."""

    def __init__(self, feature: str, extra: str) -> None:
        super().__init__(
            f"{feature} needs the optional extra '{extra}'",
            hint=f"install it with: pip install 'medsecurance[{extra}]'",
        )
