"""The ordinal scales of security-for-safety risk: exploitability, risk level, privacy impact."""

from __future__ import annotations

from enum import StrEnum

from medsecurance.model.schema import HarmSeverity

__all__ = ["SEVERITY_RANK", "Exploitability", "HarmSeverity", "PrivacyImpact", "RiskLevel", "worst_severity"]


class Exploitability(StrEnum):
    """Five-level exploitability (AAMI TIR57 §6.3 uses exploitability in place of probability)."""

    VERY_LOW = "very-low"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    VERY_HIGH = "very-high"

    @property
    def rank(self) -> int:
        """1 (very-low) … 5 (very-high)."""
        return _RANKS[self]

    @classmethod
    def from_rank(cls, rank: int) -> Exploitability:
        """The level of a rank, clamped to 1…5."""
        return _EXPLOITABILITY[min(5, max(1, rank)) - 1]

    @classmethod
    def from_score(cls, score: float) -> Exploitability:
        """The level of a fractional score (half-up rounding, clamped)."""
        return cls.from_rank(int(score + 0.5) if score >= 0 else 1)


_EXPLOITABILITY = tuple(Exploitability)
_RANKS: dict[str, int] = {e: i + 1 for i, e in enumerate(_EXPLOITABILITY)}


class RiskLevel(StrEnum):
    """Outcome of the acceptability policy (ISO 14971 §7 / TIR57 §6.4 risk evaluation)."""

    ACCEPTABLE = "acceptable"
    REVIEW = "review"  # reduce as far as possible, then benefit-risk
    UNACCEPTABLE = "unacceptable"

    @property
    def rank(self) -> int:
        """0 (acceptable) … 2 (unacceptable)."""
        return _LEVEL_RANKS[self]


class PrivacyImpact(StrEnum):
    """Confidentiality impact on health or personal data (NIST SP 800-122 §3 / FIPS 199 low-moderate-high)."""

    NONE = "none"
    LOW = "low"
    MODERATE = "moderate"
    HIGH = "high"

    @property
    def rank(self) -> int:
        """0 (none) … 3 (high)."""
        return _PRIVACY_RANKS[self]


_LEVEL_RANKS: dict[str, int] = {lv: i for i, lv in enumerate(RiskLevel)}
_PRIVACY_RANKS: dict[str, int] = {p: i for i, p in enumerate(PrivacyImpact)}
SEVERITY_RANK: dict[str, int] = {s: i + 1 for i, s in enumerate(HarmSeverity)}


def worst_severity(values: list[HarmSeverity | None]) -> HarmSeverity | None:
    """The most severe of some severities (None when there is none)."""
    present = [v for v in values if v is not None]
    return max(present, key=SEVERITY_RANK.__getitem__) if present else None
