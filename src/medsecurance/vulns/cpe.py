"""CPE 2.3 names: parsing (formatted string and 2.2 URI), NISTIR 7696 comparison, false-positive guard.

Written here rather than taken from a library because the maintained CPE packages on PyPI either
do not implement the NISTIR 7696 attribute relations or are far too slow for per-component use.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from urllib.parse import unquote

__all__ = ["ANY", "NA", "Cpe", "CpeError", "Relation", "cpe_match", "parse_cpe", "relation"]

ANY = "*"
NA = "-"
_FIELDS = (
    "part",
    "vendor",
    "product",
    "version",
    "update",
    "edition",
    "language",
    "sw_edition",
    "target_sw",
    "target_hw",
    "other",
)
_SPLIT = re.compile(r"(?<!\\):")


class CpeError(ValueError):
    """A string is not a CPE name."""


class Relation(Enum):
    """NISTIR 7696 relation of a source attribute value to a target attribute value."""

    EQUAL = "equal"
    SUPERSET = "superset"
    SUBSET = "subset"
    DISJOINT = "disjoint"


@dataclass(frozen=True, slots=True)
class Cpe:
    """A CPE 2.3 name split into its eleven attributes (values unescaped, lower case)."""

    part: str
    vendor: str
    product: str
    version: str = ANY
    update: str = ANY
    edition: str = ANY
    language: str = ANY
    sw_edition: str = ANY
    target_sw: str = ANY
    target_hw: str = ANY
    other: str = ANY

    def values(self) -> tuple[str, ...]:
        """The eleven attribute values in order."""
        return tuple(getattr(self, f) for f in _FIELDS)

    def to_fs(self) -> str:
        """The CPE 2.3 formatted string."""
        return "cpe:2.3:" + ":".join(_escape(v) for v in self.values())

    def with_version(self, version: str) -> Cpe:
        """A copy with another version attribute."""
        return Cpe(*(version.lower() if f == "version" else getattr(self, f) for f in _FIELDS))


def _escape(value: str) -> str:
    if value in (ANY, NA):
        return value
    return re.sub(r"([^A-Za-z0-9_\-.*?])", r"\\\1", value)


def _unescape(value: str) -> str:
    return re.sub(r"\\(.)", r"\1", value)


def parse_cpe(text: str) -> Cpe:
    """Parse a CPE 2.3 formatted string or a CPE 2.2 URI (``cpe:/a:vendor:product:1.0``)."""
    raw = text.strip()
    if raw.lower().startswith("cpe:2.3:"):
        parts = _SPLIT.split(raw[8:])
        if len(parts) != 11:
            raise CpeError(f"expected 11 attributes after 'cpe:2.3:', found {len(parts)}")
        values = [p if p in (ANY, NA) else _unescape(p).lower() for p in parts]
    elif raw.lower().startswith("cpe:/"):
        parts = raw[5:].split(":")
        if len(parts) > 7:
            raise CpeError("a CPE 2.2 URI has at most 7 components")
        values = [unquote(p).lower() if p else ANY for p in parts] + [ANY] * (11 - len(parts))
        values = [NA if v == "-" else v for v in values]
    else:
        raise CpeError("must start with 'cpe:2.3:' or 'cpe:/'")
    if values[0] not in ("a", "o", "h", ANY):
        raise CpeError(f"part must be a, o or h, not {values[0]!r}")
    if not values[2] or values[2] in (NA,):
        raise CpeError("product is empty")
    return Cpe(*values)


def relation(source: str, target: str) -> Relation:
    """Relation of one attribute value (NISTIR 7696 table 6-2, wildcards in the target only)."""
    if source == target:
        return Relation.EQUAL
    if source == ANY:
        return Relation.SUPERSET
    if target == ANY:
        return Relation.SUBSET
    if NA in (source, target):
        return Relation.DISJOINT
    if "*" in target or "?" in target:
        pattern = re.escape(target).replace(r"\*", ".*").replace(r"\?", ".")
        return Relation.SUBSET if re.fullmatch(pattern, source) else Relation.DISJOINT
    return Relation.DISJOINT


def guard_rejects(component: Cpe, criteria: Cpe) -> bool:
    """Dependency-Track's false-positive guard: vendor subset with product superset, or the reverse."""
    vendor = relation(component.vendor, criteria.vendor)
    product = relation(component.product, criteria.product)
    return (vendor is Relation.SUBSET and product is Relation.SUPERSET) or (
        vendor is Relation.SUPERSET and product is Relation.SUBSET
    )


def cpe_match(component: Cpe, criteria: Cpe, *, ignore_version: bool = False) -> bool:
    """True when the component name is in the criteria's set (no attribute is DISJOINT)."""
    if guard_rejects(component, criteria):
        return False
    for name in _FIELDS:
        if ignore_version and name in ("version", "update"):
            continue
        if relation(getattr(component, name), getattr(criteria, name)) is Relation.DISJOINT:
            return False
    return True
