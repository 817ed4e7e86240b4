"""The analysis pipeline: load → knowledge base → registered stages → one immutable Assessment.

Stages register in :data:`STAGES` (built-ins) or through the ``medsecurance.stages`` entry-point
group (plug-ins), the same way. Each stage names the stages it runs after and returns a
:class:`~medsecurance.assessment.StageOutput`; a stage never reads files or prints.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import hashlib
import itertools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from operator import attrgetter
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Protocol

from medsecurance.assessment import Assessment, StageOutput
from medsecurance.errors import UsageError

if TYPE_CHECKING:
    from medsecurance.decisions import Decisions
    from medsecurance.kb import KnowledgeBase
    from medsecurance.model import LoadResult
    from medsecurance.model.graph import ModelIndex

__all__ = ["STAGES", "AnalysisOptions", "Stage", "StageContext", "quiet_gc", "register_stage", "run_pipeline"]


@dataclass(frozen=True)
class AnalysisOptions:
    """Settings of one analysis run (every field has a sensible default)."""

    rules: tuple[Path, ...] = ()  # extra threat-rule files or folders
    decisions: Path | None = None  # default: decisions.yaml beside the model
    as_of: dt.date | None = None  # reference date (end of support, evidence age); default today
    kb_dir: Path | None = None
    stages: tuple[str, ...] | None = None  # None: all registered stages
    vulndb: Path | None = None
    vex: tuple[Path, ...] = ()
    policy: Path | None = None
    extra: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        # Library callers often pass paths as strings (and lists for the tuples): take them as
        # meant rather than failing deep inside a stage.
        for name in ("decisions", "kb_dir", "vulndb", "policy"):
            value = getattr(self, name)
            if isinstance(value, str):
                object.__setattr__(self, name, Path(value))
        for name in ("rules", "vex"):
            value = getattr(self, name)
            if isinstance(value, str | Path):
                value = (value,)
            object.__setattr__(self, name, tuple(Path(v) for v in value))
        if self.stages is not None and not isinstance(self.stages, tuple):
            object.__setattr__(self, "stages", (self.stages,) if isinstance(self.stages, str)
                               else tuple(self.stages))


@dataclass
class StageContext:
    """What a stage may read: the loaded model, the KB, options, decisions and earlier results."""

    load: LoadResult
    kb: KnowledgeBase
    options: AnalysisOptions
    decisions: Decisions
    index: ModelIndex
    as_of: dt.date
    results: dict[str, StageOutput] = field(default_factory=dict)

    @property
    def model(self) -> Any:
        """The validated system model."""
        return self.load.model


class Stage(Protocol):
    """An analysis stage."""

    @property
    def name(self) -> str:
        """The stage's registry key."""
        ...

    @property
    def after(self) -> tuple[str, ...]:
        """Stages that must run first (when present)."""
        ...

    def run(self, ctx: StageContext) -> StageOutput:
        """Analyse and return findings, JSON sections and typed data for later stages."""
        ...


STAGES: dict[str, Stage] = {}


def register_stage(stage: Stage) -> Stage:
    """Add a stage to the registry (built-in stages and plug-ins alike)."""
    STAGES[stage.name] = stage
    return stage


def _load_builtin_stages() -> None:
    from medsecurance.stages import register_builtin_stages

    register_builtin_stages()
    from importlib.metadata import entry_points

    for ep in entry_points(group="medsecurance.stages"):
        stage = ep.load()
        register_stage(stage() if isinstance(stage, type) else stage)


def _order(names: list[str]) -> list[str]:
    done: list[str] = []
    pending = sorted(names)
    while pending:
        ready = [n for n in pending if all(a in done or a not in names for a in STAGES[n].after)]
        if not ready:
            raise UsageError(f"stages depend on each other in a cycle: {', '.join(pending)}")
        done.append(ready[0])
        pending.remove(ready[0])
    return done


@contextlib.contextmanager
def quiet_gc() -> Iterator[None]:
    """Pause the cyclic GC while the stages run (measured: −25 % time on a 5,000-node model).

    Analyses allocate many small, acyclic containers; with a large model in memory every
    collection walks millions of live objects for nothing. Reference counting still frees
    memory as usual; the collector resumes afterwards.

    On leaving, what was allocated meanwhile (the assessment: long-lived) is moved to the oldest
    generation without being walked (``freeze`` then ``unfreeze``: two list splices). Otherwise the
    first young collection after the pause walks every object the analysis made — measured 0.45 s
    of the 5,000-node benchmark's risk run for nothing. Any cyclic garbage among them is still
    found by the next full collection. Skipped when the host application froze objects itself
    (``unfreeze`` would release its frozen set).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            if gc.get_freeze_count() == 0:
                gc.freeze()
                gc.unfreeze()
            gc.enable()


def model_digest(load: LoadResult) -> str:
    """SHA-256 over the model's files (root and includes: path relative to the root folder, then bytes).

    Any change to what the analysis read changes the digest; the same files give the same digest on
    every machine.
    """
    h = hashlib.sha256()
    base = load.base_dir
    for path in sorted(load.files, key=lambda p: p.as_posix()):
        try:
            rel = path.relative_to(base).as_posix()
        except ValueError:
            rel = path.name
        h.update(rel.encode("utf-8") + b"\0")
        h.update(hashlib.sha256(path.read_bytes()).digest())
    return "sha256:" + h.hexdigest()


def run_pipeline(load: LoadResult, kb: KnowledgeBase, options: AnalysisOptions, decisions: Decisions) -> Assessment:
    """Run every selected stage in dependency order and assemble the assessment."""
    from medsecurance import __version__
    from medsecurance.model.graph import ModelIndex

    if not STAGES:
        _load_builtin_stages()
    names = list(STAGES) if options.stages is None else list(options.stages)
    unknown = sorted(set(names) - set(STAGES))
    if unknown:
        raise UsageError(f"unknown analysis stage(s): {', '.join(unknown)}", hint=f"known: {', '.join(sorted(STAGES))}")
    as_of = options.as_of or dt.date.today()
    ctx = StageContext(load, kb, options, decisions, ModelIndex(load.model), as_of)
    with quiet_gc():
        for name in _order(names):
            ctx.results[name] = STAGES[name].run(ctx)
    findings = tuple(sorted(itertools.chain.from_iterable(out.findings for out in ctx.results.values()),
                            key=attrgetter("id")))
    sections: dict[str, Any] = {}
    for out in ctx.results.values():
        sections.update(out.sections)
    paths = ctx.results["threats"].data.get("attack_paths", ()) if "threats" in ctx.results else ()
    warnings = [str(w) for w in load.warnings] + _stale_decisions(findings, sections, decisions)
    s = load.model.system
    system = {"id": s.id, "name": s.name, "version": s.version, "setting": s.setting.value,
              "intended_use": s.intended_use, "manufacturer": s.manufacturer.name if s.manufacturer else None}
    return Assessment(
        system=MappingProxyType(system),
        model_digest=model_digest(load),
        findings=findings,
        attack_paths=tuple(paths),
        sections=MappingProxyType(sections | {"as_of": as_of.isoformat()}),
        stages=MappingProxyType(dict(ctx.results)),
        warnings=tuple(warnings),
        tool=MappingProxyType({"name": "medsecurance", "version": __version__}),
    )


def _stale_decisions(findings: tuple[Any, ...], sections: Mapping[str, Any], decisions: Decisions) -> list[str]:
    """Decisions whose id matches nothing any more: reported, never dropped silently."""
    if not decisions.decisions:
        return []
    known = {f.id for f in findings} | {r.get("id") for r in sections.get("risks", ()) if isinstance(r, dict)}
    out = []
    for i, d in enumerate(decisions.decisions):
        if d.id not in known:
            pos = decisions.position("decisions", i)
            where = f"{pos[0]}:{pos[1]}:{pos[2]}" if pos else (decisions.file or "decisions.yaml")
            out.append(f"{where}: decision for '{d.id}' matches no finding or risk of this analysis "
                       "(the element or rule may have changed); it is kept, review or remove it")
    return out
