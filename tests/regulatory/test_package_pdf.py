"""PDF copies of the package documents: present, multi-page, byte-identical across builds, optional."""

from __future__ import annotations

import base64
import re
import sys
import zlib
from pathlib import Path
from typing import Any

import pytest

from medsecurance.assurance.package import build_package, verify_package
from medsecurance.assurance.package.pdf import PdfHeader, inline, markdown_blocks, markdown_to_pdf

_RMR = "01-cybersecurity-risk-management-report"
_PDFS = [
    f"{_RMR}/README.pdf",
    f"{_RMR}/report.pdf",
    f"{_RMR}/1-threat-model/threat-model.pdf",
    f"{_RMR}/2-risk-assessment/risk-assessment.pdf",
    f"{_RMR}/5-unresolved-anomalies/unresolved-anomalies.pdf",
    "10-readiness/readiness.pdf",
]
_HEADER = PdfHeader("Pump <&> System", "1.0", "fda-premarket", "sha256:" + "ab" * 32)


def _pages(pdf: bytes) -> int:
    return int(re.findall(rb"/Count (\d+)", pdf)[0])


def _text(pdf: bytes) -> bytes:
    """The decoded page content streams (reportlab writes them ASCII85 over Flate)."""
    out = b""
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        out += zlib.decompress(base64.a85decode(stream.strip(), adobe=True))
    return out


@pytest.fixture(scope="module")
def fda(hospital: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    loaded, assessment, kb, options = hospital
    return build_package(loaded, assessment, kb, "fda-premarket", tmp_path_factory.mktemp("a") / "pkg", options).path


def test_package_holds_pdfs_beside_markdown(fda: Path) -> None:
    for name in _PDFS:
        pdf = (fda / name).read_bytes()
        assert pdf.startswith(b"%PDF-"), name
        assert (fda / name).with_suffix(".md").is_file(), name
    assert _pages((fda / f"{_RMR}/report.pdf").read_bytes()) > 1
    assert _pages((fda / "10-readiness/readiness.pdf").read_bytes()) > 1
    assert verify_package(fda) == []
    manifest = (fda / "MANIFEST.json").read_text()
    assert all(f'"{name}"' in manifest for name in _PDFS)
    assert "PDF copy beside it" in (fda / "README.md").read_text()
    # every page names the system, the framework and the model digest, and is numbered
    content = _text((fda / f"{_RMR}/report.pdf").read_bytes())
    assert b"Aquila Smart Infusion System" in content and b"fda-premarket" in content
    assert b"model sha256:" in content and b"page 2" in content


def test_two_builds_are_byte_identical(hospital: Any, fda: Path, tmp_path: Path) -> None:
    loaded, assessment, kb, options = hospital
    again = build_package(loaded, assessment, kb, "fda-premarket", tmp_path / "pkg", options).path
    for name in _PDFS:
        assert (fda / name).read_bytes() == (again / name).read_bytes(), name
    assert (fda / "MANIFEST.json").read_bytes() == (again / "MANIFEST.json").read_bytes()


def test_without_reportlab_package_builds_and_names_extra(
    hospital: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "reportlab", None)
    loaded, assessment, kb, options = hospital
    root = build_package(loaded, assessment, kb, "fda-premarket", tmp_path / "pkg", options).path
    assert not list(root.rglob("*.pdf"))
    assert (root / f"{_RMR}/report.md").is_file() and (root / f"{_RMR}/report.html").is_file()
    readme = (root / "README.md").read_text()
    assert "not installed" in readme and "pip install 'medsecurance[pdf]'" in readme
    assert verify_package(root) == []


def test_markdown_subset_blocks() -> None:
    text = (
        "# Title\n\nFirst line\nsecond line.\n\n- item one\n  continued\n- item two\n1. numbered\n\n"
        "| A | B |\n|---|---|\n| x \\| y | `c` |\n| short |\n\n## Next\nTail"
    )
    blocks = list(markdown_blocks(text))
    assert [b.kind for b in blocks] == ["heading", "para", "bullet", "bullet", "bullet", "table", "heading", "para"]
    assert blocks[1].text == "First line second line."
    assert blocks[2].text == "item one continued" and blocks[4].level == 1
    assert blocks[5].rows == (("A", "B"), ("x | y", "`c`"), ("short", ""))
    assert blocks[6].level == 2 and blocks[7].text == "Tail"


def test_inline_markup_is_escaped() -> None:
    assert inline("a < b & **c** *d* `<e>`") == 'a &lt; b &amp; <b>c</b> <i>d</i> <font name="Courier">&lt;e&gt;</font>'
    assert inline("x → y ✔") == "x -&gt; y [yes]"
    assert inline("2 * 3 * 4") == "2 * 3 * 4"


def test_markdown_to_pdf_handles_hostile_text() -> None:
    """Text that looks like reportlab markup or an unbalanced table still renders."""
    text = '# <para>x</para>\n\n<b>unclosed & "q"\n\n| a |\n|---|\n| ' + "long " * 2000 + "|\n| <font> |\n"
    pdf = markdown_to_pdf(text, _HEADER, "x/doc.md")
    assert pdf.startswith(b"%PDF-") and _pages(pdf) > 1
    assert pdf == markdown_to_pdf(text, _HEADER, "x/doc.md")
    assert b"Pump <&> System 1.0 - fda-premarket" in _text(pdf)
