"""Output formats: one module per format, registered in :data:`FORMATS`.

Built-in formats and plug-ins (entry-point group ``medsecurance.formats``) register the same way.
"""

from __future__ import annotations

from medsecurance.errors import UsageError
from medsecurance.report.html import HtmlFormat
from medsecurance.report.interface import ReportContext, ReportFormat
from medsecurance.report.json_format import JsonFormat, assessment_to_dict
from medsecurance.report.markdown import MarkdownFormat
from medsecurance.report.sarif import SarifFormat

__all__ = ["FORMATS", "ReportContext", "ReportFormat", "assessment_to_dict", "get_format", "register_format"]

FORMATS: dict[str, ReportFormat] = {}


def register_format(fmt: ReportFormat) -> ReportFormat:
    """Add an output format to the registry."""
    FORMATS[fmt.name] = fmt
    return fmt


for _fmt in (JsonFormat(), MarkdownFormat(), SarifFormat(), HtmlFormat()):
    register_format(_fmt)


def _plugins() -> None:
    from importlib.metadata import entry_points

    for ep in entry_points(group="medsecurance.formats"):
        obj = ep.load()
        register_format(obj() if isinstance(obj, type) else obj)


def get_format(name: str) -> ReportFormat:
    """The format registered under ``name`` (UsageError listing the known ones otherwise)."""
    if name not in FORMATS:
        _plugins()
    if name not in FORMATS:
        raise UsageError(f"unknown output format '{name}'", hint=f"known formats: {', '.join(sorted(FORMATS))}")
    return FORMATS[name]
