"""The MITRE medical-device CVSS rubric as a data-driven decision flow: answers → CVSS v3 vector.

The questions and flows live in ``data/mitre_rubric.yaml``; this module validates that table,
walks it for a set of answers and reports incomplete or contradictory answers naming the question.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from medsecurance.errors import Diagnostic, PolicyError
from medsecurance.risk._data import load_table, package_table
from medsecurance.risk._rubric_table import build_rubric
from medsecurance.risk.cvss import CvssScore, parse_cvss

__all__ = ["METRICS", "Question", "Rubric", "RubricError", "RubricResult", "RubricStep", "load_rubric"]

#: CVSS v3 base metrics in vector order, with the values each may take
METRICS: dict[str, tuple[str, ...]] = {
    "AV": ("N", "A", "L", "P"), "AC": ("L", "H"), "PR": ("N", "L", "H"), "UI": ("N", "R"),
    "S": ("U", "C"), "C": ("N", "L", "H"), "I": ("N", "L", "H"), "A": ("N", "L", "H"),
}
_IMPACT_ORDER = {"N": 0, "L": 1, "H": 2}
_YES = {"yes", "y", "true"}
_NO = {"no", "n", "false"}


class RubricError(PolicyError):
    """Rubric answers are incomplete, invalid or contradictory (or the rubric table is malformed)."""


@dataclass(frozen=True)
class Outcome:
    """Where an answer leads: a metric value, the next question, or an inconsistency."""

    value: str | None = None
    ask: str | None = None
    error: str | None = None


@dataclass(frozen=True)
class Question:
    """One rubric question."""

    id: str
    metric: str
    rubric: str  # the rubric's own numbering, e.g. "AV Q2"
    kind: str  # yes-no | choice
    text: str
    help: str | None
    choices: Mapping[str, Outcome]
    requires: Mapping[str, tuple[str, ...]]

    def normalise(self, answer: object) -> str | None:
        """The canonical answer text, or None when the answer is not one of the choices."""
        text = str(answer).strip().lower()
        if self.kind == "yes-no":
            return "yes" if text in _YES else "no" if text in _NO else None
        return text if text in self.choices else None


@dataclass(frozen=True)
class RubricStep:
    """One answered question on the decision path."""

    metric: str
    question: str
    rubric: str
    answer: str


@dataclass(frozen=True)
class RubricResult:
    """The CVSS v3 vector the rubric gives, and the path of answers that led to it."""

    score: CvssScore
    steps: tuple[RubricStep, ...]

    @property
    def vector(self) -> str:
        """The CVSS vector text."""
        return self.score.vector


@dataclass(frozen=True)
class Rubric:
    """The validated rubric: per metric a flow (or worst-of list) over questions."""

    name: str
    cvss_version: str
    flows: Mapping[str, tuple[str, tuple[str, ...]]]  # metric -> (mode, start questions)
    questions: Mapping[str, Question]

    def next_question(self, answers: Mapping[str, object]) -> Question | None:
        """The first question still to be answered on the decision path (None when complete)."""
        norm = self._normalised(answers, [])
        for metric in METRICS:
            _, _, missing, _ = self._walk_metric(metric, norm)
            if missing is not None:
                return self.questions[missing]
        return None

    def evaluate(self, answers: Mapping[str, object], *, file: str | None = None,
                 line: int | None = None) -> RubricResult:
        """The CVSS v3 base vector the answers determine; RubricError names each bad question."""
        problems: list[str] = []
        norm = self._normalised(answers, problems)
        values: dict[str, str] = {}
        steps: list[RubricStep] = []
        used: set[str] = set()
        for metric in METRICS:
            value, path, missing, error = self._walk_metric(metric, norm)
            used.update(path)
            steps.extend(RubricStep(metric, q, self.questions[q].rubric, norm[q]) for q in path)
            if missing is not None:
                q = self.questions[missing]
                problems.append(f"incomplete: question {q.id} ({q.rubric}, {metric}) is not answered: {q.text}")
            elif error is not None:
                problems.append(f"contradictory answers for {metric}: {error}")
            elif value is not None:
                values[metric] = value
        for qid in sorted(set(norm) - used):
            if qid in self.questions:
                problems.extend(self._off_path(self.questions[qid], norm))
        if problems:
            hint = "fix the answers in the rubric entry"
            raise RubricError.from_diagnostics([Diagnostic(p, file=file, line=line, hint=hint) for p in problems])
        vector = f"CVSS:{self.cvss_version}/" + "/".join(f"{m}:{values[m]}" for m in METRICS)
        return RubricResult(parse_cvss(vector), tuple(steps))

    def _normalised(self, answers: Mapping[str, object], problems: list[str]) -> dict[str, str]:
        norm: dict[str, str] = {}
        for raw_id, raw in answers.items():
            qid = str(raw_id).strip().upper()
            q = self.questions.get(qid)
            if q is None:
                problems.append(f"unknown rubric question '{raw_id}' (known: {', '.join(sorted(self.questions))})")
                continue
            value = q.normalise(raw)
            if value is None:
                problems.append(f"question {qid} ({q.rubric}): '{raw}' is not an answer; use one of "
                                f"{', '.join(sorted(q.choices))}")
                continue
            norm[qid] = value
        return norm

    def _off_path(self, q: Question, norm: Mapping[str, str]) -> list[str]:
        for dep, allowed in q.requires.items():
            if norm.get(dep) not in allowed:
                return [f"contradictory: {q.id} ({q.rubric}) is answered '{norm[q.id]}' but it applies only when "
                        f"{dep} is {' or '.join(allowed)} (found '{norm.get(dep, 'no answer')}')"]
        return [f"contradictory: {q.id} ({q.rubric}) is answered but the earlier answers already decide "
                f"{q.metric}; remove it or change the earlier answer"]

    def _walk_metric(self, metric: str, norm: Mapping[str, str]
                     ) -> tuple[str | None, list[str], str | None, str | None]:
        """(value, questions used, first unanswered question, error) for one metric."""
        mode, starts = self.flows[metric]
        path: list[str] = []
        worst: str | None = None
        for start in starts:
            qid: str | None = start
            while qid is not None:
                if qid not in norm:
                    return None, path, qid, None
                path.append(qid)
                outcome = self.questions[qid].choices[norm[qid]]
                if outcome.error is not None:
                    return None, path, None, f"{qid}: {outcome.error}"
                qid = outcome.ask
                if outcome.value is not None:
                    if mode == "flow":
                        return outcome.value, path, None, None
                    if worst is None or _IMPACT_ORDER[outcome.value] > _IMPACT_ORDER[worst]:
                        worst = outcome.value
        return worst, path, None, None


def load_rubric(path: str | Path | None = None) -> Rubric:
    """Load and validate the rubric table (the shipped one by default)."""
    return _load(str(path)) if path is not None else _default()


@lru_cache(maxsize=1)
def _default() -> Rubric:
    return build_rubric(package_table("mitre_rubric.yaml"))


def _load(path: str) -> Rubric:
    return build_rubric(load_table(path))
