"""Small text helpers for the package documents: Markdown tables and CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

__all__ = ["cell", "csv_text", "md_table"]


def cell(value: Any) -> str:
    """One table cell: lists joined, None as an empty string, pipes and newlines disarmed."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        value = ", ".join(str(v) for v in value)
    if isinstance(value, bool):
        value = "yes" if value else "no"
    return " ".join(str(value).split()).replace("|", "\\|")


def md_table(header: Sequence[str], rows: Iterable[Sequence[Any]], empty: str = "None.") -> str:
    """A Markdown table, or ``empty`` when there are no rows."""
    body = [f"| {' | '.join(cell(v) for v in r)} |" for r in rows]
    if not body:
        return empty + "\n"
    return "\n".join([f"| {' | '.join(header)} |", "|" + "---|" * len(header), *body]) + "\n"


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """CSV text with a header row (LF line ends, deterministic)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    for r in rows:
        w.writerow([cell(v).replace("\\|", "|") for v in r])
    return buf.getvalue()
