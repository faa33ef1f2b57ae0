"""An empty results strip says what it is for instead of showing a blank box under the viewer."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QColor, QImage
from pytestqt.qtbot import QtBot

from ideogram_studio.gallery import Gallery
from ideogram_studio.ui.common.thumbnail_loader import ThumbnailCache
from ideogram_studio.ui.shell.results_strip import RecentResultsModel, ResultsStrip


def _ink(image: QImage) -> int:
    """How many pixels differ from the strip's background (its top-left corner)."""
    background = image.pixelColor(0, 0)
    return sum(
        image.pixelColor(x, y) != background for y in range(0, image.height(), 2) for x in range(0, image.width(), 2)
    )


def test_the_empty_strip_shows_its_hint_and_a_result_replaces_it(qtbot: QtBot, tmp_path: Path) -> None:
    with Gallery.open(tmp_path / "library") as gallery:
        model = RecentResultsModel(ThumbnailCache(gallery))
        strip = ResultsStrip(model)
        qtbot.addWidget(strip)
        strip.resize(900, strip.height())
        strip.show()
        qtbot.waitExposed(strip)

        empty = strip.viewport().grab().toImage()
        assert _ink(empty) > 100  # the hint's words are drawn

        strip.EMPTY_HINT = ""  # the same strip without its words: nothing but background
        assert _ink(strip.viewport().grab().toImage()) == 0

        strip.EMPTY_HINT = ResultsStrip.EMPTY_HINT
        model.prepend("0" * 64, "a result")
        shown = strip.viewport().grab().toImage()
        assert shown.pixelColor(strip.width() - 20, strip.viewport().height() // 2) == empty.pixelColor(0, 0)
        assert QColor(shown.pixelColor(strip.width() // 2, strip.viewport().height() // 2)) == empty.pixelColor(0, 0)
