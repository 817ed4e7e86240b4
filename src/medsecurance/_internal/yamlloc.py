"""YAML reading that remembers where every value came from (file, line, column).

PyYAML's C parser (libyaml) does the scanning; construction records each mapping key's and
sequence item's position in the returned containers, so later stages can point a user at
``file:line:column``. ruamel.yaml's round-trip loader keeps positions too but is pure Python and
several times slower on large models, which matters for the 30,000-element budget.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Sequence
from typing import Any

import yaml

from medsecurance.errors import Diagnostic, MedsecError

__all__ = ["LocDict", "LocList", "Position", "load_yaml", "locate"]

Position = tuple[str, int, int]  # file, line (1-based), column (1-based)

try:  # libyaml's C parser and composer
    from yaml._yaml import CParser as _Parser
except ImportError:  # pragma: no cover - PyYAML built without libyaml

    class _Parser(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser, yaml.composer.Composer):  # type: ignore[no-redef]
        def __init__(self, stream: str) -> None:
            yaml.reader.Reader.__init__(self, stream)
            yaml.scanner.Scanner.__init__(self)
            yaml.parser.Parser.__init__(self)
            yaml.composer.Composer.__init__(self)


class _Yaml12Resolver(yaml.resolver.BaseResolver):
    """Implicit typing of the YAML 1.2 core schema (plus dates), as the fast reader applies it.

    YAML 1.1 would read ``on``, ``yes`` or ``no`` as booleans — the "Norway problem" — and both
    readers must agree on what a model means.
    """


for _tag, _regexp, _first in (
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("tag:yaml.org,2002:int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", "-+0123456789"),
    ("tag:yaml.org,2002:float",
     r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
     "-+0123456789."),
    ("tag:yaml.org,2002:timestamp", r"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}$", "0123456789"),
):
    _Yaml12Resolver.add_implicit_resolver(_tag, re.compile(_regexp), list(_first))


class _Loader(_Parser, yaml.constructor.SafeConstructor, _Yaml12Resolver):
    """libyaml's parser, the safe constructor, and the YAML 1.2 core resolver."""

    def __init__(self, stream: str) -> None:
        _Parser.__init__(self, stream)
        yaml.constructor.SafeConstructor.__init__(self)
        _Yaml12Resolver.__init__(self)


class LocDict(dict[Any, Any]):
    """A dict that knows its own position and the position of each key's value."""

    __slots__ = ("key_pos", "pos", "value_pos")

    def __init__(self, pos: Position) -> None:
        super().__init__()
        self.pos = pos
        self.key_pos: dict[Any, Position] = {}
        self.value_pos: dict[Any, Position] = {}


class LocList(list[Any]):
    """A list that knows its own position and the position of each item."""

    __slots__ = ("item_pos", "pos")

    def __init__(self, pos: Position) -> None:
        super().__init__()
        self.pos = pos
        self.item_pos: list[Position] = []


def _make_loader(filename: str, duplicates: list[Diagnostic]) -> type[_Loader]:
    def pos(node: yaml.Node) -> Position:
        return (filename, node.start_mark.line + 1, node.start_mark.column + 1)

    class LocLoader(_Loader):
        def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> LocDict:
            result = LocDict(pos(node))
            self.flatten_mapping(node)
            for key_node, value_node in node.value:
                key = self.construct_object(key_node, deep=True)
                if not isinstance(key, Hashable):
                    raise yaml.constructor.ConstructorError(
                        None, None, "a mapping key must be a plain value", key_node.start_mark
                    )
                if key in result:
                    file, line, col = pos(key_node)
                    duplicates.append(
                        Diagnostic(
                            f"duplicate key '{key}' in the same mapping",
                            file=file,
                            line=line,
                            column=col,
                            hint="remove one of them; YAML keeps only the last",
                        )
                    )
                result[key] = self.construct_object(value_node, deep=True)
                result.key_pos[key] = pos(key_node)
                result.value_pos[key] = pos(value_node)
            return result

        def construct_sequence(self, node: yaml.SequenceNode, deep: bool = False) -> LocList:
            result = LocList(pos(node))
            for child in node.value:
                result.append(self.construct_object(child, deep=True))
                result.item_pos.append(pos(child))
            return result

    def _map(loader: LocLoader, node: yaml.MappingNode) -> LocDict:
        return loader.construct_mapping(node)

    def _seq(loader: LocLoader, node: yaml.SequenceNode) -> LocList:
        return loader.construct_sequence(node)

    LocLoader.add_constructor("tag:yaml.org,2002:map", _map)  # type: ignore[type-var]
    LocLoader.add_constructor("tag:yaml.org,2002:seq", _seq)  # type: ignore[type-var]
    return LocLoader


def load_yaml(text: str, filename: str, error: type[MedsecError]) -> tuple[Any, list[Diagnostic]]:
    """Parse YAML into LocDict/LocList/scalars plus duplicate-key diagnostics.

    Syntax errors raise a located ``error``.
    """
    duplicates: list[Diagnostic] = []
    loader_cls = _make_loader(filename, duplicates)
    loader = loader_cls(text)
    try:
        return loader.get_single_data(), duplicates
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        line = mark.line + 1 if mark else None
        column = mark.column + 1 if mark else None
        raise error(
            f"YAML syntax error: {problem}",
            file=filename,
            line=line,
            column=column,
            hint="check indentation, colons and quotes around this place",
        ) from exc
    except yaml.YAMLError as exc:
        raise error(f"YAML error: {exc}", file=filename) from exc
    finally:
        loader.dispose()


def locate(root: Any, path: Sequence[str | int], *, key: bool = False) -> Position | None:
    """The position of the value at ``path`` (or of its key), or of the deepest known ancestor."""
    node = root
    found: Position | None = getattr(root, "pos", None)
    for part in path:
        if isinstance(node, LocDict) and part in node:
            found = node.key_pos[part] if key else node.value_pos[part]
            node = node[part]
        elif isinstance(node, LocList) and isinstance(part, int) and 0 <= part < len(node):
            found = node.item_pos[part]
            node = node[part]
        else:
            break
    return found
