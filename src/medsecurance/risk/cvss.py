"""CVSS 3.0/3.1 and 4.0 scoring through Red Hat's ``cvss`` library, with located errors.

The library is the maintained reference implementation (it ships FIRST's test vectors); this
module only normalises its results into one frozen value and translates its exceptions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from types import MappingProxyType

from medsecurance.errors import PolicyError

__all__ = ["CvssError", "CvssScore", "exploitability_subscore", "parse_cvss"]

_V4_BASE = ("AV", "AC", "AT", "PR", "UI", "VC", "VI", "VA", "SC", "SI", "SA")


class CvssError(PolicyError):
    """A CVSS vector is malformed or lacks mandatory metrics."""


@dataclass(frozen=True)
class CvssScore:
    """A scored CVSS vector.

    ``temporal`` is the CVSS v3 temporal score or the CVSS v4 CVSS-BT score (base + threat);
    ``environmental`` is the v3 environmental score or the v4 CVSS-BTE score.
    """

    version: str  # "3.0" | "3.1" | "4.0"
    vector: str  # normalised vector text
    base: float
    temporal: float
    environmental: float
    severity: str  # qualitative rating of the base score: None/Low/Medium/High/Critical
    metrics: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}), hash=False)

    def metric(self, name: str) -> str:
        """The value of one metric ('X' when not given)."""
        return self.metrics.get(name, "X")

    def impacts(self) -> tuple[str, ...]:
        """Which of C, I, A the vulnerable system loses (v3 C/I/A, v4 VC/VI/VA), in C-I-A order."""
        names = ("C", "I", "A") if self.version != "4.0" else ("VC", "VI", "VA")
        return tuple(p for p, n in zip(("C", "I", "A"), names, strict=True) if self.metric(n) not in ("N", "X"))


def parse_cvss(vector: str) -> CvssScore:
    """Score a CVSS v3.0, v3.1 or v4.0 vector (base, temporal/threat, environmental).

    Raises :class:`CvssError` naming the vector when it is malformed.
    """
    return _parse(vector.strip())


@lru_cache(maxsize=4096)
def _parse(text: str) -> CvssScore:
    from cvss import CVSS3, CVSS4
    from cvss.exceptions import CVSSError

    try:
        if text.startswith("CVSS:3."):
            c3 = CVSS3(text)
            base, temporal, env = (float(s) for s in c3.scores())
            version = "3.0" if text.startswith("CVSS:3.0/") else "3.1"
            return CvssScore(version, c3.clean_vector(), base, temporal, env, c3.severities()[0],
                             MappingProxyType(dict(c3.original_metrics)))
        if text.startswith("CVSS:4.0/"):
            c4 = CVSS4(text)
            metrics = dict(c4.original_metrics)
            base_vec = "CVSS:4.0/" + "/".join(f"{m}:{metrics[m]}" for m in _V4_BASE)
            threat_vec = base_vec + (f"/E:{metrics['E']}" if metrics.get("E", "X") != "X" else "")
            base = CVSS4(base_vec)
            return CvssScore("4.0", c4.clean_vector(), float(base.base_score), float(CVSS4(threat_vec).base_score),
                             float(c4.base_score), str(base.severity), MappingProxyType(metrics))
    except CVSSError as exc:
        raise CvssError(f"malformed CVSS vector '{text}': {exc}",
                        hint="write a complete CVSS:3.1/… or CVSS:4.0/… vector (FIRST specification)") from exc
    raise CvssError(f"unsupported CVSS vector '{text}'",
                    hint="the vector must start with CVSS:3.0/, CVSS:3.1/ or CVSS:4.0/ (CVSS v2 is not supported)")


@lru_cache(maxsize=1024)
def exploitability_subscore(score: CvssScore) -> float:
    """The CVSS v3.1 exploitability sub-score (8.22·AV·AC·PR·UI, FIRST CVSS v3.1 §7.1), 0.12…3.89.

    A v4.0 vector is first projected onto v3.1 exploitability metrics (our approximation, the
    v4 formula has no sub-score): AT:P counts as AC:H, UI:P and UI:A as UI:R.
    """
    from cvss import CVSS3

    m = score.metrics
    if score.version == "4.0":
        ac = "H" if m.get("AC") == "H" or m.get("AT") == "P" else "L"
        ui = "N" if m.get("UI") == "N" else "R"
        scope = "C" if any(m.get(k, "N") != "N" for k in ("SC", "SI", "SA")) else "U"
        vec = f"CVSS:3.1/AV:{m['AV']}/AC:{ac}/PR:{m['PR']}/UI:{ui}/S:{scope}/C:N/I:N/A:N"
    else:
        vec = f"CVSS:3.1/AV:{m['AV']}/AC:{m['AC']}/PR:{m['PR']}/UI:{m['UI']}/S:{m['S']}/C:N/I:N/A:N"
    c3 = CVSS3(vec)
    return round(float(c3.esc), 3)
