"""Comparing (issue 14): any two images, the strip's two selected (Ctrl+click, then C) or the library's,
as a slider or side by side with zoom and pan that follow each other; Esc comes back. And before/after
in the viewer for every mode made from a source: remix, reframe, replace background (edit, face swap
and Precise Edit have theirs from test_image_modes / test_precise_edit)."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageDraw
from PySide6.QtCore import QItemSelectionModel, QPointF, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtTest import QTest

from ideogram_studio.api.images import ImageFile
from ideogram_studio.api.requests import (
    GenerateRequest,
    ReframeRequest,
    RemixRequest,
    ReplaceBackgroundRequest,
    Resolution,
)
from ideogram_studio.secrets import MemoryStore
from ideogram_studio.ui.widgets.compare_view import SIDE_BY_SIDE, SLIDER, CompareView

from .helpers import Studio, close_studio, open_studio, results_of, select_row


@pytest.fixture
def studio(qtbot: Any, qloop: asyncio.AbstractEventLoop, tmp_path: Path) -> Iterator[Studio]:
    s = open_studio(qtbot, tmp_path, MemoryStore())
    yield s
    close_studio(qtbot, s)


def picture(width: int, height: int, colour: str) -> QImage:
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor(colour))
    return image


def source_file() -> ImageFile:
    img = Image.new("RGB", (320, 240), (70, 120, 180))
    ImageDraw.Draw(img).ellipse((100, 50, 200, 170), fill=(230, 190, 150))
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return ImageFile.from_bytes(buf.getvalue(), "source.png")


def test_two_selected_in_the_strip_compare_with_c_and_esc_comes_back(qtbot: Any, studio: Studio) -> None:
    window = studio.window
    first, second = results_of(qtbot, studio, GenerateRequest(prompt="a kite", num_images=2, seed=11))
    area, strip, model = window.result_area, window.strip, window.recent_model
    qtbot.waitUntil(area.showing_grid)
    # Ctrl+click two thumbnails, then C in the strip.
    for image_hash, keys in ((first, Qt.KeyboardModifier.NoModifier), (second, Qt.KeyboardModifier.ControlModifier)):
        rect = strip.visualRect(model.index(model.hashes().index(image_hash)))
        QTest.mouseClick(strip.viewport(), Qt.MouseButton.LeftButton, keys, rect.center())
    assert sorted(strip.selected_hashes()) == sorted([first, second])
    qtbot.waitUntil(lambda: window.shown_image_hash() == second, timeout=5000)  # a click shows its image
    strip.setFocus()
    qtbot.waitUntil(strip.hasFocus)
    QTest.keyClick(strip, Qt.Key.Key_C)
    view = window.compare.view
    qtbot.waitUntil(lambda: area.showing_page() and view.isVisible(), timeout=5000)
    assert view.mode() == SLIDER and view.slider.is_comparing()
    # Named in words (seed and size), never by a hash; both images there.
    rows = [studio.services.gallery.get(h) for h in (first, second)]
    assert sorted(view.names()) == sorted(f"seed {row.seed}" for row in rows if row)  # what tells them apart
    assert not any(h[:8] in view.title.full_text() for h in (first, second))
    a, b = view.images()
    assert not a.isNull() and not b.isNull() and a != b

    # A new result meanwhile does not take the comparison away.
    results_of(qtbot, studio, GenerateRequest(prompt="a second kite", num_images=1))
    qtbot.waitUntil(lambda: area.unseen_count() == 1)
    assert area.showing_page() and view.isVisible()

    QTest.keyClick(view.slider, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not area.showing_page())
    # Back to what showed before: the image the last click opened.
    assert window.viewer.isVisible() and window.shown_image_hash() == second


def test_one_selected_compares_with_the_image_shown_and_none_says_how(qtbot: Any, studio: Studio) -> None:
    window = studio.window
    (older,) = results_of(qtbot, studio, GenerateRequest(prompt="a red door", num_images=1))
    (newer,) = results_of(qtbot, studio, GenerateRequest(prompt="a blue door", num_images=1))
    qtbot.waitUntil(lambda: window.shown_image_hash() == newer, timeout=5000)
    window.strip.clearSelection()
    assert not window.compare.compare_selected()
    assert "Select two images" in window.statusBar().currentMessage()
    model = window.recent_model
    window.strip.selectionModel().select(
        model.index(model.hashes().index(older)), QItemSelectionModel.SelectionFlag.ClearAndSelect
    )
    assert window.compare.selected_pair() == (newer, older)
    assert window.compare.compare_selected()
    qtbot.waitUntil(lambda: window.result_area.showing_page(), timeout=5000)


def test_two_selected_in_the_library_compare(qtbot: Any, studio: Studio) -> None:
    window = studio.window
    hashes = results_of(qtbot, studio, GenerateRequest(prompt="a green chair", num_images=2))
    window.library.show_library(True)
    page = window.library.page
    qtbot.waitUntil(lambda: page.model.rowCount() == 2, timeout=5000)

    def both_selected() -> bool:  # (selected again if the page's first search reset the grid meanwhile)
        if sorted(page.selected_hashes()) != sorted(hashes):
            select_row(page, 0)
            page.grid.selectionModel().select(page.model.index(1, 0), QItemSelectionModel.SelectionFlag.Select)
        return sorted(page.selected_hashes()) == sorted(hashes)

    qtbot.waitUntil(both_selected, timeout=10000)
    page.context_menu.aboutToShow.emit()
    assert window.compare.action.isEnabled()  # (in the library's menu when two are selected)
    assert window.compare.action in page.context_menu.actions()
    page.grid.setFocus()
    qtbot.waitUntil(page.grid.hasFocus)
    QTest.keyClick(page.grid, Qt.Key.Key_C)
    qtbot.waitUntil(lambda: window.result_area.showing_page() and not window.library.is_showing_library(), timeout=5000)
    assert window.compare.view.isVisible()


def test_side_by_side_zoom_and_pan_follow_each_other(qtbot: Any) -> None:
    view = CompareView()
    qtbot.addWidget(view)
    view.resize(900, 500)
    view.show()
    qtbot.waitExposed(view)
    # Two sizes: the right one twice as large (an upscale), so it follows at half the zoom.
    view.set_images(picture(400, 300, "#c04030"), picture(800, 600, "#3070c0"), ("seed 1 · 400×300", "800×600"))
    view.set_mode(SIDE_BY_SIDE)
    left, right = view.views()
    qtbot.waitUntil(lambda: left.isVisible() and right.isVisible())
    assert left.is_fit_mode() and right.is_fit_mode()

    left.set_zoom(2.0)
    assert right.zoom_factor() == pytest.approx(1.0) and not right.is_fit_mode()
    qtbot.waitUntil(lambda: left.horizontalScrollBar().maximum() > 0)
    left.horizontalScrollBar().setValue(left.horizontalScrollBar().maximum())  # pan to the right edge
    left.verticalScrollBar().setValue(0)  # and the top

    def centre(viewer: Any, width: int, height: int) -> tuple[float, float]:
        point = viewer.map_to_image(QPointF(viewer.viewport().rect().center()))
        return point.x() / width, point.y() / height

    lx, ly = centre(left, 400, 300)
    rx, ry = centre(right, 800, 600)
    assert lx > 0.6 and ly < 0.4  # panned away from the middle
    assert rx == pytest.approx(lx, abs=0.02) and ry == pytest.approx(ly, abs=0.02)

    # The other way round, and back to fit together.
    right.set_zoom(4.0)
    assert left.zoom_factor() == pytest.approx(8.0)
    right.fit()
    assert left.is_fit_mode()

    # Swap (M): the second image goes left, in both ways of comparing.
    view.swap()
    assert left.image() is not None and left.image().size().width() == 800
    assert view.names() == ("800×600", "seed 1 · 400×300")


def test_the_slider_names_its_sides_by_the_images(qtbot: Any) -> None:
    view = CompareView()
    qtbot.addWidget(view)
    view.set_images(picture(64, 64, "#000000"), picture(64, 64, "#ffffff"), ("seed 1", "seed 2"))
    assert view.slider.is_comparing()
    assert view.slider._labels == ("seed 1", "seed 2")


@pytest.mark.parametrize(
    "request_obj",
    [
        RemixRequest(image=source_file(), prompt="the same in snow"),
        ReframeRequest(image=source_file(), resolution=Resolution.R_640X1536),
        ReplaceBackgroundRequest(image=source_file(), prompt="a forest"),
    ],
    ids=["remix", "reframe", "replace-background"],
)
def test_a_result_made_from_a_source_shows_before_and_after(qtbot: Any, studio: Studio, request_obj: Any) -> None:
    (result,) = results_of(qtbot, studio, request_obj)
    viewer = studio.window.viewer
    qtbot.waitUntil(lambda: studio.window.shown_image_hash() == result and viewer.is_comparing(), timeout=5000)
    before = viewer.before_image()
    assert before is not None and (before.width(), before.height()) == (320, 240)


def test_a_result_compares_with_its_source_side_by_side(qtbot: Any, studio: Studio) -> None:
    window = studio.window
    (result,) = results_of(qtbot, studio, RemixRequest(image=source_file(), prompt="the same at night"))
    (plain,) = results_of(qtbot, studio, GenerateRequest(prompt="no source here", num_images=1))
    window.compare.compare_with_source(plain)
    qtbot.waitUntil(lambda: "not made from a source" in window.statusBar().currentMessage(), timeout=5000)
    assert not window.result_area.showing_page()

    window.compare.compare_with_source(result)
    view = window.compare.view
    qtbot.waitUntil(lambda: window.result_area.showing_page() and view.isVisible(), timeout=5000)
    assert view.names() == ("Source", "Result")
    source, made = view.images()
    assert (source.width(), source.height()) == (320, 240) and made.size() != source.size()
    view.set_mode(SIDE_BY_SIDE)
    assert view.left.image() is not None and view.left.image().size() == source.size()


def test_strip_keys_mark_every_selected_result(qtbot: Any, studio: Studio) -> None:
    window = studio.window
    hashes = results_of(qtbot, studio, GenerateRequest(prompt="three cups", num_images=3))
    strip, model = window.strip, window.recent_model
    selection = strip.selectionModel()
    for n, image_hash in enumerate(hashes[:2]):
        flag = QItemSelectionModel.SelectionFlag.ClearAndSelect if n == 0 else QItemSelectionModel.SelectionFlag.Select
        selection.select(model.index(model.hashes().index(image_hash)), flag)
    strip.setFocus()
    qtbot.waitUntil(strip.hasFocus)
    QTest.keyClick(strip, Qt.Key.Key_X)
    gallery = studio.services.gallery
    qtbot.waitUntil(lambda: [gallery.get(h).flag for h in hashes] == [-1, -1, 0], timeout=5000)  # type: ignore[union-attr]


def test_the_viewer_caption_leads_with_the_shown_image_marks(qtbot: Any, studio: Studio) -> None:
    window = studio.window
    (image_hash,) = results_of(qtbot, studio, GenerateRequest(prompt="a single pear", num_images=1))
    viewer = window.viewer
    qtbot.waitUntil(lambda: window.shown_image_hash() == image_hash and viewer.has_image(), timeout=5000)
    plain = viewer.caption()
    assert not plain.startswith(("✓", "✕", "★"))
    viewer.setFocus()
    qtbot.waitUntil(viewer.hasFocus)
    QTest.keyClick(viewer, Qt.Key.Key_P)
    QTest.keyClick(viewer, Qt.Key.Key_3)
    qtbot.waitUntil(lambda: viewer.caption() == f"✓ ★★★ · {plain}", timeout=5000)
    # Shown again later, it still says so (read from the library).
    with qtbot.waitSignal(window.controller.image_ready, timeout=5000):
        window.controller.show_image(image_hash)
    qtbot.waitUntil(lambda: viewer.caption() == f"✓ ★★★ · {plain}", timeout=5000)
