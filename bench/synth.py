"""Synthetic system models for benchmarks: the same topology as a medsec model and a pytm script."""

from __future__ import annotations

import random
from pathlib import Path

import yaml

TYPES = ["InfusionPump", "PatientMonitor", "Server", "Workstation", "MedicalGateway", "PACS"]
STACKS = [
    ["WPA2-Enterprise", "IPv4", "TLS1.2", "HTTPS"],
    ["Ethernet", "IPv4", "HL7v2-MLLP"],
    ["Ethernet", "IPv4", "DICOM"],
    ["WPA2-PSK", "IPv4", "HTTP"],
    ["BLE-Legacy-JustWorks"],
    ["Ethernet", "IPv4", "TLS1.3", "FHIR-REST"],
]
KINDS = {"WPA2-Enterprise": "WiFi", "WPA2-PSK": "WiFi", "Ethernet": "Ethernet", "BLE-Legacy-JustWorks": "BLE"}


def synth_model(components: int, flows: int, seed: int = 7) -> dict[str, object]:
    """A model dict with ``components`` components and ``flows`` flows over 10 zones."""
    rng = random.Random(seed)
    zones = [{"id": f"Z{i}", "sl_target": {"FR1": 2, "FR3": 2}} for i in range(10)]
    hazards = [{"id": "H-1", "description": "Over-infusion", "severity": "catastrophic"}]
    assets = [
        {"id": "A-rate", "kind": "function", "integrity": "high", "availability": "high", "hazards": ["H-1"],
         "data_categories": ["therapy-settings"]},
        {"id": "A-phi", "kind": "data", "confidentiality": "high", "data_categories": ["phi"]},
    ]
    comps = []
    for i in range(components):
        stack = STACKS[i % len(STACKS)]
        comps.append({
            "id": f"c{i}", "type": TYPES[i % len(TYPES)], "zone": f"Z{i % 10}",
            "assets": ["A-rate"] if i % 3 == 0 else ["A-phi"],
            "interfaces": [{"id": "net", "kind": KINDS[stack[0]], "protocol": stack, "ports": [443]},
                           {"id": "usb", "kind": "USB", "protocol": ["USB"], "physical": True}],
            "controls": ["secure-boot", "audit-logging", "signed-firmware-update"] if i % 2 else ["audit-logging"],
            "update": {"method": "ota" if i % 2 else "service-tool", "signed": bool(i % 2)},
            "end_of_support": "2031-12-31",
        })
    fl = []
    for j in range(flows):
        a, b = rng.randrange(components), rng.randrange(components)
        if a == b:
            b = (b + 1) % components
        fl.append({"id": f"f{j}", "from": f"c{a}", "to": f"c{b}", "via": "net",
                   "data": ["A-rate" if j % 2 else "A-phi"], "protocol": STACKS[b % len(STACKS)]})
    return {
        "system": {"id": "synth", "name": "Synthetic", "version": "1", "setting": "hospital"},
        "hazards": hazards, "assets": assets, "zones": zones, "components": comps, "flows": fl,
        "trust_boundaries": [{"id": "TB-0", "zones": ["Z0", "Z1"]}],
        "actors": [{"id": "att", "kind": "attacker",
                    "attacker": {"entry_points": ["hospital-lan", "rf-proximity", "physical"]}}],
    }


def write_model(folder: Path, components: int, flows: int) -> Path:
    """Write a synthetic model.yaml into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "model.yaml"
    path.write_text(yaml.safe_dump(synth_model(components, flows), sort_keys=False, width=200))
    return path


def write_pytm(folder: Path, components: int, flows: int, seed: int = 7) -> Path:
    """The same topology as an OWASP pytm script (for the peer comparison)."""
    rng = random.Random(seed)
    lines = ["from pytm import TM, Server, Dataflow, Boundary, Data, Classification",
             "tm = TM('synth')", "tm.description = 'synthetic'",
             "tm.isOrdered = False", "zones = [Boundary(f'Z{i}') for i in range(10)]", "nodes = []"]
    lines.append(f"for i in range({components}):")
    lines.append("    s = Server(f'c{i}'); s.inBoundary = zones[i % 10]; nodes.append(s)")
    pairs = []
    for _ in range(flows):
        a, b = rng.randrange(components), rng.randrange(components)
        if a == b:
            b = (b + 1) % components
        pairs.append((a, b))
    lines.append(f"pairs = {pairs!r}")
    lines.append("for j, (a, b) in enumerate(pairs):")
    lines.append("    Dataflow(nodes[a], nodes[b], f'f{j}')")
    lines.append("tm.process()")
    path = folder / "tm.py"
    folder.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")
    return path
