"""The Background mode's two choices, through real widgets: Replace (Ideogram 3.0, every field)
or Remove background (a cut-out on transparency of any image given to the mode: the form keeps
only the image, says why for every row it hides, prices it, sends the v2 request; switching back
finds everything typed for Replace). In the real window on the sandbox the cut-out is stored with
alpha."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from PySide6.QtCore import Qt

from ideogram_studio.api import ImageFile, RenderingSpeed
from ideogram_studio.api.requests import ReplaceBackgroundRequest
from ideogram_studio.api.v2_requests import V2Request
from ideogram_studio.secrets import MemoryStore
from ideogram_studio.ui.modes.background import BackgroundPanel
from ideogram_studio.ui.modes.model_fields import ONLY_THE_IMAGE

from .helpers import Studio, close_studio, open_studio, wait_jobs_finished

L = Qt.MouseButton.LeftButton


@pytest.fixture
def panel(qtbot):
    widget = BackgroundPanel()
    qtbot.addWidget(widget)
    widget.resize(460, 900)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def choose(qtbot: Any, panel: BackgroundPanel, model: str) -> None:
    combo = panel.model_row.model_combo
    combo.setFocus()
    while combo.currentData() != model:
        qtbot.keyClick(combo, Qt.Key.Key_Down if combo.currentIndex() < combo.findData(model) else Qt.Key.Key_Up)


def sent(qtbot: Any, panel: BackgroundPanel) -> Any:
    with qtbot.waitSignal(panel.submitted, timeout=2000) as blocker:
        qtbot.mouseClick(panel.send_button, L)
    return blocker.args[0]


def test_remove_keeps_only_the_image_says_why_and_switching_back_keeps_the_rest(qtbot, panel, make_png):
    combo = panel.model_row.model_combo
    assert [combo.itemText(i) for i in range(combo.count())] == ["Replace · Ideogram 3.0", "Remove background"]
    assert panel.set_source(ImageFile.from_path(make_png(size=(64, 48))))
    qtbot.keyClicks(panel.prompt_edit, "a marble counter")
    index = panel.fields.speed_combo.findData(RenderingSpeed.QUALITY.value)
    panel.fields.speed_combo.setCurrentIndex(index)

    choose(qtbot, panel, "ideogram-1")
    assert not panel.prompt_part.isVisible() and panel.prompt_part.toolTip() == ONLY_THE_IMAGE
    for widget in (panel.fields.speed_combo, panel.fields.images_spin, panel.fields.seed_spin,
                   panel.fields.magic_combo):  # fmt: skip
        assert not widget.isVisible() and widget.toolTip() == ONLY_THE_IMAGE
    note = panel.model_row.unused_label
    assert note.text().startswith("Not used by Remove background: speed, number of images, seed, magic prompt")
    assert "new background" in note.text()
    assert panel.source_picker is not None and panel.source_picker.isVisible()
    assert panel.send_button.text() == "Remove background" and panel.send_button.isEnabled()
    assert "$0.01" in panel.cost_label.text()
    request = sent(qtbot, panel)
    assert isinstance(request, V2Request) and request.endpoint == "/v2/image/remove-background/ideogram-1"
    assert request.uploads["image"][0].size == (64, 48) and "prompt" not in request.values

    choose(qtbot, panel, "ideogram-3-v1")
    assert panel.prompt_part.isVisible() and panel.send_button.text() == "Replace background"
    request = sent(qtbot, panel)
    assert isinstance(request, ReplaceBackgroundRequest)
    assert request.prompt == "a marble counter" and request.rendering_speed is RenderingSpeed.QUALITY


def test_remove_without_an_image_says_what_is_missing_and_the_choice_survives_a_restart(qtbot, panel):
    choose(qtbot, panel, "ideogram-1")
    assert not panel.send_button.isEnabled()
    assert "image to cut out" in panel.send_button.toolTip()
    state = panel.state()
    assert state["model"] == "ideogram-1"
    other = BackgroundPanel()
    qtbot.addWidget(other)
    other.restore_state(state)
    assert other.removing()


@pytest.fixture
def studio(qtbot: Any, qloop: asyncio.AbstractEventLoop, tmp_path: Path) -> Iterator[Studio]:
    s = open_studio(qtbot, tmp_path, MemoryStore())
    yield s
    close_studio(qtbot, s)


def test_a_dropped_file_cut_out_in_the_studio_is_stored_with_alpha(qtbot, studio: Studio, make_png) -> None:
    studio.window.set_mode("replace-background")
    panel = studio.window.mode_panel("replace-background")
    assert isinstance(panel, BackgroundPanel)
    panel.set_model("ideogram-1")
    assert panel.set_source(ImageFile.from_path(make_png(size=(96, 64), color=(20, 160, 90))))
    qtbot.mouseClick(panel.send_button, L)
    wait_jobs_finished(qtbot, studio, 1)
    job = studio.jobs()[0]
    assert job.state.value == "done", job.error
    (cut,) = job.result_hashes
    with Image.open(io.BytesIO(studio.services.gallery.read_bytes(cut))) as img:
        assert img.mode == "RGBA" and img.getchannel("A").getextrema()[0] < 255
