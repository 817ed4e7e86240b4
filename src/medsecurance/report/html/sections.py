"""The generic renderer for JSON sections other stages add (risks, zones, assurance …) and their order."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape

__all__ = ["HANDLED", "ORDER", "TITLES", "generic_section", "section_title"]

#: sections the report draws itself (or that are bookkeeping), never passed to a section renderer
HANDLED = frozenset({"as_of", "attack_paths", "rules"})
#: preferred order of known sections; others follow alphabetically
ORDER = ("risks", "zones", "communications", "vulnerabilities", "sbom", "contracts", "assurance", "readiness")
TITLES = {
    "risks": "Security-for-safety risk register", "zones": "Security levels (IEC 62443)",
    "communications": "Secure communications", "vulnerabilities": "Vulnerabilities",
    "sbom": "Software bill of materials",
    "contracts": "Security contracts", "assurance": "Assurance case", "readiness": "Regulatory readiness",
}
_ROWS = 500
_COLUMNS = 10
_DEPTH = 3


def section_title(key: str) -> str:
    """A human title for a section key."""
    return TITLES.get(key, key.replace("_", " ").replace("-", " ").capitalize())


def _scalar(value: Any) -> Markup:
    if isinstance(value, bool):
        return Markup("yes") if value else Markup("no")
    if value is None:
        return Markup('<span class="muted">–</span>')
    return escape(str(value))


def _inline(value: Any, depth: int) -> Markup:
    """A value inside a table cell: scalars as text, lists of scalars joined, anything else nested."""
    if isinstance(value, list | tuple) and all(not isinstance(v, dict | list | tuple) for v in value):
        return Markup(", ").join(_scalar(v) for v in value) if value else Markup('<span class="muted">–</span>')
    if isinstance(value, dict | list | tuple):
        return _block(value, depth + 1) if depth < _DEPTH else escape(str(value)[:300])
    return _scalar(value)


def _table(items: list[dict[str, Any]], depth: int) -> Markup:
    columns: list[str] = []
    for item in items[:50]:
        for k in item:
            if k not in columns:
                columns.append(k)
    hidden = len(columns) - _COLUMNS
    columns = columns[:_COLUMNS]
    head = Markup("").join(Markup("<th>{}</th>").format(c) for c in columns)
    body = Markup("").join(
        Markup("<tr>{}</tr>").format(Markup("").join(Markup("<td>{}</td>").format(_inline(i.get(c), depth))
                                                      for c in columns))
        for i in items[:_ROWS])
    out = Markup('<div class="scroll"><table class="data generic"><thead><tr>{}</tr></thead><tbody>{}</tbody>'
                 "</table></div>").format(head, body)
    more = []
    if len(items) > _ROWS:
        more.append(f"{len(items) - _ROWS} more rows")
    if hidden > 0:
        more.append(f"{hidden} more columns")
    if more:
        out += Markup('<p class="muted">{} — see assessment.json.</p>').format(", ".join(more))
    return out


def _block(value: Any, depth: int = 0) -> Markup:
    """Any JSON value as HTML: lists of objects as tables, objects as definition lists."""
    if isinstance(value, dict):
        if not value:
            return Markup('<p class="muted">(empty)</p>')
        items = Markup("").join(Markup("<dt>{}</dt><dd>{}</dd>").format(k, _inline(v, depth))
                                for k, v in value.items())
        return Markup('<dl class="kv">{}</dl>').format(items)
    if isinstance(value, list | tuple):
        if value and all(isinstance(v, dict) for v in value):
            return _table(list(value), depth)
        if not value:
            return Markup('<p class="muted">(none)</p>')
        lis = Markup("").join(Markup("<li>{}</li>").format(_inline(v, depth)) for v in value[:_ROWS])
        return Markup("<ul>{}</ul>").format(lis)
    return Markup("<p>{}</p>").format(_scalar(value))


def generic_section(value: Any, ctx: Any) -> str:
    """The fallback for a section without its own renderer: a faithful, escaped view of its JSON."""
    return str(_block(value))
