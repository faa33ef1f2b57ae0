"""Usable first, for imports (issue 15): the window's shell and the restored mode's panel
(MainWindow.open_frame) take typing without loading what only a later step needs: Pillow (read
when an image is first opened), asyncio and qasync (loaded in a worker thread once Qt's loop
runs: app._run_loops), the services' modules (HTTP client, keyring, the library's index), the
result viewer (made by attach(): ui/widgets/empty_view.py stands in), the log file's handler, the API's
response types, the preset picker's "Mine" tab and the source image picker; nor the modules of the
Generate form's rows, made once the prompt has been painted."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

#: Loaded later, never on the way to a prompt that takes typing.
LATER = (
    "PIL", "asyncio", "qasync", "httpx", "keyring", "ideogram_studio.gallery", "ideogram_studio.services",
    "ideogram_studio.ui.widgets.viewer",  # (the empty viewer's look stands in until attach())
    "logging.handlers",  # (the log file opens once the prompt takes typing: records are held until then)
    "ideogram_studio.api.responses", "ideogram_studio.api.v2_responses",  # (api/__init__ is lazy; quotes come later)
    "ideogram_studio.ui.pickers.mine_tab",  # (made with the preset picker)
    "ideogram_studio.ui.modes.source_image",  # (the modes with a source image: not Generate)
    "importlib.resources",  # (the package data is read from the package's folder: resources/__init__.py)
    "ideogram_studio.api.structured_layout",  # (with the first layout or Expand)
    "ideogram_studio.ui.common.image_decode",  # (with the first reference image)
    "ideogram_studio.ui.pickers.palette_picker",  # (with the picker: the Style row reads ui/pickers/palette_look)
    # The Generate form's rows come after its first paint (ModePanel.rows_left), their widgets' modules with them.
    "ideogram_studio.ui.pickers.shape_picker", "ideogram_studio.ui.modes.reference_zone",
    "ideogram_studio.ui.modes.style_choices", "ideogram_studio.ui.pickers.preset_previews",
    "ideogram_studio.ui.pickers.palette_look",
    # The form's first check comes with its rows: the price tables (and decimal), the quote line, the advice.
    "decimal", "ideogram_studio.api.pricing", "ideogram_studio.api.v2_pricing", "ideogram_studio.api.v1_quotes",
    "ideogram_studio.ui.modes.quote_line", "ideogram_studio.ui.modes.generate_advice",
)  # fmt: skip
#: Loaded after the window's first frame (the shell, app._main's way to it): the icons' SVG module
#: (theme.py imports its icon classes with the first icon), OpenSSL's hashes (the single-instance
#: check uses Python's own SHA-256).
AFTER_THE_FIRST_FRAME = ("PySide6.QtSvg", "_hashlib")

SCRIPT = """
import sys
from pathlib import Path
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

app = QApplication([])
from ideogram_studio.logs import hold_records
hold_records()  # (as the app starts)
from ideogram_studio.settings import Settings
from ideogram_studio.ui.common import theme
from ideogram_studio.ui.shell.single_instance import hand_over

theme.apply_theme(app, "system")
assert not hand_over(Path(sys.argv[2]), [])
from ideogram_studio.ui.shell.main_window import MainWindow

window = MainWindow(ui_settings=QSettings(sys.argv[1], QSettings.Format.IniFormat))
window.show()
app.processEvents()
print(sorted(name for name in sys.modules if name in sys.argv[3].split(",")))
panel = window.open_frame(Settings(data_dir=sys.argv[2]), rows_later=True)  # (as app._main opens it)
panel.prompt_edit.setFocus()
app.processEvents()
assert panel.objectName() == "mode-generate" and panel.prompt_edit.isVisible()
later = sys.argv[4:]
print(sorted(name for name in sys.modules if any(name == n or name.startswith(n + ".") for n in later)))
"""


def test_the_first_panel_is_made_without_pillow_asyncio_or_the_services(tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path / "ui.ini"), str(tmp_path / "library"),
         ",".join(AFTER_THE_FIRST_FRAME), *LATER],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    *_, before_the_panel, before_typing = result.stdout.strip().splitlines()
    assert ast.literal_eval(before_the_panel) == []
    assert ast.literal_eval(before_typing) == []
