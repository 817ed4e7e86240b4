"""MedSecurance: security-for-safety assurance of connected medical devices (IoMT).

The public library surface is :mod:`medsecurance.api`:

- ``api.load_model(path)`` → :class:`medsecurance.model.SystemModel` (validated, with includes)
- ``api.load(path)`` → :class:`medsecurance.model.LoadResult` (model, source map, warnings)
- ``api.analyze(path, options)`` → :class:`medsecurance.assessment.Assessment`
- ``api.render(assessment, format)`` → the text of one output format
- ``api.model_json_schema()`` → the JSON Schema of model files

Errors derive from :class:`medsecurance.errors.MedsecError`; findings are
:class:`medsecurance.findings.Finding` values.
"""

__version__ = "0.1.0"
__all__ = ["__version__"]
