"""Element positions found by scanning a model file's text (the fast YAML reader keeps none).

Within a top-level list section, items start with ``- `` at the section's smallest indentation;
an item's id is the ``id:`` key on its first line (``- id: x`` or ``- {id: x, …}``) or on a later
line at the item's key indentation. The position is that of the ``id`` key, as the located reader
gives it.

The scan works on the file's text itself, found by offsets: no list of lines, no copy per section
(the 5,000-component benchmark model: 12 ms instead of 32 ms). Lines are numbered as
:meth:`str.splitlines` numbers them; a text with line breaks other than ``"\\n"`` is first
rejoined with ``"\\n"`` so that the same numbers come out.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from medsecurance._internal.yamlloc import Position

__all__ = ["LIST_SECTIONS", "scan_positions"]

#: top-level sections that are lists of elements (the loader merges them across included files)
LIST_SECTIONS = (
    "hazards",
    "assets",
    "zones",
    "conduits",
    "trust_boundaries",
    "components",
    "flows",
    "actors",
    "evidence",
)
_SCANNED = frozenset((*LIST_SECTIONS, "system"))

#: characters other than "\n" at which str.splitlines breaks a line
_OTHER_BREAKS = ("\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029")

_ID = r"([A-Za-z0-9][A-Za-z0-9_.\-]*)"
_ID_RE = re.compile(r"(?:^|[{,\s])id:\s*[\"']?" + _ID)
# a top-level key at the start of a line: a pattern that starts with a literal "\n" is found ~4× faster
# than the same one anchored with "^" in multi-line mode
_SECTION_RE = re.compile(r"\n([a-z_]+):")
_ANY_ITEM = re.compile(r"\n[^\S\n]*- ")


def scan_positions(texts: dict[str, str]) -> dict[str, Position]:
    """Positions of the elements' ids in the model files' texts (file name → text); first wins."""
    positions: dict[str, Position] = {}
    for file, text in texts.items():
        joined = _joined(text)
        for section, first, start, end in _sections(joined):
            if section == "system":
                _scan_system(file, joined, first, start, end, positions)
            else:
                _scan_section(file, joined, first, start, end, positions)
    return positions


def _joined(text: str) -> str:
    """``"\\n"`` + the text's lines joined by ``"\\n"``: the only line break left in it is ``"\\n"``."""
    if any(ch in text for ch in _OTHER_BREAKS):
        return "\n" + "\n".join(text.splitlines())
    return "\n" + text  # a final "\n" (splitlines would drop it) starts no line that could match


def _sections(joined: str) -> Iterator[tuple[str, int, int, int]]:
    """(section, number of its header line, offsets of the "\\n" before the header and of the section's end)."""
    heads: list[tuple[int, int, str]] = []  # (line number, offset of its leading "\n", key)
    number, counted = 0, 0
    for head in _SECTION_RE.finditer(joined):
        number += joined.count("\n", counted, head.start() + 1)
        counted = head.start() + 1
        heads.append((number, head.start(), head.group(1)))
    for n, (number, start, section) in enumerate(heads):
        if section in _SCANNED:
            end = heads[n + 1][1] if n + 1 < len(heads) else len(joined)
            yield section, number, start, end


def _id_column(match: re.Match[str]) -> int:
    return match.start() + match.group(0).index("id:") + 1


def _scan_system(file: str, joined: str, first: int, start: int, end: int, positions: dict[str, Position]) -> None:
    """The system's id: the first ``id:`` of a line in the section (the header line included)."""
    number = first
    while start < end:
        stop = joined.find("\n", start + 1, end)
        stop = end if stop < 0 else stop
        if match := _ID_RE.search(joined[start + 1:stop]):
            positions.setdefault(match.group(1), (file, number, _id_column(match)))
            return
        start, number = stop, number + 1


def _scan_section(file: str, joined: str, first: int, start: int, end: int, positions: dict[str, Position]) -> None:
    """Positions of the items of one list section (``joined[start:end]``, its header numbered ``first``).

    Only two kinds of line matter: an item's first line (``- `` at the items' indentation) and an
    ``id:`` key at the items' key indentation. A regular expression finds just those lines; the
    common first line ``- id: x`` is read by the same expression (its group 1), any other line as a
    line-by-line walk would read it.
    """
    item_col = _item_column(joined, start, end)
    if item_col is None:
        return
    wanted = re.compile(rf"\n(?:[^\S\n]{{{item_col}}}- (?:id:[^\S\n]*[\"']?{_ID})?|{' ' * (item_col + 2)}id:)")
    setdefault, count, find = positions.setdefault, joined.count, joined.find
    id_col = item_col + 3  # of "id" in "- id: x" at the items' indentation
    searching = False
    number, counted = first - 1, start
    for hit in wanted.finditer(joined, start, end):
        begin = hit.start() + 1
        number += count("\n", counted, begin)
        counted = begin
        if (element := hit.group(1)) is not None:  # "- id: x": the item and its id on one line
            setdefault(element, (file, number, id_col))
            searching = False
            continue
        stop = find("\n", begin, end)
        line = joined[begin:stop] if stop >= 0 else joined[begin:end]
        if line[item_col] == "-":  # another item's first line
            searching = True
            rest = line[item_col + 2:]
            if (match := _ID_RE.search(rest)) and (rest.startswith("id:") or rest.startswith("{")):
                setdefault(match.group(1), (file, number, item_col + 2 + _id_column(match)))
                searching = False
        elif searching and (match := _ID_RE.search(line)):
            setdefault(match.group(1), (file, number, _id_column(match)))
            searching = False


def _item_column(joined: str, start: int, end: int) -> int | None:
    """The smallest indentation of a ``- `` line in ``joined[start:end]`` (None: there is none)."""
    found = _ANY_ITEM.search(joined, start, end)
    if found is None:
        return None
    deepest = len(found.group(0)) - 3
    for col in range(deepest):  # the first indentation that has an item is the smallest
        if re.compile(rf"\n[^\S\n]{{{col}}}- ").search(joined, start, end):
            return col
    return deepest
