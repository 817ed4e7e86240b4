"""The k = 1 attack-path search: a light directed graph and networkx's Dijkstra, step for step.

Split from :mod:`medsecurance.threats.paths`: on large models only the cheapest path is searched,
without importing networkx (~0.1 s), and the search must pick the same path networkx would.
"""

from __future__ import annotations

import heapq
import itertools
from operator import itemgetter

__all__ = ["Digraph", "Edge", "dijkstra_path"]

Edge = tuple[float, str, str]  # weight, via, reason


class Digraph:
    """The part of a networkx ``DiGraph`` the k = 1 search uses, without importing networkx (~0.1 s).

    Each node's out-edges are in the order networkx would hold them (sorted, then the asset
    edges), so :func:`dijkstra_path` finds the same path as ``nx.dijkstra_path``.
    """

    def __init__(self, out: dict[str, dict[str, Edge]]) -> None:
        self.adj = {u: nbrs if len(nbrs) < 2 else {v: nbrs[v] for v in sorted(nbrs)} for u, nbrs in out.items()}
        self.nodes = set(out).union(*out.values())

    def add_edge(self, u: str, v: str, edge: Edge) -> None:
        """Add an edge after the others of ``u``, creating its nodes."""
        self.adj.setdefault(u, {})[v] = edge
        self.nodes.update((u, v))

    def __contains__(self, node: object) -> bool:
        return node in self.nodes


_NO_EDGES: dict[str, Edge] = {}


def dijkstra_path(adj: dict[str, dict[str, Edge]], src: str, dst: str) -> list[str] | None:
    """``nx.dijkstra_path(g, src, dst, weight="weight")``: the same queue order and ties; None: no path.

    The queue's keys (distance, counter) are unique, so any queue popping the least key first gives
    networkx's order. src's own edges (an entry reaches thousands of components) are queued as one
    sorted list read in order, merged with a heap for the rest (~3× faster than heap pushes and pops).
    Weights are never negative (hops cost at least 0.5, asset edges 0): networkx's check for
    contradictory paths cannot fire and is left out.
    """
    if src == dst:
        return [src]
    dist: dict[str, float] = {src: 0}
    seen: dict[str, float] = {src: 0}
    pred: dict[str, str] = {}
    counter = itertools.count(1)  # 0 went to src
    first: list[tuple[float, int, str]] = []
    for u, edge in adj.get(src, _NO_EDGES).items():
        if u != src:
            seen[u] = vu = 0 + edge[0]
            first.append((vu, next(counter), u))
            pred[u] = src
    first.sort(key=itemgetter(0))  # stable: ties stay in counter order
    fringe: list[tuple[float, int, str]] = []
    pop, push = heapq.heappop, heapq.heappush
    i, n = 0, len(first)
    while True:
        if i < n and (not fringe or first[i] < fringe[0]):
            d, _, v = first[i]
            i += 1
        elif fringe:
            d, _, v = pop(fringe)
        else:
            break
        if v in dist:
            continue
        dist[v] = d
        if v == dst:
            break
        for u, edge in adj.get(v, _NO_EDGES).items():
            if u in dist:
                continue
            vu = d + edge[0]
            old = seen.get(u)
            if old is None or vu < old:
                seen[u] = vu
                push(fringe, (vu, next(counter), u))
                pred[u] = v
    if dst not in dist:
        return None
    path = [dst]
    while path[-1] in pred:
        path.append(pred[path[-1]])
    return path[::-1]
