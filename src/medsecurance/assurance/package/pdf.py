"""PDF copies of the package's Markdown documents, drawn with reportlab platypus (optional extra ``pdf``).

Library use::

    from medsecurance.assurance.package.pdf import PdfHeader, pdf_available, render_pdfs
    if pdf_available():
        pdfs = render_pdfs(files, PdfHeader("Aquila", "2.3.0", "fda-premarket", "sha256:..."))

Output is byte-identical for the same input: reportlab runs in invariant mode (fixed dates and ids).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

__all__ = [
    "PDF_EXTRA",
    "Block",
    "PdfHeader",
    "inline",
    "markdown_blocks",
    "markdown_to_pdf",
    "pdf_available",
    "render_pdfs",
]

PDF_EXTRA = "pip install 'medsecurance[pdf]'"

# The built-in PDF fonts (Helvetica, Courier) cover WinAnsi only; embedding a Unicode TTF would make the
# bytes depend on fonts found on the host, so the few symbols our generators use are spelled in WinAnsi.
_SYMBOLS = str.maketrans({"→": "->", "←": "<-", "↔": "<->", "◐": "(partial)", "✔": "[yes]", "✘": "[no]"})

_TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_BULLET = re.compile(r"^\s*(?:([-*+])|(\d+)[.)])\s+(.*)$")
_CODE = re.compile(r"`([^`]+)`")
_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
_ITALIC = re.compile(r"(?<![\w*])\*(?=[^\s*])(.+?)(?<=[^\s*])\*(?![\w*])")
_CELL_SPLIT = re.compile(r"(?<!\\)\|")


@dataclass(frozen=True)
class PdfHeader:
    """What every page names: the system, its version, the framework and the model digest."""

    system: str
    version: str
    framework: str
    digest: str


@dataclass(frozen=True)
class Block:
    """One block of the Markdown subset: heading (level 1-6), para, bullet (level = number or 0), table."""

    kind: str
    text: str = ""
    level: int = 0
    rows: tuple[tuple[str, ...], ...] = ()


def pdf_available() -> bool:
    """True when reportlab (the ``pdf`` extra) can be imported."""
    try:
        import reportlab  # type: ignore[import-untyped]  # noqa: F401
    except ImportError:
        return False
    return True


def _cells(line: str) -> tuple[str, ...]:
    body = line.strip()
    body = body[1:] if body.startswith("|") else body
    body = body[:-1] if body.endswith("|") and not body.endswith("\\|") else body
    return tuple(c.strip().replace("\\|", "|") for c in _CELL_SPLIT.split(body))


def markdown_blocks(text: str) -> Iterator[Block]:
    """Split the Markdown subset our generators write (headings, paragraphs, lists, pipe tables) into blocks."""
    # A small converter of our own: the documents are generated here, so the subset is known and a full
    # CommonMark parser (another dependency) would buy nothing.
    lines = text.splitlines()
    para: list[str]
    i, para = 0, []
    while i < len(lines):
        line = lines[i]
        head, item = _HEADING.match(line), _BULLET.match(line)
        is_table = _TABLE_ROW.match(line) and i + 1 < len(lines) and _TABLE_RULE.match(lines[i + 1])
        if para and (not line.strip() or head or item or is_table):
            yield Block("para", " ".join(para))
            para = []
        if not line.strip():
            i += 1
        elif head:
            yield Block("heading", head.group(2), len(head.group(1)))
            i += 1
        elif is_table:
            rows = [_cells(line)]
            i += 2
            while i < len(lines) and _TABLE_ROW.match(lines[i]):
                rows.append(_cells(lines[i]))
                i += 1
            width = len(rows[0])
            yield Block("table", rows=tuple((r + ("",) * width)[:width] for r in rows))
        elif item:
            parts = [item.group(3)]
            i += 1
            while i < len(lines) and lines[i].startswith(" ") and lines[i].strip() and not _BULLET.match(lines[i]):
                parts.append(lines[i].strip())
                i += 1
            yield Block("bullet", " ".join(parts), int(item.group(2) or 0))
        else:
            para.append(line.strip())
            i += 1
    if para:
        yield Block("para", " ".join(para))


def _plain(text: str) -> str:
    return text.translate(_SYMBOLS).encode("cp1252", "replace").decode("cp1252")


def inline(text: str) -> str:
    """Reportlab paragraph markup for one line of Markdown: escaped text, **bold**, *italic*, `code`."""
    out = []
    for n, part in enumerate(_CODE.split(_plain(text))):
        if n % 2:
            out.append(f'<font name="Courier">{escape(part)}</font>')
        else:
            part = _BOLD.sub(r"<b>\1</b>", escape(part))
            out.append(_ITALIC.sub(r"<i>\1</i>", part))
    return "".join(out)


def _styles() -> dict[str, Any]:
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet  # type: ignore[import-untyped]

    base = getSampleStyleSheet()
    body = ParagraphStyle("md-body", parent=base["BodyText"], fontSize=9, leading=11.5, spaceAfter=4)
    return {
        "title": ParagraphStyle("md-title", parent=base["Title"], fontSize=16, leading=20, alignment=0),
        "h2": ParagraphStyle("md-h2", parent=base["Heading2"], fontSize=13, leading=16),
        "h3": ParagraphStyle("md-h3", parent=base["Heading3"], fontSize=11, leading=14),
        "h4": ParagraphStyle("md-h4", parent=base["Heading4"], fontSize=9.5, leading=12),
        "body": body,
        "bullet": ParagraphStyle("md-bullet", parent=body, leftIndent=14, bulletIndent=4, spaceAfter=2),
        "cell": ParagraphStyle("md-cell", parent=body, fontSize=7.5, leading=9, spaceAfter=0),
        "head": ParagraphStyle(
            "md-head", parent=body, fontSize=7.5, leading=9, spaceAfter=0, fontName="Helvetica-Bold"
        ),
    }


def _table(block: Block, styles: Mapping[str, Any], avail: float) -> Any:
    from reportlab.lib import colors  # type: ignore[import-untyped]
    from reportlab.platypus import Paragraph, Table, TableStyle  # type: ignore[import-untyped]

    weights = [min(max(len(r[c]) for r in block.rows), 60) + 4 for c in range(len(block.rows[0]))]
    widths = [avail * w / sum(weights) for w in weights]
    data = [
        [Paragraph(inline(c), styles["head" if n == 0 else "cell"]) for c in row] for n, row in enumerate(block.rows)
    ]
    table = Table(data, colWidths=widths, repeatRows=1, splitInRow=1, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e4e8ee")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return table


def _flowables(blocks: list[Block], header: PdfHeader, path: str, avail: float) -> list[Any]:
    from reportlab.platypus import Paragraph, Spacer

    styles = _styles()
    titled = bool(blocks) and blocks[0].kind == "heading" and blocks[0].level == 1
    title = blocks[0].text if titled else path
    meta = Block(
        "table",
        rows=(
            ("System", f"{header.system}"),
            ("Version", header.version),
            ("Framework", header.framework),
            ("Model digest", f"`{header.digest}`"),
            ("Document", f"`{path}`"),
        ),
    )
    out: list[Any] = [Paragraph(inline(title), styles["title"]), _table(meta, styles, avail), Spacer(1, 10)]
    for block in blocks[1:] if titled else blocks:
        if block.kind == "heading":
            out.append(Paragraph(inline(block.text), styles[f"h{min(max(block.level, 2), 4)}"]))
        elif block.kind == "para":
            out.append(Paragraph(inline(block.text), styles["body"]))
        elif block.kind == "bullet":
            mark = f"{block.level}." if block.level else "\u2022"
            out.append(Paragraph(inline(block.text), styles["bullet"], bulletText=mark))
        else:
            out += [_table(block, styles, avail), Spacer(1, 6)]
    return out


def markdown_to_pdf(text: str, header: PdfHeader, path: str) -> bytes:
    """One Markdown document as PDF bytes (A4; landscape when a table has six columns or more)."""
    from reportlab.lib.pagesizes import A4, landscape  # type: ignore[import-untyped]
    from reportlab.lib.units import mm  # type: ignore[import-untyped]
    from reportlab.platypus import SimpleDocTemplate

    blocks = list(markdown_blocks(text))
    wide = any(b.kind == "table" and len(b.rows[0]) >= 6 for b in blocks)
    size = landscape(A4) if wide else A4
    margin = 15 * mm
    top = f"{header.system} {header.version} - {header.framework}"
    digest = header.digest

    def decorate(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 7)
        canvas.drawString(margin, size[1] - 10 * mm, _plain(top))
        canvas.drawRightString(size[0] - margin, size[1] - 10 * mm, _plain(f"model {digest}"))
        canvas.drawString(margin, 8 * mm, _plain(path))
        canvas.drawRightString(size[0] - margin, 8 * mm, f"page {doc.page}")
        canvas.restoreState()

    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=size,
        leftMargin=margin,
        rightMargin=margin,
        topMargin=margin + 2 * mm,
        bottomMargin=margin,
        title=_plain(f"{blocks[0].text if blocks and blocks[0].kind == 'heading' else path}"),
        author=_plain(header.system),
        subject=_plain(f"{header.framework}; model {digest}"),
        creator="medsecurance",
        invariant=1,
    )
    doc.build(_flowables(blocks, header, path, size[0] - 2 * margin), onFirstPage=decorate, onLaterPages=decorate)
    return buf.getvalue()


def render_pdfs(files: Mapping[str, str | bytes], header: PdfHeader) -> dict[str, bytes]:
    """A PDF beside every Markdown document in ``files`` (``x.md`` → ``x.pdf``); empty without reportlab."""
    if not pdf_available():
        return {}
    return {
        name[:-3] + ".pdf": markdown_to_pdf(content, header, name)
        for name, content in sorted(files.items())
        if name.endswith(".md") and isinstance(content, str)
    }
