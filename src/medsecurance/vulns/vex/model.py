"""VEX statements as plain values, justification tables, and applying statements to matches."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

import yaml
from packageurl import PackageURL

from medsecurance.errors import VexError
from medsecurance.vulns.cpe import CpeError, cpe_match, parse_cpe
from medsecurance.vulns.model import Component

if TYPE_CHECKING:
    from medsecurance.vulns.scan import Match

__all__ = ["STATUSES", "VexStatement", "apply_vex", "decisions_to_statements", "product_matches", "tables"]

STATUSES = ("not_affected", "affected", "fixed", "under_investigation")


@dataclass(frozen=True, slots=True)
class VexStatement:
    """One VEX statement: a vulnerability, the products it speaks about, a status and why."""

    vuln_id: str
    products: tuple[str, ...]
    status: str
    justification: str | None = None
    impact: str | None = None
    action: str | None = None
    aliases: tuple[str, ...] = ()
    source: str = ""


@lru_cache(maxsize=1)
def tables() -> dict[str, Any]:
    """The justification and status mapping tables (package data)."""
    text = resources.files("medsecurance.vulns").joinpath("data/vex_justifications.yaml").read_text("utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


def canonical_justification(value: str | None) -> str | None:
    """A CISA/OpenVEX justification label from any format's value."""
    if not value:
        return None
    t = tables()
    return str(t["cyclonedx_to_canonical"].get(value, value))


def _purl_matches(p: str, c: Component) -> bool:
    if not c.purl:
        return False
    try:
        a, b = PackageURL.from_string(p), PackageURL.from_string(c.purl)
    except ValueError:
        return False

    def key(p: PackageURL) -> tuple[str, str, str]:
        return p.type, (p.namespace or "").lower(), p.name.lower()

    same = key(a) == key(b)
    return same and (a.version is None or a.version == (b.version or c.version))


def product_matches(product: str, c: Component) -> bool:
    """True when a VEX product identifier (bom-ref, purl, CPE, name[@version] or *) names ``c``."""
    if product in ("*", c.bom_ref) or product.endswith("#" + c.bom_ref):
        return True
    if product.startswith("pkg:"):
        return _purl_matches(product, c)
    if product.startswith("cpe:"):
        if not c.cpe:
            return False
        try:
            return cpe_match(parse_cpe(c.cpe), parse_cpe(product))
        except CpeError:
            return False
    name, _, version = product.partition("@")
    return name == c.name and (not version or version == c.version)


def _applies(st: VexStatement, m: Match) -> bool:
    ids = {m.vuln_id, *m.aliases}
    if st.vuln_id not in ids and not ids.intersection(st.aliases):
        return False
    return any(product_matches(p, m.component) for p in st.products)


def apply_vex(matches: Iterable[Match], statements: Sequence[VexStatement]) -> list[Match]:
    """Annotate each match with the LAST statement that applies to it (later sources override)."""
    out = []
    for m in matches:
        chosen = None
        for st in statements:
            if _applies(st, m):
                chosen = st
        if chosen is not None:
            m = replace(
                m, vex_status=chosen.status, vex_justification=chosen.justification, vex_statement=chosen.source
            )
        out.append(m)
    return out


def decisions_to_statements(decisions: Mapping[tuple[str, str], Mapping[str, str] | str]) -> list[VexStatement]:
    """Turn ``{(component_ref, vuln_id): status | {status, justification, impact, action}}`` into statements.

    ``component_ref`` is a bom-ref, purl, CPE, ``name[@version]`` or ``*``.
    """
    out = []
    for (ref, vuln), value in sorted(decisions.items(), key=lambda kv: kv[0]):
        entry: Mapping[str, str] = {"status": value} if isinstance(value, str) else value
        status = str(entry.get("status", ""))
        where = f"decisions[{ref}, {vuln}]"
        if status not in STATUSES:
            raise VexError(f"unknown VEX status {status!r}", element=where, hint="use one of: " + ", ".join(STATUSES))
        out.append(
            VexStatement(
                vuln,
                (ref,),
                status,
                canonical_justification(entry.get("justification")),
                entry.get("impact"),
                entry.get("action"),
                (),
                where,
            )
        )
    return out
