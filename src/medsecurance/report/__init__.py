"""Output formats: one module per format, registered in :data:`FORMATS`.

Built-in formats and plug-ins (entry-point group ``medsecurance.formats``) register the same way.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from medsecurance.errors import UsageError
from medsecurance.report.interface import ReportContext, ReportFormat
from medsecurance.report.json_format import JsonFormat, assessment_to_dict
from medsecurance.report.markdown import MarkdownFormat
from medsecurance.report.sarif import SarifFormat

if TYPE_CHECKING:
    from medsecurance.assessment import Assessment

__all__ = ["FORMATS", "ReportContext", "ReportFormat", "assessment_to_dict", "get_format", "register_format"]

FORMATS: dict[str, ReportFormat] = {}


def register_format(fmt: ReportFormat) -> ReportFormat:
    """Add an output format to the registry."""
    FORMATS[fmt.name] = fmt
    return fmt


class _Deferred:
    """A built-in format whose module is imported only when the format is used.

    The HTML report's import (Jinja2 glue, diagrams, architecture views) cost ~30 ms of every run,
    also of JSON-only runs. The stand-in holds the name and file name; :func:`get_format` swaps in
    the real format object on first use, so callers always get that.
    """

    def __init__(self, name: str, filename: str, module: str, attr: str) -> None:
        self.name, self.filename, self._where = name, filename, (module, attr)

    def load(self) -> ReportFormat:
        """The real format object."""
        module = importlib.import_module(self._where[0])
        fmt: ReportFormat = getattr(module, self._where[1])()
        return fmt

    def render(self, assessment: Assessment, ctx: ReportContext) -> str:
        """The document, by the real format."""
        return self.load().render(assessment, ctx)


for _fmt in (JsonFormat(), MarkdownFormat(), SarifFormat(),
             _Deferred("html", "report.html", "medsecurance.report.html", "HtmlFormat")):
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
    fmt = FORMATS[name]
    if isinstance(fmt, _Deferred):
        fmt = FORMATS[name] = fmt.load()
    return fmt
