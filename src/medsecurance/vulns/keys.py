"""Lookup keys shared by importers and the matcher (purl package keys, OSV ecosystem names)."""

from __future__ import annotations

import re

__all__ = ["ECOSYSTEM_TO_PURL", "PURL_TO_ECOSYSTEM", "osv_package_key", "purl_key"]

#: OSV ecosystem → purl type (OSV schema "affected[].package.ecosystem"; purl-spec PURL-TYPES)
ECOSYSTEM_TO_PURL = {
    "pypi": "pypi",
    "go": "golang",
    "npm": "npm",
    "maven": "maven",
    "crates.io": "cargo",
    "rubygems": "gem",
    "nuget": "nuget",
    "packagist": "composer",
    "hex": "hex",
    "pub": "pub",
    "debian": "deb",
    "ubuntu": "deb",
    "alpine": "apk",
    "swifturl": "swift",
    "conan": "conan",
}
PURL_TO_ECOSYSTEM = {
    "pypi": "PyPI",
    "golang": "Go",
    "npm": "npm",
    "maven": "Maven",
    "cargo": "crates.io",
    "gem": "RubyGems",
    "nuget": "NuGet",
    "composer": "Packagist",
    "hex": "Hex",
    "pub": "Pub",
    "deb": "Debian",
    "apk": "Alpine",
}


def purl_key(ptype: str, namespace: str | None, name: str) -> str:
    """``type/namespace/name`` in lower case; PyPI names PEP 503-normalised."""
    ptype = ptype.lower()
    if ptype == "pypi":
        name = re.sub(r"[-_.]+", "-", name)
    parts = [ptype, namespace or "", name]
    return "/".join(parts).lower()


def osv_package_key(ecosystem: str, name: str) -> str | None:
    """The purl key for an OSV package, or None for an ecosystem without a purl type."""
    ptype = ECOSYSTEM_TO_PURL.get(ecosystem.split(":")[0].lower())
    if ptype is None:
        return None
    if ptype == "maven" and ":" in name:
        group, _, artifact = name.partition(":")
        return purl_key(ptype, group, artifact)
    if ptype in ("golang", "npm", "composer", "swift") and "/" in name:
        namespace, _, base = name.rpartition("/")
        return purl_key(ptype, namespace, base)
    return purl_key(ptype, None, name)
