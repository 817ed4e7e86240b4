"""The public library surface of medsecurance.

>>> from medsecurance import api
>>> model = api.load_model("examples/hospital/model.yaml")              # doctest: +SKIP
>>> assessment = api.analyze("examples/hospital/model.yaml")            # doctest: +SKIP
>>> api.write_outputs(assessment, "out", ["json", "html"])              # doctest: +SKIP

The CLI, the web service and the fleet runner are thin layers over these functions.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from medsecurance.assessment import Assessment
from medsecurance.findings import Finding, Severity
from medsecurance.model import LoadResult, SystemModel
from medsecurance.model import load as _load
from medsecurance.pipeline import AnalysisOptions

if TYPE_CHECKING:
    from medsecurance.kb import KnowledgeBase

__all__ = [
    "AnalysisOptions",
    "Assessment",
    "analyze",
    "analyze_loaded",
    "gate",
    "load",
    "load_model",
    "model_json_schema",
    "render",
    "write_outputs",
]


def load_model(path: str | Path) -> SystemModel:
    """Load and validate a model file (with its includes); raises ModelError listing every problem."""
    return load(path).model


def load(path: str | Path, *, check_files: bool = True) -> LoadResult:
    """Load a model with its source map and warnings (e.g. evidence whose hash changed)."""
    from medsecurance.pipeline import quiet_gc

    with quiet_gc():
        return _load(path, check_files=check_files)


def model_json_schema() -> dict[str, Any]:
    """The JSON Schema of model files."""
    from medsecurance.model.jsonschema import model_json_schema as _schema

    return _schema()


def load_kb(options: AnalysisOptions | None = None) -> KnowledgeBase:
    """The knowledge base (shipped ontology plus the user's imported catalogues)."""
    from medsecurance.kb import load_kb as _load_kb

    return _load_kb(kb_dir=options.kb_dir if options else None)


def analyze(path: str | Path, options: AnalysisOptions | None = None) -> Assessment:
    """Load a model and run every analysis stage; the one entry point of the toolbox."""
    opts = options or AnalysisOptions()
    return analyze_loaded(load(path), opts)


def analyze_loaded(loaded: LoadResult, options: AnalysisOptions, kb: KnowledgeBase | None = None) -> Assessment:
    """Analyse an already loaded model (avoids reading it twice)."""
    from medsecurance.decisions import load_decisions
    from medsecurance.pipeline import run_pipeline

    decisions_path = options.decisions or loaded.base_dir / "decisions.yaml"
    return run_pipeline(loaded, kb or load_kb(options), options, load_decisions(decisions_path))


def render(assessment: Assessment, fmt: str, loaded: LoadResult, kb: KnowledgeBase | None = None) -> str:
    """The text of one output format (json, md, sarif, html, …)."""
    from medsecurance.report import ReportContext, get_format

    return get_format(fmt).render(assessment, ReportContext(loaded, kb or load_kb()))


def write_outputs(
    assessment: Assessment, out_dir: str | Path, formats: Iterable[str], loaded: LoadResult,
    kb: KnowledgeBase | None = None,
) -> list[Path]:
    """Render each format and write it atomically into ``out_dir``; returns the files written."""
    from medsecurance.pipeline import quiet_gc
    from medsecurance.report import ReportContext

    ctx = ReportContext(loaded, kb or load_kb())
    with quiet_gc():
        return _write_all(assessment, out_dir, formats, ctx)


def _write_all(assessment: Assessment, out_dir: str | Path, formats: Iterable[str], ctx: Any) -> list[Path]:
    from medsecurance._internal.io import atomic_write_text, atomic_writer
    from medsecurance.report import get_format

    written = []
    for name in formats:
        fmt = get_format(name)
        target = Path(out_dir) / fmt.filename
        stream = getattr(fmt, "write", None)
        if callable(stream):  # formats that can stream keep memory bounded on large models
            with atomic_writer(target) as fh:
                stream(assessment, ctx, fh)
        else:
            atomic_write_text(target, fmt.render(assessment, ctx))
        written.append(target)
    return written


def gate(findings: Iterable[Finding], threshold: Severity) -> list[Finding]:
    """Open findings at or above ``threshold`` — what makes ``--fail-on`` exit 1."""
    return [f for f in findings if f.status == "open" and f.severity.rank >= threshold.rank]
