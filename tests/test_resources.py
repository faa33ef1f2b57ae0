"""The package data is what scripts/build_resources.py builds from the sources in resources/:
committed outputs cannot drift from their sources (and the check can tell when they do)."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "scripts" / "build_resources.py"


def _build_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_resources", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_package_data_equals_a_fresh_build() -> None:
    # A child process: rendering the desktop PNGs needs its own QGuiApplication.
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--check"], cwd=REPO, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_check_sees_an_edited_source_and_an_orphaned_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build = _build_module()
    sources, package = tmp_path / "resources", tmp_path / "package"
    shutil.copytree(REPO / "resources" / "icons", sources / "icons")
    (sources / "translations").mkdir()
    monkeypatch.setattr(build, "SOURCES", sources)
    monkeypatch.setattr(build, "PACKAGE_DATA", package)
    for path, data in build.svg_outputs().items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    assert build.drift(icons_out=None) == []

    edited = sources / "icons" / "mask" / "brush.svg"
    edited.write_text(edited.read_text().replace('stroke-width="1.75"', 'stroke-width="2"'))
    orphan = package / "icons" / "modes" / "retired.svg"
    orphan.write_text("<svg/>")
    problems = build.drift(icons_out=None)
    assert any("mask/brush.svg is missing or differs" in p for p in problems), problems
    assert any("modes/retired.svg has no source" in p for p in problems), problems


def test_built_icons_keep_the_drawing_and_drop_the_comments() -> None:
    build = _build_module()
    source = REPO / "resources" / "icons" / "modes" / "edit.svg"
    built = build.built_svg(source).decode()
    assert "<!--" in source.read_text() and built.count("<!--") == 1  # only the "built from" note
    assert "resources/icons/modes/edit.svg" in built.splitlines()[0]
    assert 'stroke="currentColor"' in built and "<path" in built
