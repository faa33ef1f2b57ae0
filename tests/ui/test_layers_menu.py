"""Layers in the real window on the in-process sandbox: "Layerize text…" shows the price before
anything is sent, its base image lands with its text blocks, and "Export layered PSD…" / "Export SVG
with live text…" write files that psd-tools and an XML parser read back; the library offers the same;
a folder that cannot be written is said in words."""

from __future__ import annotations

import asyncio
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from psd_tools import PSDImage
from PySide6.QtWidgets import QFileDialog, QLineEdit, QMessageBox

from ideogram_studio.api import GenerateRequest
from ideogram_studio.api.v2_requests import V2Request
from ideogram_studio.imaging.layered_export import BASE_LAYER
from ideogram_studio.secrets import MemoryStore
from ideogram_studio.ui.shell.layers_menu import export_to
from ideogram_studio.ui.shell.result_menu import result_menu

from .helpers import Studio, close_studio, generate, open_studio, select_row, wait_jobs_finished


@pytest.fixture
def studio(qtbot: Any, qloop: asyncio.AbstractEventLoop, tmp_path: Path) -> Iterator[Studio]:
    s = open_studio(qtbot, tmp_path, MemoryStore())
    yield s
    close_studio(qtbot, s)


def _action(studio: Studio, image_hash: str, name: str) -> Any:
    menu = result_menu(studio.window, image_hash)
    (found,) = [a for a in menu.actions() if a.objectName() == name]
    return found


def _dialog(qtbot: Any, studio: Studio, cls: type, name: str) -> Any:
    """The shown dialog of that class whose object name or title is `name`."""
    found: list[Any] = []

    def shown() -> bool:
        found[:] = [
            w for w in studio.window.findChildren(cls) if w.isVisible() and name in (w.objectName(), w.windowTitle())
        ]
        return bool(found)

    qtbot.waitUntil(shown, timeout=10000)
    return found[0]


def _layerize(qtbot: Any, studio: Studio, source: str) -> str:
    quotes = studio.sandbox.quotes  # (the generate before it was priced by its v2 twin's quote)
    _action(studio, source, "result-layerize").trigger()
    box = _dialog(qtbot, studio, QMessageBox, "Layerize text")
    assert "Cost: $0.090 (exact quote)" in box.text()  # the service's price, before anything is sent
    assert studio.sandbox.quotes == quotes + 1 and len(studio.jobs()) == 1
    (run,) = [b for b in box.buttons() if b.text() == "Layerize"]
    run.click()
    wait_jobs_finished(qtbot, studio, 2)
    job = studio.jobs()[-1]
    assert isinstance(job.request, V2Request) and job.request.endpoint == "/v2/design/layerize/ideogram-3"
    assert job.state.value == "done", job.error
    (base,) = job.result_hashes
    return base


def _export_through_dialog(qtbot: Any, studio: Studio, action: Any, kind: str, target: Path) -> None:
    action.trigger()
    dialog = _dialog(qtbot, studio, QFileDialog, f"export-{kind}-dialog")
    assert Path(dialog.selectedFiles()[0]).name.startswith("Result ")  # named by date and size, not a hash
    dialog.setDirectory(str(target.parent))
    name = dialog.findChild(QLineEdit, "fileNameEdit")  # typed, as the designer would
    name.clear()
    qtbot.keyClicks(name, target.name)
    dialog.accept()
    qtbot.waitUntil(target.exists, timeout=10000)


def test_layerize_then_export_a_layered_psd_and_an_svg(qtbot: Any, studio: Studio, tmp_path: Path) -> None:
    (source,) = generate(qtbot, studio, GenerateRequest(prompt="a poster"), 1)
    base = _layerize(qtbot, studio, source)
    meta = studio.services.gallery.metadata(base)
    assert meta["response"]["text_blocks"][0]["text"] == "SANDBOX"
    assert source in [link.parent for link in studio.services.gallery.parents(base)]

    psd_path = tmp_path / "poster.psd"
    _export_through_dialog(qtbot, studio, _action(studio, base, "result-export-psd"), "psd", psd_path)
    psd = PSDImage.open(psd_path)
    names = [layer.name for layer in psd]
    assert names[0] == BASE_LAYER and names[1].startswith("SANDBOX — Aileron ") and len(names) == 2
    qtbot.waitUntil(lambda: "poster.psd (2 layers)" in studio.window.statusBar().currentMessage(), timeout=5000)

    svg_path = tmp_path / "poster.svg"
    _export_through_dialog(qtbot, studio, _action(studio, base, "result-export-svg"), "svg", svg_path)
    texts = [t.text for t in ET.parse(svg_path).getroot().iter("{http://www.w3.org/2000/svg}text")]
    assert texts == ["SANDBOX"]


def test_the_library_exports_a_psd_of_the_selected_image(qtbot: Any, studio: Studio, tmp_path: Path) -> None:
    (source,) = generate(qtbot, studio, GenerateRequest(prompt="a blue vase"), 1)
    page = studio.window.library.page
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=10000)
    select_row(page, 0)
    qtbot.waitUntil(lambda: page.current_hash() == source, timeout=10000)
    actions = page.library_actions
    assert actions.layerize.isEnabled() and actions.export_svg.isEnabled()
    target = tmp_path / "vase.psd"
    _export_through_dialog(qtbot, studio, actions.export_psd, "psd", target)
    (layer,) = PSDImage.open(target)  # a plain result: one layer, the image
    row = studio.services.gallery.get(source)
    assert row is not None and layer.size == (row.width, row.height)


def test_an_unwritable_folder_is_said_and_nothing_is_left(qtbot: Any, studio: Studio, tmp_path: Path) -> None:
    (source,) = generate(qtbot, studio, GenerateRequest(prompt="a kite"), 1)
    window = studio.window
    export_to(window.controller, source, "psd", tmp_path / "missing" / "kite.psd", window.statusBar().showMessage)
    qtbot.waitUntil(lambda: "cannot be written" in window.statusBar().currentMessage(), timeout=10000)
    assert not (tmp_path / "missing").exists()
