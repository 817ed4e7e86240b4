"""MDS2 (ANSI/NEMA HN 1-2019 structure) pre-filled from the model; unanswerable items are marked."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

import yaml

from medsecurance.assurance.package._text import csv_text, md_table

if TYPE_CHECKING:
    from medsecurance.assurance.package import Files, PackageContext

__all__ = ["answer", "mds2"]

_NS = "not stated in the model"
Answer = tuple[str, str]  # (Yes / No / N/A / not stated, basis in the model)


@lru_cache(maxsize=1)
def _items() -> list[dict[str, Any]]:
    data: dict[str, Any] = yaml.safe_load(
        resources.files(__package__).joinpath("mds2.yaml").read_text(encoding="utf-8")
    )
    return list(data["items"])


def _system(ctx: PackageContext, item: Mapping[str, Any]) -> Answer:
    node: Any = ctx.loaded.model.system
    for part in str(item["field"]).split("."):
        node = getattr(node, part, None)
    return (str(node), f"system.{item['field']}") if node else (_NS, "")


def _controls(ctx: PackageContext, item: Mapping[str, Any]) -> Answer:
    wanted = set(item["controls"])
    hits = sorted(
        f"{c.id}: {ctl}"
        for c in ctx.loaded.model.components
        if not c.off_the_shelf
        for ctl in c.controls
        if ctl in wanted
    )
    # absence of a declared control is not a "No": the model may simply be silent
    return ("Yes", "; ".join(hits)) if hits else (_NS, f"no component declares {', '.join(sorted(wanted))}")


def _data(ctx: PackageContext, item: Mapping[str, Any]) -> Answer:
    cats = set(item["categories"])
    hits = sorted(a.id for a in ctx.loaded.model.assets if cats & set(a.data_categories))
    return ("Yes", "assets " + ", ".join(hits)) if hits else (_NS, "no asset has these data categories")


def _updates(ctx: PackageContext, item: Mapping[str, Any]) -> Answer:
    rows = [
        f"{c.id}: {c.update.method}, {'signed' if c.update.signed else 'NOT signed'}"
        for c in ctx.loaded.model.components
        if not c.off_the_shelf and c.update
    ]
    return ("See basis", "; ".join(rows)) if rows else (_NS, "")


def _interfaces(ctx: PackageContext, item: Mapping[str, Any]) -> Answer:
    rows = sorted(
        {
            f"{i.kind}" + (f" ({'/'.join(map(str, i.ports))})" if i.ports else "")
            for c in ctx.loaded.model.components
            if not c.off_the_shelf
            for i in c.interfaces
            if i.enabled
        }
    )
    return ("Yes", ", ".join(rows)) if rows else (_NS, "")


def _auth_interfaces(ctx: PackageContext, item: Mapping[str, Any]) -> Answer:
    strong = {"certificate", "mutual-tls"}
    rows = [
        f"{c.id}.{i.id}: {i.authentication}"
        for c in ctx.loaded.model.components
        if not c.off_the_shelf
        for i in c.interfaces
        if not i.physical
    ]
    if not rows:
        return _NS, ""
    ok = all(r.rsplit(": ", 1)[1] in strong for r in rows)
    return ("Yes" if ok else "Partly"), "; ".join(rows)


def _eos(ctx: PackageContext, item: Mapping[str, Any]) -> Answer:
    rows = [
        f"{c.id}: {c.end_of_support.isoformat() if c.end_of_support else _NS}"
        for c in ctx.loaded.model.components
        if not c.off_the_shelf
    ]
    return ("See basis", "; ".join(rows)) if rows else (_NS, "")


def _sbom(ctx: PackageContext, item: Mapping[str, Any]) -> Answer:
    rows = [c.id for c in ctx.loaded.model.components if c.sbom]
    return ("Yes", "SBOMs for " + ", ".join(rows)) if rows else (_NS, "")


def _flows_encrypted(ctx: PackageContext, item: Mapping[str, Any]) -> Answer:
    flows = ctx.loaded.model.flows
    if not flows:
        return _NS, ""
    plain = [f.id for f in flows if (f.encryption or "none") == "none"]
    if not plain:
        return "Yes", f"all {len(flows)} flows declare encryption"
    return "Partly", f"{len(flows) - len(plain)} of {len(flows)} flows encrypted; not: {', '.join(plain)}"


def _remote(ctx: PackageContext, item: Mapping[str, Any]) -> Answer:
    m = ctx.loaded.model
    engineers = [a.id for a in m.actors if a.kind.value == "service-engineer"]
    controls = sorted(
        {
            f"{c.id}: {ctl}"
            for c in m.components
            for ctl in c.controls
            if ctl in ("vpn-remote-access", "remote-access-approval")
        }
    )
    if engineers:
        return "Yes", f"remote service actors {', '.join(engineers)}; controls: {'; '.join(controls) or _NS}"
    return _NS, ""


_RULES: dict[str, Callable[[PackageContext, Mapping[str, Any]], Answer]] = {
    "system": _system,
    "controls": _controls,
    "data": _data,
    "updates": _updates,
    "interfaces": _interfaces,
    "auth_interfaces": _auth_interfaces,
    "eos": _eos,
    "sbom": _sbom,
    "flows_encrypted": _flows_encrypted,
    "remote": _remote,
    "none": lambda ctx, item: (_NS, ""),
}


def answer(ctx: PackageContext, item: Mapping[str, Any]) -> Answer:
    """The pre-filled answer of one MDS2 item and the model facts it rests on."""
    return _RULES[str(item["rule"])](ctx, item)


def mds2(ctx: PackageContext) -> Files:
    """The MDS2 pre-fill as CSV (for copying into the NEMA form) and Markdown."""
    rows = [(it["section"], it["id"], it["question"], *answer(ctx, it)) for it in _items()]
    header = ["Section", "Item", "Question (paraphrased)", "Answer", "Basis in the model"]
    note = (
        "# MDS2 pre-fill (ANSI/NEMA HN 1-2019 structure)\n\nSection codes follow the 2019 form; questions are "
        "paraphrased and item numbers (`-x`) are this tool's own — copy each answer to the matching question of "
        f'the official NEMA form. "{_NS}" marks what the model cannot answer; it is not a "No".\n\n'
    )
    return {"mds2.md": note + md_table(header, rows), "mds2.csv": csv_text(header, rows)}
