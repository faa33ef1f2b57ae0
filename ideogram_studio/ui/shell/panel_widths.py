"""Each mode's panel width: the splitter between the mode's panel and the image, remembered per mode
(what the designer dragged it to), given back when the mode shows again, and saved with the layout.

A mode never resized gets the width its form needs, no more (canvas first). Whatever was
remembered, the panel gets at least the width its form needs (never cut at its right edge), and in
a canvas mode the image gets a comfortable width when the panel can give it.
"""

from __future__ import annotations

import json

from PySide6.QtCore import QObject, QSettings, Slot
from PySide6.QtWidgets import QSplitter

#: Where the widths are kept in the window's QSettings: {"generate": 420, ...}.
SETTINGS_KEY = "window/panel_widths"


class PanelWidths(QObject):
    def __init__(self, splitter: QSplitter) -> None:
        super().__init__(splitter)
        self._splitter = splitter
        #: The panel width the designer chose, by mode id.
        self.widths: dict[str, int] = {}
        self._mode: str | None = None
        splitter.splitterMoved.connect(self._on_moved)

    # ---- persistence --------------------------------------------------------------------------
    def restore(self, settings: QSettings) -> None:
        value = settings.value(SETTINGS_KEY)
        try:
            data = json.loads(value) if isinstance(value, str) else {}
        except ValueError:
            data = {}
        if isinstance(data, dict):
            self.widths = {str(k): int(v) for k, v in data.items() if isinstance(v, int) and v > 0}

    def save(self, settings: QSettings) -> None:
        settings.setValue(SETTINGS_KEY, json.dumps(self.widths, sort_keys=True))

    # ---- showing a mode -----------------------------------------------------------------------
    def show_mode(self, mode: str, need: int, canvas_comfort: int = 0) -> None:
        """The splitter for `mode`: its remembered width (or the current one), at least `need`, and
        leaving the image `canvas_comfort` pixels when the panel can spare them."""
        self._mode = mode
        sizes = self._splitter.sizes()
        total = sum(sizes)
        # Before the splitter is laid out its sizes are not the window's (at start the restored
        # state, or the first start's proportions, are what it will take).
        if len(sizes) != 2 or total <= 0 or not self._splitter.isVisible():
            return
        width = max(self.widths.get(mode, need), need)  # (never dragged: its minimum, the rest to the image)
        if canvas_comfort and total - width < canvas_comfort:
            width = max(need, total - canvas_comfort)
        if width != sizes[0]:
            self._splitter.setSizes([width, max(0, total - width)])

    @Slot(int, int)
    def _on_moved(self, position: int, _index: int) -> None:
        if self._mode is not None and position > 0:
            self.widths[self._mode] = self._splitter.sizes()[0]
