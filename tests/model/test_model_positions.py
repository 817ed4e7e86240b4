"""The text scan of element positions agrees with the located YAML reader."""

from __future__ import annotations

from pathlib import Path

import pytest

from medsecurance._internal.yamlloc import LocDict, load_yaml
from medsecurance.errors import ModelError
from medsecurance.model._positions import scan_positions
from medsecurance.model.loader import _element_positions

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

MIXED = """\
# a comment line
system:
  name: S
  id: sys
  version: "1"
  setting: clinic
hazards:
- id: H-1
  description: d
  severity: serious
assets:
  - name: first key is not the id
    kind: data
    id: A-late
  - {kind: data, id: A-flow}
  - id: "A-quoted"
    kind: data
zones:
    - id: Z-deep
      sl_target: {FR1: 1}
components:
  - id: c1
    type: PACS
    interfaces:
      - id: not-an-element
        kind: Ethernet
  - type: PACS
    id: c-spaced
flows:
  - id: F-1
    from: c1
    to: c-spaced
"""


def located(text: str) -> dict[str, tuple[str, int, int]]:
    raw, _ = load_yaml(text, "m.yaml", ModelError)
    assert isinstance(raw, LocDict)
    return _element_positions(raw)


@pytest.mark.parametrize("name", ["hospital", "clinic", "home"])
def test_scan_agrees_with_located_reader_on_examples(name: str) -> None:
    text = (EXAMPLES / name / "model.yaml").read_text(encoding="utf-8")
    assert scan_positions({"m.yaml": text}) == located(text)


@pytest.mark.parametrize("ending", ["\n", "\r\n"])
def test_scan_agrees_on_mixed_layouts(ending: str) -> None:
    text = MIXED.replace("\n", ending)
    found = scan_positions({"m.yaml": text})
    assert found == located(text)
    assert found["A-late"] == ("m.yaml", 14, 5)
    assert found["Z-deep"] == ("m.yaml", 19, 7)
    assert "not-an-element" not in found


def test_scan_numbers_lines_as_splitlines_does() -> None:
    """A form feed ends a line for str.splitlines: the scan keeps that numbering."""
    text = "system:\n  id: s\nflows:\n- id: f1\x0c- id: f2\n- id: f3\n"
    assert scan_positions({"m.yaml": text}) == {
        "s": ("m.yaml", 2, 3), "f1": ("m.yaml", 4, 3), "f2": ("m.yaml", 5, 3), "f3": ("m.yaml", 6, 3),
    }


def test_scan_first_declaration_wins_across_files() -> None:
    texts = {"a.yaml": "flows:\n- id: f\n", "b.yaml": "zones:\n\n- id: f\n- id: z\n"}
    assert scan_positions(texts) == {"f": ("a.yaml", 2, 3), "z": ("b.yaml", 4, 3)}
