"""Registry of HTML renderers for assessment sections (light: importing it pulls in no template engine).

Stages register a function per top-level section key; the HTML report inserts what it returns.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from medsecurance.report.interface import ReportContext

__all__ = ["SECTION_RENDERERS", "SectionRenderer", "register_section_renderer"]

SectionRenderer = Callable[[Any, ReportContext], str]
#: section key → function returning a trusted HTML fragment for that section's JSON value
SECTION_RENDERERS: dict[str, SectionRenderer] = {}


def register_section_renderer(key: str, renderer: SectionRenderer) -> SectionRenderer:
    """Draw the assessment section ``key`` with ``renderer`` (its output is inserted as HTML, unescaped)."""
    SECTION_RENDERERS[key] = renderer
    return renderer
