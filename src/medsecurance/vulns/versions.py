"""Version comparison: ecosystem-aware (packaging, univers) and a tolerant parser for free-text ranges.

Device advisories (CISA ICSMA) state versions as free text — ``<= 3.02.1757``, ``v6.x``,
``< 012U000040``, ``>= 2018-1 | <= 2021-1``, "all versions". No library parses these, so this
module does: a natural-order key for vendor version strings and a small range grammar.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

__all__ = ["Constraint", "VersionSpec", "compare", "natural_key", "parse_spec"]

_TOKEN = re.compile(r"\d+|[a-z]+")
_MONTHS = re.compile(r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b\.?\s*\d", re.IGNORECASE)
_ALL = re.compile(r"^(vers:all/\*|\*|all|all versions?|any|any versions?)$", re.IGNORECASE)
_OP = re.compile(r"^(<=|>=|<|>|=|==|!=)\s*(.*)$")


@lru_cache(maxsize=65536)
def natural_key(version: str) -> tuple[tuple[int, int, str], ...]:
    """Order key of a vendor version: digit runs numerically, letter runs alphabetically."""
    text = version.strip().lower()
    if re.match(r"^v\d", text):
        text = text[1:]
    return tuple((1, int(t), "") if t.isdigit() else (0, 0, t) for t in _TOKEN.findall(text))


def compare(a: str, b: str) -> int:
    """-1, 0 or 1 comparing two vendor versions by :func:`natural_key`."""
    ka, kb = natural_key(a), natural_key(b)
    return (ka > kb) - (ka < kb)


@dataclass(frozen=True, slots=True)
class Constraint:
    """One comparison (``op`` in <, <=, >, >=, =, !=, ~ for a ``6.x`` wildcard) against a version."""

    op: str
    version: str

    def holds(self, version: str) -> bool:
        """True when ``version`` satisfies this constraint."""
        if self.op == "~":
            prefix = natural_key(self.version)
            return natural_key(version)[: len(prefix)] == prefix
        c = compare(version, self.version)
        return {"<": c < 0, "<=": c <= 0, ">": c > 0, ">=": c >= 0, "=": c == 0, "!=": c != 0}[self.op]

    def __str__(self) -> str:
        return f"{self.version}.x" if self.op == "~" else f"{self.op} {self.version}"


@dataclass(frozen=True, slots=True)
class VersionSpec:
    """A parsed range: any of ``clauses`` (each a conjunction of constraints), or all versions.

    ``parsed`` is False when the text could not be read as versions (e.g. a date such as
    "< august 28"); then :meth:`contains` answers None (undetermined).
    """

    text: str
    clauses: tuple[tuple[Constraint, ...], ...] = ()
    all_versions: bool = False
    parsed: bool = True

    def contains(self, version: str | None) -> bool | None:
        """True/False whether ``version`` is in the range; None when undetermined."""
        if self.all_versions:
            return True
        if not self.parsed or not version:
            return None
        return any(all(c.holds(version) for c in clause) for clause in self.clauses)

    def describe(self) -> str:
        """Readable form of the parsed range."""
        if self.all_versions:
            return "all versions"
        if not self.parsed:
            return f"unparsed range {self.text!r}"
        return " or ".join(" and ".join(str(c) for c in clause) for clause in self.clauses)


def _item(raw: str) -> Constraint | None:
    text = re.sub(r"(^|\s)\(.*?(\)|$)", " ", raw).strip()  # drop notes: "(end-of-life 2011)"
    text = re.sub(r"^(.+?)\s+(and|or)\s+(below|earlier|prior|lower)$", r"<= \1", text, flags=re.IGNORECASE)
    text = re.sub(r"^(.+?)\s+(and|or)\s+(above|later|newer|higher)$", r">= \1", text, flags=re.IGNORECASE)
    text = re.sub(r"^(version|versions|ver\.?|rev\.?)\s+", "", text, flags=re.IGNORECASE)
    if not text or _MONTHS.search(text) or re.search(r"\b(19|20)\d\d\b.*[a-z]{4,}", text, re.IGNORECASE):
        return None
    match = _OP.match(text)
    op, value = (match.group(1), match.group(2).strip()) if match else ("=", text)
    op = "=" if op == "==" else op
    if op != "=":  # "<=11.2 on Windows 8.1" → the bound is the first part
        value = re.split(r"\s+(?:on|with|for|running|in|under)\s+", value, flags=re.IGNORECASE)[0]
    wildcard = re.fullmatch(r"v?(\d+(?:\.\d+)*)\.[x*]", value, re.IGNORECASE)
    if wildcard:
        return Constraint("~", wildcard.group(1)) if op == "=" else Constraint(op, wildcard.group(1))
    if not value or not natural_key(value):
        return None
    return Constraint(op, value)


@lru_cache(maxsize=16384)
def parse_spec(text: str) -> VersionSpec:
    """Parse free text or a ``vers:`` range into a :class:`VersionSpec`.

    ``|`` separates items; a lower bound (``>``/``>=``) directly followed by an upper bound
    (``<``/``<=``) forms one interval, as in purl-spec ``vers``; other items are alternatives.
    """
    raw = " ".join(text.split())
    body = re.sub(r"^vers:[a-z0-9.+-]+/", "", raw, flags=re.IGNORECASE)
    if _ALL.match(body) or _ALL.match(re.sub(r"\(.*$", "", body).strip()) or re.match(r"^\*\s", body):
        return VersionSpec(raw, all_versions=True)
    body = re.sub(r"\s\(.*?(\)|$)", " ", body)  # notes may themselves contain "|"
    items = [_item(part) for part in body.split("|") if part.strip()]
    if not items or any(i is None for i in items):
        return VersionSpec(raw, parsed=False)
    clauses: list[tuple[Constraint, ...]] = []
    pending: Constraint | None = None
    for item in items:
        assert item is not None
        if pending is not None and item.op in ("<", "<="):
            clauses.append((pending, item))
            pending = None
            continue
        if pending is not None:
            clauses.append((pending,))
            pending = None
        if item.op in (">", ">="):
            pending = item
        else:
            clauses.append((item,))
    if pending is not None:
        clauses.append((pending,))
    return VersionSpec(raw, tuple(clauses))


# --- ecosystem-aware comparison for package advisories (OSV ranges) -------------------------


def _pypi(version: str) -> Any:
    from packaging.version import Version

    return Version(version)


def _univers(name: str) -> Callable[[str], Any]:
    def build(version: str) -> Any:
        import univers.versions as uv

        return getattr(uv, name)(version)

    return build


_ECOSYSTEM_VERSIONS: dict[str, Callable[[str], Any]] = {
    "pypi": _pypi,
    "go": _univers("GolangVersion"),
    "npm": _univers("SemverVersion"),
    "crates.io": _univers("SemverVersion"),
    "maven": _univers("MavenVersion"),
    "nuget": _univers("NugetVersion"),
    "rubygems": _univers("RubygemsVersion"),
    "packagist": _univers("ComposerVersion"),
    "debian": _univers("DebianVersion"),
    "ubuntu": _univers("DebianVersion"),
    "alpine": _univers("AlpineLinuxVersion"),
}


@lru_cache(maxsize=262144)
def ecosystem_key(ecosystem: str, version: str) -> Any:
    """A comparable object for ``version`` in ``ecosystem``; falls back to :func:`natural_key`."""
    if version in ("0", ""):
        return _Zero()
    build = _ECOSYSTEM_VERSIONS.get(ecosystem.lower().split(":")[0])
    if build is not None:
        try:
            return _Wrapped(build(version.removeprefix("v") if ecosystem == "Go" else version))
        except Exception:
            pass
    return _Wrapped(natural_key(version))


class _Zero:
    """Smaller than every version (OSV ``introduced: "0"``)."""

    def __lt__(self, other: object) -> bool:
        return not isinstance(other, _Zero)

    def __le__(self, other: object) -> bool:
        return True


@dataclass(frozen=True, slots=True, eq=False)
class _Wrapped:
    value: Any

    def __lt__(self, other: object) -> bool:
        if isinstance(other, _Zero):
            return False
        assert isinstance(other, _Wrapped)
        try:
            return bool(self.value < other.value)
        except TypeError:
            return _fallback(self.value) < _fallback(other.value)

    def __le__(self, other: object) -> bool:
        return not other < self  # type: ignore[operator]


def _fallback(value: Any) -> tuple[tuple[int, int, str], ...]:
    return value if isinstance(value, tuple) else natural_key(str(value))


def osv_range_contains(ecosystem: str, events: list[dict[str, str]], version: str) -> str | None:
    """If ``version`` lies in an OSV ECOSYSTEM/SEMVER range, the interval text; else None."""
    v = ecosystem_key(ecosystem, version)
    lower: str | None = None
    for event in events:
        if "introduced" in event:
            lower = event["introduced"]
        elif lower is not None and "fixed" in event:
            if ecosystem_key(ecosystem, lower) <= v and v < ecosystem_key(ecosystem, event["fixed"]):
                return f">= {lower}, < {event['fixed']} (fixed)"
            lower = None
        elif lower is not None and "last_affected" in event:
            if ecosystem_key(ecosystem, lower) <= v and v <= ecosystem_key(ecosystem, event["last_affected"]):
                return f">= {lower}, <= {event['last_affected']} (last affected)"
            lower = None
        elif lower is not None and "limit" in event:
            if ecosystem_key(ecosystem, lower) <= v and v < ecosystem_key(ecosystem, event["limit"]):
                return f">= {lower}, < {event['limit']} (limit)"
            lower = None
    if lower is not None and ecosystem_key(ecosystem, lower) <= v:
        return f">= {lower} (no fix)"
    return None
