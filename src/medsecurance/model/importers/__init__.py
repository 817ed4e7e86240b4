"""Importers of other threat-modelling formats into the medsec system model.

>>> from medsecurance.model.importers import import_model
>>> result = import_model("threagile", "threagile.yaml")       # doctest: +SKIP
>>> for warning in result.warnings: print(warning)             # doctest: +SKIP
>>> open("model.yaml", "w").write(result.to_yaml())            # doctest: +SKIP

Each importer is registered by format name in :data:`IMPORTERS`; the translation tables are data
files under ``importers/data/``. Constructs a table does not cover come back as located warnings.
"""

from __future__ import annotations

from pathlib import Path

from medsecurance.errors import UsageError
from medsecurance.model.importers.interface import Importer, ImportOptions, ImportResult
from medsecurance.model.importers.otm import OtmImporter
from medsecurance.model.importers.threagile import ThreagileImporter

__all__ = ["IMPORTERS", "ImportOptions", "ImportResult", "Importer", "get_importer", "import_model"]

#: importers by format name (the word after ``medsec import``)
IMPORTERS: dict[str, Importer] = {
    ThreagileImporter.name: ThreagileImporter(),
    OtmImporter.name: OtmImporter(),
}


def get_importer(format_name: str) -> Importer:
    """The importer registered for ``format_name``; UsageError naming the known ones otherwise."""
    try:
        return IMPORTERS[format_name]
    except KeyError:
        raise UsageError(f"unknown import format '{format_name}'",
                         hint=f"known formats: {', '.join(sorted(IMPORTERS))}") from None


def import_model(format_name: str, path: str | Path, options: ImportOptions | None = None) -> ImportResult:
    """Translate the file at ``path`` from ``format_name`` into a validated medsec model."""
    return get_importer(format_name).import_file(Path(path), options or ImportOptions())
