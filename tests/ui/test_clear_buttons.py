"""The form's one-line fields get their clear button (×) when they first hold text
(field_widgets.clear_button_once_filled): the process's first clear button costs ~10 ms, which the
first form no longer pays before it takes typing. An empty field looks the same without it; a field
with text has it, typed or restored."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QLineEdit

from ideogram_studio.api.requests import GenerateRequest
from ideogram_studio.ui.modes.generate import GeneratePanel


def _panel(qtbot: Any) -> GeneratePanel:
    panel = GeneratePanel()
    qtbot.addWidget(panel)
    panel.resize(460, 900)
    panel.show()
    qtbot.waitExposed(panel)
    return panel


def test_the_clear_button_comes_with_the_first_text_typed_or_restored(qtbot: Any) -> None:
    panel = _panel(qtbot)
    for edit in (panel.style_codes_edit, panel.custom_model_edit):
        assert not edit.isClearButtonEnabled()
    qtbot.keyClicks(panel.style_codes_edit, "AAFF5733")
    assert panel.style_codes_edit.isClearButtonEnabled()
    panel.style_codes_edit.clear()  # (stays: as it was before, once a field had shown one)
    assert panel.style_codes_edit.isClearButtonEnabled()
    assert not panel.custom_model_edit.isClearButtonEnabled()

    reused = _panel(qtbot)
    reused.set_request(GenerateRequest(prompt="a fox", style_codes=("AAFF5733",)))
    assert reused.style_codes_edit.text() and reused.style_codes_edit.isClearButtonEnabled()
    assert not reused.custom_model_edit.isClearButtonEnabled()


def test_an_empty_field_looks_the_same_without_it(qtbot: Any) -> None:
    panel = _panel(qtbot)
    edit = panel.style_codes_edit
    twin = QLineEdit()
    qtbot.addWidget(twin)
    twin.setPlaceholderText(edit.placeholderText())
    twin.setFont(edit.font())
    twin.setPalette(edit.palette())
    twin.resize(edit.size())
    twin.show()
    qtbot.waitExposed(twin)
    before = twin.grab().toImage()
    twin.setClearButtonEnabled(True)
    assert twin.grab().toImage() == before
    assert not edit.isClearButtonEnabled()
