"""Helpers shared by the SBOM readers: identifier checks and document-level diagnostics."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from packageurl import PackageURL

from medsecurance.errors import Diagnostic
from medsecurance.vulns.cpe import CpeError, parse_cpe
from medsecurance.vulns.model import Component

__all__ = ["check_components", "clean_cpe", "clean_purl", "text"]


def text(value: object) -> str | None:
    """A stripped non-empty string, or None."""
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return None


def clean_purl(raw: object, file: str, where: str, diags: list[Diagnostic]) -> str | None:
    """The canonical purl string, or None with a located diagnostic when it is invalid."""
    value = text(raw)
    if value is None:
        return None
    try:
        return str(PackageURL.from_string(value).to_string())
    except ValueError as exc:
        diags.append(
            Diagnostic(
                f"invalid purl {value!r}: {exc}",
                file=file,
                element=where,
                hint="fix the purl (https://github.com/package-url/purl-spec) or remove it",
            )
        )
        return None


def clean_cpe(raw: object, file: str, where: str, diags: list[Diagnostic]) -> str | None:
    """The CPE 2.3 string (2.2 URIs converted), or None with a diagnostic when unparseable."""
    value = text(raw)
    if value is None:
        return None
    try:
        return parse_cpe(value).to_fs()
    except CpeError as exc:
        diags.append(Diagnostic(f"invalid CPE {value!r}: {exc}", file=file, element=where))
        return None


def check_components(components: Iterable[Component], file: str, diags: list[Diagnostic]) -> None:
    """Report duplicate bom-refs, duplicate packages and components without a version."""
    items = list(components)
    refs = Counter(c.bom_ref for c in items)
    for ref, count in sorted(refs.items()):
        if count > 1:
            diags.append(Diagnostic(f"bom-ref {ref!r} is used by {count} components", file=file, element=ref))
    keys = Counter((c.purl or "", c.name, c.version or "") for c in items if c.purl or c.name)
    for (purl, name, version), count in sorted(keys.items()):
        if count > 1:
            diags.append(
                Diagnostic(
                    f"component {purl or name}{'' if purl else '@' + version} is listed {count} times",
                    file=file,
                    element=name,
                    hint="merge the duplicate entries",
                )
            )
    for c in items:
        if not c.version:
            line = int(c.location[5:]) if c.location.startswith("line ") else None
            diags.append(
                Diagnostic(
                    f"component {c.name or c.bom_ref!r} has no version",
                    file=file,
                    line=line,
                    element=c.bom_ref if line else c.location or c.bom_ref,
                    hint="add the version; vulnerability matching needs it",
                )
            )
