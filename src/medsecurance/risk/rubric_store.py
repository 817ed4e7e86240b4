"""Recording rubric answers in decisions.yaml: append one YAML block, never rewrite the user's entries.

The new entry is inserted as text at the end of the top-level ``rubric:`` list (or a new
``rubric:`` section is appended), so comments and formatting elsewhere stay byte-identical. The
result is validated with the decisions loader before it atomically replaces the file. A later
entry for the same id supersedes an earlier one; the history stays in the file.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import tempfile
from collections.abc import Mapping
from pathlib import Path

import yaml

from medsecurance._internal.io import read_text_limited
from medsecurance.decisions import load_decisions
from medsecurance.errors import DecisionsError

__all__ = ["append_rubric_answers", "rubric_block"]

_TOP_KEY = re.compile(r"^([A-Za-z_][\w-]*)\s*:(.*)$")


def _scalar(value: object) -> str:
    text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=10_000).strip()
    return text.removesuffix("\n...").removesuffix("...").strip()


def rubric_block(finding_id: str, answers: Mapping[str, object], *, by: str | None, date: dt.date,
                 indent: str = "  ") -> str:
    """The YAML text of one rubric entry (a list item), answers quoted so 'yes'/'no' stay strings."""
    def text(v: object) -> str:
        return ("yes" if v else "no") if isinstance(v, bool) else str(v)

    pairs = ", ".join(f"{qid}: {_scalar(text(v))}" for qid, v in answers.items())
    lines = [f"{indent}- id: {_scalar(finding_id)}", f"{indent}  answers: {{{pairs}}}"]
    if by:
        lines.append(f"{indent}  by: {_scalar(by)}")
    lines.append(f"{indent}  date: {date.isoformat()}")
    return "\n".join(lines) + "\n"


def _section(lines: list[str]) -> tuple[int, int] | None:
    """(line index of 'rubric:', index after the last content line of its block) or None."""
    start = next((i for i, ln in enumerate(lines) if _TOP_KEY.match(ln) and ln.split(":")[0].strip() == "rubric"), None)
    if start is None:
        return None
    end = start + 1
    for i in range(start + 1, len(lines)):
        stripped = lines[i].strip()
        if lines[i] and not lines[i][0].isspace() and not lines[i].startswith("-") and not stripped.startswith("#"):
            break
        if stripped and not stripped.startswith("#"):
            end = i + 1
    return start, end


def _new_text(text: str, entry: Mapping[str, object]) -> str:
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    found = _section(lines)
    make = dict(entry)
    if found is None:
        return "".join(lines) + ("\n" if lines else "") + "rubric:\n" + rubric_block(**make)  # type: ignore[arg-type]
    start, end = found
    value = _TOP_KEY.match(lines[start].rstrip("\n"))
    rest = value.group(2).split("#")[0].strip() if value else ""
    if rest == "[]":
        lines[start] = "rubric:\n"
        rest = ""
    if rest:
        raise DecisionsError("the 'rubric:' section is written in flow style; cannot append safely",
                             line=start + 1, hint="write it as a block list (one '- id: …' item per line)")
    item = next((ln for ln in lines[start + 1:end] if ln.lstrip().startswith("- ")), None)
    indent = item[: len(item) - len(item.lstrip())] if item else "  "
    lines.insert(end, rubric_block(**make, indent=indent))  # type: ignore[arg-type]
    return "".join(lines)


def append_rubric_answers(path: str | Path, finding_id: str, answers: Mapping[str, object], *,
                          by: str | None = None, date: dt.date | None = None) -> None:
    """Append a rubric entry for ``finding_id`` to ``decisions.yaml`` atomically (creating the file if needed)."""
    target = Path(path)
    text = read_text_limited(target, max_bytes=32 * 1024 * 1024, error=DecisionsError) if target.exists() else ""
    load_decisions(target if target.exists() else None)  # refuse to touch a file that is already broken
    try:
        new = _new_text(text, {"finding_id": finding_id, "answers": answers, "by": by, "date": date or dt.date.today()})
    except DecisionsError as exc:
        raise DecisionsError(exc.first.message, file=target, line=exc.first.line, hint=exc.first.hint) from exc
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(new)
            fh.flush()
            os.fsync(fh.fileno())
        load_decisions(tmp)  # the result must still be a valid decisions file
        if target.exists():
            os.chmod(tmp, target.stat().st_mode & 0o777)
        os.replace(tmp, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
