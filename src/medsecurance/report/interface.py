"""The interface every output format implements."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from medsecurance.assessment import Assessment
    from medsecurance.kb import KnowledgeBase
    from medsecurance.model import LoadResult

__all__ = ["ReportContext", "ReportFormat"]


@dataclass(frozen=True)
class ReportContext:
    """What a renderer may use beside the assessment: the loaded model and the knowledge base.

    ``assessment`` is filled in by renderers that hand the context on to section renderers, so
    those can reach the stages' typed results (``assessment.stages[name].data``).
    """

    load: LoadResult
    kb: KnowledgeBase
    assessment: Assessment | None = None


class ReportFormat(Protocol):
    """One output format: a name, a default file name and a pure render function."""

    name: str
    filename: str

    def render(self, assessment: Assessment, ctx: ReportContext) -> str:
        """The whole document as text."""
        ...
