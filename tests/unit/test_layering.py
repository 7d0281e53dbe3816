"""The layer rule, checked on the source: ui -> app -> media; server shares only
protocol definitions (and the name rules) with app; nothing outside ui/ imports Qt."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
QT = ("PySide6", "PyQt5", "PyQt6", "shiboken6", "qasync")
# For each layer, the klasse subpackages it must never import.
FORBIDDEN = {
    "app": ("klasse.ui", "klasse.server"),
    "media": ("klasse.ui", "klasse.app", "klasse.server"),
    "server": ("klasse.ui", "klasse.media"),
    "ui": ("klasse.server",),
}
ALLOWED_FROM_APP_IN_SERVER = ("klasse.app.protocol", "klasse.app.names")


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def _sources(layer: str) -> list[Path]:
    return sorted((ROOT / layer).rglob("*.py"))


@pytest.mark.parametrize("layer", ["app", "media", "server"])
def test_no_qt_outside_ui(layer: str) -> None:
    offenders = [f"{p.relative_to(ROOT)}: {m}" for p in _sources(layer) for m in _imports(p)
                 if m.split(".")[0] in QT]
    assert offenders == []


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports(layer: str) -> None:
    offenders = []
    for path in _sources(layer):
        for mod in _imports(path):
            if layer == "server" and mod.startswith(ALLOWED_FROM_APP_IN_SERVER):
                continue
            if layer == "server" and mod.startswith("klasse.app"):
                offenders.append(f"{path.relative_to(ROOT)}: {mod}")
            if mod.startswith(FORBIDDEN[layer]):
                offenders.append(f"{path.relative_to(ROOT)}: {mod}")
    assert offenders == []


def test_layering_check_sees_imports(tmp_path: Path) -> None:
    # Guard against a checker that silently finds nothing.
    probe = tmp_path / "probe.py"
    probe.write_text("from PySide6.QtWidgets import QWidget\nimport klasse.server.cli\n")
    assert _imports(probe) == ["PySide6.QtWidgets", "klasse.server.cli"]
