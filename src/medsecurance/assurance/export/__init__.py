"""Exports of an evaluated case: gsn2x YAML, JSON, and a Graphviz diagram (SVG or HTML) coloured by status."""

from medsecurance.assurance.export.diagram import STATUS_COLOURS, to_dot, to_html, to_svg
from medsecurance.assurance.export.gsn_yaml import to_gsn_yaml

__all__ = ["FORMATS", "STATUS_COLOURS", "render_case", "to_dot", "to_gsn_yaml", "to_html", "to_svg"]

FORMATS = ("gsn-yaml", "json", "svg", "html")


def render_case(section: dict[str, object], fmt: str, *, name: str = "assurance") -> str:
    """The text of one export format of an ``assurance`` section."""
    from medsecurance._internal.io import canonical_json
    from medsecurance.errors import UsageError

    if fmt == "gsn-yaml":
        return to_gsn_yaml(section, name=name)
    if fmt == "json":
        return canonical_json(section)
    if fmt == "svg":
        return to_svg(section)
    if fmt == "html":
        return to_html(section, title=f"Assurance case: {name}")
    raise UsageError(f"unknown assurance format '{fmt}'", hint=f"use one of {', '.join(FORMATS)}")
