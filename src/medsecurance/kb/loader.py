"""Load the knowledge base: shipped Turtle plus imported catalogues, cached by content hash.

Cold path: parse the Turtle with rdflib and compile (``compile.py``). Warm path: hash the source files
and unpickle the compiled index from the user cache folder; rdflib is not even imported. The result is
also memoised in-process per content hash.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import threading
from pathlib import Path

from medsecurance.kb.catalogue import catalogue_paths, read_catalogue, user_kb_dir
from medsecurance.kb.index import KnowledgeBase
from medsecurance.kb.model import KbIndex

__all__ = ["DATA_DIR", "cache_folder", "load_kb", "source_files"]

#: the shipped Turtle files
DATA_DIR = Path(__file__).resolve().parent / "data"
#: bump when the compiled layout changes, so old caches are ignored
_INDEX_VERSION = "kb-index/1"
_CACHE_PREFIX = "kb-index-"

_memo: dict[str, KnowledgeBase] = {}
_lock = threading.Lock()


def source_files(kb_dir: Path | None = None) -> tuple[list[Path], list[Path]]:
    """(shipped Turtle files, imported catalogue files) that make up the knowledge base."""
    return sorted(DATA_DIR.glob("*.ttl")), catalogue_paths(user_kb_dir(kb_dir))


def cache_folder(cache_dir: Path | str | None = None) -> Path:
    """The cache folder: ``cache_dir``, else $MEDSEC_CACHE_DIR, else the platform user cache dir."""
    if cache_dir is not None:
        return Path(cache_dir)
    env = os.environ.get("MEDSEC_CACHE_DIR")
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_cache_dir("medsecurance", appauthor=False))


def _content_key(ttl: list[Path], catalogues: list[Path]) -> str:
    h = hashlib.sha256(_INDEX_VERSION.encode())
    for path in [*ttl, *catalogues]:
        h.update(path.name.encode() + b"\0")
        h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


def _read_cache(path: Path, key: str) -> KbIndex | None:
    # The cache lives in the user's own cache folder and is keyed by content hash; a file that does not
    # unpickle to an index with the expected key is ignored and rebuilt.
    try:
        with path.open("rb") as fh:
            index = pickle.load(fh)
    except Exception:
        return None
    return index if isinstance(index, KbIndex) and index.key == key else None


def _write_cache(folder: Path, path: Path, index: KbIndex) -> None:
    """Best effort: an unwritable cache only costs speed."""
    from medsecurance._internal.io import atomic_write_bytes

    with contextlib.suppress(Exception):
        atomic_write_bytes(path, pickle.dumps(index, protocol=pickle.HIGHEST_PROTOCOL))
        for old in folder.glob(f"{_CACHE_PREFIX}*.pickle"):
            if old != path:
                old.unlink(missing_ok=True)


def _compile(key: str, ttl: list[Path], catalogues: list[Path]) -> KbIndex:
    from medsecurance.kb.compile import compile_index, parse_sources

    graph, origin = parse_sources(ttl)
    cats = [read_catalogue(p) for p in catalogues]
    return compile_index(key, graph, origin, cats, sources=tuple(str(p) for p in [*ttl, *catalogues]))


def load_kb(*, kb_dir: Path | None = None, cache_dir: Path | None = None) -> KnowledgeBase:
    """Load the knowledge base (shipped ontology merged with catalogues imported into ``kb_dir``)."""
    ttl, catalogues = source_files(kb_dir)
    key = _content_key(ttl, catalogues)
    with _lock:
        cached = _memo.get(key)
        if cached is not None:
            return cached
        folder = cache_folder(cache_dir) / "kb"
        path = folder / f"{_CACHE_PREFIX}{key[:32]}.pickle"
        index = _read_cache(path, key)
        if index is None:
            index = _compile(key, ttl, catalogues)
            _write_cache(folder, path, index)
        kb = KnowledgeBase(index, ttl_files=tuple(ttl), catalogue_files=tuple(catalogues))
        _memo[key] = kb
        return kb


def clear_memo() -> None:
    """Forget in-process results (for tests and benchmarks)."""
    with _lock:
        _memo.clear()
