"""The image workflows in the studio window, on the in-process sandbox, from the real panels:
Edit (the mask painted with real mouse events: the result differs from the source only where it
was painted), Face swap (one character reference, priced as such, stored as a face swap), Remix
(image weight), Reframe (the chosen resolution, the source where the preview put it), Replace
background, reuse of an Edit job (every field and every byte), "Send to…" with lineage, and bad
input that loses nothing."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageChops, ImageDraw, ImageOps
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest

from ideogram_studio.api import limits
from ideogram_studio.api.enums import (
    AspectRatio,
    MagicPrompt,
    PalettePreset,
    RenderingSpeed,
    Resolution,
    StylePreset,
    StyleType,
    size_of,
)
from ideogram_studio.api.images import ImageFile, encode_png
from ideogram_studio.api.palette import ColorPalette
from ideogram_studio.api.pricing import CHARACTER_REFERENCE, STANDARD
from ideogram_studio.api.requests import (
    EditRequest,
    GenerateRequest,
    ReframeRequest,
    RemixRequest,
    ReplaceBackgroundRequest,
)
from ideogram_studio.imaging.mask_export import EMPTY_MASK
from ideogram_studio.imaging.reframe_layout import place
from ideogram_studio.jobs import JobState
from ideogram_studio.secrets import MemoryStore
from ideogram_studio.ui.mask.canvas import MaskCanvas
from ideogram_studio.ui.mask.layer import coverage_to_pil
from ideogram_studio.ui.modes.edit import MaskedPanel

from .helpers import Studio, close_studio, open_studio, wait_for, wait_jobs_finished

L = Qt.MouseButton.LeftButton
NO_MOD = Qt.KeyboardModifier.NoModifier
CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def studio(qtbot: Any, qloop: asyncio.AbstractEventLoop, tmp_path: Path) -> Iterator[Studio]:
    s = open_studio(qtbot, tmp_path, MemoryStore())
    yield s
    close_studio(qtbot, s)


# ---- helpers ----------------------------------------------------------------------------------


def photo(size: tuple[int, int] = (320, 240)) -> Image.Image:
    """A picture with structure (sky, ground, a face-like oval), so changes show."""
    w, h = size
    img = Image.new("RGB", size, (70, 120, 180))
    draw = ImageDraw.Draw(img)
    draw.rectangle((0, h * 2 // 3, w, h), fill=(90, 160, 80))
    draw.ellipse((w // 3, h // 5, w // 3 + w // 4, h // 5 + h // 2), fill=(230, 190, 150))
    return img


def png_path(tmp_path: Path, name: str, img: Image.Image) -> Path:
    path = tmp_path / name
    img.save(path, format="PNG")
    return path


def image_file(img: Image.Image, name: str = "image.png") -> ImageFile:
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return ImageFile.from_bytes(buf.getvalue(), name)


def paint(canvas: MaskCanvas, points: list[tuple[float, float]]) -> None:
    """One brush stroke with real mouse events on the canvas's viewport (image coordinates)."""
    viewport = canvas.viewport()
    hits = [canvas.map_from_image(QPointF(x, y)).toPoint() for x, y in points]
    QTest.mousePress(viewport, L, NO_MOD, hits[0])
    for p in hits[1:]:
        QTest.mouseMove(viewport, p)
    QTest.mouseRelease(viewport, L, NO_MOD, hits[-1])


def line(a: tuple[float, float], b: tuple[float, float], n: int = 12) -> list[tuple[float, float]]:
    return [(a[0] + (b[0] - a[0]) * i / n, a[1] + (b[1] - a[1]) * i / n) for i in range(n + 1)]


def stored(studio: Studio, image_hash: str) -> Image.Image:
    return Image.open(io.BytesIO(studio.services.gallery.read_bytes(image_hash))).convert("RGB")


def only_job(qtbot: Any, studio: Studio, count: int = 1) -> Any:
    wait_jobs_finished(qtbot, studio, count)
    job = studio.jobs()[count - 1]
    assert job.state is JobState.DONE, job.error
    return job


def open_mode(studio: Studio, mode: str) -> None:
    action = next(a for a in studio.window._mode_group.actions() if a.data() == mode)
    action.trigger()
    assert studio.window.current_mode() == mode


# ---- Edit -------------------------------------------------------------------------------------


def test_edit_changes_only_what_was_painted(qtbot: Any, studio: Studio, tmp_path: Path) -> None:
    w = studio.window
    open_mode(studio, "edit")
    panel = w.edit_panel
    source_path = png_path(tmp_path, "portrait.png", photo())
    assert panel.source_picker is not None and panel.source_picker.load_path(source_path)
    assert w.is_showing_canvas() and panel.canvas.image_size().width() == 320
    panel.canvas.set_brush_size(24)
    paint(panel.canvas, line((120, 100), (220, 100)))
    qtbot.keyClicks(panel.prompt_edit, "a red knitted hat")
    qtbot.waitUntil(lambda: panel.send_button.isEnabled(), timeout=3000)
    qtbot.mouseClick(panel.send_button, L)
    job = only_job(qtbot, studio)

    request = job.request
    assert isinstance(request, EditRequest) and request.image is not None and request.mask is not None
    assert request.image.data == source_path.read_bytes()  # the file's own bytes
    mask = request.mask.pil()
    histogram = mask.histogram()
    assert mask.mode == "L" and mask.size == (320, 240)
    assert {v for v in range(256) if histogram[v]} == {0, 255}
    assert mask.getpixel((170, 100)) == 0 and mask.getpixel((5, 5)) == 255  # black = what was painted

    source = photo()
    result = stored(studio, job.result_hashes[0])
    assert result.size == source.size
    keep = mask.point(lambda v: 255 if v == 255 else 0)
    change = ImageChops.invert(keep)
    diff = ImageChops.difference(result, source).convert("L")
    outside = ImageChops.multiply(diff, keep)
    assert outside.getbbox() is None  # identical wherever the mask says keep
    inside = ImageChops.multiply(diff.point(lambda v: 255 if v else 0), change)
    assert inside.getbbox() is not None and inside.histogram()[255] > 0.9 * change.histogram()[255]

    # stored with lineage, shown before/after
    parents = studio.services.gallery.parents(job.result_hashes[0])
    assert {(p.role, p.parent) for p in parents} >= {("image", job.input_hashes["image"][0])}
    assert any(p.role == "mask" for p in parents)
    qtbot.waitUntil(lambda: w.viewer.is_comparing(), timeout=5000)
    assert not w.is_showing_canvas() and w.shown_image_hash() == job.result_hashes[0]
    before = w.viewer.before_image()
    assert before is not None and (before.width(), before.height()) == (320, 240)
    assert w.shown_image_hash() == job.result_hashes[0]


def test_edit_refuses_an_empty_mask_at_the_mask(qtbot: Any, studio: Studio) -> None:
    open_mode(studio, "edit")
    panel = studio.window.edit_panel
    panel.set_source(image_file(photo()))
    qtbot.keyClicks(panel.prompt_edit, "anything")
    assert not panel.send_button.isEnabled() and EMPTY_MASK in panel.send_button.toolTip()
    with qtbot.assertNotEmitted(panel.submitted):  # a send starts synchronously from the key press
        QTest.keyClick(panel.prompt_edit, Qt.Key.Key_Return, CTRL)
    assert panel.mask_message().isVisible() and panel.mask_message().text() == EMPTY_MASK
    assert studio.jobs() == []


def test_edit_shows_rule_errors_at_the_field(qtbot: Any, studio: Studio) -> None:
    open_mode(studio, "edit")
    panel = studio.window.edit_panel
    panel.set_source(image_file(photo()))
    paint(panel.canvas, line((100, 100), (150, 100)))
    qtbot.keyClicks(panel.prompt_edit, "a hat")
    fields = panel.fields
    assert fields is not None
    fields.sections()["style_codes"].set_expanded(True)
    qtbot.keyClicks(fields.style_codes_edit, "NOTHEX!!")
    qtbot.waitUntil(lambda: not panel.send_button.isEnabled(), timeout=2000)
    assert panel.field_message("style_codes").isVisible()
    assert "8 hexadecimal" in panel.field_message("style_codes").text()
    assert panel.blocker_label.isVisible()


def test_paste_on_the_canvas_sets_the_source(qtbot: Any, studio: Studio) -> None:
    from PySide6.QtGui import QGuiApplication, QImage

    open_mode(studio, "edit")
    panel = studio.window.edit_panel
    image = QImage(120, 80, QImage.Format.Format_RGB32)
    image.fill(Qt.GlobalColor.darkMagenta)
    QGuiApplication.clipboard().setImage(image)
    panel.canvas.setFocus()
    QTest.keyClick(panel.canvas, Qt.Key.Key_V, CTRL)
    assert panel.source_picker is not None and panel.source_picker.image() is not None
    assert panel.canvas.image_size().width() == 120
    paint(panel.canvas, line((20, 40), (100, 40)))
    qtbot.keyClicks(panel.prompt_edit, "stripes")
    panel.canvas.setFocus()
    QTest.keyClick(panel.canvas, Qt.Key.Key_Return, CTRL)  # Ctrl+Enter sends from the canvas too
    assert only_job(qtbot, studio).request.prompt == "stripes"


def test_a_new_source_keeps_the_mask_if_the_size_is_the_same(qtbot: Any, studio: Studio) -> None:
    open_mode(studio, "edit")
    panel = studio.window.edit_panel
    panel.set_source(image_file(photo()))
    paint(panel.canvas, line((60, 60), (200, 60)))
    painted = coverage_to_pil(panel.canvas.mask_qimage()).tobytes()
    exported = panel.canvas.export_mask()
    panel.set_source(image_file(photo().transpose(Image.Transpose.FLIP_LEFT_RIGHT)))
    assert coverage_to_pil(panel.canvas.mask_qimage()).tobytes() == painted
    assert "kept" in panel.restore_label().text()

    # another size: cleared, with the old image and mask one click away
    panel.set_source(image_file(photo((200, 200))))
    assert panel.canvas.coverage_ratio() == 0
    assert panel.restore_label().isVisible() and "Put back" in panel.restore_label().text()
    assert panel.restore_previous()
    assert panel.canvas.image_size().width() == 320
    assert panel.canvas.export_mask() == exported  # the mask the API gets is the same, pixel for pixel


# ---- Face swap --------------------------------------------------------------------------------


def test_face_swap_sends_one_character_reference(qtbot: Any, studio: Studio, tmp_path: Path) -> None:
    open_mode(studio, "face-swap")
    panel = studio.window.face_swap_panel
    assert panel.prompt_text() == "the same person, same pose, same lighting"
    # A form never used starts at Settings' default speed (issue 14), priced with the character reference.
    start = CHARACTER_REFERENCE[RenderingSpeed(studio.services.settings.default_rendering_speed)]
    assert f"{start:.2f}" in panel.cost_label.text() and "character" in panel.cost_label.text()
    panel.set_source(image_file(photo()))
    paint(panel.canvas, line((120, 90), (170, 120)))
    assert not panel.send_button.isEnabled()  # the face to use is missing
    face = png_path(tmp_path, "face.png", photo((128, 128)))
    assert panel.character_refs.add_paths([str(face)]) == 1
    fields = panel.fields
    assert fields is not None
    fields.speed_combo.setCurrentIndex(fields.speed_combo.findData(RenderingSpeed.TURBO.value))
    fields.images_spin.setValue(2)
    assert "0.20" in panel.cost_label.text()  # 2 × $0.10
    QTest.keyClick(panel.prompt_edit, Qt.Key.Key_Return, CTRL)
    job = only_job(qtbot, studio)

    request = job.request
    assert isinstance(request, EditRequest)
    assert [f.data for f in request.character_reference_images] == [face.read_bytes()]
    assert job.estimated_cost == CHARACTER_REFERENCE[RenderingSpeed.TURBO] * 2
    assert job.tags.get("operation_label") == "face-swap"
    assert len(studio.sandbox.last_request_files["character_reference_images"]) == 1
    rows = studio.services.gallery.rows_for(
        [r.id for r in (studio.services.gallery.get(h) for h in job.result_hashes) if r]
    )
    assert {r.operation for r in rows} == {"face-swap"}
    row = studio.window.jobs_panel.list_view().model().row_of(job.id)
    title = studio.window.jobs_panel.list_view().model().index(row, 0).data()
    assert title.startswith("Face Swap")
    # Two results: the batch's grid replaces the canvas; one opened shows before/after.
    area = studio.window.result_area
    qtbot.waitUntil(lambda: area.showing_grid() and not studio.window.is_showing_canvas(), timeout=5000)
    area.grid.opened.emit(job.result_hashes[1])
    qtbot.waitUntil(lambda: studio.window.viewer.is_comparing(), timeout=5000)


# ---- Remix ------------------------------------------------------------------------------------


def test_remix_sends_the_image_weight(qtbot: Any, studio: Studio, tmp_path: Path) -> None:
    open_mode(studio, "remix")
    panel = studio.window.remix_panel
    panel.source_picker.load_path(png_path(tmp_path, "src.png", photo()))
    assert panel.weight_slider.value() == 50
    panel.weight_slider.setFocus()
    for _ in range(3):
        QTest.keyClick(panel.weight_slider, Qt.Key.Key_PageUp)  # +10 each
    assert panel.weight_spin.value() == 80
    qtbot.keyClicks(panel.prompt_edit, "a watercolour version")
    fields = panel.fields
    assert fields is not None
    qtbot.mouseClick(fields.shape_picker.button(AspectRatio.AR_16X9), L)
    qtbot.mouseClick(panel.send_button, L)
    job = only_job(qtbot, studio)
    assert isinstance(job.request, RemixRequest) and job.request.image_weight == 80
    assert studio.sandbox.last_request_fields["image_weight"] == "80"
    assert stored(studio, job.result_hashes[0]).size == size_of(Resolution.R_1312X736)
    parents = studio.services.gallery.parents(job.result_hashes[0])
    assert ("image", job.input_hashes["image"][0]) in {(p.role, p.parent) for p in parents}


# ---- Reframe ----------------------------------------------------------------------------------


def test_reframe_result_has_the_chosen_resolution(qtbot: Any, studio: Studio) -> None:
    open_mode(studio, "reframe")
    panel = studio.window.reframe_panel
    source = photo((300, 300))
    panel.set_source(image_file(source))
    selector = panel.resolution_selector
    qtbot.mouseClick(selector.button(AspectRatio.AR_2X1), L)
    combo = selector.combo()
    combo.setCurrentIndex(combo.findData(Resolution.R_1472X704.value, Qt.ItemDataRole.UserRole + 1))
    assert selector.value() is Resolution.R_1472X704
    assert "1472×704" in panel.preview.caption()
    qtbot.mouseClick(panel.send_button, L)
    job = only_job(qtbot, studio)
    assert isinstance(job.request, ReframeRequest) and job.request.resolution is Resolution.R_1472X704
    result = stored(studio, job.result_hashes[0])
    assert result.size == (1472, 704)
    # the source sits where the preview drew it: scaled to fit, centred
    p = place(source.size, Resolution.R_1472X704)
    box = (p.left, p.top, p.left + p.width, p.top + p.height)
    expected = ImageOps.contain(source, (1472, 704), Image.Resampling.BICUBIC)
    assert ImageChops.difference(result.crop(box), expected).getbbox() is None
    rect = panel.preview.source_rect()
    frame = panel.preview.frame_rect()
    assert rect is not None
    assert rect.width() / frame.width() == pytest.approx(p.width / 1472, abs=0.01)
    assert (rect.left() - frame.left()) / frame.width() == pytest.approx(p.left / 1472, abs=0.01)


# ---- Replace background -----------------------------------------------------------------------


def test_replace_background_keeps_a_transparent_subject(qtbot: Any, studio: Studio, tmp_path: Path) -> None:
    open_mode(studio, "replace-background")
    panel = studio.window.background_panel
    cut_out = Image.new("RGBA", (200, 160), (0, 0, 0, 0))
    ImageDraw.Draw(cut_out).ellipse((60, 30, 140, 130), fill=(220, 40, 40, 255))
    path = png_path(tmp_path, "cut-out.png", cut_out)
    panel.source_picker.load_path(path)
    assert panel.source_picker.note() == ""  # transparency kept, bytes untouched
    qtbot.keyClicks(panel.prompt_edit, "a beach at dusk")
    fields = panel.fields
    assert fields is not None
    fields.set_preset(StylePreset.GOLDEN_HOUR)
    qtbot.mouseClick(panel.send_button, L)
    job = only_job(qtbot, studio)
    assert isinstance(job.request, ReplaceBackgroundRequest)
    assert job.request.image is not None and job.request.image.data == path.read_bytes()
    assert job.request.style_preset is StylePreset.GOLDEN_HOUR
    result = Image.open(io.BytesIO(studio.services.gallery.read_bytes(job.result_hashes[0]))).convert("RGBA")
    assert result.getpixel((100, 80))[:3] == (220, 40, 40)  # the subject, kept


# ---- reuse ------------------------------------------------------------------------------------


def test_reuse_restores_every_field_of_an_edit_job(qtbot: Any, studio: Studio) -> None:
    source = image_file(photo(), "src.png")
    mask_img = Image.new("L", (320, 240), 255)
    ImageDraw.Draw(mask_img).rectangle((100, 60, 200, 140), fill=0)
    mask = encode_png(mask_img, "mask.png")
    style_ref = image_file(photo((64, 64)).rotate(90), "style.png")
    character = image_file(photo((96, 96)), "face.png")
    character_mask = encode_png(Image.new("L", (96, 96), 200), "face-mask.png")
    request = EditRequest(
        image=source,
        mask=mask,
        prompt="a straw hat",
        magic_prompt=MagicPrompt.OFF,
        num_images=2,
        seed=4242,
        rendering_speed=RenderingSpeed.QUALITY,
        style_type=StyleType.REALISTIC,
        style_preset=StylePreset.WATERCOLOR,
        color_palette=ColorPalette.preset(PalettePreset.EMBER),
        style_reference_images=(style_ref,),
        character_reference_images=(character,),
        character_reference_images_mask=(character_mask,),
    )
    request.validate()
    wait_for(qtbot, studio.services.queue.submit(request))
    only_job(qtbot, studio)
    panel = studio.window.edit_panel
    panel.set_prompt("something else")
    jobs = studio.window.jobs_panel
    jobs.select_job(studio.jobs()[0].id)
    jobs.reuse_action.trigger()
    assert studio.window.current_mode() == "edit"
    assert panel.request() == request  # every field, the image and the mask byte for byte
    assert panel.canvas.coverage_ratio() == pytest.approx(101 * 81 / (320 * 240), rel=0.01)

    # send it again from the panel: the same request reaches the queue
    qtbot.mouseClick(panel.send_button, L)
    second = only_job(qtbot, studio, 2)
    assert second.request == request

    # painting changes the mask: now it is exported from the canvas
    paint(panel.canvas, line((10, 10), (40, 10)))
    assert panel.request().mask != request.mask


def test_reuse_of_a_face_swap_job_opens_face_swap(qtbot: Any, studio: Studio) -> None:
    mask_img = Image.new("L", (320, 240), 255)
    ImageDraw.Draw(mask_img).ellipse((110, 50, 190, 160), fill=0)
    request = EditRequest(
        image=image_file(photo()),
        mask=encode_png(mask_img),
        prompt="the same person",
        character_reference_images=(image_file(photo((80, 80))),),
        style_type=StyleType.AUTO,
    )
    wait_for(qtbot, studio.services.queue.submit(request, tags={"operation_label": "face-swap"}))
    only_job(qtbot, studio)
    studio.window.controller.reuse(studio.jobs()[0].id)
    assert studio.window.current_mode() == "face-swap"
    assert studio.window.face_swap_panel.request() == request


@pytest.mark.parametrize(
    ("mode", "request_obj"),
    [
        (
            "remix",
            RemixRequest(
                image=image_file(photo()),
                prompt="remix me",
                image_weight=None,
                aspect_ratio=AspectRatio.AR_4X3,
                negative_prompt="blur",
                style_codes=("AAFF5733",),
            ),
        ),
        ("reframe", ReframeRequest(image=image_file(photo()), resolution=Resolution.R_640X1536, seed=7)),
        (
            "replace-background",
            ReplaceBackgroundRequest(image=image_file(photo()), prompt="a forest", magic_prompt=MagicPrompt.ON),
        ),
    ],
)
def test_reuse_fills_the_other_modes_exactly(qtbot: Any, studio: Studio, mode: str, request_obj: Any) -> None:
    wait_for(qtbot, studio.services.queue.submit(request_obj))
    only_job(qtbot, studio)
    studio.window.controller.reuse(studio.jobs()[0].id)
    assert studio.window.current_mode() == mode
    assert studio.window.mode_panel(mode).request() == request_obj


# ---- Send to… ---------------------------------------------------------------------------------


def test_send_to_edit_from_a_result_keeps_lineage(qtbot: Any, studio: Studio) -> None:
    wait_for(qtbot, studio.services.queue.submit(GenerateRequest(prompt="a lighthouse", seed=3)))
    first = only_job(qtbot, studio)
    parent_hash = first.result_hashes[0]
    w = studio.window
    qtbot.waitUntil(lambda: w.shown_image_hash() == parent_hash, timeout=5000)

    menu = w.send_menu(parent_hash)
    targets = [a.data() for a in menu.actions() if a.data()]
    assert targets == ["edit", "remix", "reframe", "replace-background", "face-swap", "face-swap-character",
                       "style-reference"]
    next(a for a in menu.actions() if a.data() == "edit").trigger()
    panel = w.edit_panel
    qtbot.waitUntil(lambda: panel.source_picker.image() is not None, timeout=5000)
    assert w.current_mode() == "edit" and w.is_showing_canvas()
    assert panel.source_picker.origin_hash() == parent_hash
    assert panel.source_picker.image().data == studio.services.gallery.read_bytes(parent_hash)

    size = panel.canvas.image_size()
    paint(panel.canvas, line((size.width() * 0.3, size.height() * 0.5), (size.width() * 0.6, size.height() * 0.5)))
    qtbot.keyClicks(panel.prompt_edit, "a storm")
    qtbot.waitUntil(panel.send_button.isEnabled, timeout=3000)  # the mask is checked once painting pauses
    qtbot.mouseClick(panel.send_button, L)
    edit = only_job(qtbot, studio, 2)
    assert edit.input_hashes["image"] == [parent_hash]
    links = studio.services.gallery.parents(edit.result_hashes[0])
    assert any(link.parent == parent_hash and link.role == "image" for link in links)


@pytest.mark.parametrize("target", ["remix", "reframe", "replace-background"])
def test_every_mode_keeps_lineage_to_a_library_image(qtbot: Any, studio: Studio, target: str) -> None:
    wait_for(qtbot, studio.services.queue.submit(GenerateRequest(prompt="a vase", seed=11)))
    parent_hash = only_job(qtbot, studio).result_hashes[0]
    studio.window.send_image_to(target, parent_hash)
    panel = studio.window.mode_panel(target)
    qtbot.waitUntil(lambda: panel.source_picker.image() is not None, timeout=5000)
    if panel.prompt_edit is not None:
        qtbot.keyClicks(panel.prompt_edit, "something new")
    assert panel.submit()
    job = only_job(qtbot, studio, 2)
    links = studio.services.gallery.parents(job.result_hashes[0])
    assert any(link.parent == parent_hash and link.role == "image" for link in links)


def test_strip_context_menu_and_character_and_style_targets(qtbot: Any, studio: Studio) -> None:
    wait_for(qtbot, studio.services.queue.submit(GenerateRequest(prompt="a face", seed=5)))
    image_hash = only_job(qtbot, studio).result_hashes[0]
    w = studio.window
    qtbot.waitUntil(lambda: w.recent_model.rowCount() == 1, timeout=5000)
    strip = w.strip
    rect = strip.visualRect(w.recent_model.index(0))
    with qtbot.waitSignal(strip.context_menu_requested) as signal:
        strip.customContextMenuRequested.emit(rect.center())
    assert signal.args[0] == image_hash

    w.send_image_to("face-swap-character", image_hash)
    qtbot.waitUntil(lambda: bool(w.face_swap_panel.character_refs.images()), timeout=5000)
    assert w.current_mode() == "face-swap"
    assert w.face_swap_panel.character_refs.images()[0].data == studio.services.gallery.read_bytes(image_hash)

    w.set_mode("remix")
    w.send_image_to("style-reference", image_hash)
    fields = w.remix_panel.fields
    assert fields is not None
    qtbot.waitUntil(lambda: bool(fields.style_refs.images()), timeout=5000)
    assert w.current_mode() == "remix"


def test_viewer_context_menu_offers_send_to(qtbot: Any, studio: Studio, monkeypatch: Any) -> None:
    wait_for(qtbot, studio.services.queue.submit(GenerateRequest(prompt="a bridge", seed=9)))
    image_hash = only_job(qtbot, studio).result_hashes[0]
    w = studio.window
    qtbot.waitUntil(lambda: w.shown_image_hash() == image_hash, timeout=5000)
    shown: list[list[str]] = []
    from PySide6.QtWidgets import QMenu

    monkeypatch.setattr(QMenu, "popup", lambda self, *_: shown.append([a.text() for a in self.actions()]))
    w.viewer.customContextMenuRequested.emit(QPoint(50, 50))
    assert shown and "Send to Edit" in shown[0] and "Use as style reference" in shown[0]


# ---- bad input --------------------------------------------------------------------------------


def test_bad_input_is_refused_and_nothing_painted_is_lost(
    qtbot: Any, studio: Studio, tmp_path: Path, monkeypatch: Any
) -> None:
    open_mode(studio, "edit")
    panel: MaskedPanel = studio.window.edit_panel
    picker = panel.source_picker
    assert picker is not None
    good = png_path(tmp_path, "good.png", photo())
    picker.load_path(good)
    paint(panel.canvas, line((100, 120), (220, 120)))
    painted = coverage_to_pil(panel.canvas.mask_qimage()).tobytes()
    exported = panel.canvas.export_mask()

    text = tmp_path / "notes.txt"
    text.write_text("a shopping list")
    corrupt = tmp_path / "corrupt.png"
    corrupt.write_bytes(good.read_bytes()[:300])
    for bad in (text, corrupt):
        assert not picker.load_path(bad)
        assert picker.message().isVisible() and bad.name in picker.message().text()
        assert picker.image().data == good.read_bytes()
        assert coverage_to_pil(panel.canvas.mask_qimage()).tobytes() == painted

    big = tmp_path / "big.png"
    Image.effect_noise((480, 360), 90).convert("RGB").save(big)
    monkeypatch.setitem(limits.FILE_SIZE_LIMITS, (EditRequest.endpoint, "image"), 150_000)
    assert not picker.load_path(big)
    assert picker.downscale_button().isVisible() and "big.png" in picker.message().text()
    assert picker.image().data == good.read_bytes()
    assert coverage_to_pil(panel.canvas.mask_qimage()).tobytes() == painted

    with qtbot.waitSignal(picker.image_changed):  # the downscale runs in a worker
        qtbot.mouseClick(picker.downscale_button(), L)
    image = picker.image()
    assert image is not None and len(image.data) <= 150_000 and image.data != good.read_bytes()
    assert panel.canvas.image_size().width() == image.width
    if (image.width, image.height) != (320, 240):
        assert panel.restore_label().isVisible()  # the painted mask is one click away
        panel.restore_previous()
        assert picker.image().data == good.read_bytes() and panel.canvas.export_mask() == exported


def test_a_large_source_loads_and_takes_a_mask(qtbot: Any, studio: Studio, tmp_path: Path) -> None:
    """A 6000×4000 photo: loaded whole, painted, sent with a mask of its size (how fast each step
    is: tests/benchmarks/bench_edit_responsiveness.py)."""
    open_mode(studio, "edit")
    panel = studio.window.edit_panel
    big = photo((6000, 4000))
    path = tmp_path / "large.jpg"
    big.save(path, format="JPEG", quality=85)
    with qtbot.waitSignal(panel.source_picker.image_changed, timeout=30_000):  # read in a worker
        assert panel.source_picker.load_path(path)
    assert panel.canvas.image_size().width() == 6000
    panel.canvas.set_brush_size(300)
    paint(panel.canvas, line((1500, 2000), (4500, 2000), 30))
    qtbot.keyClicks(panel.prompt_edit, "a boat")
    request = panel.request()
    assert isinstance(request, EditRequest) and request.mask is not None and request.mask.size == (6000, 4000)


# ---- persistence ------------------------------------------------------------------------------


def test_panels_remember_their_fields_across_restarts(qtbot: Any, qloop: Any, tmp_path: Path) -> None:
    studio = open_studio(qtbot, tmp_path, MemoryStore())
    w = studio.window
    w.remix_panel.set_image_weight(73)
    w.remix_panel.set_prompt("again")
    w.reframe_panel.resolution_selector.set_value(Resolution.R_576X1408)
    fields = w.background_panel.fields
    assert fields is not None
    fields.set_seed(99)
    w.set_mode("reframe")
    close_studio(qtbot, studio)

    again = open_studio(qtbot, tmp_path, MemoryStore())
    try:
        w2 = again.window
        assert w2.current_mode() == "reframe"
        assert w2.remix_panel.image_weight() == 73 and w2.remix_panel.prompt_text() == "again"
        assert w2.reframe_panel.resolution_selector.value() is Resolution.R_576X1408
        fields2 = w2.background_panel.fields
        assert fields2 is not None and fields2.values()["seed"] == 99
    finally:
        close_studio(qtbot, again)


def test_costs_are_estimates_for_each_mode(qtbot: Any, studio: Studio) -> None:
    w = studio.window
    # Every form starts at Settings' default speed (issue 14).
    each = STANDARD[RenderingSpeed(studio.services.settings.default_rendering_speed)]
    for key in ("remix", "edit", "reframe", "replace-background"):
        assert w.mode_panel(key).cost_label.text() == f"Estimated cost: ≈ ${each:.2f} (1 image × ${each:.2f})"
    fields = w.reframe_panel.fields
    assert fields is not None
    fields.images_spin.setValue(3)
    fields.speed_combo.setCurrentIndex(fields.speed_combo.findData(RenderingSpeed.QUALITY.value))
    assert "$0.27" in w.reframe_panel.cost_label.text()
