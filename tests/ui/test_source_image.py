"""The source-image picker and what it does to odd inputs, with real widgets and real events:
open, paste, drop, refusals that keep the current image, the size limit with "Downscale to fit",
conversions with a visible note, and byte-exact images otherwise."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QGuiApplication, QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QFileDialog

from ideogram_studio.api import limits
from ideogram_studio.api.images import ImageFile
from ideogram_studio.api.requests import EditRequest, ReplaceBackgroundRequest
from ideogram_studio.imaging.reframe_layout import contained_size, place
from ideogram_studio.imaging.source_prep import downscale_to_fit, png_bit_depth, prepare
from ideogram_studio.ui.modes.source_image import SourceImagePicker

INPAINT = EditRequest.endpoint
BACKGROUND = ReplaceBackgroundRequest.endpoint
L = Qt.MouseButton.LeftButton


def encoded(img: Image.Image, fmt: str = "PNG", name: str = "image.png", **kw: object) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format=fmt, **kw)
    return buf.getvalue()


def noisy(size: tuple[int, int]) -> Image.Image:
    """A picture that compresses badly (so file sizes are realistic)."""
    return Image.effect_noise(size, 90).convert("RGB")


def with_hole(size: tuple[int, int] = (40, 30)) -> Image.Image:
    img = Image.new("RGBA", size, (200, 30, 30, 255))
    img.paste((0, 0, 0, 0), (0, 0, size[0] // 2, size[1]))
    return img


@pytest.fixture
def picker(qtbot):
    widget = SourceImagePicker(INPAINT, "Edit")
    qtbot.addWidget(widget)
    widget.resize(420, 200)
    widget.show()
    return widget


def drop(widget, mime: QMimeData) -> None:
    rest = (Qt.DropAction.CopyAction, mime, L, Qt.KeyboardModifier.NoModifier)
    enter = QDragEnterEvent(QPoint(20, 20), *rest)
    QApplication.sendEvent(widget, enter)
    assert enter.isAccepted()
    QApplication.sendEvent(widget, QDropEvent(QPointF(20, 20), *rest))


def file_mime(*paths: Path) -> QMimeData:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    return mime


# ---- Qt-free: conversions, downscale, reframe geometry ------------------------------------


def test_plain_images_keep_their_exact_bytes():
    for img, fmt in ((Image.new("RGB", (30, 20), (1, 2, 3)), "PNG"), (noisy((30, 20)), "JPEG")):
        image = ImageFile.from_bytes(encoded(img, fmt), "x")
        assert prepare(image, keep_alpha=False).image is image
    opaque = ImageFile.from_bytes(encoded(Image.new("RGBA", (30, 20), (1, 2, 3, 255))), "opaque.png")
    assert prepare(opaque, keep_alpha=False).image is opaque  # an unused alpha channel is no reason


def test_transparency_is_flattened_on_white_except_for_replace_background():
    image = ImageFile.from_bytes(encoded(with_hole()), "cut-out.png")
    flat = prepare(image, keep_alpha=False)
    assert flat.converted and "flattened on white" in flat.note
    pixels = flat.image.pil()
    assert flat.image.mode == "RGB" and pixels.getpixel((0, 0)) == (255, 255, 255)
    assert pixels.getpixel((39, 0)) == (200, 30, 30)
    kept = prepare(image, keep_alpha=True)
    assert kept.image is image and not kept.converted


@pytest.mark.parametrize(
    ("img", "fmt", "words"),
    [
        (Image.new("CMYK", (20, 20), (0, 255, 0, 0)), "JPEG", "CMYK"),
        (Image.new("RGB", (20, 20), (9, 9, 9)).convert("P"), "PNG", "palette"),
        (Image.new("I;16", (20, 20), 40000), "PNG", "16-bit"),
        (Image.new("1", (20, 20), 1), "PNG", "1-bit"),
    ],
)
def test_odd_modes_become_8bit_rgb_png_with_a_note(img, fmt, words):
    image = ImageFile.from_bytes(encoded(img, fmt), f"odd.{fmt.lower()}")
    prepared = prepare(image, keep_alpha=False)
    assert prepared.converted and words in prepared.note and "8-bit RGB PNG" in prepared.note
    assert prepared.image.format == "PNG" and prepared.image.mode == "RGB"
    assert png_bit_depth(prepared.image.data) == 8


def test_16_bit_grey_is_scaled_not_clipped():
    img = Image.new("I;16", (4, 4), 0)
    img.putpixel((0, 0), 65535)
    img.putpixel((1, 0), 32896)
    out = prepare(ImageFile.from_bytes(encoded(img), "grey16.png"), keep_alpha=False).image.pil()
    assert out.getpixel((0, 0)) == (255, 255, 255)
    assert out.getpixel((1, 0))[0] in (127, 128)
    assert out.getpixel((2, 0)) == (0, 0, 0)


def test_downscale_fits_the_limit_and_says_what_it_did():
    big = ImageFile.from_bytes(encoded(noisy((900, 600))), "big.png")
    limit = len(big.data) // 4
    small, how = downscale_to_fit(big, limit, keep_alpha=False)
    assert len(small.data) <= limit and small.format == "JPEG"
    assert "→" in how and small.width <= 900
    assert small.width / small.height == pytest.approx(1.5, rel=0.01)
    cut_out = ImageFile.from_bytes(encoded(with_hole((600, 400)).resize((600, 400))), "cut.png")
    kept, _ = downscale_to_fit(cut_out, len(cut_out.data) - 1, keep_alpha=True)
    assert kept.format == "PNG" and kept.mode == "RGBA"


def test_reframe_placement_matches_imageops_contain():
    from PIL import ImageOps

    for source in ((800, 600), (600, 800), (1024, 1024), (333, 777), (1536, 640)):
        for frame in ((1536, 640), (640, 1536), (1024, 1024), (832, 960)):
            scaled = ImageOps.contain(Image.new("RGB", source), frame)
            assert contained_size(source, frame) == scaled.size
            p = place(source, frame)
            assert (p.left, p.top) == ((frame[0] - scaled.width) // 2, (frame[1] - scaled.height) // 2)
    assert place((1024, 1024), "1024x1024").new_area_share == 0


# ---- the widget -----------------------------------------------------------------------------


def test_open_dialog_is_non_blocking_and_loads_the_chosen_file(qtbot, picker, make_png):
    path = make_png("photo.png", (48, 32))
    dialog = picker.open_dialog()
    assert isinstance(dialog, QFileDialog) and dialog.isVisible()  # open() returned at once
    with qtbot.waitSignal(picker.image_changed):
        dialog.fileSelected.emit(str(path))
    dialog.close()
    image = picker.image()
    assert image is not None and image.data == path.read_bytes()
    assert picker.info_label().text().startswith("48×32 PNG")
    assert picker.thumbnail_label().pixmap() is not None and not picker.thumbnail_label().pixmap().isNull()


def test_paste_an_image_with_ctrl_v(qtbot, picker):
    image = QImage(64, 40, QImage.Format.Format_RGB32)
    image.fill(Qt.GlobalColor.darkCyan)
    QGuiApplication.clipboard().setImage(image)
    picker.setFocus()
    with qtbot.waitSignal(picker.image_changed):
        QTest.keyClick(picker, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert picker.image() is not None and picker.image().size == (64, 40)


def test_drop_a_file_or_image_data(qtbot, picker, make_png):
    path = make_png("dropped.png", (30, 30), (10, 200, 10))
    with qtbot.waitSignal(picker.image_changed):
        drop(picker, file_mime(path))
    assert picker.image().data == path.read_bytes()
    data = QMimeData()
    qimage = QImage(20, 10, QImage.Format.Format_RGB32)
    qimage.fill(Qt.GlobalColor.red)
    data.setImageData(qimage)
    with qtbot.waitSignal(picker.image_changed):
        drop(picker, data)
    assert picker.image().size == (20, 10)


def test_bad_files_are_refused_and_the_current_image_is_kept(qtbot, picker, make_png, tmp_path):
    good = make_png("good.png")
    picker.load_path(good)
    text = tmp_path / "notes.txt"
    text.write_text("not a picture")
    corrupt = tmp_path / "broken.png"
    corrupt.write_bytes(good.read_bytes()[: len(good.read_bytes()) // 2])
    for bad, words in ((text, "not an image"), (corrupt, "damaged")):
        with qtbot.assertNotEmitted(picker.image_changed):
            assert not picker.load_path(bad)
        assert picker.message().isVisible() and words in picker.message().text()
        assert "current image is kept" in picker.message().text()
        assert picker.image().data == good.read_bytes()


def test_over_the_limit_is_held_back_and_downscaled_on_request(qtbot, picker, tmp_path, monkeypatch):
    path = tmp_path / "huge.png"
    path.write_bytes(encoded(noisy((400, 300))))
    monkeypatch.setitem(limits.FILE_SIZE_LIMITS, (INPAINT, "image"), 60_000)
    with qtbot.assertNotEmitted(picker.image_changed):
        assert not picker.load_path(path)
    assert picker.image() is None and picker.pending() is not None
    assert picker.message().isVisible() and "up to 59 KB" in picker.message().text()
    assert picker.downscale_button().isVisible()
    with qtbot.waitSignal(picker.image_changed):
        qtbot.mouseClick(picker.downscale_button(), L)
    image = picker.image()
    assert image is not None and len(image.data) <= 60_000
    assert not picker.downscale_button().isVisible() and not picker.message().isVisible()
    assert picker.note_label().isVisible() and "→" in picker.note()


def test_held_back_image_can_be_dismissed(qtbot, picker, make_png, tmp_path, monkeypatch):
    good = make_png("good.png")
    picker.load_path(good)
    monkeypatch.setitem(limits.FILE_SIZE_LIMITS, (INPAINT, "image"), 5_000)
    big = tmp_path / "big.png"
    big.write_bytes(encoded(noisy((200, 200))))
    picker.load_path(big)
    assert picker.keep_button().isVisible()
    qtbot.mouseClick(picker.keep_button(), L)
    assert picker.pending() is None and picker.image().data == good.read_bytes()
    assert not picker.downscale_button().isVisible()


def test_conversion_note_is_visible(qtbot, picker, tmp_path):
    path = tmp_path / "print.jpg"
    path.write_bytes(encoded(Image.new("CMYK", (30, 30), (0, 200, 0, 0)), "JPEG"))
    picker.load_path(path)
    assert picker.image().mode == "RGB" and picker.image().format == "PNG"
    assert picker.note_label().isVisible() and "CMYK" in picker.note_label().text()


def test_a_wide_gamut_source_says_it_is_converted_to_srgb_before_it_is_sent(qtbot, picker, tmp_path):
    from tests.core.icc_profiles import matrix_profile

    p3 = matrix_profile("Display P3 (test)").tobytes()
    path = tmp_path / "phone.png"
    path.write_bytes(encoded(Image.new("RGB", (30, 30), (200, 120, 90)), icc_profile=p3))
    picker.load_path(path)
    assert picker.note_label().isVisible()
    assert picker.note() == "Converted from Display P3 (test) to sRGB."
    # Flattened too (transparency this mode does not use): both are said, and the colour note goes
    # with the image sent (the job keeps it for the results' detail panel).
    cut_out = tmp_path / "cut-out.png"
    cut_out.write_bytes(encoded(with_hole(), icc_profile=p3))
    picker.load_path(cut_out)
    assert picker.note().startswith("Converted from Display P3 (test) to sRGB. Transparent parts were flattened")
    assert picker.image().colour_note == "Converted from Display P3 (test) to sRGB."


def test_a_damaged_colour_profile_is_said_and_the_image_kept(qtbot, picker, tmp_path):
    path = tmp_path / "odd.png"
    path.write_bytes(encoded(Image.new("RGB", (30, 30), (200, 120, 90)), icc_profile=b"not a profile"))
    picker.load_path(path)
    assert picker.image() is not None and picker.note_label().isVisible()
    assert "colour profile is damaged; it was sent without conversion" in picker.note()


def test_a_reference_says_what_became_of_its_colour_profile(qtbot, tmp_path):
    from ideogram_studio.ui.modes.reference_zone import ReferenceZone
    from tests.core.icc_profiles import matrix_profile

    zone = ReferenceZone("Style references", 3)
    qtbot.addWidget(zone)
    zone.show()
    path = tmp_path / "mood.jpg"
    adobe = matrix_profile("Adobe RGB (1998) (test)").tobytes()
    path.write_bytes(encoded(Image.new("RGB", (30, 30), (90, 150, 140)), "JPEG", icc_profile=adobe))
    assert zone.add_paths([str(path)]) == 1
    assert zone.message().isVisible() and zone.message().kind() != "error"
    assert zone.message().text() == "mood.jpg: Converted from Adobe RGB (1998) (test) to sRGB."
    plain = tmp_path / "plain.png"
    plain.write_bytes(encoded(Image.new("RGB", (30, 30), (90, 150, 140))))
    assert zone.add_paths([str(plain)]) == 1
    assert not zone.message().isVisible()  # nothing to say of an sRGB image


def test_replace_background_keeps_transparency(qtbot, tmp_path):
    picker = SourceImagePicker(BACKGROUND, "Replace background", keep_alpha=True)
    qtbot.addWidget(picker)
    path = tmp_path / "cut-out.png"
    path.write_bytes(encoded(with_hole()))
    picker.load_path(path)
    assert picker.image().data == path.read_bytes() and picker.note() == ""


def test_library_image_keeps_its_bytes_and_origin(qtbot, picker):
    data = encoded(Image.new("RGB", (32, 32), (5, 6, 7)))
    image = ImageFile.from_bytes(data, "library.png")
    picker.set_image_file(image, "abc123")
    assert picker.image() is image and picker.origin_hash() == "abc123"
    assert "from the library" in picker.info_label().text()
