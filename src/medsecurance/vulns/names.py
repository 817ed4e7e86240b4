"""Vendor and product name normalisation for matching device advisories without identifiers."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from importlib import resources

import yaml

__all__ = ["normalize_product", "normalize_vendor", "product_keys", "same_vendor"]

_SUFFIXES = re.compile(
    r"\b(inc|incorporated|llc|ltd|limited|corp|corporation|co|company|gmbh|ag|se|sa|nv|bv|plc|kg|"
    r"kgaa|srl|spa|oy|ab|as|the)\b"
)


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return " ".join(re.sub(r"[^a-z0-9+]+", " ", text).split())


@lru_cache(maxsize=65536)
def normalize_vendor(name: str) -> str:
    """Lower case, ASCII, punctuation and legal suffixes dropped, aliases resolved."""
    raw = name
    abbrev = re.search(r"\(([A-Za-z]{2,6})\)", raw)  # "Becton, Dickinson and Company (BD)"
    text = _SUFFIXES.sub(" ", _fold(re.sub(r"\(.*?\)", " ", raw)))
    text = " ".join(text.split())
    aliases = _aliases()
    if text in aliases:
        return aliases[text]
    if abbrev and _fold(abbrev.group(1)) in aliases:
        return aliases[_fold(abbrev.group(1))]
    return text


@lru_cache(maxsize=1)
def _aliases() -> dict[str, str]:
    data = yaml.safe_load(resources.files("medsecurance.vulns").joinpath("data/vendor_aliases.yaml").read_text("utf-8"))
    table: dict[str, str] = {}
    for canonical, others in data.items():
        table[str(canonical)] = str(canonical)
        for other in others or []:
            table[str(other)] = str(canonical)
    return table


def same_vendor(a: str, b: str) -> bool:
    """True when two vendor names denote the same organisation after normalisation."""
    na, nb = normalize_vendor(a), normalize_vendor(b)
    if not na or not nb:
        return False
    if na == nb or na.startswith(nb + " ") or nb.startswith(na + " "):
        return True
    # joint advisories name several vendors: "Silex Technology and GE Healthcare"
    parts_a = {normalize_vendor(p) for p in re.split(r",| and | & |/", a) if p.strip()}
    parts_b = {normalize_vendor(p) for p in re.split(r",| and | & |/", b) if p.strip()}
    return bool((parts_a | {na}) & (parts_b | {nb}) - {""})


@lru_cache(maxsize=65536)
def normalize_product(name: str) -> str:
    """Lower case, ASCII, punctuation dropped (``IntelliVue MX40`` → ``intellivue mx40``)."""
    return _fold(name)


def product_keys(product: str, vendor: str | None) -> tuple[str, ...]:
    """Lookup keys for a product name: itself, and without a leading vendor name."""
    key = normalize_product(product)
    keys = [key]
    if vendor:
        for v in {_fold(vendor), normalize_vendor(vendor)}:
            if v and key.startswith(v + " "):
                keys.append(key[len(v) + 1 :])
    return tuple(dict.fromkeys(k for k in keys if k))
