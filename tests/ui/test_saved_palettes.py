"""“My palettes” under the palette picker: save, apply from the menu, import .ase, export, refusals."""

from __future__ import annotations

import struct
from pathlib import Path
from typing import Any

from ideogram_studio.api.palette import ColorPalette, PaletteMember
from ideogram_studio.imaging.palette_files import PaletteStore, palettes_from_ase
from ideogram_studio.ui.pickers.palette_picker import PalettePicker


def _picker(qtbot: Any, tmp_path: Path) -> PalettePicker:
    picker = PalettePicker()
    qtbot.addWidget(picker)
    picker.saved.store = PaletteStore(tmp_path / "palettes.json")
    picker.show()
    return picker


def test_save_current_then_apply_from_the_menu(qtbot: Any, tmp_path: Path) -> None:
    picker = _picker(qtbot, tmp_path)
    picker.set_custom([("#112233", 1.0), ("#AABBCC", 0.5)])
    assert picker.saved.save_current_as("  Brand   kit ")
    assert picker._message.text() == "Palette “Brand kit” saved."
    picker.set_value(None)
    menu = picker.saved.menu()
    menu.aboutToShow.emit()
    action = next(a for a in menu.actions() if a.text() == "Brand kit")
    action.trigger()
    value = picker.value()
    assert value == ColorPalette(members=(PaletteMember("#112233", 1.0), PaletteMember("#AABBCC", 0.5)))


def test_nothing_to_save_is_said(qtbot: Any, tmp_path: Path) -> None:
    picker = _picker(qtbot, tmp_path)
    assert not picker.saved.save_current_as("Empty")
    assert picker._message.kind() == "error" and "first" in picker._message.text()


def test_import_ase_from_another_tool_and_export_back(qtbot: Any, tmp_path: Path) -> None:
    picker = _picker(qtbot, tmp_path)

    def name(t: str) -> bytes:
        e = (t + "\0").encode("utf-16-be")
        return struct.pack(">H", len(e) // 2) + e

    body = name("Kit") + b"RGB " + struct.pack(">3f", 1.0, 0.5, 0.0) + b"\0\x02"
    blocks = (struct.pack(">HI", 0xC001, len(name("Client"))) + name("Client")
              + struct.pack(">HI", 1, len(body)) + body + struct.pack(">HI", 0xC002, 0))
    (tmp_path / "kit.ase").write_bytes(b"ASEF" + struct.pack(">HHI", 1, 0, 3) + blocks)
    picker.saved.import_palettes(tmp_path / "kit.ase")
    assert "1 palette(s) imported" in picker._message.text()
    picker.saved.apply("Client")
    assert picker.value() == ColorPalette(members=(PaletteMember("#FF8000"),))
    picker.saved.export_palettes(tmp_path / "out.ase")
    assert [p.name for p in palettes_from_ase((tmp_path / "out.ase").read_bytes())] == ["Client"]
    (tmp_path / "bad.ase").write_bytes(b"nope")
    picker.saved.import_palettes(tmp_path / "bad.ase")
    assert picker._message.kind() == "error" and "not an Adobe Swatch Exchange" in picker._message.text()
