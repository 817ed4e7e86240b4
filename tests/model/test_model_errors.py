"""Malformed models: every error kind is reported with its exact file:line:column and message.

Each case is a whole model text in which ``⟨`` marks the exact place the error must point at;
the marker is removed before loading, and its line and column are the expected location.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from medsecurance.errors import ModelError
from medsecurance.model import load

BASE = """\
system: {id: sys, name: Test System, version: "1.0", setting: hospital}
hazards:
  - {id: H-over, description: Over-infusion, severity: catastrophic}
assets:
  - {id: A-rate, kind: function, integrity: high, hazards: [H-over]}
zones:
  - {id: Z-a, sl_target: {FR1: 2}}
  - {id: Z-b}
conduits:
  - {id: C-ab, zones: [Z-a, Z-b]}
components:
  - id: pump
    type: InfusionPump
    zone: Z-a
    assets: [A-rate]
    interfaces:
      - {id: wifi, kind: WiFi, protocol: [WPA2-Enterprise, TLS1.2]}
  - id: server
    type: Server
    zone: Z-b
    interfaces:
      - {id: eth, kind: Ethernet}
flows:
  - {id: F-1, from: server, to: pump, via: wifi, data: [A-rate], protocol: [TLS1.2]}
trust_boundaries:
  - {id: TB-1, zones: [Z-a]}
actors:
  - {id: att, kind: attacker, attacker: {entry_points: [hospital-lan]}}
evidence:
  - {id: E-1, kind: design-review, covers: [pump]}
"""


def case(old: str, new: str) -> str:
    """BASE with one fragment replaced (the replacement carries the ⟨ marker)."""
    assert old in BASE, old
    return BASE.replace(old, new, 1)


# (name, model text with ⟨ at the expected place, expected message fragment)
CASES: list[tuple[str, str, str]] = [
    # YAML syntax
    ("tab-indent", case("  - id: server\n", "  - id: server\n⟨\tname: x\n"), "YAML syntax error"),
    ("unclosed-flow-map", case("  - {id: E-1, kind: design-review, covers: [pump]}\n",
                               "  - {id: E-1, kind: design-review, covers: [pump]\n⟨"), "YAML syntax error"),
    ("bad-indent", case("    zone: Z-a\n", "    zone: Z-a\n   ⟨bogus: 1\n"), "YAML syntax error"),
    ("duplicate-key", case("    zone: Z-a\n", "    zone: Z-a\n    ⟨zone: Z-b\n"), "duplicate key 'zone'"),
    ("not-a-mapping", "⟨- just\n- a list\n", "a model file must be a YAML mapping"),
    # schema: missing and unknown keys, types, enums, ranges
    ("missing-system", "⟨hazards: []\n", "missing required key 'system'"),
    ("missing-name", case("{id: sys, name: Test System, ", "⟨{id: sys, "), "missing required key 'name'"),
    ("unknown-top-key", case("hazards:\n", "⟨hazard_list: []\nhazards:\n"), "unknown key 'hazard_list'"),
    ("unknown-key-suggest", case("    zone: Z-a\n", "    zone: Z-a\n    ⟨contrls: [x]\n"), "did you mean 'controls'"),
    ("unknown-iface-key", case("{id: eth, kind: Ethernet}", "{id: eth, kind: Ethernet, ⟨prots: [1]}"),
     "unknown key 'prots'"),
    ("bad-setting", case("setting: hospital", "setting: ⟨ward"), "invalid value 'ward'"),
    ("bad-severity", case("severity: catastrophic", "severity: ⟨deadly"), "invalid value 'deadly'"),
    ("bad-need", case("integrity: high", "integrity: ⟨extreme"), "invalid value 'extreme'"),
    ("bad-asset-kind", case("kind: function", "kind: ⟨service"), "invalid value 'service'"),
    ("sl-out-of-range", case("sl_target: {FR1: 2}", "sl_target: {FR1: ⟨5}"), "less than or equal to 4"),
    ("sl-negative", case("sl_target: {FR1: 2}", "sl_target: {FR1: ⟨-1}"), "greater than or equal to 0"),
    ("sl-unknown-fr", case("sl_target: {FR1: 2}", "sl_target: {FR1: 2, ⟨FR8: 1}"), "unknown key 'FR8'"),
    ("sl-not-int", case("sl_target: {FR1: 2}", "sl_target: {FR1: ⟨high}"), "valid integer"),
    ("bad-id-chars", case("{id: H-over,", "{id: ⟨H over!,"), "has an invalid form"),
    ("id-not-string", case("{id: Z-b}", "{id: ⟨[1, 2]}"), "valid string"),
    ("interfaces-not-list", case("    interfaces:\n      - {id: eth, kind: Ethernet}\n",
                                 "    interfaces: ⟨eth\n"), "valid tuple"),
    ("bad-port", case("{id: F-1, from: server,", "{id: F-1, port: ⟨70000, from: server,"), "less than or equal to 65535"),
    ("bad-date", case("{id: E-1, kind: design-review,", "{id: E-1, date: ⟨yesterday, kind: design-review,"),
     "valid date"),
    ("bad-sha", case("{id: E-1, kind: design-review,", "{id: E-1, sha256: ⟨abc, kind: design-review,"),
     "SHA-256"),
    ("bad-class", case("setting: hospital}", "setting: hospital, device_class: {eu_mdr: ⟨IV}}"), "EU MDR classes"),
    ("conduit-one-zone", case("{id: C-ab, zones: [Z-a, Z-b]}", "{id: C-ab, zones: ⟨[Z-a]}"), "at least 2 items"),
    ("boundary-empty", case("{id: TB-1, zones: [Z-a]}", "⟨{id: TB-1}"), "must enclose at least one"),
    ("attacker-no-profile", case("{id: att, kind: attacker, attacker: {entry_points: [hospital-lan]}}",
                                 "⟨{id: att, kind: attacker}"), "needs an 'attacker:' profile"),
    ("profile-not-attacker", case("{id: att, kind: attacker,", "⟨{id: att, kind: clinician,"),
     "only actors of kind 'attacker'"),
    ("bad-entry-point", case("entry_points: [hospital-lan]", "entry_points: [⟨moon]"), "invalid value 'moon'"),
    ("no-entry-points", case("entry_points: [hospital-lan]", "entry_points: ⟨[]"), "at least 1 item"),
    # references
    ("dup-id", case("  - {id: Z-b}\n", "  - {id: Z-b}\n  - {id: ⟨Z-a}\n"), "duplicate id 'Z-a'"),
    ("dup-id-across-kinds", case("{id: E-1,", "{id: ⟨pump,"), "duplicate id 'pump'"),
    ("dup-interface", case("      - {id: eth, kind: Ethernet}\n",
                           "      - {id: eth, kind: Ethernet}\n      - {id: ⟨eth, kind: USB}\n"),
     "duplicate interface id 'eth'"),
    ("unknown-hazard", case("hazards: [H-over]", "hazards: [⟨H-ovr]"), "did you mean 'H-over'"),
    ("unknown-zone", case("    zone: Z-a\n", "    zone: ⟨Z-c\n"), "unknown zone 'Z-c'"),
    ("unknown-asset-on-component", case("    assets: [A-rate]", "    assets: [⟨A-rat]"), "unknown asset 'A-rat'"),
    ("flow-unknown-from", case("from: server,", "from: ⟨servr,"), "did you mean 'server'"),
    ("flow-unknown-to", case("to: pump,", "to: ⟨pomp,"), "unknown component 'pomp'"),
    ("flow-unknown-interface", case("via: wifi,", "via: ⟨wlan,"), "interface 'wlan' is not on"),
    ("flow-interface-other-comp", case("via: wifi,", "via: ⟨att.wifi,"), "not an end of this flow"),
    ("flow-unknown-data", case("data: [A-rate]", "data: [⟨A-phi]"), "unknown asset 'A-phi'"),
    ("flow-self", case("from: server, to: pump,", "from: pump, to: ⟨pump,"), "from a component to itself"),
    ("conduit-unknown-zone", case("zones: [Z-a, Z-b]}", "zones: [Z-a, ⟨Z-x]}"), "unknown zone 'Z-x'"),
    ("boundary-unknown-zone", case("{id: TB-1, zones: [Z-a]}", "{id: TB-1, zones: [⟨Z-q]}"), "unknown zone 'Z-q'"),
    ("evidence-unknown-cover", case("covers: [pump]", "covers: [⟨pmp]"), "unknown element 'pmp'"),
    ("flow-unknown-conduit", case("{id: F-1, from", "{id: F-1, conduit: ⟨C-zz, from"), "unknown conduit 'C-zz'"),
    ("sbom-missing", case("    zone: Z-a\n", "    zone: Z-a\n    sbom: ⟨sboms/none.json\n"), "SBOM file not found"),
    ("evidence-file-missing", case("{id: E-1, kind: design-review,", "{id: E-1, file: ⟨nope.pdf, kind: design-review,"),
     "evidence file not found"),
    ("clause-unknown-target", case("{id: F-1, from", "{id: F-1, assumes: [{property: confidential, elements: [⟨nobody]}], from"),
     "unknown element 'nobody'"),
    # vocabulary checked against the knowledge base
    ("kb-unknown-type", case("    type: InfusionPump\n", "    type: ⟨InfusionPumpp\n"), "did you mean 'InfusionPump'"),
    ("kb-unknown-protocol", case("protocol: [WPA2-Enterprise, TLS1.2]", "protocol: [WPA2-Enterprise, ⟨TLS9]"),
     "unknown protocol 'TLS9'"),
    ("kb-unknown-iface-kind", case("{id: eth, kind: Ethernet}", "{id: eth, kind: ⟨Ethernot}"), "unknown interface"),
    ("kb-unknown-control", case("    zone: Z-a\n", "    zone: Z-a\n    controls: [⟨secure-bot]\n"),
     "did you mean 'secure-boot'"),
    ("kb-unknown-category", case("hazards: [H-over]}", "hazards: [H-over], data_categories: [⟨phii]}"),
     "unknown data category 'phii'"),
    ("kb-unknown-hazard-type", case("severity: catastrophic}", "severity: catastrophic, hazard_type: ⟨explosion}"),
     "unknown hazard type"),
]


def _write(tmp_path: Path, text: str) -> tuple[Path, int, int]:
    index = text.index("⟨")
    before = text[:index]
    line = before.count("\n") + 1
    column = index - (before.rfind("\n") + 1) + 1
    path = tmp_path / "model.yaml"
    path.write_text(text.replace("⟨", ""), encoding="utf-8")
    return path, line, column


def test_base_model_is_valid(tmp_path: Path) -> None:
    path = tmp_path / "model.yaml"
    path.write_text(BASE, encoding="utf-8")
    result = load(path)
    assert result.model.system.id == "sys"
    assert result.warnings == ()


def test_at_least_forty_error_kinds() -> None:
    assert len(CASES) >= 40


@pytest.mark.parametrize(("name", "text", "fragment"), CASES, ids=[c[0] for c in CASES])
def test_error_is_located(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, text: str, fragment: str) -> None:
    monkeypatch.chdir(tmp_path)
    path, line, column = _write(tmp_path, text)
    with pytest.raises(ModelError) as info:
        load(path)
    matching = [d for d in info.value.items if fragment in str(d)]
    assert matching, f"{name}: no diagnostic contains {fragment!r}: {info.value.diagnostics()}"
    diag = matching[0]
    assert diag.file == "model.yaml"
    assert (diag.line, diag.column) == (line, column), f"{name}: {diag}"
