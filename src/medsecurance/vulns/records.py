"""Normalised advisory records that importers yield and the database stores."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["Advisory", "Affected", "EpssScore", "KevEntry", "Record"]


@dataclass(frozen=True, slots=True)
class Affected:
    """One affected-product entry: how to look it up (``kind``, ``key``) and how to test versions.

    kinds: ``purl`` (key ``type/namespace/name``), ``cpe`` (key ``cpe:product`` or ``cpev:vendor``)
    and ``product`` (key ``dev:normalised product name``; vendor and free-text range in ``data``).
    """

    kind: str
    key: str
    data: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Advisory:
    """One vulnerability as one source states it (not merged with its aliases)."""

    id: str
    source: str
    modified: str
    published: str | None = None
    summary: str = ""
    cvss_vector: str | None = None
    cvss_score: float | None = None
    severity: str | None = None
    cwes: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    document: str | None = None
    withdrawn: str | None = None
    affected: tuple[Affected, ...] = ()


@dataclass(frozen=True, slots=True)
class KevEntry:
    """A CISA Known Exploited Vulnerabilities catalogue entry."""

    cve: str
    date_added: str
    due_date: str | None = None
    ransomware: str | None = None
    name: str | None = None


@dataclass(frozen=True, slots=True)
class EpssScore:
    """A FIRST EPSS probability (and percentile) for a CVE on a date."""

    cve: str
    score: float
    percentile: float | None
    date: str | None = None


Record = Advisory | KevEntry | EpssScore
