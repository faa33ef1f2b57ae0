"""Issue 20, item 2: an imported file's prompt and name are only text, in the real library page —
the detail panel, the grid's tooltip, the large preview's caption — and in the window's results
strip and jobs list: literal (never HTML), bidi-isolated, long values clipped."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QItemSelectionModel, Qt
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from ideogram_studio.gallery import Gallery
from ideogram_studio.ui.common.task_runner import TaskRunner
from ideogram_studio.ui.common.untrusted import FSI, LABEL_CHARS, PDI
from ideogram_studio.ui.library.page import LibraryPage
from ideogram_studio.ui.modes import registry
from tests.core.gallery_fixtures import noise_png, png_with_text

from .helpers import wait_for

RLO = "\u202e"
HOSTILE = (
    f"invoice {RLO}fdp.exe "
    '<a href="https://evil.example/login">Your licence expired: sign in again</a> '
    '<span style="font-size:40px;color:red">URGENT</span> <img src="/usr/share/pixmaps/debian-logo.png">'
)
HOSTILE_NAME = '<h1 style="color:red">URGENT photo.png'  # no slash: a file name


def isolated(text: str, char: str = RLO) -> bool:
    """Every `char` sits inside an isolate (FSI … PDI), so it cannot reorder what is around it."""
    depth = 0
    for c in text:
        if c == FSI:
            depth += 1
        elif c == PDI:
            depth -= 1
        elif c == char and depth <= 0:
            return False
    return True


@pytest.fixture
def hostile_library(tmp_path: Path) -> Iterator[tuple[Gallery, str, str]]:
    """A library with an imported PNG whose prompt is HTML with a link and an override, and a
    result whose prompt is 1 MB."""
    source = tmp_path / "incoming" / HOSTILE_NAME
    source.parent.mkdir()
    source.write_bytes(png_with_text({"parameters": f"{HOSTILE}\nSteps: 20, Seed: 5, Size: 48x40"}))
    gallery = Gallery.open(tmp_path / "library", thumbnail_workers=1)
    ((_, hostile_hash),) = gallery.import_paths([source]).imported
    huge = gallery.store_image(noise_png(48, 40, seed=9), operation="generate",
                               request_fields={"prompt": "a fox " * 180_000}, response_fields={"seed": 1})  # fmt: skip
    yield gallery, hostile_hash, huge.hash
    gallery.close()


@contextlib.contextmanager
def open_page(qtbot: QtBot, gallery: Gallery) -> Iterator[LibraryPage]:
    runner = TaskRunner()
    page = LibraryPage(gallery, runner, send_to=registry.send_to_items(), use_as=registry.use_as_items())
    page.resize(1280, 800)
    page.show()
    qtbot.waitUntil(lambda: page.model.rowCount() == 2, timeout=15000)
    try:
        yield page
    finally:
        page.shutdown()
        wait_for(qtbot, runner.cancel_all())
        page.close()
        page.deleteLater()
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def select(qtbot: QtBot, page: LibraryPage, image_hash: str) -> int:
    assert page.select_hash(image_hash)
    qtbot.waitUntil(lambda: page.detail.current_hash() == image_hash, timeout=10000)
    return page.grid.selectionModel().currentIndex().row()


def value_label(page: LibraryPage, containing: str) -> QLabel:
    labels = [w for w in page.detail.findChildren(QLabel, "value") if containing in w.text()]
    assert labels, f"no field shows {containing!r}"
    return labels[0]


def test_an_imported_prompt_is_shown_as_the_literal_text(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, hostile_library: tuple[Gallery, str, str], tmp_path: Path
) -> None:
    gallery, hostile, _ = hostile_library
    with open_page(qtbot, gallery) as page:
        row = select(qtbot, page, hostile)
        detail = page.detail
        assert detail.field_value("Prompt") == HOSTILE  # every character, none of it formatting
        assert detail.field_value("Original file") == HOSTILE_NAME
        for needle in ("evil.example", "<h1 style"):
            label = value_label(page, needle)
            assert label.textFormat() == Qt.TextFormat.PlainText
            assert isolated(label.text())
        # Nothing in the panel that shows text can render it as HTML.
        for label in detail.findChildren(QLabel):
            if "<" in label.text():
                assert label.textFormat() == Qt.TextFormat.PlainText, label.text()
        grid_tip = page.model.data(page.model.index(row), Qt.ItemDataRole.ToolTipRole)
        assert grid_tip.startswith("<qt>") and "&lt;a href=" in grid_tip and "<a href" not in grid_tip
        assert "&lt;img src=" in grid_tip and "<img" not in grid_tip
        # The large preview (Space): its caption is literal and the override stays inside the prompt.
        page.grid.setFocus()
        page.grid.selectionModel().setCurrentIndex(page.model.index(row), QItemSelectionModel.SelectionFlag.NoUpdate)
        qtbot.keyClick(page.grid, Qt.Key.Key_Space)
        qtbot.waitUntil(lambda: page.preview() is not None and page.preview().isVisible(), timeout=5000)  # type: ignore[union-attr]
        caption = page.preview().findChild(QLabel, "library-preview-caption")  # type: ignore[union-attr]
        qtbot.waitUntil(lambda: "evil.example" in caption.text(), timeout=10000)
        assert caption.textFormat() == Qt.TextFormat.PlainText
        text = caption.text()
        assert isolated(text) and text.index("48×40") < text.index(RLO)
        detail.grab().save(str(tmp_path / "detail.png"))


def test_a_one_megabyte_prompt_is_clipped_where_it_is_shown(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, hostile_library: tuple[Gallery, str, str]
) -> None:
    gallery, _, huge = hostile_library
    with open_page(qtbot, gallery) as page:
        row = select(qtbot, page, huge)
        shown = page.detail.field_value("Prompt") or ""
        assert shown.startswith("a fox a fox") and shown.endswith("…") and len(shown) <= LABEL_CHARS
        tip = page.model.data(page.model.index(row), Qt.ItemDataRole.ToolTipRole)
        assert len(tip) < 2_000
        caption = page.model.data(page.model.index(row), Qt.ItemDataRole.DisplayRole)
        assert len(caption) <= 202


def test_the_results_strip_and_jobs_list_show_prompts_literally(
    qtbot: QtBot, hostile_library: tuple[Gallery, str, str]
) -> None:
    from ideogram_studio.api.requests import GenerateRequest
    from ideogram_studio.jobs.model import Job, JobState
    from ideogram_studio.ui.common.thumbnail_loader import ThumbnailCache
    from ideogram_studio.ui.shell.job_model import job_detail, job_title
    from ideogram_studio.ui.shell.results_strip import RecentResultsModel

    gallery, _, _ = hostile_library
    strip = RecentResultsModel(ThumbnailCache(gallery))
    strip.prepend("h1", HOSTILE)
    tip = strip.data(strip.index(0), Qt.ItemDataRole.ToolTipRole)
    assert tip.startswith("<qt>") and "<a href" not in tip and "&lt;a href=" in tip
    request = GenerateRequest(prompt=HOSTILE)
    job = Job(operation=request.operation, request=request)
    job.state, job.error = JobState.FAILED, f"Ideogram refused the generate request: {HOSTILE}."
    assert isolated(job_title(job)) and isolated(job_detail(job))


# ---- item 1 in the window: export choice, the line in Settings ---------------------------------------


def test_export_offers_pixels_only(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, hostile_library: tuple[Gallery, str, str], tmp_path: Path
) -> None:
    from PIL import Image

    from ideogram_studio.gallery import KEYWORD

    gallery, _, huge = hostile_library
    with open_page(qtbot, gallery) as page:
        select(qtbot, page, huge)
        assert page.library_actions.export.isEnabled() and page.library_actions.export_pixels.isEnabled()
        page.library_actions.export_pixels.trigger()
        dialog = page._dialog
        assert dialog is not None and dialog.isVisible() and "pixels only" in dialog.windowTitle()
        dialog.fileSelected.emit(str(tmp_path / "bare"))
        qtbot.waitUntil(lambda: page.task_bar.report() is not None and not page.session.tasks.busy(), timeout=10000)
        page.library_actions.export.trigger()
        page._dialog.fileSelected.emit(str(tmp_path / "full"))  # type: ignore[union-attr]
        qtbot.waitUntil(lambda: (tmp_path / "full").exists() and not page.session.tasks.busy(), timeout=10000)
    (bare,) = (tmp_path / "bare").iterdir()
    (full,) = (tmp_path / "full").iterdir()
    with Image.open(bare) as img:
        assert KEYWORD not in img.text  # type: ignore[attr-defined]
    with Image.open(full) as img:
        assert KEYWORD in img.text  # type: ignore[attr-defined]


def test_settings_say_what_leaves_with_an_image(qtbot: QtBot, qloop: asyncio.AbstractEventLoop) -> None:
    from ideogram_studio.secrets import MemoryStore
    from ideogram_studio.settings import Settings
    from ideogram_studio.ui.shell.settings_dialog import SettingsDialog

    dialog = SettingsDialog(Settings(), MemoryStore())
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.waitUntil(lambda: not dialog.is_busy(), timeout=10000)  # the keyring answers in a worker thread
    note = dialog.findChild(QLabel, "privacy-note")
    assert note is not None and note.isVisible()
    assert "location, camera, owner and file name are removed" in note.text()
