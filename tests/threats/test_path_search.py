"""The light k = 1 path search picks exactly the path networkx's Dijkstra picks, ties included."""

from __future__ import annotations

import random

import networkx as nx
import pytest

from medsecurance.threats._path_search import Digraph, Edge, dijkstra_path


def _random_out(rng: random.Random, nodes: int, edges: int) -> dict[str, dict[str, Edge]]:
    """A random edge table with many equal weights (ties are where the queue order matters)."""
    out: dict[str, dict[str, Edge]] = {}
    names = [f"n{i}" for i in range(nodes)]
    for _ in range(edges):
        u, v = rng.sample(names, 2)
        out.setdefault(u, {})[v] = (rng.choice((0.5, 1.0, 1.5, 2.0)), f"via {u}", "")
    hub = out.setdefault("entry:x", {})  # a source with many out-edges, as an entry point has
    for name in rng.sample(names, nodes // 2):
        hub[name] = (rng.choice((1.0, 2.0)), "entry", "")
    return out


def _networkx(out: dict[str, dict[str, Edge]]) -> nx.DiGraph:
    g = nx.DiGraph()
    for u in sorted(out):
        for v in sorted(out[u]):
            g.add_edge(u, v, weight=out[u][v][0])
    return g


@pytest.mark.parametrize("seed", range(40))
def test_same_path_as_networkx(seed: int) -> None:
    rng = random.Random(seed)
    out = _random_out(rng, nodes=60, edges=rng.choice((40, 90, 180)))
    light, reference = Digraph(out), _networkx(out)
    for dst in ("n1", "n7", "n33", "n59"):
        if dst not in reference:
            assert dst not in light
            continue
        found = dijkstra_path(light.adj, "entry:x", dst)
        if nx.has_path(reference, "entry:x", dst):
            assert found == nx.dijkstra_path(reference, "entry:x", dst, weight="weight")
        else:
            assert found is None


def test_edges_added_later_come_after_the_sorted_ones() -> None:
    out: dict[str, dict[str, Edge]] = {"s": {"b": (1.0, "", ""), "a": (1.0, "", "")}, "a": {}, "b": {}}
    g = Digraph(out)
    g.add_edge("b", "t", (0.0, "holds", ""))
    g.add_edge("a", "t", (0.0, "holds", ""))
    assert list(g.adj["s"]) == ["a", "b"]
    assert "t" in g and dijkstra_path(g.adj, "s", "t") == ["s", "a", "t"]
    assert dijkstra_path(g.adj, "t", "s") is None
    assert dijkstra_path(g.adj, "s", "s") == ["s"]
