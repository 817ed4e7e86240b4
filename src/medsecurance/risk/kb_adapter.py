"""Adapter from the knowledge base (``medsecurance.kb``) to the plain callables the risk stage takes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from medsecurance.errors import KbError
from medsecurance.risk.exploitability import ControlInfo
from medsecurance.risk.severity import HazardsForLoss

__all__ = ["KbLike", "kb_callables"]


class KbLike(Protocol):
    """The two KB look-ups the risk stage uses (``medsecurance.kb.KnowledgeBase`` fits)."""

    def hazards_for_loss(self, data_category: str, prop: str) -> Sequence[str]:
        """Hazard types that can follow the loss of C, I or A of a data category."""

    def control(self, id: str) -> ControlInfo:
        """The control record; KbError when unknown."""


def kb_callables(kb: KbLike) -> tuple[HazardsForLoss, Callable[[str], ControlInfo | None]]:
    """``(hazards_for_loss, control_info)`` for :func:`medsecurance.risk.assess`.

    Unknown data categories give no hazards and unknown controls no information (the model
    validation reports unknown ids; the risk stage then rates such a control at the table's
    'unknown_effectiveness').
    """

    def hazards_for_loss(category: str, impact: str) -> tuple[str, ...]:
        try:
            return tuple(kb.hazards_for_loss(category, impact))
        except KbError:
            return ()

    def control_info(control: str) -> ControlInfo | None:
        try:
            return kb.control(control)
        except KbError:
            return None

    return hazards_for_loss, control_info
