"""Dragging results (issue 14): a drag out of the strip, the batch grid or the viewer carries the stored
result's file as a URL, the image and the studio's own hash; the studio's drop zones take it (a mode's
source slot, a reference slot, the mask canvas: empty or painted on) and so do other applications
(they get the file URL and the image)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest
from PySide6.QtCore import QEvent, QMimeData, QPoint, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QImage, QMouseEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from ideogram_studio.api.requests import GenerateRequest
from ideogram_studio.secrets import MemoryStore
from ideogram_studio.ui.modes.reference_zone import ReferenceZone
from ideogram_studio.ui.shell import result_drag
from ideogram_studio.ui.shell.result_drag import result_mime
from ideogram_studio.ui.widgets.image_drop import result_hash

from ..core.privacy_samples import assert_no_life, phone_jpeg
from .helpers import Studio, close_studio, open_studio, results_of


class FakeDrag:
    """Stands in for QDrag: its exec() would run a nested drag loop that only a real pointer ends."""

    made: ClassVar[list[FakeDrag]] = []

    def __init__(self, source: QWidget) -> None:
        self.source = source
        self.mime: QMimeData | None = None
        self.picture = None
        FakeDrag.made.append(self)

    def setMimeData(self, mime: QMimeData) -> None:
        self.mime = mime

    def setPixmap(self, picture: Any) -> None:
        self.picture = picture

    def exec(self, *_actions: Any) -> Qt.DropAction:
        return Qt.DropAction.CopyAction


@pytest.fixture
def studio(qtbot: Any, qloop: asyncio.AbstractEventLoop, tmp_path: Path, monkeypatch: Any) -> Iterator[Studio]:
    FakeDrag.made = []
    monkeypatch.setattr(result_drag, "QDrag", FakeDrag)
    s = open_studio(qtbot, tmp_path, MemoryStore())
    yield s
    close_studio(qtbot, s)


def send(qtbot: Any, studio: Studio, count: int) -> list[str]:
    return results_of(qtbot, studio, GenerateRequest(prompt="a paper boat", num_images=count))


def press_and_drag(
    widget: QWidget, start: QPoint, modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
) -> None:
    """A left press at `start`, then the pointer moved with the button held (two moves: an item view
    enters its dragging state on the first), then released."""
    QTest.mousePress(widget, Qt.MouseButton.LeftButton, modifiers, start)
    for step in (8, 40):
        pos = QPointF(start + QPoint(step, step // 2))
        move = QMouseEvent(
            QEvent.Type.MouseMove, pos, widget.mapToGlobal(pos), Qt.MouseButton.NoButton,
            Qt.MouseButton.LeftButton, modifiers,
        )
        QApplication.sendEvent(widget, move)
    QTest.mouseRelease(widget, Qt.MouseButton.LeftButton, modifiers, start + QPoint(40, 20))


def drop_on(widget: QWidget, mime: QMimeData | None) -> bool:
    """Drag `mime` over `widget` and drop it there, as Qt delivers a drop; True if it was taken."""
    assert mime is not None
    pos = widget.rect().center()
    no_keys = Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(pos, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, no_keys)
    QApplication.sendEvent(widget, enter)
    if not enter.isAccepted():
        return False
    drop = QDropEvent(QPointF(pos), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, drop)
    return drop.isAccepted()


def assert_carries(studio: Studio, mime: QMimeData | None, image_hash: str) -> None:
    assert mime is not None
    stored = studio.services.gallery.path_for(image_hash)
    (url,) = mime.urls()
    copy = Path(url.toLocalFile())
    # Other apps get an exported copy named from the prompt (not the library's hash name), same pixels.
    assert copy.parent.parent == result_drag.drags_folder() and copy.is_file()
    assert copy.name.startswith("a-paper-boat") and image_hash[:10] not in copy.name
    assert QImage(str(copy)) == QImage(str(stored))
    assert mime.hasImage() and QImage(mime.imageData()).size() == QImage(str(stored)).size()
    assert result_hash(mime) == image_hash


def test_a_thumbnail_dragged_out_of_the_strip_carries_the_file_and_the_image(qtbot: Any, studio: Studio) -> None:
    hashes = send(qtbot, studio, 2)
    strip = studio.window.strip
    model = studio.window.recent_model
    row = model.hashes().index(hashes[1])
    qtbot.waitUntil(lambda: strip.visualRect(model.index(row)).width() > 20)
    press_and_drag(strip.viewport(), strip.visualRect(model.index(row)).center())
    qtbot.waitUntil(lambda: len(FakeDrag.made) == 1)
    drag = FakeDrag.made[0]
    assert drag.source is strip
    assert_carries(studio, drag.mime, hashes[1])


def test_a_cell_of_the_batch_grid_drags_out(qtbot: Any, studio: Studio) -> None:
    hashes = send(qtbot, studio, 4)
    area = studio.window.result_area
    qtbot.waitUntil(lambda: area.showing_grid() and area.grid.visualRect(area.model.index(3)).width() > 60)
    press_and_drag(area.grid.viewport(), area.grid.visualRect(area.model.index(3)).center())
    qtbot.waitUntil(lambda: len(FakeDrag.made) == 1)
    fourth = area.model.index(3).data(Qt.ItemDataRole.UserRole + 1)  # the grid lists them as they arrived
    assert fourth in hashes
    assert_carries(studio, FakeDrag.made[0].mime, fourth)


def test_the_viewer_drags_out_a_fitted_image_and_pans_a_zoomed_one_unless_ctrl(qtbot: Any, studio: Studio) -> None:
    (image_hash,) = send(qtbot, studio, 1)
    viewer = studio.window.viewer
    qtbot.waitUntil(lambda: studio.window.shown_image_hash() == image_hash and viewer.has_image(), timeout=5000)
    centre = viewer.viewport().rect().center()
    press_and_drag(viewer.viewport(), centre)  # fitted: nothing to pan, the drag takes the image out
    qtbot.waitUntil(lambda: len(FakeDrag.made) == 1)
    assert FakeDrag.made[0].source is viewer
    assert_carries(studio, FakeDrag.made[0].mime, image_hash)

    viewer.set_zoom(4.0)
    qtbot.waitUntil(lambda: viewer.horizontalScrollBar().maximum() > 0)
    scrolled = viewer.horizontalScrollBar().value()
    press_and_drag(viewer.viewport(), centre)  # zoomed in: a plain drag pans
    assert viewer.horizontalScrollBar().value() != scrolled and len(FakeDrag.made) == 1
    press_and_drag(viewer.viewport(), centre, Qt.KeyboardModifier.ControlModifier)  # Ctrl: out
    qtbot.waitUntil(lambda: len(FakeDrag.made) == 2)


def test_a_dragged_result_lands_in_every_drop_zone(qtbot: Any, studio: Studio) -> None:
    first, second = send(qtbot, studio, 2)
    window = studio.window
    gallery = studio.services.gallery

    def same_pixels(image: QImage, image_hash: str) -> bool:
        stored = QImage(str(gallery.path_for(image_hash)))
        fmt = QImage.Format.Format_RGB32
        return not image.isNull() and image.convertToFormat(fmt) == stored.convertToFormat(fmt)

    # A mode's source slot.
    remix = window.remix_panel
    assert remix.source_picker is not None
    assert drop_on(remix.source_picker, result_mime(studio.services, first))
    qtbot.waitUntil(lambda: remix.source_picker.image() is not None)
    assert same_pixels(remix.source_picker.qimage(), first)

    # A reference slot (Face swap's face).
    face = window.face_swap_panel.findChildren(ReferenceZone)[0]
    assert drop_on(face, result_mime(studio.services, second))
    qtbot.waitUntil(lambda: len(face.images()) == 1)

    # The mask canvas: empty, the result becomes the source; painted on, a result dropped replaces
    # the source (it is never read as a mask).
    edit = window.edit_panel
    canvas = edit.canvas
    assert not canvas.has_image()
    assert drop_on(canvas.viewport(), result_mime(studio.services, first))
    qtbot.waitUntil(canvas.has_image)
    assert same_pixels(edit.source_picker.qimage(), first)  # type: ignore[union-attr]
    assert drop_on(canvas.viewport(), result_mime(studio.services, second))
    qtbot.waitUntil(lambda: same_pixels(edit.source_picker.qimage(), second))  # type: ignore[union-attr]


def test_a_result_gone_from_the_library_makes_no_drag(qtbot: Any, studio: Studio) -> None:
    (image_hash,) = send(qtbot, studio, 1)
    assert result_mime(studio.services, "0" * 64) is None
    path = studio.services.gallery.path_for(image_hash)
    path.unlink()
    done = result_drag.start_result_drag(studio.window.viewer, studio.services, image_hash)
    assert done == Qt.DropAction.IgnoreAction
    assert FakeDrag.made == []


def test_a_dragged_out_photo_leaves_its_place_and_camera_behind(qtbot: Any, studio: Studio, tmp_path: Path) -> None:
    photo = tmp_path / "IMG_2041.jpg"
    photo.write_bytes(phone_jpeg())
    report = studio.services.gallery.import_paths([photo])
    ((_path, image_hash),) = report.imported
    assert b"Pixel 8" in studio.services.gallery.path_for(image_hash).read_bytes()  # the library keeps it whole
    mime = result_mime(studio.services, image_hash)
    assert mime is not None
    (url,) = mime.urls()
    assert_no_life(Path(url.toLocalFile()).read_bytes())  # a drop on a browser's upload sends this on


def test_with_no_room_for_the_copy_the_image_and_its_hash_still_go(
    qtbot: Any, studio: Studio, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (image_hash,) = send(qtbot, studio, 1)
    blocked = tmp_path / "not-a-folder"
    blocked.write_bytes(b"")  # the drags folder cannot be made: as on a full or read-only disk
    monkeypatch.setattr(result_drag, "drags_folder", lambda: blocked / "drags")
    mime = result_mime(studio.services, image_hash)
    assert mime is not None and not mime.hasUrls()
    assert mime.hasImage() and result_hash(mime) == image_hash
    remix = studio.window.mode_panel("remix")
    assert drop_on(remix.source_picker, mime)  # a drop inside the studio still takes it


def test_a_drag_decodes_nothing_until_asked_and_reuses_its_copy_unless_written_over(
    qtbot: Any, studio: Studio, monkeypatch: pytest.MonkeyPatch
) -> None:
    (image_hash,) = send(qtbot, studio, 1)
    decoded: list[Path] = []
    real_decode = result_drag.decode_file
    monkeypatch.setattr(result_drag, "decode_file", lambda path: decoded.append(path) or real_decode(path))
    first = result_mime(studio.services, image_hash)
    assert first is not None and decoded == []  # the drag started without decoding the image
    assert first.hasImage() and decoded == []
    image = QImage(first.imageData())  # a target that takes image data asks: decoded then
    assert len(decoded) == 1 and image == QImage(str(studio.services.gallery.path_for(image_hash)))

    copy = Path(first.urls()[0].toLocalFile())
    written = copy.stat().st_mtime_ns
    again = result_mime(studio.services, image_hash)
    assert again is not None and Path(again.urls()[0].toLocalFile()) == copy
    assert copy.stat().st_mtime_ns == written  # the same copy, not written again

    copy.write_bytes(b"an editor saved over the dropped file")
    third = result_mime(studio.services, image_hash)
    assert third is not None
    fresh = Path(third.urls()[0].toLocalFile())
    assert QImage(str(fresh)) == image  # a fresh export, not what the other application wrote
