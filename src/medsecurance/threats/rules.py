"""Threat rules: data files read, validated against the knowledge base and compiled once.

The shipped rules live in ``threats/rules/*.yaml``; users add theirs with ``--rules DIR``. A rule
with the id of a shipped rule replaces it. Every problem is reported with ``file:line:column``.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from medsecurance._internal.io import read_text_limited
from medsecurance._internal.yamlloc import LocDict, Position, load_yaml, locate
from medsecurance.errors import Diagnostic, RuleError
from medsecurance.findings import Severity
from medsecurance.threats.conditions import ALL_KINDS, CompileError, Condition, compile_condition

if TYPE_CHECKING:
    from medsecurance.kb import KnowledgeBase

__all__ = ["RULES_DIR", "Rule", "load_rules"]

RULES_DIR = Path(__file__).resolve().parent / "rules"
STRIDE = ("spoofing", "tampering", "repudiation", "information-disclosure", "denial-of-service",
          "elevation-of-privilege")
PLACEHOLDERS = ("subject", "reasons", "component", "interface", "flow", "source", "target", "stack", "assets",
                "missing", "present")
_REFERENCE = re.compile(r"^(CWE-\d+|CAPEC-\d+|T0\d{3}(\.\d{3})?)$")


class _RuleSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_.\-]*$")
    title: str = Field(min_length=5)
    stride: str
    threat_class: str | None = None
    applies_to: str | list[str]
    when: Any
    impacts: list[str] = Field(min_length=1)
    severity: Severity
    mitigations: list[str] = Field(default_factory=list)
    references: list[str] = Field(default_factory=list)
    sources: list[str] = Field(min_length=1)
    explanation: str = Field(min_length=10)


class _RuleFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    rules: list[Any] = Field(min_length=1)
    description: str | None = None


@dataclass(frozen=True)
class Rule:
    """A compiled threat rule."""

    id: str
    title: str
    stride: str
    threat_class: str | None
    applies_to: frozenset[str]
    condition: Condition
    impacts: tuple[str, ...]
    severity: Severity
    mitigations: tuple[str, ...]
    references: tuple[str, ...]
    sources: tuple[str, ...]
    explanation: str
    file: str
    line: int


class _Compiler:
    def __init__(self, kb: KnowledgeBase, file: str, raw: Any) -> None:
        self.kb = kb
        self.file = file
        self.raw = raw
        self.errors: list[Diagnostic] = []

    def error(
        self, path: tuple[str | int, ...], message: str, hint: str | None = None, rule: str | None = None
    ) -> None:
        pos = locate(self.raw, path)
        _, line, col = pos if pos else (self.file, None, None)
        self.errors.append(Diagnostic(message, file=self.file, line=line, column=col, element=rule, hint=hint))

    def resolver(self, name: str, kind: str, path: tuple[str | int, ...]) -> str:
        found = self.kb.resolve(name, kind)
        if found is None:
            close = self.kb.suggest(name, kind)
            raise CompileError(f"unknown {kind} '{name}' (not in the knowledge base)", path,
                               f"did you mean: {', '.join(close)}" if close else f"see: medsec kb stats ({kind})")
        return found

    def compile(self, index: int, item: Any) -> Rule | None:
        base: tuple[str | int, ...] = ("rules", index)
        try:
            spec = _RuleSpec.model_validate(item)
        except ValidationError as exc:
            for err in exc.errors(include_url=False):
                loc = tuple(err["loc"])
                msg = f"missing required key '{loc[-1]}'" if err["type"] == "missing" else \
                    f"unknown key '{loc[-1]}'" if err["type"] == "extra_forbidden" else \
                    f"{'.'.join(map(str, loc))}: {err['msg']}"
                hint = None
                if err["type"] == "string_type" and isinstance(err.get("input"), dict):
                    hint = "quote the text: an unquoted ': ' inside a YAML value starts a mapping"
                self.error((*base, *(loc if err["type"] != "missing" else loc[:-1])), msg, hint,
                           rule=item.get("id") if isinstance(item, dict) else None)
            return None
        return self._build(spec, base)

    def _build(self, spec: _RuleSpec, base: tuple[str | int, ...]) -> Rule | None:
        before = len(self.errors)
        kinds = frozenset([spec.applies_to] if isinstance(spec.applies_to, str) else spec.applies_to)
        if not kinds or not kinds <= ALL_KINDS:
            self.error((*base, "applies_to"), f"applies_to must name {', '.join(sorted(ALL_KINDS))}", rule=spec.id)
        if spec.stride not in STRIDE:
            self.error((*base, "stride"), f"unknown STRIDE category '{spec.stride}'", "use " + ", ".join(STRIDE),
                       spec.id)
        if bad := [i for i in spec.impacts if i not in ("C", "I", "A")]:
            self.error((*base, "impacts"), f"impacts must be C, I or A (got {bad})", rule=spec.id)
        condition = self._condition(spec, base, kinds)
        mitigations, refs = self._knowledge(spec, base)
        self._template(spec, base)
        if len(self.errors) > before or condition is None:
            return None
        line = locate(self.raw, base)
        return Rule(spec.id, spec.title, spec.stride, spec.threat_class, kinds, condition, tuple(spec.impacts),
                    spec.severity, mitigations, refs, tuple(spec.sources), spec.explanation.strip(), self.file,
                    line[1] if line else 0)

    def _condition(self, spec: _RuleSpec, base: tuple[str | int, ...], kinds: frozenset[str]) -> Condition | None:
        try:
            condition = compile_condition(spec.when, (*base, "when"), self.resolver)
        except CompileError as exc:
            self.error(exc.path, str(exc), exc.hint, spec.id)
            return None
        if not (condition.kinds & kinds):
            self.error((*base, "when"), f"impossible condition: it never holds for {', '.join(sorted(kinds))}",
                       f"its predicates apply to {', '.join(sorted(condition.kinds))}", spec.id)
            return None
        return condition

    def _knowledge(self, spec: _RuleSpec, base: tuple[str | int, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
        refs = list(spec.references)
        mitigations: list[str] = []
        if spec.threat_class is not None:
            canonical = self.kb.resolve(spec.threat_class, "threat-class")
            if canonical is None:
                close = self.kb.suggest(spec.threat_class, "threat-class")
                self.error((*base, "threat_class"), f"unknown threat class '{spec.threat_class}'",
                           f"did you mean: {', '.join(close)}" if close else None, spec.id)
            else:
                tc = self.kb.threat_class(canonical)
                refs.extend([*tc.cwes, *tc.capecs, *tc.attack_ics])
        for i, name in enumerate(spec.mitigations):
            found = self.kb.resolve(name, "control")
            if found is None:
                close = self.kb.suggest(name, "control")
                self.error((*base, "mitigations", i), f"unknown control '{name}'",
                           f"did you mean: {', '.join(close)}" if close else None, spec.id)
            else:
                mitigations.append(found)
        for i, ref in enumerate(spec.references):
            if not _REFERENCE.match(ref):
                self.error((*base, "references", i), f"malformed reference '{ref}'",
                           "use CWE-<n>, CAPEC-<n> or an ATT&CK for ICS id T0<nnn>", spec.id)
        normalised = [r.upper() if not r.startswith("T") else r for r in refs]
        return tuple(dict.fromkeys(mitigations)), tuple(sorted(set(normalised), key=_ref_key))

    def _template(self, spec: _RuleSpec, base: tuple[str | int, ...]) -> None:
        try:
            fields = [f for _, f, _, _ in string.Formatter().parse(spec.explanation) if f is not None]
        except ValueError as exc:
            self.error((*base, "explanation"), f"explanation template is malformed: {exc}", rule=spec.id)
            return
        for name in fields:
            if name not in PLACEHOLDERS:
                self.error((*base, "explanation"), f"unknown placeholder '{{{name}}}' in explanation",
                           "use " + ", ".join("{" + p + "}" for p in PLACEHOLDERS), spec.id)


def _ref_key(ref: str) -> tuple[int, int]:
    order = 0 if ref.startswith("CAPEC") else 1 if ref.startswith("CWE") else 2
    digits = re.sub(r"\D", "", ref)
    return order, int(digits or 0)


def _read_file(path: Path, kb: KnowledgeBase) -> tuple[list[Rule], list[Diagnostic], list[Position]]:
    text = read_text_limited(path, max_bytes=8 * 1024 * 1024, error=RuleError)
    name = str(path)
    raw, dups = load_yaml(text, name, RuleError)
    compiler = _Compiler(kb, name, raw)
    compiler.errors.extend(dups)
    if not isinstance(raw, LocDict):
        return [], [Diagnostic("a rule file must be a mapping with a 'rules:' list", file=name, line=1)], []
    try:
        parsed = _RuleFile.model_validate(raw)
    except ValidationError as exc:
        for err in exc.errors(include_url=False):
            compiler.error(tuple(err["loc"]), f"{'.'.join(map(str, err['loc']))}: {err['msg']}")
        return [], compiler.errors, []
    rules = [r for i, item in enumerate(parsed.rules) if (r := compiler.compile(i, item)) is not None]
    positions = [p for i in range(len(parsed.rules)) if (p := locate(raw, ("rules", i, "id")))]
    return rules, compiler.errors, positions


def rule_files(extra: Sequence[Path] = ()) -> list[Path]:
    """The shipped rule files, then the user's (files or folders), in a stable order."""
    files = sorted(RULES_DIR.glob("*.yaml"))
    for item in extra:
        if item.is_dir():
            files.extend(sorted(item.glob("*.yaml")) + sorted(item.glob("*.yml")))
        elif item.is_file():
            files.append(item)
        else:
            raise RuleError("rule file or folder not found", file=item, hint="check the --rules path")
    return files


def load_rules(kb: KnowledgeBase, extra: Iterable[Path] = ()) -> tuple[Rule, ...]:
    """Load, validate and compile every rule; raise RuleError listing all problems."""
    by_id: dict[str, Rule] = {}
    errors: list[Diagnostic] = []
    for path in rule_files(list(extra)):
        rules, problems, _ = _read_file(path, kb)
        errors.extend(problems)
        seen_here: set[str] = set()
        for rule in rules:
            if rule.id in seen_here:
                errors.append(Diagnostic(f"duplicate rule id '{rule.id}'", file=rule.file, line=rule.line,
                                         hint="rule ids must be unique within a file"))
            seen_here.add(rule.id)
            by_id[rule.id] = rule  # a later file (the user's) replaces a shipped rule of the same id
    if errors:
        raise RuleError.from_diagnostics(errors)
    return tuple(sorted(by_id.values(), key=lambda r: r.id))
