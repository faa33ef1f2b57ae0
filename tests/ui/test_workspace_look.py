"""A design tool's look (issue 14): icons on the modes and the mask tools, drawn in the theme's
colour (redrawn for dark); Face swap starts with one reference slot; an empty mask canvas says where
the photo comes from and takes a dropped file; Reframe lists the largest size first and picks it;
a long caption in the viewer is cut with "…" and shown whole in the tooltip."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QMimeData, QPoint, QRect, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QImage
from PySide6.QtWidgets import QApplication, QLineEdit, QToolButton

from ideogram_studio.api.enums import AspectRatio, Resolution, size_of
from ideogram_studio.secrets import MemoryStore
from ideogram_studio.ui.common import theme
from ideogram_studio.ui.modes import registry
from ideogram_studio.ui.widgets.viewer import ImageViewer

from .helpers import Studio, close_studio, open_studio


@pytest.fixture
def light(qapp: QApplication) -> Iterator[QApplication]:
    theme.apply_theme(qapp, "light")
    yield qapp
    theme.apply_theme(qapp, "light")


@pytest.fixture
def studio(qtbot: Any, qloop: asyncio.AbstractEventLoop, tmp_path: Path, light: QApplication) -> Iterator[Studio]:
    s = open_studio(qtbot, tmp_path, MemoryStore())
    yield s
    close_studio(qtbot, s)


def ink(image: QImage) -> set[str]:
    """The colours of an icon's opaque pixels."""
    return {
        image.pixelColor(x, y).name()
        for y in range(image.height())
        for x in range(image.width())
        if image.pixelColor(x, y).alpha() == 255
    }


def test_every_mode_has_its_icon_above_its_name_redrawn_for_dark(studio: Studio, light: QApplication) -> None:
    window = studio.window
    toolbar = window.modes_toolbar
    assert toolbar.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonTextUnderIcon
    actions = [a for a in toolbar.actions() if a.data() in {m.id for m in registry.MODES}]
    assert [a.text() for a in actions] == [m.name for m in registry.MODES]
    light_ink = {}
    for action in actions:
        assert not action.icon().isNull(), action.text()
        button = toolbar.widgetForAction(action)
        assert isinstance(button, QToolButton) and button.isVisible()
        light_ink[action.text()] = ink(action.icon().pixmap(24, 24).toImage())
        assert light_ink[action.text()] == {theme.LIGHT.colors["icon"]}, action.text()
    theme.apply_theme(light, "dark")
    for action in actions:
        assert ink(action.icon().pixmap(24, 24).toImage()) == {theme.DARK.colors["icon"]}, action.text()


@pytest.mark.parametrize("mode", ["edit", "face-swap"])
def test_the_mask_tools_are_an_icon_palette(studio: Studio, light: QApplication, mode: str) -> None:
    window = studio.window
    window.set_mode(mode)
    editor = window._canvas_pages[mode]
    buttons = editor.tool_buttons
    drawn = ["brush", "eraser", "rect", "lasso", "invert", "clear", "fill", "undo", "redo"]
    for name in drawn:
        button = buttons[name]
        assert not button.icon().isNull(), name
        assert button.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonIconOnly, name
        assert "(" in button.toolTip(), f"{name}'s tooltip names its keys"  # "Brush: paint… (B)"
    for name in ("subtract", "show", "fit", "actual_size", "load", "save"):
        assert buttons[name].toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonTextOnly, name
    before = ink(buttons["brush"].icon().pixmap(20, 20).toImage())
    theme.apply_theme(light, "dark")
    assert ink(buttons["brush"].icon().pixmap(20, 20).toImage()) != before


def test_face_swap_starts_with_one_reference_slot(studio: Studio, make_png: Any) -> None:
    window = studio.window
    window.set_mode("face-swap")
    panel = window.face_swap_panel
    assert panel.character_refs.isVisible()
    assert not panel.mask_column.isVisible() and not panel.character_mask.isVisible()
    panel.character_refs.add_paths([str(make_png("face.png", (64, 64)))])
    assert panel.mask_column.isVisible()  # its optional mask, once there is a face to mask
    panel.character_refs.clear()
    assert not panel.mask_column.isVisible()


@pytest.mark.parametrize("mode", ["edit", "face-swap"])
def test_an_empty_canvas_says_where_the_photo_comes_from(
    qtbot: Any, studio: Studio, make_png: Any, mode: str
) -> None:
    window = studio.window
    window.set_mode(mode)
    canvas = window.mode_panel(mode).canvas
    title, hint = canvas.empty_text()
    assert title.startswith("Drop ") and "paste" in hint and "Open…" in hint
    painted = canvas.viewport().grab().toImage()
    canvas.set_empty_text("")
    blank = canvas.viewport().grab().toImage()
    assert painted != blank  # the words are painted on the empty canvas
    canvas.set_empty_text(title, hint)

    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(make_png("photo.png", (80, 60))))])
    enter = QDragEnterEvent(QPoint(20, 20), Qt.DropAction.CopyAction, mime, Qt.MouseButton.NoButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(canvas.viewport(), enter)
    assert enter.isAccepted()  # a photo may be dropped on the empty canvas


def test_reframe_lists_the_largest_size_first_and_picks_it(studio: Studio) -> None:
    window = studio.window
    window.set_mode("reframe")
    selector = window.reframe_panel.resolution_selector
    assert selector.value() is Resolution.R_1344X768  # the largest 16:9 size
    for aspect in (AspectRatio.AR_16X9, AspectRatio.AR_1X1, AspectRatio.AR_2X1, AspectRatio.AR_9X16):
        selector.choose_aspect(aspect)
        combo = selector.combo()
        listed = [Resolution(combo.itemData(i, Qt.ItemDataRole.UserRole + 1)) for i in range(combo.count())]
        pixels = [size_of(r)[0] * size_of(r)[1] for r in listed]
        assert pixels == sorted(pixels, reverse=True), aspect
        assert selector.value() is listed[0], aspect
        texts = [combo.itemText(i) for i in range(combo.count())]
        assert "largest" in texts[0] and all("largest" not in t for t in texts[1:])
        assert all(("exactly" in t) or ("a little" in t) for t in texts), texts
        assert all("MP" not in t and "(" not in t for t in texts), texts  # plain words
        assert all(combo.itemData(i, Qt.ItemDataRole.ToolTipRole) for i in range(combo.count()))


def test_a_long_caption_is_cut_with_an_ellipsis_and_shown_whole_in_the_tooltip(qtbot: Any, light: QApplication) -> None:
    viewer = ImageViewer()
    qtbot.addWidget(viewer)
    viewer.resize(420, 300)
    viewer.show()
    image = QImage(200, 100, QImage.Format.Format_RGB32)
    image.fill(Qt.GlobalColor.darkGray)
    caption = "A risograph poster for a jazz night, the words BLUE NOTE in bold letters, deep blue and orange"
    viewer.set_image(image, caption=caption)
    viewer.viewport().grab()  # a paint: the badges are laid out
    assert viewer.viewport().toolTip() == caption
    viewer.set_image(image, caption="Short")
    viewer.viewport().grab()
    assert viewer.viewport().toolTip() == ""


def test_a_long_value_is_cut_in_the_middle_and_whole_once_focused(qtbot: Any) -> None:
    """A hash or a path in the library's detail panel: '…' where it is cut, whole when focused
    (to select and copy), and its text() is always the whole value."""
    from PySide6.QtWidgets import QVBoxLayout, QWidget

    from ideogram_studio.ui.widgets.elided_field import ElidedField

    value = "images/83/837f192de1dbadbd7792f10827c9" + "0123456789abcdef" * 4 + ".png"
    host = QWidget()
    qtbot.addWidget(host)
    layout = QVBoxLayout(host)
    field = ElidedField(value, host)
    other = ElidedField("short", host)
    layout.addWidget(field)
    layout.addWidget(other)
    host.resize(220, 80)
    host.show()
    qtbot.waitExposed(host)
    qtbot.waitUntil(field.is_elided)
    shown = QLineEdit.text(field)
    assert "…" in shown and shown.startswith("images/") and shown.endswith(".png")
    assert field.fontMetrics().horizontalAdvance(shown) <= field.width()
    assert field.text() == value and not other.is_elided()
    field.setFocus()
    qtbot.waitUntil(lambda: not field.is_elided())
    assert QLineEdit.text(field) == value
    other.setFocus()
    qtbot.waitUntil(field.is_elided)
    host.resize(2000, 80)
    qtbot.waitUntil(lambda: not field.is_elided())


def test_a_pop_up_opened_at_the_screens_edge_stays_whole_on_it(qtbot: Any) -> None:
    """The Upscale pop-up of the library's detail panel (at the window's right edge, low on the
    screen) is moved left and above its button rather than run off the screen."""
    from PySide6.QtWidgets import QFrame, QPushButton

    from ideogram_studio.ui.widgets.on_screen import place_under

    host = QPushButton("Upscale…")
    qtbot.addWidget(host)
    host.show()
    qtbot.waitExposed(host)
    area = host.screen().availableGeometry()
    host.move(area.right() - host.width() - 4, area.bottom() - host.height() - 4)
    qtbot.waitUntil(lambda: host.mapToGlobal(QPoint(0, 0)).x() > area.right() - host.width() - 40)
    popup = QFrame(host, Qt.WindowType.Popup)
    popup.resize(360, 240)
    where = place_under(popup, host)
    assert area.contains(QRect(where, popup.size())), (where, popup.size(), area)
    assert where.y() + popup.height() <= host.mapToGlobal(QPoint(0, 0)).y()  # above its button

    host.move(area.left() + 10, area.top() + 10)  # with room: right under the button, as before
    qtbot.waitUntil(lambda: host.mapToGlobal(QPoint(0, 0)).x() < area.left() + 40)
    assert place_under(popup, host) == host.mapToGlobal(host.rect().bottomLeft())
