"""The mode registry: each mode once, its panel made on demand and able to take what the registry
says it takes, the menus and "Reuse settings" read from it."""

from __future__ import annotations

import ast
import subprocess
import sys
from typing import Any

import pytest

from ideogram_studio.api.images import ImageFile
from ideogram_studio.api.requests import ALL_REQUESTS, Operation
from ideogram_studio.ui.modes import registry
from ideogram_studio.ui.modes.edit import MaskedPanel
from ideogram_studio.ui.modes.mode_panel import ModePanel
from ideogram_studio.ui.modes.registry import MODES, IntakeKind

from ..core.helpers import png_bytes


def test_each_mode_once_with_alt_1_to_6_in_button_order() -> None:
    assert len({m.id for m in MODES}) == len(MODES) == 6
    assert [m.shortcut for m in MODES] == [f"Alt+{i}" for i in range(1, 7)]
    keys = [i.key for m in MODES for i in m.intakes]
    assert len(set(keys)) == len(keys)
    orders = [i.order for m in MODES for i in m.intakes]
    assert sorted(orders) == list(range(1, len(orders) + 1))
    assert registry.DEFAULT_MODE == "generate"


@pytest.mark.parametrize("mode", MODES, ids=lambda m: m.id)
def test_the_factory_makes_a_panel_that_takes_what_the_registry_says(qtbot: Any, mode: registry.Mode) -> None:
    panel = mode.create_panel(None)
    qtbot.addWidget(panel)
    assert isinstance(panel, ModePanel)
    # Its jobs are stored under the operation "Reuse settings" opens this mode for.
    stored_as = panel.operation_label or panel.request_class.operation.value
    assert stored_as == mode.reuses
    assert isinstance(panel, MaskedPanel) == mode.paints_mask
    image = ImageFile.from_bytes(png_bytes(64, 48), "in.png")
    for intake in mode.intakes:
        if intake.kind is IntakeKind.SOURCE:
            assert panel.set_source(image, None)
            assert panel.source_picker is not None and panel.source_picker.image() is not None
        elif intake.kind is IntakeKind.CHARACTER:
            assert panel.set_character(image)
        else:
            assert panel.add_style_reference(image)
    # A mode without a character intake refuses a character rather than dropping it silently.
    if not any(i.kind is IntakeKind.CHARACTER for i in mode.intakes):
        assert not panel.set_character(image)


def test_the_menus_read_the_registry_in_the_order_designers_know() -> None:
    assert registry.send_to_items() == [
        ("edit", "Edit"),
        ("remix", "Remix"),
        ("reframe", "Reframe"),
        ("replace-background", "Replace background"),
        ("face-swap", "Face swap (the photo)"),
    ]
    assert registry.use_as_items() == [("face-swap-character", "Face-swap character"),
                                       ("style-reference", "Style reference")]
    texts = [intake.menu_text() for _m, intake in registry.targets()]
    assert texts[0] == "Send to Edit" and texts[-2:] == ["Use as face-swap character", "Use as style reference"]
    mode, intake = registry.target("face-swap-character") or (None, None)
    assert mode is not None and mode.id == "face-swap" and intake is not None and not intake.is_source
    assert registry.target("nowhere") is None


def test_reuse_finds_the_mode_of_every_operation_a_mode_makes() -> None:
    reusable = {op.value: registry.mode_for_reuse(op.value) for op in Operation}
    assert {op: m.id for op, m in reusable.items() if m is not None} == {
        "generate": "generate",
        "remix": "remix",
        "edit": "edit",
        "reframe": "reframe",
        "replace-background": "replace-background",
    }
    face_swap = registry.mode_for_reuse("face-swap")
    assert face_swap is not None and face_swap.id == "face-swap"
    # Every request type a mode sends has a mode to be reused in.
    sent = {cls.operation.value for cls in ALL_REQUESTS} & {m.reuses for m in MODES}
    assert sent == {m.reuses for m in MODES} - {"face-swap"}


def test_reading_the_registry_imports_no_panel_and_no_api() -> None:
    code = (
        "import sys, ideogram_studio.ui.modes.registry as r; r.MODES; r.targets();"
        "print(sorted(m for m in sys.modules if m.startswith(('ideogram_studio.ui', 'ideogram_studio.api'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    loaded = ast.literal_eval(out)
    assert loaded == ["ideogram_studio.ui", "ideogram_studio.ui.modes", "ideogram_studio.ui.modes.registry"]
