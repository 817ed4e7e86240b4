"""CSAF 2.0 advisories → Advisory, read tolerantly (real CISA ICSMA files fail strict validation).

Products without a CPE or purl (all of ICSMA) become vendor/product entries whose version is the
free text of the ``product_version`` / ``product_version_range`` branch, parsed at match time.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from packageurl import PackageURL

from medsecurance.errors import AdvisoryError
from medsecurance.vulns.cpe import ANY, CpeError, parse_cpe
from medsecurance.vulns.keys import PURL_TO_ECOSYSTEM, purl_key
from medsecurance.vulns.names import normalize_vendor, product_keys
from medsecurance.vulns.records import Advisory, Affected, Record

__all__ = ["Product", "detect", "product_index", "records"]

AFFECTED_STATUSES = ("known_affected", "first_affected", "last_affected")


def detect(doc: dict[str, Any]) -> bool:
    """A CSAF document has ``document.csaf_version``."""
    document = doc.get("document")
    return isinstance(document, dict) and "csaf_version" in document


@dataclass(frozen=True, slots=True)
class Product:
    """What the product tree says about one product id."""

    product_id: str
    name: str
    vendor: str = ""
    product: str = ""
    version: str = ""
    purl: str | None = None
    cpe: str | None = None


def _helper(node: dict[str, Any]) -> tuple[str | None, str | None]:
    helper = node.get("product_identification_helper") or {}
    return helper.get("purl"), helper.get("cpe")


def _walk(branches: Any, ctx: dict[str, str], out: dict[str, Product]) -> None:
    for branch in branches if isinstance(branches, list) else []:
        if not isinstance(branch, dict):
            continue
        here = dict(ctx)
        category, name = str(branch.get("category", "")), str(branch.get("name", "")).strip()
        if category in ("vendor", "product_name", "product_family"):
            here[category] = name if category != "product_family" or "product_name" not in here else here[category]
        elif category in ("product_version", "product_version_range"):
            here["version"] = name
        product = branch.get("product")
        if isinstance(product, dict) and product.get("product_id"):
            purl, cpe = _helper(product)
            pid = str(product["product_id"])
            out[pid] = Product(
                pid,
                str(product.get("name", "")),
                here.get("vendor", ""),
                here.get("product_name") or here.get("product_family") or str(product.get("name", "")),
                here.get("version", ""),
                purl,
                cpe,
            )
        _walk(branch.get("branches"), here, out)


def product_index(doc: dict[str, Any]) -> dict[str, Product]:
    """Every product id of a CSAF document with its vendor, product, version text and identifiers."""
    tree = doc.get("product_tree") or {}
    out: dict[str, Product] = {}
    _walk(tree.get("branches"), {}, out)
    for full in tree.get("full_product_names") or []:
        if isinstance(full, dict) and full.get("product_id"):
            purl, cpe = _helper(full)
            out[str(full["product_id"])] = Product(
                str(full["product_id"]),
                str(full.get("name", "")),
                product=str(full.get("name", "")),
                purl=purl,
                cpe=cpe,
            )
    for rel in tree.get("relationships") or []:
        full = rel.get("full_product_name") if isinstance(rel, dict) else None
        base = out.get(str(rel.get("product_reference"))) if isinstance(rel, dict) else None
        if isinstance(full, dict) and full.get("product_id") and base is not None:
            out[str(full["product_id"])] = Product(
                str(full["product_id"]),
                str(full.get("name", "")),
                base.vendor,
                base.product,
                base.version,
                base.purl,
                base.cpe,
            )
    return out


def affected_for(product: Product) -> Iterator[Affected]:
    """Lookup entries for one affected product."""
    spec = product.version or "*"
    if product.purl:
        try:
            purl = PackageURL.from_string(product.purl)
        except ValueError:
            purl = None
        if purl is not None:
            data: dict[str, Any] = {"e": PURL_TO_ECOSYSTEM.get(purl.type, purl.type), "n": purl.name, "r": []}
            if purl.version:
                data["v"] = [purl.version]
            else:
                data["spec"] = spec
            yield Affected("purl", purl_key(purl.type, purl.namespace, purl.name), data)
            return
    if product.cpe:
        try:
            cpe = parse_cpe(product.cpe)
        except CpeError:
            cpe = None
        if cpe is not None and cpe.product != ANY:
            yield Affected("cpe", f"cpe:{cpe.product}", {"c": cpe.to_fs(), "spec": spec})
            return
    if product.product:
        for key in product_keys(product.product, product.vendor):
            yield Affected(
                "product",
                f"dev:{key}",
                {
                    "vendor": product.vendor,
                    "vn": normalize_vendor(product.vendor),
                    "product": product.product,
                    "spec": spec,
                },
            )


def _cvss(vuln: dict[str, Any]) -> tuple[str | None, float | None]:
    for score in vuln.get("scores") or []:
        for key in ("cvss_v3", "cvss_v2"):
            data = score.get(key) if isinstance(score, dict) else None
            if isinstance(data, dict) and data.get("vectorString"):
                return str(data["vectorString"]), data.get("baseScore")
    return None, None


def records(doc: dict[str, Any], file: str) -> Iterator[Record]:
    """Yield one Advisory per vulnerability of the CSAF document."""
    tracking = (doc.get("document") or {}).get("tracking") or {}
    doc_id = str(tracking.get("id") or "").strip()
    if not doc_id:
        raise AdvisoryError("document.tracking.id is missing", file=file, element="document.tracking")
    modified = str(tracking.get("current_release_date") or tracking.get("initial_release_date") or "")
    products = product_index(doc)
    for index, vuln in enumerate(doc.get("vulnerabilities") or []):
        if not isinstance(vuln, dict):
            continue
        status = vuln.get("product_status") or {}
        ids = [pid for s in AFFECTED_STATUSES for pid in status.get(s) or []]
        affected = tuple(a for pid in dict.fromkeys(ids) if pid in products for a in affected_for(products[pid]))
        vector, score = _cvss(vuln)
        notes = {n.get("category"): n.get("text", "") for n in vuln.get("notes") or [] if isinstance(n, dict)}
        cwe = (vuln.get("cwe") or {}).get("id")
        vid = str(vuln.get("cve") or f"{doc_id}#{index + 1}")
        yield Advisory(
            id=vid,
            source=f"csaf:{doc_id}",
            modified=modified,
            published=tracking.get("initial_release_date"),
            summary=str(vuln.get("title") or notes.get("summary") or notes.get("description") or ""),
            cvss_vector=vector,
            cvss_score=float(score) if score is not None else None,
            cwes=(str(cwe),) if cwe else (),
            aliases=tuple(str(i.get("text")) for i in vuln.get("ids") or [] if isinstance(i, dict)),
            references=tuple(str(r.get("url")) for r in vuln.get("references") or [] if isinstance(r, dict)),
            document=doc_id,
            affected=affected,
        )
