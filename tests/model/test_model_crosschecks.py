"""Cross-checks (references, KB terms): the bulk fast paths report exactly what the located walks report.

``check_references`` and ``check_terms`` first test every reference / term in bulk and walk the model
with paths only when a test fails. These tests pin the diagnostics (message, file:line:column, hint,
element, order) of models with many problems at once, written with the walk-only implementation,
and check on each problem alone that the fast path never hides it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from medsecurance._internal.yamlloc import load_yaml
from medsecurance.errors import Diagnostic, ModelError
from medsecurance.kb import KnowledgeBase, load_kb
from medsecurance.model import kbcheck, load
from medsecurance.model.kbcheck import check_terms
from medsecurance.model.loader import SourceMap
from medsecurance.model.references import _Checker, check_references
from medsecurance.model.schema import SystemModel

ROOT = """\
system: {id: sys, name: Test System, version: "1.0", setting: hospital}
include: [devices.yaml]
environment:
  guarantees:
    - {property: physical-security, elements: [Z-a]}
hazards:
  - {id: H-1, description: Over-infusion, severity: catastrophic, hazard_type: over-delivery-of-therapy}
assets:
  - {id: A-rate, kind: function, integrity: high, hazards: [H-1], data_categories: [drug-library]}
  - {id: A-phi, kind: data, confidentiality: high, data_categories: [phi]}
zones:
  - {id: Z-a, countermeasures: [audit-logging]}
  - {id: Z-b}
conduits:
  - {id: C-ab, zones: [Z-a, Z-b], protocol: [TLS1.2], countermeasures: [audit-logging]}
flows:
  - {id: F-1, from: server, to: pump, via: wifi, data: [A-rate], protocol: [TLS1.2], conduit: C-ab}
  - {id: F-2, from: pump, to: server, via: wifi, data: [A-phi]}
  - {id: F-3, from: server, to: pump, via: pump.usb, protocol: [USB]}
  - {id: F-4, from: gateway, to: server, via: gateway.eth, assumes: [{property: confidential, elements: [A-phi]}]}
  - {id: F-5, from: gateway, to: pump}
trust_boundaries:
  - {id: TB-1, zones: [Z-a], components: [pump]}
actors:
  - {id: nurse, kind: clinician, uses: [pump]}
  - {id: att, kind: attacker, attacker: {entry_points: [hospital-lan], targets: [gateway]}}
evidence:
  - {id: E-1, kind: design-review, covers: [pump, F-1]}
"""

DEVICES = """\
components:
  - id: pump
    type: InfusionPump
    zone: Z-a
    assets: [A-rate, A-phi]
    controls: [secure-boot]
    interfaces:
      - {id: wifi, kind: WiFi, protocol: [WPA2-Enterprise, TLS1.2]}
      - {id: usb, kind: USB, protocol: [USB]}
    guarantees: [{property: integrity, elements: [A-rate]}]
  - id: server
    type: Server
    zone: Z-b
    interfaces:
      - {id: eth, kind: Ethernet, protocol: [Ethernet, IPv4, HL7v2-MLLP]}
  - id: gateway
    type: MedicalGateway
    zone: Z-b
    interfaces:
      - {id: eth, kind: Ethernet}
      - {id: eth.1, kind: Ethernet}
"""

# (name, old, new): one problem each; all of them together give the many-problem model
REFERENCE_PROBLEMS = [
    ("dup-id-across-sections", "  - {id: Z-b}\n", "  - {id: Z-b}\n  - {id: server}\n"),
    ("unknown-hazard", "hazards: [H-1]", "hazards: [H-2]"),
    ("unknown-zone", "    zone: Z-a\n", "    zone: Z-c\n"),
    ("unknown-asset", "assets: [A-rate, A-phi]", "assets: [A-rate, A-ph]"),
    ("dup-interface", "HL7v2-MLLP]}\n", "HL7v2-MLLP]}\n      - {id: eth, kind: Serial}\n"),
    ("component-clause", "elements: [A-rate]}]", "elements: [A-rat]}]"),
    ("flow-unknown-from", "{id: F-5, from: gateway,", "{id: F-5, from: gatewy,"),
    ("flow-unknown-to", "{id: F-2, from: pump, to: server,", "{id: F-2, from: pump, to: srv,"),
    ("flow-self", "{id: F-3, from: server, to: pump,", "{id: F-3, from: pump, to: pump,"),
    ("flow-unknown-data", "data: [A-phi]}", "data: [A-phy]}"),
    ("flow-unknown-conduit", "conduit: C-ab}", "conduit: C-ac}"),
    ("via-not-on-ends", "via: wifi, data: [A-rate]", "via: wlan, data: [A-rate]"),
    ("via-other-component", "via: gateway.eth,", "via: pump.wifi,"),
    ("via-dotted-missing", "via: pump.usb,", "via: pump.ble,"),
    ("via-dotted-interface-id", "trust_boundaries:\n",
     "  - {id: F-6, from: server, to: gateway, via: eth.1}\ntrust_boundaries:\n"),
    ("flow-clause", "elements: [A-phi]}]}", "elements: [A-ph1]}]}"),
    ("actor-uses", "uses: [pump]", "uses: [pmp]"),
    ("attacker-target", "targets: [gateway]", "targets: [gw]"),
    ("boundary-component", "components: [pump]}", "components: [pump, nobody]}"),
    ("conduit-zone", "zones: [Z-a, Z-b], protocol", "zones: [Z-a, Z-x], protocol"),
    ("environment-clause", "elements: [Z-a]}", "elements: [Z-z]}"),
    ("evidence-cover", "covers: [pump, F-1]", "covers: [pump, F-9]"),
    ("dup-component", "      - {id: eth.1, kind: Ethernet}\n",
     "      - {id: eth.1, kind: Ethernet}\n  - {id: pump, type: InfusionPump}\n"),
]

TERM_PROBLEMS = [
    ("kb-type", "type: Server\n", "type: Servr\n"),
    ("kb-interface-kind", "kind: USB,", "kind: USBB,"),
    ("kb-interface-protocol", "protocol: [WPA2-Enterprise, TLS1.2]", "protocol: [WPA2-Enterprize, TLS1.2]"),
    ("kb-flow-protocol", "protocol: [TLS1.2], conduit", "protocol: [TLS1.2, TLS9], conduit"),
    ("kb-conduit-protocol", "protocol: [TLS1.2], countermeasures", "protocol: [TLS9], countermeasures"),
    ("kb-conduit-control", "countermeasures: [audit-logging]}\nflows:", "countermeasures: [firewal]}\nflows:"),
    ("kb-control", "controls: [secure-boot]", "controls: [secure-bot, audit-loging]"),
    ("kb-zone", "{id: Z-a, countermeasures: [audit-logging]}", "{id: Z-a, countermeasures: [audit-loging]}"),
    ("kb-data-category", "data_categories: [phi]", "data_categories: [phii]"),
    ("kb-hazard-type", "hazard_type: over-delivery-of-therapy", "hazard_type: explosion"),
]

PROBLEMS = REFERENCE_PROBLEMS + TERM_PROBLEMS


def _mutate(problems: list[tuple[str, str, str]]) -> tuple[str, str]:
    root, devices = ROOT, DEVICES
    for name, old, new in problems:
        assert (root + devices).count(old) == 1, name
        root, devices = root.replace(old, new), devices.replace(old, new)
    return root, devices


def _single_file(problems: list[tuple[str, str, str]]) -> str:
    root, devices = _mutate(problems)
    return root.replace("include: [devices.yaml]\n", "") + devices


def _checked(text: str, kb: KnowledgeBase) -> tuple[list[Diagnostic], list[Diagnostic], list[Diagnostic]]:
    """Reference errors, warnings and term errors of a one-file model, in the order the checks give them."""
    raw, _ = load_yaml(text, "model.yaml", ModelError)
    smap = SourceMap(root=Path("model.yaml").resolve(), raw=raw)
    model = SystemModel.model_validate(raw)
    errors, warnings = check_references(model, smap, check_files=False)
    return errors, warnings, check_terms(model, kb, smap)


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_kb()


def _walk_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Disable every fast path: the checks walk the whole model with paths."""
    monkeypatch.setattr(_Checker, "ids_unique", lambda self: False)
    monkeypatch.setattr(_Checker, "components_clean", lambda self: False)
    monkeypatch.setattr(_Checker, "flows_clean", lambda self: False)
    monkeypatch.setattr(kbcheck, "_all_known", lambda model, kb: False)


def test_good_model_takes_every_fast_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kb: KnowledgeBase) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "model.yaml").write_text(ROOT, encoding="utf-8")
    (tmp_path / "devices.yaml").write_text(DEVICES, encoding="utf-8")
    result = load(tmp_path / "model.yaml")
    assert [f.id for f in result.model.flows] == ["F-1", "F-2", "F-3", "F-4", "F-5"]
    checker = _Checker(result.model, result.source_map, None)
    assert checker.ids_unique() and checker.components_clean() and checker.flows_clean()
    assert kbcheck._all_known(result.model, kb)
    assert _checked(_single_file([]), kb) == ([], [], [])


@pytest.mark.parametrize(("name", "old", "new"), PROBLEMS, ids=[p[0] for p in PROBLEMS])
def test_each_problem_is_found_by_the_fast_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kb: KnowledgeBase, name: str, old: str, new: str
) -> None:
    monkeypatch.chdir(tmp_path)
    text = _single_file([(name, old, new)])
    fast = _checked(text, kb)
    assert fast[0] or fast[2], f"{name}: no diagnostic"
    _walk_only(monkeypatch)
    assert fast == _checked(text, kb)


def test_all_problems_at_once_fast_path_equals_walk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kb: KnowledgeBase
) -> None:
    monkeypatch.chdir(tmp_path)
    text = _single_file(PROBLEMS)
    fast = _checked(text, kb)
    _walk_only(monkeypatch)
    assert fast == _checked(text, kb)


def test_dotted_interface_id_is_found_when_no_other_via_is_dotted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kb: KnowledgeBase
) -> None:
    """'eth.1' is an interface of the target, yet is read as interface '1' of a component 'eth'.

    Every other via names an interface of its flow's target: the bulk test alone finds nothing.
    """
    monkeypatch.chdir(tmp_path)
    plain = [("plain-F-2", "to: server, via: wifi,", "to: server, via: eth,"),
             ("plain-F-3", "via: pump.usb,", "via: usb,"), ("plain-F-4", "via: gateway.eth,", "via: eth,")]
    assert _checked(_single_file(plain), kb) == ([], [], [])
    errors, _, _ = _checked(_single_file([*plain, *(p for p in PROBLEMS if p[0] == "via-dotted-interface-id")]), kb)
    assert [(d.line, d.column, d.message) for d in errors] == [
        (21, 47, "interface 'eth.1' belongs to 'eth', which is not an end of this flow")
    ]


def _d(file: str, line: int, column: int, element: str, message: str, hint: str | None) -> Diagnostic:
    return Diagnostic(message, file=file, line=line, column=column, element=element, hint=hint)


# written by the walk-only implementation (before the fast paths), in the order the checks give them
EXPECTED_REFERENCES: list[Diagnostic] = [
    _d('model.yaml', 40, 9, 'server',
       "duplicate id 'server' (first declared at line 13)", 'ids must be unique in the model'),
    _d('model.yaml', 52, 10, 'pump',
       "duplicate id 'pump' (first declared at line 31)", 'ids must be unique in the model'),
    _d('model.yaml', 8, 61, 'A-rate', "unknown hazard 'H-2'", "did you mean 'H-1'?"),
    _d('model.yaml', 15, 29, 'C-ab', "unknown zone 'Z-x'", "did you mean 'Z-b'?"),
    _d('model.yaml', 24, 49, 'TB-1', "unknown component 'nobody'", "declare it under 'components:' first"),
    _d('model.yaml', 33, 11, 'pump', "unknown zone 'Z-c'", "did you mean 'Z-b'?"),
    _d('model.yaml', 34, 22, 'pump', "unknown asset 'A-ph'", "did you mean 'A-phi'?"),
    _d('model.yaml', 39, 51, 'pump', "unknown element 'A-rat'", "did you mean 'A-rate'?"),
    _d('model.yaml', 45, 14, 'server',
       "duplicate interface id 'eth' on component 'server'", 'interface ids must be unique within a component'),
    _d('model.yaml', 17, 101, 'F-1', "unknown conduit 'C-ac'", "did you mean 'C-ab'?"),
    _d('model.yaml', 17, 44, 'F-1',
       "interface 'wlan' is not on 'pump' or 'server'", "declare it under the interfaces of 'pump'"),
    _d('model.yaml', 18, 31, 'F-2', "unknown component 'srv'", "did you mean 'server'?"),
    _d('model.yaml', 18, 54, 'F-2', "unknown asset 'A-phy'", "did you mean 'A-phi'?"),
    _d('model.yaml', 18, 41, 'F-2',
       "interface 'wifi' is not on 'srv' or 'pump'", "declare it under the interfaces of 'srv'"),
    _d('model.yaml', 19, 31, 'F-3', 'a flow cannot go from a component to itself', None),
    _d('model.yaml', 19, 42, 'F-3', "interface 'ble' is not on 'pump'", "declare it under the interfaces of 'pump'"),
    _d('model.yaml', 20, 47, 'F-4',
       "interface 'pump.wifi' belongs to 'pump', which is not an end of this flow",
       "use an interface of 'gateway' or 'server'"),
    _d('model.yaml', 20, 104, 'F-4', "unknown element 'A-ph1'", "did you mean 'A-phi'?"),
    _d('model.yaml', 21, 21, 'F-5', "unknown component 'gatewy'", "did you mean 'gateway'?"),
    _d('model.yaml', 22, 47, 'F-6',
       "interface 'eth.1' belongs to 'eth', which is not an end of this flow",
       "use an interface of 'server' or 'gateway'"),
    _d('model.yaml', 26, 41, 'nurse', "unknown component 'pmp'", "did you mean 'pump'?"),
    _d('model.yaml', 27, 82, 'att', "unknown component 'gw'", "declare it under 'components:' first"),
    _d('model.yaml', 4, 48, 'environment', "unknown element 'Z-z'", "did you mean 'Z-b'?"),
    _d('model.yaml', 29, 51, 'E-1', "unknown element 'F-9'", "did you mean 'F-6'?"),
]

EXPECTED_TERMS: list[Diagnostic] = [
    _d('model.yaml', 6, 80, 'H-1',
       "unknown hazard type 'explosion' (not in the knowledge base)",
       'list the known ones with: medsec kb stats --format json (hazard-type)'),
    _d('model.yaml', 9, 70, 'A-phi',
       "unknown data category 'phii' (not in the knowledge base)", "did you mean 'pii' or 'phi'?"),
    _d('model.yaml', 11, 33, 'Z-a',
       "unknown control 'audit-loging' (not in the knowledge base)", "did you mean 'audit-logging'?"),
    _d('model.yaml', 15, 71, 'C-ab',
       "unknown control 'firewal' (not in the knowledge base)",
       'list the known ones with: medsec kb stats --format json (control)'),
    _d('model.yaml', 15, 46, 'C-ab',
       "unknown protocol 'TLS9' (not in the knowledge base)", "did you mean 'TLS1.0' or 'TLS1.3' or 'TLS1.2'?"),
    _d('model.yaml', 35, 16, 'pump',
       "unknown control 'secure-bot' (not in the knowledge base)", "did you mean 'secure-boot'?"),
    _d('model.yaml', 35, 28, 'pump',
       "unknown control 'audit-loging' (not in the knowledge base)", "did you mean 'audit-logging'?"),
    _d('model.yaml', 37, 43, 'pump',
       "unknown protocol 'WPA2-Enterprize' (not in the knowledge base)",
       "did you mean 'WPA2-Enterprise' or 'WPA3-Enterprise'?"),
    _d('model.yaml', 38, 25, 'pump', "unknown interface 'USBB' (not in the knowledge base)", "did you mean 'USB'?"),
    _d('model.yaml', 41, 11, 'server',
       "unknown component type 'Servr' (not in the knowledge base)",
       "did you mean 'Server' or 'InfusionManagementServer'?"),
    _d('model.yaml', 17, 85, 'F-1',
       "unknown protocol 'TLS9' (not in the knowledge base)", "did you mean 'TLS1.0' or 'TLS1.3' or 'TLS1.2'?"),
]

# load(): the same problems across an include, sorted by file, line, column
EXPECTED_LOAD: list[Diagnostic] = [
    _d('devices.yaml', 4, 11, 'pump', "unknown zone 'Z-c'", "did you mean 'Z-b'?"),
    _d('devices.yaml', 5, 22, 'pump', "unknown asset 'A-ph'", "did you mean 'A-phi'?"),
    _d('devices.yaml', 6, 16, 'pump',
       "unknown control 'secure-bot' (not in the knowledge base)", "did you mean 'secure-boot'?"),
    _d('devices.yaml', 6, 28, 'pump',
       "unknown control 'audit-loging' (not in the knowledge base)", "did you mean 'audit-logging'?"),
    _d('devices.yaml', 8, 43, 'pump',
       "unknown protocol 'WPA2-Enterprize' (not in the knowledge base)",
       "did you mean 'WPA2-Enterprise' or 'WPA3-Enterprise'?"),
    _d('devices.yaml', 9, 25, 'pump', "unknown interface 'USBB' (not in the knowledge base)", "did you mean 'USB'?"),
    _d('devices.yaml', 10, 51, 'pump', "unknown element 'A-rat'", "did you mean 'A-rate'?"),
    _d('devices.yaml', 11, 9, 'server',
       "duplicate id 'server' (first declared at line 14)", 'ids must be unique in the model'),
    _d('devices.yaml', 12, 11, 'server',
       "unknown component type 'Servr' (not in the knowledge base)",
       "did you mean 'Server' or 'InfusionManagementServer'?"),
    _d('devices.yaml', 16, 14, 'server',
       "duplicate interface id 'eth' on component 'server'", 'interface ids must be unique within a component'),
    _d('devices.yaml', 23, 10, 'pump',
       "duplicate id 'pump' (first declared at line 2)", 'ids must be unique in the model'),
    _d('model.yaml', 5, 48, 'environment', "unknown element 'Z-z'", "did you mean 'Z-b'?"),
    _d('model.yaml', 7, 80, 'H-1',
       "unknown hazard type 'explosion' (not in the knowledge base)",
       'list the known ones with: medsec kb stats --format json (hazard-type)'),
    _d('model.yaml', 9, 61, 'A-rate', "unknown hazard 'H-2'", "did you mean 'H-1'?"),
    _d('model.yaml', 10, 70, 'A-phi',
       "unknown data category 'phii' (not in the knowledge base)", "did you mean 'pii' or 'phi'?"),
    _d('model.yaml', 12, 33, 'Z-a',
       "unknown control 'audit-loging' (not in the knowledge base)", "did you mean 'audit-logging'?"),
    _d('model.yaml', 16, 29, 'C-ab', "unknown zone 'Z-x'", "did you mean 'Z-b'?"),
    _d('model.yaml', 16, 46, 'C-ab',
       "unknown protocol 'TLS9' (not in the knowledge base)", "did you mean 'TLS1.0' or 'TLS1.3' or 'TLS1.2'?"),
    _d('model.yaml', 16, 71, 'C-ab',
       "unknown control 'firewal' (not in the knowledge base)",
       'list the known ones with: medsec kb stats --format json (control)'),
    _d('model.yaml', 18, 44, 'F-1',
       "interface 'wlan' is not on 'pump' or 'server'", "declare it under the interfaces of 'pump'"),
    _d('model.yaml', 18, 85, 'F-1',
       "unknown protocol 'TLS9' (not in the knowledge base)", "did you mean 'TLS1.0' or 'TLS1.3' or 'TLS1.2'?"),
    _d('model.yaml', 18, 101, 'F-1', "unknown conduit 'C-ac'", "did you mean 'C-ab'?"),
    _d('model.yaml', 19, 31, 'F-2', "unknown component 'srv'", "did you mean 'server'?"),
    _d('model.yaml', 19, 41, 'F-2',
       "interface 'wifi' is not on 'srv' or 'pump'", "declare it under the interfaces of 'srv'"),
    _d('model.yaml', 19, 54, 'F-2', "unknown asset 'A-phy'", "did you mean 'A-phi'?"),
    _d('model.yaml', 20, 31, 'F-3', 'a flow cannot go from a component to itself', None),
    _d('model.yaml', 20, 42, 'F-3', "interface 'ble' is not on 'pump'", "declare it under the interfaces of 'pump'"),
    _d('model.yaml', 21, 47, 'F-4',
       "interface 'pump.wifi' belongs to 'pump', which is not an end of this flow",
       "use an interface of 'gateway' or 'server'"),
    _d('model.yaml', 21, 104, 'F-4', "unknown element 'A-ph1'", "did you mean 'A-phi'?"),
    _d('model.yaml', 22, 21, 'F-5', "unknown component 'gatewy'", "did you mean 'gateway'?"),
    _d('model.yaml', 23, 47, 'F-6',
       "interface 'eth.1' belongs to 'eth', which is not an end of this flow",
       "use an interface of 'server' or 'gateway'"),
    _d('model.yaml', 25, 49, 'TB-1', "unknown component 'nobody'", "declare it under 'components:' first"),
    _d('model.yaml', 27, 41, 'nurse', "unknown component 'pmp'", "did you mean 'pump'?"),
    _d('model.yaml', 28, 82, 'att', "unknown component 'gw'", "declare it under 'components:' first"),
    _d('model.yaml', 30, 51, 'E-1', "unknown element 'F-9'", "did you mean 'F-6'?"),
]


def test_many_problems_in_walk_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kb: KnowledgeBase) -> None:
    monkeypatch.chdir(tmp_path)
    errors, warnings, terms = _checked(_single_file(PROBLEMS), kb)
    assert errors == EXPECTED_REFERENCES
    assert warnings == []
    assert terms == EXPECTED_TERMS


def test_many_problems_across_includes_are_located(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    root, devices = _mutate(PROBLEMS)
    (tmp_path / "model.yaml").write_text(root, encoding="utf-8")
    (tmp_path / "devices.yaml").write_text(devices, encoding="utf-8")
    with pytest.raises(ModelError) as info:
        load(tmp_path / "model.yaml")
    assert list(info.value.items) == EXPECTED_LOAD

EXPECTED_PARTIAL = [
    ("devices.yaml", 12, 11, "server", "unknown component type 'Servr' (not in the knowledge base)"),
    ("devices.yaml", 18, 15, "gateway", "components.2.patients: Input should be greater than or equal to 0 (got -1)"),
    ("model.yaml", 18, 31, "F-2", "unknown component 'srv'"),
]


def test_elements_failing_validation_are_not_reported_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The invalid 'gateway' is still known to the cross-checks: only the really unknown 'srv' is reported."""
    monkeypatch.chdir(tmp_path)
    root, devices = _mutate([
        ("invalid-gateway", "type: MedicalGateway\n", "type: MedicalGateway\n    patients: -1\n"),
        *(p for p in PROBLEMS if p[0] in ("flow-unknown-to", "kb-type")),
    ])
    (tmp_path / "model.yaml").write_text(root, encoding="utf-8")
    (tmp_path / "devices.yaml").write_text(devices, encoding="utf-8")
    with pytest.raises(ModelError) as info:
        load(tmp_path / "model.yaml")
    assert [(d.file, d.line, d.column, d.element, d.message) for d in info.value.items] == EXPECTED_PARTIAL
