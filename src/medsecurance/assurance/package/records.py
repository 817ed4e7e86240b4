"""Package records: SBOMs with support data, vulnerability assessment and VEX, controls by category, test evidence."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from medsecurance._internal.io import canonical_json, read_bytes_limited, sha256_bytes
from medsecurance.assurance.package._text import csv_text, md_table
from medsecurance.errors import AssuranceError, MedsecError

if TYPE_CHECKING:
    from medsecurance.assurance.package import Files, PackageContext

__all__ = ["sbom", "security_controls", "testing", "vulnerability_assessment"]

_NS = "not stated in the model"
#: the eight FDA control categories (guidance V.B.1 / Appendix 1), KB ids
FDA_CATEGORIES = (
    "FDA-AUTHN",
    "FDA-AUTHZ",
    "FDA-CRYPTO",
    "FDA-INTEGRITY",
    "FDA-CONFIDENTIALITY",
    "FDA-EVENT-DETECTION",
    "FDA-RESILIENCY",
    "FDA-UPDATABILITY",
)


def sbom(ctx: PackageContext) -> Files:
    """Copies of the model's SBOMs and a summary table with level of support and end of support."""
    files: Files = {}
    rows: list[tuple[Any, ...]] = []
    for c in ctx.loaded.model.components:
        if c.sbom is None:
            continue
        files[f"sboms/{c.id}-{c.sbom.rsplit('/', 1)[-1]}"] = read_bytes_limited(
            ctx.loaded.resolve(c.sbom), error=AssuranceError
        )
    for entry in ctx.data.get("sbom", {}).get("components", []):
        for comp in entry.get("check", {}).get("components", []):
            rows.append(
                (
                    entry["component"],
                    comp.get("name"),
                    comp.get("bom_ref"),
                    comp.get("level_of_support") or "not stated in the SBOM",
                    comp.get("end_of_support") or "not stated in the SBOM",
                    "yes" if comp.get("past_end_of_support") else "no",
                    comp.get("missing"),
                )
            )
    without = [c.id for c in ctx.loaded.model.components if c.sbom is None]
    header = [
        "Device component",
        "SBOM component",
        "bom-ref",
        "Level of support",
        "End of support",
        "Past end of support",
        "Missing elements",
    ]
    text = (
        "# Software bill of materials\n\nMachine-readable SBOMs are in `sboms/` as supplied with the model. "
        "Level of support and end-of-support date per component (FDA V.A.4):\n\n"
        + md_table(header, rows)
        + f"\nComponents without an SBOM in the model: {', '.join(without) or 'none'}"
        " (off-the-shelf infrastructure owned by the operator, or not stated).\n"
    )
    files["sbom-summary.md"] = text
    files["sbom-summary.csv"] = csv_text(header, rows)
    return files


def _vex_files(ctx: PackageContext) -> Files:
    """CycloneDX VEX per component, re-scanning each SBOM with the same database, VEX files and decisions."""
    from medsecurance.vulns import VulnDatabase, read_sbom, read_vex, scan, write_cyclonedx_vex
    from medsecurance.vulns.db import default_db_path

    opts = ctx.options
    db_path = (opts.vulndb if opts and opts.vulndb else None) or default_db_path()
    if not db_path.is_file():
        return {}
    vex = [s for f in (opts.vex if opts else ()) for s in read_vex(f)]
    decisions = _decisions(ctx)
    files: Files = {}
    with VulnDatabase(db_path) as db:
        for c in ctx.loaded.model.components:
            if c.sbom is None:
                continue
            result = scan(read_sbom(ctx.loaded.resolve(c.sbom)), db, vex=vex, decisions=decisions.get(c.id, {}))
            if result.matches:
                files[f"vex/{c.id}.cdx-vex.json"] = canonical_json(write_cyclonedx_vex(result))
    return files


def _decisions(ctx: PackageContext) -> dict[str, dict[tuple[str, str], Any]]:
    from medsecurance.decisions import load_decisions

    path = (ctx.options.decisions if ctx.options else None) or ctx.loaded.base_dir / "decisions.yaml"
    out: dict[str, dict[tuple[str, str], Any]] = {}
    for d in load_decisions(path).vex:
        entry = {"status": d.status} | ({"justification": d.justification} if d.justification else {})
        out.setdefault(d.component, {})[(d.bom_ref or "*", d.vulnerability)] = entry
    return out


def vulnerability_assessment(ctx: PackageContext) -> Files:
    """Known vulnerabilities with their assessment, support status, and CycloneDX VEX when any exist."""
    vulns = [f for f in ctx.data["findings"] if f["kind"] == "vulnerability"]
    eos = [f for f in ctx.data["findings"] if f["rule"] == "sbom/end-of-support"]
    db = ctx.data.get("sbom", {}).get("vulndb")
    files: Files = _vex_files(ctx) if vulns else {}
    head = "# Vulnerability assessment and software support\n\n" + (
        f"Components were matched against the advisory database `{db.rsplit('/', 1)[-1]}`.\n\n"
        if db
        else "MISSING: no advisory database was used, so known vulnerabilities (KEV included) were not assessed. "
        "Import advisories with `medsec vulndb import` and rebuild the package.\n\n"
    )
    rows = [
        (
            f["id"],
            f.get("vulnerability") or f["title"],
            f["elements"],
            f["severity"],
            f.get("kev"),
            f["status"],
            f.get("vex_status") or "",
        )
        for f in vulns
    ]
    text = (
        head
        + "## Known vulnerabilities\n\n"
        + md_table(
            ["Finding", "Vulnerability", "Components", "Severity", "KEV", "Status", "VEX status"],
            rows,
            "None found." if db else "Not assessed.",
        )
        + "\n## Components past their end of support\n\n"
        + md_table(
            ["Finding", "Title", "Component", "Status"],
            [(f["id"], f["title"], f["elements"], f["status"]) for f in eos],
        )
        + (f"\nCycloneDX VEX documents: {', '.join(sorted(files))}.\n" if files else "")
    )
    files["vulnerability-assessment.md"] = text
    return files


def security_controls(ctx: PackageContext) -> Files:
    """Declared controls per FDA control category (through the KB's control → category links)."""
    kb = ctx.kb
    declared: dict[str, set[str]] = {}
    for c in ctx.loaded.model.components:
        for ctl in c.controls:
            declared.setdefault(ctl, set()).add(c.id)
    recommended: dict[str, set[str]] = {}
    for r in ctx.data.get("risks", []) or []:
        if r.get("status") == "open":
            for ctl in r.get("controls_recommended", []):
                recommended.setdefault(ctl["id"], set()).add(r["id"])
    parts = ["# Security controls by FDA category (guidance V.B.1, Appendix 1)", ""]
    for cat in FDA_CATEGORIES:
        term = kb.term(cat, "fda-category")
        in_cat = [
            cid
            for cid in kb.ids("control")
            if any(fc == cat or fc.startswith(cat + ".") for fc in kb.control(cid).fda_categories)
        ]
        rows: list[tuple[str, str, str, str]] = [
            (cid, kb.control(cid).label, ", ".join(sorted(declared[cid])), "") for cid in in_cat if cid in declared
        ]
        rows += [
            (cid, kb.control(cid).label, "", f"recommended for {len(recommended[cid])} open risk(s)")
            for cid in in_cat
            if cid not in declared and cid in recommended
        ]
        parts += [
            f"## {term.label if term else cat}",
            "",
            md_table(
                ["Control", "Label", "Declared on", "Gap"],
                rows,
                "No control of this category is declared in the model.",
            ),
            "",
        ]
    unknown = sorted(c for c in declared if kb.term(c, "control") is None)
    if unknown:
        parts.append(f"Controls the knowledge base does not know (not categorised): {', '.join(unknown)}.\n")
    return {"security-controls.md": "\n".join(parts)}


def testing(ctx: PackageContext) -> Files:
    """Test evidence register with declared and actual SHA-256, plus copies of the evidence files."""
    files: Files = {}
    rows = []
    for e in ctx.loaded.model.evidence:
        actual, state = "", "no file declared"
        if e.file:
            try:
                content = read_bytes_limited(ctx.loaded.resolve(e.file), error=AssuranceError)
            except MedsecError:
                state = "file missing or unreadable"
            else:
                actual = sha256_bytes(content)
                files[f"evidence/{e.id}-{e.file.rsplit('/', 1)[-1]}"] = content
                state = (
                    "matches"
                    if e.sha256 and e.sha256.lower() == actual
                    else "DIFFERS from the declared hash"
                    if e.sha256
                    else "no hash declared"
                )
        rows.append(
            (
                e.id,
                e.kind,
                e.title or _NS,
                e.file or _NS,
                e.date.isoformat() if e.date else _NS,
                e.covers,
                e.result or _NS,
                e.sha256 or _NS,
                actual,
                state,
            )
        )
    header = [
        "Id",
        "Kind",
        "Title",
        "File",
        "Date",
        "Covers",
        "Result",
        "Declared SHA-256",
        "Actual SHA-256",
        "Hash check",
    ]
    files["test-evidence-register.md"] = (
        "# Test evidence register\n\nEvery evidence entry of the model; copies of the "
        "files are in `evidence/`.\n\n" + md_table(header, rows, f"Evidence: {_NS}.")
    )
    files["test-evidence-register.csv"] = csv_text(header, rows)
    files["test-evidence-register.json"] = canonical_json(
        json.loads(json.dumps([dict(zip(header, r, strict=True)) for r in rows], default=list))
    )
    return files
