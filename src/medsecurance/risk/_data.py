"""Reading the risk tables (YAML) with positions, so a bad table gets a file:line error."""

from __future__ import annotations

from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any, NoReturn

from medsecurance._internal.io import read_text_limited
from medsecurance._internal.yamlloc import LocDict, load_yaml, locate
from medsecurance.errors import PolicyError

__all__ = ["Table", "load_table", "package_table"]


class Table:
    """A parsed YAML table with its file name, able to raise errors located at a path inside it."""

    def __init__(self, raw: LocDict, file: str) -> None:
        self.raw = raw
        self.file = file

    def fail(self, path: Sequence[str | int], message: str, *, hint: str | None = None,
             key: bool = False) -> NoReturn:
        """Raise a PolicyError at the place ``path`` points to."""
        pos = locate(self.raw, path, key=key)
        where = ".".join(str(p) for p in path)
        raise PolicyError(f"{where}: {message}" if where else message, file=self.file,
                          line=pos[1] if pos else None, column=pos[2] if pos else None, hint=hint)

    def get(self, path: Sequence[str | int], kind: type | tuple[type, ...] = LocDict) -> Any:
        """The value at ``path``, checked to be of ``kind`` (located error otherwise)."""
        node: Any = self.raw
        for i, part in enumerate(path):
            in_dict = isinstance(node, dict) and part in node
            if in_dict or (isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)):
                node = node[part]
            else:
                self.fail(path[:i], f"missing key '{part}'")
        if not isinstance(node, kind):
            names = kind.__name__ if isinstance(kind, type) else "/".join(k.__name__ for k in kind)
            names = names.replace("LocDict", "mapping").replace("LocList", "list")
            self.fail(path, f"expected a {names}, found {type(node).__name__.replace('Loc', '')}")
        return node


def load_table(path: str | Path) -> Table:
    """Read a user-supplied YAML table (policy or scoring table)."""
    text = read_text_limited(path, max_bytes=4 * 1024 * 1024, error=PolicyError)
    return _parse(text, str(path))


def package_table(name: str) -> Table:
    """Read one of the tables shipped in ``medsecurance/risk/data``."""
    text = resources.files("medsecurance.risk").joinpath("data").joinpath(name).read_text(encoding="utf-8")
    return _parse(text, f"medsecurance/risk/data/{name}")


def _parse(text: str, name: str) -> Table:
    raw, dups = load_yaml(text, name, PolicyError)
    if dups:
        raise PolicyError.from_diagnostics(dups)
    if not isinstance(raw, LocDict):
        raise PolicyError("expected a YAML mapping at the top level", file=name, line=1)
    return Table(raw, name)
