"""The report's assurance diagram stays bounded on large cases (breadth-first from the top claim)."""

from __future__ import annotations

from medsecurance.assurance.export.diagram import pruned


def _case(width: int) -> dict[str, object]:
    nodes = [{"id": "G-top", "type": "goal", "text": "top", "status": "failed", "supported_by": ["S-1"],
              "in_context_of": ["C-1"]},
             {"id": "C-1", "type": "context", "text": "ctx", "status": "supported"},
             {"id": "S-1", "type": "strategy", "text": "s", "status": "failed",
              "supported_by": [f"G-{i}" for i in range(width)]}]
    nodes += [{"id": f"G-{i}", "type": "goal", "text": str(i), "status": "supported", "supported_by": []}
              for i in range(width)]
    return {"root": "G-top", "nodes": nodes}


def test_small_case_is_unchanged() -> None:
    case = _case(5)
    assert pruned(case, 50)["nodes"] == case["nodes"]


def test_large_case_is_cut_breadth_first_without_dangling_links() -> None:
    out = pruned(_case(1000), 50)
    ids = [n["id"] for n in out["nodes"]]
    assert len(ids) == 50 and ids[:3] == ["G-top", "C-1", "S-1"]
    kept = set(ids)
    for n in out["nodes"]:
        assert set(n.get("supported_by", ())) <= kept and set(n.get("in_context_of", ())) <= kept
