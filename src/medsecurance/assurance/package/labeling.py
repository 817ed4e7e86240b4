"""Labeling draft (FDA VI.A, GSPR 23.4(ab)) and cybersecurity management plan skeleton (FDA VI.B), from the model."""

from __future__ import annotations

from typing import TYPE_CHECKING

from medsecurance.assurance.package._text import md_table

if TYPE_CHECKING:
    from medsecurance.assurance.package import Files, PackageContext

__all__ = ["labeling", "management_plan"]

_NS = "not stated in the model"


def _has(ctx: PackageContext, control: str) -> list[str]:
    return [c.id for c in ctx.loaded.model.components if control in c.controls]


def _stated(ids: list[str], what: str) -> str:
    return f"{what}: declared on {', '.join(ids)}." if ids else f"{what}: {_NS}."


def labeling(ctx: PackageContext) -> Files:
    """Security information for users, filled from the model; every gap is marked."""
    m = ctx.loaded.model
    ports = [
        (
            c.id,
            i.id,
            i.kind,
            " › ".join(i.protocol) or _NS,
            list(i.ports) or "",
            i.authentication,
            "physical" if i.physical else "remote",
            "enabled" if i.enabled else "disabled",
            i.description or "",
        )
        for c in m.components
        if not c.off_the_shelf
        for i in c.interfaces
    ]
    env_reqs = [
        (a.property, ", ".join(a.elements) or "whole system", a.note or "")
        for a in (m.environment.assumes if m.environment else ())
    ]
    updates = [
        (c.id, c.update.method, c.update.signed, c.update.authenticated_source, c.update.user_approval)
        if c.update
        else (c.id, _NS, "", "", "")
        for c in m.components
        if not c.off_the_shelf
    ]
    eos = [
        (c.id, c.name or "", c.end_of_support.isoformat() if c.end_of_support else _NS)
        for c in m.components
        if not c.off_the_shelf
    ]
    residual = [
        (r["id"], r["source"].get("title"), r.get("residual_level"))
        for r in ctx.data.get("risks", []) or []
        if r.get("status") == "open" and r.get("residual_level") in ("unacceptable", "review")
    ]
    mf = m.system.manufacturer
    text = "\n".join(
        [
            f"# Labeling draft — security information for users ({m.system.name} {m.system.version})",
            "",
            "DRAFT generated from the system model for the IFU / customer security documentation. Review, complete "
            f'and word it for the users; items marked "{_NS}" need input.',
            "",
            "## Network ports and interfaces",
            "",
            md_table(
                [
                    "Component",
                    "Interface",
                    "Kind",
                    "Protocols",
                    "Ports",
                    "Authentication",
                    "Access",
                    "State",
                    "Function",
                ],
                ports,
                f"Interfaces: {_NS}.",
            ),
            "## What the operating environment must provide (minimum IT requirements, GSPR 17.4 / 23.4(ab))",
            "",
            md_table(["Requirement", "Applies to", "Note"], env_reqs, f"Environment requirements: {_NS}."),
            "## Software bill of materials",
            "",
            "A machine-readable SBOM is provided for: "
            + (", ".join(c.id for c in m.components if c.sbom) or _NS)
            + ".",
            "",
            "## Updates",
            "",
            md_table(["Component", "Method", "Signed", "Authenticated source", "User approval"], updates),
            "How users are told about updates: " + (mf.psirt_url if mf and mf.psirt_url else _NS) + ".",
            "",
            "## Security events and logging",
            "",
            _stated(_has(ctx, "audit-logging"), "Security audit logging"),
            _stated(_has(ctx, "log-forwarding"), "Forwarding of logs to the operator's SIEM"),
            "",
            "## Protection of critical functions and recovery",
            "",
            _stated(_has(ctx, "fail-safe-mode"), "Fail-safe behaviour when communication or the network fails"),
            _stated(_has(ctx, "backup-restore"), "Backup and restore of authenticated configuration"),
            "",
            "## Secure shipped configuration",
            "",
            f"Default security settings and which changes raise risk: {_NS}.",
            "",
            "## End of support",
            "",
            md_table(["Component", "Name", "End of support"], eos),
            "After end of support the risk passes to the operator; describe compensating measures here.",
            "",
            "## Secure decommissioning",
            "",
            _stated(_has(ctx, "secure-decommissioning"), "Sanitisation of data, keys and credentials"),
            "",
            "## Residual risks users must know (warnings)",
            "",
            md_table(
                ["Risk", "About", "Residual level"],
                residual,
                "None open." if "risks" in ctx.data else f"Residual risks: {_NS} (risk stage not run).",
            ),
            "## Reporting a vulnerability",
            "",
            f"Contact: {mf.contact if mf and mf.contact else _NS}. "
            f"Disclosure policy: {mf.cvd_policy if mf and mf.cvd_policy else _NS}.",
            "",
        ]
    )
    return {"labeling-draft.md": text}


def management_plan(ctx: PackageContext) -> Files:
    """Cybersecurity management plan skeleton (the §524B(b)(1) plan) with what the model states."""
    m = ctx.loaded.model
    mf = m.system.manufacturer
    timeline = m.system.patch_timeline_days
    sb = ctx.data.get("sbom", {})
    monitored = [c.id for c in m.components if c.sbom]
    evidence = sorted((e.date.isoformat() if e.date else _NS, e.id, e.kind) for e in m.evidence)
    text = "\n".join(
        [
            f"# Cybersecurity management plan — {m.system.name}",
            "",
            "SKELETON filled from the system model (FDA guidance VI.B; FD&C Act §524B(b)(1)). Sections marked "
            f'"{_NS}" must be written by the manufacturer.',
            "",
            "## 1. Responsible personnel",
            "",
            f"Manufacturer: {mf.name if mf else _NS}. "
            f"Security contact / PSIRT: {mf.contact if mf and mf.contact else _NS} "
            f"({mf.psirt_url if mf and mf.psirt_url else 'no PSIRT page stated'}). Named roles: {_NS}.",
            "",
            "## 2. Vulnerability monitoring: sources, methods, frequency",
            "",
            f"Components monitored through their SBOMs: {', '.join(monitored) or _NS}.",
            "Advisory database used in this assessment: "
            + ("yes." if sb.get("vulndb") else "none (monitoring not evidenced)."),
            _stated(_has(ctx, "vulnerability-monitoring"), "Vulnerability monitoring process"),
            f"Sources (NVD, CISA KEV and ICS advisories, suppliers, researchers) and frequency: {_NS}.",
            "",
            "## 3. Known exploited vulnerabilities (KEV)",
            "",
            f"Handling of KEV entries: {_NS}.",
            "",
            "## 4. Patch timelines",
            "",
            md_table(
                ["Severity", "Days to patch"],
                sorted(timeline.items(), key=lambda kv: kv[1]) if timeline else [],
                f"Patch timelines: {_NS}.",
            ),
            f"Justification of the regular patch cycle: {_NS}. Critical vulnerabilities with uncontrolled risk are "
            "patched out of cycle as soon as possible (§524B(b)(2)(B)).",
            "",
            "## 5. Update process and patching capability",
            "",
            md_table(
                ["Component", "Method", "Signed"],
                [
                    (c.id, c.update.method if c.update else _NS, c.update.signed if c.update else "")
                    for c in m.components
                    if not c.off_the_shelf
                ],
            ),
            f"Time for an update to reach devices in the field: {_NS}.",
            "",
            "## 6. Coordinated vulnerability disclosure",
            "",
            mf.cvd_policy if mf and mf.cvd_policy else _NS,
            "",
            "## 7. Periodic security testing",
            "",
            md_table(["Date", "Evidence", "Kind"], evidence, f"Testing: {_NS}."),
            f"Re-test interval: {_NS}.",
            "",
            "## 8. Communicating upcoming fixes to users",
            "",
            f"{_NS}.",
            "",
        ]
    )
    return {"cybersecurity-management-plan.md": text}
